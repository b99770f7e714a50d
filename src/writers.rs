//! Many writers on one file: the app, CLI scripts, an import in another window. SQLite lets one
//! write transaction run at a time; this module makes the others wait for it instead of failing.
//!
//! A long write (an import, demo data, an archive) holds an OS file lock on `<file>.writing` for
//! as long as it runs; the lock goes with the process, so a crash never leaves it behind. A write
//! that finds the file busy waits for as long as such a lock is held (and says so through the
//! workspace's wait notice: the app shows "will be saved when the import finishes", the CLI
//! prints it); a file busy for another reason fails after the busy timeout with [`Error::Busy`].

use crate::error::{Error, Result};
use crate::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How long a write waits for a writer that is not a long write before it gives up.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A long write under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum LongWrite {
    Import,
    Demo,
    Archive,
}

impl LongWrite {
    fn as_str(self) -> &'static str {
        match self {
            LongWrite::Import => "import",
            LongWrite::Demo => "demo",
            LongWrite::Archive => "archive",
        }
    }
    fn parse(s: &str) -> LongWrite {
        match s.trim() {
            "demo" => LongWrite::Demo,
            "archive" => LongWrite::Archive,
            _ => LongWrite::Import,
        }
    }
}

/// Told to the workspace's wait notice: a write started waiting for a long write, or stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct WaitNotice {
    pub waiting: bool,
    /// What it waits for.
    pub behind: LongWrite,
    /// The long write runs in another program (another window, the CLI).
    pub elsewhere: bool,
}

pub type WaitHook = Arc<dyn Fn(&WaitNotice) + Send + Sync>;

fn lock_path(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.writing", db.display()))
}

/// Held while a long write runs: this workspace's own note (seen by its other writers) and,
/// once [`LongWriteGuard::lock_file`] has it, the file lock (seen by other programs). Dropping it
/// releases both.
pub(crate) struct LongWriteGuard {
    note: Arc<std::sync::Mutex<Option<LongWrite>>>,
    what: LongWrite,
    file: Option<std::fs::File>,
}

impl LongWriteGuard {
    /// Takes the file lock, waiting for another program's long write to end first. Blocking:
    /// call it on the blocking thread that does the write.
    pub(crate) fn lock_file(&mut self, db: &Path) -> Result<()> {
        let mut f =
            std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(lock_path(db))?;
        f.lock()?;
        f.set_len(0)?;
        f.rewind()?;
        f.write_all(self.what.as_str().as_bytes())?;
        self.file = Some(f);
        Ok(())
    }
}

impl Drop for LongWriteGuard {
    fn drop(&mut self) {
        if let Some(f) = self.file.take() {
            let _ = f.unlock();
        }
        *self.note.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// Which long write holds `db`'s lock in another process, if one does.
pub fn long_write_elsewhere(db: &Path) -> Option<LongWrite> {
    let mut f = std::fs::OpenOptions::new().read(true).write(true).open(lock_path(db)).ok()?;
    match f.try_lock() {
        Ok(()) => {
            let _ = f.unlock();
            None
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut s = String::new();
            let _ = f.read_to_string(&mut s);
            Some(LongWrite::parse(&s))
        }
        Err(std::fs::TryLockError::Error(_)) => None,
    }
}

impl Workspace {
    /// Sets what is told when a write has to wait for a long write (and when it stops waiting).
    pub fn set_wait_hook(&self, hook: WaitHook) {
        *self.wait_hook.lock().unwrap_or_else(|p| p.into_inner()) = Some(hook);
    }

    fn tell(&self, notice: WaitNotice) {
        let hook = self.wait_hook.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(h) = hook {
            h(&notice);
        }
    }

    /// The long write under way on this workspace, here or in another program.
    pub fn long_write(&self) -> Option<WaitNotice> {
        let here = *self.long_write.lock().unwrap_or_else(|p| p.into_inner());
        match here {
            Some(behind) => Some(WaitNotice { waiting: true, behind, elsewhere: false }),
            None => {
                long_write_elsewhere(self.path()).map(|behind| WaitNotice { waiting: true, behind, elsewhere: true })
            }
        }
    }

    /// Marks a long write as under way here until the guard drops (the caller holds the clock
    /// lock); the long write takes the file lock itself ([`LongWriteGuard::lock_file`]).
    pub(crate) fn long_write_guard(&self, what: LongWrite) -> LongWriteGuard {
        *self.long_write.lock().unwrap_or_else(|p| p.into_inner()) = Some(what);
        LongWriteGuard { note: self.long_write.clone(), what, file: None }
    }

    /// Takes the clock lock for a write: at once when free, else after telling the wait hook that
    /// this write waits for the long write holding it.
    pub(crate) async fn clock_lock(&self) -> tokio::sync::MutexGuard<'_, crate::clock::Hlc> {
        if let Ok(g) = self.hlc.try_lock() {
            return g;
        }
        let behind = self.long_write.lock().unwrap_or_else(|p| p.into_inner()).unwrap_or(LongWrite::Import);
        self.tell(WaitNotice { waiting: true, behind, elsewhere: false });
        let g = self.hlc.lock().await;
        self.tell(WaitNotice { waiting: false, behind, elsewhere: false });
        g
    }

    /// Begins `BEGIN IMMEDIATE` on the pool, waiting for as long as another program's long write
    /// holds the file; a file busy for any other reason fails after [`BUSY_TIMEOUT`].
    pub(crate) async fn begin_immediate(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        let mut told: Option<WaitNotice> = None;
        let res = loop {
            if told.is_none() {
                if let Some(n) = long_write_elsewhere(self.path()) {
                    let n = WaitNotice { waiting: true, behind: n, elsewhere: true };
                    self.tell(n.clone());
                    told = Some(n);
                }
            }
            match self.pool().begin_with("BEGIN IMMEDIATE").await {
                Ok(tx) => break Ok(tx),
                Err(e) if is_busy(&e) => {
                    if told.is_some() || long_write_elsewhere(self.path()).is_some() {
                        continue;
                    }
                    break Err(Error::Busy);
                }
                Err(e) => break Err(e.into()),
            }
        };
        if let Some(n) = told {
            self.tell(WaitNotice { waiting: false, ..n });
        }
        res
    }
}

/// Begins `BEGIN IMMEDIATE` on a rusqlite connection with the same waiting rule.
pub(crate) fn raw_begin_immediate(conn: &rusqlite::Connection, db: &Path) -> Result<()> {
    loop {
        match conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => {
                if long_write_elsewhere(db).is_none() {
                    return Err(Error::Busy);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| c & 0xff == 5),
        _ => false,
    }
}
