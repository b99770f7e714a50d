//! Segments on hand-built data: every field and op, nesting, membership of other segments, the
//! errors that name the place, and a property test that a segment's count equals filtering the
//! same customers in plain Rust.
mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tend::customers::{CustomerInput, Gender, Source};
use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};
use tend::segments::{SegmentInput, SegmentKind};
use tend::settings::{CustomFieldInput, CustomFieldKind};
use tend::{Error, Workspace};

const DAY: i64 = 86_400_000;

/// A row of `customer_activity`: customer, purchases, total, last purchase, last contact.
type Activity = (String, i64, i64, Option<i64>, Option<i64>);

fn input(name: &str) -> CustomerInput {
    person(name, "")
}

async fn interaction(ws: &Workspace, customer: &str, kind: InteractionKind, at: i64, amount: Option<i64>) -> String {
    ws.add_interaction(
        customer,
        &InteractionInput {
            kind,
            channel: InteractionChannel::InPerson,
            direction: Direction::Inbound,
            staff_id: None,
            occurred_at: Some(at),
            summary: "x".into(),
            body: None,
            amount,
            currency: amount.map(|_| "VND".into()),
            items: vec![],
        },
    )
    .await
    .unwrap()
    .id
}

async fn names(ws: &Workspace, rules: Value) -> Vec<String> {
    let rules = rules.to_string();
    let page = ws.segment_preview(&rules, 0, 500).await.unwrap_or_else(|e| panic!("{rules}: {e}"));
    let n = ws.segment_count(&rules).await.unwrap();
    assert_eq!(page.total, Some(n), "{rules}");
    let mut v: Vec<String> = page.rows.into_iter().map(|r| r.name).collect();
    v.sort();
    v
}

fn cond(field: &str, op: &str, value: Value) -> Value {
    json!({"all": [{"field": field, "op": op, "value": value}]})
}

/// Five customers with every kind of value, at T0 (2026-11-23, Asia/Ho_Chi_Minh).
async fn shop() -> (Fixture, BTreeMap<&'static str, String>) {
    let f = open().await;
    let ws = &f.ws;
    for (label, kind, options) in [
        ("Số ghế", CustomFieldKind::Number, vec![]),
        ("Ngày hợp đồng", CustomFieldKind::Date, vec![]),
        ("Hạng", CustomFieldKind::Select, vec!["Vàng".to_string(), "Bạc".to_string()]),
        ("Đã ký", CustomFieldKind::Checkbox, vec![]),
        ("Ghi chú riêng", CustomFieldKind::Text, vec![]),
    ] {
        ws.add_custom_field(&CustomFieldInput { label: label.into(), kind, options, required: false }).await.unwrap();
    }
    let keys: Vec<String> = ws.custom_fields().await.unwrap().into_iter().map(|f| f.key).collect();
    let custom = |vals: [&str; 5]| -> BTreeMap<String, String> {
        keys.iter().zip(vals).filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.to_string())).collect()
    };
    let staff = tend::staff::StaffInput { name: "Lan".into(), email: None, role: tend::staff::Role::Agent };
    let owner = Some(ws.add_staff(&staff).await.unwrap().id);
    let mut ids = BTreeMap::new();
    // An: Hà Nội, customer, VIP, born 2000-11-23 (26 today), created 40 days ago
    f.clock.set(T0 - 40 * DAY);
    let mut an = input("An");
    an.province = Some("Hà Nội".into());
    an.district = Some("Quận Ba Đình".into());
    an.stage_id = Some("customer".into());
    an.tags = vec!["VIP".into(), "Bán sỉ".into()];
    an.birthday = Some("2000-11-23".into());
    an.gender = Some(Gender::Female);
    an.source = Some(Source::Facebook);
    an.owner_id = owner.clone();
    an.custom = custom(["12", "2026-01-15", "Vàng", "true", "Giao buổi sáng"]);
    ids.insert("an", ws.create_customer(&an).await.unwrap().customer.id);
    // Bình: "Ha Noi" spelt without marks, lead, vip in lower case, born 2000-11-24 (25)
    f.clock.set(T0 - 10 * DAY);
    let mut binh = input("Bình");
    binh.province = Some("Ha Noi".into());
    binh.stage_id = Some("lead".into());
    binh.tags = vec!["vip".into()];
    binh.birthday = Some("2000-11-24".into());
    binh.gender = Some(Gender::Male);
    binh.custom = custom(["3", "2026-11-20", "Bạc", "false", ""]);
    ids.insert("binh", ws.create_customer(&binh).await.unwrap().customer.id);
    // Chi: Đà Nẵng, loyal, born 29 February 2004 (22), no tags
    f.clock.set(T0 - 2 * DAY);
    let mut chi = input("Chi");
    chi.province = Some("Đà Nẵng".into());
    chi.stage_id = Some("loyal".into());
    chi.birthday = Some("2004-02-29".into());
    chi.source = Some(Source::Referral);
    ids.insert("chi", ws.create_customer(&chi).await.unwrap().customer.id);
    // Dũng: nothing but a name; a company
    f.clock.set(T0);
    let mut dung = input("Dũng");
    dung.kind = tend::customers::CustomerKind::Company;
    ids.insert("dung", ws.create_customer(&dung).await.unwrap().customer.id);
    // Em: in the trash (never a member)
    let mut em = input("Em");
    em.province = Some("Hà Nội".into());
    let em_id = ws.create_customer(&em).await.unwrap().customer.id;
    ws.trash_customer(&em_id).await.unwrap();
    // purchases: An 3M + 4M (one 30 days ago), Bình 500k and a call 3 days ago, Chi none
    interaction(ws, &ids["an"], InteractionKind::Purchase, T0 - 30 * DAY, Some(3_000_000)).await;
    interaction(ws, &ids["an"], InteractionKind::Purchase, T0 - 20 * DAY, Some(4_000_000)).await;
    interaction(ws, &ids["binh"], InteractionKind::Purchase, T0 - 60 * DAY, Some(500_000)).await;
    interaction(ws, &ids["binh"], InteractionKind::Call, T0 - 3 * DAY, None).await;
    (f, ids)
}

#[tokio::test]
async fn text_fields_fold_case_and_marks_and_codes_compare_as_stored() {
    let (f, _) = shop().await;
    let ws = &f.ws;
    assert_eq!(names(ws, cond("province", "eq", json!("ha noi"))).await, ["An", "Bình"]);
    assert_eq!(names(ws, cond("province", "eq", json!("HÀ NỘI"))).await, ["An", "Bình"]);
    assert_eq!(names(ws, cond("province", "in", json!(["da nang", "Huế"]))).await, ["Chi"]);
    assert_eq!(names(ws, cond("province", "ne", json!("Hà Nội"))).await, ["Chi", "Dũng"]);
    assert_eq!(names(ws, cond("province", "contains", json!("nang"))).await, ["Chi"]);
    assert_eq!(names(ws, cond("province", "empty", Value::Null)).await, ["Dũng"]);
    assert_eq!(names(ws, cond("province", "eq", json!("Huế"))).await, Vec::<String>::new());
    assert_eq!(names(ws, cond("district", "contains", json!("ba dinh"))).await, ["An"]);
    assert_eq!(names(ws, cond("district", "eq", json!("quan ba dinh"))).await, ["An"]);
    assert_eq!(names(ws, cond("district", "not_empty", Value::Null)).await, ["An"]);
    assert_eq!(names(ws, cond("stage", "in", json!(["customer", "loyal"]))).await, ["An", "Chi"]);
    assert_eq!(names(ws, cond("stage", "ne", json!("lead"))).await, ["An", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond("kind", "eq", json!("company"))).await, ["Dũng"]);
    assert_eq!(names(ws, cond("gender", "eq", json!("female"))).await, ["An"]);
    assert_eq!(names(ws, cond("source", "not_in", json!(["facebook"]))).await, ["Bình", "Chi", "Dũng"]);
    let owner = ws.staff().await.unwrap()[0].id.clone();
    assert_eq!(names(ws, cond("owner", "eq", json!(owner))).await, ["An"]);
    assert_eq!(names(ws, cond("owner", "empty", Value::Null)).await, ["Bình", "Chi", "Dũng"]);
}

#[tokio::test]
async fn tags_fold_too() {
    let (f, _) = shop().await;
    let ws = &f.ws;
    assert_eq!(names(ws, cond("tag", "has", json!("VIP"))).await, ["An", "Bình"]);
    assert_eq!(names(ws, cond("tag", "has", json!("ban si"))).await, ["An"]);
    assert_eq!(names(ws, cond("tag", "not_has", json!("vip"))).await, ["Chi", "Dũng"]);
    assert_eq!(names(ws, cond("tag", "in", json!(["bán sỉ", "không có"]))).await, ["An"]);
    assert_eq!(names(ws, cond("tag", "empty", Value::Null)).await, ["Chi", "Dũng"]);
    assert_eq!(names(ws, cond("tag", "not_empty", Value::Null)).await, ["An", "Bình"]);
}

#[tokio::test]
async fn ages_are_full_years_today_in_the_workspace_zone() {
    let (f, _) = shop().await;
    let ws = &f.ws;
    // T0 is 2026-11-23 16:00 in Ho Chi Minh City: An turns 26 today, Bình is 25 until tomorrow
    assert_eq!(names(ws, cond("age", "eq", json!(26))).await, ["An"]);
    assert_eq!(names(ws, cond("age", "gte", json!(25))).await, ["An", "Bình"]);
    assert_eq!(names(ws, cond("age", "lte", json!(25))).await, ["Bình", "Chi"]);
    assert_eq!(names(ws, cond("age", "between", json!([22, 25]))).await, ["Bình", "Chi"]);
    assert_eq!(names(ws, cond("age", "in", json!([22, 26]))).await, ["An", "Chi"]);
    assert_eq!(names(ws, cond("age", "ne", json!(26))).await, ["Bình", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond("age", "empty", Value::Null)).await, ["Dũng"]);
    // 23:30 UTC on the 23rd is already the 24th there: Bình is 26 too
    f.clock.set(T0 + 14 * 3_600_000 + 30 * 60_000);
    assert_eq!(names(ws, cond("age", "eq", json!(26))).await, ["An", "Bình"]);
    // born on 29 February: 22 until 1 March 2027, 23 from then; 24 on 29 February 2028
    let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
    f.clock.set(at("2027-02-28T05:00:00Z"));
    assert_eq!(names(ws, cond("age", "eq", json!(22))).await, ["Chi"]);
    f.clock.set(at("2027-03-01T05:00:00Z"));
    assert_eq!(names(ws, cond("age", "eq", json!(23))).await, ["Chi"]);
    f.clock.set(at("2028-02-29T05:00:00Z"));
    assert_eq!(names(ws, cond("age", "eq", json!(24))).await, ["Chi"]);
    assert_eq!(names(ws, cond("birthday_month", "eq", json!(2))).await, ["Chi"]);
    assert_eq!(names(ws, cond("birthday_month", "in", json!([2, 11]))).await, ["An", "Bình", "Chi"]);
}

#[tokio::test]
async fn purchases_and_contacts_follow_every_interaction_change() {
    let (f, ids) = shop().await;
    let ws = &f.ws;
    assert_eq!(names(ws, cond("purchase_total", "gte", json!(5_000_000))).await, ["An"]);
    assert_eq!(names(ws, cond("purchase_total", "lte", json!(1_000_000))).await, ["Bình", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond("purchase_total", "eq", json!(0))).await, ["Chi", "Dũng"]);
    assert_eq!(names(ws, cond("purchase_count", "between", json!([1, 1]))).await, ["Bình"]);
    assert_eq!(names(ws, cond("purchase_count", "ne", json!(2))).await, ["Bình", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond("purchase_count", "empty", Value::Null)).await, ["Chi", "Dũng"]);
    assert_eq!(names(ws, cond("purchase_count", "not_empty", Value::Null)).await, ["An", "Bình"]);
    assert_eq!(names(ws, cond("last_purchase_at", "within_days", json!(25))).await, ["An"]);
    assert_eq!(names(ws, cond("last_purchase_at", "not_within_days", json!(25))).await, ["Bình", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond("last_interaction_at", "within_days", json!(7))).await, ["Bình"]);
    assert_eq!(names(ws, cond("last_interaction_at", "empty", Value::Null)).await, ["Chi", "Dũng"]);
    assert_eq!(names(ws, cond("last_purchase_at", "before", json!("2026-10-01"))).await, ["Bình"]);
    // beside a province, the same conditions are looked up customer by customer (the province
    // index drives): the same answers, absent activity included
    let hanoi = |field: &str, op: &str, value: Value| json!({"all": [{"field": "province", "op": "eq", "value": "ha noi"}, {"field": field, "op": op, "value": value}]});
    assert_eq!(names(ws, hanoi("purchase_total", "gte", json!(5_000_000))).await, ["An"]);
    assert_eq!(names(ws, hanoi("purchase_total", "lte", json!(1_000_000))).await, ["Bình"]);
    assert_eq!(names(ws, hanoi("purchase_count", "empty", Value::Null)).await, Vec::<String>::new());
    assert_eq!(names(ws, hanoi("last_purchase_at", "not_within_days", json!(25))).await, ["Bình"]);
    assert_eq!(names(ws, hanoi("last_interaction_at", "within_days", json!(7))).await, ["Bình"]);
    let dn = json!({"all": [{"field": "province", "op": "in", "value": ["da nang"]}, {"field": "purchase_count", "op": "eq", "value": 0}]});
    assert_eq!(names(ws, dn).await, ["Chi"]);
    // a new purchase, then its removal: the totals follow in the same transaction
    let id = interaction(ws, &ids["chi"], InteractionKind::Purchase, T0 - DAY, Some(9_000_000)).await;
    assert_eq!(names(ws, cond("purchase_total", "gte", json!(5_000_000))).await, ["An", "Chi"]);
    ws.delete_interaction(&id).await.unwrap();
    assert_eq!(names(ws, cond("purchase_total", "gte", json!(5_000_000))).await, ["An"]);
    assert_eq!(names(ws, cond("last_interaction_at", "empty", Value::Null)).await, ["Chi", "Dũng"]);
    // what the triggers keep is what the interactions give, computed afresh
    let kept: Vec<Activity> =
        sqlx::query_as("SELECT * FROM customer_activity ORDER BY customer_id").fetch_all(ws.pool()).await.unwrap();
    let fresh: Vec<Activity> = sqlx::query_as(
        "SELECT customer_id, COUNT(*) FILTER (WHERE kind = 'purchase'),
                COALESCE(SUM(amount) FILTER (WHERE kind = 'purchase' AND COALESCE(currency, 'VND') = 'VND'), 0),
                MAX(occurred_at) FILTER (WHERE kind = 'purchase'), MAX(occurred_at)
         FROM interactions WHERE deleted_at IS NULL GROUP BY customer_id ORDER BY customer_id",
    )
    .fetch_all(ws.pool())
    .await
    .unwrap();
    assert_eq!(kept, fresh);
}

#[tokio::test]
async fn created_dates_are_local_days() {
    let (f, _) = shop().await;
    let ws = &f.ws;
    assert_eq!(names(ws, cond("created_at", "within_days", json!(10))).await, ["Bình", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond("created_at", "not_within_days", json!(10))).await, ["An"]);
    assert_eq!(names(ws, cond("created_at", "before", json!("2026-11-13"))).await, ["An"]);
    assert_eq!(names(ws, cond("created_at", "after", json!("2026-11-13"))).await, ["Chi", "Dũng"]);
    assert_eq!(names(ws, cond("created_at", "between", json!(["2026-11-13", "2026-11-21"]))).await, ["Bình", "Chi"]);
}

#[tokio::test]
async fn custom_fields_by_their_kind() {
    let (f, _) = shop().await;
    let ws = &f.ws;
    let key = |label: &str| {
        let label = label.to_string();
        async move { ws.custom_fields().await.unwrap().into_iter().find(|f| f.label == label).unwrap().key }
    };
    let seats = format!("custom.{}", key("Số ghế").await);
    let signed_on = format!("custom.{}", key("Ngày hợp đồng").await);
    let rank = format!("custom.{}", key("Hạng").await);
    let signed = format!("custom.{}", key("Đã ký").await);
    let note = format!("custom.{}", key("Ghi chú riêng").await);
    assert_eq!(names(ws, cond(&seats, "gte", json!(10))).await, ["An"]);
    assert_eq!(names(ws, cond(&seats, "between", json!([1, 5]))).await, ["Bình"]);
    assert_eq!(names(ws, cond(&seats, "empty", Value::Null)).await, ["Chi", "Dũng"]);
    assert_eq!(names(ws, cond(&signed_on, "before", json!("2026-06-01"))).await, ["An"]);
    assert_eq!(names(ws, cond(&signed_on, "within_days", json!(7))).await, ["Bình"]);
    assert_eq!(names(ws, cond(&rank, "eq", json!("vang"))).await, ["An"]);
    assert_eq!(names(ws, cond(&rank, "in", json!(["Vàng", "bạc"]))).await, ["An", "Bình"]);
    assert_eq!(names(ws, cond(&signed, "eq", json!(true))).await, ["An"]);
    assert_eq!(names(ws, cond(&signed, "eq", json!(false))).await, ["Bình", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond(&note, "contains", json!("buoi sang"))).await, ["An"]);
    // the ops that name the value twice (absent, or not this one)
    assert_eq!(names(ws, cond(&seats, "ne", json!(12))).await, ["Bình", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond(&seats, "not_in", json!([3, 12]))).await, ["Chi", "Dũng"]);
    assert_eq!(names(ws, cond(&rank, "ne", json!("vang"))).await, ["Bình", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond(&rank, "not_in", json!(["bạc"]))).await, ["An", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond(&signed_on, "not_within_days", json!(7))).await, ["An", "Chi", "Dũng"]);
    assert_eq!(names(ws, cond(&signed_on, "between", json!(["2026-01-01", "2026-02-01"]))).await, ["An"]);
    assert_eq!(names(ws, cond(&signed, "ne", json!(true))).await, ["Bình", "Chi", "Dũng"]);
    // an op the field's kind does not have is refused, naming it
    let e = ws.segment_count(&cond(&seats, "contains", json!("1")).to_string()).await.unwrap_err();
    assert_eq!(fields(e), [("rules.all[0].op".to_string(), "segment.op_not_for_field".to_string())]);
}

#[tokio::test]
async fn groups_nest_and_values_are_bound_never_spliced() {
    let (f, _) = shop().await;
    let ws = &f.ws;
    let rules = json!({"all": [
        {"field": "stage", "op": "in", "value": ["customer", "loyal", "lead"]},
        {"any": [{"field": "province", "op": "eq", "value": "Hà Nội"}, {"field": "tag", "op": "has", "value": "VIP"}]},
        {"field": "purchase_total", "op": "gte", "value": 400_000}]});
    assert_eq!(names(ws, rules).await, ["An", "Bình"]);
    let any_of_all = json!({"any": [{"all": [{"field": "age", "op": "gte", "value": 26}]}, {"field": "kind", "op": "eq", "value": "company"}]});
    assert_eq!(names(ws, any_of_all).await, ["An", "Dũng"]);
    assert_eq!(names(ws, json!({"all": []})).await, ["An", "Bình", "Chi", "Dũng"]);
    assert_eq!(names(ws, json!({"any": []})).await, Vec::<String>::new());
    for evil in ["x' OR 1=1 --", "\") OR 1=1 --", "%"] {
        assert_eq!(names(ws, cond("district", "eq", json!(evil))).await, Vec::<String>::new(), "{evil}");
        assert_eq!(names(ws, cond("province", "contains", json!(evil))).await, Vec::<String>::new(), "{evil}");
    }
}

#[tokio::test]
async fn segments_of_segments_static_lists_and_what_is_refused() {
    let (f, ids) = shop().await;
    let ws = &f.ws;
    let hanoi = ws
        .create_segment(&SegmentInput {
            name: "Hà Nội".into(),
            kind: SegmentKind::Dynamic,
            rules: Some(cond("province", "eq", json!("ha noi")).to_string()),
        })
        .await
        .unwrap();
    let list = ws
        .create_segment(&SegmentInput { name: "Hội chợ".into(), kind: SegmentKind::Static, rules: None })
        .await
        .unwrap();
    assert_eq!(ws.add_to_segment(&list.id, &[ids["chi"].clone(), ids["an"].clone()]).await.unwrap(), 2);
    assert_eq!(ws.add_to_segment(&list.id, &[ids["an"].clone()]).await.unwrap(), 0);
    assert_eq!(ws.segment_size(&list.id).await.unwrap(), 2);
    assert_eq!(names(ws, cond("segment", "eq", json!(hanoi.id))).await, ["An", "Bình"]);
    let both = json!({"all": [{"field": "segment", "op": "in", "value": [hanoi.id]}, {"field": "segment", "op": "in", "value": [list.id]}]});
    assert_eq!(names(ws, both).await, ["An"]);
    assert_eq!(names(ws, cond("segment", "not_in", json!([list.id]))).await, ["Bình", "Dũng"]);
    assert_eq!(ws.remove_from_segment(&list.id, &[ids["an"].clone()]).await.unwrap(), 1);
    let members: Vec<String> =
        ws.segment_members(&list.id, 0, 10).await.unwrap().rows.into_iter().map(|r| r.name).collect();
    assert_eq!(members, ["Chi"]);
    // a static list's members are in the change log, and trashed customers are never members
    ws.trash_customer(&ids["chi"]).await.unwrap();
    assert_eq!(ws.segment_size(&list.id).await.unwrap(), 0);
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM changes WHERE tbl = (SELECT code FROM change_tables WHERE name = 'segment_members')",
    )
    .fetch_one(ws.pool())
    .await
    .unwrap();
    assert_eq!(logged, 3, "two added (the third time was already in), one removed");
    // purged for good: the membership goes with the customer
    ws.purge_customer(&ids["chi"]).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM segment_members").fetch_one(ws.pool()).await.unwrap();
    assert_eq!(left, 0);

    // a segment built on Hà Nội, then Hà Nội changed to name it: a cycle, refused
    let on_top = ws
        .create_segment(&SegmentInput {
            name: "Hà Nội có VIP".into(),
            kind: SegmentKind::Dynamic,
            rules: Some(json!({"all": [{"field": "segment", "op": "eq", "value": hanoi.id}, {"field": "tag", "op": "has", "value": "vip"}]}).to_string()),
        })
        .await
        .unwrap();
    assert_eq!(ws.segment_size(&on_top.id).await.unwrap(), 2);
    let e = ws
        .update_segment(
            &hanoi.id,
            &SegmentInput {
                name: "Hà Nội".into(),
                kind: SegmentKind::Dynamic,
                rules: Some(cond("segment", "eq", json!(on_top.id)).to_string()),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(fields(e), [("rules".to_string(), "segment.cycle".to_string())]);
    let e = ws.remove_segment(&hanoi.id).await.unwrap_err();
    assert_eq!(fields(e), [("segment".to_string(), "segment.in_use".to_string())]);
    let e = ws
        .create_segment(&SegmentInput { name: " Hà Nội ".into(), kind: SegmentKind::Static, rules: None })
        .await
        .unwrap_err();
    assert_eq!(fields(e), [("name".to_string(), "segment.name_taken".to_string())]);
    let e = ws.add_to_segment(&hanoi.id, &[ids["an"].clone()]).await.unwrap_err();
    assert_eq!(fields(e), [("segment".to_string(), "segment.not_static".to_string())]);
    let e = ws.add_to_segment(&list.id, &[ids["an"].clone(), "nobody".into()]).await.unwrap_err();
    assert_eq!(fields(e), [("customers[1]".to_string(), "segment.unknown_customer".to_string())]);
    let e = ws.segment_count(&cond("segment", "eq", json!("nope")).to_string()).await.unwrap_err();
    assert_eq!(fields(e), [("rules".to_string(), "segment.unknown_segment".to_string())]);
    ws.remove_segment(&on_top.id).await.unwrap();
    ws.remove_segment(&hanoi.id).await.unwrap();
    let left: Vec<String> = ws.segments().await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(left, ["Hội chợ"]);
}

#[tokio::test]
async fn presets_are_valid_rules_and_saved_rules_read_back_in_the_one_format() {
    let (f, _) = shop().await;
    let ws = &f.ws;
    for p in tend::segments::presets(ws.today().await.unwrap()) {
        let s = ws.create_preset_segment(&p.key, &p.key).await.unwrap_or_else(|e| panic!("{}: {e}", p.key));
        ws.segment_size(&s.id).await.unwrap();
    }
    let by = |name: &str| {
        let name = name.to_string();
        async move { ws.segments().await.unwrap().into_iter().find(|s| s.name == name).unwrap() }
    };
    assert_eq!(names(ws, cond("segment", "eq", json!(by("birthdays_this_month").await.id))).await, ["An", "Bình"]);
    assert_eq!(names(ws, cond("segment", "eq", json!(by("potential").await.id))).await, ["Bình"]);
    assert_eq!(names(ws, cond("segment", "eq", json!(by("inactive_90").await.id))).await, ["Chi", "Dũng"]);
    // whitespace and key order in the input do not survive: the stored text is the format's own
    let s = ws
        .create_segment(&SegmentInput {
            name: "x".into(),
            kind: SegmentKind::Dynamic,
            rules: Some(r#"{ "all" : [ {"value": " Hà Nội ", "op": "eq", "field": "province"} ] }"#.into()),
        })
        .await
        .unwrap();
    assert_eq!(s.rules.as_deref(), Some(r#"{"all":[{"field":"province","op":"eq","value":"Hà Nội"}]}"#));
}

mod property {
    //! A segment's count equals filtering the same customers in plain Rust, for random rules
    //! over random customers.
    use super::*;
    use proptest::prelude::*;
    use rand::{Rng, SeedableRng};

    struct Row {
        stage: Option<&'static str>,
        province: Option<&'static str>,
        tags: Vec<&'static str>,
        birthday: Option<(i16, i8, i8)>,
        purchases: Vec<i64>,
    }

    const STAGES: &[&str] = &["lead", "prospect", "customer", "loyal"];
    const PROVINCES: &[&str] = &["Hà Nội", "Ha Noi", "Đà Nẵng", "Huế", "Cần Thơ"];
    const TAGS: &[&str] = &["VIP", "vip", "Bán sỉ", "Mới"];
    const FOLDED_PROVINCES: &[&str] = &["ha noi", "da nang", "hue", "can tho", "sai gon"];
    const FOLDED_TAGS: &[&str] = &["vip", "ban si", "moi", "cu"];

    #[derive(Debug, Clone)]
    enum C {
        Stage(bool, Vec<usize>),
        Province(bool, usize),
        Tag(bool, usize),
        AgeGte(i64),
        AgeLte(i64),
        TotalGte(i64),
        Count(i64),
    }

    #[derive(Debug, Clone)]
    enum R {
        All(Vec<R>),
        Any(Vec<R>),
        C(C),
    }

    fn leaf() -> impl Strategy<Value = R> {
        prop_oneof![
            (any::<bool>(), proptest::collection::vec(0..STAGES.len(), 1..3)).prop_map(|(n, v)| R::C(C::Stage(n, v))),
            (any::<bool>(), 0..FOLDED_PROVINCES.len()).prop_map(|(n, i)| R::C(C::Province(n, i))),
            (any::<bool>(), 0..FOLDED_TAGS.len()).prop_map(|(n, i)| R::C(C::Tag(n, i))),
            (15i64..60).prop_map(|a| R::C(C::AgeGte(a))),
            (15i64..60).prop_map(|a| R::C(C::AgeLte(a))),
            (0i64..12).prop_map(|m| R::C(C::TotalGte(m * 1_000_000))),
            (0i64..4).prop_map(|n| R::C(C::Count(n))),
        ]
    }

    fn rule() -> impl Strategy<Value = R> {
        leaf().prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(R::All),
                proptest::collection::vec(inner, 0..4).prop_map(R::Any),
            ]
        })
    }

    fn to_json(r: &R) -> Value {
        match r {
            R::All(v) => json!({"all": v.iter().map(to_json).collect::<Vec<_>>()}),
            R::Any(v) => json!({"any": v.iter().map(to_json).collect::<Vec<_>>()}),
            R::C(c) => match c {
                C::Stage(n, v) => {
                    json!({"field": "stage", "op": if *n { "not_in" } else { "in" }, "value": v.iter().map(|i| STAGES[*i]).collect::<Vec<_>>()})
                }
                C::Province(n, i) => {
                    json!({"field": "province", "op": if *n { "ne" } else { "eq" }, "value": FOLDED_PROVINCES[*i]})
                }
                C::Tag(n, i) => {
                    json!({"field": "tag", "op": if *n { "not_has" } else { "has" }, "value": FOLDED_TAGS[*i]})
                }
                C::AgeGte(a) => json!({"field": "age", "op": "gte", "value": a}),
                C::AgeLte(a) => json!({"field": "age", "op": "lte", "value": a}),
                C::TotalGte(m) => json!({"field": "purchase_total", "op": "gte", "value": m}),
                C::Count(n) => json!({"field": "purchase_count", "op": "eq", "value": n}),
            },
        }
    }

    /// Full years on `today` (y, m, d), the plain way.
    fn age(b: (i16, i8, i8), today: (i16, i8, i8)) -> i64 {
        let mut a = i64::from(today.0 - b.0);
        if (today.1, today.2) < (b.1, b.2) {
            a -= 1;
        }
        a
    }

    fn holds(r: &R, row: &Row, today: (i16, i8, i8)) -> bool {
        let fold = tend::fold::fold;
        match r {
            R::All(v) => v.iter().all(|r| holds(r, row, today)),
            R::Any(v) => v.iter().any(|r| holds(r, row, today)),
            R::C(c) => match c {
                C::Stage(n, v) => {
                    let inside = row.stage.is_some_and(|s| v.iter().any(|i| STAGES[*i] == s));
                    if *n {
                        !inside
                    } else {
                        inside
                    }
                }
                C::Province(n, i) => {
                    let inside = row.province.is_some_and(|p| fold(p) == FOLDED_PROVINCES[*i]);
                    if *n {
                        !inside
                    } else {
                        inside
                    }
                }
                C::Tag(n, i) => {
                    let inside = row.tags.iter().any(|t| fold(t) == FOLDED_TAGS[*i]);
                    if *n {
                        !inside
                    } else {
                        inside
                    }
                }
                C::AgeGte(a) => row.birthday.is_some_and(|b| age(b, today) >= *a),
                C::AgeLte(a) => row.birthday.is_some_and(|b| age(b, today) <= *a),
                C::TotalGte(m) => row.purchases.iter().sum::<i64>() >= *m,
                C::Count(n) => row.purchases.len() as i64 == *n,
            },
        }
    }

    #[test]
    fn counts_equal_filtering_in_plain_rust() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let f = rt.block_on(open());
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut rows = Vec::new();
        rt.block_on(async {
            for i in 0..120 {
                let pick = |rng: &mut rand::rngs::StdRng, xs: &[&'static str]| -> Option<&'static str> {
                    if rng.gen_bool(0.2) {
                        None
                    } else {
                        Some(xs[rng.gen_range(0..xs.len())])
                    }
                };
                let stage = pick(&mut rng, STAGES);
                let province = pick(&mut rng, PROVINCES);
                let mut tags: Vec<&'static str> = TAGS.iter().copied().filter(|_| rng.gen_bool(0.3)).collect();
                // "VIP" and "vip" are one tag to a person; keep one spelling per customer
                if tags.contains(&"VIP") {
                    tags.retain(|t| *t != "vip");
                }
                // birthdays around today's month and day, so ages straddle every boundary
                let birthday = rng.gen_bool(0.8).then(|| {
                    let y = rng.gen_range(1966..2011);
                    let (m, d) =
                        [(11, 22), (11, 23), (11, 24), (2, 28), (2, 29), (3, 1), (12, 31), (1, 1)][rng.gen_range(0..8)];
                    let d = if m == 2 && d == 29 && !jiff::civil::Date::new(y, 1, 1).unwrap().in_leap_year() {
                        28
                    } else {
                        d
                    };
                    (y, m, d)
                });
                let purchases: Vec<i64> = (0..rng.gen_range(0..4)).map(|_| rng.gen_range(1..60) * 100_000).collect();
                let mut c = input(&format!("Khách {i}"));
                c.stage_id = stage.map(String::from);
                c.province = province.map(String::from);
                c.tags = tags.iter().map(|t| t.to_string()).collect();
                c.birthday = birthday.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"));
                let id = f.ws.create_customer(&c).await.unwrap().customer.id;
                for (k, amount) in purchases.iter().enumerate() {
                    interaction(&f.ws, &id, InteractionKind::Purchase, T0 - (k as i64 + 1) * DAY, Some(*amount)).await;
                }
                rows.push(Row { stage, province, tags, birthday, purchases });
            }
        });
        let today = rt.block_on(f.ws.today()).unwrap();
        let today = (today.year(), today.month(), today.day());
        proptest!(ProptestConfig::with_cases(300), |(r in rule())| {
            let json = json!({"all": [to_json(&r)]}).to_string();
            let got = rt.block_on(f.ws.segment_count(&json)).unwrap();
            let want = rows.iter().filter(|row| holds(&r, row, today)).count() as i64;
            prop_assert_eq!(got, want, "{}", json);
        });
    }
}

#[tokio::test]
async fn a_segment_filters_the_customer_list_its_search_its_counts_and_exports() {
    let (f, _) = shop().await;
    let ws = &f.ws;
    let vip = ws
        .create_segment(&SegmentInput {
            name: "VIP".into(),
            kind: SegmentKind::Dynamic,
            rules: Some(cond("tag", "has", json!("vip")).to_string()),
        })
        .await
        .unwrap();
    let filter = |query: Option<&str>, stage: Option<&str>| tend::search::CustomerFilter {
        query: query.map(String::from),
        stage_id: stage.map(String::from),
        segment_id: Some(vip.id.clone()),
        ..Default::default()
    };
    let page = ws.list_customers(&filter(None, None), 0, 50).await.unwrap();
    let listed: Vec<String> = page.rows.iter().map(|r| r.name.clone()).collect();
    assert_eq!(listed, ["An", "Bình"]);
    assert_eq!((page.total, page.estimated), (Some(2), false), "a segment's total is counted, never estimated");
    let page = ws.list_customers(&filter(None, Some("lead")), 0, 50).await.unwrap();
    assert_eq!(page.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Bình"]);
    assert_eq!(page.total, Some(1));
    assert_eq!(ws.count_customers(&filter(None, Some("customer"))).await.unwrap(), 1);
    let page = ws.list_customers(&filter(Some("binh"), None), 0, 50).await.unwrap();
    assert_eq!(page.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Bình"]);
    let page = ws.list_customers(&filter(Some("chi"), None), 0, 50).await.unwrap();
    assert!(page.rows.is_empty(), "Chi is not in the segment");
    let out = f.dir.path().join("vip.csv");
    let r = ws.export_customers(&out, tend::export::ExportFormat::Csv, &filter(None, None)).await.unwrap();
    assert_eq!(r.rows, 2);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("An") && text.contains("Bình") && !text.contains("Chi"), "{text}");
    // an unknown segment is an error, not an empty (or a full) list
    let gone = tend::search::CustomerFilter { segment_id: Some("nope".into()), ..Default::default() };
    assert!(matches!(ws.list_customers(&gone, 0, 10).await, Err(Error::NotFound { .. })));
}
