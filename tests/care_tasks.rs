//! Care enrolment and tasks on real workspace files: by hand, by event and by segment, once per
//! anchor; the dates of every anchor in the workspace zone; done, skipped, snoozed, rescheduled;
//! the iCalendar export; and the command line.
mod common;
use common::*;
use tend::care::{presets::presets, CarePlan, CarePlanInput, TaskFilter, TaskState};
use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};
use tend::staff::{Role, StaffInput};

fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}
fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

fn purchase(items: &str, amount: i64, at_ms: i64) -> InteractionInput {
    InteractionInput {
        kind: InteractionKind::Purchase,
        channel: InteractionChannel::InPerson,
        direction: Direction::Inbound,
        staff_id: None,
        occurred_at: Some(at_ms),
        summary: "Mua hàng".into(),
        body: None,
        amount: Some(amount),
        currency: Some("VND".into()),
        items: vec![tend::interactions::PurchaseItem { name: items.into(), quantity: 1, unit_price: amount }],
    }
}

fn preset(i: usize, enrol: &str) -> CarePlan {
    let mut p: CarePlanInput = presets("vi")[i].clone();
    p.enrol = enrol.into();
    CarePlan::from_input(&p).unwrap()
}

async fn tasks_of(ws: &tend::Workspace, customer: &str) -> Vec<tend::care::CareTask> {
    ws.care_tasks(&TaskFilter { customer_id: Some(customer.into()), ..Default::default() }).await.unwrap()
}

#[tokio::test]
async fn a_purchase_enrols_in_the_post_sale_plan_once_with_each_step_due_on_its_local_day() {
    let f = open().await;
    let ws = &f.ws;
    let lan = ws.add_staff(&StaffInput { name: "Trần Thị Lan".into(), email: None, role: Role::Agent }).await.unwrap();
    let mut c = person("Nguyễn Văn Dũng", "0912 345 678");
    c.owner_id = Some(lan.id.clone());
    let dung = ws.create_customer(&c).await.unwrap().customer;
    let plan = ws.create_care_plan(&preset(0, "event")).await.unwrap();
    // bought at 22:30 local (15:30Z): the thank-you call is the next local day at 09:00
    let bought =
        ws.add_interaction(&dung.id, &purchase("Máy lọc nước", 4_500_000, at("2026-11-23T15:30:00Z"))).await.unwrap();
    let tasks = tasks_of(ws, &dung.id).await;
    let due: Vec<(String, String)> = tasks.iter().map(|t| (t.name.clone(), utc(t.due_at))).collect();
    assert_eq!(
        due,
        [
            ("Gọi cảm ơn".into(), "2026-11-24T02:00:00Z".into()),
            ("Hỏi mức độ hài lòng".into(), "2026-11-30T03:00:00Z".into()),
            ("Gửi mẹo sử dụng".into(), "2026-12-23T03:00:00Z".into()),
            ("Ưu đãi mua lại".into(), "2027-05-22T02:30:00Z".into()),
        ]
    );
    let t = &tasks[0];
    assert_eq!(
        (t.assignee_id.as_deref(), t.state, t.remind_at),
        (Some(lan.id.as_str()), TaskState::Scheduled, Some(t.due_at))
    );
    assert_eq!(t.message, "Cảm ơn Nguyễn Văn Dũng đã mua Máy lọc nước × 1. Hỏi xem hàng đã nhận đủ và đúng chưa.");
    assert!(tasks[3].message.contains("23/11/2026"), "{}", tasks[3].message);
    // the same purchase again (by hand, from the last purchase) does nothing
    let again = ws.enrol_customers(&plan.id, std::slice::from_ref(&dung.id), None).await.unwrap();
    assert_eq!((again.enrolled, again.already, again.tasks), (0, 1, 0));
    assert_eq!(count(ws, "care_tasks").await, 4);
    assert_eq!(ws.care_plan(&plan.id).await.unwrap().enrolled, 1);
    // a second purchase is another anchor: another enrolment
    f.clock.advance(86_400_000);
    ws.add_interaction(&dung.id, &purchase("Lõi lọc", 350_000, T0 + 86_400_000)).await.unwrap();
    assert_eq!(count(ws, "care_enrolments").await, 2);
    assert_eq!(count(ws, "care_tasks").await, 8);
    // every row came through the write path, under the customer in history
    let history = ws.history(&dung.id).await.unwrap();
    assert!(history.iter().any(|h| h.change.table == "care_tasks"), "tasks in the customer's history");
    let _ = bought;
}

#[tokio::test]
async fn by_hand_a_missing_anchor_is_said_and_past_steps_are_not_made() {
    let f = open().await;
    let ws = &f.ws;
    let plan = ws.create_care_plan(&preset(0, "hand")).await.unwrap();
    let a = ws.create_customer(&person("Lê Thị Hoa", "")).await.unwrap().customer;
    let b = ws.create_customer(&person("Phạm Minh", "")).await.unwrap().customer;
    // one customer with no purchase: an error saying so, nothing written
    let e = ws.enrol_customers(&plan.id, std::slice::from_ref(&a.id), None).await.unwrap_err();
    match e {
        tend::Error::Validation(v) => assert_eq!(v[0].message_key, "care.no_purchase"),
        other => panic!("{other:?}"),
    }
    assert_eq!(count(ws, "care_enrolments").await, 0);
    // a purchase 60 days ago: only the +180 step is still ahead
    ws.add_interaction(&b.id, &purchase("Bếp từ", 9_000_000, T0 - 60 * 86_400_000)).await.unwrap();
    let r = ws.enrol_customers(&plan.id, &[a.id.clone(), b.id.clone()], None).await.unwrap();
    assert_eq!((r.enrolled, r.tasks, r.not_enrolled.len()), (1, 1, 1));
    assert_eq!(
        (r.not_enrolled[0].customer_name.as_str(), r.not_enrolled[0].reason.as_str()),
        ("Lê Thị Hoa", "care.no_purchase")
    );
    assert_eq!(tasks_of(ws, &b.id).await[0].name, "Ưu đãi mua lại");
    // a date given by hand stands for the anchor
    let r =
        ws.enrol_customers(&plan.id, std::slice::from_ref(&a.id), Some("2026-11-20".parse().unwrap())).await.unwrap();
    assert_eq!((r.enrolled, r.tasks), (1, 3), "+1 day is past; +7, +30, +180 are ahead");
}

#[tokio::test]
async fn a_deal_reaching_a_stage_enrols_its_customer_in_that_stages_plan() {
    let f = open().await;
    let ws = &f.ws;
    let toml = "name = \"Sau báo giá\"\nanchor = \"deal_stage:proposal\"\nenrol = \"event\"\n[[step]]\nname = \"Hỏi về báo giá\"\noffset_hours = 48\nchannel = \"call\"\ntemplate = \"Hỏi {{customer.name}} về {{deal.title}}\"\n";
    ws.create_care_plan(&CarePlan::from_toml(toml).unwrap()).await.unwrap();
    let c = ws.create_customer(&person("Công ty An Phát", "")).await.unwrap().customer;
    let deal = ws
        .create_deal(
            &c.id,
            &tend::deals::DealInput {
                title: "Phần mềm kế toán".into(),
                stage_id: Some("new".into()),
                amount: None,
                currency: None,
                expected_close: None,
                owner_id: None,
                lost_reason: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(count(ws, "care_tasks").await, 0);
    f.clock.advance(3_600_000);
    ws.move_deal(&deal.id, "proposal", None).await.unwrap();
    let t = tasks_of(ws, &c.id).await;
    assert_eq!(t.len(), 1);
    assert_eq!(
        (t[0].due_at, t[0].message.as_str()),
        (T0 + 3_600_000 + 48 * 3_600_000, "Hỏi Công ty An Phát về Phần mềm kế toán")
    );
    // moving away and back is the same deal: enrolled once
    ws.move_deal(&deal.id, "negotiation", None).await.unwrap();
    ws.move_deal(&deal.id, "proposal", None).await.unwrap();
    assert_eq!(count(ws, "care_tasks").await, 1);
}

#[tokio::test]
async fn done_logs_the_outcome_on_the_timeline_and_skip_snooze_reschedule_change_the_task() {
    let f = open().await;
    let ws = &f.ws;
    let plan = ws.create_care_plan(&preset(2, "hand")).await.unwrap(); // pre-sale nurture
    let c = ws.create_customer(&person("Võ Thị Mai", "0903 111 222")).await.unwrap().customer;
    let r = ws.enrol_customers(&plan.id, std::slice::from_ref(&c.id), None).await.unwrap();
    assert_eq!(r.tasks, 3);
    let t = tasks_of(ws, &c.id).await;
    let done =
        ws.complete_care_tasks(std::slice::from_ref(&t[0].id), "Khách cần máy cho văn phòng 10 người").await.unwrap();
    assert_eq!((done[0].state, done[0].remind_at), (TaskState::Done, None));
    let logged: (String, String, String, Option<String>) =
        sqlx::query_as("SELECT customer_id, kind, summary, body FROM interactions WHERE id = ?")
            .bind(done[0].interaction_id.as_deref())
            .fetch_one(ws.pool())
            .await
            .expect("the outcome logged");
    assert_eq!(
        logged,
        (
            c.id.clone(),
            "call".into(),
            "Gọi tìm hiểu nhu cầu".into(),
            Some("Khách cần máy cho văn phòng 10 người".into())
        )
    );
    // a closed task is not done again
    let e = ws.complete_care_tasks(std::slice::from_ref(&t[0].id), "lại").await.unwrap_err();
    assert!(format!("{e:?}").contains("care.task_closed"));
    // snooze: reminded later, still due when it was; never into the past
    let s = ws.snooze_care_task(&t[1].id, T0 + 7_200_000).await.unwrap();
    assert_eq!((s.state, s.remind_at, s.due_at), (TaskState::Snoozed, Some(T0 + 7_200_000), t[1].due_at));
    assert!(ws.snooze_care_task(&t[1].id, T0 - 1).await.is_err());
    // reschedule, then skip with a reason (a reason is required)
    let moved = ws.reschedule_care_tasks(std::slice::from_ref(&t[2].id), T0 + 20 * 86_400_000).await.unwrap();
    assert_eq!(
        (moved[0].state, moved[0].due_at, moved[0].remind_at),
        (TaskState::Rescheduled, T0 + 20 * 86_400_000, Some(T0 + 20 * 86_400_000))
    );
    assert!(ws.skip_care_tasks(std::slice::from_ref(&t[2].id), "  ").await.is_err());
    let skipped = ws.skip_care_tasks(std::slice::from_ref(&t[2].id), "Khách đã mua ở nơi khác").await.unwrap();
    assert_eq!(
        (skipped[0].state, skipped[0].outcome.as_deref()),
        (TaskState::Skipped, Some("Khách đã mua ở nơi khác"))
    );
    // open tasks only
    let open = ws.care_tasks(&TaskFilter { open_only: true, ..Default::default() }).await.unwrap();
    assert_eq!(open.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), [t[1].id.as_str()]);
}

#[tokio::test]
async fn a_birthday_plan_is_due_on_the_next_birthday_and_makes_next_years_when_done() {
    let f = open().await; // today is 23 November 2026 in the workspace zone
    let ws = &f.ws;
    let plan = ws.create_care_plan(&preset(1, "hand")).await.unwrap();
    let mut leap = person("Đặng Thu Trang", "");
    leap.birthday = Some("1996-02-29".into());
    let leap = ws.create_customer(&leap).await.unwrap().customer;
    let mut today = person("Bùi Quang Huy", "");
    today.birthday = Some("1990-11-23".into());
    let today = ws.create_customer(&today).await.unwrap().customer;
    let none = ws.create_customer(&person("Không Ngày Sinh", "")).await.unwrap().customer;
    let r = ws.enrol_customers(&plan.id, &[leap.id.clone(), today.id.clone(), none.id.clone()], None).await.unwrap();
    assert_eq!((r.enrolled, r.not_enrolled.len(), r.not_enrolled[0].reason.as_str()), (2, 1, "care.no_birthday"));
    // 29 February falls on 28 February in 2027, at 08:30 local
    let t = tasks_of(ws, &leap.id).await;
    assert_eq!(utc(t[0].due_at), "2027-02-28T01:30:00Z");
    // a birthday today is today's (08:30 has passed: due, not skipped)
    let h = tasks_of(ws, &today.id).await;
    assert_eq!(utc(h[0].due_at), "2026-11-23T01:30:00Z");
    ws.complete_care_tasks(std::slice::from_ref(&h[0].id), "Đã gửi lời chúc qua Zalo").await.unwrap();
    let h = tasks_of(ws, &today.id).await;
    assert_eq!(h.len(), 2, "next year's greeting is made when this year's closes");
    assert_eq!((utc(h[1].due_at), h[1].state), ("2027-11-23T01:30:00Z".into(), TaskState::Scheduled));
    // and the leap-day customer's next one after 2027 falls on 29 February 2028
    ws.skip_care_tasks(std::slice::from_ref(&t[0].id), "Nghỉ phép").await.unwrap();
    let t = tasks_of(ws, &leap.id).await;
    assert_eq!(utc(t[1].due_at), "2028-02-29T01:30:00Z");
}

#[tokio::test]
async fn a_segment_plan_takes_members_as_they_enter_and_lets_go_of_those_who_leave() {
    let f = open().await;
    let ws = &f.ws;
    let seg = ws
        .create_segment(&tend::segments::SegmentInput {
            name: "Hà Nội".into(),
            kind: tend::segments::SegmentKind::Dynamic,
            rules: Some(r#"{"field": "province", "op": "eq", "value": "ha noi"}"#.into()),
        })
        .await
        .unwrap();
    let mut p = presets("vi")[2].clone();
    p.enrol = format!("segment:{}", seg.id);
    p.unenrol_on_leave = true;
    let plan = ws.create_care_plan(&CarePlan::from_input(&p).unwrap()).await.unwrap();
    let mut c = person("Ngô Bảo Châu", "");
    c.province = Some("Hà Nội".into());
    let c = ws.create_customer(&c).await.unwrap().customer;
    let r = ws.care_reconcile().await.unwrap();
    assert_eq!((r.enrolled, r.tasks), (1, 3));
    assert_eq!(ws.care_reconcile().await.unwrap(), Default::default(), "nothing moved: nothing done");
    // the customer moves to Huế: leaves the segment and the plan, open tasks skipped
    let base = ws.customer(&c.id).await.unwrap().to_input();
    let mut moved = base.clone();
    moved.province = Some("Huế".into());
    ws.update_customer(&c.id, &base, &moved).await.unwrap();
    ws.care_reconcile().await.unwrap();
    let t = tasks_of(ws, &c.id).await;
    assert!(t.iter().all(|t| t.state == TaskState::Skipped && t.outcome.as_deref() == Some("left_segment")), "{t:?}");
    assert_eq!(ws.care_plan(&plan.id).await.unwrap().enrolled, 0);
    // a plan's event or unenrol settings that make no sense are refused by name
    let mut bad = presets("vi")[1].clone();
    bad.enrol = "event".into();
    bad.unenrol_on_leave = true;
    let e = CarePlan::from_input(&bad).unwrap_err();
    let fields: Vec<String> = match e {
        tend::Error::Validation(v) => v.into_iter().map(|f| format!("{}:{}", f.field, f.message_key)).collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(fields, ["enrol:care.event_needs_anchor", "unenrol_on_leave:care.unenrol_needs_segment"]);
}

#[tokio::test]
async fn open_tasks_export_as_an_icalendar_file_calendar_apps_read() {
    let f = open().await;
    let ws = &f.ws;
    let plan = ws.create_care_plan(&preset(2, "hand")).await.unwrap();
    let c = ws.create_customer(&person("Hồ Ngọc Hà", "0987 654 321")).await.unwrap().customer;
    ws.enrol_customers(&plan.id, std::slice::from_ref(&c.id), None).await.unwrap();
    let path = f.dir.path().join("care.ics");
    assert_eq!(ws.export_care_tasks(&path, None).await.unwrap(), 3);
    let text = std::fs::read_to_string(&path).unwrap();
    let cal: icalendar::Calendar = text.parse().expect("parses as iCalendar");
    use icalendar::Component;
    let events: Vec<&icalendar::Event> = cal.components.iter().filter_map(|c| c.as_event()).collect();
    assert_eq!(events.len(), 3);
    let tasks = tasks_of(ws, &c.id).await;
    assert_eq!(events[0].get_uid(), Some(format!("{}@tend", tasks[0].id).as_str()));
    assert_eq!(events[0].get_summary(), Some("Gọi tìm hiểu nhu cầu — Hồ Ngọc Hà"));
    match events[0].get_start() {
        Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(dt))) => {
            assert_eq!(dt.timestamp_millis(), tasks[0].due_at)
        }
        other => panic!("{other:?}"),
    }
    assert!(events[0].get_description().unwrap().contains("0987 654 321"), "{:?}", events[0].get_description());
}

#[test]
fn care_from_the_command_line() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("care.tend");
    let tend = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(&db).args(args).output().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (out.status.code(), json, String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (code, plans, err) = tend(&["care", "plan", "presets", "--add", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let nurture = plans[2]["id"].as_str().unwrap().to_string();
    let (_, c, _) = tend(&["customer", "add", "--name", "Trịnh Văn Quyết", "--phone", "0911 222 333", "--json"]);
    let cid = c["id"].as_str().unwrap().to_string();
    let (code, r, err) = tend(&["care", "enroll", "--plan", &nurture, "--customer", &cid, "--json"]);
    assert_eq!((code, r["tasks"].as_i64()), (Some(0), Some(3)), "{err}");
    let (_, r, _) = tend(&["care", "enroll", "--plan", &nurture, "--customer", &cid, "--json"]);
    assert_eq!((r["enrolled"].as_i64(), r["already"].as_i64()), (Some(0), Some(1)));
    let (code, page, _) = tend(&["care", "tasks", "--json"]);
    assert_eq!((code, &page["next"]), (Some(0), &serde_json::Value::Null), "one page holds them all");
    let tasks = page["tasks"].as_array().unwrap().clone();
    assert_eq!(tasks.len(), 3);
    for key in ["id", "customer_id", "plan_id", "step", "due_at", "assignee_id", "state"] {
        assert!(tasks[0].get(key).is_some(), "{key}");
    }
    assert!(tasks[0]["due_at"].as_str().unwrap().ends_with('Z'), "UTC RFC 3339");
    let first = tasks[0]["id"].as_str().unwrap();
    let (code, t, err) = tend(&["care", "done", first, "--outcome", "Đã gọi, hẹn gặp thứ Hai", "--json"]);
    assert_eq!((code, t["state"].as_str()), (Some(0), Some("done")), "{err}");
    let second = tasks[1]["id"].as_str().unwrap();
    let (code, t, _) = tend(&["care", "snooze", second, "--until", "2099-01-01T02:00:00Z", "--json"]);
    assert_eq!(
        (code, t["state"].as_str(), t["remind_at"].as_str()),
        (Some(0), Some("snoozed"), Some("2099-01-01T02:00:00Z"))
    );
    // bad input: exit 2 naming the option
    let (code, e, _) = tend(&["care", "snooze", second, "--until", "tomorrow", "--json"]);
    assert_eq!((code, e["error"]["field"].as_str()), (Some(2), Some("until")));
    let (code, _, _) = tend(&["care", "done", "no-such-task", "--outcome", "x"]);
    assert_ne!(code, Some(0));
    let (code, page, _) = tend(&["care", "tasks", "--open", "--due-before", "2099-12-31T00:00:00Z", "--json"]);
    assert_eq!((code, page["tasks"].as_array().map(Vec::len)), (Some(0), Some(2)));
    let ics = dir.path().join("mine.ics");
    let (code, r, _) = tend(&["export", "care-tasks", ics.to_str().unwrap(), "--json"]);
    assert_eq!((code, r["tasks"].as_i64()), (Some(0), Some(2)));
    assert!(std::fs::read_to_string(&ics).unwrap().starts_with("BEGIN:VCALENDAR"));
}

#[tokio::test]
async fn a_merge_moves_care_tasks_to_the_survivor_its_undo_moves_them_back_and_purge_removes_them() {
    let f = open().await;
    let ws = &f.ws;
    let plan = ws.create_care_plan(&preset(2, "hand")).await.unwrap();
    let keep = ws.create_customer(&person("Nguyễn Thị Thu", "0912 000 111")).await.unwrap().customer;
    let other = ws.create_customer(&person("Nguyễn Thị Thu", "0912 000 222")).await.unwrap().customer;
    ws.enrol_customers(&plan.id, std::slice::from_ref(&other.id), None).await.unwrap();
    let m = ws.merge_customers(&keep.id, &other.id, &[]).await.unwrap();
    assert_eq!(tasks_of(ws, &keep.id).await.len(), 3, "the survivor has the other's tasks");
    ws.undo_merge(&m.merge_id).await.unwrap();
    assert_eq!(tasks_of(ws, &keep.id).await.len(), 0);
    ws.trash_customer(&other.id).await.unwrap();
    assert!(tasks_of(ws, &other.id).await.is_empty(), "a trashed customer's tasks are not listed");
    ws.purge_customer(&other.id).await.unwrap();
    assert_eq!((count(ws, "care_tasks").await, count(ws, "care_enrolments").await), (0, 0));
}

#[tokio::test]
async fn pages_of_tasks_follow_due_time_then_id_and_never_skip_or_repeat_a_task() {
    let f = open().await;
    let ws = &f.ws;
    let plan = ws.create_care_plan(&preset(2, "hand")).await.unwrap(); // three steps from enrolment
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(ws.create_customer(&person(&format!("Khách {i:02}"), "")).await.unwrap().customer.id);
    }
    // one anchor day for all: each step's 20 tasks fall due at the same instant
    ws.enrol_customers(&plan.id, &ids, Some("2026-11-25".parse().unwrap())).await.unwrap();
    let all = ws.care_tasks(&TaskFilter { limit: Some(10_000), ..Default::default() }).await.unwrap();
    assert_eq!(all.len(), 60);
    let mut seen: Vec<String> = Vec::new();
    let mut filter = TaskFilter { open_only: true, limit: Some(7), ..Default::default() };
    let mut pages = 0;
    loop {
        let page = ws.care_tasks_page(&filter).await.unwrap();
        pages += 1;
        assert!(page.tasks.len() <= 7);
        let keys: Vec<(i64, &str)> = page.tasks.iter().map(|t| (t.due_at, t.id.as_str())).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "in (due time, id) order: {keys:?}");
        seen.extend(page.tasks.iter().map(|t| t.id.clone()));
        match page.next {
            Some(next) => {
                assert_eq!(page.tasks.len(), 7, "a page with a next is full");
                filter.after = Some(next);
            }
            None => break,
        }
    }
    assert_eq!(pages, 9, "60 tasks in pages of 7");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (60, 60), "every task once");
    let mut every: Vec<String> = all.iter().map(|t| t.id.clone()).collect();
    every.sort();
    assert_eq!(unique, every);
    // a page that holds them all says there is no next
    let page = ws.care_tasks_page(&TaskFilter { limit: Some(60), ..Default::default() }).await.unwrap();
    assert_eq!((page.tasks.len(), page.next), (60, None));
    // a cursor that is not one is refused by name
    let e = ws.care_tasks_page(&TaskFilter { after: Some("demain".into()), ..Default::default() }).await.unwrap_err();
    assert_eq!(fields(e), [("after".into(), "care.cursor_invalid".into())]);
}

/// The VEVENT block of the event whose UID starts with `id` in an iCalendar text.
fn event_block<'a>(ics: &'a str, id: &str) -> &'a str {
    let uid = format!("UID:{id}@tend");
    ics.split("BEGIN:VEVENT").find(|b| b.contains(&uid)).unwrap_or_else(|| panic!("no event {id}"))
}

#[tokio::test]
async fn the_icalendar_file_has_one_prodid_and_a_snoozed_task_alarms_at_its_reminder() {
    let f = open().await;
    let ws = &f.ws;
    let plan = ws.create_care_plan(&preset(2, "hand")).await.unwrap();
    let c = ws.create_customer(&person("Hồ Ngọc Hà", "0987 654 321")).await.unwrap().customer;
    ws.enrol_customers(&plan.id, std::slice::from_ref(&c.id), None).await.unwrap();
    let tasks = tasks_of(ws, &c.id).await;
    // reminded two hours after it falls due
    let until = tasks[0].due_at + 2 * 3_600_000;
    ws.snooze_care_task(&tasks[0].id, until).await.unwrap();
    let ics = ws.care_tasks_ics(None).await.unwrap();
    let prodids: Vec<&str> = ics.lines().filter(|l| l.starts_with("PRODID")).collect();
    assert_eq!(prodids, ["PRODID:-//Tend//Care tasks//VI"], "RFC 5545: one PRODID");
    assert_eq!(ics.lines().filter(|l| l.starts_with("VERSION")).count(), 1);
    let snoozed = event_block(&ics, &tasks[0].id);
    assert!(snoozed.contains("TRIGGER:PT7200S"), "the alarm two hours after the start:\n{snoozed}");
    let other = event_block(&ics, &tasks[1].id);
    assert!(other.contains("TRIGGER:P0D"), "a task not snoozed alarms at its start:\n{other}");
    assert!(other.contains(&format!("UID:{}-alarm@tend", tasks[1].id)), "the alarm's UID is stable:\n{other}");
    let cal: icalendar::Calendar = ics.parse().expect("parses as iCalendar");
    assert_eq!(cal.components.iter().filter_map(|c| c.as_event()).count(), 3);
}

#[tokio::test]
async fn a_time_or_an_anchor_date_in_a_year_out_of_range_is_a_field_error_and_nothing_changes() {
    let f = open().await;
    let ws = &f.ws;
    let plan = ws.create_care_plan(&preset(2, "hand")).await.unwrap();
    let c = ws.create_customer(&person("Lý Thu Thảo", "")).await.unwrap().customer;
    ws.enrol_customers(&plan.id, std::slice::from_ref(&c.id), None).await.unwrap();
    let t = tasks_of(ws, &c.id).await;
    // an instant the calendar holds but care work does not (a reminder in the year 9999), and one
    // it cannot hold at all
    let far = at("9999-12-30T00:00:00Z");
    assert_eq!(
        fields(ws.snooze_care_task(&t[0].id, far).await.unwrap_err()),
        [("until".into(), "validation.out_of_range".into())]
    );
    assert_eq!(
        fields(ws.reschedule_care_tasks(std::slice::from_ref(&t[0].id), i64::MAX).await.unwrap_err()),
        [("due_at".into(), "validation.out_of_range".into())]
    );
    let last = "9999-12-31".parse().unwrap();
    assert_eq!(
        fields(ws.enrol_customers(&plan.id, std::slice::from_ref(&c.id), Some(last)).await.unwrap_err()),
        [("anchor_date".into(), "validation.out_of_range".into())]
    );
    assert_eq!(tasks_of(ws, &c.id).await, t, "nothing changed");
    assert_eq!(count(ws, "care_enrolments").await, 1);
}
