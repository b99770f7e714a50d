//! Commands: file dialogs opened by the shell, and exports to the files picked in them.

use crate::*;

#[tauri::command]
#[specta::specta]
pub(crate) async fn pick_open_file(
    window: tauri::WebviewWindow,
    granted: tauri::State<'_, Granted>,
    filter: FileFilter,
) -> R<Option<String>> {
    ask(&window, &granted, Access::Read, filter, None).await
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn pick_save_file(
    window: tauri::WebviewWindow,
    granted: tauri::State<'_, Granted>,
    filter: FileFilter,
    file_name: String,
) -> R<Option<String>> {
    ask(&window, &granted, Access::Write, filter, Some(file_name)).await
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn export_customers(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    path: String,
    format: ExportFormat,
    filter: CustomerFilter,
) -> R<ExportReport> {
    let path = granted.check(Access::Write, &path).map_err(e)?;
    ws.get()?.export_customers(&path, format, &filter).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn export_interactions(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    path: String,
    format: ExportFormat,
    filter: CustomerFilter,
) -> R<ExportReport> {
    let path = granted.check(Access::Write, &path).map_err(e)?;
    ws.get()?.export_interactions(&path, format, &filter).await.map_err(e)
}
