//! Commands: interactions (calls, notes, purchases...).

use crate::*;

#[tauri::command]
#[specta::specta]
pub(crate) async fn interaction_add(
    ws: Ws<'_>,
    customer_id: String,
    input: InteractionInput,
    confirm_recent: bool,
) -> R<Interaction> {
    ws.get()?.log_interaction(&customer_id, &input, confirm_recent).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn interaction_delete(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.delete_interaction(&id).await.map_err(e)
}
