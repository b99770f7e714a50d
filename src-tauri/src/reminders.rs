//! Desktop reminders: the core's scheduler (`tend::care::remind::run`) in the app process, its
//! notifications shown through notify-rust, and what the window hears of them.
//!
//! - A notification for one task opens that customer when clicked (where the platform reports
//!   clicks: Linux through the notification's default action).
//! - Where no notification can be shown (no session bus, no notification service), the status
//!   says why (Settings shows it) and the window gets every reminder as an event, so reminders
//!   stay in the app; nothing fails.
//! - Customers entering a segment plan are enrolled at start and every ten minutes.

use crate::*;
use std::sync::atomic::AtomicBool;
use tend::care::remind::Notice;

/// Whether the last notification could be shown, and if not, why.
#[derive(serde::Serialize, specta::Type, Clone, Debug, Default)]
pub(crate) struct NotifierStatus {
    /// none: nothing shown yet
    pub available: Option<bool>,
    pub error: Option<String>,
}

pub(crate) struct Reminders {
    wake: Arc<tokio::sync::Notify>,
    status: Arc<Mutex<NotifierStatus>>,
}

impl Reminders {
    pub(crate) fn new() -> Reminders {
        Reminders {
            wake: Arc::new(tokio::sync::Notify::new()),
            status: Arc::new(Mutex::new(NotifierStatus::default())),
        }
    }

    pub(crate) fn status(&self) -> NotifierStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// A reminder fell due: the window refreshes Today and, when the desktop could not show it,
/// shows it itself.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
pub(crate) struct ReminderEvent {
    pub notice: Notice,
    pub shown: bool,
}

/// A notification was clicked: the window opens this customer.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
pub(crate) struct OpenCustomerEvent(pub String);

/// How often customers entering segment plans are enrolled.
const RECONCILE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Starts the scheduler and the segment plans' enrolment for the open workspace.
pub(crate) fn start(app: &tauri::AppHandle, ws: Arc<Workspace>) {
    let state = app.state::<Reminders>();
    let (wake, status) = (state.wake.clone(), state.status.clone());
    let handle = app.clone();
    let w = ws.clone();
    tauri::async_runtime::spawn(async move {
        let show = |n: Notice| {
            let shown = match notify(&handle, &n) {
                Ok(()) => {
                    if let Ok(mut s) = status.lock() {
                        *s = NotifierStatus { available: Some(true), error: None };
                    }
                    true
                }
                Err(err) => {
                    log::warn!("notification not shown: {err}");
                    if let Ok(mut s) = status.lock() {
                        *s = NotifierStatus { available: Some(false), error: Some(err) };
                    }
                    false
                }
            };
            let _ = ReminderEvent { notice: n, shown }.emit(&handle);
        };
        let failed = |err: tend::Error| log::error!("reminders: {err}");
        tend::care::remind::run(&w, w.clock(), &wake, tend::care::remind::LOOK_EVERY_MS, show, failed).await;
    });
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(BACKGROUND_GRACE).await;
        loop {
            match ws.care_reconcile().await {
                Ok(r) if r.enrolled > 0 => log::info!("segment plans enrolled {} customers", r.enrolled),
                Ok(_) => {}
                Err(err) => log::error!("segment plans: {err}"),
            }
            tokio::time::sleep(RECONCILE_EVERY).await;
        }
    });
}

/// Wakes the scheduler after a change that may move the next reminder (a snooze, the user or
/// pause changed), and passes the command's answer on.
#[allow(clippy::result_large_err)] // the IPC payload itself, as every command returns it
pub(crate) fn after<T>(app: &tauri::AppHandle, res: tend::Result<T>) -> R<T> {
    app.state::<Reminders>().wake.notify_one();
    res.map_err(e)
}

/// Pauses (or resumes) reminders on this device, from Settings or the tray.
pub(crate) async fn set_paused(app: &tauri::AppHandle, ws: &Workspace, paused: bool) -> tend::Result<()> {
    ws.set_reminders_paused(paused).await?;
    PAUSED.store(paused, Ordering::Relaxed);
    app.state::<Reminders>().wake.notify_one();
    Ok(())
}

/// Whether reminders are paused on this device (the tray's check mark).
pub(crate) static PAUSED: AtomicBool = AtomicBool::new(false);

fn notify(app: &tauri::AppHandle, n: &Notice) -> Result<(), String> {
    let mut note = notify_rust::Notification::new();
    note.appname("Tend").summary(&n.title).body(&n.body).icon("tend");
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        note.action("default", &n.title);
        let handle = note.show().map_err(|e| e.to_string())?;
        if let Some(customer) = n.customer_id.clone() {
            let app = app.clone();
            // waits on its own thread until the notification is clicked or closed
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" {
                        open_window(&app);
                        let _ = OpenCustomerEvent(customer.clone()).emit(&app);
                    }
                });
            });
        }
        Ok(())
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        let _ = app;
        note.show().map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Shows the main window (from the tray, a notification, a second launch).
pub(crate) fn open_window(app: &tauri::AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// The tray's words, in the device's language.
fn tray_words(lang: &str) -> [&'static str; 4] {
    if lang == "en" {
        ["Open Tend", "Today's tasks", "Pause reminders", "Quit"]
    } else {
        ["Mở Tend", "Việc hôm nay", "Tạm dừng nhắc việc", "Thoát"]
    }
}

/// Whether the desktop shows tray icons: on Linux only when a StatusNotifier host is on the
/// session bus (GNOME without its AppIndicator extension has none; neither has a test display);
/// elsewhere always.
fn tray_host() -> bool {
    #[cfg(target_os = "linux")]
    {
        let Ok(bus) = zbus::blocking::Connection::session() else { return false };
        let reply = bus.call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus"),
            "NameHasOwner",
            &("org.kde.StatusNotifierWatcher",),
        );
        reply.ok().and_then(|m| m.body().deserialize::<bool>().ok()).unwrap_or(false)
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

/// Whether closing the window keeps the app in the tray (a tray icon is shown).
pub(crate) static IN_TRAY: AtomicBool = AtomicBool::new(false);

/// The tray icon and its menu (open, today's tasks, pause reminders, quit), where the desktop
/// shows one; closing the window then hides it and reminders go on.
pub(crate) fn tray(app: &tauri::AppHandle, lang: &str, paused: bool) -> tauri::Result<()> {
    use tauri::menu::{CheckMenuItem, Menu, MenuItem};
    PAUSED.store(paused, Ordering::Relaxed);
    if !tray_host() {
        log::info!("no tray on this desktop: closing the window quits");
        return Ok(());
    }
    let [open, today, pause, quit] = tray_words(lang);
    let open = MenuItem::with_id(app, "open", open, true, None::<&str>)?;
    let today = MenuItem::with_id(app, "today", today, true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, "pause", pause, true, paused, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", quit, true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &today, &pause, &quit])?;
    let mut tray = tauri::tray::TrayIconBuilder::with_id("main").tooltip("Tend").menu(&menu);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.on_menu_event(move |app, ev| match ev.id.as_ref() {
        "open" => open_window(app),
        "today" => {
            open_window(app);
            let _ = OpenTodayEvent.emit(app);
        }
        "pause" => {
            let paused = !PAUSED.load(Ordering::Relaxed);
            let _ = pause.set_checked(paused);
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let shared = app.state::<Shared>();
                if let Ok(ws) = shared.get() {
                    if let Err(err) = set_paused(&app, ws, paused).await {
                        log::error!("pause reminders: {err}");
                    }
                }
            });
        }
        "quit" => app.exit(0),
        _ => {}
    })
    .build(app)?;
    IN_TRAY.store(true, Ordering::Relaxed);
    Ok(())
}

/// The tray's "today's tasks": the window opens Today.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
pub(crate) struct OpenTodayEvent;
