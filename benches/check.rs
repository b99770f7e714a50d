//! What checking a workspace for damage costs at scale (a benchmark, not a test).
//!
//! `cargo bench --bench check` uses demo workspaces of 10k, 30k and 1M customers (override
//! with TEND_BENCH_SIZES=10000,30000,1000000), generated once and cached in target/bench-data
//! beside the search benchmark's. For each it prints, beside a baseline of reading the whole file once
//! (sequential 1 MiB reads, page cache warm like the checks):
//! - `Workspace::open` as the app and the CLI do it (the header is always checked; `quick_check`
//!   runs too when the file is at most `integrity::CHECK_ON_OPEN_MAX`),
//! - `quick_check` (what opening a small file, the app's background check and the CLI's check
//!   before writing to a big file run),
//! - `integrity_check` (`tend check --full`).
//!
//! Each figure is the best of TEND_BENCH_REPEAT runs (default 2).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tend::integrity::{check_file, CHECK_ON_OPEN_MAX};
use tend::Workspace;

fn best<T>(repeat: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..repeat {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(v);
    }
    (best, out.expect("at least one run"))
}

/// The baseline: every byte of the file read once, in order.
fn read_all(path: &Path) -> u64 {
    let mut f = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut sum = 0u64;
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            return sum;
        }
        sum = sum.wrapping_add(buf[..n].iter().step_by(4096).map(|b| *b as u64).sum::<u64>());
    }
}

fn main() {
    let sizes: Vec<u64> = std::env::var("TEND_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,30000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let repeat: usize = std::env::var("TEND_BENCH_REPEAT").ok().and_then(|s| s.parse().ok()).unwrap_or(2).max(1);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!("| customers | file MB | read file s | open s | quick_check s (x read) | integrity_check s (x read) |");
    println!("|---|---|---|---|---|---|");
    for n in sizes {
        let path = dir.join(format!("demo-{n}-seed42-schema{}.tend", Workspace::schema_version()));
        if !path.exists() {
            rt.block_on(async {
                let ws = Workspace::open(&path).await.unwrap();
                let t = Instant::now();
                let s = ws.generate_demo(n, 42).await.unwrap();
                eprintln!("generated {} customers in {:.1} s", s.customers, t.elapsed().as_secs_f64());
            });
        }
        // what a closed workspace looks like: everything in the main file
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(60)).unwrap(); // the generator's pool closing
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        drop(conn);
        let mb = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
        let (read, _) = best(repeat, || read_all(&path));
        let (open, _) = best(repeat, || rt.block_on(Workspace::open(&path)).unwrap());
        let (quick, q) = best(repeat, || check_file(&path, false).unwrap());
        let (full, f) = best(repeat, || check_file(&path, true).unwrap());
        assert!(q.ok && f.ok, "the demo workspace checks clean: {:?} {:?}", q.problems, f.problems);
        let checked = if (mb * 1e6) as u64 <= CHECK_ON_OPEN_MAX { "with quick_check" } else { "header only" };
        println!(
            "| {n} | {mb:.0} | {read:.2} | {open:.2} ({checked}) | {quick:.2} ({:.1}x) | {full:.2} ({:.1}x) |",
            quick / read,
            full / read
        );
    }
}
