//! The shell's own work behind the commands that do more than call the core: an import run
//! (its rejected-rows file, its cancel key, its progress on the caller's channel), saving a copy
//! of rejected rows, a restore put in place at the next start, the newest good backup, and the
//! window's status.

use crate::*;
use tauri::ipc::Channel;

/// Runs an import, its progress sent on `progress` (this run's own channel, DESIGN rule 8) and
/// cancelled by `key`. Rejected rows go to a file of the app's own, which the window can offer
/// to save elsewhere (never to a path the window names).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run_import(
    app: &tauri::AppHandle,
    ws: &Shared,
    granted: &Granted,
    cancel: &Cancels,
    key: String,
    path: String,
    mut options: ImportOptions,
    progress: Channel<ImportProgress>,
) -> R<ImportReport> {
    let path = granted.check(Access::Read, &path).map_err(e)?;
    let dir = rejects_dir(app).map_err(|err| e(tend::Error::Io(std::io::Error::other(err.to_string()))))?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    std::fs::create_dir_all(&dir).map_err(|err| e(err.into()))?;
    // two imports may start in the same millisecond: each gets its own file
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    options.rejects_path = Some(dir.join(format!("rejected-rows-{stamp}-{n}.csv")).display().to_string());
    let w = ws.get()?;
    let flag = cancel.register(&key);
    let res = w
        .import(
            &path,
            &options,
            move |p| {
                // the window may have gone meanwhile: progress is then told to no one
                let _ = progress.send(p);
            },
            flag,
        )
        .await
        .map_err(e);
    cancel.done(&key);
    res
}

/// Saves a copy of an import's rejected rows (a file the app wrote in its own folder) where the
/// user picks in a save dialog opened here; the chosen path, or None when cancelled.
pub(crate) async fn save_rejects(
    window: &tauri::WebviewWindow,
    granted: &Granted,
    rejects_path: &str,
    file_name: String,
) -> R<Option<String>> {
    let from = granted.check(Access::Read, rejects_path).map_err(e)?;
    let filter = FileFilter { name: "CSV".into(), extensions: vec!["csv".into()] };
    let Some(to) = ask(window, granted, Access::Write, filter, Some(file_name)).await? else { return Ok(None) };
    std::fs::copy(&from, &to).map_err(|err| e(err.into()))?;
    Ok(Some(to))
}

/// Restores a backup: checked now, put in place when the app starts again (the open workspace
/// cannot be swapped under the running app), then the app restarts.
// The error is the IPC payload itself, returned as-is by the command.
#[allow(clippy::result_large_err)]
pub(crate) fn restore_on_restart(app: &tauri::AppHandle, granted: &Granted, path: &str) -> R<()> {
    // one of the app's own backups (or a file the user picked)
    let path = granted.check(Access::Read, path).map_err(e)?;
    let report = tend::integrity::check_file(&path, false).map_err(e)?;
    if !report.ok {
        return Err(e(tend::Error::Damaged { detail: report.problems.join("; ") }));
    }
    std::fs::write(pending_restore_file(), path.display().to_string()).map_err(|err| e(err.into()))?;
    app.restart();
}

/// The newest backup of the workspace that passes its check now: what a damaged one is offered.
pub(crate) async fn newest_good_backup() -> R<Option<BackupInfo>> {
    let path = workspace_path();
    tauri::async_runtime::spawn_blocking(move || tend::backup::newest_good_backup(&path))
        .await
        .map_err(|err| e(tend::Error::Interrupted { task: "backup search", detail: err.to_string() }))?
        .map_err(e)
}

/// What the window needs to know beyond the data (`WorkspaceStatus`).
pub(crate) fn status(ws: &Shared, notes: &StartNotes) -> WorkspaceStatus {
    let restore_failed = notes.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let (damaged, long_write) = match ws.get() {
        Ok(w) => (w.damaged(), w.long_write()),
        Err(_) => (None, None),
    };
    WorkspaceStatus { damaged, long_write, restore_failed }
}

/// Start at login (tauri-plugin-autostart; off until the user turns it on): sets it when
/// `enable` is given, and says whether it is on.
#[allow(clippy::result_large_err)] // the IPC payload itself, as every command returns it
pub(crate) fn autostart(app: &tauri::AppHandle, enable: Option<bool>) -> R<bool> {
    use tauri_plugin_autostart::ManagerExt;
    let fail = |err: tauri_plugin_autostart::Error| {
        e(tend::Error::Validation(vec![
            tend::FieldError::new("autostart", "settings.autostart_failed").with("detail", err.to_string())
        ]))
    };
    let launch = app.autolaunch();
    match enable {
        Some(true) => launch.enable().map_err(fail)?,
        Some(false) if launch.is_enabled().map_err(fail)? => launch.disable().map_err(fail)?,
        _ => {}
    }
    launch.is_enabled().map_err(fail)
}
