//! Duplicates already in the workspace: pairs of live customers that share a normalised phone,
//! email or tax code, or have the same folded name in the same province; and merging a pair.
//! The survivor keeps every phone, email, tag, contact, interaction and custom value of both;
//! where both have a different value the caller chooses (the survivor's by default). A merge is
//! one recorded transaction (the other customer goes to the trash) and can be undone.

use crate::customers::{check, load_customer, write_update, Customer, CustomerInput};
use crate::error::{Error, FieldError, Result};
use crate::search::CustomerSummary;
use crate::Workspace;
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct DuplicateReason {
    /// "phone", "email", "tax_code" or "name_province"
    pub reason: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct DuplicatePair {
    /// The older of the two (the suggested survivor).
    pub a: CustomerSummary,
    pub b: CustomerSummary,
    pub reasons: Vec<DuplicateReason>,
}

/// A field both customers fill differently.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct FieldConflict {
    /// "province", "birthday", "custom.<key>", ...
    pub field: String,
    pub survivor: String,
    pub other: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct MergeReport {
    pub merge_id: String,
    pub customer: Customer,
    /// contacts, interactions and deals moved to the survivor, and the other customer's static lists it joined
    #[specta(type = i32)]
    pub moved: u64,
}

fn reason_of(key: &str) -> (&'static str, &str) {
    match key.split_once(':') {
        Some(("p", v)) => ("phone", v),
        Some(("e", v)) => ("email", v),
        Some(("t", v)) => ("tax_code", v),
        Some(("x", v)) => ("external_id", v),
        _ => ("other", key),
    }
}

/// The single-valued fields a merge chooses between, read off a form.
fn scalars(c: &CustomerInput) -> Vec<(&'static str, Option<String>)> {
    let o = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    vec![
        ("name", Some(c.name.clone()).filter(|s| !s.is_empty())),
        ("family_name", o(&c.family_name)),
        ("middle_name", o(&c.middle_name)),
        ("given_name", o(&c.given_name)),
        ("street", o(&c.street)),
        ("ward", o(&c.ward)),
        ("district", o(&c.district)),
        ("province", o(&c.province)),
        ("tax_code", o(&c.tax_code)),
        ("external_id", o(&c.external_id)),
        ("source", c.source.map(|s| s.as_str().to_string())),
        ("owner_id", o(&c.owner_id)),
        ("stage_id", o(&c.stage_id)),
        ("birthday", o(&c.birthday)),
        ("gender", c.gender.map(|g| g.as_str().to_string())),
        ("expected_revenue", c.expected_revenue.map(|v| v.to_string())),
        ("currency", o(&c.currency)),
    ]
}

/// The fields where both customers have a value and the values differ.
pub fn conflicts(survivor: &Customer, other: &Customer) -> Vec<FieldConflict> {
    let (s, o) = (survivor.to_input(), other.to_input());
    let mut out: Vec<FieldConflict> = scalars(&s)
        .into_iter()
        .zip(scalars(&o))
        .filter_map(|((field, a), (_, b))| match (a, b) {
            (Some(a), Some(b)) if a != b => Some(FieldConflict { field: field.into(), survivor: a, other: b }),
            _ => None,
        })
        .collect();
    for (k, a) in &s.custom {
        if let Some(b) = o.custom.get(k) {
            if a != b && !a.is_empty() && !b.is_empty() {
                out.push(FieldConflict { field: format!("custom.{k}"), survivor: a.clone(), other: b.clone() });
            }
        }
    }
    out
}

/// The survivor's form after the merge: its own values, the other's where it had none or where
/// `take` names the field; every phone, email and tag of both; both notes.
fn merged(survivor: &Customer, other: &Customer, take: &[String]) -> CustomerInput {
    let mut m = survivor.to_input();
    let o = other.to_input();
    let pick = |field: &str, mine: &mut Option<String>, theirs: &Option<String>| {
        let empty = mine.as_deref().is_none_or(|v| v.trim().is_empty());
        if theirs.is_some() && (empty || take.iter().any(|t| t == field)) {
            *mine = theirs.clone();
        }
    };
    if take.iter().any(|t| t == "name") {
        m.name = o.name.clone();
    }
    pick("family_name", &mut m.family_name, &o.family_name);
    pick("middle_name", &mut m.middle_name, &o.middle_name);
    pick("given_name", &mut m.given_name, &o.given_name);
    pick("street", &mut m.street, &o.street);
    pick("ward", &mut m.ward, &o.ward);
    pick("district", &mut m.district, &o.district);
    pick("province", &mut m.province, &o.province);
    pick("tax_code", &mut m.tax_code, &o.tax_code);
    pick("external_id", &mut m.external_id, &o.external_id);
    pick("owner_id", &mut m.owner_id, &o.owner_id);
    pick("stage_id", &mut m.stage_id, &o.stage_id);
    pick("birthday", &mut m.birthday, &o.birthday);
    pick("currency", &mut m.currency, &o.currency);
    if o.source.is_some() && (m.source.is_none() || take.iter().any(|t| t == "source")) {
        m.source = o.source;
    }
    if o.gender.is_some() && (m.gender.is_none() || take.iter().any(|t| t == "gender")) {
        m.gender = o.gender;
    }
    if o.expected_revenue.is_some() && (m.expected_revenue.is_none() || take.iter().any(|t| t == "expected_revenue")) {
        m.expected_revenue = o.expected_revenue;
    }
    for p in o.phones {
        if !m.phones.iter().any(|q| q.number == p.number) {
            m.phones.push(p);
        }
    }
    for e in o.emails {
        if !m.emails.iter().any(|q| q.address.eq_ignore_ascii_case(&e.address)) {
            m.emails.push(e);
        }
    }
    for t in o.tags {
        if !m.tags.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
            m.tags.push(t);
        }
    }
    m.notes = match (m.notes.take(), o.notes) {
        (Some(a), Some(b)) if a != b && !a.contains(&b) => Some(format!("{a}\n{b}")),
        (Some(a), _) => Some(a),
        (None, b) => b,
    };
    for (k, v) in o.custom {
        let take_it = take.iter().any(|t| *t == format!("custom.{k}"));
        match m.custom.get(&k) {
            Some(mine) if !mine.is_empty() && !take_it => {}
            _ => {
                m.custom.insert(k, v);
            }
        }
    }
    m
}

impl Workspace {
    /// Likely duplicate pairs among live customers (identity keys first, then names), at most `limit`.
    pub async fn duplicate_pairs(&self, limit: usize) -> Result<Vec<DuplicatePair>> {
        let limit = limit.max(1);
        let pairs = self.readers().with(|conn| {
            let mut found: Vec<((i64, i64), Vec<DuplicateReason>)> = Vec::new();
            let add = |a: i64, b: i64, r: DuplicateReason, found: &mut Vec<((i64, i64), Vec<DuplicateReason>)>| {
                let key = (a.min(b), a.max(b));
                match found.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, rs)) => {
                        if !rs.contains(&r) {
                            rs.push(r)
                        }
                    }
                    None => found.push((key, vec![r])),
                }
            };
            let mut st = conn.prepare(
                "SELECT k.key, k.customer_seq FROM customer_keys k JOIN customers c ON c.seq = k.customer_seq
                 WHERE c.deleted_at IS NULL AND k.key IN
                   (SELECT key FROM customer_keys GROUP BY key HAVING COUNT(*) > 1)
                 ORDER BY k.key, k.customer_seq",
            )?;
            let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            let mut first: Option<(String, i64)> = None;
            for row in rows {
                let (key, seq) = row?;
                match &first {
                    Some((k, s)) if *k == key => {
                        let (reason, value) = reason_of(&key);
                        add(*s, seq, DuplicateReason { reason: reason.into(), value: value.into() }, &mut found);
                    }
                    _ => first = Some((key, seq)),
                }
                if found.len() >= limit {
                    break;
                }
            }
            if found.len() < limit {
                let mut st = conn.prepare(
                    "SELECT c.name_folded, c.province, c.seq FROM customers c
                     WHERE c.deleted_at IS NULL AND c.province IS NOT NULL AND (c.name_folded, c.province) IN
                       (SELECT name_folded, province FROM customers WHERE deleted_at IS NULL AND province IS NOT NULL
                        GROUP BY name_folded, province HAVING COUNT(*) > 1)
                     ORDER BY c.name_folded, c.province, c.seq",
                )?;
                let rows =
                    st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
                let mut first: Option<(String, String, i64)> = None;
                for row in rows {
                    let (name, province, seq) = row?;
                    match &first {
                        Some((n, p, s)) if *n == name && *p == province => {
                            let r = DuplicateReason {
                                reason: "name_province".into(),
                                value: format!("{name} · {province}"),
                            };
                            add(*s, seq, r, &mut found);
                        }
                        _ => first = Some((name, province, seq)),
                    }
                    if found.len() >= limit {
                        break;
                    }
                }
            }
            let mut by_id: std::collections::HashMap<i64, CustomerSummary> = std::collections::HashMap::new();
            for seq in found.iter().flat_map(|((a, b), _)| [*a, *b]) {
                if let std::collections::hash_map::Entry::Vacant(e) = by_id.entry(seq) {
                    if let Some(row) = crate::search::hydrate(conn, &[seq])?.pop() {
                        e.insert(row);
                    }
                }
            }
            Ok(found
                .into_iter()
                .filter_map(|((a, b), reasons)| {
                    Some(DuplicatePair { a: by_id.get(&a)?.clone(), b: by_id.get(&b)?.clone(), reasons })
                })
                .collect::<Vec<_>>())
        })?;
        Ok(pairs)
    }

    /// The fields two customers fill differently (what a merge asks about).
    pub async fn merge_conflicts(&self, survivor_id: &str, other_id: &str) -> Result<Vec<FieldConflict>> {
        Ok(conflicts(&self.customer(survivor_id).await?, &self.customer(other_id).await?))
    }

    /// Merges `other_id` into `survivor_id`, taking the other's value for the fields in `take`.
    pub async fn merge_customers(&self, survivor_id: &str, other_id: &str, take: &[String]) -> Result<MergeReport> {
        if survivor_id == other_id {
            return Err(Error::invalid("other_id", "validation.merge_same"));
        }
        let rules = self.rules().await?;
        // Only fields a merge can take: a misspelt one would be silently ignored.
        let mut takeable: Vec<String> =
            scalars(&CustomerInput::default()).into_iter().map(|(f, _)| f.to_string()).collect();
        takeable.extend(rules.fields.iter().map(|f| format!("custom.{}", f.key)));
        let unknown: Vec<FieldError> = take
            .iter()
            .filter(|t| !takeable.contains(t))
            .map(|t| {
                FieldError::new("take", "validation.unknown_field")
                    .with("value", t)
                    .with("allowed", takeable.join(", "))
            })
            .collect();
        if !unknown.is_empty() {
            return Err(Error::Validation(unknown));
        }
        let mut w = self.write().await?;
        let now = w.now;
        let survivor =
            load_customer(w.conn(), survivor_id).await?.ok_or_else(|| Error::not_found("customer", survivor_id))?;
        let other = load_customer(w.conn(), other_id).await?.ok_or_else(|| Error::not_found("customer", other_id))?;
        if survivor.deleted_at.is_some() || other.deleted_at.is_some() {
            return Err(Error::invalid("other_id", "validation.merge_trashed"));
        }
        let cols = check(&rules, &merged(&survivor, &other, take))?;
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM customers WHERE id = ?")
            .bind(survivor_id)
            .fetch_one(&mut *w.conn())
            .await?;
        let other_seq: i64 = sqlx::query_scalar("SELECT seq FROM customers WHERE id = ?")
            .bind(other_id)
            .fetch_one(&mut *w.conn())
            .await?;
        let mut moved = 0;
        // the rows that move with their customer, by the registry
        let moving = tend_sync::registry::TABLES.iter().filter(|t| t.on_merge == tend_sync::registry::OnMerge::Move);
        for t in moving {
            let (tbl, col) = (t.name, t.customer.unwrap_or("customer_id"));
            moved += sqlx::query(&format!("UPDATE {tbl} SET {col} = ? WHERE {col} = ?"))
                .bind(survivor_id)
                .bind(other_id)
                .execute(&mut *w.conn())
                .await?
                .rows_affected();
        }
        // the other's static lists take the survivor too (its own rows stay with it in the trash,
        // so undoing the merge only has to take out the rows added here)
        moved += sqlx::query(
            "INSERT OR IGNORE INTO segment_members (segment_id, customer_id, added_at)
             SELECT m.segment_id, ?1, m.added_at FROM segment_members m
             JOIN segments s ON s.id = m.segment_id AND s.deleted_at IS NULL WHERE m.customer_id = ?2",
        )
        .bind(survivor_id)
        .bind(other_id)
        .execute(&mut *w.conn())
        .await?
        .rows_affected();
        write_update(w.conn(), seq, survivor_id, &cols).await?;
        w.tombstone("customers", "customer", other_id).await?;
        crate::customers::reindex(w.conn(), other_seq).await?;
        let merge_id = crate::db::new_id();
        let tx = w.tx_id;
        sqlx::query("INSERT INTO merges (id, tx, survivor_id, other_id, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&merge_id)
            .bind(tx)
            .bind(survivor_id)
            .bind(other_id)
            .bind(now)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(MergeReport { merge_id, customer: self.customer(survivor_id).await?, moved })
    }

    /// Undoes a merge: the survivor as it was, the other customer back with its contacts,
    /// interactions and values (fields changed since are kept and reported).
    pub async fn undo_merge(&self, merge_id: &str) -> Result<Vec<String>> {
        let found: Option<(i64, Option<i64>)> = sqlx::query_as("SELECT tx, undone_at FROM merges WHERE id = ?")
            .bind(merge_id)
            .fetch_optional(self.pool())
            .await?;
        let (tx, undone) = found.ok_or_else(|| Error::not_found("merge", merge_id))?;
        if undone.is_some() {
            return Err(Error::AlreadyUndone { what: "merge", id: merge_id.to_string() });
        }
        let mut w = self.write().await?;
        let r = crate::undo::revert(&mut w, tx).await?.kept;
        let (now, undo_tx) = (w.now, w.tx_id);
        sqlx::query("UPDATE merges SET undone_at = ?, undo_tx = ? WHERE id = ?")
            .bind(now)
            .bind(undo_tx)
            .bind(merge_id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(r)
    }
}
