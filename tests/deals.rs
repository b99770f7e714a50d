//! The pre-sale pipeline on real workspace files: deal stages, deals and their validation, stage
//! changes in history and on the timeline, the pipeline's columns and filters, a won deal's
//! purchase, the next contact a stage suggests, and the quiet interval.
mod common;
use common::*;
use tend::deals::{DealFilter, DealInput, DealStageInput, DealStageKind};
use tend::history::TimelineEntry;
use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};
use tend::staff::{Role, StaffInput};
use tend::{Error, Workspace};

const DAY: i64 = 86_400_000;

fn deal(title: &str) -> DealInput {
    DealInput {
        title: title.into(),
        stage_id: None,
        amount: None,
        currency: None,
        expected_close: None,
        owner_id: None,
        lost_reason: None,
    }
}

async fn customer(ws: &Workspace, name: &str) -> String {
    ws.create_customer(&person(name, "")).await.unwrap().customer.id
}

fn contact(kind: InteractionKind, direction: Direction, at: i64) -> InteractionInput {
    InteractionInput {
        kind,
        channel: InteractionChannel::Phone,
        direction,
        staff_id: None,
        occurred_at: Some(at),
        summary: "gọi".into(),
        body: None,
        amount: None,
        currency: None,
        items: vec![],
    }
}

#[tokio::test]
async fn a_deal_starts_in_the_first_open_stage_with_the_customers_owner() {
    let f = open().await;
    let ws = &f.ws;
    let lan = ws.add_staff(&StaffInput { name: "Lan".into(), email: None, role: Role::Agent }).await.unwrap();
    let mut c = person("Nguyễn Văn An", "");
    c.owner_id = Some(lan.id.clone());
    let an = ws.create_customer(&c).await.unwrap().customer.id;
    let d = ws
        .create_deal(
            &an,
            &DealInput {
                amount: Some(15_000_000), expected_close: Some("15/01/2027".into()), ..deal("Máy lọc nước")
            },
        )
        .await
        .unwrap();
    assert_eq!(d.stage_id, "new");
    assert_eq!(d.owner_id.as_deref(), Some(lan.id.as_str()));
    assert_eq!(d.currency.as_deref(), Some("VND"), "an amount without a currency is in VND");
    assert_eq!(d.expected_close.as_deref(), Some("2027-01-15"));
    assert_eq!(d.customer_name, "Nguyễn Văn An");
    assert_eq!((d.stage_changed_at, d.closed_at, d.created_at), (T0, None, T0));
    assert_eq!(ws.customer_deals(&an).await.unwrap(), vec![d.clone()]);
    // no owner on the customer: the current user
    let binh = customer(ws, "Trần Thị Bình").await;
    ws.set_current_staff(Some(&lan.id)).await.unwrap();
    assert_eq!(ws.create_deal(&binh, &deal("Bảo trì")).await.unwrap().owner_id.as_deref(), Some(lan.id.as_str()));
}

#[tokio::test]
async fn every_invalid_field_of_a_deal_is_named_and_nothing_is_written() {
    let f = open().await;
    let ws = &f.ws;
    let an = customer(ws, "An").await;
    let bad = DealInput {
        title: "  ".into(),
        stage_id: Some("nowhere".into()),
        amount: Some(-1),
        currency: Some("dong".into()),
        expected_close: Some("31/02/2027".into()),
        owner_id: Some("ghost".into()),
        lost_reason: None,
    };
    let mut got = fields(ws.create_deal(&an, &bad).await.unwrap_err());
    got.sort();
    assert_eq!(
        got,
        vec![
            ("amount".into(), "validation.negative".into()),
            ("currency".into(), "validation.currency_invalid".into()),
            ("expected_close".into(), "validation.date_invalid".into()),
            ("owner_id".into(), "validation.unknown_staff".into()),
            ("stage_id".into(), "validation.unknown_stage".into()),
            ("title".into(), "validation.required".into()),
        ]
    );
    assert_eq!(count(ws, "deals").await, 0);
    assert!(matches!(ws.create_deal("no-such-customer", &deal("x")).await, Err(Error::NotFound { .. })));
    let d = ws.create_deal(&an, &deal("ok")).await.unwrap();
    assert_eq!(
        fields(ws.move_deal(&d.id, "nowhere", None).await.unwrap_err()),
        vec![("stage_id".to_string(), "validation.unknown_stage".to_string())]
    );
    assert_eq!(ws.deal(&d.id).await.unwrap().stage_id, "new");
}

#[tokio::test]
async fn stage_changes_are_stamped_closed_and_reopened_and_show_in_history_and_on_the_timeline() {
    let f = open().await;
    let ws = &f.ws;
    let an = customer(ws, "An").await;
    let d = ws.create_deal(&an, &deal("Hợp đồng năm")).await.unwrap();
    f.clock.advance(DAY);
    let d2 = ws.move_deal(&d.id, "proposal", Some("ignored for an open stage")).await.unwrap();
    assert_eq!((d2.stage_id.as_str(), d2.stage_changed_at, d2.closed_at), ("proposal", T0 + DAY, None));
    assert_eq!(d2.lost_reason, None);
    f.clock.advance(DAY);
    let lost = ws.move_deal(&d.id, "lost", Some("Giá cao hơn đối thủ")).await.unwrap();
    assert_eq!(lost.closed_at, Some(T0 + 2 * DAY));
    assert_eq!(lost.lost_reason.as_deref(), Some("Giá cao hơn đối thủ"));
    f.clock.advance(DAY);
    let reopened = ws.move_deal(&d.id, "negotiation", None).await.unwrap();
    assert_eq!((reopened.closed_at, reopened.lost_reason), (None, None), "reopened: no longer closed or lost");
    // moving to the stage it is in changes nothing and records nothing
    let before = count(ws, "changes").await;
    ws.move_deal(&d.id, "negotiation", None).await.unwrap();
    assert_eq!(count(ws, "changes").await, before);

    let stage_values: Vec<Option<String>> = ws
        .history(&an)
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.change.table == "deals" && h.change.column == "stage_id")
        .map(|h| h.change.value)
        .collect();
    assert_eq!(
        stage_values,
        ["negotiation", "lost", "proposal", "new"].map(|s| Some(s.to_string())).to_vec(),
        "the customer's history holds every stage the deal was in, newest first"
    );
    let page = ws.timeline(&an, None, 50).await.unwrap();
    let deal_groups: Vec<_> = page
        .entries
        .iter()
        .filter_map(|e| match e {
            TimelineEntry::Change(g) if g.fields.iter().any(|c| c.table == "deals") => Some(g),
            _ => None,
        })
        .collect();
    assert_eq!(deal_groups.len(), 4, "the creation and three stage changes are on the timeline");
    let lost_change = deal_groups[1].fields.iter().find(|c| c.column == "stage_id").unwrap();
    assert_eq!((lost_change.value.as_deref(), lost_change.previous.as_deref()), (Some("lost"), Some("proposal")));
}

#[tokio::test]
async fn the_pipeline_counts_and_totals_each_column_for_an_owner_and_a_period() {
    let f = open().await;
    let ws = &f.ws;
    let lan = ws.add_staff(&StaffInput { name: "Lan".into(), email: None, role: Role::Agent }).await.unwrap();
    let minh = ws.add_staff(&StaffInput { name: "Minh".into(), email: None, role: Role::Agent }).await.unwrap();
    let an = customer(ws, "An").await;
    let add = |title: &str, stage: &str, amount: i64, close: &str, owner: &str| DealInput {
        title: title.into(),
        stage_id: Some(stage.into()),
        amount: Some(amount),
        currency: None,
        expected_close: Some(close.into()),
        owner_id: Some(owner.into()),
        lost_reason: None,
    };
    ws.create_deal(&an, &add("a", "proposal", 10_000_000, "2026-12-10", &lan.id)).await.unwrap();
    ws.create_deal(&an, &add("b", "proposal", 30_000_000, "2027-02-01", &lan.id)).await.unwrap();
    ws.create_deal(&an, &add("c", "proposal", 5_000_000, "2026-12-20", &minh.id)).await.unwrap();
    ws.create_deal(
        &an,
        &DealInput { currency: Some("USD".into()), ..add("d", "negotiation", 20_000, "2026-12-05", &lan.id) },
    )
    .await
    .unwrap();
    let won = ws.create_deal(&an, &add("e", "won", 7_000_000, "2027-03-01", &lan.id)).await.unwrap();
    assert_eq!(won.closed_at, Some(T0), "created won: closed now");

    let all = ws.pipeline(&DealFilter::default()).await.unwrap();
    let stage_ids: Vec<&str> = all.stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(stage_ids, ["new", "contacted", "consulting", "proposal", "negotiation", "won", "lost"]);
    let col = |p: &tend::deals::Pipeline, id: &str| p.columns.iter().find(|c| c.stage_id == id).unwrap().clone();
    let proposal = col(&all, "proposal");
    assert_eq!(proposal.count, 3);
    assert_eq!(proposal.totals.len(), 1);
    assert_eq!((proposal.totals[0].amount, proposal.totals[0].weighted), (45_000_000, 27_000_000), "60 % of 45M");
    let nego = col(&all, "negotiation");
    assert_eq!((nego.count, nego.totals[0].currency.as_str(), nego.totals[0].amount), (1, "USD", 20_000));
    assert_eq!(col(&all, "new").count, 0);
    let titles: Vec<&str> = all.deals.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["a", "c", "b", "d", "e"], "by stage, then expected close");

    let lans = ws.pipeline(&DealFilter { owner_id: Some(lan.id.clone()), ..Default::default() }).await.unwrap();
    assert_eq!(col(&lans, "proposal").count, 2);
    // December 2026: open deals by expected close; the won one by the day it closed (23 Nov) is out
    let december = DealFilter { owner_id: None, from: Some("2026-12-01".into()), to: Some("2026-12-31".into()) };
    let dec = ws.pipeline(&december).await.unwrap();
    let titles: Vec<&str> = dec.deals.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["a", "c", "d"]);
    let november = DealFilter { owner_id: None, from: Some("2026-11-23".into()), to: Some("2026-11-23".into()) };
    let titles: Vec<String> = ws.pipeline(&november).await.unwrap().deals.into_iter().map(|d| d.title).collect();
    assert_eq!(titles, ["e"], "closed on 23 Nov in the workspace zone");
    let bad = DealFilter { owner_id: None, from: Some("tomorrow".into()), to: None };
    assert_eq!(
        fields(ws.pipeline(&bad).await.unwrap_err()),
        vec![("from".to_string(), "validation.date_invalid".to_string())]
    );
}

#[tokio::test]
async fn a_won_deal_records_its_purchase_once() {
    let f = open().await;
    let ws = &f.ws;
    let an = customer(ws, "An").await;
    let d = ws.create_deal(&an, &DealInput { amount: Some(12_500_000), ..deal("Gói chăm sóc") }).await.unwrap();
    assert_eq!(
        fields(ws.record_deal_purchase(&d.id, None).await.unwrap_err()),
        vec![("stage_id".to_string(), "validation.deal_not_won".to_string())]
    );
    ws.move_deal(&d.id, "won", None).await.unwrap();
    let done = ws.record_deal_purchase(&d.id, None).await.unwrap();
    let purchase_id = done.purchase_id.clone().expect("linked");
    let page = ws.timeline(&an, None, 50).await.unwrap();
    let purchase = page
        .entries
        .iter()
        .find_map(|e| match e {
            TimelineEntry::Interaction(i) if i.id == purchase_id => Some(i),
            _ => None,
        })
        .expect("the purchase is on the timeline");
    assert_eq!(purchase.kind, InteractionKind::Purchase);
    assert_eq!(
        (purchase.amount, purchase.currency.as_deref(), purchase.summary.as_str()),
        (Some(12_500_000), Some("VND"), "Gói chăm sóc")
    );
    assert_eq!(
        fields(ws.record_deal_purchase(&d.id, None).await.unwrap_err()),
        vec![("purchase_id".to_string(), "validation.deal_purchase_recorded".to_string())]
    );
    assert_eq!(count(ws, "interactions").await, 1);
}

#[tokio::test]
async fn deal_stages_are_edited_ordered_and_kept_while_in_use() {
    let f = open().await;
    let ws = &f.ws;
    let an = customer(ws, "An").await;
    let demo = ws
        .add_deal_stage(&DealStageInput {
            name: "Dùng thử".into(),
            probability: 50,
            kind: DealStageKind::Open,
            next_contact_days: Some(5),
        })
        .await
        .unwrap();
    assert_eq!(demo.position, 80);
    let bad =
        DealStageInput { name: "".into(), probability: 101, kind: DealStageKind::Open, next_contact_days: Some(0) };
    let mut got = fields(ws.add_deal_stage(&bad).await.unwrap_err());
    got.sort();
    assert_eq!(
        got,
        vec![
            ("name".into(), "validation.required".into()),
            ("next_contact_days".into(), "validation.out_of_range".into()),
            ("probability".into(), "validation.out_of_range".into()),
        ]
    );
    let mut ids: Vec<String> = ws.deal_stages().await.unwrap().into_iter().map(|s| s.id).collect();
    ids.retain(|i| i != &demo.id);
    ids.insert(2, demo.id.clone());
    ws.reorder_deal_stages(&ids).await.unwrap();
    let order: Vec<String> = ws.deal_stages().await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(order, ids);
    assert!(ws.reorder_deal_stages(&ids[1..]).await.is_err(), "every stage must be named");

    let d = ws.create_deal(&an, &DealInput { stage_id: Some(demo.id.clone()), ..deal("x") }).await.unwrap();
    assert_eq!(
        fields(ws.remove_deal_stage(&demo.id).await.unwrap_err()),
        vec![("stage".to_string(), "validation.deal_stage_in_use".to_string())]
    );
    ws.move_deal(&d.id, "new", None).await.unwrap();
    ws.remove_deal_stage(&demo.id).await.unwrap();
    assert!(ws.deal_stages().await.unwrap().iter().all(|s| s.id != demo.id));
    // the only won stage stays won, and stays
    assert_eq!(
        fields(ws.remove_deal_stage("won").await.unwrap_err()),
        vec![("stage".to_string(), "validation.deal_stage_last_of_kind".to_string())]
    );
    let to_open =
        DealStageInput { name: "Thắng".into(), probability: 100, kind: DealStageKind::Open, next_contact_days: None };
    assert_eq!(
        fields(ws.update_deal_stage("won", &to_open).await.unwrap_err()),
        vec![("kind".to_string(), "validation.deal_stage_last_of_kind".to_string())]
    );
    let renamed = ws.update_deal_stage("won", &DealStageInput { kind: DealStageKind::Won, ..to_open }).await.unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Thắng"));
}

#[tokio::test]
async fn a_stage_suggests_the_next_contact_from_the_last_one() {
    let f = open().await;
    let ws = &f.ws;
    let an = customer(ws, "An").await;
    // T0 is 16:00 on 23 Nov in Ho Chi Minh City; "contacted" suggests 3 days on
    let d = ws.create_deal(&an, &DealInput { stage_id: Some("contacted".into()), ..deal("x") }).await.unwrap();
    assert_eq!(d.next_contact_on.as_deref(), Some("2026-11-26"));
    ws.add_interaction(&an, &contact(InteractionKind::Call, Direction::Outbound, T0 + 2 * DAY)).await.unwrap();
    assert_eq!(ws.deal(&d.id).await.unwrap().next_contact_on.as_deref(), Some("2026-11-28"));
    // an inbound call is the customer contacting us: it does not move the suggestion
    ws.add_interaction(&an, &contact(InteractionKind::Call, Direction::Inbound, T0 + 4 * DAY)).await.unwrap();
    assert_eq!(ws.deal(&d.id).await.unwrap().next_contact_on.as_deref(), Some("2026-11-28"));
    let won = ws.move_deal(&d.id, "won", None).await.unwrap();
    assert_eq!(won.next_contact_on, None, "a closed deal suggests nothing");
}

#[tokio::test]
async fn a_contact_within_the_quiet_interval_asks_for_confirmation() {
    let f = open().await;
    let ws = &f.ws;
    let an = customer(ws, "An").await;
    assert_eq!(ws.quiet_interval_days().await.unwrap(), 3);
    let call = |at| contact(InteractionKind::Call, Direction::Outbound, at);
    ws.log_interaction(&an, &call(T0), false).await.unwrap();
    // two days later (a contact dated ahead of now is asked about for its own reason)
    f.clock.set(T0 + 2 * DAY);
    match ws.log_interaction(&an, &call(T0 + 2 * DAY), false).await {
        Err(Error::RecentContact { last_at_ms, days }) => assert_eq!((last_at_ms, days), (T0, 3)),
        other => panic!("expected a confirmation, got {other:?}"),
    }
    assert_eq!(count(ws, "interactions").await, 1, "nothing written until confirmed");
    let payload = tend::ErrorPayload::from(&ws.log_interaction(&an, &call(T0 + DAY), false).await.unwrap_err());
    assert_eq!(
        (payload.kind, payload.message_key.as_str()),
        (tend::error::ErrorKind::Confirm, "interaction.recent_contact")
    );
    ws.log_interaction(&an, &call(T0 + 2 * DAY), true).await.unwrap();
    // notes, inbound contacts and a contact after the interval do not ask
    ws.log_interaction(&an, &contact(InteractionKind::Note, Direction::Internal, T0 + 2 * DAY), false).await.unwrap();
    ws.log_interaction(&an, &contact(InteractionKind::Call, Direction::Inbound, T0 + 2 * DAY), false).await.unwrap();
    f.clock.set(T0 + 6 * DAY + 1);
    ws.log_interaction(&an, &call(T0 + 6 * DAY), false).await.unwrap();
    // 0 turns it off; outside 0..=90 is refused
    ws.set_quiet_interval_days(0).await.unwrap();
    ws.log_interaction(&an, &call(T0 + 6 * DAY + 1), false).await.unwrap();
    assert_eq!(
        fields(ws.set_quiet_interval_days(91).await.unwrap_err()),
        vec![("quiet_interval_days".to_string(), "validation.out_of_range".to_string())]
    );
    assert_eq!(ws.quiet_interval_days().await.unwrap(), 0);
}

#[tokio::test]
async fn a_merge_moves_deals_to_the_survivor_and_a_purge_removes_them() {
    let f = open().await;
    let ws = &f.ws;
    let an = customer(ws, "An").await;
    let an2 = customer(ws, "An (trùng)").await;
    let d = ws.create_deal(&an2, &deal("Từ bản trùng")).await.unwrap();
    let report = ws.merge_customers(&an, &an2, &[]).await.unwrap();
    assert_eq!(ws.deal(&d.id).await.unwrap().customer_id, an);
    ws.undo_merge(&report.merge_id).await.unwrap();
    assert_eq!(ws.deal(&d.id).await.unwrap().customer_id, an2, "the undo gives the deal back");
    ws.trash_customer(&an2).await.unwrap();
    ws.purge_customer(&an2).await.unwrap();
    assert_eq!(count(ws, "deals").await, 0);
}

#[tokio::test]
async fn a_stage_from_a_newer_version_with_any_number_of_days_does_not_break_the_pipeline() {
    let f = open().await;
    let ws = &f.ws;
    let c = customer(ws, "Nguyễn Văn A").await;
    let d = ws.create_deal(&c, &deal("Gói năm")).await.unwrap();
    assert!(d.next_contact_on.is_some(), "the first stage suggests a next contact");
    // a value no stage form allows, as a synced change could bring it
    let mut w = ws.write().await.unwrap();
    sqlx::query("UPDATE deal_stages SET next_contact_days = 99999999 WHERE id = ?")
        .bind(&d.stage_id)
        .execute(&mut *w.conn())
        .await
        .unwrap();
    w.commit().await.unwrap();
    let again = ws.deal(&d.id).await.unwrap();
    assert_eq!(again.next_contact_on, None, "no date beyond the calendar, and no panic");
    assert_eq!(ws.pipeline(&DealFilter::default()).await.unwrap().deals.len(), 1);
}

#[tokio::test]
async fn a_customer_in_the_trash_takes_its_deals_out_of_the_pipeline_until_restored() {
    let f = open().await;
    let ws = &f.ws;
    let an = customer(ws, "An").await;
    let binh = customer(ws, "Bình").await;
    ws.create_deal(&an, &DealInput { amount: Some(100), ..deal("Của An") }).await.unwrap();
    ws.create_deal(&binh, &DealInput { amount: Some(7), ..deal("Của Bình") }).await.unwrap();
    let shown = |p: tend::deals::Pipeline| {
        let titles: Vec<String> = p.deals.into_iter().map(|d| d.title).collect();
        let count: i64 = p.columns.iter().map(|c| c.count).sum();
        let total: i64 = p.columns.iter().flat_map(|c| c.totals.iter().map(|t| t.amount)).sum();
        (titles, count, total)
    };
    ws.trash_customer(&an).await.unwrap();
    assert_eq!(
        shown(ws.pipeline(&DealFilter::default()).await.unwrap()),
        (vec!["Của Bình".to_string()], 1, 7),
        "the trashed customer's deal is neither listed nor counted"
    );
    ws.restore_customer(&an).await.unwrap();
    let (titles, count, total) = shown(ws.pipeline(&DealFilter::default()).await.unwrap());
    assert_eq!((titles.len(), count, total), (2, 2, 107), "restored, its deal is back");
}

#[tokio::test]
async fn a_deal_another_program_put_in_the_trash_is_restored_for_it_too() {
    let f = open().await;
    let app = &f.ws;
    let c = customer(app, "An").await;
    let d = app.create_deal(&c, &deal("Cà phê")).await.unwrap();
    // the app has read the pipeline (its connections have read the file) before the CLI writes
    assert_eq!(app.pipeline(&DealFilter::default()).await.unwrap().deals.len(), 1);
    let cli = Workspace::open_with_clock(app.path(), f.clock.clone()).await.unwrap();
    cli.delete_deal(&d.id).await.unwrap();
    cli.close().await;
    assert_eq!(app.trashed_deals().await.unwrap().len(), 1);
    app.restore_deal(&d.id).await.unwrap();
    assert!(app.trashed_deals().await.unwrap().is_empty());
    let cli = Workspace::open_with_clock(app.path(), f.clock.clone()).await.unwrap();
    assert!(cli.trashed_deals().await.unwrap().is_empty(), "another program sees the deal restored");
    assert_eq!(cli.deal(&d.id).await.unwrap().title, "Cà phê");
}
