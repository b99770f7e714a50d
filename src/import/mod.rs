//! Imports: customers from CSV/text, XLSX/XLS/ODS and vCard files. A file is read as rows
//! (`source`), its columns mapped to fields (`mapping`), each row turned into a customer form
//! (`row`) and validated like any form; valid rows are written in ONE transaction (`write`), with
//! duplicates skipped, merged or created as chosen. Rejected rows are reported (row, column,
//! value, reason) and can be written to a file in the original layout. Cancelling or a crash
//! leaves the workspace as it was; undo reverses an import through its change records.

mod activity;
mod cancel;
mod cut;
pub mod mapping;
mod row;
pub mod saved;
mod sheet;
pub mod source;
mod surveys;
mod tickets;
use tickets::{preview_tickets, run_tickets, TicketsCx};
mod undo;
pub mod vcard;
pub(crate) mod write;

pub use crate::validate::money_cell;
pub use activity::datetime_cell;
pub use cancel::Cancels;
pub use mapping::{suggest, ColumnMap, Mapping};
pub use row::{date_cell, phone_cell};
pub use saved::NamedMapping;
pub use source::Record;
pub use surveys::SurveyImport;

/// Reads a file as an import would (format and encoding detected unless given): its header and
/// up to `max_rows` rows. Writes nothing; used by the fuzz targets and for inspection.
pub fn read_file(path: &Path, opts: &ReadOptions, max_rows: usize) -> Result<(Vec<String>, Vec<Record>)> {
    let mut opened = source::open(path, opts)?;
    let mut rows = Vec::new();
    while rows.len() < max_rows {
        match opened.rows.next_record()? {
            Some(r) => rows.push(r),
            None => break,
        }
    }
    Ok((opened.headers, rows))
}
pub use source::{Format, ReadOptions, TextEncoding};
pub use undo::UndoReport;

use crate::customers::{check, CustomerInput, CustomerKind, Rules};
use crate::error::{Error, FieldError, Result};
use crate::fold::fold;
use crate::Workspace;
use row::{CellError, Lookups, Plan};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What an import's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ImportEntity {
    #[default]
    Customers,
    Interactions,
    /// Tickets of another tool's history, with their customers (found or made), instants and
    /// survey scores: all or none (one row with a problem refuses the file).
    Tickets,
}

impl ImportEntity {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportEntity::Customers => "customers",
            ImportEntity::Interactions => "interactions",
            ImportEntity::Tickets => "tickets",
        }
    }
}

str_enum!(OnDuplicate {
    Skip = "skip",
    Merge = "merge",
    Create = "create",
});

/// Everything an import is told.
#[derive(Debug, Clone, Default, Deserialize, Type)]
#[serde(default)]
pub struct ImportOptions {
    /// What the rows are: customers (the default), or interactions and purchases of customers
    /// already in the workspace, named by phone, email or customer code.
    pub entity: ImportEntity,
    pub read: ReadOptions,
    /// The suggested mapping when not given.
    pub mapping: Option<Mapping>,
    /// Skip when not given. For interactions: a row equal to one the customer already has (same
    /// time, kind, summary and amount) is skipped unless this is `create`.
    pub on_duplicate: Option<OnDuplicate>,
    /// Where to write the rejected rows (CSV, the file's own columns); none when not given.
    pub rejects_path: Option<String>,
    /// A static list (segment id) to put the file's customers on: those created, merged, and the
    /// duplicates skipped (the customer the row names is already there). Customers only.
    pub list_id: Option<String>,
}

/// A rejected row's problem: which row, which column, what it held, why.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct RowError {
    #[specta(type = i32)]
    pub row: u64,
    pub column: String,
    pub value: String,
    /// In English (the CLI prints it); the app translates `message_key` with `params`.
    pub reason: String,
    pub message_key: String,
    pub params: BTreeMap<String, String>,
}

/// A value the merge did not overwrite: the customer kept its own.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct KeptValue {
    #[specta(type = i32)]
    pub row: u64,
    pub customer_id: String,
    pub field: String,
    pub kept: String,
    pub ignored: String,
}

/// A row that matched a customer already there (or earlier in the file).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct DuplicateRow {
    #[specta(type = i32)]
    pub row: u64,
    pub customer_id: String,
    /// "phone", "email" or "tax_code"
    pub reason: String,
    pub value: String,
    /// The match was made earlier in the same file.
    pub in_file: bool,
    /// "skipped", "merged" or "created"
    pub action: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ImportReport {
    pub import_id: String,
    #[specta(type = i32)]
    pub imported: u64,
    #[specta(type = i32)]
    pub merged: u64,
    #[specta(type = i32)]
    pub skipped: u64,
    /// Companies created for persons' "company" column.
    #[specta(type = i32)]
    pub companies: u64,
    /// Customers put on the static list `list_id` (those already on it not counted).
    #[specta(type = i32)]
    pub listed: u64,
    /// Interactions imports: orders of several rows (same order number), each read as one
    /// purchase (`imported` or `skipped` counts it once).
    #[specta(type = i32)]
    pub orders: u64,
    /// Tickets imports: customers made for rows that named none already there.
    #[specta(type = i32)]
    pub customers: u64,
    /// Tickets imports: survey answers (CSAT, NPS, CES) kept with the tickets.
    #[specta(type = i32)]
    pub answers: u64,
    pub failed: Vec<RowError>,
    /// Rows rejected (a row can have several problems in `failed`).
    #[specta(type = i32)]
    pub failed_rows: u64,
    pub kept: Vec<KeptValue>,
    pub duplicates: Vec<DuplicateRow>,
    /// Old 11-digit mobile numbers converted to their 10-digit successors (2018), one per
    /// number: the row, column, the number as written, `notice.phone_renumbered` {from, to}.
    pub renumbered: Vec<RowError>,
    /// Custom fields made for columns mapped to `new_field`.
    pub new_fields: Vec<String>,
    /// Columns of the file that were not imported (mapped to `ignore`), so nothing is left out
    /// unnoticed.
    pub ignored_columns: Vec<String>,
    #[specta(type = i32)]
    pub rows: u64,
    #[specta(type = i32)]
    pub millis: u64,
    pub rejects_path: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ImportProgress {
    #[specta(type = i32)]
    pub rows: u64,
    pub rows_per_second: f64,
}

impl RowError {
    /// A rejected row's problem as reported: its value cut to a bounded length
    /// (`validate::echo`), so a huge cell is never printed whole.
    fn new(row: u64, column: String, key: String, params: BTreeMap<String, String>) -> RowError {
        let params = echoed(params);
        RowError {
            row,
            column,
            value: params.get("value").cloned().unwrap_or_default(),
            reason: crate::error::messages::reason_en(&key).to_string(),
            message_key: key,
            params,
        }
    }
}

/// A problem's parameters with the value it echoes cut to a bounded length.
fn echoed(mut params: BTreeMap<String, String>) -> BTreeMap<String, String> {
    if let Some(v) = params.get_mut("value") {
        *v = crate::validate::echo(v);
    }
    params
}

/// A cell's problem in the preview.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct CellProblem {
    /// Column index (0-based) in `headers`.
    #[specta(type = i32)]
    pub column: u32,
    pub message_key: String,
    pub params: BTreeMap<String, String>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct PreviewRow {
    #[specta(type = i32)]
    pub row: u64,
    pub cells: Vec<String>,
    pub problems: Vec<CellProblem>,
    /// The name of the customer this row duplicates, if any.
    pub duplicate_of: Option<String>,
    /// Interactions: the name of the customer the row goes to.
    pub customer: Option<String>,
}

/// What the import dialog shows before anything is written.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ImportPreview {
    pub format: Format,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    #[specta(type = i32)]
    pub header_row: u64,
    pub headers: Vec<String>,
    pub mapping: Mapping,
    /// Every target a column can take: the built-in ones and `custom:<key>` for each field.
    pub targets: Vec<String>,
    pub rows: Vec<PreviewRow>,
    /// Problems with the mapping itself (no name column, unknown field); empty when it is usable.
    pub mapping_errors: Vec<FieldError>,
}

/// An import as listed (for undo).
#[derive(Debug, Clone, Serialize, Type, sqlx::FromRow)]
pub struct ImportSummary {
    pub id: String,
    /// "customers" or "interactions"
    pub entity: String,
    pub source_name: String,
    pub format: String,
    #[specta(type = i32)]
    pub imported: i64,
    #[specta(type = i32)]
    pub merged: i64,
    #[specta(type = i32)]
    pub skipped: i64,
    #[specta(type = i32)]
    pub failed: i64,
    #[specta(type = i32)]
    pub created_at: i64,
    #[specta(type = Option<i32>)]
    pub undone_at: Option<i64>,
}

fn targets(rules: &Rules) -> Vec<String> {
    let mut t: Vec<String> = mapping::TARGETS.iter().map(|s| s.to_string()).collect();
    t.extend(rules.fields.iter().map(|f| format!("custom:{}", f.key)));
    t
}

fn custom_labels(rules: &Rules) -> Vec<(String, String)> {
    rules.fields.iter().map(|f| (f.key.clone(), f.label.clone())).collect()
}

/// The mapping given, or the one suggested for this file.
fn mapping_for(opened: &source::Opened, given: &Option<Mapping>, rules: &Rules) -> Mapping {
    match given {
        Some(m) => m.clone(),
        None if opened.format == Format::Vcf => vcard::default_mapping(),
        None => suggest(&opened.headers, &custom_labels(rules)),
    }
}

impl Workspace {
    async fn lookups(&self, rules: &Rules) -> Result<Lookups> {
        let mut l = Lookups::default();
        for (word, id) in Lookups::stage_words() {
            if rules.stages.contains(id) {
                l.stages.insert(word.to_string(), id.to_string());
            }
        }
        let stages: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT id, name FROM stages WHERE deleted_at IS NULL").fetch_all(self.pool()).await?;
        for (id, name) in stages {
            l.stages.insert(id.clone(), id.clone());
            if let Some(n) = name {
                l.stages.insert(fold(&n), id);
            }
        }
        let staff: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT id, name, email FROM staff WHERE deleted_at IS NULL").fetch_all(self.pool()).await?;
        for (id, name, email) in staff {
            l.staff.insert(fold(&name), id.clone());
            if let Some(e) = email {
                l.staff.insert(e.to_lowercase(), id.clone());
            }
            l.staff.insert(id.clone(), id);
        }
        for f in &rules.fields {
            l.fields.insert(f.key.clone(), f.kind);
        }
        Ok(l)
    }

    /// Reads the start of a file: what was detected, the suggested (or given) mapping and the
    /// first rows with every problem each cell would have. Writes nothing.
    pub async fn import_preview(&self, file: &Path, opts: &ImportOptions, rows: usize) -> Result<ImportPreview> {
        let rules = self.rules().await?;
        let lookups = self.lookups(&rules).await?;
        let file = file.to_path_buf();
        let opts = opts.clone();
        let readers_path = self.path().to_path_buf();
        match opts.entity {
            ImportEntity::Customers => {
                crate::blocking("preview", move || preview(&readers_path, &file, &opts, rows, &rules, &lookups)).await
            }
            ImportEntity::Interactions => {
                let cx = self.activity_context(&lookups).await?;
                crate::blocking("preview", move || preview_activity(&readers_path, &file, &opts, rows, &cx)).await
            }
            ImportEntity::Tickets => {
                let cx = self.tickets_context(&lookups, &rules, false).await?;
                crate::blocking("preview", move || preview_tickets(&readers_path, &file, &opts, rows, &cx)).await
            }
        }
    }

    /// What converting interaction rows needs from the workspace.
    async fn activity_context(&self, lookups: &Lookups) -> Result<ActivityCx> {
        let zone = self.time_zone().await?;
        let tz = jiff::tz::TimeZone::get(&zone).map_err(|e| {
            Error::Validation(vec![
                FieldError::new("time_zone", "validation.time_zone_invalid").with("value", format!("{zone}: {e}"))
            ])
        })?;
        Ok(ActivityCx {
            staff: lookups.staff.clone(),
            live_staff: lookups.staff.values().cloned().collect(),
            tz,
            now: self.now_ms(),
            actor: self.current_staff_id().await?,
        })
    }

    /// Imports customers from a file in one transaction. `progress` is called every thousand rows
    /// or so; setting `cancel` stops the import and writes nothing.
    pub async fn import(
        &self,
        file: &Path,
        opts: &ImportOptions,
        progress: impl Fn(ImportProgress) + Send + 'static,
        cancel: Arc<AtomicBool>,
    ) -> Result<ImportReport> {
        let rules = self.rules().await?;
        let lookups = self.lookups(&rules).await?;
        let actor = self.current_staff_id().await?;
        let activity = match opts.entity {
            ImportEntity::Interactions => Some(self.activity_context(&lookups).await?),
            ImportEntity::Customers | ImportEntity::Tickets => None,
        };
        // A file that cannot be read, or a rejects file that cannot be written, is said so before
        // anything else happens (no backup either).
        if let Some(p) = &opts.rejects_path {
            writable(Path::new(p))?;
        }
        if let Some(list) = &opts.list_id {
            if opts.entity != ImportEntity::Customers {
                return Err(Error::invalid("list_id", "import.list_customers_only"));
            }
            self.static_list(list).await.map_err(|e| match e {
                Error::NotFound { .. } => {
                    Error::Validation(vec![FieldError::new("list_id", "segment.unknown_segment").with("value", list)])
                }
                Error::Validation(mut v) => {
                    v.iter_mut().for_each(|f| f.field = "list_id".into());
                    Error::Validation(v)
                }
                other => other,
            })?;
        }
        {
            let (f, read) = (file.to_path_buf(), opts.read.clone());
            crate::blocking("import", move || source::open(&f, &read).map(|_| ())).await?;
        }
        self.ready_to_write().await?;
        // (the default team made first when the workspace has none: a ticket needs a team)
        let tickets = match opts.entity {
            ImportEntity::Tickets => Some(self.tickets_context(&lookups, &rules, true).await?),
            _ => None,
        };
        // A copy of the workspace as it was, besides undo (kept: the last three).
        self.auto_backup(crate::backup::BackupReason::PreImport).await?;
        let mut hlc = self.clock_lock().await;
        let ctx = RunCtx {
            workspace: self.path().to_path_buf(),
            file: file.to_path_buf(),
            opts: opts.clone(),
            rules,
            lookups,
            actor,
            device: self.device().to_string(),
            now: self.now_ms(),
            activity,
            tickets,
        };
        // The task works on a copy of the clock: if it panics, the clock stays as it was.
        let mut state = hlc.clone();
        let mut long = self.long_write_guard(crate::writers::LongWrite::Import);
        let (res, state) = tokio::task::spawn_blocking(move || {
            let r = long.lock_file(&ctx.workspace).and_then(|()| match (&ctx.activity, &ctx.tickets) {
                (Some(cx), _) => run_activity(&ctx, cx, &mut state, &progress, &cancel),
                (None, Some(cx)) => run_tickets(&ctx, cx, &mut state, &progress, &cancel),
                (None, None) => run(&ctx, &mut state, &progress, &cancel),
            });
            drop(long);
            (r, state)
        })
        .await
        .map_err(|e| Error::Interrupted { task: "import", detail: e.to_string() })?;
        *hlc = state;
        res
    }

    /// Imports, newest first.
    pub async fn imports(&self) -> Result<Vec<ImportSummary>> {
        Ok(sqlx::query_as::<_, ImportSummary>(
            "SELECT id, entity, source_name, format, imported, merged, skipped, failed, created_at, undone_at
             FROM imports ORDER BY created_at DESC, rowid DESC",
        )
        .fetch_all(self.pool())
        .await?)
    }
}

/// `activity::Context`, owned (it crosses into the blocking task).
struct ActivityCx {
    staff: std::collections::HashMap<String, String>,
    live_staff: std::collections::HashSet<String>,
    tz: jiff::tz::TimeZone,
    now: i64,
    actor: Option<String>,
}

impl ActivityCx {
    fn borrow(&self) -> activity::Context<'_> {
        activity::Context {
            staff: &self.staff,
            live_staff: &self.live_staff,
            tz: &self.tz,
            now: self.now,
            actor: self.actor.as_deref(),
        }
    }
}

/// The live customer an interaction row names: (seq, id), or why none (column, key, value).
fn find_customer(
    conn: &rusqlite::Connection,
    ready: &activity::Ready,
) -> Result<std::result::Result<(i64, String), activity::Problem>> {
    let keys: Vec<(String, &'static str, String)> =
        ready.keys.iter().map(|(k, r, v, _)| (k.clone(), *r, v.clone())).collect();
    let found = write::holders(conn, &keys)?;
    let why = |k: usize, key: &str| {
        let (_, _, value, col) = &ready.keys[k];
        (*col, key.to_string(), value.clone())
    };
    Ok(match found.as_slice() {
        [] => Err(why(0, "import.customer_not_found")),
        [(seq, id, _)] => Ok((*seq, id.clone())),
        [_, (_, _, k), ..] => Err(why(*k, "import.customer_ambiguous")),
    })
}

fn cell_problem((column, key, value): activity::Problem) -> CellProblem {
    let params = echoed(BTreeMap::from([("value".to_string(), value)]));
    CellProblem {
        column: column as u32,
        reason: crate::error::messages::reason_en(&key).to_string(),
        message_key: key,
        params,
    }
}

fn preview_activity(
    workspace: &Path,
    file: &Path,
    opts: &ImportOptions,
    n: usize,
    cx: &ActivityCx,
) -> Result<ImportPreview> {
    let mut opened = source::open(file, &opts.read)?;
    let mapping = opts.mapping.clone().unwrap_or_else(|| activity::suggest(&opened.headers));
    let (plan, mapping_errors) = match activity::plan(&opened.headers, &mapping) {
        Ok(p) => (Some(p), vec![]),
        Err(e) => (None, e),
    };
    let conn = rusqlite::Connection::open_with_flags(workspace, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut rows = Vec::new();
    while rows.len() < n {
        let Some(rec) = opened.rows.next_record()? else { break };
        let mut problems = Vec::new();
        let mut customer = None;
        if let Some(plan) = &plan {
            match activity::assess(plan, &cx.borrow(), &rec) {
                Ok(ready) => match find_customer(&conn, &ready)? {
                    Ok((_, id)) => {
                        customer = conn
                            .query_row("SELECT name FROM customers WHERE id = ?", [&id], |r| r.get::<_, String>(0))
                            .optional()?
                    }
                    Err(p) => problems.push(cell_problem(p)),
                },
                Err(list) => problems = list.into_iter().map(cell_problem).collect(),
            }
        }
        rows.push(PreviewRow { row: rec.row, cells: rec.cells, problems, duplicate_of: None, customer });
    }
    Ok(ImportPreview {
        format: opened.format,
        encoding: opened.encoding.map(str::to_string),
        delimiter: opened.delimiter.map(|d| if d == '\t' { "tab".to_string() } else { d.to_string() }),
        sheets: opened.sheets,
        sheet: opened.sheet,
        header_row: opened.header_row,
        headers: opened.headers,
        mapping,
        targets: activity::TARGETS.iter().map(|s| s.to_string()).collect(),
        rows,
        mapping_errors,
    })
}

fn preview(
    workspace: &Path,
    file: &Path,
    opts: &ImportOptions,
    n: usize,
    rules: &Rules,
    lookups: &Lookups,
) -> Result<ImportPreview> {
    let mut opened = source::open(file, &opts.read)?;
    let mapping = mapping_for(&opened, &opts.mapping, rules);
    // `new_field` columns preview as text custom fields.
    let mut lookups = lookups.clone();
    let mut rules = rules.clone();
    let mut effective = mapping.clone();
    for c in effective.columns.iter_mut().filter(|c| c.target == "new_field") {
        let key = format!("__new_{}", crate::settings::field_key(&c.column));
        lookups.fields.insert(key.clone(), crate::settings::CustomFieldKind::Text);
        rules.fields.push(crate::settings::CustomField {
            id: key.clone(),
            key: key.clone(),
            label: c.column.clone(),
            kind: crate::settings::CustomFieldKind::Text,
            options: vec![],
            required: false,
            position: 0,
        });
        c.target = format!("custom:{key}");
    }
    let (plan, mapping_errors) = match row::plan(&opened.headers, &effective, &lookups) {
        Ok(p) => (Some(p), vec![]),
        Err(Error::Validation(e)) => (None, e),
        Err(e) => return Err(e),
    };
    let conn = rusqlite::Connection::open_with_flags(workspace, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut rows = Vec::new();
    while rows.len() < n {
        let Some(rec) = opened.rows.next_record()? else { break };
        let mut problems = Vec::new();
        let mut duplicate_of = None;
        if let Some(plan) = &plan {
            let (errors, cols) = assess(plan, &lookups, &rules, &rec);
            problems = errors
                .into_iter()
                .map(|(column, key, params)| CellProblem {
                    column: column as u32,
                    reason: crate::error::messages::reason_en(&key).to_string(),
                    message_key: key,
                    params: echoed(params),
                })
                .collect();
            if let Some((cols, _, _, _)) = cols {
                if let Some((_, id, _)) = write::holders(&conn, &cols.keys())?.first() {
                    duplicate_of =
                        conn.query_row("SELECT name FROM customers WHERE id = ?", [id], |r| r.get::<_, String>(0)).ok();
                }
            }
        }
        rows.push(PreviewRow { row: rec.row, cells: rec.cells, problems, duplicate_of, customer: None });
    }
    Ok(ImportPreview {
        format: opened.format,
        encoding: opened.encoding.map(str::to_string),
        delimiter: opened.delimiter.map(|d| if d == '\t' { "tab".to_string() } else { d.to_string() }),
        sheets: opened.sheets,
        sheet: opened.sheet,
        header_row: opened.header_row,
        headers: opened.headers,
        mapping,
        targets: targets(&rules),
        rows,
        mapping_errors,
    })
}

type Problem = (usize, String, BTreeMap<String, String>);

/// A row longer than the bound (`source::MAX_ROW_TEXT`), at the column where it went past it.
fn too_long(rec: &source::Record, column: usize) -> Problem {
    let value = rec.cells.get(column).cloned().unwrap_or_default();
    let params = BTreeMap::from([("value".to_string(), value), ("max".to_string(), "1 MB".to_string())]);
    (column, "import.cell_too_long".to_string(), params)
}

/// A valid row's columns, the company it names (validated too), the person's title there and
/// what the check converted (old mobile numbers), by column.
type Valid = (crate::customers::Columns, Option<crate::customers::Columns>, Option<String>, Vec<Problem>);

/// Converts and validates a row: its problems by column, or what it holds.
fn assess(plan: &Plan, lookups: &Lookups, rules: &Rules, rec: &source::Record) -> (Vec<Problem>, Option<Valid>) {
    if let Some(column) = rec.too_long {
        return (vec![too_long(rec, column)], None);
    }
    let conv = row::convert(plan, lookups, rec);
    let mut problems: Vec<Problem> = conv
        .errors
        .iter()
        .map(|CellError { column, key, value }| {
            let mut p = BTreeMap::new();
            p.insert("value".to_string(), value.clone());
            (*column, key.clone(), p)
        })
        .collect();
    let name_col = conv.column_of("name").unwrap_or(0);
    let cell = |c: usize| rec.cells.get(c).cloned().unwrap_or_default();
    let cols = match check(rules, &conv.input) {
        Ok(c) => Some(c),
        Err(errs) => {
            for e in errs.into_vec() {
                let column = conv.column_of(&e.field).unwrap_or(name_col);
                let mut params = e.params.clone();
                params.entry("value".into()).or_insert_with(|| cell(column));
                problems.push((column, e.message_key, params));
            }
            None
        }
    };
    let company = match (&conv.company, cols.as_ref().map(|c| c.kind)) {
        (Some(name), Some(CustomerKind::Person)) => {
            let input = CustomerInput { kind: CustomerKind::Company, name: name.clone(), ..Default::default() };
            match check(rules, &input) {
                Ok(c) => Some(c),
                Err(errs) => {
                    let column = conv.column_of("company").unwrap_or(name_col);
                    for e in errs.into_vec() {
                        let mut params = e.params.clone();
                        params.entry("value".into()).or_insert_with(|| cell(column));
                        problems.push((column, e.message_key, params));
                    }
                    None
                }
            }
        }
        _ => None,
    };
    // The person's title at the company becomes the contact's role: checked as a role is.
    let mut title_errs = crate::error::Errors::default();
    let title = company.as_ref().and_then(|_| crate::customers::contact_role(&mut title_errs, "title", &conv.title));
    for e in title_errs.into_vec() {
        let column = conv.column_of("title").unwrap_or(name_col);
        let mut params = e.params.clone();
        params.entry("value".into()).or_insert_with(|| cell(column));
        problems.push((column, e.message_key, params));
    }
    if !problems.is_empty() {
        return (problems, None);
    }
    let valid = cols.map(|c| {
        let at = |f: &str| conv.column_of(f).unwrap_or(name_col);
        let notices = c.notices.iter().map(|n| (at(&n.field), n.message_key.clone(), n.params.clone())).collect();
        (c, company, title, notices)
    });
    (problems, valid)
}

/// A row checked on the reading thread: its problems, or what the writer needs.
struct Assessed {
    rec: source::Record,
    problems: Vec<Problem>,
    checked: Option<Checked>,
}

/// A valid row, ready to write: its columns, search entries and identity keys, the company it
/// names (checked too) and the person's title there.
struct Checked {
    cols: crate::customers::Columns,
    doc: crate::search::IndexDoc,
    keys: Vec<(String, &'static str, String)>,
    company: Option<crate::customers::Columns>,
    title: Option<String>,
    notices: Vec<Problem>,
}

impl Assessed {
    fn of(plan: &Plan, lookups: &Lookups, rules: &Rules, rec: source::Record) -> Assessed {
        let (problems, checked) = assess(plan, lookups, rules, &rec);
        let checked = checked.map(|(cols, company, title, notices)| Checked {
            doc: crate::customers::write::doc_of(&cols, &[]),
            keys: cols.keys(),
            title: title.filter(|_| company.is_some()),
            cols,
            company,
            notices,
        });
        Assessed { rec, problems, checked }
    }
}

/// Reads and checks the rows of a file on the thread that works ahead of the writer, in batches
/// (one hand-over per row would cost the writer a wake-up per row).
fn check_rows<T>(rows: &mut dyn source::Rows, check: impl Fn(source::Record) -> T, behind: source::Behind<Vec<T>>) {
    const BATCH: usize = 128;
    loop {
        let mut batch = Vec::with_capacity(BATCH);
        let mut end = None;
        while batch.len() < BATCH {
            match rows.next_record() {
                Ok(Some(rec)) => batch.push(check(rec)),
                Ok(None) => end = Some(Ok(None)),
                Err(e) => end = Some(Err(e)),
            }
            if end.is_some() {
                break;
            }
        }
        if !batch.is_empty() && behind.send(Ok(Some(batch))).is_err() {
            return; // the writer stopped: cancelled or failed
        }
        if let Some(end) = end {
            let _ = behind.send(end);
            return;
        }
    }
}

struct RunCtx {
    workspace: PathBuf,
    file: PathBuf,
    opts: ImportOptions,
    rules: Rules,
    lookups: Lookups,
    actor: Option<String>,
    device: String,
    now: i64,
    /// Set for an interactions import.
    activity: Option<ActivityCx>,
    /// Set for a tickets import.
    tickets: Option<TicketsCx>,
}

impl ImportReport {
    /// An import's report before its first row.
    fn start(import_id: String, headers: &[String], mapping: &Mapping, new_fields: Vec<String>) -> Self {
        ImportReport {
            import_id,
            imported: 0,
            merged: 0,
            skipped: 0,
            companies: 0,
            listed: 0,
            orders: 0,
            customers: 0,
            answers: 0,
            failed: vec![],
            failed_rows: 0,
            kept: vec![],
            duplicates: vec![],
            renumbered: vec![],
            new_fields,
            ignored_columns: headers.iter().filter(|h| mapping.target_of(h) == "ignore").cloned().collect(),
            rows: 0,
            millis: 0,
            rejects_path: None,
        }
    }

    /// Tells the progress callback how far the import is.
    fn tell(&self, started: Instant, progress: &dyn Fn(ImportProgress)) {
        let secs = started.elapsed().as_secs_f64().max(1e-6);
        progress(ImportProgress { rows: self.rows, rows_per_second: self.rows as f64 / secs });
    }
}

/// Rejected rows, written as they come, in the file's own columns.
struct Rejects {
    path: Option<PathBuf>,
    headers: Vec<String>,
    delimiter: u8,
    out: Option<csv::Writer<std::fs::File>>,
}

impl Rejects {
    /// Rejected rows of this file go to the path the import was given (none: not written).
    fn new(ctx: &RunCtx, opened: &source::Opened) -> Self {
        Rejects {
            path: ctx.opts.rejects_path.as_ref().map(PathBuf::from),
            headers: opened.headers.clone(),
            delimiter: opened.delimiter.map(|d| d as u8).unwrap_or(b','),
            out: None,
        }
    }

    fn push(&mut self, cells: &[String]) -> Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        if self.out.is_none() {
            let mut f = std::fs::File::create(path)?;
            std::io::Write::write_all(&mut f, b"\xEF\xBB\xBF")?; // Excel reads UTF-8 with a BOM
            let mut w = csv::WriterBuilder::new().flexible(true).delimiter(self.delimiter).from_writer(f);
            w.write_record(&self.headers)?;
            self.out = Some(w);
        }
        if let Some(w) = self.out.as_mut() {
            w.write_record(cells)?;
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<Option<String>> {
        match self.out.take() {
            Some(mut w) => {
                w.flush()?;
                Ok(self.path.as_ref().map(|p| p.display().to_string()))
            }
            None => Ok(None),
        }
    }
}

/// Whether a file can be written at `path` (it is left as it was: one made to try is removed).
fn writable(path: &Path) -> Result<()> {
    let existed = path.exists();
    match std::fs::OpenOptions::new().append(true).create(true).open(path) {
        Ok(_) => {
            if !existed {
                let _ = std::fs::remove_file(path);
            }
            Ok(())
        }
        Err(e) => Err(Error::Validation(vec![FieldError::new("rejects_path", "import.rejects_unwritable")
            .with("detail", format!("{}: {e}", path.display()))])),
    }
}

fn run(
    ctx: &RunCtx,
    hlc: &mut crate::clock::Hlc,
    progress: &dyn Fn(ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportReport> {
    let started = Instant::now();
    let mut opened = source::open(&ctx.file, &ctx.opts.read)?;
    let mut rules = ctx.rules.clone();
    let mut lookups = ctx.lookups.clone();
    let mut mapping = ctx.opts.mapping.clone().unwrap_or_else(|| suggest(&opened.headers, &custom_labels(&rules)));
    let on_dup = ctx.opts.on_duplicate.unwrap_or(OnDuplicate::Skip);
    let conn = crate::db::raw_open(&ctx.workspace)?;
    let tx = crate::db::raw_begin(&conn, hlc, ctx.now, &ctx.device, ctx.actor.as_deref())?;
    let result = (|| -> Result<ImportReport> {
        let new_fields = make_fields(&conn, &mut mapping, &mut rules, &mut lookups)?;
        let plan = row::plan(&opened.headers, &mapping, &lookups)?;
        let import_id = crate::db::new_id();
        let mut report = ImportReport::start(import_id.clone(), &opened.headers, &mapping, new_fields);
        let first_new_seq: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM customers", [], |r| r.get(0))?;
        let mut rejects = Rejects::new(ctx, &opened);
        let mut last_tick = Instant::now();
        let mut fts = crate::customers::write::FtsBatch::default();
        // the static list the file's customers go on (checked before the import began)
        let list = |customer: &str| -> Result<u64> {
            let Some(list) = &ctx.opts.list_id else { return Ok(0) };
            let mut st = conn.prepare_cached(
                "INSERT INTO segment_members (segment_id, customer_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            )?;
            Ok(st.execute(rusqlite::params![list, customer, ctx.now])? as u64)
        };
        // Reading and checking rows (parsing, phone numbers, search text) runs on a second thread a
        // few hundred rows ahead, so the one writer only writes.
        let rows = &mut opened.rows;
        let (lookups, rules, plan) = (&lookups, &rules, &plan);
        std::thread::scope(|scope| -> Result<()> {
            let (behind, mut ahead) = source::Ahead::channel(4);
            let check = move |rec| Assessed::of(plan, lookups, rules, rec);
            scope.spawn(move || check_rows(rows.as_mut(), check, behind));
            while let Some(batch) = ahead.next()? {
                for Assessed { rec, problems, checked } in batch {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(Error::Cancelled);
                    }
                    report.rows += 1;
                    if report.rows.is_multiple_of(1000) && last_tick.elapsed().as_millis() >= 100 {
                        last_tick = Instant::now();
                        report.tell(started, progress);
                    }
                    let row_error = |(column, key, params): Problem, value: &str| RowError {
                        row: rec.row,
                        column: row::column_name(plan, column),
                        value: params.get(value).cloned().unwrap_or_default(),
                        reason: crate::error::messages::reason_en(&key).to_string(),
                        message_key: key,
                        params,
                    };
                    let Some(Checked { cols, doc, keys, company, title, notices }) = checked else {
                        report.failed_rows += 1;
                        for (column, key, params) in problems {
                            report.failed.push(RowError::new(rec.row, row::column_name(plan, column), key, params));
                        }
                        rejects.push(&rec.cells)?;
                        continue;
                    };
                    report.renumbered.extend(notices.into_iter().map(|p| row_error(p, "from")));
                    let holders = write::holders(&conn, &keys)?;
                    match (holders.first(), on_dup) {
                        (Some((seq, id, k)), OnDuplicate::Skip | OnDuplicate::Merge) => {
                            let (_, reason, value) = &keys[*k];
                            let merge = on_dup == OnDuplicate::Merge;
                            report.duplicates.push(DuplicateRow {
                                row: rec.row,
                                customer_id: id.clone(),
                                reason: reason.to_string(),
                                value: value.clone(),
                                in_file: *seq >= first_new_seq,
                                action: if merge { "merged" } else { "skipped" }.into(),
                            });
                            if !merge {
                                report.skipped += 1;
                                report.listed += list(id)?;
                                continue;
                            }
                            let (_, existing) = crate::customers::write::load_columns(&conn, *seq)?;
                            let (merged, kept) = write::merge(&existing, &cols);
                            for k in kept {
                                report.kept.push(KeptValue {
                                    row: rec.row,
                                    customer_id: id.clone(),
                                    field: k.field,
                                    kept: k.kept,
                                    ignored: k.ignored,
                                });
                            }
                            crate::customers::write::update(
                                &conn,
                                *seq,
                                id,
                                &crate::customers::write::all_columns(&merged)?,
                                &merged.custom,
                                &mut fts,
                            )?;
                            report.merged += 1;
                            report.listed += list(id)?;
                        }
                        (first, _) => {
                            if let Some((seq, id, k)) = first {
                                let (_, reason, value) = &keys[*k];
                                report.duplicates.push(DuplicateRow {
                                    row: rec.row,
                                    customer_id: id.clone(),
                                    reason: reason.to_string(),
                                    value: value.clone(),
                                    in_file: *seq >= first_new_seq,
                                    action: "created".into(),
                                });
                            }
                            let id = crate::db::new_id();
                            crate::customers::write::insert(&conn, &id, &cols, &doc, ctx.now, &mut fts)?;
                            report.imported += 1;
                            report.listed += list(&id)?;
                        }
                    }
                    if let Some(company) = company {
                        let folded = fold(&company.name);
                        let target = match write::company_by_name(&conn, &folded)? {
                            Some(c) => c,
                            None => {
                                let cid = crate::db::new_id();
                                let doc = crate::customers::write::doc_of(&company, &[]);
                                let seq =
                                    crate::customers::write::insert(&conn, &cid, &company, &doc, ctx.now, &mut fts)?;
                                report.companies += 1;
                                (cid, seq)
                            }
                        };
                        write::add_contact(&conn, (&target.0, target.1), &cols, title.as_deref(), ctx.now, &mut fts)?;
                    }
                }
            }
            Ok(())
        })?;
        fts.flush(&conn)?;
        report.rejects_path = rejects.finish()?;
        report.millis = started.elapsed().as_millis() as u64;
        record_import(&conn, ctx, tx, opened.format, on_dup, &report)?;
        report.tell(started, progress);
        Ok(report)
    })();
    settle(&conn, ctx, result)
}

/// Commits an import that went through; rolls back one that did not (and removes its rejects
/// file: rejected rows of an import that wrote nothing would mislead).
fn settle(conn: &rusqlite::Connection, ctx: &RunCtx, result: Result<ImportReport>) -> Result<ImportReport> {
    match result {
        Ok(report) => {
            crate::db::raw_commit(conn)?;
            Ok(report)
        }
        Err(e) => {
            crate::db::raw_rollback(conn);
            if let Some(p) = &ctx.opts.rejects_path {
                let _ = std::fs::remove_file(p);
            }
            Err(e)
        }
    }
}

/// The import's row in `imports` (what undo and the history list read).
fn record_import(
    conn: &rusqlite::Connection,
    ctx: &RunCtx,
    tx: i64,
    format: Format,
    on_dup: OnDuplicate,
    report: &ImportReport,
) -> Result<()> {
    let source_name = ctx.file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    conn.execute(
        "INSERT INTO imports (id, tx, entity, source_name, format, on_duplicate, imported, merged, skipped, failed, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rusqlite::params![
            report.import_id,
            tx,
            ctx.opts.entity.as_str(),
            source_name,
            format.as_str(),
            on_dup.as_str(),
            report.imported as i64,
            report.merged as i64,
            report.skipped as i64,
            report.failed_rows as i64,
            ctx.now
        ],
    )?;
    Ok(())
}

/// Imports interactions and purchases: each valid row whose customer is found goes on that
/// customer's timeline; one equal to an entry the customer already has is skipped (unless
/// `create`); the rest is reported. One transaction, like customers.
fn run_activity(
    ctx: &RunCtx,
    cx: &ActivityCx,
    hlc: &mut crate::clock::Hlc,
    progress: &dyn Fn(ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportReport> {
    let started = Instant::now();
    let mut opened = source::open(&ctx.file, &ctx.opts.read)?;
    let mapping = ctx.opts.mapping.clone().unwrap_or_else(|| activity::suggest(&opened.headers));
    let plan = activity::plan(&opened.headers, &mapping).map_err(Error::Validation)?;
    let on_dup =
        if ctx.opts.on_duplicate == Some(OnDuplicate::Create) { OnDuplicate::Create } else { OnDuplicate::Skip };
    let conn = crate::db::raw_open(&ctx.workspace)?;
    let tx = crate::db::raw_begin(&conn, hlc, ctx.now, &ctx.device, ctx.actor.as_deref())?;
    let result = (|| -> Result<ImportReport> {
        let before: i64 = conn.query_row("SELECT COALESCE(MAX(rowid), 0) FROM interactions", [], |r| r.get(0))?;
        let mut w = ActivityWriter {
            conn: &conn,
            now: ctx.now,
            on_dup,
            before,
            headers: &opened.headers,
            live_staff: &cx.live_staff,
            report: ImportReport::start(crate::db::new_id(), &opened.headers, &mapping, vec![]),
            rejects: Rejects::new(ctx, &opened),
        };
        let cxb = cx.borrow();
        let mut last_tick = Instant::now();
        // the order being read (its number and column, and its lines so far), and the orders done
        let mut order: Option<(String, usize, Vec<Line>)> = None;
        let mut done_orders: std::collections::HashSet<String> = std::collections::HashSet::new();
        let (rows, plan, cxb) = (&mut opened.rows, &plan, &cxb);
        std::thread::scope(|scope| -> Result<()> {
            let (behind, mut ahead) = source::Ahead::channel(4);
            let check = move |rec| {
                let assessed = activity::assess(plan, cxb, &rec);
                (rec, assessed)
            };
            scope.spawn(move || check_rows(rows.as_mut(), check, behind));
            while let Some(batch) = ahead.next()? {
                for (rec, assessed) in batch {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(Error::Cancelled);
                    }
                    w.report.rows += 1;
                    if w.report.rows.is_multiple_of(1000) && last_tick.elapsed().as_millis() >= 100 {
                        last_tick = Instant::now();
                        w.report.tell(started, progress);
                    }
                    let number = plan.order_of(&rec);
                    if order.as_ref().is_some_and(|(n, _, _)| number.as_ref().map(|(m, _)| m) != Some(n)) {
                        if let Some(done) = order.take() {
                            w.order(done)?;
                        }
                    }
                    match number {
                        // an order's lines are read one after another: one seen before is apart
                        Some((n, column)) if order.is_none() && done_orders.contains(&n) => {
                            w.reject(&rec, vec![(column, "import.order_apart".into(), n)])?;
                        }
                        Some((n, column)) => {
                            if order.is_none() {
                                done_orders.insert(n.clone());
                            }
                            order.get_or_insert_with(|| (n, column, vec![])).2.push((rec, assessed));
                        }
                        None => w.line((rec, assessed))?,
                    }
                }
            }
            if let Some(done) = order.take() {
                w.order(done)?;
            }
            Ok(())
        })?;
        let mut report = w.report;
        report.rejects_path = w.rejects.finish()?;
        report.millis = started.elapsed().as_millis() as u64;
        record_import(&conn, ctx, tx, opened.format, on_dup, &report)?;
        report.tell(started, progress);
        Ok(report)
    })();
    settle(&conn, ctx, result)
}

/// A checked interaction row with its customer (seq, id), or the row's problems.
type Found = std::result::Result<(activity::Ready, (i64, String)), Vec<activity::Problem>>;

/// A row of an interactions file with what checking it found.
type Line = (source::Record, std::result::Result<activity::Ready, Vec<activity::Problem>>);

/// Writes the rows of an interactions file, one by one or an order at a time.
struct ActivityWriter<'a> {
    conn: &'a rusqlite::Connection,
    now: i64,
    on_dup: OnDuplicate,
    /// interactions up to this rowid were there before the import
    before: i64,
    headers: &'a [String],
    live_staff: &'a std::collections::HashSet<String>,
    report: ImportReport,
    rejects: Rejects,
}

impl ActivityWriter<'_> {
    fn reject(&mut self, rec: &source::Record, problems: Vec<activity::Problem>) -> Result<()> {
        self.report.failed_rows += 1;
        for (column, key, value) in problems {
            let column = self.headers.get(column).cloned().unwrap_or_else(|| format!("#{}", column + 1));
            let params = BTreeMap::from([("value".to_string(), value)]);
            self.report.failed.push(RowError::new(rec.row, column, key, params));
        }
        self.rejects.push(&rec.cells)
    }

    /// The row's customer, or why it has none.
    fn found(&self, assessed: std::result::Result<activity::Ready, Vec<activity::Problem>>) -> Result<Found> {
        Ok(match assessed {
            Ok(ready) => find_customer(self.conn, &ready)?.map(|c| (ready, c)).map_err(|p| vec![p]),
            Err(list) => Err(list),
        })
    }

    /// A row on its own.
    fn line(&mut self, (rec, assessed): Line) -> Result<()> {
        match self.found(assessed)? {
            Ok((ready, (_, customer_id))) => self.write(rec.row, &ready, customer_id),
            Err(list) => self.reject(&rec, list),
        }
    }

    /// The lines of one order (`number`, in `column`): one purchase, or, when any line is
    /// rejected or they disagree on the customer or currency, every line rejected (an order
    /// is never written with lines missing).
    fn order(&mut self, (number, column, lines): (String, usize, Vec<Line>)) -> Result<()> {
        if lines.len() == 1 {
            return lines.into_iter().try_for_each(|l| self.line(l));
        }
        let mut found = Vec::with_capacity(lines.len());
        for (rec, assessed) in lines {
            found.push((rec, self.found(assessed)?));
        }
        let whole = |key: &str| vec![(column, key.to_string(), number.clone())];
        if found.iter().any(|(_, f)| f.is_err()) {
            for (rec, f) in found {
                self.reject(&rec, f.err().unwrap_or_else(|| whole("import.order_line_rejected")))?;
            }
            return Ok(());
        }
        let first_row = found.first().map(|(rec, _)| rec.row).unwrap_or(0);
        let parts: Vec<(source::Record, activity::Ready, (i64, String))> =
            found.into_iter().filter_map(|(rec, f)| f.ok().map(|(ready, c)| (rec, ready, c))).collect();
        let agree =
            parts.windows(2).all(|p| p[0].2 .0 == p[1].2 .0 && p[0].1.checked.currency == p[1].1.checked.currency);
        let Some((_, customer_id)) = parts.first().map(|p| p.2.clone()) else { return Ok(()) };
        let (recs, readies): (Vec<source::Record>, Vec<activity::Ready>) =
            parts.into_iter().map(|(rec, ready, _)| (rec, ready)).unzip();
        let joined = if agree {
            activity::Ready::joined(readies, self.live_staff).map_err(|errs| {
                errs.into_iter().next().map_or_else(|| "import.order_mixed".to_string(), |e| e.message_key)
            })
        } else {
            Err("import.order_mixed".to_string())
        };
        match joined {
            Ok(ready) => {
                self.report.orders += 1;
                self.write(first_row, &ready, customer_id)
            }
            Err(key) => recs.iter().try_for_each(|rec| self.reject(rec, whole(&key))),
        }
    }

    /// Adds the interaction to the customer's timeline, unless they already have this very entry.
    fn write(&mut self, row: u64, ready: &activity::Ready, customer_id: String) -> Result<()> {
        let c = &ready.checked;
        if self.on_dup == OnDuplicate::Skip {
            // files hold times to the second (ours too): the same second is the same time
            let second = ready.occurred_at.div_euclid(1000) * 1000;
            let same: Option<i64> = self
                .conn
                .prepare_cached(
                    "SELECT rowid FROM interactions WHERE customer_id = ? AND occurred_at BETWEEN ? AND ?
                     AND kind = ? AND summary = ? AND amount IS ? AND deleted_at IS NULL LIMIT 1",
                )?
                .query_row(
                    rusqlite::params![customer_id, second, second + 999, ready.kind.as_str(), c.summary, c.amount],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(rowid) = same {
                self.report.skipped += 1;
                self.report.duplicates.push(DuplicateRow {
                    row,
                    customer_id,
                    reason: "same_interaction".into(),
                    value: c.summary.clone(),
                    in_file: rowid > self.before,
                    action: "skipped".into(),
                });
                return Ok(());
            }
        }
        self.conn
            .prepare_cached(
                "INSERT INTO interactions (id, customer_id, kind, channel, direction, staff_id, occurred_at,
                 summary, body, amount, currency, items, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute(rusqlite::params![
                crate::db::new_id(),
                customer_id,
                ready.kind.as_str(),
                ready.channel.as_str(),
                ready.direction.as_str(),
                ready.staff_id,
                ready.occurred_at,
                c.summary,
                c.body,
                c.amount,
                c.currency,
                serde_json::to_string(&c.items)?,
                self.now
            ])?;
        self.report.imported += 1;
        Ok(())
    }
}

/// Creates a text custom field for each column mapped to `new_field` (in the import's
/// transaction) and maps the column to it.
fn make_fields(
    conn: &rusqlite::Connection,
    mapping: &mut Mapping,
    rules: &mut Rules,
    lookups: &mut Lookups,
) -> Result<Vec<String>> {
    let mut made = Vec::new();
    for c in mapping.columns.iter_mut().filter(|c| c.target == "new_field") {
        let label = crate::validate::text(&c.column)
            .map_err(|k| Error::Validation(vec![FieldError::new("mapping", k).with("column", c.column.clone())]))?;
        let base = crate::settings::field_key(&label);
        let mut key = base.clone();
        let mut n = 2;
        while rules.fields.iter().any(|f| f.key == key) {
            key = format!("{base}_{n}");
            n += 1;
        }
        let position: i64 =
            conn.query_row("SELECT COALESCE(MAX(position), 0) + 10 FROM custom_fields", [], |r| r.get(0))?;
        let id = crate::db::new_id();
        conn.execute(
            "INSERT INTO custom_fields (id, key, label, kind, options, required, position) VALUES (?, ?, ?, 'text', '[]', 0, ?)",
            rusqlite::params![id, key, label, position],
        )?;
        rules.fields.push(crate::settings::CustomField {
            id,
            key: key.clone(),
            label: label.clone(),
            kind: crate::settings::CustomFieldKind::Text,
            options: vec![],
            required: false,
            position,
        });
        lookups.fields.insert(key.clone(), crate::settings::CustomFieldKind::Text);
        c.target = format!("custom:{key}");
        made.push(label);
    }
    Ok(made)
}
