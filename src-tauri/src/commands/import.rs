//! Commands: imports (preview, run, cancel, undo, saved mappings, rejected rows).

use crate::*;

#[tauri::command]
#[specta::specta]
pub(crate) async fn import_preview(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    path: String,
    options: ImportOptions,
    rows: u32,
) -> R<ImportPreview> {
    let path = granted.check(Access::Read, &path).map_err(e)?;
    ws.get()?.import_preview(&path, &options, rows as usize).await.map_err(e)
}
/// Runs an import; its progress comes on `progress`, this run's own channel.
#[tauri::command]
#[specta::specta]
#[allow(clippy::too_many_arguments)]
pub(crate) async fn import_run(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    cancel: tauri::State<'_, Cancels>,
    key: String,
    path: String,
    options: ImportOptions,
    progress: tauri::ipc::Channel<ImportProgress>,
) -> R<ImportReport> {
    shell::run_import(&app, &ws, &granted, &cancel, key, path, options, progress).await
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn import_cancel(cancel: tauri::State<'_, Cancels>, key: String) -> R<bool> {
    Ok(cancel.cancel(&key))
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn import_undo(ws: Ws<'_>, id: Option<String>) -> R<UndoReport> {
    ws.get()?.undo_import(id.as_deref()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn import_list(ws: Ws<'_>) -> R<Vec<ImportSummary>> {
    ws.get()?.imports().await.map_err(e)
}
/// Saves a copy of an import's rejected rows where the user picks; the path, or None.
#[tauri::command]
#[specta::specta]
pub(crate) async fn import_rejects_save(
    window: tauri::WebviewWindow,
    granted: tauri::State<'_, Granted>,
    rejects_path: String,
    file_name: String,
) -> R<Option<String>> {
    shell::save_rejects(&window, &granted, &rejects_path, file_name).await
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn mapping_list(ws: Ws<'_>) -> R<Vec<NamedMapping>> {
    ws.get()?.saved_mappings().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn mapping_save(ws: Ws<'_>, name: String, mapping: Mapping) -> R<()> {
    ws.get()?.save_mapping(&name, &mapping).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn mapping_remove(ws: Ws<'_>, name: String) -> R<()> {
    ws.get()?.remove_mapping(&name).await.map_err(e)
}
