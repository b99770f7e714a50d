//! Commands: care plans, enrolment, care tasks and the user's reminder settings. Instants come
//! as JavaScript numbers (UTC ms, exact below 2^53).

use crate::*;
use tend::care::remind::ReminderSettings;
use tend::care::{CarePlanInput, CareTask, EnrolReport, StoredPlan, TaskFilter};

#[tauri::command]
#[specta::specta]
pub(crate) async fn care_plan_list(ws: Ws<'_>) -> R<Vec<StoredPlan>> {
    ws.get()?.care_plans().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_plan_form(ws: Ws<'_>, id: String) -> R<CarePlanInput> {
    ws.get()?.care_plan(&id).await.map(|p| CarePlanInput::of(&p.plan())).map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_plan_create(ws: Ws<'_>, input: CarePlanInput) -> R<StoredPlan> {
    ws.get()?.save_care_plan(None, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_plan_update(ws: Ws<'_>, id: String, input: CarePlanInput) -> R<StoredPlan> {
    ws.get()?.save_care_plan(Some(&id), &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_plan_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_care_plan(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_plan_presets(lang: String) -> R<Vec<CarePlanInput>> {
    Ok(tend::care::presets::presets(&lang))
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_enrol(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    plan_id: String,
    customer_ids: Vec<String>,
) -> R<EnrolReport> {
    reminders::after(&app, ws.get()?.enrol_customers(&plan_id, &customer_ids, None).await)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_enrol_segment(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    plan_id: String,
    segment_id: String,
) -> R<EnrolReport> {
    reminders::after(&app, ws.get()?.enrol_segment(&plan_id, &segment_id, None).await)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_unenrol(ws: Ws<'_>, enrolment_id: String) -> R<()> {
    ws.get()?.unenrol(&enrolment_id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_tasks(ws: Ws<'_>, filter: TaskFilter) -> R<Vec<CareTask>> {
    ws.get()?.care_tasks(&filter).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_task_complete(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    ids: Vec<String>,
    outcome: String,
) -> R<Vec<CareTask>> {
    reminders::after(&app, ws.get()?.complete_care_tasks(&ids, &outcome).await)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_task_skip(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    ids: Vec<String>,
    reason: String,
) -> R<Vec<CareTask>> {
    reminders::after(&app, ws.get()?.skip_care_tasks(&ids, &reason).await)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_task_snooze(app: tauri::AppHandle, ws: Ws<'_>, id: String, until: f64) -> R<CareTask> {
    reminders::after(&app, ws.get()?.snooze_care_task(&id, until as i64).await)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_task_reschedule(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    ids: Vec<String>,
    due_at: f64,
) -> R<Vec<CareTask>> {
    reminders::after(&app, ws.get()?.reschedule_care_tasks(&ids, due_at as i64).await)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn care_task_assign(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    ids: Vec<String>,
    assignee_id: Option<String>,
) -> R<Vec<CareTask>> {
    reminders::after(&app, ws.get()?.assign_care_tasks(&ids, assignee_id.as_deref()).await)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn reminder_settings(ws: Ws<'_>) -> R<ReminderSettings> {
    ws.get()?.reminder_settings().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn reminder_quiet_hours_set(app: tauri::AppHandle, ws: Ws<'_>, hours: String) -> R<()> {
    reminders::after(&app, ws.get()?.set_quiet_hours(&hours).await)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn reminder_pause_set(app: tauri::AppHandle, ws: Ws<'_>, paused: bool) -> R<()> {
    reminders::set_paused(&app, ws.get()?, paused).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn reminder_status(state: tauri::State<'_, reminders::Reminders>) -> R<reminders::NotifierStatus> {
    Ok(state.status())
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn export_care_tasks(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    path: String,
    assignee_id: Option<String>,
) -> R<u32> {
    let path = granted.check(Access::Write, &path).map_err(e)?;
    ws.get()?.export_care_tasks(&path, assignee_id.as_deref()).await.map(|n| n as u32).map_err(e)
}
