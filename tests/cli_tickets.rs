//! `tend team`, `tend calendar` and `tend ticket` end to end on a real workspace file: the
//! issue's team file, Vietnam's holidays of a year, a ticket replayed with `--at` through its SLA,
//! invalid input refused with exit 2 and nothing written.

use serde_json::Value;
use std::process::Command;

fn tend(db: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tend"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LANG", "vi_VN.UTF-8")
        .output()
        .expect("run tend");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&out.stderr).to_string())
}

const TEAM: &str = r#"
name = "Bảo hành"
time_zone = "Asia/Ho_Chi_Minh"
vn_public_holidays = true               # the built-in Vietnamese holidays, for any year
holidays = ["2027-02-04", "2027-02-05"]   # extra closed days, local dates
stages = [ { name = "Mới" }, { name = "Chờ khách", pauses_sla = true }, { name = "Đã xử lý", solved = true },
           { name = "Đóng", solved = true, closed = true } ]   # optional: defaults otherwise
[hours]                                  # working intervals per weekday, local time; a missing day is closed
mon = ["08:00-12:00", "13:30-17:30"]
sat = ["08:00-12:00"]
[[sla]]                                  # first match wins
name = "Khẩn"
match = { priority = ["urgent", "high"] }
first_response_minutes = 60              # business minutes unless calendar = true
resolution_minutes = 480
"#;

#[test]
fn the_holidays_of_2030_by_the_vietnamese_lunar_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.tend");
    let (code, out, err) = tend(&db, &["calendar", "holidays", "--year", "2030", "--json"]);
    assert_eq!(code, 0, "{err}");
    let days: Vec<(&str, &str)> =
        out.as_array().unwrap().iter().map(|d| (d["date"].as_str().unwrap(), d["key"].as_str().unwrap())).collect();
    // Tết 2030 is 2 February in Vietnam (3 February in China): the eve is 1 February
    assert_eq!(days[1], ("2030-02-01", "holiday.tet"));
    assert_eq!(days[2], ("2030-02-02", "holiday.tet"));
    assert_eq!(days.len(), 11);
    assert!(out[2]["name"].as_str().unwrap().contains("Tết"), "{}", out[2]);
    let (code, out, _) = tend(&db, &["calendar", "holidays", "--year", "2200", "--json"]);
    assert_eq!((code, out["error"]["field"].as_str()), (2, Some("year")));
}

#[test]
fn a_ticket_replayed_through_its_sla() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.tend");
    let file = dir.path().join("team.toml");
    std::fs::write(&file, TEAM).unwrap();
    let (code, team, err) = tend(&db, &["team", "create", "--file", file.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(team["name"], "Bảo hành");
    assert_eq!(team["stages"].as_array().unwrap().len(), 4);
    // Saturday 2026-02-14 11:30, urgent, first response in 60 working minutes: 30 on Saturday;
    // Tết's eve was Monday 16 February and its days 17-20 February, so the other 30 minutes are
    // Saturday 21 February's first (the team works Monday and Saturday only)
    let (code, t, err) = tend(
        &db,
        &[
            "ticket",
            "create",
            "--subject",
            "Máy lọc nước rò rỉ",
            "--customer-phone",
            "0912 000 333",
            "--customer-name",
            "Hoàng Văn Tâm",
            "--team",
            "Bảo hành",
            "--priority",
            "urgent",
            "--channel",
            "zalo",
            "--at",
            "2026-02-14T11:30:00+07:00",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let number = t["number"].as_str().unwrap().to_string();
    let sla = t["sla"].as_array().unwrap();
    assert_eq!(sla[0]["target"], "first_response");
    assert_eq!(sla[0]["due_at"], "2026-02-21T01:30:00Z");
    assert_eq!(sla[0]["state"], "breached", "it is long past");
    assert_eq!(sla[0]["breached_at"], "2026-02-21T01:30:00Z");
    assert_eq!(t["customer_name"], "Hoàng Văn Tâm");
    // replayed: a reply, a wait on the customer, their answer, the solve
    for args in [
        vec!["ticket", "reply", &number, "--body", "Dạ em nhận được ạ", "--at", "2026-02-21T08:20:00+07:00"],
        vec!["ticket", "stage", &number, "Chờ khách", "--at", "2026-02-21T09:00:00+07:00"],
        vec!["ticket", "message", &number, "--body", "Thứ Hai qua nhé", "--at", "2026-02-23T08:00:00+07:00"],
        vec!["ticket", "solve", &number, "--at", "2026-02-23T10:00:00+07:00"],
    ] {
        let mut a = args.clone();
        a.push("--json");
        let (code, _, err) = tend(&db, &a);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let (_, t, _) = tend(&db, &["ticket", "show", &number, "--json"]);
    let sla = t["sla"].as_array().unwrap();
    assert_eq!((sla[0]["state"].as_str(), sla[0]["breached_at"].as_str()), (Some("met"), None));
    assert_eq!(sla[1]["target"], "resolution");
    // 480 working minutes from Saturday 14th 11:30: 30 that day, 240 on Saturday 21st, 210 on
    // Monday 23rd: 11:30. The wait from Saturday 21st 09:00 held the 390 minutes left then,
    // counted again from the customer's answer on Monday 08:00: 240 to noon, 150 from 13:30: 16:00
    assert_eq!(sla[1]["due_at"], "2026-02-23T09:00:00Z");
    assert_eq!(sla[1]["state"], "met", "{}", sla[1]);
    assert_eq!(t["messages"].as_array().unwrap().len(), 2);
    assert_eq!(t["solved"], true);
    // the list of solved tickets has it; the open list does not
    let (_, page, _) = tend(&db, &["ticket", "list", "--view", "solved", "--json"]);
    assert_eq!(page["total"], 1);
    let (_, page, _) = tend(&db, &["ticket", "list", "--json"]);
    assert_eq!(page["total"], 0);
    // invalid input: exit 2, the field named, nothing written
    let (code, out, _) = tend(&db, &["ticket", "create", "--subject", "X", "--customer", "nobody", "--json"]);
    assert_eq!((code, out["error"]["fields"][0]["field"].as_str()), (2, Some("customer_id")), "{out}");
    let (code, out, _) = tend(
        &db,
        &["ticket", "create", "--subject", "X", "--customer-phone", "0912000333", "--priority", "gấp", "--json"],
    );
    assert_eq!((code, out["error"]["field"].as_str()), (2, Some("priority")), "{out}");
    let (code, out, _) = tend(&db, &["ticket", "stage", &number, "Không có", "--json"]);
    assert_eq!((code, out["error"]["field"].as_str()), (2, Some("stage")), "{out}");
    let (_, page, _) = tend(&db, &["ticket", "list", "--view", "all", "--json"]);
    assert_eq!(page["total"], 1);
}

#[test]
fn a_rule_from_its_file_routes_a_new_ticket_and_the_thread_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.tend");
    let team = dir.path().join("team.toml");
    std::fs::write(&team, TEAM).unwrap();
    assert_eq!(tend(&db, &["team", "create", "--file", team.to_str().unwrap(), "--json"]).0, 0);
    let rule = dir.path().join("rule.toml");
    std::fs::write(
        &rule,
        "name = \"Zalo gấp\"\n[when]\nchannel = [\"zalo\"]\n[then]\npriority = \"urgent\"\ntags = [\"zalo\"]\n",
    )
    .unwrap();
    let (code, out, err) = tend(&db, &["rule", "create", "--file", rule.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["when"]["channel"][0], "zalo");
    // a file that names what does not exist: exit 2, the field named, nothing kept
    std::fs::write(&rule, "name = \"Sai\"\n[when]\nsegment = [\"Không có\"]\n[then]\npriority = \"low\"\n").unwrap();
    let (code, out, _) = tend(&db, &["rule", "create", "--file", rule.to_str().unwrap(), "--json"]);
    assert_eq!((code, out["error"]["field"].as_str()), (2, Some("when.segment[0]")));
    let (_, list, _) = tend(&db, &["rule", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (code, t, err) = tend(
        &db,
        &[
            "ticket",
            "create",
            "--subject",
            "Hỏi giá",
            "--customer-phone",
            "0903 000 111",
            "--channel",
            "zalo",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!((t["priority"].as_str(), t["tags"][0].as_str()), (Some("urgent"), Some("zalo")));
    let number = t["number"].as_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tend"))
        .arg("--db")
        .arg(&db)
        .args(["ticket", "show", number])
        .env("LANG", "vi_VN.UTF-8")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Quy tắc “Zalo gấp”: mức ưu tiên urgent; thẻ zalo"), "{text}");
}

#[test]
fn survey_answers_from_a_spreadsheet_all_rows_or_none_and_never_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.tend");
    let file = dir.path().join("team.toml");
    std::fs::write(&file, format!("survey = \"csat\"\n{TEAM}")).unwrap();
    let (code, _, err) = tend(&db, &["team", "create", "--file", file.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let mut numbers = Vec::new();
    for (subject, phone) in [("Máy lọc nước rò rỉ", "0912 000 333"), ("Bếp từ không nóng", "0912 000 444")]
    {
        let (code, t, err) = tend(
            &db,
            &[
                "ticket",
                "create",
                "--subject",
                subject,
                "--customer-phone",
                phone,
                "--at",
                "2026-03-02T09:00:00+07:00",
                "--json",
            ],
        );
        assert_eq!(code, 0, "{err}");
        numbers.push(t["number"].as_str().unwrap().to_string());
    }
    // the first is solved: the team's survey waits for its answer
    let (code, _, err) = tend(&db, &["ticket", "solve", &numbers[0], "--at", "2026-03-02T11:00:00+07:00", "--json"]);
    assert_eq!(code, 0, "{err}");
    let answers = |db: &std::path::Path, n: &str| -> Vec<Value> {
        let (_, t, _) = tend(db, &["ticket", "show", n, "--json"]);
        let id = t["id"].as_str().unwrap().to_string();
        let c = rusqlite::Connection::open(db).unwrap();
        let mut st = c
            .prepare("SELECT kind, score, comment, answered_at, source FROM survey_answers WHERE ticket_id = ? ORDER BY kind, answered_at")
            .unwrap();
        let rows = st
            .query_map([id], |r| {
                Ok(serde_json::json!([
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, String>(4)?
                ]))
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        rows
    };
    assert_eq!(answers(&db, &numbers[0]).len(), 1, "the survey sent on the solve");

    // a phone survey typed into a spreadsheet, headers in Vietnamese, with mistakes
    let bad = dir.path().join("khao-sat-loi.csv");
    std::fs::write(
        &bad,
        format!(
            "Số phiếu,Loại,Điểm,Ghi chú,Ngày\n{a},csat,5,Rất hài lòng,03/03/2026 10:00\nKHONG-CO,csat,4,,\n{b},xyz,4,,\n{b},csat,năm,,\n{b},csat,9,,\n{b},nps,8,,31/02/2026\n",
            a = numbers[0],
            b = numbers[1]
        ),
    )
    .unwrap();
    let (code, out, _) = tend(&db, &["survey", "import", bad.to_str().unwrap(), "--json"]);
    assert_eq!(code, 2, "{out}");
    let fields: Vec<(&str, &str)> = out["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["message_key"].as_str().unwrap()))
        .collect();
    // rows counted as the spreadsheet shows them, minus one (the app names them from 1)
    assert_eq!(
        fields,
        [
            ("rows[2].ticket", "survey.ticket_unknown"),
            ("rows[3].kind", "validation.not_allowed"),
            ("rows[4].score", "validation.number_invalid"),
            ("rows[5].score", "validation.out_of_range"),
            ("rows[6].at", "validation.date_invalid"),
        ],
        "{out}"
    );
    assert_eq!(answers(&db, &numbers[0]).len(), 1, "nothing written");
    assert!(answers(&db, &numbers[1]).is_empty());

    // the file put right: the waiting survey answered, the other ticket's answers added
    let good = dir.path().join("khao-sat.csv");
    std::fs::write(
        &good,
        format!(
            "Số phiếu,Loại,Điểm,Ghi chú,Ngày\n{a},csat,5,Rất hài lòng,03/03/2026 10:00\n{b},CSAT,3,Chờ lâu,2026-03-04T09:00:00+07:00\n{b},nps,8,,04/03/2026 09:05\n",
            a = numbers[0],
            b = numbers[1]
        ),
    )
    .unwrap();
    let (code, out, err) = tend(&db, &["survey", "import", good.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, serde_json::json!({"rows": 3, "answered": 1, "added": 2, "skipped": 0}));
    let local = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
    assert_eq!(
        answers(&db, &numbers[0]),
        [serde_json::json!(["csat", 5, "Rất hài lòng", local("2026-03-03T10:00:00+07:00"), "import"])]
    );
    assert_eq!(
        answers(&db, &numbers[1]),
        [
            serde_json::json!(["csat", 3, "Chờ lâu", local("2026-03-04T09:00:00+07:00"), "import"]),
            serde_json::json!(["nps", 8, null, local("2026-03-04T09:05:00+07:00"), "import"]),
        ]
    );
    // the same file again adds nothing
    let (code, out, _) = tend(&db, &["survey", "import", good.to_str().unwrap(), "--json"]);
    assert_eq!((code, out), (0, serde_json::json!({"rows": 3, "answered": 0, "added": 0, "skipped": 3})));
    // a file without a score column says which column is missing
    let nocol = dir.path().join("thieu-cot.csv");
    std::fs::write(&nocol, format!("ticket,kind\n{},csat\n", numbers[1])).unwrap();
    let (code, out, _) = tend(&db, &["survey", "import", nocol.to_str().unwrap(), "--json"]);
    assert_eq!((code, out["error"]["field"].as_str()), (2, Some("file")), "{out}");
    assert_eq!(out["error"]["params"]["column"], "score", "{out}");
}

#[test]
fn import_tickets_prints_its_summary_and_a_bad_file_exits_2_naming_each_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.tend");
    let good = dir.path().join("lich-su.csv");
    std::fs::write(
        &good,
        "Mã phiếu,Tiêu đề,SĐT,Khách hàng,Kênh,Ngày tạo,Phản hồi đầu,Ngày giải quyết,CSAT\n\
         HD-1,Máy không chạy,0912 000 000,An,Zalo,2026-03-02T09:00:00+07:00,2026-03-02 09:30,2026-03-02 11:00,5\n\
         HD-2,Hỏi giá,0912 000 000,An,Điện thoại,2026-03-03 10:00,,,\n",
    )
    .unwrap();
    let (code, r, err) = tend(&db, &["import", "tickets", good.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((r["imported"].as_i64(), r["customers"].as_i64(), r["answers"].as_i64()), (Some(2), Some(1), Some(1)));
    let (_, t, _) = tend(&db, &["ticket", "show", "HD-1", "--json"]);
    assert_eq!(t["first_response_ms"], 30 * 60_000);
    // the same file again: nothing added, both already there
    let (code, r, _) = tend(&db, &["import", "tickets", good.to_str().unwrap(), "--json"]);
    assert_eq!((code, r["imported"].as_i64(), r["skipped"].as_i64()), (0, Some(0), Some(2)));

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Mã phiếu,Tiêu đề,SĐT,Ngày tạo,Ngày giải quyết,CSAT\n\
         HD-9,Đúng,0912 000 000,2026-03-04 10:00,,\n\
         HD-10,Sai ngày,0912 000 000,31/02/2026,,\n\
         HD-11,Điểm lạ,0912 000 000,2026-03-04 10:00,2026-03-04 09:00,9\n",
    )
    .unwrap();
    let (code, out, err) = tend(&db, &["import", "tickets", bad.to_str().unwrap(), "--json"]);
    assert_eq!(code, 2, "{err}");
    let fields: Vec<&str> =
        out["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["rows[2].created_at", "rows[3].solved_at", "rows[3].csat"]);
    // said in the workspace's language: the row, the file's column, why
    assert!(err.contains("Dòng 3, cột Ngày tạo"), "{err}");
    assert!(err.contains("Dòng 4, cột CSAT") && err.contains("9"), "{err}");
    let (_, list, _) = tend(&db, &["ticket", "list", "--view", "all", "--json"]);
    assert_eq!(list["total"], 2, "nothing of the bad file written");
}
