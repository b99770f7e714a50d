//! Commands: interactions (calls, notes, purchases...).

use crate::*;

#[tauri::command]
#[specta::specta]
pub(crate) async fn interaction_add(ws: Ws<'_>, customer_id: String, input: InteractionInput) -> R<Interaction> {
    ws.get()?.add_interaction(&customer_id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn interaction_delete(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.delete_interaction(&id).await.map_err(e)
}
