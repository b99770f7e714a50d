//! `tend report`: the owners' KPIs of a period (docs/kpis.md), and their export.

use super::{print, Error};
use clap::{Args, Subcommand, ValueEnum};
use tend::reports::{Report, ReportQuery, TimeBasis};
use tend::Workspace;

#[derive(Subcommand)]
pub(super) enum ReportCommand {
    /// Every KPI of a period beside the period before it (docs/kpis.md defines each).
    Kpis {
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// A period's report as an XLSX workbook (a sheet per section) or CSV (by the file's name).
    Export {
        #[command(flatten)]
        period: PeriodArgs,
        /// The file to write: `.xlsx` or `.csv`.
        path: std::path::PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum Time {
    Business,
    Calendar,
}

#[derive(Args)]
pub(super) struct PeriodArgs {
    /// The first day, a local date (YYYY-MM-DD).
    #[arg(long)]
    from: String,
    /// The last day, included.
    #[arg(long)]
    to: String,
    /// A team's id or name.
    #[arg(long)]
    team: Option<String>,
    /// A member of staff: id, email or name.
    #[arg(long)]
    staff: Option<String>,
    /// phone, email, website, live_chat, facebook, zalo, in_person, other
    #[arg(long)]
    channel: Option<String>,
    #[arg(long)]
    category: Option<String>,
    /// A segment's id or name.
    #[arg(long)]
    segment: Option<String>,
    /// Durations in the team's working time (default) or in calendar time.
    #[arg(long, value_enum, default_value_t = Time::Business)]
    time: Time,
}

/// The filters as the core takes them: names resolved to ids, each refused by name when unknown.
async fn query(ws: &Workspace, p: PeriodArgs) -> Result<ReportQuery, Error> {
    let team_id = match &p.team {
        Some(t) => Some(ws.team(t).await?.id),
        None => None,
    };
    let staff_id = match &p.staff {
        Some(s) => {
            let key = tend::fold::fold(s.trim());
            let all = ws.staff().await?;
            let found = all.iter().find(|m| {
                m.id == s.trim()
                    || m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(s.trim()))
                    || tend::fold::fold(&m.name) == key
            });
            Some(found.ok_or_else(|| tend::Error::invalid("staff", "validation.unknown_staff"))?.id.clone())
        }
        None => None,
    };
    let segment_id = match &p.segment {
        Some(s) => {
            let key = tend::fold::fold(s.trim());
            let all = ws.segments().await?;
            let found = all.iter().find(|g| g.id == s.trim() || tend::fold::fold(&g.name) == key);
            Some(found.ok_or_else(|| tend::Error::not_found("segment", s.trim()))?.id.clone())
        }
        None => None,
    };
    if let Some(c) = &p.channel {
        if tend::tickets::TicketChannel::parse(c.trim()).is_none() {
            return Err(tend::Error::invalid("channel", "ticket.channel_unknown"));
        }
    }
    Ok(ReportQuery {
        from: p.from,
        to: p.to,
        team_id,
        staff_id,
        channel: p.channel.map(|c| c.trim().to_string()),
        category: p.category,
        segment_id,
        time: match p.time {
            Time::Business => TimeBasis::Business,
            Time::Calendar => TimeBasis::Calendar,
        },
    })
}

fn or_none(v: Option<f64>, unit: &str) -> String {
    v.map(|x| format!("{x}{unit}")).unwrap_or_else(|| "no data".into())
}

fn text(r: &Report) -> String {
    let (k, p) = (&r.current, &r.previous);
    let h = &k.helpdesk;
    let d = |x: &tend::reports::Durations| {
        format!(
            "mean {}, median {}, p90 {} ({})",
            or_none(x.mean, " min"),
            or_none(x.median, " min"),
            or_none(x.p90, " min"),
            x.count
        )
    };
    let mut lines = vec![
        format!("{} .. {} (before: {} .. {})", k.period.from, k.period.to, p.period.from, p.period.to),
        format!(
            "tickets {} (before {}), solved {} (before {})",
            h.tickets, p.helpdesk.tickets, h.solved, p.helpdesk.solved
        ),
        format!("first response: {}", d(&h.first_response_minutes)),
        format!("resolution: {}", d(&h.resolution_minutes)),
        format!("handling: {}", d(&h.handling_minutes)),
        format!(
            "CSAT {} of {} rated; NPS {} of {}; CES {} of {}",
            or_none(h.csat.percent, "%"),
            h.csat.rated,
            or_none(h.nps.score, ""),
            h.nps.answers,
            or_none(h.ces.mean, ""),
            h.ces.answers
        ),
        format!("FCR {}; re-contact {}", or_none(h.fcr_percent, "%"), or_none(h.recontact_percent, "%")),
    ];
    for s in &h.sla {
        lines.push(format!("SLA {}: {} ({} met, {} breached)", s.target, or_none(s.percent, "%"), s.met, s.breached));
    }
    let by: Vec<String> = h.volume_by_channel.iter().map(|(c, n)| format!("{c} {n}")).collect();
    lines.push(format!("by channel: {}", if by.is_empty() { "-".into() } else { by.join(", ") }));
    lines.push(format!(
        "care: {} due, done {}, on time {}; deals won {}, lost {}, win rate {}",
        k.care.due,
        or_none(k.care.done.percent, "%"),
        or_none(k.care.on_time.percent, "%"),
        k.sales.won,
        k.sales.lost,
        or_none(k.sales.win_rate, "%")
    ));
    lines.join("\n")
}

pub(super) async fn run(ws: &Workspace, command: ReportCommand) -> Result<(), Error> {
    match command {
        ReportCommand::Kpis { period } => {
            let q = query(ws, period).await?;
            let r = ws.report(&q).await?;
            // the period's KPIs at the top, the one before beside them
            let mut value = serde_json::to_value(&r.current)?;
            value["previous"] = serde_json::to_value(&r.previous)?;
            value["query"] = serde_json::to_value(&r.query)?;
            print(&value, || text(&r))?;
        }
        ReportCommand::Export { period, path } => {
            let q = query(ws, period).await?;
            let written = ws.export_report(&q, &path).await?;
            let value = serde_json::json!({ "path": path.display().to_string(), "rows": written });
            print(&value, || format!("report written to {} ({written} rows)", path.display()))?;
        }
    }
    Ok(())
}
