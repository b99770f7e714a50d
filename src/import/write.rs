//! The bulk write path (rusqlite, inside one raw write transaction): insert a validated customer
//! with its custom values and search entries, merge one into another, attach a person to a
//! company. Used by imports; the change triggers record every column as for any other write.

use crate::customers::{ColValue, Columns, CustomerKind, Email, Gender, Phone, Source, STORED_COLUMNS};
use crate::error::Result;
use crate::search::{index_doc, DocFields, IndexDoc};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};

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

/// Inserts a customer with its search entries (`doc`: `doc_of(cols, &[])`, made where the row
/// was checked).
pub(crate) fn insert_customer(
    conn: &Connection,
    id: &str,
    cols: &Columns,
    doc: &IndexDoc,
    now: i64,
    fts: &mut FtsBatch,
) -> Result<i64> {
    let sql = format!(
        "INSERT INTO customers (id, {}, created_at, updated_at, name_folded) VALUES (?, {}, ?, ?, ?)",
        STORED_COLUMNS.join(", "),
        ["?"; STORED_COLUMNS.len()].join(", ")
    );
    let mut values = vec![Value::Text(id.to_string())];
    values.extend(stored(cols)?);
    values.extend([Value::Integer(now), Value::Integer(now), Value::Text(doc.name_folded.clone())]);
    conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
    let seq = conn.last_insert_rowid();
    let mut val = conn.prepare_cached("INSERT INTO custom_values (customer_id, field_id, value) VALUES (?, ?, ?)")?;
    for (field, value) in &cols.custom {
        if let Some(v) = value {
            val.execute(params![id, field, v])?;
        }
    }
    write_keys(conn, seq, doc)?;
    fts.push(conn, seq, doc)?;
    Ok(seq)
}

/// The values of `STORED_COLUMNS` for rusqlite.
fn stored(cols: &Columns) -> Result<Vec<Value>> {
    Ok(cols
        .stored()?
        .into_iter()
        .map(|v| match v {
            ColValue::Text(Some(t)) => Value::Text(t),
            ColValue::Int(Some(i)) => Value::Integer(i),
            ColValue::Text(None) | ColValue::Int(None) => Value::Null,
        })
        .collect())
}

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

/// Rebuilds the search entries of one live customer from its stored data.
pub(crate) fn reindex(conn: &Connection, seq: i64, fts: &mut FtsBatch) -> Result<()> {
    fts.flush(conn)?;
    for sql in [
        "DELETE FROM customer_fts WHERE rowid = ?",
        "DELETE FROM phone_fts WHERE rowid = ?",
        "DELETE FROM customer_tags WHERE customer_seq = ?",
        "DELETE FROM customer_keys WHERE customer_seq = ?",
    ] {
        conn.prepare_cached(sql)?.execute([seq])?;
    }
    let (id, cols) = load_columns(conn, seq)?;
    let mut st =
        conn.prepare_cached("SELECT name, phone, email FROM contacts WHERE customer_id = ? AND deleted_at IS NULL")?;
    let contacts = st
        .query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let doc = doc_of(&cols, &contacts);
    conn.prepare_cached("UPDATE customers SET name_folded = ? WHERE seq = ?")?
        .execute(params![doc.name_folded, seq])?;
    write_keys(conn, seq, &doc)?;
    fts.push(conn, seq, &doc)
}

/// A stored customer's columns (custom values by field id).
pub(crate) fn load_columns(conn: &Connection, seq: i64) -> Result<(String, Columns)> {
    let mut st = conn.prepare_cached(
        "SELECT id, kind, name, family_name, middle_name, given_name, phones, emails, street, ward, district,
         province, tax_code, source, owner_id, stage_id, tags, birthday, gender, expected_revenue, currency, notes,
         external_id FROM customers WHERE seq = ?",
    )?;
    let (id, cols, kind, phones, emails, tags) = st.query_row([seq], |r| {
        let id: String = r.get(0)?;
        let kind: String = r.get(1)?;
        let source: Option<String> = r.get(13)?;
        let gender: Option<String> = r.get(18)?;
        Ok((
            id,
            Columns {
                kind: CustomerKind::Person, // set below, from `kind`
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
                gender: match gender.as_deref() {
                    Some("male") => Some(Gender::Male),
                    Some("female") => Some(Gender::Female),
                    Some("other") => Some(Gender::Other),
                    _ => None,
                },
                expected_revenue: r.get(19)?,
                currency: r.get(20)?,
                notes: r.get(21)?,
                external_id: r.get(22)?,
                custom: vec![],
                notices: vec![],
            },
            kind,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, String>(16)?,
        ))
    })?;
    let mut cols = cols;
    cols.kind = CustomerKind::read(&kind);
    cols.phones = serde_json::from_str::<Vec<Phone>>(&phones)?;
    cols.emails = serde_json::from_str::<Vec<Email>>(&emails)?;
    cols.tags = serde_json::from_str::<Vec<String>>(&tags)?;
    let mut st = conn.prepare_cached("SELECT field_id, value FROM custom_values WHERE customer_id = ?")?;
    cols.custom = st
        .query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((id, cols))
}

/// A field the merge kept as it was because the row had another value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Kept {
    pub field: String,
    pub kept: String,
    pub ignored: String,
}

/// Merges `incoming` into `existing`: empty fields are filled, new phones, emails and tags are
/// added, and a field that has a different value keeps it (reported, never overwritten).
pub(crate) fn merge(existing: &Columns, incoming: &Columns) -> (Columns, Vec<Kept>) {
    let mut out = existing.clone();
    let mut kept = Vec::new();
    fn fill(field: &str, slot: &mut Option<String>, new: &Option<String>, kept: &mut Vec<Kept>) {
        match (slot.as_ref(), new) {
            (None, Some(n)) => *slot = Some(n.clone()),
            (Some(old), Some(n)) if old != n && crate::fold::fold(old) != crate::fold::fold(n) => {
                kept.push(Kept { field: field.into(), kept: old.clone(), ignored: n.clone() })
            }
            _ => {}
        }
    }
    if crate::fold::fold(&existing.name) != crate::fold::fold(&incoming.name) {
        kept.push(Kept { field: "name".into(), kept: existing.name.clone(), ignored: incoming.name.clone() });
    }
    fill("family_name", &mut out.family_name, &incoming.family_name, &mut kept);
    fill("middle_name", &mut out.middle_name, &incoming.middle_name, &mut kept);
    fill("given_name", &mut out.given_name, &incoming.given_name, &mut kept);
    fill("street", &mut out.street, &incoming.street, &mut kept);
    fill("ward", &mut out.ward, &incoming.ward, &mut kept);
    fill("district", &mut out.district, &incoming.district, &mut kept);
    fill("province", &mut out.province, &incoming.province, &mut kept);
    fill("tax_code", &mut out.tax_code, &incoming.tax_code, &mut kept);
    fill("external_id", &mut out.external_id, &incoming.external_id, &mut kept);
    fill("owner_id", &mut out.owner_id, &incoming.owner_id, &mut kept);
    fill("stage_id", &mut out.stage_id, &incoming.stage_id, &mut kept);
    fill("birthday", &mut out.birthday, &incoming.birthday, &mut kept);
    fill("currency", &mut out.currency, &incoming.currency, &mut kept);
    for p in &incoming.phones {
        if !out.phones.iter().any(|q| q.number == p.number) {
            out.phones.push(p.clone());
        }
    }
    for e in &incoming.emails {
        if !out.emails.iter().any(|q| q.address.eq_ignore_ascii_case(&e.address)) {
            out.emails.push(e.clone());
        }
    }
    for t in &incoming.tags {
        if !out.tags.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
            out.tags.push(t.clone());
        }
    }
    if out.source.is_none() {
        out.source = incoming.source;
    }
    if out.gender.is_none() {
        out.gender = incoming.gender;
    } else if incoming.gender.is_some() && incoming.gender != out.gender {
        kept.push(Kept {
            field: "gender".into(),
            kept: out.gender.map(Gender::as_str).unwrap_or("").into(),
            ignored: incoming.gender.map(Gender::as_str).unwrap_or("").into(),
        });
    }
    match (out.expected_revenue, incoming.expected_revenue) {
        (None, Some(v)) => out.expected_revenue = Some(v),
        (Some(a), Some(b)) if a != b => {
            kept.push(Kept { field: "expected_revenue".into(), kept: a.to_string(), ignored: b.to_string() })
        }
        _ => {}
    }
    // Notes are added to, not replaced: a note from the file that is not there yet is appended.
    if let Some(n) = &incoming.notes {
        match &out.notes {
            None => out.notes = Some(n.clone()),
            Some(old) if !old.contains(n.as_str()) => out.notes = Some(format!("{old}\n{n}")),
            _ => {}
        }
    }
    for (field, value) in &incoming.custom {
        let Some(v) = value else { continue };
        match out.custom.iter_mut().find(|(f, _)| f == field) {
            Some((_, slot @ None)) => *slot = Some(v.clone()),
            Some((_, Some(old))) if old != v => {
                kept.push(Kept { field: format!("custom.{field}"), kept: old.clone(), ignored: v.clone() })
            }
            Some(_) => {}
            None => out.custom.push((field.clone(), Some(v.clone()))),
        }
    }
    (out, kept)
}

/// Writes merged columns over a customer (the triggers record only what differs).
pub(crate) fn update_customer(
    conn: &Connection,
    seq: i64,
    id: &str,
    cols: &Columns,
    now: i64,
    fts: &mut FtsBatch,
) -> Result<()> {
    let set: Vec<String> = STORED_COLUMNS.iter().map(|c| format!("{c} = ?")).collect();
    let sql = format!("UPDATE customers SET {}, updated_at = ? WHERE seq = ?", set.join(", "));
    let mut values = stored(cols)?;
    values.extend([Value::Integer(now), Value::Integer(seq)]);
    conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
    for (field, value) in &cols.custom {
        let Some(v) = value else { continue };
        conn.prepare_cached(
            "INSERT INTO custom_values (customer_id, field_id, value) VALUES (?, ?, ?)
             ON CONFLICT (customer_id, field_id) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value",
        )?
        .execute(params![id, field, v])?;
    }
    reindex(conn, seq, fts)
}

/// Live customers holding any of these identity keys ('p:+84…', 'e:…', 't:…'), oldest first.
pub(crate) fn holders(conn: &Connection, keys: &[(String, &'static str, String)]) -> Result<Vec<(i64, String, usize)>> {
    let mut st = conn.prepare_cached(
        "SELECT c.seq, c.id FROM customer_keys k JOIN customers c ON c.seq = k.customer_seq
         WHERE k.key = ? AND c.deleted_at IS NULL ORDER BY c.seq LIMIT 5",
    )?;
    let mut out: Vec<(i64, String, usize)> = Vec::new();
    for (i, (key, _, _)) in keys.iter().enumerate() {
        let rows = st.query_map([key], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (seq, id) = row?;
            if !out.iter().any(|(s, _, _)| *s == seq) {
                out.push((seq, id, i));
            }
        }
    }
    out.sort_by_key(|(s, _, _)| *s);
    Ok(out)
}

/// The live company with this folded name, oldest first.
pub(crate) fn company_by_name(conn: &Connection, folded: &str) -> Result<Option<(String, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, seq FROM customers WHERE name_folded = ? AND kind = 'company' AND deleted_at IS NULL
             ORDER BY seq LIMIT 1",
        )?
        .query_row([folded], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Adds a person to a company's contacts (unless a contact of that name is there already).
pub(crate) fn add_contact(
    conn: &Connection,
    company: (&str, i64),
    person: &Columns,
    role: Option<&str>,
    now: i64,
    fts: &mut FtsBatch,
) -> Result<bool> {
    let exists: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM contacts WHERE customer_id = ? AND name = ? AND deleted_at IS NULL")?
        .query_row(params![company.0, person.name], |r| r.get(0))
        .optional()?;
    if exists.is_some() {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT INTO contacts (id, customer_id, name, role, phone, email, is_decision_maker, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
    )?
    .execute(params![
        crate::db::new_id(),
        company.0,
        person.name,
        role,
        person.phones.first().map(|p| p.number.clone()),
        person.emails.first().map(|e| e.address.clone()),
        now
    ])?;
    conn.prepare_cached("UPDATE customers SET updated_at = ? WHERE seq = ?")?.execute(params![now, company.1])?;
    reindex(conn, company.1, fts)?;
    Ok(true)
}
