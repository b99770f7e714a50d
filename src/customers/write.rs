//! The one customer write. The form (through sqlx's own connection, `on_handle`), imports and
//! the demo generator all insert, update and index customers with these functions, so a customer
//! is stored and found the same way whoever wrote it. They run inside the caller's write
//! transaction; the change triggers record every column.

use super::{ColValue, Columns, CustomerKind, Email, Gender, Phone, Source};
use crate::error::Result;
use crate::search::{index_doc, DocFields, IndexDoc};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use sqlx::SqliteConnection;

/// Runs `f` on the SQLite connection under an sqlx connection (inside its transaction, if one is
/// open), then writes the full-text entries it left waiting.
pub(crate) async fn on_handle<T>(
    conn: &mut SqliteConnection,
    f: impl FnOnce(&Connection, &mut FtsBatch) -> Result<T>,
) -> Result<T> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: `lock_handle` takes the connection away from sqlx's worker thread until `handle`
    // is dropped, so nothing else uses it meanwhile (this is what sqlx offers it for). A
    // connection made by `from_handle` does not own the handle: dropping it finalizes its own
    // statements and leaves the connection open. It is dropped before `handle`.
    let raw = unsafe { Connection::from_handle(handle.as_raw_handle().as_ptr()) }?;
    let mut fts = FtsBatch::default();
    let out = f(&raw, &mut fts).and_then(|v| fts.flush(&raw).map(|()| v));
    drop(raw);
    drop(handle);
    out
}

/// Full-text entries waiting to be written together. FTS5 writes its pending terms out at every
/// statement savepoint, and every insert with change triggers opens one: writing the full-text
/// rows of many customers back to back keeps them in memory and makes a few large segments
/// instead of thousands of tiny ones (5x faster imports). Bounded, so memory stays flat.
#[derive(Default)]
pub(crate) struct FtsBatch {
    rows: Vec<(i64, String, String, String)>,
}

impl FtsBatch {
    const MAX: usize = 5000;

    fn push(&mut self, conn: &Connection, seq: i64, doc: &IndexDoc) -> Result<()> {
        self.rows.push((seq, doc.name_folded.clone(), doc.body.clone(), doc.phone_digits.clone()));
        if self.rows.len() >= Self::MAX {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Writes the waiting entries (before anything reads or replaces them, and at the end).
    pub(crate) fn flush(&mut self, conn: &Connection) -> Result<()> {
        let mut fts = conn.prepare_cached("INSERT INTO customer_fts (rowid, name, body) VALUES (?, ?, ?)")?;
        for (seq, name, body, _) in &self.rows {
            fts.execute(params![seq, name, body])?;
        }
        let mut phone = conn.prepare_cached("INSERT INTO phone_fts (rowid, digits) VALUES (?, ?)")?;
        for (seq, _, _, digits) in &self.rows {
            if !digits.is_empty() {
                phone.execute(params![seq, digits])?;
            }
        }
        self.rows.clear();
        Ok(())
    }
}

/// Inserts a customer with its custom values and search entries; returns its `seq`. `doc` is
/// `doc_of(cols, contacts)` (made by the caller, who may have needed it before: an import checks
/// duplicates with it). `now` is its creation time.
pub(crate) fn insert(
    conn: &Connection,
    id: &str,
    cols: &Columns,
    doc: &IndexDoc,
    now: i64,
    fts: &mut FtsBatch,
) -> Result<i64> {
    let sql = format!(
        "INSERT INTO customers (id, {}, created_at, updated_at, name_folded) VALUES (?, {}, ?, ?, ?)",
        super::STORED_COLUMNS.join(", "),
        ["?"; super::STORED_COLUMNS.len()].join(", ")
    );
    let mut values = vec![Value::Text(id.to_string())];
    values.extend(cols.stored()?.into_iter().map(value));
    values.extend([Value::Integer(now), Value::Integer(now), Value::Text(doc.name_folded.clone())]);
    conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
    let seq = conn.last_insert_rowid();
    set_custom_values(conn, id, &cols.custom)?;
    write_keys(conn, seq, doc)?;
    fts.push(conn, seq, doc)?;
    Ok(seq)
}

/// Writes these columns (names from `STORED_COLUMNS`) and custom values (field id, value) over a
/// stored customer, and only those, then rebuilds its search entries. The triggers record only
/// what differs.
pub(crate) fn update(
    conn: &Connection,
    seq: i64,
    id: &str,
    columns: &[(&str, ColValue)],
    custom: &[(String, Option<String>)],
    fts: &mut FtsBatch,
) -> Result<()> {
    set_columns(conn, seq, columns)?;
    set_custom_values(conn, id, custom)?;
    reindex(conn, seq, fts)
}

/// Writes stored columns of a customer, without touching its search entries: for columns no
/// search entry holds (owner, stage), else through [`update`]. Its `updated_at` follows the
/// change log (`changes_touch_customer`).
pub(crate) fn set_columns(conn: &Connection, seq: i64, columns: &[(&str, ColValue)]) -> Result<()> {
    if columns.is_empty() {
        return Ok(());
    }
    let set: Vec<String> = columns.iter().map(|(c, _)| format!("{c} = ?")).collect();
    let sql = format!("UPDATE customers SET {} WHERE seq = ?", set.join(", "));
    let mut values: Vec<Value> = columns.iter().map(|(_, v)| value(v.clone())).collect();
    values.push(Value::Integer(seq));
    conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

/// Every stored column of `cols` (what `update` writes for a whole customer).
pub(crate) fn all_columns(cols: &Columns) -> Result<Vec<(&'static str, ColValue)>> {
    Ok(super::STORED_COLUMNS.iter().copied().zip(cols.stored()?).collect())
}

/// Sets custom values (field id, value; `None` clears one), writing only those that differ.
fn set_custom_values(conn: &Connection, id: &str, values: &[(String, Option<String>)]) -> Result<()> {
    for (field, v) in values {
        match v {
            Some(v) => conn
                .prepare_cached(
                    "INSERT INTO custom_values (customer_id, field_id, value) VALUES (?, ?, ?)
                     ON CONFLICT (customer_id, field_id) DO UPDATE SET value = excluded.value
                     WHERE value IS NOT excluded.value",
                )?
                .execute(params![id, field, v])?,
            None => conn
                .prepare_cached(
                    "UPDATE custom_values SET value = NULL WHERE customer_id = ? AND field_id = ? AND value IS NOT NULL",
                )?
                .execute(params![id, field])?,
        };
    }
    Ok(())
}

fn value(v: ColValue) -> Value {
    match v {
        ColValue::Text(Some(t)) => Value::Text(t),
        ColValue::Int(Some(i)) => Value::Integer(i),
        ColValue::Text(None) | ColValue::Int(None) => Value::Null,
    }
}

/// The search entries of these columns, with the live contacts (name, phone, email).
pub(crate) fn doc_of(cols: &Columns, contacts: &[(String, Option<String>, Option<String>)]) -> IndexDoc {
    index_doc(&DocFields {
        name: &cols.name,
        phones: cols.phones.iter().map(|p| p.number.as_str()).collect(),
        emails: cols.emails.iter().map(|e| e.address.as_str()).collect(),
        tax_code: cols.tax_code.as_deref(),
        external_id: cols.external_id.as_deref(),
        notes: cols.notes.as_deref(),
        tags: &cols.tags,
        contacts,
    })
}

/// Writes the tag and identity-key entries of a customer that has none (duplicate detection
/// reads the keys at once, so they are never batched).
fn write_keys(conn: &Connection, seq: i64, doc: &IndexDoc) -> Result<()> {
    let mut tag = conn.prepare_cached("INSERT OR IGNORE INTO customer_tags (customer_seq, tag) VALUES (?, ?)")?;
    for t in &doc.tags {
        tag.execute(params![seq, t])?;
    }
    let mut key = conn.prepare_cached("INSERT OR IGNORE INTO customer_keys (key, customer_seq) VALUES (?, ?)")?;
    for k in &doc.keys {
        key.execute(params![k, seq])?;
    }
    Ok(())
}

/// Removes a customer from every search index.
pub(crate) fn unindex(conn: &Connection, seq: i64, fts: &mut FtsBatch) -> Result<()> {
    fts.flush(conn)?;
    for sql in [
        "DELETE FROM customer_fts WHERE rowid = ?",
        "DELETE FROM phone_fts WHERE rowid = ?",
        "DELETE FROM customer_tags WHERE customer_seq = ?",
        "DELETE FROM customer_keys WHERE customer_seq = ?",
    ] {
        conn.prepare_cached(sql)?.execute([seq])?;
    }
    Ok(())
}

/// Rebuilds the search entries of one customer from its stored data (a trashed one has none; a
/// purged one is only removed).
pub(crate) fn reindex(conn: &Connection, seq: i64, fts: &mut FtsBatch) -> Result<()> {
    unindex(conn, seq, fts)?;
    index(conn, seq, fts)
}

/// Makes the search entries of a customer that has none yet (one just inserted by a merge).
pub(crate) fn index(conn: &Connection, seq: i64, fts: &mut FtsBatch) -> Result<()> {
    let Some((id, cols, deleted)) = load(conn, seq)? else { return Ok(()) };
    let mut st =
        conn.prepare_cached("SELECT name, phone, email FROM contacts WHERE customer_id = ? AND deleted_at IS NULL")?;
    let contacts = st
        .query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let doc = doc_of(&cols, &contacts);
    conn.prepare_cached("UPDATE customers SET name_folded = ? WHERE seq = ? AND name_folded IS NOT ?")?
        .execute(params![doc.name_folded, seq, doc.name_folded])?;
    if deleted {
        return Ok(());
    }
    write_keys(conn, seq, &doc)?;
    fts.push(conn, seq, &doc)
}

/// A stored customer's columns (custom values by field id).
pub(crate) fn load_columns(conn: &Connection, seq: i64) -> Result<(String, Columns)> {
    load(conn, seq)?.map(|(id, cols, _)| (id, cols)).ok_or_else(|| crate::Error::not_found("customer", seq.to_string()))
}

/// A stored customer's id, columns and whether it is in the trash; `None` if there is none.
fn load(conn: &Connection, seq: i64) -> Result<Option<(String, Columns, bool)>> {
    let mut st = conn.prepare_cached(
        "SELECT id, kind, name, family_name, middle_name, given_name, phones, emails, street, ward, district,
         province, tax_code, source, owner_id, stage_id, tags, birthday, gender, expected_revenue, currency, notes,
         external_id, deleted_at FROM customers WHERE seq = ?",
    )?;
    let row = st
        .query_row([seq], |r| {
            let kind: String = r.get(1)?;
            let source: Option<String> = r.get(13)?;
            let gender: Option<String> = r.get(18)?;
            Ok((
                r.get::<_, String>(0)?,
                Columns {
                    kind: CustomerKind::read(&kind),
                    name: r.get(2)?,
                    family_name: r.get(3)?,
                    middle_name: r.get(4)?,
                    given_name: r.get(5)?,
                    phones: vec![],
                    emails: vec![],
                    street: r.get(8)?,
                    ward: r.get(9)?,
                    district: r.get(10)?,
                    province: r.get(11)?,
                    tax_code: r.get(12)?,
                    source: source.as_deref().and_then(Source::parse),
                    owner_id: r.get(14)?,
                    stage_id: r.get(15)?,
                    tags: vec![],
                    birthday: r.get(17)?,
                    gender: gender.as_deref().and_then(Gender::parse),
                    expected_revenue: r.get(19)?,
                    currency: r.get(20)?,
                    notes: r.get(21)?,
                    external_id: r.get(22)?,
                    custom: vec![],
                    notices: vec![],
                },
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(16)?,
                r.get::<_, Option<i64>>(23)?.is_some(),
            ))
        })
        .optional()?;
    let Some((id, mut cols, phones, emails, tags, deleted)) = row else { return Ok(None) };
    cols.phones = serde_json::from_str::<Vec<Phone>>(&phones)?;
    cols.emails = serde_json::from_str::<Vec<Email>>(&emails)?;
    cols.tags = serde_json::from_str::<Vec<String>>(&tags)?;
    let mut st = conn.prepare_cached("SELECT field_id, value FROM custom_values WHERE customer_id = ?")?;
    cols.custom = st
        .query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Some((id, cols, deleted)))
}
