//! A crash in the middle of an import: the `tend` process is killed at points spread over the
//! import; each time the workspace is either as before or holds the whole file, and passes
//! `PRAGMA integrity_check`.
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn count(db: &std::path::Path) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    c.query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0)).unwrap()
}

#[test]
fn a_killed_import_leaves_the_workspace_whole_or_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.tend");
    let csv = dir.path().join("big.csv");
    let rows = 4000;
    let mut text = String::from("Họ tên,SĐT,Email,Ghi chú\n");
    for i in 0..rows {
        text.push_str(&format!("Khách {i},09{:08},k{i}@mail.vn,ghi chú {i}\n", 20_000_000 + i));
    }
    std::fs::write(&csv, text).unwrap();
    let tend = env!("CARGO_BIN_EXE_tend");
    let seed = Command::new(tend).arg("--db").arg(&db).args(["customer", "add", "--name", "Có Sẵn"]).output().unwrap();
    assert!(seed.status.success());

    // How long a whole import takes here, to spread the kills over it.
    let probe = dir.path().join("probe.tend");
    let t = Instant::now();
    let ok = Command::new(tend)
        .arg("--db")
        .arg(&probe)
        .args(["import", "customers"])
        .arg(&csv)
        .arg("--json")
        .output()
        .unwrap();
    assert!(ok.status.success());
    let whole = t.elapsed();

    let mut base = 1;
    let mut outcomes = (0, 0);
    for k in 1..=6u32 {
        let mut child = Command::new(tend)
            .arg("--db")
            .arg(&db)
            .args(["import", "customers", "--on-duplicate", "create"])
            .arg(&csv)
            .arg("--json")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole * k / 6 - Duration::from_millis(20).min(whole * k / 6));
        let _ = child.kill(); // SIGKILL: no cleanup runs
        let _ = child.wait();
        let n = count(&db);
        assert!(
            n == base || n == base + rows,
            "after a kill at {k}/6 of the import: {n} customers, not {base} or {}",
            base + rows
        );
        if n == base {
            outcomes.0 += 1;
        } else {
            outcomes.1 += 1;
        }
        base = n;
    }
    // the kills must have landed inside imports at least once
    assert!(outcomes.0 > 0, "no kill interrupted an import: {outcomes:?}");
}
