//! Backups, restore and integrity checks on real files; a damaged workspace is never written to.
mod common;
use common::*;
use std::io::{Seek, SeekFrom, Write};
use tend::backup::{list_backups, restore, BackupReason};
use tend::integrity::check_file;
use tend::{Error, Workspace};

async fn count(ws: &Workspace) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(ws.pool()).await.unwrap()
}

#[tokio::test]
async fn an_online_backup_restores_the_workspace_as_it_was() {
    let f = open().await;
    f.ws.create_customer(&person("Bùi Thị Xuân", "0912 345 678")).await.unwrap();
    let dest = f.dir.path().join("copy.tend");
    f.ws.backup_to(&dest, false).await.unwrap();
    assert!(check_file(&dest, true).unwrap().ok);
    // written after the backup: gone after the restore
    f.ws.create_customer(&person("Sau Backup", "")).await.unwrap();
    let db = f.ws.path().to_path_buf();
    f.ws.close().await;
    let kept = restore(&dest, &db, 1_800_000_000_000).unwrap().expect("the replaced file is kept");
    assert!(kept.exists());
    let ws = Workspace::open(&db).await.unwrap();
    assert_eq!(count(&ws).await, 1);
    assert_eq!(ws.search("xuan", 5).await.unwrap().len(), 1, "indexes come back too");
    let old = Workspace::open(&kept).await.unwrap();
    assert_eq!(count(&old).await, 2, "nothing lost: the replaced workspace is beside it");
}

#[tokio::test]
async fn an_import_keeps_a_backup_first_and_retention_keeps_three() {
    let f = open().await;
    let file = f.dir.path().join("k.csv");
    for i in 0..5 {
        std::fs::write(&file, format!("Họ tên\nKhách {i}\n")).unwrap();
        f.clock.advance(60_000);
        f.ws.import(&file, &Default::default(), |_| {}, Default::default()).await.unwrap();
    }
    let list = list_backups(f.ws.path()).unwrap();
    assert_eq!(list.len(), 3, "{list:?}");
    assert!(list.iter().all(|b| b.reason == BackupReason::PreImport && b.size > 0));
    // the newest was taken before the fifth import: it holds four customers
    let ws = Workspace::open(&list[0].path).await.unwrap();
    assert_eq!(count(&ws).await, 4);
    // a daily backup is taken once a day
    assert!(f.ws.auto_backup(BackupReason::Daily).await.unwrap().is_some());
    assert!(f.ws.auto_backup(BackupReason::Daily).await.unwrap().is_none());
}

#[tokio::test]
async fn a_damaged_workspace_is_refused_untouched_and_a_damaged_backup_is_not_restored() {
    let f = open().await;
    for i in 0..300 {
        f.ws.create_customer(&person(&format!("Khách {i}"), "")).await.unwrap();
    }
    let good = f.dir.path().join("good.tend");
    f.ws.backup_to(&good, false).await.unwrap();
    let db = f.ws.path().to_path_buf();
    f.ws.close().await;

    // garbage over a page in the middle of the file
    let len = std::fs::metadata(&db).unwrap().len();
    let mut file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    file.seek(SeekFrom::Start(len / 2 / 4096 * 4096)).unwrap();
    file.write_all(&[0xAB; 4096]).unwrap();
    drop(file);
    let bytes = std::fs::read(&db).unwrap();
    let report = check_file(&db, false).unwrap();
    assert!(!report.ok && !report.problems.is_empty(), "{report:?}");
    match Workspace::open(&db).await {
        Err(Error::Damaged { .. }) => {}
        other => panic!("opened a damaged workspace: {:?}", other.map(|_| ())),
    }
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "a damaged workspace is not written to");

    // cut short
    let cut = f.dir.path().join("cut.tend");
    std::fs::write(&cut, &std::fs::read(&good).unwrap()[..8192]).unwrap();
    assert!(matches!(Workspace::open(&cut).await, Err(Error::Damaged { .. })));
    // not a database at all
    let junk = f.dir.path().join("junk.tend");
    std::fs::write(&junk, "Họ tên,SĐT\n").unwrap();
    assert!(matches!(Workspace::open(&junk).await, Err(Error::Damaged { .. })));

    // a damaged backup is refused; a good one replaces the damaged file, which is kept
    assert!(matches!(restore(&db, &cut, 1), Err(Error::Damaged { .. })));
    let kept = restore(&good, &db, 2).unwrap().unwrap();
    assert_eq!(std::fs::read(&kept).unwrap(), bytes);
    let ws = Workspace::open(&db).await.unwrap();
    assert_eq!(count(&ws).await, 300);
}

#[tokio::test]
async fn a_migration_keeps_a_copy_of_the_workspace_as_it_was() {
    // a workspace made by the build before the newest migration: every migration but that one
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cu.tend");
    let newest = Workspace::schema_version();
    let mut older = sqlx::migrate::Migrator::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations"))
        .await
        .unwrap();
    older.migrations = older.migrations.iter().filter(|m| m.version < newest).cloned().collect::<Vec<_>>().into();
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&db).create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    older.run(&pool).await.unwrap();
    pool.close().await;
    let ws = Workspace::open(&db).await.unwrap();
    let list = list_backups(&db).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].reason, BackupReason::PreMigration);
    let old = rusqlite::Connection::open(&list[0].path).unwrap();
    let v: i64 = old.query_row("SELECT MAX(version) FROM _sqlx_migrations", [], |r| r.get(0)).unwrap();
    assert_eq!(v, newest - 1);
    let now: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(ws.pool()).await.unwrap();
    assert_eq!(now, newest, "migrated");
}

/// Frames of a WAL file: (page number, offset of the page's bytes).
fn wal_frames(wal: &[u8], page_size: usize) -> Vec<(u32, usize)> {
    let mut out = Vec::new();
    let mut at = 32;
    while at + 24 + page_size <= wal.len() {
        out.push((u32::from_be_bytes([wal[at], wal[at + 1], wal[at + 2], wal[at + 3]]), at + 24));
        at += 24 + page_size;
    }
    out
}

#[tokio::test]
async fn a_crash_during_a_checkpoint_is_recovered_from_the_wal_not_refused() {
    // The state kill -9 leaves in the middle of a checkpoint: page 1 (with the new page count)
    // already copied into the main file, the pages that extend it still only in the WAL.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.tend");
    drop(Workspace::open(&db).await.unwrap());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("PRAGMA wal_autocheckpoint = 0; PRAGMA journal_mode = WAL;").unwrap();
    conn.execute("INSERT INTO meta (key, value) VALUES ('padding', ?)", [("x".repeat(2_000_000))]).unwrap();
    let crashed = dir.path().join("crashed.tend");
    std::fs::copy(&db, &crashed).unwrap();
    let wal = std::fs::read(format!("{}-wal", db.display())).unwrap();
    drop(conn);
    let page_size = u32::from_be_bytes([wal[8], wal[9], wal[10], wal[11]]) as usize;
    let (_, page1) = *wal_frames(&wal, page_size).iter().rev().find(|(p, _)| *p == 1).expect("page 1 in the WAL");
    let mut main = std::fs::read(&crashed).unwrap();
    main[..page_size].copy_from_slice(&wal[page1..page1 + page_size]);
    std::fs::write(&crashed, &main).unwrap();
    std::fs::write(format!("{}-wal", crashed.display()), &wal).unwrap();
    let pages = u32::from_be_bytes([main[28], main[29], main[30], main[31]]) as usize;
    assert!(main.len() < pages * page_size, "the main file is shorter than its header says");

    let report = check_file(&crashed, false).unwrap();
    assert!(report.ok, "{report:?}");
    let ws = Workspace::open(&crashed).await.expect("a recoverable workspace opens");
    let padding: String =
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'padding'").fetch_one(ws.pool()).await.unwrap();
    assert_eq!(padding.len(), 2_000_000, "what was in the WAL is there");
}

/// Overwrites the first page of `table` (its b-tree root) with garbage.
fn spoil_table(db: &std::path::Path, table: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let (root, page_size): (i64, i64) = conn
        .query_row(
            "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master WHERE name = ?",
            [table],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    drop(conn);
    let mut file = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    file.seek(SeekFrom::Start(((root - 1) * page_size) as u64)).unwrap();
    file.write_all(&vec![0xAB; page_size as usize]).unwrap();
}

#[tokio::test]
async fn damage_met_while_working_stops_every_write_and_marks_the_file() {
    let f = open().await;
    for i in 0..50 {
        f.ws.create_customer(&person(&format!("Khách {i}"), "")).await.unwrap();
    }
    spoil_table(f.ws.path(), "customers");
    // a read meets the corrupt page; the error leaving the core is noted
    let err = f.ws.list_customers(&Default::default(), 0, 10).await.map(|_| ());
    let err = f.ws.note(err.expect_err("a read of a spoiled table fails"));
    assert!(err.damage().is_some(), "{err}");
    assert_eq!(tend::ErrorPayload::from(&err).kind, tend::error::ErrorKind::Damaged);
    match f.ws.create_customer(&person("Sau Hỏng", "")).await {
        Err(Error::Damaged { .. }) => {}
        other => panic!("a write after damage was met: {:?}", other.map(|_| ())),
    }
    assert!(tend::integrity::damage_mark(f.ws.path()).is_some(), "the file is marked");
    let db = f.ws.path().to_path_buf();
    f.ws.close().await;
    assert!(matches!(Workspace::open(&db).await, Err(Error::Damaged { .. })), "and refused on the next open");
}

#[tokio::test]
async fn a_backup_of_a_damaged_workspace_is_not_kept_and_good_ones_stay() {
    let f = open().await;
    for i in 0..50 {
        f.ws.create_customer(&person(&format!("Khách {i}"), "")).await.unwrap();
    }
    for i in 0..4 {
        f.clock.advance(60_000 * (i + 1));
        f.ws.auto_backup(BackupReason::PreImport).await.unwrap();
    }
    let before = list_backups(f.ws.path()).unwrap();
    assert_eq!(before.len(), 3);
    let sides: Vec<_> = std::fs::read_dir(tend::backup::backup_dir(f.ws.path()))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".tend"))
        .collect();
    assert!(sides.is_empty(), "no -wal/-shm or other files beside backups: {sides:?}");

    spoil_table(f.ws.path(), "customers");
    f.clock.advance(60_000);
    let err = f.ws.auto_backup(BackupReason::PreImport).await.expect_err("a damaged workspace is not backed up");
    assert!(matches!(err, Error::Damaged { .. }), "{err}");
    assert_eq!(list_backups(f.ws.path()).unwrap(), before, "the good backups are all kept, no bad one added");
    let manual = f.dir.path().join("manual.tend");
    assert!(f.ws.backup_to(&manual, false).await.is_err());
    assert!(!manual.exists(), "nor is a manual backup left behind");
    assert!(matches!(f.ws.create_customer(&person("X", "")).await, Err(Error::Damaged { .. })));
}

#[tokio::test]
async fn a_backup_never_overwrites_a_file_that_is_not_a_tend_backup_unless_forced() {
    let f = open().await;
    f.ws.create_customer(&person("Bùi Thị Xuân", "")).await.unwrap();
    let other = f.dir.path().join("bao-cao.xlsx");
    std::fs::write(&other, b"a user's own file").unwrap();
    match f.ws.backup_to(&other, false).await {
        Err(Error::Validation(e)) => assert_eq!(e[0].message_key, "backup.target_exists"),
        other => panic!("{:?}", other.map(|_| ())),
    }
    assert_eq!(std::fs::read(&other).unwrap(), b"a user's own file");
    // an earlier backup is replaced without asking; --force replaces anything
    let earlier = f.dir.path().join("sao-luu.tend");
    f.ws.backup_to(&earlier, false).await.unwrap();
    f.ws.backup_to(&earlier, false).await.unwrap();
    f.ws.backup_to(&other, true).await.unwrap();
    assert!(tend::backup::is_tend_file(&other));
    assert!(f.ws.backup_to(f.ws.path(), true).await.is_err(), "never onto the workspace itself");
}

#[tokio::test]
async fn a_restore_that_fails_leaves_the_workspace_and_the_backup_as_they_were() {
    let f = open().await;
    f.ws.create_customer(&person("Bùi Thị Xuân", "")).await.unwrap();
    let backup = f.dir.path().join("newer.tend");
    f.ws.backup_to(&backup, false).await.unwrap();
    let db = f.ws.path().to_path_buf();
    f.ws.close().await;
    // a backup from a newer Tend cannot be restored
    let c = rusqlite::Connection::open(&backup).unwrap();
    c.execute(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (9999, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)",
        [],
    )
    .unwrap();
    drop(c);
    let (db_bytes, backup_bytes) = (std::fs::read(&db).unwrap(), std::fs::read(&backup).unwrap());
    assert!(matches!(restore(&backup, &db, 5), Err(Error::NewerDatabase { .. })));
    assert_eq!(std::fs::read(&db).unwrap(), db_bytes);
    assert_eq!(std::fs::read(&backup).unwrap(), backup_bytes);
    let left: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring") || n.contains("replaced"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A workspace with one customer, padded past the size checked on every open (through the CLI,
/// then a row of padding in the device-local meta table).
fn big_workspace(dir: &std::path::Path) -> std::path::PathBuf {
    let db = dir.join("big.tend");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tend"))
        .arg("--db")
        .arg(&db)
        .args(["customer", "add", "--name", "Bùi Thị Xuân"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let padding = "x".repeat((tend::integrity::CHECK_ON_OPEN_MAX + 4_000_000) as usize);
    conn.execute("INSERT INTO meta (key, value) VALUES ('padding', ?)", [padding]).unwrap();
    db
}

#[test]
fn the_cli_never_writes_to_a_big_damaged_workspace() {
    // Over the size checked on every open: the CLI checks before it writes to one not checked
    // today, and then refuses every write (before, `customer add`, `demo` and `backup` wrote).
    let dir = tempfile::tempdir().unwrap();
    let db = big_workspace(dir.path());
    let tend = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(&db).args(args).output().unwrap()
    };
    assert!(std::fs::metadata(&db).unwrap().len() > tend::integrity::CHECK_ON_OPEN_MAX);
    spoil_table(&db, "customers");
    let bytes = std::fs::read(&db).unwrap();

    let add = tend(&["customer", "add", "--name", "Sau Hỏng"]);
    assert_eq!(add.status.code(), Some(1));
    let err = String::from_utf8_lossy(&add.stderr);
    assert!(err.contains("checking") && err.contains("once a day"), "the wait is explained: {err}");
    assert!(err.contains("damaged"), "{err}");
    assert!(tend::integrity::damage_mark(&db).is_some());
    let demo = tend(&["demo", "--customers", "10"]);
    assert_eq!(demo.status.code(), Some(1));
    let out = dir.path().join("copy.tend");
    assert_eq!(tend(&["backup", out.to_str().unwrap()]).status.code(), Some(1));
    assert!(!out.exists(), "no backup of a damaged workspace");
    assert!(std::fs::read(&db).unwrap() == bytes, "the damaged file was not written to");
    let check = tend(&["check"]);
    assert_eq!(check.status.code(), Some(1), "check says damaged too");
}

/// Every command that writes checks first, whichever it is: a hand-kept list of writing commands
/// had left `staff add`, `settings set`, `segment`, `deal`, `care` and `changes apply` out.
#[test]
fn any_first_write_to_a_big_damaged_workspace_checks_it() {
    for args in [&["staff", "add", "--name", "Lê Văn Tám"][..], &["settings", "set", "time_zone", "Asia/Bangkok"][..]]
    {
        let dir = tempfile::tempdir().unwrap();
        let db = big_workspace(dir.path());
        spoil_table(&db, "customers");
        let bytes = std::fs::read(&db).unwrap();
        let out =
            std::process::Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(&db).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("checking") && err.contains("damaged"), "{args:?}: {err}");
        assert!(std::fs::read(&db).unwrap() == bytes, "{args:?} wrote to the damaged file");
    }
}

#[test]
fn a_big_healthy_workspace_is_checked_before_the_first_cli_write_of_the_day_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = big_workspace(dir.path());
    let tend = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(&db).args(args).output().unwrap()
    };
    let first = tend(&["customer", "add", "--name", "Một"]);
    assert!(first.status.success());
    assert!(String::from_utf8_lossy(&first.stderr).contains("checking"), "{}", String::from_utf8_lossy(&first.stderr));
    let second = tend(&["customer", "add", "--name", "Hai"]);
    assert!(second.status.success());
    assert!(!String::from_utf8_lossy(&second.stderr).contains("checking"), "checked once, not at every write");
}

/// SQLite restarts an online backup made in steps whenever another connection writes between
/// two of them: under steady writes a big workspace was never copied. The copy is one snapshot
/// now, and the writes go on while it is taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_finishes_while_the_app_keeps_writing_and_is_one_snapshot() {
    let f = open().await;
    f.ws.generate_demo(20_000, 3).await.unwrap();
    let before = count(&f.ws).await;
    let dest = f.dir.path().join("during-writes.tend");
    let ws = std::sync::Arc::new(f.ws);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writes = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let writer = {
        let (ws, done, writes) = (ws.clone(), done.clone(), writes.clone());
        tokio::spawn(async move {
            let mut n = 0u32;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                ws.create_customer(&person(&format!("Khách ghi trong lúc sao lưu {n}"), "")).await.unwrap();
                n += 1;
                writes.store(n, std::sync::atomic::Ordering::SeqCst);
            }
            n
        })
    };
    while writes.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let at_start = writes.load(std::sync::atomic::Ordering::SeqCst) as i64;
    let copied = tokio::time::timeout(std::time::Duration::from_secs(60), ws.backup_to(&dest, false)).await;
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let written = writer.await.unwrap();
    copied.expect("the backup never finished while the app kept writing").unwrap();
    assert!(written > 0, "no write went through during the backup");
    assert!(check_file(&dest, true).unwrap().ok);
    let copy = Workspace::open(&dest).await.unwrap();
    let n = count(&copy).await;
    // the copy is the workspace as it was when the backup began (give or take the few writes
    // that commit while its thread starts), not as it was when an endless restart happened to end
    assert!(
        n >= before + at_start && n <= before + at_start + 20,
        "{n} customers in the copy; {before} before, {at_start} written when it began, {written} while it ran"
    );
    let after = count(&ws).await;
    assert_eq!(after, before + written as i64);
}

/// One big write (a demo, an import) grows the WAL to its own size; the next writes cut it back
/// to the journal size limit instead of leaving it beside the workspace for good.
#[tokio::test]
async fn the_wal_of_a_big_write_is_cut_back_by_the_next_writes() {
    let f = open().await;
    f.ws.generate_demo(40_000, 4).await.unwrap();
    let wal = std::path::PathBuf::from(format!("{}-wal", f.ws.path().display()));
    let file = std::fs::metadata(f.ws.path()).unwrap().len();
    assert!(file > 80 << 20, "the demo wrote {file} bytes: too little to show anything");
    let grown = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(grown <= 64 << 20, "the WAL is {grown} bytes after a demo of {file}");
    for i in 0..3 {
        f.ws.create_customer(&person(&format!("Sau bản demo {i}"), "")).await.unwrap();
    }
    let now = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(now <= 64 << 20, "the WAL is still {now} bytes after the next writes (was {grown})");
}

/// Closing a workspace leaves the whole of it in its one file: the WAL is checkpointed, even
/// when the read connections (search, list pages) were the last ones used.
#[tokio::test]
async fn closing_leaves_everything_in_the_one_file() {
    let f = open().await;
    f.ws.generate_demo(500, 6).await.unwrap();
    assert!(!f.ws.search("nguyen", 5).await.unwrap().is_empty());
    let db = f.ws.path().to_path_buf();
    f.ws.close().await;
    let wal = std::fs::metadata(format!("{}-wal", db.display())).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal, 0, "a WAL of {wal} bytes is left: the file alone is not the workspace");
    assert!(check_file(&db, true).unwrap().ok);
}
