//! SLA deadlines: which of a team's policies covers a ticket (the first whose every list holds
//! the ticket's value), when each target falls due in the team's calendar (working minutes) or on
//! the clock (calendar minutes), how a pause moves them, and each target's state as a person sees
//! it: running (with the time left), paused, met, or breached (kept when the ticket is solved
//! later, and when a pause comes after the deadline passed).

use super::team::{SlaPolicy, Team};
use crate::calendar::Calendar;
use crate::error::Result;
use serde::Serialize;
use specta::Type;

/// What a policy times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The first agent reply to the customer (not a note, not an automatic reply).
    FirstResponse,
    /// An agent's answer to the customer's next message.
    NextResponse,
    /// The ticket reaching a solved stage.
    Resolution,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    Running,
    Paused,
    Met,
    Breached,
}

/// One target of a ticket's SLA as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct SlaTarget {
    pub target: Target,
    /// The deadline (UTC, RFC 3339), moved later by paused time.
    pub due_at: String,
    #[specta(type = i32)]
    pub due_ms: i64,
    pub state: SlaState,
    /// When the target was breached (its deadline), if it was.
    pub breached_at: Option<String>,
    /// When it was met, if it was.
    pub met_at: Option<String>,
    /// Time left before the deadline (working time unless the policy counts calendar time);
    /// negative: overdue by that much. Zero once met.
    #[specta(type = i32)]
    pub left_ms: i64,
    /// Whether the policy's reminder share of the time has gone (`warn_percent`).
    pub warning: bool,
}

/// The ticket's values a policy is matched on.
pub struct Facts<'a> {
    pub priority: &'a str,
    pub category: Option<&'a str>,
    pub channel: &'a str,
    /// The segments the customer is in, among those the team's policies name.
    pub segments: &'a [String],
}

/// The first of the team's policies that covers a ticket.
pub fn pick<'t>(team: &'t Team, f: &Facts) -> Option<&'t SlaPolicy> {
    let holds = |list: &[String], v: Option<&str>| {
        list.is_empty()
            || v.is_some_and(|v| {
                let v = crate::fold::fold(v);
                list.iter().any(|x| crate::fold::fold(x) == v)
            })
    };
    team.sla.iter().find(|p| {
        holds(&p.matches.priority, Some(f.priority))
            && holds(&p.matches.category, f.category)
            && holds(&p.matches.channel, Some(f.channel))
            && (p.matches.segment.is_empty() || p.matches.segment.iter().any(|s| f.segments.contains(s)))
    })
}

/// Time as a policy counts it: working time in the team's calendar, or every minute.
pub struct Clock {
    calendar: Calendar,
    calendar_time: bool,
}

impl Clock {
    pub fn new(team: &Team, policy: Option<&SlaPolicy>) -> Result<Clock> {
        Ok(Clock { calendar: team.calendar()?, calendar_time: policy.is_some_and(|p| p.calendar) })
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The instant `ms` of counted time after `from`.
    pub fn add_ms(&self, from: i64, ms: i64) -> Result<i64> {
        if self.calendar_time {
            return Ok(from.saturating_add(ms.max(0)));
        }
        self.calendar.add_ms(from, ms)
    }

    /// A deadline `minutes` of counted time after `from`.
    pub fn due(&self, from: i64, minutes: Option<i64>) -> Result<Option<i64>> {
        minutes.map(|m| self.add_ms(from, m.saturating_mul(60_000))).transpose()
    }

    /// Counted time between two instants.
    pub fn elapsed(&self, from: i64, to: i64) -> Result<i64> {
        if self.calendar_time {
            Ok((to - from).max(0))
        } else {
            self.calendar.between(from, to)
        }
    }

    /// Working time in the team's calendar between two instants (kept for reports whatever the
    /// policy counts).
    pub fn working(&self, from: i64, to: i64) -> Result<i64> {
        self.calendar.between(from, to)
    }
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_else(|_| ms.to_string())
}

/// What [`view`] needs of a ticket's SLA.
pub struct Stored {
    pub created_at: i64,
    pub paused_at: Option<i64>,
    pub first_response_due: Option<i64>,
    pub first_response_at: Option<i64>,
    pub first_response_breached_at: Option<i64>,
    pub next_response_due: Option<i64>,
    pub next_response_breached_at: Option<i64>,
    pub resolution_due: Option<i64>,
    pub resolution_breached_at: Option<i64>,
    pub solved_at: Option<i64>,
    pub last_customer_at: Option<i64>,
}

/// Each target of a ticket's SLA, as of `now`.
pub fn view(clock: &Clock, policy: Option<&SlaPolicy>, s: &Stored, now: i64) -> Result<Vec<SlaTarget>> {
    let warn_percent = policy.map(|p| i64::from(p.warn_percent)).unwrap_or(super::team::WARN_PERCENT);
    let mut out = Vec::new();
    let targets = [
        (Target::FirstResponse, s.first_response_due, s.first_response_at, s.first_response_breached_at, s.created_at),
        // a next response is due from the customer's message; once answered its deadline is cleared,
        // and a late answer's breach is kept
        (
            Target::NextResponse,
            s.next_response_due,
            None,
            s.next_response_breached_at,
            s.last_customer_at.unwrap_or(s.created_at),
        ),
        (Target::Resolution, s.resolution_due, s.solved_at, s.resolution_breached_at, s.created_at),
    ];
    for (target, due, met, breached, start) in targets {
        let Some(due) = due.or(breached) else { continue };
        let met_late = met.is_some_and(|m| m > due);
        let breached_at = breached.or_else(|| if met_late || (met.is_none() && now > due) { Some(due) } else { None });
        let state = match (met, breached_at, s.paused_at) {
            (_, Some(_), _) => SlaState::Breached,
            (Some(_), None, _) => SlaState::Met,
            (None, None, Some(_)) => SlaState::Paused,
            (None, None, None) => SlaState::Running,
        };
        // a next response answered late keeps only its breach: nothing is left to count
        let answered = met.is_some() || (target == Target::NextResponse && s.next_response_due.is_none());
        let (left_ms, warning) = if answered {
            (0, false)
        } else {
            // while paused, the time left is what was left when the pause began
            let reference = s.paused_at.unwrap_or(now);
            let left =
                if reference <= due { clock.elapsed(reference, due)? } else { -clock.elapsed(due, reference)? };
            let total = clock.elapsed(start, due)?.max(1);
            let gone = total - left;
            (left, gone * 100 >= total * warn_percent)
        };
        out.push(SlaTarget {
            target,
            due_at: rfc3339(due),
            due_ms: due,
            state,
            breached_at: breached_at.map(rfc3339),
            met_at: met.map(rfc3339),
            left_ms,
            warning,
        });
    }
    Ok(out)
}
