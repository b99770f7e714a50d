//! Search and Customer 360 latency at realistic scale (a benchmark, not a test).
//!
//! `cargo bench --bench search` generates (once, cached in target/bench-data) demo workspaces of
//! 100k and 1M customers (override with TEND_BENCH_SIZES=100000,1000000), then prints p50/p95/p99
//! of `Workspace::search` beside a hand-written FTS5 query on the same file (folded words, last
//! one as a prefix, LIMIT 20, rows fetched), and the time to open a 360 (customer + first
//! timeline page). Goals: search p95 <= 10 ms at 1M, within 1.5x of the hand-written query;
//! 360 open <= 15 ms; the list's first page with its total (no filter, each filter, two) p95 <= 15 ms.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::time::Instant;
use tend::fold::{fold, tokens};
use tend::search::CustomerFilter;
use tend::Workspace;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn row(label: &str, v: &mut [f64]) -> String {
    format!("| {label:<28} | {:>8.3} | {:>8.3} | {:>8.3} |", pct(v, 0.50), pct(v, 0.95), pct(v, 0.99))
}

fn queries(conn: &rusqlite::Connection, n: usize) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(1);
    let max: i64 = conn.query_row("SELECT MAX(seq) FROM customers", [], |r| r.get(0)).unwrap();
    let mut out = Vec::new();
    while out.len() < n {
        let seq = rng.gen_range(1..=max);
        let Ok((name, phones)): Result<(String, String), _> =
            conn.query_row("SELECT name, phones FROM customers WHERE seq = ?", [seq], |r| Ok((r.get(0)?, r.get(1)?)))
        else {
            continue;
        };
        let f = fold(&name);
        let words: Vec<&str> = f.split(' ').collect();
        match out.len() % 6 {
            // What people type: the start of a name, a given name, a partial last word,
            // a full name, a phone fragment, a short prefix.
            0 => out.push(words[..words.len().min(2)].join(" ")),
            1 => out.push(words.last().unwrap().to_string()),
            2 => {
                let last = words.last().unwrap();
                let cut = last.len().min(3);
                out.push(format!("{} {}", words[0], &last[..cut]));
            }
            3 => out.push(name.clone()),
            4 => {
                let p: serde_json::Value = serde_json::from_str(&phones).unwrap();
                if let Some(num) = p[0]["number"].as_str() {
                    out.push(format!("0{}", &num[3..num.len().min(3 + 6)]));
                }
            }
            _ => out.push(words[0][..words[0].len().min(3)].to_string()),
        }
    }
    out
}

fn hand_written(conn: &rusqlite::Connection, q: &str) -> usize {
    // A number is looked up where numbers are indexed (any fragment: the trigram index), as anyone
    // writing this query by hand would.
    let d: String = q.chars().filter(char::is_ascii_digit).collect();
    if d.len() >= 3 && !q.chars().any(char::is_alphabetic) {
        let mut st = conn
            .prepare_cached(
                "SELECT c.id, c.name, c.phones, c.emails FROM customers c
                 WHERE c.seq IN (SELECT rowid FROM phone_fts WHERE phone_fts MATCH ? LIMIT 20)",
            )
            .unwrap();
        let rows = st.query_map([format!("\"{d}\"")], |r| r.get::<_, String>(0)).unwrap();
        return rows.count();
    }
    let toks = tokens(&fold(q));
    let m: Vec<String> = toks
        .iter()
        .enumerate()
        .map(|(i, t)| if i + 1 == toks.len() { format!("\"{t}\"*") } else { format!("\"{t}\"") })
        .collect();
    let mut st = conn
        .prepare_cached(
            "SELECT c.id, c.name, c.phones, c.emails FROM customers c
             WHERE c.seq IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? LIMIT 20)",
        )
        .unwrap();
    let rows = st.query_map([m.join(" ")], |r| r.get::<_, String>(0)).unwrap();
    rows.count()
}

fn main() {
    let sizes: Vec<u64> = std::env::var("TEND_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!("| size | query | p50 ms | p95 ms | p99 ms |");
    for n in sizes {
        let path = dir.join(format!("demo-{n}-seed42-schema{}.tend", Workspace::schema_version()));
        let ws = rt.block_on(async {
            let fresh = !path.exists();
            let ws = Workspace::open(&path).await.unwrap();
            if fresh {
                let t = Instant::now();
                let s = ws.generate_demo(n, 42).await.unwrap();
                eprintln!("generated {} customers in {:.1} s", s.customers, t.elapsed().as_secs_f64());
            }
            ws
        });
        let conn = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let qs = queries(&conn, 600);
        // Warm both paths.
        for q in qs.iter().take(50) {
            rt.block_on(ws.search(q, 20)).unwrap();
            hand_written(&conn, q);
        }
        let mut ours = Vec::new();
        let mut base = Vec::new();
        let mut hits = 0usize;
        for q in &qs {
            let t = Instant::now();
            hits += rt.block_on(ws.search(q, 20)).unwrap().len();
            ours.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            hand_written(&conn, q);
            base.push(t.elapsed().as_secs_f64() * 1e3);
        }
        if std::env::var_os("TEND_BENCH_KINDS").is_some() {
            // p95 by kind of query (the order `queries` makes them in), to see where time goes
            let kinds =
                ["first two words", "given name", "word + 3 letters", "full name", "phone fragment", "3-letter prefix"];
            for (k, label) in kinds.iter().enumerate() {
                let mut o: Vec<f64> = ours.iter().skip(k).step_by(6).copied().collect();
                let mut b: Vec<f64> = base.iter().skip(k).step_by(6).copied().collect();
                eprintln!(
                    "  {label:18} ours p50 {:.3} p95 {:.3} | hand p50 {:.3} p95 {:.3}",
                    pct(&mut o, 0.5),
                    pct(&mut o, 0.95),
                    pct(&mut b, 0.5),
                    pct(&mut b, 0.95)
                );
            }
        }

        println!(
            "{}",
            row(&format!("{n} Workspace::search"), &mut ours).replacen("| ", &format!("| {n} | "), 1).replacen(
                &format!("{n} Workspace::search"),
                "Workspace::search (ranked)",
                1
            )
        );
        println!("{}", row("hand-written FTS5", &mut base).replacen("| ", &format!("| {n} | "), 1));
        eprintln!("({} queries, {:.1} hits each on average)", qs.len(), hits as f64 / qs.len() as f64);
        // 360 open: the profile and the first page of the timeline.
        let ids: Vec<String> = {
            let mut rng = StdRng::seed_from_u64(2);
            let max: i64 = conn.query_row("SELECT MAX(seq) FROM customers", [], |r| r.get(0)).unwrap();
            (0..300)
                .filter_map(|_| {
                    conn.query_row("SELECT id FROM customers WHERE seq = ?", [rng.gen_range(1..=max)], |r| r.get(0))
                        .ok()
                })
                .collect()
        };
        let mut open = Vec::new();
        for id in &ids {
            let t = Instant::now();
            rt.block_on(async {
                ws.customer(id).await.unwrap();
                ws.timeline(id, None, 30).await.unwrap();
            });
            open.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!("{}", row("360 open (profile+timeline)", &mut open).replacen("| ", &format!("| {n} | "), 1));
        // The list's first page of 100 with its total, without a filter, with each one, and with
        // two; beside the hand-written page query plus COUNT(*) on the same filter.
        let tag: String = conn
            .query_row("SELECT tag FROM customer_tags GROUP BY tag ORDER BY COUNT(*) DESC LIMIT 1", [], |r| r.get(0))
            .unwrap();
        let owner: String = conn
            .query_row("SELECT owner_id FROM customers WHERE owner_id IS NOT NULL LIMIT 1", [], |r| r.get(0))
            .unwrap();
        let filters: Vec<(&str, CustomerFilter, String, Vec<String>)> = vec![
            ("no filter", CustomerFilter::default(), String::new(), vec![]),
            (
                "stage",
                CustomerFilter { stage_id: Some("customer".into()), ..Default::default() },
                " AND c.stage_id = ?".into(),
                vec!["customer".into()],
            ),
            (
                "owner",
                CustomerFilter { owner_id: Some(owner.clone()), ..Default::default() },
                " AND c.owner_id = ?".into(),
                vec![owner.clone()],
            ),
            (
                "tag",
                CustomerFilter { tag: Some(tag.clone()), ..Default::default() },
                " AND c.seq IN (SELECT customer_seq FROM customer_tags WHERE tag = ?)".into(),
                vec![tag.clone()],
            ),
            (
                "province",
                CustomerFilter { province: Some("Hà Nội".into()), ..Default::default() },
                " AND c.province = ?".into(),
                vec!["Hà Nội".into()],
            ),
            (
                "stage + province",
                CustomerFilter {
                    stage_id: Some("customer".into()),
                    province: Some("Hà Nội".into()),
                    ..Default::default()
                },
                " AND c.stage_id = ? AND c.province = ?".into(),
                vec!["customer".into(), "Hà Nội".into()],
            ),
        ];
        for (label, filter, sql, binds) in &filters {
            let (mut ours, mut hand, mut counts) = (Vec::new(), Vec::new(), Vec::new());
            for i in 0..60 {
                let t = Instant::now();
                let page = rt.block_on(ws.list_customers(filter, 0, 100)).unwrap();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                let t = Instant::now();
                let params: Vec<&dyn rusqlite::ToSql> = binds.iter().map(|b| b as &dyn rusqlite::ToSql).collect();
                let total: i64 = conn
                    .prepare_cached(&format!("SELECT COUNT(*) FROM customers c WHERE c.deleted_at IS NULL{sql}"))
                    .unwrap()
                    .query_row(params.as_slice(), |r| r.get(0))
                    .unwrap();
                let mut st = conn
                    .prepare_cached(&format!(
                        "SELECT c.id, c.name, c.phones, c.province FROM customers c WHERE c.deleted_at IS NULL{sql}
                         ORDER BY c.name_folded, c.seq LIMIT 100"
                    ))
                    .unwrap();
                let rows = st.query_map(params.as_slice(), |r| r.get::<_, String>(0)).unwrap().count();
                let hand_ms = t.elapsed().as_secs_f64() * 1e3;
                if page.estimated {
                    // the list shows the estimate at once and asks for the exact count after
                    let t = Instant::now();
                    let exact = rt.block_on(ws.count_customers(filter)).unwrap();
                    if i >= 10 {
                        counts.push(t.elapsed().as_secs_f64() * 1e3);
                    }
                    assert_eq!((exact, page.rows.len()), (total, rows), "{label}");
                } else {
                    assert_eq!((page.total, page.rows.len()), (Some(total), rows), "{label}");
                }
                if i >= 10 {
                    ours.push(ms);
                    hand.push(hand_ms);
                }
            }
            if !counts.is_empty() {
                println!(
                    "{}",
                    row(&format!("  then the exact count, {label}"), &mut counts).replacen(
                        "| ",
                        &format!("| {n} | "),
                        1
                    )
                );
            }
            println!(
                "{}",
                row(&format!("list first page + total, {label}"), &mut ours).replacen("| ", &format!("| {n} | "), 1)
            );
            println!(
                "{}",
                row(&format!("hand-written page + COUNT(*), {label}"), &mut hand).replacen(
                    "| ",
                    &format!("| {n} | "),
                    1
                )
            );
        }
        rt.block_on(ws.close());
    }
}
