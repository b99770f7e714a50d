//! Many writers on one file: processes writing at once never collide on the clock, a write made
//! during a long import waits for it instead of failing, and a panic in a long write's task
//! leaves the clock where it was.
mod common;
use common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tend::writers::{LongWrite, WaitNotice};
use tend::Workspace;

const TEND: &str = env!("CARGO_BIN_EXE_tend");

fn tend(db: &std::path::Path) -> Command {
    let mut c = Command::new(TEND);
    c.arg("--db").arg(db);
    c
}

/// One writer process: 500 customers named "<tag> <i>", each its own write, into the workspace
/// TEND_WRITER_DB names (a file the test below shares between two such processes), or into a
/// file of its own when run alone. Either way all 500 must be there.
#[tokio::test]
async fn a_writer_process_writes_500_customers() {
    let own = tempfile::tempdir().unwrap();
    let db = std::env::var_os("TEND_WRITER_DB").map(std::path::PathBuf::from).unwrap_or(own.path().join("one.tend"));
    let tag = std::env::var("TEND_WRITER_TAG").unwrap_or_else(|_| "Solo".into());
    let ws = Workspace::open(&db).await.unwrap();
    for i in 0..500 {
        if let Err(e) = ws.create_customer(&person(&format!("{tag} {i}"), "")).await {
            panic!("write {i} of {tag} failed: {e}");
        }
    }
    let mine: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE name LIKE ? || ' %'")
        .bind(&tag)
        .fetch_one(ws.pool())
        .await
        .unwrap();
    assert_eq!(mine, 500);
}

#[test]
fn two_processes_writing_500_customers_each_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cc.tend");
    assert!(tend(&db).args(["import", "list"]).status().unwrap().success());
    // this test binary, running the writer above, twice at once on one file
    let writer = |tag: &str| {
        Command::new(std::env::current_exe().unwrap())
            .args(["a_writer_process_writes_500_customers", "--exact", "--nocapture"])
            .env("TEND_WRITER_DB", &db)
            .env("TEND_WRITER_TAG", tag)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (writer("A"), writer("B"));
    for out in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let c = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = c.query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1000);
    let (txs, distinct): (i64, i64) =
        c.query_row("SELECT COUNT(*), COUNT(DISTINCT hlc) FROM txs", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((txs, distinct), (1000, 1000), "one clock value per write");
}

#[test]
fn two_cli_scripts_adding_customers_at_once_lose_nothing() {
    // the issue's own repro, smaller: two shell loops of `tend customer add`
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.tend");
    assert!(tend(&db).args(["import", "list"]).status().unwrap().success());
    let run = |tag: &str| {
        let mut lines = String::new();
        for i in 0..40 {
            lines.push_str(&format!(
                "'{TEND}' --db '{}' customer add --name '{tag} {i}' >/dev/null || echo FAILED {tag} {i}\n",
                db.display()
            ));
        }
        let mut child = Command::new("sh").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(lines.as_bytes()).unwrap();
        child
    };
    let (a, b) = (run("A"), run("B"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let failed = format!("{}{}", String::from_utf8_lossy(&a.stdout), String::from_utf8_lossy(&b.stdout));
    assert!(failed.is_empty(), "writes failed:\n{failed}");
    let c = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = c.query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 80);
}

#[test]
fn a_cli_write_during_another_programs_import_waits_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.tend");
    assert!(tend(&db).args(["customer", "add", "--name", "Có Sẵn"]).status().unwrap().success());
    // This test plays the other program: it holds the long-write lock and the write
    // transaction, as an import does, for longer than the CLI's first attempt would wait.
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(format!("{}.writing", db.display()))
        .unwrap();
    lock.lock().unwrap();
    (&lock).write_all(b"import").unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let child = tend(&db)
        .args(["customer", "add", "--name", "Trong Lúc Nhập"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    conn.execute_batch("COMMIT").unwrap();
    lock.unlock().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("an import is running on this workspace in another window"), "{stderr}");
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
}

fn big_csv(dir: &std::path::Path, rows: usize) -> std::path::PathBuf {
    let csv = dir.join("big.csv");
    let mut text = String::from("Họ tên,SĐT\n");
    for i in 0..rows {
        text.push_str(&format!("Khách {i},09{:08}\n", 10_000_000 + i));
    }
    std::fs::write(&csv, text).unwrap();
    csv
}

#[tokio::test]
async fn a_write_during_an_import_in_the_app_waits_for_it_and_is_saved() {
    let f = open().await;
    let ws = Arc::new(f.ws);
    let notices: Arc<Mutex<Vec<WaitNotice>>> = Arc::default();
    let seen = notices.clone();
    ws.set_wait_hook(Arc::new(move |n: &WaitNotice| seen.lock().unwrap().push(n.clone())));
    let csv = big_csv(f.dir.path(), 20_000);
    let started = Arc::new(AtomicBool::new(false));
    let (imp, flag) = (ws.clone(), started.clone());
    let import = tokio::spawn(async move {
        imp.import(&csv, &Default::default(), move |_| flag.store(true, Ordering::SeqCst), Default::default()).await
    });
    while !started.load(Ordering::SeqCst) {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(ws.long_write().map(|n| n.behind), Some(LongWrite::Import), "the import is seen as under way");
    let id =
        ws.create_customer(&person("Trong Lúc Nhập", "")).await.expect("the write waits, then is saved").customer.id;
    let report = import.await.unwrap().unwrap();
    assert_eq!(report.imported, 20_000);
    assert!(ws.customer(&id).await.is_ok());
    let notices = notices.lock().unwrap().clone();
    assert_eq!(
        notices,
        vec![
            WaitNotice { waiting: true, behind: LongWrite::Import, elsewhere: false },
            WaitNotice { waiting: false, behind: LongWrite::Import, elsewhere: false }
        ]
    );
    assert!(ws.long_write().is_none());
}

#[tokio::test]
async fn a_panic_inside_an_import_leaves_the_clock_where_it_was() {
    let f = open().await;
    // the clock stands still: every write within one millisecond, told apart by its counter
    for i in 0..3 {
        f.ws.create_customer(&person(&format!("Khách {i}"), "")).await.unwrap();
    }
    let csv = big_csv(f.dir.path(), 3000);
    let res =
        f.ws.import(&csv, &Default::default(), |_| panic!("a bug in the middle of an import"), Default::default())
            .await;
    let p = tend::ErrorPayload::from(res.expect_err("the panic is an error"));
    assert_eq!((p.message_key.as_str(), p.params["task"].as_str()), ("error.interrupted", "import"));
    assert!(p.params["detail"].contains("panic"), "{:?}", p.params);
    assert_eq!(count(&f.ws, "customers").await, 3, "nothing of the import was written");
    // the next write's clock comes after every one before it (it collided with the first before)
    f.ws.create_customer(&person("Sau Lỗi", "")).await.expect("the clock goes on");
    let hlcs: Vec<String> = sqlx::query_scalar("SELECT hlc FROM txs ORDER BY id").fetch_all(f.ws.pool()).await.unwrap();
    assert!(hlcs.windows(2).all(|w| w[0] < w[1]), "{hlcs:?}");
}

#[tokio::test]
async fn writers_in_two_workspace_handles_on_one_file_take_turns_on_the_clock() {
    // the app and a script in one process: two handles, one file, the same instant
    let f = open().await;
    let other = Workspace::open_with_clock(f.ws.path(), f.clock.clone()).await.unwrap();
    for i in 0..20 {
        f.ws.create_customer(&person(&format!("A {i}"), "")).await.unwrap();
        other.create_customer(&person(&format!("B {i}"), "")).await.unwrap();
    }
    assert_eq!(count(&f.ws, "customers").await, 40);
}

/// Checking the open workspace (Settings > Check) must not cost this process its locks on the
/// file: closing any descriptor of a file drops every POSIX lock the process holds on it, and
/// without its shared lock the next program to close the file believes it was the last one,
/// removes the WAL and the app's later writes go to a deleted file no other program sees.
#[tokio::test]
async fn writes_after_a_check_of_the_open_workspace_reach_other_programs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.tend");
    let ws = Workspace::open(&db).await.unwrap();
    ws.create_customer(&person("Trước kiểm tra", "")).await.unwrap();
    assert!(ws.check(false).await.unwrap().ok);
    assert!(tend::backup::is_tend_file(&db));
    let out = tend(&db).args(["customer", "add", "--name", "Chương trình khác"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mine = ws.create_customer(&person("Sau kiểm tra", "")).await.unwrap();
    let out = tend(&db).args(["customer", "show", &mine.customer.id, "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "a write of the app after the check is invisible to another program: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(db.with_file_name("live.tend-wal").exists(), "the WAL of the open workspace was removed");
}
