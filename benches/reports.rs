//! The owners' KPIs at scale (a benchmark, not a test).
//!
//! `cargo bench --bench reports` builds (once, cached in target/bench-data) a workspace of 10k
//! demo customers, three teams with an SLA policy, 20 agents, 1M tickets opened over the twelve
//! months of 2026 (nine in ten solved, some late, some reopened, six categories, every channel
//! and priority), 10M thread messages (ten per ticket) and 500k survey answers (CSAT, NPS, CES),
//! then prints the full KPI set of those twelve months (`Workspace::report`: the period and the
//! one before it) beside hand-written SQL answering the same KPIs on the same file, one query
//! after another: goal <= 300 ms.
//!
//! `TEND_BENCH_REPORT_TICKETS=N` makes a smaller workspace (its own cached file).

use std::path::PathBuf;
use std::time::Instant;
use tend::reports::{ReportQuery, TimeBasis};
use tend::tickets::TeamInput;
use tend::Workspace;

const STAFF: i64 = 20;
/// 2026-01-01T00:00:00+07:00: tickets are opened from here on, over 365 days
const START: i64 = 1_767_200_400_000;
const SPAN: i64 = 365 * 86_400_000;
const NOW: i64 = START + SPAN + 86_400_000;
const RUNS: usize = 10;

fn fill(path: &std::path::Path, tickets: i64) {
    let c = rusqlite::Connection::open(path).unwrap();
    // under a replayed context: the rows go in without change records (the bench measures reads)
    c.execute_batch(
        "PRAGMA cache_size = -400000; BEGIN;
         INSERT INTO txs (hlc, at_ms, actor, device) VALUES ('9999999999999:00000:bench', 0, NULL, 'bench');
         INSERT INTO write_ctx (one, tx, replay) VALUES (1, last_insert_rowid(), 1);",
    )
    .unwrap();
    for i in 0..STAFF {
        c.execute(
            "INSERT INTO staff (id, name, email, role, created_at) VALUES (?1, ?2, NULL, 'agent', 0)",
            rusqlite::params![format!("staff-{i:02}"), format!("Nhân viên {i}")],
        )
        .unwrap();
    }
    let step = SPAN / tickets;
    // ticket i: customer i % N, team i % 3, agent i % 20, channel i % 8, priority (i / 4) % 4,
    // category i % 6; nine in ten solved (after 1 to 72 hours, answered first within 8 hours,
    // one in three with a second reply, one in twenty reopened two days after its solve), the
    // rest open; deadlines 4 h and 48 h after it came, breached when passed
    c.execute(
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {tickets}),
             cs AS (SELECT id, ROW_NUMBER() OVER (ORDER BY seq) - 1 AS k, COUNT(*) OVER () AS total FROM customers),
             tm AS (SELECT t.id, ROW_NUMBER() OVER (ORDER BY t.name) - 1 AS k,
                        (SELECT id FROM sla_policies p WHERE p.team_id = t.id) AS sla,
                        (SELECT id FROM ticket_stages s WHERE s.team_id = t.id AND s.solved = 1 ORDER BY position LIMIT 1) AS done,
                        (SELECT id FROM ticket_stages s WHERE s.team_id = t.id AND s.position = 1) AS open
                    FROM teams t),
             v AS (SELECT n.i, cs.id AS customer, tm.id AS team, tm.sla, tm.done, tm.open,
                        {START} + n.i * {step} AS created,
                        n.i % 10 <> 0 AS solved,
                        ((n.i * 7919) % 480 + 1) * 60000 AS fr,
                        ((n.i * 104729) % 72 + 1) * 3600000 AS res
                   FROM n JOIN cs ON cs.k = n.i % cs.total JOIN tm ON tm.k = n.i % 3)
             INSERT INTO tickets (id, number, subject, customer_id, team_id, stage_id, priority, severity, category,
                 channel, assignee_id, sla_id, first_response_due, resolution_due, first_response_at,
                 first_response_ms, first_response_work_ms, first_response_breached_at, next_response_breached_at,
                 solved_at, resolution_ms, resolution_work_ms, resolution_breached_at, paused_ms, paused_work_ms,
                 reopened, created_at, replies, first_solved_at, reopened_at, stage_at, handling_ms, handling_work_ms)
             SELECT 't-' || i, 'B-' || (i + 1), 'Yêu cầu số ' || i, customer, team,
                 CASE WHEN solved THEN done ELSE open END,
                 CASE (i / 4) % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END, 'minor',
                 CASE i % 6 WHEN 0 THEN 'Bảo hành' WHEN 1 THEN 'Khiếu nại' WHEN 2 THEN 'Đổi trả' WHEN 3 THEN 'Lắp đặt'
                     WHEN 4 THEN 'Tư vấn' ELSE 'Giao hàng' END,
                 CASE i % 8 WHEN 0 THEN 'phone' WHEN 1 THEN 'email' WHEN 2 THEN 'website' WHEN 3 THEN 'live_chat'
                     WHEN 4 THEN 'facebook' WHEN 5 THEN 'zalo' WHEN 6 THEN 'in_person' ELSE 'other' END,
                 printf('staff-%02d', i % {STAFF}), sla, created + 4 * 3600000, created + 48 * 3600000,
                 created + fr, fr, fr * 6 / 10, CASE WHEN fr > 4 * 3600000 THEN created + 4 * 3600000 END,
                 CASE WHEN i % 10 = 3 THEN created + fr + 3600000 END,
                 CASE WHEN solved THEN created + res END, CASE WHEN solved THEN res END,
                 CASE WHEN solved THEN res * 4 / 10 END,
                 CASE WHEN solved AND res > 48 * 3600000 THEN created + 48 * 3600000 END, 0, 0,
                 CASE WHEN i % 20 = 1 THEN 1 ELSE 0 END, created, CASE WHEN i % 3 = 0 THEN 2 ELSE 1 END,
                 CASE WHEN solved THEN created + res END,
                 CASE WHEN solved AND i % 20 = 1 THEN created + res + 2 * 86400000 END,
                 CASE WHEN solved THEN created + res ELSE created END,
                 CASE WHEN solved THEN res / 2 END, CASE WHEN solved THEN res / 5 END
             FROM v"
        ),
        [],
    )
    .unwrap();
    // ten messages a ticket: the customer's and the replies in turn
    c.execute(
        "INSERT INTO ticket_messages (id, ticket_id, customer_id, kind, staff_id, channel, body, at, created_at)
         SELECT t.id || '-' || k.j, t.id, t.customer_id, CASE WHEN k.j % 2 = 0 THEN 'customer' ELSE 'reply' END,
                CASE WHEN k.j % 2 = 0 THEN NULL ELSE t.assignee_id END, t.channel,
                'Tin nhắn ' || k.j || ': máy vẫn kêu to khi vắt, em kiểm tra giúp chị với ạ.',
                t.created_at + k.j * 600000, t.created_at + k.j * 600000
         FROM tickets t, (WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 9) SELECT j FROM k) k",
        [],
    )
    .unwrap();
    // survey answers: CSAT on three in ten solved tickets, NPS and CES on one in ten each
    c.execute(
        "INSERT INTO survey_answers (id, ticket_id, customer_id, kind, score, sent_at, answered_at, source, created_at)
         SELECT 's-' || t.id || '-' || x.kind, t.id, t.customer_id, x.kind,
                CASE x.kind WHEN 'csat' THEN 1 + (t.rowid * 31) % 5 WHEN 'nps' THEN (t.rowid * 17) % 11
                    ELSE 1 + (t.rowid * 13) % 7 END,
                t.solved_at, t.solved_at + 86400000, 'link', t.solved_at
         FROM tickets t JOIN (SELECT 'csat' AS kind UNION ALL SELECT 'nps' UNION ALL SELECT 'ces') x
           ON (t.rowid * 7) % 10 < CASE x.kind WHEN 'csat' THEN 3 ELSE 1 END
         WHERE t.solved_at IS NOT NULL",
        [],
    )
    .unwrap();
    c.execute_batch("DELETE FROM write_ctx; COMMIT; ANALYZE;").unwrap();
    let (busy, _, _): (i64, i64, i64) =
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!(busy, 0, "the checkpoint did not finish");
}

/// The same KPI set as the report, by hand in SQL, one query after another.
fn hand_written(c: &rusqlite::Connection, start: i64, end: i64) -> i64 {
    let live = "deleted_at IS NULL AND merged_into IS NULL";
    let one = |sql: &str| -> i64 { c.prepare_cached(sql).unwrap().query_row([start, end], |r| r.get(0)).unwrap() };
    let list = |sql: &str| -> Vec<i64> {
        c.prepare_cached(sql).unwrap().query_map([start, end], |r| r.get(0)).unwrap().map(|v| v.unwrap()).collect()
    };
    let mut n = one(&format!("SELECT COUNT(*) FROM tickets WHERE {live} AND created_at >= ?1 AND created_at < ?2"));
    n += one(&format!("SELECT COUNT(*) FROM tickets WHERE {live} AND solved_at >= ?1 AND solved_at < ?2"));
    for dim in ["channel", "team_id", "category", "priority", "assignee_id"] {
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {dim}, COUNT(*) FROM tickets WHERE {live} AND created_at >= ?1 AND created_at < ?2 GROUP BY {dim}"
            ))
            .unwrap();
        n += st.query_map([start, end], |r| r.get::<_, i64>(1)).unwrap().count() as i64;
    }
    // durations sorted by SQLite for the median and 90th percentile; mean, buckets alongside
    for (col, at) in [
        ("first_response_work_ms", "first_response_at"),
        ("resolution_work_ms", "solved_at"),
        ("handling_work_ms", "solved_at"),
    ] {
        let v = list(&format!(
            "SELECT {col} FROM tickets WHERE {live} AND {at} >= ?1 AND {at} < ?2 AND {col} IS NOT NULL ORDER BY {col}"
        ));
        n += v.len() as i64;
    }
    n += one(&format!(
        "SELECT SUM(first_response_work_ms < 3600000) + SUM(first_response_work_ms >= 86400000) FROM tickets
         WHERE {live} AND first_response_at >= ?1 AND first_response_at < ?2"
    ));
    // FCR and re-contact
    n += one(&format!(
        "SELECT SUM(replies = 1 AND (reopened_at IS NULL OR reopened_at - first_solved_at > 604800000)) FROM tickets
         WHERE {live} AND solved_at >= ?1 AND solved_at < ?2 AND replies IS NOT NULL"
    ));
    n += one("SELECT COUNT(*) FROM tickets t WHERE t.deleted_at IS NULL AND t.merged_into IS NULL
           AND t.solved_at >= ?1 AND t.solved_at < ?2
           AND EXISTS (SELECT 1 FROM tickets o WHERE o.customer_id = t.customer_id AND o.deleted_at IS NULL
                         AND o.created_at > t.solved_at AND o.created_at <= t.solved_at + 604800000)");
    // SLA per target
    for (due, done, late) in [
        ("first_response_due", "first_response_at", "first_response_breached_at"),
        ("resolution_due", "solved_at", "resolution_breached_at"),
    ] {
        n += one(&format!(
            "SELECT SUM({done} IS NOT NULL AND {late} IS NULL) + SUM({late} IS NOT NULL OR {done} IS NULL) FROM tickets
             WHERE {live} AND {due} >= ?1 AND {due} < ?2"
        ));
    }
    n += one(&format!(
        "SELECT SUM(next_response_breached_at IS NULL) FROM tickets WHERE {live} AND solved_at >= ?1 AND solved_at < ?2"
    ));
    // surveys
    let mut st = c
        .prepare_cached(
            "SELECT kind, score, COUNT(*) FROM survey_answers WHERE deleted_at IS NULL AND answered_at >= ?1
             AND answered_at < ?2 AND score IS NOT NULL GROUP BY kind, score",
        )
        .unwrap();
    n += st.query_map([start, end], |r| r.get::<_, i64>(2)).unwrap().count() as i64;
    n += one("SELECT COUNT(score) FROM survey_answers WHERE deleted_at IS NULL AND sent_at >= ?1 AND sent_at < ?2");
    // complaints per customer served, by staff
    n += one(&format!(
        "SELECT COUNT(DISTINCT customer_id) FROM tickets WHERE {live} AND created_at >= ?1 AND created_at < ?2"
    ));
    let mut st = c
        .prepare_cached(&format!(
            "SELECT assignee_id, COUNT(*), SUM(solved_at IS NOT NULL) FROM tickets
             WHERE {live} AND created_at >= ?1 AND created_at < ?2 GROUP BY assignee_id"
        ))
        .unwrap();
    n += st.query_map([start, end], |r| r.get::<_, i64>(1)).unwrap().count() as i64;
    n
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let tickets: i64 =
        std::env::var("TEND_BENCH_REPORT_TICKETS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("reports-{tickets}-schema{}.tend", Workspace::schema_version()));
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
                    "name = \"{name}\"\ntime_zone = \"Asia/Ho_Chi_Minh\"\nvn_public_holidays = true\nsurvey = \"csat\"\n\
                     [[sla]]\nname = \"Chung\"\nfirst_response_minutes = 240\nnext_response_minutes = 120\n\
                     resolution_minutes = 2880\n"
                ))
                .unwrap();
                ws.create_team(&input).await.unwrap();
            }
            ws.set_report_settings(&tend::reports::ReportSettings {
                complaint_categories: vec!["Khiếu nại".into()],
                return_categories: vec!["Đổi trả".into()],
            })
            .await
            .unwrap();
            ws.close().await;
        });
        fill(&partial, tickets);
        std::fs::rename(&partial, &path).unwrap();
        eprintln!("made {} in {:.1} s", path.display(), t.elapsed().as_secs_f64());
    }
    let clock = std::sync::Arc::new(tend::FixedClock::new(NOW));
    let ws = rt.block_on(Workspace::open_with_clock(&path, clock)).unwrap();
    let raw = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    raw.execute_batch("PRAGMA cache_size = -32000").unwrap();
    let messages: i64 = raw.query_row("SELECT COUNT(*) FROM ticket_messages", [], |r| r.get(0)).unwrap();
    let q = ReportQuery {
        from: "2026-01-01".into(),
        to: "2026-12-31".into(),
        time: TimeBasis::Business,
        ..Default::default()
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    // every chunk stale, as after the tickets were written: the first report builds them all
    let rw = rusqlite::Connection::open(&path).unwrap();
    rw.execute("UPDATE report_chunks SET built = NULL", []).unwrap();
    drop(rw);
    let t = Instant::now();
    let first = rt.block_on(ws.report(&q)).unwrap();
    let cold = t.elapsed().as_secs_f64() * 1e3;
    // the chunks that report stored, moved from the WAL into the file as the running app's
    // checkpoints do (a WAL left behind by an earlier run is read frame by frame)
    let rw = rusqlite::Connection::open(&path).unwrap();
    let (busy, _, _): (i64, i64, i64) =
        rw.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!(busy, 0, "the checkpoint did not finish");
    drop(rw);
    // TEND_BENCH_REPORT_PROFILE: Tend's report alone, many times (for a profiler)
    let profile = std::env::var("TEND_BENCH_REPORT_PROFILE").is_ok();
    if profile {
        for _ in 0..50 {
            let t = Instant::now();
            rt.block_on(ws.report(&q)).unwrap();
            ours.push(t.elapsed().as_secs_f64() * 1e3);
        }
        eprintln!(
            "Tend alone: the first report {cold:.0} ms (every chunk built); 50 more: p50 {:.0} ms, p95 {:.0} ms",
            pct(&mut ours, 0.5),
            pct(&mut ours, 0.95)
        );
        return;
    }
    let _ = hand_written(&raw, START, START + SPAN);
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = rt.block_on(ws.report(&q)).unwrap();
        ours.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(r.current.helpdesk.tickets, first.current.helpdesk.tickets);
        if profile {
            continue;
        }
        let t = Instant::now();
        std::hint::black_box(hand_written(&raw, START, START + SPAN));
        theirs.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let h = &first.current.helpdesk;
    println!(
        "## The full KPI set of 12 months: {} tickets, {messages} thread messages, {} survey answers rated\n",
        h.tickets,
        h.csat.rated + h.nps.answers + h.ces.answers
    );
    println!("| | p50 ms | p95 ms |");
    println!("|---|---|---|");
    println!("| Tend, the first report after the tickets were written (every chunk built and stored) | {cold:.0} | |");
    println!(
        "| Tend: `Workspace::report` (the period and the one before, every KPI) | {:.0} | {:.0} |",
        pct(&mut ours, 0.5),
        pct(&mut ours, 0.95)
    );
    println!(
        "| baseline: hand-written SQL of the same KPIs, one period, one query after another | {:.0} | {:.0} |",
        pct(&mut theirs, 0.5),
        pct(&mut theirs, 0.95)
    );
    println!(
        "\nsolved {}, first response median {:?} min, FCR {:?}%, re-contact {:?}%, CSAT {:?}%",
        h.solved, h.first_response_minutes.median, h.fcr_percent, h.recontact_percent, h.csat.percent
    );
}
