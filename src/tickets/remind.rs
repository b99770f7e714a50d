//! SLA reminders for the desktop: the assignee of an open ticket is reminded when a target's
//! reminder share of its time has gone (`warn_percent`, default 80%), and the team's lead when a
//! target is breached. The care scheduler asks for them beside care tasks
//! (`care::remind::reminder_tick`), so quiet hours, pausing and "once per device" hold alike: each
//! reminder is an instant of a (ticket, target, kind) kept in the local `care_notified` once shown.

use super::sla::{Clock, Target};
use super::team::Team;
use crate::care::remind::Notice;
use crate::error::Result;
use crate::Workspace;

/// One SLA reminder: the key it is kept under, when it falls, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SlaReminder {
    pub key: String,
    pub at: i64,
    pub customer_id: String,
    pub breach: bool,
    pub number: String,
    pub subject: String,
    pub customer_name: String,
    pub target: Target,
}

#[derive(sqlx::FromRow)]
struct OpenRow {
    id: String,
    number: String,
    subject: String,
    customer_id: String,
    customer_name: String,
    team_id: String,
    assignee_id: Option<String>,
    sla_id: Option<String>,
    created_at: i64,
    paused_at: Option<i64>,
    first_response_due: Option<i64>,
    first_response_at: Option<i64>,
    next_response_due: Option<i64>,
    resolution_due: Option<i64>,
    last_customer_at: Option<i64>,
}

impl Workspace {
    /// Every SLA reminder of `staff` (as assignee, or as the lead of a ticket's team) for open
    /// tickets whose clock runs, in time order.
    pub(crate) async fn sla_reminders(&self, staff: &str) -> Result<Vec<SlaReminder>> {
        let rows: Vec<OpenRow> = sqlx::query_as(
            "SELECT t.id, t.number, t.subject, t.customer_id, c.name AS customer_name, t.team_id, t.assignee_id,
                    t.sla_id, t.created_at, t.paused_at, t.first_response_due, t.first_response_at,
                    t.next_response_due, t.resolution_due, t.last_customer_at
             FROM tickets t JOIN customers c ON c.id = t.customer_id
             WHERE t.deleted_at IS NULL AND t.solved_at IS NULL AND t.merged_into IS NULL AND c.deleted_at IS NULL
               AND (t.assignee_id = ?1 OR t.team_id IN (SELECT id FROM teams WHERE lead_id = ?1 AND deleted_at IS NULL))",
        )
        .bind(staff)
        .fetch_all(self.pool())
        .await?;
        let mut teams: Vec<Team> = Vec::new();
        let mut out = Vec::new();
        for r in rows {
            if !teams.iter().any(|t| t.id == r.team_id) {
                teams.push(self.team(&r.team_id).await?);
            }
            let Some(team) = teams.iter().find(|t| t.id == r.team_id) else { continue };
            let policy = team.sla.iter().find(|p| Some(&p.id) == r.sla_id.as_ref());
            // a team calendar that cannot be read reminds of nothing (its tickets' pages say so)
            let Ok(clock) = Clock::new(team, policy) else { continue };
            let warn = policy.map(|p| i64::from(p.warn_percent)).unwrap_or(super::team::WARN_PERCENT);
            let targets = [
                (Target::FirstResponse, r.first_response_due.filter(|_| r.first_response_at.is_none()), r.created_at),
                (Target::NextResponse, r.next_response_due, r.last_customer_at.unwrap_or(r.created_at)),
                (Target::Resolution, r.resolution_due, r.created_at),
            ];
            for (target, due, start) in targets {
                let Some(due) = due else { continue };
                // a paused clock reminds of nothing until it runs again
                if r.paused_at.is_some() {
                    continue;
                }
                let what = |breach: bool, at: i64| SlaReminder {
                    key: format!("sla:{}:{}:{}", r.id, target_code(target), if breach { "breach" } else { "warn" }),
                    at,
                    customer_id: r.customer_id.clone(),
                    breach,
                    number: r.number.clone(),
                    subject: r.subject.clone(),
                    customer_name: r.customer_name.clone(),
                    target,
                };
                if r.assignee_id.as_deref() == Some(staff) {
                    let total = clock.elapsed(start, due)?;
                    let warn_at = clock.add_ms(start, total * warn / 100)?;
                    out.push(what(false, warn_at.min(due)));
                }
                if team.lead_id.as_deref() == Some(staff) {
                    out.push(what(true, due));
                }
            }
        }
        out.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
        Ok(out)
    }
}

fn target_code(t: Target) -> &'static str {
    match t {
        Target::FirstResponse => "first_response",
        Target::NextResponse => "next_response",
        Target::Resolution => "resolution",
    }
}

/// The notice of one SLA reminder in `vi` or English.
pub(crate) fn notice(r: &SlaReminder, vi: bool) -> Notice {
    let target = match (r.target, vi) {
        (Target::FirstResponse, true) => "phản hồi đầu",
        (Target::NextResponse, true) => "phản hồi tiếp",
        (Target::Resolution, true) => "giải quyết",
        (Target::FirstResponse, false) => "first response",
        (Target::NextResponse, false) => "next response",
        (Target::Resolution, false) => "resolution",
    };
    let title = match (r.breach, vi) {
        (false, true) => format!("Sắp trễ hạn {target}: phiếu {}", r.number),
        (true, true) => format!("Đã trễ hạn {target}: phiếu {}", r.number),
        (false, false) => format!("The {target} of ticket {} is due soon", r.number),
        (true, false) => format!("The {target} of ticket {} is overdue", r.number),
    };
    Notice {
        title,
        body: format!("{} — {}", r.subject, r.customer_name),
        customer_id: Some(r.customer_id.clone()),
        task_ids: vec![r.key.clone()],
    }
}
