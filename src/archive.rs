//! The whole workspace in one archive (a zip): `manifest.json` (format, schema version, row counts)
//! and one JSON-lines file per table under `tables/`, with `attachments/` reserved for files.
//! `attachments/` holds the files the threads name (`files`: one entry per content hash, checked
//! against its name when read back). Imported into an empty workspace of the same schema version
//! it gives back every row of every table as it was, change history included, and every file;
//! the search indexes are rebuilt, not copied.

use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::path::Path;

/// Tables of the schema that an archive leaves out: this device's own (`meta`: its device id,
/// current user, backups), the write context (`write_ctx`, empty between writes), the migrations
/// ledger (`_sqlx_migrations`: the schema comes from this build's migrations) and the search
/// indexes derived from the data (`customer_keys`, `customer_tags`; the FTS5 tables are virtual,
/// with shadow tables, and never listed). Rebuilt on import. Every other table is archived: the
/// list comes from the schema ([`tables`]), so a table a migration adds is never forgotten.
/// The change log's dictionary (`change_tables`, `change_columns`) comes from the migrations too;
/// `customer_counts` is kept by its triggers (which stay on while an archive is read), and
/// `report_chunks` by its (the reports build its chunks again).
pub const LOCAL_TABLES: &[&str] = &[
    "meta",
    "write_ctx",
    "_sqlx_migrations",
    "customer_keys",
    "customer_tags",
    "customer_counts",
    "customer_activity",
    "change_tables",
    "change_columns",
    "care_notified",
    "sync_parts",
    "report_chunks",
];

/// The last schema whose change log had the first format (one record per column, names as
/// text): its archives are read too, their records converted as migration 0006 converts a
/// workspace (the same SQL, taken from the migration).
const V1_LOG_SCHEMA: i64 = 5;

/// The shared tables that are not tracked, with the migration that added each (a tracked
/// table's is in the registry): the merge's records kept for a newer build and rows waiting for
/// their parent (migration 0014).
const UNTRACKED_SINCE: &[(&str, i64)] = &[("sync_inbox", 14), ("sync_waiting", 14)];

/// The shared tables an archive of `schema` holds, of this app's `names`.
fn tables_of_schema(names: &[String], schema: i64) -> Vec<String> {
    let since = |t: &str| {
        tend_sync::registry::by_name(t)
            .map(|r| r.since)
            .or_else(|| UNTRACKED_SINCE.iter().find(|(n, _)| *n == t).map(|(_, v)| *v))
            .unwrap_or(0)
    };
    names.iter().filter(|t| since(t) <= schema).cloned().collect()
}

fn v1_conversion() -> Result<&'static str> {
    let sql = include_str!("../migrations/0006_change_log_v2.sql");
    match (sql.find("-- BEGIN convert v1"), sql.find("-- END convert v1")) {
        (Some(start), Some(end)) if start < end => Ok(&sql[start..end]),
        _ => Err(archive_error("archive.schema_mismatch", "migration 0006 has no conversion section")),
    }
}

/// The tables an archive holds, read from the schema: every ordinary table but [`LOCAL_TABLES`]
/// and SQLite's own, by name. Foreign keys are checked at commit on import, so order is free.
pub fn tables(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'
         ORDER BY name",
    )?;
    let all = st.query_map([], |r| r.get::<_, String>(0))?.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(all.into_iter().filter(|t| !LOCAL_TABLES.contains(&t.as_str())).collect())
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Manifest {
    /// "tend-workspace"
    pub format: String,
    #[specta(type = i32)]
    pub format_version: i64,
    #[specta(type = i32)]
    pub schema_version: i64,
    #[specta(type = i32)]
    pub exported_at: i64,
    /// table -> rows
    #[specta(type = BTreeMap<String, i32>)]
    pub tables: BTreeMap<String, u64>,
    pub attachments: Vec<String>,
}

fn archive_error(key: &str, detail: impl Into<String>) -> Error {
    Error::Validation(vec![FieldError::new("archive", key).with("detail", detail)])
}

fn zip_err(e: zip::result::ZipError) -> Error {
    archive_error("archive.unreadable", e.to_string())
}

fn to_json(v: Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => serde_json::Value::from(i),
        Value::Real(f) => serde_json::Value::from(f),
        Value::Text(s) => serde_json::Value::from(s),
        // no table has blobs today; kept exact all the same
        Value::Blob(b) => serde_json::json!({ "$blob": b.iter().map(|x| format!("{x:02x}")).collect::<String>() }),
    }
}

fn from_json(v: &serde_json::Value) -> Result<Value> {
    Ok(match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Integer(i64::from(*b)),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Value::Text(s.clone()),
        serde_json::Value::Object(o) => match o.get("$blob").and_then(|b| b.as_str()) {
            Some(hex) => Value::Blob(
                (0..hex.len() / 2)
                    .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
                    .collect::<std::result::Result<Vec<u8>, _>>()
                    .map_err(|e| archive_error("archive.bad_value", e.to_string()))?,
            ),
            None => return Err(archive_error("archive.bad_value", v.to_string())),
        },
        serde_json::Value::Array(_) => return Err(archive_error("archive.bad_value", v.to_string())),
    })
}

fn columns(conn: &rusqlite::Connection, table: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"))?;
    let cols = st.query_map([], |r| r.get::<_, String>(0))?.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(cols)
}

fn export(db: &Path, dest: &Path, now: i64) -> Result<Manifest> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    // one read transaction: every table from the same moment
    conn.execute_batch("BEGIN")?;
    let tmp = dest.with_extension("partial");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&tmp)?);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut tables = BTreeMap::new();
    for table in &self::tables(&conn)? {
        let cols = columns(&conn, table)?;
        zip.start_file(format!("tables/{table}.jsonl"), opts).map_err(zip_err)?;
        let mut st = conn.prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))?;
        let mut rows = st.query([])?;
        let mut n = 0u64;
        while let Some(r) = rows.next()? {
            let mut obj = serde_json::Map::new();
            for (i, c) in cols.iter().enumerate() {
                obj.insert(c.clone(), to_json(r.get::<_, Value>(i)?));
            }
            serde_json::to_writer(&mut zip, &obj)?;
            zip.write_all(b"\n")?;
            n += 1;
        }
        tables.insert(table.clone(), n);
    }
    // the files the threads name, as they are in the folder (one the device never received is
    // left out: the manifest lists those it holds); pictures and video are compressed already
    let folder = crate::files::folder(db);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
    zip.add_directory("attachments/", opts).map_err(zip_err)?;
    let mut attachments = Vec::new();
    for hash in attachment_hashes(&conn)? {
        let Ok(path) = crate::files::path_of(&folder, &hash) else { continue };
        let mut file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        zip.start_file(format!("attachments/{hash}"), stored).map_err(zip_err)?;
        std::io::copy(&mut file, &mut zip)?;
        attachments.push(hash);
    }
    let manifest = Manifest {
        format: "tend-workspace".into(),
        format_version: 1,
        schema_version: Workspace::schema_version(),
        exported_at: now,
        tables,
        attachments,
    };
    zip.start_file("manifest.json", opts).map_err(zip_err)?;
    serde_json::to_writer_pretty(&mut zip, &manifest)?;
    zip.finish().map_err(zip_err)?;
    std::fs::rename(&tmp, dest)?;
    Ok(manifest)
}

/// The content hashes the thread messages name (a list that cannot be read names none).
fn attachment_hashes(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let has = conn.query_row("SELECT COUNT(*) FROM pragma_table_list WHERE name = 'ticket_messages'", [], |r| {
        r.get::<_, i64>(0)
    })?;
    if has == 0 {
        return Ok(Vec::new());
    }
    let mut st = conn.prepare(
        "SELECT DISTINCT j.value ->> 'hash' FROM ticket_messages m, json_each(m.attachments) j
         WHERE m.attachments IS NOT NULL AND json_valid(m.attachments) ORDER BY 1",
    )?;
    let hashes = st.query_map([], |r| r.get::<_, Option<String>>(0))?.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(hashes.into_iter().flatten().filter(|h| crate::files::is_hash(h)).collect())
}

fn import(db: &Path, src: &Path) -> Result<Manifest> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(src)?).map_err(zip_err)?;
    let manifest: Manifest = {
        let mut text = String::new();
        zip.by_name("manifest.json").map_err(zip_err)?.read_to_string(&mut text)?;
        serde_json::from_str(&text).map_err(|e| archive_error("archive.unreadable", e.to_string()))?
    };
    if manifest.format != "tend-workspace" || manifest.format_version != 1 {
        return Err(archive_error(
            "archive.unknown_format",
            format!("{} {}", manifest.format, manifest.format_version),
        ));
    }
    let v1_log = manifest.schema_version == V1_LOG_SCHEMA;
    if manifest.schema_version < V1_LOG_SCHEMA || manifest.schema_version > Workspace::schema_version() {
        return Err(archive_error(
            "archive.schema_mismatch",
            format!("archive {}, this app {}", manifest.schema_version, Workspace::schema_version()),
        ));
    }
    let conn = crate::db::raw_open(db)?;
    // only into an empty workspace: nothing but the stages every new workspace starts with
    let used: i64 = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM customers) + (SELECT COUNT(*) FROM staff) + (SELECT COUNT(*) FROM txs)
              + (SELECT COUNT(*) FROM custom_fields)",
        [],
        |r| r.get(0),
    )?;
    if used > 0 {
        return Err(archive_error("archive.not_empty", db.display().to_string()));
    }
    let names = tables_of_schema(&tables(&conn)?, manifest.schema_version);
    if !names.iter().eq(manifest.tables.keys()) {
        return Err(archive_error(
            "archive.schema_mismatch",
            format!("archive tables {:?}, this app {names:?}", manifest.tables.keys().collect::<Vec<_>>()),
        ));
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let res = (|| -> Result<()> {
        // rows arrive table by table: references are checked once all are in (at commit)
        conn.execute_batch("PRAGMA defer_foreign_keys = ON")?;
        // The archive holds the change records themselves: the triggers must not add new ones.
        // DDL is transactional, so they come back at commit (or stay on rollback).
        let mut st = conn.prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_changes\\_%' ESCAPE '\\'",
        )?;
        let triggers = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        drop(st);
        for (name, _) in &triggers {
            conn.execute_batch(&format!("DROP TRIGGER {name}"))?;
        }
        conn.execute_batch("DELETE FROM stages")?;
        // an archive from before the pipeline keeps the built-in deal stages this schema adds
        if names.iter().any(|n| n == "deal_stages") {
            conn.execute_batch("DELETE FROM deal_stages")?;
        }
        if v1_log {
            conn.execute_batch(
                "CREATE TABLE changes_v1 (tx INTEGER NOT NULL, tbl TEXT NOT NULL, row_id TEXT NOT NULL,
                 entity_id TEXT NOT NULL, col TEXT NOT NULL, value ANY) STRICT",
            )?;
        }
        for table in &names {
            // an old archive's change records go to the old table, converted below
            let into = if v1_log && table == "changes" { "changes_v1" } else { table.as_str() };
            let cols = columns(&conn, into)?;
            let mut entry = zip.by_name(&format!("tables/{table}.jsonl")).map_err(zip_err)?;
            let reader = std::io::BufReader::new(&mut entry);
            let sql = format!(
                "INSERT INTO {into} ({}) VALUES ({})",
                cols.join(", "),
                cols.iter().map(|_| "?").collect::<Vec<_>>().join(", ")
            );
            let mut ins = conn.prepare(&sql)?;
            let mut n = 0u64;
            for (i, line) in reader.lines().enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line)
                    .map_err(|e| archive_error("archive.bad_row", format!("{table} line {}: {e}", i + 1)))?;
                let values = cols
                    .iter()
                    .map(|c| from_json(obj.get(c).unwrap_or(&serde_json::Value::Null)))
                    .collect::<Result<Vec<Value>>>()?;
                ins.execute(rusqlite::params_from_iter(values.iter()))?;
                n += 1;
            }
            if manifest.tables.get(table).copied().unwrap_or(0) != n {
                return Err(archive_error("archive.count_mismatch", format!("{table}: {n} rows")));
            }
        }
        if v1_log {
            conn.execute_batch(v1_conversion()?)?;
        }
        for (_, sql) in &triggers {
            conn.execute_batch(sql)?;
        }
        // before migration 0014, each device stamped `updated_at` with its own time
        if manifest.schema_version < 14 {
            conn.execute_batch(&crate::changelog::triggers::updated_at_from_log())?;
        }
        // the search indexes, from the data
        let mut fts = crate::customers::write::FtsBatch::default();
        let seqs: Vec<i64> = conn
            .prepare("SELECT seq FROM customers WHERE deleted_at IS NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        for seq in seqs {
            crate::customers::write::reindex(&conn, seq, &mut fts)?;
        }
        fts.flush(&conn)?;
        Ok(())
    })();
    // the files, each checked against its name; taken out again if the rows are not kept
    let mut files = crate::files::Stored::none();
    let res = res.and_then(|()| {
        let folder = crate::files::folder(db);
        for hash in &manifest.attachments {
            if !crate::files::is_hash(hash) {
                return Err(archive_error("archive.bad_attachment", hash.clone()));
            }
            let mut entry = zip.by_name(&format!("attachments/{hash}")).map_err(zip_err)?;
            match crate::files::receive(&folder, hash, &mut entry) {
                Ok(Some(path)) => files.add(path),
                Ok(None) => {}
                Err(Error::Validation(_)) => return Err(archive_error("archive.bad_attachment", hash.clone())),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    });
    // a reference left dangling fails the commit: nothing is written then either
    match res.and_then(|()| Ok(conn.execute_batch("COMMIT")?)) {
        Ok(()) => {
            files.keep();
            Ok(manifest)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

impl Workspace {
    /// Writes the whole workspace to one archive at `dest`.
    pub async fn export_workspace(&self, dest: &Path) -> Result<Manifest> {
        let db = self.path().to_path_buf();
        let d = dest.to_path_buf();
        let now = self.now_ms();
        crate::blocking("export", move || export(&db, &d, now)).await
    }

    /// Fills this (empty) workspace from an archive, in one transaction.
    pub async fn import_workspace(&self, src: &Path) -> Result<Manifest> {
        self.ready_to_write().await?;
        // Other writers wait; the next write's clock goes on from the newest change it brought.
        let _hlc = self.clock_lock().await;
        let db = self.path().to_path_buf();
        let s = src.to_path_buf();
        let mut long = self.long_write_guard(crate::writers::LongWrite::Archive);
        crate::blocking("import", move || {
            long.lock_file(&db)?;
            import(&db, &s)
        })
        .await
    }
}
