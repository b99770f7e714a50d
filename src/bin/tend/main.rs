//! `tend`: the command line over the same core as the desktop app.
//! `--json` prints machine-readable output; invalid input exits with code 2 and changes nothing.

mod care;
mod changes;
mod customer;
mod deal;
mod interaction;
mod io;
mod report;
mod segment;
mod settings;
mod sync;
mod ticket;

use care::CareCommand;
use changes::ChangesCommand;
use clap::{Parser, Subcommand, ValueEnum};
use customer::CustomerCommand;
use deal::DealCommand;
use interaction::InteractionCommand;
use io::{ExportCommand, ImportCommand};
use report::ReportCommand;
use segment::SegmentCommand;
use serde::Serialize;
use settings::{SettingsCommand, StaffCommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tend::customers::{CustomerInput, CustomerKind, Email, Phone};
use tend::{Error, ErrorPayload, Workspace};
use ticket::{CalendarCommand, CannedCommand, RuleCommand, SurveyCommand, TeamCommand, TicketCommand};

#[derive(Parser)]
#[command(name = "tend", version, about = "Tend: local-first CRM and helpdesk")]
struct Cli {
    /// Workspace file (default: the desktop app's workspace, or $TEND_DB).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Machine-readable output (JSON), for any command.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a realistic Vietnamese demo workspace (its customers deterministic for a seed),
    /// with care plans, the last weeks' care tasks and this device's user chosen (the first
    /// staff member), so the app opens on someone's work for today.
    Demo {
        #[arg(long, default_value_t = 1000)]
        customers: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Customers.
    Customer {
        #[command(subcommand)]
        command: CustomerCommand,
    },
    /// Every change of a record: who, when, which field, from what to what.
    History { id: String },
    /// The change log as sync reads it: show one transaction, or apply one written elsewhere.
    Changes {
        #[command(subcommand)]
        command: ChangesCommand,
    },
    /// Share this workspace through a tend-server, or join a shared one; sync now.
    Sync {
        #[command(subcommand)]
        command: sync::SyncCommand,
    },
    /// Take a backup of the workspace to PATH (while it is in use).
    Backup {
        path: PathBuf,
        /// Replace PATH even when it is not a Tend workspace or backup.
        #[arg(long)]
        force: bool,
    },
    /// The automatic backups of the workspace, newest first.
    Backups {},
    /// Put BACKUP in place of the workspace (the replaced file is kept beside it).
    Restore { backup: PathBuf },
    /// Check the workspace's integrity (exit code 1 when damaged).
    Check {
        /// Also compare every index entry with its row (slower).
        #[arg(long)]
        full: bool,
    },
    /// Likely duplicate customers: same phone, email or tax code, or same name in the same province.
    Duplicates {
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Merge the second customer into the first (the first keeps its values where both differ,
    /// unless --take names the field; everything else of both is kept).
    Merge {
        survivor: String,
        other: String,
        /// Fields to take from the second customer: province,birthday,custom.<key>,...
        #[arg(long, value_delimiter = ',')]
        take: Vec<String>,
    },
    /// Undo a merge by its id.
    Unmerge { merge_id: String },
    /// Export customers.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Import from files, or undo an import.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Segments: saved customer lists, by rules (dynamic) or by hand (static).
    Segment {
        #[command(subcommand)]
        command: SegmentCommand,
    },
    /// The workspace's settings.
    Settings {
        #[command(subcommand)]
        command: SettingsCommand,
    },
    /// Staff: who works in the workspace.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Care plans: steps that keep in touch with customers before and after a sale.
    Care {
        #[command(subcommand)]
        command: CareCommand,
    },
    /// Deals: the pre-sale pipeline.
    Deal {
        #[command(subcommand)]
        command: DealCommand,
    },
    /// Helpdesk teams: members, stages, business hours, SLA policies.
    Team {
        #[command(subcommand)]
        command: TeamCommand,
    },
    /// Business calendars: Vietnam's public holidays.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Helpdesk tickets: requests from customers, their thread, stages and SLA.
    Ticket {
        #[command(subcommand)]
        command: TicketCommand,
    },
    /// Canned responses for ticket replies.
    Canned {
        #[command(subcommand)]
        command: CannedCommand,
    },
    /// Automatic rules run on every new ticket, in order (route, prioritise, tag, suggest a reply).
    Rule {
        #[command(subcommand)]
        command: RuleCommand,
    },
    /// Reports for owners: every KPI of a period (docs/kpis.md), and its export.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Satisfaction surveys: answers about tickets.
    Survey {
        #[command(subcommand)]
        command: SurveyCommand,
    },
    /// Interactions on a customer's timeline.
    Interaction {
        #[command(subcommand)]
        command: InteractionCommand,
    },
    /// Search customers by name, contact, phone (any form or fragment), email, tax code, notes.
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

/// Which customers an export takes (all when nothing is given).
#[derive(clap::Args)]
struct Which {
    /// Only those a search finds.
    #[arg(long)]
    query: Option<String>,
    #[arg(long)]
    stage: Option<String>,
    #[arg(long)]
    tag: Option<String>,
    #[arg(long)]
    province: Option<String>,
    /// Only those this staff member owns (staff id).
    #[arg(long)]
    owner: Option<String>,
    /// Only the members of this segment or static list (segment id).
    #[arg(long)]
    segment: Option<String>,
}

impl Which {
    fn filter(self) -> tend::search::CustomerFilter {
        let Which { query, stage, tag, province, owner, segment } = self;
        tend::search::CustomerFilter {
            query,
            stage_id: stage,
            tag,
            province,
            owner_id: owner,
            segment_id: segment,
            ..Default::default()
        }
    }
    fn is_empty(&self) -> bool {
        [&self.query, &self.stage, &self.tag, &self.province, &self.owner, &self.segment].iter().all(|v| v.is_none())
    }
}

/// What `customer bulk` does (exactly one).
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
struct BulkWhat {
    #[arg(long, value_name = "TAG")]
    add_tag: Option<String>,
    #[arg(long, value_name = "TAG")]
    remove_tag: Option<String>,
    /// Give them this owner (staff id).
    #[arg(long, value_name = "STAFF")]
    set_owner: Option<String>,
    /// Leave them without an owner.
    #[arg(long)]
    clear_owner: bool,
    #[arg(long, value_name = "STAGE")]
    set_stage: Option<String>,
    /// Add them to a static list (segment id).
    #[arg(long, value_name = "LIST")]
    add_to_list: Option<String>,
    #[arg(long, value_name = "LIST")]
    remove_from_list: Option<String>,
    /// Enrol them in a care plan (plan id).
    #[arg(long, value_name = "PLAN")]
    enrol: Option<String>,
}

impl BulkWhat {
    fn action(self) -> tend::customers::bulk::BulkAction {
        use tend::customers::bulk::BulkAction as A;
        let BulkWhat { add_tag, remove_tag, set_owner, clear_owner, set_stage, add_to_list, remove_from_list, enrol } =
            self;
        if let Some(tag) = add_tag {
            A::AddTag { tag }
        } else if let Some(tag) = remove_tag {
            A::RemoveTag { tag }
        } else if let Some(o) = set_owner {
            A::SetOwner { owner_id: Some(o) }
        } else if clear_owner {
            A::SetOwner { owner_id: None }
        } else if let Some(stage_id) = set_stage {
            A::SetStage { stage_id }
        } else if let Some(segment_id) = add_to_list {
            A::AddToList { segment_id }
        } else if let Some(segment_id) = remove_from_list {
            A::RemoveFromList { segment_id }
        } else {
            A::Enrol { plan_id: enrol.unwrap_or_default() }
        }
    }
}

/// Prints `value` as JSON with `--json`, else the text people read.
fn print<T: Serialize>(value: &T, text: impl FnOnce() -> String) -> Result<(), Error> {
    let out = if json() { serde_json::to_string_pretty(value)? } else { text() };
    say(&out, false)
}

/// Writes a line to standard output (or standard error). A reader that stopped reading (`tend
/// ... | head`) ends the output quietly: what was asked is done, nobody is left to tell.
fn say(line: &str, to_stderr: bool) -> Result<(), Error> {
    use std::io::Write;
    let written = if to_stderr {
        writeln!(std::io::stderr().lock(), "{line}")
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}").and_then(|_| out.flush())
    };
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Where an export goes: a file, or standard output for `-` (written to a temporary file of
/// the same format first, so the core writes every export one way, then copied out whole).
struct Dest {
    path: PathBuf,
    stdout: Option<tempfile::TempDir>,
}

impl Dest {
    fn of(given: &std::path::Path, ext: &str) -> Result<Dest, Error> {
        if given.as_os_str() != "-" {
            return Ok(Dest { path: given.to_path_buf(), stdout: None });
        }
        let dir = tempfile::tempdir()?;
        Ok(Dest { path: dir.path().join(format!("export.{ext}")), stdout: Some(dir) })
    }

    /// Copies a standard-output export out; the summary then goes to standard error.
    fn finish(&self, summary: &impl Serialize, text: impl FnOnce() -> String) -> Result<(), Error> {
        if self.stdout.is_none() {
            return print(summary, text);
        }
        let mut file = std::fs::File::open(&self.path)?;
        match std::io::copy(&mut file, &mut std::io::stdout().lock()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        };
        let line = if json() { serde_json::to_string_pretty(summary)? } else { text() };
        say(&line, true)
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let path = cli.db.clone().unwrap_or_else(tend::default_workspace_path);
    // These work on the file itself: a damaged workspace cannot (and must not) be opened.
    match &cli.command {
        Command::Restore { backup } => {
            let now = jiff::Timestamp::now().as_millisecond();
            let kept = tend::backup::restore(backup, &path, now)?;
            let value = serde_json::json!({ "restored": path.display().to_string(), "replaced_kept_as": kept.as_ref().map(|k| k.display().to_string()) });
            return print(&value, || match &kept {
                Some(k) => format!(
                    "restored {} from {}; the replaced file is kept as {}",
                    path.display(),
                    backup.display(),
                    k.display()
                ),
                None => format!("restored {} from {}", path.display(), backup.display()),
            });
        }
        Command::Check { full } => {
            let r = tend::integrity::check_file(&path, *full)?;
            // A full check that passes lifts an earlier damage mark; damage found leaves one.
            let mark = tend::integrity::damage_mark(&path);
            let cleared = r.ok && *full && tend::integrity::clear_mark(&path)?;
            if !r.ok {
                tend::integrity::mark(&path, &r.problems.join("; "));
            }
            print(&r, || {
                if r.ok && mark.is_some() && !cleared {
                    format!(
                        "ok ({} check of {} in {} ms), but the workspace is marked damaged ({}): run check --full to lift the mark",
                        r.depth,
                        path.display(),
                        r.millis,
                        mark.clone().unwrap_or_default()
                    )
                } else if r.ok {
                    let lifted = if cleared { "; the earlier damage mark is lifted" } else { "" };
                    format!("ok ({} check of {} in {} ms){lifted}", r.depth, path.display(), r.millis)
                } else {
                    format!("DAMAGED: {}", r.problems.join("\n  "))
                }
            })?;
            return match (r.ok, mark) {
                (true, Some(m)) if !cleared => Err(Error::Damaged { detail: m }),
                (true, _) => Ok(()),
                (false, _) => Err(Error::Damaged { detail: r.problems.join("; ") }),
            };
        }
        Command::Backups {} => {
            let list = tend::backup::list_backups(&path)?;
            return print(&list, || {
                list.iter()
                    .map(|b| format!("{}  {} bytes  {}", b.path, b.size, b.reason.as_str()))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        _ => {}
    }
    let mut ws = Workspace::open(&path).await?;
    if let Ok(info) = ws.info().await {
        let _ = LANG.set(
            info.language
                .as_deref()
                .map(tend::messages::Lang::from_code)
                .unwrap_or_else(tend::messages::Lang::from_env),
        );
    }
    // A write that waits for an import (or other long write) says so once.
    let told = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    ws.set_wait_hook(std::sync::Arc::new(move |n: &tend::writers::WaitNotice| {
        if n.waiting && !told.swap(true, std::sync::atomic::Ordering::Relaxed) {
            eprintln!("tend: {}", waiting_message(n));
        }
    }));
    // The first write of a command checks a big workspace first unless a check passed today.
    let shown = path.display().to_string();
    ws.check_before_writing(std::sync::Arc::new(move || {
        eprintln!(
            "checking {shown} for damage before writing to it (a file this big is checked once a day; \
             about half a minute per million customers)..."
        )
    }));
    let res = dispatch(&mut ws, &path, cli.command).await;
    let res = res.map_err(|e| ws.note(e));
    ws.close().await;
    res
}

fn waiting_message(n: &tend::writers::WaitNotice) -> String {
    let what = match n.behind {
        tend::writers::LongWrite::Import => "an import",
        tend::writers::LongWrite::Demo => "demo data generation",
        tend::writers::LongWrite::Archive => "a workspace archive import",
    };
    let place = if n.elsewhere { " in another window or command" } else { "" };
    format!("{what} is running on this workspace{place}; waiting for it to finish (this change is saved after it)")
}

async fn dispatch(ws: &mut Workspace, path: &std::path::Path, command: Command) -> Result<(), Error> {
    match command {
        Command::Restore { .. } | Command::Check { .. } | Command::Backups { .. } => {}
        Command::Backup { path: dest, force } => {
            let size = ws.backup_to(&dest, force).await?;
            let value = serde_json::json!({ "path": dest.display().to_string(), "size": size });
            print(&value, || format!("backup of {} written to {} ({size} bytes)", path.display(), dest.display()))?;
        }
        Command::Demo { customers, seed } => {
            let started = std::time::Instant::now();
            let s = ws.generate_demo(customers, seed).await?;
            // the first screen's work: care plans and tasks, and who uses this device
            let care = ws.demo_care(seed).await?;
            let secs = started.elapsed().as_secs_f64();
            let mut value = serde_json::to_value(&s)?;
            value["care_tasks"] = care.care_tasks.into();
            value["tickets"] = care.tickets.into();
            value["current_staff"] = care.current_staff.clone().into();
            print(&value, || {
                format!(
                    "{} customers ({} companies, {} contacts), {} interactions, {} deals, {} staff, {} care tasks, {} tickets in {:.1} s -> {}",
                    s.customers,
                    s.companies,
                    s.contacts,
                    s.interactions,
                    s.deals,
                    s.staff,
                    care.care_tasks,
                    care.tickets,
                    secs,
                    path.display()
                )
            })?;
        }
        Command::Customer { command } => customer::run(ws, command).await?,
        Command::Changes { command } => changes::run(ws, command).await?,
        Command::Sync { command } => sync::run(ws, command).await?,
        Command::History { id } => {
            let h = ws.history(&id).await?;
            print(&h, || {
                h.iter()
                    .map(|e| {
                        let at = jiff::Timestamp::from_millisecond(e.at_ms).map(|t| t.to_string()).unwrap_or_default();
                        format!(
                            "{at}  {}  {}.{}: {} -> {}",
                            e.actor_name.as_deref().unwrap_or("-"),
                            e.change.table,
                            e.change.column,
                            e.change.previous.as_deref().unwrap_or("∅"),
                            e.change.value.as_deref().unwrap_or("∅")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        Command::Duplicates { limit } => {
            let pairs = ws.duplicate_pairs(limit).await?;
            print(&pairs, || {
                pairs
                    .iter()
                    .map(|p| {
                        let why: Vec<String> = p.reasons.iter().map(|r| format!("{} {}", r.reason, r.value)).collect();
                        format!("{} {}  <->  {} {}  ({})", p.a.id, p.a.name, p.b.id, p.b.name, why.join(", "))
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        Command::Merge { survivor, other, take } => {
            let r = ws.merge_customers(&survivor, &other, &take).await?;
            print(&r, || {
                format!(
                    "merged into {} {} (merge {}; {} contacts and interactions moved)",
                    r.customer.id, r.customer.name, r.merge_id, r.moved
                )
            })?;
        }
        Command::Unmerge { merge_id } => {
            let kept = ws.undo_merge(&merge_id).await?;
            let value = serde_json::json!({ "merge_id": merge_id, "kept": kept });
            print(&value, || format!("merge {merge_id} undone"))?;
        }
        Command::Segment { command } => segment::run(ws, command).await?,
        Command::Care { command } => care::run(ws, command).await?,
        Command::Deal { command } => deal::run(ws, command).await?,
        Command::Search { query, limit } => {
            let hits = ws.search(&query, limit).await?;
            print(&hits, || {
                hits.iter()
                    .map(|h| format!("{}  {}  {}", h.id, h.name, h.phones.join(", ")))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        Command::Import { command } => io::import(ws, command).await?,
        Command::Export { command } => io::export(ws, command).await?,
        Command::Settings { command } => settings::run(ws, command).await?,
        Command::Staff { command } => settings::staff(ws, command).await?,
        Command::Interaction { command } => interaction::run(ws, command).await?,
        Command::Team { command } => ticket::team(ws, command).await?,
        Command::Calendar { command } => ticket::calendar(ws, command).await?,
        Command::Ticket { command } => ticket::ticket(ws, command).await?,
        Command::Survey { command } => ticket::survey(ws, command).await?,
        Command::Report { command } => report::run(ws, command).await?,
        Command::Canned { command } => ticket::canned(ws, command).await?,
        Command::Rule { command } => ticket::rule(ws, command).await?,
    }
    Ok(())
}

/// Reads a text file (or standard input for `-`); one that cannot be read is invalid input
/// naming `field` and the path.
fn read_text(path: &std::path::Path, field: &str, key: &str) -> Result<String, Error> {
    let read = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map(|_| s)
    } else {
        std::fs::read_to_string(path)
    };
    read.map_err(|e| {
        Error::Validation(vec![tend::FieldError::new(field, key)
            .with("value", path.display().to_string())
            .with("detail", e.to_string())])
    })
}

/// The language of the CLI's messages: the workspace's, once it is open.
static LANG: std::sync::OnceLock<tend::messages::Lang> = std::sync::OnceLock::new();

/// Whether `--json` was given (a global flag: anywhere on the line).
static JSON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

fn json() -> bool {
    JSON.get().copied().unwrap_or(false)
}

/// The language of the CLI's messages now.
fn lang() -> tend::messages::Lang {
    LANG.get().copied().unwrap_or_else(tend::messages::Lang::from_env)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let _ = JSON.set(json);
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tend: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = match e {
                Error::Validation(_)
                | Error::NotFound { .. }
                | Error::RecentContact { .. }
                | Error::DateAhead { .. } => 2,
                _ => 1,
            };
            if json {
                let payload = ErrorPayload::from(&e);
                let _ = say(
                    &serde_json::to_string_pretty(&serde_json::json!({ "error": payload })).unwrap_or_default(),
                    false,
                );
            }
            // a sentence in the workspace's language (the environment's before one is open)
            let _ = say(&format!("tend: {}", tend::messages::error_text(lang(), &e)), true);
            ExitCode::from(code)
        }
    }
}
