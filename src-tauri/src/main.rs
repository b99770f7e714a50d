//! Tend desktop shell: Tauri commands over the core `Workspace` (DESIGN: the desktop shell), a
//! module per domain in `commands/`; they translate arguments and errors, nothing more. Here: the
//! shared state, events, dialogs, restore at start, the background check and daily backup;
//! `shell.rs` holds the shell's work behind the commands that do more than call the core.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod files;
mod opened;
mod reminders;
mod shell;
mod sync;
mod updates;

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

/// How long after start the background work (the check of a big workspace, the daily backup)
/// waits, so that it does not compete with the window's first screen.
const BACKGROUND_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

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

/// Where an import's rejected rows are written: the app's own folder, which the window may read
/// from (to save a copy elsewhere) but never name for anything else.
fn rejects_dir(app: &tauri::AppHandle) -> Result<std::path::PathBuf, tauri::Error> {
    Ok(app.path().app_cache_dir()?.join("rejects"))
}

/// The workspace file of this run (`opened::workspace_for_this_run`).
static WORKSPACE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

fn workspace_path() -> std::path::PathBuf {
    WORKSPACE.get().cloned().unwrap_or_else(tend::default_workspace_path)
}

/// Where a restore waits for the next start.
fn pending_restore_file() -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{}.restore-pending", workspace_path().display()))
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

/// A write waits for a long write (or stopped waiting): the window says it will be saved after.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
struct WriteWaitingEvent(WaitNotice);

/// Damage was found while the workspace was open (a background check, a backup, a command).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
struct WorkspaceDamagedEvent(String);

/// Another device's changes were applied: the tables they changed, so open screens refresh.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
struct WorkspaceChangedEvent(tend::remote::WorkspaceChanged);

/// Forwards every apply of other devices' changes to the window, for as long as the app runs.
fn forward_changes(handle: &tauri::AppHandle, ws: &Workspace) {
    let mut heard = ws.watch_changes();
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match heard.recv().await {
                Ok(changed) => {
                    let _ = WorkspaceChangedEvent(changed).emit(&handle);
                }
                // more applies than the window took in: everything may have changed
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let all = tend_sync::registry::TABLES.iter().map(|t| t.name.to_string()).collect();
                    let _ = WorkspaceChangedEvent(tend::remote::WorkspaceChanged { tables: all }).emit(&handle);
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .disable_serde_phases()
        .commands(tauri_specta::collect_commands![
            commands::workspace::workspace_info,
            commands::workspace::set_language,
            commands::workspace::set_current_staff,
            commands::staff::staff_list,
            commands::staff::staff_add,
            commands::staff::staff_update,
            commands::staff::staff_remove,
            commands::settings::stage_list,
            commands::settings::stage_add,
            commands::settings::stage_rename,
            commands::settings::stage_reorder,
            commands::settings::stage_remove,
            commands::settings::custom_field_list,
            commands::settings::custom_field_add,
            commands::settings::custom_field_update,
            commands::settings::custom_field_remove,
            commands::customers::customer_list,
            commands::customers::customer_count,
            commands::customers::customer_search,
            commands::customers::customer_get,
            commands::customers::customer_check_duplicates,
            commands::customers::customer_create,
            commands::customers::customer_update,
            commands::customers::customer_bulk,
            commands::customers::customer_trash,
            commands::customers::customer_restore,
            commands::customers::customer_purge,
            commands::customers::trash_list,
            commands::customers::facets,
            commands::customers::contact_add,
            commands::customers::contact_update,
            commands::customers::contact_remove,
            commands::interactions::interaction_add,
            commands::interactions::interaction_delete,
            commands::customers::timeline,
            commands::customers::history,
            commands::import::import_preview,
            commands::import::import_run,
            commands::import::import_cancel,
            commands::import::import_undo,
            commands::import::import_list,
            commands::import::import_rejects_save,
            commands::files::pick_open_file,
            commands::files::pick_save_file,
            commands::customers::phone_info,
            commands::files::export_customers,
            commands::files::export_interactions,
            commands::backup::backup_list,
            commands::backup::backup_now,
            commands::backup::workspace_check,
            commands::backup::backup_restore,
            commands::backup::backup_newest_good,
            commands::workspace::workspace_status,
            commands::backup::restore_failure_dismiss,
            commands::duplicates::duplicate_pairs,
            commands::duplicates::merge_conflicts,
            commands::duplicates::merge_customers,
            commands::duplicates::undo_merge,
            commands::import::mapping_list,
            commands::import::mapping_save,
            commands::import::mapping_remove,
            commands::workspace::workspace_export,
            commands::workspace::workspace_import,
            commands::segments::segment_list,
            commands::segments::segment_count,
            commands::segments::segment_preview,
            commands::segments::segment_members,
            commands::segments::segment_size,
            commands::segments::segment_create,
            commands::segments::segment_create_preset,
            commands::segments::segment_update,
            commands::segments::segment_remove,
            commands::segments::customer_lists,
            commands::segments::segment_add_members,
            commands::segments::segment_remove_members,
            commands::segments::segment_presets,
            commands::segments::segment_fields,
            commands::deals::deal_stage_list,
            commands::deals::deal_stage_add,
            commands::deals::deal_stage_update,
            commands::deals::deal_stage_reorder,
            commands::deals::deal_stage_remove,
            commands::deals::pipeline,
            commands::deals::customer_deals,
            commands::deals::deal_create,
            commands::deals::deal_update,
            commands::deals::deal_move,
            commands::deals::deal_record_purchase,
            commands::deals::deal_delete,
            commands::deals::deal_trash_list,
            commands::deals::deal_restore,
            commands::settings::quiet_interval_get,
            commands::settings::quiet_interval_set,
            commands::care::care_plan_list,
            commands::care::care_plan_form,
            commands::care::care_plan_create,
            commands::care::care_plan_update,
            commands::care::care_plan_remove,
            commands::care::care_plan_presets,
            commands::care::care_enrol,
            commands::care::care_enrol_segment,
            commands::care::care_unenrol,
            commands::care::care_tasks,
            commands::care::care_task_complete,
            commands::care::care_task_skip,
            commands::care::care_task_snooze,
            commands::care::care_task_reschedule,
            commands::care::care_task_assign,
            commands::care::reminder_settings,
            commands::care::reminder_quiet_hours_set,
            commands::care::reminder_pause_set,
            commands::care::reminder_status,
            commands::care::export_care_tasks,
            commands::reports::report_get,
            commands::reports::report_tickets,
            commands::reports::report_customers,
            commands::reports::report_care_tasks,
            commands::reports::report_deals,
            commands::reports::report_settings_get,
            commands::reports::report_settings_set,
            commands::reports::report_export,
            commands::tickets::team_list,
            commands::tickets::team_default,
            commands::tickets::team_create,
            commands::tickets::team_update,
            commands::tickets::team_member_availability,
            commands::tickets::ticket_create,
            commands::tickets::ticket_get,
            commands::tickets::ticket_list,
            commands::tickets::ticket_message,
            commands::tickets::ticket_attachment_save,
            commands::tickets::ticket_attachment_preview,
            commands::tickets::survey_import,
            commands::tickets::ticket_move,
            commands::tickets::ticket_assign,
            commands::tickets::ticket_solve,
            commands::tickets::ticket_reopen,
            commands::tickets::ticket_check,
            commands::tickets::survey_record,
            commands::tickets::canned_list,
            commands::tickets::canned_create,
            commands::tickets::canned_update,
            commands::tickets::canned_remove,
            commands::tickets::canned_fill,
            commands::tickets::canned_placeholders,
            commands::tickets::ack_placeholders,
            commands::tickets::rule_list,
            commands::tickets::rule_create,
            commands::tickets::rule_update,
            commands::tickets::rule_remove,
            commands::tickets::rule_move,
            commands::tickets::ticket_merge,
            commands::tickets::ticket_unmerge,
            commands::tickets::ticket_link,
            commands::settings::autostart_get,
            commands::settings::autostart_set,
            commands::updates::update_status,
            commands::updates::update_settings_set,
            commands::updates::update_check,
            commands::updates::update_install,
            commands::updates::app_restart,
            commands::workspace::opened_file_take,
            commands::workspace::workspace_open,
            commands::sync::sync_status,
            commands::sync::sync_keychain_check,
            commands::sync::sync_share,
            commands::sync::sync_join,
            commands::sync::sync_join_cancel,
            commands::sync::sync_now,
            commands::sync::sync_pause,
            commands::sync::sync_sign_out,
            commands::sync::sync_invite,
            commands::sync::sync_members,
            commands::sync::sync_revoke,
        ])
        .events(tauri_specta::collect_events![
            WriteWaitingEvent,
            WorkspaceDamagedEvent,
            WorkspaceChangedEvent,
            reminders::ReminderEvent,
            reminders::OpenCustomerEvent,
            reminders::OpenTodayEvent,
            updates::UpdateAvailableEvent,
            opened::OpenedFileEvent,
            sync::SyncStatusEvent
        ])
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

    // a workspace or an archive opened with the app from the file manager
    let opened = opened::from_args(&args);
    let path = opened::workspace_for_this_run(&opened);
    let _ = WORKSPACE.set(path.clone());
    let archive = opened.filter(|f| f.kind == opened::OpenedKind::Archive);
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
            Ok(kept) => {
                eprintln!("restored {} from {backup}; replaced file kept as {kept:?}", path.display());
                // a shared workspace joined in the last run: in place now, its download goes
                if sync::is_joined_download(std::path::Path::new(&backup)) {
                    for ext in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{backup}{ext}"));
                    }
                    // and the files its messages name, fetched beside it
                    let from = tend::files::folder(std::path::Path::new(&backup));
                    if let Err(err) = tend::files::merge_folder(&from, &tend::files::folder(&path)) {
                        eprintln!("could not move the joined workspace's files from {}: {err}", from.display());
                    }
                }
            }
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
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
            if let Some(file) = opened::from_args(&args) {
                opened::offer(app, file);
            }
        }))
        .plugin(tauri_plugin_updater::Builder::new().build())
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
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, None))
        .on_window_event(|window, event| {
            // with a tray icon, closing the window keeps the app (and its reminders) running
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                if reminders::IN_TRAY.load(Ordering::Relaxed) {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .manage(workspace)
        .manage(Cancels::default())
        .manage(reminders::Reminders::new())
        .manage(StartNotes(Mutex::new(restore_failed)))
        .manage(updates::Updates::default())
        .manage(sync::Sync::new())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            // the only folders whose files the window may name without picking them
            let own = vec![(Access::Read, tend::backup::backup_dir(&path)), (Access::Read, rejects_dir(app.handle())?)];
            let granted = Granted::new(own);
            if let Some(file) = &archive {
                granted.grant(Access::Read, std::path::PathBuf::from(&file.path));
            }
            app.manage(granted);
            app.manage(opened::Opened::new(archive));
            // also when the workspace cannot be opened: a newer version is what that may need
            updates::start(app.handle());
            match &app.state::<Shared>().0 {
                Ok(ws) => {
                    log::info!("workspace {} opened", path.display());
                    let handle = app.handle().clone();
                    ws.set_wait_hook(Arc::new(move |n: &WaitNotice| {
                        let _ = WriteWaitingEvent(n.clone()).emit(&handle);
                    }));
                    reminders::start(app.handle(), ws.clone());
                    sync::start(app.handle(), ws.clone());
                    forward_changes(app.handle(), ws);
                    let (lang, paused) = tauri::async_runtime::block_on(async {
                        let info = ws.info().await.ok();
                        let paused = ws.reminder_settings().await.map(|r| r.paused).unwrap_or(false);
                        (info.and_then(|i| i.language).unwrap_or_else(|| "vi".into()), paused)
                    });
                    if let Err(err) = reminders::tray(app.handle(), &lang, paused) {
                        log::warn!("no tray icon: {err}");
                    }
                    // A daily backup while the app runs (once a local day, as soon as it runs that day); a
                    // workspace too big to check on open is checked first, in the background.
                    let ws = ws.clone();
                    let handle = app.handle().clone();
                    tauri::async_runtime::spawn(async move {
                        let damaged = |detail: String| {
                            log::error!("workspace damaged: {detail}");
                            let _ = WorkspaceDamagedEvent(detail).emit(&handle);
                        };
                        // the first screen first: on two cores a check reading the whole file
                        // beside the window's first render makes the window wait for it
                        tokio::time::sleep(BACKGROUND_GRACE).await;
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
        Ok(app) => app.run(|_app, _event| {
            // macOS hands the files opened with a running app (or at its start) as an event
            #[cfg(target_os = "macos")]
            if let tauri::RunEvent::Opened { urls } = _event {
                let paths = urls.iter().filter_map(|u| u.to_file_path().ok()).map(|p| p.display().to_string());
                if let Some(file) = opened::from_args(std::iter::once(String::new()).chain(paths)) {
                    opened::offer(_app, file);
                }
            }
        }),
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
