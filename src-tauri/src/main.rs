//! Tend desktop shell: one-line Tauri commands over the core `Workspace` (DESIGN: the desktop
//! shell). Commands translate arguments and errors, nothing more.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod files;

use files::{Access, Granted};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tauri::Manager;
use tauri_specta::Event;
use tend::archive::Manifest;
use tend::backup::{BackupInfo, BackupReason};
use tend::customers::{Contact, ContactInput, Created, Customer, CustomerInput, DuplicateHit};
use tend::duplicates::{DuplicatePair, FieldConflict, MergeReport};
use tend::export::{ExportFormat, ExportReport};
use tend::history::{HistoryEntry, TimelinePage};
use tend::import::{Cancels, Mapping, NamedMapping};
use tend::import::{ImportOptions, ImportPreview, ImportProgress, ImportReport, ImportSummary, UndoReport};
use tend::integrity::CheckReport;
use tend::interactions::{Interaction, InteractionInput};
use tend::search::{CustomerFilter, CustomerPage, CustomerSummary, Facets};
use tend::settings::{CustomField, CustomFieldInput, Stage, WorkspaceInfo};
use tend::staff::{Staff, StaffInput};
use tend::writers::WaitNotice;
use tend::{ErrorPayload, Workspace};

/// The open workspace, or why it could not be opened (a newer database, an unreadable file):
/// the window still opens and every command answers with that error, which the UI shows.
struct Shared(Result<Arc<Workspace>, ErrorPayload>);

impl Shared {
    // The error is the IPC payload itself, returned as-is by every command.
    #[allow(clippy::result_large_err)]
    fn get(&self) -> Result<&Workspace, ErrorPayload> {
        self.0.as_deref().map_err(Clone::clone)
    }
}

type Ws<'a> = tauri::State<'a, Shared>;
type R<T> = Result<T, ErrorPayload>;

/// The workspace this process opened, for noting damage met by any command.
static OPEN: std::sync::OnceLock<Arc<Workspace>> = std::sync::OnceLock::new();

fn e(err: tend::Error) -> ErrorPayload {
    log::warn!("command failed: {err}");
    let err = match OPEN.get() {
        Some(ws) => ws.note(err),
        None => err,
    };
    ErrorPayload::from(err)
}

#[tauri::command]
#[specta::specta]
async fn workspace_info(ws: Ws<'_>) -> R<WorkspaceInfo> {
    ws.get()?.info().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn set_language(ws: Ws<'_>, language: String) -> R<()> {
    ws.get()?.set_language(&language).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn set_current_staff(ws: Ws<'_>, id: Option<String>) -> R<()> {
    ws.get()?.set_current_staff(id.as_deref()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn staff_list(ws: Ws<'_>) -> R<Vec<Staff>> {
    ws.get()?.staff().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn staff_add(ws: Ws<'_>, input: StaffInput) -> R<Staff> {
    ws.get()?.add_staff(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn staff_update(ws: Ws<'_>, id: String, input: StaffInput) -> R<Staff> {
    ws.get()?.update_staff(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn staff_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_staff(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn stage_list(ws: Ws<'_>) -> R<Vec<Stage>> {
    ws.get()?.stages().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn stage_add(ws: Ws<'_>, name: String) -> R<Stage> {
    ws.get()?.add_stage(&name).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn stage_rename(ws: Ws<'_>, id: String, name: String) -> R<()> {
    ws.get()?.rename_stage(&id, &name).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn stage_reorder(ws: Ws<'_>, ids: Vec<String>) -> R<()> {
    ws.get()?.reorder_stages(&ids).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn stage_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_stage(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn custom_field_list(ws: Ws<'_>) -> R<Vec<CustomField>> {
    ws.get()?.custom_fields().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn custom_field_add(ws: Ws<'_>, input: CustomFieldInput) -> R<CustomField> {
    ws.get()?.add_custom_field(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn custom_field_update(ws: Ws<'_>, id: String, input: CustomFieldInput) -> R<CustomField> {
    ws.get()?.update_custom_field(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn custom_field_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_custom_field(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn customer_list(ws: Ws<'_>, filter: CustomerFilter, offset: i32, limit: i32) -> R<CustomerPage> {
    ws.get()?.list_customers(&filter, offset.into(), limit.into()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn customer_search(ws: Ws<'_>, query: String, limit: u32) -> R<Vec<CustomerSummary>> {
    ws.get()?.search(&query, limit).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn customer_get(ws: Ws<'_>, id: String) -> R<Customer> {
    ws.get()?.customer(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn customer_check_duplicates(
    ws: Ws<'_>,
    input: CustomerInput,
    exclude_id: Option<String>,
) -> R<Vec<DuplicateHit>> {
    ws.get()?.check_duplicates(&input, exclude_id.as_deref()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn customer_create(ws: Ws<'_>, input: CustomerInput) -> R<Created> {
    ws.get()?.create_customer(&input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn customer_update(ws: Ws<'_>, id: String, base: CustomerInput, input: CustomerInput) -> R<Customer> {
    ws.get()?.update_customer(&id, &base, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn customer_trash(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.trash_customer(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn customer_restore(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.restore_customer(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn customer_purge(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.purge_customer(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn trash_list(ws: Ws<'_>, offset: i32, limit: i32) -> R<CustomerPage> {
    ws.get()?.trash(offset.into(), limit.into()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn facets(ws: Ws<'_>) -> R<Facets> {
    ws.get()?.facets().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn contact_add(ws: Ws<'_>, customer_id: String, input: ContactInput) -> R<Contact> {
    ws.get()?.add_contact(&customer_id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn contact_update(ws: Ws<'_>, id: String, input: ContactInput) -> R<Contact> {
    ws.get()?.update_contact(&id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn contact_remove(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.remove_contact(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn interaction_add(ws: Ws<'_>, customer_id: String, input: InteractionInput) -> R<Interaction> {
    ws.get()?.add_interaction(&customer_id, &input).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn interaction_delete(ws: Ws<'_>, id: String) -> R<()> {
    ws.get()?.delete_interaction(&id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn timeline(ws: Ws<'_>, customer_id: String, before: Option<String>, limit: u32) -> R<TimelinePage> {
    ws.get()?.timeline(&customer_id, before.as_deref(), limit).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn history(ws: Ws<'_>, id: String) -> R<Vec<HistoryEntry>> {
    ws.get()?.history(&id).await.map_err(e)
}

/// Rows done and speed of the import under way, sent to the window.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
struct ImportProgressEvent(ImportProgress);

/// A filter of a file dialog: its name and the extensions it shows ("csv", "xlsx").
#[derive(serde::Deserialize, Debug, Clone, specta::Type)]
struct FileFilter {
    name: String,
    extensions: Vec<String>,
}

/// Opens a native file dialog from Rust (open, or save as `file_name`) and lets the path the
/// user picks be read (open) or written (save) by the commands that take a path; None when
/// the user cancels. See files.rs.
async fn ask(
    window: &tauri::WebviewWindow,
    granted: &Granted,
    access: Access,
    filter: FileFilter,
    file_name: Option<String>,
) -> R<Option<String>> {
    #[cfg(debug_assertions)]
    let answer = files::test_answer();
    #[cfg(not(debug_assertions))]
    let answer: Option<Option<std::path::PathBuf>> = None;
    let picked = match answer {
        Some(path) => path,
        None => {
            use tauri_plugin_dialog::DialogExt;
            let (tx, rx) = tokio::sync::oneshot::channel();
            let extensions: Vec<&str> = filter.extensions.iter().map(String::as_str).collect();
            let mut dialog = window.dialog().file().set_parent(window);
            if !extensions.is_empty() {
                dialog = dialog.add_filter(filter.name, &extensions);
            }
            let done = move |p: Option<tauri_plugin_dialog::FilePath>| {
                let _ = tx.send(p.and_then(|p| p.into_path().ok()));
            };
            match (access, file_name) {
                (Access::Read, _) => dialog.pick_file(done),
                (Access::Write, name) => dialog.set_file_name(name.unwrap_or_default()).save_file(done),
            }
            rx.await.ok().flatten()
        }
    };
    Ok(picked.map(|p| {
        let shown = p.to_string_lossy().into_owned();
        granted.grant(access, std::path::PathBuf::from(&shown));
        shown
    }))
}
#[tauri::command]
#[specta::specta]
async fn pick_open_file(
    window: tauri::WebviewWindow,
    granted: tauri::State<'_, Granted>,
    filter: FileFilter,
) -> R<Option<String>> {
    ask(&window, &granted, Access::Read, filter, None).await
}
#[tauri::command]
#[specta::specta]
async fn pick_save_file(
    window: tauri::WebviewWindow,
    granted: tauri::State<'_, Granted>,
    filter: FileFilter,
    file_name: String,
) -> R<Option<String>> {
    ask(&window, &granted, Access::Write, filter, Some(file_name)).await
}

/// Where an import's rejected rows are written: the app's own folder, which the window may read
/// from (to save a copy elsewhere) but never name for anything else.
fn rejects_dir(app: &tauri::AppHandle) -> Result<std::path::PathBuf, tauri::Error> {
    Ok(app.path().app_cache_dir()?.join("rejects"))
}

#[tauri::command]
#[specta::specta]
async fn import_preview(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    path: String,
    options: ImportOptions,
    rows: u32,
) -> R<ImportPreview> {
    let path = granted.check(Access::Read, &path).map_err(e)?;
    ws.get()?.import_preview(&path, &options, rows as usize).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn import_run(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    cancel: tauri::State<'_, Cancels>,
    key: String,
    path: String,
    options: ImportOptions,
) -> R<ImportReport> {
    let path = granted.check(Access::Read, &path).map_err(e)?;
    let mut options = options;
    // rejected rows go to a file of the app's own, which the window can offer to save elsewhere
    // (never to a path the window names)
    let dir = rejects_dir(&app).map_err(|err| e(tend::Error::Io(std::io::Error::other(err.to_string()))))?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    std::fs::create_dir_all(&dir).map_err(|err| e(err.into()))?;
    // two imports may start in the same millisecond: each gets its own file
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    options.rejects_path = Some(dir.join(format!("rejected-rows-{stamp}-{n}.csv")).display().to_string());
    let w = ws.get()?;
    let flag = cancel.register(&key);
    let emitter = app.clone();
    let res = w
        .import(
            &path,
            &options,
            move |p| {
                let _ = ImportProgressEvent(p).emit(&emitter);
            },
            flag,
        )
        .await
        .map_err(e);
    cancel.done(&key);
    res
}
#[tauri::command]
#[specta::specta]
async fn import_cancel(cancel: tauri::State<'_, Cancels>, key: String) -> R<bool> {
    Ok(cancel.cancel(&key))
}
#[tauri::command]
#[specta::specta]
async fn import_undo(ws: Ws<'_>, id: Option<String>) -> R<UndoReport> {
    ws.get()?.undo_import(id.as_deref()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn import_list(ws: Ws<'_>) -> R<Vec<ImportSummary>> {
    ws.get()?.imports().await.map_err(e)
}
/// Saves a copy of an import's rejected rows (a file the app wrote in its own folder) where the
/// user picks in a save dialog opened here; the chosen path, or None when cancelled.
#[tauri::command]
#[specta::specta]
async fn import_rejects_save(
    window: tauri::WebviewWindow,
    granted: tauri::State<'_, Granted>,
    rejects_path: String,
    file_name: String,
) -> R<Option<String>> {
    let from = granted.check(Access::Read, &rejects_path).map_err(e)?;
    let filter = FileFilter { name: "CSV".into(), extensions: vec!["csv".into()] };
    let Some(to) = ask(&window, &granted, Access::Write, filter, Some(file_name)).await? else { return Ok(None) };
    std::fs::copy(&from, &to).map_err(|err| e(err.into()))?;
    Ok(Some(to))
}
/// What the customer form says about a phone number as it is typed (an old 11-digit mobile
/// number converted, the label its type gives).
#[tauri::command]
#[specta::specta]
async fn phone_info(number: String) -> R<tend::validate::PhoneInfo> {
    tend::validate::phone_info(&number).map_err(|k| e(tend::Error::invalid("number", k)))
}
#[tauri::command]
#[specta::specta]
async fn export_customers(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    path: String,
    format: ExportFormat,
    filter: CustomerFilter,
) -> R<ExportReport> {
    let path = granted.check(Access::Write, &path).map_err(e)?;
    ws.get()?.export_customers(&path, format, &filter).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn export_interactions(
    ws: Ws<'_>,
    granted: tauri::State<'_, Granted>,
    path: String,
    format: ExportFormat,
    filter: CustomerFilter,
) -> R<ExportReport> {
    let path = granted.check(Access::Write, &path).map_err(e)?;
    ws.get()?.export_interactions(&path, format, &filter).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn backup_list() -> R<Vec<BackupInfo>> {
    tend::backup::list_backups(&tend::default_workspace_path()).map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn backup_now(ws: Ws<'_>) -> R<Option<BackupInfo>> {
    ws.get()?.auto_backup(BackupReason::Manual).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn workspace_check(ws: Ws<'_>) -> R<CheckReport> {
    ws.get()?.check(false).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn workspace_export(ws: Ws<'_>, granted: tauri::State<'_, Granted>, path: String) -> R<Manifest> {
    let path = granted.check(Access::Write, &path).map_err(e)?;
    ws.get()?.export_workspace(&path).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn workspace_import(ws: Ws<'_>, granted: tauri::State<'_, Granted>, path: String) -> R<Manifest> {
    let path = granted.check(Access::Read, &path).map_err(e)?;
    ws.get()?.import_workspace(&path).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn mapping_list(ws: Ws<'_>) -> R<Vec<NamedMapping>> {
    ws.get()?.saved_mappings().await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn mapping_save(ws: Ws<'_>, name: String, mapping: Mapping) -> R<()> {
    ws.get()?.save_mapping(&name, &mapping).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn mapping_remove(ws: Ws<'_>, name: String) -> R<()> {
    ws.get()?.remove_mapping(&name).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn duplicate_pairs(ws: Ws<'_>, limit: u32) -> R<Vec<DuplicatePair>> {
    ws.get()?.duplicate_pairs(limit as usize).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn merge_conflicts(ws: Ws<'_>, survivor_id: String, other_id: String) -> R<Vec<FieldConflict>> {
    ws.get()?.merge_conflicts(&survivor_id, &other_id).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn merge_customers(ws: Ws<'_>, survivor_id: String, other_id: String, take: Vec<String>) -> R<MergeReport> {
    ws.get()?.merge_customers(&survivor_id, &other_id, &take).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
async fn undo_merge(ws: Ws<'_>, merge_id: String) -> R<Vec<String>> {
    ws.get()?.undo_merge(&merge_id).await.map_err(e)
}
/// Restores a backup: checked now, put in place when the app starts again (the open workspace
/// cannot be swapped under the running app), then the app restarts.
#[tauri::command]
#[specta::specta]
async fn backup_restore(app: tauri::AppHandle, granted: tauri::State<'_, Granted>, path: String) -> R<()> {
    // one of the app's own backups (or a file the user picked)
    let path = granted.check(Access::Read, &path).map_err(e)?;
    let report = tend::integrity::check_file(&path, false).map_err(e)?;
    if !report.ok {
        return Err(e(tend::Error::Damaged { detail: report.problems.join("; ") }));
    }
    std::fs::write(pending_restore_file(), path.display().to_string()).map_err(|err| e(err.into()))?;
    app.restart();
}

/// Where a restore waits for the next start.
fn pending_restore_file() -> std::path::PathBuf {
    let db = tend::default_workspace_path();
    std::path::PathBuf::from(format!("{}.restore-pending", db.display()))
}

/// The newest backup that passes its check now: what a damaged workspace is offered.
#[tauri::command]
#[specta::specta]
async fn backup_newest_good() -> R<Option<BackupInfo>> {
    let path = tend::default_workspace_path();
    tauri::async_runtime::spawn_blocking(move || tend::backup::newest_good_backup(&path))
        .await
        .map_err(|err| e(tend::Error::Interrupted { task: "backup search", detail: err.to_string() }))?
        .map_err(e)
}

/// A restore chosen before the app restarted that could not be done (the workspace and the
/// backup were left as they were).
#[derive(serde::Serialize, specta::Type, Clone, Debug)]
struct RestoreFailure {
    backup: String,
    error: ErrorPayload,
}

/// What the window needs to know beyond the data: damage found since the workspace opened, a
/// long write under way (here or in another program), a restore that failed at start.
#[derive(serde::Serialize, specta::Type, Clone, Debug)]
struct WorkspaceStatus {
    damaged: Option<String>,
    long_write: Option<WaitNotice>,
    restore_failed: Option<RestoreFailure>,
}

#[derive(Default)]
struct StartNotes(Mutex<Option<RestoreFailure>>);

#[tauri::command]
#[specta::specta]
async fn workspace_status(ws: Ws<'_>, notes: tauri::State<'_, StartNotes>) -> R<WorkspaceStatus> {
    let restore_failed = notes.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let (damaged, long_write) = match ws.get() {
        Ok(w) => (w.damaged(), w.long_write()),
        Err(_) => (None, None),
    };
    Ok(WorkspaceStatus { damaged, long_write, restore_failed })
}
#[tauri::command]
#[specta::specta]
async fn restore_failure_dismiss(notes: tauri::State<'_, StartNotes>) -> R<()> {
    *notes.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    Ok(())
}

/// A write waits for a long write (or stopped waiting): the window says it will be saved after.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
struct WriteWaitingEvent(WaitNotice);

/// Damage was found while the workspace was open (a background check, a backup, a command).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
struct WorkspaceDamagedEvent(String);

fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .disable_serde_phases()
        .commands(tauri_specta::collect_commands![
            workspace_info,
            set_language,
            set_current_staff,
            staff_list,
            staff_add,
            staff_update,
            staff_remove,
            stage_list,
            stage_add,
            stage_rename,
            stage_reorder,
            stage_remove,
            custom_field_list,
            custom_field_add,
            custom_field_update,
            custom_field_remove,
            customer_list,
            customer_search,
            customer_get,
            customer_check_duplicates,
            customer_create,
            customer_update,
            customer_trash,
            customer_restore,
            customer_purge,
            trash_list,
            facets,
            contact_add,
            contact_update,
            contact_remove,
            interaction_add,
            interaction_delete,
            timeline,
            history,
            import_preview,
            import_run,
            import_cancel,
            import_undo,
            import_list,
            import_rejects_save,
            pick_open_file,
            pick_save_file,
            phone_info,
            export_customers,
            export_interactions,
            backup_list,
            backup_now,
            workspace_check,
            backup_restore,
            backup_newest_good,
            workspace_status,
            restore_failure_dismiss,
            duplicate_pairs,
            merge_conflicts,
            merge_customers,
            undo_merge,
            mapping_list,
            mapping_save,
            mapping_remove,
            workspace_export,
            workspace_import,
        ])
        .events(tauri_specta::collect_events![ImportProgressEvent, WriteWaitingEvent, WorkspaceDamagedEvent])
}

fn export_bindings(builder: &tauri_specta::Builder<tauri::Wry>, path: &str) -> Result<(), String> {
    builder
        .export(
            specta_typescript::Typescript::default().header(
                "// Generated from the Rust types by `tend-desktop --export-bindings`. Do not edit.\n// @ts-nocheck",
            ),
            path,
        )
        .map_err(|err| err.to_string())
}

fn main() {
    let builder = specta_builder();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--export-bindings") {
        let path = args.get(i + 1).map(String::as_str).unwrap_or("../ui/src/lib/api/bindings.ts");
        match export_bindings(&builder, path) {
            Ok(()) => return,
            Err(err) => {
                eprintln!("could not export bindings: {err}");
                std::process::exit(1);
            }
        }
    }

    let path = tend::default_workspace_path();
    // A restore chosen in the app before it restarted: put the backup in place first (the file it
    // replaces is kept beside it).
    let pending = pending_restore_file();
    let mut restore_failed = None;
    if let Ok(backup) = std::fs::read_to_string(&pending) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let backup = backup.trim().to_string();
        match tend::backup::restore(std::path::Path::new(&backup), &path, now) {
            Ok(kept) => eprintln!("restored {} from {backup}; replaced file kept as {kept:?}", path.display()),
            Err(err) => {
                // shown in the window; the workspace and the backup are as they were
                eprintln!("could not restore {backup}: {err}");
                restore_failed = Some(RestoreFailure { backup, error: ErrorPayload::from(err) });
            }
        }
        // tried once: a failed restore is reported, not retried at every start
        let _ = std::fs::remove_file(&pending);
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    // Nothing is touched on failure (newer database, unreadable file); the UI explains why.
    let workspace = Shared(runtime.block_on(Workspace::open(&path)).map(Arc::new).map_err(|err| {
        eprintln!("Tend cannot open {}: {err}", path.display());
        ErrorPayload::from(err)
    }));
    tauri::async_runtime::set(runtime.handle().clone());
    if let Ok(ws) = &workspace.0 {
        let _ = OPEN.set(ws.clone());
    }

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(
            tauri_plugin_log::Builder::new()
                .clear_targets()
                .target(tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::LogDir {
                    file_name: Some("tend".into()),
                }))
                .target(tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Stderr))
                .max_file_size(5 * 1024 * 1024)
                .rotation_strategy(tauri_plugin_log::RotationStrategy::KeepSome(5))
                .level(log::LevelFilter::Info)
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .manage(workspace)
        .manage(Cancels::default())
        .manage(StartNotes(Mutex::new(restore_failed)))
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            // the only folders whose files the window may name without picking them
            let own = vec![(Access::Read, tend::backup::backup_dir(&path)), (Access::Read, rejects_dir(app.handle())?)];
            app.manage(Granted::new(own));
            match &app.state::<Shared>().0 {
                Ok(ws) => {
                    log::info!("workspace {} opened", path.display());
                    let handle = app.handle().clone();
                    ws.set_wait_hook(Arc::new(move |n: &WaitNotice| {
                        let _ = WriteWaitingEvent(n.clone()).emit(&handle);
                    }));
                    // A daily backup while the app runs (once a local day, as soon as it runs that day); a
                    // workspace too big to check on open is checked first, in the background.
                    let ws = ws.clone();
                    let handle = app.handle().clone();
                    tauri::async_runtime::spawn(async move {
                        let damaged = |detail: String| {
                            log::error!("workspace damaged: {detail}");
                            let _ = WorkspaceDamagedEvent(detail).emit(&handle);
                        };
                        if !ws.checked_on_open() {
                            match ws.verify().await {
                                Ok(r) if r.ok => log::info!("background check passed in {} ms", r.millis),
                                Ok(r) => damaged(r.problems.join("; ")),
                                Err(err) => log::error!("background check failed: {err}"),
                            }
                        }
                        let mut daily = tend::schedule::Daily::from_midnight();
                        loop {
                            let now = ws.now_ms();
                            let next = match ws.zone().await {
                                Ok(tz) => {
                                    if daily.take_due(now, &tz).unwrap_or(false) {
                                        match ws.auto_backup(BackupReason::Daily).await {
                                            Ok(Some(b)) => log::info!("daily backup {}", b.path),
                                            Ok(None) => {}
                                            Err(err) => match err.damage() {
                                                Some(detail) => damaged(detail),
                                                None => log::error!("daily backup failed: {err}"),
                                            },
                                        }
                                    }
                                    daily.next_due(ws.now_ms(), &tz).unwrap_or(now + 3_600_000)
                                }
                                Err(err) => {
                                    log::error!("time zone: {err}");
                                    now + 3_600_000
                                }
                            };
                            // the clock is read again each minute: a laptop waking up is noticed
                            tend::schedule::sleep_until(ws.clock(), next, 60_000).await;
                        }
                    });
                }
                Err(err) => log::error!("workspace {} not opened: {}", path.display(), err.message),
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(err) => {
            eprintln!("Tend failed to start: {err}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// Every command the window can call is declared in build.rs and allowed by the capability,
    /// and nothing else is: a command missing there is refused by Tauri's ACL at run time (the
    /// window then silently lacks it), one left there after removal is an open door.
    #[test]
    fn every_command_is_declared_and_allowed_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bindings.ts");
        super::export_bindings(&super::specta_builder(), out.to_str().unwrap()).unwrap();
        let ts = std::fs::read_to_string(&out).unwrap();
        let invoked: BTreeSet<String> =
            ts.split("__TAURI_INVOKE(\"").skip(1).filter_map(|s| s.split('"').next()).map(str::to_string).collect();
        assert!(invoked.len() > 40, "{invoked:?}");

        let build = include_str!("../build.rs");
        let list = &build[build.find("COMMANDS").unwrap()..];
        let list = &list[..list.find("];").unwrap()];
        let declared: BTreeSet<String> =
            list.lines().filter_map(|l| l.trim().strip_prefix('"')?.strip_suffix("\",")).map(str::to_string).collect();
        assert_eq!(declared, invoked, "build.rs COMMANDS");

        let caps: serde_json::Value = serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
        let allowed: BTreeSet<String> = caps["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        assert_eq!(allowed, invoked, "capabilities/default.json");
    }
}
