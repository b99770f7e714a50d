//! Helpdesk reads at scale (a benchmark, not a test).
//!
//! `cargo bench --bench tickets` builds (once, cached in target/bench-data) a workspace of 10k
//! demo customers, three teams and 1M tickets (a quarter of them open, spread over two years,
//! every priority and channel, 20 agents), one of them with a 200-message thread, then prints
//! p50/p95 beside a hand-written query answering the same question on the same file:
//! - the ticket list's first page (50 rows) with its total, open tickets of one team and one
//!   priority, by nearest deadline: goal p95 <= 15 ms;
//! - opening the ticket with 200 messages (row, thread, checklist, surveys, links): goal <= 5 ms.
//!
//! The tickets are put in with one SQL statement under a change context: the bench measures reads.

use std::path::PathBuf;
use std::time::Instant;
use tend::tickets::{Priority, TeamInput, TicketFilter, TicketView};
use tend::Workspace;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

const RUNS: usize = 50;
const TICKETS: i64 = 1_000_000;
const STAFF: i64 = 20;
/// 2025-01-01T00:00:00Z: tickets are opened from here on, 1M over two years
const START: i64 = 1_735_689_600_000;
const SPAN: i64 = 2 * 365 * 86_400_000;
/// "now" for the bench: after every ticket was opened
const NOW: i64 = START + SPAN + 86_400_000;

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
    // ticket i: customer i % N, team i % 3, priority (i / 4) % 4, channel i % 8, agent i % 20; three in
    // four solved (in the team's solved stage), the rest open in its second stage with deadlines
    c.execute(
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {TICKETS}),
             cs AS (SELECT id, ROW_NUMBER() OVER (ORDER BY seq) - 1 AS k, COUNT(*) OVER () AS total FROM customers),
             tm AS (SELECT id, ROW_NUMBER() OVER (ORDER BY name) - 1 AS k FROM teams),
             st AS (SELECT team_id, id, position, solved FROM ticket_stages)
             INSERT INTO tickets (id, number, subject, customer_id, team_id, stage_id, priority, severity, channel,
                 assignee_id, first_response_due, resolution_due, first_response_at, solved_at, paused_ms,
                 paused_work_ms, reopened, created_at)
             SELECT 't-' || n.i, 'B-' || (n.i + 1), 'Yêu cầu số ' || n.i, cs.id, tm.id,
                 (SELECT id FROM st WHERE st.team_id = tm.id AND (CASE WHEN n.i % 4 = 0 THEN st.position = 1
                     ELSE st.solved = 1 END) ORDER BY st.position LIMIT 1),
                 CASE (n.i / 4) % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END, 'minor',
                 CASE n.i % 8 WHEN 0 THEN 'phone' WHEN 1 THEN 'email' WHEN 2 THEN 'website' WHEN 3 THEN 'live_chat'
                     WHEN 4 THEN 'facebook' WHEN 5 THEN 'zalo' WHEN 6 THEN 'in_person' ELSE 'other' END,
                 printf('staff-%02d', n.i % {STAFF}),
                 {START} + n.i * ({SPAN} / {TICKETS}) + 4 * 3600000, {START} + n.i * ({SPAN} / {TICKETS}) + 48 * 3600000,
                 CASE WHEN n.i % 4 = 0 THEN NULL ELSE {START} + n.i * ({SPAN} / {TICKETS}) + 3600000 END,
                 CASE WHEN n.i % 4 = 0 THEN NULL ELSE {START} + n.i * ({SPAN} / {TICKETS}) + 7200000 END,
                 0, 0, 0, {START} + n.i * ({SPAN} / {TICKETS})
             FROM n JOIN cs ON cs.k = n.i % cs.total JOIN tm ON tm.k = n.i % 3"
        ),
        [],
    )
    .unwrap();
    // the long thread: ticket t-8 (open, low priority) with 200 messages
    c.execute(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 200)
         INSERT INTO ticket_messages (id, ticket_id, customer_id, kind, staff_id, channel, body, at, created_at)
         SELECT 'm-' || n.i, t.id, t.customer_id, CASE WHEN n.i % 2 = 0 THEN 'customer' ELSE 'reply' END,
                CASE WHEN n.i % 2 = 0 THEN NULL ELSE 'staff-03' END, 'zalo',
                'Tin nhắn số ' || n.i || ': máy vẫn kêu to khi vắt, em kiểm tra giúp chị với ạ.',
                t.created_at + n.i * 60000, t.created_at + n.i * 60000
         FROM n, tickets t WHERE t.id = 't-8'",
        [],
    )
    .unwrap();
    c.execute_batch("DELETE FROM write_ctx; COMMIT; ANALYZE;").unwrap();
    // everything in the main file before it is renamed (its WAL would not follow it)
    let (busy, _, _): (i64, i64, i64) =
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!(busy, 0, "the checkpoint did not finish");
    let ok: String = c.query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok", "the bench file is damaged");
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("tickets-1m-schema{}.tend", Workspace::schema_version()));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    if !path.exists() {
        let t = Instant::now();
        let partial = path.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        rt.block_on(async {
            let ws = Workspace::open(&partial).await.unwrap();
            ws.generate_demo(10_000, 42).await.unwrap();
            for name in ["Bảo hành", "Giao hàng", "Hỗ trợ bán hàng"] {
                let input = TeamInput::from_toml(&format!(
                    "name = \"{name}\"\ntime_zone = \"Asia/Ho_Chi_Minh\"\nvn_public_holidays = true\n\
                     [[sla]]\nname = \"Chung\"\nfirst_response_minutes = 240\nresolution_minutes = 2880\n"
                ))
                .unwrap();
                ws.create_team(&input).await.unwrap();
            }
            ws.close().await;
        });
        fill(&partial);
        std::fs::rename(&partial, &path).unwrap();
        eprintln!("made {} in {:.1} s", path.display(), t.elapsed().as_secs_f64());
    }
    let clock = std::sync::Arc::new(tend::FixedClock::new(NOW));
    let ws = rt.block_on(Workspace::open_with_clock(&path, clock)).unwrap();
    rt.block_on(ws.set_current_staff(Some("staff-07"))).unwrap();
    let team: String = rt.block_on(ws.team("Giao hàng")).unwrap().id;
    let raw = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    println!("| read | Tend p50 ms | p95 ms | rows | hand-written p50 ms | p95 ms | rows |");
    println!("|---|---|---|---|---|---|---|");

    let filter = TicketFilter {
        view: TicketView::Open,
        team_id: Some(team.clone()),
        priority: Some(Priority::Low),
        limit: 50,
        ..Default::default()
    };
    bench(
        "ticket list: first page + total, open, one team, one priority (1M tickets)",
        || {
            let page = rt.block_on(ws.tickets(&filter)).unwrap();
            assert!(page.total > 0);
            page.rows.len()
        },
        || {
            let total: i64 = raw
                .prepare_cached(
                    "SELECT COUNT(*) FROM tickets WHERE deleted_at IS NULL AND merged_into IS NULL
                     AND closed_at IS NULL AND solved_at IS NULL AND team_id = ?1 AND priority = 'low'",
                )
                .unwrap()
                .query_row([&team], |r| r.get(0))
                .unwrap();
            assert!(total > 0);
            let mut st = raw
                .prepare_cached(
                    "SELECT t.id, t.number, t.subject, c.name, t.stage_id, t.assignee_id, t.first_response_due,
                            t.resolution_due, t.created_at
                     FROM tickets t JOIN customers c ON c.id = t.customer_id
                     WHERE t.deleted_at IS NULL AND t.merged_into IS NULL AND t.closed_at IS NULL
                       AND t.solved_at IS NULL AND t.team_id = ?1 AND t.priority = 'low'
                     ORDER BY MIN(COALESCE(CASE WHEN t.first_response_at IS NULL THEN t.first_response_due END, 9e18),
                                  COALESCE(t.resolution_due, 9e18)), t.created_at DESC
                     LIMIT 50",
                )
                .unwrap();
            st.query_map([&team], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(3)?)))
                .unwrap()
                .count()
        },
    );

    bench(
        "open a ticket with a 200-message thread",
        || rt.block_on(ws.ticket("B-9")).unwrap().messages.len(),
        || {
            let _row: (String, String, String) = raw
                .prepare_cached(
                    "SELECT t.id, t.subject, c.name FROM tickets t JOIN customers c ON c.id = t.customer_id
                     WHERE t.number = 'B-9'",
                )
                .unwrap()
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap();
            let mut st = raw
                .prepare_cached(
                    "SELECT m.id, m.kind, m.staff_id, s.name, m.channel, m.body, m.attachments, m.at FROM ticket_messages m
                     LEFT JOIN staff s ON s.id = m.staff_id WHERE m.ticket_id = 't-8' ORDER BY m.at, m.id",
                )
                .unwrap();
            st.query_map([], |r| r.get::<_, String>(0)).unwrap().count()
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
