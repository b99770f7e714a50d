//! Commands: the helpdesk (teams, tickets, their thread and stages) and business calendars.

use crate::*;
use std::collections::BTreeMap;
use tend::files::Attachment;
use tend::tickets::{
    Canned, CannedInput, MessageKind, NewTicket, Reply, Rule, RuleInput, SurveyAnswer, SurveyAnswerInput, Team,
    TeamInput, TicketDetail, TicketFilter, TicketPage,
};

#[tauri::command]
#[specta::specta]
pub(crate) async fn team_list(ws: Ws<'_>) -> R<Vec<Team>> {
    ws.get()?.teams().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_default(ws: Ws<'_>) -> R<Team> {
    ws.get()?.default_team().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_create(ws: Ws<'_>, input: TeamInput) -> R<Team> {
    ws.get()?.create_team(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_update(ws: Ws<'_>, id: String, input: TeamInput) -> R<Team> {
    ws.get()?.update_team(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_member_availability(
    ws: Ws<'_>,
    team_id: String,
    staff_id: String,
    hours: Option<BTreeMap<String, Vec<String>>>,
    leave: Vec<String>,
) -> R<Team> {
    ws.get()?.set_member_availability(&team_id, &staff_id, hours, &leave).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_create(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    mut input: NewTicket,
) -> R<TicketDetail> {
    input.attachments = readable(&granted, &input.attachments).map_err(e)?;
    ws.get()?.create_ticket(&input).await.map_err(e)
}
/// The files the window attaches: each one the user picked in an open dialog.
fn readable(granted: &Granted, paths: &[String]) -> Result<Vec<String>, tend::Error> {
    paths.iter().map(|p| granted.check(Access::Read, p).map(|p| p.display().to_string())).collect()
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_get(ws: Ws<'_>, id: String) -> R<TicketDetail> {
    ws.get()?.ticket(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_list(ws: Ws<'_>, filter: TicketFilter) -> R<TicketPage> {
    ws.get()?.tickets(&filter).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_message(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    id: String,
    kind: MessageKind,
    mut reply: Reply,
) -> R<TicketDetail> {
    reply.attachments = readable(&granted, &reply.attachments).map_err(e)?;
    ws.get()?.add_ticket_message(&id, kind, &reply).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_attachment_save(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    hash: String,
    path: String,
) -> R<Attachment> {
    let path = granted.check(Access::Write, &path).map_err(e)?;
    ws.get()?.save_ticket_attachment(&hash, &path).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn survey_import(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    path: String,
) -> R<tend::import::SurveyImport> {
    let path = granted.check(Access::Read, &path).map_err(e)?;
    ws.get()?.import_survey_answers(&path).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_attachment_preview(ws: Ws<'_>, hash: String) -> R<Option<String>> {
    ws.get()?.ticket_attachment_preview(&hash).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_move(ws: Ws<'_>, id: String, stage_id: String) -> R<TicketDetail> {
    ws.get()?.move_ticket(&id, &stage_id, None).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_assign(ws: Ws<'_>, id: String, staff_id: Option<String>) -> R<TicketDetail> {
    ws.get()?.assign_ticket(&id, staff_id.as_deref()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_solve(ws: Ws<'_>, id: String) -> R<TicketDetail> {
    ws.get()?.solve_ticket(&id, None).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_reopen(ws: Ws<'_>, id: String) -> R<TicketDetail> {
    ws.get()?.reopen_ticket(&id, None).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_check(ws: Ws<'_>, id: String, item: String, done: bool) -> R<TicketDetail> {
    ws.get()?.tick_ticket_check(&id, &item, done, None).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn survey_record(ws: Ws<'_>, ticket: String, input: SurveyAnswerInput) -> R<SurveyAnswer> {
    ws.get()?.record_survey(&ticket, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn canned_list(ws: Ws<'_>) -> R<Vec<Canned>> {
    ws.get()?.canned_responses().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn canned_create(ws: Ws<'_>, input: CannedInput) -> R<Canned> {
    ws.get()?.create_canned(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn canned_update(ws: Ws<'_>, id: String, input: CannedInput) -> R<Canned> {
    ws.get()?.update_canned(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn canned_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_canned(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn canned_fill(ws: Ws<'_>, id: String, ticket: String) -> R<String> {
    ws.get()?.fill_canned(&id, &ticket).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn canned_placeholders() -> R<Vec<String>> {
    Ok(tend::placeholders::CANNED.iter().map(|p| p.to_string()).collect())
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ack_placeholders() -> R<Vec<String>> {
    Ok(tend::placeholders::ACK.iter().map(|p| p.to_string()).collect())
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn rule_list(ws: Ws<'_>) -> R<Vec<Rule>> {
    ws.get()?.ticket_rules().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn rule_create(ws: Ws<'_>, input: RuleInput) -> R<Rule> {
    ws.get()?.create_ticket_rule(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn rule_update(ws: Ws<'_>, id: String, input: RuleInput) -> R<Rule> {
    ws.get()?.update_ticket_rule(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn rule_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_ticket_rule(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn rule_move(ws: Ws<'_>, id: String, index: i32) -> R<Vec<Rule>> {
    ws.get()?.move_ticket_rule(&id, index).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_merge(ws: Ws<'_>, id: String, into: String) -> R<TicketDetail> {
    ws.get()?.merge_ticket(&id, &into).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_unmerge(ws: Ws<'_>, id: String) -> R<TicketDetail> {
    ws.get()?.unmerge_ticket(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn ticket_link(ws: Ws<'_>, id: String, other: String, linked: bool) -> R<TicketDetail> {
    ws.get()?.link_tickets(&id, &other, linked).await.map_err(e)
}
