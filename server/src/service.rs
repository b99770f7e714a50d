//! What each call of the API does, on the store. Every statement is filtered by the workspace of
//! the token or invite code it serves.

use crate::auth::{self, now_ms};
use crate::store::Store;
use crate::{sql, Error, Result};
use sha2::Digest;
use sqlx::Row;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use tend_sync::access::{self, Role, Writer};
use tend_sync::protocol::PART_RECORDS;
use tend_sync::stamp::{Stamp, MAX_AHEAD_MS};
use tend_sync::wire::*;

/// Transactions one push may carry.
pub const MAX_PUSH: usize = 2_000;
/// Chunks of one snapshot (of `SNAPSHOT_CHUNK` bytes of the file each: 80 GB).
pub const MAX_CHUNKS: i32 = 10_000;
/// Transactions one pull page holds at most.
pub const MAX_PAGE: i64 = 5_000;
/// A pull page ends after the transaction that brings it to this many records (a part is at
/// most `PART_RECORDS`, so a page stays a few megabytes, whatever the transactions' sizes).
pub const PAGE_RECORDS: i64 = 10_000;

/// A pull page: other devices' transactions `(seq, hlc, body)`, the last place it covers (own
/// transactions included) and whether more follow.
#[derive(Debug, Default)]
pub struct Page {
    pub rows: Vec<(i64, String, String)>,
    pub covered: Option<(i64, String)>,
    pub more: bool,
}

/// A transaction (or part) to store.
struct Stored {
    device: String,
    hlc: String,
    part: i32,
    records: i32,
    body: String,
}

/// Who is calling: the token's device and member.
#[derive(Debug, Clone)]
pub struct Caller {
    pub workspace_id: String,
    pub device_id: String,
    pub member_id: String,
    pub role: Role,
    pub staff_id: Option<String>,
    pub history_until: Option<String>,
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn invalid_invite() -> Error {
    Error::refused(ErrorCode::InviteInvalid, "this invite code is unknown, expired or already used")
}

fn bad(message: impl Into<String>) -> Error {
    Error::refused(ErrorCode::BadRequest, message)
}

fn role_of(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| Error::refused(ErrorCode::Unavailable, format!("unknown role {s:?} in the database")))
}

#[derive(Clone)]
pub struct Service {
    pub store: Store,
    /// Whether storing wakes waiting pulls through NOTIFY (off for engines without it).
    pub notify: bool,
}

/// A new workspace and its owner's one-time invite (the device that uses it uploads the
/// workspace).
pub struct Created {
    pub workspace_id: String,
    pub invite: String,
    pub expires_at_ms: i64,
}

impl Service {
    pub async fn create_workspace(&self, name: &str, owner_email: &str, hours: u32) -> Result<Created> {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(bad("the workspace needs a name of 1 to 200 characters"));
        }
        let email = owner_email.trim().to_string();
        if !email.contains('@') {
            return Err(bad(format!("not an email address: {email:?}")));
        }
        let (ws, epoch, invite, now) = (auth::new_id(8), auth::new_id(8), String::new(), now_ms());
        let invite = if invite.is_empty() { auth::new_invite(&ws) } else { invite };
        let expires = now + i64::from(hours.clamp(1, 720)) * 3_600_000;
        let (ws2, code_hash) = (ws.clone(), auth::hash(&invite));
        self.store
            .transaction(move |c| {
                let (ws, name, epoch, email, code_hash) =
                    (ws2.clone(), name.clone(), epoch.clone(), email.clone(), code_hash.clone());
                Box::pin(async move {
                    sqlx::query(sql::WORKSPACE_CREATE)
                        .bind(&ws)
                        .bind(&name)
                        .bind(&epoch)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                    sqlx::query(sql::INVITE_CREATE)
                        .bind(&ws)
                        .bind(&code_hash)
                        .bind("owner")
                        .bind(&email)
                        .bind(None::<String>)
                        .bind(true)
                        .bind(None::<String>)
                        .bind(now)
                        .bind(expires)
                        .execute(&mut *c)
                        .await?;
                    Ok(())
                })
            })
            .await?;
        Ok(Created { workspace_id: ws, invite, expires_at_ms: expires })
    }

    /// The caller a bearer token names; refused when unknown or revoked.
    pub async fn authenticate(&self, token: &str) -> Result<Caller> {
        let unknown = || Error::refused(ErrorCode::Unauthorized, "this device is not signed in to the server");
        let ws = auth::workspace_of(token).ok_or_else(unknown)?;
        let row = sqlx::query(sql::DEVICE_BY_TOKEN)
            .bind(ws)
            .bind(auth::hash(token))
            .fetch_optional(&self.store.pool)
            .await?
            .ok_or_else(unknown)?;
        let device_revoked: Option<i64> = row.try_get(3)?;
        let member_revoked: Option<i64> = row.try_get(7)?;
        if device_revoked.is_some() || member_revoked.is_some() {
            return Err(Error::refused(ErrorCode::Revoked, "this device's access to the workspace was revoked"));
        }
        let caller = Caller {
            workspace_id: ws.to_string(),
            device_id: row.try_get(0)?,
            member_id: row.try_get(1)?,
            history_until: row.try_get(2)?,
            role: role_of(row.try_get::<&str, _>(5)?)?,
            staff_id: row.try_get(6)?,
        };
        let last_seen: Option<i64> = row.try_get(4)?;
        let now = now_ms();
        if last_seen.is_none_or(|t| now - t > 60_000) {
            // only what the members' list shows: a write that loses a race is no reason to refuse
            // the request (on an engine that runs only SERIALIZABLE it can fail to serialize)
            if let Err(e) = sqlx::query(sql::DEVICE_SEEN)
                .bind(&caller.workspace_id)
                .bind(&caller.device_id)
                .bind(now)
                .execute(&self.store.pool)
                .await
            {
                tracing::warn!("last seen of device {} not written: {e}", caller.device_id);
            }
        }
        Ok(caller)
    }

    pub async fn join(&self, req: JoinRequest) -> Result<JoinAnswer> {
        let ws = auth::workspace_of(&req.invite).ok_or_else(invalid_invite)?.to_string();
        let device = req.device_id.trim().to_string();
        if device.is_empty() || device.len() > 64 || device.contains(':') {
            return Err(bad("device_id: 1 to 64 characters, no ':'"));
        }
        let name = req.device_name.trim().chars().take(200).collect::<String>();
        let code_hash = auth::hash(&req.invite);
        let token = auth::new_token(&ws);
        let token_hash = auth::hash(&token);
        let req = Arc::new(req);
        let answer = self
            .store
            .transaction(move |c| {
                let (ws, device, name, code_hash, token, token_hash, req) = (
                    ws.clone(),
                    device.clone(),
                    name.clone(),
                    code_hash.clone(),
                    token.clone(),
                    token_hash.clone(),
                    req.clone(),
                );
                Box::pin(async move {
                    let now = now_ms();
                    let inv = sqlx::query(sql::INVITE_GET)
                        .bind(&ws)
                        .bind(&code_hash)
                        .fetch_optional(&mut *c)
                        .await?
                        .ok_or_else(invalid_invite)?;
                    let (role, email, staff, share): (String, Option<String>, Option<String>, bool) =
                        (inv.try_get(0)?, inv.try_get(1)?, inv.try_get(2)?, inv.try_get(3)?);
                    if share != req.share {
                        return Err(Error::refused(
                            ErrorCode::InviteInvalid,
                            if share {
                                "this code shares a new workspace: use it to share one, not to join"
                            } else {
                                "this code joins a shared workspace: use it to join, not to share"
                            },
                        ));
                    }
                    let used =
                        sqlx::query(sql::INVITE_USE).bind(&ws).bind(&code_hash).bind(now).execute(&mut *c).await?;
                    if used.rows_affected() == 0 {
                        return Err(invalid_invite());
                    }
                    let w = sqlx::query(sql::WORKSPACE_GET).bind(&ws).fetch_one(&mut *c).await?;
                    let (ws_name, epoch, next_seq): (String, String, i64) =
                        (w.try_get(0)?, w.try_get(1)?, w.try_get(2)?);
                    if share && next_seq != 1 {
                        return Err(Error::refused(ErrorCode::InviteInvalid, "this workspace has already been shared"));
                    }
                    let staff = staff.or_else(|| req.staff_id.clone());
                    let existing: Option<String> = match &staff {
                        Some(s) => {
                            sqlx::query_scalar(sql::MEMBER_BY_STAFF).bind(&ws).bind(s).fetch_optional(&mut *c).await?
                        }
                        None => None,
                    };
                    let member = match existing {
                        Some(m) => {
                            sqlx::query(sql::MEMBER_SET_ROLE).bind(&ws).bind(&m).bind(&role).execute(&mut *c).await?;
                            m
                        }
                        None => {
                            let m = auth::new_id(8);
                            sqlx::query(sql::MEMBER_CREATE)
                                .bind(&ws)
                                .bind(&m)
                                .bind(&email)
                                .bind(&staff)
                                .bind(&role)
                                .bind(now)
                                .execute(&mut *c)
                                .await?;
                            m
                        }
                    };
                    let owner: Option<String> =
                        sqlx::query_scalar(sql::DEVICE_MEMBER).bind(&ws).bind(&device).fetch_optional(&mut *c).await?;
                    if owner.is_some_and(|o| o != member) {
                        return Err(bad("this device id belongs to another member of the workspace"));
                    }
                    let history = if share { req.history_until.clone() } else { None };
                    sqlx::query(sql::DEVICE_UPSERT)
                        .bind(&ws)
                        .bind(&device)
                        .bind(&member)
                        .bind(&name)
                        .bind(&token_hash)
                        .bind(&history)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                    Ok(JoinAnswer {
                        workspace_id: ws,
                        workspace_name: ws_name,
                        member_id: member,
                        role: role_of(&role)?,
                        staff_id: staff,
                        token,
                        epoch,
                        share,
                    })
                })
            })
            .await?;
        Ok(answer)
    }

    /// Stores the transactions the caller may write (each once, numbered in commit order) and
    /// names the ones it may not. A clock more than five minutes ahead refuses the whole batch.
    pub async fn push(&self, caller: &Caller, req: PushRequest) -> Result<PushAnswer> {
        if req.transactions.len() > MAX_PUSH {
            return Err(bad(format!("at most {MAX_PUSH} transactions per push")));
        }
        let now = now_ms();
        for tx in &req.transactions {
            if tx.records.len() > PART_RECORDS {
                return Err(bad(format!(
                    "transaction {} carries {} records: send it in parts of at most {PART_RECORDS}",
                    tx.hlc,
                    tx.records.len()
                )));
            }
            if tx.part.is_some_and(|p| p.index >= p.count) {
                return Err(bad(format!("transaction {}: a part's index is below its count", tx.hlc)));
            }
            let stamp = Stamp::parse(&tx.hlc).ok_or_else(|| bad(format!("not a clock value: {:?}", tx.hlc)))?;
            if stamp.device != tx.device {
                return Err(bad(format!("transaction {} names device {:?}", tx.hlc, tx.device)));
            }
            if stamp.ms - now > MAX_AHEAD_MS {
                return Err(Error::Refused {
                    code: ErrorCode::ClockAhead,
                    message: format!(
                        "device {} sent a change stamped {} s ahead of the server's clock (at most {} s): check that device's date and time",
                        tx.device,
                        (stamp.ms - now) / 1000,
                        MAX_AHEAD_MS / 1000
                    ),
                    device: Some(tx.device.clone()),
                });
            }
        }
        let writer = Writer {
            role: caller.role,
            staff_id: caller.staff_id.as_deref(),
            device: &caller.device_id,
            history_until: caller.history_until.as_deref(),
        };
        let mut rejected = Vec::new();
        let mut rows: Vec<Stored> = Vec::new();
        let mut seen = HashSet::new();
        for tx in &req.transactions {
            let part = i32::try_from(tx.part.map_or(0, |p| p.index)).unwrap_or(i32::MAX);
            if !seen.insert((tx.hlc.clone(), part)) {
                continue;
            }
            match access::check(&writer, tx) {
                Ok(()) => rows.push(Stored {
                    device: tx.device.clone(),
                    hlc: tx.hlc.clone(),
                    part,
                    records: i32::try_from(tx.records.len()).unwrap_or(i32::MAX),
                    body: serde_json::to_string(tx).map_err(|e| bad(e.to_string()))?,
                }),
                Err(why) => rejected.push(Rejected { hlc: tx.hlc.clone(), why }),
            }
        }
        let sent = rows.len() as u32;
        if rows.is_empty() {
            return Ok(PushAnswer { stored: 0, already: 0, rejected });
        }
        let (ws, schema, notify, rows) = (caller.workspace_id.clone(), req.schema, self.notify, Arc::new(rows));
        let store = self.store.clone();
        let stored = self
            .store
            .transaction(move |c| {
                let (ws, rows, store) = (ws.clone(), rows.clone(), store.clone());
                Box::pin(async move {
                    let hlcs: Vec<&str> = rows.iter().map(|r| r.hlc.as_str()).collect();
                    let had: HashSet<(String, i32)> = sqlx::query_as(sql::TXS_EXISTING)
                        .bind(&ws)
                        .bind(&hlcs)
                        .fetch_all(&mut *c)
                        .await?
                        .into_iter()
                        .collect();
                    let new: Vec<&Stored> = rows.iter().filter(|r| !had.contains(&(r.hlc.clone(), r.part))).collect();
                    if new.is_empty() {
                        return Ok(0u64);
                    }
                    let n = new.len() as i64;
                    let first: i64 =
                        sqlx::query_scalar(sql::WORKSPACE_TAKE_SEQ).bind(&ws).bind(n).fetch_one(&mut *c).await?;
                    let seqs: Vec<i64> = (first..first + n).collect();
                    store.maybe_pause().await;
                    let devices: Vec<&str> = new.iter().map(|r| r.device.as_str()).collect();
                    let hlcs: Vec<&str> = new.iter().map(|r| r.hlc.as_str()).collect();
                    let parts: Vec<i32> = new.iter().map(|r| r.part).collect();
                    let records: Vec<i32> = new.iter().map(|r| r.records).collect();
                    let bodies: Vec<&str> = new.iter().map(|r| r.body.as_str()).collect();
                    let done = sqlx::query(sql::TXS_STORE)
                        .bind(&ws)
                        .bind(&seqs)
                        .bind(&devices)
                        .bind(&hlcs)
                        .bind(&parts)
                        .bind(schema)
                        .bind(&records)
                        .bind(&bodies)
                        .bind(now_ms())
                        .execute(&mut *c)
                        .await?;
                    if notify && done.rows_affected() > 0 {
                        sqlx::query(sql::NOTIFY).bind(&ws).execute(&mut *c).await?;
                    }
                    Ok(done.rows_affected())
                })
            })
            .await? as u32;
        metrics::counter!("tend_changes_stored_total").increment(u64::from(stored));
        Ok(PushAnswer { stored, already: sent - stored, rejected })
    }

    /// Checks a pull's cursor against this database's log: another epoch, or a sequence number
    /// that holds another transaction (or none), means the device must start over.
    pub async fn check_cursor(&self, caller: &Caller, epoch: &str, after: i64, hlc: Option<&str>) -> Result<String> {
        let w = sqlx::query(sql::WORKSPACE_GET).bind(&caller.workspace_id).fetch_one(&self.store.pool).await?;
        let ours: String = w.try_get(1)?;
        let resync = |why: &str| Error::refused(ErrorCode::Resync, format!("start the download again: {why}"));
        if !epoch.is_empty() && epoch != ours {
            return Err(resync("the server's database is not the one this device synced with"));
        }
        if after > 0 {
            let at: Option<String> = sqlx::query_scalar(sql::TX_AT)
                .bind(&caller.workspace_id)
                .bind(after)
                .fetch_optional(&self.store.pool)
                .await?;
            if at.is_none() || hlc.is_some_and(|h| at.as_deref() != Some(h)) {
                return Err(resync("the server's log does not hold this device's place (was it restored?)"));
            }
        }
        Ok(ours)
    }

    /// One page after `after`: other devices' transactions (as stored, JSON) with their sequence
    /// number and clock, the last place the page covers (the caller's own transactions pass the
    /// cursor too), and whether more follow.
    pub async fn page(&self, caller: &Caller, after: i64, limit: i64) -> Result<Page> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = sqlx::query(sql::TXS_AFTER)
            .bind(&caller.workspace_id)
            .bind(after)
            .bind(&caller.device_id)
            .bind(limit + 1)
            .bind(PAGE_RECORDS)
            .fetch_all(&self.store.pool)
            .await?;
        let mut page = Page { more: rows.len() as i64 > limit, ..Page::default() };
        for r in rows.into_iter().take(limit as usize) {
            let (seq, hlc, own): (i64, String, bool) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            if !own {
                let body: Option<String> = r.try_get(3)?;
                let Some(body) = body else {
                    page.more = true;
                    break;
                };
                page.rows.push((seq, hlc.clone(), body));
            }
            page.covered = Some((seq, hlc));
        }
        Ok(page)
    }

    pub async fn status(&self, caller: &Caller) -> Result<StatusAnswer> {
        let w = sqlx::query(sql::WORKSPACE_GET).bind(&caller.workspace_id).fetch_one(&self.store.pool).await?;
        let last: i64 =
            sqlx::query_scalar(sql::TXS_LAST_SEQ).bind(&caller.workspace_id).fetch_one(&self.store.pool).await?;
        Ok(StatusAnswer {
            workspace_id: caller.workspace_id.clone(),
            workspace_name: w.try_get(0)?,
            member_id: caller.member_id.clone(),
            role: caller.role,
            staff_id: caller.staff_id.clone(),
            epoch: w.try_get(1)?,
            last_seq: last,
        })
    }

    /// Starts a snapshot upload (owners and managers): its cursor must be a place of this
    /// database's log. An upload the device left unfinished goes.
    pub async fn snapshot_start(&self, caller: &Caller, req: SnapshotStart) -> Result<SnapshotStarted> {
        Self::must_manage(caller)?;
        self.check_cursor(caller, &req.cursor.epoch, req.cursor.seq, req.cursor.hlc.as_deref()).await?;
        let id = auth::new_id(16);
        let (ws, device, id2) = (caller.workspace_id.clone(), caller.device_id.clone(), id.clone());
        self.store
            .transaction(move |c| {
                let (ws, device, id, req) = (ws.clone(), device.clone(), id2.clone(), req.clone());
                Box::pin(async move {
                    sqlx::query(sql::SNAPSHOTS_DROP_UNFINISHED).bind(&ws).bind(&device).execute(&mut *c).await?;
                    sqlx::query(sql::CHUNKS_DROP_ORPHANS).bind(&ws).execute(&mut *c).await?;
                    sqlx::query(sql::SNAPSHOT_CREATE)
                        .bind(&ws)
                        .bind(&id)
                        .bind(&device)
                        .bind(req.schema)
                        .bind(req.cursor.seq)
                        .bind(&req.cursor.hlc)
                        .bind(now_ms())
                        .execute(&mut *c)
                        .await?;
                    Ok(())
                })
            })
            .await?;
        Ok(SnapshotStarted { id })
    }

    async fn uploading(&self, caller: &Caller, id: &str) -> Result<()> {
        Self::must_manage(caller)?;
        let found: Option<i64> = sqlx::query_scalar(sql::SNAPSHOT_UPLOADING)
            .bind(&caller.workspace_id)
            .bind(id)
            .bind(&caller.device_id)
            .fetch_optional(&self.store.pool)
            .await?;
        found.map(|_| ()).ok_or_else(|| Error::refused(ErrorCode::NotFound, "no upload of this snapshot is under way"))
    }

    /// Stores chunk `n` of the caller's upload (a retried one replaces it).
    pub async fn snapshot_chunk(&self, caller: &Caller, id: &str, n: i32, body: &[u8]) -> Result<()> {
        self.uploading(caller, id).await?;
        if !(0..MAX_CHUNKS).contains(&n) {
            return Err(bad(format!("a snapshot has at most {MAX_CHUNKS} chunks")));
        }
        sqlx::query(sql::CHUNK_PUT)
            .bind(&caller.workspace_id)
            .bind(id)
            .bind(n)
            .bind(body)
            .execute(&self.store.pool)
            .await?;
        Ok(())
    }

    /// Ends an upload: every chunk must be there, as many bytes as the device sent. The
    /// workspace's older snapshots go.
    pub async fn snapshot_done(&self, caller: &Caller, id: &str, req: SnapshotDone) -> Result<()> {
        self.uploading(caller, id).await?;
        let (ws, id) = (caller.workspace_id.clone(), id.to_string());
        self.store
            .transaction(move |c| {
                let (ws, id, req) = (ws.clone(), id.clone(), req.clone());
                Box::pin(async move {
                    let (count, bytes, max): (i64, i64, i32) =
                        sqlx::query_as(sql::CHUNKS_STORED).bind(&ws).bind(&id).fetch_one(&mut *c).await?;
                    if count != i64::from(req.chunks) || i64::from(max) + 1 != count || bytes != req.bytes {
                        return Err(bad(format!(
                            "the snapshot has {count} chunks of {bytes} bytes stored, not the {} of {} sent",
                            req.chunks, req.bytes
                        )));
                    }
                    let now = now_ms();
                    let done = sqlx::query(sql::SNAPSHOT_DONE)
                        .bind(&ws)
                        .bind(&id)
                        .bind(count as i32)
                        .bind(req.size)
                        .bind(req.bytes)
                        .bind(&req.sha256)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                    // the upload went meanwhile (its device started another): nothing else goes
                    if done.rows_affected() != 1 {
                        return Err(Error::refused(ErrorCode::NotFound, "no upload of this snapshot is under way"));
                    }
                    // an upload another device started within the day may still finish
                    sqlx::query(sql::SNAPSHOTS_DROP_OTHERS)
                        .bind(&ws)
                        .bind(&id)
                        .bind(now - 86_400_000)
                        .execute(&mut *c)
                        .await?;
                    sqlx::query(sql::CHUNKS_DROP_ORPHANS).bind(&ws).execute(&mut *c).await?;
                    Ok(())
                })
            })
            .await
    }

    /// The newest whole snapshot (any member may restore it), and the records stored since.
    pub async fn snapshot(&self, caller: &Caller) -> Result<SnapshotAnswer> {
        let row = sqlx::query(sql::SNAPSHOT_NEWEST).bind(&caller.workspace_id).fetch_optional(&self.store.pool).await?;
        let w = sqlx::query(sql::WORKSPACE_GET).bind(&caller.workspace_id).fetch_one(&self.store.pool).await?;
        let epoch: String = w.try_get(1)?;
        let snapshot = match row {
            Some(r) => Some(SnapshotInfo {
                id: r.try_get(0)?,
                schema: r.try_get(1)?,
                cursor: Cursor { epoch, seq: r.try_get(2)?, hlc: r.try_get(3)? },
                chunks: r.try_get::<Option<i32>, _>(4)?.unwrap_or(0).max(0) as u32,
                size: r.try_get::<Option<i64>, _>(5)?.unwrap_or(0),
                bytes: r.try_get::<Option<i64>, _>(6)?.unwrap_or(0),
                sha256: r.try_get::<Option<String>, _>(7)?.unwrap_or_default(),
            }),
            None => None,
        };
        let after = snapshot.as_ref().map_or(0, |s| s.cursor.seq);
        let records_after: i64 = sqlx::query_scalar(sql::RECORDS_AFTER)
            .bind(&caller.workspace_id)
            .bind(after)
            .fetch_one(&self.store.pool)
            .await?;
        Ok(SnapshotAnswer { snapshot, records_after })
    }

    /// Chunk `n` of a whole snapshot of the caller's workspace.
    pub async fn snapshot_chunk_get(&self, caller: &Caller, id: &str, n: i32) -> Result<Vec<u8>> {
        let body: Option<Vec<u8>> = sqlx::query_scalar(sql::CHUNK_GET)
            .bind(&caller.workspace_id)
            .bind(id)
            .bind(n)
            .fetch_optional(&self.store.pool)
            .await?;
        body.ok_or_else(|| {
            Error::refused(ErrorCode::NotFound, "this snapshot or chunk is not here (a newer one replaced it?)")
        })
    }

    /// Stores a file under its hash, once it is checked to be that file (any member: agents
    /// send attachments too).
    pub async fn file_put(&self, caller: &Caller, hash: &str, body: &[u8]) -> Result<()> {
        if !is_hash(hash) {
            return Err(bad("a file is named by the SHA-256 of its content, 64 lower-case hex digits"));
        }
        if body.len() > FILE_MAX {
            return Err(bad(format!("a file is at most {FILE_MAX} bytes")));
        }
        let got: String = sha2::Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
        if got != hash {
            return Err(bad(format!("the file sent as {hash} has the content of {got}")));
        }
        sqlx::query(sql::FILE_PUT)
            .bind(&caller.workspace_id)
            .bind(hash)
            .bind(body)
            .bind(now_ms())
            .execute(&self.store.pool)
            .await?;
        Ok(())
    }

    /// Of these files, the ones stored.
    pub async fn files_have(&self, caller: &Caller, req: FilesHave) -> Result<FilesHave> {
        if req.hashes.len() > FILES_ASKED {
            return Err(bad(format!("ask for at most {FILES_ASKED} files at once")));
        }
        let hashes: Vec<String> = sqlx::query_scalar(sql::FILES_HAVE)
            .bind(&caller.workspace_id)
            .bind(&req.hashes)
            .fetch_all(&self.store.pool)
            .await?;
        Ok(FilesHave { hashes })
    }

    pub async fn file_get(&self, caller: &Caller, hash: &str) -> Result<Vec<u8>> {
        let body: Option<Vec<u8>> = sqlx::query_scalar(sql::FILE_GET)
            .bind(&caller.workspace_id)
            .bind(hash)
            .fetch_optional(&self.store.pool)
            .await?;
        body.ok_or_else(|| Error::refused(ErrorCode::NotFound, "the server does not hold this file"))
    }

    fn must_manage(caller: &Caller) -> Result<()> {
        if caller.role.manages() {
            Ok(())
        } else {
            Err(Error::refused(ErrorCode::Forbidden, "only owners and managers do this"))
        }
    }

    pub async fn invite(&self, caller: &Caller, req: InviteRequest) -> Result<InviteAnswer> {
        Self::must_manage(caller)?;
        if req.role == Role::Owner && caller.role != Role::Owner {
            return Err(Error::refused(ErrorCode::Forbidden, "only an owner invites another owner"));
        }
        let code = auth::new_invite(&caller.workspace_id);
        let now = now_ms();
        let expires = now + i64::from(req.hours.unwrap_or(72).clamp(1, 720)) * 3_600_000;
        sqlx::query(sql::INVITE_CREATE)
            .bind(&caller.workspace_id)
            .bind(auth::hash(&code))
            .bind(req.role.as_str())
            .bind(req.email.as_deref().map(str::trim).filter(|e| !e.is_empty()))
            .bind(req.staff_id.as_deref().map(str::trim).filter(|e| !e.is_empty()))
            .bind(false)
            .bind(&caller.member_id)
            .bind(now)
            .bind(expires)
            .execute(&self.store.pool)
            .await?;
        Ok(InviteAnswer { invite: code, expires_at_ms: expires })
    }

    pub async fn members(&self, caller: &Caller) -> Result<Members> {
        Self::must_manage(caller)?;
        let ws = &caller.workspace_id;
        let mut members: BTreeMap<String, Member> = BTreeMap::new();
        let mut order = Vec::new();
        for r in sqlx::query(sql::MEMBERS_LIST).bind(ws).fetch_all(&self.store.pool).await? {
            let id: String = r.try_get(0)?;
            order.push(id.clone());
            let revoked: Option<i64> = r.try_get(4)?;
            members.insert(
                id.clone(),
                Member {
                    member_id: id,
                    email: r.try_get(1)?,
                    staff_id: r.try_get(2)?,
                    role: role_of(r.try_get::<&str, _>(3)?)?,
                    revoked: revoked.is_some(),
                    devices: Vec::new(),
                },
            );
        }
        for r in sqlx::query(sql::DEVICES_LIST).bind(ws).fetch_all(&self.store.pool).await? {
            let member: String = r.try_get(1)?;
            let revoked: Option<i64> = r.try_get(4)?;
            if let Some(m) = members.get_mut(&member) {
                m.devices.push(Device {
                    device_id: r.try_get(0)?,
                    name: r.try_get(2)?,
                    last_seen_ms: r.try_get(3)?,
                    revoked: revoked.is_some(),
                });
            }
        }
        Ok(Members { members: order.into_iter().filter_map(|id| members.remove(&id)).collect() })
    }

    /// Revokes a device, or a member and every device of theirs; a device may always sign
    /// itself out.
    pub async fn revoke(&self, caller: &Caller, id: &str) -> Result<RevokeAnswer> {
        let ws = &caller.workspace_id;
        let now = now_ms();
        let pool = &self.store.pool;
        if id != caller.device_id {
            Self::must_manage(caller)?;
        }
        let device_member: Option<String> =
            sqlx::query_scalar(sql::DEVICE_MEMBER).bind(ws).bind(id).fetch_optional(pool).await?;
        let member = device_member.clone().unwrap_or_else(|| id.to_string());
        let row = sqlx::query(sql::MEMBER_GET).bind(ws).bind(&member).fetch_optional(pool).await?;
        let Some(row) = row else {
            return Err(Error::refused(ErrorCode::NotFound, format!("no device or member {id:?} in this workspace")));
        };
        let role = role_of(row.try_get::<&str, _>(0)?)?;
        if role == Role::Owner && caller.role != Role::Owner && id != caller.device_id {
            return Err(Error::refused(ErrorCode::Forbidden, "only an owner revokes an owner"));
        }
        let devices = if device_member.is_some() {
            sqlx::query(sql::DEVICE_REVOKE).bind(ws).bind(id).bind(now).execute(pool).await?.rows_affected()
        } else {
            sqlx::query(sql::MEMBER_REVOKE).bind(ws).bind(&member).bind(now).execute(pool).await?;
            sqlx::query(sql::DEVICES_OF_MEMBER_REVOKE)
                .bind(ws)
                .bind(&member)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        };
        Ok(RevokeAnswer { devices: devices as u32 })
    }
}

/// A pull page as JSON, the stored bodies written as they are (never parsed again); its cursor
/// the last place it covers (else where it started).
pub fn page_json(epoch: &str, page: &Page, after: i64, after_hlc: Option<&str>) -> String {
    let mut s = String::with_capacity(page.rows.iter().map(|r| r.2.len() + 1).sum::<usize>() + 200);
    s.push_str("{\"epoch\":");
    s.push_str(&serde_json::Value::from(epoch).to_string());
    s.push_str(",\"transactions\":[");
    for (i, (_, _, body)) in page.rows.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(body);
    }
    let (seq, hlc) = match &page.covered {
        Some((seq, hlc)) => (*seq, Some(hlc.as_str())),
        None => (after, after_hlc),
    };
    let cursor = Cursor { epoch: epoch.to_string(), seq, hlc: hlc.map(str::to_string) };
    s.push_str("],\"cursor\":");
    s.push_str(&serde_json::to_string(&cursor).unwrap_or_else(|_| "null".into()));
    s.push_str(",\"more\":");
    s.push_str(if page.more { "true" } else { "false" });
    s.push('}');
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_reads_back_as_the_client_reads_it() {
        let tx = tend_sync::protocol::RemoteTx {
            hlc: "0000000000001:00000:d".into(),
            at_ms: 1,
            actor: None,
            device: "d".into(),
            records: vec![],
            part: Some(tend_sync::protocol::Part { index: 1, count: 3 }),
        };
        let body = serde_json::to_string(&tx).unwrap();
        let page =
            super::Page { rows: vec![(7, tx.hlc.clone(), body)], covered: Some((7, tx.hlc.clone())), more: true };
        let json = super::page_json("e1", &page, 3, None);
        let page: tend_sync::wire::PullAnswer = serde_json::from_str(&json).unwrap();
        assert_eq!(page.transactions, vec![tx]);
        assert_eq!((page.cursor.seq, page.cursor.hlc.as_deref(), page.more), (7, Some("0000000000001:00000:d"), true));
        let empty: tend_sync::wire::PullAnswer =
            serde_json::from_str(&super::page_json("e1", &super::Page::default(), 3, Some("h"))).unwrap();
        assert_eq!((empty.cursor.seq, empty.cursor.hlc.as_deref()), (3, Some("h")));
        // the puller's own transactions only move its cursor
        let own = super::Page { rows: vec![], covered: Some((9, "h9".into())), more: false };
        let own: tend_sync::wire::PullAnswer =
            serde_json::from_str(&super::page_json("e1", &own, 3, Some("h"))).unwrap();
        assert!(own.transactions.is_empty());
        assert_eq!((own.cursor.seq, own.cursor.hlc.as_deref()), (9, Some("h9")));
    }
}
