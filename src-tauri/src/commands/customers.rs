//! Commands: customers, contacts, the trash, facets, history and the timeline, phone numbers as typed.

use crate::*;
use tend::customers::bulk::{BulkAction, BulkReport, BulkTarget};

#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_list(ws: Ws<'_>, filter: CustomerFilter, offset: i32, limit: i32) -> R<CustomerPage> {
    ws.get()?.list_customers(&filter, offset.into(), limit.into()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_count(ws: Ws<'_>, filter: CustomerFilter) -> R<i32> {
    ws.get()?.count_customers(&filter).await.map(|n| n.clamp(0, i32::MAX as i64) as i32).map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_search(ws: Ws<'_>, query: String, limit: u32) -> R<Vec<CustomerSummary>> {
    ws.get()?.search(&query, limit).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_get(ws: Ws<'_>, id: String) -> R<Customer> {
    ws.get()?.customer(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_check_duplicates(
    ws: Ws<'_>,
    input: CustomerInput,
    exclude_id: Option<String>,
) -> R<Vec<DuplicateHit>> {
    ws.get()?.check_duplicates(&input, exclude_id.as_deref()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_create(ws: Ws<'_>, input: CustomerInput) -> R<Created> {
    ws.get()?.create_customer(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_update(ws: Ws<'_>, id: String, base: CustomerInput, input: CustomerInput) -> R<Customer> {
    ws.get()?.update_customer(&id, &base, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_bulk(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    target: BulkTarget,
    action: BulkAction,
) -> R<BulkReport> {
    crate::reminders::after(&app, ws.get()?.bulk_customers(&target, &action).await)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_trash(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.trash_customer(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_restore(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.restore_customer(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn customer_purge(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.purge_customer(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn trash_list(ws: Ws<'_>, offset: i32, limit: i32) -> R<CustomerPage> {
    ws.get()?.trash(offset.into(), limit.into()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn facets(ws: Ws<'_>) -> R<Facets> {
    ws.get()?.facets().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn contact_add(ws: Ws<'_>, customer_id: String, input: ContactInput) -> R<Contact> {
    ws.get()?.add_contact(&customer_id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn contact_update(ws: Ws<'_>, id: String, input: ContactInput) -> R<Contact> {
    ws.get()?.update_contact(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn contact_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_contact(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn timeline(ws: Ws<'_>, customer_id: String, before: Option<String>, limit: u32) -> R<TimelinePage> {
    ws.get()?.timeline(&customer_id, before.as_deref(), limit).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn history(ws: Ws<'_>, id: String) -> R<Vec<HistoryEntry>> {
    ws.get()?.history(&id).await.map_err(e)
}
/// What the customer form says about a phone number as it is typed (an old 11-digit mobile
/// number converted, the label its type gives).
#[tauri::command]
#[specta::specta]
pub(crate) async fn phone_info(number: String) -> R<tend::validate::PhoneInfo> {
    tend::validate::phone_info(&number).map_err(|k| e(tend::Error::invalid("number", k)))
}
