//! Where a device's sync token lives: the OS keychain (keyring with the platform's own store),
//! or a file the CLI names with `--token-file` (servers and tests). Never in the workspace.

use crate::error::{Error, Result};
use std::path::PathBuf;

const SERVICE: &str = "vn.tend.app";

/// The token's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenStore {
    Keychain,
    File(PathBuf),
}

fn keychain_error(e: keyring::Error) -> Error {
    Error::Sync { key: "sync.no_keychain", detail: e.to_string(), device: None }
}

fn entry(account: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, account).map_err(keychain_error)
}

impl TokenStore {
    /// Whether the token can be kept here: the keychain takes a secret (and gives it up); a
    /// file's folder exists. Asked before an invite is spent on a device that could not keep its token.
    pub fn check(&self) -> Result<()> {
        match self {
            // written and taken away again: a locked or read-only keychain answers reads too
            TokenStore::Keychain => {
                let probe = entry("tend-keychain-check")?;
                probe.set_password("check").map_err(keychain_error)?;
                match probe.delete_credential() {
                    Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                    Err(e) => Err(keychain_error(e)),
                }
            }
            TokenStore::File(path) => {
                let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
                if dir.is_dir() {
                    Ok(())
                } else {
                    Err(Error::Sync {
                        key: "sync.token_file",
                        detail: format!("no folder {}", dir.display()),
                        device: None,
                    })
                }
            }
        }
    }

    pub fn save(&self, account: &str, token: &str) -> Result<()> {
        match self {
            TokenStore::Keychain => entry(account)?.set_password(token).map_err(keychain_error),
            TokenStore::File(path) => write_private(path, token).map_err(|e| Error::Sync {
                key: "sync.token_file",
                detail: e.to_string(),
                device: None,
            }),
        }
    }

    pub fn load(&self, account: &str) -> Result<String> {
        let missing = |detail: String| Error::Sync { key: "sync.token_missing", detail, device: None };
        match self {
            TokenStore::Keychain => match entry(account)?.get_password() {
                Ok(t) => Ok(t),
                Err(keyring::Error::NoEntry) => Err(missing("no token in the keychain".into())),
                Err(e) => Err(keychain_error(e)),
            },
            TokenStore::File(path) => match std::fs::read_to_string(path) {
                Ok(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
                Ok(_) => Err(missing(format!("{} is empty", path.display()))),
                Err(e) => Err(missing(format!("{}: {e}", path.display()))),
            },
        }
    }

    pub fn delete(&self, account: &str) -> Result<()> {
        match self {
            TokenStore::Keychain => match entry(account)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(keychain_error(e)),
            },
            TokenStore::File(path) => match std::fs::remove_file(path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e.into()),
            },
        }
    }
}

/// Writes a file only its owner reads (0600 on Unix), replacing it whole.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}
