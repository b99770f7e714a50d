//! Updates of the app itself, through tauri-plugin-updater: the release pipeline signs every
//! package with the private key only it holds, the app carries the public key
//! (tauri.conf.json `plugins.updater.pubkey`) and refuses any package whose signature does not
//! verify against it, or that was signed for another version than the manifest announces.
//!
//! The app looks at start and once a day while the user leaves "check for updates" on (a
//! setting of this device, in the app's config folder), never while an import runs; an update
//! is only announced, then downloaded and installed when the user says so. The workspace is
//! backed up by the new version before it first migrates it (`Workspace::open`).

use crate::*;
use tauri::ipc::Channel;
use tauri_plugin_updater::{Update, UpdaterExt};

/// Looked for again this long after the last look.
const DAY_MS: i64 = 86_400_000;
/// The first look waits this long after start, behind the first screen and the start's checks.
const FIRST_LOOK: std::time::Duration = std::time::Duration::from_secs(8);

/// The update settings of this device.
#[derive(serde::Serialize, serde::Deserialize, specta::Type, Clone, Debug)]
pub(crate) struct UpdateSettings {
    /// Look for updates at start and once a day.
    pub auto: bool,
}

impl Default for UpdateSettings {
    fn default() -> Self {
        UpdateSettings { auto: true }
    }
}

/// A newer version offered by the update server.
#[derive(serde::Serialize, specta::Type, Clone, Debug)]
pub(crate) struct UpdateInfo {
    pub version: String,
    pub current: String,
    /// When it was released (RFC 3339), if the manifest says.
    pub date: Option<String>,
    /// What is new, in the language asked for (CHANGELOG.md's section for the version).
    pub notes: String,
}

/// What the Settings screen and the update dialog show.
#[derive(serde::Serialize, specta::Type, Clone, Debug)]
pub(crate) struct UpdateStatus {
    pub current: String,
    pub settings: UpdateSettings,
    /// This build knows where to look (the release pipeline gives the address).
    pub configured: bool,
    /// UTC ms of the last look that got an answer.
    #[specta(type = Option<f64>)]
    pub checked_at: Option<i64>,
    pub available: Option<UpdateInfo>,
    /// A version installed in this run: it starts when the app restarts.
    pub installed: Option<String>,
}

/// How far an install has come, on the install's own channel.
#[derive(serde::Serialize, specta::Type, Clone, Debug)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub(crate) enum UpdateProgress {
    /// Bytes received so far, of `total` when the server says.
    Downloading {
        received: f64,
        total: Option<f64>,
    },
    /// Downloaded; its signature is being checked.
    Verifying,
    Installing,
}

/// A newer version was found by the daily look (its number): the window offers it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
pub(crate) struct UpdateAvailableEvent(pub String);

#[derive(Default)]
pub(crate) struct Updates {
    pending: tokio::sync::Mutex<Option<Update>>,
    checked_at: Mutex<Option<i64>>,
    installed: Mutex<Option<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn failed(key: &'static str, detail: impl std::fmt::Display) -> ErrorPayload {
    e(tend::Error::Update { key, detail: detail.to_string() })
}

/// The updater's error as the window shows it: a bad signature says so, a server out of reach
/// says that, and so on; `detail` keeps the updater's own words.
fn updater_failed(err: tauri_plugin_updater::Error) -> ErrorPayload {
    use tauri_plugin_updater::Error as U;
    let key = match &err {
        U::Minisign(_)
        | U::Base64(_)
        | U::SignatureUtf8(_)
        | U::SignedVersionMismatch { .. }
        | U::MissingSignedVersion => "update.bad_signature",
        U::EmptyEndpoints => "update.not_configured",
        U::Reqwest(_) | U::Network(_) | U::ReleaseNotFound | U::InsecureTransportProtocol => "update.unreachable",
        U::TargetNotFound(_) | U::TargetsNotFound(_) => "update.no_package",
        U::InvalidUpdaterFormat => "update.wrong_package",
        U::AuthenticationFailed => "update.not_allowed",
        // every other failure happens while installing, and the updater names it in `detail`
        _ => "update.install_failed",
    };
    failed(key, err)
}

fn settings_file(app: &tauri::AppHandle) -> Option<std::path::PathBuf> {
    app.path().app_config_dir().ok().map(|d| d.join("updates.json"))
}

/// This device's update settings; the defaults when none were saved (or the file is unreadable,
/// which is logged).
pub(crate) fn settings(app: &tauri::AppHandle) -> UpdateSettings {
    let Some(path) = settings_file(app) else { return UpdateSettings::default() };
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
            log::warn!("{} unreadable ({err}): the default update settings apply", path.display());
            UpdateSettings::default()
        }),
        Err(_) => UpdateSettings::default(),
    }
}

#[allow(clippy::result_large_err)] // the IPC payload itself, as every command returns it
pub(crate) fn set_settings(app: &tauri::AppHandle, new: UpdateSettings) -> R<UpdateSettings> {
    let path = settings_file(app).ok_or_else(|| failed("update.settings_unwritable", "no config folder"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|err| failed("update.settings_unwritable", err))?;
    }
    let json = serde_json::to_vec_pretty(&new).map_err(|err| failed("update.settings_unwritable", err))?;
    std::fs::write(&path, json).map_err(|err| failed("update.settings_unwritable", err))?;
    Ok(new)
}

fn info(update: &Update, language: &str) -> UpdateInfo {
    UpdateInfo {
        version: update.version.clone(),
        current: update.current_version.clone(),
        date: update.date.and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok()),
        notes: tend::release_notes::localized(update.body.as_deref().unwrap_or(""), language),
    }
}

pub(crate) async fn status(app: &tauri::AppHandle, updates: &Updates, language: &str) -> UpdateStatus {
    let available = updates.pending.lock().await.as_ref().map(|u| info(u, language));
    UpdateStatus {
        current: app.package_info().version.to_string(),
        settings: settings(app),
        configured: app.updater().is_ok(),
        checked_at: *lock(&updates.checked_at),
        available,
        installed: lock(&updates.installed).clone(),
    }
}

/// Asks the update server whether a newer version exists; remembers it for the install.
pub(crate) async fn check(app: &tauri::AppHandle, updates: &Updates, language: &str) -> R<Option<UpdateInfo>> {
    let updater = app.updater().map_err(updater_failed)?;
    let found = updater.check().await.map_err(updater_failed)?;
    *lock(&updates.checked_at) = Some(now_ms());
    let mut pending = updates.pending.lock().await;
    *pending = found;
    Ok(pending.as_ref().map(|u| info(u, language)))
}

/// Downloads the update found by the last look, checks its signature and installs it, telling
/// `progress` how far it has come. Refused while an import runs. The new version starts at the
/// next start (`restart`); on Windows the installer takes over and the app closes.
pub(crate) async fn install(updates: &Updates, imports: &Cancels, progress: Channel<UpdateProgress>) -> R<String> {
    if imports.running() {
        return Err(failed("update.import_running", "an import is running"));
    }
    let pending = updates.pending.lock().await;
    let Some(update) = pending.as_ref() else {
        return Err(failed("update.none_pending", "no update was found to install"));
    };
    let mut received = 0u64;
    // the window may have gone meanwhile: progress is then told to no one
    let bytes = update
        .download(
            |chunk, total| {
                received += chunk as u64;
                let _ = progress
                    .send(UpdateProgress::Downloading { received: received as f64, total: total.map(|t| t as f64) });
            },
            || {
                let _ = progress.send(UpdateProgress::Verifying);
            },
        )
        .await
        .map_err(updater_failed)?;
    let _ = progress.send(UpdateProgress::Installing);
    log::info!("installing Tend {} over {}", update.version, update.current_version);
    update.install(&bytes).map_err(updater_failed)?;
    log::info!("Tend {} installed; it starts at the next start", update.version);
    *lock(&updates.installed) = Some(update.version.clone());
    Ok(update.version.clone())
}

/// The daily look: at start (after `FIRST_LOOK`) and a day after each look, while "check for
/// updates" is on and no import runs; a newer version is announced to the window, never
/// downloaded unasked. A look that fails is logged and tried again in an hour.
pub(crate) fn start(app: &tauri::AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_LOOK).await;
        loop {
            let updates = app.state::<Updates>();
            let next = if !settings(&app).auto || app.updater().is_err() {
                now_ms() + 60_000
            } else if app.state::<Cancels>().running() {
                log::info!("update look put off: an import is running");
                now_ms() + 5 * 60_000
            } else {
                let due = lock(&updates.checked_at).map(|t| t + DAY_MS).unwrap_or(0);
                if now_ms() < due {
                    due
                } else {
                    match check(&app, &updates, "en").await {
                        Ok(Some(found)) => {
                            log::info!("Tend {} is available", found.version);
                            let _ = UpdateAvailableEvent(found.version).emit(&app);
                            now_ms() + DAY_MS
                        }
                        Ok(None) => now_ms() + DAY_MS,
                        Err(err) => {
                            log::warn!("update look failed: {}", err.message);
                            now_ms() + 3_600_000
                        }
                    }
                }
            };
            // a minute at most between looks at the clock and the setting: a laptop waking up,
            // or the setting turned on, is noticed
            let wait = (next - now_ms()).clamp(1_000, 60_000) as u64;
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        }
    });
}
