//! Saving a form writes only what the user changed: a field someone else changed since the form
//! was opened (an import's merge, the CLI, another window, later sync) is kept, and a field both
//! changed is reported as a conflict with its current value instead of being overwritten.
mod common;
use common::*;
use tend::customers::CustomerInput;
use tend::settings::{CustomFieldInput, CustomFieldKind};
use tend::Error;

fn conflicts(e: Error) -> Vec<(String, String)> {
    match e {
        Error::EditConflict(f) => {
            f.into_iter().map(|f| (f.field, f.params.get("current").cloned().unwrap_or_default())).collect()
        }
        other => panic!("expected an edit conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_field_changed_by_another_writer_is_kept_and_a_field_both_changed_is_a_conflict() {
    let f = open().await;
    let field =
        CustomFieldInput { label: "Hạng".into(), kind: CustomFieldKind::Text, options: vec![], required: false };
    let rank = f.ws.add_custom_field(&field).await.unwrap().key;
    let mut input = person("Trần Thị Mai", "0912 345 678");
    input.province = Some("Hà Nội".into());
    input.custom.insert(rank.clone(), "Bạc".into());
    let c = f.ws.create_customer(&input).await.unwrap().customer;

    // The form opens...
    let opened = f.ws.customer(&c.id).await.unwrap().to_input();
    // ...meanwhile another writer changes the province, the rank and the notes.
    f.clock.advance(1000);
    let mut other = opened.clone();
    other.province = Some("Đà Nẵng".into());
    other.custom.insert(rank.clone(), "Vàng".into());
    other.notes = Some("Khách quen".into());
    f.ws.update_customer(&c.id, &opened, &other).await.unwrap();

    // The form saves a new phone and email only: every change of the other writer stays.
    f.clock.advance(1000);
    let mut draft = opened.clone();
    draft.phones[0].number = "0987 654 321".into();
    draft.emails = vec![tend::customers::Email { label: "work".into(), address: "mai@congty.vn".into() }];
    let saved = f.ws.update_customer(&c.id, &opened, &draft).await.unwrap();
    assert_eq!(saved.phones[0].number, "+84987654321");
    assert_eq!(saved.emails[0].address, "mai@congty.vn");
    assert_eq!(saved.province.as_deref(), Some("Đà Nẵng"), "not reverted to what the form was opened with");
    assert_eq!(saved.custom.get(&rank).map(String::as_str), Some("Vàng"));
    assert_eq!(saved.notes.as_deref(), Some("Khách quen"));

    // A second form opened before all that changes the province and the rank, and the same
    // notes as the other writer: the first two are conflicts, nothing is written.
    let before = (count(&f.ws, "changes").await, count(&f.ws, "txs").await);
    let mut stale = opened.clone();
    stale.province = Some("Huế".into());
    stale.custom.insert(rank.clone(), "Kim cương".into());
    stale.notes = Some("Khách quen".into());
    let e = f.ws.update_customer(&c.id, &opened, &stale).await.unwrap_err();
    assert_eq!(
        conflicts(e),
        [("province".to_string(), "Đà Nẵng".to_string()), (format!("custom.{rank}"), "Vàng".to_string())]
    );
    assert_eq!((count(&f.ws, "changes").await, count(&f.ws, "txs").await), before, "nothing written");
    let now = f.ws.customer(&c.id).await.unwrap();
    assert_eq!(now.province.as_deref(), Some("Đà Nẵng"));
    assert_eq!(now.phones[0].number, "+84987654321", "the other form's phone is not reverted either");

    // The user keeps their province and takes the new rank: saved on the values they now see.
    let seen = now.to_input();
    let mut resolved = stale.clone();
    resolved.phones = seen.phones.clone();
    resolved.emails = seen.emails.clone();
    resolved.custom.insert(rank.clone(), "Vàng".into());
    let saved = f.ws.update_customer(&c.id, &seen, &resolved).await.unwrap();
    assert_eq!(saved.province.as_deref(), Some("Huế"));
    assert_eq!(saved.custom.get(&rank).map(String::as_str), Some("Vàng"));
    assert_eq!(saved.phones[0].number, "+84987654321");
    let h = f.ws.history(&c.id).await.unwrap();
    let province: Vec<Option<&str>> =
        h.iter().filter(|e| e.change.column == "province").map(|e| e.change.value.as_deref()).collect();
    assert_eq!(province, [Some("Huế"), Some("Đà Nẵng"), Some("Hà Nội")]);
}

#[tokio::test]
async fn a_merge_by_an_import_is_not_reverted_by_a_form_opened_before_it() {
    let f = open().await;
    let c = f.ws.create_customer(&person("Lý Thu Hà", "0912 111 222")).await.unwrap().customer;
    let opened = c.to_input();
    // an import merges an email and a province into the customer (same phone)
    let p = f.dir.path().join("k.csv");
    std::fs::write(&p, "Họ tên,SĐT,Email,Tỉnh\nLý Thu Hà,0912 111 222,ha@ly.vn,Cần Thơ\n").unwrap();
    let opts =
        tend::import::ImportOptions { on_duplicate: Some(tend::import::OnDuplicate::Merge), ..Default::default() };
    let r = f.ws.import(&p, &opts, |_| {}, Default::default()).await.unwrap();
    assert_eq!(r.merged, 1);
    // the form, opened before, saves a new name
    let draft = CustomerInput { name: "Lý Thị Thu Hà".into(), ..opened.clone() };
    let saved = f.ws.update_customer(&c.id, &opened, &draft).await.unwrap();
    assert_eq!(saved.name, "Lý Thị Thu Hà");
    assert_eq!(saved.emails[0].address, "ha@ly.vn");
    assert_eq!(saved.province.as_deref(), Some("Cần Thơ"));
}

#[tokio::test]
async fn a_conflict_reaches_the_ui_as_one_payload_with_each_field_and_its_value() {
    let f = open().await;
    let c = f.ws.create_customer(&person("Phan Văn Đức", "0912 000 111")).await.unwrap().customer;
    let opened = c.to_input();
    let other = CustomerInput { tags: vec!["VIP".into(), "Sỉ".into()], ..opened.clone() };
    f.ws.update_customer(&c.id, &opened, &other).await.unwrap();
    let mine = CustomerInput { tags: vec!["Lẻ".into()], ..opened.clone() };
    let e = f.ws.update_customer(&c.id, &opened, &mine).await.unwrap_err();
    let p = tend::ErrorPayload::from(&e);
    assert_eq!((p.kind, p.message_key.as_str()), (tend::error::ErrorKind::Conflict, "error.edit_conflict"));
    assert_eq!(p.params.get("count").map(String::as_str), Some("1"));
    assert_eq!(p.fields.len(), 1);
    assert_eq!((p.fields[0].field.as_str(), p.fields[0].message_key.as_str()), ("tags", "conflict.changed"));
    assert_eq!(p.fields[0].params.get("current").map(String::as_str), Some("VIP, Sỉ"));
}

/// A phone stored without a label (older versions and imports kept it so) is labelled by its type
/// when checked now; a form that leaves it alone must not count it as changed, so a change of the
/// phones by someone else is kept, not reported as a conflict of this form.
#[tokio::test]
async fn an_untouched_phone_stored_without_a_label_is_not_a_change_of_the_form() {
    let f = open().await;
    let c = f.ws.create_customer(&person("Lê Văn Tám", "0912 345 678")).await.unwrap().customer;
    let mut w = f.ws.write().await.unwrap();
    sqlx::query("UPDATE customers SET phones = '[{\"label\":\"\",\"number\":\"+84912345678\"}]' WHERE id = ?")
        .bind(&c.id)
        .execute(w.conn())
        .await
        .unwrap();
    w.commit().await.unwrap();
    let opened = f.ws.customer(&c.id).await.unwrap().to_input();
    assert_eq!(opened.phones[0].label, "");
    // another writer adds a number
    f.clock.advance(1000);
    let mut other = opened.clone();
    other.phones.push(tend::customers::Phone { label: "".into(), number: "028 3822 1234".into() });
    f.ws.update_customer(&c.id, &opened, &other).await.unwrap();
    // the form changes the province only
    f.clock.advance(1000);
    let mut draft = opened.clone();
    draft.province = Some("Huế".into());
    let saved = f.ws.update_customer(&c.id, &opened, &draft).await.expect("no conflict on phones");
    assert_eq!(saved.province.as_deref(), Some("Huế"));
    assert_eq!(saved.phones.len(), 2, "the other writer's number is kept");
}
