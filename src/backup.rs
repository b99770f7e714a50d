//! Backups with SQLite's online backup API (the app keeps working while one is taken), the
//! retention of automatic ones (7 daily, 4 weekly, and the last few taken before imports and
//! migrations), integrity checks, and restore that never overwrites a damaged database.

use crate::error::{Error, Result};
use crate::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::{Path, PathBuf};
use std::time::Duration;

str_enum!(BackupReason {
    Daily = "daily",
    PreImport = "pre-import",
    PreMigration = "pre-migration",
    PreRestore = "pre-restore",
    Manual = "manual",
});

/// One backup file.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct BackupInfo {
    pub path: String,
    pub name: String,
    #[specta(type = i32)]
    pub size: u64,
    /// UTC ms, from the file name.
    #[specta(type = i32)]
    pub created_at: i64,
    pub reason: BackupReason,
}

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

/// Automatic backups kept after these many of each.
const KEEP_DAILY: usize = 7;
const KEEP_WEEKLY: usize = 4;
const KEEP_BEFORE: usize = 3;

/// The folder automatic backups of this workspace go to: `backups/` beside it.
pub fn backup_dir(workspace: &Path) -> PathBuf {
    workspace.parent().unwrap_or(Path::new(".")).join("backups")
}

fn stem(workspace: &Path) -> String {
    workspace.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "workspace".into())
}

/// Copies the live database to `dest` page by page with the online backup API, through a
/// temporary file renamed into place (a crash never leaves half a backup under the real name).
pub(crate) fn copy_online(src: &Path, dest: &Path) -> Result<u64> {
    if let Some(dir) = dest.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let tmp = dest.with_extension("partial");
    let from = rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    from.busy_timeout(Duration::from_secs(10))?;
    {
        let mut to = rusqlite::Connection::open(&tmp)?;
        let backup = rusqlite::backup::Backup::new(&from, &mut to)?;
        // 1024 pages a step, no pause: other connections may write between steps (WAL).
        backup.run_to_completion(1024, Duration::from_millis(0), None)?;
    }
    std::fs::rename(&tmp, dest)?;
    Ok(std::fs::metadata(dest)?.len())
}

/// `PRAGMA quick_check` (or `integrity_check` when `full`) and the foreign keys, read-only.
pub fn check_file(path: &Path, full: bool) -> Result<CheckReport> {
    let started = std::time::Instant::now();
    let mut problems = Vec::new();
    match header_problem(path) {
        Some(p) => problems.push(p),
        None => {
            let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            conn.busy_timeout(Duration::from_secs(10))?;
            let pragma = if full { "PRAGMA integrity_check(100)" } else { "PRAGMA quick_check(100)" };
            let run = |sql: &str| -> std::result::Result<Vec<String>, rusqlite::Error> {
                let mut st = conn.prepare(sql)?;
                let rows = st.query_map([], |r| r.get::<_, String>(0))?;
                rows.collect()
            };
            match run(pragma) {
                Ok(rows) => problems.extend(rows.into_iter().filter(|r| r != "ok")),
                Err(e) => problems.push(e.to_string()),
            }
            if problems.is_empty() {
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
                    problems.push(row?);
                }
            }
        }
    }
    Ok(CheckReport {
        ok: problems.is_empty(),
        depth: if full { "full" } else { "quick" }.into(),
        problems,
        millis: started.elapsed().as_millis() as u64,
    })
}

/// A damage that needs no query to see: not an SQLite file, or cut short.
pub(crate) fn header_problem(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = [0u8; 100];
    let len = std::fs::metadata(path).ok()?.len();
    if len == 0 {
        return None; // a new, empty file
    }
    let mut f = std::fs::File::open(path).ok()?;
    if f.read_exact(&mut head).is_err() || &head[..16] != b"SQLite format 3\0" {
        return Some("not an SQLite database (the file header is wrong)".into());
    }
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65536,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([head[28], head[29], head[30], head[31]]));
    // the header's page count is valid when its change counter matches (offset 24 vs 92)
    if head[24..28] == head[92..96] && pages > 0 && len < pages * page_size {
        return Some(format!("the file is cut short: {len} bytes of {} expected", pages * page_size));
    }
    None
}

fn parse_name(workspace_stem: &str, name: &str) -> Option<(i64, BackupReason)> {
    // <stem>-YYYYMMDD-HHMMSSmmm-<reason>.tend
    let rest = name.strip_prefix(workspace_stem)?.strip_prefix('-')?.strip_suffix(".tend")?;
    let (date, rest) = rest.split_once('-')?;
    let (time, reason) = rest.split_once('-')?;
    if date.len() != 8 || time.len() != 9 {
        return None;
    }
    let dt: jiff::civil::DateTime = format!(
        "{}-{}-{}T{}:{}:{}.{}",
        &date[..4],
        &date[4..6],
        &date[6..],
        &time[..2],
        &time[2..4],
        &time[4..6],
        &time[6..]
    )
    .parse()
    .ok()?;
    let ms = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp().as_millisecond();
    Some((ms, BackupReason::parse(reason)?))
}

fn file_name(workspace_stem: &str, at_ms: i64, reason: BackupReason) -> String {
    let t = jiff::Timestamp::from_millisecond(at_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let dt = t.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    format!(
        "{workspace_stem}-{:04}{:02}{:02}-{:02}{:02}{:02}{:03}-{}.tend",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.subsec_nanosecond() / 1_000_000,
        reason.as_str()
    )
}

/// The file name of an automatic backup of `workspace` taken at `at_ms`.
pub(crate) fn file_name_for(workspace: &Path, at_ms: i64, reason: BackupReason) -> String {
    file_name(&stem(workspace), at_ms, reason)
}

/// The automatic backups of a workspace, newest first.
pub fn list_backups(workspace: &Path) -> Result<Vec<BackupInfo>> {
    let dir = backup_dir(workspace);
    let s = stem(workspace);
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((created_at, reason)) = parse_name(&s, &name) {
            out.push(BackupInfo {
                path: entry.path().display().to_string(),
                name,
                size: entry.metadata()?.len(),
                created_at,
                reason,
            });
        }
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.name.cmp(&a.name)));
    Ok(out)
}

/// The automatic backups retention removes: all but the newest of each of the last 7 days and
/// 4 weeks with a daily backup, and all but the last 3 taken before an import or migration.
pub fn to_prune(backups: &[BackupInfo]) -> Vec<BackupInfo> {
    let day = |ms: i64| ms.div_euclid(86_400_000);
    // ISO-like weeks starting Monday: 1970-01-01 was a Thursday
    let week = |ms: i64| (day(ms) + 3).div_euclid(7);
    let mut keep: Vec<&str> = Vec::new();
    let daily: Vec<&BackupInfo> = backups.iter().filter(|b| b.reason == BackupReason::Daily).collect();
    let mut days: Vec<i64> = Vec::new();
    let mut weeks: Vec<i64> = Vec::new();
    for b in &daily {
        // newest first: the first seen of a day or week is its newest
        if !days.contains(&day(b.created_at)) && days.len() < KEEP_DAILY {
            days.push(day(b.created_at));
            keep.push(&b.path);
        }
        if !weeks.contains(&week(b.created_at)) && weeks.len() < KEEP_WEEKLY {
            weeks.push(week(b.created_at));
            keep.push(&b.path);
        }
    }
    let mut before = 0;
    for b in backups {
        match b.reason {
            BackupReason::PreImport | BackupReason::PreMigration | BackupReason::PreRestore => {
                if before < KEEP_BEFORE {
                    keep.push(&b.path);
                    before += 1;
                }
            }
            BackupReason::Manual => keep.push(&b.path),
            BackupReason::Daily => {}
        }
    }
    backups.iter().filter(|b| !keep.contains(&b.path.as_str())).cloned().collect()
}

impl Workspace {
    /// Takes a backup of the live workspace to `dest` (the app and other writers go on).
    pub async fn backup_to(&self, dest: &Path) -> Result<u64> {
        let src = self.path().to_path_buf();
        let dest = dest.to_path_buf();
        crate::blocking("backup", move || copy_online(&src, &dest)).await
    }

    /// An automatic backup into `backups/`, then the retention. A daily one is skipped when one
    /// was taken today already; a backup is only kept when it passes the quick check.
    pub async fn auto_backup(&self, reason: BackupReason) -> Result<Option<BackupInfo>> {
        let now = self.now_ms();
        let existing = list_backups(self.path())?;
        if reason == BackupReason::Daily
            && existing.iter().any(|b| {
                b.reason == BackupReason::Daily && b.created_at.div_euclid(86_400_000) == now.div_euclid(86_400_000)
            })
        {
            return Ok(None);
        }
        let s = stem(self.path());
        let dest = backup_dir(self.path()).join(file_name(&s, now, reason));
        let size = self.backup_to(&dest).await?;
        let check = {
            let d = dest.clone();
            crate::blocking("backup check", move || check_file(&d, false)).await?
        };
        if !check.ok {
            let _ = std::fs::remove_file(&dest);
            return Err(Error::Damaged { detail: check.problems.join("; ") });
        }
        for old in to_prune(&list_backups(self.path())?) {
            std::fs::remove_file(&old.path)?;
        }
        Ok(Some(BackupInfo {
            name: dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            path: dest.display().to_string(),
            size,
            created_at: now,
            reason,
        }))
    }

    /// The integrity of this workspace (quick: structure; full: also every index entry).
    pub async fn check(&self, full: bool) -> Result<CheckReport> {
        let p = self.path().to_path_buf();
        crate::blocking("check", move || check_file(&p, full)).await
    }
}

/// Puts `backup` in place of the workspace at `db` (which must not be open). The backup must
/// pass the quick check and not be from a newer Tend. The file it replaces is never deleted: it
/// is kept beside as `<name>.replaced-<time>` (damaged or not).
pub fn restore(backup: &Path, db: &Path, now_ms: i64) -> Result<Option<PathBuf>> {
    if !backup.is_file() {
        return Err(Error::not_found("backup", backup.display().to_string()));
    }
    let report = check_file(backup, false)?;
    if !report.ok {
        return Err(Error::Damaged { detail: format!("the backup is damaged: {}", report.problems.join("; ")) });
    }
    crate::db::refuse_newer(backup)?;
    let tmp = db.with_extension("restoring");
    std::fs::copy(backup, &tmp)?;
    let mut kept = None;
    if db.exists() {
        let t = jiff::Timestamp::from_millisecond(now_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let tag = t.strftime("%Y%m%d-%H%M%S").to_string();
        let aside = PathBuf::from(format!("{}.replaced-{tag}", db.display()));
        std::fs::rename(db, &aside)?;
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{ext}", db.display()));
            if side.exists() {
                std::fs::rename(&side, PathBuf::from(format!("{}{ext}", aside.display())))?;
            }
        }
        kept = Some(aside);
    }
    std::fs::rename(&tmp, db)?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(day: i64, hour: i64, reason: BackupReason) -> BackupInfo {
        let ms = day * 86_400_000 + hour * 3_600_000;
        BackupInfo {
            path: format!("{day}-{hour}-{}", reason.as_str()),
            name: String::new(),
            size: 0,
            created_at: ms,
            reason,
        }
    }

    #[test]
    fn keeps_seven_days_four_weeks_and_the_last_three_before_imports() {
        // 40 days of daily backups (day 20000 is a Thursday), newest first, and 5 pre-import ones
        let mut all: Vec<BackupInfo> = (0..40).rev().map(|d| b(20_000 + d, 2, BackupReason::Daily)).collect();
        all.extend((0..5).rev().map(|i| b(20_039, 10 + i, BackupReason::PreImport)));
        all.sort_by_key(|x| std::cmp::Reverse(x.created_at));
        let pruned = to_prune(&all);
        let kept: Vec<&BackupInfo> = all.iter().filter(|x| !pruned.contains(x)).collect();
        let daily = kept.iter().filter(|x| x.reason == BackupReason::Daily).count();
        // 7 days, plus the newest of 3 older weeks (the newest week is among the 7 days)
        assert!((7..=10).contains(&daily), "{daily}");
        assert_eq!(kept.iter().filter(|x| x.reason == BackupReason::PreImport).count(), 3);
        assert!(kept.iter().any(|x| x.created_at == all[0].created_at), "the newest is kept");
    }

    #[test]
    fn names_round_trip() {
        let n = file_name("ws", 1_795_460_938_358, BackupReason::PreImport);
        assert_eq!(parse_name("ws", &n), Some((1_795_460_938_358, BackupReason::PreImport)));
        assert_eq!(parse_name("other", &n), None);
    }
}
