//! Commands: backups, checks and restore.

use crate::*;

#[tauri::command]
#[specta::specta]
pub(crate) async fn backup_list() -> R<Vec<BackupInfo>> {
    tend::backup::list_backups(&tend::default_workspace_path()).map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn backup_now(ws: Ws<'_>) -> R<Option<BackupInfo>> {
    ws.get()?.auto_backup(BackupReason::Manual).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn workspace_check(ws: Ws<'_>) -> R<CheckReport> {
    ws.get()?.check(false).await.map_err(e)
}
/// Restores a backup: checked now, put in place when the app starts again (the open workspace
/// cannot be swapped under the running app), then the app restarts.
#[tauri::command]
#[specta::specta]
pub(crate) async fn backup_restore(app: tauri::AppHandle, granted: tauri::State<'_, Granted>, path: String) -> R<()> {
    // one of the app's own backups (or a file the user picked)
    let path = granted.check(Access::Read, &path).map_err(e)?;
    let report = tend::integrity::check_file(&path, false).map_err(e)?;
    if !report.ok {
        return Err(e(tend::Error::Damaged { detail: report.problems.join("; ") }));
    }
    std::fs::write(pending_restore_file(), path.display().to_string()).map_err(|err| e(err.into()))?;
    app.restart();
}
/// The newest backup that passes its check now: what a damaged workspace is offered.
#[tauri::command]
#[specta::specta]
pub(crate) async fn backup_newest_good() -> R<Option<BackupInfo>> {
    let path = tend::default_workspace_path();
    tauri::async_runtime::spawn_blocking(move || tend::backup::newest_good_backup(&path))
        .await
        .map_err(|err| e(tend::Error::Interrupted { task: "backup search", detail: err.to_string() }))?
        .map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn restore_failure_dismiss(notes: tauri::State<'_, StartNotes>) -> R<()> {
    *notes.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    Ok(())
}
