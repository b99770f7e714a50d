//! Care and pipeline reads at scale (a benchmark, not a test).
//!
//! `cargo bench --bench care` builds (once, cached in target/bench-data) a workspace of 10k demo
//! customers with 1M care tasks for 20 staff members (spread over two years) and 100k deals, then
//! prints p50/p95 beside a hand-written query answering the same question on the same file:
//! - the Care screen's month view: every task due in one month (10k tasks), goal <= 50 ms;
//! - the scheduler's next-due lookup for the current user among 1M tasks, goal <= 1 ms;
//! - the pipeline (each stage's count and totals, 200 cards per column) over 100k deals.
//!
//! The tasks and deals are put in with one SQL statement each under a change context, not
//! through enrolment: the bench measures reads, and a million enrolments would take minutes.

use std::path::PathBuf;
use std::time::Instant;
use tend::Workspace;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

const RUNS: usize = 30;
const TASKS: i64 = 1_000_000;
const STAFF: i64 = 20;
const DEALS: i64 = 100_000;
/// 2027-01-01T00:00:00+07:00: the tasks fall due from here on, 1M over two years
const START: i64 = 1_798_736_400_000;
const SPAN: i64 = 2 * 365 * 86_400_000;

fn fill(path: &std::path::Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "BEGIN;
         INSERT INTO txs (hlc, at_ms, actor, device) VALUES ('9999999999999:00000:bench', 0, NULL, 'bench');
         INSERT INTO write_ctx (one, tx) VALUES (1, last_insert_rowid());",
    )
    .unwrap();
    for i in 0..STAFF {
        c.execute(
            "INSERT INTO staff (id, name, email, role, created_at) VALUES (?1, ?2, NULL, 'agent', 0)",
            rusqlite::params![format!("staff-{i:02}"), format!("Nhân viên {i}")],
        )
        .unwrap();
    }
    c.execute(
        "INSERT INTO care_plans (id, name, anchor, steps, created_at) VALUES ('plan', 'Bench', 'enrolment', '[]', 0)",
        [],
    )
    .unwrap();
    c.execute_batch(
        "INSERT INTO care_enrolments (id, plan_id, customer_id, anchor_key, anchor_at, source, enrolled_at)
         SELECT 'e-' || seq, 'plan', id, 'enrolment', 0, 'hand', 0 FROM customers;",
    )
    .unwrap();
    // task i: customer i % N, staff i % 20, due evenly over two years from START
    c.execute(
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {TASKS}),
             cs AS (SELECT id, seq, ROW_NUMBER() OVER (ORDER BY seq) - 1 AS k, COUNT(*) OVER () AS total FROM customers)
             INSERT INTO care_tasks (id, enrolment_id, plan_id, customer_id, step, occurrence, name, channel, message,
                                     due_at, remind_at, assignee_id, state, created_at)
             SELECT 't-' || n.i, 'e-' || cs.seq, 'plan', cs.id, n.i / cs.total, '', 'Gọi chăm sóc', 'call', 'Gọi khách',
                    {START} + n.i * ({SPAN} / {TASKS}), {START} + n.i * ({SPAN} / {TASKS}),
                    printf('staff-%02d', n.i % {STAFF}), 'scheduled', 0
             FROM n JOIN cs ON cs.k = n.i % cs.total"
        ),
        [],
    )
    .unwrap();
    c.execute(
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {DEALS}),
             cs AS (SELECT id, ROW_NUMBER() OVER (ORDER BY seq) - 1 AS k, COUNT(*) OVER () AS total FROM customers),
             st AS (SELECT id, ROW_NUMBER() OVER (ORDER BY position) - 1 AS k FROM deal_stages)
             INSERT INTO deals (id, customer_id, title, stage_id, amount, currency, expected_close, owner_id,
                                stage_changed_at, created_at)
             SELECT 'd-' || n.i, cs.id, 'Cơ hội ' || n.i, st.id, 1000000 + (n.i % 50) * 250000, 'VND',
                    date('2027-01-01', '+' || (n.i % 365) || ' days'), printf('staff-%02d', n.i % {STAFF}), 0, 0
             FROM n JOIN cs ON cs.k = n.i % cs.total JOIN st ON st.k = n.i % 7"
        ),
        [],
    )
    .unwrap();
    c.execute_batch("DELETE FROM write_ctx; COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("care-1m-tasks-schema{}.tend", Workspace::schema_version()));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    if !path.exists() {
        let t = Instant::now();
        let partial = path.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        rt.block_on(async {
            let ws = Workspace::open(&partial).await.unwrap();
            ws.generate_demo(10_000, 42).await.unwrap();
            ws.close().await;
        });
        fill(&partial);
        std::fs::rename(&partial, &path).unwrap();
        eprintln!("made {} in {:.1} s", path.display(), t.elapsed().as_secs_f64());
    }
    let ws = rt.block_on(Workspace::open(&path)).unwrap();
    rt.block_on(ws.set_current_staff(Some("staff-07"))).unwrap();
    let raw = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    println!("| read | Tend p50 ms | p95 ms | rows | hand-written p50 ms | p95 ms | rows |");
    println!("|---|---|---|---|---|---|---|");

    // the Care screen's month view: March 2027, every staff member (10k of the 1M tasks)
    let from = START + 59 * 86_400_000;
    let to = from + 31 * 86_400_000;
    let filter = tend::care::TaskFilter {
        due_from: Some(from),
        due_before: Some(to),
        limit: Some(10_000),
        ..Default::default()
    };
    let hand = "SELECT t.id, t.customer_id, c.name, t.plan_id, p.name, t.name, t.channel, t.message, t.due_at,
                t.remind_at, t.assignee_id, t.state FROM care_tasks t JOIN customers c ON c.id = t.customer_id
                LEFT JOIN care_plans p ON p.id = t.plan_id
                WHERE t.due_at >= ?1 AND t.due_at < ?2 AND t.deleted_at IS NULL AND c.deleted_at IS NULL
                ORDER BY t.due_at LIMIT 10000";
    bench(
        "month view, all staff (March 2027)",
        || rt.block_on(ws.care_tasks(&filter)).unwrap().len(),
        || {
            let mut st = raw.prepare_cached(hand).unwrap();
            let rows = st
                .query_map([from, to], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, i64>(8)?,
                        r.get::<_, Option<i64>>(9)?,
                        r.get::<_, Option<String>>(10)?,
                        r.get::<_, String>(11)?,
                    ))
                })
                .unwrap()
                .collect::<rusqlite::Result<Vec<_>>>()
                .unwrap();
            rows.len()
        },
    );

    // the scheduler's lookup: the current user's next reminder after those already looked at
    let through = START + SPAN / 2;
    rt.block_on(async {
        sqlx::query("INSERT OR REPLACE INTO meta (key, value) VALUES ('reminded_through:staff-07', ?)")
            .bind(through.to_string())
            .execute(ws.pool())
            .await
            .unwrap();
    });
    bench(
        "next reminder of one user among 1M tasks",
        || rt.block_on(ws.next_reminder_at()).unwrap().map_or(0, |_| 1),
        || {
            let mut st = raw
                .prepare_cached(
                    "SELECT MIN(remind_at) FROM care_tasks WHERE assignee_id = 'staff-07' AND remind_at > ?1",
                )
                .unwrap();
            st.query_row([through], |r| r.get::<_, Option<i64>>(0)).unwrap().map_or(0, |_| 1)
        },
    );

    // the pipeline: 100k deals, every owner, all periods
    let pf = tend::deals::DealFilter::default();
    bench(
        "pipeline over 100k deals (counts, totals, 200 cards a column)",
        || rt.block_on(ws.pipeline(&pf)).unwrap().deals.len(),
        || {
            let mut totals = raw
                .prepare_cached(
                    "SELECT d.stage_id, COUNT(*), d.currency, SUM(d.amount), SUM(d.amount * s.probability / 100)
                     FROM deals d JOIN deal_stages s ON s.id = d.stage_id WHERE d.deleted_at IS NULL
                     GROUP BY d.stage_id, d.currency",
                )
                .unwrap();
            let n = totals.query_map([], |r| r.get::<_, i64>(1)).unwrap().count();
            let mut cards = raw
                .prepare_cached(
                    "SELECT d.id, d.title, d.amount, d.expected_close, c.name FROM (SELECT x.*, ROW_NUMBER()
                     OVER (PARTITION BY x.stage_id ORDER BY x.expected_close) AS k FROM deals x
                     WHERE x.deleted_at IS NULL) d JOIN customers c ON c.id = d.customer_id WHERE d.k <= 200",
                )
                .unwrap();
            let shown = cards.query_map([], |r| r.get::<_, String>(0)).unwrap().count();
            let _ = n;
            shown
        },
    );
}

fn bench(label: &str, mut ours: impl FnMut() -> usize, mut theirs: impl FnMut() -> usize) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut na, mut nb) = (0, 0);
    ours();
    theirs();
    for _ in 0..RUNS {
        let t = Instant::now();
        na = ours();
        a.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        nb = theirs();
        b.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "| {label} | {:.2} | {:.2} | {na} | {:.2} | {:.2} | {nb} |",
        pct(&mut a, 0.5),
        pct(&mut a, 0.95),
        pct(&mut b, 0.5),
        pct(&mut b, 0.95)
    );
}
