//! Duplicate and related tickets.
//! - Merge: a duplicate (the same customer asking twice, by phone and then on Zalo) is merged
//!   into the ticket that goes on. Nothing is copied or moved: the duplicate keeps its rows and
//!   only `merged_into` names the other ticket, whose thread then shows both threads in time
//!   order. The duplicate leaves the lists, the reminders and the counts; a customer writing to it
//!   writes to the ticket it was merged into. Undoing the merge is clearing `merged_into`, so the
//!   duplicate is back exactly as it was.
//! - Links: two related tickets (one fault, two customers) name each other; one row per pair,
//!   kept in id order so that two devices linking the same pair write the same row.

use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use serde::Serialize;
use specta::Type;

/// Another ticket as a ticket's page names it.
#[derive(Debug, Clone, PartialEq, Serialize, Type, sqlx::FromRow)]
pub struct TicketRef {
    pub id: String,
    pub number: String,
    pub subject: String,
    pub stage_name: String,
    pub solved: bool,
}

const REF: &str =
    "SELECT t.id, t.number, t.subject, COALESCE(s.name, '') AS stage_name, t.solved_at IS NOT NULL AS solved
    FROM tickets t LEFT JOIN ticket_stages s ON s.id = t.stage_id";

fn invalid(field: &str, key: &str, value: impl Into<String>) -> Error {
    Error::Validation(vec![FieldError::new(field, key).with("value", value)])
}

impl Workspace {
    /// The ticket a ticket was merged into, following merges of merges; itself when not merged.
    pub(crate) async fn ticket_going_on(&self, id: &str) -> Result<String> {
        let last: Option<String> = sqlx::query_scalar(
            "WITH RECURSIVE up(id, nxt, depth) AS (
                SELECT id, merged_into, 0 FROM tickets WHERE id = ?
                UNION ALL SELECT t.id, t.merged_into, up.depth + 1 FROM tickets t JOIN up ON t.id = up.nxt
                WHERE up.depth < 100)
             SELECT id FROM up ORDER BY depth DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(last.unwrap_or_else(|| id.to_string()))
    }

    /// Refuses a change to a ticket merged into another, naming the one that goes on.
    pub(crate) async fn refuse_merged(&self, id: &str) -> Result<()> {
        let going_on = self.ticket_going_on(id).await?;
        if going_on == id {
            return Ok(());
        }
        let number: String = sqlx::query_scalar("SELECT number FROM tickets WHERE id = ?")
            .bind(&going_on)
            .fetch_one(self.pool())
            .await?;
        Err(invalid("ticket", "ticket.is_merged", number))
    }

    /// Merges the duplicate `dup` into `into` (numbers or ids): both the same customer's, neither
    /// already merged, and `into` not one merged into `dup`.
    pub async fn merge_ticket(&self, dup: &str, into: &str) -> Result<super::TicketDetail> {
        let dup_id = self.ticket_id(dup).await?;
        let into_id = self.ticket_id(into).await?;
        let a = self.ticket(&dup_id).await?.ticket;
        let b = self.ticket(&into_id).await?.ticket;
        if a.id == b.id {
            return Err(invalid("into", "ticket.merge_itself", &a.number));
        }
        if let Some(other) = &a.merged_into {
            let n = self.ticket(other).await.map(|d| d.ticket.number).unwrap_or_else(|_| other.clone());
            return Err(invalid("ticket", "ticket.already_merged", n));
        }
        if b.merged_into.is_some() {
            return Err(invalid("into", "ticket.is_merged", self.ticket(&b.id).await?.ticket.number));
        }
        if a.customer_id != b.customer_id {
            return Err(Error::Validation(vec![FieldError::new("into", "ticket.merge_other_customer")
                .with("value", &b.number)
                .with("name", &b.customer_name)]));
        }
        let mut w = self.write().await?;
        sqlx::query("UPDATE tickets SET merged_into = ? WHERE id = ? AND merged_into IS NULL")
            .bind(&b.id)
            .bind(&a.id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        self.ticket(&b.id).await
    }

    /// Undoes a merge: the duplicate is its own ticket again, as it was.
    pub async fn unmerge_ticket(&self, dup: &str) -> Result<super::TicketDetail> {
        let id = self.ticket_id(dup).await?;
        let t = self.ticket(&id).await?.ticket;
        if t.merged_into.is_none() {
            return Err(invalid("ticket", "ticket.not_merged", &t.number));
        }
        let mut w = self.write().await?;
        sqlx::query("UPDATE tickets SET merged_into = NULL WHERE id = ?").bind(&id).execute(&mut *w.conn()).await?;
        w.commit().await?;
        self.ticket(&id).await
    }

    /// Links two related tickets (or, `linked` false, unlinks them).
    pub async fn link_tickets(&self, a: &str, b: &str, linked: bool) -> Result<super::TicketDetail> {
        let a_id = self.ticket_id(a).await?;
        let b_id = self.ticket_id(b).await?;
        if a_id == b_id {
            return Err(invalid("other", "ticket.link_itself", a));
        }
        let (first, second) = if a_id < b_id { (&a_id, &b_id) } else { (&b_id, &a_id) };
        let mut w = self.write().await?;
        let now = w.now;
        if linked {
            sqlx::query(
                "INSERT INTO ticket_links (ticket_id, other_id, created_at) VALUES (?, ?, ?)
                 ON CONFLICT(ticket_id, other_id) DO UPDATE SET deleted_at = NULL WHERE deleted_at IS NOT NULL",
            )
            .bind(first)
            .bind(second)
            .bind(now)
            .execute(&mut *w.conn())
            .await?;
        } else {
            sqlx::query(
                "UPDATE ticket_links SET deleted_at = ? WHERE ticket_id = ? AND other_id = ? AND deleted_at IS NULL",
            )
            .bind(now)
            .bind(first)
            .bind(second)
            .execute(&mut *w.conn())
            .await?;
        }
        w.commit().await?;
        self.ticket(&a_id).await
    }

    /// The tickets linked to `id`, and those merged into it, by number.
    pub(crate) async fn ticket_refs(&self, id: &str) -> Result<(Vec<TicketRef>, Vec<TicketRef>)> {
        let linked = sqlx::query_as(&format!(
            "{REF} WHERE t.deleted_at IS NULL AND t.id IN (
                SELECT other_id FROM ticket_links WHERE ticket_id = ?1 AND deleted_at IS NULL
                UNION SELECT ticket_id FROM ticket_links WHERE other_id = ?1 AND deleted_at IS NULL)
             ORDER BY t.number"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let merged =
            sqlx::query_as(&format!("{REF} WHERE t.merged_into = ? AND t.deleted_at IS NULL ORDER BY t.number"))
                .bind(id)
                .fetch_all(self.pool())
                .await?;
        Ok((linked, merged))
    }
}
