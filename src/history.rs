//! History and timeline, read from the change records (DESIGN rule 1): who changed which field of
//! a record, when, from what to what; and a customer's timeline merging interactions with those
//! changes, newest first, paged.

use crate::error::Result;
use crate::interactions::{from_row, Interaction, InteractionRow, INTERACTION_COLS};
use crate::Workspace;
use serde::Serialize;
use specta::Type;

/// One changed column.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct FieldChange {
    /// Table of the changed row: customers, contacts, custom_values, interactions, ...
    pub table: String,
    pub row_id: String,
    /// Column name, or "__purged" when the row was deleted for good.
    pub column: String,
    /// New value as text (JSON for lists); None when cleared.
    pub value: Option<String>,
    /// The value before this change; None when it was empty or the row is new.
    pub previous: Option<String>,
}

/// One change record with who, where and when.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct HistoryEntry {
    pub hlc: String,
    #[specta(type = i32)]
    pub at_ms: i64,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub device: String,
    pub change: FieldChange,
    /// The clock of the change that replaced this value when it came from another device (a
    /// concurrent edit this one lost, or a later edit elsewhere): history shows it overwritten,
    /// never silently gone. None when this value still stands or this device replaced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overwritten_by: Option<String>,
}

/// A write transaction as it shows in a timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct ChangeGroup {
    pub hlc: String,
    #[specta(type = i32)]
    pub at_ms: i64,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    /// True when this write created the record.
    pub created: bool,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineEntry {
    Interaction(Interaction),
    Change(ChangeGroup),
}

impl TimelineEntry {
    fn key(&self) -> String {
        match self {
            TimelineEntry::Interaction(i) => format!("{:013}|i|{}", i.occurred_at, i.id),
            TimelineEntry::Change(c) => format!("{:013}|c|{}", c.at_ms, c.hlc),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct TimelinePage {
    pub entries: Vec<TimelineEntry>,
    /// Pass back as `before` for the next (older) page; None at the end.
    pub next: Option<String>,
}

type ChangeRow = (
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
);

/// A record's change fields ([`crate::changelog::fields`] of `filter`) with who/when, and each
/// column's previous value: the value the same column of the same row had before, in clock order.
fn change_select(filter: &str) -> String {
    format!(
        "WITH e AS (
            SELECT f.rid, f.tx, f.tbl, f.row_id, f.col, CAST(f.value AS TEXT) AS value, f.created, t.hlc,
                   CAST(LAG(f.value) OVER w AS TEXT) AS previous,
                   LEAD(t.hlc) OVER w AS next_hlc, LEAD(t.device) OVER w AS next_device
            FROM ({}) f JOIN txs t ON t.id = f.tx
            WINDOW w AS (PARTITION BY f.tbl, f.row_id, f.col ORDER BY t.hlc, f.rid))
         SELECT t.id, t.hlc, t.at_ms, t.actor, s.name, t.device, e.tbl, e.row_id, e.col, e.value, e.previous, e.created,
                e.next_hlc, e.next_device
         FROM e JOIN txs t ON t.id = e.tx LEFT JOIN staff s ON s.id = t.actor",
        crate::changelog::fields(filter)
    )
}

fn change(r: &ChangeRow) -> FieldChange {
    FieldChange {
        table: r.6.clone(),
        row_id: r.7.clone(),
        column: r.8.clone(),
        value: r.9.clone(),
        previous: r.10.clone(),
    }
}

/// The records a customer's (`?1`) timeline shows: its own, its contacts', its custom values', its
/// deals', its tickets', their messages' and survey answers' (interactions show as themselves).
const TIMELINE: &str = "((c.tbl = (SELECT code FROM change_tables WHERE name = 'customers') AND c.row_id = ?1
    AND c.entity IS NULL) OR (c.entity = ?1 AND c.tbl IN (SELECT code FROM change_tables
    WHERE name IN ('contacts', 'custom_values', 'deals', 'tickets', 'ticket_messages', 'survey_answers'))))";

impl Workspace {
    /// Every change record of a record (a customer includes its contacts, custom values and
    /// interactions), newest first.
    pub async fn history(&self, entity_id: &str) -> Result<Vec<HistoryEntry>> {
        let rows: Vec<ChangeRow> = sqlx::query_as(&format!(
            "{} ORDER BY t.hlc DESC, e.tbl, e.col",
            change_select(crate::changelog::OF_ENTITY)
        ))
        .bind(entity_id)
        .fetch_all(self.pool())
        .await?;
        if rows.is_empty() {
            // A record without changes (a built-in stage) has an empty history; no record at all
            // is not found.
            let known: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1) OR EXISTS (SELECT 1 FROM contacts WHERE id = ?1)
                 OR EXISTS (SELECT 1 FROM interactions WHERE id = ?1) OR EXISTS (SELECT 1 FROM staff WHERE id = ?1)
                 OR EXISTS (SELECT 1 FROM stages WHERE id = ?1) OR EXISTS (SELECT 1 FROM custom_fields WHERE id = ?1)
                 OR EXISTS (SELECT 1 FROM deals WHERE id = ?1) OR EXISTS (SELECT 1 FROM deal_stages WHERE id = ?1)",
            )
            .bind(entity_id)
            .fetch_one(self.pool())
            .await?;
            if !known {
                return Err(crate::Error::not_found("record", entity_id));
            }
        }
        Ok(rows
            .iter()
            .map(|r| HistoryEntry {
                hlc: r.1.clone(),
                at_ms: r.2,
                actor_id: r.3.clone(),
                actor_name: r.4.clone(),
                device: r.5.clone(),
                change: change(r),
                overwritten_by: r.12.clone().filter(|_| r.13.as_deref().is_some_and(|d| d != r.5)),
            })
            .collect())
    }

    /// A page of a customer's timeline: interactions and field changes, newest first.
    pub async fn timeline(&self, customer_id: &str, before: Option<&str>, limit: u32) -> Result<TimelinePage> {
        let limit = limit.clamp(1, 200) as i64;
        let (b_ms, b_kind, b_id) = match before.and_then(|b| {
            let mut p = b.splitn(3, '|');
            Some((p.next()?.parse::<i64>().ok()?, p.next()?.to_string(), p.next()?.to_string()))
        }) {
            Some(v) => v,
            None => (i64::MAX, "z".to_string(), String::new()),
        };
        let inter: Vec<InteractionRow> = sqlx::query_as(&format!(
            "SELECT {INTERACTION_COLS} FROM interactions WHERE customer_id = ? AND deleted_at IS NULL
             AND (occurred_at, 'i', id) < (?, ?, ?) ORDER BY occurred_at DESC, id DESC LIMIT ?"
        ))
        .bind(customer_id)
        .bind(b_ms)
        .bind(&b_kind)
        .bind(&b_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let txs: Vec<(i64,)> = sqlx::query_as(&format!(
            "SELECT t.id FROM txs t WHERE t.id IN (SELECT c.tx FROM changes c WHERE {TIMELINE})
                 AND (t.at_ms, 'c', t.hlc) < (?2, ?3, ?4) ORDER BY t.at_ms DESC, t.hlc DESC LIMIT ?5"
        ))
        .bind(customer_id)
        .bind(b_ms)
        .bind(&b_kind)
        .bind(&b_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut entries: Vec<TimelineEntry> = Vec::new();
        for r in inter {
            entries.push(TimelineEntry::Interaction(from_row(r)?));
        }
        if !txs.is_empty() {
            let list = txs.iter().map(|(t,)| t.to_string()).collect::<Vec<_>>().join(",");
            let rows: Vec<ChangeRow> = sqlx::query_as(&format!(
                "{} WHERE e.tx IN ({list}) ORDER BY e.hlc, e.rid",
                change_select(&format!("{TIMELINE} AND c.tx IN ({list})"))
            ))
            .bind(customer_id)
            .fetch_all(self.pool())
            .await?;
            for group in rows.chunk_by(|a, b| a.0 == b.0) {
                let first = &group[0];
                entries.push(TimelineEntry::Change(ChangeGroup {
                    hlc: first.1.clone(),
                    at_ms: first.2,
                    actor_id: first.3.clone(),
                    actor_name: first.4.clone(),
                    created: group.iter().any(|r| r.6 == "customers" && r.11),
                    fields: group.iter().map(change).collect(),
                }));
            }
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.key()));
        let more = entries.len() as i64 > limit;
        entries.truncate(limit as usize);
        let next = if more || entries.len() as i64 == limit { entries.last().map(|e| e.key()) } else { None };
        Ok(TimelinePage { entries, next })
    }
}
