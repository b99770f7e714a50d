//! Hostile input (issue 23): a value the core accepts never makes a later read fail, a value it
//! cannot hold is refused when saved with a field error, and data that arrives by sync and
//! breaks a rule is flagged where it is listed, never breaking the list, and can be fixed or
//! deleted.
mod common;
use common::*;
use serde_json::{json, Value};
use tend::changelog::{FieldValue, RecordOp, RemoteRecord, RemoteTx};
use tend::deals::{DealFilter, DealInput};
use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};
use tend::segments::{Segment, SegmentInput, SegmentKind};
use tend::Workspace;

const DAY: i64 = 86_400_000;

fn dynamic(name: &str, rules: Value) -> SegmentInput {
    SegmentInput { name: name.into(), kind: SegmentKind::Dynamic, rules: Some(rules.to_string()) }
}

fn cond(field: &str, op: &str, value: Value) -> Value {
    json!({"all": [{"field": field, "op": op, "value": value}]})
}

/// Sets one column of a row as another device would, through the sync path.
async fn synced_set(ws: &Workspace, now: i64, n: u32, table: &str, row: &str, column: &str, value: &str) {
    let tx = RemoteTx {
        part: None,
        hlc: format!("{:013}:{n:05}:otherdevice", now + 1_000),
        at_ms: now + 1_000,
        actor: None,
        device: "otherdevice".into(),
        records: vec![RemoteRecord {
            table: table.into(),
            row_id: row.into(),
            op: RecordOp::Set { column: column.into(), value: FieldValue::Text(value.into()) },
        }],
    };
    ws.apply_remote(&tx).await.expect("applied");
}

fn listed<'a>(all: &'a [Segment], name: &str) -> &'a Segment {
    all.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("{name} not listed"))
}

fn only_key(e: tend::Error) -> String {
    let f = fields(e);
    assert_eq!(f.len(), 1, "{f:?}");
    f[0].1.clone()
}

#[tokio::test]
async fn lists_and_rules_past_the_limits_of_sqlite_are_refused_when_saved() {
    let f = open().await;
    let ws = &f.ws;
    let many: Vec<String> = (0..40_000).map(|i| format!("s{i}")).collect();
    let e = ws.create_segment(&dynamic("big", cond("province", "in", json!(many)))).await.unwrap_err();
    assert_eq!(fields(e), [("rules.all[0].value".to_string(), "segment.value_invalid".to_string())]);
    let ages: Vec<i64> = (0..1_000).map(|i| i % 150).collect();
    let e = ws.create_segment(&dynamic("ages", cond("age", "in", json!(ages)))).await.unwrap_err();
    assert_eq!(only_key(e), "segment.value_invalid");
    // 200 values are fine, and count
    let ages: Vec<i64> = (0..200).map(|i| i % 151).collect();
    ws.create_segment(&dynamic("ages", cond("age", "in", json!(ages)))).await.unwrap();
    // too many conditions in one rule
    let conds: Vec<Value> = (0..300).map(|_| json!({"field": "age", "op": "gte", "value": 1})).collect();
    let e = ws.create_segment(&dynamic("many", json!({"any": conds}))).await.unwrap_err();
    assert!(fields(e).iter().any(|(_, k)| k == "segment.too_many_conditions"));

    // segments nested 15 deep, each using the one below twice: refused where it gets too big,
    // and the list still reads every segment
    let mut below = ws.create_segment(&dynamic("level 0", cond("age", "gte", json!(18)))).await.unwrap();
    let mut refused_at = None;
    for level in 1..=15 {
        let rules = json!({"any": [{"field": "segment", "op": "eq", "value": below.id},
                                   {"field": "segment", "op": "eq", "value": below.id}]});
        match ws.create_segment(&dynamic(&format!("level {level}"), rules)).await {
            Ok(s) => below = s,
            Err(e) => {
                assert_eq!(only_key(e), "segment.too_complex");
                refused_at = Some(level);
                break;
            }
        }
    }
    assert!(refused_at.is_some_and(|l| l <= 11), "refused at {refused_at:?}");
    for s in ws.segments().await.unwrap() {
        assert!(s.problem.is_none(), "{}: {:?}", s.name, s.problem);
        ws.segment_size(&s.id).await.unwrap();
    }
}

#[tokio::test]
async fn ages_outside_0_to_150_are_refused_and_bounds_are_right_at_the_ends() {
    let f = open().await;
    let ws = &f.ws;
    for (name, born) in [("newborn", "2026-11-23"), ("Cụ", "1900-01-01"), ("An", "1990-05-05")] {
        let mut c = person(name, "");
        c.birthday = Some(born.into());
        ws.create_customer(&c).await.unwrap();
    }
    for bad in [json!(-8000), json!(-1e30), json!(151), json!(1e30)] {
        for op in ["gte", "lte", "eq"] {
            let e = ws.segment_count(&cond("age", op, bad.clone()).to_string()).await.unwrap_err();
            assert_eq!(only_key(e), "segment.value_invalid", "{op} {bad}");
        }
    }
    let e = ws.segment_count(&cond("age", "between", json!([-1e30, 1e30])).to_string()).await.unwrap_err();
    assert_eq!(only_key(e), "segment.value_invalid");
    let n = |rules: Value| async move { ws.segment_count(&rules.to_string()).await.unwrap() };
    assert_eq!(n(cond("age", "gte", json!(0))).await, 3);
    assert_eq!(n(cond("age", "lte", json!(150))).await, 3);
    assert_eq!(n(cond("age", "between", json!([0, 150]))).await, 3);
    assert_eq!(n(cond("age", "eq", json!(0))).await, 1);
    assert_eq!(n(cond("age", "gte", json!(126))).await, 1, "born 1900 is 126");
}

#[tokio::test]
async fn code_fields_match_their_codes_and_names_folded_and_refuse_others() {
    let f = open().await;
    let ws = &f.ws;
    let mut c = person("Lan", "");
    c.stage_id = Some("lead".into());
    c.gender = Some(tend::customers::Gender::Female);
    c.source = Some(tend::customers::Source::Website);
    ws.create_customer(&c).await.unwrap();
    for (field, value) in [("stage", "Lead"), ("gender", "Female"), ("source", "WEBSITE"), ("kind", "Person")] {
        assert_eq!(ws.segment_count(&cond(field, "eq", json!(value)).to_string()).await.unwrap(), 1, "{field}");
        assert_eq!(ws.segment_count(&cond(field, "in", json!([value])).to_string()).await.unwrap(), 1, "{field}");
    }
    // a workspace stage is matched by its name too, and saved as its id
    let vip = ws.add_stage("Khách VIP").await.unwrap();
    let s = ws.create_segment(&dynamic("vip", cond("stage", "eq", json!("khach vip")))).await.unwrap();
    assert!(s.rules.as_deref().unwrap_or("").contains(&vip.id), "{:?}", s.rules);
    for (field, value) in [("stage", "Leed"), ("gender", "nữ giới"), ("source", "tiktok"), ("owner", "nobody")] {
        let e = ws.segment_count(&cond(field, "eq", json!(value)).to_string()).await.unwrap_err();
        let f = fields(e);
        assert_eq!(f, [("rules.all[0].value".to_string(), "segment.unknown_code".to_string())], "{field}");
    }
}

#[tokio::test]
async fn broken_segments_from_sync_are_flagged_never_break_the_list_and_can_be_deleted() {
    let f = open().await;
    let ws = &f.ws;
    ws.create_customer(&person("An", "")).await.unwrap();
    let a = ws.create_segment(&dynamic("A", cond("age", "gte", json!(1)))).await.unwrap();
    let b = ws.create_segment(&dynamic("B", cond("segment", "eq", json!(a.id)))).await.unwrap();
    let me = ws.create_segment(&dynamic("Self", cond("age", "gte", json!(1)))).await.unwrap();
    let junk = ws.create_segment(&dynamic("Junk", cond("age", "gte", json!(1)))).await.unwrap();
    let fine = ws.create_segment(&dynamic("Fine", json!({"all": []}))).await.unwrap();
    // another device makes A use B (a cycle), Self use itself, and Junk not JSON
    synced_set(ws, T0, 1, "segments", &a.id, "rules", &cond("segment", "eq", json!(b.id)).to_string()).await;
    synced_set(ws, T0, 2, "segments", &me.id, "rules", &cond("segment", "eq", json!(me.id)).to_string()).await;
    synced_set(ws, T0, 3, "segments", &junk.id, "rules", "{not json").await;
    let all = ws.segments().await.expect("the list reads");
    assert_eq!(all.len(), 5);
    assert_eq!(listed(&all, "A").problem.as_ref().map(|p| p.message_key.as_str()), Some("segment.cycle"));
    assert_eq!(listed(&all, "B").problem.as_ref().map(|p| p.message_key.as_str()), Some("segment.cycle"));
    assert_eq!(listed(&all, "Self").problem.as_ref().map(|p| p.message_key.as_str()), Some("segment.cycle"));
    assert_eq!(listed(&all, "Junk").problem.as_ref().map(|p| p.message_key.as_str()), Some("segment.not_json"));
    assert!(listed(&all, "Fine").problem.is_none());
    assert_eq!(ws.segment_size(&fine.id).await.unwrap(), 1);
    // a broken one is fixed by saving good rules, or deleted; the cycle does not hold either
    ws.update_segment(&junk.id, &dynamic("Junk", cond("age", "lte", json!(30)))).await.unwrap();
    ws.remove_segment(&a.id).await.expect("a segment in a cycle can be deleted");
    let all = ws.segments().await.unwrap();
    assert_eq!(listed(&all, "B").problem.as_ref().map(|p| p.message_key.as_str()), Some("segment.unknown_segment"));
    assert!(listed(&all, "Junk").problem.is_none());
    ws.remove_segment(&b.id).await.unwrap();
    ws.remove_segment(&me.id).await.unwrap();
    let names: Vec<String> = ws.segments().await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["Fine", "Junk"]);
}

#[tokio::test]
async fn a_change_that_would_break_a_segment_using_this_one_is_refused() {
    let f = open().await;
    let ws = &f.ws;
    let base = ws.create_segment(&dynamic("base", cond("age", "gte", json!(1)))).await.unwrap();
    let mut top = base.clone();
    for level in 1..=8 {
        let rules = json!({"any": [{"field": "segment", "op": "eq", "value": top.id},
                                   {"field": "segment", "op": "eq", "value": top.id}]});
        top = ws.create_segment(&dynamic(&format!("level {level}"), rules)).await.unwrap();
    }
    // base grows from 1 condition to 10: top would inline 256 x 10
    let wide: Vec<Value> = (0..10).map(|i| json!({"field": "age", "op": "gte", "value": i})).collect();
    let e = ws.update_segment(&base.id, &dynamic("base", json!({"any": wide}))).await.unwrap_err();
    let keys = fields(e);
    assert!(!keys.is_empty() && keys.iter().all(|(f, k)| f == "rules" && k == "segment.breaks_other"), "{keys:?}");
    assert!(ws.segments().await.unwrap().iter().all(|s| s.problem.is_none()));
}

#[tokio::test]
async fn a_segment_a_care_plan_enrols_from_cannot_be_deleted_and_names_are_unique_in_any_case() {
    let f = open().await;
    let ws = &f.ws;
    let s = ws.create_segment(&dynamic("Khách Hà Nội", cond("province", "eq", json!("Hà Nội")))).await.unwrap();
    let e = ws.create_segment(&dynamic("khách hà nội", json!({"all": []}))).await.unwrap_err();
    assert_eq!(fields(e), [("name".to_string(), "segment.name_taken".to_string())]);
    let plan = tend::care::CarePlan::from_toml(&format!(
        "name = \"Chăm sóc Hà Nội\"\nanchor = \"enrolment\"\nenrol = \"segment:{}\"\n\n[[step]]\nname = \"Gọi\"\noffset_days = 1\nat = \"09:00\"\nchannel = \"call\"\ntemplate = \"Chào {{{{customer.name}}}}\"\n",
        s.id
    ))
    .expect("plan reads");
    ws.create_care_plan(&plan).await.expect("plan saved");
    let e = ws.remove_segment(&s.id).await.unwrap_err();
    assert_eq!(fields(e), [("segment".to_string(), "segment.in_use_plan".to_string())]);
    assert!(ws.segment(&s.id).await.is_ok());
}

#[tokio::test]
async fn rules_with_a_byte_order_mark_read_as_json() {
    let f = open().await;
    let text = format!("\u{feff}{}", cond("age", "gte", json!(1)));
    assert_eq!(f.ws.segment_count(&text).await.unwrap(), 0);
}

fn deal(title: &str, amount: Option<i64>) -> DealInput {
    DealInput {
        title: title.into(),
        stage_id: None,
        amount,
        currency: None,
        expected_close: None,
        owner_id: None,
        lost_reason: None,
    }
}

fn purchase(amount: i64, at: Option<i64>) -> InteractionInput {
    InteractionInput {
        kind: InteractionKind::Purchase,
        channel: InteractionChannel::InPerson,
        direction: Direction::Inbound,
        staff_id: None,
        occurred_at: at,
        summary: "Mua".into(),
        body: None,
        amount: Some(amount),
        currency: None,
        items: vec![],
    }
}

#[tokio::test]
async fn money_is_bounded_sums_never_fail_and_deals_go_to_the_trash_and_back() {
    let f = open().await;
    let ws = &f.ws;
    let c = ws.create_customer(&person("Bình", "")).await.unwrap().customer.id;
    for bad in [i64::MAX, 1_000_000_000_000_001] {
        let e = ws.create_deal(&c, &deal("x", Some(bad))).await.unwrap_err();
        assert_eq!(fields(e), [("amount".to_string(), "validation.money_too_large".to_string())]);
        let e = ws.log_interaction(&c, &purchase(bad, None), false).await.unwrap_err();
        assert_eq!(fields(e), [("amount".to_string(), "validation.money_too_large".to_string())]);
        let mut big = person("Chi", "");
        big.expected_revenue = Some(bad);
        assert_eq!(only_key(ws.create_customer(&big).await.unwrap_err()), "validation.money_too_large");
    }
    // items that multiply past the bound name the amount
    let mut items = purchase(0, None);
    items.amount = None;
    items.items = vec![tend::interactions::PurchaseItem {
        name: "x".into(),
        quantity: 1_000_000_000,
        unit_price: 1_000_000_000_000,
    }];
    assert_eq!(only_key(ws.log_interaction(&c, &items, false).await.unwrap_err()), "validation.money_too_large");
    // at the bound: five deals and purchases of 10^15 sum exactly; twenty read too, their sum
    // held at what the window's numbers hold exactly (2^53 - 1)
    for i in 0..5 {
        ws.create_deal(&c, &deal(&format!("d{i}"), Some(tend::validate::MAX_MONEY))).await.unwrap();
        ws.log_interaction(&c, &purchase(tend::validate::MAX_MONEY, Some(T0 - i * 1000)), true).await.unwrap();
    }
    let p = ws.pipeline(&DealFilter::default()).await.expect("the pipeline reads");
    let total: i64 = p.columns.iter().flat_map(|c| c.totals.iter().map(|t| t.amount)).sum();
    assert_eq!(total, 5 * tend::validate::MAX_MONEY);
    for i in 5..20 {
        ws.create_deal(&c, &deal(&format!("d{i}"), Some(tend::validate::MAX_MONEY))).await.unwrap();
    }
    let p = ws.pipeline(&DealFilter::default()).await.expect("the pipeline reads");
    let total: i64 = p.columns.iter().flat_map(|c| c.totals.iter().map(|t| t.amount)).sum();
    assert_eq!(total, (1 << 53) - 1);
    // a deal synced from elsewhere with any amount never fails the pipeline
    let d = ws.create_deal(&c, &deal("synced", Some(1))).await.unwrap();
    let tx = RemoteTx {
        part: None,
        hlc: format!("{:013}:00001:otherdevice", T0 + 1_000),
        at_ms: T0 + 1_000,
        actor: None,
        device: "otherdevice".into(),
        records: vec![RemoteRecord {
            table: "deals".into(),
            row_id: d.id.clone(),
            op: RecordOp::Set { column: "amount".into(), value: FieldValue::Int(i64::MAX) },
        }],
    };
    ws.apply_remote(&tx).await.unwrap();
    ws.pipeline(&DealFilter::default()).await.expect("the pipeline still reads");
    // purchases synced past the range saturate the customer's total instead of failing the write
    let big = tend::changelog::RemoteTx {
        part: None,
        hlc: format!("{:013}:00002:otherdevice", T0 + 1_000),
        at_ms: T0 + 1_000,
        actor: None,
        device: "otherdevice".into(),
        records: (0..2)
            .map(|i| RemoteRecord {
                table: "interactions".into(),
                row_id: format!("0190f000-0000-7000-8000-00000000000{i}"),
                op: RecordOp::Insert {
                    values: vec![
                        ("customer_id".into(), FieldValue::Text(c.clone())),
                        ("kind".into(), FieldValue::Text("purchase".into())),
                        ("channel".into(), FieldValue::Text("other".into())),
                        ("direction".into(), FieldValue::Text("inbound".into())),
                        ("occurred_at".into(), FieldValue::Int(T0)),
                        ("summary".into(), FieldValue::Text("x".into())),
                        ("amount".into(), FieldValue::Int(i64::MAX)),
                        ("currency".into(), FieldValue::Text("VND".into())),
                        ("items".into(), FieldValue::Text("[]".into())),
                        ("created_at".into(), FieldValue::Int(T0)),
                    ],
                },
            })
            .collect(),
    };
    ws.apply_remote(&big).await.expect("a synced purchase past the range is stored");
    let total: i64 = sqlx::query_scalar("SELECT purchase_total FROM customer_activity WHERE customer_id = ?")
        .bind(&c)
        .fetch_one(ws.pool())
        .await
        .unwrap();
    assert_eq!(total, i64::MAX);
    assert_eq!(
        ws.segment_count(&cond("purchase_total", "gte", json!(tend::validate::MAX_MONEY)).to_string()).await.unwrap(),
        1
    );
    // delete to the trash, listed there, restored
    ws.delete_deal(&d.id).await.unwrap();
    assert!(ws.deal(&d.id).await.is_err());
    let trashed = ws.trashed_deals().await.unwrap();
    assert_eq!(trashed.iter().map(|d| d.title.as_str()).collect::<Vec<_>>(), ["synced"]);
    assert!(trashed[0].deleted_at.is_some());
    let back = ws.restore_deal(&d.id).await.unwrap();
    assert_eq!(back.deleted_at, None);
    assert!(ws.trashed_deals().await.unwrap().is_empty());
    assert!(matches!(ws.restore_deal(&d.id).await, Err(tend::Error::NotFound { .. })));
}

#[tokio::test]
async fn contacts_dated_ahead_are_asked_about_and_a_year_ahead_refused() {
    let f = open().await;
    let ws = &f.ws;
    let c = ws.create_customer(&person("Dũng", "")).await.unwrap().customer.id;
    let mut call = purchase(0, Some(T0 + 2 * DAY));
    call.kind = InteractionKind::Note;
    call.amount = None;
    call.direction = Direction::Internal;
    assert!(matches!(ws.log_interaction(&c, &call, false).await, Err(tend::Error::DateAhead { .. })));
    assert_eq!(count(ws, "interactions").await, 0);
    ws.log_interaction(&c, &call, true).await.expect("confirmed");
    call.occurred_at = Some(T0 + 20 * 365 * DAY);
    let e = ws.log_interaction(&c, &call, true).await.unwrap_err();
    assert_eq!(fields(e), [("occurred_at".to_string(), "validation.date_too_far".to_string())]);
    // within a day ahead (another zone's "today") needs nothing
    call.occurred_at = Some(T0 + DAY / 2);
    ws.log_interaction(&c, &call, false).await.unwrap();
}

#[tokio::test]
async fn tags_hold_no_separator_and_trashed_customers_are_not_changed() {
    let f = open().await;
    let ws = &f.ws;
    let mut c = person("Em", "");
    c.tags = vec!["a,b".into()];
    let e = ws.create_customer(&c).await.unwrap_err();
    assert_eq!(fields(e), [("tags[0]".to_string(), "validation.tag_separator".to_string())]);
    c.tags = vec!["VIP".into()];
    let id = ws.create_customer(&c).await.unwrap().customer.id;
    use tend::customers::bulk::{BulkAction, BulkTarget};
    let e = ws
        .bulk_customers(&BulkTarget::Ids { ids: vec![id.clone()] }, &BulkAction::AddTag { tag: "x;y".into() })
        .await
        .unwrap_err();
    assert_eq!(fields(e), [("tag".to_string(), "validation.tag_separator".to_string())]);
    let base = ws.customer(&id).await.unwrap().to_input();
    ws.trash_customer(&id).await.unwrap();
    let mut changed = base.clone();
    changed.province = Some("Huế".into());
    let e = ws.update_customer(&id, &base, &changed).await.unwrap_err();
    assert_eq!(fields(e), [("customer".to_string(), "validation.customer_trashed".to_string())]);
}

/// Any rule the validator accepts can be counted, previewed and saved, and a saved one lists
/// without a problem: random rules within the limits, with values at the limits (and past them,
/// which must be refused as field errors, never as anything else).
mod accepted_rules_always_read {
    use super::*;
    use proptest::prelude::*;

    fn value_at_limits() -> impl Strategy<Value = (String, String, Value)> {
        let num = prop_oneof![
            Just(json!(0)),
            Just(json!(150)),
            Just(json!(151)),
            Just(json!(-1)),
            Just(json!(1_000_000_000_000_000i64)),
            Just(json!(-1_000_000_000_000_000i64)),
            Just(json!(1e30)),
            Just(json!(-8000)),
            Just(json!(12)),
        ];
        let day = prop_oneof![
            Just(json!("1000-01-01")),
            Just(json!("9000-12-31")),
            Just(json!("9999-12-31")),
            Just(json!("0999-12-31")),
            Just(json!("2026-11-23")),
            Just(json!("9000-12-31T23:59:59Z")),
        ];
        let text = prop_oneof![
            Just(json!("Hà Nội")),
            Just(json!("x".repeat(200))),
            Just(json!("x".repeat(201))),
            Just(json!("lead")),
            Just(json!("Female")),
            Just(json!("website")),
        ];
        let count = prop_oneof![Just(1usize), Just(200usize), Just(201usize)];
        prop_oneof![
            (
                prop_oneof![Just("age"), Just("purchase_total"), Just("purchase_count"), Just("birthday_month")],
                prop_oneof![Just("eq"), Just("gte"), Just("lte"), Just("ne")],
                num.clone()
            )
                .prop_map(|(f, o, v)| (f.to_string(), o.to_string(), v)),
            (prop_oneof![Just("age"), Just("purchase_total")], num.clone(), num.clone()).prop_map(|(f, a, b)| (
                f.to_string(),
                "between".to_string(),
                json!([a, b])
            )),
            (prop_oneof![Just("age"), Just("purchase_count")], num, count.clone()).prop_map(|(f, v, n)| (
                f.to_string(),
                "in".to_string(),
                Value::Array(vec![v; n])
            )),
            (
                prop_oneof![Just("created_at"), Just("last_purchase_at"), Just("last_interaction_at")],
                prop_oneof![Just("before"), Just("after")],
                day.clone()
            )
                .prop_map(|(f, o, v)| (f.to_string(), o.to_string(), v)),
            (day.clone(), day).prop_map(|(a, b)| ("created_at".to_string(), "between".to_string(), json!([a, b]))),
            (prop_oneof![Just(0i64), Just(36_600), Just(36_601)]).prop_map(|d| (
                "last_interaction_at".to_string(),
                "not_within_days".to_string(),
                json!(d)
            )),
            (
                prop_oneof![
                    Just("province"),
                    Just("district"),
                    Just("stage"),
                    Just("gender"),
                    Just("source"),
                    Just("tag")
                ],
                text.clone()
            )
                .prop_map(|(f, v)| (f.to_string(), if f == "tag" { "has" } else { "eq" }.to_string(), v)),
            (prop_oneof![Just("province"), Just("tag")], text, count).prop_map(|(f, v, n)| (
                f.to_string(),
                "in".to_string(),
                Value::Array(vec![v; n])
            )),
        ]
    }

    fn rule() -> impl Strategy<Value = Value> {
        let leaf = value_at_limits().prop_map(|(f, o, v)| json!({"field": f, "op": o, "value": v}));
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(|v| json!({"all": v})),
                proptest::collection::vec(inner, 0..6).prop_map(|v| json!({"any": v})),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
        #[test]
        fn accepted_rules_count_list_and_save(rules in rule()) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let f = open().await;
                let ws = &f.ws;
                let mut c = person("Nguyễn Thị Hà", "");
                c.province = Some("Hà Nội".into());
                c.birthday = Some("1990-01-01".into());
                ws.create_customer(&c).await.unwrap();
                let text = rules.to_string();
                match ws.segment_count(&text).await {
                    Ok(n) => {
                        assert!((0..=1).contains(&n));
                        let page = ws.segment_preview(&text, 0, 50).await.expect("an accepted rule previews");
                        assert_eq!(page.total, Some(n));
                        let s = ws.create_segment(&dynamic("s", rules.clone())).await.expect("an accepted rule saves");
                        let all = ws.segments().await.expect("the list reads");
                        assert!(all[0].problem.is_none(), "{:?}", all[0].problem);
                        assert_eq!(ws.segment_size(&s.id).await.unwrap(), n);
                        ws.segment_members(&s.id, 0, 50).await.unwrap();
                    }
                    Err(tend::Error::Validation(v)) => assert!(!v.is_empty()),
                    Err(other) => panic!("{text}: not a field error: {other:?}"),
                }
            });
        }
    }
}
