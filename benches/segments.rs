//! Segment counts at scale (a benchmark, not a test).
//!
//! `cargo bench --bench segments` uses the demo workspaces the search benchmark caches in
//! target/bench-data (generated when missing; TEND_BENCH_SIZES=100000 for a smaller one) and
//! prints p50/p95 of `Workspace::segment_count` for a few rules beside a hand-written query that
//! answers the same question on the same file (the stored spellings known, no rule compiled).
//! Goal: a three-rule count <= 100 ms at 1M customers.

use std::path::PathBuf;
use std::time::Instant;
use tend::Workspace;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

const RUNS: usize = 20;

fn main() {
    let sizes: Vec<u64> = std::env::var("TEND_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000]);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let cases: &[(&str, &str, &str)] = &[
        (
            "three rules: stage, province, spending",
            r#"{"all": [{"field": "stage", "op": "in", "value": ["customer", "loyal"]},
                        {"field": "province", "op": "eq", "value": "ha noi"},
                        {"field": "purchase_total", "op": "gte", "value": 5000000}]}"#,
            "SELECT COUNT(*) FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id
             WHERE c.deleted_at IS NULL AND c.stage_id IN ('customer', 'loyal') AND c.province = 'Hà Nội'
               AND COALESCE(a.purchase_total, 0) >= 5000000",
        ),
        (
            "nested: (tag or age) and contact in a year",
            r#"{"all": [{"any": [{"field": "tag", "op": "has", "value": "vip"}, {"field": "age", "op": "gte", "value": 40}]},
                        {"field": "last_interaction_at", "op": "within_days", "value": 365}]}"#,
            "SELECT COUNT(*) FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id
             WHERE c.deleted_at IS NULL
               AND (EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_seq = c.seq AND t.tag = 'VIP')
                    OR c.birthday <= date('now', '-40 years'))
               AND a.last_interaction_at >= (strftime('%s', 'now', '-365 days') * 1000)",
        ),
        (
            "one rule: birthday this month",
            r#"{"all": [{"field": "birthday_month", "op": "eq", "value": 12}]}"#,
            "SELECT COUNT(*) FROM customers c WHERE c.deleted_at IS NULL AND substr(c.birthday, 6, 2) = '12'",
        ),
    ];
    println!("| customers | rules | Tend p50 ms | p95 ms | count | hand-written p50 ms | p95 ms | count |");
    println!("|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let path = dir.join(format!("demo-{n}-seed42-schema{}.tend", Workspace::schema_version()));
        let ws = rt.block_on(async {
            let fresh = !path.exists();
            let ws = Workspace::open(&path).await.unwrap();
            if fresh {
                let t = Instant::now();
                ws.generate_demo(n, 42).await.unwrap();
                eprintln!("generated {n} demo customers in {:.1} s", t.elapsed().as_secs_f64());
            }
            ws
        });
        let raw = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        for (label, rules, sql) in cases {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            let (mut a, mut b) = (0i64, 0i64);
            for _ in 0..RUNS {
                let t = Instant::now();
                a = rt.block_on(ws.segment_count(rules)).unwrap();
                ours.push(t.elapsed().as_secs_f64() * 1e3);
                let t = Instant::now();
                b = raw.query_row(sql, [], |r| r.get(0)).unwrap();
                theirs.push(t.elapsed().as_secs_f64() * 1e3);
            }
            println!(
                "| {n} | {label} | {:.1} | {:.1} | {a} | {:.1} | {:.1} | {b} |",
                pct(&mut ours, 0.5),
                pct(&mut ours, 0.95),
                pct(&mut theirs, 0.5),
                pct(&mut theirs, 0.95)
            );
        }
    }
}
