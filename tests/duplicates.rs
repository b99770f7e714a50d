//! Duplicates already in the workspace: found, merged (nothing of either customer lost), undone.
mod common;
use common::*;
use tend::customers::{ContactInput, CustomerKind};
use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};

async fn live(ws: &tend::Workspace) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL").fetch_one(ws.pool()).await.unwrap()
}

/// Every row of the tables a merge touches, to compare before and after an undo.
async fn state(ws: &tend::Workspace) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT id || name || phones || emails || tags || COALESCE(province, '') || COALESCE(notes, '') || COALESCE(deleted_at, '') FROM customers ORDER BY id",
        "SELECT id || customer_id || name FROM contacts ORDER BY id",
        "SELECT id || customer_id || summary FROM interactions ORDER BY id",
        "SELECT customer_id || field_id || COALESCE(value, '') FROM custom_values ORDER BY 1",
    ] {
        out.extend(sqlx::query_scalar::<_, String>(sql).fetch_all(ws.pool()).await.unwrap());
    }
    out
}

#[tokio::test]
async fn duplicates_are_found_merged_without_loss_and_undone() {
    let f = open().await;
    let ws = &f.ws;
    let mut a = with_email(person("Nguyễn Thị Hoa", "0912 345 678"), "hoa@gmail.com");
    a.province = Some("Hà Nội".into());
    a.tags = vec!["VIP".into()];
    a.notes = Some("Khách từ 2020".into());
    let a = ws.create_customer(&a).await.unwrap().customer;
    let mut b = with_email(person("Nguyen Thi Hoa", "+84 912 345 678"), "hoa.nguyen@congty.vn");
    b.province = Some("Hải Phòng".into());
    b.birthday = Some("1990-01-02".into());
    b.tags = vec!["Zalo".into()];
    b.notes = Some("Hay hỏi giá sỉ".into());
    let b = ws.create_customer(&b).await.unwrap().customer;
    ws.add_interaction(
        &b.id,
        &InteractionInput {
            kind: InteractionKind::Call,
            channel: InteractionChannel::Phone,
            direction: Direction::Inbound,
            staff_id: None,
            occurred_at: None,
            summary: "Hỏi giá".into(),
            body: None,
            amount: None,
            currency: None,
            items: vec![],
        },
    )
    .await
    .unwrap();
    // two companies of the same name in the same province, no shared phone
    let mut c1 = person("Công ty TNHH Minh Long", "");
    c1.kind = CustomerKind::Company;
    c1.province = Some("Bình Dương".into());
    let c1 = ws.create_customer(&c1).await.unwrap().customer;
    let mut c2 = c1.to_input();
    c2.name = "CÔNG TY TNHH MINH LONG".into();
    let c2 = ws.create_customer(&c2).await.unwrap().customer;
    ws.add_contact(&c2.id, &ContactInput { name: "Lý Minh".into(), ..Default::default() }).await.unwrap();
    ws.create_customer(&person("Người Khác", "0987 000 111")).await.unwrap();

    let pairs = ws.duplicate_pairs(50).await.unwrap();
    let got: Vec<(String, String, Vec<String>)> = pairs
        .iter()
        .map(|p| (p.a.id.clone(), p.b.id.clone(), p.reasons.iter().map(|r| r.reason.clone()).collect()))
        .collect();
    assert_eq!(
        got,
        [
            (a.id.clone(), b.id.clone(), vec!["phone".to_string()]),
            (c1.id.clone(), c2.id.clone(), vec!["name_province".to_string()])
        ]
    );

    let conflicts = ws.merge_conflicts(&a.id, &b.id).await.unwrap();
    let fields: Vec<&str> = conflicts.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["name", "province"]);

    let before = state(ws).await;
    let count = live(ws).await;
    // keep a's name, take b's province
    let r = ws.merge_customers(&a.id, &b.id, &["province".to_string()]).await.unwrap();
    let m = r.customer;
    assert_eq!(m.name, "Nguyễn Thị Hoa");
    assert_eq!(m.province.as_deref(), Some("Hải Phòng"));
    assert_eq!(m.birthday.as_deref(), Some("1990-01-02"), "filled from the other");
    assert_eq!(m.phones.len(), 1);
    let emails: Vec<&str> = m.emails.iter().map(|e| e.address.as_str()).collect();
    assert_eq!(emails, ["hoa@gmail.com", "hoa.nguyen@congty.vn"]);
    assert_eq!(m.tags, ["VIP", "Zalo"]);
    assert_eq!(m.notes.as_deref(), Some("Khách từ 2020\nHay hỏi giá sỉ"));
    assert_eq!(r.moved, 1, "the call moved to the survivor");
    let timeline = ws.timeline(&a.id, None, 50).await.unwrap();
    assert!(timeline.entries.iter().any(|e| format!("{e:?}").contains("Hỏi giá")));
    assert_eq!(live(ws).await, count - 1);
    assert!(ws.search("congty", 5).await.unwrap().iter().all(|h| h.id == a.id));
    assert!(ws.duplicate_pairs(50).await.unwrap().iter().all(|p| p.a.id != a.id && p.b.id != a.id));

    // companies: the contact moves too
    let r2 = ws.merge_customers(&c1.id, &c2.id, &[]).await.unwrap();
    assert_eq!(r2.customer.contacts.len(), 1);

    // undo the first merge: everything as before it (the second merge stays)
    let kept = ws.undo_merge(&r.merge_id).await.unwrap();
    assert!(kept.is_empty(), "{kept:?}");
    ws.undo_merge(&r2.merge_id).await.unwrap();
    assert_eq!(state(ws).await, before);
    assert_eq!(live(ws).await, count);
    assert_eq!(ws.search("congty", 5).await.unwrap()[0].id, b.id, "the other customer is searchable again");
    let again = tend::ErrorPayload::from(ws.undo_merge(&r.merge_id).await.expect_err("once"));
    assert_eq!((again.message_key.as_str(), again.params["what"].as_str()), ("error.already_undone", "merge"));
    assert!(ws.merge_customers(&a.id, &a.id, &[]).await.is_err());
}

#[tokio::test]
async fn a_merge_puts_the_survivor_on_the_other_customers_static_lists_and_its_undo_takes_it_off() {
    use tend::segments::{SegmentInput, SegmentKind};
    let f = open().await;
    let ws = &f.ws;
    let a = ws.create_customer(&person("Nguyễn Thị Hoa", "0912 345 678")).await.unwrap().customer;
    let b = ws.create_customer(&person("Nguyen Thi Hoa", "0987 654 321")).await.unwrap().customer;
    let list = |name: &str| SegmentInput { name: name.into(), kind: SegmentKind::Static, rules: None };
    let fair = ws.create_segment(&list("Hội chợ tháng 12")).await.unwrap();
    let both = ws.create_segment(&list("Khách sỉ")).await.unwrap();
    ws.add_to_segment(&fair.id, std::slice::from_ref(&b.id)).await.unwrap();
    ws.add_to_segment(&both.id, &[a.id.clone(), b.id.clone()]).await.unwrap();
    let members = |id: String| async move { ws.segment_member_ids(&id).await.unwrap() };

    let r = ws.merge_customers(&a.id, &b.id, &[]).await.unwrap();
    assert_eq!(members(fair.id.clone()).await, [a.id.as_str()], "the survivor joins the other's list");
    assert_eq!(members(both.id.clone()).await, [a.id.as_str()], "a list of both keeps the survivor once");
    assert_eq!(r.moved, 1);
    let names: Vec<String> = ws.customer_lists(&a.id).await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["Hội chợ tháng 12", "Khách sỉ"], "the lists the 360 shows, by name");
    let history = format!("{:?}", ws.history(&a.id).await.unwrap());
    assert!(history.contains("segment_members"), "the survivor's history shows it joined the list");

    // joined by hand after the merge: the undo leaves that alone
    let later = ws.create_segment(&list("Gọi lại")).await.unwrap();
    ws.add_to_segment(&later.id, std::slice::from_ref(&a.id)).await.unwrap();
    let kept = ws.undo_merge(&r.merge_id).await.unwrap();
    assert!(kept.is_empty(), "{kept:?}");
    assert_eq!(members(fair.id.clone()).await, [b.id.as_str()], "back to the other customer alone");
    assert_eq!(members(both.id.clone()).await, [a.id.as_str(), b.id.as_str()]);
    assert_eq!(members(later.id.clone()).await, [a.id.as_str()]);
}
