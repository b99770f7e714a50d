//! Damage: whether a workspace file is damaged, judged as SQLite itself will read it (the WAL
//! beside it included), and the mark a damaged workspace carries so that nothing writes to it
//! again until it is restored or a full check finds it sound.
//!
//! Damage is found three ways: the check on open (files up to [`CHECK_ON_OPEN_MAX`]), a check in
//! the background ([`Workspace::verify`], run by the app at start for bigger files, before the
//! CLI writes to one not checked for a day, and on every backup's copy), and any SQLITE_CORRUPT
//! met while working ([`Workspace::note`], called where errors leave the core: the app's
//! commands and the CLI). Each of them marks the workspace: `<file>.damaged` beside it holds what
//! was found, every later open refuses the file, and this process's writes stop at once.

use crate::error::{Error, Result};
use crate::Workspace;
use serde::Serialize;
use specta::Type;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Workspaces up to this size are checked (`quick_check`) on every open: it reads the whole
/// file, about 1 s per 50 MB here. Bigger ones are checked in the background.
pub const CHECK_ON_OPEN_MAX: u64 = 64 * 1024 * 1024;

/// A check that passed less than this long ago spares the CLI a new one before it writes.
pub const CHECK_FRESH_MS: i64 = 24 * 3600 * 1000;

/// What an integrity check found.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct CheckReport {
    pub ok: bool,
    /// "quick" (page and index structure) or "full" (also every index entry against its row).
    pub depth: String,
    pub problems: Vec<String>,
    #[specta(type = i32)]
    pub millis: u64,
}

fn side(db: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", db.display()))
}

/// The file beside a workspace that says it is damaged.
pub fn mark_path(db: &Path) -> PathBuf {
    side(db, ".damaged")
}

/// What a damaged workspace's mark says was found, if it carries one.
pub fn damage_mark(db: &Path) -> Option<String> {
    let text = std::fs::read_to_string(mark_path(db)).ok()?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty()).or_else(|| Some("marked as damaged".into()))
}

/// Marks `db` damaged (first finding kept). A mark that cannot be written is logged by the caller's
/// error path; the in-process stop holds regardless.
pub fn mark(db: &Path, detail: &str) {
    let p = mark_path(db);
    if !p.exists() {
        let _ = std::fs::write(&p, detail);
    }
}

/// Removes the mark (a full check found the file sound). Returns whether there was one.
pub fn clear_mark(db: &Path) -> Result<bool> {
    match std::fs::remove_file(mark_path(db)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Whether two paths name the same file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The workspace files this process has open through SQLite, by device and inode. Closing any
/// descriptor of a file drops every POSIX lock the process holds on it (SQLite's own descriptors
/// included), and a WAL-mode connection that lost its shared lock looks closed to other
/// programs: the next one to close the file then removes the WAL under it, and its later writes
/// go to a deleted file. So this module never opens such a file itself; SQLite reads it.
static OPEN_HERE: std::sync::Mutex<Vec<(u64, u64)>> = std::sync::Mutex::new(Vec::new());

fn file_key(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        // Windows' locks belong to a handle: closing another handle leaves them
        let _ = path;
        None
    }
}

fn open_here(path: &Path) -> bool {
    file_key(path).is_some_and(|k| OPEN_HERE.lock().unwrap_or_else(|e| e.into_inner()).contains(&k))
}

/// Held by an open workspace: its file is open here (see [`OPEN_HERE`]) until it drops.
pub(crate) struct OpenHere(Option<(u64, u64)>);

impl OpenHere {
    pub(crate) fn new(path: &Path) -> OpenHere {
        let key = file_key(path);
        if let Some(k) = key {
            OPEN_HERE.lock().unwrap_or_else(|e| e.into_inner()).push(k);
        }
        OpenHere(key)
    }
}

impl Drop for OpenHere {
    fn drop(&mut self) {
        if let Some(k) = self.0 {
            let mut open = OPEN_HERE.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = open.iter().position(|o| *o == k) {
                open.swap_remove(i);
            }
        }
    }
}

/// Called as a check before the first write starts (see [`Workspace::check_before_writing`]).
pub type CheckNotice = std::sync::Arc<dyn Fn() + Send + Sync>;

/// A damage that needs no query to see: not an SQLite file, or cut short. The length is only
/// compared with the header's page count when no WAL file is beside it: with one, the missing
/// pages may be waiting in the WAL (a checkpoint cut short by a crash, or under way in another
/// process), and SQLite's own check of the file as it recovers it is the judge.
///
/// Another process may be checkpointing meanwhile: it writes the header (page 1) before the
/// pages that grow the file, then removes its WAL when it closes. So the length is read after
/// the header and the WAL's absence, never before, and a shortfall is only reported when it is
/// still there when looked at again: a file cut short stays short, a checkpoint finishes.
///
/// A file this process has open as a workspace is not looked at (SQLite has read its header and
/// its checks judge it): see [`OPEN_HERE`].
pub(crate) fn header_problem(path: &Path) -> Option<String> {
    if open_here(path) {
        return None;
    }
    let mut found = None;
    for attempt in 0..3 {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        match header_look(path) {
            Look::Sound => return None,
            Look::NotSqlite(p) => return Some(p),
            Look::Short(p) => found = Some(p),
        }
    }
    found
}

enum Look {
    Sound,
    NotSqlite(String),
    Short(String),
}

fn header_look(path: &Path) -> Look {
    use std::io::Read;
    let mut head = [0u8; 100];
    match std::fs::metadata(path) {
        Ok(m) if m.len() > 0 => {}
        _ => return Look::Sound, // a new, empty file (or none: opening says so)
    }
    let Ok(mut f) = std::fs::File::open(path) else { return Look::Sound };
    if f.read_exact(&mut head).is_err() || &head[..16] != b"SQLite format 3\0" {
        return Look::NotSqlite("not an SQLite database (the file header is wrong)".into());
    }
    if side(path, "-wal").exists() {
        return Look::Sound;
    }
    let Ok(len) = std::fs::metadata(path).map(|m| m.len()) else { return Look::Sound };
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65536,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([head[28], head[29], head[30], head[31]]));
    // the header's page count is valid when its change counter matches (offset 24 vs 92)
    if head[24..28] == head[92..96] && pages > 0 && len < pages * page_size {
        return Look::Short(format!("the file is cut short: {len} bytes of {} expected", pages * page_size));
    }
    Look::Sound
}

/// `PRAGMA quick_check` (or `integrity_check` when `full`) and the foreign keys, through a
/// read-only connection (which reads the WAL as SQLite recovers it).
pub fn check_file(path: &Path, full: bool) -> Result<CheckReport> {
    let started = std::time::Instant::now();
    let mut problems = Vec::new();
    if !path.is_file() {
        return Err(Error::not_found("workspace file", path.display().to_string()));
    }
    match header_problem(path) {
        Some(p) => problems.push(p),
        None => problems.extend(query_problems(path, full)?),
    }
    Ok(CheckReport {
        ok: problems.is_empty(),
        depth: if full { "full" } else { "quick" }.into(),
        problems,
        millis: started.elapsed().as_millis() as u64,
    })
}

/// Every problem SQLite reports; a failure to read is damage only when SQLite says the file is
/// corrupt or not a database. A file that needs its WAL recovered first (after a crash) cannot
/// be read by a read-only connection: the check then runs on a read-write connection that only
/// reads (`query_only`), which lets SQLite recover the WAL as it does on any open.
fn query_problems(path: &Path, full: bool) -> Result<Vec<String>> {
    let run = |flags: rusqlite::OpenFlags| -> std::result::Result<Vec<String>, rusqlite::Error> {
        let conn = rusqlite::Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA query_only = ON")?;
        let pragma = if full { "PRAGMA integrity_check(100)" } else { "PRAGMA quick_check(100)" };
        let mut out: Vec<String> = {
            let mut st = conn.prepare(pragma)?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<std::result::Result<Vec<_>, _>>()?.into_iter().filter(|r| r != "ok").collect()
        };
        if out.is_empty() {
            let mut st = conn.prepare("PRAGMA foreign_key_check")?;
            let fk = st.query_map([], |r| {
                Ok(format!(
                    "foreign key: {} row {} -> {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?
                ))
            })?;
            for row in fk.take(100) {
                out.push(row?);
            }
        }
        Ok(out)
    };
    use rusqlite::OpenFlags;
    let res = match run(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ReadOnly => {
            run(OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        }
        other => other,
    };
    match res {
        Ok(rows) => Ok(rows),
        Err(e) => {
            let err = Error::Read(e);
            match err.damage() {
                Some(detail) => Ok(vec![detail]),
                None => Err(err),
            }
        }
    }
}

const SQLITE_CORRUPT: i32 = 11;
const SQLITE_NOTADB: i32 = 26;

impl Error {
    /// What this error says is damaged, when it is damage: a damaged file found by a check, or
    /// SQLite meeting a corrupt page (SQLITE_CORRUPT, SQLITE_NOTADB) while working.
    pub fn damage(&self) -> Option<String> {
        let primary = |code: i32| code & 0xff == SQLITE_CORRUPT || code & 0xff == SQLITE_NOTADB;
        match self {
            Error::Damaged { detail } => Some(detail.clone()),
            Error::Database(sqlx::Error::Database(db)) => {
                let code = db.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0);
                primary(code).then(|| db.message().to_string())
            }
            Error::Read(rusqlite::Error::SqliteFailure(e, msg)) if primary(e.extended_code) => {
                Some(msg.clone().unwrap_or_else(|| e.to_string()))
            }
            _ => None,
        }
    }
}

impl Workspace {
    /// Takes note of an error on its way out of the core: damage stops every write from now on
    /// and marks the file. Returns the error unchanged.
    pub fn note(&self, err: Error) -> Error {
        if let Some(detail) = err.damage() {
            self.mark_damaged(&detail);
        }
        err
    }

    pub(crate) fn mark_damaged(&self, detail: &str) {
        let mut d = self.damaged.lock().unwrap_or_else(|p| p.into_inner());
        if d.is_none() {
            *d = Some(detail.to_string());
        }
        mark(self.path(), detail);
    }

    /// What damage was found in this workspace while it was open, if any.
    pub fn damaged(&self) -> Option<String> {
        self.damaged.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Every write starts here: refused once damage has been found, and in a workspace opened
    /// with [`Workspace::check_before_writing`], checked first when a check is due (once per
    /// open), so no command that writes can skip it.
    pub(crate) async fn ready_to_write(&self) -> Result<()> {
        if let Some(detail) = self.damaged() {
            return Err(Error::Damaged { detail });
        }
        let Some(notice) = self.check_before_writes.lock().unwrap_or_else(|p| p.into_inner()).clone() else {
            return Ok(());
        };
        self.checked_for_writes
            .get_or_try_init(|| async {
                if self.check_due().await? {
                    notice();
                }
                self.verify_if_stale().await
            })
            .await?;
        Ok(())
    }

    /// For a short-lived process (the CLI): the first write of this open checks the workspace
    /// when [`Workspace::check_due`] says so, calling `notice` before it starts (half a minute at
    /// a million customers).
    pub fn check_before_writing(&self, notice: CheckNotice) {
        *self.check_before_writes.lock().unwrap_or_else(|p| p.into_inner()) = Some(notice);
    }

    /// Checks the workspace (quick) while it stays in use; damage marks it and stops every write,
    /// a pass is remembered (device-local) so the CLI need not check again for a day.
    pub async fn verify(&self) -> Result<CheckReport> {
        let p = self.path().to_path_buf();
        let report = crate::blocking("check", move || check_file(&p, false)).await?;
        if report.ok {
            let now = self.now_ms().to_string();
            crate::db::meta_set(self.pool(), "last_check_ok_ms", Some(&now)).await?;
        } else {
            self.mark_damaged(&report.problems.join("; "));
        }
        Ok(report)
    }

    /// Whether the open did not check this workspace (it is bigger than [`CHECK_ON_OPEN_MAX`]).
    pub fn checked_on_open(&self) -> bool {
        std::fs::metadata(self.path()).map(|m| m.len() <= CHECK_ON_OPEN_MAX).unwrap_or(true)
    }

    /// Whether [`Workspace::verify_if_stale`] would check now: the open did not (the file is
    /// bigger than [`CHECK_ON_OPEN_MAX`]) and no check passed within [`CHECK_FRESH_MS`] (the app's
    /// background check at start counts). At 1M customers a check takes about half a minute
    /// (`cargo bench --bench check`), so the CLI says so before it starts.
    pub async fn check_due(&self) -> Result<bool> {
        if self.checked_on_open() {
            return Ok(false);
        }
        let last = crate::db::meta_get(self.pool(), "last_check_ok_ms").await?;
        Ok(last.and_then(|v| v.parse::<i64>().ok()).is_none_or(|t| self.now_ms() - t >= CHECK_FRESH_MS))
    }

    /// Before a write from a short-lived process (the CLI): [`Workspace::verify`] unless the open
    /// checked the file or a check passed within [`CHECK_FRESH_MS`]. Damage is an error.
    pub async fn verify_if_stale(&self) -> Result<()> {
        if !self.check_due().await? {
            return Ok(());
        }
        let report = self.verify().await?;
        if report.ok {
            Ok(())
        } else {
            Err(Error::Damaged { detail: report.problems.join("; ") })
        }
    }
}
