//! Sharing a workspace through tend-server (cross-cutting: it reads the change log and applies
//! other devices' transactions through `remote`). The device keeps its whole workspace and
//! works offline; sync pushes this device's unsent transactions (`changes since` its push
//! cursor) and pulls everything other devices stored after its server cursor, applying each
//! through the convergent merge. What is device-local (server, workspace, role, cursors, the last
//! error) is kept in `meta`; the token only in the keychain or the CLI's token file.
//!
//! - `share`: the owner's invite; this workspace, history and all, becomes the shared one;
//! - `join`: an invite; an empty workspace downloads the shared one;
//! - `sync_now`: push, then pull until nothing more is waiting; a transaction the server refused
//!   is taken out of the log here too ([`Workspace::drop_transaction`]) and the refusal kept
//!   for the user; a cursor of another epoch starts over (everything pushed and pulled again,
//!   both sides idempotent).

mod client;
mod files;
mod snapshot;
mod token;

pub use snapshot::{SnapshotMade, DEVICE_TABLES, SNAPSHOT_AFTER_RECORDS};
pub use token::TokenStore;

use crate::db::{meta_get, meta_set};
use crate::error::{Error, Result};
use crate::Workspace;
use client::Client;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tend_sync::access::Role;
use tend_sync::protocol::{RemoteTx, PART_RECORDS};
use tend_sync::wire::*;

/// Transactions per push.
const PUSH_BATCH: u32 = 500;
/// Records per push: whole transactions, and a big one in parts (`PART_RECORDS` each).
const PUSH_RECORDS: usize = 4 * PART_RECORDS;
/// Transactions per pull page.
const PULL_PAGE: i64 = 2_000;
/// Refusals kept for the user to read.
const KEEP_REFUSALS: usize = 50;

/// A device's link to a shared workspace (device-local, in `meta`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SyncLink {
    pub server: String,
    pub workspace_id: String,
    pub workspace_name: String,
    pub member_id: String,
    pub role: crate::staff::Role,
    pub staff_id: Option<String>,
}

impl SyncLink {
    /// The token's name in the keychain: one per workspace and device.
    fn account(&self, device: &str) -> String {
        format!("sync/{}/{device}", self.workspace_id)
    }
}

fn role_of(r: Role) -> crate::staff::Role {
    match r {
        Role::Owner => crate::staff::Role::Owner,
        Role::Manager => crate::staff::Role::Manager,
        Role::Agent => crate::staff::Role::Agent,
    }
}

fn wire_role(r: crate::staff::Role) -> Role {
    match r {
        crate::staff::Role::Owner => Role::Owner,
        crate::staff::Role::Manager => Role::Manager,
        crate::staff::Role::Agent => Role::Agent,
    }
}

/// A change the server refused: this device took it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SyncRefusal {
    pub hlc: String,
    #[specta(type = i32)]
    pub at_ms: i64,
    /// `other_device`, `other_actor`, `settings`, `purge`.
    pub reason: String,
    /// The table it touched (settings and purge).
    pub table: Option<String>,
    /// In English, for the CLI and logs.
    pub message: String,
}

/// What one round of sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
pub struct SyncReport {
    /// This device's transactions the server now holds (stored now or before).
    #[specta(type = i32)]
    pub pushed: u64,
    /// Other devices' transactions applied here.
    #[specta(type = i32)]
    pub pulled: u64,
    pub rejected: Vec<SyncRefusal>,
    /// The server's sequence number this device has everything up to.
    #[specta(type = i32)]
    pub cursor: i64,
    /// Whether the server's log was not the one this device knew (restored): everything was
    /// sent and fetched again.
    pub resynced: bool,
    /// The cursor of the snapshot this round made (sharing) or started from (joining).
    #[specta(type = Option<i32>)]
    pub snapshot: Option<i64>,
}

/// How far a long sync is (the first upload or download).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SyncProgress {
    /// `upload` or `download` (changes), `snapshot_upload` or `snapshot_download` (bytes of the
    /// workspace file).
    pub phase: String,
    #[specta(type = i32)]
    pub done: u64,
    /// The total when known (the server's last sequence number for a download).
    #[specta(type = Option<i32>)]
    pub total: Option<u64>,
}

/// Where sync stands, for Settings and `sync status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SyncStatus {
    pub link: Option<SyncLink>,
    pub paused: bool,
    #[specta(type = Option<i32>)]
    pub last_sync_ms: Option<i64>,
    /// This device's transactions not yet on the server.
    #[specta(type = i32)]
    pub waiting: i64,
    #[specta(type = i32)]
    pub cursor: i64,
    /// The last round's error, as the app and the CLI show errors.
    pub last_error: Option<crate::error::ErrorPayload>,
    /// The changes the server refused, newest first.
    pub refusals: Vec<SyncRefusal>,
}

const LINK: &str = "sync.link";
const PUSHED: &str = "sync.pushed";
/// How far the push of a transaction sent in parts is ([`Partial`]).
const PUSH_PART: &str = "sync.push_part";
const HISTORY: &str = "sync.history";
const CURSOR: &str = "sync.cursor";
const PAUSED: &str = "sync.paused";
const LAST_MS: &str = "sync.last_ms";
const LAST_ERROR: &str = "sync.last_error";
const REFUSALS: &str = "sync.refusals";
/// After a sign-out that kept this device's unsent changes: whose they are (workspace, staff).
const PREVIOUS: &str = "sync.previous";

/// The push of a big transaction in parts, cut between two pushes: the transaction (`txs` id),
/// the next part and the last record sent (its rowid in `changes`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Partial {
    tx: i64,
    next: u32,
    after: i64,
}

/// This computer's name, shown in the members' list.
fn device_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "Tend".into())
}

fn stopped(cancel: Option<&AtomicBool>) -> bool {
    cancel.is_some_and(|c| c.load(Ordering::Relaxed))
}

impl Workspace {
    async fn meta_i64(&self, key: &str) -> Result<i64> {
        Ok(meta_get(self.pool(), key).await?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// This device's link to a shared workspace, if it has one.
    pub async fn sync_link(&self) -> Result<Option<SyncLink>> {
        Ok(match meta_get(self.pool(), LINK).await? {
            Some(j) => Some(serde_json::from_str(&j)?),
            None => None,
        })
    }

    async fn linked(&self, tokens: &TokenStore) -> Result<(SyncLink, Client)> {
        let link = self.sync_link().await?.ok_or(Error::Sync {
            key: "sync.not_linked",
            detail: "this workspace is not shared".into(),
            device: None,
        })?;
        let token = tokens.load(&link.account(self.device()))?;
        let client = Client::new(&link.server, Some(token))?;
        Ok((link, client))
    }

    /// [`Workspace::linked`] for what only owners and managers do (`what`: the refusal's words).
    async fn linked_manager(&self, tokens: &TokenStore, what: &str) -> Result<Client> {
        let (link, client) = self.linked(tokens).await?;
        if !link.role.manages() {
            return Err(Error::Sync {
                key: "sync.forbidden",
                detail: format!("only owners and managers {what}"),
                device: None,
            });
        }
        Ok(client)
    }

    /// The role this device acts in: its shared workspace's, or (not shared) as an owner.
    pub async fn sync_role(&self) -> Result<crate::staff::Role> {
        Ok(self.sync_link().await?.map(|l| l.role).unwrap_or(crate::staff::Role::Owner))
    }

    async fn save_link(&self, link: &SyncLink, answer: &JoinAnswer) -> Result<()> {
        meta_set(self.pool(), LINK, Some(&serde_json::to_string(link)?)).await?;
        let cursor = Cursor { epoch: answer.epoch.clone(), seq: 0, hlc: None };
        meta_set(self.pool(), CURSOR, Some(&serde_json::to_string(&cursor)?)).await?;
        Ok(())
    }

    async fn join_server(&self, server: &str, invite: &str, tokens: &TokenStore, share: bool) -> Result<SyncLink> {
        if self.sync_link().await?.is_some() {
            return Err(Error::Sync {
                key: "sync.already_linked",
                detail: "this workspace is already shared".into(),
                device: None,
            });
        }
        let server = client::server_url(server)?;
        let invite = invite.trim();
        if invite.is_empty() {
            return Err(Error::invalid("invite", "validation.required"));
        }
        // the token must have a home before the invite is spent
        tokens.check()?;
        let staff = if share { self.current_staff_id().await? } else { None };
        let history: Option<String> =
            sqlx::query_scalar("SELECT hlc FROM txs ORDER BY hlc DESC LIMIT 1").fetch_optional(self.pool()).await?;
        let req = JoinRequest {
            invite: invite.to_string(),
            device_id: self.device().to_string(),
            device_name: device_name(),
            staff_id: staff,
            history_until: if share { history } else { None },
            share,
        };
        let answer: JoinAnswer = Client::new(&server, None)?.post("/v1/join", &req).await?;
        let link = SyncLink {
            server,
            workspace_id: answer.workspace_id.clone(),
            workspace_name: answer.workspace_name.clone(),
            member_id: answer.member_id.clone(),
            role: role_of(answer.role),
            staff_id: answer.staff_id.clone(),
        };
        tokens.save(&link.account(self.device()), &answer.token)?;
        self.save_link(&link, &answer).await?;
        Ok(link)
    }

    /// Shares this workspace: the server's owner invite (from `tend-server workspace create`)
    /// makes it the shared one, and its whole history goes up.
    pub async fn sync_share(
        &self,
        server: &str,
        invite: &str,
        tokens: &TokenStore,
        progress: &(dyn Fn(SyncProgress) + Sync),
    ) -> Result<SyncReport> {
        let newest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM txs").fetch_one(self.pool()).await?;
        // kept before the server hears of it: an upload cut short goes on from here later
        meta_set(self.pool(), HISTORY, Some(&newest.to_string())).await?;
        if let Err(e) = self.join_server(server, invite, tokens, true).await {
            meta_set(self.pool(), HISTORY, None).await?;
            return Err(e);
        }
        let mut report = self.sync_round(tokens, progress, None).await?;
        // the workspace is shared once its log is up; a snapshot only makes joining faster, and a
        // managing device makes one later when this one fails
        match self.sync_snapshot(tokens, progress).await {
            Ok(made) => report.snapshot = Some(made.seq),
            Err(e) => {
                let payload = crate::error::ErrorPayload::from(&e);
                meta_set(self.pool(), LAST_ERROR, Some(&serde_json::to_string(&payload)?)).await?;
            }
        }
        Ok(report)
    }

    /// Joins a shared workspace: this workspace (empty) downloads it and acts as the invited
    /// member from then on. Borrowed whole: a snapshot's file takes this workspace's place, and
    /// it opens again as that.
    pub async fn sync_join(
        &mut self,
        server: &str,
        invite: &str,
        tokens: &TokenStore,
        progress: &(dyn Fn(SyncProgress) + Sync),
        cancel: Option<&AtomicBool>,
    ) -> Result<SyncReport> {
        let written: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM txs").fetch_one(self.pool()).await?;
        // a device signed out with its changes kept signs in again to the same workspace
        let previous: Option<(String, Option<String>)> = match meta_get(self.pool(), PREVIOUS).await? {
            Some(j) => serde_json::from_str(&j).ok(),
            None => None,
        };
        let same_workspace =
            previous.as_ref().is_some_and(|(ws, _)| invite.trim().split_once('.').is_some_and(|(w, _)| w == ws));
        if written > 0 && !same_workspace {
            return Err(Error::Sync {
                key: "sync.not_empty",
                detail: format!("this workspace already holds {written} changes: join into a new one"),
                device: None,
            });
        }
        let link = self.join_server(server, invite, tokens, false).await?;
        if let Some((_, staff)) = previous.filter(|_| written > 0) {
            if staff != link.staff_id {
                // never send one member's changes under another's token
                let _ = self.sync_sign_out(tokens, false).await;
                meta_set(self.pool(), PREVIOUS, Some(&serde_json::to_string(&(&link.workspace_id, &staff))?)).await?;
                return Err(Error::Sync {
                    key: "sync.other_member",
                    detail: "this device holds changes of another member not yet sent: sign in as them, or sign out discarding them".into(),
                    device: None,
                });
            }
        }
        meta_set(self.pool(), PREVIOUS, None).await?;
        meta_set(self.pool(), "current_staff", link.staff_id.as_deref()).await?;
        // an empty workspace starts from the newest snapshot when there is one
        let from = if written == 0 {
            let (_, client) = self.linked(tokens).await?;
            let from = self.restore_snapshot(&client, progress, cancel).await?;
            if from.is_some() {
                // its rows came without their files
                self.fetch_files(&client, self.files_named().await?, false).await?;
            }
            from
        } else {
            None
        };
        let mut report = self.sync_round(tokens, progress, cancel).await?;
        report.snapshot = from;
        Ok(report)
    }

    /// One round: push everything unsent, then pull until nothing more waits. The outcome
    /// (time, or the error) is kept for [`Workspace::sync_status`].
    pub async fn sync_now(&self, tokens: &TokenStore) -> Result<SyncReport> {
        self.sync_round(tokens, &|_| {}, None).await
    }

    async fn sync_round(
        &self,
        tokens: &TokenStore,
        progress: &(dyn Fn(SyncProgress) + Sync),
        cancel: Option<&AtomicBool>,
    ) -> Result<SyncReport> {
        let _one = self.sync_round.lock().await;
        let out = async {
            let (_, client) = self.linked(tokens).await?;
            let mut report = SyncReport::default();
            loop {
                match self.push_all(&client, &mut report, progress, cancel).await {
                    Err(Error::Sync { key: "sync.resync", .. }) if !report.resynced => {}
                    other => {
                        other?;
                        match self.pull_all(&client, &mut report, progress, cancel, Duration::ZERO).await {
                            Err(Error::Sync { key: "sync.resync", .. }) if !report.resynced => {}
                            other => {
                                other?;
                                return Ok(report);
                            }
                        }
                    }
                }
                // the server's log is not the one this device knew: everything again
                report.resynced = true;
                meta_set(self.pool(), PUSHED, None).await?;
                meta_set(self.pool(), PUSH_PART, None).await?;
                meta_set(self.pool(), CURSOR, None).await?;
            }
        }
        .await;
        match &out {
            Ok(_) => {
                meta_set(self.pool(), LAST_MS, Some(&self.now_ms().to_string())).await?;
                meta_set(self.pool(), LAST_ERROR, None).await?;
            }
            Err(e) => {
                let payload = crate::error::ErrorPayload::from(e);
                meta_set(self.pool(), LAST_ERROR, Some(&serde_json::to_string(&payload)?)).await?;
            }
        }
        out
    }

    /// This device's transactions after the push cursor: its own, and before sharing every one
    /// of the history.
    async fn unsent(&self, after: i64, limit: u32) -> Result<Vec<(i64, String)>> {
        let history = self.meta_i64(HISTORY).await?;
        Ok(sqlx::query_as("SELECT id, hlc FROM txs WHERE id > ?1 AND (device = ?2 OR id <= ?3) ORDER BY id LIMIT ?4")
            .bind(after)
            .bind(self.device())
            .bind(history)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?)
    }

    async fn push_all(
        &self,
        client: &Client,
        report: &mut SyncReport,
        progress: &(dyn Fn(SyncProgress) + Sync),
        cancel: Option<&AtomicBool>,
    ) -> Result<()> {
        let total: i64 = {
            let after = self.meta_i64(PUSHED).await?;
            let history = self.meta_i64(HISTORY).await?;
            sqlx::query_scalar("SELECT COUNT(*) FROM txs WHERE id > ?1 AND (device = ?2 OR id <= ?3)")
                .bind(after)
                .bind(self.device())
                .bind(history)
                .fetch_one(self.pool())
                .await?
        };
        let mut done = 0u64;
        loop {
            if stopped(cancel) {
                return Err(Error::Cancelled);
            }
            let after = self.meta_i64(PUSHED).await?;
            let ids = self.unsent(after, PUSH_BATCH).await?;
            if ids.is_empty() {
                return Ok(());
            }
            // whole transactions, and a big one in parts, up to PUSH_RECORDS records a push
            let mut partial: Option<Partial> = match meta_get(self.pool(), PUSH_PART).await? {
                Some(j) => serde_json::from_str(&j).ok(),
                None => None,
            };
            let (mut transactions, mut budget, mut whole) = (Vec::new(), PUSH_RECORDS, None);
            for (id, hlc) in &ids {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM changes WHERE tx = ?")
                    .bind(id)
                    .fetch_one(self.pool())
                    .await?;
                let n = n as usize;
                if n <= PART_RECORDS {
                    if n > budget && !transactions.is_empty() {
                        break;
                    }
                    if let Some(tx) = self.transaction_records(hlc).await? {
                        transactions.push(tx);
                    }
                    budget = budget.saturating_sub(n);
                    (whole, partial) = (Some(*id), None);
                    continue;
                }
                let Some((_, tx)) = self.transaction_head(hlc).await? else { continue };
                let mut at = partial.filter(|p| p.tx == *id).unwrap_or(Partial { tx: *id, next: 0, after: 0 });
                let count = n.div_ceil(PART_RECORDS) as u32;
                while at.next < count && (budget >= PART_RECORDS || transactions.is_empty()) {
                    let (records, last) = self.records_of(*id, at.after, PART_RECORDS as i64).await?;
                    budget = budget.saturating_sub(records.len());
                    transactions.push(RemoteTx {
                        records,
                        part: Some(tend_sync::protocol::Part { index: at.next, count }),
                        ..tx.clone()
                    });
                    at = Partial { tx: *id, next: at.next + 1, after: last };
                }
                if at.next < count {
                    partial = Some(at);
                    break;
                }
                (whole, partial) = (Some(*id), None);
            }
            // whole transactions this push finishes (a part counts with its last)
            let sent = transactions.iter().filter(|t| t.part.is_none_or(|p| p.index + 1 == p.count)).count();
            // the files they name go first: a device applying them can fetch each at once
            self.send_files(client, &files::named(&transactions)).await?;
            let answer: PushAnswer =
                client.post("/v1/push", &PushRequest { schema: Workspace::schema_version(), transactions }).await?;
            for r in &answer.rejected {
                self.drop_transaction(&r.hlc).await?;
                let table = match &r.why {
                    tend_sync::access::Refusal::Settings { table } | tend_sync::access::Refusal::Purge { table } => {
                        Some(table.clone())
                    }
                    _ => None,
                };
                let reason = serde_json::to_value(&r.why)?
                    .get("reason")
                    .and_then(|v| v.as_str())
                    .unwrap_or("refused")
                    .to_string();
                report.rejected.push(SyncRefusal {
                    hlc: r.hlc.clone(),
                    at_ms: self.now_ms(),
                    reason,
                    table,
                    message: r.why.to_string(),
                });
            }
            if !answer.rejected.is_empty() {
                let mut kept = self.refusals().await?;
                kept.splice(0..0, report.rejected.iter().rev().cloned());
                kept.truncate(KEEP_REFUSALS);
                meta_set(self.pool(), REFUSALS, Some(&serde_json::to_string(&kept)?)).await?;
            }
            // a transaction in parts counts once, with its last part
            report.pushed += sent.saturating_sub(answer.rejected.len()) as u64;
            done += sent as u64;
            if let Some(last) = whole {
                meta_set(self.pool(), PUSHED, Some(&last.to_string())).await?;
            }
            let partial = match partial {
                Some(p) => Some(serde_json::to_string(&p)?),
                None => None,
            };
            meta_set(self.pool(), PUSH_PART, partial.as_deref()).await?;
            progress(SyncProgress { phase: "upload".into(), done, total: Some(total.max(0) as u64) });
        }
    }

    async fn cursor(&self) -> Result<Cursor> {
        Ok(match meta_get(self.pool(), CURSOR).await? {
            Some(j) => serde_json::from_str(&j)?,
            None => Cursor::default(),
        })
    }

    /// Pulls pages until none is left (waiting up to `wait` for the first when nothing is
    /// there yet); each page's clocks are checked before any of it is applied.
    async fn pull_all(
        &self,
        client: &Client,
        report: &mut SyncReport,
        progress: &(dyn Fn(SyncProgress) + Sync),
        cancel: Option<&AtomicBool>,
        wait: Duration,
    ) -> Result<()> {
        let mut done = 0u64;
        let mut total = None;
        let mut wait = wait;
        loop {
            if stopped(cancel) {
                return Err(Error::Cancelled);
            }
            let cursor = self.cursor().await?;
            if total.is_none() && cursor.seq == 0 {
                let s: StatusAnswer = client.get("/v1/status", &[], Duration::ZERO).await?;
                total = Some(s.last_seq.max(0) as u64);
            }
            let mut query = vec![
                ("after", cursor.seq.to_string()),
                ("epoch", cursor.epoch.clone()),
                ("limit", PULL_PAGE.to_string()),
                ("wait", wait.as_secs().to_string()),
            ];
            if let Some(h) = &cursor.hlc {
                query.push(("hlc", h.clone()));
            }
            let page: PullAnswer = client.get("/v1/pull", &query, wait).await?;
            wait = Duration::ZERO;
            let now = self.now_ms();
            for tx in &page.transactions {
                let stamp = crate::clock::Stamp::parse(&tx.hlc).ok_or_else(|| Error::Sync {
                    key: "sync.bad_answer",
                    detail: format!("clock {}", tx.hlc),
                    device: None,
                })?;
                if stamp.ms - now > tend_sync::MAX_AHEAD_MS {
                    return Err(Error::Sync {
                        key: "sync.clock_ahead",
                        detail: format!(
                            "device {} sent a change stamped {} s ahead of this device's clock",
                            tx.device,
                            (stamp.ms - now) / 1000
                        ),
                        device: Some(tx.device.clone()),
                    });
                }
            }
            report.pulled += u64::from(self.apply_remote_page(&page.transactions).await?.applied);
            self.fetch_files(client, files::named(&page.transactions), false).await?;
            done += page.transactions.len() as u64;
            meta_set(self.pool(), CURSOR, Some(&serde_json::to_string(&page.cursor)?)).await?;
            report.cursor = page.cursor.seq;
            if !page.transactions.is_empty() {
                progress(SyncProgress { phase: "download".into(), done, total });
            }
            if !page.more {
                // files the server did not hold at earlier rounds
                return self.fetch_files(client, Default::default(), true).await;
            }
        }
    }

    /// Waits up to `wait` (at most 30 s) for the server to hold something this device has not
    /// pulled; true when it does. Nothing is applied and the cursor stays: the app's live loop
    /// calls [`Workspace::sync_now`] after it, and may drop this wait at any moment.
    pub async fn sync_wait(&self, tokens: &TokenStore, wait: Duration) -> Result<bool> {
        let (_, client) = self.linked(tokens).await?;
        let cursor = self.cursor().await?;
        let wait = wait.min(Duration::from_secs(30));
        let mut query = vec![
            ("after", cursor.seq.to_string()),
            ("epoch", cursor.epoch.clone()),
            ("limit", "1".to_string()),
            ("wait", wait.as_secs().to_string()),
        ];
        if let Some(h) = &cursor.hlc {
            query.push(("hlc", h.clone()));
        }
        let page: PullAnswer = client.get("/v1/pull", &query, wait).await?;
        // this device's own transactions only move its cursor: still a round to take
        Ok(!page.transactions.is_empty() || page.cursor.seq > cursor.seq)
    }

    /// The newest of this device's own transactions (its `txs` id): the app's live loop syncs
    /// when it grows (a write here, or by the CLI on the same file).
    pub async fn sync_local_mark(&self) -> Result<i64> {
        // newest first along the rowid: stops at the first of this device's (MAX would scan all)
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM txs WHERE device = ? ORDER BY id DESC LIMIT 1")
            .bind(self.device())
            .fetch_optional(self.pool())
            .await?;
        Ok(id.unwrap_or(0))
    }

    async fn refusals(&self) -> Result<Vec<SyncRefusal>> {
        Ok(match meta_get(self.pool(), REFUSALS).await? {
            Some(j) => serde_json::from_str(&j).unwrap_or_default(),
            None => Vec::new(),
        })
    }

    pub async fn sync_status(&self) -> Result<SyncStatus> {
        let link = self.sync_link().await?;
        let pushed = self.meta_i64(PUSHED).await?;
        let history = self.meta_i64(HISTORY).await?;
        let waiting: i64 = if link.is_some() {
            sqlx::query_scalar("SELECT COUNT(*) FROM txs WHERE id > ?1 AND (device = ?2 OR id <= ?3)")
                .bind(pushed)
                .bind(self.device())
                .bind(history)
                .fetch_one(self.pool())
                .await?
        } else {
            0
        };
        let last_error = match meta_get(self.pool(), LAST_ERROR).await? {
            Some(j) => serde_json::from_str(&j).ok(),
            None => None,
        };
        Ok(SyncStatus {
            link,
            paused: meta_get(self.pool(), PAUSED).await?.is_some(),
            last_sync_ms: meta_get(self.pool(), LAST_MS).await?.and_then(|v| v.parse().ok()),
            waiting,
            cursor: self.cursor().await?.seq,
            last_error,
            refusals: self.refusals().await?,
        })
    }

    /// Pauses or resumes the app's background sync (a device-local choice).
    pub async fn sync_pause(&self, paused: bool) -> Result<()> {
        meta_set(self.pool(), PAUSED, paused.then_some("1")).await
    }

    /// A one-time invite code for a new member (owners and managers).
    pub async fn sync_invite(
        &self,
        tokens: &TokenStore,
        role: crate::staff::Role,
        staff_id: Option<&str>,
        email: Option<&str>,
    ) -> Result<InviteAnswer> {
        let client = self.linked_manager(tokens, "invite").await?;
        let req = InviteRequest {
            role: wire_role(role),
            staff_id: staff_id.map(str::to_string),
            email: email.map(str::to_string),
            hours: None,
        };
        client.post("/v1/invites", &req).await
    }

    /// The members and their devices (owners and managers).
    pub async fn sync_members(&self, tokens: &TokenStore) -> Result<Members> {
        let (_, client) = self.linked(tokens).await?;
        client.get("/v1/members", &[], Duration::ZERO).await
    }

    /// Revokes a device or a member (owners and managers): their token is refused at once.
    pub async fn sync_revoke(&self, tokens: &TokenStore, id: &str) -> Result<RevokeAnswer> {
        let (_, client) = self.linked(tokens).await?;
        client.post("/v1/revoke", &RevokeRequest { id: id.to_string() }).await
    }

    /// Signs this device out: its token is revoked and forgotten, and the link removed. The
    /// changes not yet sent stay in the workspace for this member (they go up if the same
    /// member joins again from this file) unless `discard` is given: then they are taken back.
    pub async fn sync_sign_out(&self, tokens: &TokenStore, discard: bool) -> Result<u64> {
        let link = self.sync_link().await?.ok_or(Error::Sync {
            key: "sync.not_linked",
            detail: "this workspace is not shared".into(),
            device: None,
        })?;
        if let Ok((_, client)) = self.linked(tokens).await {
            // an unreachable server does not keep a device signed in; its token is forgotten
            let _: Result<RevokeAnswer> = client.post("/v1/sign-out", &serde_json::json!({})).await;
        }
        let mut dropped = 0;
        if discard {
            let pushed = self.meta_i64(PUSHED).await?;
            let mut unsent: Vec<(i64, String)> = Vec::new();
            loop {
                let page = self.unsent(unsent.last().map(|u| u.0).unwrap_or(pushed), 1000).await?;
                if page.is_empty() {
                    break;
                }
                unsent.extend(page);
            }
            for (_, hlc) in unsent.iter().rev() {
                if self.drop_transaction(hlc).await? {
                    dropped += 1;
                }
            }
        }
        tokens.delete(&link.account(self.device()))?;
        for key in [LINK, CURSOR, PAUSED, LAST_MS, LAST_ERROR, REFUSALS, HISTORY] {
            meta_set(self.pool(), key, None).await?;
        }
        meta_set(self.pool(), PUSH_PART, None).await?;
        if discard {
            meta_set(self.pool(), PUSHED, None).await?;
            meta_set(self.pool(), PREVIOUS, None).await?;
        } else {
            meta_set(self.pool(), PREVIOUS, Some(&serde_json::to_string(&(&link.workspace_id, &link.staff_id))?))
                .await?;
        }
        Ok(dropped)
    }
}
