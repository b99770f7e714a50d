//! Undo of an import: its transaction reversed through the change records (`crate::undo`).

use crate::error::{Error, Result};
use crate::Workspace;
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Serialize, Type)]
pub struct UndoReport {
    pub import_id: String,
    /// Customers the import created, now in the trash (with their contacts and interactions).
    #[specta(type = i32)]
    pub removed: u64,
    /// Interactions it added to customers that were already there, now deleted (tombstones).
    #[specta(type = i32)]
    pub removed_interactions: u64,
    /// Tickets a tickets import added, now deleted (tombstones), and the survey answers it
    /// kept with them.
    #[specta(type = i32)]
    pub removed_tickets: u64,
    #[specta(type = i32)]
    pub removed_answers: u64,
    /// Customers the import merged into, now as they were.
    #[specta(type = i32)]
    pub reverted: u64,
    /// Records left alone because they were changed after the import: "customers/<id>", or
    /// "customers/<id>.<column>".
    pub kept: Vec<String>,
}

impl Workspace {
    /// Undoes an import (the newest one not undone when `id` is None).
    pub async fn undo_import(&self, id: Option<&str>) -> Result<UndoReport> {
        let found: Option<(String, i64, Option<i64>)> = match id {
            Some(id) => sqlx::query_as("SELECT id, tx, undone_at FROM imports WHERE id = ?")
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
            None => sqlx::query_as(
                "SELECT id, tx, undone_at FROM imports WHERE undone_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1",
            )
            .fetch_optional(self.pool())
            .await?,
        };
        let (import_id, tx, undone) = found.ok_or_else(|| Error::not_found("import", id.unwrap_or("(latest)")))?;
        if undone.is_some() {
            return Err(Error::AlreadyUndone { what: "import", id: import_id.to_string() });
        }
        let mut w = self.write().await?;
        let r = crate::undo::revert(&mut w, tx).await?;
        let (now, undo_tx) = (w.now, w.tx_id);
        sqlx::query("UPDATE imports SET undone_at = ?, undo_tx = ? WHERE id = ?")
            .bind(now)
            .bind(undo_tx)
            .bind(&import_id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(UndoReport {
            import_id,
            removed: r.removed,
            removed_interactions: r.removed_interactions,
            removed_tickets: r.removed_tickets,
            removed_answers: r.removed_answers,
            reverted: r.reverted.len() as u64,
            kept: r.kept,
        })
    }
}
