//! The workspace's files (a ticket message's attachments): kept in a folder beside the workspace
//! file (`shop.tend` -> `shop.files/`), each under the SHA-256 of its content (`ab/abcdef…`), so a
//! file sent twice is stored once and a name says nothing about the customer. A file is checked
//! before anything is stored: at most [`MAX_SIZE`], of a type a shop exchanges with customers
//! (pictures, PDF, office documents, audio and video, plain text) as its content shows it, never
//! a program or script whatever it is called. The rows name the files (`Attachment`); the archive
//! carries them.

use crate::error::{Error, FieldError, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use specta::Type;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest file a message takes (25 MiB: what email services let through).
pub const MAX_SIZE: u64 = 25 * 1024 * 1024;
/// The most files one message takes.
pub const MAX_FILES: usize = 10;
/// The longest file name kept (characters); a longer one keeps its end (the extension).
const MAX_NAME: usize = 120;

/// A stored file as a message names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Attachment {
    /// The name it was sent with (no folders).
    pub name: String,
    /// SHA-256 of the content, 64 lower-case hex digits: its name in the folder.
    pub hash: String,
    #[specta(type = i32)]
    pub size: i64,
    /// The type its content shows (`image/jpeg`, `application/pdf`, `text/plain`...).
    pub mime: String,
}

/// What the content of each accepted type starts with, as `infer` reads it.
const ALLOWED: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/heif",
    "image/avif",
    "image/tiff",
    "application/pdf",
    "application/rtf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "audio/mpeg",
    "audio/m4a",
    "audio/aac",
    "audio/ogg",
    "audio/x-wav",
    "audio/amr",
    "audio/x-flac",
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/3gpp",
    "video/x-matroska",
];

/// Plain text has no signature: these names are taken when their content is text.
const TEXT: &[(&str, &str)] =
    &[("txt", "text/plain"), ("csv", "text/csv"), ("log", "text/plain"), ("md", "text/plain")];

/// Names a desktop runs or installs when opened: refused whatever the content.
const RUNNABLE: &[&str] = &[
    "exe", "com", "bat", "cmd", "msi", "msp", "scr", "pif", "cpl", "dll", "ps1", "psm1", "vbs", "vbe", "js", "jse",
    "wsf", "wsh", "hta", "jar", "sh", "bash", "command", "app", "apk", "dmg", "pkg", "deb", "rpm", "appimage", "lnk",
    "reg", "so", "dylib", "run", "bin",
];

/// The folder of the workspace file at `db`.
pub fn folder(db: &Path) -> PathBuf {
    db.with_extension("files")
}

/// Where the file with `hash` is kept (it may not be there: a row synced before its file).
pub fn path_of(folder: &Path, hash: &str) -> Result<PathBuf> {
    if !is_hash(hash) {
        return Err(bad("hash", "attachment.unknown", "value", hash));
    }
    Ok(folder.join(&hash[..2]).join(hash))
}

pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn bad(field: &str, key: &str, param: &str, value: &str) -> Error {
    Error::Validation(vec![FieldError::new(field, key).with(param, value)])
}

/// A file read and checked, not stored yet.
pub struct Checked {
    pub attachment: Attachment,
    bytes: Vec<u8>,
}

fn problem(field: &str, key: &str, name: &str) -> FieldError {
    FieldError::new(field, key).with("name", name)
}

/// The name a file is kept under: its last path part, control characters out, bounded.
fn clean_name(path: &Path) -> String {
    let raw = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name: String = raw.chars().filter(|c| !c.is_control()).collect();
    let n = name.chars().count();
    if n > MAX_NAME {
        name.chars().skip(n - MAX_NAME).collect()
    } else {
        name
    }
}

/// The type of `bytes` named `name`, or why it is refused (an i18n key).
fn kind(name: &str, bytes: &[u8]) -> std::result::Result<String, (&'static str, Option<String>)> {
    let ext = Path::new(name).extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if RUNNABLE.contains(&ext.as_str()) {
        return Err(("attachment.type_not_allowed", Some(format!(".{ext}"))));
    }
    if let Some(t) = infer::get(bytes) {
        let mime = t.mime_type();
        return if ALLOWED.contains(&mime) {
            Ok(mime.to_string())
        } else {
            Err(("attachment.type_not_allowed", Some(mime.to_string())))
        };
    }
    match TEXT.iter().find(|(e, _)| *e == ext) {
        Some((_, mime)) if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() => Ok(mime.to_string()),
        _ => Err(("attachment.type_unknown", None)),
    }
}

/// Reads and checks the files at `paths` for one message (`field` names the list in errors,
/// `attachments[2]` each file): every problem is named, and nothing is read past the limit.
pub fn check(field: &str, paths: &[String]) -> Result<Vec<Checked>> {
    if paths.len() > MAX_FILES {
        return Err(Error::Validation(vec![
            FieldError::new(field, "attachment.too_many").with("max", MAX_FILES.to_string())
        ]));
    }
    let mut errs = Vec::new();
    let mut out = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let path = Path::new(p);
        let name = clean_name(path);
        let file = std::fs::File::open(path).and_then(|f| f.metadata().map(|m| (f, m)));
        let (file, meta) = match file {
            Ok((f, m)) if m.is_file() => (f, m),
            Ok(_) => {
                errs.push(problem(&at, "attachment.unreadable", &name).with("detail", "not a file"));
                continue;
            }
            Err(e) => {
                errs.push(problem(&at, "attachment.unreadable", &name).with("detail", e.to_string()));
                continue;
            }
        };
        if meta.len() > MAX_SIZE {
            errs.push(problem(&at, "attachment.too_large", &name).with("max", format!("{} MB", MAX_SIZE >> 20)));
            continue;
        }
        if meta.len() == 0 {
            errs.push(problem(&at, "attachment.empty", &name));
            continue;
        }
        // never more than the limit, even if the file grows while it is read
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        if let Err(e) = file.take(MAX_SIZE + 1).read_to_end(&mut bytes) {
            errs.push(problem(&at, "attachment.unreadable", &name).with("detail", e.to_string()));
            continue;
        }
        if bytes.len() as u64 > MAX_SIZE {
            errs.push(problem(&at, "attachment.too_large", &name).with("max", format!("{} MB", MAX_SIZE >> 20)));
            continue;
        }
        match kind(&name, &bytes) {
            Ok(mime) => {
                let hash = hex(&Sha256::digest(&bytes));
                out.push(Checked { attachment: Attachment { name, hash, size: bytes.len() as i64, mime }, bytes });
            }
            Err((key, ty)) => {
                let mut e = problem(&at, key, &name);
                if let Some(t) = ty {
                    e = e.with("type", t);
                }
                errs.push(e);
            }
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(Error::Validation(errs))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Files written by one operation: removed again unless [`Stored::keep`] is called (the write
/// that names them failed). A file that was there before is never removed.
#[must_use]
pub struct Stored {
    new: Vec<PathBuf>,
}

impl Stored {
    /// Nothing stored.
    pub fn none() -> Self {
        Stored { new: Vec::new() }
    }
    /// Counts a file just written as one of this operation's.
    pub fn add(&mut self, path: PathBuf) {
        self.new.push(path);
    }
    pub fn keep(mut self) {
        self.new.clear();
    }
}

impl Drop for Stored {
    fn drop(&mut self) {
        for p in &self.new {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Puts checked files in `folder` (each through a temporary file renamed into place, so a
/// file is there whole or not at all).
pub fn store(folder: &Path, files: Vec<Checked>) -> Result<Stored> {
    let mut stored = Stored::none();
    for f in files {
        let dest = path_of(folder, &f.attachment.hash)?;
        if dest.is_file() {
            // in use again: a removal of files no row names leaves it alone for a while (`remove`)
            let _ = std::fs::File::options()
                .append(true)
                .open(&dest)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
            continue;
        }
        put(&dest, &mut f.bytes.as_slice())?;
        stored.new.push(dest);
    }
    Ok(stored)
}

/// Writes `content` to `dest` through a temporary file beside it.
fn put(dest: &Path, content: &mut dyn Read) -> Result<()> {
    let dir = dest.parent().ok_or_else(|| Error::invalid("hash", "attachment.unknown"))?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::copy(content, &mut tmp)?;
    tmp.as_file().sync_all()?;
    tmp.persist(dest).map_err(|e| Error::Io(e.error))?;
    Ok(())
}

/// Takes a file from elsewhere (an archive) whose name is its hash: kept only when the content
/// hashes to it. Returns whether it was new.
pub fn receive(folder: &Path, hash: &str, content: &mut dyn Read) -> Result<Option<PathBuf>> {
    let dest = path_of(folder, hash)?;
    if dest.is_file() {
        return Ok(None);
    }
    let dir = dest.parent().ok_or_else(|| Error::invalid("hash", "attachment.unknown"))?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = content.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > MAX_SIZE {
            return Err(bad("attachments", "attachment.too_large", "name", hash));
        }
        hasher.update(&buf[..n]);
        std::io::Write::write_all(&mut tmp, &buf[..n])?;
    }
    if hex(&hasher.finalize()) != hash {
        return Err(bad("attachments", "attachment.damaged", "name", hash));
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&dest).map_err(|e| Error::Io(e.error))?;
    Ok(Some(dest))
}

/// Moves every file of `from` (a folder of files named by their hash, as [`folder`] keeps them)
/// into `into`, keeping what `into` has already; `from` goes. A joined workspace downloaded beside
/// the one in use brings its files along this way when it takes its place.
pub fn merge_folder(from: &Path, into: &Path) -> Result<()> {
    if !from.is_dir() {
        return Ok(());
    }
    for sub in std::fs::read_dir(from)? {
        let sub = sub?.path();
        if !sub.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&sub)? {
            let f = f?.path();
            let Some(hash) = f.file_name().and_then(|n| n.to_str()).filter(|n| is_hash(n)) else { continue };
            let dest = path_of(into, hash)?;
            if dest.is_file() {
                continue;
            }
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir)?;
            }
            if std::fs::rename(&f, &dest).is_err() {
                // another disk: copied, then checked by its name as any received file
                receive(into, hash, &mut std::fs::File::open(&f)?)?;
            }
        }
    }
    std::fs::remove_dir_all(from)?;
    Ok(())
}

/// Removes the files `hashes` (no row names them any more: a purged customer's), except those
/// written or reused in the last minutes, which a write under way may be about to name.
pub fn remove(folder: &Path, hashes: &[String]) -> Result<usize> {
    let recent = std::time::SystemTime::now() - std::time::Duration::from_secs(600);
    let mut removed = 0;
    for hash in hashes {
        let path = path_of(folder, hash)?;
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if meta.modified().is_ok_and(|m| m > recent) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(removed)
}

/// Copies the stored file `hash` to `dest` (a new file: an existing one is not overwritten).
pub fn save_as(folder: &Path, hash: &str, dest: &Path) -> Result<()> {
    let src = path_of(folder, hash)?;
    let mut from = match std::fs::File::open(&src) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(bad("hash", "attachment.missing", "value", hash))
        }
        Err(e) => return Err(e.into()),
    };
    let mut to = std::fs::OpenOptions::new().write(true).create_new(true).open(dest)?;
    std::io::copy(&mut from, &mut to)?;
    to.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_content_and_programs_are_refused_by_name() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(kind("a.png", png), Ok("image/png".into()));
        // a picture named as a document is still a picture
        assert_eq!(kind("invoice.pdf", png), Ok("image/png".into()));
        assert_eq!(kind("invoice.pdf.exe", b"%PDF-1.7").unwrap_err().0, "attachment.type_not_allowed");
        assert_eq!(
            kind("setup.dat", b"MZ\x90\0\x03\0\0\0").unwrap_err(),
            ("attachment.type_not_allowed", Some("application/vnd.microsoft.portable-executable".into()))
        );
        assert_eq!(kind("note.txt", "Máy giặt".as_bytes()), Ok("text/plain".into()));
        assert_eq!(kind("note.txt", b"\0\x01binary").unwrap_err().0, "attachment.type_unknown");
        assert_eq!(kind("mystery", b"just words").unwrap_err().0, "attachment.type_unknown");
    }

    #[test]
    fn a_joined_workspaces_files_move_beside_the_one_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let (from, into) = (dir.path().join("shop.joined.files"), dir.path().join("shop.files"));
        let put = |folder: &Path, body: &[u8]| {
            let hash = hex(&Sha256::digest(body));
            receive(folder, &hash, &mut &body[..]).unwrap();
            hash
        };
        let both = put(&from, b"both");
        put(&into, b"both");
        let only = put(&from, b"only joined");
        let mine = put(&into, b"mine");
        merge_folder(&from, &into).unwrap();
        assert!(!from.exists());
        for (hash, body) in [(both, "both"), (only, "only joined"), (mine, "mine")] {
            assert_eq!(std::fs::read_to_string(path_of(&into, &hash).unwrap()).unwrap(), body);
        }
        // nothing to move: nothing done
        merge_folder(&from, &into).unwrap();
    }
}
