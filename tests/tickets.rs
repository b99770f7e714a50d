//! The helpdesk on real workspace files: teams from TOML, tickets under SLA in business hours
//! (pause and resume, breaches kept, both durations), checklists, reopening, assignment.

mod common;
use common::*;
use tend::staff::{Role, StaffInput};
use tend::tickets::{MessageKind, NewTicket, Reply, SlaState, Target, TeamInput, TicketFilter, TicketView};

/// The clock of the tests: after every event they replay (`--at`).
const LATER: &str = "2026-12-31T00:00:00Z";

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn show(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

const WARRANTY: &str = r#"
name = "Bảo hành"
time_zone = "Asia/Ho_Chi_Minh"
vn_public_holidays = true
holidays = ["2027-02-11"]
stages = [
  { name = "Mới" },
  { name = "Đang xử lý" },
  { name = "Chờ khách", pauses_sla = true },
  { name = "Kiểm tra chất lượng", checklist = ["Gọi lại cho khách", "Ghi biên bản"] },
  { name = "Đã xử lý", solved = true },
  { name = "Đóng", solved = true, closed = true },
]
[hours]
mon = ["08:00-12:00", "13:30-17:30"]
tue = ["08:00-12:00", "13:30-17:30"]
wed = ["08:00-12:00", "13:30-17:30"]
thu = ["08:00-12:00", "13:30-17:30"]
fri = ["08:00-12:00", "13:30-17:30"]
sat = ["08:00-12:00"]
[[sla]]
name = "Khẩn"
match = { priority = ["urgent", "high"] }
first_response_minutes = 60
next_response_minutes = 120
resolution_minutes = 480
[[sla]]
name = "Thường"
first_response_minutes = 240
resolution_minutes = 2880
"#;

async fn staff(ws: &tend::Workspace, name: &str, email: &str) -> String {
    ws.add_staff(&StaffInput { name: name.into(), email: Some(email.into()), role: Role::Agent }).await.unwrap().id
}

async fn warranty(ws: &tend::Workspace) -> tend::tickets::Team {
    ws.create_team(&TeamInput::from_toml(WARRANTY).unwrap()).await.unwrap()
}

fn new_ticket(customer: &str, subject: &str, priority: &str, when: &str) -> NewTicket {
    NewTicket {
        subject: subject.into(),
        customer_id: Some(customer.into()),
        priority: tend::tickets::Priority::parse(priority),
        message: Some("Máy giặt kêu to khi vắt".into()),
        at: Some(at(when)),
        ..Default::default()
    }
}

fn target(t: &tend::tickets::Ticket, which: Target) -> tend::tickets::SlaTarget {
    t.sla.iter().find(|s| s.target == which).cloned().unwrap_or_else(|| panic!("{which:?} in {:?}", t.sla))
}

#[tokio::test]
async fn a_team_file_is_checked_and_every_problem_named() {
    let f = open().await;
    f.clock.set(at(LATER));
    let team = warranty(&f.ws).await;
    assert_eq!(team.stages.len(), 6);
    assert!(team.stages[2].pauses_sla && team.stages[5].closed);
    assert_eq!(team.stages[3].checklist, vec!["Gọi lại cho khách", "Ghi biên bản"]);
    assert_eq!(team.sla.len(), 2);
    assert_eq!(team.sla[0].matches.priority, vec!["urgent", "high"]);
    // the same name again, whatever its case
    let again = f.ws.create_team(&TeamInput::from_toml(&WARRANTY.replace("Bảo hành", "BẢO HÀNH")).unwrap()).await;
    assert_eq!(fields(again.unwrap_err()), vec![("name".into(), "ticket.team_name_taken".into())]);
    let bad = r#"
name = ""
time_zone = "Asia/Sai_Gon"
stages = [ { name = "Xong", solved = true }, { name = "Xong" }, { name = "Đóng", closed = true } ]
members = ["ai-do@x.vn"]
[hours]
mon = ["8h-12h"]
[[sla]]
name = "A"
match = { priority = ["gấp"], channel = ["telegram"] }
first_response_minutes = 0
"#;
    let e = f.ws.create_team(&TeamInput::from_toml(bad).unwrap()).await.unwrap_err();
    assert_eq!(
        fields(e),
        [
            ("name", "validation.required"),
            ("time_zone", "validation.time_zone_invalid"),
            ("hours.mon[0]", "calendar.interval_invalid"),
            ("stages[1].name", "ticket.stage_twice"),
            ("stages[2].closed", "ticket.closed_not_solved"),
            ("stages[0]", "ticket.first_stage_open"),
            ("sla[0].match.priority[0]", "ticket.priority_unknown"),
            ("sla[0].match.channel[0]", "ticket.channel_unknown"),
            ("sla[0].first_response_minutes", "validation.out_of_range"),
            ("members[0]", "validation.unknown_staff"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .to_vec()
    );
    // an unknown key in the file is named by the TOML reader
    let typo = f.ws.create_team(&TeamInput::from_toml("name = \"X\"\nstagse = []").unwrap_or_default()).await;
    assert!(TeamInput::from_toml("name = \"X\"\nstagse = []").is_err());
    drop(typo);
    assert_eq!(count(&f.ws, "teams").await, 1, "nothing was written by the refused files");
}

#[tokio::test]
async fn a_ticket_gets_its_deadlines_in_business_hours_and_a_number() {
    let f = open().await;
    f.clock.set(at(LATER));
    warranty(&f.ws).await;
    let c = f.ws.create_customer(&person("Nguyễn Thị Lan", "0912 345 678")).await.unwrap().customer;
    // Friday 18:00: urgent, first response in 60 working minutes → Saturday 09:00
    let t =
        f.ws.create_ticket(&NewTicket {
            team_id: Some("Bảo hành".into()),
            ..new_ticket(&c.id, "Máy giặt kêu to", "urgent", "2026-12-11T18:00:00+07:00")
        })
        .await
        .unwrap()
        .ticket;
    assert_eq!(t.sla_name.as_deref(), Some("Khẩn"));
    assert_eq!(show(target(&t, Target::FirstResponse).due_ms), show(at("2026-12-12T09:00:00+07:00")));
    // 480 working minutes: Saturday 4 h, Monday 08:00-12:00
    assert_eq!(show(target(&t, Target::Resolution).due_ms), show(at("2026-12-14T12:00:00+07:00")));
    assert_eq!(target(&t, Target::FirstResponse).due_at, "2026-12-12T02:00:00Z");
    let tag = tend::tickets::ticket::device_tag(f.ws.device());
    assert_eq!(t.number, format!("{tag}-1"));
    // found again by number, whatever the case, with or without #
    assert_eq!(f.ws.ticket(&format!("#{}", t.number.to_lowercase())).await.unwrap().ticket.id, t.id);
    // a normal ticket by the customer's phone in another form: the same customer, the other policy
    let t2 =
        f.ws.create_ticket(&NewTicket {
            customer_id: None,
            customer_phone: Some("+84 912 345 678".into()),
            team_id: Some("Bảo hành".into()),
            ..new_ticket("", "Hỏi bảo hành", "normal", "2026-12-14T10:00:00+07:00")
        })
        .await
        .unwrap()
        .ticket;
    assert_eq!((t2.customer_id.as_str(), t2.number.clone()), (c.id.as_str(), format!("{tag}-2")));
    assert_eq!(t2.sla_name.as_deref(), Some("Thường"));
    // an unknown email makes a customer on the spot
    let t3 =
        f.ws.create_ticket(&NewTicket {
            customer_id: None,
            customer_email: Some("minh.tran@example.vn".into()),
            customer_name: Some("Trần Minh".into()),
            ..new_ticket("", "Đổi hàng", "low", "2026-12-14T10:05:00+07:00")
        })
        .await
        .unwrap()
        .ticket;
    assert_eq!(t3.customer_name, "Trần Minh");
    assert_eq!(f.ws.search("tran minh", 5).await.unwrap()[0].id, t3.customer_id);
    // bad input: every field named, nothing written
    let before = count(&f.ws, "tickets").await;
    let e =
        f.ws.create_ticket(&NewTicket {
            subject: " ".into(),
            customer_phone: Some("12ab".into()),
            team_id: Some("Không có".into()),
            at: Some(f.ws.now_ms() + 3 * 86_400_000),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(fields(e), vec![("at".to_string(), "ticket.at_ahead".to_string())]);
    let e =
        f.ws.create_ticket(&NewTicket {
            subject: " ".into(),
            customer_phone: Some("12ab".into()),
            team_id: Some("Không có".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        fields(e),
        [
            ("subject", "validation.required"),
            ("team", "ticket.team_unknown"),
            ("customer_phone", "validation.phone_invalid")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .to_vec()
    );
    assert_eq!(count(&f.ws, "tickets").await, before);
}

#[tokio::test]
async fn first_response_pause_resume_and_a_breach_that_stays() {
    let f = open().await;
    f.clock.set(at(LATER));
    let team = warranty(&f.ws).await;
    let me = staff(&f.ws, "Lê Văn Hùng", "hung@x.vn").await;
    f.ws.set_current_staff(Some(&me)).await.unwrap();
    let c = f.ws.create_customer(&person("Phạm Thu", "0903 111 222")).await.unwrap().customer;
    // Tuesday 08:30, urgent: first response by 09:30; resolution in 480 working minutes: 7.5 h on
    // Tuesday, then Wednesday 08:00-08:30
    let t =
        f.ws.create_ticket(&new_ticket(&c.id, "Tủ lạnh không lạnh", "urgent", "2026-12-08T08:30:00+07:00"))
            .await
            .unwrap()
            .ticket;
    assert_eq!(show(target(&t, Target::Resolution).due_ms), show(at("2026-12-09T08:30:00+07:00")));
    // a note is not a response
    let reply = |body: &str, when: &str| Reply { body: body.into(), at: Some(at(when)), ..Default::default() };
    let d =
        f.ws.add_ticket_message(&t.id, MessageKind::Note, &reply("Kiểm tra model", "2026-12-08T08:40:00+07:00"))
            .await
            .unwrap();
    assert!(d.ticket.first_response_at.is_none());
    // the reply at 09:10 is the first response: 40 minutes in calendar and working time
    let d =
        f.ws.add_ticket_message(&t.id, MessageKind::Reply, &reply("Em chào chị", "2026-12-08T09:10:00+07:00"))
            .await
            .unwrap();
    assert_eq!(d.ticket.first_response_ms, Some(40 * 60_000));
    assert_eq!(d.ticket.first_response_work_ms, Some(40 * 60_000));
    assert_eq!(target(&d.ticket, Target::FirstResponse).state, SlaState::Met);
    // waiting on the customer from 10:00 to 15:00 (3.5 working hours across lunch)
    let waiting = team.stages[2].id.clone();
    let d = f.ws.move_ticket(&t.id, &waiting, Some(at("2026-12-08T10:00:00+07:00"))).await.unwrap();
    assert!(d.ticket.paused);
    f.clock.set(at("2026-12-08T14:00:00+07:00"));
    let paused = f.ws.ticket(&t.id).await.unwrap().ticket;
    let res = target(&paused, Target::Resolution);
    assert_eq!(res.state, SlaState::Paused);
    // the time left is what was left when the pause began: 10:00 Tuesday to 08:30 Wednesday is
    // 6.5 working hours
    assert_eq!(res.left_ms, 13 * 1_800_000);
    f.clock.set(at(LATER));
    // the customer answers at 15:00: back to work, the deadline moves by 3.5 working hours
    let d =
        f.ws.add_ticket_message(&t.id, MessageKind::Customer, &reply("Chiều mai em qua", "2026-12-08T15:00:00+07:00"))
            .await
            .unwrap();
    assert!(!d.ticket.paused);
    assert_eq!(d.ticket.stage_name, "Đang xử lý");
    // 6.5 working hours from 15:00 Tuesday: 2.5 h on Tuesday, then Wednesday 08:00-12:00
    let due = target(&d.ticket, Target::Resolution).due_ms;
    assert_eq!(show(due), show(at("2026-12-09T12:00:00+07:00")));
    // the customer's message starts the next response clock: 120 working minutes → 17:00
    assert_eq!(show(target(&d.ticket, Target::NextResponse).due_ms), show(at("2026-12-08T17:00:00+07:00")));
    // nobody answers; Wednesday 08:30 the reply is late: the breach is kept after the answer
    let d =
        f.ws.add_ticket_message(&t.id, MessageKind::Reply, &reply("Dạ vâng", "2026-12-09T08:30:00+07:00"))
            .await
            .unwrap();
    let next = target(&d.ticket, Target::NextResponse);
    assert_eq!((next.state, next.breached_at.as_deref()), (SlaState::Breached, Some("2026-12-08T10:00:00Z")));
    // solved Thursday 09:00: the resolution breach stays, both durations without the pause
    let d = f.ws.solve_ticket(&t.id, Some(at("2026-12-10T09:00:00+07:00"))).await.unwrap();
    let res = target(&d.ticket, Target::Resolution);
    assert_eq!(res.state, SlaState::Breached);
    assert_eq!(res.breached_at.as_deref(), Some("2026-12-09T05:00:00Z"));
    let calendar = at("2026-12-10T09:00:00+07:00") - at("2026-12-08T08:30:00+07:00") - 5 * 3_600_000;
    assert_eq!(d.ticket.resolution_ms, Some(calendar));
    // working: Tue 08:30-17:30 = 7.5 h, Wed 8 h, Thu 1 h = 16.5 h, minus the pause's 3.5 h
    assert_eq!(d.ticket.resolution_work_ms, Some(13 * 3_600_000));
    // and the same state is read back from the file in the list
    f.clock.set(at("2026-12-10T10:00:00+07:00"));
    let page = f.ws.tickets(&TicketFilter { view: TicketView::Solved, limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].sla, d.ticket.sla);
}

#[tokio::test]
async fn a_checklist_must_be_ticked_and_a_customer_reopens_within_the_window() {
    let f = open().await;
    f.clock.set(at(LATER));
    let team = warranty(&f.ws).await;
    let me = staff(&f.ws, "Võ Thị Mai", "mai@x.vn").await;
    f.ws.set_current_staff(Some(&me)).await.unwrap();
    let c = f.ws.create_customer(&person("Đỗ Quang", "0988 000 111")).await.unwrap().customer;
    let t =
        f.ws.create_ticket(&new_ticket(&c.id, "Điều hoà chảy nước", "normal", "2026-12-07T09:00:00+07:00"))
            .await
            .unwrap()
            .ticket;
    let qc = &team.stages[3];
    f.ws.move_ticket(&t.id, &qc.name, Some(at("2026-12-07T10:00:00+07:00"))).await.unwrap();
    let e = f.ws.solve_ticket(&t.id, Some(at("2026-12-07T11:00:00+07:00"))).await.unwrap_err();
    let tend::Error::Validation(v) = e else { panic!() };
    assert_eq!((v[0].field.as_str(), v[0].message_key.as_str()), ("checklist", "ticket.checklist_open"));
    assert_eq!(v[0].params["value"], "Gọi lại cho khách, Ghi biên bản");
    let d =
        f.ws.tick_ticket_check(&t.id, "gọi lại cho khách", true, Some(at("2026-12-07T10:30:00+07:00"))).await.unwrap();
    assert!(d.checklist[0].done && !d.checklist[1].done);
    assert_eq!(d.checklist[0].by_name.as_deref(), Some("Võ Thị Mai"));
    assert!(f.ws.tick_ticket_check(&t.id, "Không có bước này", true, None).await.is_err());
    f.ws.tick_ticket_check(&t.id, "Ghi biên bản", true, Some(at("2026-12-07T10:40:00+07:00"))).await.unwrap();
    let d = f.ws.solve_ticket(&t.id, Some(at("2026-12-07T11:00:00+07:00"))).await.unwrap();
    assert!(d.ticket.solved && !d.ticket.closed);
    // who ticked what is in history
    let history: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM changes WHERE tbl = 22").fetch_one(f.ws.pool()).await.unwrap();
    assert_eq!(history, 2);
    // the customer writes 3 days later: reopened, counted, back to work
    let back =
        Reply {
            body: "Vẫn còn chảy nước".into(), at: Some(at("2026-12-10T09:00:00+07:00")), ..Default::default()
        };
    let d = f.ws.add_ticket_message(&t.id, MessageKind::Customer, &back).await.unwrap();
    assert_eq!((d.ticket.reopened, d.ticket.solved, d.ticket.stage_name.as_str()), (1, false, "Đang xử lý"));
    f.ws.solve_ticket(&t.id, Some(at("2026-12-10T10:00:00+07:00"))).await.unwrap();
    // 8 days after that solve is past the 7-day window: a new ticket, said so
    let late = Reply { body: "Lại hỏng".into(), at: Some(at("2026-12-18T10:00:00+07:00")), ..Default::default() };
    f.clock.set(at("2026-12-18T10:00:00+07:00"));
    let e = f.ws.add_ticket_message(&t.id, MessageKind::Customer, &late).await.unwrap_err();
    assert_eq!(fields(e), vec![("ticket".to_string(), "ticket.closed_new_ticket".to_string())]);
    let d = f.ws.reopen_ticket(&t.id, None).await.unwrap();
    assert_eq!(d.ticket.reopened, 2);
}

#[tokio::test]
async fn assignment_round_robin_fewest_open_cap_and_leave() {
    let f = open().await;
    f.clock.set(at(LATER));
    let a = staff(&f.ws, "An", "an@x.vn").await;
    let b = staff(&f.ws, "Bình", "binh@x.vn").await;
    let c = staff(&f.ws, "Chi", "chi@x.vn").await;
    let file = |assignment: &str, extra: &str| {
        format!(
            "name = \"Giao hàng\"\nmembers = [\"an@x.vn\", \"binh@x.vn\", \"{c}\"]\nassignment = \"{assignment}\"\n{extra}\n[hours]\nmon = [\"08:00-17:00\"]\ntue = [\"08:00-17:00\"]"
        )
    };
    let team = f.ws.create_team(&TeamInput::from_toml(&file("round_robin", "")).unwrap()).await.unwrap();
    let cust = f.ws.create_customer(&person("Cửa hàng Hoa Mai", "028 3822 1234")).await.unwrap().customer;
    let open_one = |when: &'static str| {
        let ws = &f.ws;
        let team = team.id.clone();
        let cust = cust.id.clone();
        async move {
            ws.create_ticket(&NewTicket { team_id: Some(team), ..new_ticket(&cust, "Giao trễ", "normal", when) })
                .await
                .unwrap()
                .ticket
                .assignee_id
        }
    };
    // Monday 2026-12-07, at work: in turn, in the team's order (by name)
    let mut got = Vec::new();
    for when in [
        "2026-12-07T09:00:00+07:00",
        "2026-12-07T09:01:00+07:00",
        "2026-12-07T09:02:00+07:00",
        "2026-12-07T09:03:00+07:00",
    ] {
        got.push(open_one(when).await.unwrap());
    }
    assert_eq!(got, vec![a.clone(), b.clone(), c.clone(), a.clone()]);
    // fewest open, capped at 2: An has 2, Bình 1, Chi 1 → Bình (first by name of the least)
    let team =
        f.ws.update_team(&team.id, &TeamInput::from_toml(&file("fewest_open", "max_open = 2")).unwrap()).await.unwrap();
    assert_eq!(open_one("2026-12-07T10:00:00+07:00").await, Some(b.clone()));
    assert_eq!(open_one("2026-12-07T10:01:00+07:00").await, Some(c.clone()));
    // everyone at the cap: nobody
    assert_eq!(open_one("2026-12-07T10:02:00+07:00").await, None);
    let unassigned =
        f.ws.tickets(&TicketFilter { view: TicketView::Unassigned, limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(unassigned.total, 1);
    // solve An's two: An is free again, unless on leave
    let page =
        f.ws.tickets(&TicketFilter { assignee_id: Some(a.clone()), limit: 10, ..Default::default() }).await.unwrap();
    for t in &page.rows {
        f.ws.solve_ticket(&t.id, Some(at("2026-12-07T11:00:00+07:00"))).await.unwrap();
    }
    let _ = team;
    f.ws.set_member_availability(
        &f.ws.team("Giao hàng").await.unwrap().id,
        &a,
        None,
        &["2026-12-07..2026-12-08".into()],
    )
    .await
    .unwrap();
    assert_eq!(open_one("2026-12-07T11:30:00+07:00").await, None, "An is on leave, the others at the cap");
    f.clock.set(at("2026-12-09T08:00:00+07:00"));
    // Wednesday is outside everyone's hours (Monday and Tuesday only): still given to whoever is not on leave
    assert_eq!(open_one("2026-12-09T08:05:00+07:00").await, Some(a.clone()));
}

#[tokio::test]
async fn solving_schedules_the_follow_up_task_and_sends_the_survey() {
    let f = open().await;
    f.clock.set(at(LATER));
    let me = staff(&f.ws, "Ngô Thị Thu", "thu@x.vn").await;
    f.ws.set_current_staff(Some(&me)).await.unwrap();
    let file = WARRANTY.replace("[hours]", "followup_days = 3\nsurvey = \"csat\"\n[hours]");
    let team = f.ws.create_team(&TeamInput::from_toml(&file).unwrap()).await.unwrap();
    assert_eq!((team.followup_days, team.survey), (Some(3), Some(tend::tickets::SurveyKind::Csat)));
    // the team's follow-up plan, counted from its solves
    let plans = f.ws.care_plans().await.unwrap();
    let plan = plans
        .iter()
        .find(|p| p.anchor == tend::care::Anchor::TicketSolved(team.id.clone()))
        .expect("the follow-up plan");
    assert_eq!(plan.steps[0].offset, tend::care::Offset::Days(3));
    let c = f.ws.create_customer(&person("Bùi Văn Toàn", "0977 123 456")).await.unwrap().customer;
    // worked by another agent than the user who solves it
    let khoa = staff(&f.ws, "Lê Minh Khoa", "khoa@x.vn").await;
    let t =
        f.ws.create_ticket(&NewTicket {
            assignee_id: Some(khoa.clone()),
            ..new_ticket(&c.id, "Bếp từ không nhận nồi", "normal", "2026-12-07T09:00:00+07:00")
        })
        .await
        .unwrap()
        .ticket;
    // a survey answer out of range is refused, naming the range
    let bad =
        tend::tickets::SurveyAnswerInput { kind: tend::tickets::SurveyKind::Csat, score: 6, comment: None, at: None };
    let tend::Error::Validation(v) = f.ws.record_survey(&t.id, &bad).await.unwrap_err() else { panic!() };
    assert_eq!((v[0].field.as_str(), v[0].params["max"].as_str()), ("score", "5"));
    let d = f.ws.solve_ticket(&t.id, Some(at("2026-12-07T11:00:00+07:00"))).await.unwrap();
    assert_eq!(d.surveys.len(), 1);
    assert_eq!((d.surveys[0].kind.as_str(), d.surveys[0].score), ("csat", None));
    // the follow-up task: three days after the solve, at 09:00, its message filled from the ticket
    let tasks =
        f.ws.care_tasks(&tend::care::TaskFilter { customer_id: Some(c.id.clone()), ..Default::default() })
            .await
            .unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(show(tasks[0].due_at), show(at("2026-12-10T09:00:00+07:00")));
    // the agent who had the ticket calls back, not the user who happened to solve it
    assert_eq!(tasks[0].assignee_id.as_deref(), Some(khoa.as_str()));
    assert!(
        tasks[0].message.contains(&t.number) && tasks[0].message.contains("Bếp từ không nhận nồi"),
        "{}",
        tasks[0].message
    );
    // the answer, recorded on the phone, answers the survey sent
    let answer = tend::tickets::SurveyAnswerInput {
        kind: tend::tickets::SurveyKind::Csat,
        score: 5,
        comment: Some("Kỹ thuật viên nhiệt tình".into()),
        at: Some(at("2026-12-10T09:10:00+07:00")),
    };
    let a = f.ws.record_survey(&t.number, &answer).await.unwrap();
    assert_eq!((a.score, a.sent_at.is_some(), a.staff_id.as_deref()), (Some(5), true, Some(me.as_str())));
    assert_eq!(f.ws.ticket(&t.id).await.unwrap().surveys.len(), 1);
    // solving again after a reopen sends no second survey while one waits unanswered... it was answered: a new one
    f.ws.reopen_ticket(&t.id, Some(at("2026-12-11T09:00:00+07:00"))).await.unwrap();
    let d = f.ws.solve_ticket(&t.id, Some(at("2026-12-11T10:00:00+07:00"))).await.unwrap();
    assert_eq!(d.surveys.len(), 2);
    // changing the follow-up days moves the plan's step
    let mut input = TeamInput::from_toml(&file).unwrap();
    input.followup_days = Some(5);
    f.ws.update_team(&team.id, &input).await.unwrap();
    let plans = f.ws.care_plans().await.unwrap();
    let plan = plans.iter().find(|p| p.anchor == tend::care::Anchor::TicketSolved(team.id.clone())).unwrap();
    assert_eq!(plan.steps[0].offset, tend::care::Offset::Days(5));
    assert_eq!(plans.len(), 1);
}

#[tokio::test]
async fn canned_responses_are_checked_when_saved_and_filled_for_a_ticket() {
    let f = open().await;
    f.clock.set(at(LATER));
    let me = staff(&f.ws, "Đặng Thu Hà", "ha@x.vn").await;
    f.ws.set_current_staff(Some(&me)).await.unwrap();
    warranty(&f.ws).await;
    let c = f.ws.create_customer(&person("Lý Thường Kiệt", "0912 000 999")).await.unwrap().customer;
    let t =
        f.ws.create_ticket(&new_ticket(&c.id, "Đổi bình nóng lạnh", "normal", "2026-12-07T09:00:00+07:00"))
            .await
            .unwrap()
            .ticket;
    use tend::tickets::CannedInput;
    let bad = CannedInput {
        name: "Chào".into(),
        body: "Chào {{customer.nam}}, phiếu {{ticket.number".into(),
        ..Default::default()
    };
    assert_eq!(
        fields(f.ws.create_canned(&bad).await.unwrap_err()),
        vec![("body".to_string(), "validation.template_unclosed".to_string())]
    );
    let bad = CannedInput { name: "Chào".into(), body: "Chào {{customer.nam}}".into(), ..Default::default() };
    assert_eq!(
        fields(f.ws.create_canned(&bad).await.unwrap_err()),
        vec![("body".to_string(), "validation.unknown_placeholder".to_string())]
    );
    let good = CannedInput {
        name: "Chào khách".into(),
        body: "Dạ em chào {{customer.name}}, em là {{agent.name}} ({{team.name}}). Phiếu {{ticket.number}}: {{ticket.subject}}.".into(),
        ..Default::default()
    };
    let canned = f.ws.create_canned(&good).await.unwrap();
    assert_eq!(
        fields(f.ws.create_canned(&CannedInput { name: "CHÀO KHÁCH".into(), ..good.clone() }).await.unwrap_err())[0].1,
        "ticket.canned_name_taken"
    );
    let text = f.ws.fill_canned("chào khách", &t.number).await.unwrap();
    assert_eq!(
        text,
        format!("Dạ em chào Lý Thường Kiệt, em là Đặng Thu Hà (Bảo hành). Phiếu {}: Đổi bình nóng lạnh.", t.number)
    );
    // a personal one is only its owner's
    let mine =
        f.ws.create_canned(&CannedInput {
            name: "Của tôi".into(),
            body: "Cảm ơn {{customer.given_name}}".into(),
            personal: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.staff_id.as_deref(), Some(me.as_str()));
    let other = staff(&f.ws, "Người khác", "khac@x.vn").await;
    f.ws.set_current_staff(Some(&other)).await.unwrap();
    let seen: Vec<String> = f.ws.canned_responses().await.unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(seen, vec!["Chào khách".to_string()]);
    // edited and removed
    f.ws.set_current_staff(Some(&me)).await.unwrap();
    f.ws.update_canned(&canned.id, &CannedInput { body: "Chào {{customer.name}}".into(), ..good.clone() })
        .await
        .unwrap();
    f.ws.remove_canned(&mine.id).await.unwrap();
    assert_eq!(f.ws.canned_responses().await.unwrap().len(), 1);
}

#[tokio::test]
async fn segments_find_customers_by_their_tickets_satisfaction_and_missing_profile_data() {
    let f = open().await;
    f.clock.set(at(LATER));
    warranty(&f.ws).await;
    let mut with_all = person("Có Đủ", "0912 111 222");
    with_all.emails.push(tend::customers::Email { label: String::new(), address: "du@x.vn".into() });
    with_all.tax_code = Some("0101234567".into());
    with_all.province = Some("Hà Nội".into());
    let full = f.ws.create_customer(&with_all).await.unwrap().customer;
    let bare = f.ws.create_customer(&person("Thiếu Hết", "")).await.unwrap().customer;
    let t =
        f.ws.create_ticket(&new_ticket(&full.id, "Hỏng", "normal", "2026-12-20T09:00:00+07:00")).await.unwrap().ticket;
    let old =
        f.ws.create_ticket(&new_ticket(&bare.id, "Cũ", "normal", "2026-10-01T09:00:00+07:00")).await.unwrap().ticket;
    f.ws.solve_ticket(&old.id, Some(at("2026-10-02T09:00:00+07:00"))).await.unwrap();
    let answer = tend::tickets::SurveyAnswerInput {
        kind: tend::tickets::SurveyKind::Csat,
        score: 2,
        comment: None,
        at: Some(at("2026-10-03T09:00:00+07:00")),
    };
    f.ws.record_survey(&old.id, &answer).await.unwrap();
    let names = |rules: serde_json::Value| {
        let ws = &f.ws;
        async move {
            let page = ws.segment_preview(&rules.to_string(), 0, 50).await.unwrap();
            page.rows.into_iter().map(|r| r.name).collect::<Vec<_>>()
        }
    };
    use serde_json::json;
    assert_eq!(names(json!({"all": [{"field": "open_tickets", "op": "gte", "value": 1}]})).await, vec!["Có Đủ"]);
    assert_eq!(
        names(json!({"all": [{"field": "open_tickets", "op": "empty", "value": null}]})).await,
        vec!["Thiếu Hết"]
    );
    // tickets within 30 days of the clock (31 December): the one of 20 December
    assert_eq!(
        names(json!({"all": [{"field": "last_ticket_at", "op": "within_days", "value": 30}]})).await,
        vec!["Có Đủ"]
    );
    assert_eq!(names(json!({"all": [{"field": "last_csat", "op": "lte", "value": 3}]})).await, vec!["Thiếu Hết"]);
    for field in ["email", "phone", "tax_code", "address"] {
        assert_eq!(
            names(json!({"all": [{"field": field, "op": "empty", "value": null}]})).await,
            vec!["Thiếu Hết"],
            "{field}"
        );
        assert_eq!(
            names(json!({"all": [{"field": field, "op": "not_empty", "value": null}]})).await,
            vec!["Có Đủ"],
            "{field}"
        );
    }
    // a presence field takes no other op
    let e =
        f.ws.segment_preview(&json!({"all": [{"field": "email", "op": "eq", "value": "x"}]}).to_string(), 0, 5)
            .await
            .unwrap_err();
    assert_eq!(fields(e)[0].0, "rules.all[0].op");
    let _ = t;
}

#[tokio::test]
async fn a_team_calendar_that_cannot_be_read_leaves_tickets_readable_and_a_huge_message_is_refused() {
    let f = open().await;
    f.clock.set(at(LATER));
    let team = warranty(&f.ws).await;
    let me = staff(&f.ws, "Lan", "lan@x.vn").await;
    f.ws.set_current_staff(Some(&me)).await.unwrap();
    let c = f.ws.create_customer(&person("Hồ Văn Nam", "0912 777 888")).await.unwrap().customer;
    let t =
        f.ws.create_ticket(&NewTicket {
            assignee_id: Some(me.clone()),
            ..new_ticket(&c.id, "Hỏng", "urgent", "2026-12-20T09:00:00+07:00")
        })
        .await
        .unwrap()
        .ticket;
    let huge = "x".repeat(50_001);
    assert_eq!(
        fields(
            f.ws.add_ticket_message(&t.id, MessageKind::Note, &Reply { body: huge, at: None, ..Default::default() })
                .await
                .unwrap_err()
        ),
        vec![("body".to_string(), "validation.too_long".to_string())]
    );
    // another device wrote a calendar this build cannot read (as sync would store it)
    let tx = tend_sync::protocol::RemoteTx {
        part: None,
        hlc: format!("{:013}:00000:ffffffffffffffff", at(LATER) + 60_000),
        at_ms: at(LATER) + 60_000,
        actor: None,
        device: "ffffffffffffffff".into(),
        records: vec![tend_sync::protocol::RemoteRecord {
            table: "teams".into(),
            row_id: team.id.clone(),
            op: tend_sync::protocol::RecordOp::Set {
                column: "calendar".into(),
                value: tend_sync::protocol::FieldValue::Text("{\"time_zone\": \"Mars/Base\"}".into()),
            },
        }],
    };
    f.ws.apply_remote(&tx).await.unwrap();
    let stored: String = sqlx::query_scalar("SELECT calendar FROM teams WHERE id = ?")
        .bind(&team.id)
        .fetch_one(f.ws.pool())
        .await
        .unwrap();
    assert!(stored.contains("Mars"), "{stored}");
    let d = f.ws.ticket(&t.id).await.unwrap();
    assert!(d.ticket.sla.is_empty(), "{:?}", d.ticket.sla);
    assert_eq!(f.ws.tickets(&TicketFilter { limit: 10, ..Default::default() }).await.unwrap().total, 1);
    assert!(f.ws.reminder_tick(at(LATER)).await.is_ok());
}

#[tokio::test]
async fn rules_run_once_in_order_say_what_they_did_and_the_acknowledgement_is_no_first_response() {
    use tend::tickets::{Priority, RuleInput, TicketChannel};
    let f = open().await;
    f.clock.set(at(LATER));
    let ha = staff(&f.ws, "Đặng Thu Hà", "ha@x.vn").await;
    let sales = f.ws.create_team(&TeamInput::from_toml("name = \"Bán hàng\"").unwrap()).await.unwrap();
    let ack = format!(
        "{WARRANTY}\n[ack]\nchannels = [\"zalo\", \"email\"]\nbody = \"Chào {{{{customer.given_name}}}}, {{{{team.name}}}} đã nhận phiếu {{{{ticket.number}}}}.\"\n"
    );
    // an acknowledgement with a placeholder it cannot fill is refused at its field
    let bad = ack.replace("{{team.name}}", "{{agent.name}}");
    assert_eq!(
        fields(f.ws.create_team(&TeamInput::from_toml(&bad).unwrap()).await.unwrap_err()),
        vec![("ack.body".to_string(), "validation.unknown_placeholder".to_string())]
    );
    let warranty = f.ws.create_team(&TeamInput::from_toml(&ack).unwrap()).await.unwrap();
    let canned =
        f.ws.create_canned(&tend::tickets::CannedInput {
            name: "Xin lỗi".into(),
            body: "Dạ em xin lỗi {{customer.name}}".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let rule = |text: &str| RuleInput::from_toml(text).unwrap();
    // refused: nothing to match, nothing to do, unknown names
    let err = f.ws.create_ticket_rule(&rule("name = \"Trống\"")).await.unwrap_err();
    assert_eq!(
        fields(err),
        vec![("when".to_string(), "rule.no_condition".to_string()), ("then".to_string(), "rule.no_action".to_string())]
    );
    let err =
        f.ws.create_ticket_rule(&rule(
            "name = \"Sai\"\n[when]\nteam = [\"Không có\"]\n[then]\nsuggest = \"Không có\"\nassignee = \"ai@x.vn\"",
        ))
        .await
        .unwrap_err();
    assert_eq!(
        fields(err),
        vec![
            ("when.team[0]".to_string(), "ticket.team_unknown".to_string()),
            ("then.assignee".to_string(), "validation.unknown_staff".to_string()),
            ("then.suggest".to_string(), "rule.canned_unknown".to_string()),
        ]
    );
    // two rules that would feed each other, and a third that sees what the first did
    let to_warranty =
        f.ws.create_ticket_rule(&rule(
            "name = \"Hỏng qua Zalo\"\n[when]\nchannel = [\"zalo\"]\nkeywords = [\"hong\", \"bảo hành\"]\n\
             [then]\nteam = \"Bảo hành\"\ntags = [\"bao-hanh\"]",
        ))
        .await
        .unwrap();
    f.ws.create_ticket_rule(&rule(
        "name = \"Bảo hành là gấp\"\n[when]\nteam = [\"Bảo hành\"]\n[then]\npriority = \"high\"\nassignee = \"ha@x.vn\"",
    ))
    .await
    .unwrap();
    f.ws.create_ticket_rule(&rule(
        "name = \"Gấp về bảo hành\"\n[when]\npriority = [\"high\"]\n[then]\nteam = \"Bảo hành\"\nsuggest = \"Xin lỗi\"",
    ))
    .await
    .unwrap();
    let mut input = NewTicket {
        subject: "Máy giặt HỎNG".into(),
        customer_phone: Some("0903 111 222".into()),
        customer_name: Some("Trần Văn Dũng".into()),
        channel: Some(TicketChannel::Zalo),
        team_id: Some(sales.id.clone()),
        at: Some(at("2026-12-07T09:00:00+07:00")),
        ..Default::default()
    };
    let d = f.ws.create_ticket(&input).await.unwrap();
    let t = &d.ticket;
    assert_eq!(t.team_id, warranty.id, "the first rule moved it");
    assert_eq!(t.priority, "high");
    assert_eq!(t.assignee_id.as_deref(), Some(ha.as_str()));
    assert_eq!(t.tags, vec!["bao-hanh".to_string()]);
    assert_eq!(t.sla_name.as_deref(), Some("Khẩn"), "the policy is picked after the rules");
    let fired: Vec<String> = d.messages.iter().filter_map(|m| m.rule.as_ref()).map(|r| r.rule.clone()).collect();
    assert_eq!(fired, vec!["Hỏng qua Zalo", "Bảo hành là gấp", "Gấp về bảo hành"], "each once, in order");
    let second = d.messages.iter().filter_map(|m| m.rule.as_ref()).nth(1).unwrap();
    assert_eq!(second.assignee_name.as_deref(), Some("Đặng Thu Hà"));
    assert_eq!(second.priority, Some(Priority::High));
    assert_eq!(d.suggested.iter().map(|c| c.id.clone()).collect::<Vec<_>>(), vec![canned.id.clone()]);
    // the acknowledgement: filled, sent on zalo, and no first response
    let auto: Vec<&str> = d.messages.iter().filter(|m| m.kind == "auto").map(|m| m.body.as_str()).collect();
    assert_eq!(auto, vec![format!("Chào Trần Văn Dũng, Bảo hành đã nhận phiếu {}.", t.number).as_str()]);
    assert_eq!(t.first_response_at, None);
    assert_ne!(target(t, Target::FirstResponse).state, SlaState::Met);
    // what the rules did is in the customer's history
    let history = f.ws.history(&t.customer_id).await.unwrap();
    let events = history
        .iter()
        .filter(|h| h.change.table == "ticket_messages" && h.change.column == "kind")
        .filter(|h| h.change.value.as_deref() == Some("event"))
        .count();
    assert_eq!(events, 3);

    // a rule turned off, or moved, changes what happens; no ack on the phone
    let mut off = rule(
        "name = \"Hỏng qua Zalo\"\nenabled = false\n[when]\nchannel = [\"zalo\"]\nkeywords = [\"hong\"]\n\
         [then]\nteam = \"Bảo hành\"",
    );
    f.ws.update_ticket_rule(&to_warranty.id, &off).await.unwrap();
    input.at = Some(at("2026-12-07T10:00:00+07:00"));
    let d = f.ws.create_ticket(&input).await.unwrap();
    assert_eq!(d.ticket.team_id, sales.id);
    assert!(d.messages.iter().all(|m| m.rule.is_none() && m.kind != "auto"));
    off.enabled = true;
    f.ws.update_ticket_rule(&to_warranty.id, &off).await.unwrap();
    let order = f.ws.move_ticket_rule(&to_warranty.id, 2).await.unwrap();
    assert_eq!(
        order.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        vec!["Bảo hành là gấp", "Gấp về bảo hành", "Hỏng qua Zalo"]
    );
    input.channel = Some(TicketChannel::Phone);
    input.subject = "Máy giặt hỏng".into();
    input.priority = Some(Priority::High);
    input.at = Some(at("2026-12-07T11:00:00+07:00"));
    let d = f.ws.create_ticket(&input).await.unwrap();
    let fired: Vec<String> = d.messages.iter().filter_map(|m| m.rule.as_ref()).map(|r| r.rule.clone()).collect();
    // "Bảo hành là gấp" looks at the team before "Gấp về bảo hành" moves it there: it does not run
    assert_eq!(fired, vec!["Gấp về bảo hành"]);
    assert_eq!(d.ticket.team_id, warranty.id);
    assert!(d.messages.iter().all(|m| m.kind != "auto"), "no acknowledgement on the phone");
    // keywords are whole words: "hong" (hỏng) is not in "không"
    input.channel = Some(TicketChannel::Zalo);
    input.subject = "Máy giặt không vắt".into();
    input.priority = None;
    input.at = Some(at("2026-12-07T12:00:00+07:00"));
    let d = f.ws.create_ticket(&input).await.unwrap();
    assert_eq!(d.ticket.team_id, sales.id);
    assert!(d.messages.iter().all(|m| m.rule.is_none()));
    f.ws.remove_ticket_rule(&to_warranty.id).await.unwrap();
    assert_eq!(f.ws.ticket_rules().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_duplicate_merges_into_the_ticket_that_goes_on_and_the_merge_is_undone() {
    let f = open().await;
    f.clock.set(at(LATER));
    warranty(&f.ws).await;
    let c = f.ws.create_customer(&person("Lý Thường Kiệt", "0912 000 999")).await.unwrap().customer;
    let other = f.ws.create_customer(&person("Trần Hưng Đạo", "0912 000 888")).await.unwrap().customer;
    let keep =
        f.ws.create_ticket(&new_ticket(&c.id, "Máy giặt kêu", "normal", "2026-12-07T09:00:00+07:00")).await.unwrap();
    let dup =
        f.ws.create_ticket(&new_ticket(&c.id, "Máy giặt ồn", "normal", "2026-12-07T09:30:00+07:00")).await.unwrap();
    let theirs =
        f.ws.create_ticket(&new_ticket(&other.id, "Máy giặt ồn", "normal", "2026-12-07T09:40:00+07:00")).await.unwrap();
    let (k, d) = (keep.ticket.number.clone(), dup.ticket.number.clone());
    let reply = |text: &str, when: &str| Reply { body: text.into(), at: Some(at(when)), ..Default::default() };
    f.ws.add_ticket_message(&d, MessageKind::Reply, &reply("Dạ em gọi lại ngay", "2026-12-07T09:35:00+07:00"))
        .await
        .unwrap();
    let before = f.ws.ticket(&d).await.unwrap();
    // refused: itself, another customer's
    assert_eq!(fields(f.ws.merge_ticket(&d, &d).await.unwrap_err())[0].1, "ticket.merge_itself");
    assert_eq!(
        fields(f.ws.merge_ticket(&d, &theirs.ticket.number).await.unwrap_err())[0].1,
        "ticket.merge_other_customer"
    );
    let merged = f.ws.merge_ticket(&d, &k).await.unwrap();
    // one thread in time order, each message saying where it was written
    let thread: Vec<(String, Option<String>)> =
        merged.messages.iter().map(|m| (m.body.clone(), m.from_number.clone())).collect();
    assert_eq!(
        thread,
        vec![
            ("Máy giặt kêu to khi vắt".to_string(), None),
            ("Máy giặt kêu to khi vắt".to_string(), Some(d.clone())),
            ("Dạ em gọi lại ngay".to_string(), Some(d.clone())),
        ]
    );
    assert_eq!(merged.merged.iter().map(|r| r.number.clone()).collect::<Vec<_>>(), vec![d.clone()]);
    // the duplicate leaves the list and refuses work; a customer writing to it writes to the other
    let open_list =
        f.ws.tickets(&TicketFilter { view: TicketView::All, limit: 50, ..Default::default() }).await.unwrap();
    assert!(open_list.rows.iter().all(|t| t.number != d));
    assert_eq!(fields(f.ws.solve_ticket(&d, None).await.unwrap_err())[0].1, "ticket.is_merged");
    assert_eq!(fields(f.ws.merge_ticket(&k, &d).await.unwrap_err())[0].1, "ticket.is_merged");
    let after =
        f.ws.add_ticket_message(&d, MessageKind::Customer, &reply("Vẫn còn ồn", "2026-12-07T10:00:00+07:00"))
            .await
            .unwrap();
    assert_eq!(after.ticket.number, k);
    assert_eq!(after.messages.last().map(|m| (m.body.as_str(), m.from_number.clone())), Some(("Vẫn còn ồn", None)));
    // undone: the duplicate is as it was
    let back = f.ws.unmerge_ticket(&d).await.unwrap();
    assert_eq!(back.ticket, before.ticket);
    assert_eq!(back.messages, before.messages);
    assert_eq!(fields(f.ws.unmerge_ticket(&d).await.unwrap_err())[0].1, "ticket.not_merged");
    assert!(f.ws.ticket(&k).await.unwrap().merged.is_empty());

    // related tickets of two customers name each other; linking twice is one link
    let n3 = theirs.ticket.number.clone();
    f.ws.link_tickets(&k, &n3, true).await.unwrap();
    let linked = f.ws.link_tickets(&n3, &k, true).await.unwrap();
    assert_eq!(linked.linked.iter().map(|r| r.number.clone()).collect::<Vec<_>>(), vec![k.clone()]);
    assert_eq!(f.ws.ticket(&k).await.unwrap().linked.len(), 1);
    f.ws.link_tickets(&k, &n3, false).await.unwrap();
    assert!(f.ws.ticket(&n3).await.unwrap().linked.is_empty());
    assert_eq!(fields(f.ws.link_tickets(&k, &k, true).await.unwrap_err())[0].1, "ticket.link_itself");
}

/// The files in a workspace's folder (`files`), by name.
fn stored_files(ws: &tend::Workspace) -> Vec<String> {
    let folder = tend::files::folder(ws.path());
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(dir.path()).into_iter().flatten().flatten() {
            out.push(f.file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn attachments_are_checked_kept_once_by_content_saved_and_carried_by_the_archive() {
    let f = open().await;
    f.clock.set(at(LATER));
    let me = staff(&f.ws, "Lan", "lan@x.vn").await;
    f.ws.set_current_staff(Some(&me)).await.unwrap();
    let c = f.ws.create_customer(&person("Hồ Văn Nam", "0912 777 888")).await.unwrap().customer;
    let dir = f.dir.path();
    let file = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let png: Vec<u8> =
        [b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".as_slice(), &[7u8; 64]].concat();
    let photo = file("máy giặt lỗi.png", &png);
    let t =
        f.ws.create_ticket(&NewTicket {
            attachments: vec![photo.clone()],
            ..new_ticket(&c.id, "Máy giặt báo lỗi E4", "normal", "2026-12-21T09:00:00+07:00")
        })
        .await
        .unwrap();
    let first = &t.messages[0];
    assert_eq!(first.attachments.len(), 1, "{first:?}");
    let a = &first.attachments[0];
    assert_eq!((a.name.as_str(), a.mime.as_str(), a.size), ("máy giặt lỗi.png", "image/png", png.len() as i64));
    assert_eq!(a.hash, sha256(&png));
    assert_eq!(stored_files(&f.ws), vec![a.hash.clone()]);
    let kept = tend::files::path_of(&tend::files::folder(f.ws.path()), &a.hash).unwrap();
    assert_eq!(std::fs::read(&kept).unwrap(), png);

    // the same picture again under another name, and a price list: the picture is kept once
    let again = file("anh-2.PNG", &png);
    let csv = file("bảng giá.csv", "Mã,Giá\nE4,350.000\n".as_bytes());
    let reply =
        Reply { body: "Dạ, em gửi bảng giá".into(), attachments: vec![again, csv], ..Default::default() };
    let d = f.ws.add_ticket_message(&t.ticket.id, MessageKind::Reply, &reply).await.unwrap();
    let sent = &d.messages.last().unwrap().attachments;
    assert_eq!(sent.iter().map(|a| a.mime.as_str()).collect::<Vec<_>>(), ["image/png", "text/csv"]);
    assert_eq!(stored_files(&f.ws).len(), 2);
    assert!(d.ticket.first_response_at.is_some(), "a reply with files is a response");
    // a photo alone is a customer's message
    let alone = Reply { attachments: vec![photo.clone()], ..Default::default() };
    let d = f.ws.add_ticket_message(&t.ticket.id, MessageKind::Customer, &alone).await.unwrap();
    assert_eq!(d.messages.last().unwrap().body, "");

    // refused: named at each file, nothing of the message or its good files stored
    let messages = d.messages.len();
    let before = stored_files(&f.ws);
    let big = dir.join("video.mp4");
    std::fs::File::create(&big).unwrap().set_len(tend::files::MAX_SIZE + 1).unwrap();
    let fresh = file("new.png", &[png.as_slice(), b"other"].concat());
    type Case<'a> = (Vec<String>, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (vec![big.display().to_string()], vec![("attachments[0]", "attachment.too_large")]),
        (vec![file("setup.exe", b"MZ\x90\0\x03\0\0\0\x04\0")], vec![("attachments[0]", "attachment.type_not_allowed")]),
        (
            vec![fresh.clone(), file("hoa-don.pdf", &[b"\x7fELF\x02\x01\x01".as_slice(), &[0u8; 57]].concat())],
            vec![("attachments[1]", "attachment.type_not_allowed")],
        ),
        (vec![file("ghi-chu", b"no type of its own")], vec![("attachments[0]", "attachment.type_unknown")]),
        (vec![file("rong.txt", b"")], vec![("attachments[0]", "attachment.empty")]),
        (vec![dir.join("missing.jpg").display().to_string()], vec![("attachments[0]", "attachment.unreadable")]),
        (vec![photo.clone(); tend::files::MAX_FILES + 1], vec![("attachments", "attachment.too_many")]),
    ];
    for (paths, want) in cases {
        let r = Reply { body: "Ảnh đây".into(), attachments: paths.clone(), ..Default::default() };
        let err = f.ws.add_ticket_message(&t.ticket.id, MessageKind::Customer, &r).await.unwrap_err();
        let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(fields(err), want, "{paths:?}");
        assert_eq!(f.ws.ticket(&t.ticket.id).await.unwrap().messages.len(), messages);
        assert_eq!(stored_files(&f.ws), before, "{paths:?}");
    }
    // a ticket refused for another field leaves its good file behind neither
    let bad =
        NewTicket { attachments: vec![fresh.clone()], ..new_ticket(&c.id, "", "normal", "2026-12-21T10:00:00+07:00") };
    assert_eq!(
        fields(f.ws.create_ticket(&bad).await.unwrap_err()),
        vec![("subject".into(), "validation.required".into())]
    );
    assert_eq!(stored_files(&f.ws), before);

    // saved elsewhere as it came, never over an existing file; a picture previews, a list does not
    let out = dir.join("saved.png");
    f.ws.save_ticket_attachment(&a.hash, &out).await.unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), png);
    assert!(f.ws.save_ticket_attachment(&a.hash, &out).await.is_err());
    let preview = f.ws.ticket_attachment_preview(&a.hash).await.unwrap().unwrap();
    assert!(preview.starts_with("data:image/png;base64,iVBORw0KGgo"), "{preview}");
    assert_eq!(f.ws.ticket_attachment_preview(&sent[1].hash).await.unwrap(), None);
    let unknown = sha256(b"never sent");
    assert!(matches!(f.ws.save_ticket_attachment(&unknown, &dir.join("x")).await, Err(tend::Error::NotFound { .. })));
    assert!(matches!(f.ws.ticket_attachment("../../etc/passwd").await, Err(tend::Error::NotFound { .. })));

    // the archive carries the files, checked against their names when read back
    let archive = dir.join("all.tend-archive");
    let m = f.ws.export_workspace(&archive).await.unwrap();
    assert_eq!(m.attachments, before);
    let g = open().await;
    g.ws.import_workspace(&archive).await.unwrap();
    assert_eq!(stored_files(&g.ws), before);
    let kept = tend::files::path_of(&tend::files::folder(g.ws.path()), &a.hash).unwrap();
    assert_eq!(std::fs::read(kept).unwrap(), png);
    // one whose content does not match its name writes nothing at all
    let tampered = dir.join("tampered.tend-archive");
    {
        let mut src = zip::ZipArchive::new(std::fs::File::open(&archive).unwrap()).unwrap();
        let mut dst = zip::ZipWriter::new(std::fs::File::create(&tampered).unwrap());
        for i in 0..src.len() {
            let mut e = src.by_index(i).unwrap();
            let name = e.name().to_string();
            if e.is_dir() {
                dst.add_directory(name, zip::write::SimpleFileOptions::default()).unwrap();
                continue;
            }
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
            if name == format!("attachments/{}", a.hash) {
                bytes[20] ^= 1;
            }
            dst.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut dst, &bytes).unwrap();
        }
        dst.finish().unwrap();
    }
    let h = open().await;
    let err = h.ws.import_workspace(&tampered).await.unwrap_err();
    assert_eq!(fields(err), vec![("archive".into(), "archive.bad_attachment".into())]);
    assert!(stored_files(&h.ws).is_empty());
    assert_eq!(h.ws.list_customers(&Default::default(), 0, 10).await.unwrap().total, Some(0));

    // a customer purged takes the files only its tickets named; one another ticket names stays
    let other = f.ws.create_customer(&person("Lý Thị Hoa", "0913 111 222")).await.unwrap().customer;
    f.ws.create_ticket(&NewTicket {
        attachments: vec![photo.clone()],
        ..new_ticket(&other.id, "Cùng lỗi E4", "normal", "2026-12-22T09:00:00+07:00")
    })
    .await
    .unwrap();
    // written an hour ago (a file written or reused in the last minutes is left: a write may be naming it)
    let folder = tend::files::folder(f.ws.path());
    for h in stored_files(&f.ws) {
        let p = tend::files::path_of(&folder, &h).unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options().append(true).open(&p).unwrap().set_modified(hour_ago).unwrap();
    }
    f.ws.trash_customer(&c.id).await.unwrap();
    f.ws.purge_customer(&c.id).await.unwrap();
    assert_eq!(stored_files(&f.ws), vec![a.hash.clone()]);
}

#[tokio::test]
async fn breaching_soon_pages_and_counts_the_view_itself() {
    let f = open().await;
    f.clock.set(at("2026-12-21T07:00:00+07:00"));
    warranty(&f.ws).await;
    let c = f.ws.create_customer(&person("Hồ Văn Nam", "0912 777 888")).await.unwrap().customer;
    // Monday 21 December: first response in 240 working minutes (reminded at 80%, 192), urgent in 60 (48)
    let mut made = Vec::new();
    for (subject, priority, when) in [
        ("A", "normal", "2026-12-21T08:00:00+07:00"), // due 12:00, reminded from 11:12
        ("B", "normal", "2026-12-21T10:00:00+07:00"), // due 15:30, from 14:42
        ("C", "normal", "2026-12-21T11:00:00+07:00"), // due 16:30, from 15:42
        ("E", "normal", "2026-12-21T11:00:00+07:00"), // the same
        ("D", "urgent", "2026-12-21T11:30:00+07:00"), // due 14:00, from 13:48
    ] {
        f.clock.set(at(when));
        let t = f.ws.create_ticket(&new_ticket(&c.id, subject, priority, when)).await.unwrap().ticket;
        made.push((subject, t.id));
    }
    let soon = |offset: i32, limit: i32| {
        let ws = &f.ws;
        async move {
            let p = ws
                .tickets(&TicketFilter { view: TicketView::BreachingSoon, offset, limit, ..Default::default() })
                .await
                .unwrap();
            (p.total, p.rows.iter().map(|t| t.subject.clone()).collect::<Vec<_>>())
        }
    };
    f.clock.set(at("2026-12-21T11:30:00+07:00"));
    assert_eq!(soon(0, 50).await, (1, vec!["A".to_string()]));
    f.clock.set(at("2026-12-21T14:50:00+07:00"));
    // A and D are overdue by now, not breaching soon
    assert_eq!(soon(0, 50).await, (1, vec!["B".to_string()]));
    f.clock.set(at("2026-12-21T15:45:00+07:00"));
    // a page of one still counts the whole view, and the next page has the other
    let (total, first) = soon(0, 1).await;
    let (_, second) = soon(1, 1).await;
    assert_eq!(total, 2);
    let mut both = [first, second].concat();
    both.sort();
    assert_eq!(both, ["C", "E"]);
    // a reply meets the first response: off the view
    let e = made.iter().find(|(s, _)| *s == "E").unwrap().1.clone();
    f.ws.add_ticket_message(&e, MessageKind::Reply, &Reply { body: "Dạ".into(), ..Default::default() }).await.unwrap();
    assert_eq!(soon(0, 50).await, (1, vec!["C".to_string()]));
}

#[tokio::test]
async fn round_robin_goes_on_from_the_ticket_given_out_last_even_one_replayed_from_earlier() {
    let f = open().await;
    f.clock.set(at(LATER));
    let a = staff(&f.ws, "An", "an@x.vn").await;
    let b = staff(&f.ws, "Bình", "binh@x.vn").await;
    let toml = "name = \"Giao hàng\"\nmembers = [\"an@x.vn\", \"binh@x.vn\"]\nassignment = \"round_robin\"\n[hours]\nmon = [\"00:00-24:00\"]";
    let team = f.ws.create_team(&TeamInput::from_toml(toml).unwrap()).await.unwrap();
    let cust = f.ws.create_customer(&person("Cửa hàng Hoa Mai", "028 3822 1234")).await.unwrap().customer;
    let mut got = Vec::new();
    // the third is typed in late, dated before the others: the turn still passes on from it
    for when in [
        "2026-12-07T09:00:00+07:00",
        "2026-12-07T10:00:00+07:00",
        "2026-12-07T08:00:00+07:00",
        "2026-12-07T11:00:00+07:00",
    ] {
        let t =
            f.ws.create_ticket(&NewTicket {
                team_id: Some(team.id.clone()),
                ..new_ticket(&cust.id, "Giao trễ", "normal", when)
            })
            .await
            .unwrap()
            .ticket;
        got.push(t.assignee_id.unwrap());
    }
    assert_eq!(got, vec![a.clone(), b.clone(), a, b]);
}
