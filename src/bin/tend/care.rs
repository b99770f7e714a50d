//! `tend care`: care plans, enrolments and the tasks they make.

use super::*;

#[derive(Subcommand)]
pub(super) enum CareCommand {
    /// Care plans
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Enrol a customer, or a segment's members now, in a plan: its steps become care tasks.
    /// Enrolling again for the same anchor does nothing.
    Enroll {
        #[arg(long)]
        plan: String,
        #[arg(long, conflicts_with = "segment", required_unless_present = "segment")]
        customer: Option<String>,
        #[arg(long)]
        segment: Option<String>,
        /// The anchor's local date (2026-12-10 or 10/12/2026), when it is not in Tend (a purchase
        /// made elsewhere)
        #[arg(long)]
        anchor_date: Option<String>,
    },
    /// Care tasks, by due time, a page at a time: when more exist, the last line (or `next` in
    /// --json) gives the --after value that continues
    Tasks {
        #[arg(long)]
        assignee: Option<String>,
        #[arg(long)]
        customer: Option<String>,
        /// Only those due before this instant: RFC 3339 (2026-12-10T09:00:00+07:00), or a local
        /// date in the workspace's time zone (2026-12-10, 10/12/2026: before that day starts)
        #[arg(long)]
        due_before: Option<String>,
        /// Only scheduled, snoozed or rescheduled ones
        #[arg(long)]
        open: bool,
        /// At most this many (1 to 10000)
        #[arg(long, default_value_t = 200)]
        limit: i64,
        /// Continue after this cursor (the `next` of the page before)
        #[arg(long)]
        after: Option<String>,
    },
    /// Complete a task; the outcome is logged as an interaction on the customer's timeline
    Done {
        id: String,
        #[arg(long)]
        outcome: String,
    },
    /// Skip a task, saying why
    Skip {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Remind of a task again later; it stays due when it was
    Snooze {
        id: String,
        /// RFC 3339 (2026-12-10T14:30:00+07:00), or a local date in the workspace's time zone
        /// (2026-12-10, 10/12/2026: at 09:00 that day) with or without a time (2026-12-10 14:30)
        #[arg(long)]
        until: String,
    },
    /// Move a task to be due at another time
    Reschedule {
        id: String,
        /// RFC 3339 (2026-12-10T14:30:00+07:00), or a local date in the workspace's time zone
        /// (2026-12-10, 10/12/2026: at 09:00 that day) with or without a time (2026-12-10 14:30)
        #[arg(long)]
        due: String,
    },
}

#[derive(Subcommand)]
pub(super) enum PlanCommand {
    /// Add a care plan from a TOML file (or - for standard input): name, anchor (enrolment,
    /// purchase, deal_stage:<stage>, birthday, custom.<key>) and [[step]]s with offset_days or
    /// offset_hours, at ("09:00"), channel (call, email, sms, zalo, visit, other), assignee
    /// ("owner", "staff:<id>" or { round_robin = ["<id>", ...] }) and template ({{customer.name}}...)
    Create {
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// The workspace's care plans
    List {},
    /// Replace a plan's name, anchor and steps from a TOML file (tasks already made stay)
    Update {
        id: String,
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Remove a plan: its enrolments end and their open tasks are skipped
    Remove { id: String },
    /// The preset plans (post-sale, birthday, pre-sale nurture) in the workspace's language;
    /// `--add` saves them
    Presets {
        #[arg(long)]
        add: bool,
    },
}

pub(super) async fn run(ws: &Workspace, command: CareCommand) -> Result<(), Error> {
    match command {
        CareCommand::Plan { command } => match command {
            PlanCommand::Create { file } => {
                let plan = tend::care::CarePlan::from_toml(&read_text(&file, "file", "care.plan_unreadable_file")?)?;
                let p = ws.create_care_plan(&plan).await?;
                print(&p, || plan_text(&p))?;
            }
            PlanCommand::List {} => {
                let plans = ws.care_plans().await?;
                print(&plans, || plans.iter().map(plan_text).collect::<Vec<_>>().join("\n\n"))?;
            }
            PlanCommand::Update { id, file } => {
                let plan = tend::care::CarePlan::from_toml(&read_text(&file, "file", "care.plan_unreadable_file")?)?;
                let p = ws.update_care_plan(&id, &plan).await?;
                print(&p, || plan_text(&p))?;
            }
            PlanCommand::Remove { id } => {
                ws.remove_care_plan(&id).await?;
                print(&serde_json::json!({ "removed": id }), || format!("removed {id}"))?;
            }
            PlanCommand::Presets { add } => {
                let lang = ws.info().await?.language.unwrap_or_else(|| "vi".into());
                let presets = tend::care::presets::presets(&lang);
                if add {
                    let mut added = Vec::new();
                    for p in &presets {
                        added.push(ws.create_care_plan(&tend::care::CarePlan::from_input(p)?).await?);
                    }
                    print(&added, || added.iter().map(plan_text).collect::<Vec<_>>().join("\n\n"))?;
                } else {
                    print(&presets, || presets.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join("\n"))?;
                }
            }
        },
        CareCommand::Enroll { plan, customer, segment, anchor_date } => {
            // a local date as the forms take one (2026-12-10, 10/12/2026); its range is the core's
            let date = match anchor_date {
                None => None,
                Some(d) => match tend::validate::typed_date(&d, ws.today().await?) {
                    Ok(Some(date)) => Some(date),
                    _ => {
                        return Err(Error::Validation(vec![tend::FieldError::new(
                            "anchor_date",
                            "validation.date_invalid",
                        )
                        .with("value", &d)]))
                    }
                },
            };
            let report = match (customer, segment) {
                (Some(c), _) => ws.enrol_customers(&plan, &[c], date).await?,
                (None, Some(s)) => ws.enrol_segment(&plan, &s, date).await?,
                (None, None) => unreachable!("clap requires one"),
            };
            print(&report, || {
                let mut out = format!(
                    "enrolled {}, already enrolled {}, tasks made {}",
                    report.enrolled, report.already, report.tasks
                );
                for n in &report.not_enrolled {
                    out.push_str(&format!("\nnot enrolled: {} ({}): {}", n.customer_name, n.customer_id, n.reason));
                }
                out
            })?;
        }
        CareCommand::Tasks { assignee, customer, due_before, open, limit, after } => {
            let max = tend::care::tasks::MAX_TASKS;
            if !(1..=max).contains(&limit) {
                return Err(Error::Validation(vec![tend::FieldError::new("limit", "validation.out_of_range")
                    .with("value", limit.to_string())
                    .with("min", "1")
                    .with("max", max.to_string())]));
            }
            let due_before = match due_before {
                Some(t) => Some(when(ws, "due_before", &t, None).await?),
                None => None,
            };
            let filter = tend::care::TaskFilter {
                assignee_id: assignee,
                customer_id: customer,
                due_before,
                open_only: open,
                limit: Some(limit),
                after,
                ..Default::default()
            };
            let page = ws.care_tasks_page(&filter).await?;
            let rows: Vec<serde_json::Value> = page.tasks.iter().map(task_json).collect();
            print(&serde_json::json!({ "tasks": rows, "next": page.next }), || {
                let mut lines: Vec<String> = page.tasks.iter().map(task_text).collect();
                if let Some(next) = &page.next {
                    lines.push(format!("(more tasks: continue with --after {next})"));
                }
                lines.join("\n")
            })?;
        }
        CareCommand::Done { id, outcome } => {
            let t = ws.complete_care_tasks(&[id], &outcome).await?;
            print(&task_json(&t[0]), || task_text(&t[0]))?;
        }
        CareCommand::Skip { id, reason } => {
            let t = ws.skip_care_tasks(&[id], &reason).await?;
            print(&task_json(&t[0]), || task_text(&t[0]))?;
        }
        CareCommand::Snooze { id, until } => {
            let t = ws.snooze_care_task(&id, when(ws, "until", &until, Some(NINE)).await?).await?;
            print(&task_json(&t), || task_text(&t))?;
        }
        CareCommand::Reschedule { id, due } => {
            let t = ws.reschedule_care_tasks(&[id], when(ws, "due", &due, Some(NINE)).await?).await?;
            print(&task_json(&t[0]), || task_text(&t[0]))?;
        }
    }
    Ok(())
}

/// The time of day a date given alone stands for when a task is due or reminded (a step's default).
pub(super) const NINE: jiff::civil::Time = jiff::civil::time(9, 0, 0, 0);

/// An instant given as RFC 3339 or as a local date (and time) in the workspace's zone, a date
/// alone at `at` (else its start): `schedule::parse_when`. Anything else, or a day outside the
/// years care work takes, is invalid input naming the option.
pub(super) async fn when(ws: &Workspace, field: &str, t: &str, at: Option<jiff::civil::Time>) -> Result<i64, Error> {
    tend::schedule::parse_when(field, t, &ws.zone().await?, ws.today().await?, at)
}

pub(super) fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

/// A task as `care tasks --json` prints it: instants as UTC RFC 3339.
pub(super) fn task_json(t: &tend::care::CareTask) -> serde_json::Value {
    serde_json::json!({
        "id": t.id,
        "customer_id": t.customer_id,
        "customer_name": t.customer_name,
        "plan_id": t.plan_id,
        "step": t.step,
        "name": t.name,
        "channel": t.channel.as_str(),
        "message": t.message,
        "due_at": rfc3339(t.due_at),
        "remind_at": t.remind_at.map(rfc3339),
        "assignee_id": t.assignee_id,
        "state": t.state.as_str(),
        "outcome": t.outcome,
        "interaction_id": t.interaction_id,
    })
}

pub(super) fn task_text(t: &tend::care::CareTask) -> String {
    format!("{}  {}  {} — {} [{}]", t.id, rfc3339(t.due_at), t.name, t.customer_name, t.state.as_str())
}

/// A care plan as the CLI prints it: its name and anchor, then a line per step.
pub(super) fn plan_text(p: &tend::care::StoredPlan) -> String {
    let mut lines = vec![format!("{}  {} (from {})", p.id, p.name, p.anchor.as_text())];
    for (i, s) in p.steps.iter().enumerate() {
        let when = match s.offset {
            tend::care::Offset::Days(n) => format!("day {n:+} at {}", s.at),
            tend::care::Offset::Hours(n) => format!("{n:+} h"),
        };
        lines.push(format!("  {}. {}: {when}, {}", i + 1, s.name, s.channel.as_str()));
    }
    lines.join("\n")
}
