//! `tend`: the command line over the same core as the desktop app.
//! `--json` prints machine-readable output; invalid input exits with code 2 and changes nothing.

mod care;
mod changes;
mod customer;
mod deal;
mod segment;

use care::CareCommand;
use changes::ChangesCommand;
use clap::{Parser, Subcommand, ValueEnum};
use customer::CustomerCommand;
use deal::DealCommand;
use segment::SegmentCommand;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use tend::customers::{CustomerInput, CustomerKind, Email, Phone};
use tend::{Error, ErrorPayload, Workspace};

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

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a staff member; prints it with its id
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long, value_parser = ["owner", "manager", "agent"], default_value = "agent")]
        role: String,
    },
    /// The workspace's staff
    List {},
}

#[derive(Clone, Copy, ValueEnum)]
enum IKind {
    Call,
    Email,
    Meeting,
    Chat,
    Note,
    Purchase,
}

#[derive(Clone, Copy, ValueEnum)]
enum IDirection {
    Inbound,
    Outbound,
    Internal,
}

#[derive(Subcommand)]
enum InteractionCommand {
    /// Log an interaction; prints it with its id.
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long, value_enum)]
        kind: IKind,
        /// What happened (default: the kind's name).
        #[arg(long)]
        summary: Option<String>,
        /// Default outbound for calls, emails, meetings and chats; inbound for purchases.
        #[arg(long, value_enum)]
        direction: Option<IDirection>,
        /// For a purchase: the total in minor units of the currency.
        #[arg(long)]
        amount: Option<i64>,
        #[arg(long)]
        currency: Option<String>,
        /// When it happened, RFC 3339 (2026-12-04T09:30:00+07:00); default now.
        #[arg(long)]
        at: Option<String>,
        /// Log it even when asked to confirm: a contact with a customer contacted within the
        /// quiet interval, or one dated more than a day ahead.
        #[arg(long, visible_alias = "confirm")]
        confirm_recent: bool,
    },
}

#[derive(Subcommand)]
enum SettingsCommand {
    /// Set one setting: time_zone (an IANA zone such as Asia/Ho_Chi_Minh), language (vi, en),
    /// quiet_interval_days (0 to 90: a contact within it asks for confirmation; 0 never asks),
    /// current_staff (who uses Tend on this device: a staff id, empty for nobody) or quiet_hours
    /// (the current user's, 21:00-07:30; empty for none).
    Set { key: String, value: String },
    /// The workspace's settings.
    Show {},
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The whole workspace (every table, change history included) to one archive.
    Workspace { path: PathBuf },
    /// Customers (all, or those a filter or search finds) to CSV, XLSX or vCard 3.0.
    Customers {
        path: PathBuf,
        /// From the file name when not given.
        #[arg(long, value_parser = ["csv", "xlsx", "vcf"])]
        format: Option<String>,
        #[command(flatten)]
        which: Which,
    },
    /// Open care tasks (all, or one staff member's) as an iCalendar file calendar apps import
    CareTasks {
        path: PathBuf,
        #[arg(long)]
        assignee: Option<String>,
    },
    /// Interactions and purchases (of all customers, or those a filter or search finds) to CSV
    /// or XLSX, in the columns `import interactions` reads.
    Interactions {
        path: PathBuf,
        /// From the file name when not given.
        #[arg(long, value_parser = ["csv", "xlsx"])]
        format: Option<String>,
        #[command(flatten)]
        which: Which,
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

/// The export format given, else the file name's (CSV when it says nothing known).
fn export_format(given: Option<&str>, dest: &std::path::Path) -> tend::export::ExportFormat {
    let ext = dest.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match given.or(ext.as_deref()) {
        Some("xlsx") => tend::export::ExportFormat::Xlsx,
        Some("vcf") | Some("vcard") => tend::export::ExportFormat::Vcf,
        _ => tend::export::ExportFormat::Csv,
    }
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Fill an empty workspace from an archive made by `export workspace`.
    Workspace { path: PathBuf },
    /// Import customers from CSV/text, XLSX, XLS, ODS or vCard, in one transaction.
    Customers {
        #[command(flatten)]
        file: FileImport,
        #[arg(long, value_parser = ["skip", "merge", "create"], default_value = "skip")]
        on_duplicate: String,
        /// Put the file's customers (created, merged or already there) on this static list.
        #[arg(long, value_name = "LIST")]
        list: Option<String>,
    },
    /// Import interactions and purchases of customers already in the workspace (found by the
    /// phone, email or customer code in each row), in one transaction.
    Interactions {
        #[command(flatten)]
        file: FileImport,
        /// A row equal to an entry the customer already has (time, kind, summary, amount).
        #[arg(long, value_parser = ["skip", "create"], default_value = "skip")]
        on_duplicate: String,
    },
    /// Undo an import (the latest one when no id is given); the customers it made go to the trash.
    Undo { id: Option<String> },
    /// The imports done in this workspace, newest first.
    List {},
}

/// What every file import is told.
#[derive(clap::Args)]
struct FileImport {
    path: PathBuf,
    /// Guessed from the file when not given.
    #[arg(long, value_parser = ["csv", "xlsx", "xls", "ods", "vcf"])]
    format: Option<String>,
    #[arg(long, value_parser = ["auto", "utf-8", "utf-16", "windows-1258"], default_value = "auto")]
    encoding: String,
    /// A sheet by name (spreadsheets; the first one by default).
    #[arg(long)]
    sheet: Option<String>,
    /// The header's row number when a title sits above it (found automatically otherwise).
    #[arg(long)]
    header_row: Option<u64>,
    /// A JSON mapping: {"columns": [{"column": "SĐT", "target": "phone"}, ...]}.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Write the rejected rows here (CSV, in the file's own columns) to fix and import again.
    #[arg(long)]
    rejects: Option<PathBuf>,
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
    let ws = Workspace::open(&path).await?;
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
    let res = dispatch(&ws, &path, cli.command).await;
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

async fn dispatch(ws: &Workspace, path: &std::path::Path, command: Command) -> Result<(), Error> {
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
            value["current_staff"] = care.current_staff.clone().into();
            print(&value, || {
                format!(
                    "{} customers ({} companies, {} contacts), {} interactions, {} deals, {} staff, {} care tasks in {:.1} s -> {}",
                    s.customers,
                    s.companies,
                    s.contacts,
                    s.interactions,
                    s.deals,
                    s.staff,
                    care.care_tasks,
                    secs,
                    path.display()
                )
            })?;
        }
        Command::Customer { command } => customer::run(ws, command).await?,
        Command::Changes { command } => changes::run(ws, command).await?,
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
        Command::Import {
            command: command @ (ImportCommand::Customers { .. } | ImportCommand::Interactions { .. }),
        } => {
            let (entity, args, on_duplicate, list_id) = match command {
                ImportCommand::Customers { file, on_duplicate, list } => {
                    (tend::import::ImportEntity::Customers, file, on_duplicate, list)
                }
                ImportCommand::Interactions { file, on_duplicate } => {
                    (tend::import::ImportEntity::Interactions, file, on_duplicate, None)
                }
                _ => unreachable!("matched above"),
            };
            let FileImport { path: file, format, encoding, sheet, header_row, mapping, rejects } = args;
            let mapping = match mapping {
                Some(m) => {
                    let text = std::fs::read_to_string(&m)?;
                    Some(serde_json::from_str::<tend::import::Mapping>(&text).map_err(|e| {
                        Error::Validation(vec![tend::error::FieldError::new("mapping", "import.mapping_unreadable")
                            .with("detail", format!("{}: {e}", m.display()))])
                    })?)
                }
                None => None,
            };
            let opts = tend::import::ImportOptions {
                entity,
                read: tend::import::ReadOptions {
                    format: format.as_deref().and_then(tend::import::Format::parse),
                    encoding: tend::import::TextEncoding::parse(&encoding),
                    sheet,
                    header_row,
                },
                mapping,
                on_duplicate: tend::import::OnDuplicate::parse(&on_duplicate),
                rejects_path: rejects.map(|p| p.display().to_string()),
                list_id,
            };
            let quiet = json();
            let r = ws
                .import(
                    &file,
                    &opts,
                    move |p| {
                        if !quiet {
                            eprint!("\r{} rows ({:.0} rows/s)", p.rows, p.rows_per_second);
                        }
                    },
                    Default::default(),
                )
                .await?;
            if !json() {
                eprintln!();
            }
            print(&r, || {
                let mut s = format!(
                    "import {}: {} imported, {} merged, {} skipped, {} rejected of {} rows in {} ms",
                    r.import_id, r.imported, r.merged, r.skipped, r.failed_rows, r.rows, r.millis
                );
                if r.orders > 0 {
                    s.push_str(&format!("\n{} orders of several rows, each one purchase", r.orders));
                }
                if r.listed > 0 {
                    s.push_str(&format!("\n{} customers put on the list", r.listed));
                }
                for f in &r.failed {
                    s.push_str(&format!("\n  row {} [{}] \"{}\": {}", f.row, f.column, f.value, f.reason));
                }
                if !r.renumbered.is_empty() {
                    s.push_str(&format!("\n{} old 11-digit mobile numbers converted:", r.renumbered.len()));
                }
                for n in &r.renumbered {
                    let to = n.params.get("to").map(String::as_str).unwrap_or("");
                    s.push_str(&format!("\n  row {} [{}] {} -> {to}", n.row, n.column, n.value));
                }
                if let Some(p) = &r.rejects_path {
                    s.push_str(&format!("\nrejected rows written to {p}"));
                }
                s
            })?;
        }
        Command::Export { command: ExportCommand::Customers { path: given, format, which } } => {
            let fmt = export_format(format.as_deref(), &given);
            let dest = Dest::of(&given, fmt.as_str())?;
            let r = ws.export_customers(&dest.path, fmt, &which.filter()).await?;
            let to = given.display().to_string();
            dest.finish(&r, || format!("{} customers exported to {to}", r.rows))?;
        }
        Command::Export { command: ExportCommand::CareTasks { path: dest, assignee } } => {
            let n = ws.export_care_tasks(&dest, assignee.as_deref()).await?;
            let value = serde_json::json!({ "path": dest.display().to_string(), "tasks": n });
            print(&value, || format!("{n} care tasks written to {}", dest.display()))?;
        }
        Command::Export { command: ExportCommand::Interactions { path: given, format, which } } => {
            // (a .vcf name is refused by the core: interactions have no vCard form)
            let fmt = export_format(format.as_deref(), &given);
            let dest = Dest::of(&given, fmt.as_str())?;
            let r = ws.export_interactions(&dest.path, fmt, &which.filter()).await?;
            let to = given.display().to_string();
            dest.finish(&r, || format!("{} interactions exported to {to}", r.rows))?;
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
        Command::Export { command: ExportCommand::Workspace { path: dest } } => {
            let m = ws.export_workspace(&dest).await?;
            let total: u64 = m.tables.values().sum();
            print(&m, || format!("{} rows in {} tables written to {}", total, m.tables.len(), dest.display()))?;
        }
        Command::Import { command: ImportCommand::Workspace { path: src } } => {
            let m = ws.import_workspace(&src).await?;
            let total: u64 = m.tables.values().sum();
            print(&m, || format!("{} rows in {} tables read from {}", total, m.tables.len(), src.display()))?;
        }
        Command::Import { command: ImportCommand::Undo { id } } => {
            let r = ws.undo_import(id.as_deref()).await?;
            print(&r, || {
                let mut s = format!(
                    "import {} undone: {} customers moved to the trash, {} interactions deleted, {} set back",
                    r.import_id, r.removed, r.removed_interactions, r.reverted
                );
                for k in &r.kept {
                    s.push_str(&format!("\n  kept (changed since): {k}"));
                }
                s
            })?;
        }
        Command::Import { command: ImportCommand::List {} } => {
            let list = ws.imports().await?;
            print(&list, || {
                list.iter()
                    .map(|i| {
                        format!(
                            "{}  {}  {} imported, {} merged, {} skipped, {} rejected{}",
                            i.id,
                            i.source_name,
                            i.imported,
                            i.merged,
                            i.skipped,
                            i.failed,
                            if i.undone_at.is_some() { "  (undone)" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        Command::Segment { command } => segment::run(ws, command).await?,
        Command::Settings { command: SettingsCommand::Set { key, value } } => {
            match key.as_str() {
                "time_zone" => ws.set_time_zone(&value).await?,
                "language" => ws.set_language(&value).await?,
                "current_staff" => {
                    let id = value.trim();
                    if !id.is_empty() && !ws.staff().await?.iter().any(|s| s.id == id) {
                        return Err(Error::Validation(vec![tend::FieldError::new(
                            "current_staff",
                            "validation.unknown_staff",
                        )
                        .with("value", id)]));
                    }
                    ws.set_current_staff((!id.is_empty()).then_some(id)).await?
                }
                "quiet_hours" => ws.set_quiet_hours(&value).await?,
                "quiet_interval_days" => {
                    let days = value.trim().parse::<i64>().map_err(|_| {
                        Error::Validation(vec![tend::FieldError::new(
                            "quiet_interval_days",
                            "validation.number_invalid",
                        )
                        .with("value", &value)])
                    })?;
                    ws.set_quiet_interval_days(days).await?
                }
                _ => {
                    return Err(Error::Validation(vec![
                        tend::FieldError::new("key", "settings.unknown_key").with("value", &key)
                    ]))
                }
            }
            let value = serde_json::json!({ key.clone(): value });
            print(&value, || format!("{key} set"))?;
        }
        Command::Settings { command: SettingsCommand::Show {} } => {
            let info = ws.info().await?;
            let quiet = ws.quiet_interval_days().await?;
            let value = serde_json::json!({ "time_zone": info.time_zone, "language": info.language, "quiet_interval_days": quiet, "current_staff": info.current_staff_id });
            print(&value, || {
                format!(
                    "time_zone = {}\nlanguage = {}\nquiet_interval_days = {quiet}\ncurrent_staff = {}",
                    info.time_zone,
                    info.language.as_deref().unwrap_or("(the system's)"),
                    info.current_staff_id.as_deref().unwrap_or("(none chosen on this device)")
                )
            })?;
        }
        Command::Care { command } => care::run(ws, command).await?,
        Command::Staff { command: StaffCommand::Add { name, email, role } } => {
            use tend::staff::{Role, StaffInput};
            let role = match role.as_str() {
                "owner" => Role::Owner,
                "manager" => Role::Manager,
                _ => Role::Agent,
            };
            let s = ws.add_staff(&StaffInput { name, email, role }).await?;
            print(&s, || format!("{}  {}", s.id, s.name))?;
        }
        Command::Staff { command: StaffCommand::List {} } => {
            let all = ws.staff().await?;
            print(&all, || all.iter().map(|s| format!("{}  {}", s.id, s.name)).collect::<Vec<_>>().join("\n"))?;
        }
        Command::Deal { command } => deal::run(ws, command).await?,
        Command::Interaction {
            command:
                InteractionCommand::Add { customer, kind, summary, direction, amount, currency, at, confirm_recent },
        } => {
            use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};
            let kind = match kind {
                IKind::Call => InteractionKind::Call,
                IKind::Email => InteractionKind::Email,
                IKind::Meeting => InteractionKind::Meeting,
                IKind::Chat => InteractionKind::Chat,
                IKind::Note => InteractionKind::Note,
                IKind::Purchase => InteractionKind::Purchase,
            };
            let direction = match direction {
                Some(IDirection::Inbound) => Direction::Inbound,
                Some(IDirection::Outbound) => Direction::Outbound,
                Some(IDirection::Internal) => Direction::Internal,
                None => match kind {
                    InteractionKind::Note => Direction::Internal,
                    InteractionKind::Purchase => Direction::Inbound,
                    _ => Direction::Outbound,
                },
            };
            let channel = match kind {
                InteractionKind::Call => InteractionChannel::Phone,
                InteractionKind::Email => InteractionChannel::Email,
                InteractionKind::Meeting => InteractionChannel::InPerson,
                _ => InteractionChannel::Other,
            };
            let occurred_at = match at {
                None => None,
                Some(t) => Some(
                    t.trim()
                        .parse::<jiff::Timestamp>()
                        .map_err(|_| {
                            Error::Validation(vec![
                                tend::FieldError::new("at", "validation.date_invalid").with("value", &t)
                            ])
                        })?
                        .as_millisecond(),
                ),
            };
            let input = InteractionInput {
                kind,
                channel,
                direction,
                staff_id: None,
                occurred_at,
                summary: summary.unwrap_or_else(|| kind.as_str().to_string()),
                body: None,
                amount,
                currency,
                items: vec![],
            };
            let i = ws.log_interaction(&customer, &input, confirm_recent).await?;
            print(&i, || format!("{}  {}  {}", i.id, i.kind.as_str(), i.summary))?;
        }
        Command::Search { query, limit } => {
            let hits = ws.search(&query, limit).await?;
            print(&hits, || {
                hits.iter()
                    .map(|h| format!("{}  {}  {}", h.id, h.name, h.phones.join(", ")))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
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
