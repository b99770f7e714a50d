//! Helpdesk teams: who is in them, their ordered stages (each solved, closed or pausing the SLA
//! clock, with an optional checklist), their business calendar and SLA policies, how tickets
//! are assigned. A team is written as a TOML file (`tend team create --file TEAM.toml`) or by the
//! app's form, both as [`TeamInput`]; every problem is named at its place (`stages[2].name`,
//! `sla[0].match.priority[1]`, `hours.mon[0]`).

use super::{Priority, TicketChannel};
use crate::calendar::{Calendar, CalendarSpec};
use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;

/// How a team's new tickets get an assignee when none is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    /// Nobody until someone assigns it.
    #[default]
    Manual,
    /// The members in turn, after the one who got the team's last ticket.
    RoundRobin,
    /// The member with the fewest open tickets.
    FewestOpen,
}

impl Assignment {
    pub fn as_str(self) -> &'static str {
        match self {
            Assignment::Manual => "manual",
            Assignment::RoundRobin => "round_robin",
            Assignment::FewestOpen => "fewest_open",
        }
    }
    pub fn parse(s: &str) -> Option<Assignment> {
        [Assignment::Manual, Assignment::RoundRobin, Assignment::FewestOpen].into_iter().find(|a| a.as_str() == s)
    }
}

/// One stage as written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct TicketStageInput {
    /// An existing stage's id (the app's form); a file names stages by name.
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub solved: bool,
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub pauses_sla: bool,
    /// Steps to tick before a ticket leaves this stage (the team's procedure).
    #[serde(default)]
    pub checklist: Vec<String>,
}

/// Which tickets an SLA policy covers: every list given must hold the ticket's value (an empty
/// or missing list matches anything).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct SlaMatch {
    #[serde(default)]
    pub priority: Vec<String>,
    #[serde(default)]
    pub category: Vec<String>,
    #[serde(default)]
    pub channel: Vec<String>,
    /// Segment ids: the ticket's customer is a member of one of them.
    #[serde(default)]
    pub segment: Vec<String>,
}

/// One SLA policy as written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct SlaInput {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, rename = "match")]
    pub matches: SlaMatch,
    #[specta(type = Option<i32>)]
    pub first_response_minutes: Option<i64>,
    #[serde(default)]
    #[specta(type = Option<i32>)]
    pub next_response_minutes: Option<i64>,
    #[specta(type = Option<i32>)]
    pub resolution_minutes: Option<i64>,
    /// The targets are calendar minutes (every minute counts), not working minutes.
    #[serde(default)]
    pub calendar: bool,
    /// The assignee is reminded when this share of the time has gone (default 80).
    #[serde(default)]
    #[specta(type = Option<i32>)]
    pub warn_percent: Option<i64>,
}

/// A team as written in its file or the app's form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    pub name: String,
    /// IANA zone; the workspace's when not given.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Weekday (`mon`...`sun`) to working intervals; office hours (Monday–Friday 08:00–12:00 and
    /// 13:30–17:30, Saturday morning) when not given.
    #[serde(default)]
    pub hours: Option<BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    pub holidays: Vec<String>,
    #[serde(default)]
    pub vn_public_holidays: bool,
    /// The default stages (in the workspace's language) when not given.
    #[serde(default)]
    pub stages: Option<Vec<TicketStageInput>>,
    #[serde(default)]
    pub sla: Vec<SlaInput>,
    /// Staff ids or emails.
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub lead: Option<String>,
    #[serde(default)]
    pub assignment: Assignment,
    /// At most this many open tickets per member when assigning automatically.
    #[serde(default)]
    #[specta(type = Option<i32>)]
    pub max_open: Option<i64>,
    /// A solved ticket gets a follow-up care task this many days later.
    #[serde(default)]
    #[specta(type = Option<i32>)]
    pub followup_days: Option<i64>,
    /// A customer writing within this many days of the solve reopens the ticket (default 7).
    #[serde(default)]
    #[specta(type = Option<i32>)]
    pub reopen_days: Option<i64>,
    /// The survey sent when a ticket is solved (csat, nps or ces).
    #[serde(default)]
    pub survey: Option<super::survey::SurveyKind>,
    /// The automatic acknowledgement of a new ticket; none: off.
    #[serde(default)]
    pub ack: Option<Ack>,
}

/// The message a team sends by itself when a ticket is opened on one of `channels` (every
/// channel when none is named). It never counts as the first response.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(default, deny_unknown_fields)]
pub struct Ack {
    pub channels: Vec<super::TicketChannel>,
    /// With placeholders (`placeholders::ACK`).
    pub body: String,
}

impl TeamInput {
    pub fn from_toml(text: &str) -> Result<TeamInput> {
        toml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).map_err(|e| {
            Error::Validation(vec![
                FieldError::new("file", "validation.invalid_toml").with("detail", e.message().to_string())
            ])
        })
    }
}

/// A stage of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct TicketStage {
    pub id: String,
    pub name: String,
    pub position: i32,
    pub solved: bool,
    pub closed: bool,
    pub pauses_sla: bool,
    pub checklist: Vec<String>,
}

/// An SLA policy of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct SlaPolicy {
    pub id: String,
    pub name: String,
    pub position: i32,
    #[serde(rename = "match")]
    pub matches: SlaMatch,
    #[specta(type = Option<i32>)]
    pub first_response_minutes: Option<i64>,
    #[specta(type = Option<i32>)]
    pub next_response_minutes: Option<i64>,
    #[specta(type = Option<i32>)]
    pub resolution_minutes: Option<i64>,
    pub calendar: bool,
    pub warn_percent: i32,
}

/// A member of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct Member {
    pub staff_id: String,
    pub name: String,
    /// The member's own working intervals (weekday to intervals), if not the team's.
    pub hours: Option<BTreeMap<String, Vec<String>>>,
    /// Days off (`2027-03-01..2027-03-05`).
    pub leave: Vec<String>,
}

/// A team as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub calendar: CalendarSpec,
    pub lead_id: Option<String>,
    pub assignment: Assignment,
    #[specta(type = Option<i32>)]
    pub max_open: Option<i64>,
    #[specta(type = Option<i32>)]
    pub followup_days: Option<i64>,
    #[specta(type = i32)]
    pub reopen_days: i64,
    pub survey: Option<super::survey::SurveyKind>,
    pub ack: Option<Ack>,
    pub members: Vec<Member>,
    pub stages: Vec<TicketStage>,
    pub sla: Vec<SlaPolicy>,
}

impl Team {
    pub fn calendar(&self) -> Result<Calendar> {
        Calendar::new(&self.calendar)
    }
    pub fn stage(&self, id: &str) -> Option<&TicketStage> {
        self.stages.iter().find(|s| s.id == id)
    }
    /// The stage a stage's name or id names (folded, whatever its case and marks).
    pub fn stage_named(&self, name: &str) -> Option<&TicketStage> {
        let folded = crate::fold::fold(name.trim());
        self.stages.iter().find(|s| s.id == name || crate::fold::fold(&s.name) == folded)
    }
    /// Where a new ticket starts.
    pub fn first_stage(&self) -> Option<&TicketStage> {
        self.stages.first()
    }
    /// Where "solve" takes a ticket: the first solved stage that is not closed, else the first solved.
    pub fn solved_stage(&self) -> Option<&TicketStage> {
        self.stages.iter().find(|s| s.solved && !s.closed).or_else(|| self.stages.iter().find(|s| s.solved))
    }
    pub fn closed_stage(&self) -> Option<&TicketStage> {
        self.stages.iter().find(|s| s.closed)
    }
    /// Where a reopened ticket (or one the customer answered while it waited) goes: the first
    /// open stage after the first that does not pause the clock, else the first.
    pub fn working_stage(&self) -> Option<&TicketStage> {
        self.stages.iter().skip(1).find(|s| !s.solved && !s.pauses_sla).or_else(|| self.first_stage())
    }
}

/// Default reopen window (days).
pub const REOPEN_DAYS: i64 = 7;
/// Default reminder share of an SLA target.
pub const WARN_PERCENT: i64 = 80;
/// Bounds that keep a file from asking the impossible.
pub(crate) const MAX_STAGES: usize = 30;
const MAX_POLICIES: usize = 50;
const MAX_CHECKLIST: usize = 30;
const MAX_HOLIDAYS: usize = 500;
const MAX_MINUTES: i64 = 366 * 24 * 60;

/// The stages of a new team when its file names none, in `lang`: (name key, solved, closed,
/// pauses the clock).
pub const DEFAULT_STAGES: &[(&str, bool, bool, bool)] = &[
    ("ticket.stage.new", false, false, false),
    ("ticket.stage.assigned", false, false, false),
    ("ticket.stage.in_progress", false, false, false),
    ("ticket.stage.waiting", false, false, true),
    ("ticket.stage.quality_check", false, false, false),
    ("ticket.stage.follow_up", true, false, false),
    ("ticket.stage.closed", true, true, false),
];

/// A team's input checked against itself and what the workspace knows (`staff`: id, email),
/// ready to store.
pub(crate) struct Checked {
    pub name: String,
    pub calendar: CalendarSpec,
    pub stages: Vec<TicketStageInput>,
    pub sla: Vec<SlaInput>,
    pub members: Vec<String>,
    pub lead: Option<String>,
    pub assignment: Assignment,
    pub max_open: Option<i64>,
    pub followup_days: Option<i64>,
    pub reopen_days: i64,
    pub survey: Option<super::survey::SurveyKind>,
    pub ack: Option<Ack>,
}

/// A one-line text (`validate::text`) of at most `max` characters for `field`; empty when it is
/// not (the error pushed), or when empty and `required` (`validation.required` pushed).
pub(crate) fn text_field(errs: &mut Vec<FieldError>, field: &str, value: &str, max: usize, required: bool) -> String {
    match crate::validate::text(value) {
        Ok(t) if t.is_empty() => {
            if required {
                errs.push(FieldError::new(field, "validation.required"));
            }
            t
        }
        Ok(t) if t.chars().count() > max => {
            errs.push(FieldError::new(field, "validation.too_long").with("value", value).with("max", max.to_string()));
            String::new()
        }
        Ok(t) => t,
        Err(k) => {
            errs.push(FieldError::new(field, k).with("value", value));
            String::new()
        }
    }
}

fn staff_id(staff: &[(String, String)], who: &str) -> Option<String> {
    let w = who.trim();
    staff
        .iter()
        .find(|(id, email)| id == w || (!email.is_empty() && email.eq_ignore_ascii_case(w)))
        .map(|(id, _)| id.clone())
}

pub(crate) fn check(
    input: &TeamInput,
    workspace_zone: &str,
    lang: crate::messages::Lang,
    staff: &[(String, String)],
) -> Result<Checked> {
    let mut errs = Vec::new();
    let name = text_field(&mut errs, "name", &input.name, 100, true);
    let zone = input.time_zone.clone().filter(|z| !z.trim().is_empty()).unwrap_or_else(|| workspace_zone.to_string());
    let mut calendar = CalendarSpec::office(zone.trim());
    if let Some(hours) = &input.hours {
        calendar.hours = hours.clone();
    }
    calendar.holidays = input.holidays.iter().map(|h| h.trim().to_string()).collect();
    calendar.vn_public_holidays = input.vn_public_holidays;
    if calendar.holidays.len() > MAX_HOLIDAYS {
        errs.push(FieldError::new("holidays", "validation.too_many").with("max", MAX_HOLIDAYS.to_string()));
    } else if let Err(Error::Validation(e)) = Calendar::new(&calendar) {
        errs.extend(e);
    }
    let stages = match &input.stages {
        Some(s) => s.clone(),
        None => DEFAULT_STAGES
            .iter()
            .map(|(key, solved, closed, pauses)| TicketStageInput {
                id: None,
                name: crate::messages::text(lang, key, &Default::default()),
                solved: *solved,
                closed: *closed,
                pauses_sla: *pauses,
                checklist: vec![],
            })
            .collect(),
    };
    if stages.is_empty() || stages.len() > MAX_STAGES {
        errs.push(FieldError::new("stages", "ticket.stages_count").with("max", MAX_STAGES.to_string()));
    }
    let mut seen = Vec::new();
    let mut stages_out = Vec::new();
    for (i, s) in stages.iter().enumerate() {
        let field = format!("stages[{i}]");
        let n = text_field(&mut errs, &format!("{field}.name"), &s.name, 60, true);
        if n.is_empty() {
            continue;
        }
        let folded = crate::fold::caseless(&n);
        if seen.contains(&folded) {
            errs.push(FieldError::new(format!("{field}.name"), "ticket.stage_twice").with("value", &n));
        }
        seen.push(folded);
        let mut checklist: Vec<String> = Vec::new();
        if s.checklist.len() > MAX_CHECKLIST {
            errs.push(
                FieldError::new(format!("{field}.checklist"), "validation.too_many")
                    .with("max", MAX_CHECKLIST.to_string()),
            );
        }
        for (j, item) in s.checklist.iter().enumerate() {
            let t = text_field(&mut errs, &format!("{field}.checklist[{j}]"), item, 200, true);
            if t.is_empty() {
                continue;
            }
            if checklist.contains(&t) {
                errs.push(FieldError::new(format!("{field}.checklist[{j}]"), "ticket.check_twice").with("value", &t));
            }
            checklist.push(t);
        }
        if s.closed && !s.solved {
            errs.push(FieldError::new(format!("{field}.closed"), "ticket.closed_not_solved").with("value", &n));
        }
        if s.pauses_sla && s.solved {
            errs.push(FieldError::new(format!("{field}.pauses_sla"), "ticket.solved_pauses").with("value", &n));
        }
        stages_out.push(TicketStageInput { name: n, checklist, ..s.clone() });
    }
    if !stages.is_empty() {
        if stages[0].solved || stages[0].pauses_sla {
            errs.push(FieldError::new("stages[0]", "ticket.first_stage_open").with("value", &stages[0].name));
        }
        if !stages.iter().any(|s| s.solved) {
            errs.push(FieldError::new("stages", "ticket.no_solved_stage"));
        }
    }
    if input.sla.len() > MAX_POLICIES {
        errs.push(FieldError::new("sla", "validation.too_many").with("max", MAX_POLICIES.to_string()));
    }
    let mut policy_names = Vec::new();
    let mut sla = Vec::new();
    for (i, p) in input.sla.iter().enumerate() {
        let field = format!("sla[{i}]");
        let name = text_field(&mut errs, &format!("{field}.name"), &p.name, 60, true);
        if !name.is_empty() {
            let folded = crate::fold::caseless(&name);
            if policy_names.contains(&folded) {
                errs.push(FieldError::new(format!("{field}.name"), "ticket.sla_twice").with("value", &name));
            }
            policy_names.push(folded);
        }
        for (j, v) in p.matches.priority.iter().enumerate() {
            if Priority::parse(v.trim()).is_none() {
                errs.push(
                    FieldError::new(format!("{field}.match.priority[{j}]"), "ticket.priority_unknown").with("value", v),
                );
            }
        }
        for (j, v) in p.matches.channel.iter().enumerate() {
            if TicketChannel::parse(v.trim()).is_none() {
                errs.push(
                    FieldError::new(format!("{field}.match.channel[{j}]"), "ticket.channel_unknown").with("value", v),
                );
            }
        }
        let targets = [
            ("first_response_minutes", p.first_response_minutes),
            ("next_response_minutes", p.next_response_minutes),
            ("resolution_minutes", p.resolution_minutes),
        ];
        for (t, v) in targets {
            if let Some(m) = v {
                if !(1..=MAX_MINUTES).contains(&m) {
                    errs.push(
                        FieldError::new(format!("{field}.{t}"), "validation.out_of_range")
                            .with("value", m.to_string())
                            .with("min", "1")
                            .with("max", MAX_MINUTES.to_string()),
                    );
                }
            }
        }
        if targets.iter().all(|(_, v)| v.is_none()) {
            errs.push(FieldError::new(field.clone(), "ticket.sla_no_target").with("value", &name));
        }
        let warn = p.warn_percent.unwrap_or(WARN_PERCENT);
        if !(1..=99).contains(&warn) {
            errs.push(
                FieldError::new(format!("{field}.warn_percent"), "validation.out_of_range")
                    .with("value", warn.to_string())
                    .with("min", "1")
                    .with("max", "99"),
            );
        }
        let trim = |v: &[String]| v.iter().map(|s| s.trim().to_string()).collect::<Vec<_>>();
        sla.push(SlaInput {
            name,
            matches: SlaMatch {
                priority: trim(&p.matches.priority),
                category: trim(&p.matches.category),
                channel: trim(&p.matches.channel),
                segment: trim(&p.matches.segment),
            },
            warn_percent: Some(warn),
            ..p.clone()
        });
    }
    let mut members = Vec::new();
    for (i, m) in input.members.iter().enumerate() {
        match staff_id(staff, m) {
            Some(id) if !members.contains(&id) => members.push(id),
            Some(_) => {}
            None => errs.push(FieldError::new(format!("members[{i}]"), "validation.unknown_staff").with("value", m)),
        }
    }
    let lead = match &input.lead {
        Some(l) if !l.trim().is_empty() => match staff_id(staff, l) {
            Some(id) => Some(id),
            None => {
                errs.push(FieldError::new("lead", "validation.unknown_staff").with("value", l));
                None
            }
        },
        _ => None,
    };
    let days = |field: &str, v: Option<i64>, errs: &mut Vec<FieldError>| {
        if let Some(d) = v {
            if !(0..=365).contains(&d) {
                errs.push(
                    FieldError::new(field, "validation.out_of_range")
                        .with("value", d.to_string())
                        .with("min", "0")
                        .with("max", "365"),
                );
            }
        }
    };
    days("followup_days", input.followup_days, &mut errs);
    days("reopen_days", input.reopen_days, &mut errs);
    if let Some(m) = input.max_open {
        if !(1..=10_000).contains(&m) {
            errs.push(
                FieldError::new("max_open", "validation.out_of_range")
                    .with("value", m.to_string())
                    .with("min", "1")
                    .with("max", "10000"),
            );
        }
    }
    let ack = input.ack.as_ref().map(|a| {
        let body = match crate::validate::long_text(&a.body) {
            Ok(b) if b.is_empty() => {
                errs.push(FieldError::new("ack.body", "validation.required"));
                b
            }
            Ok(b) if b.chars().count() > 5000 => {
                errs.push(FieldError::new("ack.body", "validation.too_long").with("max", "5000"));
                b
            }
            Ok(b) => b,
            Err(k) => {
                errs.push(FieldError::new("ack.body", k));
                String::new()
            }
        };
        errs.extend(crate::placeholders::check("ack.body", &body, crate::placeholders::ACK));
        let mut channels = Vec::new();
        for c in &a.channels {
            if !channels.contains(c) {
                channels.push(*c);
            }
        }
        Ack { channels, body }
    });
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    Ok(Checked {
        name,
        calendar,
        stages: stages_out,
        sla,
        members,
        lead,
        assignment: input.assignment,
        max_open: input.max_open,
        followup_days: input.followup_days,
        reopen_days: input.reopen_days.unwrap_or(REOPEN_DAYS),
        survey: input.survey,
        ack,
    })
}

type TeamRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);
type StageRow = (String, String, i64, i64, i64, i64, Option<String>);
type PolicyRow = (String, String, i64, String, Option<i64>, Option<i64>, Option<i64>, i64, i64);

impl Workspace {
    /// The workspace's teams, by name.
    pub async fn teams(&self) -> Result<Vec<Team>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM teams WHERE deleted_at IS NULL ORDER BY name, id")
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.team(&id).await?);
        }
        Ok(out)
    }

    /// One team with its members, stages and policies; a team's id or name.
    pub async fn team(&self, id_or_name: &str) -> Result<Team> {
        let row: Option<TeamRow> = sqlx::query_as(
            "SELECT id, name, calendar, lead_id, assignment, max_open, followup_days, reopen_days, survey, ack FROM teams
             WHERE deleted_at IS NULL AND (id = ?1 OR name = ?1) ORDER BY id = ?1 DESC LIMIT 1",
        )
        .bind(id_or_name.trim())
        .fetch_optional(self.pool())
        .await?;
        let (id, name, calendar, lead_id, assignment, max_open, followup_days, reopen_days, survey, ack) =
            row.ok_or_else(|| Error::not_found("team", id_or_name))?;
        let stages: Vec<StageRow> = sqlx::query_as(
            "SELECT id, name, position, solved, closed, pauses_sla, checklist FROM ticket_stages
             WHERE team_id = ? AND deleted_at IS NULL ORDER BY position, id",
        )
        .bind(&id)
        .fetch_all(self.pool())
        .await?;
        let policies: Vec<PolicyRow> = sqlx::query_as(
            "SELECT id, name, position, match, first_response_minutes, next_response_minutes, resolution_minutes,
                    calendar_time, warn_percent
             FROM sla_policies WHERE team_id = ? AND deleted_at IS NULL ORDER BY position, id",
        )
        .bind(&id)
        .fetch_all(self.pool())
        .await?;
        let members: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT m.staff_id, s.name, m.hours, m.leave FROM team_members m JOIN staff s ON s.id = m.staff_id
             WHERE m.team_id = ? AND m.deleted_at IS NULL AND s.deleted_at IS NULL ORDER BY s.name, s.id",
        )
        .bind(&id)
        .fetch_all(self.pool())
        .await?;
        Ok(Team {
            calendar: serde_json::from_str(&calendar).unwrap_or_default(),
            lead_id,
            assignment: Assignment::parse(&assignment).unwrap_or_default(),
            max_open,
            followup_days,
            reopen_days: reopen_days.unwrap_or(REOPEN_DAYS),
            survey: survey.as_deref().and_then(super::survey::SurveyKind::parse),
            // one a newer version wrote in a shape this one cannot read is not sent from here
            ack: ack.and_then(|a| serde_json::from_str(&a).ok()),
            members: members
                .into_iter()
                .map(|(staff_id, name, hours, leave)| Member {
                    staff_id,
                    name,
                    hours: hours.and_then(|h| serde_json::from_str(&h).ok()),
                    leave: leave.and_then(|l| serde_json::from_str(&l).ok()).unwrap_or_default(),
                })
                .collect(),
            stages: stages
                .into_iter()
                .map(|(id, name, position, solved, closed, pauses, checklist)| TicketStage {
                    id,
                    name,
                    position: position as i32,
                    solved: solved != 0,
                    closed: closed != 0,
                    pauses_sla: pauses != 0,
                    checklist: checklist.and_then(|c| serde_json::from_str(&c).ok()).unwrap_or_default(),
                })
                .collect(),
            sla: policies
                .into_iter()
                .map(|(id, name, position, matches, fr, nr, res, cal, warn)| SlaPolicy {
                    id,
                    name,
                    position: position as i32,
                    matches: serde_json::from_str(&matches).unwrap_or_default(),
                    first_response_minutes: fr,
                    next_response_minutes: nr,
                    resolution_minutes: res,
                    calendar: cal != 0,
                    warn_percent: warn as i32,
                })
                .collect(),
            id,
            name,
        })
    }

    async fn check_team(&self, input: &TeamInput, editing: Option<&str>) -> Result<Checked> {
        let zone = self.time_zone().await?;
        let lang = self.lang().await?;
        let staff: Vec<(String, String)> =
            self.staff().await?.into_iter().map(|s| (s.id, s.email.unwrap_or_default())).collect();
        let checked = check(input, &zone, lang, &staff)?;
        let others: Vec<String> = sqlx::query_scalar("SELECT name FROM teams WHERE deleted_at IS NULL AND id IS NOT ?")
            .bind(editing)
            .fetch_all(self.pool())
            .await?;
        let name = crate::fold::caseless(&checked.name);
        let mut errs = Vec::new();
        if others.iter().any(|o| crate::fold::caseless(o) == name) {
            errs.push(FieldError::new("name", "ticket.team_name_taken").with("value", &checked.name));
        }
        let segments: Vec<String> = self.segments().await?.into_iter().map(|s| s.id).collect();
        for (i, p) in checked.sla.iter().enumerate() {
            for (j, s) in p.matches.segment.iter().enumerate() {
                if !segments.contains(s) {
                    errs.push(
                        FieldError::new(format!("sla[{i}].match.segment[{j}]"), "segment.unknown_segment")
                            .with("value", s),
                    );
                }
            }
        }
        if errs.is_empty() {
            Ok(checked)
        } else {
            Err(Error::Validation(errs))
        }
    }

    /// Keeps a new team: its stages, policies and members in one write.
    pub async fn create_team(&self, input: &TeamInput) -> Result<Team> {
        let c = self.check_team(input, None).await?;
        let id = crate::db::new_id();
        let mut w = self.write().await?;
        let now = w.now;
        sqlx::query(
            "INSERT INTO teams (id, name, calendar, lead_id, assignment, max_open, followup_days, reopen_days, survey,
                ack, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&c.name)
        .bind(serde_json::to_string(&c.calendar)?)
        .bind(&c.lead)
        .bind(c.assignment.as_str())
        .bind(c.max_open)
        .bind(c.followup_days)
        .bind(c.reopen_days)
        .bind(c.survey.map(|k| k.as_str()))
        .bind(c.ack.as_ref().map(serde_json::to_string).transpose()?)
        .bind(now)
        .execute(&mut *w.conn())
        .await?;
        save_parts(&mut w, &id, &c, &Team::empty(&id)).await?;
        w.commit().await?;
        let team = self.team(&id).await?;
        self.ensure_followup_plan(&team).await?;
        Ok(team)
    }

    /// Saves a team's edit. Stages and policies are matched by id, else by name; one no longer
    /// listed is removed (a stage only when no open ticket is in it), new ones are added.
    pub async fn update_team(&self, id: &str, input: &TeamInput) -> Result<Team> {
        let before = self.team(id).await?;
        let c = self.check_team(input, Some(&before.id)).await?;
        let mut w = self.write().await?;
        // a stage that goes must be empty of open tickets
        let mut errs = Vec::new();
        for s in &before.stages {
            if matching_stage(&c.stages, s).is_none() {
                let open: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM tickets WHERE stage_id = ? AND deleted_at IS NULL AND closed_at IS NULL",
                )
                .bind(&s.id)
                .fetch_one(&mut *w.conn())
                .await?;
                if open > 0 {
                    errs.push(
                        FieldError::new("stages", "ticket.stage_in_use")
                            .with("value", &s.name)
                            .with("count", open.to_string()),
                    );
                }
            }
        }
        if !errs.is_empty() {
            return Err(Error::Validation(errs));
        }
        sqlx::query(
            "UPDATE teams SET name = ?, calendar = ?, lead_id = ?, assignment = ?, max_open = ?, followup_days = ?,
                    reopen_days = ?, survey = ?, ack = ?
             WHERE id = ? AND deleted_at IS NULL",
        )
        .bind(&c.name)
        .bind(serde_json::to_string(&c.calendar)?)
        .bind(&c.lead)
        .bind(c.assignment.as_str())
        .bind(c.max_open)
        .bind(c.followup_days)
        .bind(c.reopen_days)
        .bind(c.survey.map(|k| k.as_str()))
        .bind(c.ack.as_ref().map(serde_json::to_string).transpose()?)
        .bind(&before.id)
        .execute(&mut *w.conn())
        .await?;
        save_parts(&mut w, &before.id, &c, &before).await?;
        w.commit().await?;
        let team = self.team(&before.id).await?;
        self.ensure_followup_plan(&team).await?;
        Ok(team)
    }

    /// A member's own working hours (None: the team's) and days off (`2027-03-01`, or a range
    /// `2027-03-01..2027-03-05`): automatic assignment skips a member outside them.
    pub async fn set_member_availability(
        &self,
        team_id: &str,
        staff_id: &str,
        hours: Option<BTreeMap<String, Vec<String>>>,
        leave: &[String],
    ) -> Result<Team> {
        let team = self.team(team_id).await?;
        if !team.members.iter().any(|m| m.staff_id == staff_id) {
            return Err(Error::Validation(vec![FieldError::new("staff", "ticket.not_member").with("value", staff_id)]));
        }
        let mut spec = team.calendar.clone();
        if let Some(h) = &hours {
            spec.hours = h.clone();
        }
        spec.holidays = leave.iter().map(|l| l.trim().to_string()).collect();
        if let Err(Error::Validation(errs)) = Calendar::new(&spec) {
            return Err(Error::Validation(
                errs.into_iter()
                    .map(|mut e| {
                        e.field = e.field.replacen("holidays", "leave", 1);
                        e
                    })
                    .collect(),
            ));
        }
        let mut w = self.write().await?;
        sqlx::query("UPDATE team_members SET hours = ?, leave = ? WHERE team_id = ? AND staff_id = ?")
            .bind(hours.as_ref().map(serde_json::to_string).transpose()?)
            .bind(if spec.holidays.is_empty() { None } else { Some(serde_json::to_string(&spec.holidays)?) })
            .bind(&team.id)
            .bind(staff_id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        self.team(&team.id).await
    }

    /// A team with follow-up days has a care plan counted from its solves (one step, that many
    /// days later, at 09:00: a call to check the customer is satisfied): made the first time,
    /// and its step moved when the days change. Without follow-up days the plan is left as it is
    /// (it may have been edited or enrolled by hand; remove it in Care).
    pub(crate) async fn ensure_followup_plan(&self, team: &Team) -> Result<()> {
        let Some(days) = team.followup_days else { return Ok(()) };
        let anchor = crate::care::Anchor::TicketSolved(team.id.clone());
        let existing = self.care_plans().await?.into_iter().find(|p| p.anchor == anchor);
        match existing {
            Some(p) => {
                let mut plan = p.plan();
                if let Some(first) = plan.steps.first_mut() {
                    if first.offset == crate::care::Offset::Days(days as i32) {
                        return Ok(());
                    }
                    first.offset = crate::care::Offset::Days(days as i32);
                }
                self.update_care_plan(&p.id, &plan).await?;
            }
            None => {
                let lang = self.lang().await?;
                let text = |key: &str| {
                    let params = BTreeMap::from([("team".to_string(), team.name.clone())]);
                    crate::messages::text(lang, key, &params)
                };
                let toml = format!(
                    "name = {}\nanchor = \"ticket_solved:{}\"\nenrol = \"event\"\n[[step]]\nname = {}\noffset_days = {days}\nat = \"09:00\"\nchannel = \"call\"\ntemplate = {}\n",
                    toml::Value::String(text("ticket.followup_plan")),
                    team.id,
                    toml::Value::String(text("ticket.followup_step")),
                    toml::Value::String(text("ticket.followup_template")),
                );
                let plan = crate::care::CarePlan::from_toml(&toml)?;
                self.create_care_plan(&plan).await?;
            }
        }
        Ok(())
    }

    /// The team tickets go to when none is named: the only one, or the first by name; a new
    /// workspace gets one ("Customer support", office hours, Vietnam's holidays, the default
    /// stages) the first time it is needed.
    pub async fn default_team(&self) -> Result<Team> {
        let first: Option<String> =
            sqlx::query_scalar("SELECT id FROM teams WHERE deleted_at IS NULL ORDER BY name, id LIMIT 1")
                .fetch_optional(self.pool())
                .await?;
        if let Some(id) = first {
            return self.team(&id).await;
        }
        let lang = self.lang().await?;
        let members: Vec<String> = self.staff().await?.into_iter().map(|s| s.id).collect();
        let input = TeamInput {
            name: crate::messages::text(lang, "ticket.default_team", &Default::default()),
            vn_public_holidays: true,
            members,
            ..Default::default()
        };
        self.create_team(&input).await
    }
}

impl Team {
    fn empty(id: &str) -> Team {
        Team {
            id: id.into(),
            name: String::new(),
            calendar: CalendarSpec::default(),
            lead_id: None,
            assignment: Assignment::Manual,
            max_open: None,
            followup_days: None,
            reopen_days: REOPEN_DAYS,
            survey: None,
            ack: None,
            members: vec![],
            stages: vec![],
            sla: vec![],
        }
    }
}

fn matching_stage<'a>(wanted: &'a [TicketStageInput], s: &TicketStage) -> Option<&'a TicketStageInput> {
    wanted.iter().find(|w| w.id.as_deref() == Some(&s.id)).or_else(|| {
        wanted.iter().find(|w| w.id.is_none() && crate::fold::caseless(&w.name) == crate::fold::caseless(&s.name))
    })
}

/// Stages, policies and members of a team written to match `c` (`before` what is stored).
async fn save_parts(w: &mut crate::db::WriteTx<'_>, team_id: &str, c: &Checked, before: &Team) -> Result<()> {
    let now = w.now;
    // stages
    for (pos, s) in c.stages.iter().enumerate() {
        let existing = before.stages.iter().find(|b| matching_stage(std::slice::from_ref(s), b).is_some());
        let checklist = if s.checklist.is_empty() { None } else { Some(serde_json::to_string(&s.checklist)?) };
        match existing {
            Some(b) => {
                sqlx::query(
                    "UPDATE ticket_stages SET name = ?, position = ?, solved = ?, closed = ?, pauses_sla = ?, checklist = ?
                     WHERE id = ?",
                )
                .bind(&s.name)
                .bind(pos as i64)
                .bind(i64::from(s.solved))
                .bind(i64::from(s.closed))
                .bind(i64::from(s.pauses_sla))
                .bind(&checklist)
                .bind(&b.id)
                .execute(&mut *w.conn())
                .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO ticket_stages (id, team_id, name, position, solved, closed, pauses_sla, checklist)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(crate::db::new_id())
                .bind(team_id)
                .bind(&s.name)
                .bind(pos as i64)
                .bind(i64::from(s.solved))
                .bind(i64::from(s.closed))
                .bind(i64::from(s.pauses_sla))
                .bind(&checklist)
                .execute(&mut *w.conn())
                .await?;
            }
        }
    }
    for b in &before.stages {
        if matching_stage(&c.stages, b).is_none() {
            sqlx::query("UPDATE ticket_stages SET deleted_at = ? WHERE id = ?")
                .bind(now)
                .bind(&b.id)
                .execute(&mut *w.conn())
                .await?;
        }
    }
    // policies, matched by id, else by name
    let same_policy = |p: &SlaInput, b: &SlaPolicy| {
        p.id.as_deref() == Some(&b.id)
            || (p.id.is_none() && crate::fold::caseless(&p.name) == crate::fold::caseless(&b.name))
    };
    for (pos, p) in c.sla.iter().enumerate() {
        let matches = serde_json::to_string(&p.matches)?;
        let warn = p.warn_percent.unwrap_or(WARN_PERCENT);
        match before.sla.iter().find(|b| same_policy(p, b)) {
            Some(b) => {
                sqlx::query(
                    "UPDATE sla_policies SET name = ?, position = ?, match = ?, first_response_minutes = ?,
                            next_response_minutes = ?, resolution_minutes = ?, calendar_time = ?, warn_percent = ?
                     WHERE id = ?",
                )
                .bind(&p.name)
                .bind(pos as i64)
                .bind(&matches)
                .bind(p.first_response_minutes)
                .bind(p.next_response_minutes)
                .bind(p.resolution_minutes)
                .bind(i64::from(p.calendar))
                .bind(warn)
                .bind(&b.id)
                .execute(&mut *w.conn())
                .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO sla_policies (id, team_id, name, position, match, first_response_minutes,
                            next_response_minutes, resolution_minutes, calendar_time, warn_percent)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(crate::db::new_id())
                .bind(team_id)
                .bind(&p.name)
                .bind(pos as i64)
                .bind(&matches)
                .bind(p.first_response_minutes)
                .bind(p.next_response_minutes)
                .bind(p.resolution_minutes)
                .bind(i64::from(p.calendar))
                .bind(warn)
                .execute(&mut *w.conn())
                .await?;
            }
        }
    }
    for b in &before.sla {
        if !c.sla.iter().any(|p| same_policy(p, b)) {
            sqlx::query("UPDATE sla_policies SET deleted_at = ? WHERE id = ?")
                .bind(now)
                .bind(&b.id)
                .execute(&mut *w.conn())
                .await?;
        }
    }
    // members: added, back after leaving, or leaving (their hours and leave are kept)
    for staff in &c.members {
        sqlx::query(
            "INSERT INTO team_members (team_id, staff_id, added_at) VALUES (?, ?, ?)
             ON CONFLICT(team_id, staff_id) DO UPDATE SET deleted_at = NULL WHERE deleted_at IS NOT NULL",
        )
        .bind(team_id)
        .bind(staff)
        .bind(now)
        .execute(&mut *w.conn())
        .await?;
    }
    for m in &before.members {
        if !c.members.contains(&m.staff_id) {
            sqlx::query("UPDATE team_members SET deleted_at = ? WHERE team_id = ? AND staff_id = ?")
                .bind(now)
                .bind(team_id)
                .bind(&m.staff_id)
                .execute(&mut *w.conn())
                .await?;
        }
    }
    Ok(())
}
