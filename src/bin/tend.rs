//! `tend`: the command line over the same core as the desktop app.
//! `--json` prints machine-readable output; invalid input exits with code 2 and changes nothing.

use clap::{Parser, Subcommand, ValueEnum};
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
        #[arg(long)]
        json: bool,
    },
    /// Customers.
    Customer {
        #[command(subcommand)]
        command: CustomerCommand,
    },
    /// Every change of a record: who, when, which field, from what to what.
    History {
        id: String,
        #[arg(long)]
        json: bool,
    },
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
        #[arg(long)]
        json: bool,
    },
    /// The automatic backups of the workspace, newest first.
    Backups {
        #[arg(long)]
        json: bool,
    },
    /// Put BACKUP in place of the workspace (the replaced file is kept beside it).
    Restore {
        backup: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Check the workspace's integrity (exit code 1 when damaged).
    Check {
        /// Also compare every index entry with its row (slower).
        #[arg(long)]
        full: bool,
        #[arg(long)]
        json: bool,
    },
    /// Likely duplicate customers: same phone, email or tax code, or same name in the same province.
    Duplicates {
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Merge the second customer into the first (the first keeps its values where both differ,
    /// unless --take names the field; everything else of both is kept).
    Merge {
        survivor: String,
        other: String,
        /// Fields to take from the second customer: province,birthday,custom.<key>,...
        #[arg(long, value_delimiter = ',')]
        take: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Undo a merge by its id.
    Unmerge {
        merge_id: String,
        #[arg(long)]
        json: bool,
    },
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
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SegmentCommand {
    /// How many customers the rules in RULES (a JSON file, or - for standard input) match.
    Count {
        #[arg(long)]
        rules: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Save a segment: dynamic with --rules, or a static list with --static.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, conflicts_with = "static_list", required_unless_present_any = ["static_list", "preset"])]
        rules: Option<PathBuf>,
        /// A static list (members added with `segment add`).
        #[arg(long = "static")]
        static_list: bool,
        /// One of the ready-made segments (`segment presets`).
        #[arg(long, conflicts_with_all = ["rules", "static_list"])]
        preset: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The saved segments.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A segment's members, by name.
    Members {
        id: String,
        #[arg(long, default_value_t = 0)]
        offset: i64,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Add customers to a static list.
    Add {
        id: String,
        customers: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Take customers off a static list.
    Remove {
        id: String,
        customers: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Remove a segment (its customers stay as they are).
    Delete {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// The ready-made segments and their rules.
    Presets {
        #[arg(long)]
        json: bool,
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
        #[arg(long)]
        json: bool,
    },
    /// The workspace's staff
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CareCommand {
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
        #[arg(long)]
        json: bool,
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
        #[arg(long)]
        json: bool,
    },
    /// Complete a task; the outcome is logged as an interaction on the customer's timeline
    Done {
        id: String,
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        json: bool,
    },
    /// Skip a task, saying why
    Skip {
        id: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Remind of a task again later; it stays due when it was
    Snooze {
        id: String,
        /// RFC 3339 (2026-12-10T14:30:00+07:00), or a local date in the workspace's time zone
        /// (2026-12-10, 10/12/2026: at 09:00 that day) with or without a time (2026-12-10 14:30)
        #[arg(long)]
        until: String,
        #[arg(long)]
        json: bool,
    },
    /// Move a task to be due at another time
    Reschedule {
        id: String,
        /// RFC 3339 (2026-12-10T14:30:00+07:00), or a local date in the workspace's time zone
        /// (2026-12-10, 10/12/2026: at 09:00 that day) with or without a time (2026-12-10 14:30)
        #[arg(long)]
        due: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Add a care plan from a TOML file (or - for standard input): name, anchor (enrolment,
    /// purchase, deal_stage:<stage>, birthday, custom.<key>) and [[step]]s with offset_days or
    /// offset_hours, at ("09:00"), channel (call, email, sms, zalo, visit, other), assignee
    /// ("owner", "staff:<id>" or { round_robin = ["<id>", ...] }) and template ({{customer.name}}...)
    Create {
        #[arg(long)]
        file: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// The workspace's care plans
    List {
        #[arg(long)]
        json: bool,
    },
    /// Replace a plan's name, anchor and steps from a TOML file (tasks already made stay)
    Update {
        id: String,
        #[arg(long)]
        file: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Remove a plan: its enrolments end and their open tasks are skipped
    Remove {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// The preset plans (post-sale, birthday, pre-sale nurture) in the workspace's language;
    /// `--add` saves them
    Presets {
        #[arg(long)]
        add: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DealCommand {
    /// Open a deal with a customer; prints it with its id.
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long)]
        title: String,
        /// A deal stage id (new, contacted, consulting, proposal, negotiation, won, lost, or one
        /// added in Settings); default the first open stage.
        #[arg(long)]
        stage: Option<String>,
        /// Expected revenue in minor units of the currency (VND has none).
        #[arg(long)]
        amount: Option<i64>,
        #[arg(long)]
        currency: Option<String>,
        /// Expected close date as typed in the app: 15/03/2027, 2027-03-15...
        #[arg(long)]
        close: Option<String>,
        /// A staff id; default the customer's owner, else the current user.
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Move a deal to a stage.
    Stage {
        id: String,
        stage: String,
        /// Why it was lost (kept for a lost stage).
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Record the purchase a won deal brought (its amount, or --amount).
    Purchase {
        id: String,
        #[arg(long)]
        amount: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// The pipeline: each stage's count and totals, and its deals.
    List {
        #[arg(long)]
        owner: Option<String>,
        /// Expected (or actual) close on or after this date, YYYY-MM-DD.
        #[arg(long)]
        from: Option<String>,
        /// Expected (or actual) close on or before this date, YYYY-MM-DD.
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Move a deal to the trash (its history stays; `deal restore` brings it back).
    Delete {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Bring a deal back from the trash.
    Restore {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// The deals in the trash, newest first.
    Trash {
        #[arg(long)]
        json: bool,
    },
    /// The deal stages in order.
    Stages {
        #[arg(long)]
        json: bool,
    },
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
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SettingsCommand {
    /// Set one setting: time_zone (an IANA zone such as Asia/Ho_Chi_Minh), language (vi, en),
    /// quiet_interval_days (0 to 90: a contact within it asks for confirmation; 0 never asks),
    /// current_staff (who uses Tend on this device: a staff id, empty for nobody) or quiet_hours
    /// (the current user's, 21:00-07:30; empty for none).
    Set {
        key: String,
        value: String,
        #[arg(long)]
        json: bool,
    },
    /// The workspace's settings.
    Show {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The whole workspace (every table, change history included) to one archive.
    Workspace {
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Customers (all, or those a filter or search finds) to CSV, XLSX or vCard 3.0.
    Customers {
        path: PathBuf,
        /// From the file name when not given.
        #[arg(long, value_parser = ["csv", "xlsx", "vcf"])]
        format: Option<String>,
        #[command(flatten)]
        which: Which,
        #[arg(long)]
        json: bool,
    },
    /// Open care tasks (all, or one staff member's) as an iCalendar file calendar apps import
    CareTasks {
        path: PathBuf,
        #[arg(long)]
        assignee: Option<String>,
        #[arg(long)]
        json: bool,
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
        #[arg(long)]
        json: bool,
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
    Workspace {
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
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
    Undo {
        id: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The imports done in this workspace, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
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
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Person,
    Company,
}

#[derive(Subcommand)]
enum CustomerCommand {
    /// Add a customer; prints the new record with its id.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value_t = Kind::Person)]
        kind: Kind,
        #[arg(long)]
        phone: Vec<String>,
        #[arg(long)]
        email: Vec<String>,
        #[arg(long)]
        tax_code: Option<String>,
        /// For a person: the company they work at (found by name or created); they become its contact.
        #[arg(long)]
        company: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Change some fields of a customer; the others keep what is stored. An empty value clears a
    /// field; `--phone`/`--email` replace every phone/email. A field someone else changes between
    /// reading and saving is not overwritten: nothing is saved and the conflict is reported.
    Edit {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        phone: Vec<String>,
        #[arg(long)]
        email: Vec<String>,
        #[arg(long)]
        tax_code: Option<String>,
        #[arg(long)]
        street: Option<String>,
        #[arg(long)]
        ward: Option<String>,
        #[arg(long)]
        district: Option<String>,
        #[arg(long)]
        province: Option<String>,
        /// A date as typed in the app: 15/03/1985, 1985-03-15, 15031985...
        #[arg(long)]
        birthday: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        /// The customer's code in another system.
        #[arg(long)]
        external_id: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Set fields of a customer by name, validated like the form: `name=…`, `province=Hà Nội`,
    /// `phones=0912…,0987…`, `tags=VIP,Sỉ`, `custom.<key>=…`; an empty value clears a field.
    Set {
        id: String,
        /// FIELD=VALUE, one or more
        #[arg(required = true, value_name = "FIELD=VALUE")]
        fields: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one customer.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Do one thing to many customers at once: those given by `--id`, those a filter selects, or
    /// `--all`. Tags, owner and stage change in one transaction (all or nothing); at most 50,000.
    Bulk {
        /// A customer id (repeat for several).
        #[arg(long = "id", value_name = "ID")]
        ids: Vec<String>,
        #[command(flatten)]
        which: Which,
        /// Every live customer.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        what: BulkWhat,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ChangesCommand {
    /// The transactions in the log, newest first: clock, time, actor, device.
    List {
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// One transaction (by its clock) with every record, in names: what sync sends.
    Show {
        hlc: String,
        #[arg(long)]
        json: bool,
    },
    /// The transactions committed after CURSOR (0: from the start), in commit order: what a sync
    /// client pushes. Prints them with the cursor to ask from next and whether more follow.
    Since {
        cursor: i64,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Apply a transaction another device wrote (a JSON file as `changes show --json` prints
    /// it), under its own clock; one already here does nothing.
    Apply {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

fn print<T: Serialize>(json: bool, value: &T, text: impl FnOnce() -> String) -> Result<(), Error> {
    let out = if json { serde_json::to_string_pretty(value)? } else { text() };
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
    fn finish(&self, json: bool, summary: &impl Serialize, text: impl FnOnce() -> String) -> Result<(), Error> {
        if self.stdout.is_none() {
            return print(json, summary, text);
        }
        let mut file = std::fs::File::open(&self.path)?;
        match std::io::copy(&mut file, &mut std::io::stdout().lock()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        };
        let line = if json { serde_json::to_string_pretty(summary)? } else { text() };
        say(&line, true)
    }
}

fn wants_json(c: &Command) -> bool {
    match c {
        Command::Demo { json, .. }
        | Command::History { json, .. }
        | Command::Search { json, .. }
        | Command::Backup { json, .. }
        | Command::Changes {
            command:
                ChangesCommand::List { json, .. }
                | ChangesCommand::Show { json, .. }
                | ChangesCommand::Since { json, .. }
                | ChangesCommand::Apply { json, .. },
        }
        | Command::Backups { json }
        | Command::Restore { json, .. }
        | Command::Check { json, .. }
        | Command::Duplicates { json, .. }
        | Command::Merge { json, .. }
        | Command::Unmerge { json, .. }
        | Command::Export {
            command:
                ExportCommand::Customers { json, .. }
                | ExportCommand::Interactions { json, .. }
                | ExportCommand::CareTasks { json, .. }
                | ExportCommand::Workspace { json, .. },
        } => *json,
        Command::Customer {
            command:
                CustomerCommand::Add { json, .. }
                | CustomerCommand::Edit { json, .. }
                | CustomerCommand::Set { json, .. }
                | CustomerCommand::Show { json, .. }
                | CustomerCommand::Bulk { json, .. },
        } => *json,
        Command::Segment {
            command:
                SegmentCommand::Count { json, .. }
                | SegmentCommand::Create { json, .. }
                | SegmentCommand::List { json }
                | SegmentCommand::Members { json, .. }
                | SegmentCommand::Add { json, .. }
                | SegmentCommand::Remove { json, .. }
                | SegmentCommand::Delete { json, .. }
                | SegmentCommand::Presets { json },
        } => *json,
        Command::Settings { command: SettingsCommand::Set { json, .. } | SettingsCommand::Show { json } } => *json,
        Command::Staff { command: StaffCommand::Add { json, .. } | StaffCommand::List { json } } => *json,
        Command::Care {
            command:
                CareCommand::Plan {
                    command:
                        PlanCommand::Create { json, .. }
                        | PlanCommand::List { json }
                        | PlanCommand::Update { json, .. }
                        | PlanCommand::Remove { json, .. }
                        | PlanCommand::Presets { json, .. },
                }
                | CareCommand::Enroll { json, .. }
                | CareCommand::Tasks { json, .. }
                | CareCommand::Done { json, .. }
                | CareCommand::Skip { json, .. }
                | CareCommand::Snooze { json, .. }
                | CareCommand::Reschedule { json, .. },
        } => *json,
        Command::Deal {
            command:
                DealCommand::Add { json, .. }
                | DealCommand::Stage { json, .. }
                | DealCommand::Purchase { json, .. }
                | DealCommand::List { json, .. }
                | DealCommand::Delete { json, .. }
                | DealCommand::Restore { json, .. }
                | DealCommand::Trash { json }
                | DealCommand::Stages { json },
        } => *json,
        Command::Interaction { command: InteractionCommand::Add { json, .. } } => *json,
        Command::Import {
            command:
                ImportCommand::Customers { file: FileImport { json, .. }, .. }
                | ImportCommand::Interactions { file: FileImport { json, .. }, .. }
                | ImportCommand::Undo { json, .. }
                | ImportCommand::List { json }
                | ImportCommand::Workspace { json, .. },
        } => *json,
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let path = cli.db.clone().unwrap_or_else(tend::default_workspace_path);
    // These work on the file itself: a damaged workspace cannot (and must not) be opened.
    match &cli.command {
        Command::Restore { backup, json } => {
            let now = jiff::Timestamp::now().as_millisecond();
            let kept = tend::backup::restore(backup, &path, now)?;
            let value = serde_json::json!({ "restored": path.display().to_string(), "replaced_kept_as": kept.as_ref().map(|k| k.display().to_string()) });
            return print(*json, &value, || match &kept {
                Some(k) => format!(
                    "restored {} from {}; the replaced file is kept as {}",
                    path.display(),
                    backup.display(),
                    k.display()
                ),
                None => format!("restored {} from {}", path.display(), backup.display()),
            });
        }
        Command::Check { full, json } => {
            let r = tend::integrity::check_file(&path, *full)?;
            // A full check that passes lifts an earlier damage mark; damage found leaves one.
            let mark = tend::integrity::damage_mark(&path);
            let cleared = r.ok && *full && tend::integrity::clear_mark(&path)?;
            if !r.ok {
                tend::integrity::mark(&path, &r.problems.join("; "));
            }
            print(*json, &r, || {
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
        Command::Backups { json } => {
            let list = tend::backup::list_backups(&path)?;
            return print(*json, &list, || {
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
        Command::Backup { path: dest, force, json } => {
            let size = ws.backup_to(&dest, force).await?;
            let value = serde_json::json!({ "path": dest.display().to_string(), "size": size });
            print(json, &value, || {
                format!("backup of {} written to {} ({size} bytes)", path.display(), dest.display())
            })?;
        }
        Command::Demo { customers, seed, json } => {
            let started = std::time::Instant::now();
            let s = ws.generate_demo(customers, seed).await?;
            // the first screen's work: care plans and tasks, and who uses this device
            let care = ws.demo_care(seed).await?;
            let secs = started.elapsed().as_secs_f64();
            let mut value = serde_json::to_value(&s)?;
            value["care_tasks"] = care.care_tasks.into();
            value["current_staff"] = care.current_staff.clone().into();
            print(json, &value, || {
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
        Command::Customer { command: CustomerCommand::Add { name, kind, phone, email, tax_code, company, json } } => {
            let input = CustomerInput {
                kind: match kind {
                    Kind::Person => CustomerKind::Person,
                    Kind::Company => CustomerKind::Company,
                },
                name,
                phones: phone.into_iter().map(|number| Phone { label: String::new(), number }).collect(), // labelled by its type
                emails: email.into_iter().map(|address| Email { label: String::new(), address }).collect(),
                tax_code,
                ..Default::default()
            };
            let (created, company_id) = match company {
                Some(c) if input.kind == CustomerKind::Person => {
                    let (created, cid) = ws.create_person_at_company(&input, &c).await?;
                    (created, Some(cid))
                }
                Some(_) => return Err(Error::invalid("company", "validation.company_for_person_only")),
                None => (ws.create_customer(&input).await?, None),
            };
            let mut value = serde_json::to_value(&created.customer)?;
            if let Some(obj) = value.as_object_mut() {
                obj.insert("duplicates".into(), serde_json::to_value(&created.duplicates)?);
                if let Some(cid) = &company_id {
                    obj.insert("company_id".into(), serde_json::Value::String(cid.clone()));
                }
            }
            print(json, &value, || {
                let mut s = format!("{} {}", created.customer.id, created.customer.name);
                for d in &created.duplicates {
                    s.push_str(&format!("\nwarning: same {} {} as {} {}", d.reason, d.value, d.id, d.name));
                }
                s
            })?;
        }
        Command::Customer {
            command:
                CustomerCommand::Edit {
                    id,
                    name,
                    phone,
                    email,
                    tax_code,
                    street,
                    ward,
                    district,
                    province,
                    birthday,
                    notes,
                    external_id,
                    json,
                },
        } => {
            let base = ws.customer(&id).await?.to_input();
            let mut input = base.clone();
            if let Some(n) = name {
                input.name = n;
            }
            if !phone.is_empty() {
                input.phones = phone
                    .into_iter()
                    .filter(|p| !p.trim().is_empty())
                    .map(|number| Phone { label: "mobile".into(), number })
                    .collect();
            }
            if !email.is_empty() {
                input.emails = email
                    .into_iter()
                    .filter(|e| !e.trim().is_empty())
                    .map(|address| Email { label: String::new(), address })
                    .collect();
            }
            for (given, field) in [
                (tax_code, &mut input.tax_code),
                (street, &mut input.street),
                (ward, &mut input.ward),
                (district, &mut input.district),
                (province, &mut input.province),
                (birthday, &mut input.birthday),
                (notes, &mut input.notes),
                (external_id, &mut input.external_id),
            ] {
                if let Some(v) = given {
                    *field = Some(v).filter(|v| !v.trim().is_empty());
                }
            }
            let c = ws.update_customer(&id, &base, &input).await?;
            print(json, &c, || customer_text(&c))?;
        }
        Command::Customer { command: CustomerCommand::Set { id, fields, json } } => {
            let base = ws.customer(&id).await?.to_input();
            let mut input = base.clone();
            let mut errors = Vec::new();
            for arg in &fields {
                let result = match arg.split_once('=') {
                    Some((field, value)) => input.set(field.trim(), value),
                    None => Err(tend::FieldError::new(arg.as_str(), "validation.field_value_expected")
                        .with("value", arg.as_str())),
                };
                errors.extend(result.err());
            }
            if !errors.is_empty() {
                return Err(Error::Validation(errors));
            }
            let c = ws.update_customer(&id, &base, &input).await?;
            print(json, &c, || customer_text(&c))?;
        }
        Command::Customer { command: CustomerCommand::Show { id, json } } => {
            let c = ws.customer(&id).await?;
            print(json, &c, || customer_text(&c))?;
        }
        Command::Customer { command: CustomerCommand::Bulk { ids, which, all, what, json } } => {
            use tend::customers::bulk::BulkTarget;
            let target = match (ids.is_empty(), which.is_empty(), all) {
                (false, true, false) => BulkTarget::Ids { ids },
                (true, false, false) | (true, true, true) => BulkTarget::Filter { filter: which.filter() },
                _ => {
                    return Err(Error::Validation(vec![tend::FieldError::new("customers", "bulk.which")]));
                }
            };
            let r = ws.bulk_customers(&target, &what.action()).await?;
            print(json, &r, || {
                let mut out = format!("{} of {} customers changed", r.changed, r.matched);
                if r.tasks > 0 {
                    out.push_str(&format!(", {} care tasks made", r.tasks));
                }
                for n in &r.not_enrolled {
                    out.push_str(&format!("\nnot enrolled: {} ({})", n.customer_name, n.reason));
                }
                out
            })?;
        }
        Command::Changes { command } => match command {
            ChangesCommand::List { limit, json } => {
                let txs = ws.transactions(limit).await?;
                print(json, &txs, || {
                    txs.iter()
                        .map(|t| format!("{}  {}  {}", t.hlc, t.actor.as_deref().unwrap_or("-"), t.device))
                        .collect::<Vec<_>>()
                        .join("\n")
                })?;
            }
            ChangesCommand::Show { hlc, json } => {
                let tx = ws.transaction_records(&hlc).await?.ok_or_else(|| Error::not_found("transaction", &hlc))?;
                print(json, &tx, || serde_json::to_string_pretty(&tx).unwrap_or_default())?;
            }
            ChangesCommand::Since { cursor, limit, json } => {
                let page = ws.changes_since(cursor, limit).await?;
                print(json, &page, || {
                    let mut lines: Vec<String> = page
                        .transactions
                        .iter()
                        .map(|t| format!("{}  {} records  {}", t.hlc, t.records.len(), t.device))
                        .collect();
                    lines.push(if page.more {
                        format!("more follow: changes since {}", page.cursor)
                    } else {
                        format!("up to date at cursor {}", page.cursor)
                    });
                    lines.join("\n")
                })?;
            }
            ChangesCommand::Apply { file, json } => {
                let text = std::fs::read_to_string(&file)?;
                let tx: tend::changelog::RemoteTx = serde_json::from_str(&text).map_err(|e| {
                    Error::Validation(vec![
                        tend::FieldError::new("file", "validation.invalid_json").with("detail", e.to_string())
                    ])
                })?;
                let applied = ws.apply_remote(&tx).await?;
                print(json, &applied, || match applied {
                    tend::remote::Applied::AlreadyHad => format!("{} was already here: nothing done", tx.hlc),
                    tend::remote::Applied::Applied { records, kept: 0 } => {
                        format!("{}: {records} records applied", tx.hlc)
                    }
                    tend::remote::Applied::Applied { records, kept } => format!(
                        "{}: {records} records applied, {kept} of them kept for a newer version of Tend \
                         (a table or field this one does not know)",
                        tx.hlc
                    ),
                })?;
            }
        },
        Command::History { id, json } => {
            let h = ws.history(&id).await?;
            print(json, &h, || {
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
            let FileImport { path: file, format, encoding, sheet, header_row, mapping, rejects, json } = args;
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
            let quiet = json;
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
            if !json {
                eprintln!();
            }
            print(json, &r, || {
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
        Command::Export { command: ExportCommand::Customers { path: given, format, which, json } } => {
            let fmt = export_format(format.as_deref(), &given);
            let dest = Dest::of(&given, fmt.as_str())?;
            let r = ws.export_customers(&dest.path, fmt, &which.filter()).await?;
            let to = given.display().to_string();
            dest.finish(json, &r, || format!("{} customers exported to {to}", r.rows))?;
        }
        Command::Export { command: ExportCommand::CareTasks { path: dest, assignee, json } } => {
            let n = ws.export_care_tasks(&dest, assignee.as_deref()).await?;
            let value = serde_json::json!({ "path": dest.display().to_string(), "tasks": n });
            print(json, &value, || format!("{n} care tasks written to {}", dest.display()))?;
        }
        Command::Export { command: ExportCommand::Interactions { path: given, format, which, json } } => {
            // (a .vcf name is refused by the core: interactions have no vCard form)
            let fmt = export_format(format.as_deref(), &given);
            let dest = Dest::of(&given, fmt.as_str())?;
            let r = ws.export_interactions(&dest.path, fmt, &which.filter()).await?;
            let to = given.display().to_string();
            dest.finish(json, &r, || format!("{} interactions exported to {to}", r.rows))?;
        }
        Command::Duplicates { limit, json } => {
            let pairs = ws.duplicate_pairs(limit).await?;
            print(json, &pairs, || {
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
        Command::Merge { survivor, other, take, json } => {
            let r = ws.merge_customers(&survivor, &other, &take).await?;
            print(json, &r, || {
                format!(
                    "merged into {} {} (merge {}; {} contacts and interactions moved)",
                    r.customer.id, r.customer.name, r.merge_id, r.moved
                )
            })?;
        }
        Command::Unmerge { merge_id, json } => {
            let kept = ws.undo_merge(&merge_id).await?;
            let value = serde_json::json!({ "merge_id": merge_id, "kept": kept });
            print(json, &value, || format!("merge {merge_id} undone"))?;
        }
        Command::Export { command: ExportCommand::Workspace { path: dest, json } } => {
            let m = ws.export_workspace(&dest).await?;
            let total: u64 = m.tables.values().sum();
            print(json, &m, || format!("{} rows in {} tables written to {}", total, m.tables.len(), dest.display()))?;
        }
        Command::Import { command: ImportCommand::Workspace { path: src, json } } => {
            let m = ws.import_workspace(&src).await?;
            let total: u64 = m.tables.values().sum();
            print(json, &m, || format!("{} rows in {} tables read from {}", total, m.tables.len(), src.display()))?;
        }
        Command::Import { command: ImportCommand::Undo { id, json } } => {
            let r = ws.undo_import(id.as_deref()).await?;
            print(json, &r, || {
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
        Command::Import { command: ImportCommand::List { json } } => {
            let list = ws.imports().await?;
            print(json, &list, || {
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
        Command::Segment { command } => segment(ws, command).await?,
        Command::Settings { command: SettingsCommand::Set { key, value, json } } => {
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
            print(json, &value, || format!("{key} set"))?;
        }
        Command::Settings { command: SettingsCommand::Show { json } } => {
            let info = ws.info().await?;
            let quiet = ws.quiet_interval_days().await?;
            let value = serde_json::json!({ "time_zone": info.time_zone, "language": info.language, "quiet_interval_days": quiet, "current_staff": info.current_staff_id });
            print(json, &value, || {
                format!(
                    "time_zone = {}\nlanguage = {}\nquiet_interval_days = {quiet}\ncurrent_staff = {}",
                    info.time_zone,
                    info.language.as_deref().unwrap_or("(the system's)"),
                    info.current_staff_id.as_deref().unwrap_or("(none chosen on this device)")
                )
            })?;
        }
        Command::Care { command } => care_command(ws, command).await?,
        Command::Staff { command: StaffCommand::Add { name, email, role, json } } => {
            use tend::staff::{Role, StaffInput};
            let role = match role.as_str() {
                "owner" => Role::Owner,
                "manager" => Role::Manager,
                _ => Role::Agent,
            };
            let s = ws.add_staff(&StaffInput { name, email, role }).await?;
            print(json, &s, || format!("{}  {}", s.id, s.name))?;
        }
        Command::Staff { command: StaffCommand::List { json } } => {
            let all = ws.staff().await?;
            print(json, &all, || all.iter().map(|s| format!("{}  {}", s.id, s.name)).collect::<Vec<_>>().join("\n"))?;
        }
        Command::Deal { command } => deal_command(ws, command).await?,
        Command::Interaction {
            command:
                InteractionCommand::Add { customer, kind, summary, direction, amount, currency, at, confirm_recent, json },
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
            print(json, &i, || format!("{}  {}  {}", i.id, i.kind.as_str(), i.summary))?;
        }
        Command::Search { query, limit, json } => {
            let hits = ws.search(&query, limit).await?;
            print(json, &hits, || {
                hits.iter()
                    .map(|h| format!("{}  {}  {}", h.id, h.name, h.phones.join(", ")))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
    }
    Ok(())
}

/// Reads a rules file (or standard input for `-`).
fn read_rules(path: &std::path::Path) -> Result<String, Error> {
    read_text(path, "rules", "segment.rules_unreadable")
}

async fn care_command(ws: &Workspace, command: CareCommand) -> Result<(), Error> {
    match command {
        CareCommand::Plan { command } => match command {
            PlanCommand::Create { file, json } => {
                let plan = tend::care::CarePlan::from_toml(&read_text(&file, "file", "care.plan_unreadable_file")?)?;
                let p = ws.create_care_plan(&plan).await?;
                print(json, &p, || plan_text(&p))?;
            }
            PlanCommand::List { json } => {
                let plans = ws.care_plans().await?;
                print(json, &plans, || plans.iter().map(plan_text).collect::<Vec<_>>().join("\n\n"))?;
            }
            PlanCommand::Update { id, file, json } => {
                let plan = tend::care::CarePlan::from_toml(&read_text(&file, "file", "care.plan_unreadable_file")?)?;
                let p = ws.update_care_plan(&id, &plan).await?;
                print(json, &p, || plan_text(&p))?;
            }
            PlanCommand::Remove { id, json } => {
                ws.remove_care_plan(&id).await?;
                print(json, &serde_json::json!({ "removed": id }), || format!("removed {id}"))?;
            }
            PlanCommand::Presets { add, json } => {
                let lang = ws.info().await?.language.unwrap_or_else(|| "vi".into());
                let presets = tend::care::presets::presets(&lang);
                if add {
                    let mut added = Vec::new();
                    for p in &presets {
                        added.push(ws.create_care_plan(&tend::care::CarePlan::from_input(p)?).await?);
                    }
                    print(json, &added, || added.iter().map(plan_text).collect::<Vec<_>>().join("\n\n"))?;
                } else {
                    print(json, &presets, || presets.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join("\n"))?;
                }
            }
        },
        CareCommand::Enroll { plan, customer, segment, anchor_date, json } => {
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
            print(json, &report, || {
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
        CareCommand::Tasks { assignee, customer, due_before, open, limit, after, json } => {
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
            print(json, &serde_json::json!({ "tasks": rows, "next": page.next }), || {
                let mut lines: Vec<String> = page.tasks.iter().map(task_text).collect();
                if let Some(next) = &page.next {
                    lines.push(format!("(more tasks: continue with --after {next})"));
                }
                lines.join("\n")
            })?;
        }
        CareCommand::Done { id, outcome, json } => {
            let t = ws.complete_care_tasks(&[id], &outcome).await?;
            print(json, &task_json(&t[0]), || task_text(&t[0]))?;
        }
        CareCommand::Skip { id, reason, json } => {
            let t = ws.skip_care_tasks(&[id], &reason).await?;
            print(json, &task_json(&t[0]), || task_text(&t[0]))?;
        }
        CareCommand::Snooze { id, until, json } => {
            let t = ws.snooze_care_task(&id, when(ws, "until", &until, Some(NINE)).await?).await?;
            print(json, &task_json(&t), || task_text(&t))?;
        }
        CareCommand::Reschedule { id, due, json } => {
            let t = ws.reschedule_care_tasks(&[id], when(ws, "due", &due, Some(NINE)).await?).await?;
            print(json, &task_json(&t[0]), || task_text(&t[0]))?;
        }
    }
    Ok(())
}

/// The time of day a date given alone stands for when a task is due or reminded (a step's default).
const NINE: jiff::civil::Time = jiff::civil::time(9, 0, 0, 0);

/// An instant given as RFC 3339 or as a local date (and time) in the workspace's zone, a date
/// alone at `at` (else its start): `schedule::parse_when`. Anything else, or a day outside the
/// years care work takes, is invalid input naming the option.
async fn when(ws: &Workspace, field: &str, t: &str, at: Option<jiff::civil::Time>) -> Result<i64, Error> {
    tend::schedule::parse_when(field, t, &ws.zone().await?, ws.today().await?, at)
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

/// A task as `care tasks --json` prints it: instants as UTC RFC 3339.
fn task_json(t: &tend::care::CareTask) -> serde_json::Value {
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

fn task_text(t: &tend::care::CareTask) -> String {
    format!("{}  {}  {} — {} [{}]", t.id, rfc3339(t.due_at), t.name, t.customer_name, t.state.as_str())
}

/// A care plan as the CLI prints it: its name and anchor, then a line per step.
fn plan_text(p: &tend::care::StoredPlan) -> String {
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

fn page_text(page: &tend::search::CustomerPage) -> String {
    let mut lines: Vec<String> = page.rows.iter().map(|r| format!("{}  {}", r.id, r.name)).collect();
    if let Some(t) = page.total {
        lines.push(format!("({t} in all)"));
    }
    lines.join("\n")
}

async fn segment(ws: &Workspace, command: SegmentCommand) -> Result<(), Error> {
    use tend::segments::{SegmentInput, SegmentKind};
    match command {
        SegmentCommand::Count { rules, json } => {
            let n = ws.segment_count(&read_rules(&rules)?).await?;
            print(json, &serde_json::json!({ "count": n }), || n.to_string())
        }
        SegmentCommand::Create { name, rules, static_list, preset, json } => {
            let seg = match (preset, rules) {
                (Some(key), _) => ws.create_preset_segment(&key, &name).await?,
                (None, Some(rules)) => {
                    let input = SegmentInput { name, kind: SegmentKind::Dynamic, rules: Some(read_rules(&rules)?) };
                    ws.create_segment(&input).await?
                }
                (None, None) => {
                    debug_assert!(static_list);
                    ws.create_segment(&SegmentInput { name, kind: SegmentKind::Static, rules: None }).await?
                }
            };
            print(json, &seg, || format!("segment {} {} saved", seg.id, seg.name))
        }
        SegmentCommand::List { json } => {
            // a segment whose rules cannot be read now is listed with its problem and no count
            let list = ws.segments().await?;
            let mut out = Vec::new();
            for s in &list {
                let rules = s.rules.as_deref().map(|r| {
                    serde_json::from_str::<serde_json::Value>(r).unwrap_or_else(|_| serde_json::Value::String(r.into()))
                });
                let count = match &s.problem {
                    Some(_) => None,
                    None => Some(ws.segment_size(&s.id).await?),
                };
                let problem = s.problem.as_ref().map(|p| tend::messages::field_text(lang(), p));
                out.push(serde_json::json!({ "id": s.id, "name": s.name, "kind": s.kind, "rules": rules, "count": count, "problem": problem }));
            }
            print(json, &out, || {
                out.iter()
                    .map(|s| {
                        let size = match s["problem"].as_str() {
                            Some(p) => format!("cannot be read: {p}"),
                            None => s["count"].to_string(),
                        };
                        format!(
                            "{}  {}  ({}, {size})",
                            s["id"].as_str().unwrap_or(""),
                            s["name"].as_str().unwrap_or(""),
                            s["kind"].as_str().unwrap_or(""),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        SegmentCommand::Members { id, offset, limit, json } => {
            let page = ws.segment_members(&id, offset, limit).await?;
            print(json, &page, || page_text(&page))
        }
        SegmentCommand::Add { id, customers, json } => {
            let n = ws.add_to_segment(&id, &customers).await?;
            print(json, &serde_json::json!({ "added": n }), || format!("{n} added"))
        }
        SegmentCommand::Remove { id, customers, json } => {
            let n = ws.remove_from_segment(&id, &customers).await?;
            print(json, &serde_json::json!({ "removed": n }), || format!("{n} removed"))
        }
        SegmentCommand::Delete { id, json } => {
            ws.remove_segment(&id).await?;
            print(json, &serde_json::json!({ "deleted": id }), || format!("segment {id} removed"))
        }
        SegmentCommand::Presets { json } => {
            let list = tend::segments::presets(ws.today().await?);
            print(json, &list, || list.iter().map(|p| format!("{}  {}", p.key, p.rules)).collect::<Vec<_>>().join("\n"))
        }
    }
}

async fn deal_command(ws: &Workspace, command: DealCommand) -> Result<(), Error> {
    use tend::deals::{DealFilter, DealInput};
    let deal_text = |d: &tend::deals::Deal| {
        let amount = d.amount.map(|a| format!("  {a} {}", d.currency.as_deref().unwrap_or(""))).unwrap_or_default();
        format!("{}  [{}]  {}  ({}){amount}", d.id, d.stage_id, d.title, d.customer_name)
    };
    match command {
        DealCommand::Add { customer, title, stage, amount, currency, close, owner, json } => {
            let input = DealInput {
                title,
                stage_id: stage,
                amount,
                currency,
                expected_close: close,
                owner_id: owner,
                lost_reason: None,
            };
            let d = ws.create_deal(&customer, &input).await?;
            print(json, &d, || deal_text(&d))
        }
        DealCommand::Stage { id, stage, reason, json } => {
            let d = ws.move_deal(&id, &stage, reason.as_deref()).await?;
            print(json, &d, || deal_text(&d))
        }
        DealCommand::Purchase { id, amount, json } => {
            let d = ws.record_deal_purchase(&id, amount).await?;
            print(json, &d, || format!("{}  purchase {}", deal_text(&d), d.purchase_id.as_deref().unwrap_or("")))
        }
        DealCommand::List { owner, from, to, json } => {
            let p = ws.pipeline(&DealFilter { owner_id: owner, from, to }).await?;
            print(json, &p, || {
                let mut out = Vec::new();
                for (stage, col) in p.stages.iter().zip(&p.columns) {
                    let totals: Vec<String> =
                        col.totals.iter().map(|t| format!("{} {}", t.amount, t.currency)).collect();
                    out.push(format!("{} ({}, {})", stage.id, col.count, totals.join(" + ")));
                    for d in p.deals.iter().filter(|d| d.stage_id == stage.id) {
                        out.push(format!("  {}", deal_text(d)));
                    }
                }
                out.join("\n")
            })
        }
        DealCommand::Delete { id, json } => {
            ws.delete_deal(&id).await?;
            print(json, &serde_json::json!({ "deleted": id }), || format!("deal {id} moved to the trash"))
        }
        DealCommand::Restore { id, json } => {
            let d = ws.restore_deal(&id).await?;
            print(json, &d, || deal_text(&d))
        }
        DealCommand::Trash { json } => {
            let deals = ws.trashed_deals().await?;
            print(json, &deals, || deals.iter().map(deal_text).collect::<Vec<_>>().join("\n"))
        }
        DealCommand::Stages { json } => {
            let stages = ws.deal_stages().await?;
            print(json, &stages, || {
                stages
                    .iter()
                    .map(|s| {
                        format!(
                            "{}  {}  {}%  {}",
                            s.id,
                            s.name.as_deref().unwrap_or(&s.id),
                            s.probability,
                            s.kind.as_str()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}

fn customer_text(c: &tend::customers::Customer) -> String {
    let phones: Vec<&str> = c.phones.iter().map(|p| p.number.as_str()).collect();
    let emails: Vec<&str> = c.emails.iter().map(|e| e.address.as_str()).collect();
    format!("{}  {}\n  phones: {}\n  emails: {}", c.id, c.name, phones.join(", "), emails.join(", "))
}

/// The language of the CLI's messages: the workspace's, once it is open.
static LANG: std::sync::OnceLock<tend::messages::Lang> = std::sync::OnceLock::new();

/// The language of the CLI's messages now.
fn lang() -> tend::messages::Lang {
    LANG.get().copied().unwrap_or_else(tend::messages::Lang::from_env)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = wants_json(&cli.command);
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
