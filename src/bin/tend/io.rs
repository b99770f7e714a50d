//! `tend import` and `tend export`: files in and out, undo of an import, the whole workspace as an archive.

use super::*;

#[derive(Subcommand)]
pub(super) enum ExportCommand {
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

/// The export format given, else the file name's (CSV when it says nothing known).
pub(super) fn export_format(given: Option<&str>, dest: &std::path::Path) -> tend::export::ExportFormat {
    let ext = dest.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match given.or(ext.as_deref()) {
        Some("xlsx") => tend::export::ExportFormat::Xlsx,
        Some("vcf") | Some("vcard") => tend::export::ExportFormat::Vcf,
        _ => tend::export::ExportFormat::Csv,
    }
}

#[derive(Subcommand)]
pub(super) enum ImportCommand {
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
    /// Import a ticket history (another helpdesk's export, a spreadsheet): one ticket a row, its
    /// customer found by phone or email or made from the name; all rows or none (exit code 2
    /// naming each row's problem, nothing written). A ticket whose number is already there is
    /// skipped, so importing a file twice adds nothing.
    Tickets {
        #[command(flatten)]
        file: FileImport,
    },
    /// Undo an import (the latest one when no id is given); the customers it made go to the trash.
    Undo { id: Option<String> },
    /// The imports done in this workspace, newest first.
    List {},
}

/// What every file import is told.
#[derive(clap::Args)]
pub(super) struct FileImport {
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

pub(super) async fn import(ws: &Workspace, command: ImportCommand) -> Result<(), Error> {
    match command {
        command @ (ImportCommand::Customers { .. }
        | ImportCommand::Interactions { .. }
        | ImportCommand::Tickets { .. }) => {
            let (entity, args, on_duplicate, list_id) = match command {
                ImportCommand::Customers { file, on_duplicate, list } => {
                    (tend::import::ImportEntity::Customers, file, on_duplicate, list)
                }
                ImportCommand::Interactions { file, on_duplicate } => {
                    (tend::import::ImportEntity::Interactions, file, on_duplicate, None)
                }
                ImportCommand::Tickets { file } => {
                    (tend::import::ImportEntity::Tickets, file, "skip".to_string(), None)
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
                let mut s = if entity == tend::import::ImportEntity::Tickets {
                    format!(
                        "import {}: {} tickets imported, {} already there (same number) skipped, {} customers made, \
                         {} survey scores, of {} rows in {} ms",
                        r.import_id, r.imported, r.skipped, r.customers, r.answers, r.rows, r.millis
                    )
                } else {
                    format!(
                        "import {}: {} imported, {} merged, {} skipped, {} rejected of {} rows in {} ms",
                        r.import_id, r.imported, r.merged, r.skipped, r.failed_rows, r.rows, r.millis
                    )
                };
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
        ImportCommand::Workspace { path: src } => {
            let m = ws.import_workspace(&src).await?;
            let total: u64 = m.tables.values().sum();
            print(&m, || format!("{} rows in {} tables read from {}", total, m.tables.len(), src.display()))?;
        }
        ImportCommand::Undo { id } => {
            let r = ws.undo_import(id.as_deref()).await?;
            print(&r, || {
                let mut s = format!(
                    "import {} undone: {} customers moved to the trash, {} interactions deleted, {} set back",
                    r.import_id, r.removed, r.removed_interactions, r.reverted
                );
                if r.removed_tickets > 0 || r.removed_answers > 0 {
                    s.push_str(&format!(
                        "\n{} tickets and {} survey answers deleted",
                        r.removed_tickets, r.removed_answers
                    ));
                }
                for k in &r.kept {
                    s.push_str(&format!("\n  kept (changed since): {k}"));
                }
                s
            })?;
        }
        ImportCommand::List {} => {
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
    }
    Ok(())
}

pub(super) async fn export(ws: &Workspace, command: ExportCommand) -> Result<(), Error> {
    match command {
        ExportCommand::Customers { path: given, format, which } => {
            let fmt = export_format(format.as_deref(), &given);
            let dest = Dest::of(&given, fmt.as_str())?;
            let r = ws.export_customers(&dest.path, fmt, &which.filter()).await?;
            let to = given.display().to_string();
            dest.finish(&r, || format!("{} customers exported to {to}", r.rows))?;
        }
        ExportCommand::CareTasks { path: dest, assignee } => {
            let n = ws.export_care_tasks(&dest, assignee.as_deref()).await?;
            let value = serde_json::json!({ "path": dest.display().to_string(), "tasks": n });
            print(&value, || format!("{n} care tasks written to {}", dest.display()))?;
        }
        ExportCommand::Interactions { path: given, format, which } => {
            // (a .vcf name is refused by the core: interactions have no vCard form)
            let fmt = export_format(format.as_deref(), &given);
            let dest = Dest::of(&given, fmt.as_str())?;
            let r = ws.export_interactions(&dest.path, fmt, &which.filter()).await?;
            let to = given.display().to_string();
            dest.finish(&r, || format!("{} interactions exported to {to}", r.rows))?;
        }
        ExportCommand::Workspace { path: dest } => {
            let m = ws.export_workspace(&dest).await?;
            let total: u64 = m.tables.values().sum();
            print(&m, || format!("{} rows in {} tables written to {}", total, m.tables.len(), dest.display()))?;
        }
    }
    Ok(())
}
