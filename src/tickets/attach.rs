//! A thread's files: checked and put in the workspace's folder when a message is written
//! (`files`), saved elsewhere and previewed from there.

use crate::error::{Error, Result};
use crate::files::{self, Attachment, Stored};
use base64::Engine;

/// The largest picture shown in the thread itself (a bigger one is saved to be seen).
const MAX_PREVIEW: i64 = 8 * 1024 * 1024;

impl crate::Workspace {
    /// Checks files to attach and puts them in the workspace's folder (on a blocking thread):
    /// they are taken out again when the returned guard is dropped before `keep()`, so a
    /// message that is not saved leaves no file behind.
    pub(super) async fn attach(&self, paths: &[String]) -> Result<(Vec<Attachment>, Stored)> {
        if paths.is_empty() {
            return Ok((Vec::new(), Stored::none()));
        }
        let paths = paths.to_vec();
        let folder = files::folder(self.path());
        crate::blocking("attach", move || {
            let checked = files::check("attachments", &paths)?;
            let out = checked.iter().map(|c| c.attachment.clone()).collect();
            Ok((out, files::store(&folder, checked)?))
        })
        .await
    }

    /// A file of a thread, by its hash (the first message naming it).
    pub async fn ticket_attachment(&self, hash: &str) -> Result<Attachment> {
        if !files::is_hash(hash) {
            return Err(Error::not_found("attachment", hash));
        }
        let found: Option<String> = sqlx::query_scalar(
            "SELECT j.value FROM ticket_messages m, json_each(m.attachments) j
             WHERE m.attachments IS NOT NULL AND json_valid(m.attachments) AND j.value ->> 'hash' = ?
             LIMIT 1",
        )
        .bind(hash)
        .fetch_optional(self.pool())
        .await?;
        found.and_then(|j| serde_json::from_str(&j).ok()).ok_or_else(|| Error::not_found("attachment", hash))
    }

    /// Writes a thread's file to `dest` (a new file).
    pub async fn save_ticket_attachment(&self, hash: &str, dest: &std::path::Path) -> Result<Attachment> {
        let a = self.ticket_attachment(hash).await?;
        let folder = files::folder(self.path());
        let (h, d) = (a.hash.clone(), dest.to_path_buf());
        crate::blocking("save attachment", move || files::save_as(&folder, &h, &d)).await?;
        Ok(a)
    }

    /// A picture of a thread as a `data:` URL the window shows, or `None` for other files and
    /// pictures over 8 MiB.
    pub async fn ticket_attachment_preview(&self, hash: &str) -> Result<Option<String>> {
        let a = self.ticket_attachment(hash).await?;
        if !a.mime.starts_with("image/") || a.size > MAX_PREVIEW {
            return Ok(None);
        }
        let path = files::path_of(&files::folder(self.path()), &a.hash)?;
        let bytes = match tokio::fs::read(&path).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(Some(format!("data:{};base64,{}", a.mime, base64::engine::general_purpose::STANDARD.encode(bytes))))
    }
}
