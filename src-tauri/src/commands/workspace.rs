//! Commands: the workspace itself: its settings, language, the current staff member, status, archive,
//! and the workspace or archive the file manager opened with the app (`opened.rs`).

use crate::*;

#[tauri::command]
#[specta::specta]
pub(crate) async fn workspace_info(ws: Ws<'_>) -> R<WorkspaceInfo> {
    ws.get()?.info().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_language(ws: Ws<'_>, language: String) -> R<()> {
    ws.get()?.set_language(&language).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_current_staff(ws: Ws<'_>, id: Option<String>) -> R<()> {
    ws.get()?.set_current_staff(id.as_deref()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn workspace_export(ws: Ws<'_>, granted: tauri::State<'_, Granted>, path: String) -> R<Manifest> {
    let path = granted.check(Access::Write, &path).map_err(e)?;
    ws.get()?.export_workspace(&path).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn workspace_import(ws: Ws<'_>, granted: tauri::State<'_, Granted>, path: String) -> R<Manifest> {
    let path = granted.check(Access::Read, &path).map_err(e)?;
    ws.get()?.import_workspace(&path).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn workspace_status(ws: Ws<'_>, notes: tauri::State<'_, StartNotes>) -> R<WorkspaceStatus> {
    Ok(shell::status(&ws, &notes))
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn opened_file_take(opened: tauri::State<'_, opened::Opened>) -> R<Option<opened::OpenedFile>> {
    Ok(opened.take())
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn workspace_open(app: tauri::AppHandle, granted: tauri::State<'_, Granted>, path: String) -> R<()> {
    opened::restart_on(&app, &granted, &path)
}
