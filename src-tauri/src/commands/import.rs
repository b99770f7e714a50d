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
#[tauri::command]
#[specta::specta]
pub(crate) async fn import_run(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    cancel: tauri::State<'_, Cancels>,
    key: String,
    path: String,
    options: ImportOptions,
) -> R<ImportReport> {
    let path = granted.check(Access::Read, &path).map_err(e)?;
    let mut options = options;
    // rejected rows go to a file of the app's own, which the window can offer to save elsewhere
    // (never to a path the window names)
    let dir = rejects_dir(&app).map_err(|err| e(tend::Error::Io(std::io::Error::other(err.to_string()))))?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    std::fs::create_dir_all(&dir).map_err(|err| e(err.into()))?;
    // two imports may start in the same millisecond: each gets its own file
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    options.rejects_path = Some(dir.join(format!("rejected-rows-{stamp}-{n}.csv")).display().to_string());
    let w = ws.get()?;
    let flag = cancel.register(&key);
    let emitter = app.clone();
    let res = w
        .import(
            &path,
            &options,
            move |p| {
                let _ = ImportProgressEvent(p).emit(&emitter);
            },
            flag,
        )
        .await
        .map_err(e);
    cancel.done(&key);
    res
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
/// Saves a copy of an import's rejected rows (a file the app wrote in its own folder) where the
/// user picks in a save dialog opened here; the chosen path, or None when cancelled.
#[tauri::command]
#[specta::specta]
pub(crate) async fn import_rejects_save(
    window: tauri::WebviewWindow,
    granted: tauri::State<'_, Granted>,
    rejects_path: String,
    file_name: String,
) -> R<Option<String>> {
    let from = granted.check(Access::Read, &rejects_path).map_err(e)?;
    let filter = FileFilter { name: "CSV".into(), extensions: vec!["csv".into()] };
    let Some(to) = ask(&window, &granted, Access::Write, filter, Some(file_name)).await? else { return Ok(None) };
    std::fs::copy(&from, &to).map_err(|err| e(err.into()))?;
    Ok(Some(to))
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
