//! Commands: staff members.

use crate::*;

#[tauri::command]
#[specta::specta]
pub(crate) async fn staff_list(ws: Ws<'_>) -> R<Vec<Staff>> {
    ws.get()?.staff().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn staff_add(ws: Ws<'_>, input: StaffInput) -> R<Staff> {
    ws.get()?.add_staff(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn staff_update(ws: Ws<'_>, id: String, input: StaffInput) -> R<Staff> {
    ws.get()?.update_staff(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn staff_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_staff(&id).await.map_err(e)
}
