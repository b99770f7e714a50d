//! The files the system hands the app: a `.tend` workspace or a `.tend-archive` opened from the
//! file manager (the packages register both). Given at start they come as arguments; given to a
//! running app they reach it through the single-instance plugin (Windows, Linux) or as an
//! `Opened` event (macOS).
//!
//! A workspace given at start is the workspace of that run. One given to a running app is
//! offered: the window asks, and the app restarts on it (`restart_on`). An archive is offered
//! for import into the open workspace, in the window.

use crate::*;
use std::path::{Path, PathBuf};

/// What kind of file was opened.
#[derive(serde::Serialize, serde::Deserialize, specta::Type, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OpenedKind {
    Workspace,
    Archive,
}

/// A file the system opened with the app, waiting for the window.
#[derive(serde::Serialize, serde::Deserialize, specta::Type, Clone, Debug, PartialEq, Eq)]
pub(crate) struct OpenedFile {
    pub kind: OpenedKind,
    pub path: String,
}

/// A file was opened with the running app: the window offers it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, specta::Type, tauri_specta::Event)]
pub(crate) struct OpenedFileEvent(pub OpenedFile);

/// The file opened with the app that the window has not taken yet.
#[derive(Default)]
pub(crate) struct Opened(Mutex<Option<OpenedFile>>);

impl Opened {
    pub(crate) fn new(file: Option<OpenedFile>) -> Self {
        Opened(Mutex::new(file))
    }
    pub(crate) fn take(&self) -> Option<OpenedFile> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// The workspace or archive named among `args` (the program's own name and options skipped):
/// the last one given of a kind Tend opens.
pub(crate) fn from_args<I: IntoIterator<Item = S>, S: AsRef<str>>(args: I) -> Option<OpenedFile> {
    let mut found = None;
    for arg in args.into_iter().skip(1) {
        let arg = arg.as_ref();
        if arg.starts_with('-') {
            continue;
        }
        // file managers on Linux may pass a file:// address (%U)
        let path = match url::Url::parse(arg) {
            Ok(u) if u.scheme() == "file" => match u.to_file_path() {
                Ok(p) => p.display().to_string(),
                Err(()) => continue,
            },
            _ => arg.to_string(),
        };
        let kind = match Path::new(&path).extension().and_then(|x| x.to_str()).map(str::to_ascii_lowercase) {
            Some(x) if x == "tend" => OpenedKind::Workspace,
            Some(x) if x == "tend-archive" => OpenedKind::Archive,
            _ => continue,
        };
        let path = std::path::absolute(&path).unwrap_or_else(|_| PathBuf::from(&path));
        found = Some(OpenedFile { kind, path: path.display().to_string() });
    }
    found
}

/// Where a workspace chosen in the running app waits for the next start.
fn pending_open_file() -> PathBuf {
    let db = tend::default_workspace_path();
    PathBuf::from(format!("{}.open-pending", db.display()))
}

/// The workspace this run opens: one chosen in the last run (`restart_on`), else one given on
/// the command line, else the usual one ($TEND_DB or the app's data folder).
pub(crate) fn workspace_for_this_run(opened: &Option<OpenedFile>) -> PathBuf {
    let pending = pending_open_file();
    if let Ok(path) = std::fs::read_to_string(&pending) {
        // used once: the next plain start opens the usual workspace again
        let _ = std::fs::remove_file(&pending);
        if !path.trim().is_empty() {
            return PathBuf::from(path.trim());
        }
    }
    match opened {
        Some(OpenedFile { kind: OpenedKind::Workspace, path }) => PathBuf::from(path),
        _ => tend::default_workspace_path(),
    }
}

/// A file handed to the running app: it may be read (an archive to import) or opened (a
/// workspace), and the window is told.
pub(crate) fn offer(app: &tauri::AppHandle, file: OpenedFile) {
    if file.kind == OpenedKind::Workspace && Path::new(&file.path) == workspace_path() {
        return; // the one open now: the window is brought forward, nothing to ask
    }
    if let Some(granted) = app.try_state::<Granted>() {
        granted.grant(Access::Read, PathBuf::from(&file.path));
    }
    // kept for a window that is not listening yet (macOS hands the file over during start)
    if let Some(opened) = app.try_state::<Opened>() {
        *opened.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(file.clone());
    }
    let _ = OpenedFileEvent(file).emit(app);
}

/// Restarts the app on the workspace `path` (one the system opened with the app).
#[allow(clippy::result_large_err)] // the IPC payload itself, as every command returns it
pub(crate) fn restart_on(app: &tauri::AppHandle, granted: &Granted, path: &str) -> R<()> {
    let path = granted.check(Access::Read, path).map_err(e)?;
    std::fs::write(pending_open_file(), path.display().to_string()).map_err(|err| e(err.into()))?;
    app.restart();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_workspace_or_archive_among_the_arguments() {
        assert_eq!(from_args(["tend-desktop"]), None);
        assert_eq!(from_args(["tend-desktop", "--minimized", "notes.txt"]), None);
        let ws = from_args(["tend-desktop", "/data/Cửa hàng.tend"]).unwrap();
        assert_eq!((ws.kind, ws.path.as_str()), (OpenedKind::Workspace, "/data/Cửa hàng.tend"));
        let ar = from_args(["tend-desktop", "file:///home/an/Sao%20l%C6%B0u.TEND-ARCHIVE"]).unwrap();
        assert_eq!((ar.kind, ar.path.as_str()), (OpenedKind::Archive, "/home/an/Sao lưu.TEND-ARCHIVE"));
        let rel = from_args(["tend-desktop", "x.tend"]).unwrap();
        assert!(Path::new(&rel.path).is_absolute(), "{rel:?}");
    }
}
