//! The change log (v2, DESIGN rule 1), read and written in one place.
//!
//! `changes(tx, tbl, row_id, col, value, entity)`: the triggers of
//! migrations/0006_change_log_v2.sql write one record per insert (`col` 0, `value` a JSONB array
//! of every tracked column in code order), one per changed column of an update (`col` = the
//! column's code) and one per purge (`col` -1). Table and column names are small codes in
//! `change_tables` / `change_columns`. `entity` is set only when the record belongs to another
//! record in history (a contact's customer).
//!
//! Readers never see the codes: [`fields`] expands records into (table, row, column, value)
//! rows, an insert into one row per non-empty column. Order is the clock (`txs.hlc`), never the
//! local rowid: a change that arrives from another device later may be older.

pub mod triggers;

use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use serde::Serialize;
use specta::Type;

/// SQL for the code of table `name` (a constant subquery SQLite runs once).
pub(crate) fn table_code(name: &str) -> String {
    format!("(SELECT code FROM change_tables WHERE name = '{name}')")
}

/// The records that `filter` (a condition on `changes c`) selects, one row per field:
/// `rid, tx, tbl, row_id, entity_id, col, value`, with names instead of codes; an insert gives
/// one row per non-empty column, a purge one row with col `__purged`. `filter` may use numbered
/// parameters; it is used twice.
pub(crate) fn fields(filter: &str) -> String {
    format!(
        "SELECT f.rid, f.tx, t.name AS tbl, f.row_id, f.entity_id,
                CASE WHEN f.code = -1 THEN '__purged' ELSE k.name END AS col,
                CASE WHEN f.code = -1 THEN 1 ELSE f.value END AS value, f.created
         FROM (
             SELECT c.rowid AS rid, c.tx, c.tbl, c.row_id, COALESCE(c.entity, c.row_id) AS entity_id, c.col AS code,
                    c.value, 0 AS created
             FROM changes c WHERE c.col <> 0 AND ({filter})
             UNION ALL
             SELECT c.rowid, c.tx, c.tbl, c.row_id, COALESCE(c.entity, c.row_id), j.key + 1, j.value, 1
             FROM changes c, json_each(c.value) j WHERE c.col = 0 AND j.type <> 'null' AND ({filter})
         ) f JOIN change_tables t ON t.code = f.tbl
         LEFT JOIN change_columns k ON k.tbl = f.tbl AND k.code = f.code"
    )
}

/// The records of record `?1` in history: its own (any table) and those of the records that
/// belong to it (a customer's contacts, values and interactions).
pub(crate) const OF_ENTITY: &str =
    "((c.tbl IN (SELECT code FROM change_tables) AND c.row_id = ?1 AND c.entity IS NULL) OR c.entity = ?1)";

/// A scalar subquery: the value column `?2` (a name) of row `?1` of `table` had just before
/// transaction `?3`, in clock order (NULL when no record set it). For undo; the value keeps its
/// SQL type.
pub(crate) fn value_before_sql(table: &str) -> String {
    format!(
        "SELECT CASE WHEN c.col = 0 THEN c.value ->> (k.code - 1) ELSE c.value END
         FROM change_columns k JOIN changes c ON c.tbl = k.tbl AND c.row_id = ?1 AND c.col IN (0, k.code)
         JOIN txs t ON t.id = c.tx
         WHERE k.tbl = {tbl} AND k.name = ?2 AND t.hlc < (SELECT hlc FROM txs WHERE id = ?3)
         ORDER BY t.hlc DESC, c.rowid DESC LIMIT 1",
        tbl = table_code(table)
    )
}

/// Like [`value_before_sql`] for a text column, read: Some(value) when a record set it before
/// `before_tx`, None when none did.
pub(crate) async fn value_before(
    conn: &mut sqlx::SqliteConnection,
    table: &str,
    row_id: &str,
    col: &str,
    before_tx: i64,
) -> Result<Option<Option<String>>> {
    let v: Option<Option<String>> = sqlx::query_scalar(&value_before_sql(table))
        .bind(row_id)
        .bind(col)
        .bind(before_tx)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(v)
}

/// Whether anything matching `cond` (a condition on `changes c`, with `?2`.. for `binds`) was
/// written after transaction `tx` (`?1`) in clock order.
pub(crate) async fn written_since(
    conn: &mut sqlx::SqliteConnection,
    cond: &str,
    binds: &[&str],
    tx: i64,
) -> Result<bool> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM changes c JOIN txs t ON t.id = c.tx
         WHERE ({cond}) AND t.hlc > (SELECT hlc FROM txs WHERE id = ?1))"
    );
    let mut q = sqlx::query_scalar::<_, bool>(&sql).bind(tx);
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.fetch_one(&mut *conn).await?)
}

pub use tend_sync::protocol::{FieldValue, RecordOp, RemoteRecord, RemoteTx};

/// A transaction of the log: who, where, when.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct TxInfo {
    pub hlc: String,
    #[specta(type = i32)]
    pub at_ms: i64,
    pub actor: Option<String>,
    pub device: String,
}

/// A page of the log in local commit order (what a sync client pushes): the transactions after
/// a cursor, and the cursor to ask from next (`txs.id`, which only grows: every write takes the
/// next one inside its `BEGIN IMMEDIATE` transaction, so its order is commit order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangesPage {
    pub transactions: Vec<RemoteTx>,
    pub cursor: i64,
    /// Whether more transactions follow this page.
    pub more: bool,
}

/// A tracked table's columns in code order (element i of an insert record is column i + 1).
async fn tracked_columns(conn: &mut sqlx::SqliteConnection, table: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT k.name FROM change_columns k JOIN change_tables t ON t.code = k.tbl WHERE t.name = ? ORDER BY k.code",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?)
}

fn unknown(what: &str, name: &str) -> Error {
    Error::Validation(vec![FieldError::new(what, "validation.unknown_name").with("name", name)])
}

impl Workspace {
    /// The clock (`txs.hlc`) of the current value of `column` of `row_id` in `table`: the newest
    /// record that set it (an insert sets every column). None when the log has none. Found
    /// through the `changes_row` index; last-writer-wins compares a remote change with it.
    pub async fn clock_of(&self, table: &str, row_id: &str, column: &str) -> Result<Option<String>> {
        let mut conn = self.pool().acquire().await?;
        clock_of(&mut conn, table, row_id, column).await
    }

    /// The newest `limit` transactions of the log, newest first (clock order).
    pub async fn transactions(&self, limit: u32) -> Result<Vec<TxInfo>> {
        let rows: Vec<(String, i64, Option<String>, String)> =
            sqlx::query_as("SELECT hlc, at_ms, actor, device FROM txs ORDER BY hlc DESC LIMIT ?")
                .bind(i64::from(limit.clamp(1, 10_000)))
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().map(|(hlc, at_ms, actor, device)| TxInfo { hlc, at_ms, actor, device }).collect())
    }

    /// Every record of transaction `hlc`, in the order written, in names: what sync sends.
    pub async fn transaction_records(&self, hlc: &str) -> Result<Option<RemoteTx>> {
        let Some((id, head)) = self.transaction_head(hlc).await? else { return Ok(None) };
        let (records, _) = self.records_of(id, 0, i64::MAX).await?;
        Ok(Some(RemoteTx { records, ..head }))
    }

    /// A transaction's `txs` id, and its clock, actor and device without its records.
    pub(crate) async fn transaction_head(&self, hlc: &str) -> Result<Option<(i64, RemoteTx)>> {
        let head: Option<(i64, i64, Option<String>, String)> =
            sqlx::query_as("SELECT id, at_ms, actor, device FROM txs WHERE hlc = ?")
                .bind(hlc)
                .fetch_optional(self.pool())
                .await?;
        Ok(head.map(|(id, at_ms, actor, device)| {
            (id, RemoteTx { hlc: hlc.to_string(), at_ms, actor, device, records: Vec::new(), part: None })
        }))
    }

    /// Transaction `tx`'s records after the record `after` (its rowid in `changes`; 0 for the
    /// first), at most `limit`, in the order written, and the rowid of the last one.
    pub(crate) async fn records_of(&self, tx: i64, after: i64, limit: i64) -> Result<(Vec<RemoteRecord>, i64)> {
        let rows: Vec<(i64, String, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT c.rowid, t.name, c.row_id, c.col, CASE WHEN c.col = 0 THEN json(c.value) ELSE json_quote(c.value) END
             FROM changes c JOIN change_tables t ON t.code = c.tbl WHERE c.tx = ? AND c.rowid > ? ORDER BY c.rowid LIMIT ?",
        )
        .bind(tx)
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut records = Vec::with_capacity(rows.len());
        let mut last = after;
        let mut conn = self.pool().acquire().await?;
        let mut columns: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
        for (rowid, table, row_id, col, json) in rows {
            last = rowid;
            if !columns.contains_key(&table) {
                let names = tracked_columns(&mut conn, &table).await?;
                columns.insert(table.clone(), names);
            }
            let names = &columns[&table];
            let value: serde_json::Value = serde_json::from_str(json.as_deref().unwrap_or("null"))?;
            let op = match col {
                -1 => RecordOp::Purge,
                0 => RecordOp::Insert {
                    values: names
                        .iter()
                        .zip(value.as_array().into_iter().flatten())
                        .filter(|(_, v)| !v.is_null())
                        .map(|(n, v)| (n.clone(), FieldValue::from_json(v)))
                        .collect(),
                },
                n => RecordOp::Set {
                    column: names.get((n - 1) as usize).cloned().ok_or_else(|| unknown("column", &n.to_string()))?,
                    value: FieldValue::from_json(&value),
                },
            };
            records.push(RemoteRecord { table, row_id, op });
        }
        Ok((records, last))
    }

    /// The transactions committed after `cursor` (0 for all), in commit order, at most `limit`
    /// (1 to 1,000) of them.
    pub async fn changes_since(&self, cursor: i64, limit: u32) -> Result<ChangesPage> {
        let limit = i64::from(limit.clamp(1, 1000));
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, hlc FROM txs WHERE id > ? ORDER BY id LIMIT ?")
            .bind(cursor)
            .bind(limit + 1)
            .fetch_all(self.pool())
            .await?;
        let more = rows.len() as i64 > limit;
        let mut transactions = Vec::with_capacity(rows.len());
        let mut last = cursor;
        for (id, hlc) in rows.into_iter().take(limit as usize) {
            if let Some(tx) = self.transaction_records(&hlc).await? {
                transactions.push(tx);
            }
            last = id;
        }
        Ok(ChangesPage { transactions, cursor: last, more })
    }
}

async fn clock_of(
    conn: &mut sqlx::SqliteConnection,
    table: &str,
    row_id: &str,
    column: &str,
) -> Result<Option<String>> {
    let sql = format!(
        "SELECT t.hlc FROM change_columns k JOIN changes c ON c.tbl = k.tbl AND c.row_id = ?1 AND c.col IN (0, k.code)
         JOIN txs t ON t.id = c.tx WHERE k.tbl = {tbl} AND k.name = ?2 ORDER BY t.hlc DESC LIMIT 1",
        tbl = table_code(table)
    );
    Ok(sqlx::query_scalar(&sql).bind(row_id).bind(column).fetch_optional(&mut *conn).await?)
}
