//! Commands: segments (saved customer lists by rules, and static lists).

use crate::*;
use tend::segments::rules::FieldSpec;
use tend::segments::{Segment, SegmentInput, SegmentPreset};

/// A count as the window's numbers hold it (DESIGN: integers across IPC).
fn count(n: i64) -> i32 {
    n.clamp(0, i32::MAX as i64) as i32
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_list(ws: Ws<'_>) -> R<Vec<Segment>> {
    ws.get()?.segments().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_count(ws: Ws<'_>, rules: String) -> R<i32> {
    ws.get()?.segment_count(&rules).await.map(count).map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_preview(ws: Ws<'_>, rules: String, offset: i32, limit: i32) -> R<CustomerPage> {
    ws.get()?.segment_preview(&rules, offset.into(), limit.into()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_members(ws: Ws<'_>, id: String, offset: i32, limit: i32) -> R<CustomerPage> {
    ws.get()?.segment_members(&id, offset.into(), limit.into()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_size(ws: Ws<'_>, id: String) -> R<i32> {
    ws.get()?.segment_size(&id).await.map(count).map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_create(ws: Ws<'_>, input: SegmentInput) -> R<Segment> {
    ws.get()?.create_segment(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_create_preset(ws: Ws<'_>, key: String, name: String) -> R<Segment> {
    ws.get()?.create_preset_segment(&key, &name).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_update(ws: Ws<'_>, id: String, input: SegmentInput) -> R<Segment> {
    ws.get()?.update_segment(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_segment(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_lists(ws: Ws<'_>, customer_id: String) -> R<Vec<Segment>> {
    ws.get()?.customer_lists(&customer_id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_add_members(ws: Ws<'_>, id: String, customer_ids: Vec<String>) -> R<i32> {
    ws.get()?.add_to_segment(&id, &customer_ids).await.map(|n| count(n as i64)).map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_remove_members(ws: Ws<'_>, id: String, customer_ids: Vec<String>) -> R<i32> {
    ws.get()?.remove_from_segment(&id, &customer_ids).await.map(|n| count(n as i64)).map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_presets(ws: Ws<'_>) -> R<Vec<SegmentPreset>> {
    let ws = ws.get()?;
    Ok(tend::segments::presets(ws.today().await.map_err(e)?))
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn segment_fields(ws: Ws<'_>) -> R<Vec<FieldSpec>> {
    ws.get()?.segment_fields().await.map_err(e)
}
