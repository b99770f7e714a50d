//! Sync through real tend-server processes on a real PostgreSQL (see `server/mod.rs`): devices
//! are real workspace files driven through the core's sync API, or raw HTTP where a test needs
//! to send what the app never would.

mod common;
mod server;

use common::person;
use server::{create_workspace, shared_state, Pg, Server};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tend::staff::{Role, StaffInput};
use tend::sync::TokenStore;
use tend::Workspace;
use tend_sync::protocol::{FieldValue, RecordOp, RemoteRecord, RemoteTx};
use tend_sync::wire::*;

struct Device {
    _dir: tempfile::TempDir,
    ws: Workspace,
    tokens: TokenStore,
}

async fn device() -> Device {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = Workspace::open(dir.path().join("ws.tend")).await.expect("open");
    let tokens = TokenStore::File(dir.path().join("token"));
    Device { _dir: dir, ws, tokens }
}

fn staff(name: &str, role: Role) -> StaffInput {
    StaffInput { name: name.into(), email: None, role }
}

/// An owner's device with two colleagues in its staff and three customers, shared on `url`.
async fn shared_owner(url: &str, invite: &str) -> (Device, String, String, Vec<String>) {
    let a = device().await;
    let owner = a.ws.add_staff(&staff("Chủ Tiệm", Role::Owner)).await.expect("owner");
    let agent = a.ws.add_staff(&staff("Nguyễn Văn Bình", Role::Agent)).await.expect("agent");
    let manager = a.ws.add_staff(&staff("Trần Thị Cúc", Role::Manager)).await.expect("manager");
    a.ws.set_current_staff(Some(&owner.id)).await.expect("me");
    let mut customers = Vec::new();
    for (name, phone) in
        [("Đặng Thị Ngọc Ánh", "0912345678"), ("Lê Văn Hùng", "0987654321"), ("Phạm Minh Đức", "0903111222")]
    {
        customers.push(a.ws.create_customer(&person(name, phone)).await.expect("customer").customer.id);
    }
    let r = a.ws.sync_share(url, invite, &a.tokens, &|_| {}).await.expect("share");
    assert_eq!(r.pushed, 6, "the history went up: three staff, three customers: {r:?}");
    (a, agent.id, manager.id, customers)
}

/// An owner's device shared on one server and an agent's joined through it: what most tests
/// start from. Fields drop in order: the devices and the server before the database.
struct Pair {
    a: Device,
    b: Device,
    _s: Server,
    _logs: tempfile::TempDir,
    ws_id: String,
    db: String,
    pg: Pg,
    agent: String,
    manager: String,
    customers: Vec<String>,
}

async fn owner_and_agent(name: &str) -> Pair {
    let pg = Pg::start();
    let db = pg.database();
    let (ws_id, invite) = create_workspace(&db, name);
    let logs = tempfile::tempdir().expect("logs");
    let s = Server::start(&db, 0.0, logs.path().join("s.log")).await;
    let (a, agent, manager, customers) = shared_owner(&s.url, &invite).await;
    let to_b = a.ws.sync_invite(&a.tokens, Role::Agent, Some(&agent), None).await.expect("invite");
    let mut b = device().await;
    b.ws.sync_join(&s.url, &to_b.invite, &b.tokens, &|_| {}, None).await.expect("join");
    Pair { a, b, _s: s, _logs: logs, ws_id, db, pg, agent, manager, customers }
}

async fn set_notes(ws: &Workspace, id: &str, notes: &str) {
    let c = ws.customer(id).await.expect("customer");
    let base = c.to_input();
    let mut input = base.clone();
    input.notes = Some(notes.into());
    ws.update_customer(id, &base, &input).await.expect("notes");
}

async fn set_province(ws: &Workspace, id: &str, province: &str) {
    let c = ws.customer(id).await.expect("customer");
    let base = c.to_input();
    let mut input = base.clone();
    input.province = Some(province.into());
    ws.update_customer(id, &base, &input).await.expect("province");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_devices_through_two_servers_end_equal_with_offline_edits() {
    let pg = Pg::start();
    let db = pg.database();
    let (_, invite) = create_workspace(&db, "Tiệm Hoa Mai");
    let logs = tempfile::tempdir().expect("logs");
    let s1 = Server::start(&db, 0.2, logs.path().join("s1.log")).await;
    let s2 = Server::start(&db, 0.2, logs.path().join("s2.log")).await;

    let (a, agent_staff, manager_staff, customers) = shared_owner(&s1.url, &invite).await;
    let to_b = a.ws.sync_invite(&a.tokens, Role::Agent, Some(&agent_staff), None).await.expect("invite b");
    let to_c = a.ws.sync_invite(&a.tokens, Role::Manager, Some(&manager_staff), None).await.expect("invite c");

    let mut b = device().await;
    // b starts from the snapshot the owner made when sharing, c (below) from the log
    let r = b.ws.sync_join(&s2.url, &to_b.invite, &b.tokens, &|_| {}, None).await.expect("b joins");
    assert_eq!((r.snapshot, r.pulled), (Some(6), 0), "{r:?}");
    assert_eq!(
        b.ws.current_staff_id().await.expect("me").as_deref(),
        Some(agent_staff.as_str()),
        "b acts as the invited staff"
    );
    let mut c = device().await;
    pg.psql(&db, "DELETE FROM snapshots");
    let r = c.ws.sync_join(&s1.url, &to_c.invite, &c.tokens, &|_| {}, None).await.expect("c joins");
    assert_eq!((r.snapshot, r.pulled), (None, 6), "{r:?}");
    assert_eq!(b.ws.customer(&customers[0]).await.expect("on b").name, "Đặng Thị Ngọc Ánh");

    // offline: b and c edit different fields of one customer, a adds a customer
    set_notes(&b.ws, &customers[1], "Khách quen, thích hoa lan").await;
    set_province(&c.ws, &customers[1], "Đà Nẵng").await;
    let new = a.ws.create_customer(&person("Võ Thị Hồng", "0938777666")).await.expect("new").customer.id;
    set_notes(&c.ws, &customers[2], "c wrote first").await;
    set_notes(&b.ws, &customers[2], "b wrote last").await;

    for _ in 0..2 {
        for d in [&b, &c, &a] {
            d.ws.sync_now(&d.tokens).await.expect("sync");
        }
    }
    let (sa, sb, sc) = (shared_state(&a.ws).await, shared_state(&b.ws).await, shared_state(&c.ws).await);
    assert_eq!(sa, sb, "a and b differ");
    assert_eq!(sa, sc, "a and c differ");
    let both = a.ws.customer(&customers[1]).await.expect("merged");
    assert_eq!((both.notes.as_deref(), both.province.as_deref()), (Some("Khách quen, thích hoa lan"), Some("Đà Nẵng")));
    assert_eq!(c.ws.customer(&customers[2]).await.expect("lww").notes.as_deref(), Some("b wrote last"));
    assert_eq!(b.ws.customer(&new).await.expect("new on b").name, "Võ Thị Hồng");

    // a's history of the customer names b's change with b's staff and device
    let h = a.ws.history(&customers[1]).await.expect("history");
    assert!(
        h.iter().any(|e| e.change.column == "notes"
            && e.actor_id.as_deref() == Some(&agent_staff)
            && e.device == b.ws.device()),
        "{h:#?}"
    );
    // the edit that lost is shown overwritten by the one that won, on every device
    for d in [&a, &b, &c] {
        let h = d.ws.history(&customers[2]).await.expect("history");
        let lost = h.iter().find(|e| e.change.value.as_deref() == Some("c wrote first")).expect("c's edit is kept");
        let won = h.iter().find(|e| e.change.value.as_deref() == Some("b wrote last")).expect("b's edit");
        assert_eq!(lost.overwritten_by.as_deref(), Some(won.hlc.as_str()), "{h:#?}");
        assert_eq!(won.overwritten_by, None);
    }
    let status = b.ws.sync_status().await.expect("status");
    assert_eq!((status.waiting, status.last_error.is_none()), (0, true), "{status:?}");
    drop((s1, s2, a, b, c, logs));
    drop(pg);
}

/// Raw HTTP for what the app never sends.
struct Raw {
    http: reqwest::Client,
    url: String,
    token: String,
    device: String,
    clock: tend_sync::Hlc,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_millis() as i64
}

async fn answer<T: serde::de::DeserializeOwned>(r: reqwest::Response) -> Result<T, (u16, ErrorBody)> {
    let status = r.status().as_u16();
    let bytes = r.bytes().await.expect("body");
    if (200..300).contains(&status) {
        Ok(serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes))))
    } else {
        Err((
            status,
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes))),
        ))
    }
}

async fn raw_join(
    url: &str,
    invite: &str,
    device: &str,
    staff: Option<&str>,
    share: bool,
) -> Result<Raw, (u16, ErrorBody)> {
    let http = reqwest::Client::new();
    let req = JoinRequest {
        invite: invite.into(),
        device_id: device.into(),
        device_name: format!("máy {device}"),
        staff_id: staff.map(Into::into),
        history_until: None,
        share,
    };
    let a: JoinAnswer = answer(http.post(format!("{url}/v1/join")).json(&req).send().await.expect("join")).await?;
    Ok(Raw { http, url: url.into(), token: a.token, device: device.into(), clock: tend_sync::Hlc::default() })
}

impl Raw {
    fn tx(&mut self, actor: Option<&str>, table: &str, row: &str) -> RemoteTx {
        let now = now_ms();
        RemoteTx {
            part: None,
            hlc: self.clock.tick(now, &self.device),
            at_ms: now,
            actor: actor.map(Into::into),
            device: self.device.clone(),
            records: vec![RemoteRecord {
                table: table.into(),
                row_id: row.into(),
                op: RecordOp::Set { column: "notes".into(), value: FieldValue::Text(format!("from {}", self.device)) },
            }],
        }
    }

    async fn push(&self, url: &str, txs: Vec<RemoteTx>) -> Result<PushAnswer, (u16, ErrorBody)> {
        let r = self
            .http
            .post(format!("{url}/v1/push"))
            .bearer_auth(&self.token)
            .json(&PushRequest { schema: Workspace::schema_version(), transactions: txs })
            .send()
            .await
            .expect("push");
        answer(r).await
    }

    async fn pull(&self, url: &str, cursor: &Cursor, limit: i64, wait: u64) -> Result<PullAnswer, (u16, ErrorBody)> {
        let mut q = vec![
            ("after", cursor.seq.to_string()),
            ("epoch", cursor.epoch.clone()),
            ("limit", limit.to_string()),
            ("wait", wait.to_string()),
        ];
        if let Some(h) = &cursor.hlc {
            q.push(("hlc", h.clone()));
        }
        let r = self.http.get(format!("{url}/v1/pull")).bearer_auth(&self.token).query(&q).send().await.expect("pull");
        answer(r).await
    }

    async fn put_bytes(&self, path: &str, body: Vec<u8>) -> Result<serde_json::Value, (u16, ErrorBody)> {
        answer(
            self.http.put(format!("{}{path}", self.url)).bearer_auth(&self.token).body(body).send().await.expect("put"),
        )
        .await
    }

    async fn get_bytes(&self, path: &str) -> Result<Vec<u8>, (u16, ErrorBody)> {
        let r = self.http.get(format!("{}{path}", self.url)).bearer_auth(&self.token).send().await.expect("get");
        if r.status().is_success() {
            Ok(r.bytes().await.expect("body").to_vec())
        } else {
            answer::<serde_json::Value>(r).await.map(|_| Vec::new())
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, (u16, ErrorBody)> {
        answer(self.http.get(format!("{}{path}", self.url)).bearer_auth(&self.token).send().await.expect("get")).await
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<T, (u16, ErrorBody)> {
        answer(
            self.http
                .post(format!("{}{path}", self.url))
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await
                .expect("post"),
        )
        .await
    }
}

/// The classic trap: a puller reads sequence number 8 while 7 is still committing, moves its
/// cursor past 7 and never sees it. Concurrent pushers through two servers (with injected
/// serialization failures and deadlocks, serializable isolation) against pullers reading small
/// pages: every puller must see every transaction, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_pushers_never_make_a_puller_skip_a_change() {
    let pg = Pg::start();
    // the server's own READ COMMITTED (PostgreSQL: the counter row's lock orders the pushes;
    // a sequence would let pullers skip here), and the database's SERIALIZABLE as an engine
    // that runs only that gives it (failures retried)
    for engine_default in [false, true] {
        let db = pg.database();
        pg.psql(
            &db,
            &format!(
                "ALTER DATABASE {} SET default_transaction_isolation = 'serializable'",
                db.rsplit('/').next().expect("name")
            ),
        );
        pushers_against_pullers(&db, engine_default).await;
    }
    drop(pg);
}

/// `engine_default`: the servers write in the database's own isolation (an engine that runs only
/// SERIALIZABLE), else in READ COMMITTED as on PostgreSQL.
async fn pushers_against_pullers(db: &str, engine_default: bool) {
    let db = db.to_string();
    let (_, invite) = create_workspace(&db, "Thứ tự");
    let logs = tempfile::tempdir().expect("logs");
    let (s1, s2) = if engine_default {
        (
            Server::start_engine_default(&db, 0.3, 30, logs.path().join("s1.log")).await,
            Server::start_engine_default(&db, 0.3, 30, logs.path().join("s2.log")).await,
        )
    } else {
        (
            Server::start_with(&db, 0.3, 30, logs.path().join("s1.log")).await,
            Server::start_with(&db, 0.3, 30, logs.path().join("s2.log")).await,
        )
    };
    let owner = raw_join(&s1.url, &invite, "owner", Some("s-owner"), true).await.expect("owner");
    let invite_for = |staff: String| {
        let owner = &owner;
        async move {
            let a: InviteAnswer = owner
                .post(
                    "/v1/invites",
                    serde_json::json!({"role": "agent", "staff_id": staff, "email": null, "hours": null}),
                )
                .await
                .expect("invite");
            a.invite
        }
    };
    const PUSHERS: usize = 6;
    const EACH: usize = 40;
    let mut pushers = Vec::new();
    for i in 0..PUSHERS {
        let code = invite_for(format!("s-{i}")).await;
        pushers.push(raw_join(&s1.url, &code, &format!("p{i}"), None, false).await.expect("pusher"));
    }
    let mut pullers = Vec::new();
    for i in 0..2 {
        let code = invite_for(format!("r-{i}")).await;
        pullers.push(raw_join(&s2.url, &code, &format!("r{i}"), None, false).await.expect("puller"));
    }
    let urls = Arc::new([s1.url.clone(), s2.url.clone()]);
    let expected = PUSHERS * EACH;
    // set when the pushers are done: a puller that has not seen everything 20 s later never will
    let pushed = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let pull_tasks: Vec<_> = pullers
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let (urls, pushed) = (urls.clone(), pushed.clone());
            tokio::spawn(async move {
                let mut cursor = Cursor::default();
                let mut seen: Vec<String> = Vec::new();
                let gave_up =
                    || pushed.lock().expect("lock").is_some_and(|t: Instant| t.elapsed() > Duration::from_secs(20));
                while seen.len() < expected && !gave_up() {
                    let page = p.pull(&urls[i % 2], &cursor, 3, 1).await.expect("pull");
                    seen.extend(page.transactions.iter().map(|t| t.hlc.clone()));
                    cursor = page.cursor;
                }
                seen
            })
        })
        .collect();
    let push_tasks: Vec<_> = pushers
        .into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            let urls = urls.clone();
            tokio::spawn(async move {
                let mut sent = Vec::new();
                for n in 0..EACH {
                    let tx = p.tx(Some(&format!("s-{i}")), "customers", &format!("c{n}"));
                    sent.push(tx.hlc.clone());
                    let a = p.push(&urls[(i + n) % 2], vec![tx]).await.expect("push");
                    assert_eq!((a.stored, a.rejected.len()), (1, 0), "{a:?}");
                }
                sent
            })
        })
        .collect();
    let mut all = HashSet::new();
    for t in push_tasks {
        all.extend(t.await.expect("pusher"));
    }
    *pushed.lock().expect("lock") = Some(Instant::now());
    assert_eq!(all.len(), expected);
    for t in pull_tasks {
        let seen = t.await.expect("puller");
        let unique: HashSet<String> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "a puller got a transaction twice");
        let missing: Vec<&String> = all.difference(&unique).collect();
        assert!(missing.is_empty(), "a puller skipped {} changes: {missing:?}", missing.len());
    }
    // the failures were injected and retried, on both instances together
    let mut retried = 0.0;
    for s in [&s1, &s2] {
        let text = reqwest::get(format!("{}/metrics", s.url)).await.expect("metrics").text().await.expect("text");
        retried += text
            .lines()
            .find(|l| l.starts_with("tend_retries_total"))
            .and_then(|l| l.split_whitespace().last())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        assert!(text.contains("tend_request_seconds_bucket"), "latency histogram: {text}");
        assert!(text.contains("tend_changes_stored_total"), "{text}");
    }
    assert!(retried > 10.0, "serialization failures and deadlocks were retried ({retried})");
    drop((s1, s2, logs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_reaches_only_its_workspace_and_revoked_tokens_and_spent_invites_are_refused() {
    let pg = Pg::start();
    let db = pg.database();
    let (ws_a, invite_a) = create_workspace(&db, "A");
    let (ws_b, invite_b) = create_workspace(&db, "B");
    let logs = tempfile::tempdir().expect("logs");
    let s = Server::start(&db, 0.0, logs.path().join("s.log")).await;
    let mut secrets = vec![invite_a.clone(), invite_b.clone()];

    let mut a = raw_join(&s.url, &invite_a, "a-owner", Some("sa"), true).await.expect("a");
    let mut b = raw_join(&s.url, &invite_b, "b-owner", Some("sb"), true).await.expect("b");
    secrets.extend([a.token.clone(), b.token.clone()]);
    // a spent invite, and one of the wrong kind, are refused
    let again = raw_join(&s.url, &invite_a, "other", None, true).await.err().expect("spent");
    assert_eq!((again.0, again.1.error), (410, ErrorCode::InviteInvalid));

    let ta = a.tx(Some("sa"), "customers", "ca");
    let tb = b.tx(Some("sb"), "customers", "cb");
    a.push(&s.url, vec![ta.clone()]).await.expect("a pushes");
    b.push(&s.url, vec![tb.clone()]).await.expect("b pushes");

    // a second device of A sees A's change and nothing of B's
    let code: InviteAnswer = a
        .post("/v1/invites", serde_json::json!({"role": "agent", "staff_id": "sa2", "email": null, "hours": null}))
        .await
        .expect("invite");
    secrets.push(code.invite.clone());
    let wrong_kind = raw_join(&s.url, &code.invite, "a2", None, true).await.err().expect("a join code used to share");
    assert_eq!(wrong_kind.1.error, ErrorCode::InviteInvalid);
    let a2 = raw_join(&s.url, &code.invite, "a2", None, false).await.expect("a2");
    secrets.push(a2.token.clone());
    let page = a2.pull(&s.url, &Cursor::default(), 100, 0).await.expect("pull");
    assert_eq!(page.transactions, vec![ta.clone()]);
    // A's token: B's device and members are not found, A's status is A's
    let st: StatusAnswer = a.get("/v1/status").await.expect("status");
    assert_eq!(st.workspace_id, ws_a);
    let m: Members = a.get("/v1/members").await.expect("members");
    assert!(m.members.iter().all(|m| m.devices.iter().all(|d| d.device_id.starts_with('a'))), "{m:?}");
    let revoke_b =
        a.post::<RevokeAnswer>("/v1/revoke", serde_json::json!({"id": "b-owner"})).await.expect_err("b's device");
    assert_eq!((revoke_b.0, revoke_b.1.error), (404, ErrorCode::NotFound));
    // a transaction in B's device's name, pushed with A's token: refused, stored nowhere
    let forged = RemoteTx { device: "b-owner".into(), ..b.tx(Some("sb"), "customers", "cb") };
    let bad = a.push(&s.url, vec![forged]).await;
    assert!(bad.is_err() || bad.as_ref().is_ok_and(|x| x.stored == 0), "{bad:?}");
    // B's workspace id with A's secret part is nobody
    let mixed = Raw { token: a.token.replacen(&ws_a, &ws_b, 1), ..a2_clone(&a2) };
    let who = mixed.get::<StatusAnswer>("/v1/status").await.expect_err("unknown token");
    assert_eq!((who.0, who.1.error), (401, ErrorCode::Unauthorized));
    // B still holds only its own
    let b_log = pg.psql(&db, &format!("SELECT count(*) FROM txs WHERE workspace_id = '{ws_b}'"));
    assert_eq!(b_log, "1");

    // a snapshot of A: B's token neither sees, reads nor writes it
    let started: SnapshotStarted = a
        .post("/v1/snapshots", serde_json::json!({"schema": 1, "cursor": {"epoch": "", "seq": 0, "hlc": null}}))
        .await
        .expect("a starts a snapshot");
    let at = format!("/v1/snapshots/{}/0", started.id);
    assert_eq!(b.put_bytes(&at, b"b's".to_vec()).await.expect_err("b writes into a's upload").0, 404);
    a.put_bytes(&at, b"abc".to_vec()).await.expect("a's chunk");
    let _: serde_json::Value = a
        .post(
            &format!("/v1/snapshots/{}/done", started.id),
            serde_json::json!({"chunks": 1, "size": 3, "bytes": 3, "sha256": "x"}),
        )
        .await
        .expect("done");
    assert_eq!(a.get_bytes(&at).await.expect("a reads its chunk"), b"abc");
    assert_eq!(a2.get_bytes(&at).await.expect("an agent of A restores it"), b"abc");
    let none: SnapshotAnswer = b.get("/v1/snapshot").await.expect("b's snapshot");
    assert!(none.snapshot.is_none(), "{none:?}");
    assert_eq!(b.get_bytes(&at).await.expect_err("b reads a's chunk").0, 404);
    // a file of A: B's token neither finds nor reads it; a file is stored only under its own hash
    let body = b"anh hoa don".to_vec();
    let hash: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect()
    };
    let wrong = a.put_bytes(&format!("/v1/files/{}", "0".repeat(64)), body.clone()).await.expect_err("another hash");
    assert_eq!((wrong.0, wrong.1.error), (422, ErrorCode::BadRequest));
    a.put_bytes(&format!("/v1/files/{hash}"), body.clone()).await.expect("a's file");
    assert_eq!(a2.get_bytes(&format!("/v1/files/{hash}")).await.expect("a2 reads it"), body);
    assert_eq!(b.get_bytes(&format!("/v1/files/{hash}")).await.expect_err("b reads a's file").0, 404);
    let have: FilesHave = b.post("/v1/files/have", serde_json::json!({"hashes": [hash]})).await.expect("have");
    assert!(have.hashes.is_empty(), "{have:?}");

    // an agent makes none
    let no = a2
        .post::<SnapshotStarted>(
            "/v1/snapshots",
            serde_json::json!({"schema": 1, "cursor": {"epoch": "", "seq": 0, "hlc": null}}),
        )
        .await
        .expect_err("an agent's snapshot");
    assert_eq!((no.0, no.1.error), (403, ErrorCode::Forbidden));

    // a revoked device is refused at once
    let r: RevokeAnswer = a.post("/v1/revoke", serde_json::json!({"id": "a2"})).await.expect("revoke");
    assert_eq!(r.devices, 1);
    let refused = a2.pull(&s.url, &Cursor::default(), 10, 0).await.expect_err("revoked");
    assert_eq!((refused.0, refused.1.error), (401, ErrorCode::Revoked));
    // an agent does not invite
    let code: InviteAnswer = a
        .post("/v1/invites", serde_json::json!({"role": "agent", "staff_id": "sa3", "email": null, "hours": null}))
        .await
        .expect("invite");
    secrets.push(code.invite.clone());
    let agent = raw_join(&s.url, &code.invite, "a3", None, false).await.expect("a3");
    secrets.push(agent.token.clone());
    let no = agent
        .post::<InviteAnswer>(
            "/v1/invites",
            serde_json::json!({"role": "agent", "staff_id": null, "email": null, "hours": null}),
        )
        .await
        .expect_err("agent invites");
    assert_eq!((no.0, no.1.error), (403, ErrorCode::Forbidden));
    // an expired invite
    let code: InviteAnswer = a
        .post("/v1/invites", serde_json::json!({"role": "agent", "staff_id": "sa4", "email": null, "hours": null}))
        .await
        .expect("invite");
    secrets.push(code.invite.clone());
    pg.psql(&db, &format!("UPDATE invites SET expires_ms = 1 WHERE workspace_id = '{ws_a}' AND used_ms IS NULL"));
    let late = raw_join(&s.url, &code.invite, "a4", None, false).await.err().expect("expired");
    assert_eq!((late.0, late.1.error), (410, ErrorCode::InviteInvalid));

    // no secret in any log line
    let log = s.log_text();
    assert!(log.contains("/v1/push"), "the log has the requests: {log}");
    for secret in &secrets {
        let tail = secret.split_once('.').map(|x| x.1).unwrap_or(secret);
        assert!(!log.contains(tail), "a secret reached the log");
    }
    drop((s, logs));
    drop(pg);
}

fn a2_clone(r: &Raw) -> Raw {
    Raw {
        http: r.http.clone(),
        url: r.url.clone(),
        token: r.token.clone(),
        device: r.device.clone(),
        clock: tend_sync::Hlc::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_change_is_taken_back_on_the_device_and_the_user_told_why() {
    let p = owner_and_agent("Vai trò").await;
    let (a, b, agent_staff, customers) = (&p.a, &p.b, &p.agent, &p.customers);

    // the app refuses an agent's settings change and purge before the server has to
    let e = b.ws.update_staff(agent_staff, &staff("Bình (sửa)", Role::Manager)).await.expect_err("agent edits staff");
    assert!(matches!(e, tend::Error::Sync { key: "sync.agent_settings", .. }), "{e:?}");
    b.ws.trash_customer(&customers[0]).await.expect("agents trash");
    let e = b.ws.purge_customer(&customers[0]).await.expect_err("agent purges");
    assert!(matches!(e, tend::Error::Sync { key: "sync.agent_purge", .. }), "{e:?}");

    // an app that believed it was a manager: the server refuses, the device takes it back
    sqlx::query("UPDATE meta SET value = json_set(value, '$.role', 'manager') WHERE key = 'sync.link'")
        .execute(b.ws.pool())
        .await
        .expect("pretend");
    b.ws.update_staff(agent_staff, &staff("Bình (sửa)", Role::Manager)).await.expect("written here");
    set_notes(&b.ws, &customers[1], "kept").await;
    let r = b.ws.sync_now(&b.tokens).await.expect("sync");
    assert_eq!(r.rejected.len(), 1, "{r:?}");
    assert_eq!((r.rejected[0].reason.as_str(), r.rejected[0].table.as_deref()), ("settings", Some("staff")));
    let me = b.ws.staff().await.expect("staff").into_iter().find(|x| &x.id == agent_staff).expect("b");
    assert_eq!((me.name.as_str(), me.role), ("Nguyễn Văn Bình", Role::Agent), "taken back");
    assert_eq!(b.ws.sync_status().await.expect("status").refusals.len(), 1);
    a.ws.sync_now(&a.tokens).await.expect("a syncs");
    assert_eq!(a.ws.customer(&customers[1]).await.expect("c").notes.as_deref(), Some("kept"), "the rest went through");
    assert_eq!(shared_state(&a.ws).await, shared_state(&b.ws).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_clock_too_far_ahead_is_refused_naming_the_device() {
    let pg = Pg::start();
    let db = pg.database();
    let (_, invite) = create_workspace(&db, "Đồng hồ");
    let logs = tempfile::tempdir().expect("logs");
    let s = Server::start(&db, 0.0, logs.path().join("s.log")).await;
    let mut owner = raw_join(&s.url, &invite, "fast", Some("s1"), true).await.expect("owner");
    let mut tx = owner.tx(Some("s1"), "customers", "c1");
    let ahead = now_ms() + 10 * 60 * 1000;
    tx.hlc = tend_sync::Stamp { ms: ahead, counter: 0, device: "fast".into() }.to_string();
    let first = owner.tx(Some("s1"), "customers", "c0");
    let e = owner.push(&s.url, vec![first, tx]).await.expect_err("refused");
    assert_eq!((e.0, e.1.error, e.1.device.as_deref()), (422, ErrorCode::ClockAhead, Some("fast")));
    assert!(e.1.message.contains("fast"), "{}", e.1.message);
    assert_eq!(pg.psql(&db, "SELECT count(*) FROM txs"), "0", "nothing of the batch was stored");

    // a device whose clock is behind refuses a page with a change too far ahead of it, whole
    let code: InviteAnswer = owner
        .post("/v1/invites", serde_json::json!({"role": "agent", "staff_id": "s2", "email": null, "hours": null}))
        .await
        .expect("invite");
    let four_ahead = now_ms() + 4 * 60 * 1000;
    let mut soon = owner.tx(Some("s1"), "customers", "c2");
    soon.hlc = tend_sync::Stamp { ms: four_ahead, counter: 0, device: "fast".into() }.to_string();
    let ok = owner.tx(Some("s1"), "customers", "c3");
    owner.push(&s.url, vec![ok, soon]).await.expect("within five minutes of the server");
    let dir = tempfile::tempdir().expect("dir");
    let slow = Arc::new(tend::FixedClock::new(now_ms() - 3 * 60 * 1000));
    let mut ws = Workspace::open_with_clock(dir.path().join("ws.tend"), slow).await.expect("open");
    let tokens = TokenStore::File(dir.path().join("token"));
    let e = ws.sync_join(&s.url, &code.invite, &tokens, &|_| {}, None).await.expect_err("refused");
    assert!(matches!(&e, tend::Error::Sync { key: "sync.clock_ahead", device: Some(d), .. } if d == "fast"), "{e:?}");
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM txs").fetch_one(ws.pool()).await.expect("count");
    assert_eq!(held, 0, "nothing of the page was applied");
    drop((s, logs));
    drop(pg);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restored_server_makes_devices_start_over_and_nothing_is_lost() {
    let p = owner_and_agent("Khôi phục").await;
    let (a, b, customers, pg, db, ws_id) = (&p.a, &p.b, &p.customers, &p.pg, &p.db, &p.ws_id);
    set_notes(&b.ws, &customers[0], "before the restore").await;
    b.ws.sync_now(&b.tokens).await.expect("b");
    a.ws.sync_now(&a.tokens).await.expect("a");
    // the server's database goes back to a backup taken before b's change and a's last pull
    pg.psql(db, &format!("DELETE FROM txs WHERE workspace_id = '{ws_id}' AND device_id = '{}'", b.ws.device()));
    set_notes(&a.ws, &customers[1], "after the restore").await;
    let ra = a.ws.sync_now(&a.tokens).await.expect("a after");
    let rb = b.ws.sync_now(&b.tokens).await.expect("b after");
    assert!(rb.resynced || ra.resynced, "{ra:?} {rb:?}");
    a.ws.sync_now(&a.tokens).await.expect("a again");
    assert_eq!(shared_state(&a.ws).await, shared_state(&b.ws).await);
    assert_eq!(a.ws.customer(&customers[0]).await.expect("c").notes.as_deref(), Some("before the restore"));
}

#[tokio::test]
async fn a_server_older_than_the_app_says_so() {
    let pg = Pg::start();
    let db = pg.database();
    let logs = tempfile::tempdir().expect("logs");
    let s = Server::start(&db, 0.0, logs.path().join("s.log")).await;
    let r = reqwest::Client::new()
        .get(format!("{}/v1/status", s.url))
        .header(PROTOCOL_HEADER, (PROTOCOL + 1).to_string())
        .send()
        .await
        .expect("status");
    let e: Result<StatusAnswer, _> = answer(r).await;
    let (code, body) = e.expect_err("refused");
    assert_eq!((code, body.error, body.server_protocol), (426, ErrorCode::ServerTooOld, Some(PROTOCOL)));
    assert!(body.message.contains("server must be updated"), "{}", body.message);
    drop((s, logs));
    drop(pg);
}

fn tend(db: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tend"))
        .arg("--db")
        .arg(db)
        .args(args)
        .arg("--json")
        .env("TEND_LANG", "en")
        .output()
        .expect("tend");
    let json = serde_json::from_slice(&out.stdout)
        .or_else(|_| serde_json::from_slice(&out.stderr))
        .unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_shares_invites_joins_syncs_and_revokes() {
    let pg = Pg::start();
    let db = pg.database();
    let (_, invite) = create_workspace(&db, "Dòng lệnh");
    let logs = tempfile::tempdir().expect("logs");
    let s = Server::start(&db, 0.0, logs.path().join("s.log")).await;
    let dir = tempfile::tempdir().expect("dir");
    let (a, b) = (dir.path().join("a.tend"), dir.path().join("b.tend"));
    let (ta, tb) = (dir.path().join("a.token"), dir.path().join("b.token"));
    let (ta, tb) = (ta.to_str().expect("path"), tb.to_str().expect("path"));
    let (code, owner, err) = tend(&a, &["staff", "add", "--name", "Chủ", "--role", "owner"]);
    assert_eq!(code, 0, "{err}");
    let owner_id = owner["id"].as_str().expect("id").to_string();
    assert_eq!(tend(&a, &["settings", "set", "current_staff", &owner_id]).0, 0);
    let (code, agent, _) = tend(&a, &["staff", "add", "--name", "Bình", "--role", "agent"]);
    assert_eq!(code, 0);
    let agent_id = agent["id"].as_str().expect("id").to_string();
    assert_eq!(tend(&a, &["customer", "add", "--name", "Đặng Thị Ngọc Ánh", "--phone", "0912345678"]).0, 0);

    let (code, shared, err) = tend(&a, &["sync", "share", &s.url, "--invite", &invite, "--token-file", ta]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(shared["pushed"], 3, "{shared}");
    let (code, inv, err) = tend(&a, &["sync", "invite", "--role", "agent", "--staff", &agent_id, "--token-file", ta]);
    assert_eq!(code, 0, "{err}");
    let code_b = inv["invite"].as_str().expect("invite").to_string();
    let (code, joined, err) = tend(&b, &["sync", "join", &s.url, "--invite", &code_b, "--token-file", tb]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((&joined["pulled"], &joined["snapshot"]), (&0.into(), &shared["snapshot"]), "{joined}");
    let (code, found, _) = tend(&b, &["search", "dang thi ngoc"]);
    assert_eq!(code, 0);
    assert!(found.to_string().contains("Đặng Thị Ngọc Ánh"), "{found}");

    assert_eq!(tend(&b, &["customer", "add", "--name", "Lê Văn Hùng"]).0, 0);
    let (code, now, err) = tend(&b, &["sync", "now", "--token-file", tb]);
    assert_eq!(code, 0, "{err}");
    for key in ["pushed", "pulled", "rejected", "cursor"] {
        assert!(now.get(key).is_some(), "{key} in {now}");
    }
    assert_eq!((now["pushed"].as_u64(), now["rejected"].as_array().map(Vec::len)), (Some(1), Some(0)), "{now}");
    let (_, now_a, _) = tend(&a, &["sync", "now", "--token-file", ta]);
    assert_eq!(now_a["pulled"], 1, "{now_a}");
    let (_, status, _) = tend(&b, &["sync", "status"]);
    assert_eq!((status["link"]["role"].as_str(), status["waiting"].as_i64()), (Some("agent"), Some(0)), "{status}");

    // the agent may not invite; the owner revokes the agent's device, refused at once
    let (code, _, err) = tend(&b, &["sync", "invite", "--role", "agent", "--token-file", tb]);
    assert_eq!(code, 1, "{err}");
    let (_, members, _) = tend(&a, &["sync", "members", "--token-file", ta]);
    let device_b = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["role"] == "agent")
        .and_then(|m| m["devices"][0]["device_id"].as_str())
        .expect("b's device")
        .to_string();
    let (code, revoked, err) = tend(&a, &["sync", "revoke", &device_b, "--token-file", ta]);
    assert_eq!((code, revoked["devices"].as_u64()), (0, Some(1)), "{err}");
    let (code, refused, err) = tend(&b, &["sync", "now", "--token-file", tb]);
    assert_eq!((code, refused["error"]["message_key"].as_str()), (1, Some("sync.revoked")), "{err}");
    assert!(err.to_lowercase().contains("revoked"), "said in words: {err}");
    drop((s, logs));
    drop(pg);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_device_acts_only_as_its_member() {
    let p = owner_and_agent("Người dùng").await;
    let (b, agent_staff, manager_staff) = (&p.b, &p.agent, &p.manager);
    let e = b.ws.set_current_staff(Some(manager_staff)).await.expect_err("another member");
    assert_eq!(common::fields(e), vec![("current_staff".to_string(), "sync.current_staff_fixed".to_string())]);
    b.ws.set_current_staff(Some(agent_staff)).await.expect("the member itself");
    // signed out, the device chooses freely again
    b.ws.sync_sign_out(&b.tokens, false).await.expect("sign out");
    b.ws.set_current_staff(Some(manager_staff)).await.expect("free again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_speaks_https_itself_when_given_a_certificate() {
    let pg = Pg::start();
    let db = pg.database();
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let s = Server::start_tls(&db, &cert, &key, dir.path().join("s.log")).await;
    assert!(s.url.starts_with("https://"));
    let http = reqwest::Client::builder().danger_accept_invalid_certs(true).build().expect("client");
    let r = http.get(format!("{}/healthz", s.url)).send().await.expect("https");
    assert_eq!((r.status().as_u16(), r.text().await.expect("body")), (200, "ok".to_string()));
    // plain HTTP to it is no answer
    let plain = s.url.replace("https://", "http://");
    let refused = reqwest::Client::new().get(format!("{plain}/healthz")).send().await;
    assert!(refused.is_err() || refused.is_ok_and(|r| !r.status().is_success()));
    // the app checks certificates: one no authority signed is refused, in words
    let mut ws = Workspace::open(dir.path().join("ws.tend")).await.expect("open");
    let e = ws
        .sync_join(
            &s.url,
            &format!("{}.{}", "0123456789abcdef", "x".repeat(27)),
            &TokenStore::File(dir.path().join("t")),
            &|_| {},
            None,
        )
        .await
        .expect_err("untrusted");
    assert!(matches!(e, tend::Error::Sync { key: "sync.unreachable", .. }), "{e:?}");
    drop(s);
    drop(pg);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_transaction_too_big_for_one_message_travels_in_parts_and_a_cut_download_goes_on() {
    let pg = Pg::start();
    let db = pg.database();
    let (_, invite) = create_workspace(&db, "Kho lớn");
    let logs = tempfile::tempdir().expect("logs");
    let s = Server::start(&db, 0.0, logs.path().join("s.log")).await;
    // the demo writes its customers in one transaction of some 26,000 records
    let a = device().await;
    a.ws.generate_demo(10_500, 3).await.expect("demo");
    let biggest: i64 = sqlx::query_scalar("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM changes GROUP BY tx)")
        .fetch_one(a.ws.pool())
        .await
        .expect("biggest");
    let parts = (biggest as usize).div_ceil(tend_sync::protocol::PART_RECORDS);
    assert!(parts >= 5, "more parts than one push carries: {biggest} records");
    let first: String =
        sqlx::query_scalar("SELECT id FROM staff ORDER BY id LIMIT 1").fetch_one(a.ws.pool()).await.expect("staff");
    a.ws.set_current_staff(Some(&first)).await.expect("me");
    a.ws.sync_share(&s.url, &invite, &a.tokens, &|_| {}).await.expect("share");
    let stored = pg.psql(&db, "SELECT COUNT(*) FROM txs WHERE part > 0");
    assert_eq!(stored, (parts - 1).to_string(), "each part stored once, across pushes");
    // the log's way down: no snapshot to start from
    pg.psql(&db, "DELETE FROM snapshots");

    // a download cut after its first page (a few parts) keeps them and goes on from there
    let code = a.ws.sync_invite(&a.tokens, Role::Manager, None, None).await.expect("invite").invite;
    let mut b = device().await;
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let cut =
        b.ws.sync_join(
            &s.url,
            &code,
            &b.tokens,
            &|p| {
                if p.phase == "download" {
                    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            },
            Some(&cancel),
        )
        .await;
    assert!(matches!(cut, Err(tend::Error::Cancelled)), "{cut:?}");
    let waiting: Vec<(i64, i64)> =
        sqlx::query_as("SELECT next, count FROM sync_parts").fetch_all(b.ws.pool()).await.expect("parts");
    assert!(matches!(waiting.as_slice(), [(next, count)] if *next > 0 && *next < *count), "{waiting:?}");
    let half: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(b.ws.pool()).await.expect("count");
    assert!(half > 0 && half < 10_500, "the first parts are applied: {half}");
    b.ws.sync_now(&b.tokens).await.expect("the rest");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sync_parts").fetch_one(b.ws.pool()).await.expect("parts");
    assert_eq!(left, 0);
    assert_eq!(shared_state(&a.ws).await, shared_state(&b.ws).await);
    drop((s, a, b, logs));
    drop(pg);
}

/// A device joining a shared workspace restores the newest snapshot (the owner's, made when it
/// shared) and pulls only what came after it; it ends equal to the owner, search included, acts
/// as itself, and a snapshot that does not match its checksum is left for the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_joining_device_starts_from_the_snapshot_and_pulls_only_what_came_after() {
    let pg = Pg::start();
    let db = pg.database();
    let (_, invite) = create_workspace(&db, "Tiệm Hoa Sen");
    let logs = tempfile::tempdir().expect("logs");
    let s = Server::start(&db, 0.0, logs.path().join("s.log")).await;
    let a = device().await;
    a.ws.generate_demo(3_000, 7).await.expect("demo");
    let first: String =
        sqlx::query_scalar("SELECT id FROM staff ORDER BY id LIMIT 1").fetch_one(a.ws.pool()).await.expect("staff");
    a.ws.set_current_staff(Some(&first)).await.expect("me");
    // a reminder this device showed: its own, it stays here
    sqlx::query("INSERT INTO care_notified (task_id, remind_at, notified_at) VALUES ('t1', 1, 2)")
        .execute(a.ws.pool())
        .await
        .expect("shown");
    let shared = a.ws.sync_share(&s.url, &invite, &a.tokens, &|_| {}).await.expect("share");
    let at = shared.snapshot.expect("sharing made a snapshot");
    let last: i64 = pg.psql(&db, "SELECT MAX(seq) FROM txs").parse().expect("seq");
    assert_eq!(at, last, "the sharer's cursor passed its own history");
    assert!(!a.ws.sync_snapshot_due(&a.tokens).await.expect("due"), "nothing came after it yet");

    // after the snapshot: an edit and a new customer
    let someone: String = sqlx::query_scalar("SELECT id FROM customers ORDER BY id LIMIT 1")
        .fetch_one(a.ws.pool())
        .await
        .expect("customer");
    set_notes(&a.ws, &someone, "Khách quen, giao hàng buổi sáng").await;
    a.ws.create_customer(&person("Nguyễn Thị Dũng", "0912000111")).await.expect("new");
    a.ws.sync_now(&a.tokens).await.expect("after the snapshot");

    let code = a.ws.sync_invite(&a.tokens, Role::Manager, None, None).await.expect("invite").invite;
    let mut b = device().await;
    let device_before = b.ws.device().to_string();
    let phases = std::sync::Mutex::new(Vec::<String>::new());
    let joined =
        b.ws.sync_join(&s.url, &code, &b.tokens, &|p| phases.lock().expect("phases").push(p.phase), None)
            .await
            .expect("join");
    assert_eq!(joined.snapshot, Some(at), "{joined:?}");
    assert_eq!(joined.pulled, 2, "only what came after the snapshot: {joined:?}");
    assert!(phases.lock().expect("phases").iter().any(|p| p == "snapshot_download"));
    assert_eq!(shared_state(&a.ws).await, shared_state(&b.ws).await);
    // what is derived came along: search, with diacritics folded, and the live counts
    let names = |r: Vec<tend::search::CustomerSummary>| r.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let found = names(b.ws.search("nguyen dung", 20).await.expect("search"));
    assert_eq!(found, names(a.ws.search("nguyen dung", 20).await.expect("search")));
    assert!(!found.is_empty());
    let counts = |ws: &Workspace| {
        let pool = ws.pool().clone();
        async move {
            sqlx::query_as::<_, (String, i64)>("SELECT dim || ':' || value, n FROM customer_counts ORDER BY dim, value")
                .fetch_all(&pool)
                .await
                .expect("counts")
        }
    };
    assert_eq!(counts(&a.ws).await, counts(&b.ws).await);
    // nothing of the owner's device came with it: b is itself, and what it writes goes up as its own
    let own: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'device_id'")
        .fetch_one(b.ws.pool())
        .await
        .expect("device");
    assert_eq!(own, b.ws.device());
    assert_eq!(b.ws.device(), device_before, "the device keeps its id through the file's swap");
    assert_ne!(b.ws.device(), a.ws.device());
    // the downloaded file took the workspace's place whole: a workspace as any, sound
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(b.ws.pool()).await.expect("mode");
    assert_eq!(mode, "wal");
    let checked = b.ws.check(true).await.expect("check");
    assert!(checked.ok, "{checked:?}");
    let shown: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM care_notified").fetch_one(b.ws.pool()).await.expect("shown");
    assert_eq!(shown, 0, "what the owner's device showed stays there");
    let made = b.ws.create_customer(&person("Võ Thanh Tâm", "0933444555")).await.expect("b writes").customer.id;
    b.ws.sync_now(&b.tokens).await.expect("b syncs");
    a.ws.sync_now(&a.tokens).await.expect("a syncs");
    a.ws.customer(&made).await.expect("a has b's customer");
    assert_eq!(shared_state(&a.ws).await, shared_state(&b.ws).await);

    // a manager's device makes the next one; an agent's makes none
    let made = b.ws.sync_snapshot(&b.tokens, &|_| {}).await.expect("b's snapshot");
    assert!(made.seq > at && made.chunks >= 1, "{made:?}");
    assert_eq!(pg.psql(&db, "SELECT COUNT(*) FROM snapshots"), "1", "the older one went");
    let agent_code = a.ws.sync_invite(&a.tokens, Role::Agent, None, None).await.expect("invite").invite;
    let mut c = device().await;
    let joined = c.ws.sync_join(&s.url, &agent_code, &c.tokens, &|_| {}, None).await.expect("c joins");
    assert_eq!((joined.snapshot, joined.pulled), (Some(made.seq), 0), "{joined:?}");
    let no = c.ws.sync_snapshot(&c.tokens, &|_| {}).await.expect_err("an agent's snapshot");
    assert!(matches!(no, tend::Error::Sync { key: "sync.forbidden", .. }), "{no:?}");

    // a snapshot damaged on the server: the next device joins through the log, nothing lost
    pg.psql(&db, "UPDATE snapshot_chunks SET body = set_byte(body, 200, get_byte(body, 200) # 255) WHERE n = 0");
    let code = a.ws.sync_invite(&a.tokens, Role::Manager, None, None).await.expect("invite").invite;
    let mut d = device().await;
    let joined = d.ws.sync_join(&s.url, &code, &d.tokens, &|_| {}, None).await.expect("d joins");
    assert_eq!(joined.snapshot, None, "{joined:?}");
    assert!(joined.pulled > 3, "the whole log: {joined:?}");
    assert_eq!(shared_state(&a.ws).await, shared_state(&d.ws).await);
    drop((s, a, b, c, d, logs));
    drop(pg);
}

/// The files a change names (a ticket message's attachments) travel with it: sent before the
/// change, fetched by the devices that apply it, and by a device joining from a snapshot; a file
/// its sender no longer had is asked for again later and stops nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_files_a_change_names_travel_with_it() {
    let p = owner_and_agent("Tiệm Ảnh Minh Khai").await;
    let dir = tempfile::tempdir().expect("dir");
    let png: Vec<u8> =
        [b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".as_slice(), &[9u8; 80]].concat();
    let photo = dir.path().join("máy in kẹt giấy.png");
    std::fs::write(&photo, &png).expect("photo");
    let ticket = |subject: &str, file: &std::path::Path| tend::tickets::NewTicket {
        subject: subject.into(),
        customer_id: Some(p.customers[0].clone()),
        message: Some("Ảnh chụp lỗi đây ạ".into()),
        attachments: vec![file.display().to_string()],
        ..Default::default()
    };
    let t = p.a.ws.create_ticket(&ticket("Máy in kẹt giấy", &photo)).await.expect("ticket");
    let hash = t.messages[0].attachments[0].hash.clone();
    p.a.ws.sync_now(&p.a.tokens).await.expect("a pushes");
    assert_eq!(p.pg.psql(&p.db, "SELECT COUNT(*) FROM files"), "1");
    p.b.ws.sync_now(&p.b.tokens).await.expect("b pulls");
    let on = |ws: &Workspace, h: &str| tend::files::path_of(&tend::files::folder(ws.path()), h).expect("path");
    assert_eq!(std::fs::read(on(&p.b.ws, &hash)).expect("on b"), png);

    // the agent answers with a price list: it reaches the owner
    let csv = dir.path().join("bảng giá.csv");
    std::fs::write(&csv, "Mã,Giá\nKG-01,150.000\n").expect("csv");
    let reply = tend::tickets::Reply {
        body: "Dạ, em gửi bảng giá sửa".into(),
        attachments: vec![csv.display().to_string()],
        ..Default::default()
    };
    let d = p.b.ws.add_ticket_message(&t.ticket.id, tend::tickets::MessageKind::Reply, &reply).await.expect("reply");
    let price = d.messages.last().expect("reply").attachments[0].hash.clone();
    p.b.ws.sync_now(&p.b.tokens).await.expect("b pushes");
    p.a.ws.sync_now(&p.a.tokens).await.expect("a pulls");
    assert_eq!(std::fs::read_to_string(on(&p.a.ws, &price)).expect("on a"), "Mã,Giá\nKG-01,150.000\n");

    // a file its sender lost before sending: the change goes, the file is asked for again later
    let other = dir.path().join("ảnh 2.png");
    std::fs::write(&other, [png.as_slice(), b"2"].concat()).expect("other");
    let t2 = p.a.ws.create_ticket(&ticket("Máy in báo lỗi đèn đỏ", &other)).await.expect("ticket 2");
    let lost = t2.messages[0].attachments[0].hash.clone();
    std::fs::remove_file(on(&p.a.ws, &lost)).expect("lost");
    p.a.ws.sync_now(&p.a.tokens).await.expect("a pushes without it");
    p.b.ws.sync_now(&p.b.tokens).await.expect("b pulls, the file missing");
    p.b.ws.ticket(&t2.ticket.id).await.expect("the ticket came");
    let waiting: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'sync.files_missing'")
        .fetch_one(p.b.ws.pool())
        .await
        .expect("missing");
    assert!(waiting.contains(&lost), "{waiting}");
    // the same picture sent again with another message: the first one's copy comes with it
    let again = dir.path().join("ảnh 2 (gửi lại).png");
    std::fs::write(&again, [png.as_slice(), b"2"].concat()).expect("again");
    let t3 = p.a.ws.create_ticket(&ticket("Máy in vẫn báo lỗi", &again)).await.expect("ticket 3");
    assert_eq!(t3.messages[0].attachments[0].hash, lost);
    p.a.ws.sync_now(&p.a.tokens).await.expect("a sends it now");
    p.b.ws.sync_now(&p.b.tokens).await.expect("asked again");
    assert!(on(&p.b.ws, &lost).is_file(), "the file missing before came");
    let left: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'sync.files_missing'")
        .fetch_optional(p.b.ws.pool())
        .await
        .expect("missing");
    assert_eq!(left, None);

    // a device joining from a snapshot fetches the files its rows name
    p.a.ws.sync_snapshot(&p.a.tokens, &|_| {}).await.expect("snapshot");
    let code = p.a.ws.sync_invite(&p.a.tokens, Role::Manager, None, None).await.expect("invite").invite;
    let mut c = device().await;
    let joined = c.ws.sync_join(&p._s.url, &code, &c.tokens, &|_| {}, None).await.expect("c joins");
    assert!(joined.snapshot.is_some(), "{joined:?}");
    assert_eq!(std::fs::read(on(&c.ws, &hash)).expect("on c"), png);
    assert!(on(&c.ws, &price).is_file() && on(&c.ws, &lost).is_file());
    drop(c);
}
