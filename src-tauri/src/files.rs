//! Which files the window may name. The webview is not trusted with the file system: a command
//! that reads or writes a file the UI names accepts only
//! - a path the user picked in a native dialog that this process opened itself during this
//!   session (an open dialog lets that one path be read, a save dialog lets it be written), or
//! - a path inside one of the app's own folders (its backups, the rejected-rows files it wrote),
//!   links and `..` resolved first.
//!
//! Anything else is refused (`files.not_chosen`) before the file is touched, so a script
//! running in the webview cannot read or overwrite files of its choosing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    Write,
}

/// The paths the user picked this session, and the app's own folders.
pub struct Granted {
    picked: Mutex<HashSet<(Access, PathBuf)>>,
    own: Vec<(Access, PathBuf)>,
}

pub fn refused(path: &str) -> tend::Error {
    tend::Error::Validation(vec![tend::error::FieldError::new("path", "files.not_chosen").with("path", path)])
}

impl Granted {
    /// `own`: folders of the app whose files may be accessed so (each resolved when checked).
    pub fn new(own: Vec<(Access, PathBuf)>) -> Granted {
        Granted { picked: Mutex::new(HashSet::new()), own }
    }

    /// The user picked `path` in a dialog opened from Rust.
    pub fn grant(&self, access: Access, path: PathBuf) {
        self.picked.lock().unwrap_or_else(|p| p.into_inner()).insert((access, path));
    }

    /// The path, when the window may use it this way; the refusal otherwise.
    pub fn check(&self, access: Access, path: &str) -> Result<PathBuf, tend::Error> {
        let p = PathBuf::from(path);
        if self.picked.lock().unwrap_or_else(|p| p.into_inner()).contains(&(access, p.clone())) {
            return Ok(p);
        }
        if let Ok(real) = p.canonicalize() {
            let inside = |dir: &Path| dir.canonicalize().is_ok_and(|d| real.starts_with(d));
            if self.own.iter().any(|(a, dir)| *a == access && inside(dir)) {
                return Ok(real);
            }
        }
        Err(refused(path))
    }
}

/// Debug builds only: with `TEND_TEST_DIALOG=FILE` in the environment the app was started with,
/// every file dialog is answered with the path written in FILE (empty: cancelled) instead of
/// being shown, because WebDriver cannot drive a native dialog (ui/e2e writes FILE). Release
/// builds have no such code, and the webview can change neither the environment nor FILE.
#[cfg(debug_assertions)]
pub fn test_answer() -> Option<Option<PathBuf>> {
    let file = std::env::var_os("TEND_TEST_DIALOG").filter(|f| !f.is_empty())?;
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let t = text.trim();
    Some(if t.is_empty() { None } else { Some(PathBuf::from(t)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(e: tend::Error) -> String {
        tend::ErrorPayload::from(e).message_key
    }

    #[test]
    fn only_picked_paths_and_the_apps_own_folders_are_let_through() {
        let dir = tempfile::tempdir().unwrap();
        let backups = dir.path().join("backups");
        std::fs::create_dir(&backups).unwrap();
        let backup = backups.join("ws-2026-11-23.tend");
        std::fs::write(&backup, "x").unwrap();
        let elsewhere = dir.path().join("secret.txt");
        std::fs::write(&elsewhere, "x").unwrap();
        let g = Granted::new(vec![(Access::Read, backups.clone())]);
        let s = |p: &Path| p.display().to_string();

        // nothing picked yet: any path the window names is refused, existing or not
        for p in [s(&elsewhere), "/etc/passwd".into(), "relative.csv".into(), String::new()] {
            assert_eq!(g.check(Access::Read, &p).map_err(key), Err("files.not_chosen".into()), "{p}");
            assert!(g.check(Access::Write, &p).is_err(), "{p}");
        }
        // picked in an open dialog: that file may be read, not written
        g.grant(Access::Read, elsewhere.clone());
        assert_eq!(g.check(Access::Read, &s(&elsewhere)).unwrap(), elsewhere);
        assert!(g.check(Access::Write, &s(&elsewhere)).is_err());
        // picked in a save dialog: written, and only that path
        let out = dir.path().join("khach-hang.xlsx");
        g.grant(Access::Write, out.clone());
        assert_eq!(g.check(Access::Write, &s(&out)).unwrap(), out);
        assert!(g.check(Access::Write, &s(&dir.path().join("khach-hang.csv"))).is_err());
        // the app's own backups: read, even when named the long way round; never written
        assert!(g.check(Access::Read, &s(&backup)).is_ok());
        let round = backups.join("..").join("backups").join("ws-2026-11-23.tend");
        assert_eq!(g.check(Access::Read, &s(&round)).unwrap(), backup.canonicalize().unwrap());
        assert!(g.check(Access::Write, &s(&backup)).is_err());
        // ".." out of an own folder is not inside it
        let out_of = backups.join("..").join("secret.txt");
        let g2 = Granted::new(vec![(Access::Read, backups.clone())]);
        assert!(g2.check(Access::Read, &s(&out_of)).is_err());
        // nor is a link inside it that points elsewhere
        #[cfg(unix)]
        {
            let link = backups.join("link.tend");
            std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
            assert!(g2.check(Access::Read, &s(&link)).is_err());
        }
    }
}
