//! Tend core: the workspace (one SQLite file), its services, and the rules of DESIGN.md.
//!
//! `Workspace::open(path)` returns a migrated, ready handle. Every write goes through
//! [`Workspace::write`], which opens the change context the schema's triggers require, so no code
//! path can change shared data without leaving change records (DESIGN rule 1).

/// A string-valued enum: serde/specta in snake_case, `as_str`, `parse`, `ALL`.
macro_rules! str_enum {
    ($name:ident { $($v:ident = $s:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s),+ } }
            pub fn parse(s: &str) -> Option<$name> { match s { $($s => Some($name::$v),)+ _ => None } }
        }
    };
}

pub mod archive;
pub mod backup;
pub mod calendar;
pub mod care;
pub mod changelog;
pub mod clock;
pub mod customers;
pub mod deals;
pub mod demo;
pub mod duplicates;
pub mod error;
pub mod export;
pub mod files;
pub mod fold;
pub mod format;
pub mod history;
pub mod import;
pub mod integrity;
pub mod interactions;
pub mod messages;
pub mod placeholders;
pub mod release_notes;
pub mod remote;
pub mod reports;
pub mod schedule;
pub mod search;
pub mod segments;
pub mod settings;
pub mod staff;
pub mod sync;
pub mod tickets;
pub mod undo;
pub mod validate;
pub mod writers;

mod db;

pub use clock::{Clock, FixedClock, SystemClock};
pub use db::WriteTx;
pub use error::{Error, ErrorPayload, FieldError, Result};

use sqlx::sqlite::SqlitePool;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An open workspace. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct Workspace {
    pool: SqlitePool,
    path: PathBuf,
    device: String,
    clock: Arc<dyn Clock>,
    /// Serialises this process's writers; each write also advances it past the newest clock in
    /// the file (other processes write it too), inside its transaction.
    hlc: tokio::sync::Mutex<clock::Hlc>,
    readers: db::Readers,
    /// Damage found while open: every write is refused from then on.
    damaged: std::sync::Mutex<Option<String>>,
    /// The long write (import, demo, archive) under way in this process.
    long_write: Arc<std::sync::Mutex<Option<writers::LongWrite>>>,
    wait_hook: std::sync::Mutex<Option<writers::WaitHook>>,
    _open_here: integrity::OpenHere,
    check_before_writes: std::sync::Mutex<Option<integrity::CheckNotice>>,
    checked_for_writes: tokio::sync::OnceCell<()>,
    /// Applies of other devices' changes, for whoever shows the data ([`Workspace::watch_changes`]).
    changed: tokio::sync::broadcast::Sender<remote::WorkspaceChanged>,
    /// One sync round at a time in this process (the app's loop and a snapshot's round share
    /// the push and pull places in `meta`).
    sync_round: tokio::sync::Mutex<()>,
}

impl Workspace {
    /// Creates or opens the workspace at `path` with the wall clock.
    pub async fn open(path: impl AsRef<Path>) -> Result<Workspace> {
        Self::open_with_clock(path, Arc::new(SystemClock)).await
    }

    /// Creates or opens the workspace at `path`: WAL, foreign keys, busy timeout, migrations.
    /// A database written by a newer version is refused before anything is touched.
    pub async fn open_with_clock(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Workspace> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        // A damaged file is never written to: say so before anything opens it for writing.
        if let Some(detail) = integrity::damage_mark(&path) {
            return Err(Error::Damaged { detail });
        }
        if let Some(detail) = integrity::header_problem(&path) {
            integrity::mark(&path, &detail);
            return Err(Error::Damaged { detail });
        }
        if path.exists() && std::fs::metadata(&path)?.len() <= integrity::CHECK_ON_OPEN_MAX {
            let report = integrity::check_file(&path, false)?;
            if !report.ok {
                let detail = report.problems.join("; ");
                integrity::mark(&path, &detail);
                return Err(Error::Damaged { detail });
            }
        }
        let version = db::refuse_newer(&path)?;
        // Before a migration changes an existing workspace, keep a copy of it as it was.
        if version.is_some_and(|v| v < Self::schema_version()) {
            let name = backup::file_name_for(&path, clock.now_ms(), backup::BackupReason::PreMigration);
            backup::copy_checked(&path, &backup::backup_dir(&path).join(name))?;
        }
        let pool = db::connect(&path).await?;
        db::migrate(&pool).await?;
        let device = db::device_id(&pool).await?;
        let readers = db::Readers::new(&path);
        let open_here = integrity::OpenHere::new(&path);
        let ws = Workspace {
            pool,
            path,
            device,
            clock,
            hlc: tokio::sync::Mutex::new(clock::Hlc::default()),
            readers,
            damaged: std::sync::Mutex::new(None),
            long_write: Arc::new(std::sync::Mutex::new(None)),
            wait_hook: std::sync::Mutex::new(None),
            _open_here: open_here,
            check_before_writes: std::sync::Mutex::new(None),
            checked_for_writes: tokio::sync::OnceCell::new(),
            changed: tokio::sync::broadcast::channel(64).0,
            sync_round: tokio::sync::Mutex::new(()),
        };
        // what an older build kept for this one (records of tables or columns it did not know)
        ws.apply_inbox().await?;
        Ok(ws)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This copy's random device id (stamped on every change record).
    pub fn device(&self) -> &str {
        &self.device
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The clock this workspace was opened with (the wall clock, or a test's).
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The newest schema version this build knows.
    pub fn schema_version() -> i64 {
        db::MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(self) {
        self.close_pool().await;
    }

    /// Puts `file` (a whole workspace of this schema, in WAL mode and on the disk) in place of
    /// this one's, and opens it as this workspace. What this one held goes: only a workspace
    /// with nothing to keep is replaced so (a join's empty one).
    pub(crate) async fn replace_file(&mut self, file: &Path) -> Result<()> {
        let (path, clock) = (self.path.clone(), self.clock.clone());
        self.close_pool().await;
        if self.pool.size() > 0 {
            return Err(Error::Interrupted {
                task: "replace",
                detail: "a connection to the workspace stayed open".into(),
            });
        }
        // nothing has the file open here: its log and index go with it
        for side in ["-wal", "-shm", "-journal"] {
            match std::fs::remove_file(format!("{}{side}", path.display())) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        std::fs::rename(file, &path)?;
        #[cfg(unix)]
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        let opened = Workspace::open_with_clock(&path, clock).await?;
        // who hears of waits and checks hears of them from the new one too
        fn take<T>(m: &mut std::sync::Mutex<Option<T>>) -> Option<T> {
            m.get_mut().unwrap_or_else(|p| p.into_inner()).take()
        }
        *opened.wait_hook.lock().unwrap_or_else(|p| p.into_inner()) = take(&mut self.wait_hook);
        *opened.check_before_writes.lock().unwrap_or_else(|p| p.into_inner()) = take(&mut self.check_before_writes);
        *self = opened;
        Ok(())
    }

    async fn close_pool(&self) {
        // the read connections go first: the last connection to close checkpoints the WAL into
        // the file, and a read-only one cannot
        self.readers.close();
        self.pool.close().await;
        // a connection on its way back to the pool as it closes (dropped by the last query, its
        // return not run yet) misses that close and stays open, keeping the WAL beside the file:
        // let it come back and close again until none is left (waiting a second at most)
        for _ in 0..50 {
            if self.pool.size() == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            self.pool.close().await;
        }
    }
}

/// The app's identifier: its data folder name on every OS.
pub const APP_IDENTIFIER: &str = "vn.tend.app";

/// The workspace file the desktop app and the CLI open by default: `$TEND_DB` if set, else
/// `<OS data dir>/vn.tend.app/workspace.tend` (the same folder Tauri's app_data_dir gives).
pub fn default_workspace_path() -> PathBuf {
    if let Some(p) = std::env::var_os("TEND_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(APP_IDENTIFIER).join("workspace.tend")
}

/// Runs blocking file or database work (rusqlite, file parsing) off the async runtime; a panic
/// in it becomes an error naming `what` rather than taking the caller down.
pub(crate) async fn blocking<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Interrupted { task: what, detail: e.to_string() })?
}
