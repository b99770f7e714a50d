//! Snapshots of a shared workspace: the first download of a big workspace as a file rather than
//! its whole log. An owner's or manager's device copies its workspace (the online backup, under
//! one read snapshot) when everything it wrote is on the server, leaves out what is its own
//! ([`DEVICE_TABLES`] and `meta`), and uploads it in zstd chunks with its pull cursor: the copy
//! holds everything the log holds up to there (since protocol 3 a device's cursor passes its own
//! transactions too). A joining device of the same schema downloads the newest one, puts its own
//! `meta` in it, and copies it into its empty workspace in one step (SQLite's backup API: the
//! rows, their change log with every field's clock, and the search indexes as they were built),
//! then pulls the log from the snapshot's cursor. Anything else (no snapshot, another schema or a
//! file whose schema is not exactly this build's, a checksum that does not match, a snapshot
//! replaced while it downloaded) joins through the log, as before.
//!
//! A snapshot is trusted as its maker: only owners and managers make them (the server refuses
//! others), as only they may change the workspace's settings.

use super::client::Client;
use super::{stopped, SyncProgress, CURSOR, HISTORY, PUSHED, PUSH_PART};
use crate::error::{Error, Result};
use crate::Workspace;
use serde::Serialize;
use sha2::{Digest, Sha256};
use specta::Type;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tend_sync::wire::{Cursor, SnapshotAnswer, SnapshotDone, SnapshotStart, SnapshotStarted, SNAPSHOT_CHUNK};

/// Tables of a device's own that a snapshot leaves out (emptied in the copy), beside `meta`:
/// what this device has shown, imported or merged (its undo lists), and the write context.
/// Every other table travels: the shared ones, their change log, and what is derived from them
/// (search indexes, counts), which a log download would build the same.
pub const DEVICE_TABLES: &[&str] = &["write_ctx", "care_notified", "imports", "merges"];

/// A managing device makes a new snapshot once this many records were stored after the newest.
pub const SNAPSHOT_AFTER_RECORDS: i64 = 20_000;

/// zstd's level: its fastest that still compresses a workspace to about a third.
const LEVEL: i32 = 1;

/// A snapshot uploaded.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SnapshotMade {
    /// The cursor it holds everything up to.
    #[specta(type = i32)]
    pub seq: i64,
    /// The file's length and what was sent, compressed.
    #[specta(type = i32)]
    pub size: i64,
    #[specta(type = i32)]
    pub bytes: i64,
    pub chunks: u32,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn remove_with_sides(path: &Path) {
    for side in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", path.display()));
    }
}

fn meta_of(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?", [key], |r| r.get(0)).optional()?)
}

/// The maker's copy: the workspace as it is now, nothing of this device's own, and its cursor.
/// Refused when the copy holds a change of this device not yet on the server (a write came
/// between the round and the copy): the next try makes it.
fn copy_for_snapshot(db: &Path, out: &Path, device: &str) -> Result<Cursor> {
    remove_with_sides(out);
    crate::backup::copy_online(db, out)?;
    let res = (|| -> Result<Cursor> {
        let conn = rusqlite::Connection::open(out)?;
        let int = |key: &str| -> Result<i64> { Ok(meta_of(&conn, key)?.and_then(|v| v.parse().ok()).unwrap_or(0)) };
        let (pushed, history) = (int(PUSHED)?, int(HISTORY)?);
        let unsent: i64 = conn.query_row(
            "SELECT COUNT(*) FROM txs WHERE id > ?1 AND (device = ?2 OR id <= ?3)",
            rusqlite::params![pushed, device, history],
            |r| r.get(0),
        )?;
        if unsent > 0 || meta_of(&conn, PUSH_PART)?.is_some() {
            return Err(Error::Sync {
                key: "sync.snapshot_unsent",
                detail: format!("{unsent} changes of this device are not on the server yet"),
                device: None,
            });
        }
        let cursor: Cursor = match meta_of(&conn, CURSOR)? {
            Some(j) => serde_json::from_str(&j)?,
            None => Cursor::default(),
        };
        // what is deleted is overwritten too: none of it travels in free pages
        let mut wipe = String::from("PRAGMA secure_delete = ON; BEGIN; DELETE FROM meta;");
        for t in DEVICE_TABLES {
            wipe.push_str(&format!(" DELETE FROM {t};"));
        }
        wipe.push_str(" COMMIT;");
        conn.execute_batch(&wipe)?;
        Ok(cursor)
    })();
    if res.is_err() {
        remove_with_sides(out);
    }
    res
}

/// Reads the copy's next chunk and compresses it; `None` at its end.
fn next_chunk(file: &mut std::fs::File) -> Result<Option<(Vec<u8>, usize)>> {
    let mut raw = Vec::with_capacity(SNAPSHOT_CHUNK);
    file.take(SNAPSHOT_CHUNK as u64).read_to_end(&mut raw)?;
    if raw.is_empty() {
        return Ok(None);
    }
    Ok(Some((zstd::bulk::compress(&raw, LEVEL)?, raw.len())))
}

/// A database's schema as SQLite keeps it (statistics aside).
fn schema_of(conn: &rusqlite::Connection) -> Result<Vec<(String, String, Option<String>)>> {
    let mut st = conn
        .prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
}

/// The joiner's side, in the downloaded file before it goes in: this device's `meta` (its id,
/// its link, the snapshot's cursor) in place of none, after checking the file is of this
/// build's schema and the workspace it replaces is still empty. The file then takes the
/// workspace's place as it is: written once, in WAL mode as every workspace, and on the disk
/// before it is renamed (no second copy of it through a write-ahead log).
fn prepare(db: &Path, snap: &Path, meta: &[(String, String)], cursor: &str) -> Result<bool> {
    {
        let conn = rusqlite::Connection::open(snap)?;
        let schema: i64 =
            conn.query_row("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = 1", [], |r| {
                r.get(0)
            })?;
        if schema != Workspace::schema_version() {
            return Ok(false);
        }
        // exactly this build's schema, nothing more (a trigger or view of its maker's would come
        // along into the workspace): the same migrations made both
        let main = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        if schema_of(&conn)? != schema_of(&main)? {
            return Ok(false);
        }
        // still empty: nothing written here (by another program) while the snapshot came
        let written: i64 = main.query_row("SELECT COUNT(*) FROM txs", [], |r| r.get(0))?;
        if written > 0 {
            return Err(Error::Sync {
                key: "sync.not_empty",
                detail: format!("this workspace holds {written} changes written while the shared one downloaded"),
                device: None,
            });
        }
        let tx = conn.unchecked_transaction()?;
        tx.execute("DELETE FROM meta", [])?;
        {
            let mut put = tx.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
            for (k, v) in meta {
                put.execute([k, v])?;
            }
            put.execute([CURSOR, cursor])?;
        }
        tx.commit()?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    // the connection closed: its log is in the file and gone
    std::fs::File::open(snap)?.sync_all()?;
    Ok(true)
}

impl Workspace {
    /// Makes a snapshot of this shared workspace and uploads it (owners and managers): one round
    /// first, so everything of this device is on the server and everything there is here.
    pub async fn sync_snapshot(
        &self,
        tokens: &super::TokenStore,
        progress: &(dyn Fn(SyncProgress) + Sync),
    ) -> Result<SnapshotMade> {
        let client = self.linked_manager(tokens, "make snapshots").await?;
        self.sync_round(tokens, &|_| {}, None).await?;
        // a name of its own: the app and the CLI may each make one of the same file
        let out = PathBuf::from(format!("{}.snapshot-{:016x}", self.path().display(), rand::random::<u64>()));
        let (db, o, device) = (self.path().to_path_buf(), out.clone(), self.device().to_string());
        let cursor = crate::blocking("snapshot", move || copy_for_snapshot(&db, &o, &device)).await?;
        let res = self.upload(&client, &out, cursor, progress).await;
        remove_with_sides(&out);
        res
    }

    async fn upload(
        &self,
        client: &Client,
        out: &Path,
        cursor: Cursor,
        progress: &(dyn Fn(SyncProgress) + Sync),
    ) -> Result<SnapshotMade> {
        let seq = cursor.seq;
        let started: SnapshotStarted =
            client.post("/v1/snapshots", &SnapshotStart { schema: Workspace::schema_version(), cursor }).await?;
        let size = std::fs::metadata(out)?.len();
        let mut file = std::fs::File::open(out)?;
        let (mut sha, mut n, mut bytes, mut done) = (Sha256::new(), 0u32, 0i64, 0u64);
        loop {
            let (chunk, f) = crate::blocking("snapshot", move || Ok((next_chunk(&mut file)?, file))).await?;
            file = f;
            let Some((body, raw)) = chunk else { break };
            sha.update(&body);
            bytes += body.len() as i64;
            client.put_bytes(&format!("/v1/snapshots/{}/{n}", started.id), body, "application/zstd").await?;
            n += 1;
            done += raw as u64;
            progress(SyncProgress { phase: "snapshot_upload".into(), done, total: Some(size) });
        }
        let finished = SnapshotDone { chunks: n, size: size as i64, bytes, sha256: hex(&sha.finalize()) };
        let _: serde_json::Value = client.post(&format!("/v1/snapshots/{}/done", started.id), &finished).await?;
        Ok(SnapshotMade { seq, size: size as i64, bytes, chunks: n })
    }

    /// Whether this device should make a new snapshot (owners and managers, once enough was
    /// stored after the newest).
    pub async fn sync_snapshot_due(&self, tokens: &super::TokenStore) -> Result<bool> {
        let (link, client) = self.linked(tokens).await?;
        if !link.role.manages() {
            return Ok(false);
        }
        let answer: SnapshotAnswer = client.get("/v1/snapshot", &[], Duration::ZERO).await?;
        Ok(answer.records_after >= SNAPSHOT_AFTER_RECORDS)
    }

    /// Joining: the newest snapshot of this build's schema restored into this (empty)
    /// workspace, its cursor then this device's. The snapshot's cursor, or `None` when the
    /// device joins through the log (no snapshot, another schema, a checksum that does not
    /// match).
    pub(super) async fn restore_snapshot(
        &mut self,
        client: &Client,
        progress: &(dyn Fn(SyncProgress) + Sync),
        cancel: Option<&AtomicBool>,
    ) -> Result<Option<i64>> {
        let answer: SnapshotAnswer = client.get("/v1/snapshot", &[], Duration::ZERO).await?;
        let Some(info) = answer.snapshot.filter(|s| s.schema == Workspace::schema_version()) else {
            return Ok(None);
        };
        let part = PathBuf::from(format!("{}.snapshot", self.path().display()));
        remove_with_sides(&part);
        // chunks are checked, decompressed and written by a thread of their own while the next
        // downloads; at most two wait
        let (send, mut take) = tokio::sync::mpsc::channel::<Vec<u8>>(2);
        let p = part.clone();
        let writer = tokio::task::spawn_blocking(move || -> Result<(u64, String)> {
            let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&p)?);
            let (mut written, mut sha) = (0u64, Sha256::new());
            while let Some(body) = take.blocking_recv() {
                sha.update(&body);
                let raw = zstd::bulk::decompress(&body, SNAPSHOT_CHUNK)?;
                written += raw.len() as u64;
                file.write_all(&raw)?;
            }
            file.flush()?;
            Ok((written, hex(&sha.finalize())))
        });
        let downloaded = async {
            let mut done = 0u64;
            for n in 0..info.chunks {
                if stopped(cancel) {
                    return Err(Error::Cancelled);
                }
                let body = match client.get_bytes(&format!("/v1/snapshots/{}/{n}", info.id)).await {
                    Ok(b) => b,
                    // a newer snapshot replaced it meanwhile: the log then
                    Err(Error::Sync { key: "sync.not_found", .. }) => return Ok(false),
                    Err(e) => return Err(e),
                };
                done += body.len() as u64;
                // the writer stopped: its error is the one to tell
                if send.send(body).await.is_err() {
                    break;
                }
                let share = done as f64 / info.bytes.max(1) as f64;
                progress(SyncProgress {
                    phase: "snapshot_download".into(),
                    done: (share * info.size as f64) as u64,
                    total: Some(info.size.max(0) as u64),
                });
            }
            Ok(true)
        }
        .await;
        drop(send);
        let written = writer.await.map_err(|e| Error::Interrupted { task: "snapshot", detail: e.to_string() })?;
        let checked = match (downloaded, written) {
            (Err(e), _) => Err(e),
            (Ok(false), _) => Ok(false),
            // a chunk that does not decompress, a checksum or a length that does not match: the log
            (Ok(true), Err(_)) => Ok(false),
            (Ok(true), Ok((w, sha))) => Ok(w == info.size as u64 && sha == info.sha256),
        };
        let restored = match checked {
            Ok(true) => self.put_in_place(&part, &info.cursor).await,
            Ok(false) => Ok(false),
            Err(e) => Err(e),
        };
        remove_with_sides(&part);
        Ok(restored?.then_some(info.cursor.seq))
    }

    /// The checked download takes this (empty) workspace's place, with this device's `meta`,
    /// and opens as it. Other programs wait as for any long write; in this one nothing else can
    /// use the workspace meanwhile (it is borrowed for it).
    async fn put_in_place(&mut self, part: &Path, cursor: &Cursor) -> Result<bool> {
        let meta: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM meta").fetch_all(self.pool()).await?;
        let cursor = serde_json::to_string(cursor)?;
        self.ready_to_write().await?;
        let mut long = self.long_write_guard(crate::writers::LongWrite::Archive);
        let (db, p) = (self.path().to_path_buf(), part.to_path_buf());
        let (ready, long) = crate::blocking("snapshot", move || {
            long.lock_file(&db)?;
            Ok((prepare(&db, &p, &meta, &cursor)?, long))
        })
        .await?;
        if ready {
            self.replace_file(part).await?;
        }
        drop(long);
        Ok(ready)
    }
}
