//! The files changes name (a ticket message's attachments, the registry's `files` column) travel
//! beside them, by the SHA-256 of their content: a push first sends the files its records name
//! that the server lacks, and a pull fetches the ones its records name that are not here, each
//! kept only when its content hashes to its name (`files::receive`). A file the server does not
//! hold (its sender had lost it), or that did not come for any other reason, is asked for again
//! at the next rounds (`sync.files_missing`): a file never stops the changes that name it;
//! until then the message shows its name and says the file is not on this device.

use super::client::Client;
use crate::db::{meta_get, meta_set};
use crate::error::Result;
use crate::Workspace;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use tend_sync::protocol::RemoteTx;
use tend_sync::wire::{FilesHave, FILES_ASKED};

/// Files named by records whose file the server does not hold yet.
const MISSING: &str = "sync.files_missing";
/// The most kept to ask for again (the oldest go first).
const KEEP_MISSING: usize = 10_000;
/// How many of them a round asks for again.
const AGAIN: usize = 50;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The files these transactions' records name.
pub(super) fn named(txs: &[RemoteTx]) -> BTreeSet<String> {
    txs.iter().flat_map(|t| t.records.iter().flat_map(|r| r.file_hashes())).collect()
}

impl Workspace {
    /// Sends the files `hashes` the server lacks, from this workspace's folder (one not here
    /// either is skipped: there is nothing to send).
    pub(super) async fn send_files(&self, client: &Client, hashes: &BTreeSet<String>) -> Result<()> {
        let folder = crate::files::folder(self.path());
        let all: Vec<String> = hashes.iter().cloned().collect();
        for batch in all.chunks(FILES_ASKED) {
            let have: FilesHave = client.post("/v1/files/have", &FilesHave { hashes: batch.to_vec() }).await?;
            let have: BTreeSet<&String> = have.hashes.iter().collect();
            for hash in batch.iter().filter(|h| !have.contains(h)) {
                let path = crate::files::path_of(&folder, hash)?;
                let body = match std::fs::read(&path) {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e.into()),
                };
                // a file changed on this disk is not the file the message names: nothing to send
                if hex(&Sha256::digest(&body)) != *hash {
                    continue;
                }
                client.put_bytes(&format!("/v1/files/{hash}"), body, "application/octet-stream").await?;
            }
        }
        Ok(())
    }

    /// Fetches the files `hashes` that are not here, and with `again` those the server did not
    /// hold at earlier rounds; what it still does not hold is kept for the next.
    pub(super) async fn fetch_files(&self, client: &Client, hashes: BTreeSet<String>, again: bool) -> Result<()> {
        let before: Vec<String> = match meta_get(self.pool(), MISSING).await? {
            Some(j) => serde_json::from_str(&j).unwrap_or_default(),
            None => Vec::new(),
        };
        let mut wanted = hashes;
        let mut missing = Vec::new();
        if again {
            // a few each round, in turn: those still missing go to the back
            wanted.extend(before.iter().take(AGAIN).cloned());
            missing.extend(before.iter().skip(AGAIN).cloned());
        } else {
            missing.extend(before.iter().filter(|h| !wanted.contains(*h)).cloned());
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let folder = crate::files::folder(self.path());
        for hash in wanted {
            if crate::files::path_of(&folder, &hash)?.is_file() {
                continue;
            }
            // whatever keeps one file from coming (the server lacks it, the line dropped) keeps
            // it for a later round; the changes that name it are applied all the same
            match client.get_bytes(&format!("/v1/files/{hash}")).await {
                Ok(body) => {
                    let (f, h) = (folder.clone(), hash.clone());
                    let kept =
                        crate::blocking("file", move || crate::files::receive(&f, &h, &mut body.as_slice())).await;
                    if kept.is_err() {
                        missing.push(hash);
                    }
                }
                Err(_) => missing.push(hash),
            }
        }
        if missing.len() > KEEP_MISSING {
            missing.drain(..missing.len() - KEEP_MISSING);
        }
        if missing != before {
            let kept = (!missing.is_empty()).then(|| serde_json::to_string(&missing)).transpose()?;
            meta_set(self.pool(), MISSING, kept.as_deref()).await?;
        }
        Ok(())
    }

    /// Every file the workspace's rows name (after a snapshot: its rows came without files).
    pub(super) async fn files_named(&self) -> Result<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        for t in tend_sync::TABLES {
            let Some(column) = t.files else { continue };
            let sql = format!(
                "SELECT j.value ->> 'hash' FROM {0}, json_each({0}.{1}) j WHERE {0}.{1} IS NOT NULL AND json_valid({0}.{1})",
                t.name, column
            );
            let hashes: Vec<Option<String>> = sqlx::query_scalar(&sql).fetch_all(self.pool()).await?;
            out.extend(hashes.into_iter().flatten().filter(|h| crate::files::is_hash(h)));
        }
        Ok(out)
    }
}
