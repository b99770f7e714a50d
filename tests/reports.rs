//! The owners' KPIs against a hand-computed fixture (docs/kpis.md): one week of a small team's
//! tickets in Hồ Chí Minh City time, with a Friday holiday and a weekend between a question and
//! its answer, a paused ticket, a reopened one, one spanning the period's start, unrated and
//! rated tickets, and a customer who came back. Every expected figure below is worked out by hand
//! in the comment beside it.

mod common;
use common::*;
use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};
use tend::reports::{ReportQuery, ReportSettings, TimeBasis};
use tend::staff::{Role, StaffInput};
use tend::tickets::{MessageKind, NewTicket, Reply, SurveyAnswerInput, SurveyKind, TeamInput, TicketChannel};

/// Local time in Hồ Chí Minh City (UTC+7).
fn at(local: &str) -> i64 {
    format!("{local}:00+07:00[Asia/Ho_Chi_Minh]").parse::<jiff::Zoned>().expect(local).timestamp().as_millisecond()
}

// Working hours Mon–Fri 08:00–12:00 and 13:00–17:00, Sat 08:00–12:00; Friday 2026-11-20 is a
// day off. One SLA policy: first answer in 4 working hours, the next in 2, solved in 24.
const TEAM: &str = r#"
name = "Bảo hành"
time_zone = "Asia/Ho_Chi_Minh"
vn_public_holidays = false
holidays = ["2026-11-20"]
reopen_days = 7
survey = "csat"
stages = [
  { name = "Mới" },
  { name = "Đang xử lý" },
  { name = "Chờ khách", pauses_sla = true },
  { name = "Đã xử lý", solved = true },
]
[hours]
mon = ["08:00-12:00", "13:00-17:00"]
tue = ["08:00-12:00", "13:00-17:00"]
wed = ["08:00-12:00", "13:00-17:00"]
thu = ["08:00-12:00", "13:00-17:00"]
fri = ["08:00-12:00", "13:00-17:00"]
sat = ["08:00-12:00"]
[[sla]]
name = "Thường"
first_response_minutes = 240
next_response_minutes = 120
resolution_minutes = 1440
"#;

struct Shop {
    f: Fixture,
    x: String,
    y: String,
    /// An, Bình, Chi, Dũng, Em
    c: Vec<String>,
}

async fn ticket(
    s: &Shop,
    customer: &str,
    when: &str,
    channel: TicketChannel,
    category: Option<&str>,
    who: &str,
) -> String {
    let t =
        s.f.ws
            .create_ticket(&NewTicket {
                subject: format!("Hỏi lúc {when}"),
                customer_id: Some(customer.into()),
                channel: Some(channel),
                category: category.map(str::to_string),
                assignee_id: Some(who.into()),
                message: Some("Máy không chạy".into()),
                at: Some(at(when)),
                ..Default::default()
            })
            .await
            .expect("ticket");
    t.ticket.id
}

async fn say(s: &Shop, id: &str, kind: MessageKind, when: &str) {
    let r = Reply { body: "Dạ".into(), at: Some(at(when)), ..Default::default() };
    s.f.ws.add_ticket_message(id, kind, &r).await.expect("message");
}

async fn answer(s: &Shop, id: &str, kind: SurveyKind, score: i64, when: &str) {
    let a = SurveyAnswerInput { kind, score, comment: None, at: Some(at(when)) };
    s.f.ws.record_survey(id, &a).await.expect("answer");
}

async fn bought(s: &Shop, customer: &str, when: &str) {
    let p = InteractionInput {
        kind: InteractionKind::Purchase,
        channel: InteractionChannel::InPerson,
        direction: Direction::Inbound,
        staff_id: None,
        occurred_at: Some(at(when)),
        summary: "Mua máy giặt".into(),
        body: None,
        amount: Some(9_000_000),
        currency: Some("VND".into()),
        items: vec![],
    };
    s.f.ws.add_interaction(customer, &p).await.expect("purchase");
}

async fn shop() -> Shop {
    let f = open().await;
    f.clock.set(at("2026-11-30 07:00"));
    let staff =
        |name: &str, email: &str| StaffInput { name: name.into(), email: Some(email.into()), role: Role::Agent };
    let x = f.ws.add_staff(&staff("Lan", "lan@x.vn")).await.expect("x").id;
    let y = f.ws.add_staff(&staff("Minh", "minh@x.vn")).await.expect("y").id;
    f.ws.set_current_staff(Some(&x)).await.expect("me");
    f.ws.create_team(&TeamInput::from_toml(TEAM).expect("toml")).await.expect("team");
    f.ws.set_report_settings(&ReportSettings {
        complaint_categories: vec!["Khiếu nại".into()],
        return_categories: vec!["Đổi trả".into()],
    })
    .await
    .expect("settings");
    let mut s = Shop { f, x, y, c: Vec::new() };
    let mut c = Vec::new();
    for (i, name) in ["An", "Bình", "Chi", "Dũng", "Em"].iter().enumerate() {
        c.push(s.f.ws.create_customer(&person(name, &format!("09120000{i:02}"))).await.expect("customer").customer.id);
    }
    let (a, b, cc, d, e) = (&c[0], &c[1], &c[2], &c[3], &c[4]);
    let (x, y) = (s.x.clone(), s.y.clone());
    use MessageKind::{Customer, Reply};
    use TicketChannel::{Email, Phone, Zalo};

    // T8, the week before: asked Tue 09:00, answered 10:00, solved 11:00
    let t8 = ticket(&s, e, "2026-11-10 09:00", Phone, None, &y).await;
    say(&s, &t8, Reply, "2026-11-10 10:00").await;
    s.f.ws.solve_ticket(&t8, Some(at("2026-11-10 11:00"))).await.expect("solve");

    // T5 spans the start: asked Sun 20:00 (the week before), answered Mon 08:30, solved 09:00.
    // First answer 750 min (30 working), solved in 780 (60 working), all of it in "Mới".
    let t5 = ticket(&s, e, "2026-11-15 20:00", Phone, None, &y).await;
    say(&s, &t5, Reply, "2026-11-16 08:30").await;
    s.f.ws.solve_ticket(&t5, Some(at("2026-11-16 09:00"))).await.expect("solve");
    answer(&s, &t5, SurveyKind::Nps, 8, "2026-11-17 09:00").await;

    // T1: Mon 09:00, answered 09:30, solved 11:00 (120 min both ways); CSAT 5, NPS 10, CES 7
    let t1 = ticket(&s, a, "2026-11-16 09:00", Phone, None, &x).await;
    say(&s, &t1, Reply, "2026-11-16 09:30").await;
    s.f.ws.solve_ticket(&t1, Some(at("2026-11-16 11:00"))).await.expect("solve");
    answer(&s, &t1, SurveyKind::Csat, 5, "2026-11-17 10:00").await;
    answer(&s, &t1, SurveyKind::Nps, 10, "2026-11-17 10:01").await;
    answer(&s, &t1, SurveyKind::Ces, 7, "2026-11-17 10:02").await;

    // T3: Tue 08:00, answered 13:30 (330 min; 270 working: past its 12:00 deadline), waits on
    // the customer 14:00 to Wed 10:00 (paused), answered again 10:30, solved 11:00: 420 min
    // (27 h less the 20 h pause), 360 working (11 h less 5 paused); a return
    let t3 = ticket(&s, cc, "2026-11-17 08:00", Email, Some("Đổi trả"), &x).await;
    say(&s, &t3, Reply, "2026-11-17 13:30").await;
    s.f.ws.move_ticket(&t3, "Chờ khách", Some(at("2026-11-17 14:00"))).await.expect("wait");
    say(&s, &t3, Customer, "2026-11-18 10:00").await;
    say(&s, &t3, Reply, "2026-11-18 10:30").await;
    s.f.ws.solve_ticket(&t3, Some(at("2026-11-18 11:00"))).await.expect("solve");
    answer(&s, &t3, SurveyKind::Nps, 6, "2026-11-19 09:00").await;
    answer(&s, &t3, SurveyKind::Ces, 4, "2026-11-19 09:01").await;

    // T4: Wed 09:00, answered 09:15, solved 10:00, reopened by the customer Thu 09:00, answered
    // 09:30, solved 10:00: 1500 min (540 working), handled 2 h; CSAT 2
    let t4 = ticket(&s, d, "2026-11-18 09:00", Phone, None, &y).await;
    say(&s, &t4, Reply, "2026-11-18 09:15").await;
    s.f.ws.solve_ticket(&t4, Some(at("2026-11-18 10:00"))).await.expect("solve");
    say(&s, &t4, Customer, "2026-11-19 09:00").await;
    say(&s, &t4, Reply, "2026-11-19 09:30").await;
    s.f.ws.solve_ticket(&t4, Some(at("2026-11-19 10:00"))).await.expect("solve");
    answer(&s, &t4, SurveyKind::Csat, 2, "2026-11-19 12:00").await;

    // T6: An again, Wed 15:00, two days after T1's solve: a complaint, never answered
    ticket(&s, a, "2026-11-18 15:00", Zalo, Some("khiếu nại"), &y).await;

    // T2: Thu 16:00, answered Sat 09:00 over the Friday off: 2460 min, 120 working; solved
    // the next Monday
    let t2 = ticket(&s, b, "2026-11-19 16:00", Zalo, None, &y).await;
    say(&s, &t2, Reply, "2026-11-21 09:00").await;
    s.f.ws.solve_ticket(&t2, Some(at("2026-11-23 10:00"))).await.expect("solve");

    // purchases: Chi and Em in the week, An the week before
    bought(&s, cc, "2026-11-16 10:00").await;
    bought(&s, e, "2026-11-21 10:00").await;
    bought(&s, a, "2026-11-12 10:00").await;
    s.c = c.clone();
    s
}

fn week(time: TimeBasis) -> ReportQuery {
    ReportQuery { from: "2026-11-16".into(), to: "2026-11-22".into(), time, ..Default::default() }
}

fn d(count: i64, mean: f64, median: f64, p90: f64) -> tend::reports::Durations {
    tend::reports::Durations { count, mean: Some(mean), median: Some(median), p90: Some(p90) }
}

#[tokio::test]
async fn every_kpi_of_a_week_matches_the_hand_computed_figures() {
    let s = shop().await;
    let r = s.f.ws.report(&week(TimeBasis::Business)).await.expect("report");
    let k = &r.current;
    assert_eq!((k.period.from.as_str(), k.period.to.as_str(), k.period.days), ("2026-11-16", "2026-11-22", 7));
    assert_eq!(k.period.start_ms, at("2026-11-16 00:00"));
    assert_eq!(k.period.end_ms, at("2026-11-23 00:00"));
    // created: T1, T3, T4, T6, T2 (T5 came on the Sunday before); solved: T5, T1, T3, T4
    assert_eq!((k.helpdesk.tickets, k.helpdesk.solved), (5, 4));
    // first answers in the week, working minutes: T5 30, T1 30, T3 270, T4 15, T2 120
    assert_eq!(k.helpdesk.first_response_minutes, d(5, 93.0, 30.0, 270.0));
    assert_eq!(k.helpdesk.first_response_buckets, vec![3, 1, 1, 0, 0]);
    // solved in the week, working minutes: T5 60, T1 120, T3 360, T4 540
    assert_eq!(k.helpdesk.resolution_minutes, d(4, 270.0, 240.0, 540.0));
    // in working stages: T5 60, T1 120, T3 360 (5 h new, 1 h at work again), T4 120 (not the
    // night it sat solved)
    assert_eq!(k.helpdesk.handling_minutes, d(4, 165.0, 120.0, 360.0));
    // one reply and no reopen: T5 and T1 of the four
    assert_eq!((k.helpdesk.fcr.count, k.helpdesk.fcr.of, k.helpdesk.fcr_percent), (2, 4, Some(50.0)));
    // An came back two days after T1's solve
    assert_eq!((k.helpdesk.recontact.count, k.helpdesk.recontact.of, k.helpdesk.recontact_percent), (1, 4, Some(25.0)));
    // deadlines in the week. First answer: T5 (Mon 12:00), T1 (Mon 14:00), T4 (Wed 14:00) and
    // T2 (Sat 11:00, over the holiday) met; T3 (Tue 12:00) answered late, T6 (Thu 10:00) never.
    // Solved: T1 (Thu 09:00) and T5 (Wed 17:00) met; the others fall due after the week. The
    // next answer: the four solved ones had theirs in time.
    let sla: Vec<(String, i64, i64, Option<f64>)> =
        k.helpdesk.sla.iter().map(|r| (r.target.clone(), r.met, r.breached, r.percent)).collect();
    assert_eq!(
        sla,
        vec![
            ("first_response".into(), 4, 2, Some(66.7)),
            ("next_response".into(), 4, 0, Some(100.0)),
            ("resolution".into(), 2, 0, Some(100.0)),
        ]
    );
    assert_eq!(k.helpdesk.sla_percent.get("first_response"), Some(&Some(66.7)));
    assert_eq!(k.helpdesk.breaches_total, 2);
    let late: Vec<(&str, Option<i64>)> =
        k.helpdesk.breaches.iter().map(|b| (b.target.as_str(), b.done_at.map(|_| 1))).collect();
    assert_eq!(late, vec![("first_response", None), ("first_response", Some(1))]);
    assert_eq!(k.helpdesk.breaches[0].due_at, at("2026-11-19 10:00"));
    assert_eq!(k.helpdesk.breaches[1].due_at, at("2026-11-17 12:00"));
    // CSAT: 5 and 2; NPS: 10, 6, 8 (one promoter, one detractor); CES: 7 and 4
    assert_eq!((k.helpdesk.csat.percent, k.helpdesk.csat.rated), (Some(50.0), 2));
    assert_eq!(k.helpdesk.csat.distribution, vec![0, 1, 0, 0, 1]);
    assert_eq!((k.helpdesk.nps.score, k.helpdesk.nps.answers), (Some(0.0), 3));
    assert_eq!((k.helpdesk.ces.mean, k.helpdesk.ces.answers), (Some(5.5), 2));
    // surveys sent on each solve (T4's second solve found its survey still waiting), two answered
    assert_eq!((k.helpdesk.surveys.count, k.helpdesk.surveys.of, k.helpdesk.surveys.percent), (2, 4, Some(50.0)));
    // one complaint (its category written in another case) of 4 customers served
    assert_eq!((k.helpdesk.complaints.count, k.helpdesk.complaints.of), (1, 4));
    // Chi returned; Chi and Em bought
    assert_eq!((k.helpdesk.returns.count, k.helpdesk.returns.of, k.helpdesk.returns.percent), (1, 2, Some(50.0)));
    let by = |m: &std::collections::BTreeMap<String, i64>| m.iter().map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>();
    assert_eq!(by(&k.helpdesk.volume_by_channel), vec![("email".into(), 1), ("phone".into(), 2), ("zalo".into(), 2)]);
    // each day: created, solved, open at its end (T4 counts open from its creation to its last
    // solve)
    let days: Vec<(i64, i64, i64)> = k.helpdesk.days.iter().map(|p| (p.created, p.solved, p.backlog)).collect();
    assert_eq!(days, vec![(1, 2, 0), (1, 0, 1), (2, 1, 2), (1, 1, 2), (0, 0, 2), (0, 0, 2), (0, 0, 2)]);
    assert_eq!(k.helpdesk.days[0].date, "2026-11-16");
    // per staff: Lan had T1 and T3, Minh T4, T6 and T2
    let lan = k.helpdesk.staff.iter().find(|r| r.staff_id == s.x).expect("Lan");
    assert_eq!((lan.name.as_str(), lan.tickets, lan.solved, lan.fcr_percent), ("Lan", 2, 2, Some(50.0)));
    assert_eq!((lan.first_response_median, lan.resolution_median), (Some(150.0), Some(240.0)));
    assert_eq!((lan.csat_percent, lan.csat_rated), (Some(100.0), 1));

    // the week before: T8 and T5 came, T8 was solved
    assert_eq!((r.previous.period.from.as_str(), r.previous.period.to.as_str()), ("2026-11-09", "2026-11-15"));
    assert_eq!((r.previous.helpdesk.tickets, r.previous.helpdesk.solved), (2, 1));
}

#[tokio::test]
async fn calendar_time_counts_the_weekend_and_the_holiday() {
    let s = shop().await;
    let k = s.f.ws.report(&week(TimeBasis::Calendar)).await.expect("report").current;
    // first answers: T5 750, T1 30, T3 330, T4 15, T2 2460
    assert_eq!(k.helpdesk.first_response_minutes, d(5, 717.0, 330.0, 2460.0));
    assert_eq!(k.helpdesk.first_response_buckets, vec![2, 0, 1, 1, 1]);
    // solved: T5 780, T1 120, T3 420, T4 1500
    assert_eq!(k.helpdesk.resolution_minutes, d(4, 705.0, 600.0, 1500.0));
    // handled: T5 780, T1 120, T3 420, T4 120
    assert_eq!(k.helpdesk.handling_minutes, d(4, 360.0, 270.0, 780.0));
}

#[tokio::test]
async fn filters_narrow_every_kpi_and_an_empty_period_says_no_data() {
    let s = shop().await;
    let q = ReportQuery { staff_id: Some(s.x.clone()), ..week(TimeBasis::Business) };
    let k = s.f.ws.report(&q).await.expect("Lan's").current;
    assert_eq!((k.helpdesk.tickets, k.helpdesk.solved), (2, 2));
    assert_eq!(k.helpdesk.first_response_minutes, d(2, 150.0, 150.0, 270.0));
    assert_eq!((k.helpdesk.csat.percent, k.helpdesk.csat.rated), (Some(100.0), 1));
    let q = ReportQuery { channel: Some("zalo".into()), ..week(TimeBasis::Business) };
    let k = s.f.ws.report(&q).await.expect("zalo").current;
    assert_eq!((k.helpdesk.tickets, k.helpdesk.solved, k.helpdesk.complaints.count), (2, 0, 1));
    assert_eq!(k.helpdesk.csat.rated, 0);

    let empty = ReportQuery { from: "2025-01-01".into(), to: "2025-01-07".into(), ..Default::default() };
    let k = s.f.ws.report(&empty).await.expect("empty").current;
    let h = &k.helpdesk;
    assert_eq!((h.tickets, h.solved), (0, 0));
    assert_eq!(h.first_response_minutes, tend::reports::Durations::default());
    assert_eq!(
        (h.csat.percent, h.nps.score, h.ces.mean, h.fcr_percent, h.recontact_percent),
        (None, None, None, None, None)
    );
    assert!(h.sla.iter().all(|r| r.percent.is_none()));
    assert_eq!((k.care.done.percent, k.sales.win_rate), (None, None));

    // the period is checked, naming the field
    let many =
        ReportSettings { complaint_categories: (0..201).map(|i| format!("c{i}")).collect(), ..Default::default() };
    assert!(s.f.ws.set_report_settings(&many).await.is_err(), "201 complaint categories are refused");
    let long = ReportSettings { return_categories: vec!["x".repeat(201)], ..Default::default() };
    assert!(s.f.ws.set_report_settings(&long).await.is_err(), "a 201-character category is refused");
    assert_eq!(s.f.ws.report_settings().await.expect("kept").complaint_categories, vec!["Khiếu nại".to_string()]);
    let bad = ReportQuery { from: "2026-11-31".into(), to: "2026-11-01".into(), ..Default::default() };
    assert_eq!(fields(s.f.ws.report(&bad).await.unwrap_err()), vec![("from".into(), "validation.date_invalid".into())]);
    let back = ReportQuery { from: "2026-11-20".into(), to: "2026-11-01".into(), ..Default::default() };
    assert_eq!(fields(s.f.ws.report(&back).await.unwrap_err()), vec![("to".into(), "report.to_before_from".into())]);
    let _ = &s.y;
}

fn tend(db: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tend"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LANG", "vi_VN.UTF-8")
        .output()
        .expect("run tend");
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&out.stderr).to_string())
}

#[tokio::test]
async fn the_cli_gives_the_kpis_as_json_and_exports_them_read_back_from_xlsx_and_csv() {
    let s = shop().await;
    let db = s.f.ws.path().to_path_buf();
    let (code, j, err) = tend(&db, &["report", "kpis", "--from", "2026-11-16", "--to", "2026-11-22", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((j["tickets"].as_i64(), j["solved"].as_i64()), (Some(5), Some(4)));
    assert_eq!(j["first_response_minutes"]["mean"], 93.0);
    assert_eq!(j["first_response_minutes"]["median"], 30.0);
    assert_eq!(j["first_response_minutes"]["p90"], 270.0);
    assert_eq!(j["resolution_minutes"]["median"], 240.0);
    assert_eq!((j["csat"]["percent"].as_f64(), j["csat"]["rated"].as_i64()), (Some(50.0), Some(2)));
    assert_eq!((j["nps"]["score"].as_f64(), j["nps"]["answers"].as_i64()), (Some(0.0), Some(3)));
    assert_eq!((j["ces"]["mean"].as_f64(), j["ces"]["answers"].as_i64()), (Some(5.5), Some(2)));
    assert_eq!((j["fcr_percent"].as_f64(), j["recontact_percent"].as_f64()), (Some(50.0), Some(25.0)));
    assert_eq!(j["sla_percent"]["first_response"], 66.7);
    assert_eq!(j["volume_by_channel"], serde_json::json!({"email": 1, "phone": 2, "zalo": 2}));
    assert_eq!(j["previous"]["tickets"], 2);
    // names for the filters; calendar time
    let (code, j, err) = tend(
        &db,
        &[
            "report",
            "kpis",
            "--from",
            "2026-11-16",
            "--to",
            "2026-11-22",
            "--staff",
            "lan",
            "--time",
            "calendar",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!((j["tickets"].as_i64(), j["first_response_minutes"]["median"].as_f64()), (Some(2), Some(180.0)));
    let (code, _, err) =
        tend(&db, &["report", "kpis", "--from", "2026-11-16", "--to", "2026-11-22", "--team", "Không có"]);
    assert_ne!(code, 0);
    assert!(err.contains("Không có"), "{err}");
    let (code, _, err) = tend(&db, &["report", "kpis", "--from", "16/11/2026", "--to", "2026-11-22"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("from"), "{err}");

    // the export, in the workspace's language, read back
    let xlsx = s.f.dir.path().join("bao-cao.xlsx");
    let (code, j, err) = tend(
        &db,
        &["report", "export", "--from", "2026-11-16", "--to", "2026-11-22", xlsx.to_str().unwrap(), "--json"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(j["rows"].as_i64().unwrap_or(0) > 30, "{j}");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).expect("xlsx");
    let names = book.sheet_names();
    assert_eq!(names.first().map(String::as_str), Some("Tổng quan"), "{names:?}");
    let summary = book.worksheet_range("Tổng quan").expect("summary");
    let row = |label: &str| summary.rows().find(|r| r[0] == label).map(|r| (r[1].to_string(), r[2].to_string()));
    assert_eq!(row("Phiếu mới"), Some(("5".into(), "2".into())));
    assert_eq!(row("CSAT (%)"), Some(("50".into(), "Chưa có dữ liệu".into())));
    let staff = book.worksheet_range("Theo nhân viên").expect("staff");
    let cells = |r: &[calamine::Data]| (r[0].to_string(), r[1].to_string());
    assert!(staff.rows().map(cells).any(|c| c == ("Lan".into(), "2".into())));
    let csv = s.f.dir.path().join("bao-cao.csv");
    let (code, _, err) =
        tend(&db, &["report", "export", "--from", "2026-11-16", "--to", "2026-11-22", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(text.starts_with("\u{feff}Tổng quan"), "{}", &text[..40]);
    assert!(text.contains("Phiếu mới,5,2"), "{text}");
    assert!(text.contains("\nTheo nhân viên\n"), "{text}");
}

#[tokio::test]
async fn the_reports_cache_follows_every_write_and_is_built_again_only_where_stale() {
    let s = shop().await;
    let q = week(TimeBasis::Business);
    let before = s.f.ws.report(&q).await.expect("first").current;
    let built = |ws: &tend::Workspace| {
        let pool = ws.pool().clone();
        async move {
            sqlx::query_as::<_, (i64, i64, Option<i64>)>("SELECT day, version, built FROM report_chunks ORDER BY day")
                .fetch_all(&pool)
                .await
                .expect("chunks")
        }
    };
    let chunks = built(&s.f.ws).await;
    assert!(chunks.len() >= 6, "{chunks:?}");
    assert!(chunks.iter().all(|(_, v, b)| Some(*v) == *b), "every chunk written back: {chunks:?}");
    // T6 (An's complaint, Wed 2026-11-18 15:00 local) answered and solved: its day only goes stale
    let t6: String = sqlx::query_scalar("SELECT id FROM tickets WHERE category = 'khiếu nại'")
        .fetch_one(s.f.ws.pool())
        .await
        .expect("t6");
    let r = Reply { body: "Dạ em xin lỗi anh".into(), at: Some(at("2026-11-20 09:00")), ..Default::default() };
    s.f.ws.add_ticket_message(&t6, MessageKind::Reply, &r).await.expect("reply");
    s.f.ws.solve_ticket(&t6, Some(at("2026-11-20 09:30"))).await.expect("solve");
    let stale: Vec<i64> =
        built(&s.f.ws).await.into_iter().filter(|(_, v, b)| Some(*v) != *b).map(|(d, _, _)| d).collect();
    assert_eq!(stale, vec![at("2026-11-18 15:00") / 86_400_000]);
    let after = s.f.ws.report(&q).await.expect("again").current;
    assert_eq!((before.helpdesk.solved, after.helpdesk.solved), (4, 5));
    assert_eq!(after.helpdesk.first_response_minutes.count, 6);
    assert!(built(&s.f.ws).await.iter().all(|(_, v, b)| Some(*v) == *b));
    // a chunk not of this build (or cut) is built again, not read
    sqlx::query("UPDATE report_chunks SET data = X'00'").execute(s.f.ws.pool()).await.expect("spoil");
    assert_eq!(s.f.ws.report(&q).await.expect("rebuilt").current, after);
}

/// Every drillable number of the fixture week equals the length of the list opened from it,
/// in business and calendar time, for the whole shop and for one agent.
#[tokio::test]
async fn every_number_opens_the_very_tickets_and_customers_it_counts() {
    use tend::reports::{CustomerMeasure as C, Drill, TicketMeasure as T};
    let s = shop().await;
    for q in [
        week(TimeBasis::Business),
        week(TimeBasis::Calendar),
        ReportQuery { staff_id: Some(s.x.clone()), ..week(TimeBasis::Business) },
        ReportQuery { channel: Some("zalo".into()), ..week(TimeBasis::Calendar) },
    ] {
        let r = s.f.ws.report(&q).await.expect("report");
        for previous in [false, true] {
            let k = if previous { &r.previous } else { &r.current };
            let h = &k.helpdesk;
            let tickets = |measure: T, value: Option<&str>| {
                let d = Drill { query: q.clone(), previous, measure, value: value.map(String::from) };
                let ws = &s.f.ws;
                async move { ws.report_tickets(&d, 0, 500).await.expect("drill").total as i64 }
            };
            let what = format!("{q:?} previous {previous}");
            assert_eq!(tickets(T::Created, None).await, h.tickets, "{what}");
            assert_eq!(tickets(T::Solved, None).await, h.solved, "{what}");
            assert_eq!(tickets(T::Responded, None).await, h.first_response_minutes.count, "{what}");
            for (b, n) in h.first_response_buckets.iter().enumerate() {
                assert_eq!(tickets(T::Responded, Some(&b.to_string())).await, *n, "bucket {b} {what}");
            }
            assert_eq!(tickets(T::Fcr, None).await, h.fcr.count, "{what}");
            assert_eq!(tickets(T::Recontact, None).await, h.recontact.count, "{what}");
            assert_eq!(tickets(T::Breached, None).await, h.breaches_total, "{what}");
            for row in h.sla.iter().filter(|r| r.target != "next_response") {
                assert_eq!(tickets(T::Breached, Some(&row.target)).await, row.breached, "{} {what}", row.target);
            }
            assert_eq!(tickets(T::Rated, Some("csat")).await, h.csat.rated, "{what}");
            assert_eq!(tickets(T::Rated, Some("nps")).await, h.nps.answers, "{what}");
            assert_eq!(tickets(T::Rated, Some("ces")).await, h.ces.answers, "{what}");
            assert_eq!(tickets(T::Rated, Some("csat:5")).await, h.csat.distribution[4], "{what}");
            assert_eq!(tickets(T::Complaints, None).await, h.complaints.count, "{what}");
            assert_eq!(tickets(T::Returns, None).await, h.returns.count, "{what}");
            for (ch, n) in &h.volume_by_channel {
                let by = ReportQuery { channel: Some(ch.clone()), ..q.clone() };
                let d = Drill { query: by, previous, measure: T::Created, value: None };
                assert_eq!(s.f.ws.report_tickets(&d, 0, 500).await.expect("channel").total as i64, *n, "{ch} {what}");
            }
            for (p, n) in &h.volume_by_priority {
                assert_eq!(tickets(T::Created, Some(p)).await, *n, "{p} {what}");
            }
            for day in &h.days {
                assert_eq!(tickets(T::Open, Some(&day.date)).await, day.backlog, "{} {what}", day.date);
            }
            let customers = |measure: C| {
                let d = Drill { query: q.clone(), previous, measure, value: None };
                let ws = &s.f.ws;
                async move { ws.report_customers(&d, 0, 500).await.expect("customers") }
            };
            let served = customers(C::Served).await;
            assert_eq!(served.total, Some(h.complaints.of), "{what}");
            assert_eq!(served.rows.len() as i64, h.complaints.of, "{what}");
            assert_eq!(customers(C::Buyers).await.total, Some(h.returns.of), "{what}");
            assert_eq!(customers(C::Inactive).await.total, Some(k.sales.inactive_customers), "{what}");
        }
    }
    // the current week by hand: five tickets made, T2 the newest
    let d = Drill { query: week(TimeBasis::Business), previous: false, measure: T::Created, value: None };
    let page = s.f.ws.report_tickets(&d, 0, 2).await.expect("page");
    assert_eq!((page.total, page.rows.len()), (5, 2));
    assert_eq!(page.rows[0].subject, "Hỏi lúc 2026-11-19 16:00", "newest first");
    let bad = Drill { value: Some("9".into()), measure: T::Responded, ..d.clone() };
    assert!(s.f.ws.report_tickets(&bad, 0, 10).await.is_err());
}

/// Care tasks and deals of the fixture week (and one deal the week before), by hand; a customer
/// in the trash takes theirs out of the figures.
async fn care_and_deals(s: &Shop) -> (Vec<String>, [String; 6]) {
    use tend::care::{Assignee, CarePlan, CarePlanInput, Offset, PlanStepInput, TaskFilter};
    use tend::deals::DealInput;
    let ws = &s.f.ws;
    let (a, b, c) = (&s.c[0], &s.c[1], &s.c[2]);
    let g = ws.create_customer(&person("Giang", "0912000099")).await.expect("g").customer.id;
    // three calls from the enrolment day: the day itself, two days on, ten days on, at 09:00
    s.f.clock.set(at("2026-11-16 07:00"));
    let step = |name: &str, days: i32| PlanStepInput {
        name: name.into(),
        offset: Offset::Days(days),
        at: "09:00".into(),
        channel: "call".into(),
        assignee: Assignee::Staff(s.x.clone()),
        template: "Gọi hỏi thăm".into(),
    };
    let plan = CarePlanInput {
        name: "Chăm sóc sau bán".into(),
        anchor: "enrolment".into(),
        enrol: "hand".into(),
        unenrol_on_leave: false,
        steps: vec![step("Gọi 1", 0), step("Gọi 2", 2), step("Gọi 3", 10)],
    };
    let plan = ws.create_care_plan(&CarePlan::from_input(&plan).expect("plan")).await.expect("create plan");
    let day = "2026-11-16".parse().expect("day");
    ws.enrol_customers(&plan.id, &[a.clone(), b.clone(), c.clone(), g.clone()], Some(day)).await.expect("enrol");
    let task = |who: &String, k: usize| {
        let f = TaskFilter { customer_id: Some(who.clone()), ..Default::default() };
        async move { ws.care_tasks(&f).await.expect("tasks")[k].id.clone() }
    };
    let (a1, a2, b1, b2, c1) =
        (task(a, 0).await, task(a, 1).await, task(b, 0).await, task(b, 1).await, task(c, 0).await);
    ws.assign_care_tasks(&[b1.clone(), b2.clone()], Some(&s.y)).await.expect("assign");
    // Mon 10:00: An's and Bình's first calls, on time; Tue 08:00: Chi's, a day late
    s.f.clock.set(at("2026-11-16 10:00"));
    ws.complete_care_tasks(&[a1, b1], "Đã gọi").await.expect("done");
    s.f.clock.set(at("2026-11-17 08:00"));
    ws.complete_care_tasks(std::slice::from_ref(&c1), "Đã gọi").await.expect("late");
    // Wed 11:00: An's second call skipped
    s.f.clock.set(at("2026-11-18 11:00"));
    ws.skip_care_tasks(&[a2], "Khách bận").await.expect("skip");
    let g1 = task(&g, 0).await;
    ws.complete_care_tasks(&[g1], "Đã gọi").await.expect("g done");

    let deal = |customer: &String, stage: &str, amount: Option<i64>, owner: &String| {
        let input = DealInput {
            title: format!("Máy lọc {stage}"),
            stage_id: Some(stage.into()),
            amount,
            currency: amount.map(|_| "VND".into()),
            expected_close: None,
            owner_id: Some(owner.clone()),
            lost_reason: None,
        };
        let customer = customer.clone();
        async move { ws.create_deal(&customer, &input).await.expect("deal").id }
    };
    let at_ = |when: &str| s.f.clock.set(at(when));
    // the week before: d0 (Bình, Minh's) made Tue 09:00, won Thu 09:00
    at_("2026-11-10 09:00");
    let d0 = deal(b, "new", Some(8_000_000), &s.y).await;
    at_("2026-11-12 09:00");
    ws.move_deal(&d0, "won", None).await.expect("won");
    // the week: d1 (An) new Mon 09:00, contacted 10:00, consulting Tue, won Thu 10:00;
    // d2 (Bình, Minh's) new Mon 09:00, lost Wed; d3 (Chi) made at "contacted" Tue 09:00, won
    // Fri 09:00; d4 (An) new Wed, still open; d5 (Giang, trashed below) won Thu
    at_("2026-11-16 09:00");
    let d1 = deal(a, "new", Some(10_000_000), &s.x).await;
    let d2 = deal(b, "new", Some(5_000_000), &s.y).await;
    at_("2026-11-16 10:00");
    ws.move_deal(&d1, "contacted", None).await.expect("move");
    at_("2026-11-17 09:00");
    let d3 = deal(c, "contacted", Some(20_000_000), &s.x).await;
    ws.move_deal(&d1, "consulting", None).await.expect("move");
    at_("2026-11-18 09:00");
    ws.move_deal(&d2, "lost", Some("Giá cao")).await.expect("lost");
    let d4 = deal(a, "new", None, &s.x).await;
    let d5 = deal(&g, "new", Some(1_000_000), &s.x).await;
    at_("2026-11-19 10:00");
    ws.move_deal(&d1, "won", None).await.expect("won");
    ws.move_deal(&d5, "won", None).await.expect("won");
    at_("2026-11-20 09:00");
    ws.move_deal(&d3, "won", None).await.expect("won");
    ws.trash_customer(&g).await.expect("trash");
    at_("2026-11-30 07:00");
    let list = ws
        .create_segment(&tend::segments::SegmentInput {
            name: "Khách quen".into(),
            kind: tend::segments::SegmentKind::Static,
            rules: None,
        })
        .await
        .expect("segment");
    ws.add_to_segment(&list.id, &[a.clone(), c.clone()]).await.expect("members");
    (vec![list.id], [d0, d1, d2, d3, d4, d5])
}

#[tokio::test]
async fn care_and_sales_match_the_hand_computed_figures_and_open_their_tasks_and_deals() {
    use tend::reports::{CareMeasure as K, CustomerMeasure as C, DealMeasure as D, Drill};
    let s = shop().await;
    let (segments, [d0, d1, d2, d3, d4, _d5]) = care_and_deals(&s).await;
    let q = week(TimeBasis::Business);
    let r = s.f.ws.report(&q).await.expect("report");
    let (k, p) = (&r.current, &r.previous);
    // due in the week: An, Bình and Chi's first and second calls (Giang's are in the trash): 6;
    // done 3 (An's and Bình's on their day, Chi's the next day): 2 of 3 on time; An's second
    // skipped
    assert_eq!(
        (k.care.due, k.care.done.count, k.care.on_time.count, k.care.on_time.of, k.care.skipped),
        (6, 3, 2, 3, 1)
    );
    assert_eq!((k.care.done.percent, k.care.on_time.percent), (Some(50.0), Some(66.7)));
    assert_eq!((p.care.due, p.care.done.percent), (0, None));
    // closed in the week: d1 and d3 won, d2 lost (d5's customer is in the trash)
    assert_eq!((k.sales.won, k.sales.lost, k.sales.win_rate), (2, 1, Some(66.7)));
    assert_eq!(k.sales.average_deal.len(), 1);
    assert_eq!((k.sales.average_deal[0].currency.as_str(), k.sales.average_deal[0].amount), ("VND", 15_000_000));
    // d1 73 h, d3 72 h: 72.5 h = 3.02 days
    assert_eq!(k.sales.cycle_days, Some(3.0));
    // the week before: d0 won after 48 h
    assert_eq!((p.sales.won, p.sales.lost, p.sales.win_rate, p.sales.cycle_days), (1, 0, Some(100.0), Some(2.0)));
    // created in the week: d1 (won), d2 (got no further than "new"), d3 (won), d4 ("new"):
    // "new" reached by 4, of them 2 went on; every later stage reached by the 2 won
    let conv: Vec<(&str, i64, i64)> =
        k.sales.conversion.iter().map(|c| (c.stage_id.as_str(), c.reached, c.went_on)).collect();
    assert_eq!(
        conv,
        [("new", 4, 2), ("contacted", 2, 2), ("consulting", 2, 2), ("proposal", 2, 2), ("negotiation", 2, 2)]
    );
    assert_eq!(k.sales.conversion[0].percent, Some(50.0));
    // Khách quen (An, Chi): Chi's purchase in the week, An's the week before
    let seg = |kpis: &tend::reports::Kpis| {
        let r = kpis.sales.revenue_by_segment.iter().find(|r| r.segment_id == segments[0]).expect("segment").clone();
        (r.purchases, r.revenue.first().map(|m| m.amount))
    };
    assert_eq!((seg(k), seg(p)), ((1, Some(9_000_000)), (1, Some(9_000_000))));

    // Lan's own: An's and Chi's calls; d1, d3, d4
    let mine = ReportQuery { staff_id: Some(s.x.clone()), ..q.clone() };
    let m = s.f.ws.report(&mine).await.expect("mine").current;
    assert_eq!((m.care.due, m.care.done.count, m.care.on_time.count, m.care.skipped), (4, 2, 1, 1));
    assert_eq!((m.sales.won, m.sales.lost), (2, 0));
    assert_eq!((m.sales.conversion[0].reached, m.sales.conversion[0].went_on), (3, 2));

    // each number opens exactly its tasks and deals, in both periods, for both queries
    for q in [q.clone(), mine.clone()] {
        let r = s.f.ws.report(&q).await.expect("report");
        for previous in [false, true] {
            let k = if previous { &r.previous } else { &r.current };
            let what = format!("{q:?} previous {previous}");
            let tasks = |measure: K| {
                let d = Drill { query: q.clone(), previous, measure, value: None };
                let ws = &s.f.ws;
                async move { ws.report_care_tasks(&d, 0, 500).await.expect("tasks") }
            };
            let due = tasks(K::Due).await;
            assert_eq!((due.total, due.tasks.len() as i64), (k.care.due, k.care.due), "{what}");
            assert!(due.tasks.windows(2).all(|w| w[0].due_at <= w[1].due_at), "by due time");
            assert_eq!(tasks(K::Done).await.total, k.care.done.count, "{what}");
            assert_eq!(tasks(K::OnTime).await.total, k.care.on_time.count, "{what}");
            assert_eq!(tasks(K::Skipped).await.total, k.care.skipped, "{what}");
            let deals = |measure: D, value: Option<&str>| {
                let d = Drill { query: q.clone(), previous, measure, value: value.map(String::from) };
                let ws = &s.f.ws;
                async move { ws.report_deals(&d).await.expect("deals") }
            };
            let won = deals(D::Won, None).await;
            assert_eq!((won.total, won.deals.len() as i64), (k.sales.won, k.sales.won), "{what}");
            assert_eq!(deals(D::Lost, None).await.total, k.sales.lost, "{what}");
            for c in &k.sales.conversion {
                assert_eq!(deals(D::Reached, Some(&c.stage_id)).await.total, c.reached, "{} {what}", c.stage_id);
            }
            if let Some(last) = k.sales.conversion.last() {
                assert_eq!(deals(D::Reached, Some("won")).await.total, last.went_on, "{what}");
            }
        }
    }
    // by hand: the week's won deals by their close, the previous week's, and the "new" stage's
    let ids = |d: tend::reports::ReportDeals| d.deals.into_iter().map(|d| d.id).collect::<Vec<_>>();
    let drill = |measure: D, previous: bool, value: Option<&str>| Drill {
        query: q.clone(),
        previous,
        measure,
        value: value.map(String::from),
    };
    assert_eq!(ids(s.f.ws.report_deals(&drill(D::Won, false, None)).await.expect("won")), [d1.clone(), d3.clone()]);
    assert_eq!(ids(s.f.ws.report_deals(&drill(D::Won, true, None)).await.expect("won")), [d0]);
    assert_eq!(ids(s.f.ws.report_deals(&drill(D::Lost, false, None)).await.expect("lost")), std::slice::from_ref(&d2));
    let mut reached = ids(s.f.ws.report_deals(&drill(D::Reached, false, Some("new"))).await.expect("new"));
    reached.sort();
    let mut want = vec![d1.clone(), d2, d3.clone(), d4];
    want.sort();
    assert_eq!(reached, want);
    assert!(s.f.ws.report_deals(&drill(D::Reached, false, Some("won-ish"))).await.is_err(), "an unknown stage");
    let done =
        s.f.ws
            .report_care_tasks(&Drill { query: q.clone(), previous: false, measure: K::OnTime, value: None }, 0, 1)
            .await;
    let done = done.expect("page");
    assert_eq!((done.total, done.tasks.len()), (2, 1), "a page of one");
    // amounts synced from another device past any this build accepts: summed, never overflowing
    let raw = rusqlite::Connection::open(s.f.dir.path().join("ws.tend")).expect("raw");
    raw.execute_batch(&format!(
        "BEGIN;
         INSERT INTO txs (hlc, at_ms, actor, device) VALUES ('9999999999999:00000:far', 0, NULL, 'far');
         INSERT INTO write_ctx (one, tx, replay) VALUES (1, last_insert_rowid(), 1);
         UPDATE deals SET amount = 9223372036854775000 WHERE id IN ('{d1}', '{d3}');
         DELETE FROM write_ctx; COMMIT;"
    ))
    .expect("synced amounts");
    let far = s.f.ws.report(&q).await.expect("report of huge amounts").current.sales.average_deal;
    assert_eq!((far.len(), far[0].amount), (1, 9_223_372_036_854_775_000), "the exact mean of two such amounts");
    // the segment's purchases open as its buyers
    for (previous, who) in [(false, &s.c[2]), (true, &s.c[0])] {
        let by = ReportQuery { segment_id: Some(segments[0].clone()), ..q.clone() };
        let d = Drill { query: by, previous, measure: C::Buyers, value: None };
        let page = s.f.ws.report_customers(&d, 0, 50).await.expect("buyers");
        assert_eq!(page.rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), std::slice::from_ref(who));
    }
}
