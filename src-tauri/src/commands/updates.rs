//! Commands: updates of the app itself (`updates.rs`) and the restart that starts a new version.

use crate::updates::{UpdateInfo, UpdateProgress, UpdateSettings, UpdateStatus, Updates};
use crate::*;

#[tauri::command]
#[specta::specta]
pub(crate) async fn update_status(
    app: tauri::AppHandle,
    updates: tauri::State<'_, Updates>,
    language: String,
) -> R<UpdateStatus> {
    Ok(updates::status(&app, &updates, &language).await)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn update_settings_set(app: tauri::AppHandle, settings: UpdateSettings) -> R<UpdateSettings> {
    updates::set_settings(&app, settings)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn update_check(
    app: tauri::AppHandle,
    updates: tauri::State<'_, Updates>,
    language: String,
) -> R<Option<UpdateInfo>> {
    updates::check(&app, &updates, &language).await
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn update_install(
    updates: tauri::State<'_, Updates>,
    imports: tauri::State<'_, Cancels>,
    progress: tauri::ipc::Channel<UpdateProgress>,
) -> R<String> {
    updates::install(&updates, &imports, progress).await
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn app_restart(app: tauri::AppHandle) -> R<()> {
    app.restart()
}
