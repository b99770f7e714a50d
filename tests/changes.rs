//! DESIGN rule 1: every write API leaves change records (HLC, actor, device, table, row,
//! column, value) in the same transaction; a write outside the write path fails; history and
//! timeline read them back. Also: opening, refusing a newer database, trash and restore.
mod common;
use common::*;
use std::collections::BTreeSet;
use tend::customers::ContactInput;
use tend::history::TimelineEntry;
use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind, PurchaseItem};
use tend::settings::{CustomFieldInput, CustomFieldKind};
use tend::staff::{Role, StaffInput};
use tend::{Error, Workspace};

/// (tx count, change count)
async fn counts(ws: &Workspace) -> (i64, i64) {
    (count(ws, "txs").await, count(ws, "changes").await)
}

fn note(summary: &str) -> InteractionInput {
    InteractionInput {
        kind: InteractionKind::Call,
        channel: InteractionChannel::Phone,
        direction: Direction::Inbound,
        staff_id: None,
        occurred_at: None,
        summary: summary.into(),
        body: None,
        amount: None,
        currency: None,
        items: vec![],
    }
}

/// Every .rs file under `dir`.
fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every public function in src/ that opens a write path (the pool's `write()`, or a bulk write
/// that takes the HLC itself), by name.
fn write_apis_in_source() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut files = Vec::new();
    sources(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")), &mut files);
    for path in files {
        {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut current: Option<String> = None;
            for line in text.lines() {
                let t = line.trim_start();
                if let Some(rest) = t.strip_prefix("pub async fn ") {
                    current = rest.split('(').next().map(str::to_string);
                } else if t.starts_with("async fn ") || t.starts_with("fn ") || t.starts_with("pub fn ") {
                    current = None; // private helpers are reached through the public APIs
                }
                if t.contains("self.write().await") || t.contains("self.hlc.lock().await") {
                    if let Some(c) = &current {
                        out.insert(c.clone());
                    }
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn every_write_api_leaves_change_records_stamped_with_actor_and_device() {
    let f = open().await;
    let ws = &f.ws;
    let mut tested: BTreeSet<String> = BTreeSet::new();
    let mut last = counts(ws).await;

    macro_rules! step {
        ($name:literal, $e:expr) => {{
            f.clock.advance(1000);
            let v = $e.await.expect($name);
            let now = counts(ws).await;
            assert!(now.0 > last.0 && now.1 > last.1, "{} left no change records: {:?} -> {:?}", $name, last, now);
            last = now;
            tested.insert($name.to_string());
            v
        }};
    }

    // Demo data goes into an empty workspace only: first.
    let demo = step!("generate_demo", ws.generate_demo(20, 1));
    let without: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM changes WHERE row_id = c.id AND col = 0
         AND tbl = (SELECT code FROM change_tables WHERE name = 'customers') AND value ->> 1 = c.name)",
    )
    .fetch_one(ws.pool())
    .await
    .unwrap();
    assert_eq!((demo.customers, without), (20, 0));
    let demo_txs: usize = count(ws, "txs").await as usize;
    let boss =
        step!("add_staff", ws.add_staff(&StaffInput { name: "Trần Ngọc Ánh".into(), email: None, role: Role::Owner }));
    ws.set_current_staff(Some(&boss.id)).await.unwrap();
    step!(
        "update_staff",
        ws.update_staff(
            &boss.id,
            &StaffInput { name: "Trần Thị Ngọc Ánh".into(), email: Some("anh@x.vn".into()), role: Role::Owner }
        )
    );
    let temp = step!("add_staff", ws.add_staff(&StaffInput { name: "Tạm".into(), email: None, role: Role::Agent }));
    step!("remove_staff", ws.remove_staff(&temp.id));
    let stage = step!("add_stage", ws.add_stage("Đang đàm phán"));
    step!("rename_stage", ws.rename_stage(&stage.id, "Đàm phán"));
    let mut order: Vec<String> = ws.stages().await.unwrap().into_iter().map(|s| s.id).collect();
    order.reverse();
    step!("reorder_stages", ws.reorder_stages(&order));
    step!("remove_stage", ws.remove_stage(&stage.id));
    let field = step!(
        "add_custom_field",
        ws.add_custom_field(&CustomFieldInput {
            label: "Sở thích".into(),
            kind: CustomFieldKind::Text,
            options: vec![],
            required: false
        })
    );
    step!(
        "update_custom_field",
        ws.update_custom_field(
            &field.id,
            &CustomFieldInput {
                label: "Sở thích chính".into(),
                kind: CustomFieldKind::Text,
                options: vec![],
                required: false
            }
        )
    );
    step!("set_time_zone", ws.set_time_zone("Asia/Bangkok"));
    let c = step!("create_customer", ws.create_customer(&person("Đặng Văn Lâm", "0912345678"))).customer;
    let mut input = c.to_input();
    input.phones[0].number = "0987 654 321".into();
    input.custom.insert("so_thich".into(), "Cà phê".into());
    step!("update_customer", ws.update_customer(&c.id, &c.to_input(), &input));
    let contact = step!(
        "add_contact",
        ws.add_contact(
            &c.id,
            &ContactInput { name: "Vợ anh Lâm".into(), phone: Some("0903 000 111".into()), ..Default::default() }
        )
    );
    step!(
        "update_contact",
        ws.update_contact(&contact.id, &ContactInput { name: "Chị Yến".into(), ..Default::default() })
    );
    step!("remove_contact", ws.remove_contact(&contact.id));
    let i = step!("add_interaction", ws.add_interaction(&c.id, &note("Gọi tư vấn")));
    step!("delete_interaction", ws.delete_interaction(&i.id));
    step!("create_person_at_company", ws.create_person_at_company(&person("Lý Thu", "0933 444 555"), "Công ty Mới"));
    step!("trash_customer", ws.trash_customer(&c.id));
    step!("restore_customer", ws.restore_customer(&c.id));
    step!("trash_customer", ws.trash_customer(&c.id));
    step!("purge_customer", ws.purge_customer(&c.id));
    step!("remove_custom_field", ws.remove_custom_field(&field.id));
    let file = f.dir.path().join("khach.csv");
    std::fs::write(&file, "Họ tên,SĐT,Email\nPhan Thị Yến,0904 111 222,\nLý Thu,0933444555,thu@ly.vn\n").unwrap();
    let opts =
        tend::import::ImportOptions { on_duplicate: Some(tend::import::OnDuplicate::Merge), ..Default::default() };
    let r = step!("import", ws.import(&file, &opts, |_| {}, Default::default()));
    assert_eq!((r.imported, r.merged), (1, 1));
    let calls = f.dir.path().join("goi.csv");
    std::fs::write(&calls, "SĐT,Ngày,Nội dung\n0904 111 222,20/11/2026 10:15,Hỏi lịch giao hàng\n").unwrap();
    let opts = tend::import::ImportOptions { entity: tend::import::ImportEntity::Interactions, ..Default::default() };
    let r = step!("import", ws.import(&calls, &opts, |_| {}, Default::default()));
    assert_eq!(r.imported, 1);
    step!("undo_import", ws.undo_import(None));
    step!("undo_import", ws.undo_import(None));
    step!("save_mapping", ws.save_mapping("Tháng", &tend::import::Mapping::default()));
    step!("remove_mapping", ws.remove_mapping("Tháng"));
    let twin = step!("create_customer", ws.create_customer(&person("Lý Thu Hà", "0933 444 555"))).customer;
    let lythu: String =
        sqlx::query_scalar("SELECT id FROM customers WHERE name = 'Lý Thu'").fetch_one(ws.pool()).await.unwrap();
    let merge = step!("merge_customers", ws.merge_customers(&lythu, &twin.id, &[]));
    step!("undo_merge", ws.undo_merge(&merge.merge_id));
    use tend::segments::{SegmentInput, SegmentKind};
    let rules = |v: i64| Some(format!(r#"{{"all":[{{"field":"purchase_count","op":"gte","value":{v}}}]}}"#));
    let seg = step!(
        "create_segment",
        ws.create_segment(&SegmentInput { name: "Mua nhiều".into(), kind: SegmentKind::Dynamic, rules: rules(3) })
    );
    step!(
        "update_segment",
        ws.update_segment(
            &seg.id,
            &SegmentInput { name: "Mua nhiều".into(), kind: SegmentKind::Dynamic, rules: rules(2) }
        )
    );
    let list = step!(
        "create_segment",
        ws.create_segment(&SegmentInput { name: "Hội chợ".into(), kind: SegmentKind::Static, rules: None })
    );
    step!("add_to_segment", ws.add_to_segment(&list.id, std::slice::from_ref(&twin.id)));
    step!("remove_from_segment", ws.remove_from_segment(&list.id, std::slice::from_ref(&twin.id)));
    step!(
        "bulk_customers",
        ws.bulk_customers(
            &tend::customers::bulk::BulkTarget::Ids { ids: vec![twin.id.clone()] },
            &tend::customers::bulk::BulkAction::AddTag { tag: "Hội chợ".into() }
        )
    );
    step!("remove_segment", ws.remove_segment(&seg.id));
    step!("set_quiet_interval_days", ws.set_quiet_interval_days(5));
    let complaints =
        tend::reports::ReportSettings { complaint_categories: vec!["Khiếu nại".into()], ..Default::default() };
    step!("set_report_settings", ws.set_report_settings(&complaints));
    use tend::deals::{DealInput, DealStageInput, DealStageKind};
    let trial =
        DealStageInput {
            name: "Dùng thử".into(), probability: 50, kind: DealStageKind::Open, next_contact_days: None
        };
    let stage = step!("add_deal_stage", ws.add_deal_stage(&trial));
    step!("update_deal_stage", ws.update_deal_stage(&stage.id, &DealStageInput { probability: 55, ..trial.clone() }));
    let mut order: Vec<String> = ws.deal_stages().await.unwrap().into_iter().map(|s| s.id).collect();
    order.reverse();
    step!("reorder_deal_stages", ws.reorder_deal_stages(&order));
    step!("remove_deal_stage", ws.remove_deal_stage(&stage.id));
    let input = DealInput {
        title: "Gói năm".into(),
        stage_id: None,
        amount: Some(9_000_000),
        currency: None,
        expected_close: None,
        owner_id: None,
        lost_reason: None,
    };
    let deal = step!("create_deal", ws.create_deal(&twin.id, &input));
    step!("update_deal", ws.update_deal(&deal.id, &DealInput { title: "Gói hai năm".into(), ..input.clone() }));
    step!("move_deal", ws.move_deal(&deal.id, "won", None));
    step!("record_deal_purchase", ws.record_deal_purchase(&deal.id, None));
    step!("delete_deal", ws.delete_deal(&deal.id));
    step!("restore_deal", ws.restore_deal(&deal.id));
    ws.delete_deal(&deal.id).await.unwrap();
    let care = tend::care::CarePlan::from_toml(
        "name = \"Chăm sóc\"\nanchor = \"enrolment\"\n[[step]]\nname = \"Gọi\"\noffset_days = 1\nchannel = \"call\"\n",
    )
    .unwrap();
    let plan = step!("create_care_plan", ws.create_care_plan(&care));
    let cared = step!("create_customer", ws.create_customer(&person("Hà Văn Chăm", ""))).customer;
    step!("enrol_customers", ws.enrol_customers(&plan.id, std::slice::from_ref(&cared.id), None));
    let tasks = ws.care_tasks(&Default::default()).await.unwrap();
    step!("snooze_care_task", ws.snooze_care_task(&tasks[0].id, ws.now_ms() + 3_600_000));
    step!(
        "reschedule_care_tasks",
        ws.reschedule_care_tasks(std::slice::from_ref(&tasks[0].id), ws.now_ms() + 86_400_000)
    );
    step!("assign_care_tasks", ws.assign_care_tasks(std::slice::from_ref(&tasks[0].id), None));
    step!("complete_care_tasks", ws.complete_care_tasks(std::slice::from_ref(&tasks[0].id), "Đã gọi"));
    let mut edited = care.clone();
    edited.name = "Chăm sóc mới".into();
    step!("update_care_plan", ws.update_care_plan(&plan.id, &edited));
    let again = step!("create_customer", ws.create_customer(&person("Hà Văn Lại", ""))).customer;
    step!("enrol_customers", ws.enrol_customers(&plan.id, std::slice::from_ref(&again.id), None));
    let open_tasks: Vec<String> = ws
        .care_tasks(&tend::care::TaskFilter { customer_id: Some(again.id.clone()), ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    step!("skip_care_tasks", ws.skip_care_tasks(&open_tasks, "Khách bận"));
    let enrolment: String = sqlx::query_scalar("SELECT id FROM care_enrolments WHERE customer_id = ?")
        .bind(&cared.id)
        .fetch_one(ws.pool())
        .await
        .unwrap();
    step!("unenrol", ws.unenrol(&enrolment));
    let seg = tend::segments::SegmentInput {
        name: "Tất cả".into(),
        kind: tend::segments::SegmentKind::Dynamic,
        rules: Some(r#"{"all": []}"#.into()),
    };
    let seg = step!("create_segment", ws.create_segment(&seg));
    let mut by_segment = care.clone();
    by_segment.name = "Theo danh sách".into();
    by_segment.enrol = tend::care::Enrol::Segment(seg.id.clone());
    step!("create_care_plan", ws.create_care_plan(&by_segment));
    step!("care_reconcile", ws.care_reconcile());
    step!("set_quiet_hours", ws.set_quiet_hours("21:00-07:00"));
    step!("remove_care_plan", ws.remove_care_plan(&plan.id));
    // the helpdesk
    use tend::tickets::{MessageKind, NewTicket, Reply, TeamInput};
    let team_file = TeamInput::from_toml(
        "name = \"Hỗ trợ\"\nstages = [{ name = \"Mới\" }, { name = \"Kiểm tra\", checklist = [\"Gọi lại\"] }, { name = \"Xong\", solved = true }]\n[[sla]]\nname = \"Chung\"\nfirst_response_minutes = 60\n",
    )
    .unwrap();
    let team = step!("create_team", ws.create_team(&team_file));
    let with_boss = TeamInput { members: vec![boss.id.clone()], ..team_file.clone() };
    step!("update_team", ws.update_team(&team.id, &with_boss));
    step!("set_member_availability", ws.set_member_availability(&team.id, &boss.id, None, &["2026-12-24".into()]));
    let new_ticket = NewTicket {
        subject: "Hỏi giá".into(),
        customer_id: Some(cared.id.clone()),
        team_id: Some(team.id.clone()),
        ..Default::default()
    };
    let ticket = step!("create_ticket", ws.create_ticket(&new_ticket)).ticket;
    let reply = Reply { body: "Chào anh".into(), at: None, ..Default::default() };
    step!("add_ticket_message", ws.add_ticket_message(&ticket.id, MessageKind::Reply, &reply));
    step!("move_ticket", ws.move_ticket(&ticket.id, "Kiểm tra", None));
    step!("tick_ticket_check", ws.tick_ticket_check(&ticket.id, "Gọi lại", true, None));
    step!("assign_ticket", ws.assign_ticket(&ticket.id, Some(&boss.id)));
    let answer =
        tend::tickets::SurveyAnswerInput { kind: tend::tickets::SurveyKind::Nps, score: 9, comment: None, at: None };
    step!("record_survey", ws.record_survey(&ticket.id, &answer));
    let answers = f.dir.path().join("answers.csv");
    std::fs::write(&answers, format!("ticket,kind,score\n{},csat,5\n", ticket.number)).unwrap();
    step!("import_survey_answers", ws.import_survey_answers(&answers));
    let canned =
        tend::tickets::CannedInput {
            name: "Chào".into(), body: "Chào {{customer.name}}".into(), ..Default::default()
        };
    let made = step!("create_canned", ws.create_canned(&canned));
    let edited = tend::tickets::CannedInput { body: "Xin chào {{customer.name}}".into(), ..canned };
    step!("update_canned", ws.update_canned(&made.id, &edited));
    step!("remove_canned", ws.remove_canned(&made.id));
    let rule =
        tend::tickets::RuleInput::from_toml("name = \"Zalo\"\n[when]\nchannel = [\"zalo\"]\n[then]\ntags = [\"zalo\"]")
            .unwrap();
    let r = step!("create_ticket_rule", ws.create_ticket_rule(&rule));
    let second = tend::tickets::RuleInput { name: "Zalo 2".into(), ..rule.clone() };
    step!("create_ticket_rule", ws.create_ticket_rule(&second));
    step!("update_ticket_rule", ws.update_ticket_rule(&r.id, &tend::tickets::RuleInput { enabled: false, ..rule }));
    step!("move_ticket_rule", ws.move_ticket_rule(&r.id, 1));
    step!("remove_ticket_rule", ws.remove_ticket_rule(&r.id));
    let dup =
        step!("create_ticket", ws.create_ticket(&NewTicket { subject: "Lặp".into(), ..new_ticket.clone() })).ticket;
    step!("merge_ticket", ws.merge_ticket(&dup.id, &ticket.id));
    step!("unmerge_ticket", ws.unmerge_ticket(&dup.id));
    step!("link_tickets", ws.link_tickets(&dup.id, &ticket.id, true));
    assert_eq!(last, counts(ws).await);

    // The list above covers every function that opens the write path.
    // The archive import brings the change records of another workspace with it (no new ones).
    let archive = f.dir.path().join("all.zip");
    ws.export_workspace(&archive).await.unwrap();
    let copy = open().await;
    copy.ws.import_workspace(&archive).await.unwrap();
    assert_eq!(counts(&copy.ws).await, counts(ws).await, "import_workspace copies the change records exactly");
    tested.insert("import_workspace".to_string());

    let mut in_source = write_apis_in_source();
    in_source.remove("write"); // the write path itself
    let missing: Vec<_> = in_source.difference(&tested).collect();
    assert!(missing.is_empty(), "write APIs without a change-record test: {missing:?}");

    // Every change is stamped: HLC strictly increasing, actor (after it was chosen) and device.
    let rows: Vec<(String, Option<String>, String)> =
        sqlx::query_as("SELECT hlc, actor, device FROM txs ORDER BY id").fetch_all(ws.pool()).await.unwrap();
    for w in rows.windows(2) {
        assert!(w[0].0 < w[1].0, "HLC not increasing: {} then {}", w[0].0, w[1].0);
    }
    assert!(rows.iter().all(|r| r.2 == ws.device()));
    // (the demo's, and the first staff member's, come before an actor is chosen)
    assert!(rows.iter().skip(demo_txs + 1).all(|r| r.1.as_deref() == Some(boss.id.as_str())));
    let orphans: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM txs t WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.tx = t.id)")
            .fetch_one(ws.pool())
            .await
            .unwrap();
    assert_eq!(orphans, 0);
    // The purge is recorded, and the purged row is gone.
    let purged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM changes WHERE row_id = ? AND col = -1")
        .bind(&c.id)
        .fetch_one(ws.pool())
        .await
        .unwrap();
    assert_eq!(purged, 1);
}

#[tokio::test]
async fn a_write_outside_the_write_path_is_refused() {
    let f = open().await;
    let err = sqlx::query("INSERT INTO staff (id, name, role, created_at) VALUES ('x', 'Lén', 'agent', 0)")
        .execute(f.ws.pool())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("write outside a change context"), "{err}");
    let c = f.ws.create_customer(&person("An", "")).await.unwrap().customer;
    let err =
        sqlx::query("UPDATE customers SET name = 'B' WHERE id = ?").bind(&c.id).execute(f.ws.pool()).await.unwrap_err();
    assert!(err.to_string().contains("write outside a change context"), "{err}");
    assert_eq!(f.ws.customer(&c.id).await.unwrap().name, "An");
}

#[tokio::test]
async fn history_shows_who_changed_what_from_what() {
    let f = open().await;
    let anh = f.ws.add_staff(&StaffInput { name: "Ánh".into(), email: None, role: Role::Manager }).await.unwrap();
    f.ws.set_current_staff(Some(&anh.id)).await.unwrap();
    let c = f.ws.create_customer(&person("Đặng Thị Ngọc Ánh", "0912 345 678")).await.unwrap().customer;
    f.clock.advance(60_000);
    let mut input = c.to_input();
    input.phones[0].number = "0987654321".into();
    f.ws.update_customer(&c.id, &c.to_input(), &input).await.unwrap();
    // Saving the same values again records nothing.
    f.clock.advance(60_000);
    let before = count(&f.ws, "changes").await;
    f.ws.update_customer(&c.id, &c.to_input(), &input).await.unwrap();
    assert_eq!(count(&f.ws, "changes").await, before);

    let h = f.ws.history(&c.id).await.unwrap();
    let phone: Vec<_> = h.iter().filter(|e| e.change.column == "phones").collect();
    assert_eq!(phone.len(), 2);
    assert!(phone[0].change.value.as_deref().unwrap().contains("+84987654321"));
    assert!(phone[0].change.previous.as_deref().unwrap().contains("+84912345678"));
    assert_eq!(phone[0].actor_name.as_deref(), Some("Ánh"));
    assert_eq!(phone[0].at_ms, T0 + 60_000);
    assert!(phone[1].change.previous.is_none());
}

#[tokio::test]
async fn the_timeline_merges_interactions_and_changes_newest_first_in_pages() {
    let f = open().await;
    let c = f.ws.create_customer(&person("Bùi Thị Xuân", "0912345678")).await.unwrap().customer;
    let mut expected = 1; // the creation
    for i in 0..7 {
        f.clock.advance(1000);
        let mut inp = note(&format!("Cuộc gọi {i}"));
        if i == 3 {
            inp.kind = InteractionKind::Purchase;
            inp.items = vec![PurchaseItem { name: "Máy lọc nước".into(), quantity: 2, unit_price: 6_900_000 }];
        }
        let added = f.ws.add_interaction(&c.id, &inp).await.unwrap();
        if i == 3 {
            assert_eq!(added.amount, Some(13_800_000));
            assert_eq!(added.currency.as_deref(), Some("VND"));
        }
        expected += 1;
        if i % 2 == 0 {
            f.clock.advance(1000);
            let base = f.ws.customer(&c.id).await.unwrap().to_input();
            let mut input = base.clone();
            input.notes = Some(format!("ghi chú {i}"));
            f.ws.update_customer(&c.id, &base, &input).await.unwrap();
            expected += 1;
        }
    }
    let mut all = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let page = f.ws.timeline(&c.id, before.as_deref(), 3).await.unwrap();
        assert!(page.entries.len() <= 3);
        all.extend(page.entries);
        match page.next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    assert_eq!(all.len(), expected);
    let at = |e: &TimelineEntry| match e {
        TimelineEntry::Interaction(i) => i.occurred_at,
        TimelineEntry::Change(c) => c.at_ms,
    };
    assert!(all.windows(2).all(|w| at(&w[0]) >= at(&w[1])), "not newest first");
    match all.last().unwrap() {
        TimelineEntry::Change(g) => assert!(g.created),
        other => panic!("oldest entry should be the creation, got {other:?}"),
    }
}

#[tokio::test]
async fn trash_restore_and_purge() {
    let f = open().await;
    let c = f.ws.create_customer(&person("Lưu Văn Tùng", "0912345678")).await.unwrap().customer;
    f.ws.add_interaction(&c.id, &note("Gọi")).await.unwrap();
    f.ws.trash_customer(&c.id).await.unwrap();
    assert!(f.ws.search("tung", 10).await.unwrap().is_empty());
    assert!(f.ws.search("0912345678", 10).await.unwrap().is_empty());
    assert_eq!(f.ws.trash(0, 10).await.unwrap().rows[0].id, c.id);
    assert!(matches!(f.ws.trash_customer(&c.id).await, Err(Error::NotFound { .. })));
    f.ws.restore_customer(&c.id).await.unwrap();
    assert_eq!(f.ws.search("tung", 10).await.unwrap().len(), 1);
    assert_eq!(f.ws.trash(0, 10).await.unwrap().total, Some(0));
    // Purge only from the trash.
    assert!(matches!(f.ws.purge_customer(&c.id).await, Err(Error::NotFound { .. })));
    f.ws.trash_customer(&c.id).await.unwrap();
    f.ws.purge_customer(&c.id).await.unwrap();
    assert!(matches!(f.ws.customer(&c.id).await, Err(Error::NotFound { .. })));
    assert_eq!(count(&f.ws, "interactions").await, 0);
}

#[tokio::test]
async fn opens_in_wal_with_foreign_keys_and_reopens_with_data() {
    let f = open().await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(f.ws.pool()).await.unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(f.ws.pool()).await.unwrap();
    assert_eq!(fk, 1);
    let id = f.ws.create_customer(&person("Hà", "")).await.unwrap().customer.id;
    let device = f.ws.device().to_string();
    let path = f.ws.path().to_path_buf();
    f.ws.close().await;
    let ws = Workspace::open(&path).await.unwrap();
    assert_eq!(ws.device(), device);
    assert_eq!(ws.customer(&id).await.unwrap().name, "Hà");
    // A new write after reopening still gets a later clock.
    let last: String = sqlx::query_scalar("SELECT MAX(hlc) FROM txs").fetch_one(ws.pool()).await.unwrap();
    ws.create_customer(&person("Hà 2", "")).await.unwrap();
    let newest: String = sqlx::query_scalar("SELECT MAX(hlc) FROM txs").fetch_one(ws.pool()).await.unwrap();
    assert!(newest > last);
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused_untouched() {
    let f = open().await;
    f.ws.create_customer(&person("Hà", "")).await.unwrap();
    let future = Workspace::schema_version() + 1;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (?, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .bind(future)
    .execute(f.ws.pool())
    .await
    .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(f.ws.pool()).await.unwrap();
    let path = f.ws.path().to_path_buf();
    f.ws.close().await;
    let snapshot = || {
        let wal = std::fs::read(path.with_extension("tend-wal")).unwrap_or_default();
        (std::fs::read(&path).unwrap(), wal)
    };
    let bytes = snapshot();
    let err = Workspace::open(&path).await.err().expect("must refuse");
    match &err {
        Error::NewerDatabase { db_version, app_version } => {
            assert_eq!(*db_version, future);
            assert_eq!(*app_version, Workspace::schema_version());
        }
        other => panic!("expected NewerDatabase, got {other:?}"),
    }
    assert!(err.to_string().contains("newer version of Tend"));
    let payload = tend::ErrorPayload::from(&err);
    assert_eq!(payload.message_key, "error.newer_database");
    assert!(snapshot() == bytes, "the database and its WAL must be left exactly as they were");
}

#[tokio::test]
async fn saving_an_unchanged_customer_records_nothing_for_demo_and_typed_data() {
    let f = open().await;
    f.ws.generate_demo(30, 3).await.unwrap();
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM customers ORDER BY seq").fetch_all(f.ws.pool()).await.unwrap();
    let mut decomposed = person("Tha\u{300}nh  Thi\u{323}", "0912 345 678");
    decomposed.notes = Some("  dòng 1\ndòng 2  ".into());
    let typed = f.ws.create_customer(&decomposed).await.unwrap().customer;
    assert_eq!(typed.name, "Thành Thị", "text is stored composed (NFC) and collapsed");
    assert_eq!(typed.notes.as_deref(), Some("dòng 1\ndòng 2"));
    let before = count(&f.ws, "changes").await;
    for id in ids.iter().chain(std::iter::once(&typed.id)) {
        let c = f.ws.customer(id).await.unwrap();
        f.ws.update_customer(id, &c.to_input(), &c.to_input()).await.unwrap();
    }
    assert_eq!(count(&f.ws, "changes").await, before);
}

/// A save of what is already stored records no change, and leaves no transaction behind (the
/// log sync reads holds only transactions that changed something).
#[tokio::test]
async fn a_save_that_changes_nothing_leaves_no_transaction() {
    let f = open().await;
    let staff = StaffInput { name: "Chị Hoa".into(), email: None, role: Role::Agent };
    let s = f.ws.add_staff(&staff).await.unwrap();
    let c = f.ws.create_customer(&person("Lý Thị Mơ", "0912 345 678")).await.unwrap().customer;
    let k = f.ws.add_contact(&c.id, &ContactInput { name: "Anh Tư".into(), ..Default::default() }).await.unwrap();
    let before = counts(&f.ws).await;
    f.ws.update_staff(&s.id, &staff).await.unwrap();
    f.ws.rename_stage("lead", "Tiềm năng").await.unwrap();
    f.ws.rename_stage("lead", "Tiềm năng").await.unwrap();
    f.ws.update_contact(&k.id, &ContactInput { name: "Anh Tư".into(), ..Default::default() }).await.unwrap();
    let opened = c.to_input();
    f.ws.update_customer(&c.id, &opened, &opened).await.unwrap();
    let after_first_rename = before.0 + 1;
    assert_eq!(counts(&f.ws).await.0, after_first_rename, "only the one rename that changed a name left a tx");
    // and a write that changes something still leaves its transaction and its records
    f.ws.update_staff(&s.id, &StaffInput { name: "Chị Hoa Lê".into(), ..staff }).await.unwrap();
    let (txs, changes) = counts(&f.ws).await;
    assert_eq!(txs, after_first_rename + 1);
    assert!(changes > before.1);
}
