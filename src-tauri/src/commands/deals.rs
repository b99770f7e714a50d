//! Commands: the pre-sale pipeline (deal stages and deals).

use crate::*;
use tend::deals::{Deal, DealFilter, DealInput, DealStage, DealStageInput, Pipeline};

#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_stage_list(ws: Ws<'_>) -> R<Vec<DealStage>> {
    ws.get()?.deal_stages().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_stage_add(ws: Ws<'_>, input: DealStageInput) -> R<DealStage> {
    ws.get()?.add_deal_stage(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_stage_update(ws: Ws<'_>, id: String, input: DealStageInput) -> R<DealStage> {
    ws.get()?.update_deal_stage(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_stage_reorder(ws: Ws<'_>, ids: Vec<String>) -> R<()> {
    ws.get()?.reorder_deal_stages(&ids).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_stage_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_deal_stage(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn pipeline(ws: Ws<'_>, filter: DealFilter) -> R<Pipeline> {
    ws.get()?.pipeline(&filter).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_deals(ws: Ws<'_>, customer_id: String) -> R<Vec<Deal>> {
    ws.get()?.customer_deals(&customer_id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_create(ws: Ws<'_>, customer_id: String, input: DealInput) -> R<Deal> {
    ws.get()?.create_deal(&customer_id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_update(ws: Ws<'_>, id: String, input: DealInput) -> R<Deal> {
    ws.get()?.update_deal(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_move(ws: Ws<'_>, id: String, stage_id: String, lost_reason: Option<String>) -> R<Deal> {
    ws.get()?.move_deal(&id, &stage_id, lost_reason.as_deref()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_record_purchase(ws: Ws<'_>, id: String) -> R<Deal> {
    ws.get()?.record_deal_purchase(&id, None).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_delete(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.delete_deal(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_trash_list(ws: Ws<'_>) -> R<Vec<Deal>> {
    ws.get()?.trashed_deals().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn deal_restore(ws: Ws<'_>, id: String) -> R<Deal> {
    ws.get()?.restore_deal(&id).await.map_err(e)
}
