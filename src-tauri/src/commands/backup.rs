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
/// Restores a backup: checked now, put in place at the next start; the app restarts.
#[tauri::command]
#[specta::specta]
pub(crate) async fn backup_restore(app: tauri::AppHandle, granted: tauri::State<'_, Granted>, path: String) -> R<()> {
    shell::restore_on_restart(&app, &granted, &path)
}
/// The newest backup that passes its check now: what a damaged workspace is offered.
#[tauri::command]
#[specta::specta]
pub(crate) async fn backup_newest_good() -> R<Option<BackupInfo>> {
    shell::newest_good_backup().await
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn restore_failure_dismiss(notes: tauri::State<'_, StartNotes>) -> R<()> {
    *notes.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    Ok(())
}
