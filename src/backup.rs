//! Backups with SQLite's online backup API (the app keeps working while one is taken), the
//! retention of automatic ones (7 daily, 4 weekly, and the last few taken before imports and
//! migrations), integrity checks, and restore that never overwrites a damaged database.

use crate::error::{Error, Result};
use crate::integrity::{check_file, CheckReport};
use crate::schedule::local_date;
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
/// The copy is a plain rollback-journal file: opening it leaves no `-wal`/`-shm` beside it.
pub(crate) fn copy_online(src: &Path, dest: &Path) -> Result<u64> {
    if let Some(dir) = dest.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let tmp = PathBuf::from(format!("{}.partial", dest.display()));
    let res = (|| -> Result<()> {
        let from = rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        from.busy_timeout(Duration::from_secs(10))?;
        let mut to = rusqlite::Connection::open(&tmp)?;
        copy_pages(&from, &mut to)?;
        to.pragma_update(None, "journal_mode", "DELETE")?;
        Ok(())
    })();
    if let Err(e) = res {
        remove_with_sides(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, dest)?;
    Ok(std::fs::metadata(dest)?.len())
}

/// Copies every page of `from` into `to` in one step, under one read snapshot: `to` holds the
/// old content or the new, never half. In WAL mode a reader never blocks a writer, so the app
/// and the CLI go on saving while it copies; a copy made in smaller steps would start over each
/// time another connection writes between two of them (SQLite's rule), and under steady writes a
/// big workspace would never finish.
pub(crate) fn copy_pages(from: &rusqlite::Connection, to: &mut rusqlite::Connection) -> Result<()> {
    let backup = rusqlite::backup::Backup::new(from, to)?;
    let give_up = std::time::Instant::now() + crate::writers::BUSY_TIMEOUT;
    loop {
        match backup.step(-1)? {
            rusqlite::backup::StepResult::Done => return Ok(()),
            rusqlite::backup::StepResult::More => continue,
            // busy or locked: again, for as long as a write may wait
            _ if std::time::Instant::now() < give_up => std::thread::sleep(Duration::from_millis(10)),
            _ => return Err(Error::Busy),
        }
    }
}

/// Every backup goes through here: copied, then checked. A copy that fails its check is removed
/// and never kept: if the workspace itself is damaged that is the error (and the caller must
/// stop writing), else the copy could not be written soundly where it was asked to go.
pub(crate) fn copy_checked(src: &Path, dest: &Path) -> Result<u64> {
    let size = copy_online(src, dest)?;
    let report = check_file(dest, false)?;
    if report.ok {
        return Ok(size);
    }
    remove_with_sides(dest);
    let source = check_file(src, false)?;
    if !source.ok {
        return Err(Error::Damaged { detail: source.problems.join("; ") });
    }
    Err(Error::BackupUnreadable { path: dest.display().to_string(), detail: report.problems.join("; ") })
}

/// Removes a database file and whatever SQLite may have left beside it.
fn remove_with_sides(path: &Path) {
    let _ = std::fs::remove_file(path);
    for ext in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(PathBuf::from(format!("{}{ext}", path.display())));
    }
}

/// Whether `path` is a Tend workspace or backup (an SQLite file with Tend's migrations).
pub fn is_tend_file(path: &Path) -> bool {
    if crate::integrity::header_problem(path).is_some() {
        return false;
    }
    let Ok(conn) = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return false;
    };
    conn.query_row(
        "SELECT COUNT(*) = 2 FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'txs')",
        [],
        |r| r.get::<_, bool>(0),
    )
    .unwrap_or(false)
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

/// The newest automatic backup that passes the quick check now (what a damaged workspace is
/// offered to be restored from).
pub fn newest_good_backup(workspace: &Path) -> Result<Option<BackupInfo>> {
    for b in list_backups(workspace)? {
        if check_file(Path::new(&b.path), false)?.ok {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

/// The automatic backups retention removes: all but the newest of each of the last 7 days and
/// 4 weeks with a daily backup, and all but the last 3 taken before an import or migration.
/// Days and weeks (ISO, from Monday) are those of the workspace's time zone.
pub fn to_prune(backups: &[BackupInfo], tz: &jiff::tz::TimeZone) -> Vec<BackupInfo> {
    let day = |ms: i64| local_date(ms, tz);
    let week = |ms: i64| {
        let w = local_date(ms, tz).iso_week_date();
        (w.year(), w.week())
    };
    let mut keep: Vec<&str> = Vec::new();
    let daily: Vec<&BackupInfo> = backups.iter().filter(|b| b.reason == BackupReason::Daily).collect();
    let mut days: Vec<jiff::civil::Date> = Vec::new();
    let mut weeks: Vec<(i16, i8)> = Vec::new();
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
    /// Takes a checked backup of the live workspace to `dest` (the app and other writers go on).
    /// An existing file at `dest` is only replaced when it is a Tend workspace or backup, or with
    /// `force`.
    pub async fn backup_to(&self, dest: &Path, force: bool) -> Result<u64> {
        if dest.exists() && crate::integrity::same_file(dest, self.path()) {
            return Err(Error::Validation(vec![
                crate::FieldError::new("path", "backup.target_is_workspace").with("path", dest.display().to_string())
            ]));
        }
        if dest.exists() && !force && !is_tend_file(dest) {
            return Err(Error::Validation(vec![
                crate::FieldError::new("path", "backup.target_exists").with("path", dest.display().to_string())
            ]));
        }
        let src = self.path().to_path_buf();
        let dest = dest.to_path_buf();
        let res = crate::blocking("backup", move || copy_checked(&src, &dest)).await;
        res.map_err(|e| self.note(e))
    }

    /// An automatic backup into `backups/`, then the retention. A daily one is skipped when one
    /// was taken today already; a backup is only kept when it passes the quick check.
    pub async fn auto_backup(&self, reason: BackupReason) -> Result<Option<BackupInfo>> {
        let now = self.now_ms();
        let tz = self.zone().await?;
        let existing = list_backups(self.path())?;
        if reason == BackupReason::Daily
            && existing
                .iter()
                .any(|b| b.reason == BackupReason::Daily && local_date(b.created_at, &tz) == local_date(now, &tz))
        {
            return Ok(None);
        }
        let s = stem(self.path());
        let dest = backup_dir(self.path()).join(file_name(&s, now, reason));
        let size = self.backup_to(&dest, false).await?;
        prune(self.path(), &tz)?;
        Ok(Some(BackupInfo {
            name: dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            path: dest.display().to_string(),
            size,
            created_at: now,
            reason,
        }))
    }

    /// The integrity of this workspace (quick: structure; full: also every index entry).
    /// Damage found marks it and stops every write.
    pub async fn check(&self, full: bool) -> Result<CheckReport> {
        let p = self.path().to_path_buf();
        let report = crate::blocking("check", move || check_file(&p, full)).await?;
        if !report.ok {
            self.mark_damaged(&report.problems.join("; "));
        }
        Ok(report)
    }
}

/// Applies the retention to the backups of `workspace`, removing each pruned backup with the
/// files SQLite may have left beside it, and any such file whose backup is gone.
fn prune(workspace: &Path, tz: &jiff::tz::TimeZone) -> Result<()> {
    for old in to_prune(&list_backups(workspace)?, tz) {
        remove_with_sides(Path::new(&old.path));
    }
    let dir = backup_dir(workspace);
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let name = path.display().to_string();
        if let Some(base) = ["-wal", "-shm", "-journal"].iter().find_map(|ext| name.strip_suffix(ext)) {
            if base.ends_with(".tend") && !Path::new(base).exists() {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    Ok(())
}

/// Puts `backup` in place of the workspace at `db` (which must not be open). The backup must
/// pass the quick check and not be from a newer Tend. The file it replaces is never deleted: it
/// is kept beside as `<name>.replaced-<time>` (damaged or not, with its WAL and its damage mark).
/// When anything fails, the workspace and the backup are left as they were.
pub fn restore(backup: &Path, db: &Path, now_ms: i64) -> Result<Option<PathBuf>> {
    if !backup.is_file() {
        return Err(Error::not_found("backup", backup.display().to_string()));
    }
    if db.exists() && crate::integrity::same_file(backup, db) {
        return Err(Error::Validation(vec![
            crate::FieldError::new("path", "backup.target_is_workspace").with("path", backup.display().to_string())
        ]));
    }
    let report = check_file(backup, false)?;
    if !report.ok {
        return Err(Error::Damaged { detail: format!("the backup is damaged: {}", report.problems.join("; ")) });
    }
    crate::db::refuse_newer(backup)?;
    let tmp = PathBuf::from(format!("{}.restoring", db.display()));
    if let Err(e) = std::fs::copy(backup, &tmp) {
        remove_with_sides(&tmp);
        return Err(e.into());
    }
    let with = |p: &Path, ext: &str| PathBuf::from(format!("{}{ext}", p.display()));
    const SIDES: [&str; 4] = ["-wal", "-shm", "-journal", ".damaged"];
    let mut kept = None;
    if db.exists() {
        let t = jiff::Timestamp::from_millisecond(now_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let aside = with(db, &format!(".replaced-{}", t.strftime("%Y%m%d-%H%M%S")));
        let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
        let mut res = std::fs::rename(db, &aside).map(|()| moved.push((db.to_path_buf(), aside.clone())));
        for ext in SIDES {
            let (from, to) = (with(db, ext), with(&aside, ext));
            if res.is_ok() && from.exists() {
                res = match std::fs::rename(&from, &to) {
                    Ok(()) => {
                        moved.push((from, to));
                        Ok(())
                    }
                    // a side file gone meanwhile (SQLite removes its WAL when the last connection
                    // closes) has nothing to keep
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                    Err(e) => Err(e),
                };
            }
        }
        if let Err(e) = res {
            for (from, to) in moved.iter().rev() {
                let _ = std::fs::rename(to, from);
            }
            remove_with_sides(&tmp);
            return Err(e.into());
        }
        kept = Some((aside, moved));
    }
    if let Err(e) = std::fs::rename(&tmp, db) {
        if let Some((_, moved)) = &kept {
            for (from, to) in moved.iter().rev() {
                let _ = std::fs::rename(to, from);
            }
        }
        remove_with_sides(&tmp);
        return Err(e.into());
    }
    Ok(kept.map(|(aside, _)| aside))
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
        let pruned = to_prune(&all, &jiff::tz::TimeZone::UTC);
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
