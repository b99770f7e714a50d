//! Backups, restore and integrity checks on real files; a damaged workspace is never written to.
mod common;
use common::*;
use std::io::{Seek, SeekFrom, Write};
use tend::backup::{check_file, list_backups, restore, BackupReason};
use tend::{Error, Workspace};

async fn count(ws: &Workspace) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(ws.pool()).await.unwrap()
}

#[tokio::test]
async fn an_online_backup_restores_the_workspace_as_it_was() {
    let f = open().await;
    f.ws.create_customer(&person("Bùi Thị Xuân", "0912 345 678")).await.unwrap();
    let dest = f.dir.path().join("copy.tend");
    f.ws.backup_to(&dest).await.unwrap();
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
    f.ws.backup_to(&good).await.unwrap();
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
