//! The table registry: every table the change log tracks, the one list. The change triggers are
//! generated from it (the core's `changelog::triggers`), and the merge, the archive, a customer's
//! merge and purge, an import's undo and the history read it instead of keeping lists of their
//! own. A new tracked table is its migration plus one row here.
//!
//! Codes are fixed: a table's `code` and a column's place in `columns` (its code is the place
//! plus one) are written into every change record, so a new column is appended and a new table
//! takes the next code; neither is ever reused.

/// What a customer's merge does to the rows of a table that belong to a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnMerge {
    /// The rows stay with the merged customer (in the trash with it).
    Stay,
    /// The rows move to the survivor (their customer column is set to it).
    Move,
    /// The survivor is added beside the other customer (a static list's member rows).
    Join,
}

/// Which columns an import's undo (or a merge's) may set back to what they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revert {
    /// None: the table's rows are not changed by imports or merges.
    Nothing,
    /// Only these.
    Only(&'static [&'static str]),
    /// Every tracked column but these.
    AllBut(&'static [&'static str]),
}

/// One tracked table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    /// Its code in change records (never reused).
    pub code: i64,
    /// The migration (schema version) that added it: an archive of an older schema has none.
    pub since: i64,
    /// The key columns: a row id is the key, or two key columns joined by `/`.
    pub keys: &'static [&'static str],
    /// The column naming the customer a row belongs to (its history is the customer's, it goes
    /// with the customer when purged, a merge does `on_merge` to it); None for the table's own
    /// records (customers, settings, stages...).
    pub customer: Option<&'static str>,
    /// Tracked columns in code order (column code = place + 1).
    pub columns: &'static [&'static str],
    /// Columns kept by each device for itself, derived from the tracked ones (never in a
    /// change record). Keys are not listed here.
    pub local: &'static [&'static str],
    /// The rows a row needs (a foreign key: column, table): a row is shown only when every
    /// row it names is, so a row that arrives before its parent waits for it, and a row whose
    /// parent is purged goes with it.
    pub parents: &'static [(&'static str, &'static str)],
    /// A change here changes its customer's `updated_at` (the customer's own columns, contacts,
    /// custom values, interactions, deals).
    pub touches_customer: bool,
    pub on_merge: OnMerge,
    pub revert: Revert,
    /// A workspace setting (staff, stages, fields, teams, calendars, SLAs...): only owners and
    /// managers change its rows ([`crate::access`]).
    pub settings: bool,
    /// The column naming files kept beside the workspace (a JSON list of objects with their
    /// content's SHA-256 as `hash`): sync carries each file with the change that names it.
    pub files: Option<&'static str>,
}

impl Table {
    /// A tracked column's code (1-based), if this build knows it.
    pub fn column_code(&self, column: &str) -> Option<i64> {
        self.columns.iter().position(|c| *c == column).map(|i| i as i64 + 1)
    }

    /// The name of tracked column `code` (1-based).
    pub fn column(&self, code: i64) -> Option<&'static str> {
        usize::try_from(code).ok().and_then(|c| c.checked_sub(1)).and_then(|i| self.columns.get(i).copied())
    }

    /// The key values a row id names: one, or two joined by `/` (ids never hold a `/`).
    pub fn key_values<'a>(&self, row_id: &'a str) -> crate::Result<Vec<&'a str>> {
        let bad = || crate::Error::BadRowId { table: self.name.to_string(), row_id: row_id.to_string() };
        match self.keys.len() {
            1 if !row_id.is_empty() => Ok(vec![row_id]),
            2 => match row_id.split_once('/') {
                Some((a, b)) if !a.is_empty() && !b.is_empty() && !b.contains('/') => Ok(vec![a, b]),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        }
    }

    /// Whether an undo may set `column` back.
    pub fn revertible(&self, column: &str) -> bool {
        match self.revert {
            Revert::Nothing => false,
            Revert::Only(cols) => cols.contains(&column),
            Revert::AllBut(cols) => self.columns.contains(&column) && !cols.contains(&column),
        }
    }
}

const fn table(name: &'static str, code: i64, since: i64, columns: &'static [&'static str]) -> Table {
    Table {
        name,
        code,
        since,
        keys: &["id"],
        customer: None,
        columns,
        local: &[],
        parents: &[],
        touches_customer: false,
        on_merge: OnMerge::Stay,
        revert: Revert::Nothing,
        settings: false,
        files: None,
    }
}

const OF_CUSTOMER: &[(&str, &str)] = &[("customer_id", "customers")];

/// Every tracked table, parents before the rows that name them (a purge deletes in reverse).
pub const TABLES: &[Table] = &[
    Table { settings: true, keys: &["key"], ..table("settings", 1, 1, &["value"]) },
    Table { settings: true, ..table("staff", 2, 1, &["name", "email", "role", "created_at", "deleted_at"]) },
    Table { settings: true, ..table("stages", 3, 1, &["name", "position", "deleted_at"]) },
    Table {
        settings: true,
        ..table("custom_fields", 4, 1, &["key", "label", "kind", "options", "required", "position", "deleted_at"])
    },
    Table {
        local: &["seq", "name_folded", "updated_at"],
        touches_customer: true,
        revert: Revert::AllBut(&["created_at"]),
        ..table(
            "customers",
            5,
            1,
            &[
                "kind",
                "name",
                "family_name",
                "middle_name",
                "given_name",
                "phones",
                "emails",
                "street",
                "ward",
                "district",
                "province",
                "tax_code",
                "source",
                "owner_id",
                "stage_id",
                "tags",
                "birthday",
                "gender",
                "expected_revenue",
                "currency",
                "notes",
                "external_id",
                "created_at",
                "deleted_at",
            ],
        )
    },
    Table {
        customer: Some("customer_id"),
        parents: OF_CUSTOMER,
        touches_customer: true,
        on_merge: OnMerge::Move,
        revert: Revert::AllBut(&["created_at"]),
        ..table(
            "contacts",
            6,
            1,
            &["customer_id", "name", "role", "phone", "email", "is_decision_maker", "created_at", "deleted_at"],
        )
    },
    Table {
        keys: &["customer_id", "field_id"],
        customer: Some("customer_id"),
        parents: &[("customer_id", "customers"), ("field_id", "custom_fields")],
        touches_customer: true,
        ..table("custom_values", 7, 1, &["value"])
    },
    Table {
        customer: Some("customer_id"),
        parents: OF_CUSTOMER,
        touches_customer: true,
        on_merge: OnMerge::Move,
        revert: Revert::AllBut(&["created_at"]),
        ..table(
            "interactions",
            8,
            1,
            &[
                "customer_id",
                "kind",
                "channel",
                "direction",
                "staff_id",
                "occurred_at",
                "summary",
                "body",
                "amount",
                "currency",
                "items",
                "created_at",
                "deleted_at",
            ],
        )
    },
    table("segments", 9, 8, &["name", "kind", "rules", "created_at", "deleted_at"]),
    Table {
        keys: &["segment_id", "customer_id"],
        customer: Some("customer_id"),
        parents: &[("segment_id", "segments"), ("customer_id", "customers")],
        on_merge: OnMerge::Join,
        ..table("segment_members", 10, 8, &["added_at"])
    },
    Table {
        settings: true,
        ..table("deal_stages", 11, 9, &["name", "position", "probability", "kind", "next_contact_days", "deleted_at"])
    },
    Table {
        customer: Some("customer_id"),
        parents: OF_CUSTOMER,
        touches_customer: true,
        on_merge: OnMerge::Move,
        revert: Revert::Only(&["customer_id"]),
        ..table(
            "deals",
            12,
            9,
            &[
                "customer_id",
                "title",
                "stage_id",
                "amount",
                "currency",
                "expected_close",
                "owner_id",
                "lost_reason",
                "purchase_id",
                "stage_changed_at",
                "closed_at",
                "created_at",
                "deleted_at",
            ],
        )
    },
    Table {
        settings: true,
        ..table(
            "care_plans",
            13,
            10,
            &["name", "anchor", "steps", "created_at", "deleted_at", "enrol", "unenrol_on_leave"],
        )
    },
    Table {
        customer: Some("customer_id"),
        parents: &[("plan_id", "care_plans"), ("customer_id", "customers")],
        on_merge: OnMerge::Move,
        revert: Revert::Only(&["customer_id"]),
        ..table(
            "care_enrolments",
            14,
            11,
            &["plan_id", "customer_id", "anchor_key", "anchor_at", "source", "enrolled_at", "ended_at", "end_reason"],
        )
    },
    Table {
        customer: Some("customer_id"),
        parents: &[("enrolment_id", "care_enrolments"), ("customer_id", "customers")],
        on_merge: OnMerge::Move,
        revert: Revert::Only(&["customer_id"]),
        ..table(
            "care_tasks",
            15,
            11,
            &[
                "enrolment_id",
                "plan_id",
                "customer_id",
                "step",
                "occurrence",
                "name",
                "channel",
                "message",
                "due_at",
                "remind_at",
                "assignee_id",
                "state",
                "outcome",
                "interaction_id",
                "closed_at",
                "created_at",
                "deleted_at",
            ],
        )
    },
    // the helpdesk (migration 15)
    Table {
        settings: true,
        ..table(
            "teams",
            16,
            15,
            &[
                "name",
                "calendar",
                "lead_id",
                "assignment",
                "max_open",
                "followup_days",
                "reopen_days",
                "ack",
                "created_at",
                "deleted_at",
                "survey",
            ],
        )
    },
    Table {
        settings: true,
        keys: &["team_id", "staff_id"],
        parents: &[("team_id", "teams"), ("staff_id", "staff")],
        ..table("team_members", 17, 15, &["hours", "leave", "added_at", "deleted_at"])
    },
    Table {
        settings: true,
        parents: &[("team_id", "teams")],
        ..table(
            "ticket_stages",
            18,
            15,
            &["team_id", "name", "position", "solved", "closed", "pauses_sla", "checklist", "deleted_at"],
        )
    },
    Table {
        settings: true,
        parents: &[("team_id", "teams")],
        ..table(
            "sla_policies",
            19,
            15,
            &[
                "team_id",
                "name",
                "position",
                "match",
                "first_response_minutes",
                "next_response_minutes",
                "resolution_minutes",
                "calendar_time",
                "warn_percent",
                "deleted_at",
            ],
        )
    },
    Table {
        customer: Some("customer_id"),
        parents: &[("customer_id", "customers"), ("team_id", "teams"), ("stage_id", "ticket_stages")],
        on_merge: OnMerge::Move,
        revert: Revert::Only(&["customer_id"]),
        ..table(
            "tickets",
            20,
            15,
            &[
                "number",
                "subject",
                "customer_id",
                "contact_id",
                "team_id",
                "stage_id",
                "priority",
                "severity",
                "category",
                "channel",
                "assignee_id",
                "tags",
                "deal_id",
                "purchase_id",
                "interaction_id",
                "sla_id",
                "first_response_due",
                "next_response_due",
                "resolution_due",
                "paused_at",
                "paused_ms",
                "paused_work_ms",
                "first_response_at",
                "first_response_ms",
                "first_response_work_ms",
                "first_response_breached_at",
                "next_response_breached_at",
                "resolution_breached_at",
                "solved_at",
                "resolution_ms",
                "resolution_work_ms",
                "closed_at",
                "reopened",
                "last_customer_at",
                "merged_into",
                "created_at",
                "deleted_at",
                "replies",
                "first_solved_at",
                "reopened_at",
                "stage_at",
                "handling_ms",
                "handling_work_ms",
            ],
        )
    },
    Table {
        customer: Some("customer_id"),
        parents: &[("ticket_id", "tickets"), ("customer_id", "customers")],
        on_merge: OnMerge::Move,
        revert: Revert::Only(&["customer_id"]),
        files: Some("attachments"),
        ..table(
            "ticket_messages",
            21,
            15,
            &[
                "ticket_id",
                "customer_id",
                "kind",
                "staff_id",
                "channel",
                "body",
                "attachments",
                "at",
                "created_at",
                "deleted_at",
            ],
        )
    },
    Table {
        parents: &[("ticket_id", "tickets")],
        ..table("ticket_checks", 22, 15, &["ticket_id", "stage_id", "item", "done", "by_id", "at"])
    },
    Table {
        keys: &["ticket_id", "other_id"],
        parents: &[("ticket_id", "tickets"), ("other_id", "tickets")],
        ..table("ticket_links", 23, 15, &["created_at", "deleted_at"])
    },
    Table {
        parents: &[("team_id", "teams")],
        ..table("canned_responses", 24, 15, &["name", "body", "team_id", "staff_id", "created_at", "deleted_at"])
    },
    Table {
        settings: true,
        ..table(
            "ticket_rules",
            25,
            15,
            &["name", "position", "conditions", "actions", "enabled", "created_at", "deleted_at"],
        )
    },
    Table {
        customer: Some("customer_id"),
        parents: &[("ticket_id", "tickets"), ("customer_id", "customers")],
        on_merge: OnMerge::Move,
        revert: Revert::Only(&["customer_id"]),
        ..table(
            "survey_answers",
            26,
            15,
            &[
                "ticket_id",
                "customer_id",
                "kind",
                "score",
                "comment",
                "sent_at",
                "answered_at",
                "staff_id",
                "source",
                "created_at",
                "deleted_at",
            ],
        )
    },
];

/// The table named `name`, if this build tracks it.
pub fn by_name(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// The table with code `code`, if this build tracks it.
pub fn by_code(code: i64) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.code == code)
}

/// The tables that name `parent` in a parents' column, with that column.
pub fn children_of(parent: &str) -> impl Iterator<Item = (&'static Table, &'static str)> + '_ {
    TABLES.iter().flat_map(move |t| t.parents.iter().filter(move |(_, p)| *p == parent).map(move |(c, _)| (t, *c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_names_and_columns_are_unique_and_parents_come_first() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for (i, t) in TABLES.iter().enumerate() {
            assert!(codes.insert(t.code) && names.insert(t.name), "{} twice", t.name);
            let cols: HashSet<_> = t.columns.iter().collect();
            assert_eq!(cols.len(), t.columns.len(), "a column of {} twice", t.name);
            for k in t.keys.iter().chain(t.local) {
                assert!(!t.columns.contains(k), "{}.{k} is both tracked and not", t.name);
            }
            for (col, parent) in t.parents {
                let p = TABLES.iter().position(|x| x.name == *parent).expect("a parent is a tracked table");
                assert!(p < i, "{parent} comes before {}", t.name);
                assert!(t.columns.contains(col) || t.keys.contains(col), "{}.{col}", t.name);
            }
            if let Some(c) = t.customer {
                assert!(t.parents.contains(&(c, "customers")), "{}'s customer is a parent", t.name);
            }
            assert!(t.revertible("deleted_at") == matches!(t.revert, Revert::AllBut(_)));
        }
        assert_eq!(by_name("care_tasks").and_then(|t| t.column(3)), Some("customer_id"));
        assert_eq!(by_code(5).map(|t| t.name), Some("customers"));
        assert_eq!(by_name("customers").and_then(|t| t.column_code("deleted_at")), Some(24));
        let kids: Vec<_> = children_of("care_enrolments").map(|(t, c)| (t.name, c)).collect();
        assert_eq!(kids, vec![("care_tasks", "enrolment_id")]);
    }

    #[test]
    fn row_ids_name_their_keys() {
        let members = by_name("segment_members").unwrap();
        assert_eq!(members.key_values("s/c").unwrap(), vec!["s", "c"]);
        for bad in ["s", "/c", "s/", "a/b/c", ""] {
            assert!(members.key_values(bad).is_err(), "{bad}");
        }
        assert_eq!(by_name("customers").unwrap().key_values("x").unwrap(), vec!["x"]);
        assert!(by_name("customers").unwrap().key_values("").is_err());
    }
}
