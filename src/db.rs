//! Storage: connection options, migrations with the newer-version guard, and the write path.

use crate::error::{Error, Result};
use crate::Workspace;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::path::Path;
use std::time::Duration;

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The most the WAL keeps on disk once checkpointed (64 MiB): without it, one import of a million
/// rows leaves a WAL as big as the workspace beside it for good.
const JOURNAL_SIZE_LIMIT: &str = "67108864";

pub(crate) async fn connect(path: &Path) -> Result<SqlitePool> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(crate::writers::BUSY_TIMEOUT)
        .pragma("cache_size", "-32000")
        .pragma("temp_store", "memory")
        // a big import or demo grows the WAL to its size; the next checkpoint cuts it back
        .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT);
    // No minimum and no idle or lifetime limits: sqlx then runs no maintenance task, which could
    // open a connection while the pool closes; that late connection, closing last, would take the
    // WAL away from under whoever renames the files next (a restore). The connection opened here
    // stays open until the workspace closes.
    Ok(SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(0)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(opts)
        .await?)
}

/// Refuses a database whose newest migration this build does not know, reading it through a
/// read-only connection before anything opens it for writing (DESIGN rule 9).
/// Returns the newest migration the file has (None for a new or empty file).
pub(crate) fn refuse_newer(path: &Path) -> Result<Option<i64>> {
    if !path.exists() || std::fs::metadata(path)?.len() == 0 {
        return Ok(None);
    }
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
        [],
        |r| r.get(0),
    )?;
    if has_table {
        let db_version: Option<i64> = conn.query_row("SELECT MAX(version) FROM _sqlx_migrations", [], |r| r.get(0))?;
        let known = Workspace::schema_version();
        if let Some(v) = db_version.filter(|v| *v > known) {
            return Err(Error::NewerDatabase { db_version: v, app_version: known });
        }
        return Ok(db_version);
    }
    Ok(None)
}

/// Applies the embedded migrations, refusing a database that has a newer one (DESIGN rule 9).
pub(crate) async fn migrate(pool: &SqlitePool) -> Result<()> {
    let has_table: Option<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_optional(pool)
            .await?;
    let known = Workspace::schema_version();
    if has_table.is_some() {
        let db_version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(pool).await?;
        if let Some(v) = db_version {
            if v > known {
                return Err(Error::NewerDatabase { db_version: v, app_version: known });
            }
        }
    }
    MIGRATOR.run(pool).await?;
    Ok(())
}

pub(crate) async fn device_id(pool: &SqlitePool) -> Result<String> {
    if let Some(id) = meta_get(pool, "device_id").await? {
        return Ok(id);
    }
    let id = format!("{:016x}", rand::random::<u64>());
    sqlx::query("INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?)").bind(&id).execute(pool).await?;
    Ok(meta_get(pool, "device_id").await?.unwrap_or(id))
}

/// Device-local values (not shared, not tracked): device id, current staff, language.
pub(crate) async fn meta_get(pool: &SqlitePool, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?").bind(key).fetch_optional(pool).await?)
}

pub(crate) async fn meta_set(pool: &SqlitePool, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) => {
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(v)
            .execute(pool)
            .await?
        }
        None => sqlx::query("DELETE FROM meta WHERE key = ?").bind(key).execute(pool).await?,
    };
    Ok(())
}

/// One write transaction with its change context. Obtain with [`Workspace::write`]; everything
/// executed on [`WriteTx::conn`] is recorded by the triggers under this transaction's HLC, actor
/// and device. Dropping it without [`WriteTx::commit`] rolls everything back.
pub struct WriteTx<'a> {
    tx: Transaction<'static, Sqlite>,
    _guard: tokio::sync::MutexGuard<'a, crate::clock::Hlc>,
    /// When this write happened (UTC ms).
    pub now: i64,
    /// The `txs` row of this write.
    pub tx_id: i64,
    /// Keep the `txs` row even when nothing was recorded (another device's transaction: its
    /// clock says it is here).
    keep: bool,
}

impl WriteTx<'_> {
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    /// This device's clock, held for the write (a remote write takes the remote clocks in).
    pub(crate) fn clock(&mut self) -> &mut crate::clock::Hlc {
        &mut self._guard
    }

    /// Tombstones one live row (`deleted_at = now`) of `table`; NotFound when there is none.
    pub(crate) async fn tombstone(&mut self, table: &'static str, entity: &'static str, id: &str) -> Result<()> {
        let n = sqlx::query(&format!("UPDATE {table} SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL"))
            .bind(self.now)
            .bind(id)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(Error::not_found(entity, id));
        }
        Ok(())
    }

    /// Commits. A write that recorded no change (a save of what was already stored) leaves no
    /// `txs` row behind: the log only holds transactions that changed something (an import, and
    /// an import's undo even when it set nothing back, keep theirs: `imports` names them).
    pub async fn commit(mut self) -> Result<()> {
        if !self.keep {
            self.agent_may().await?;
            sqlx::query(
                "DELETE FROM txs WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM changes WHERE tx = ?1) \
             AND NOT EXISTS (SELECT 1 FROM imports WHERE tx = ?1 OR undo_tx = ?1)",
            )
            .bind(self.tx_id)
            .execute(&mut *self.tx)
            .await?;
        }
        sqlx::query("DELETE FROM write_ctx").execute(&mut *self.tx).await?;
        self.tx.commit().await?;
        Ok(())
    }
}

impl WriteTx<'_> {
    /// On a device that is an agent of a shared workspace, refuses a write that changes a
    /// workspace setting or purges (`tend_sync::access`, the rule the server applies): nothing
    /// is written.
    async fn agent_may(&mut self) -> Result<()> {
        let role: Option<String> = sqlx::query_scalar("SELECT value ->> '$.role' FROM meta WHERE key = 'sync.link'")
            .fetch_optional(&mut *self.tx)
            .await?
            .flatten();
        if role.as_deref() != Some("agent") {
            return Ok(());
        }
        let codes: Vec<String> = tend_sync::TABLES.iter().filter(|t| t.settings).map(|t| t.code.to_string()).collect();
        let sql = format!(
            "SELECT t.name, c.col FROM changes c JOIN change_tables t ON t.code = c.tbl
             WHERE c.tx = ?1 AND (c.col = -1 OR c.tbl IN ({})) LIMIT 1",
            codes.join(", ")
        );
        let hit: Option<(String, i64)> = sqlx::query_as(&sql).bind(self.tx_id).fetch_optional(&mut *self.tx).await?;
        match hit {
            None => Ok(()),
            Some((table, col)) => Err(Error::Sync {
                key: if col == -1 { "sync.agent_purge" } else { "sync.agent_settings" },
                detail: format!("an agent does not change {table} of a shared workspace; an owner or a manager does"),
                device: None,
            }),
        }
    }
}

/// Whose write a transaction is: the change context every write sets up (in `write_ctx`, which
/// the triggers read), the same for all of them.
pub(crate) enum Origin {
    /// This device's: a new clock past the newest in the file, the current staff, this device.
    Local,
    /// Records stored as they came, under the transactions they came in (other devices', or kept
    /// earlier for this build): the triggers record nothing (`replay`) and no `txs` row is made.
    Replay,
}

impl Workspace {
    /// Starts the one write path: serialises writers (this process's and, through
    /// `BEGIN IMMEDIATE`, every other's), stamps a new HLC past the newest one in the file, the
    /// actor and the device. Refused once the workspace is found damaged.
    pub async fn write(&self) -> Result<WriteTx<'_>> {
        self.begin_write(Origin::Local).await
    }

    /// The change context of a write of either origin: its `txs` row (none for
    /// [`Origin::Replay`]) and `write_ctx`.
    pub(crate) async fn begin_write(&self, origin: Origin) -> Result<WriteTx<'_>> {
        self.ready_to_write().await?;
        let mut guard = self.clock_lock().await;
        let now = self.now_ms();
        let mut tx = self.begin_immediate().await?;
        if let Origin::Replay = origin {
            sqlx::query("INSERT INTO write_ctx (one, tx, replay) VALUES (1, 0, 1)").execute(&mut *tx).await?;
            return Ok(WriteTx { tx, _guard: guard, now, tx_id: 0, keep: true });
        }
        let actor = meta_get(&self.pool, "current_staff").await?;
        let last: Option<String> =
            sqlx::query_scalar("SELECT hlc FROM txs ORDER BY hlc DESC LIMIT 1").fetch_optional(&mut *tx).await?;
        if let Some(last) = last {
            guard.observe(&last);
        }
        let hlc = guard.tick(now, &self.device);
        let tx_id: i64 =
            sqlx::query_scalar("INSERT INTO txs (hlc, at_ms, actor, device) VALUES (?, ?, ?, ?) RETURNING id")
                .bind(&hlc)
                .bind(now)
                .bind(&actor)
                .bind(&self.device)
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query("INSERT INTO write_ctx (one, tx, replay) VALUES (1, ?, 0)").bind(tx_id).execute(&mut *tx).await?;
        Ok(WriteTx { tx, _guard: guard, now, tx_id, keep: false })
    }
}

/// A rusqlite connection for bulk writes (imports, the demo): the same pragmas as the pool.
pub(crate) fn raw_open(path: &Path) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(crate::writers::BUSY_TIMEOUT)?;
    // statement journals (every insert with change triggers opens one) stay in memory
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -200000; PRAGMA temp_store = MEMORY;",
    )?;
    conn.execute_batch(&format!("PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT};"))?;
    Ok(conn)
}

/// Begins a write transaction on a rusqlite connection with the same change context as
/// [`Workspace::write`] (the caller holds the HLC lock): the clock goes past the newest one in
/// the file first. Returns the `txs` id.
pub(crate) fn raw_begin(
    conn: &rusqlite::Connection,
    hlc: &mut crate::clock::Hlc,
    now: i64,
    device: &str,
    actor: Option<&str>,
) -> Result<i64> {
    let db = conn.path().map(std::path::PathBuf::from).unwrap_or_default();
    crate::writers::raw_begin_immediate(conn, &db)?;
    let stamped = (|| -> Result<i64> {
        use rusqlite::OptionalExtension;
        let last: Option<String> =
            conn.query_row("SELECT hlc FROM txs ORDER BY hlc DESC LIMIT 1", [], |r| r.get(0)).optional()?;
        if let Some(last) = last {
            hlc.observe(&last);
        }
        conn.execute("INSERT INTO write_ctx (one, tx) VALUES (1, 0)", [])?;
        raw_next_tx(conn, hlc, now, device, actor)
    })();
    if stamped.is_err() {
        raw_rollback(conn);
    }
    stamped
}

/// Within a transaction begun by [`raw_begin`], starts the next write of the change log: a new
/// `txs` row (a later clock, its own actor) that the records from here on belong to.
pub(crate) fn raw_next_tx(
    conn: &rusqlite::Connection,
    hlc: &mut crate::clock::Hlc,
    now: i64,
    device: &str,
    actor: Option<&str>,
) -> Result<i64> {
    let h = hlc.tick(now, device);
    conn.execute(
        "INSERT INTO txs (hlc, at_ms, actor, device) VALUES (?, ?, ?, ?)",
        rusqlite::params![h, now, actor, device],
    )?;
    let tx = conn.last_insert_rowid();
    conn.execute("UPDATE write_ctx SET tx = ?", [tx])?;
    Ok(tx)
}

pub(crate) fn raw_commit(conn: &rusqlite::Connection) -> Result<()> {
    conn.execute_batch("DELETE FROM write_ctx; COMMIT")?;
    Ok(())
}

pub(crate) fn raw_rollback(conn: &rusqlite::Connection) {
    // Nothing to do when the transaction is already gone; the connection closing also rolls back.
    let _ = conn.execute_batch("ROLLBACK");
}

/// A new UUIDv7 id (DESIGN rule 2).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A read-only rusqlite connection of its own (the readers', or a long read's off the runtime).
pub(crate) fn open_reader(path: &Path) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA cache_size = -32000; PRAGMA query_only = ON;")?;
    crate::fold::register_fold(&conn)?;
    Ok(conn)
}

/// A few read-only rusqlite connections for latency-critical reads (search, list pages): its
/// synchronous API answers a sub-millisecond query without the async pool's round trips.
pub(crate) struct Readers {
    path: std::path::PathBuf,
    idle: std::sync::Mutex<Vec<rusqlite::Connection>>,
}

impl Readers {
    pub(crate) fn new(path: &Path) -> Readers {
        Readers { path: path.to_path_buf(), idle: std::sync::Mutex::new(Vec::new()) }
    }

    fn open(&self) -> Result<rusqlite::Connection> {
        open_reader(&self.path)
    }

    /// Closes the idle read connections (when the workspace closes).
    pub(crate) fn close(&self) {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// An idle read connection taken out (for work off the async runtime); back with
    /// [`Readers::give`].
    pub(crate) fn take(&self) -> Result<rusqlite::Connection> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match idle {
            Some(c) => Ok(c),
            None => self.open(),
        }
    }

    pub(crate) fn give(&self, conn: rusqlite::Connection) {
        let mut pool = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < 4 {
            pool.push(conn);
        }
    }

    /// Runs `f` on an idle read connection (opening one if none is idle).
    pub(crate) fn with<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        let mut pool = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < 4 {
            pool.push(conn);
        }
        out
    }
}

impl Workspace {
    pub(crate) fn readers(&self) -> &Readers {
        &self.readers
    }
}
