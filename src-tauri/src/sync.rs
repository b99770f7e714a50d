//! Sync in the app process: a background loop that keeps a shared workspace in step with its
//! server (the core's `sync_now`, then a long poll that the server answers within a second of
//! another device's change; a write on this device, here or by the CLI, syncs at once), with
//! backoff while the server cannot be reached; and joining a shared workspace, which downloads
//! it into a new file beside the workspace and puts that file in place at the next start (as a
//! restore does: the current workspace is kept beside it).
//!
//! The device token lives only in the OS keychain (`TokenStore::Keychain`). The window hears
//! every round's outcome as `SyncStatusEvent`; open screens refresh through
//! `WorkspaceChangedEvent` as pulled changes apply.

use crate::*;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tend::sync::{SyncProgress, SyncReport, SyncStatus, TokenStore};

/// How long a long poll waits for the server.
const LONG_POLL: Duration = Duration::from_secs(25);
/// The least time between the starts of two rounds woken by the server: a busy workspace is
/// pulled at most four times a second, each pull bringing everything that came meanwhile.
const MIN_ROUND: Duration = Duration::from_millis(250);
/// How often the loop looks for a write on this device while it waits.
const LOCAL_LOOK: Duration = Duration::from_millis(250);
/// How often an owner's or manager's device asks whether a new snapshot is due.
const SNAPSHOT_LOOK: Duration = Duration::from_secs(600);
/// The longest pause between attempts while the server cannot be reached.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

pub(crate) struct Sync {
    /// Wakes the loop: settings changed (shared, paused, resumed, signed out) or "sync now".
    wake: Arc<tokio::sync::Notify>,
    /// Cancels a join under way.
    cancel: Arc<AtomicBool>,
}

impl Sync {
    pub(crate) fn new() -> Sync {
        Sync { wake: Arc::new(tokio::sync::Notify::new()), cancel: Arc::new(AtomicBool::new(false)) }
    }

    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Where sync stands, after every round (and every change of its settings).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
pub(crate) struct SyncStatusEvent(pub SyncStatus);

fn tokens() -> TokenStore {
    TokenStore::Keychain
}

/// An error that waiting will not mend: the loop waits for the user (a settings change) instead
/// of trying again.
fn needs_the_user(key: &str) -> bool {
    matches!(
        key,
        "sync.revoked"
            | "sync.unauthorized"
            | "sync.token_missing"
            | "sync.no_keychain"
            | "sync.server_too_old"
            | "sync.client_too_old"
            | "sync.not_linked"
    )
}

async fn tell(handle: &tauri::AppHandle, ws: &Workspace) {
    if let Ok(status) = ws.sync_status().await {
        let _ = SyncStatusEvent(status).emit(handle);
    }
}

/// Waits until this device writes something (its newest transaction grows past `mark`).
async fn local_write(ws: &Workspace, mark: i64) {
    loop {
        tokio::time::sleep(LOCAL_LOOK).await;
        if ws.sync_local_mark().await.map(|m| m > mark).unwrap_or(false) {
            return;
        }
    }
}

/// Starts the loop for the open workspace; it idles while the workspace is not shared or sync
/// is paused.
pub(crate) fn start(app: &tauri::AppHandle, ws: Arc<Workspace>) {
    let wake = app.state::<Sync>().wake.clone();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut backoff = Duration::from_secs(1);
        let making = Arc::new(AtomicBool::new(false));
        let mut snapshot_look: Option<tokio::time::Instant> = None;
        loop {
            let status = match ws.sync_status().await {
                Ok(s) => s,
                Err(err) => {
                    log::warn!("sync status: {err}");
                    let _ = tokio::time::timeout(MAX_BACKOFF, wake.notified()).await;
                    continue;
                }
            };
            if status.link.is_none() {
                wake.notified().await;
                continue;
            }
            if status.paused {
                // the window still hears of changes waiting to be sent
                let mark = ws.sync_local_mark().await.unwrap_or(0);
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = local_write(&ws, mark) => tell(&handle, &ws).await,
                }
                continue;
            }
            let mark = ws.sync_local_mark().await.unwrap_or(0);
            let round_started = tokio::time::Instant::now();
            let round = ws.sync_now(&tokens()).await;
            tell(&handle, &ws).await;
            match round {
                Ok(_) => {
                    backoff = Duration::from_secs(1);
                    if status.link.as_ref().is_some_and(|l| l.role.manages())
                        && snapshot_look.is_none_or(|at| at.elapsed() >= SNAPSHOT_LOOK)
                    {
                        snapshot_look = Some(tokio::time::Instant::now());
                        snapshot_if_due(ws.clone(), making.clone());
                    }
                }
                Err(tend::Error::Sync { key, .. }) if needs_the_user(key) => {
                    log::warn!("sync stopped until its settings change: {key}");
                    wake.notified().await;
                    continue;
                }
                Err(err) => {
                    log::info!("sync will try again in {} s: {err}", backoff.as_secs());
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = wake.notified() => {}
                        _ = local_write(&ws, mark) => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            }
            // in step: wait for the server, a write here, or the user
            let store = tokens();
            tokio::select! {
                waited = ws.sync_wait(&store, LONG_POLL) => {
                    match waited {
                        Ok(_) => tokio::time::sleep_until(round_started + MIN_ROUND).await,
                        Err(err) => {
                            log::info!("sync wait: {err}");
                            tokio::select! {
                                _ = tokio::time::sleep(backoff) => {}
                                _ = wake.notified() => {}
                            }
                            backoff = (backoff * 2).min(MAX_BACKOFF);
                        }
                    }
                }
                _ = local_write(&ws, mark) => {}
                _ = wake.notified() => {}
            }
        }
    });
}

/// Makes and uploads a snapshot when enough was stored after the newest, beside the loop (a
/// big workspace takes a while to copy and send; the loop goes on syncing meanwhile).
fn snapshot_if_due(ws: Arc<Workspace>, making: Arc<AtomicBool>) {
    if making.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    /// Lets the next look make one, however this one ends.
    struct Done(Arc<AtomicBool>);
    impl Drop for Done {
        fn drop(&mut self) {
            self.0.store(false, std::sync::atomic::Ordering::SeqCst);
        }
    }
    tauri::async_runtime::spawn(async move {
        let _done = Done(making);
        let store = tokens();
        match ws.sync_snapshot_due(&store).await {
            Ok(true) => match ws.sync_snapshot(&store, &|_| {}).await {
                Ok(m) => log::info!("snapshot at {} uploaded: {} bytes in {} chunks", m.seq, m.bytes, m.chunks),
                Err(err) => log::info!("snapshot not made now: {err}"),
            },
            Ok(false) => {}
            Err(err) => log::info!("snapshot look: {err}"),
        }
    });
}

/// Shares the open workspace on `server` with the owner's invite: its history goes up, with
/// progress; then the loop keeps it in step.
pub(crate) async fn share(
    app: &tauri::AppHandle,
    ws: &Workspace,
    server: &str,
    invite: &str,
    progress: tauri::ipc::Channel<SyncProgress>,
) -> R<SyncReport> {
    let sent = |p: SyncProgress| {
        let _ = progress.send(p);
    };
    let out = ws.sync_share(server, invite, &tokens(), &sent).await;
    app.state::<Sync>().wake();
    tell(app, ws).await;
    out.map_err(e)
}

/// The file a joined workspace is downloaded into, beside the workspace.
fn joining_path() -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{}.joined.tend", workspace_path().display()))
}

/// Whether a file is a joined download that the start put in place (and may now go).
pub(crate) fn is_joined_download(path: &std::path::Path) -> bool {
    path.to_string_lossy().ends_with(".joined.tend")
}

fn remove_with_sides(path: &std::path::Path) {
    for ext in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
}

/// Joins a shared workspace: downloads it into a new file with progress (cancellable), then the
/// app restarts on it; the current workspace is kept beside it. On failure or cancel the
/// download and its token are gone and nothing else changed.
pub(crate) async fn join(
    app: &tauri::AppHandle,
    granted: &Granted,
    server: &str,
    invite: &str,
    progress: tauri::ipc::Channel<SyncProgress>,
) -> R<SyncReport> {
    let sync = app.state::<Sync>();
    sync.cancel.store(false, Ordering::Relaxed);
    let path = joining_path();
    remove_with_sides(&path);
    let _ = std::fs::remove_dir_all(tend::files::folder(&path));
    let mut ws = Workspace::open(&path).await.map_err(e)?;
    let sent = |p: SyncProgress| {
        let _ = progress.send(p);
    };
    let joined = ws.sync_join(server, invite, &tokens(), &sent, Some(&sync.cancel)).await;
    let report = match joined {
        Ok(r) => r,
        Err(err) => {
            // signed in but not downloaded: the server forgets this device, the keychain its token
            if ws.sync_link().await.ok().flatten().is_some() {
                let _ = ws.sync_sign_out(&tokens(), true).await;
            }
            ws.close().await;
            remove_with_sides(&path);
            let _ = std::fs::remove_dir_all(tend::files::folder(&path));
            return Err(e(err));
        }
    };
    ws.close().await;
    granted.grant(Access::Read, path.clone());
    let shown = path.display().to_string();
    shell::restore_on_restart(app, granted, &shown)?;
    Ok(report)
}

/// Stops a join under way.
pub(crate) fn cancel_join(app: &tauri::AppHandle) {
    app.state::<Sync>().cancel.store(true, Ordering::Relaxed);
}

/// Settings changed (paused, resumed, signed out, a round asked for): the loop looks again and
/// the window hears where sync stands.
pub(crate) async fn changed(app: &tauri::AppHandle, ws: &Workspace) {
    app.state::<Sync>().wake();
    tell(app, ws).await;
}
