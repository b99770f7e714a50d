//! What a demo workspace costs on disk and to generate (a benchmark, not a test).
//!
//! `cargo bench --bench size` generates demo workspaces of 100k and 1M customers (override with
//! TEND_BENCH_SIZES=100000,1000000) twice in the same run: as Tend writes them (change records
//! by the triggers, one per insert) and, as the baseline, the same rows with the change triggers
//! dropped (no change log at all). It prints the time of each, the file size per customer of each,
//! and a breakdown of the Tend file per table and index from SQLite's `dbstat`.

use std::path::{Path, PathBuf};
use std::time::Instant;
use tend::Workspace;

/// (table or index, bytes of its pages, bytes of them unused)
fn breakdown(path: &Path) -> Vec<(String, i64, i64)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut st = conn
        .prepare("SELECT name, SUM(pgsize), SUM(unused) FROM dbstat GROUP BY name ORDER BY SUM(pgsize) DESC")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

fn generate(rt: &tokio::runtime::Runtime, path: &Path, n: u64, with_log: bool) -> f64 {
    for ext in ["", "-wal", "-shm", ".writing"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    rt.block_on(async {
        let ws = Workspace::open(path).await.unwrap();
        if !with_log {
            let conn = rusqlite::Connection::open(path).unwrap();
            let names: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for t in names {
                conn.execute_batch(&format!("DROP TRIGGER {t}")).unwrap();
            }
        }
        let t = Instant::now();
        ws.generate_demo(n, 42).await.unwrap();
        let s = t.elapsed().as_secs_f64();
        ws.close().await;
        s
    })
}

fn main() {
    let sizes: Vec<u64> = std::env::var("TEND_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-size");
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    for n in sizes {
        let tend = dir.join(format!("tend-{n}.tend"));
        let raw = dir.join(format!("raw-{n}.tend"));
        let t_raw = generate(&rt, &raw, n, false);
        let t_tend = generate(&rt, &tend, n, true);
        let size = |p: &Path| std::fs::metadata(p).unwrap().len() as f64;
        let (s_tend, s_raw) = (size(&tend), size(&raw));
        println!("\n## {n} demo customers\n");
        println!("| | generate s | customers/s | file MB | bytes per customer |");
        println!("|---|---|---|---|---|");
        for (what, t, s) in [("Tend (with the change log)", t_tend, s_tend), ("baseline: no change log", t_raw, s_raw)]
        {
            println!("| {what} | {t:.1} | {:.0} | {:.1} | {:.0} |", n as f64 / t, s / 1e6, s / n as f64);
        }
        println!("\nratio: time {:.2}x, size {:.2}x\n", t_tend / t_raw, s_tend / s_raw);
        println!("| table or index | MB | bytes per customer | share | pages filled |");
        println!("|---|---|---|---|---|");
        let parts = breakdown(&tend);
        let total: i64 = parts.iter().map(|p| p.1).sum();
        for (name, bytes, unused) in parts.iter().filter(|p| p.1 * 200 >= total) {
            println!(
                "| {name} | {:.1} | {:.0} | {:.1}% | {:.0}% |",
                *bytes as f64 / 1e6,
                *bytes as f64 / n as f64,
                100.0 * *bytes as f64 / total as f64,
                100.0 - 100.0 * *unused as f64 / *bytes as f64
            );
        }
        let rest: i64 = parts.iter().filter(|p| p.1 * 200 < total).map(|p| p.1).sum();
        println!("| (the rest, each < 0.5%) | {:.1} | {:.0} | |", rest as f64 / 1e6, rest as f64 / n as f64);
        for p in [&tend, &raw] {
            for ext in ["", "-wal", "-shm", ".writing"] {
                let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
            }
        }
    }
}
