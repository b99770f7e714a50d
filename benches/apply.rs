//! What sync's first download will cost: a demo workspace's whole log applied to an empty
//! workspace through `apply_remote` (the merge: every record stored, every row made again from
//! the log), beside inserting the same rows directly (`INSERT ... SELECT` of every tracked table
//! from the source file, in one transaction, no log).
//!
//! `cargo bench --bench apply` uses a demo of 100k customers (TEND_BENCH_SIZES=10000,100000),
//! generated once and cached in target/bench-data. It prints transactions, records, seconds and
//! records per second for both, and checks the two copies hold the same rows.

use std::path::PathBuf;
use std::time::Instant;
use tend::Workspace;
use tend_sync::registry::TABLES;

async fn rows(ws: &Workspace) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for t in TABLES {
        let n: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", t.name)).fetch_one(ws.pool()).await.unwrap();
        out.push((t.name.to_string(), n));
    }
    out
}

fn main() {
    let sizes: Vec<u64> = std::env::var("TEND_BENCH_SIZES")
        .unwrap_or_else(|_| "100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!("| customers | transactions | records | apply s | records/s | direct insert s | x direct |");
    println!("|---|---|---|---|---|---|---|");
    for n in sizes {
        rt.block_on(async {
            let src = dir.join(format!("demo-{n}-seed42-schema{}.tend", Workspace::schema_version()));
            if !src.exists() {
                let ws = Workspace::open(&src).await.unwrap();
                ws.generate_demo(n, 42).await.unwrap();
                ws.close().await;
            }
            let source = Workspace::open(&src).await.unwrap();
            let records: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM changes").fetch_one(source.pool()).await.unwrap();
            let scratch = tempfile::tempdir().unwrap();

            // the log, read a page at a time and applied in commit order
            let into = Workspace::open(scratch.path().join("applied.tend")).await.unwrap();
            let started = Instant::now();
            let (mut cursor, mut txs) = (0, 0u64);
            loop {
                let page = source.changes_since(cursor, 1000).await.unwrap();
                for tx in &page.transactions {
                    into.apply_remote(tx).await.unwrap();
                    txs += 1;
                }
                cursor = page.cursor;
                if !page.more {
                    break;
                }
            }
            let applied = started.elapsed().as_secs_f64();

            // the baseline: the same rows inserted directly, one transaction, no log
            let direct = scratch.path().join("direct.tend");
            Workspace::open(&direct).await.unwrap().close().await;
            let conn = rusqlite::Connection::open(&direct).unwrap();
            let started = Instant::now();
            conn.execute("ATTACH DATABASE ? AS src", [src.to_str().unwrap()]).unwrap();
            conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO write_ctx (one, tx, replay) VALUES (1, 0, 1);").unwrap();
            for t in TABLES.iter().rev() {
                conn.execute_batch(&format!("DELETE FROM main.{}", t.name)).unwrap();
            }
            for t in TABLES {
                let cols: Vec<&str> = t.keys.iter().chain(t.columns).copied().collect();
                let cols = cols.join(", ");
                conn.execute_batch(&format!("INSERT INTO main.{0} ({cols}) SELECT {cols} FROM src.{0}", t.name))
                    .unwrap();
            }
            conn.execute_batch("DELETE FROM write_ctx; COMMIT;").unwrap();
            let inserted = started.elapsed().as_secs_f64();
            drop(conn);
            let direct = Workspace::open(&direct).await.unwrap();
            assert_eq!(rows(&into).await, rows(&direct).await, "the merge made the rows the source has");
            assert_eq!(rows(&into).await, rows(&source).await);
            println!(
                "| {n} | {txs} | {records} | {applied:.1} | {:.0} | {inserted:.1} | {:.1} |",
                records as f64 / applied,
                applied / inserted
            );
        });
    }
}
