//! The reminder scheduler with an injected clock: a task reminds once when due, a snooze reminds
//! again, quiet hours hold reminders and summarise them after, a restart repeats nothing and
//! summarises what came due while closed, a forward clock jump (sleep and wake) is caught within
//! a minute, and a workspace in a zone with DST reminds at the local time.
mod common;
use common::*;
use std::sync::Arc;
use tend::care::{presets::presets, CarePlan, TaskFilter};
use tend::staff::{Role, StaffInput};
use tend::{FixedClock, Workspace};

const H: i64 = 3_600_000;

/// A workspace with a current user and one customer enrolled in a one-step plan due `hours`
/// after enrolment.
async fn setup(ws: &Workspace, hours: i64) -> (String, String) {
    let me = ws.add_staff(&StaffInput { name: "Lan".into(), email: None, role: Role::Agent }).await.unwrap();
    ws.set_current_staff(Some(&me.id)).await.unwrap();
    // the first look on this device starts here: nothing before it reminds
    assert!(ws.reminder_tick(ws.now_ms()).await.unwrap().notices.is_empty());
    let toml = format!(
        "name = \"Gọi lại\"\nanchor = \"enrolment\"\n[[step]]\nname = \"Gọi lại\"\noffset_hours = {hours}\nchannel = \"call\"\ntemplate = \"Gọi {{{{customer.name}}}}\"\n"
    );
    let plan = ws.create_care_plan(&CarePlan::from_toml(&toml).unwrap()).await.unwrap();
    let c = ws.create_customer(&person("Nguyễn Văn An", "0912 345 678")).await.unwrap().customer;
    ws.enrol_customers(&plan.id, std::slice::from_ref(&c.id), None).await.unwrap();
    (plan.id, c.id)
}

#[tokio::test]
async fn a_due_task_reminds_once_and_a_snooze_reminds_again() {
    let f = open().await;
    let ws = &f.ws;
    let (_, customer) = setup(ws, 2).await;
    assert_eq!(ws.next_reminder_at().await.unwrap(), Some(T0 + 2 * H), "the next due, for the sleep");
    assert!(ws.reminder_tick(T0 + H).await.unwrap().notices.is_empty(), "not yet due");
    let due = ws.reminder_tick(T0 + 2 * H).await.unwrap();
    assert_eq!(due.notices.len(), 1);
    let n = &due.notices[0];
    assert_eq!(n.title, "Đến hạn chăm sóc: Nguyễn Văn An");
    assert!(
        n.body.contains("Gọi điện · Gọi lại · 0912 345 678") && n.body.contains("Chưa liên hệ lần nào"),
        "{}",
        n.body
    );
    assert_eq!(n.customer_id.as_deref(), Some(customer.as_str()));
    assert!(ws.reminder_tick(T0 + 2 * H + 1).await.unwrap().notices.is_empty(), "once");
    assert_eq!(due.next_at, None, "nothing more is scheduled");
    // snoozed an hour: reminded again then, once
    let task = &n.task_ids[0];
    f.clock.set(T0 + 2 * H + 60_000);
    ws.snooze_care_task(task, T0 + 3 * H).await.unwrap();
    assert_eq!(ws.next_reminder_at().await.unwrap(), Some(T0 + 3 * H));
    assert_eq!(ws.reminder_tick(T0 + 3 * H).await.unwrap().notices.len(), 1);
    assert!(ws.reminder_tick(T0 + 4 * H).await.unwrap().notices.is_empty());
    // a done task never reminds
    ws.snooze_care_task(task, T0 + 5 * H).await.unwrap();
    ws.complete_care_tasks(std::slice::from_ref(task), "Đã gọi").await.unwrap();
    assert!(ws.reminder_tick(T0 + 6 * H).await.unwrap().notices.is_empty());
}

#[tokio::test]
async fn a_restart_repeats_nothing_and_sums_up_what_came_due_while_closed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.tend");
    let clock = Arc::new(FixedClock::new(T0));
    {
        let ws = Workspace::open_with_clock(&path, clock.clone()).await.unwrap();
        setup(&ws, 1).await;
        assert_eq!(ws.reminder_tick(T0 + H).await.unwrap().notices.len(), 1);
        // two more customers due at +3 h, while the app is closed
        let plan = ws.care_plans().await.unwrap()[0].id.clone();
        let b = ws.create_customer(&person("Trần Bình", "")).await.unwrap().customer;
        let c = ws.create_customer(&person("Lê Cường", "")).await.unwrap().customer;
        clock.set(T0 + 2 * H);
        ws.enrol_customers(&plan, &[b.id, c.id], None).await.unwrap();
        ws.close().await;
    }
    let ws = Workspace::open_with_clock(&path, clock.clone()).await.unwrap();
    let t = ws.reminder_tick(T0 + 5 * H).await.unwrap();
    assert_eq!(t.notices.len(), 1, "one summary");
    assert_eq!(t.notices[0].title, "2 việc chăm sóc đến hạn");
    assert_eq!(t.notices[0].task_ids.len(), 2);
    assert!(t.notices[0].body.contains("Trần Bình") && t.notices[0].body.contains("Lê Cường"));
    assert_eq!(t.notices[0].customer_id, None);
    ws.close().await;
    let ws = Workspace::open_with_clock(&path, clock).await.unwrap();
    assert!(ws.reminder_tick(T0 + 6 * H).await.unwrap().notices.is_empty(), "never again after a restart");
}

#[tokio::test]
async fn quiet_hours_hold_reminders_until_they_end_and_pausing_holds_them_until_resumed() {
    let f = open().await; // T0 is 16:00 in Ho Chi Minh City
    let ws = &f.ws;
    setup(ws, 6).await; // due 22:00 local
    ws.set_quiet_hours("21:30-07:30").await.unwrap();
    assert_eq!(ws.reminder_settings().await.unwrap().quiet_hours.as_deref(), Some("21:30-07:30"));
    assert!(ws.set_quiet_hours("late").await.is_err());
    let held = ws.reminder_tick(T0 + 6 * H).await.unwrap();
    assert!(held.notices.is_empty());
    let morning = "2026-11-24T00:30:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond(); // 07:30 local
    assert_eq!(held.next_at, Some(morning), "looks again when the quiet hours end");
    assert_eq!(ws.reminder_tick(morning).await.unwrap().notices.len(), 1, "then reminds");
    // paused: nothing, even when due; resumed: shown
    ws.set_quiet_hours("").await.unwrap();
    let plan = ws.care_plans().await.unwrap()[0].id.clone();
    let b = ws.create_customer(&person("Phan Dũng", "")).await.unwrap().customer;
    f.clock.set(morning);
    ws.enrol_customers(&plan, std::slice::from_ref(&b.id), None).await.unwrap();
    ws.set_reminders_paused(true).await.unwrap();
    assert!(ws.reminder_tick(morning + 7 * H).await.unwrap().notices.is_empty());
    ws.set_reminders_paused(false).await.unwrap();
    assert_eq!(ws.reminder_tick(morning + 7 * H).await.unwrap().notices.len(), 1);
}

#[tokio::test]
async fn the_scheduler_catches_a_forward_clock_jump_within_a_step() {
    let f = open().await;
    let ws = Arc::new(f.ws);
    setup(&ws, 10).await;
    let shown = Arc::new(std::sync::Mutex::new(Vec::new()));
    let wake = Arc::new(tokio::sync::Notify::new());
    let (w2, s2, c2, k2) = (ws.clone(), shown.clone(), f.clock.clone(), wake.clone());
    let run = tokio::spawn(async move {
        tend::care::remind::run(&w2, &*c2, &k2, 20, |n| s2.lock().unwrap().push(n), |e| panic!("{e}")).await;
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(shown.lock().unwrap().is_empty(), "asleep until the task is due");
    // the laptop sleeps ten hours: the clock jumps; the scheduler notices within a step (20 ms here)
    f.clock.advance(10 * H + 1);
    for _ in 0..100 {
        if !shown.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(shown.lock().unwrap().len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(shown.lock().unwrap().len(), 1, "once");
    run.abort();
}

#[tokio::test]
async fn a_workspace_in_a_zone_with_dst_reminds_at_the_local_time() {
    let f = open().await;
    let ws = &f.ws;
    ws.set_time_zone("America/New_York").await.unwrap();
    let me = ws.add_staff(&StaffInput { name: "Ann".into(), email: None, role: Role::Agent }).await.unwrap();
    ws.set_current_staff(Some(&me.id)).await.unwrap();
    // 2027-03-13 12:00 EST; the nurture plan's first step is the next day at 09:30, after the
    // clocks go forward that night: 09:30 EDT is 13:30Z, not 14:30Z
    let sat = "2027-03-13T17:00:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond();
    f.clock.set(sat);
    ws.reminder_tick(sat).await.unwrap();
    let mut p = presets("en")[2].clone();
    p.steps.truncate(1);
    let plan = ws.create_care_plan(&CarePlan::from_input(&p).unwrap()).await.unwrap();
    let c = ws.create_customer(&person("Ann Lee", "")).await.unwrap().customer;
    ws.enrol_customers(&plan.id, std::slice::from_ref(&c.id), None).await.unwrap();
    let t = ws.care_tasks(&TaskFilter::default()).await.unwrap();
    assert_eq!(jiff::Timestamp::from_millisecond(t[0].due_at).unwrap().to_string(), "2027-03-14T13:30:00Z");
    assert!(ws.reminder_tick(t[0].due_at - 1).await.unwrap().notices.is_empty());
    let n = ws.reminder_tick(t[0].due_at).await.unwrap();
    assert_eq!(n.notices.len(), 1);
    ws.set_language("en").await.unwrap();
    let plan2 = ws.care_plans().await.unwrap()[0].id.clone();
    let d = ws.create_customer(&person("Bo Chen", "")).await.unwrap().customer;
    f.clock.set(t[0].due_at);
    ws.enrol_customers(&plan2, std::slice::from_ref(&d.id), None).await.unwrap();
    let next = ws.next_reminder_at().await.unwrap().unwrap();
    let n = ws.reminder_tick(next).await.unwrap();
    assert_eq!(n.notices[0].title, "Care task due: Bo Chen");
}

#[tokio::test]
async fn the_assignee_is_reminded_before_an_sla_breach_and_the_lead_at_it() {
    let f = open().await;
    let ws = &f.ws;
    let lan = ws
        .add_staff(&StaffInput { name: "Lan".into(), email: Some("lan@x.vn".into()), role: Role::Agent })
        .await
        .unwrap();
    let minh = ws
        .add_staff(&StaffInput { name: "Minh".into(), email: Some("minh@x.vn".into()), role: Role::Manager })
        .await
        .unwrap();
    // every hour of every day works, so the arithmetic is plain: 60 minutes to first response
    let days: String = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| format!("{d} = [\"00:00-24:00\"]\n"))
        .collect();
    let team = tend::tickets::TeamInput::from_toml(&format!(
        "name = \"Hỗ trợ\"\nlead = \"minh@x.vn\"\nmembers = [\"lan@x.vn\"]\n[hours]\n{days}[[sla]]\nname = \"Chung\"\nfirst_response_minutes = 60\n"
    ))
    .unwrap();
    let team = ws.create_team(&team).await.unwrap();
    let c = ws.create_customer(&person("Nguyễn Văn An", "0912 345 678")).await.unwrap().customer;
    for who in [&lan.id, &minh.id] {
        ws.set_current_staff(Some(who)).await.unwrap();
        assert!(ws.reminder_tick(T0).await.unwrap().notices.is_empty(), "the first look starts here");
    }
    let ticket = ws
        .create_ticket(&tend::tickets::NewTicket {
            subject: "Máy không lên nguồn".into(),
            customer_id: Some(c.id.clone()),
            team_id: Some(team.id.clone()),
            assignee_id: Some(lan.id.clone()),
            at: Some(T0),
            ..Default::default()
        })
        .await
        .unwrap()
        .ticket;
    // Lan: at 80% of the hour (48 minutes), once
    ws.set_current_staff(Some(&lan.id)).await.unwrap();
    let before = ws.reminder_tick(T0 + 47 * 60_000).await.unwrap();
    assert!(before.notices.is_empty());
    assert_eq!(before.next_at, Some(T0 + 48 * 60_000), "the scheduler sleeps until the warning");
    let warn = ws.reminder_tick(T0 + 48 * 60_000).await.unwrap();
    assert_eq!(warn.notices.len(), 1);
    assert_eq!(warn.notices[0].title, format!("Sắp trễ hạn phản hồi đầu: phiếu {}", ticket.number));
    assert_eq!(warn.notices[0].customer_id.as_deref(), Some(c.id.as_str()));
    assert!(ws.reminder_tick(T0 + 70 * 60_000).await.unwrap().notices.is_empty(), "once, and no breach notice for her");
    // Minh, the lead: at the breach
    ws.set_current_staff(Some(&minh.id)).await.unwrap();
    assert!(ws.reminder_tick(T0 + 59 * 60_000).await.unwrap().notices.is_empty());
    let breach = ws.reminder_tick(T0 + 61 * 60_000).await.unwrap();
    assert_eq!(breach.notices.len(), 1);
    assert_eq!(breach.notices[0].title, format!("Đã trễ hạn phản hồi đầu: phiếu {}", ticket.number));
    // a reply ends it: nothing more for the first response
    ws.set_current_staff(Some(&lan.id)).await.unwrap();
    f.clock.set(T0 + 62 * 60_000);
    ws.add_ticket_message(
        &ticket.id,
        tend::tickets::MessageKind::Reply,
        &tend::tickets::Reply { body: "Dạ em chào anh".into(), at: None, ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(ws.reminder_tick(T0 + 63 * 60_000).await.unwrap().next_at, None);
}
