//! Undo of an import, from its change records: what the import's transaction created is removed
//! (unless something was written to it since), what it changed on existing customers is set back
//! to the value before (unless it was changed again since: then it is kept and reported).

use crate::error::{Error, Result};
use crate::Workspace;
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Serialize, Type)]
pub struct UndoReport {
    pub import_id: String,
    /// Customers the import created, now removed.
    #[specta(type = i32)]
    pub removed: u64,
    /// Customers the import merged into, now as they were.
    #[specta(type = i32)]
    pub reverted: u64,
    /// Records left alone because they were changed after the import: "customers/<id>", or
    /// "customers/<id>.<column>".
    pub kept: Vec<String>,
}

/// Customer columns an import can write (the only ones undo sets back).
const CUSTOMER_COLUMNS: &[&str] = &[
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
];

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
            return Err(Error::Conflict(format!("import {import_id} was already undone")));
        }
        let mut w = self.write().await?;
        let now = w.now;
        let mut report = UndoReport { import_id: import_id.clone(), removed: 0, reverted: 0, kept: vec![] };

        // Rows the import inserted: their creation is in its transaction.
        let created = |tbl: &'static str| {
            sqlx::query_scalar::<_, String>(
                "SELECT DISTINCT row_id FROM changes WHERE tx = ? AND tbl = ? AND col = 'created_at'",
            )
            .bind(tx)
            .bind(tbl)
        };
        let new_customers: Vec<String> = created("customers").fetch_all(&mut *w.conn()).await?;
        let new_contacts: Vec<String> = created("contacts").fetch_all(&mut *w.conn()).await?;
        let new_fields: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT row_id FROM changes WHERE tx = ? AND tbl = 'custom_fields' AND col = 'key'",
        )
        .bind(tx)
        .fetch_all(&mut *w.conn())
        .await?;

        // Contacts added to companies that were already there.
        for cid in &new_contacts {
            let later: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM changes WHERE tbl = 'contacts' AND row_id = ? AND tx > ?")
                    .bind(cid)
                    .bind(tx)
                    .fetch_one(&mut *w.conn())
                    .await?;
            let owner: Option<String> = sqlx::query_scalar("SELECT customer_id FROM contacts WHERE id = ?")
                .bind(cid)
                .fetch_optional(&mut *w.conn())
                .await?;
            let Some(owner) = owner else { continue };
            if new_customers.contains(&owner) {
                continue; // goes with its company below
            }
            if later > 0 {
                report.kept.push(format!("contacts/{cid}"));
                continue;
            }
            sqlx::query("DELETE FROM contacts WHERE id = ?").bind(cid).execute(&mut *w.conn()).await?;
            reindex_by_id(w.conn(), &owner).await?;
        }

        // Customers it created: removed, unless written to since.
        for cid in &new_customers {
            let later: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM changes WHERE entity_id = ? AND tx > ?")
                .bind(cid)
                .bind(tx)
                .fetch_one(&mut *w.conn())
                .await?;
            if later > 0 {
                report.kept.push(format!("customers/{cid}"));
                continue;
            }
            let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM customers WHERE id = ?")
                .bind(cid)
                .fetch_optional(&mut *w.conn())
                .await?;
            let Some(seq) = seq else { continue };
            crate::search::unindex(w.conn(), seq).await?;
            for sql in [
                "DELETE FROM custom_values WHERE customer_id = ?",
                "DELETE FROM contacts WHERE customer_id = ?",
                "DELETE FROM customers WHERE id = ?",
            ] {
                sqlx::query(sql).bind(cid).execute(&mut *w.conn()).await?;
            }
            report.removed += 1;
        }

        // Customers it merged into: each column it changed goes back, if still as it left it.
        let changed: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT row_id, col FROM changes WHERE tx = ? AND tbl = 'customers'
             AND row_id NOT IN (SELECT row_id FROM changes WHERE tx = ? AND tbl = 'customers' AND col = 'created_at')
             ORDER BY row_id",
        )
        .bind(tx)
        .bind(tx)
        .fetch_all(&mut *w.conn())
        .await?;
        let mut touched: Vec<String> = Vec::new();
        for (cid, col) in &changed {
            if !CUSTOMER_COLUMNS.contains(&col.as_str()) {
                continue;
            }
            let later: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM changes WHERE tbl = 'customers' AND row_id = ? AND col = ? AND tx > ?",
            )
            .bind(cid)
            .bind(col)
            .bind(tx)
            .fetch_one(&mut *w.conn())
            .await?;
            if later > 0 {
                report.kept.push(format!("customers/{cid}.{col}"));
                continue;
            }
            // the value before: the column's latest change before the import
            let sql = format!(
                "UPDATE customers SET {col} = (SELECT value FROM changes WHERE tbl = 'customers' AND row_id = ?1
                 AND col = ?2 AND tx < ?3 ORDER BY tx DESC, rowid DESC LIMIT 1), updated_at = ?4 WHERE id = ?1"
            );
            sqlx::query(&sql).bind(cid).bind(col).bind(tx).bind(now).execute(&mut *w.conn()).await?;
            if !touched.contains(cid) {
                touched.push(cid.clone());
            }
        }
        // and its custom values
        let values: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT row_id FROM changes WHERE tx = ? AND tbl = 'custom_values' AND entity_id NOT IN
             (SELECT row_id FROM changes WHERE tx = ? AND tbl = 'customers' AND col = 'created_at')",
        )
        .bind(tx)
        .bind(tx)
        .fetch_all(&mut *w.conn())
        .await?;
        for rid in values {
            let Some((cid, field)) = rid.split_once('/') else { continue };
            let later: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM changes WHERE tbl = 'custom_values' AND row_id = ? AND tx > ?",
            )
            .bind(&rid)
            .bind(tx)
            .fetch_one(&mut *w.conn())
            .await?;
            if later > 0 {
                report.kept.push(format!("custom_values/{rid}"));
                continue;
            }
            let before: Option<Option<String>> = sqlx::query_scalar(
                "SELECT value FROM changes WHERE tbl = 'custom_values' AND row_id = ? AND col = 'value' AND tx < ?
                 ORDER BY tx DESC, rowid DESC LIMIT 1",
            )
            .bind(&rid)
            .bind(tx)
            .fetch_optional(&mut *w.conn())
            .await?;
            match before {
                Some(v) => {
                    sqlx::query("UPDATE custom_values SET value = ? WHERE customer_id = ? AND field_id = ?")
                        .bind(v)
                        .bind(cid)
                        .bind(field)
                        .execute(&mut *w.conn())
                        .await?
                }
                None => {
                    sqlx::query("DELETE FROM custom_values WHERE customer_id = ? AND field_id = ?")
                        .bind(cid)
                        .bind(field)
                        .execute(&mut *w.conn())
                        .await?
                }
            };
            if !touched.iter().any(|t| t == cid) {
                touched.push(cid.to_string());
            }
        }
        for cid in &touched {
            reindex_by_id(w.conn(), cid).await?;
        }
        report.reverted = touched.len() as u64;

        // Fields it made, if no value is left in them.
        for fid in new_fields {
            let used: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM custom_values WHERE field_id = ? AND value IS NOT NULL")
                    .bind(&fid)
                    .fetch_one(&mut *w.conn())
                    .await?;
            if used > 0 {
                report.kept.push(format!("custom_fields/{fid}"));
                continue;
            }
            sqlx::query("UPDATE custom_fields SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL")
                .bind(now)
                .bind(&fid)
                .execute(&mut *w.conn())
                .await?;
        }
        let undo_tx = w.tx_id;
        sqlx::query("UPDATE imports SET undone_at = ?, undo_tx = ? WHERE id = ?")
            .bind(now)
            .bind(undo_tx)
            .bind(&import_id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(report)
    }
}

async fn reindex_by_id(conn: &mut sqlx::SqliteConnection, id: &str) -> Result<()> {
    let seq: Option<i64> =
        sqlx::query_scalar("SELECT seq FROM customers WHERE id = ?").bind(id).fetch_optional(&mut *conn).await?;
    if let Some(seq) = seq {
        crate::search::reindex(conn, seq).await?;
    }
    Ok(())
}
