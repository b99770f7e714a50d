//! `tend team`, `tend calendar` and `tend ticket`: the helpdesk.

use super::*;
use tend::tickets::{MessageKind, NewTicket, Reply, TeamInput, TicketDetail, TicketFilter, TicketView};

#[derive(Subcommand)]
pub(super) enum TeamCommand {
    /// Create a team from a TOML file: name, time_zone, hours, holidays, vn_public_holidays,
    /// stages, [[sla]] policies, members, lead, assignment, max_open, followup_days, reopen_days.
    Create {
        #[arg(long)]
        file: PathBuf,
    },
    /// Change a team from a TOML file (stages and policies matched by name).
    Update {
        /// The team's id or name.
        id: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// The teams.
    List {},
    /// One team with its members, stages and SLA policies.
    Show { id: String },
}

#[derive(Subcommand)]
pub(super) enum CalendarCommand {
    /// Vietnam's public holidays of a year (1900-2100), as the teams' calendars close on them.
    Holidays {
        #[arg(long)]
        year: i16,
    },
}

#[derive(Subcommand)]
pub(super) enum CannedCommand {
    /// Keep a canned response; placeholders such as {{customer.name}}, {{ticket.number}} and
    /// {{agent.name}} are filled when it is used.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        body: String,
        /// For one team (its id or name); every team otherwise.
        #[arg(long)]
        team: Option<String>,
        /// Only for the current user.
        #[arg(long)]
        personal: bool,
    },
    /// The canned responses the current user may use.
    List {},
    /// Remove a canned response (its id or name).
    Remove { id: String },
}

#[derive(Subcommand)]
pub(super) enum RuleCommand {
    /// Keep a rule from a TOML file: name, enabled, [when] channel, keywords, category, segment,
    /// priority, team; [then] team, priority, assignee, tags, suggest. New rules run last.
    Create {
        #[arg(long)]
        file: PathBuf,
    },
    /// Change a rule from a TOML file.
    Update {
        id: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// The rules, in the order they run on a new ticket.
    List {},
    /// Remove a rule.
    Remove { id: String },
    /// Put a rule at a place in the order (1 runs first).
    Move {
        id: String,
        #[arg(long)]
        to: u16,
    },
}

#[derive(Subcommand)]
pub(super) enum SurveyCommand {
    /// Record a customer's answer about a ticket (a phone survey): csat 1-5, nps 0-10, ces 1-7.
    Record {
        #[arg(long)]
        ticket: String,
        #[arg(long)]
        kind: String,
        #[arg(long, allow_hyphen_values = true)]
        score: i64,
        #[arg(long)]
        comment: Option<String>,
        #[arg(long)]
        at: Option<String>,
    },
    /// Import answers from a CSV or spreadsheet (columns ticket, kind, score; comment and date
    /// optional): every row checked first, all written or none.
    Import { path: String },
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum ViewArg {
    Open,
    Mine,
    Unassigned,
    BreachingSoon,
    Waiting,
    Overdue,
    Solved,
    All,
}

#[derive(clap::Args)]
pub(super) struct CreateArgs {
    #[arg(long)]
    subject: String,
    #[arg(long)]
    customer: Option<String>,
    #[arg(long)]
    customer_phone: Option<String>,
    #[arg(long)]
    customer_email: Option<String>,
    #[arg(long)]
    customer_name: Option<String>,
    /// The team's id or name; the default team otherwise.
    #[arg(long)]
    team: Option<String>,
    /// low, normal, high, urgent
    #[arg(long)]
    priority: Option<String>,
    /// minor, major, critical
    #[arg(long)]
    severity: Option<String>,
    /// phone, email, website, live_chat, facebook, zalo, in_person, other
    #[arg(long)]
    channel: Option<String>,
    #[arg(long)]
    category: Option<String>,
    /// A staff id; by the team's rule otherwise.
    #[arg(long)]
    assignee: Option<String>,
    /// What the customer said (the thread's first message).
    #[arg(long)]
    message: Option<String>,
    /// A file that came with it (a picture, PDF, document...; repeat for more).
    #[arg(long = "attach", value_name = "PATH")]
    attach: Vec<String>,
    /// When it came: RFC 3339, or a local date and time.
    #[arg(long)]
    at: Option<String>,
}

#[derive(Subcommand)]
pub(super) enum TicketCommand {
    /// Open a ticket for a customer (by id, or found by phone or email, else made with --customer-name).
    Create(Box<CreateArgs>),
    /// A ticket with its SLA, thread and checklist.
    Show { number: String },
    /// Tickets of a view, nearest deadline first.
    List {
        #[arg(long, value_enum, default_value = "open")]
        view: ViewArg,
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        assignee: Option<String>,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        text: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i32,
        #[arg(long, default_value_t = 0)]
        offset: i32,
    },
    /// Reply to the customer (the first reply is the first response): --body, or a canned
    /// response filled for the ticket (--canned NAME).
    Reply {
        number: String,
        #[arg(long)]
        body: Option<String>,
        #[arg(long)]
        canned: Option<String>,
        /// A file to send with it (repeat for more).
        #[arg(long = "attach", value_name = "PATH")]
        attach: Vec<String>,
        #[arg(long)]
        at: Option<String>,
    },
    /// An internal note (never a response).
    Note {
        number: String,
        #[arg(long, default_value = "")]
        body: String,
        #[arg(long = "attach", value_name = "PATH")]
        attach: Vec<String>,
        #[arg(long)]
        at: Option<String>,
    },
    /// A message from the customer (it reopens a recently solved ticket); a file alone is one.
    Message {
        number: String,
        #[arg(long, default_value = "")]
        body: String,
        #[arg(long = "attach", value_name = "PATH")]
        attach: Vec<String>,
        #[arg(long)]
        at: Option<String>,
    },
    /// Save a file of a thread (by the hash `ticket show` prints) to a new file.
    File {
        hash: String,
        #[arg(long, value_name = "PATH")]
        out: String,
    },
    /// Move to a stage of the ticket's team (by name or id).
    Stage {
        number: String,
        stage: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// Assign to a member of staff (an id), or to nobody with --nobody.
    Assign {
        number: String,
        staff: Option<String>,
        #[arg(long)]
        nobody: bool,
    },
    /// Tick a step of the current stage's checklist (--undo to untick).
    Check {
        number: String,
        item: String,
        #[arg(long)]
        undo: bool,
        #[arg(long)]
        at: Option<String>,
    },
    /// Solve (to the team's solved stage).
    Solve {
        number: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// Reopen a solved ticket.
    Reopen {
        number: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// Merge a duplicate into the ticket that goes on (the same customer's): its thread joins
    /// that one's; `ticket unmerge` undoes it.
    Merge {
        number: String,
        #[arg(long)]
        into: String,
    },
    /// Undo a merge: the duplicate is its own ticket again.
    Unmerge { number: String },
    /// Link two related tickets.
    Link { number: String, other: String },
    /// Remove the link between two tickets.
    Unlink { number: String, other: String },
}

fn parse_enum<T>(
    field: &str,
    value: Option<String>,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
) -> Result<Option<T>, Error> {
    match value {
        None => Ok(None),
        Some(v) => parse(v.trim()).map(Some).ok_or_else(|| {
            Error::Validation(vec![tend::FieldError::new(field, "validation.not_allowed")
                .with("value", &v)
                .with("allowed", all.join(", "))])
        }),
    }
}

async fn at_of(ws: &Workspace, at: Option<String>) -> Result<Option<i64>, Error> {
    match at {
        None => Ok(None),
        Some(t) => Ok(Some(care::when(ws, "at", &t, None).await?)),
    }
}

fn team_text(t: &tend::tickets::Team) -> String {
    let stages: Vec<String> = t
        .stages
        .iter()
        .map(|s| {
            let mut flags = Vec::new();
            if s.pauses_sla {
                flags.push("pauses SLA");
            }
            if s.solved {
                flags.push("solved");
            }
            if s.closed {
                flags.push("closed");
            }
            if flags.is_empty() {
                s.name.clone()
            } else {
                format!("{} ({})", s.name, flags.join(", "))
            }
        })
        .collect();
    let sla: Vec<String> = t
        .sla
        .iter()
        .map(|p| {
            let m = |v: Option<i64>| v.map(|m| format!("{m} min")).unwrap_or_else(|| "-".into());
            format!(
                "  {}: first response {}, next {}, resolution {}{}",
                p.name,
                m(p.first_response_minutes),
                m(p.next_response_minutes),
                m(p.resolution_minutes),
                if p.calendar { " (calendar time)" } else { " (working time)" }
            )
        })
        .collect();
    let members: Vec<&str> = t.members.iter().map(|m| m.name.as_str()).collect();
    format!(
        "{}  {}  ({})\n  stages: {}\n  members: {}\n{}",
        t.id,
        t.name,
        t.calendar.time_zone,
        stages.join(" > "),
        if members.is_empty() { "-".to_string() } else { members.join(", ") },
        sla.join("\n")
    )
    .trim_end()
    .to_string()
}

/// A ticket as `--json` prints it: the ticket's fields with its thread and checklist beside them.
fn detail_json(d: &TicketDetail) -> Result<serde_json::Value, Error> {
    let mut v = serde_json::to_value(&d.ticket)?;
    v["messages"] = serde_json::to_value(&d.messages)?;
    v["checklist"] = serde_json::to_value(&d.checklist)?;
    Ok(v)
}

fn left_text(ms: i64) -> String {
    let m = ms.abs() / 60_000;
    let s = if m >= 60 { format!("{} h {:02} min", m / 60, m % 60) } else { format!("{m} min") };
    if ms < 0 {
        format!("overdue by {s}")
    } else {
        format!("{s} left")
    }
}

fn ticket_line(t: &tend::tickets::Ticket) -> String {
    let due = t
        .sla
        .iter()
        .filter(|s| s.state == tend::tickets::SlaState::Running)
        .min_by_key(|s| s.due_ms)
        .map(|s| format!("  {}", left_text(s.left_ms)))
        .unwrap_or_default();
    format!(
        "{}  [{}]  {}  ({}; {})  {}{due}",
        t.number,
        t.stage_name,
        t.subject,
        t.customer_name,
        t.assignee_name.as_deref().unwrap_or("-"),
        t.priority
    )
}

fn detail_text(d: &TicketDetail) -> String {
    let t = &d.ticket;
    let mut out = vec![ticket_line(t)];
    for s in &t.sla {
        out.push(format!(
            "  sla {:?}: due {} ({:?}{})",
            s.target,
            s.due_at,
            s.state,
            s.breached_at.as_ref().map(|b| format!(", breached at {b}")).unwrap_or_default()
        ));
    }
    for c in &d.checklist {
        out.push(format!("  [{}] {}", if c.done { "x" } else { " " }, c.item));
    }
    if let Some(n) = &d.merged_into_number {
        out.push(format!("  merged into {n}"));
    }
    for r in &d.merged {
        out.push(format!("  merged here: {} {}", r.number, r.subject));
    }
    for r in &d.linked {
        out.push(format!("  linked: {} {} ({})", r.number, r.subject, r.stage_name));
    }
    for m in &d.messages {
        let body = m.rule.as_ref().map(rule_fired_text).unwrap_or_else(|| m.body.clone());
        out.push(format!("  {} {} {}: {}", care::rfc3339(m.at), m.kind, m.staff_name.as_deref().unwrap_or(""), body));
        for a in &m.attachments {
            out.push(format!("    file {} ({}, {} bytes) {}", a.name, a.mime, a.size, a.hash));
        }
    }
    out.join("\n")
}

pub(super) async fn team(ws: &Workspace, command: TeamCommand) -> Result<(), Error> {
    match command {
        TeamCommand::Create { file } => {
            let input = TeamInput::from_toml(&read_text(&file, "file", "ticket.team_unreadable_file")?)?;
            let t = ws.create_team(&input).await?;
            print(&t, || team_text(&t))
        }
        TeamCommand::Update { id, file } => {
            let input = TeamInput::from_toml(&read_text(&file, "file", "ticket.team_unreadable_file")?)?;
            let t = ws.update_team(&id, &input).await?;
            print(&t, || team_text(&t))
        }
        TeamCommand::List {} => {
            let teams = ws.teams().await?;
            print(&teams, || teams.iter().map(team_text).collect::<Vec<_>>().join("\n"))
        }
        TeamCommand::Show { id } => {
            let t = ws.team(&id).await?;
            print(&t, || team_text(&t))
        }
    }
}

pub(super) async fn calendar(_ws: &Workspace, command: CalendarCommand) -> Result<(), Error> {
    match command {
        CalendarCommand::Holidays { year } => {
            let first = tend::calendar::vn::FIRST_YEAR;
            let last = tend::calendar::vn::LAST_YEAR;
            if !(first..=last).contains(&year) {
                return Err(Error::Validation(vec![tend::FieldError::new("year", "validation.out_of_range")
                    .with("value", year.to_string())
                    .with("min", first.to_string())
                    .with("max", last.to_string())]));
            }
            let days: Vec<serde_json::Value> = tend::calendar::vn::holidays(year)
                .iter()
                .map(|h| {
                    let params = std::collections::BTreeMap::from([("day".to_string(), h.day.to_string())]);
                    serde_json::json!({
                        "date": h.date.to_string(),
                        "name": tend::messages::text(lang(), h.key, &params),
                        "key": h.key,
                    })
                })
                .collect();
            print(&days, || {
                days.iter()
                    .map(|d| format!("{}  {}", d["date"].as_str().unwrap_or(""), d["name"].as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}

pub(super) async fn canned(ws: &Workspace, command: CannedCommand) -> Result<(), Error> {
    match command {
        CannedCommand::Create { name, body, team, personal } => {
            let team_id = match team {
                Some(t) => Some(ws.team(&t).await?.id),
                None => None,
            };
            let c = ws.create_canned(&tend::tickets::CannedInput { name, body, team_id, personal }).await?;
            print(&c, || format!("{}  {}", c.id, c.name))
        }
        CannedCommand::List {} => {
            let all = ws.canned_responses().await?;
            print(&all, || all.iter().map(|c| format!("{}  {}", c.id, c.name)).collect::<Vec<_>>().join("\n"))
        }
        CannedCommand::Remove { id } => {
            let c = ws.canned(&id).await?;
            ws.remove_canned(&c.id).await?;
            print(&serde_json::json!({ "removed": c.id }), || format!("removed {}", c.name))
        }
    }
}

/// What a rule did to a ticket, in the user's language.
fn rule_fired_text(f: &tend::tickets::RuleFired) -> String {
    let t = |key: &str, value: &str| {
        tend::messages::text(lang(), key, &std::collections::BTreeMap::from([("value".to_string(), value.to_string())]))
    };
    let mut did = Vec::new();
    if let Some(team) = &f.team_id {
        did.push(t("rule.did_team", f.team_name.as_deref().unwrap_or(team)));
    }
    if let Some(p) = f.priority {
        did.push(t("rule.did_priority", p.as_str()));
    }
    if let Some(a) = &f.assignee_id {
        did.push(t("rule.did_assignee", f.assignee_name.as_deref().unwrap_or(a)));
    }
    if !f.tags.is_empty() {
        did.push(t("rule.did_tags", &f.tags.join(", ")));
    }
    if let Some(c) = &f.suggest_id {
        did.push(t("rule.did_suggest", f.suggest_name.as_deref().unwrap_or(c)));
    }
    format!("{}: {}", t("rule.fired", &f.rule), did.join("; "))
}

fn rule_text(r: &tend::tickets::Rule) -> String {
    let on = if r.enabled { "" } else { "  (off)" };
    format!("{}. {}  {}{on}", r.position + 1, r.id, r.name)
}

pub(super) async fn rule(ws: &Workspace, command: RuleCommand) -> Result<(), Error> {
    use tend::tickets::RuleInput;
    match command {
        RuleCommand::Create { file } => {
            let input = RuleInput::from_toml(&read_text(&file, "file", "rule.unreadable_file")?)?;
            let r = ws.create_ticket_rule(&input).await?;
            print(&r, || rule_text(&r))
        }
        RuleCommand::Update { id, file } => {
            let input = RuleInput::from_toml(&read_text(&file, "file", "rule.unreadable_file")?)?;
            let r = ws.update_ticket_rule(&id, &input).await?;
            print(&r, || rule_text(&r))
        }
        RuleCommand::List {} => {
            let all = ws.ticket_rules().await?;
            print(&all, || all.iter().map(rule_text).collect::<Vec<_>>().join("\n"))
        }
        RuleCommand::Remove { id } => {
            ws.remove_ticket_rule(&id).await?;
            print(&serde_json::json!({ "removed": id }), || format!("removed {id}"))
        }
        RuleCommand::Move { id, to } => {
            let all = ws.move_ticket_rule(&id, i32::from(to.max(1)) - 1).await?;
            print(&all, || all.iter().map(rule_text).collect::<Vec<_>>().join("\n"))
        }
    }
}

pub(super) async fn survey(ws: &Workspace, command: SurveyCommand) -> Result<(), Error> {
    use tend::tickets::{SurveyAnswerInput, SurveyKind};
    match command {
        SurveyCommand::Record { ticket, kind, score, comment, at } => {
            let all: Vec<&str> = SurveyKind::ALL.iter().map(|k| k.as_str()).collect();
            let kind = parse_enum("kind", Some(kind), SurveyKind::parse, &all)?.unwrap_or(SurveyKind::Csat);
            let answer = ws
                .record_survey(&ticket, &SurveyAnswerInput { kind, score, comment, at: at_of(ws, at).await? })
                .await?;
            print(&answer, || format!("{} {} recorded for {ticket}", answer.kind, answer.score.unwrap_or_default()))
        }
        SurveyCommand::Import { path } => {
            let r = ws.import_survey_answers(std::path::Path::new(&path)).await?;
            print(&r, || {
                format!(
                    "{} rows: {} sent surveys answered, {} answers added, {} already recorded",
                    r.rows, r.answered, r.added, r.skipped
                )
            })
        }
    }
}

pub(super) async fn ticket(ws: &Workspace, command: TicketCommand) -> Result<(), Error> {
    use tend::tickets::{Priority, Severity, TicketChannel};
    let show = |d: TicketDetail| -> Result<(), Error> { print(&detail_json(&d)?, || detail_text(&d)) };
    match command {
        TicketCommand::Create(args) => {
            let CreateArgs {
                subject,
                customer,
                customer_phone,
                customer_email,
                customer_name,
                team,
                priority,
                severity,
                channel,
                category,
                assignee,
                message,
                attach,
                at,
            } = *args;
            let names = |all: &[&'static str]| all.to_vec();
            let input = NewTicket {
                subject,
                customer_id: customer,
                customer_phone,
                customer_email,
                customer_name,
                team_id: team,
                priority: parse_enum(
                    "priority",
                    priority,
                    Priority::parse,
                    &names(&Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>()),
                )?,
                severity: parse_enum(
                    "severity",
                    severity,
                    Severity::parse,
                    &Severity::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
                )?,
                channel: parse_enum(
                    "channel",
                    channel,
                    TicketChannel::parse,
                    &TicketChannel::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
                )?,
                category,
                assignee_id: assignee,
                message,
                attachments: attach,
                at: at_of(ws, at).await?,
                ..Default::default()
            };
            show(ws.create_ticket(&input).await?)
        }
        TicketCommand::Show { number } => show(ws.ticket(&number).await?),
        TicketCommand::List { view, team, assignee, customer, text, limit, offset } => {
            let team_id = match team {
                Some(t) => Some(ws.team(&t).await?.id),
                None => None,
            };
            let view = match view {
                ViewArg::Open => TicketView::Open,
                ViewArg::Mine => TicketView::Mine,
                ViewArg::Unassigned => TicketView::Unassigned,
                ViewArg::BreachingSoon => TicketView::BreachingSoon,
                ViewArg::Waiting => TicketView::Waiting,
                ViewArg::Overdue => TicketView::Overdue,
                ViewArg::Solved => TicketView::Solved,
                ViewArg::All => TicketView::All,
            };
            let page = ws
                .tickets(&TicketFilter {
                    view,
                    team_id,
                    assignee_id: assignee,
                    customer_id: customer,
                    text,
                    limit,
                    offset,
                    ..Default::default()
                })
                .await?;
            print(&page, || page.rows.iter().map(ticket_line).collect::<Vec<_>>().join("\n"))
        }
        TicketCommand::Reply { number, body, canned, attach, at } => {
            let body = match (body, canned) {
                (Some(b), None) => b,
                (None, Some(c)) => ws.fill_canned(&c, &number).await?,
                (None, None) if !attach.is_empty() => String::new(),
                _ => return Err(Error::invalid("body", "ticket.body_or_canned")),
            };
            let reply = Reply { body, attachments: attach, at: at_of(ws, at).await? };
            show(ws.add_ticket_message(&number, MessageKind::Reply, &reply).await?)
        }
        TicketCommand::Note { number, body, attach, at } => {
            let reply = Reply { body, attachments: attach, at: at_of(ws, at).await? };
            show(ws.add_ticket_message(&number, MessageKind::Note, &reply).await?)
        }
        TicketCommand::Message { number, body, attach, at } => {
            let reply = Reply { body, attachments: attach, at: at_of(ws, at).await? };
            show(ws.add_ticket_message(&number, MessageKind::Customer, &reply).await?)
        }
        TicketCommand::File { hash, out } => {
            let a = ws.save_ticket_attachment(&hash, std::path::Path::new(&out)).await?;
            print(&a, || format!("{} ({}, {} bytes) -> {out}", a.name, a.mime, a.size))
        }
        TicketCommand::Stage { number, stage, at } => {
            show(ws.move_ticket(&number, &stage, at_of(ws, at).await?).await?)
        }
        TicketCommand::Assign { number, staff, nobody } => {
            if staff.is_none() && !nobody {
                return Err(Error::invalid("staff", "validation.required"));
            }
            show(ws.assign_ticket(&number, if nobody { None } else { staff.as_deref() }).await?)
        }
        TicketCommand::Check { number, item, undo, at } => {
            show(ws.tick_ticket_check(&number, &item, !undo, at_of(ws, at).await?).await?)
        }
        TicketCommand::Solve { number, at } => show(ws.solve_ticket(&number, at_of(ws, at).await?).await?),
        TicketCommand::Reopen { number, at } => show(ws.reopen_ticket(&number, at_of(ws, at).await?).await?),
        TicketCommand::Merge { number, into } => show(ws.merge_ticket(&number, &into).await?),
        TicketCommand::Unmerge { number } => show(ws.unmerge_ticket(&number).await?),
        TicketCommand::Link { number, other } => show(ws.link_tickets(&number, &other, true).await?),
        TicketCommand::Unlink { number, other } => show(ws.link_tickets(&number, &other, false).await?),
    }
}
