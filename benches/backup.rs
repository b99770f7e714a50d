//! What a backup of a big workspace costs, and what it does to the app's writes meanwhile (a
//! benchmark, not a test).
//!
//! `cargo bench --bench backup` uses the demo workspace of 1M customers the search benchmark
//! caches in target/bench-data (generated when missing; TEND_BENCH_SIZES=100000 for a smaller
//! one). It prints the time and size of `Workspace::backup_to` beside copying the file with
//! `std::fs::copy` (the baseline), then takes the backup again while a writer saves a customer
//! after another without pause, and prints how many writes went through meanwhile and the
//! longest any one of them took, beside the longest with no backup running.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tend::customers::{CustomerInput, CustomerKind};
use tend::Workspace;

fn input(i: u32) -> CustomerInput {
    CustomerInput { kind: CustomerKind::Person, name: format!("Khách trong lúc sao lưu {i}"), ..Default::default() }
}

/// Writes one customer after another until `stop`; returns (writes, longest in ms).
async fn writer(ws: Arc<Workspace>, stop: Arc<AtomicBool>) -> (u32, f64) {
    let (mut n, mut worst) = (0u32, 0f64);
    while !stop.load(Ordering::SeqCst) {
        let t = Instant::now();
        ws.create_customer(&input(n)).await.unwrap();
        worst = worst.max(t.elapsed().as_secs_f64() * 1e3);
        n += 1;
    }
    (n, worst)
}

fn main() {
    let n: u64 = std::env::var("TEND_BENCH_SIZES")
        .ok()
        .and_then(|s| s.split(',').next_back().and_then(|v| v.trim().parse().ok()))
        .unwrap_or(1_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join(format!("demo-{n}-seed42-schema{}.tend", Workspace::schema_version()));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // a copy to write to, so the cached workspace stays as the other benchmarks expect it
    let db = dir.join(format!("backup-bench-{n}.tend"));
    let dest = dir.join(format!("backup-bench-{n}-copy.tend"));
    let ws = rt.block_on(async {
        let fresh = !src.exists();
        let ws = Workspace::open(&src).await.unwrap();
        if fresh {
            ws.generate_demo(n, 42).await.unwrap();
        }
        ws.close().await; // checkpointed: the whole workspace is in the one file
        for p in [&db, &dest] {
            for ext in ["", "-wal", "-shm", ".writing", ".damaged"] {
                let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
            }
        }
        let t = Instant::now();
        let bytes = std::fs::copy(&src, &db).unwrap();
        println!("| {n} customers | s | MB |\n|---|---|---|");
        println!(
            "| baseline: std::fs::copy of the file | {:.2} | {:.0} |",
            t.elapsed().as_secs_f64(),
            bytes as f64 / 1e6
        );
        Arc::new(Workspace::open(&db).await.unwrap())
    });
    let t = Instant::now();
    let size = rt.block_on(ws.backup_to(&dest, true)).unwrap();
    println!(
        "| Workspace::backup_to (copied and checked) | {:.2} | {:.0} |",
        t.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );

    // the writes with no backup, then during one
    let stop = Arc::new(AtomicBool::new(false));
    let alone = rt.spawn(writer(ws.clone(), stop.clone()));
    std::thread::sleep(std::time::Duration::from_secs(3));
    stop.store(true, Ordering::SeqCst);
    let (w0, worst0) = rt.block_on(alone).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let during = rt.spawn(writer(ws.clone(), stop.clone()));
    let t = Instant::now();
    rt.block_on(ws.backup_to(&dest, true)).unwrap();
    let took = t.elapsed().as_secs_f64();
    stop.store(true, Ordering::SeqCst);
    let (w1, worst1) = rt.block_on(during).unwrap();
    println!("\n| writes | count | per s | longest ms |\n|---|---|---|---|");
    println!("| alone (3 s) | {w0} | {:.0} | {worst0:.1} |", w0 as f64 / 3.0);
    println!("| during a backup ({took:.1} s) | {w1} | {:.0} | {worst1:.1} |", w1 as f64 / took);
    for p in [&db, &dest] {
        for ext in ["", "-wal", "-shm", ".writing", ".damaged"] {
            let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
        }
    }
}
