//! Enrolment: a customer in a plan for one anchor, and the care tasks its steps become.
//!
//! - By hand (one customer, a selection, a segment's members now), by segment (customers entering
//!   a plan's segment, through [`Workspace::care_reconcile`]) or by event (a purchase recorded, a
//!   deal reaching the plan's stage: called inside that write).
//! - Once per anchor: an enrolment's id is derived from (plan, customer, anchor), and so is each
//!   task's (enrolment, step, occurrence), so enrolling again, here or on another device, writes
//!   the same rows and changes nothing.
//! - A step falls due by `PlanStep::due_after` in the workspace zone. Steps whose day is already
//!   past when the customer is enrolled (a plan started from a purchase long ago) are not made.
//! - A yearly anchor (a birthday, a custom date) makes the tasks of its next occurrence on or after
//!   today; when the last of them closes, the next year's are made.

use super::{Anchor, Assignee, Enrol, StoredPlan};
use crate::db::WriteTx;
use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use specta::Type;
use sqlx::SqliteConnection;

/// What an enrolment did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
pub struct EnrolReport {
    /// customers newly enrolled
    #[specta(type = i32)]
    pub enrolled: i64,
    /// customers already enrolled for that anchor: nothing done
    #[specta(type = i32)]
    pub already: i64,
    /// tasks made
    #[specta(type = i32)]
    pub tasks: i64,
    /// customers that could not be enrolled, each with why (`care.no_purchase`...)
    pub not_enrolled: Vec<NotEnrolled>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct NotEnrolled {
    pub customer_id: String,
    pub customer_name: String,
    pub reason: String,
}

/// What a plan counts from, for one customer.
#[derive(Debug, Clone, PartialEq)]
struct Found {
    key: String,
    at_ms: i64,
    /// the purchase or deal it came from, for the template's placeholders
    purchase_id: Option<String>,
    deal_id: Option<String>,
    ticket_id: Option<String>,
}

enum Outcome {
    Enrolled(i64),
    Already,
    Not(&'static str),
}

/// The derived id of a row known by its parts: the same parts give the same id on every device.
fn derived_id(parts: &[&str]) -> String {
    const NS: uuid::Uuid = uuid::Uuid::from_u128(0x7465_6e64_2d63_6172_652d_0000_0000_0001);
    uuid::Uuid::new_v5(&NS, parts.join("\u{1f}").as_bytes()).to_string()
}

/// What a task's template and assignee need of a customer.
#[derive(sqlx::FromRow)]
struct CustomerInfo {
    name: String,
    given_name: Option<String>,
    family_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    province: Option<String>,
    owner_id: Option<String>,
    birthday: Option<String>,
}

async fn customer_info(conn: &mut SqliteConnection, id: &str) -> Result<Option<CustomerInfo>> {
    Ok(sqlx::query_as(
        "SELECT name, given_name, family_name, json_extract(phones, '$[0].number') AS phone,
         json_extract(emails, '$[0].address') AS email, province, owner_id, birthday
         FROM customers WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Everything an enrolment reads once: the zone, today, the staff.
pub(crate) struct Ctx {
    pub tz: TimeZone,
    pub now: i64,
    pub today: Date,
    staff: Vec<(String, String, Option<String>)>,
    current: Option<String>,
}

impl Workspace {
    pub(crate) async fn care_ctx(&self, now: i64) -> Result<Ctx> {
        let tz = self.zone().await?;
        let staff =
            sqlx::query_as("SELECT id, name, email FROM staff WHERE deleted_at IS NULL").fetch_all(self.pool()).await?;
        Ok(Ctx { today: crate::settings::today_in(&tz, now), tz, now, staff, current: self.current_staff_id().await? })
    }

    /// Enrols customers in a plan by hand. `anchor_date` (a local date) stands for the anchor
    /// when given (the day of a purchase or a stage not in Tend); otherwise each customer's own
    /// is found: the last purchase, the deal in the plan's stage, the birthday, the date field.
    /// One customer alone that cannot be enrolled is an error saying why; of several, those are
    /// listed in the report and the rest enrolled.
    pub async fn enrol_customers(
        &self,
        plan_id: &str,
        customer_ids: &[String],
        anchor_date: Option<Date>,
    ) -> Result<EnrolReport> {
        let anchor_date = anchor_date.map(|d| crate::schedule::check_day("anchor_date", d)).transpose()?;
        let plan = self.care_plan(plan_id).await?;
        let report = self.enrol_many(&plan, customer_ids, anchor_date, "hand").await?;
        if let ([_], [one]) = (customer_ids, report.not_enrolled.as_slice()) {
            // the customer by name, or by the id given when there is none by it
            let shown = if one.customer_name.is_empty() { &one.customer_id } else { &one.customer_name };
            return Err(Error::Validation(vec![FieldError::new("customer_id", &one.reason)
                .with("value", shown)
                .with("id", &one.customer_id)]));
        }
        Ok(report)
    }

    /// Enrols a segment's members now in a plan (`care enroll --segment`).
    pub async fn enrol_segment(
        &self,
        plan_id: &str,
        segment_id: &str,
        anchor_date: Option<Date>,
    ) -> Result<EnrolReport> {
        let anchor_date = anchor_date.map(|d| crate::schedule::check_day("anchor_date", d)).transpose()?;
        let plan = self.care_plan(plan_id).await?;
        let ids = self.segment_member_ids(segment_id).await?;
        self.enrol_many(&plan, &ids, anchor_date, "hand").await
    }

    async fn enrol_many(
        &self,
        plan: &StoredPlan,
        ids: &[String],
        anchor_date: Option<Date>,
        source: &str,
    ) -> Result<EnrolReport> {
        let mut report = EnrolReport::default();
        // chunks keep each write short for the other windows and processes on the file
        for chunk in ids.chunks(500) {
            let mut w = self.write().await?;
            let ctx = self.care_ctx(w.now).await?;
            for id in chunk {
                match enrol_one(&mut w, &ctx, plan, id, anchor_date, None, source).await? {
                    Outcome::Enrolled(n) => {
                        report.enrolled += 1;
                        report.tasks += n;
                    }
                    Outcome::Already => report.already += 1,
                    Outcome::Not(reason) => {
                        let name: Option<String> = sqlx::query_scalar("SELECT name FROM customers WHERE id = ?")
                            .bind(id)
                            .fetch_optional(&mut *w.conn())
                            .await?;
                        report.not_enrolled.push(NotEnrolled {
                            customer_id: id.clone(),
                            customer_name: name.unwrap_or_default(),
                            reason: reason.into(),
                        });
                    }
                }
            }
            w.commit().await?;
        }
        Ok(report)
    }

    /// Enrols a customer in `plan` as if it had happened at `as_of` (a past instant: the demo's
    /// history): counted from the purchase `purchase_id` for a purchase plan, from `as_of` for a
    /// plan from enrolment, and every step due since then made. Returns the enrolment's id, or
    /// none when the customer was not enrolled (already, or no anchor).
    pub(crate) async fn enrol_as_of(
        &self,
        w: &mut WriteTx<'_>,
        plan: &StoredPlan,
        customer_id: &str,
        purchase_id: Option<&str>,
        as_of: i64,
    ) -> Result<Option<String>> {
        let ctx = self.care_ctx(as_of).await?;
        let found = match purchase_id {
            Some(p) => {
                let at_ms: i64 = sqlx::query_scalar("SELECT occurred_at FROM interactions WHERE id = ?")
                    .bind(p)
                    .fetch_one(&mut *w.conn())
                    .await?;
                Some(Found { key: p.into(), at_ms, purchase_id: Some(p.into()), deal_id: None, ticket_id: None })
            }
            None => None,
        };
        let key = found.as_ref().map(|f| f.key.clone()).unwrap_or_else(|| "enrolment".into());
        match enrol_one(w, &ctx, plan, customer_id, None, found, "hand").await? {
            Outcome::Enrolled(_) => Ok(Some(derived_id(&[&plan.id, customer_id, &key]))),
            Outcome::Already | Outcome::Not(_) => Ok(None),
        }
    }

    /// Ends an enrolment by hand: its open tasks are skipped (kept, with why).
    pub async fn unenrol(&self, enrolment_id: &str) -> Result<()> {
        let mut w = self.write().await?;
        let now = w.now;
        let n = end_enrolments(&mut w, "e.id = ?", enrolment_id, "hand", now).await?;
        if n == 0 {
            return Err(Error::not_found("care enrolment", enrolment_id));
        }
        w.commit().await
    }

    /// Brings the segment plans up to date: members not yet enrolled are, and (for a plan that
    /// says so) customers who left the segment leave the plan. The app runs it at start and
    /// every few minutes; it changes nothing when nothing moved.
    pub async fn care_reconcile(&self) -> Result<EnrolReport> {
        let mut report = EnrolReport::default();
        for plan in self.care_plans().await? {
            let Enrol::Segment(seg) = &plan.enrol else { continue };
            let Ok(members) = self.segment_member_ids(seg).await else { continue }; // segment removed
            let source = format!("segment:{seg}");
            let enrolled: Vec<String> = sqlx::query_scalar(
                "SELECT customer_id FROM care_enrolments WHERE plan_id = ? AND source = ? AND ended_at IS NULL",
            )
            .bind(&plan.id)
            .bind(&source)
            .fetch_all(self.pool())
            .await?;
            let ever: std::collections::HashSet<String> =
                sqlx::query_scalar("SELECT customer_id FROM care_enrolments WHERE plan_id = ?")
                    .bind(&plan.id)
                    .fetch_all(self.pool())
                    .await?
                    .into_iter()
                    .collect();
            let members_set: std::collections::HashSet<&String> = members.iter().collect();
            let new: Vec<String> = members.iter().filter(|m| !ever.contains(*m)).cloned().collect();
            if !new.is_empty() {
                let r = self.enrol_many(&plan, &new, None, &source).await?;
                report.enrolled += r.enrolled;
                report.tasks += r.tasks;
                report.not_enrolled.extend(r.not_enrolled);
            }
            if plan.unenrol_on_leave {
                let left: Vec<&String> = enrolled.iter().filter(|c| !members_set.contains(c)).collect();
                if !left.is_empty() {
                    let mut w = self.write().await?;
                    let now = w.now;
                    for c in left {
                        let cond = "e.plan_id = ? AND e.customer_id = ?";
                        end_enrolments_of(&mut w, cond, &[&plan.id, c], "left_segment", now).await?;
                    }
                    w.commit().await?;
                }
            }
        }
        Ok(report)
    }

    /// A purchase was recorded (inside its write): plans that enrol on a purchase take the
    /// customer, counted from it.
    pub(crate) async fn care_on_purchase(
        &self,
        w: &mut WriteTx<'_>,
        customer_id: &str,
        purchase_id: &str,
    ) -> Result<()> {
        let found: Option<i64> = sqlx::query_scalar("SELECT occurred_at FROM interactions WHERE id = ?")
            .bind(purchase_id)
            .fetch_optional(&mut *w.conn())
            .await?;
        let Some(at_ms) = found else { return Ok(()) };
        let anchor = Found {
            key: purchase_id.into(),
            at_ms,
            purchase_id: Some(purchase_id.into()),
            deal_id: None,
            ticket_id: None,
        };
        let now = w.now;
        self.care_on_event(w, customer_id, |a| *a == Anchor::Purchase, anchor, now).await
    }

    /// A deal reached a stage (inside its write): plans counted from that stage take the customer.
    pub(crate) async fn care_on_deal_stage(
        &self,
        w: &mut WriteTx<'_>,
        customer_id: &str,
        deal_id: &str,
        stage_id: &str,
    ) -> Result<()> {
        let anchor = Found {
            key: deal_id.into(),
            at_ms: w.now,
            purchase_id: None,
            deal_id: Some(deal_id.into()),
            ticket_id: None,
        };
        let now = w.now;
        self.care_on_event(w, customer_id, |a| matches!(a, Anchor::DealStage(s) if s == stage_id), anchor, now).await
    }

    /// A ticket was solved (inside its write): the plans counted from a solve of its team (the
    /// team's follow-up) take the customer, counted from the solve.
    pub(crate) async fn care_on_ticket_solved(
        &self,
        w: &mut WriteTx<'_>,
        customer_id: &str,
        ticket_id: &str,
        team_id: &str,
        solved_at: i64,
    ) -> Result<()> {
        let anchor = Found {
            key: ticket_id.into(),
            at_ms: solved_at,
            purchase_id: None,
            deal_id: None,
            ticket_id: Some(ticket_id.into()),
        };
        // as of the solve: a solve replayed from the past (`--at`) makes its follow-up as it would have
        let as_of = solved_at.min(w.now);
        self.care_on_event(w, customer_id, |a| matches!(a, Anchor::TicketSolved(t) if t == team_id), anchor, as_of)
            .await
    }

    async fn care_on_event(
        &self,
        w: &mut WriteTx<'_>,
        customer_id: &str,
        anchor_is: impl Fn(&Anchor) -> bool,
        found: Found,
        as_of: i64,
    ) -> Result<()> {
        let plans: Vec<StoredPlan> =
            self.care_plans().await?.into_iter().filter(|p| p.enrol == Enrol::Event && anchor_is(&p.anchor)).collect();
        if plans.is_empty() {
            return Ok(());
        }
        let ctx = self.care_ctx(as_of).await?;
        for plan in &plans {
            enrol_one(w, &ctx, plan, customer_id, None, Some(found.clone()), "event").await?;
        }
        Ok(())
    }
}

/// Ends the enrolments matching `cond` (on `care_enrolments e`, one `?` bound to `arg`),
/// skipping their open tasks with `reason`. Returns how many ended.
pub(crate) async fn end_enrolments(w: &mut WriteTx<'_>, cond: &str, arg: &str, reason: &str, now: i64) -> Result<u64> {
    end_enrolments_of(w, cond, &[arg], reason, now).await
}

async fn end_enrolments_of(w: &mut WriteTx<'_>, cond: &str, args: &[&str], reason: &str, now: i64) -> Result<u64> {
    let sql = format!("SELECT e.id FROM care_enrolments e WHERE {cond} AND e.ended_at IS NULL");
    let mut q = sqlx::query_scalar::<_, String>(&sql);
    for a in args {
        q = q.bind(*a);
    }
    let ids: Vec<String> = q.fetch_all(&mut *w.conn()).await?;
    for id in &ids {
        sqlx::query(
            "UPDATE care_tasks SET state = 'skipped', outcome = ?, remind_at = NULL, closed_at = ?
             WHERE enrolment_id = ? AND state NOT IN ('done', 'skipped') AND deleted_at IS NULL",
        )
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(&mut *w.conn())
        .await?;
        sqlx::query("UPDATE care_enrolments SET ended_at = ?, end_reason = ? WHERE id = ?")
            .bind(now)
            .bind(reason)
            .bind(id)
            .execute(&mut *w.conn())
            .await?;
    }
    Ok(ids.len() as u64)
}

/// The anchor of `plan` for a customer, found in the workspace (or given as a local date).
async fn find_anchor(
    conn: &mut SqliteConnection,
    ctx: &Ctx,
    plan: &StoredPlan,
    customer_id: &str,
    info: &CustomerInfo,
    date: Option<Date>,
) -> Result<std::result::Result<Found, &'static str>> {
    let on_date = |d: Date| -> Result<Found> {
        Ok(Found {
            key: format!("date:{d}"),
            at_ms: crate::settings::day_start_ms(&ctx.tz, d)?,
            purchase_id: None,
            deal_id: None,
            ticket_id: None,
        })
    };
    let yearly = Found { key: "yearly".into(), at_ms: ctx.now, purchase_id: None, deal_id: None, ticket_id: None };
    Ok(match &plan.anchor {
        Anchor::Enrolment => match date {
            Some(d) => Ok(on_date(d)?),
            None => {
                Ok(Found { key: "enrolment".into(), at_ms: ctx.now, purchase_id: None, deal_id: None, ticket_id: None })
            }
        },
        Anchor::Purchase => match date {
            Some(d) => Ok(on_date(d)?),
            None => {
                let last: Option<(String, i64)> = sqlx::query_as(
                    "SELECT id, occurred_at FROM interactions WHERE customer_id = ? AND kind = 'purchase'
                     AND deleted_at IS NULL ORDER BY occurred_at DESC, id DESC LIMIT 1",
                )
                .bind(customer_id)
                .fetch_optional(&mut *conn)
                .await?;
                match last {
                    Some((id, at_ms)) => {
                        Ok(Found { key: id.clone(), at_ms, purchase_id: Some(id), deal_id: None, ticket_id: None })
                    }
                    None => Err("care.no_purchase"),
                }
            }
        },
        Anchor::DealStage(stage) => match date {
            Some(d) => Ok(on_date(d)?),
            None => {
                let deal: Option<(String, i64)> = sqlx::query_as(
                    "SELECT id, stage_changed_at FROM deals WHERE customer_id = ? AND stage_id = ?
                     AND deleted_at IS NULL ORDER BY stage_changed_at DESC, id DESC LIMIT 1",
                )
                .bind(customer_id)
                .bind(stage)
                .fetch_optional(&mut *conn)
                .await?;
                match deal {
                    Some((id, at_ms)) => {
                        Ok(Found { key: id.clone(), at_ms, purchase_id: None, deal_id: Some(id), ticket_id: None })
                    }
                    None => Err("care.no_deal_in_stage"),
                }
            }
        },
        Anchor::TicketSolved(team) => match date {
            Some(d) => Ok(on_date(d)?),
            None => {
                let ticket: Option<(String, i64)> = sqlx::query_as(
                    "SELECT id, solved_at FROM tickets WHERE customer_id = ? AND team_id = ? AND solved_at IS NOT NULL
                     AND deleted_at IS NULL ORDER BY solved_at DESC, id DESC LIMIT 1",
                )
                .bind(customer_id)
                .bind(team)
                .fetch_optional(&mut *conn)
                .await?;
                match ticket {
                    Some((id, at_ms)) => {
                        Ok(Found { key: id.clone(), at_ms, purchase_id: None, deal_id: None, ticket_id: Some(id) })
                    }
                    None => Err("care.no_solved_ticket"),
                }
            }
        },
        Anchor::Birthday => match info.birthday.as_deref().and_then(|b| b.parse::<Date>().ok()) {
            Some(_) => Ok(yearly),
            None => Err("care.no_birthday"),
        },
        Anchor::Custom(key) => match custom_date(conn, customer_id, key).await? {
            Some(_) => Ok(yearly),
            None => Err("care.no_date"),
        },
    })
}

async fn custom_date(conn: &mut SqliteConnection, customer_id: &str, key: &str) -> Result<Option<Date>> {
    let v: Option<String> = sqlx::query_scalar(
        "SELECT v.value FROM custom_values v JOIN custom_fields f ON f.id = v.field_id
         WHERE v.customer_id = ? AND f.key = ? AND f.deleted_at IS NULL",
    )
    .bind(customer_id)
    .bind(key)
    .fetch_optional(conn)
    .await?;
    // stored as JSON text of the value ("2020-05-01") or the bare date
    Ok(v.and_then(|v| v.trim_matches('"').parse::<Date>().ok()))
}

/// The yearly date a yearly anchor repeats (month, day), for a customer.
async fn yearly_date(
    conn: &mut SqliteConnection,
    plan: &StoredPlan,
    customer_id: &str,
    info: &CustomerInfo,
) -> Result<Option<Date>> {
    Ok(match &plan.anchor {
        Anchor::Birthday => info.birthday.as_deref().and_then(|b| b.parse::<Date>().ok()),
        Anchor::Custom(key) => custom_date(conn, customer_id, key).await?,
        _ => None,
    })
}

#[allow(clippy::too_many_arguments)]
async fn enrol_one(
    w: &mut WriteTx<'_>,
    ctx: &Ctx,
    plan: &StoredPlan,
    customer_id: &str,
    anchor_date: Option<Date>,
    found: Option<Found>,
    source: &str,
) -> Result<Outcome> {
    let Some(info) = customer_info(w.conn(), customer_id).await? else { return Ok(Outcome::Not("care.no_customer")) };
    let anchor = match found {
        Some(f) => f,
        None => match find_anchor(w.conn(), ctx, plan, customer_id, &info, anchor_date).await? {
            Ok(f) => f,
            Err(reason) => return Ok(Outcome::Not(reason)),
        },
    };
    let already: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM care_enrolments WHERE plan_id = ? AND customer_id = ? AND anchor_key = ?)",
    )
    .bind(&plan.id)
    .bind(customer_id)
    .bind(&anchor.key)
    .fetch_one(&mut *w.conn())
    .await?;
    if already {
        return Ok(Outcome::Already);
    }
    let id = derived_id(&[&plan.id, customer_id, &anchor.key]);
    // round robin: each enrolment of the plan to the next named staff member
    let turn: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM care_enrolments WHERE plan_id = ?")
        .bind(&plan.id)
        .fetch_one(&mut *w.conn())
        .await?;
    let inserted = sqlx::query(
        "INSERT OR IGNORE INTO care_enrolments (id, plan_id, customer_id, anchor_key, anchor_at, source, enrolled_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&plan.id)
    .bind(customer_id)
    .bind(&anchor.key)
    .bind(anchor.at_ms)
    .bind(source)
    .bind(ctx.now)
    .execute(&mut *w.conn())
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(Outcome::Already);
    }
    let enrolment = Enrolment {
        id,
        plan,
        customer_id,
        turn,
        purchase_id: anchor.purchase_id.clone(),
        deal_id: anchor.deal_id.clone(),
        ticket_id: anchor.ticket_id.clone(),
    };
    let n = if plan.anchor.yearly() {
        match yearly_date(w.conn(), plan, customer_id, &info).await? {
            Some(d) => {
                let next = crate::schedule::yearly_on_or_after(d.month(), d.day(), ctx.today)?;
                make_tasks(w, ctx, &enrolment, &info, next).await?
            }
            None => 0,
        }
    } else {
        make_tasks_at(w, ctx, &enrolment, &info, anchor.at_ms, "").await?
    };
    Ok(Outcome::Enrolled(n))
}

pub(crate) struct Enrolment<'a> {
    pub id: String,
    pub plan: &'a StoredPlan,
    pub customer_id: &'a str,
    pub turn: i64,
    pub purchase_id: Option<String>,
    pub deal_id: Option<String>,
    pub ticket_id: Option<String>,
}

/// The tasks of a yearly anchor's occurrence on `day`.
async fn make_tasks(w: &mut WriteTx<'_>, ctx: &Ctx, e: &Enrolment<'_>, info: &CustomerInfo, day: Date) -> Result<i64> {
    let at = crate::settings::day_start_ms(&ctx.tz, day)?;
    make_tasks_at(w, ctx, e, info, at, &day.to_string()).await
}

async fn make_tasks_at(
    w: &mut WriteTx<'_>,
    ctx: &Ctx,
    e: &Enrolment<'_>,
    info: &CustomerInfo,
    anchor_ms: i64,
    occurrence: &str,
) -> Result<i64> {
    let today_start = crate::settings::day_start_ms(&ctx.tz, ctx.today)?;
    let values = Values::load(w.conn(), ctx, e, info).await?;
    // a ticket's follow-up is the work of whoever had the ticket, before the customer's owner
    let worked_by: Option<String> = match &e.ticket_id {
        Some(t) => sqlx::query_scalar("SELECT assignee_id FROM tickets WHERE id = ?")
            .bind(t)
            .fetch_optional(&mut *w.conn())
            .await?
            .flatten(),
        None => None,
    };
    let mut made = 0;
    for (i, step) in e.plan.steps.iter().enumerate() {
        let due = step.due_after(anchor_ms, &ctx.tz)?;
        if due < today_start {
            continue; // its day has passed: not made
        }
        let assignee = match &step.assignee {
            Assignee::Owner => worked_by.clone().or_else(|| info.owner_id.clone()).or_else(|| ctx.current.clone()),
            Assignee::Staff(id) => Some(id.clone()),
            Assignee::RoundRobin(ids) => ids.get(e.turn.rem_euclid(ids.len().max(1) as i64) as usize).cloned(),
        };
        let staff = assignee.as_ref().and_then(|a| ctx.staff.iter().find(|s| &s.0 == a));
        let message = crate::placeholders::fill(&step.template, |k| values.get(k, staff));
        let id = derived_id(&[&e.id, &i.to_string(), occurrence]);
        made += sqlx::query(
            "INSERT OR IGNORE INTO care_tasks (id, enrolment_id, plan_id, customer_id, step, occurrence, name, channel,
             message, due_at, remind_at, assignee_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)",
        )
        .bind(&id)
        .bind(&e.id)
        .bind(&e.plan.id)
        .bind(e.customer_id)
        .bind(i as i64)
        .bind(occurrence)
        .bind(&step.name)
        .bind(step.channel.as_str())
        .bind(&message)
        .bind(due)
        .bind(due)
        .bind(&assignee)
        .bind(ctx.now)
        .execute(&mut *w.conn())
        .await?
        .rows_affected() as i64;
    }
    Ok(made)
}

/// A yearly enrolment whose tasks of one occurrence are all closed gets the next year's
/// (called in the write that closed a task).
pub(crate) async fn next_occurrence(w: &mut WriteTx<'_>, ws: &Workspace, enrolment_id: &str) -> Result<()> {
    let row: Option<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT plan_id, customer_id, (SELECT COUNT(*) FROM care_enrolments x WHERE x.plan_id = e.plan_id
         AND x.rowid < e.rowid), ended_at FROM care_enrolments e WHERE id = ?",
    )
    .bind(enrolment_id)
    .fetch_optional(&mut *w.conn())
    .await?;
    let Some((plan_id, customer_id, turn, None)) = row else { return Ok(()) };
    let Ok(plan) = ws.care_plan(&plan_id).await else { return Ok(()) };
    if !plan.anchor.yearly() {
        return Ok(());
    }
    let last: Option<(String, i64)> = sqlx::query_as(
        "SELECT occurrence, SUM(state NOT IN ('done', 'skipped')) FROM care_tasks WHERE enrolment_id = ?
         AND deleted_at IS NULL GROUP BY occurrence ORDER BY occurrence DESC LIMIT 1",
    )
    .bind(enrolment_id)
    .fetch_optional(&mut *w.conn())
    .await?;
    let Some((occurrence, 0)) = last else { return Ok(()) };
    let Ok(day) = occurrence.parse::<Date>() else { return Ok(()) };
    let Some(info) = customer_info(w.conn(), &customer_id).await? else { return Ok(()) };
    let Some(d) = yearly_date(w.conn(), &plan, &customer_id, &info).await? else { return Ok(()) };
    let year = day.year().checked_add(1).ok_or_else(|| Error::BadTime { detail: format!("after {day}") })?;
    let next = crate::schedule::in_year(d.month(), d.day(), year)?;
    let ctx = ws.care_ctx(w.now).await?;
    let e = Enrolment {
        id: enrolment_id.into(),
        plan: &plan,
        customer_id: &customer_id,
        turn,
        purchase_id: None,
        deal_id: None,
        ticket_id: None,
    };
    make_tasks(w, &ctx, &e, &info, next).await?;
    Ok(())
}

/// A purchase's items (JSON), amount, currency, instant and summary.
type PurchaseRow = (String, Option<i64>, Option<String>, i64, String);

/// The values a step's placeholders take for one enrolment.
struct Values<'a> {
    info: &'a CustomerInfo,
    purchase: Option<PurchaseRow>,
    deal_title: Option<String>,
    /// the solved ticket's number and subject
    ticket: Option<(String, String)>,
    tz: &'a TimeZone,
}

impl<'a> Values<'a> {
    async fn load(
        conn: &mut SqliteConnection,
        ctx: &'a Ctx,
        e: &Enrolment<'_>,
        info: &'a CustomerInfo,
    ) -> Result<Values<'a>> {
        let purchase = match &e.purchase_id {
            Some(id) => {
                sqlx::query_as("SELECT items, amount, currency, occurred_at, summary FROM interactions WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => None,
        };
        let deal_title = match &e.deal_id {
            Some(id) => {
                sqlx::query_scalar("SELECT title FROM deals WHERE id = ?").bind(id).fetch_optional(&mut *conn).await?
            }
            None => None,
        };
        let ticket = match &e.ticket_id {
            Some(id) => {
                sqlx::query_as("SELECT number, subject FROM tickets WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => None,
        };
        Ok(Values { info, purchase, deal_title, ticket, tz: &ctx.tz })
    }

    fn get(&self, key: &str, staff: Option<&(String, String, Option<String>)>) -> Option<String> {
        let i = self.info;
        match key {
            "customer.name" => Some(i.name.clone()),
            "customer.given_name" => i.given_name.clone().or_else(|| Some(i.name.clone())),
            "customer.family_name" => i.family_name.clone(),
            "customer.phone" => i.phone.clone(),
            "customer.email" => i.email.clone(),
            "customer.province" => i.province.clone(),
            // a purchase logged without items is named by its summary
            "purchase.items" => self.purchase.as_ref().map(|(items, .., summary)| {
                let items: Vec<crate::interactions::PurchaseItem> = serde_json::from_str(items).unwrap_or_default();
                if items.is_empty() {
                    return summary.clone();
                }
                items.iter().map(|it| format!("{} × {}", it.name, it.quantity)).collect::<Vec<_>>().join(", ")
            }),
            "purchase.amount" => self.purchase.as_ref().and_then(|(_, amount, currency, ..)| {
                amount.map(|a| crate::format::money_text(a, currency.as_deref().unwrap_or("VND")))
            }),
            "purchase.date" => self
                .purchase
                .as_ref()
                .map(|(_, _, _, at, _)| crate::schedule::local_date(*at, self.tz).strftime("%d/%m/%Y").to_string()),
            "deal.title" => self.deal_title.clone(),
            "ticket.number" => self.ticket.as_ref().map(|t| t.0.clone()),
            "ticket.subject" => self.ticket.as_ref().map(|t| t.1.clone()),
            "staff.name" => staff.map(|s| s.1.clone()),
            "staff.email" => staff.and_then(|s| s.2.clone()),
            _ => None,
        }
    }
}
