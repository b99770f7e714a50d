//! Care tasks: the steps of enrolled customers, each due at an instant and for a staff member.
//! Every change goes through the write path: done (the outcome logged as an interaction on the
//! customer's timeline, in the same write), skipped (with why), snoozed (reminded again later,
//! still due when it was), rescheduled (due at another time). Read by day range for the Care
//! screen's calendar and agenda, by state for Today, by customer for the 360, and exported as
//! iCalendar.

use super::CareChannel;
use crate::error::{Error, FieldError, Result};
use crate::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};
use crate::{validate, Workspace, WriteTx};
use serde::{Deserialize, Serialize};
use specta::Type;

str_enum!(TaskState { Scheduled = "scheduled", Snoozed = "snoozed", Rescheduled = "rescheduled", Done = "done", Skipped = "skipped" });

impl TaskState {
    pub fn open(self) -> bool {
        !matches!(self, TaskState::Done | TaskState::Skipped)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct CareTask {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub plan_id: String,
    pub plan_name: String,
    pub enrolment_id: String,
    /// the step's index in its plan
    #[specta(type = i32)]
    pub step: i64,
    pub name: String,
    pub channel: CareChannel,
    pub message: String,
    #[specta(type = i32)]
    pub due_at: i64,
    #[specta(type = Option<i32>)]
    pub remind_at: Option<i64>,
    pub assignee_id: Option<String>,
    pub state: TaskState,
    pub outcome: Option<String>,
    pub interaction_id: Option<String>,
    #[specta(type = Option<i32>)]
    pub closed_at: Option<i64>,
}

/// Which tasks to read. Every field narrows; none gives every task.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, Type)]
pub struct TaskFilter {
    pub assignee_id: Option<String>,
    pub customer_id: Option<String>,
    /// due at or after (UTC ms)
    #[specta(type = Option<i32>)]
    pub due_from: Option<i64>,
    /// due before (UTC ms)
    #[specta(type = Option<i32>)]
    pub due_before: Option<i64>,
    /// only scheduled, snoozed and rescheduled ones
    pub open_only: bool,
    /// at most this many (default 2,000, at most 10,000); [`Workspace::care_tasks_page`] says
    /// where the next page starts
    #[specta(type = Option<i32>)]
    pub limit: Option<i64>,
    /// only those after this cursor (a page's `next`): tasks are read by due time, then id, so
    /// pages never skip or repeat a task
    #[serde(default)]
    #[specta(optional)]
    pub after: Option<String>,
}

/// A page of tasks in the read's order (due time, then id) and where the next one starts.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct TaskPage {
    pub tasks: Vec<CareTask>,
    /// the cursor of the next page (`TaskFilter::after`); none when this is the last
    pub next: Option<String>,
}

/// The most tasks one read returns (a month of a busy shop is far fewer).
pub const MAX_TASKS: i64 = 10_000;
/// How many tasks a read returns when it does not say.
const DEFAULT_TASKS: i64 = 2_000;

/// A task's place in the read order, as a cursor: `<due_at ms>:<id>`.
fn cursor_of(t: &CareTask) -> String {
    format!("{}:{}", t.due_at, t.id)
}

/// The due time and id a cursor names; anything else is invalid input on `after`.
fn parse_cursor(c: &str) -> Result<(i64, String)> {
    let bad = || Error::Validation(vec![FieldError::new("after", "care.cursor_invalid").with("value", c)]);
    let (due, id) = c.trim().split_once(':').ok_or_else(bad)?;
    let due = due.parse::<i64>().map_err(|_| bad())?;
    if id.is_empty() {
        return Err(bad());
    }
    Ok((due, id.to_string()))
}

#[derive(sqlx::FromRow)]
pub(crate) struct TaskRow {
    id: String,
    customer_id: String,
    customer_name: String,
    customer_phone: Option<String>,
    plan_id: String,
    plan_name: Option<String>,
    enrolment_id: String,
    step: i64,
    name: String,
    channel: String,
    message: String,
    due_at: i64,
    remind_at: Option<i64>,
    assignee_id: Option<String>,
    state: String,
    outcome: Option<String>,
    interaction_id: Option<String>,
    closed_at: Option<i64>,
}

impl TaskRow {
    /// A row of [`TASK_SELECT`] read through rusqlite (the Care screen's reads).
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<TaskRow> {
        Ok(TaskRow {
            id: r.get(0)?,
            customer_id: r.get(1)?,
            customer_name: r.get(2)?,
            customer_phone: r.get(3)?,
            plan_id: r.get(4)?,
            plan_name: r.get(5)?,
            enrolment_id: r.get(6)?,
            step: r.get(7)?,
            name: r.get(8)?,
            channel: r.get(9)?,
            message: r.get(10)?,
            due_at: r.get(11)?,
            remind_at: r.get(12)?,
            assignee_id: r.get(13)?,
            state: r.get(14)?,
            outcome: r.get(15)?,
            interaction_id: r.get(16)?,
            closed_at: r.get(17)?,
        })
    }
}

pub(crate) const TASK_SELECT: &str = "SELECT t.id, t.customer_id, c.name AS customer_name,
    json_extract(c.phones, '$[0].number') AS customer_phone, t.plan_id, p.name AS plan_name, t.enrolment_id, t.step, t.name, t.channel, t.message, t.due_at, t.remind_at, t.assignee_id,
    t.state, t.outcome, t.interaction_id, t.closed_at
    FROM care_tasks t JOIN customers c ON c.id = t.customer_id LEFT JOIN care_plans p ON p.id = t.plan_id";

pub(crate) fn task_of(r: TaskRow) -> CareTask {
    CareTask {
        id: r.id,
        customer_id: r.customer_id,
        customer_name: r.customer_name,
        customer_phone: r.customer_phone,
        plan_id: r.plan_id,
        plan_name: r.plan_name.unwrap_or_default(),
        enrolment_id: r.enrolment_id,
        step: r.step,
        name: r.name,
        // a channel or state from a newer version reads as the nearest known one
        channel: CareChannel::parse(&r.channel).unwrap_or(CareChannel::Other),
        message: r.message,
        due_at: r.due_at,
        remind_at: r.remind_at,
        assignee_id: r.assignee_id,
        state: TaskState::parse(&r.state).unwrap_or(TaskState::Scheduled),
        outcome: r.outcome,
        interaction_id: r.interaction_id,
        closed_at: r.closed_at,
    }
}

/// The tasks of `ids` (not deleted), in the order given: ids not found are left out.
pub(crate) fn tasks_by_id(conn: &rusqlite::Connection, ids: &[&String]) -> Result<Vec<CareTask>> {
    let mut out = Vec::with_capacity(ids.len());
    let mut st = conn.prepare_cached(&format!("{TASK_SELECT} WHERE t.id = ? AND t.deleted_at IS NULL"))?;
    for id in ids {
        if let Some(r) = st.query_map([id], TaskRow::read)?.next() {
            out.push(task_of(r?));
        }
    }
    Ok(out)
}

/// The interaction a done task logs: the step's channel as the nearest kind of contact.
fn logged_as(channel: CareChannel) -> (InteractionKind, InteractionChannel, Direction) {
    match channel {
        CareChannel::Call => (InteractionKind::Call, InteractionChannel::Phone, Direction::Outbound),
        CareChannel::Email => (InteractionKind::Email, InteractionChannel::Email, Direction::Outbound),
        CareChannel::Sms => (InteractionKind::Chat, InteractionChannel::Other, Direction::Outbound),
        CareChannel::Zalo => (InteractionKind::Chat, InteractionChannel::Zalo, Direction::Outbound),
        CareChannel::Visit => (InteractionKind::Meeting, InteractionChannel::InPerson, Direction::Outbound),
        CareChannel::Other => (InteractionKind::Note, InteractionChannel::Other, Direction::Internal),
    }
}

impl Workspace {
    /// Tasks by due time (tasks due at the same instant by customer name), for the Care screen,
    /// Today and the 360: the first [`Workspace::care_tasks_page`], which says whether more exist.
    pub async fn care_tasks(&self, f: &TaskFilter) -> Result<Vec<CareTask>> {
        let mut tasks = self.care_tasks_page(f).await?.tasks;
        // a page is a prefix of the (due time, id) order; within it, one instant's tasks are put
        // by customer name here, not by a sort of every row in SQLite
        tasks.sort_by(|a, b| (a.due_at, &a.customer_name, &a.id).cmp(&(b.due_at, &b.customer_name, &b.id)));
        Ok(tasks)
    }

    /// A page of tasks in a total order, due time then id, from `f.after` on: at most `f.limit`
    /// (default 2,000, at most 10,000), and the cursor of the next page when more exist.
    pub async fn care_tasks_page(&self, f: &TaskFilter) -> Result<TaskPage> {
        let mut sql = format!("{TASK_SELECT} WHERE t.deleted_at IS NULL AND c.deleted_at IS NULL");
        let mut binds: Vec<rusqlite::types::Value> = Vec::new();
        use rusqlite::types::Value::{Integer, Text};
        if let Some(v) = &f.assignee_id {
            sql.push_str(" AND t.assignee_id = ?");
            binds.push(Text(v.clone()));
        }
        if let Some(v) = &f.customer_id {
            sql.push_str(" AND t.customer_id = ?");
            binds.push(Text(v.clone()));
        }
        if let Some(v) = f.due_from {
            sql.push_str(" AND t.due_at >= ?");
            binds.push(Integer(v));
        }
        if let Some(v) = f.due_before {
            sql.push_str(" AND t.due_at < ?");
            binds.push(Integer(v));
        }
        if f.open_only {
            sql.push_str(" AND t.state NOT IN ('done', 'skipped')");
        }
        if let Some(c) = &f.after {
            let (due, id) = parse_cursor(c)?;
            // the leading `>=` lets the due index find the start
            sql.push_str(" AND t.due_at >= ? AND (t.due_at > ? OR t.id > ?)");
            binds.extend([Integer(due), Integer(due), Text(id)]);
        }
        // in the due index's order, ties by id: a total order, so a cursor is a stable place
        sql.push_str(" ORDER BY t.due_at, t.id LIMIT ?");
        let limit = f.limit.unwrap_or(DEFAULT_TASKS).clamp(1, MAX_TASKS);
        // one more than asked says whether another page exists
        binds.push(Integer(limit + 1));
        // on a read connection: the month view reads up to 10k rows, three times faster than
        // through the async pool
        let rows = self.readers().with(|conn| {
            let mut st = conn.prepare_cached(&sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(binds.iter()), TaskRow::read)?;
            Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
        })?;
        let mut tasks: Vec<CareTask> = rows.into_iter().map(task_of).collect();
        let more = tasks.len() as i64 > limit;
        tasks.truncate(limit as usize);
        let next = if more { tasks.last().map(cursor_of) } else { None };
        Ok(TaskPage { tasks, next })
    }

    pub async fn care_task(&self, id: &str) -> Result<CareTask> {
        let row: Option<TaskRow> = sqlx::query_as(&format!("{TASK_SELECT} WHERE t.id = ? AND t.deleted_at IS NULL"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(task_of).ok_or_else(|| Error::not_found("care task", id))
    }

    async fn open_task(&self, id: &str) -> Result<CareTask> {
        let t = self.care_task(id).await?;
        if !t.state.open() {
            return Err(Error::Validation(vec![FieldError::new("task", "care.task_closed").with("value", &t.name)]));
        }
        Ok(t)
    }

    /// Completes tasks with what happened: each outcome is logged as an interaction on its
    /// customer's timeline (the step's channel as the kind of contact), in one write.
    pub async fn complete_care_tasks(&self, ids: &[String], outcome: &str) -> Result<Vec<CareTask>> {
        let outcome = validate::long_text(outcome).map_err(|k| Error::invalid("outcome", k))?;
        if outcome.chars().count() > 5000 {
            return Err(Error::Validation(vec![FieldError::new("outcome", "validation.too_long").with("max", "5000")]));
        }
        let mut tasks = Vec::with_capacity(ids.len());
        for id in ids {
            tasks.push(self.open_task(id).await?);
        }
        let mut w = self.write().await?;
        let now = w.now;
        for t in &tasks {
            self.complete_in(&mut w, t, &outcome, now).await?;
        }
        w.commit().await?;
        self.tasks_by_id(ids).await
    }

    /// Closes an open task as done at `at` inside the write `w`, its outcome (checked by the caller) logged as an
    /// interaction then: the one way a task is done (by a user now, or in the demo's history).
    pub(crate) async fn complete_in(&self, w: &mut WriteTx<'_>, t: &CareTask, outcome: &str, at: i64) -> Result<()> {
        let (kind, channel, direction) = logged_as(t.channel);
        let input = InteractionInput {
            kind,
            channel,
            direction,
            staff_id: t.assignee_id.clone(),
            occurred_at: Some(at),
            summary: t.name.clone(),
            body: (!outcome.is_empty()).then(|| outcome.to_string()),
            amount: None,
            currency: None,
            items: vec![],
        };
        let logged = self.insert_interaction(w, &t.customer_id, &input).await?;
        sqlx::query(
            "UPDATE care_tasks SET state = 'done', outcome = ?, interaction_id = ?, remind_at = NULL, closed_at = ?
             WHERE id = ?",
        )
        .bind((!outcome.is_empty()).then_some(outcome))
        .bind(&logged.id)
        .bind(at)
        .bind(&t.id)
        .execute(&mut *w.conn())
        .await?;
        super::enrol::next_occurrence(w, self, &t.enrolment_id).await
    }

    /// Skips tasks, with why (kept; no interaction is logged).
    pub async fn skip_care_tasks(&self, ids: &[String], reason: &str) -> Result<Vec<CareTask>> {
        let reason = validate::text(reason).map_err(|k| Error::invalid("reason", k))?;
        if reason.is_empty() {
            return Err(Error::invalid("reason", "validation.required"));
        }
        for id in ids {
            self.open_task(id).await?;
        }
        let mut w = self.write().await?;
        let now = w.now;
        for id in ids {
            let enrolment: String = sqlx::query_scalar(
                "UPDATE care_tasks SET state = 'skipped', outcome = ?, remind_at = NULL, closed_at = ? WHERE id = ?
                 RETURNING enrolment_id",
            )
            .bind(&reason)
            .bind(now)
            .bind(id)
            .fetch_one(&mut *w.conn())
            .await?;
            super::enrol::next_occurrence(&mut w, self, &enrolment).await?;
        }
        w.commit().await?;
        self.tasks_by_id(ids).await
    }

    /// Reminds again at `until` (later than now, on a day up to `schedule::LAST_DAY`); the task
    /// stays due when it was.
    pub async fn snooze_care_task(&self, id: &str, until: i64) -> Result<CareTask> {
        crate::schedule::check_instant("until", until, &self.zone().await?)?;
        self.open_task(id).await?;
        let now = self.now_ms();
        if until <= now {
            return Err(Error::invalid("until", "care.snooze_past"));
        }
        let mut w = self.write().await?;
        sqlx::query("UPDATE care_tasks SET state = 'snoozed', remind_at = ? WHERE id = ?")
            .bind(until)
            .bind(id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        self.care_task(id).await
    }

    /// Moves tasks to be due (and reminded) at `due_at` (on a day from `schedule::FIRST_DAY` to
    /// `schedule::LAST_DAY`).
    pub async fn reschedule_care_tasks(&self, ids: &[String], due_at: i64) -> Result<Vec<CareTask>> {
        crate::schedule::check_instant("due_at", due_at, &self.zone().await?)?;
        for id in ids {
            self.open_task(id).await?;
        }
        let mut w = self.write().await?;
        for id in ids {
            sqlx::query("UPDATE care_tasks SET state = 'rescheduled', due_at = ?1, remind_at = ?1 WHERE id = ?2")
                .bind(due_at)
                .bind(id)
                .execute(&mut *w.conn())
                .await?;
        }
        w.commit().await?;
        self.tasks_by_id(ids).await
    }

    /// Gives tasks to another staff member (or to nobody).
    pub async fn assign_care_tasks(&self, ids: &[String], assignee_id: Option<&str>) -> Result<Vec<CareTask>> {
        if let Some(a) = assignee_id {
            if !self.staff().await?.iter().any(|s| s.id == a) {
                return Err(Error::Validation(vec![
                    FieldError::new("assignee_id", "validation.unknown_staff").with("value", a)
                ]));
            }
        }
        for id in ids {
            self.open_task(id).await?;
        }
        let mut w = self.write().await?;
        for id in ids {
            sqlx::query("UPDATE care_tasks SET assignee_id = ? WHERE id = ?")
                .bind(assignee_id)
                .bind(id)
                .execute(&mut *w.conn())
                .await?;
        }
        w.commit().await?;
        self.tasks_by_id(ids).await
    }

    /// An enrolment's tasks as the write `w` sees them (before it commits), by due time.
    pub(crate) async fn enrolment_tasks(w: &mut WriteTx<'_>, enrolment_id: &str) -> Result<Vec<CareTask>> {
        let rows: Vec<TaskRow> = sqlx::query_as(&format!(
            "{TASK_SELECT} WHERE t.enrolment_id = ? AND t.deleted_at IS NULL ORDER BY t.due_at, t.id"
        ))
        .bind(enrolment_id)
        .fetch_all(&mut *w.conn())
        .await?;
        Ok(rows.into_iter().map(task_of).collect())
    }

    async fn tasks_by_id(&self, ids: &[String]) -> Result<Vec<CareTask>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.care_task(id).await?);
        }
        Ok(out)
    }

    /// Every open task (read page by page, none left out) as an iCalendar file calendar apps
    /// import: one event per task (15 minutes at its due time), its customer, phone and message in
    /// the description, an alarm at its reminder instant (the start, or later for a snoozed task).
    /// UIDs are the task ids, so importing again updates rather than duplicates.
    pub async fn care_tasks_ics(&self, assignee_id: Option<&str>) -> Result<String> {
        // every open task, read page by page
        let mut filter = TaskFilter {
            assignee_id: assignee_id.map(String::from),
            open_only: true,
            limit: Some(MAX_TASKS),
            ..Default::default()
        };
        let mut tasks = Vec::new();
        loop {
            let page = self.care_tasks_page(&filter).await?;
            tasks.extend(page.tasks);
            match page.next {
                Some(next) => filter.after = Some(next),
                None => break,
            }
        }
        let now = self.now_ms();
        // an empty calendar: `Calendar::new` brings the crate's own PRODID, and RFC 5545 allows only one
        let mut cal = icalendar::Calendar::empty();
        cal.append_property(icalendar::Property::new("VERSION", "2.0"))
            .append_property(icalendar::Property::new("PRODID", "-//Tend//Care tasks//VI"))
            .append_property(icalendar::Property::new("CALSCALE", "GREGORIAN"))
            .name("Tend");
        for t in &tasks {
            let start = utc(t.due_at)?;
            let end = utc(t.due_at + 15 * 60_000)?;
            let mut description = t.message.clone();
            if let Some(p) = &t.customer_phone {
                description = format!("{description}\n{}", crate::validate::phone_display(p));
            }
            use icalendar::{Component, EventLike};
            let mut event = icalendar::Event::new();
            event
                .uid(&format!("{}@tend", t.id))
                .summary(&format!("{} — {}", t.name, t.customer_name))
                .description(description.trim())
                .starts(start)
                .ends(end)
                .timestamp(utc(now)?);
            // the reminder at the task's reminder instant (a snoozed task's is after its start),
            // relative to the start, in whole seconds as the format counts them
            if let Some(remind_at) = t.remind_at {
                let after_start = chrono::Duration::seconds((remind_at - t.due_at).div_euclid(1000));
                let mut alarm = icalendar::Alarm::display(&t.name, after_start);
                // its own stable UID (the crate makes a random one): importing again is the same alarm
                alarm.uid(&format!("{}-alarm@tend", t.id));
                event.alarm(alarm);
            }
            cal.push(event.done());
        }
        Ok(cal.done().to_string())
    }

    /// Writes [`Workspace::care_tasks_ics`] to `path`; returns how many tasks it holds.
    pub async fn export_care_tasks(&self, path: &std::path::Path, assignee_id: Option<&str>) -> Result<usize> {
        let ics = self.care_tasks_ics(assignee_id).await?;
        let n = ics.matches("BEGIN:VEVENT").count();
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, ics)?;
        std::fs::rename(&tmp, path)?;
        Ok(n)
    }
}

fn utc(ms: i64) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_millis(ms).ok_or_else(|| Error::BadTime { detail: format!("{ms} ms") })
}
