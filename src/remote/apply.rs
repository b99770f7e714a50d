//! The merge on a workspace file: another device's transaction taken in by the rule of
//! `tend_sync::merge`, so a workspace's shared state is a function of the set of transactions it
//! received, whatever their order and however often each arrived.
//!
//! The records are stored as they came (the triggers record nothing while `write_ctx.replay` is
//! set), then every row they touch is made again from the log: each field the value of its newest
//! record (clock, then place in the transaction), shown when an insert of it is here, no purge,
//! and every parent the registry names is shown. A row that is not shown yet waits in
//! `sync_waiting` and is looked at again after every apply; a row hidden takes the rows that name
//! it along. Records of a table or column this build does not know are kept in `sync_inbox` and
//! applied by the build that knows them ([`apply_inbox`], at open). Search entries follow the
//! customers made again, and a customer's `updated_at` is the clock of its newest change (a
//! trigger on `changes`, `triggers::touch_customer`).

use crate::customers::write::{index, reindex, unindex, FtsBatch};
use crate::error::Result;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use std::collections::BTreeSet;
use tend_sync::protocol::{FieldValue, RecordOp, RemoteRecord};
use tend_sync::registry::{self, Table};

/// What applying records did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Records stored in the log (each counts in the merge, now or when its row arrives).
    pub stored: u32,
    /// Records kept for a newer build (a table or column this one does not know).
    pub kept: u32,
    /// The tables whose rows the apply wrote (shown, changed or taken away).
    pub tables: std::collections::BTreeSet<&'static str>,
}

fn sql_value(v: &FieldValue) -> Value {
    match v {
        FieldValue::Null => Value::Null,
        FieldValue::Int(i) => Value::Integer(*i),
        FieldValue::Text(s) => Value::Text(s.clone()),
    }
}

fn json_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Integer(i64::from(*b)),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => n.as_f64().map(Value::Real).unwrap_or(Value::Null),
        },
        serde_json::Value::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

fn keep(conn: &Connection, tx: i64, record: &RemoteRecord) -> Result<()> {
    conn.prepare_cached("INSERT INTO sync_inbox (tx, record) VALUES (?, ?)")?
        .execute(params![tx, serde_json::to_string(record)?])?;
    Ok(())
}

/// The customer a record of `t` belongs to in history: its customer column's value in the
/// record, else as the row has it now (in the table, else in the log).
fn entity_of(conn: &Connection, t: &Table, row_id: &str, values: &[(&str, Value)]) -> Result<Option<String>> {
    let Some(col) = t.customer else { return Ok(None) };
    if let Some(i) = t.keys.iter().position(|k| *k == col) {
        return Ok(t.key_values(row_id)?.get(i).map(|s| s.to_string()));
    }
    if let Some((_, Value::Text(v))) = values.iter().find(|(c, _)| *c == col) {
        return Ok(Some(v.clone()));
    }
    let keys = t.key_values(row_id)?;
    let cond = key_cond(t);
    let now: Option<String> = conn
        .prepare_cached(&format!("SELECT {col} FROM {} WHERE {cond}", t.name))?
        .query_row(params_from_iter(keys.iter()), |r| r.get(0))
        .optional()?;
    if now.is_some() {
        return Ok(now);
    }
    Ok(conn
        .prepare_cached("SELECT entity FROM changes WHERE tbl = ? AND row_id = ? AND entity IS NOT NULL ORDER BY rowid DESC LIMIT 1")?
        .query_row(params![t.code, row_id], |r| r.get(0))
        .optional()?)
}

fn key_cond(t: &Table) -> String {
    t.keys.iter().enumerate().map(|(i, k)| format!("{k} = ?{}", i + 1)).collect::<Vec<_>>().join(" AND ")
}

/// What a column an insert record leaves out takes: the schema's default when the column has
/// one (an insert from an older build, before the column was added), else NULL. So a missing
/// value never overwrites another insert's with a NULL that a NOT NULL column refuses.
fn defaults(conn: &Connection, t: &Table) -> Result<Vec<serde_json::Value>> {
    let mut st = conn.prepare_cached("SELECT name, dflt_value FROM pragma_table_info(?)")?;
    let given: Vec<(String, Option<String>)> =
        st.query_map([t.name], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<std::result::Result<_, _>>()?;
    let mut out = Vec::with_capacity(t.columns.len());
    for c in t.columns {
        let dflt = given.iter().find(|(n, _)| n == c).and_then(|(_, d)| d.clone());
        out.push(match dflt {
            Some(expr) => {
                let v: Value = conn.query_row(&format!("SELECT {expr}"), [], |r| r.get(0))?;
                match v {
                    Value::Integer(i) => serde_json::Value::from(i),
                    Value::Real(f) => serde_json::Value::from(f),
                    Value::Text(s) => serde_json::Value::String(s),
                    Value::Null | Value::Blob(_) => serde_json::Value::Null,
                }
            }
            None => serde_json::Value::Null,
        });
    }
    Ok(out)
}

/// Each table's insert defaults (by code), read once per apply.
type Defaults = std::collections::HashMap<i64, Vec<serde_json::Value>>;

/// Stores one record of a known table in the log; its unknown columns go to the inbox.
fn store(
    conn: &Connection,
    tx: i64,
    t: &Table,
    r: &RemoteRecord,
    out: &mut Outcome,
    dflt: &mut Defaults,
) -> Result<()> {
    t.key_values(&r.row_id)?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO changes (tx, tbl, row_id, col, value, entity) VALUES (?1, ?2, ?3, ?4, CASE WHEN ?4 = 0 THEN jsonb(?5) ELSE ?5 END, ?6)",
    )?;
    match &r.op {
        RecordOp::Insert { values } => {
            let missing = t.columns.iter().any(|c| !values.iter().any(|(n, _)| n == c));
            let mut array = if missing {
                match dflt.get(&t.code) {
                    Some(d) => d.clone(),
                    None => dflt.entry(t.code).or_insert(defaults(conn, t)?).clone(),
                }
            } else {
                vec![serde_json::Value::Null; t.columns.len()]
            };
            let mut known: Vec<(&str, Value)> = Vec::new();
            for (c, v) in values {
                match t.column_code(c) {
                    Some(code) => {
                        array[(code - 1) as usize] = v.to_json();
                        known.push((t.columns[(code - 1) as usize], sql_value(v)));
                    }
                    None => {
                        let set = RecordOp::Set { column: c.clone(), value: v.clone() };
                        keep(conn, tx, &RemoteRecord { table: r.table.clone(), row_id: r.row_id.clone(), op: set })?;
                        out.kept += 1;
                    }
                }
            }
            let entity = entity_of(conn, t, &r.row_id, &known)?;
            let array = serde_json::Value::Array(array).to_string();
            insert.execute(params![tx, t.code, r.row_id, 0, array, entity])?;
            if entity.is_some() {
                // records of this row that came before it could not name their customer
                conn.prepare_cached(
                    "UPDATE changes SET entity = ?3 WHERE tbl = ?1 AND row_id = ?2 AND entity IS NULL",
                )?
                .execute(params![t.code, r.row_id, entity])?;
            }
        }
        RecordOp::Set { column, value } => {
            let Some(code) = t.column_code(column) else {
                keep(conn, tx, r)?;
                out.kept += 1;
                return Ok(());
            };
            let v = sql_value(value);
            let entity = entity_of(conn, t, &r.row_id, &[(t.columns[(code - 1) as usize], v.clone())])?;
            insert.execute(params![tx, t.code, r.row_id, code, v, entity])?;
        }
        RecordOp::Purge => {
            let entity = entity_of(conn, t, &r.row_id, &[])?;
            insert.execute(params![tx, t.code, r.row_id, -1, Value::Null, entity])?;
        }
    }
    out.stored += 1;
    Ok(())
}

/// Stores the records of transactions already in `txs` (each `(id, records)`, `write_ctx.replay`
/// set) and makes again every row they touch once, then the rows waiting for a parent: the merge
/// is a function of the set of records, so a page of transactions settles as one.
pub(crate) fn apply_batch(conn: &Connection, txs: &[(i64, &[RemoteRecord])], fts: &mut FtsBatch) -> Result<Outcome> {
    let mut out = Outcome::default();
    let mut touched: Vec<(&'static Table, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut dflt = Defaults::new();
    for (tx, records) in txs {
        for r in records.iter() {
            match registry::by_name(&r.table) {
                None => {
                    keep(conn, *tx, r)?;
                    out.kept += 1;
                }
                Some(t) => {
                    store(conn, *tx, t, r, &mut out, &mut dflt)?;
                    if seen.insert((t.code, r.row_id.as_str())) {
                        touched.push((t, r.row_id.clone()));
                    }
                }
            }
        }
    }
    out.tables = settle_all(conn, touched, fts)?;
    Ok(out)
}

/// Takes transaction `tx` out of the log (the server refused it: it never happened for anyone
/// else) and makes again every row its records touched, from the rest of the log. Returns the
/// tables whose rows changed.
pub(crate) fn drop_tx(conn: &Connection, tx: i64, fts: &mut FtsBatch) -> Result<BTreeSet<&'static str>> {
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT DISTINCT tbl, row_id FROM changes WHERE tx = ?")?
        .query_map([tx], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<_, _>>()?;
    conn.execute("DELETE FROM changes WHERE tx = ?", [tx])?;
    conn.execute("DELETE FROM sync_inbox WHERE tx = ?", [tx])?;
    conn.execute("DELETE FROM txs WHERE id = ?", [tx])?;
    let touched = rows.into_iter().filter_map(|(code, id)| registry::by_code(code).map(|t| (t, id))).collect();
    settle_all(conn, touched, fts)
}

/// Makes the rows again, then those waiting for a parent until none changes; reindexes the
/// customers whose rows changed. Returns the tables whose rows changed (a row taken away counts
/// for the tables under it too).
fn settle_all(
    conn: &Connection,
    touched: Vec<(&'static Table, String)>,
    fts: &mut FtsBatch,
) -> Result<BTreeSet<&'static str>> {
    let mut customers = Seen::default();
    let settle = |conn: &Connection, t: &'static Table, id: &str, seen: &mut Seen| {
        let before = total_changes(conn)?;
        let shown = settle(conn, t, id, seen)?;
        if total_changes(conn)? != before {
            seen.tables.insert(t.name);
        }
        Ok::<bool, crate::Error>(shown)
    };
    let inserted = insert_new(conn, &touched, &mut customers)?;
    for (t, id) in &touched {
        if !inserted.contains(&(t.code, id.clone())) {
            settle(conn, t, id, &mut customers)?;
        }
    }
    loop {
        let waiting: Vec<(i64, String)> = conn
            .prepare_cached("SELECT tbl, row_id FROM sync_waiting")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        let mut changed = false;
        for (code, id) in waiting {
            let Some(t) = registry::by_code(code) else { continue };
            changed |= settle(conn, t, &id, &mut customers)?;
        }
        if !changed {
            break;
        }
    }
    let Seen { customers, tables, fresh } = customers;
    for id in customers {
        let seq: Option<i64> = conn
            .prepare_cached("UPDATE customers SET updated_at = ?2 WHERE id = ?1 RETURNING seq")?
            .query_row(params![id, touched_at(conn, &id)?], |r| r.get(0))
            .optional()?;
        match seq {
            Some(seq) if fresh.contains(&id) => index(conn, seq, fts)?,
            Some(seq) => reindex(conn, seq, fts)?,
            None => {}
        }
    }
    Ok(tables)
}

fn total_changes(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT total_changes()")?.query_row([], |r| r.get(0))?)
}

/// What settling rows found: the customers whose rows changed (to reindex) and the tables
/// whose rows changed.
#[derive(Default)]
struct Seen {
    customers: BTreeSet<String>,
    tables: BTreeSet<&'static str>,
    /// Customers inserted by this apply with no search entries yet.
    fresh: std::collections::HashSet<String>,
}

/// The row's values by the log: each tracked column's newest record (clock, then place).
fn merged(conn: &Connection, t: &Table, row_id: &str) -> Result<Vec<Value>> {
    let mut values = vec![Value::Null; t.columns.len()];
    let mut st = conn.prepare_cached(
        "SELECT c.col, CASE WHEN c.col = 0 THEN json(c.value) END, CASE WHEN c.col > 0 THEN c.value END
         FROM changes c JOIN txs x ON x.id = c.tx WHERE c.tbl = ? AND c.row_id = ? AND c.col >= 0
         ORDER BY x.hlc, c.rowid",
    )?;
    let mut rows = st.query(params![t.code, row_id])?;
    while let Some(r) = rows.next()? {
        let col: i64 = r.get(0)?;
        if col == 0 {
            let json: String = r.get(1)?;
            let array: Vec<serde_json::Value> = serde_json::from_str(&json)?;
            for (i, v) in values.iter_mut().enumerate() {
                *v = array.get(i).map(json_value).unwrap_or(Value::Null);
            }
        } else if let Some(v) = values.get_mut((col - 1) as usize) {
            *v = r.get(2)?;
        }
    }
    Ok(values)
}

fn exists(conn: &Connection, t: &Table, keys: &[&str]) -> Result<bool> {
    Ok(conn
        .prepare_cached(&format!("SELECT EXISTS (SELECT 1 FROM {} WHERE {})", t.name, key_cond(t)))?
        .query_row(params_from_iter(keys.iter()), |r| r.get(0))?)
}

/// The common case of a download, set-based: a row of a one-key table that is not here, whose
/// only record in the log is its insert, and whose parents are shown, is inserted with the
/// insert's values (an empty one takes the column's default), as [`settle`] would, one statement
/// per table. Returns the rows inserted; the rest are settled one by one.
fn insert_new(
    conn: &Connection,
    touched: &[(&'static Table, String)],
    seen: &mut Seen,
) -> Result<std::collections::HashSet<(i64, String)>> {
    let mut done = std::collections::HashSet::new();
    let mut codes = BTreeSet::new();
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS sync_touched (tbl INTEGER NOT NULL, row_id TEXT NOT NULL,
             PRIMARY KEY (tbl, row_id)) WITHOUT ROWID;
         DELETE FROM temp.sync_touched;",
    )?;
    {
        let mut st = conn.prepare_cached("INSERT OR IGNORE INTO temp.sync_touched (tbl, row_id) VALUES (?, ?)")?;
        for (t, id) in touched {
            st.execute(params![t.code, id])?;
            codes.insert(t.code);
        }
    }
    // parents before children (a child whose parent is inserted here finds it)
    for t in registry::TABLES.iter().filter(|t| codes.contains(&t.code)) {
        let Some(sql) = insert_new_sql(conn, t)? else { continue };
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let customer: Option<String> = r.get(1)?;
            if t.name == "customers" {
                seen.fresh.insert(id.clone());
            }
            seen.customers.extend(customer);
            seen.tables.insert(t.name);
            done.insert((t.code, id));
        }
    }
    conn.execute("DELETE FROM temp.sync_touched", [])?;
    Ok(done)
}

/// [`insert_new`]'s statement for `t` (None for a table of two key columns, or with a parent
/// of two).
fn insert_new_sql(conn: &Connection, t: &Table) -> Result<Option<String>> {
    let [key] = t.keys else { return Ok(None) };
    let dflt: Vec<(String, Option<String>)> = conn
        .prepare_cached("SELECT name, dflt_value FROM pragma_table_info(?)")?
        .query_map([t.name], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<_, _>>()?;
    let value = |col: &str| -> String {
        match t.columns.iter().position(|c| *c == col) {
            Some(i) => format!("json_extract(c.value, '$[{i}]')"),
            None => "s.row_id".into(),
        }
    };
    let mut cols: Vec<String> = vec![key.to_string()];
    let mut exprs: Vec<String> = vec!["s.row_id".into()];
    for c in t.columns {
        let d = dflt.iter().find(|(n, _)| n == c).and_then(|(_, d)| d.clone()).unwrap_or_else(|| "NULL".into());
        cols.push(c.to_string());
        exprs.push(format!("COALESCE({}, ({d}))", value(c)));
    }
    if t.name == "customers" {
        // made right with every customer the apply touched (`settle_all`)
        cols.extend(["updated_at".into(), "name_folded".into()]);
        exprs.extend(["0".into(), "''".into()]);
    }
    let mut parents = String::new();
    for (col, parent) in t.parents {
        let Some(p) = registry::by_name(parent) else { continue };
        let [pkey] = p.keys else { return Ok(None) };
        let v = value(col);
        parents
            .push_str(&format!(" AND (typeof({v}) <> 'text' OR EXISTS (SELECT 1 FROM {} WHERE {pkey} = {v}))", p.name));
    }
    // the customer whose search entry and `updated_at` follow (a customer is its own)
    let customer = match (t.name, t.customer) {
        ("customers", _) => key.to_string(),
        (_, Some(col)) => format!("CASE WHEN typeof({col}) = 'text' THEN {col} END"),
        _ => "NULL".into(),
    };
    // CROSS JOIN keeps the page's rows the outer loop: left to choose, SQLite walked every
    // record of the table in the log for each page (a 1M-customer download slowed to 1.5k/s)
    Ok(Some(format!(
        "INSERT INTO {table} ({cols})
         SELECT {exprs}
         FROM temp.sync_touched s CROSS JOIN changes c ON c.tbl = s.tbl AND c.row_id = s.row_id AND c.col = 0
         WHERE s.tbl = {code}
           AND NOT EXISTS (SELECT 1 FROM changes o WHERE o.tbl = s.tbl AND o.row_id = s.row_id AND o.rowid <> c.rowid)
           AND NOT EXISTS (SELECT 1 FROM {table} WHERE {key} = s.row_id){parents}
         RETURNING {key}, {customer}",
        table = t.name,
        cols = cols.join(", "),
        exprs = exprs.join(", "),
        code = t.code,
    )))
}

/// Makes one row what the log says: shown (inserted or updated), waiting, or gone. True when it
/// is shown now and was not.
fn settle(conn: &Connection, t: &'static Table, row_id: &str, seen: &mut Seen) -> Result<bool> {
    let keys = t.key_values(row_id)?;
    let (inserted, purged): (bool, bool) = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM changes WHERE tbl = ?1 AND row_id = ?2 AND col = 0),
                    EXISTS (SELECT 1 FROM changes WHERE tbl = ?1 AND row_id = ?2 AND col = -1)",
        )?
        .query_row(params![t.code, row_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let present = exists(conn, t, &keys)?;
    let unwait = |conn: &Connection| -> Result<()> {
        conn.prepare_cached("DELETE FROM sync_waiting WHERE tbl = ? AND row_id = ?")?
            .execute(params![t.code, row_id])?;
        Ok(())
    };
    if purged || !inserted {
        if present {
            remove(conn, t, row_id, seen)?;
        }
        unwait(conn)?;
        return Ok(false);
    }
    let values = merged(conn, t, row_id)?;
    let value_of = |col: &str| -> Option<String> {
        match t.keys.iter().position(|k| *k == col) {
            Some(i) => keys.get(i).map(|s| s.to_string()),
            None => match t.column_code(col).map(|c| &values[(c - 1) as usize]) {
                Some(Value::Text(s)) => Some(s.clone()),
                _ => None,
            },
        }
    };
    let mut parents_shown = Vec::new();
    for (col, parent) in t.parents {
        let shown = match (value_of(col), registry::by_name(parent)) {
            (Some(v), Some(p)) => exists(conn, p, &[v.as_str()])?,
            _ => true,
        };
        parents_shown.push(shown);
    }
    if !tend_sync::merge::shown(inserted, purged, parents_shown) {
        if present {
            remove(conn, t, row_id, seen)?;
        }
        conn.prepare_cached("INSERT OR IGNORE INTO sync_waiting (tbl, row_id) VALUES (?, ?)")?
            .execute(params![t.code, row_id])?;
        return Ok(false);
    }
    unwait(conn)?;
    if let Some(c) = t.customer.and_then(value_of) {
        seen.customers.insert(c);
    }
    if t.name == "customers" {
        seen.customers.insert(row_id.to_string());
    }
    let n = keys.len();
    if present {
        let set = t.columns.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", n + i + 1)).collect::<Vec<_>>();
        let differs =
            t.columns.iter().enumerate().map(|(i, c)| format!("{c} IS NOT ?{}", n + i + 1)).collect::<Vec<_>>();
        let sql =
            format!("UPDATE {} SET {} WHERE {} AND ({})", t.name, set.join(", "), key_cond(t), differs.join(" OR "));
        let args: Vec<Value> = keys.iter().map(|k| Value::Text(k.to_string())).chain(values).collect();
        conn.prepare_cached(&sql)?.execute(params_from_iter(args))?;
        return Ok(false);
    }
    // a new row: the key, every column the log gave a value (an empty one takes the column's
    // default), and a customer's own columns
    let mut cols: Vec<&str> = t.keys.to_vec();
    let mut args: Vec<Value> = keys.iter().map(|k| Value::Text(k.to_string())).collect();
    for (c, v) in t.columns.iter().zip(values) {
        if v != Value::Null {
            cols.push(c);
            args.push(v);
        }
    }
    if t.name == "customers" {
        cols.extend(["updated_at", "name_folded"]);
        args.extend([Value::Integer(touched_at(conn, row_id)?), Value::Text(String::new())]);
    }
    let marks = (1..=cols.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    conn.prepare_cached(&format!("INSERT INTO {} ({}) VALUES ({marks})", t.name, cols.join(", ")))?
        .execute(params_from_iter(args))?;
    Ok(true)
}

/// A customer's `updated_at` by the log: the clock (milliseconds) of the newest change of it or
/// of a row of a table that `touches_customer` (what `changes_touch_customer` keeps locally).
fn touched_at(conn: &Connection, id: &str) -> Result<i64> {
    // two index probes (the row's own records, the records naming it as their customer)
    let sql = format!(
        "SELECT COALESCE(MAX(ms), 0) FROM (
             SELECT MAX(CAST(substr(x.hlc, 1, 13) AS INTEGER)) AS ms FROM changes c JOIN txs x ON x.id = c.tx
             WHERE c.tbl = 5 AND c.row_id = ?1
             UNION ALL
             SELECT MAX(CAST(substr(x.hlc, 1, 13) AS INTEGER)) FROM changes c JOIN txs x ON x.id = c.tx
             WHERE c.entity = ?1 AND c.tbl IN ({}))",
        touching_codes()
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![id], |r| r.get(0))?)
}

/// The codes of the tables whose changes touch their customer, as an SQL list.
fn touching_codes() -> String {
    let codes: Vec<String> =
        registry::TABLES.iter().filter(|t| t.touches_customer).map(|t| t.code.to_string()).collect();
    codes.join(", ")
}

/// Takes a shown row away, and first the rows that name it (they wait for it, unless purged).
fn remove(conn: &Connection, t: &'static Table, row_id: &str, seen: &mut Seen) -> Result<()> {
    seen.tables.insert(t.name);
    let keys = t.key_values(row_id)?;
    for (child, col) in registry::children_of(t.name) {
        let ids: Vec<String> = conn
            .prepare_cached(&format!("SELECT {} FROM {} WHERE {col} = ?", child.keys.join(" || '/' || "), child.name))?
            .query_map([keys[0]], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        for id in ids {
            remove(conn, child, &id, seen)?;
            conn.prepare_cached("INSERT OR IGNORE INTO sync_waiting (tbl, row_id) VALUES (?, ?)")?
                .execute(params![child.code, id])?;
        }
    }
    if t.name == "customers" {
        let seq: Option<i64> = conn
            .prepare_cached("SELECT seq FROM customers WHERE id = ?")?
            .query_row([row_id], |r| r.get(0))
            .optional()?;
        if let Some(seq) = seq {
            unindex(conn, seq, &mut FtsBatch::default())?;
        }
        seen.customers.remove(row_id);
    } else if let Some(col) = t.customer {
        let owner: Option<String> = conn
            .prepare_cached(&format!("SELECT {col} FROM {} WHERE {}", t.name, key_cond(t)))?
            .query_row(params_from_iter(keys.iter()), |r| r.get(0))
            .optional()?;
        seen.customers.extend(owner);
    }
    conn.prepare_cached(&format!("DELETE FROM {} WHERE {}", t.name, key_cond(t)))?
        .execute(params_from_iter(keys.iter()))?;
    Ok(())
}

/// Applies what the inbox holds that this build knows (after an upgrade), each record as part of
/// the transaction it came in; the rest stays. Returns how many were applied and the tables
/// whose rows changed.
pub(crate) fn apply_inbox(conn: &Connection, fts: &mut FtsBatch) -> Result<(u32, BTreeSet<&'static str>)> {
    let kept: Vec<(i64, i64, String)> = conn
        .prepare("SELECT rowid, tx, record FROM sync_inbox ORDER BY rowid")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<std::result::Result<_, _>>()?;
    let mut touched: Vec<(&'static Table, String)> = Vec::new();
    let mut applied = 0;
    for (rowid, tx, json) in kept {
        let Ok(r) = serde_json::from_str::<RemoteRecord>(&json) else { continue };
        let Some(t) = registry::by_name(&r.table) else { continue };
        let known = match &r.op {
            RecordOp::Set { column, .. } => t.column_code(column).is_some(),
            _ => true,
        };
        if !known {
            continue;
        }
        let mut out = Outcome::default();
        store(conn, tx, t, &r, &mut out, &mut Defaults::new())?;
        conn.execute("DELETE FROM sync_inbox WHERE rowid = ?", [rowid])?;
        touched.push((t, r.row_id.clone()));
        applied += 1;
    }
    let tables = if applied > 0 { settle_all(conn, touched, fts)? } else { BTreeSet::new() };
    Ok((applied, tables))
}
