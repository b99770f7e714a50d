//! Commands: lifecycle stages, custom fields and the quiet interval.

use crate::*;

#[tauri::command]
#[specta::specta]
pub(crate) async fn stage_list(ws: Ws<'_>) -> R<Vec<Stage>> {
    ws.get()?.stages().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn stage_add(ws: Ws<'_>, name: String) -> R<Stage> {
    ws.get()?.add_stage(&name).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn stage_rename(ws: Ws<'_>, id: String, name: String) -> R<()> {
    ws.get()?.rename_stage(&id, &name).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn stage_reorder(ws: Ws<'_>, ids: Vec<String>) -> R<()> {
    ws.get()?.reorder_stages(&ids).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn stage_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_stage(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn custom_field_list(ws: Ws<'_>) -> R<Vec<CustomField>> {
    ws.get()?.custom_fields().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn custom_field_add(ws: Ws<'_>, input: CustomFieldInput) -> R<CustomField> {
    ws.get()?.add_custom_field(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn custom_field_update(ws: Ws<'_>, id: String, input: CustomFieldInput) -> R<CustomField> {
    ws.get()?.update_custom_field(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn custom_field_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_custom_field(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn quiet_interval_get(ws: Ws<'_>) -> R<i32> {
    ws.get()?.quiet_interval_days().await.map(|d| d.clamp(0, 90) as i32).map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn quiet_interval_set(ws: Ws<'_>, days: i32) -> R<()> {
    ws.get()?.set_quiet_interval_days(days.into()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn autostart_get(app: tauri::AppHandle) -> R<bool> {
    shell::autostart(&app, None)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn autostart_set(app: tauri::AppHandle, enabled: bool) -> R<bool> {
    shell::autostart(&app, Some(enabled))
}
