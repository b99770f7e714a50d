//! The `tend care` commands and the care export end to end on real workspace files: pages of
//! tasks that say where the next begins, an export that leaves nothing out, dates as people
//! write them, ids that are not found named, and a demo that opens on someone's work.
mod common;
use common::*;
use serde_json::Value;
use std::process::Command;
use tend::care::{CarePlan, TaskFilter};

fn tend(db: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(db).args(args).output().expect("run tend");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&out.stderr).to_string())
}

fn tend_text(db: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(db).args(args).output().expect("run tend");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// A plan of three steps from enrolment (days 1, 4 and 10), its name given.
fn nurture(name: &str) -> CarePlan {
    let steps: String = [1, 4, 10]
        .iter()
        .map(|d| {
            format!(
                "[[step]]\nname = \"Bước {d}\"\noffset_days = {d}\nchannel = \"call\"\ntemplate = \"Gọi {{{{customer.name}}}}\"\n"
            )
        })
        .collect();
    CarePlan::from_toml(&format!("name = \"{name}\"\nanchor = \"enrolment\"\n{steps}")).expect("plan")
}

/// The error's (field, message key) of a `--json` run that failed.
fn field_of(out: &Value) -> (Option<&str>, Option<&str>) {
    (out["error"]["field"].as_str(), out["error"]["message_key"].as_str())
}

#[tokio::test]
async fn care_tasks_come_a_page_at_a_time_and_the_last_line_says_how_to_go_on() {
    let f = open().await;
    let db = f.dir.path().join("ws.tend");
    let plan = f.ws.create_care_plan(&nurture("Nuôi dưỡng")).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..80 {
        ids.push(f.ws.create_customer(&person(&format!("Khách {i:02}"), "")).await.unwrap().customer.id);
    }
    // one anchor day: each step's 80 tasks fall due at one instant
    f.ws.enrol_customers(&plan.id, &ids, Some("2026-11-25".parse().unwrap())).await.unwrap();
    let all = f.ws.care_tasks(&TaskFilter { limit: Some(10_000), ..Default::default() }).await.unwrap();
    assert_eq!(all.len(), 240);

    // the default page is 200, and it says so
    let (code, page, err) = tend(&db, &["care", "tasks", "--open", "--json"]);
    assert_eq!(code, 0, "{err}");
    let first: Vec<String> =
        page["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(first.len(), 200);
    let next = page["next"].as_str().expect("a next cursor when more exist").to_string();
    let (code, text, _) = tend_text(&db, &["care", "tasks", "--open"]);
    assert_eq!(code, 0);
    let last = text.lines().last().unwrap();
    assert!(last.contains(&format!("--after {next}")), "the last line names the cursor: {last}");
    assert_eq!(text.lines().count(), 201);
    let (code, page, _) = tend(&db, &["care", "tasks", "--open", "--after", &next, "--json"]);
    assert_eq!((code, &page["next"]), (0, &Value::Null), "the last page has no next");
    let rest: Vec<String> =
        page["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(rest.len(), 40);
    let (_, text, _) = tend_text(&db, &["care", "tasks", "--open", "--after", &next]);
    assert_eq!(text.lines().count(), 40, "no continuation line on the last page");

    // pages of 100: every task once, none skipped
    let mut seen: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut args = vec!["care", "tasks", "--limit", "100", "--json"];
        if let Some(a) = &after {
            args.extend(["--after", a.as_str()]);
        }
        let (code, page, err) = tend(&db, &args);
        assert_eq!(code, 0, "{err}");
        seen.extend(page["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (240, 240));

    // a limit out of range and a cursor that is not one: exit 2 naming the option
    for (args, field) in [
        (vec!["care", "tasks", "--limit", "0", "--json"], "limit"),
        (vec!["care", "tasks", "--limit", "10001", "--json"], "limit"),
        (vec!["care", "tasks", "--after", "hôm qua", "--json"], "after"),
    ] {
        let (code, out, _) = tend(&db, &args);
        assert_eq!((code, out["error"]["field"].as_str()), (2, Some(field)), "{args:?}");
    }
}

#[tokio::test]
async fn an_export_of_care_tasks_writes_every_open_task_and_says_how_many() {
    let f = open().await;
    let db = f.dir.path().join("ws.tend");
    let plan = f.ws.create_care_plan(&nurture("Nuôi dưỡng")).await.unwrap();
    // 3,400 customers with three open tasks each: more than one read of 10,000 holds
    f.ws.generate_demo(3_400, 7).await.unwrap();
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM customers WHERE deleted_at IS NULL").fetch_all(f.ws.pool()).await.unwrap();
    f.ws.enrol_customers(&plan.id, &ids, Some("2026-11-25".parse().unwrap())).await.unwrap();
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM care_tasks t JOIN customers c ON c.id = t.customer_id
         WHERE t.deleted_at IS NULL AND c.deleted_at IS NULL AND t.state NOT IN ('done', 'skipped')",
    )
    .fetch_one(f.ws.pool())
    .await
    .unwrap();
    assert!(open > 10_000, "more than one read of 10,000: {open}");
    let ics = f.dir.path().join("care.ics");
    let (code, out, err) = tend(&db, &["export", "care-tasks", ics.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&ics).unwrap();
    let written = text.matches("BEGIN:VEVENT").count() as i64;
    assert_eq!((out["tasks"].as_i64(), written), (Some(open), open), "every open task, and the count said");
    // the events' UIDs (not their alarms')
    let mut uids: Vec<&str> =
        text.lines().filter(|l| l.starts_with("UID:") && l.ends_with("@tend") && !l.ends_with("-alarm@tend")).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len() as i64, open, "each task once");
    let (code, said, _) = tend_text(&db, &["export", "care-tasks", ics.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(said.starts_with(&format!("{open} care tasks written")), "{said}");
}

/// Today's local date in the workspace's default zone, Asia/Ho_Chi_Minh.
fn today_vn() -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap()).date()
}

/// The instant (RFC 3339, UTC) of a local time on a day in Asia/Ho_Chi_Minh (UTC+7, no DST).
fn vn(day: jiff::civil::Date, h: i8, m: i8) -> String {
    let tz = jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
    day.at(h, m, 0, 0).to_zoned(tz).unwrap().timestamp().to_string()
}

#[test]
fn dates_are_taken_as_people_write_them_and_a_year_out_of_range_is_a_field_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("care.tend");
    let (code, plans, err) = tend(&db, &["care", "plan", "presets", "--add", "--json"]);
    assert_eq!(code, 0, "{err}");
    let nurture = plans[2]["id"].as_str().unwrap().to_string();
    let (_, c, _) = tend(&db, &["customer", "add", "--name", "Trịnh Văn Quyết", "--json"]);
    let cid = c["id"].as_str().unwrap().to_string();
    let (code, _, err) = tend(&db, &["care", "enroll", "--plan", &nurture, "--customer", &cid, "--json"]);
    assert_eq!(code, 0, "{err}");
    let (_, page, _) = tend(&db, &["care", "tasks", "--json"]);
    let ids: Vec<String> =
        page["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
    let later = today_vn().checked_add(jiff::Span::new().days(5)).unwrap();

    // a local date is 09:00 that day in the workspace's zone; a time may follow; day first too
    let (code, t, err) = tend(&db, &["care", "snooze", &ids[0], "--until", &later.to_string(), "--json"]);
    assert_eq!((code, t["remind_at"].as_str()), (0, Some(vn(later, 9, 0).as_str())), "{err}");
    let typed = format!("{:02}/{:02}/{} 14:30", later.day(), later.month(), later.year());
    let (code, t, err) = tend(&db, &["care", "snooze", &ids[0], "--until", &typed, "--json"]);
    assert_eq!((code, t["remind_at"].as_str()), (0, Some(vn(later, 14, 30).as_str())), "{err}");
    let (code, t, err) = tend(&db, &["care", "reschedule", &ids[1], "--due", "2027-01-20", "--json"]);
    assert_eq!((code, t["due_at"].as_str()), (0, Some("2027-01-20T02:00:00Z")), "{err}");
    // --due-before a date: before that day starts
    let (code, page, _) = tend(&db, &["care", "tasks", "--due-before", "2027-01-20", "--json"]);
    assert_eq!(code, 0);
    assert!(page["tasks"].as_array().unwrap().iter().all(|t| t["id"] != ids[1].as_str()), "due at 09:00 that day");
    let (_, page, _) = tend(&db, &["care", "tasks", "--due-before", "21/01/2027", "--json"]);
    assert!(page["tasks"].as_array().unwrap().iter().any(|t| t["id"] == ids[1].as_str()));

    // what is not a date is said so, and the hint names both forms taken (not the birthday's)
    let (code, out, err) = tend(&db, &["care", "snooze", &ids[0], "--until", "ngày mai", "--json"]);
    assert_eq!((code, field_of(&out)), (2, (Some("until"), Some("validation.when_invalid"))));
    assert!(err.contains("2026-12-10") && err.contains("2026-12-10T14:30:00+07:00"), "{err}");
    assert!(!err.contains("15/03/1985"), "{err}");

    // a year the calendar or the workspace cannot hold: a field error at the option, exit 2
    for (args, field) in [
        (vec!["care", "snooze", &ids[0], "--until", "9999-12-31T23:59:59Z"], "until"),
        (vec!["care", "snooze", &ids[0], "--until", "9999-12-30T00:00:00Z"], "until"),
        (vec!["care", "reschedule", &ids[1], "--due", "31/12/9999"], "due"),
        (vec!["care", "tasks", "--due-before", "9999-12-31T23:59:59Z"], "due_before"),
        (vec!["care", "enroll", "--plan", &nurture, "--customer", &cid, "--anchor-date", "9999-12-31"], "anchor_date"),
    ] {
        let mut args = args.clone();
        args.push("--json");
        let (code, out, err) = tend(&db, &args);
        assert_eq!((code, field_of(&out)), (2, (Some(field), Some("validation.out_of_range"))), "{args:?}: {err}");
        assert!(!err.contains("cannot be represented"), "{err}");
    }
    // nothing changed by the refusals
    let (_, t, _) = tend(&db, &["care", "tasks", "--json"]);
    let first = t["tasks"].as_array().unwrap().iter().find(|t| t["id"] == ids[0].as_str()).unwrap().clone();
    assert_eq!(first["remind_at"].as_str(), Some(vn(later, 14, 30).as_str()));
    // an anchor date typed day first is a date
    let (code, r, err) =
        tend(&db, &["care", "enroll", "--plan", &nurture, "--customer", &cid, "--anchor-date", "15/03/2027", "--json"]);
    assert_eq!((code, r["enrolled"].as_i64(), r["tasks"].as_i64()), (0, Some(1), Some(3)), "{err}");
}

#[test]
fn enrolling_a_customer_that_does_not_exist_names_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("care.tend");
    let (_, plans, _) = tend(&db, &["care", "plan", "presets", "--add", "--json"]);
    let nurture = plans[2]["id"].as_str().unwrap().to_string();
    let (code, out, err) = tend(&db, &["care", "enroll", "--plan", &nurture, "--customer", "nosuch", "--json"]);
    assert_eq!((code, field_of(&out)), (2, (Some("customer_id"), Some("care.no_customer"))));
    assert_eq!(out["error"]["params"]["value"].as_str(), Some("nosuch"), "{out}");
    assert!(err.contains("nosuch"), "{err}");
    let (code, _, err) = tend_text(&db, &["care", "enroll", "--plan", &nurture, "--customer", "nosuch"]);
    assert_eq!(code, 2);
    assert!(err.contains("nosuch"), "{err}");
}

#[test]
fn the_demo_opens_on_a_user_with_care_tasks_due_today_and_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.tend");
    let (code, _, err) = tend_text(&db, &["demo", "--customers", "400", "--seed", "42"]);
    assert_eq!(code, 0, "{err}");
    // this device's user is chosen: Today does not open on "who are you?"
    let (_, shown, _) = tend(&db, &["settings", "show", "--json"]);
    let me = shown["current_staff"].as_str().expect("a current staff member after the demo").to_string();
    let (_, staff, _) = tend(&db, &["staff", "list", "--json"]);
    assert!(staff.as_array().unwrap().iter().any(|s| s["id"] == me.as_str()), "one of the demo's staff");
    // what Today reads: the user's open tasks due before tomorrow
    let tomorrow = today_vn().tomorrow().unwrap();
    let (code, page, err) = tend(
        &db,
        &[
            "care",
            "tasks",
            "--open",
            "--assignee",
            &me,
            "--due-before",
            &tomorrow.to_string(),
            "--limit",
            "10000",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let start = vn(today_vn(), 0, 0);
    let due: Vec<&str> = page["tasks"].as_array().unwrap().iter().map(|t| t["due_at"].as_str().unwrap()).collect();
    // RFC 3339 in UTC with the same precision compare as instants
    let parse = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let overdue = due.iter().filter(|d| parse(d) < parse(&start)).count();
    let today = due.len() - overdue;
    assert!(today > 0 && overdue > 0, "due today {today}, overdue {overdue}");
    assert!(due.len() < 200, "a day's work, not a backlog: {}", due.len());
    // and some of the history was done, its outcome on the customer's timeline
    let (_, all, _) = tend(&db, &["care", "tasks", "--assignee", &me, "--limit", "10000", "--json"]);
    let done: Vec<&Value> = all["tasks"].as_array().unwrap().iter().filter(|t| t["state"] == "done").collect();
    assert!(!done.is_empty() && done.iter().all(|t| t["interaction_id"].is_string()));
    // the plans are the presets, ready to use, and the warranty team's follow-up after a solve
    let (_, plans, _) = tend(&db, &["care", "plan", "list", "--json"]);
    let plans = plans.as_array().unwrap();
    let followups = plans.iter().filter(|p| p["anchor"]["kind"] == "ticket_solved").count();
    assert_eq!((plans.len() - followups, followups), (3, 1), "{plans:?}");
}
