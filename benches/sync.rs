//! Sync through real tend-server processes on a throwaway PostgreSQL cluster (the tests' own
//! helpers, `tests/server/mod.rs`), each figure beside a baseline measured in the same run:
//!
//! 1. one change pushed (`sync_now` of a device with one new transaction): the round trip, p50
//!    and p95, beside a bare HTTP round trip to the same server (`/healthz`); the difference is
//!    the server's and the client's work for a push;
//! 2. a change made on one connected device visible on another (its apply done), p50/p95, the
//!    second device waiting in the long poll as the app does;
//! 3. a demo workspace shared (its log uploaded, then a snapshot) and joined through the CLI:
//!    from the snapshot (rows and records per second, beside the file copied on this disk and
//!    the snapshot's chunks only fetched) and, up to 100k customers (or with
//!    TEND_BENCH_SYNC_LOG_JOIN), through the log beside its pages only fetched;
//! 4. 200 clients pushing and pulling at once through two server instances: p50/p95/p99 and
//!    errors, beside the same clients asking `/healthz`.
//!
//! `cargo build --release -p tend-server && cargo bench --bench sync`; TEND_BENCH_SYNC_CUSTOMERS
//! sets the demo's size (20000).

#[path = "../tests/server/mod.rs"]
mod server;

use server::{create_workspace, Pg, Server};
use std::time::{Duration, Instant};
use tend::staff::{Role, StaffInput};
use tend::sync::TokenStore;
use tend::Workspace;
use tend_sync::protocol::{FieldValue, RecordOp, RemoteRecord, RemoteTx};
use tend_sync::wire::*;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Device {
    _dir: tempfile::TempDir,
    ws: Workspace,
    tokens: TokenStore,
}

async fn device() -> Device {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(dir.path().join("ws.tend")).await.unwrap();
    let tokens = TokenStore::File(dir.path().join("token"));
    Device { _dir: dir, ws, tokens }
}

async fn set_notes(ws: &Workspace, id: &str, notes: &str) {
    let c = ws.customer(id).await.unwrap();
    let base = c.to_input();
    let mut input = base.clone();
    input.notes = Some(notes.into());
    ws.update_customer(id, &base, &input).await.unwrap();
}

fn main() {
    let customers: u64 = std::env::var("TEND_BENCH_SYNC_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    rt.block_on(async move {
        let pg = Pg::start();
        let db = pg.database();
        let logs = tempfile::tempdir().unwrap();
        let s1 = Server::start(&db, 0.0, logs.path().join("s1.log")).await;
        let s2 = Server::start(&db, 0.0, logs.path().join("s2.log")).await;
        let http = reqwest::Client::new();

        // TEND_BENCH_SYNC_ONLY=live|download|load runs one part
        let only = std::env::var("TEND_BENCH_SYNC_ONLY").unwrap_or_default();
        let part = |p: &str| only.is_empty() || only == p;
        // --- 1 and 2: one change, pushed; seen on another device
        if part("live") {
        let (_, invite) = create_workspace(&db, "Bench");
        let a = device().await;
        let me = a.ws.add_staff(&StaffInput { name: "Chủ".into(), email: None, role: Role::Owner }).await.unwrap();
        a.ws.set_current_staff(Some(&me.id)).await.unwrap();
        let c = a.ws.create_customer(&tend::customers::CustomerInput { name: "Khách đo".into(), ..Default::default() }).await.unwrap();
        let id = c.customer.id;
        a.ws.sync_share(&s1.url, &invite, &a.tokens, &|_| {}).await.unwrap();
        let code = a.ws.sync_invite(&a.tokens, Role::Manager, None, None).await.unwrap().invite;
        let mut b = device().await;
        b.ws.sync_join(&s2.url, &code, &b.tokens, &|_| {}, None).await.unwrap();

        let (mut push, mut bare) = (Vec::new(), Vec::new());
        for i in 0..100 {
            set_notes(&a.ws, &id, &format!("lần {i}")).await;
            let t = Instant::now();
            a.ws.sync_now(&a.tokens).await.unwrap();
            push.push(ms(t.elapsed()));
            let t = Instant::now();
            http.get(format!("{}/healthz", s1.url)).send().await.unwrap().text().await.unwrap();
            bare.push(ms(t.elapsed()));
        }
        println!("## One change pushed (sync_now: the device's log read, the push, the server's numbering and storing, the pull that follows)");
        println!("| | p50 ms | p95 ms |");
        println!("|---|---|---|");
        println!("| sync_now with one new change | {:.2} | {:.2} |", pct(&mut push, 0.5), pct(&mut push, 0.95));
        println!("| baseline: GET /healthz on the same server | {:.2} | {:.2} |", pct(&mut bare, 0.5), pct(&mut bare, 0.95));

        let mut seen = Vec::new();
        for i in 0..50 {
            let text = format!("sống {i}");
            let waiter = {
                let (ws, tokens, text, id) = (&b.ws, &b.tokens, text.clone(), id.clone());
                async move {
                    loop {
                        ws.sync_wait(tokens, Duration::from_secs(10)).await.unwrap();
                        ws.sync_now(tokens).await.unwrap();
                        if ws.customer(&id).await.unwrap().notes.as_deref() == Some(text.as_str()) {
                            return Instant::now();
                        }
                    }
                }
            };
            let writer = async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let t = Instant::now();
                set_notes(&a.ws, &id, &text).await;
                a.ws.sync_now(&a.tokens).await.unwrap();
                t
            };
            let (arrived, written) = tokio::join!(waiter, writer);
            seen.push(ms(arrived - written));
        }
        println!();
        println!("## A change on one connected device visible on another (written, pushed through instance 1, long poll answered by instance 2, pulled and applied)");
        println!("| | p50 ms | p95 ms | max ms |");
        println!("|---|---|---|---|");
        let max = seen.iter().cloned().fold(0.0, f64::max);
        println!("| end to end | {:.1} | {:.1} | {:.1} |", pct(&mut seen, 0.5), pct(&mut seen, 0.95), max);

        }
        // --- 3: first upload and download of a demo workspace
        if part("download") {
        let (_, invite) = create_workspace(&db, "Bench demo");
        let big = device().await;
        let t = Instant::now();
        big.ws.generate_demo(customers, 42).await.unwrap();
        let generated = t.elapsed();
        let txs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM txs").fetch_one(big.ws.pool()).await.unwrap();
        let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM changes").fetch_one(big.ws.pool()).await.unwrap();
        let first: String = sqlx::query_scalar("SELECT id FROM staff ORDER BY id LIMIT 1").fetch_one(big.ws.pool()).await.unwrap();
        big.ws.set_current_staff(Some(&first)).await.unwrap();
        let t = Instant::now();
        let shared = big.ws.sync_share(&s1.url, &invite, &big.tokens, &|_| {}).await.unwrap();
        let up = t.elapsed();
        assert!(shared.snapshot.is_some(), "sharing made a snapshot");
        // a second snapshot, timed alone: copied, compressed and uploaded
        let t = Instant::now();
        let made = big.ws.sync_snapshot(&big.tokens, &|_| {}).await.unwrap();
        let snap_up = t.elapsed();
        // the floor for restoring one: the workspace file copied
        let floor_dir = tempfile::tempdir().unwrap();
        let t = Instant::now();
        std::fs::copy(big.ws.path(), floor_dir.path().join("copy.tend")).unwrap();
        let file_copy = t.elapsed();
        drop(floor_dir);

        // a join in its own process (the CLI), so its peak memory is its own
        let join = |code: String| {
            let url = s2.url.clone();
            async move {
                let dir = tempfile::tempdir().unwrap();
                let t = Instant::now();
                let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tend"))
                    .arg("--db")
                    .arg(dir.path().join("joined.tend"))
                    .args(["sync", "join", &url, "--invite", &code, "--token-file"])
                    .arg(dir.path().join("token"))
                    .arg("--json")
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap();
                let mut peak = 0.0f64;
                while child.try_wait().unwrap().is_none() {
                    peak = peak.max(server::peak_rss_mib(child.id()).unwrap_or(0.0));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                let took = t.elapsed();
                let out = child.wait_with_output().unwrap();
                let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                // the rows of every shared table the device now holds
                let conn = rusqlite::Connection::open(dir.path().join("joined.tend")).unwrap();
                let rows: i64 = tend_sync::TABLES
                    .iter()
                    .map(|t| conn.query_row(&format!("SELECT COUNT(*) FROM {}", t.name), [], |r| r.get::<_, i64>(0)).unwrap())
                    .sum();
                (took, peak, r, rows)
            }
        };
        let code = big.ws.sync_invite(&big.tokens, Role::Manager, None, None).await.unwrap().invite;
        let (down, join_peak, r, rows) = join(code).await;
        assert_eq!(r["snapshot"].as_i64(), Some(made.seq), "the join started from the snapshot: {r}");

        // the snapshot's baseline: its chunks only fetched, nothing written
        let fetcher = device().await;
        let code = big.ws.sync_invite(&big.tokens, Role::Manager, None, None).await.unwrap().invite;
        let req = JoinRequest {
            invite: code,
            device_id: fetcher.ws.device().to_string(),
            device_name: "bench".into(),
            staff_id: None,
            history_until: None,
            share: false,
        };
        let joined: JoinAnswer =
            http.post(format!("{}/v1/join", s2.url)).json(&req).send().await.unwrap().json().await.unwrap();
        let t = Instant::now();
        let info: SnapshotAnswer =
            http.get(format!("{}/v1/snapshot", s2.url)).bearer_auth(&joined.token).send().await.unwrap().json().await.unwrap();
        let info = info.snapshot.unwrap();
        let mut got = 0usize;
        for n in 0..info.chunks {
            let body = http
                .get(format!("{}/v1/snapshots/{}/{n}", s2.url, info.id))
                .bearer_auth(&joined.token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            got += body.len();
        }
        assert_eq!(got as i64, info.bytes);
        let chunks_only = t.elapsed();

        // the log's way, for comparison: no snapshot (at 100k customers and below, or when asked)
        let log_join = customers <= 100_000 || std::env::var("TEND_BENCH_SYNC_LOG_JOIN").is_ok();
        let mut log_rows = Vec::new();
        if log_join {
            pg.psql(&db, "DELETE FROM snapshots; DELETE FROM snapshot_chunks");
            let code = big.ws.sync_invite(&big.tokens, Role::Manager, None, None).await.unwrap().invite;
            let (took, peak, r, _) = join(code).await;
            assert_eq!(r["pulled"].as_i64(), Some(txs), "every transaction came down: {r}");
            // its baseline: the same pages fetched and parsed, nothing applied
            let t = Instant::now();
            let mut cursor = Cursor::default();
            let mut fetched = 0usize;
            loop {
                let mut q = vec![("after", cursor.seq.to_string()), ("epoch", cursor.epoch.clone()), ("limit", "2000".into())];
                if let Some(h) = &cursor.hlc {
                    q.push(("hlc", h.clone()));
                }
                let page: PullAnswer = http
                    .get(format!("{}/v1/pull", s2.url))
                    .bearer_auth(&joined.token)
                    .query(&q)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                fetched += page.transactions.iter().map(|t| t.records.len()).sum::<usize>();
                cursor = page.cursor;
                if !page.more {
                    break;
                }
            }
            log_rows.push(("join through the log: downloaded and applied (the CLI's peak {peak:.0} MiB)".replace("{peak:.0}", &format!("{peak:.0}")), took, records as usize));
            log_rows.push(("baseline: the log's pages fetched and parsed, nothing applied".to_string(), t.elapsed(), fetched));
        }
        let mb = |b: i64| b as f64 / 1e6;
        println!();
        println!("## First upload and download of a {customers}-customer demo ({txs} transactions, {records} records, {rows} rows in the shared tables; generated in {:.1} s)", generated.as_secs_f64());
        println!("The snapshot: a {:.0} MB file sent as {:.0} MB in {} chunks.", mb(made.size), mb(made.bytes), made.chunks);
        println!();
        println!("| | s | rows/s | records/s |");
        println!("|---|---|---|---|");
        let line = |what: &str, d: Duration, n_rows: Option<i64>, recs: usize| {
            let secs = d.as_secs_f64();
            let per = |n: f64| format!("{:.0}", n / secs);
            println!("| {what} | {secs:.1} | {} | {} |", n_rows.map(|r| per(r as f64)).unwrap_or_else(|| "".into()), per(recs as f64));
        };
        line("share: the whole log uploaded, then a snapshot", up, None, records as usize);
        line("a snapshot alone: copied, compressed, uploaded", snap_up, Some(rows), records as usize);
        line("join from the snapshot: downloaded, restored, the log after it pulled", down, Some(rows), records as usize);
        line("baseline: the workspace file copied on this disk", file_copy, Some(rows), records as usize);
        line("baseline: the snapshot's chunks only fetched", chunks_only, Some(rows), records as usize);
        for (what, d, n) in &log_rows {
            line(what, *d, None, *n);
        }
        println!();
        println!("Peak memory (VmHWM): the process joining from the snapshot (the CLI) {join_peak:.0} MiB; server instance 1 (took the uploads) {:.0} MiB, instance 2 (served the downloads) {:.0} MiB.", s1.peak_rss_mib().unwrap_or(f64::NAN), s2.peak_rss_mib().unwrap_or(f64::NAN));
        }
        // --- 4: 200 clients at once, two instances
        if part("load") {
        let (_, invite) = create_workspace(&db, "Bench load");
        let owner_req = JoinRequest {
            invite,
            device_id: "load-owner".into(),
            device_name: "bench".into(),
            staff_id: Some("s-owner".into()),
            history_until: None,
            share: true,
        };
        let owner: JoinAnswer =
            http.post(format!("{}/v1/join", s1.url)).json(&owner_req).send().await.unwrap().json().await.unwrap();
        const CLIENTS: usize = 200;
        let mut tokens = Vec::new();
        for i in 0..CLIENTS {
            let inv: InviteAnswer = http
                .post(format!("{}/v1/invites", s1.url))
                .bearer_auth(&owner.token)
                .json(&serde_json::json!({"role": "agent", "staff_id": format!("s{i}"), "email": null, "hours": null}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let req = JoinRequest {
                invite: inv.invite,
                device_id: format!("load{i}"),
                device_name: "bench".into(),
                staff_id: None,
                history_until: None,
                share: false,
            };
            let j: JoinAnswer =
                http.post(format!("{}/v1/join", s1.url)).json(&req).send().await.unwrap().json().await.unwrap();
            tokens.push(j.token);
        }
        let urls = [s1.url.clone(), s2.url.clone()];

        // 4a: as the app syncs: a change every 1 to 3 s per client (some 100 a second over the
        // workspace), pushed and pulled at once; between changes a long poll, and after it the
        // pull of what came (at most four rounds a second, as the app's loop does)
        let app = load(&http, &tokens, &urls, 20, Mode::App).await;
        println!();
        println!("## {CLIENTS} clients syncing as the app does, through two instances for 20 s (a change every 1-3 s each, pushed and pulled; between changes a long poll, then the pull of what came, at most 4 rounds/s)");
        println!("| | rounds | rounds/s | p50 ms | p95 ms | p99 ms | errors |");
        println!("|---|---|---|---|---|---|---|");
        app.row("sync rounds (push and pull, or pull after a long poll)");
        // 4b: saturation, the same clients with no pause at all
        let busy = load(&http, &tokens, &urls, 10, Mode::Saturation).await;
        let bare = load(&http, &tokens, &urls, 10, Mode::Healthz).await;
        println!();
        println!("## Saturation: the same {CLIENTS} clients with no pause for 10 s (each: push one change, then pull after its cursor, again at once)");
        println!("| | rounds | rounds/s | p50 ms | p95 ms | p99 ms | errors |");
        println!("|---|---|---|---|---|---|---|");
        busy.row("push + pull");
        bare.row("baseline: the same clients asking /healthz");
        }
        drop((s1, s2, logs));
        drop(pg);
    });
}

/// A deterministic spread of client timings (no rand dependency in the bench).
fn rand_ms(i: usize, k: u64, span: u64) -> u64 {
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ k.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 31;
    x.wrapping_mul(0x94D0_49BB_1331_11EB) % span.max(1)
}

/// One of the load's clients, speaking the protocol as the app does.
struct LoadClient {
    http: reqwest::Client,
    url: String,
    token: String,
    device: String,
    actor: String,
    clock: tend_sync::Hlc,
    cursor: Cursor,
    lat: Vec<f64>,
    errors: std::collections::BTreeMap<String, u32>,
}

impl LoadClient {
    fn new(http: reqwest::Client, url: String, token: String, i: usize) -> LoadClient {
        LoadClient {
            http,
            url,
            token,
            device: format!("load{i}"),
            actor: format!("s{i}"),
            clock: tend_sync::Hlc::default(),
            cursor: Cursor::default(),
            lat: Vec::new(),
            errors: Default::default(),
        }
    }

    async fn healthz(&mut self) {
        match self.http.get(format!("{}/healthz", self.url)).send().await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => self.error(format!("healthz {}", r.status().as_u16())),
            Err(e) => self.error(format!("healthz: {e}")),
        }
    }

    fn error(&mut self, what: String) {
        *self.errors.entry(what).or_default() += 1;
    }

    async fn push(&mut self) -> bool {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        let tx = RemoteTx {
            part: None,
            hlc: self.clock.tick(now, &self.device),
            at_ms: now,
            actor: Some(self.actor.clone()),
            device: self.device.clone(),
            records: vec![RemoteRecord {
                table: "customers".into(),
                row_id: format!("c-{}", self.device),
                op: RecordOp::Set { column: "notes".into(), value: FieldValue::Text(format!("at {now}")) },
            }],
        };
        let r = self
            .http
            .post(format!("{}/v1/push", self.url))
            .bearer_auth(&self.token)
            .json(&PushRequest { schema: tend::Workspace::schema_version(), transactions: vec![tx] })
            .send()
            .await;
        match r {
            Ok(r) if r.status().is_success() => true,
            Ok(r) => {
                self.error(format!("push {}", r.status().as_u16()));
                false
            }
            Err(e) => {
                self.error(format!("push: {e}"));
                false
            }
        }
    }

    async fn page(&mut self, limit: u32, wait: u64) -> Option<PullAnswer> {
        let mut q = vec![
            ("after", self.cursor.seq.to_string()),
            ("epoch", self.cursor.epoch.clone()),
            ("limit", limit.to_string()),
            ("wait", wait.to_string()),
        ];
        if let Some(h) = &self.cursor.hlc {
            q.push(("hlc", h.clone()));
        }
        let r = self.http.get(format!("{}/v1/pull", self.url)).bearer_auth(&self.token).query(&q).send().await;
        match r {
            Ok(r) if r.status().is_success() => match r.json::<PullAnswer>().await {
                Ok(p) => Some(p),
                Err(e) => {
                    self.error(format!("pull body: {e}"));
                    None
                }
            },
            Ok(r) => {
                self.error(format!("pull {}", r.status().as_u16()));
                None
            }
            Err(e) => {
                self.error(format!("pull: {e}"));
                None
            }
        }
    }

    /// Pulls every page after the cursor.
    async fn pull_all(&mut self) -> bool {
        loop {
            let Some(p) = self.page(2000, 0).await else { return false };
            self.cursor = p.cursor;
            if !p.more {
                return true;
            }
        }
    }

    /// The long poll: true when something waits after the cursor.
    async fn wait(&mut self, secs: u64) -> bool {
        self.page(1, secs).await.is_some_and(|p| !p.transactions.is_empty())
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// As the app syncs: a change every 1 to 3 s, long polls between.
    App,
    /// Push and pull again at once, with no pause.
    Saturation,
    /// The same clients asking `/healthz` with no pause: the HTTP floor.
    Healthz,
}

/// What a load run measured: every round's time and the errors by kind.
struct Load {
    lat: Vec<f64>,
    errors: std::collections::BTreeMap<String, u32>,
    secs: f64,
}

impl Load {
    fn row(mut self, what: &str) {
        let n = self.lat.len();
        println!(
            "| {what} | {n} | {:.0} | {:.1} | {:.1} | {:.1} | {} |",
            n as f64 / self.secs,
            pct(&mut self.lat, 0.5),
            pct(&mut self.lat, 0.95),
            pct(&mut self.lat, 0.99),
            if self.errors.is_empty() { "0".to_string() } else { format!("{:?}", self.errors) }
        );
    }
}

/// One client per token, half on each server, for `secs`.
async fn load(http: &reqwest::Client, tokens: &[String], urls: &[String; 2], secs: u64, mode: Mode) -> Load {
    let started = Instant::now();
    let until = started + Duration::from_secs(secs);
    let tasks: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let mut c = LoadClient::new(http.clone(), urls[i % 2].clone(), token.clone(), i);
            tokio::spawn(async move {
                let mut next_change = Instant::now() + Duration::from_millis(rand_ms(i, 0, 2000));
                let mut last_round = Instant::now();
                let mut k = 0;
                while Instant::now() < until {
                    let t = Instant::now();
                    match mode {
                        Mode::Healthz => c.healthz().await,
                        Mode::Saturation => {
                            if c.push().await {
                                c.pull_all().await;
                            }
                        }
                        Mode::App if t >= next_change => {
                            if c.push().await {
                                c.pull_all().await;
                            }
                            k += 1;
                            next_change = Instant::now() + Duration::from_millis(rand_ms(i, k, 2000) + 1000);
                        }
                        Mode::App => {
                            let left = next_change.saturating_duration_since(t);
                            if !c.wait(left.as_secs().clamp(1, 25)).await {
                                continue;
                            }
                            tokio::time::sleep_until((last_round + Duration::from_millis(250)).into()).await;
                            let t = Instant::now();
                            c.pull_all().await;
                            c.lat.push(ms(t.elapsed()));
                            last_round = t;
                            continue;
                        }
                    }
                    c.lat.push(ms(t.elapsed()));
                    last_round = t;
                }
                (c.lat, c.errors)
            })
        })
        .collect();
    let (mut lat, mut errors) = (Vec::new(), std::collections::BTreeMap::<String, u32>::new());
    for t in tasks {
        let (l, e) = t.await.unwrap();
        lat.extend(l);
        for (k, n) in e {
            *errors.entry(k).or_default() += n;
        }
    }
    Load { lat, errors, secs: started.elapsed().as_secs_f64() }
}
