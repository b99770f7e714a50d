//! A ticket history imported from a CSV and an XLSX file: customers found by phone or email or
//! made; instants with an offset exact, the rest in the workspace's zone; response and
//! resolution times in calendar and working time over a weekend and a day off, as a live ticket
//! gets them; survey scores as answers; a bad file refused whole, naming each row; a second
//! import adds nothing; undo takes everything away; the reports count what was imported.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use tend::import::{ImportEntity, ImportOptions, ImportReport};
use tend::reports::{ReportQuery, TimeBasis};
use tend::staff::{Role, StaffInput};
use tend::tickets::TeamInput;
use tend::Workspace;

/// Local time in Hồ Chí Minh City (UTC+7).
fn at(local: &str) -> i64 {
    format!("{local}:00+07:00[Asia/Ho_Chi_Minh]").parse::<jiff::Zoned>().expect(local).timestamp().as_millisecond()
}

const MIN: i64 = 60_000;

// Mon–Fri 08:00–12:00 and 13:00–17:00, Sat 08:00–12:00, Friday 2026-11-20 off; first answer in
// 4 working hours, solved in 24.
const TEAM: &str = r#"
name = "Bảo hành"
time_zone = "Asia/Ho_Chi_Minh"
vn_public_holidays = false
holidays = ["2026-11-20"]
stages = [
  { name = "Mới" },
  { name = "Đang xử lý" },
  { name = "Chờ khách", pauses_sla = true },
  { name = "Đã xử lý", solved = true },
  { name = "Đóng", solved = true, closed = true },
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
resolution_minutes = 1440
"#;

fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn opts() -> ImportOptions {
    ImportOptions { entity: ImportEntity::Tickets, ..Default::default() }
}

async fn import(ws: &Workspace, path: &Path) -> ImportReport {
    ws.import(path, &opts(), |_| {}, Default::default()).await.expect("import")
}

struct Shop {
    f: Fixture,
    lan: String,
    minh: String,
    an: String,
    binh: String,
}

async fn shop() -> Shop {
    let f = open().await;
    f.clock.set(at("2026-11-30 07:00"));
    let staff =
        |name: &str, email: &str| StaffInput { name: name.into(), email: Some(email.into()), role: Role::Agent };
    let lan = f.ws.add_staff(&staff("Lan", "lan@x.vn")).await.unwrap().id;
    let minh = f.ws.add_staff(&staff("Minh", "minh@x.vn")).await.unwrap().id;
    f.ws.create_team(&TeamInput::from_toml(TEAM).unwrap()).await.unwrap();
    f.ws.set_report_settings(&tend::reports::ReportSettings {
        complaint_categories: vec![],
        return_categories: vec!["Đổi trả".into()],
    })
    .await
    .unwrap();
    let an = f.ws.create_customer(&person("An", "0912 000 000")).await.unwrap().customer.id;
    let binh = f.ws.create_customer(&with_email(person("Bình", ""), "binh@x.vn")).await.unwrap().customer.id;
    Shop { f, lan, minh, an, binh }
}

// 1: An by phone; created with an offset on Thursday 16:00, answered Saturday 09:00 (no offset:
//    local) over the Friday off, solved Monday 10:00; scored.
// 2: Bình by email (another case), no number; created 09:00 local, answered 02:30Z (09:30 local),
//    solved 11:00; CSAT 2.
// 3: a new customer by phone and name, open.
// 4: a customer known by name alone, made; answered at once and closed (solved by the close).
const HISTORY: &str = "\
Mã phiếu,Tiêu đề,SĐT,Email,Khách hàng,Kênh,Ưu tiên,Nhóm,Phân loại,Người phụ trách,Ngày tạo,Phản hồi đầu,Ngày giải quyết,Ngày đóng,CSAT,NPS,CES
HD-1,Máy không chạy,0912.000.000,,,Điện thoại,Cao,bao hanh,Bảo hành,Lan,2026-11-19T16:00:00+07:00,21/11/2026 09:00,2026-11-23 10:00,,5,9,6
,Hỏi bảo hành,,BINH@x.vn,,Zalo,Bình thường,,bảo hành,minh@x.vn,2026-11-17 09:00,2026-11-17T02:30:00Z,17/11/2026 11:00,,2,,
HD-3,Đổi hàng,0987 654 321,,Chị Hoa,Website,,Bảo hành,đổi trả,,18/11/2026 15:00,,,,,,
hd-4,Hỏi giá,,,Anh Tuấn,Facebook,khẩn cấp,,,Lan,2026-11-18 10:00,2026-11-18 10:15,,2026-11-18 11:00,4,,
";

/// Stage, priority, channel, category, assignee, replies, first solve, handling (calendar and
/// working), first response due and breached.
type Extra = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

type Stored = (String, String, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

async fn stored(ws: &Workspace, subject: &str) -> Stored {
    sqlx::query_as(
        "SELECT t.number, t.customer_id, t.created_at, t.first_response_at, t.first_response_ms,
            t.first_response_work_ms, t.solved_at, t.resolution_ms, t.resolution_work_ms
         FROM tickets t WHERE t.subject = ?",
    )
    .bind(subject)
    .fetch_one(ws.pool())
    .await
    .expect(subject)
}

#[tokio::test]
async fn a_history_file_becomes_tickets_the_reports_count() {
    let s = shop().await;
    let ws = &s.f.ws;
    let path = file(s.f.dir.path(), "lich-su.csv", HISTORY);

    // the preview: every row fine, each going to its customer (or one to be made)
    let pre = ws.import_preview(&path, &opts(), 10).await.expect("preview");
    assert!(pre.mapping_errors.is_empty(), "{:?}", pre.mapping_errors);
    let targets: Vec<&str> = pre.mapping.columns.iter().map(|c| c.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "number",
            "subject",
            "customer_phone",
            "customer_email",
            "customer_name",
            "channel",
            "priority",
            "team",
            "category",
            "assignee",
            "created_at",
            "first_response_at",
            "solved_at",
            "closed_at",
            "csat",
            "nps",
            "ces"
        ]
    );
    assert!(pre.rows.iter().all(|r| r.problems.is_empty()), "{:?}", pre.rows);
    let goes: Vec<Option<&str>> = pre.rows.iter().map(|r| r.customer.as_deref()).collect();
    assert_eq!(goes, [Some("An"), Some("Bình"), Some("Chị Hoa"), Some("Anh Tuấn")]);

    let r = import(ws, &path).await;
    assert_eq!((r.imported, r.skipped, r.customers, r.answers, r.failed_rows), (4, 0, 2, 5, 0));

    // 1: exact instants; 2460 min to the first answer (120 working: Thursday's last hour, and
    // Saturday 08:00–09:00), solved in 5400 (420 working: 60 + Saturday's 240 + Monday's 120)
    let (number, customer, created, fr, fr_ms, fr_work, solved, res_ms, res_work) = stored(ws, "Máy không chạy").await;
    assert_eq!((number.as_str(), customer.as_str()), ("HD-1", s.an.as_str()));
    assert_eq!(created, at("2026-11-19 16:00"));
    assert_eq!(fr, Some(at("2026-11-21 09:00")));
    assert_eq!((fr_ms, fr_work), (Some(2460 * MIN), Some(120 * MIN)));
    assert_eq!(solved, Some(at("2026-11-23 10:00")));
    assert_eq!((res_ms, res_work), (Some(5400 * MIN), Some(420 * MIN)));
    let extra: Extra = sqlx::query_as(
        "SELECT st.name, t.priority, t.channel, t.category, t.assignee_id, t.replies, t.first_solved_at,
                t.handling_ms, t.handling_work_ms, t.first_response_due, t.first_response_breached_at
             FROM tickets t JOIN ticket_stages st ON st.id = t.stage_id WHERE t.number = 'HD-1'",
    )
    .fetch_one(ws.pool())
    .await
    .unwrap();
    // the answer was due
    // Saturday 11:00 and came in time
    assert_eq!(
        extra,
        (
            "Đã xử lý".into(),
            "high".into(),
            "phone".into(),
            "Bảo hành".into(),
            Some(s.lan.clone()),
            Some(1),
            Some(at("2026-11-23 10:00")),
            Some(5400 * MIN),
            Some(420 * MIN),
            Some(at("2026-11-21 11:00")),
            None
        )
    );

    // 2: Bình's by email, numbered as the app numbers new tickets; 30 min both ways
    let (number, customer, created, fr, fr_ms, fr_work, _, res_ms, res_work) = stored(ws, "Hỏi bảo hành").await;
    // each category in one spelling: the first the file wrote, or the workspace's own
    let categories: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT category FROM tickets WHERE category IS NOT NULL ORDER BY category")
            .fetch_all(ws.pool())
            .await
            .unwrap();
    assert_eq!(categories, ["Bảo hành", "Đổi trả"]);
    assert_eq!(customer, s.binh);
    assert!(number.contains('-') && number != "HD-1", "{number}");
    assert_eq!((created, fr), (at("2026-11-17 09:00"), Some(at("2026-11-17 09:30"))));
    assert_eq!((fr_ms, fr_work, res_ms, res_work), (Some(30 * MIN), Some(30 * MIN), Some(120 * MIN), Some(120 * MIN)));
    let assignee: Option<String> = sqlx::query_scalar("SELECT assignee_id FROM tickets WHERE number = ?")
        .bind(&number)
        .fetch_one(ws.pool())
        .await
        .unwrap();
    assert_eq!(assignee, Some(s.minh.clone()));

    // 3: a customer made with the phone and name; open, in the first stage, no reply
    let (number, customer, _, fr, _, _, solved, _, _) = stored(ws, "Đổi hàng").await;
    assert_eq!((number.as_str(), fr, solved), ("HD-3", None, None));
    let hoa = ws.customer(&customer).await.unwrap();
    assert_eq!((hoa.name.as_str(), hoa.phones[0].number.as_str()), ("Chị Hoa", "+84987654321"));
    let open: (String, Option<i64>) = sqlx::query_as(
        "SELECT st.name, t.replies FROM tickets t JOIN ticket_stages st ON st.id = t.stage_id WHERE t.number = 'HD-3'",
    )
    .fetch_one(ws.pool())
    .await
    .unwrap();
    assert_eq!(open, ("Mới".into(), Some(0)));

    // 4: the number as tickets keep theirs; closed, and solved by the close
    let (number, _, _, _, _, _, solved, res_ms, _) = stored(ws, "Hỏi giá").await;
    assert_eq!((number.as_str(), solved, res_ms), ("HD-4", Some(at("2026-11-18 11:00")), Some(60 * MIN)));
    let closed: (String, Option<i64>, String) = sqlx::query_as(
        "SELECT st.name, t.closed_at, t.priority FROM tickets t JOIN ticket_stages st ON st.id = t.stage_id
         WHERE t.number = 'HD-4'",
    )
    .fetch_one(ws.pool())
    .await
    .unwrap();
    assert_eq!(closed, ("Đóng".into(), Some(at("2026-11-18 11:00")), "urgent".into()));

    // the scores: answers of their tickets, given when each was solved
    let answers: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT t.number, a.kind, a.score, a.answered_at FROM survey_answers a JOIN tickets t ON t.id = a.ticket_id
         WHERE t.number LIKE 'HD-%' ORDER BY t.number, a.kind",
    )
    .fetch_all(ws.pool())
    .await
    .unwrap();
    let solved1 = at("2026-11-23 10:00");
    assert_eq!(
        answers,
        vec![
            ("HD-1".into(), "ces".into(), 6, solved1),
            ("HD-1".into(), "csat".into(), 5, solved1),
            ("HD-1".into(), "nps".into(), 9, solved1),
            ("HD-4".into(), "csat".into(), 4, at("2026-11-18 11:00")),
        ]
    );

    // the week's report counts them: created Tue, Wed (2), Thu; solved Tue and Wed (HD-1 the next
    // Monday); first answers 30 (row 2), 15 (HD-4), 120 working (HD-1, on the Saturday)
    let week = |time| ReportQuery { from: "2026-11-16".into(), to: "2026-11-22".into(), time, ..Default::default() };
    let k = ws.report(&week(TimeBasis::Business)).await.expect("report").current.helpdesk;
    assert_eq!((k.tickets, k.solved), (4, 2));
    assert_eq!((k.first_response_minutes.count, k.first_response_minutes.median), (3, Some(30.0)));
    assert_eq!(k.first_response_minutes.mean, Some(55.0));
    // in calendar time the weekend counts: 15, 30 and 2460
    let c = ws.report(&week(TimeBasis::Calendar)).await.expect("report").current.helpdesk;
    assert_eq!((c.first_response_minutes.median, c.first_response_minutes.mean), (Some(30.0), Some(835.0)));
    // CSAT in the week: 2 and 4
    assert_eq!((k.csat.rated, k.csat.percent), (2, Some(50.0)));

    // the same file again adds nothing: every ticket is already there
    let again = import(ws, &path).await;
    assert_eq!((again.imported, again.skipped, again.customers, again.answers), (0, 4, 0, 0));
    let reasons: Vec<&str> = again.duplicates.iter().map(|d| d.reason.as_str()).collect();
    assert_eq!(reasons, ["ticket_number", "same_ticket", "ticket_number", "ticket_number"]);
    assert_eq!(count(ws, "tickets").await, 4);

    // undo: its tickets and answers deleted, the customers it made in the trash, the others kept
    ws.undo_import(None).await.expect("undo the second");
    let u = ws.undo_import(Some(&r.import_id)).await.expect("undo");
    assert_eq!((u.removed_tickets, u.removed_answers, u.removed), (4, 5, 2));
    assert!(u.kept.is_empty(), "{:?}", u.kept);
    let live: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE deleted_at IS NULL").fetch_one(ws.pool()).await.unwrap();
    let answers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_answers WHERE deleted_at IS NULL")
        .fetch_one(ws.pool())
        .await
        .unwrap();
    assert_eq!((live, answers), (0, 0));
    assert!(ws.customer(&customer).await.unwrap().deleted_at.is_some(), "Chị Hoa in the trash");
    assert!(ws.customer(&s.an).await.unwrap().deleted_at.is_none());
    let k = ws.report(&week(TimeBasis::Business)).await.expect("report").current.helpdesk;
    assert_eq!((k.tickets, k.solved, k.csat.rated), (0, 0, 0));
}

#[tokio::test]
async fn a_spreadsheet_in_english_with_date_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let s = shop().await;
    let ws = &s.f.ws;
    let path = s.f.dir.path().join("export.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let when = XFormat::new().set_num_format("dd/mm/yyyy hh:mm");
    for (c, h) in ["Ticket ID", "Subject", "Phone", "Requester email", "Priority", "Created at", "Solved at", "CSAT"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let dt = |d: u8, h: u16, m: u8| ExcelDateTime::from_ymd(2026, 11, d).unwrap().and_hms(h, m, 0).unwrap();
    // An by a phone stored as a number (its 0 gone); Bình by email; times as date cells (local)
    sheet.write_string(1, 0, "Z-100").unwrap();
    sheet.write_string(1, 1, "Screen broken").unwrap();
    sheet.write_number(1, 2, 912_000_000.0).unwrap();
    sheet.write_string(1, 4, "low").unwrap();
    sheet.write_datetime_with_format(1, 5, dt(16, 9, 0), &when).unwrap();
    sheet.write_datetime_with_format(1, 6, dt(16, 10, 30), &when).unwrap();
    sheet.write_number(1, 7, 5.0).unwrap();
    sheet.write_string(2, 0, "Z-101").unwrap();
    sheet.write_string(2, 1, "Invoice").unwrap();
    sheet.write_string(2, 3, "binh@x.vn").unwrap();
    sheet.write_datetime_with_format(2, 5, dt(17, 14, 0), &when).unwrap();
    book.save(&path).unwrap();

    let r = import(ws, &path).await;
    assert_eq!((r.imported, r.customers, r.answers), (2, 0, 1));
    let (_, customer, created, _, _, _, solved, res_ms, res_work) = stored(ws, "Screen broken").await;
    assert_eq!((customer, created, solved), (s.an.clone(), at("2026-11-16 09:00"), Some(at("2026-11-16 10:30"))));
    assert_eq!((res_ms, res_work), (Some(90 * MIN), Some(90 * MIN)));
    let (number, customer, created, ..) = stored(ws, "Invoice").await;
    assert_eq!((number.as_str(), customer, created), ("Z-101", s.binh.clone(), at("2026-11-17 14:00")));
}

const BAD: &str = "\
Mã phiếu,Tiêu đề,SĐT,Người phụ trách,Ngày tạo,Ngày giải quyết,CSAT
B-1,Ngày lạ,0912 000 000,Lan,31/02/2026 09:00,,
B-2,Giải quyết trước khi tạo,0912 000 000,Lan,2026-11-18 10:00,2026-11-18 09:00,
B-3,Ai đây,0912 000 000,Ngọc,2026-11-18 10:00,,
B-4,Điểm lạ,0912 000 000,Lan,2026-11-18 10:00,2026-11-18 11:00,9
B-5,Dòng đúng,0912 000 000,Lan,2026-11-18 10:00,,
";

#[tokio::test]
async fn a_bad_file_is_refused_whole_naming_each_row() {
    let s = shop().await;
    let ws = &s.f.ws;
    let path = file(s.f.dir.path(), "bad.csv", BAD);
    let customers = count(ws, "customers").await;
    let e = ws.import(&path, &opts(), |_| {}, Default::default()).await.expect_err("refused");
    let text = tend::messages::error_text(tend::messages::Lang::En, &e);
    assert_eq!(
        fields(e),
        vec![
            ("rows[1].created_at".into(), "validation.date_invalid".into()),
            ("rows[2].solved_at".into(), "import.before_created".into()),
            ("rows[3].assignee".into(), "import.assignee_unknown".into()),
            ("rows[4].csat".into(), "validation.out_of_range".into()),
        ]
    );
    // each said as "Row N, column X: why", with the value
    assert!(text.contains("Row 2, column Ngày tạo: "), "{text}");
    assert!(text.contains("Row 3, column Ngày giải quyết: "), "{text}");
    assert!(text.contains("Row 4, column Người phụ trách: ") && text.contains("Ngọc"), "{text}");
    assert!(text.contains("Row 5, column CSAT: "), "{text}");
    // nothing written, not even the good row
    assert_eq!(count(ws, "tickets").await, 0);
    assert_eq!(count(ws, "customers").await, customers);
    assert!(ws.imports().await.unwrap().is_empty());

    // the preview shows the same problems at their cells
    let pre = ws.import_preview(&path, &opts(), 10).await.unwrap();
    let keys: Vec<Vec<&str>> =
        pre.rows.iter().map(|r| r.problems.iter().map(|p| p.message_key.as_str()).collect()).collect();
    assert_eq!(
        keys,
        vec![
            vec!["validation.date_invalid"],
            vec!["import.before_created"],
            vec!["import.assignee_unknown"],
            vec!["validation.out_of_range"],
            vec![]
        ]
    );
}
