//! Commands: owners' reports, the lists behind their numbers, their settings and their export.

use crate::*;
use tend::reports::{
    CareMeasure, CustomerMeasure, DealMeasure, Drill, Report, ReportDeals, ReportQuery, ReportSettings, ReportTasks,
    TicketMeasure,
};
use tend::search::CustomerPage;
use tend::tickets::TicketPage;

#[tauri::command]
#[specta::specta]
pub(crate) async fn report_get(ws: Ws<'_>, query: ReportQuery) -> R<Report> {
    ws.get()?.report(&query).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn report_tickets(ws: Ws<'_>, drill: Drill<TicketMeasure>, offset: i32, limit: i32) -> R<TicketPage> {
    ws.get()?.report_tickets(&drill, offset, limit).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn report_customers(
    ws: Ws<'_>,
    drill: Drill<CustomerMeasure>,
    offset: i32,
    limit: i32,
) -> R<CustomerPage> {
    ws.get()?.report_customers(&drill, offset.into(), limit.into()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn report_care_tasks(
    ws: Ws<'_>,
    drill: Drill<CareMeasure>,
    offset: i32,
    limit: i32,
) -> R<ReportTasks> {
    ws.get()?.report_care_tasks(&drill, offset.into(), limit.into()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn report_deals(ws: Ws<'_>, drill: Drill<DealMeasure>) -> R<ReportDeals> {
    ws.get()?.report_deals(&drill).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn report_settings_get(ws: Ws<'_>) -> R<ReportSettings> {
    ws.get()?.report_settings().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn report_settings_set(ws: Ws<'_>, settings: ReportSettings) -> R<ReportSettings> {
    ws.get()?.set_report_settings(&settings).await.map_err(e)
}
/// The report as XLSX or CSV (by the name's extension), to a file picked in a save dialog;
/// the rows written.
#[tauri::command]
#[specta::specta]
pub(crate) async fn report_export(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    path: String,
    query: ReportQuery,
) -> R<u32> {
    let path = granted.check(Access::Write, &path).map_err(e)?;
    ws.get()?.export_report(&query, &path).await.map(|n| n as u32).map_err(e)
}
