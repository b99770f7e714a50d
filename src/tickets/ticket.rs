//! Tickets and their thread, through the one write path. Each change is one write transaction
//! that reads the ticket, applies the helpdesk's rules in Rust and writes back the columns that
//! changed (the triggers record them, so history and sync see every step):
//! - a new ticket: its customer (by id, or found by phone or email, or made on the spot), its
//!   team (named, or the default one), the first stage, the SLA policy that covers it and its
//!   deadlines, an assignee by the team's rule, a number unique across devices;
//! - a customer's message: answered later as the next response; on a solved ticket within the
//!   team's reopen window, or one waiting on the customer, it moves the ticket back to work;
//! - an agent's reply: the first stamps the first response (calendar and working time, without
//!   paused time), a late one records the breach; a note or an automatic reply never counts;
//! - a stage move: a checklist must be ticked before leaving its stage; entering a pausing stage
//!   stops the clock and leaving it moves every deadline not yet passed by the paused time;
//!   entering a solved stage stamps the resolution, leaving one reopens (counted);
//! - assignment by hand (history keeps every one).
//!
//! `at` (the CLI's `--at`) is when the event happened, so history can be replayed; by default now.

use super::sla::{self, Clock, Facts, SlaTarget};
use super::team::{Team, TicketStage};
use super::{Priority, Severity, TicketChannel};
use crate::db::WriteTx;
use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;

str_enum!(MessageKind { Customer = "customer", Reply = "reply", Note = "note", Auto = "auto", Event = "event" });

/// A ticket to open: who asked (a customer's id, or a phone or email to find them by, with a
/// name for one made on the spot), what about, and how it came.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Type)]
#[serde(default)]
pub struct NewTicket {
    pub subject: String,
    pub customer_id: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_email: Option<String>,
    pub customer_name: Option<String>,
    pub contact_id: Option<String>,
    pub team_id: Option<String>,
    pub priority: Option<Priority>,
    pub severity: Option<Severity>,
    pub category: Option<String>,
    pub channel: Option<TicketChannel>,
    pub assignee_id: Option<String>,
    pub tags: Vec<String>,
    pub deal_id: Option<String>,
    pub purchase_id: Option<String>,
    pub interaction_id: Option<String>,
    /// What the customer said: the thread's first message.
    pub message: Option<String>,
    /// Files that came with it (paths on this device; see `files`).
    pub attachments: Vec<String>,
    /// When it came (UTC ms); now when not given.
    #[specta(type = Option<i32>)]
    pub at: Option<i64>,
}

/// A message added to a thread.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Type)]
#[serde(default)]
pub struct Reply {
    pub body: String,
    /// Files to send with it (paths on this device; see `files`).
    pub attachments: Vec<String>,
    #[specta(type = Option<i32>)]
    pub at: Option<i64>,
}

/// A ticket as lists and its page show it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Ticket {
    pub id: String,
    pub number: String,
    pub subject: String,
    pub customer_id: String,
    pub customer_name: String,
    pub contact_id: Option<String>,
    pub team_id: String,
    pub team_name: String,
    pub stage_id: String,
    pub stage_name: String,
    pub solved: bool,
    pub closed: bool,
    pub paused: bool,
    /// As stored: a value from a newer version is kept as it came.
    pub priority: String,
    pub severity: String,
    pub category: Option<String>,
    pub channel: String,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub tags: Vec<String>,
    pub deal_id: Option<String>,
    pub purchase_id: Option<String>,
    pub interaction_id: Option<String>,
    pub sla_name: Option<String>,
    pub sla: Vec<SlaTarget>,
    #[specta(type = i32)]
    pub created_at: i64,
    #[specta(type = Option<i32>)]
    pub first_response_at: Option<i64>,
    /// First response and resolution, in calendar time and in the team's working time, both
    /// without paused time (ms).
    #[specta(type = Option<i32>)]
    pub first_response_ms: Option<i64>,
    #[specta(type = Option<i32>)]
    pub first_response_work_ms: Option<i64>,
    #[specta(type = Option<i32>)]
    pub solved_at: Option<i64>,
    #[specta(type = Option<i32>)]
    pub resolution_ms: Option<i64>,
    #[specta(type = Option<i32>)]
    pub resolution_work_ms: Option<i64>,
    #[specta(type = Option<i32>)]
    pub closed_at: Option<i64>,
    pub reopened: i32,
    pub merged_into: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type, sqlx::FromRow)]
pub struct TicketMessage {
    pub id: String,
    pub kind: String,
    pub staff_id: Option<String>,
    pub staff_name: Option<String>,
    pub channel: Option<String>,
    pub body: String,
    #[specta(type = i32)]
    pub at: i64,
    /// An event's rule and what it did (read from its body).
    #[sqlx(skip)]
    pub rule: Option<super::RuleFired>,
    /// The number of the ticket it was written on, when that one was merged into this one.
    pub from_number: Option<String>,
    /// Its files, in the workspace's folder.
    #[sqlx(skip)]
    pub attachments: Vec<crate::files::Attachment>,
    /// As stored (a JSON list), read into `attachments`.
    #[serde(skip)]
    #[specta(skip)]
    #[sqlx(rename = "attachments")]
    pub attachments_json: Option<String>,
}

/// A step of the current stage's checklist, ticked or not.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct CheckItem {
    pub item: String,
    pub done: bool,
    pub by_id: Option<String>,
    pub by_name: Option<String>,
    #[specta(type = Option<i32>)]
    pub at: Option<i64>,
}

/// A ticket's page: the ticket, its thread in order, its stage's checklist, its team's stages.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub messages: Vec<TicketMessage>,
    pub checklist: Vec<CheckItem>,
    pub stages: Vec<TicketStage>,
    /// Surveys sent for it and their answers.
    pub surveys: Vec<super::SurveyAnswer>,
    /// Canned responses the rules offer for the reply (those still there).
    pub suggested: Vec<super::Canned>,
    /// Related tickets, and the duplicates merged into this one.
    pub linked: Vec<super::TicketRef>,
    pub merged: Vec<super::TicketRef>,
    /// The number of the ticket this one was merged into.
    pub merged_into_number: Option<String>,
}

/// The saved views of the ticket list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum TicketView {
    /// Every ticket not closed.
    #[default]
    Open,
    /// Open tickets assigned to the current user.
    Mine,
    Unassigned,
    /// Open tickets past an SLA target's reminder share, not yet overdue.
    BreachingSoon,
    /// Open tickets in a stage that waits on the customer.
    Waiting,
    /// Open tickets past a deadline.
    Overdue,
    Solved,
    All,
}

/// The ticket list's filters, one page at a time.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Type)]
#[serde(default)]
pub struct TicketFilter {
    pub view: TicketView,
    pub team_id: Option<String>,
    pub stage_id: Option<String>,
    pub assignee_id: Option<String>,
    pub customer_id: Option<String>,
    pub priority: Option<Priority>,
    pub channel: Option<TicketChannel>,
    /// Words of the subject or number, folded.
    pub text: Option<String>,
    pub offset: i32,
    pub limit: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct TicketPage {
    pub rows: Vec<Ticket>,
    pub total: i32,
    pub offset: i32,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: String,
    number: String,
    subject: String,
    customer_id: String,
    customer_name: String,
    contact_id: Option<String>,
    team_id: String,
    stage_id: String,
    priority: String,
    severity: String,
    category: Option<String>,
    channel: String,
    assignee_id: Option<String>,
    assignee_name: Option<String>,
    tags: Option<String>,
    deal_id: Option<String>,
    purchase_id: Option<String>,
    interaction_id: Option<String>,
    sla_id: Option<String>,
    first_response_due: Option<i64>,
    next_response_due: Option<i64>,
    resolution_due: Option<i64>,
    paused_at: Option<i64>,
    paused_ms: i64,
    paused_work_ms: i64,
    first_response_at: Option<i64>,
    first_response_ms: Option<i64>,
    first_response_work_ms: Option<i64>,
    first_response_breached_at: Option<i64>,
    next_response_breached_at: Option<i64>,
    resolution_breached_at: Option<i64>,
    solved_at: Option<i64>,
    resolution_ms: Option<i64>,
    resolution_work_ms: Option<i64>,
    closed_at: Option<i64>,
    reopened: i64,
    last_customer_at: Option<i64>,
    merged_into: Option<String>,
    created_at: i64,
    replies: Option<i64>,
    first_solved_at: Option<i64>,
    reopened_at: Option<i64>,
    stage_at: Option<i64>,
    handling_ms: Option<i64>,
    handling_work_ms: Option<i64>,
}

const ROW: &str = "SELECT t.id, t.number, t.subject, t.customer_id, c.name AS customer_name, t.contact_id, t.team_id,
    t.stage_id, t.priority, t.severity, t.category, t.channel, t.assignee_id, s.name AS assignee_name, t.tags,
    t.deal_id, t.purchase_id, t.interaction_id, t.sla_id, t.first_response_due, t.next_response_due,
    t.resolution_due, t.paused_at, t.paused_ms, t.paused_work_ms, t.first_response_at, t.first_response_ms,
    t.first_response_work_ms, t.first_response_breached_at, t.next_response_breached_at,
    t.resolution_breached_at, t.solved_at, t.resolution_ms, t.resolution_work_ms, t.closed_at, t.reopened,
    t.last_customer_at, t.merged_into, t.created_at, t.replies, t.first_solved_at, t.reopened_at, t.stage_at,
    t.handling_ms, t.handling_work_ms
    FROM tickets t JOIN customers c ON c.id = t.customer_id LEFT JOIN staff s ON s.id = t.assignee_id";

/// The longest message a thread keeps (characters), and the most tags a ticket takes.
const MAX_BODY: usize = 50_000;
const MAX_TAGS: usize = 50;

/// A ticket's number, id or `#number` as people give it.
fn key_of(key: &str) -> String {
    key.trim().trim_start_matches('#').to_uppercase()
}

/// This device's tag in ticket numbers: three letters and digits (no 0/O, 1/I/L) from its id.
pub fn device_tag(device: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    // FNV-1a: the same tag for the same device on every build
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in device.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (0..3).map(|i| ALPHABET[((h >> (i * 16)) % ALPHABET.len() as u64) as usize] as char).collect()
}

async fn row_in(w: &mut WriteTx<'_>, key: &str) -> Result<Row> {
    let k = key_of(key);
    let row: Option<Row> = sqlx::query_as(&format!(
        "{ROW} WHERE t.deleted_at IS NULL AND (t.id = ?1 OR t.number = ?2) ORDER BY t.id = ?1 DESC LIMIT 1"
    ))
    .bind(key.trim())
    .bind(&k)
    .fetch_optional(&mut *w.conn())
    .await?;
    row.ok_or_else(|| Error::not_found("ticket", key))
}

/// Writes back a ticket's changing columns (the triggers record those that changed).
async fn save(w: &mut WriteTx<'_>, r: &Row) -> Result<()> {
    sqlx::query(
        "UPDATE tickets SET subject = ?, stage_id = ?, priority = ?, severity = ?, category = ?, assignee_id = ?,
            tags = ?, first_response_due = ?, next_response_due = ?, resolution_due = ?, paused_at = ?,
            paused_ms = ?, paused_work_ms = ?, first_response_at = ?, first_response_ms = ?,
            first_response_work_ms = ?, first_response_breached_at = ?, next_response_breached_at = ?,
            resolution_breached_at = ?, solved_at = ?, resolution_ms = ?, resolution_work_ms = ?, closed_at = ?,
            reopened = ?, last_customer_at = ?, merged_into = ?, replies = ?, first_solved_at = ?, reopened_at = ?,
            stage_at = ?, handling_ms = ?, handling_work_ms = ?
         WHERE id = ?",
    )
    .bind(&r.subject)
    .bind(&r.stage_id)
    .bind(&r.priority)
    .bind(&r.severity)
    .bind(&r.category)
    .bind(&r.assignee_id)
    .bind(&r.tags)
    .bind(r.first_response_due)
    .bind(r.next_response_due)
    .bind(r.resolution_due)
    .bind(r.paused_at)
    .bind(r.paused_ms)
    .bind(r.paused_work_ms)
    .bind(r.first_response_at)
    .bind(r.first_response_ms)
    .bind(r.first_response_work_ms)
    .bind(r.first_response_breached_at)
    .bind(r.next_response_breached_at)
    .bind(r.resolution_breached_at)
    .bind(r.solved_at)
    .bind(r.resolution_ms)
    .bind(r.resolution_work_ms)
    .bind(r.closed_at)
    .bind(r.reopened)
    .bind(r.last_customer_at)
    .bind(&r.merged_into)
    .bind(r.replies)
    .bind(r.first_solved_at)
    .bind(r.reopened_at)
    .bind(r.stage_at)
    .bind(r.handling_ms)
    .bind(r.handling_work_ms)
    .bind(&r.id)
    .execute(&mut *w.conn())
    .await?;
    Ok(())
}

/// The rules of the helpdesk applied to a ticket's row in memory.
struct Rules<'a> {
    team: &'a Team,
    clock: Clock,
}

impl Rules<'_> {
    /// Working time of the pause so far, and its calendar time.
    fn pause_lengths(&self, r: &Row, at: i64) -> Result<(i64, i64)> {
        match r.paused_at {
            Some(p) if at > p => Ok((at - p, self.clock.working(p, at)?)),
            _ => Ok((0, 0)),
        }
    }

    /// Stops the clock (entering a stage that waits on the customer).
    fn pause(&self, r: &mut Row, at: i64) {
        if r.paused_at.is_none() && r.solved_at.is_none() {
            r.paused_at = Some(at);
        }
    }

    /// Starts the clock again: every deadline that had not passed when the pause began moves
    /// later by the paused time (as the policy counts it); one already passed stays breached.
    fn resume(&self, r: &mut Row, at: i64) -> Result<()> {
        let Some(p) = r.paused_at else { return Ok(()) };
        let (calendar_ms, work_ms) = self.pause_lengths(r, at)?;
        for due in [&mut r.first_response_due, &mut r.next_response_due, &mut r.resolution_due] {
            if let Some(d) = *due {
                if d > p {
                    // the time that was left at the pause is left again from now
                    let left = self.clock.elapsed(p, d)?;
                    *due = Some(self.clock.add_ms(at, left)?);
                }
            }
        }
        r.paused_ms += calendar_ms;
        r.paused_work_ms += work_ms;
        r.paused_at = None;
        Ok(())
    }

    /// An agent's reply to the customer at `at`.
    fn replied(&self, r: &mut Row, at: i64) -> Result<()> {
        r.replies = r.replies.map(|n| n + 1);
        if r.first_response_at.is_none() {
            r.first_response_at = Some(at);
            let (pc, pw) = self.pause_lengths(r, at)?;
            r.first_response_ms = Some((at - r.created_at - r.paused_ms - pc).max(0));
            r.first_response_work_ms = Some((self.clock.working(r.created_at, at)? - r.paused_work_ms - pw).max(0));
            if let Some(due) = r.first_response_due {
                if at > due && r.first_response_breached_at.is_none() {
                    r.first_response_breached_at = Some(due);
                }
            }
        }
        if let Some(due) = r.next_response_due.take() {
            if at > due && r.next_response_breached_at.is_none() {
                r.next_response_breached_at = Some(due);
            }
        }
        Ok(())
    }

    /// The ticket reaching a solved stage at `at`.
    fn solved(&self, r: &mut Row, at: i64) -> Result<()> {
        self.resume(r, at)?;
        r.solved_at = Some(at);
        if r.first_solved_at.is_none() {
            r.first_solved_at = Some(at);
        }
        r.resolution_ms = Some((at - r.created_at - r.paused_ms).max(0));
        r.resolution_work_ms = Some((self.clock.working(r.created_at, at)? - r.paused_work_ms).max(0));
        if let Some(due) = r.resolution_due {
            if at > due && r.resolution_breached_at.is_none() {
                r.resolution_breached_at = Some(due);
            }
        }
        // nothing more is awaited from an agent; an answer already late stays breached
        if let Some(due) = r.next_response_due.take() {
            if at > due && r.next_response_breached_at.is_none() {
                r.next_response_breached_at = Some(due);
            }
        }
        Ok(())
    }

    /// Moves the ticket to `to`, with what entering and leaving stages mean.
    fn enter(&self, r: &mut Row, to: &TicketStage, at: i64) -> Result<()> {
        let from = self.team.stage(&r.stage_id).cloned();
        let was_solved = from.as_ref().is_some_and(|s| s.solved) || r.solved_at.is_some();
        let was_paused = r.paused_at.is_some();
        // the time in the stage it leaves counts as handling when that stage was worked in
        let working = from.as_ref().is_some_and(|s| !s.solved && !s.pauses_sla);
        if let (true, Some(since)) = (working, r.stage_at) {
            let (calendar, work) = ((at - since).max(0), self.clock.working(since, at)?.max(0));
            r.handling_ms = r.handling_ms.map(|h| h + calendar);
            r.handling_work_ms = r.handling_work_ms.map(|h| h + work);
        }
        if was_paused && !to.pauses_sla {
            self.resume(r, at)?;
        }
        if to.solved && !was_solved {
            self.solved(r, at)?;
        }
        if !to.solved && was_solved {
            r.reopened += 1;
            if r.reopened_at.is_none() {
                r.reopened_at = Some(at);
            }
            r.solved_at = None;
            r.resolution_ms = None;
            r.resolution_work_ms = None;
        }
        if to.pauses_sla && !to.solved {
            self.pause(r, at);
        }
        if to.closed {
            if r.closed_at.is_none() {
                r.closed_at = Some(at);
            }
        } else {
            r.closed_at = None;
        }
        r.stage_id = to.id.clone();
        r.stage_at = Some(at);
        Ok(())
    }
}

fn invalid(field: &str, key: &str, value: impl Into<String>) -> Error {
    Error::Validation(vec![FieldError::new(field, key).with("value", value)])
}

impl Workspace {
    /// When an event given by a person (`--at`) happened: now if not given; never more than a
    /// day ahead.
    fn event_at(&self, at: Option<i64>) -> Result<i64> {
        let now = self.now_ms();
        match at {
            None => Ok(now),
            Some(t) if t > now + 86_400_000 => Err(invalid(
                "at",
                "ticket.at_ahead",
                jiff::Timestamp::from_millisecond(t).map(|t| t.to_string()).unwrap_or_default(),
            )),
            Some(t) => Ok(t),
        }
    }

    /// The customer a new ticket names: by id, else the one with that phone or email, else one
    /// made now from what was given. (id, made now)
    async fn ticket_customer(
        &self,
        input: &NewTicket,
    ) -> Result<(Option<String>, Option<crate::customers::CustomerInput>)> {
        if let Some(id) = input.customer_id.as_deref().filter(|s| !s.trim().is_empty()) {
            let c = self.customer(id.trim()).await?;
            if c.deleted_at.is_some() {
                return Err(invalid("customer_id", "validation.customer_trashed", id));
            }
            return Ok((Some(c.id), None));
        }
        let mut keys = Vec::new();
        let mut phones = Vec::new();
        let mut emails = Vec::new();
        if let Some(p) = input.customer_phone.as_deref().filter(|s| !s.trim().is_empty()) {
            let e164 = crate::validate::phone(p).map_err(|k| invalid("customer_phone", k, p))?;
            keys.push(format!("p:{e164}"));
            phones.push(crate::customers::Phone { label: String::new(), number: p.trim().to_string() });
        }
        if let Some(e) = input.customer_email.as_deref().filter(|s| !s.trim().is_empty()) {
            let address = crate::validate::email(e).map_err(|k| invalid("customer_email", k, e))?;
            keys.push(format!("e:{}", address.to_lowercase()));
            emails.push(crate::customers::Email { label: String::new(), address });
        }
        if keys.is_empty() {
            return Err(Error::invalid("customer", "ticket.customer_required"));
        }
        for key in &keys {
            let found: Option<String> = sqlx::query_scalar(
                "SELECT c.id FROM customer_keys k JOIN customers c ON c.seq = k.customer_seq
                 WHERE k.key = ? AND c.deleted_at IS NULL ORDER BY c.created_at, c.id LIMIT 1",
            )
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
            if found.is_some() {
                return Ok((found, None));
            }
        }
        let name = input
            .customer_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| input.customer_phone.clone())
            .or_else(|| input.customer_email.clone())
            .unwrap_or_default();
        Ok((None, Some(crate::customers::CustomerInput { name, phones, emails, ..Default::default() })))
    }

    /// Opens a ticket (see the module's notes). Every problem is named at its field.
    pub async fn create_ticket(&self, input: &NewTicket) -> Result<TicketDetail> {
        let at = self.event_at(input.at)?;
        let mut errs = Vec::new();
        let subject = super::team::text_field(&mut errs, "subject", &input.subject, 200, true);
        let category =
            super::team::text_field(&mut errs, "category", input.category.as_deref().unwrap_or(""), 60, false);
        let message = match input.message.as_deref().map(crate::validate::long_text).transpose() {
            Ok(m) => m.filter(|m| !m.is_empty()),
            Err(k) => {
                errs.push(FieldError::new("message", k));
                None
            }
        };
        if message.as_ref().is_some_and(|m| m.chars().count() > MAX_BODY) {
            errs.push(FieldError::new("message", "validation.too_long").with("max", MAX_BODY.to_string()));
        }
        if input.tags.len() > MAX_TAGS {
            errs.push(FieldError::new("tags", "validation.too_many").with("max", MAX_TAGS.to_string()));
        }
        // checked and put in the workspace's folder now; taken out again unless the ticket is saved
        let (files, stored) = match self.attach(&input.attachments).await {
            Ok(f) => f,
            Err(Error::Validation(e)) => {
                errs.extend(e);
                (Vec::new(), crate::files::Stored::none())
            }
            Err(e) => return Err(e),
        };
        let mut tags = Vec::new();
        for (i, t) in input.tags.iter().enumerate() {
            match crate::validate::tag(t) {
                Ok(t) if !tags.contains(&t) => tags.push(t),
                Ok(_) => {}
                Err(k) => errs.push(FieldError::new(format!("tags[{i}]"), k).with("value", t)),
            }
        }
        let team = match input.team_id.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(t) => match self.team(t).await {
                Ok(team) => Some(team),
                Err(Error::NotFound { .. }) => {
                    errs.push(FieldError::new("team", "ticket.team_unknown").with("value", t));
                    None
                }
                Err(e) => return Err(e),
            },
            None => Some(self.default_team().await?),
        };
        let staff = self.staff().await?;
        if let Some(a) = input.assignee_id.as_deref() {
            if !staff.iter().any(|s| s.id == a) {
                errs.push(FieldError::new("assignee", "validation.unknown_staff").with("value", a));
            }
        }
        let customer = match self.ticket_customer(input).await {
            Ok(c) => Some(c),
            Err(Error::Validation(e)) => {
                errs.extend(e);
                None
            }
            Err(Error::NotFound { id, .. }) => {
                errs.push(FieldError::new("customer_id", "validation.unknown_customer").with("value", id));
                None
            }
            Err(e) => return Err(e),
        };
        let made = match &customer {
            Some((None, Some(new))) => match self.validate_customer(new).await {
                Ok(cols) => Some(cols),
                Err(Error::Validation(e)) => {
                    errs.extend(e.into_iter().map(|mut f| {
                        f.field = format!("customer.{}", f.field);
                        f
                    }));
                    None
                }
                Err(e) => return Err(e),
            },
            _ => None,
        };
        let (Some(team), Some((found, new_customer))) = (team, customer) else {
            return Err(Error::Validation(errs));
        };
        if !errs.is_empty() {
            return Err(Error::Validation(errs));
        }
        // the automatic rules, in order, over what was given (`rules.rs`)
        let rules = self.ticket_rules().await?;
        let mut facts = super::rules::Subject {
            channel: input.channel.unwrap_or(TicketChannel::Phone),
            text: super::rules::words(&format!("{subject}\n{}", message.as_deref().unwrap_or(""))),
            category: Some(category.clone()).filter(|c| !c.is_empty()),
            segments: self.rule_segments(&rules, found.as_deref()).await?,
            priority: input.priority.unwrap_or(Priority::Normal),
            team_id: team.id.clone(),
            assignee_id: input.assignee_id.clone(),
            tags,
        };
        let mut fired = super::rules::run(&rules, &mut facts);
        self.name_fired(&mut fired).await?;
        let team = if facts.team_id == team.id { team } else { self.team(&facts.team_id).await? };
        let tags = facts.tags;
        let Some(first) = team.first_stage().cloned() else {
            return Err(Error::Validation(vec![FieldError::new("team", "ticket.stages_count")
                .with("value", &team.name)
                .with("max", super::team::MAX_STAGES.to_string())]));
        };
        let priority = facts.priority;
        let channel = facts.channel;
        // the policy, by the customer's segments among those the policies name
        let customer_id_for_match = found.clone();
        let mut segments = Vec::new();
        if let Some(cid) = &customer_id_for_match {
            for p in &team.sla {
                for s in &p.matches.segment {
                    if !segments.contains(s) && self.in_segment(s, cid).await? {
                        segments.push(s.clone());
                    }
                }
            }
        }
        let policy = sla::pick(
            &team,
            &Facts {
                priority: priority.as_str(),
                category: Some(&category).filter(|c| !c.is_empty()).map(|c| c.as_str()),
                channel: channel.as_str(),
                segments: &segments,
            },
        )
        .cloned();
        let clock = Clock::new(&team, policy.as_ref())?;
        // the acknowledgement, filled before the write (a customer made now is known by what was given)
        let ack = match team.ack.as_ref().filter(|a| a.channels.is_empty() || a.channels.contains(&channel)) {
            None => None,
            Some(a) => {
                let who = match (&found, &new_customer) {
                    (Some(id), _) => {
                        let c = self.customer(id).await?;
                        AckCustomer {
                            name: c.name.clone(),
                            given_name: c.given_name.clone(),
                            phone: c.phones.first().map(|p| p.number.clone()),
                            email: c.emails.first().map(|e| e.address.clone()),
                        }
                    }
                    (None, Some(c)) => AckCustomer {
                        name: c.name.clone(),
                        given_name: c.given_name.clone(),
                        phone: c.phones.first().map(|p| p.number.clone()),
                        email: c.emails.first().map(|e| e.address.clone()),
                    },
                    (None, None) => AckCustomer::default(),
                };
                Some((a.body.clone(), who))
            }
        };
        let (fr_due, res_due) = match &policy {
            Some(p) => (clock.due(at, p.first_response_minutes)?, clock.due(at, p.resolution_minutes)?),
            None => (None, None),
        };
        let id = crate::db::new_id();
        let mut w = self.write().await?;
        let customer_id = match (found, made) {
            (Some(id), _) => id,
            (None, Some(cols)) => {
                let cid = crate::db::new_id();
                let now = w.now;
                crate::customers::insert_customer(w.conn(), &cid, &cols, now).await?;
                cid
            }
            (None, None) => return Err(Error::invalid("customer", "ticket.customer_required")),
        };
        let assignee = match &facts.assignee_id {
            Some(a) => Some(a.clone()),
            None => pick_assignee(&mut w, &team, at).await?,
        };
        let number = next_number(&mut w, self.device()).await?;
        sqlx::query(
            "INSERT INTO tickets (id, number, subject, customer_id, contact_id, team_id, stage_id, priority, severity,
                category, channel, assignee_id, tags, deal_id, purchase_id, interaction_id, sla_id,
                first_response_due, resolution_due, paused_ms, paused_work_ms, reopened, last_customer_at, created_at,
                replies, stage_at, handling_ms, handling_work_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, 0, ?, 0, 0)",
        )
        .bind(&id)
        .bind(&number)
        .bind(&subject)
        .bind(&customer_id)
        .bind(&input.contact_id)
        .bind(&team.id)
        .bind(&first.id)
        .bind(priority.as_str())
        .bind(input.severity.unwrap_or(Severity::Minor).as_str())
        .bind(Some(&category).filter(|c| !c.is_empty()))
        .bind(channel.as_str())
        .bind(&assignee)
        .bind(if tags.is_empty() { None } else { Some(serde_json::to_string(&tags)?) })
        .bind(&input.deal_id)
        .bind(&input.purchase_id)
        .bind(&input.interaction_id)
        .bind(policy.as_ref().map(|p| &p.id))
        .bind(fr_due)
        .bind(res_due)
        .bind(message.as_ref().map(|_| at))
        .bind(at)
        .bind(at)
        .execute(&mut *w.conn())
        .await?;
        if message.is_some() || !files.is_empty() {
            let body = message.as_deref().unwrap_or("");
            let ch = Some(channel.as_str());
            insert_message(&mut w, &id, &customer_id, MessageKind::Customer, None, ch, body, &files, at).await?;
        }
        // what each rule did, in the thread (and so in history), then the acknowledgement
        for f in &fired {
            insert_message(
                &mut w,
                &id,
                &customer_id,
                MessageKind::Event,
                None,
                None,
                &serde_json::to_string(f)?,
                &[],
                at,
            )
            .await?;
        }
        if let Some((body, who)) = ack {
            let text = crate::placeholders::fill(&body, |key| match key {
                "customer.name" => Some(who.name.clone()),
                "customer.given_name" => who.given_name.clone().or_else(|| Some(who.name.clone())),
                "customer.phone" => who.phone.as_deref().map(crate::validate::phone_display),
                "customer.email" => who.email.clone(),
                "ticket.number" => Some(number.clone()),
                "ticket.subject" => Some(subject.clone()),
                "team.name" => Some(team.name.clone()),
                _ => None,
            });
            insert_message(&mut w, &id, &customer_id, MessageKind::Auto, None, Some(channel.as_str()), &text, &[], at)
                .await?;
        }
        w.commit().await?;
        stored.keep();
        self.ticket(&id).await
    }

    /// Adds a message to a ticket's thread: the customer's (`Customer`), an agent's reply to the
    /// customer (`Reply`) or an internal note (`Note`), by the current user.
    pub async fn add_ticket_message(&self, key: &str, kind: MessageKind, reply: &Reply) -> Result<TicketDetail> {
        let body = crate::validate::long_text(&reply.body).map_err(|k| invalid("body", k, &reply.body))?;
        // a file alone is a message (a photo of the fault)
        if body.is_empty() && reply.attachments.is_empty() {
            return Err(Error::invalid("body", "validation.required"));
        }
        if body.chars().count() > MAX_BODY {
            return Err(Error::Validation(vec![
                FieldError::new("body", "validation.too_long").with("max", MAX_BODY.to_string())
            ]));
        }
        if !matches!(kind, MessageKind::Customer | MessageKind::Reply | MessageKind::Note) {
            return Err(invalid("kind", "validation.not_allowed", kind.as_str()));
        }
        let at = self.event_at(reply.at)?;
        let me = self.current_staff_id().await?;
        // to a duplicate: to the ticket it was merged into
        let id = self.ticket_going_on(&self.ticket_id(key).await?).await?;
        let team = self.ticket_team(&id).await?;
        let (files, stored) = self.attach(&reply.attachments).await?;
        let mut w = self.write().await?;
        let mut r = row_in(&mut w, &id).await?;
        check_after_created(&r, at)?;
        let rules = self.rules_for(&team, &r)?;
        match kind {
            MessageKind::Customer => {
                let stage = team.stage(&r.stage_id).cloned();
                if let Some(solved) = r.solved_at.filter(|_| stage.as_ref().is_some_and(|s| s.solved)) {
                    if at - solved > team.reopen_days * 86_400_000 || r.closed_at.is_some() && team.reopen_days == 0 {
                        return Err(invalid("ticket", "ticket.closed_new_ticket", r.number.clone()));
                    }
                }
                let back = stage.as_ref().is_some_and(|s| s.solved || s.pauses_sla);
                if back {
                    if let Some(to) = team.working_stage().cloned() {
                        rules.enter(&mut r, &to, at)?;
                    }
                }
                r.last_customer_at = Some(at);
                // the next answer is due when the first one was given
                if r.first_response_at.is_some() && r.next_response_due.is_none() {
                    let policy = team.sla.iter().find(|p| Some(&p.id) == r.sla_id.as_ref());
                    if let Some(m) = policy.and_then(|p| p.next_response_minutes) {
                        r.next_response_due = rules.clock.due(at, Some(m))?;
                    }
                }
            }
            MessageKind::Reply => rules.replied(&mut r, at)?,
            _ => {}
        }
        let staff = if kind == MessageKind::Customer { None } else { me.as_deref() };
        insert_message(&mut w, &r.id, &r.customer_id, kind, staff, None, &body, &files, at).await?;
        save(&mut w, &r).await?;
        w.commit().await?;
        stored.keep();
        self.ticket(&id).await
    }

    /// Moves a ticket to a stage of its team (a name or id). Leaving a stage whose checklist is
    /// not all ticked is refused, naming the steps left.
    pub async fn move_ticket(&self, key: &str, stage: &str, at: Option<i64>) -> Result<TicketDetail> {
        let at = self.event_at(at)?;
        let id = self.ticket_id(key).await?;
        self.refuse_merged(&id).await?;
        let team = self.ticket_team(&id).await?;
        let to = team.stage_named(stage).cloned().ok_or_else(|| invalid("stage", "ticket.stage_unknown", stage))?;
        let mut w = self.write().await?;
        let mut r = row_in(&mut w, &id).await?;
        check_after_created(&r, at)?;
        if r.stage_id == to.id {
            return self.ticket(&id).await;
        }
        if let Some(from) = team.stage(&r.stage_id) {
            let open = open_checks(&mut w, &r.id, from).await?;
            if !open.is_empty() {
                return Err(Error::Validation(vec![FieldError::new("checklist", "ticket.checklist_open")
                    .with("value", open.join(", "))
                    .with("stage", &from.name)]));
            }
        }
        let rules = self.rules_for(&team, &r)?;
        let was_solved = r.solved_at.is_some();
        rules.enter(&mut r, &to, at)?;
        save(&mut w, &r).await?;
        if !was_solved && r.solved_at.is_some() {
            // the team's follow-up and survey
            self.care_on_ticket_solved(&mut w, &r.customer_id, &r.id, &team.id, at).await?;
            if let Some(kind) = team.survey {
                super::survey::send(&mut w, &r.id, &r.customer_id, kind.as_str(), at).await?;
            }
        }
        w.commit().await?;
        self.ticket(&id).await
    }

    /// Solves a ticket: to its team's solved stage.
    pub async fn solve_ticket(&self, key: &str, at: Option<i64>) -> Result<TicketDetail> {
        let id = self.ticket_id(key).await?;
        let team = self.ticket_team(&id).await?;
        let to = team.solved_stage().ok_or_else(|| Error::invalid("stage", "ticket.no_solved_stage"))?;
        self.move_ticket(&id, &to.id, at).await
    }

    /// Reopens a solved ticket: back to work (counted).
    pub async fn reopen_ticket(&self, key: &str, at: Option<i64>) -> Result<TicketDetail> {
        let id = self.ticket_id(key).await?;
        let detail = self.ticket(&id).await?;
        if !detail.ticket.solved {
            return Err(invalid("ticket", "ticket.not_solved", detail.ticket.number));
        }
        let team = self.ticket_team(&id).await?;
        let to = team.working_stage().ok_or_else(|| Error::invalid("stage", "ticket.no_solved_stage"))?;
        self.move_ticket(&id, &to.id, at).await
    }

    /// Assigns a ticket to a member of staff, or to nobody.
    pub async fn assign_ticket(&self, key: &str, staff_id: Option<&str>) -> Result<TicketDetail> {
        let id = self.ticket_id(key).await?;
        self.refuse_merged(&id).await?;
        if let Some(s) = staff_id {
            if !self.staff().await?.iter().any(|x| x.id == s) {
                return Err(invalid("assignee", "validation.unknown_staff", s));
            }
        }
        let mut w = self.write().await?;
        let mut r = row_in(&mut w, &id).await?;
        r.assignee_id = staff_id.map(str::to_string);
        save(&mut w, &r).await?;
        w.commit().await?;
        self.ticket(&id).await
    }

    /// Ticks (or unticks) a step of the checklist of the ticket's current stage.
    pub async fn tick_ticket_check(&self, key: &str, item: &str, done: bool, at: Option<i64>) -> Result<TicketDetail> {
        let at = self.event_at(at)?;
        let id = self.ticket_id(key).await?;
        self.refuse_merged(&id).await?;
        let team = self.ticket_team(&id).await?;
        let me = self.current_staff_id().await?;
        let mut w = self.write().await?;
        let r = row_in(&mut w, &id).await?;
        let stage =
            team.stage(&r.stage_id).cloned().ok_or_else(|| invalid("stage", "ticket.stage_unknown", &r.stage_id))?;
        let wanted = crate::validate::text(item).unwrap_or_default();
        let Some(step) =
            stage.checklist.iter().find(|s| **s == wanted || crate::fold::fold(s) == crate::fold::fold(&wanted))
        else {
            return Err(Error::Validation(vec![FieldError::new("item", "ticket.check_unknown")
                .with("value", item)
                .with("stage", &stage.name)]));
        };
        let check_id = derived_id(&[&r.id, &stage.id, step]);
        sqlx::query(
            "INSERT INTO ticket_checks (id, ticket_id, stage_id, item, done, by_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET done = excluded.done, by_id = excluded.by_id, at = excluded.at",
        )
        .bind(&check_id)
        .bind(&r.id)
        .bind(&stage.id)
        .bind(step)
        .bind(i64::from(done))
        .bind(&me)
        .bind(at)
        .execute(&mut *w.conn())
        .await?;
        w.commit().await?;
        self.ticket(&id).await
    }

    /// A ticket's id from its number or id.
    pub async fn ticket_id(&self, key: &str) -> Result<String> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT id FROM tickets WHERE deleted_at IS NULL AND (id = ?1 OR number = ?2) ORDER BY id = ?1 DESC LIMIT 1",
        )
        .bind(key.trim())
        .bind(key_of(key))
        .fetch_optional(self.pool())
        .await?;
        id.ok_or_else(|| Error::not_found("ticket", key))
    }

    async fn ticket_team(&self, id: &str) -> Result<Team> {
        let team_id: String =
            sqlx::query_scalar("SELECT team_id FROM tickets WHERE id = ?").bind(id).fetch_one(self.pool()).await?;
        self.team(&team_id).await
    }

    fn rules_for<'t>(&self, team: &'t Team, r: &Row) -> Result<Rules<'t>> {
        let policy = team.sla.iter().find(|p| Some(&p.id) == r.sla_id.as_ref());
        Ok(Rules { team, clock: Clock::new(team, policy)? })
    }

    /// A ticket with its thread, its stage's checklist and its team's stages.
    pub async fn ticket(&self, key: &str) -> Result<TicketDetail> {
        let id = self.ticket_id(key).await?;
        let row: Row = sqlx::query_as(&format!("{ROW} WHERE t.id = ?")).bind(&id).fetch_one(self.pool()).await?;
        let team = self.team(&row.team_id).await?;
        let ticket = shown(&team, row, self.now_ms())?;
        // its own thread and those of the tickets merged into it (and into them)
        let messages: Vec<TicketMessage> = sqlx::query_as(
            "WITH RECURSIVE joined(id, depth) AS (
                SELECT ?1, 0 UNION ALL SELECT t.id, j.depth + 1 FROM tickets t JOIN joined j ON t.merged_into = j.id
                WHERE t.deleted_at IS NULL AND j.depth < 100)
             SELECT m.id, m.kind, m.staff_id, s.name AS staff_name, m.channel, m.body, m.at, m.attachments,
                    CASE WHEN m.ticket_id = ?1 THEN NULL ELSE (SELECT number FROM tickets WHERE id = m.ticket_id) END
                        AS from_number
             FROM ticket_messages m LEFT JOIN staff s ON s.id = m.staff_id
             WHERE m.ticket_id IN (SELECT id FROM joined) AND m.deleted_at IS NULL ORDER BY m.at, m.created_at, m.id",
        )
        .bind(&id)
        .fetch_all(self.pool())
        .await?;
        let stage = team.stage(&ticket.stage_id);
        let ticks: Vec<TickRow> = sqlx::query_as(
            "SELECT k.item, k.done, k.by_id, s.name, k.at FROM ticket_checks k LEFT JOIN staff s ON s.id = k.by_id
             WHERE k.ticket_id = ? AND k.stage_id = ?",
        )
        .bind(&id)
        .bind(&ticket.stage_id)
        .fetch_all(self.pool())
        .await?;
        let checklist = stage
            .map(|s| {
                s.checklist
                    .iter()
                    .map(|item| {
                        let tick = ticks.iter().find(|t| &t.0 == item);
                        CheckItem {
                            item: item.clone(),
                            done: tick.is_some_and(|t| t.1 != 0),
                            by_id: tick.and_then(|t| t.2.clone()),
                            by_name: tick.and_then(|t| t.3.clone()),
                            at: tick.map(|t| t.4),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let surveys = self.ticket_surveys(&id).await?;
        let mut messages = messages;
        for m in &mut messages {
            // a list a newer or broken device wrote that cannot be read shows no files, never fails the thread
            m.attachments =
                m.attachments_json.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
        }
        let mut offered: Vec<String> = Vec::new();
        for m in messages.iter_mut().filter(|m| m.kind == MessageKind::Event.as_str()) {
            m.rule = serde_json::from_str(&m.body).ok();
            if let Some(c) = m.rule.as_ref().and_then(|r| r.suggest_id.clone()) {
                if !offered.contains(&c) {
                    offered.push(c);
                }
            }
        }
        let suggested = if offered.is_empty() {
            Vec::new()
        } else {
            self.canned_responses().await?.into_iter().filter(|c| offered.contains(&c.id)).collect()
        };
        let (linked, merged) = self.ticket_refs(&id).await?;
        let merged_into_number = match &ticket.merged_into {
            Some(other) => {
                sqlx::query_scalar("SELECT number FROM tickets WHERE id = ?")
                    .bind(other)
                    .fetch_optional(self.pool())
                    .await?
            }
            None => None,
        };
        Ok(TicketDetail {
            messages,
            checklist,
            stages: team.stages.clone(),
            surveys,
            suggested,
            linked,
            merged,
            merged_into_number,
            ticket,
        })
    }

    /// A page of tickets for a view and filters: open ones by their nearest deadline (those
    /// without one after, newest first), solved and all by newest first; the first page with its total.
    pub async fn tickets(&self, f: &TicketFilter) -> Result<TicketPage> {
        let now = self.now_ms();
        let me = self.current_staff_id().await?;
        use rusqlite::types::Value;
        let mut cond = vec!["t.deleted_at IS NULL".to_string(), "t.merged_into IS NULL".to_string()];
        let mut params: Vec<Value> = Vec::new();
        // the next running deadline, for ordering and the views that look at it
        const NEXT_DUE: &str = "MIN(COALESCE(CASE WHEN t.first_response_at IS NULL THEN t.first_response_due END, 9e18),
            COALESCE(t.next_response_due, 9e18), COALESCE(CASE WHEN t.solved_at IS NULL THEN t.resolution_due END, 9e18))";
        match f.view {
            TicketView::Open
            | TicketView::Mine
            | TicketView::Unassigned
            | TicketView::BreachingSoon
            | TicketView::Overdue => cond.push("t.closed_at IS NULL AND t.solved_at IS NULL".into()),
            TicketView::Waiting => cond.push("t.closed_at IS NULL AND t.paused_at IS NOT NULL".into()),
            TicketView::Solved => cond.push("t.solved_at IS NOT NULL".into()),
            TicketView::All => {}
        }
        match f.view {
            TicketView::Mine => {
                cond.push("t.assignee_id = ?".into());
                params.push(Value::Text(me.clone().unwrap_or_default()));
            }
            TicketView::Unassigned => cond.push("t.assignee_id IS NULL".into()),
            TicketView::Overdue => {
                cond.push(format!("t.paused_at IS NULL AND {NEXT_DUE} < ?"));
                params.push(Value::Integer(now));
            }
            // a running deadline not passed yet; whether its reminder share has gone is the
            // SLA's own arithmetic in the team's calendar, asked of each below
            TicketView::BreachingSoon => {
                cond.push(format!("t.paused_at IS NULL AND {NEXT_DUE} >= ? AND {NEXT_DUE} < 9e18"));
                params.push(Value::Integer(now));
            }
            _ => {}
        }
        let filters = [
            ("t.team_id = ?", f.team_id.clone()),
            ("t.stage_id = ?", f.stage_id.clone()),
            ("t.assignee_id = ?", f.assignee_id.clone()),
            ("t.customer_id = ?", f.customer_id.clone()),
            ("t.priority = ?", f.priority.map(|p| p.as_str().to_string())),
            ("t.channel = ?", f.channel.map(|p| p.as_str().to_string())),
        ];
        for (c, v) in filters {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                cond.push(c.to_string());
                params.push(Value::Text(v));
            }
        }
        if let Some(text) = f.text.as_ref().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            cond.push("(t.number = ? OR tend_fold(t.subject) LIKE ? ESCAPE '\\')".into());
            params.push(Value::Text(key_of(text)));
            let like = crate::fold::fold(text).replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            params.push(Value::Text(format!("%{like}%")));
        }
        let order = match f.view {
            TicketView::Solved | TicketView::All => "t.created_at DESC, t.id".to_string(),
            _ => format!("{NEXT_DUE}, t.created_at DESC, t.id"),
        };
        let limit = i64::from(f.limit).clamp(1, 500);
        let offset = i64::from(f.offset).max(0);
        let where_ = cond.join(" AND ");
        if f.view == TicketView::BreachingSoon {
            // every candidate asked, so the page and its total are those of the view itself
            let sql = format!("SELECT t.id FROM tickets t WHERE {where_} ORDER BY {order}");
            let ids = self.readers().with(|conn| {
                let mut st = conn.prepare(&sql)?;
                let ids = st
                    .query_map(rusqlite::params_from_iter(params.iter()), |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?;
                Ok(ids)
            })?;
            let soon: Vec<Ticket> = self
                .tickets_shown(&ids, now)
                .await?
                .into_iter()
                .filter(|t| t.sla.iter().any(|s| s.warning && s.state == super::SlaState::Running))
                .collect();
            let total = soon.len();
            let rows = soon.into_iter().skip(offset as usize).take(limit as usize).collect();
            return Ok(TicketPage { total: total as i32, offset: offset as i32, rows });
        }
        let sql = format!("{ROW} WHERE {where_} ORDER BY {order} LIMIT ? OFFSET ?");
        let count_sql = format!("SELECT COUNT(*) FROM tickets t WHERE {where_}");
        let (rows, total) = self.readers().with(|conn| {
            let total: i64 = conn.query_row(&count_sql, rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
            let mut params = params.clone();
            params.push(Value::Integer(limit));
            params.push(Value::Integer(offset));
            let mut st = conn.prepare(&sql)?;
            let ids = st
                .query_map(rusqlite::params_from_iter(params.iter()), |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok((ids, total))
        })?;
        let out = self.tickets_shown(&rows, now).await?;
        Ok(TicketPage { total: total as i32, offset: offset as i32, rows: out })
    }

    /// Tickets by id as the list shows them, in the order given (read 500 at a time).
    pub(crate) async fn tickets_shown(&self, ids: &[String], now: i64) -> Result<Vec<Ticket>> {
        let mut teams: Vec<Team> = Vec::new();
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!("{ROW} WHERE t.id IN ({marks})");
            let mut q = sqlx::query_as::<_, Row>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            let mut page: Vec<Row> = q.fetch_all(self.pool()).await?;
            page.sort_by_key(|r| chunk.iter().position(|id| *id == r.id));
            for row in page {
                if !teams.iter().any(|t| t.id == row.team_id) {
                    teams.push(self.team(&row.team_id).await?);
                }
                let team =
                    teams.iter().find(|t| t.id == row.team_id).ok_or_else(|| Error::not_found("team", &row.team_id))?;
                out.push(shown(team, row, now)?);
            }
        }
        Ok(out)
    }
}

/// Who an acknowledgement is addressed to.
#[derive(Default)]
struct AckCustomer {
    name: String,
    given_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

/// A checklist tick as read: item, done, by (id, name), when.
type TickRow = (String, i64, Option<String>, Option<String>, i64);

fn check_after_created(r: &Row, at: i64) -> Result<()> {
    if at < r.created_at {
        return Err(invalid("at", "ticket.before_created", r.number.clone()));
    }
    Ok(())
}

/// The derived id of a checklist tick: the same step of the same stage of a ticket is one row
/// on every device.
fn derived_id(parts: &[&str]) -> String {
    const NS: uuid::Uuid = uuid::Uuid::from_u128(0x7465_6e64_2d74_6963_6b65_7400_0000_0001);
    uuid::Uuid::new_v5(&NS, parts.join("\u{1f}").as_bytes()).to_string()
}

/// The steps of `stage`'s checklist not ticked on a ticket.
async fn open_checks(w: &mut WriteTx<'_>, ticket: &str, stage: &TicketStage) -> Result<Vec<String>> {
    if stage.checklist.is_empty() {
        return Ok(vec![]);
    }
    let done: Vec<String> =
        sqlx::query_scalar("SELECT item FROM ticket_checks WHERE ticket_id = ? AND stage_id = ? AND done = 1")
            .bind(ticket)
            .bind(&stage.id)
            .fetch_all(&mut *w.conn())
            .await?;
    Ok(stage.checklist.iter().filter(|i| !done.contains(i)).cloned().collect())
}

#[allow(clippy::too_many_arguments)]
async fn insert_message(
    w: &mut WriteTx<'_>,
    ticket: &str,
    customer: &str,
    kind: MessageKind,
    staff: Option<&str>,
    channel: Option<&str>,
    body: &str,
    files: &[crate::files::Attachment],
    at: i64,
) -> Result<()> {
    let now = w.now;
    sqlx::query(
        "INSERT INTO ticket_messages (id, ticket_id, customer_id, kind, staff_id, channel, body, attachments, at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(crate::db::new_id())
    .bind(ticket)
    .bind(customer)
    .bind(kind.as_str())
    .bind(staff)
    .bind(channel)
    .bind(body)
    .bind(if files.is_empty() { None } else { Some(serde_json::to_string(files)?) })
    .bind(at)
    .bind(now)
    .execute(&mut *w.conn())
    .await?;
    Ok(())
}

/// The next number of this device: its tag and the count after the highest it has given
/// (kept in the device's `meta`, found again from the tickets when missing).
async fn next_number(w: &mut WriteTx<'_>, device: &str) -> Result<String> {
    let tag = device_tag(device);
    // a count per tag, kept with the file's other device-local values
    let key = format!("ticket_seq:{tag}");
    let stored: Option<String> =
        sqlx::query_scalar("SELECT value FROM meta WHERE key = ?").bind(&key).fetch_optional(&mut *w.conn()).await?;
    let mut n = match stored.and_then(|s| s.parse::<i64>().ok()) {
        Some(n) => n,
        None => {
            let prefix = format!("{tag}-");
            let numbers: Vec<String> =
                sqlx::query_scalar("SELECT number FROM tickets WHERE number >= ? AND number < ?")
                    .bind(&prefix)
                    .bind(format!("{tag}."))
                    .fetch_all(&mut *w.conn())
                    .await?;
            numbers.iter().filter_map(|s| s.strip_prefix(&prefix)?.parse::<i64>().ok()).max().unwrap_or(0)
        }
    };
    // a number already taken (a restored backup's meta behind its tickets) is skipped
    loop {
        n += 1;
        let number = format!("{tag}-{n}");
        let taken: Option<i64> = sqlx::query_scalar("SELECT 1 FROM tickets WHERE number = ?")
            .bind(&number)
            .fetch_optional(&mut *w.conn())
            .await?;
        if taken.is_none() {
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )
            .bind(&key)
            .bind(n.to_string())
            .execute(&mut *w.conn())
            .await?;
            return Ok(number);
        }
    }
}

/// Whether a member is available at `at`: not on leave that local day, and within their hours
/// (their own, else the team's).
fn available(team: &Team, m: &super::Member, at: i64) -> Result<(bool, bool)> {
    let mut spec = team.calendar.clone();
    if let Some(h) = &m.hours {
        spec.hours = h.clone();
    }
    spec.holidays.extend(m.leave.iter().cloned());
    let cal = crate::calendar::Calendar::new(&spec)?;
    let day = crate::schedule::local_date(at, cal.zone());
    let on_leave = m.leave.iter().any(|l| {
        let one =
            crate::calendar::CalendarSpec { holidays: vec![l.clone()], ..crate::calendar::CalendarSpec::office("UTC") };
        crate::calendar::Calendar::new(&one).is_ok_and(|c| c.is_holiday(day))
    });
    Ok((!on_leave, !on_leave && cal.is_working(at)?))
}

/// The member a new ticket goes to by the team's rule: among those at work now (else those not
/// on leave), under the cap of open tickets; None when manual or nobody is free.
async fn pick_assignee(w: &mut WriteTx<'_>, team: &Team, at: i64) -> Result<Option<String>> {
    use super::team::Assignment;
    if team.assignment == Assignment::Manual || team.members.is_empty() {
        return Ok(None);
    }
    let mut open = Vec::new();
    for m in &team.members {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets WHERE assignee_id = ? AND deleted_at IS NULL AND solved_at IS NULL AND merged_into IS NULL",
        )
        .bind(&m.staff_id)
        .fetch_one(&mut *w.conn())
        .await?;
        let (not_on_leave, working) = available(team, m, at)?;
        open.push((m, n, not_on_leave, working));
    }
    let under_cap = |n: i64| team.max_open.is_none_or(|cap| n < cap);
    let at_work: Vec<_> = open.iter().filter(|(_, n, _, w)| *w && under_cap(*n)).collect();
    let pool: Vec<_> =
        if at_work.is_empty() { open.iter().filter(|(_, n, l, _)| *l && under_cap(*n)).collect() } else { at_work };
    if pool.is_empty() {
        return Ok(None);
    }
    let chosen = match team.assignment {
        Assignment::FewestOpen => pool.iter().min_by_key(|(_, n, _, _)| *n).map(|(m, _, _, _)| m.staff_id.clone()),
        _ => {
            // after the member who got the team's ticket written last here (a ticket replayed
            // with an earlier time is still the last one given out), in the team's order; read
            // backwards through the table (`+team_id`: not through an index on the team, which
            // would sort all its tickets), which finds a busy team's last ticket at once
            let last: Option<String> = sqlx::query_scalar(
                "SELECT assignee_id FROM tickets WHERE +team_id = ? AND assignee_id IS NOT NULL
                 ORDER BY rowid DESC LIMIT 1",
            )
            .bind(&team.id)
            .fetch_optional(&mut *w.conn())
            .await?;
            let order: Vec<&String> = team.members.iter().map(|m| &m.staff_id).collect();
            let start = last.and_then(|l| order.iter().position(|s| **s == l)).map(|i| i + 1).unwrap_or(0);
            (0..order.len())
                .map(|k| order[(start + k) % order.len()])
                .find(|s| pool.iter().any(|(m, _, _, _)| &m.staff_id == *s))
                .cloned()
        }
    };
    Ok(chosen)
}

/// A stored row as shown, with its SLA as of `now`.
fn shown(team: &Team, r: Row, now: i64) -> Result<Ticket> {
    let stage = team.stage(&r.stage_id);
    let policy = team.sla.iter().find(|p| Some(&p.id) == r.sla_id.as_ref());
    let stored = sla::Stored {
        created_at: r.created_at,
        paused_at: r.paused_at,
        first_response_due: r.first_response_due,
        first_response_at: r.first_response_at,
        first_response_breached_at: r.first_response_breached_at,
        next_response_due: r.next_response_due,
        next_response_breached_at: r.next_response_breached_at,
        resolution_due: r.resolution_due,
        resolution_breached_at: r.resolution_breached_at,
        solved_at: r.solved_at,
        last_customer_at: r.last_customer_at,
    };
    // a team calendar that cannot be read (synced from a newer or broken device) leaves the
    // ticket readable without its SLA; a write under it says why
    let sla = match Clock::new(team, policy) {
        Ok(clock) => sla::view(&clock, policy, &stored, now).unwrap_or_default(),
        Err(_) => vec![],
    };
    Ok(Ticket {
        id: r.id,
        number: r.number,
        subject: r.subject,
        customer_id: r.customer_id,
        customer_name: r.customer_name,
        contact_id: r.contact_id,
        team_id: r.team_id,
        team_name: team.name.clone(),
        stage_name: stage.map(|s| s.name.clone()).unwrap_or_default(),
        solved: r.solved_at.is_some(),
        closed: r.closed_at.is_some(),
        paused: r.paused_at.is_some(),
        stage_id: r.stage_id,
        priority: r.priority,
        severity: r.severity,
        category: r.category,
        channel: r.channel,
        assignee_id: r.assignee_id,
        assignee_name: r.assignee_name,
        tags: r.tags.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default(),
        deal_id: r.deal_id,
        purchase_id: r.purchase_id,
        interaction_id: r.interaction_id,
        sla_name: policy.map(|p| p.name.clone()),
        sla,
        created_at: r.created_at,
        first_response_at: r.first_response_at,
        first_response_ms: r.first_response_ms,
        first_response_work_ms: r.first_response_work_ms,
        solved_at: r.solved_at,
        resolution_ms: r.resolution_ms,
        resolution_work_ms: r.resolution_work_ms,
        closed_at: r.closed_at,
        reopened: r.reopened as i32,
        merged_into: r.merged_into,
    })
}

/// A ticket from another tool's history (`import tickets`): what the file says happened.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PastTicket {
    pub id: String,
    pub number: String,
    pub subject: String,
    pub customer_id: String,
    pub priority: Priority,
    pub category: Option<String>,
    pub channel: TicketChannel,
    pub assignee_id: Option<String>,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub solved_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// Agent replies, when the file counts them (else 1 with a first response, 0 without).
    pub replies: Option<i64>,
}

/// Why a past ticket cannot be kept by its team as the file tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PastProblem {
    /// The team has no stage to start in.
    Unstaged,
    /// Solved (or closed) but the team has no solved (or closed) stage.
    CannotSolve,
    CannotClose,
}

/// Writes a ticket of the past on an import's raw write connection (inside its change context):
/// the same helpdesk rules as a live ticket, replayed in time order on the row in memory. It is
/// opened in the team's first stage at `created_at` under the policy that covers it (`policy`,
/// picked by the caller with `sla::pick`), with its deadlines; the first response stamps the
/// response times in calendar and working time (`Rules::replied`); the solve and the close enter
/// the team's solved and closed stages (`Rules::enter`: the resolution, the first solve, the
/// time in working stages, a breach). Nothing else a live event does happens (no message, no
/// acknowledgement, rule, survey or follow-up): this is history.
pub(crate) fn insert_past(
    conn: &rusqlite::Connection,
    team: &Team,
    policy: Option<&super::team::SlaPolicy>,
    t: &PastTicket,
) -> Result<std::result::Result<(), PastProblem>> {
    let Some(first) = team.first_stage() else { return Ok(Err(PastProblem::Unstaged)) };
    let clock = Clock::new(team, policy)?;
    let (fr_due, res_due) = match policy {
        Some(p) => (clock.due(t.created_at, p.first_response_minutes)?, clock.due(t.created_at, p.resolution_minutes)?),
        None => (None, None),
    };
    let rules = Rules { team, clock };
    let mut r = Row {
        id: t.id.clone(),
        number: t.number.clone(),
        subject: t.subject.clone(),
        customer_id: t.customer_id.clone(),
        customer_name: String::new(),
        contact_id: None,
        team_id: team.id.clone(),
        stage_id: first.id.clone(),
        priority: t.priority.as_str().to_string(),
        severity: Severity::Minor.as_str().to_string(),
        category: t.category.clone(),
        channel: t.channel.as_str().to_string(),
        assignee_id: t.assignee_id.clone(),
        assignee_name: None,
        tags: None,
        deal_id: None,
        purchase_id: None,
        interaction_id: None,
        sla_id: policy.map(|p| p.id.clone()),
        first_response_due: fr_due,
        next_response_due: None,
        resolution_due: res_due,
        paused_at: None,
        paused_ms: 0,
        paused_work_ms: 0,
        first_response_at: None,
        first_response_ms: None,
        first_response_work_ms: None,
        first_response_breached_at: None,
        next_response_breached_at: None,
        resolution_breached_at: None,
        solved_at: None,
        resolution_ms: None,
        resolution_work_ms: None,
        closed_at: None,
        reopened: 0,
        last_customer_at: None,
        merged_into: None,
        created_at: t.created_at,
        replies: Some(0),
        first_solved_at: None,
        reopened_at: None,
        stage_at: Some(t.created_at),
        handling_ms: Some(0),
        handling_work_ms: Some(0),
    };
    // the events in the order they happened (a reply may come after the solve)
    enum Event {
        Reply,
        Solve,
        Close,
    }
    let mut events: Vec<(i64, u8, Event)> = Vec::new();
    if let Some(at) = t.first_response_at {
        events.push((at, 0, Event::Reply));
    }
    if let Some(at) = t.solved_at {
        events.push((at, 1, Event::Solve));
    }
    if let Some(at) = t.closed_at {
        events.push((at, 2, Event::Close));
    }
    events.sort_by_key(|(at, order, _)| (*at, *order));
    for (at, _, e) in events {
        match e {
            Event::Reply => rules.replied(&mut r, at)?,
            Event::Solve => {
                let Some(to) = team.solved_stage() else { return Ok(Err(PastProblem::CannotSolve)) };
                rules.enter(&mut r, to, at)?;
            }
            Event::Close => {
                let Some(to) = team.closed_stage() else { return Ok(Err(PastProblem::CannotClose)) };
                rules.enter(&mut r, to, at)?;
            }
        }
    }
    if let Some(n) = t.replies {
        r.replies = Some(n);
    }
    conn.prepare_cached(
        "INSERT INTO tickets (id, number, subject, customer_id, team_id, stage_id, priority, severity, category,
            channel, assignee_id, sla_id, first_response_due, next_response_due, resolution_due, paused_ms,
            paused_work_ms, first_response_at, first_response_ms, first_response_work_ms,
            first_response_breached_at, next_response_breached_at, resolution_breached_at, solved_at,
            resolution_ms, resolution_work_ms, closed_at, reopened, created_at, replies, first_solved_at,
            reopened_at, stage_at, handling_ms, handling_work_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(rusqlite::params![
        r.id,
        r.number,
        r.subject,
        r.customer_id,
        r.team_id,
        r.stage_id,
        r.priority,
        r.severity,
        r.category,
        r.channel,
        r.assignee_id,
        r.sla_id,
        r.first_response_due,
        r.next_response_due,
        r.resolution_due,
        r.paused_ms,
        r.paused_work_ms,
        r.first_response_at,
        r.first_response_ms,
        r.first_response_work_ms,
        r.first_response_breached_at,
        r.next_response_breached_at,
        r.resolution_breached_at,
        r.solved_at,
        r.resolution_ms,
        r.resolution_work_ms,
        r.closed_at,
        r.reopened,
        r.created_at,
        r.replies,
        r.first_solved_at,
        r.reopened_at,
        r.stage_at,
        r.handling_ms,
        r.handling_work_ms
    ])?;
    Ok(Ok(()))
}

/// The number the next new ticket of this device gets, on an import's raw write connection: the
/// same numbers as [`next_number`] (its tag and the count after the highest it has given, kept
/// in `meta`), so tickets imported and tickets opened here never share one.
pub(crate) fn next_number_raw(conn: &rusqlite::Connection, device: &str) -> Result<String> {
    use rusqlite::OptionalExtension;
    let tag = device_tag(device);
    let key = format!("ticket_seq:{tag}");
    let stored: Option<String> =
        conn.prepare_cached("SELECT value FROM meta WHERE key = ?")?.query_row([&key], |r| r.get(0)).optional()?;
    let mut n = match stored.and_then(|s| s.parse::<i64>().ok()) {
        Some(n) => n,
        None => {
            let prefix = format!("{tag}-");
            let mut st = conn.prepare_cached("SELECT number FROM tickets WHERE number >= ? AND number < ?")?;
            let numbers = st
                .query_map([&prefix, &format!("{tag}.")], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            numbers.iter().filter_map(|s| s.strip_prefix(&prefix)?.parse::<i64>().ok()).max().unwrap_or(0)
        }
    };
    loop {
        n += 1;
        let number = format!("{tag}-{n}");
        if !number_taken(conn, &number)? {
            conn.prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?
            .execute([&key, &n.to_string()])?;
            return Ok(number);
        }
    }
}

/// Whether a ticket (even one deleted) has this number.
pub(crate) fn number_taken(conn: &rusqlite::Connection, number: &str) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM tickets WHERE number = ?")?.exists([number])?)
}

/// A ticket number as people write it, as it is kept (`#abc-12` is `ABC-12`).
pub(crate) fn number_key(text: &str) -> String {
    key_of(text)
}
