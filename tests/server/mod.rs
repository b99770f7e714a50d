//! A real PostgreSQL and real tend-server processes for the sync tests. The database cluster is
//! the one `TEND_TEST_PG` names (an admin URL; scripts/test starts one), else a throwaway cluster
//! this test starts (initdb, as the `postgres` user when run as root) and stops when dropped.
//! Each test gets a database of its own.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Pg {
    /// A cluster this test started: its folder (stopped on drop).
    own: Option<tempfile::TempDir>,
    /// Admin URL of the `postgres` database.
    pub admin: String,
    pub host: String,
    pub port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

fn pg_bin(name: &str) -> PathBuf {
    for v in ["17", "16", "15"] {
        let p = PathBuf::from(format!("/usr/lib/postgresql/{v}/bin/{name}"));
        if p.exists() {
            return p;
        }
    }
    PathBuf::from(name)
}

/// Runs a PostgreSQL program, as the `postgres` user when this is root (initdb refuses root).
fn run_pg(program: &Path, args: &[&str]) {
    let out = if is_root() {
        let line = std::iter::once(program.display().to_string())
            .chain(args.iter().map(|a| format!("'{}'", a.replace('\'', "'\\''"))))
            .collect::<Vec<_>>()
            .join(" ");
        Command::new("su").args(["postgres", "-s", "/bin/sh", "-c", &line]).output()
    } else {
        Command::new(program).args(args).output()
    }
    .expect("run a PostgreSQL program");
    assert!(
        out.status.success(),
        "{} failed: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Pg {
    pub fn start() -> Pg {
        // the tests' own HTTP clients use rustls on ring, as the app does
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        if let Ok(admin) = std::env::var("TEND_TEST_PG") {
            let url = reqwest::Url::parse(&admin).expect("TEND_TEST_PG is a URL");
            return Pg {
                own: None,
                host: url.host_str().unwrap_or("127.0.0.1").into(),
                port: url.port().unwrap_or(5432),
                admin,
            };
        }
        let dir = tempfile::Builder::new().prefix("tend-pg").tempdir_in("/tmp").expect("tempdir");
        let data = dir.path().join("data");
        if is_root() {
            Command::new("chown").args(["-R", "postgres", &dir.path().display().to_string()]).status().expect("chown");
        }
        run_pg(
            &pg_bin("initdb"),
            &["-D", &data.display().to_string(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
        );
        let port = free_port();
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c default_transaction_isolation=serializable -c max_connections=300",
            dir.path().display()
        );
        run_pg(
            &pg_bin("pg_ctl"),
            &[
                "-D",
                &data.display().to_string(),
                "-o",
                &opts,
                "-l",
                &dir.path().join("log").display().to_string(),
                "-w",
                "start",
            ],
        );
        Pg {
            own: Some(dir),
            admin: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            host: "127.0.0.1".into(),
            port,
        }
    }

    /// A new empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!("tend_{}", uuid::Uuid::now_v7().simple());
        self.psql(&self.admin, &format!("CREATE DATABASE {name}"));
        format!("postgres://postgres@{}:{}/{name}", self.host, self.port)
    }

    /// Runs SQL with psql; its output.
    pub fn psql(&self, url: &str, sql: &str) -> String {
        let out = Command::new("psql").args([url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql]).output().expect("psql");
        assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Some(dir) = &self.own {
            let data = dir.path().join("data").display().to_string();
            run_pg(&pg_bin("pg_ctl"), &["-D", &data, "-m", "immediate", "-w", "stop"]);
        }
    }
}

/// The tend-server binary: `TEND_SERVER_BIN`, else the one beside this test's (cargo builds it
/// for the server crate's tests; a bench needs `cargo build --release -p tend-server`).
pub fn server_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("TEND_SERVER_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join(format!("tend-server{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} is missing: cargo build -p tend-server (--release for a bench)", bin.display());
    bin
}

/// `tend-server workspace create --json`: the workspace id and the owner's invite.
pub fn create_workspace(db: &str, name: &str) -> (String, String) {
    let out = Command::new(server_bin())
        .args(["workspace", "create", "--name", name, "--owner-email", "chu@example.vn", "--json"])
        .env("TEND_SERVER_DATABASE_URL", db)
        .output()
        .expect("tend-server workspace create");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    (v["workspace_id"].as_str().expect("id").into(), v["invite"].as_str().expect("invite").into())
}

pub struct Server {
    child: Child,
    pub url: String,
    pub log: PathBuf,
}

/// The peak resident memory of a running process (VmHWM), in MiB.
#[allow(dead_code)]
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

impl Server {
    /// The server process's peak resident memory so far, in MiB.
    #[allow(dead_code)]
    pub fn peak_rss_mib(&self) -> Option<f64> {
        peak_rss_mib(self.child.id())
    }

    /// A tend-server instance on a free loopback port; `faults` is the share of storing
    /// transactions that fail with an injected serialization failure or deadlock.
    pub async fn start(db: &str, faults: f64, log: PathBuf) -> Server {
        Server::start_with(db, faults, 0, log).await
    }

    /// Also pausing up to `delay_ms` between numbering a push's transactions and committing them.
    pub async fn start_with(db: &str, faults: f64, delay_ms: u64, log: PathBuf) -> Server {
        Server::spawn(db, faults, delay_ms, None, "read committed", log).await
    }

    /// Writing in the database's own isolation (`TEND_SERVER_ISOLATION=default`), as on an
    /// engine that runs only SERIALIZABLE.
    pub async fn start_engine_default(db: &str, faults: f64, delay_ms: u64, log: PathBuf) -> Server {
        Server::spawn(db, faults, delay_ms, None, "default", log).await
    }

    /// Serving HTTPS itself with this certificate chain and key (PEM files).
    pub async fn start_tls(db: &str, cert: &Path, key: &Path, log: PathBuf) -> Server {
        Server::spawn(db, 0.0, 0, Some((cert, key)), "read committed", log).await
    }

    async fn spawn(
        db: &str,
        faults: f64,
        delay_ms: u64,
        tls: Option<(&Path, &Path)>,
        isolation: &str,
        log: PathBuf,
    ) -> Server {
        let port = free_port();
        let file = std::fs::File::create(&log).expect("log file");
        let mut cmd = Command::new(server_bin());
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
        if let Some((cert, key)) = tls {
            cmd.arg("--tls-cert").arg(cert).arg("--tls-key").arg(key);
        }
        let child = cmd
            .env("TEND_SERVER_DATABASE_URL", db)
            .env("TEND_SERVER_FAULTS", faults.to_string())
            .env("TEND_SERVER_DELAY_MS", delay_ms.to_string())
            .env("TEND_SERVER_ISOLATION", isolation)
            .env("TEND_SERVER_LOG", "debug,sqlx=warn,hyper=info,h2=info,tower=info")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start tend-server");
        let url = format!("{}://127.0.0.1:{port}", if tls.is_some() { "https" } else { "http" });
        // a test's own certificate: no authority vouches for it
        let probe = reqwest::Client::builder().danger_accept_invalid_certs(true).build().expect("client");
        let started = Instant::now();
        loop {
            if let Ok(r) = probe.get(format!("{url}/readyz")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "tend-server did not start: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Server { child, url, log }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every tracked table's rows as text, in key order: what two devices must agree on.
pub async fn shared_state(ws: &tend::Workspace) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for t in tend_sync::TABLES {
        let cols: Vec<&str> = t.keys.iter().chain(t.columns.iter()).copied().collect();
        let sql = format!("SELECT json_array({}) FROM {} ORDER BY {}", cols.join(", "), t.name, t.keys.join(", "));
        let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(ws.pool()).await.expect(t.name);
        out.push((t.name.to_string(), rows));
    }
    out
}
