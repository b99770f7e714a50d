//! What an import does beyond the one customer write (`customers::write`), inside its raw write
//! transaction: find the customers a row matches, merge a row into one, attach a person to a
//! company.

use crate::customers::write::{reindex, FtsBatch};
use crate::customers::{Columns, Gender};
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

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
    reindex(conn, company.1, fts)?;
    Ok(true)
}
