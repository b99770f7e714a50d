//! Commands: duplicates, merges and their undo.

use crate::*;

#[tauri::command]
#[specta::specta]
pub(crate) async fn duplicate_pairs(ws: Ws<'_>, limit: u32) -> R<Vec<DuplicatePair>> {
    ws.get()?.duplicate_pairs(limit as usize).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn merge_conflicts(ws: Ws<'_>, survivor_id: String, other_id: String) -> R<Vec<FieldConflict>> {
    ws.get()?.merge_conflicts(&survivor_id, &other_id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn merge_customers(
    ws: Ws<'_>,
    survivor_id: String,
    other_id: String,
    take: Vec<String>,
) -> R<MergeReport> {
    ws.get()?.merge_customers(&survivor_id, &other_id, &take).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn undo_merge(ws: Ws<'_>, merge_id: String) -> R<Vec<String>> {
    ws.get()?.undo_merge(&merge_id).await.map_err(e)
}
