//! Bulk actions on real workspace files: a selection or a filter, tags, owner, stage, static
//! lists and care enrolment; one transaction, all or nothing; and the command line.
mod common;
use common::*;
use tend::care::presets::presets;
use tend::care::{CarePlan, TaskFilter};
use tend::customers::bulk::{BulkAction, BulkReport, BulkTarget, MAX_BULK};
use tend::search::CustomerFilter;
use tend::segments::{SegmentInput, SegmentKind};
use tend::staff::{Role, StaffInput};
use tend::{Error, Workspace};

async fn add(ws: &Workspace, name: &str, province: &str, tags: &[&str]) -> String {
    let mut c = person(name, "");
    c.province = Some(province.into());
    c.tags = tags.iter().map(|t| t.to_string()).collect();
    ws.create_customer(&c).await.unwrap().customer.id
}

fn ids(v: &[&String]) -> BulkTarget {
    BulkTarget::Ids { ids: v.iter().map(|s| s.to_string()).collect() }
}

#[tokio::test]
async fn tags_are_added_and_removed_over_a_selection_once_per_customer_and_counted_by_the_list() {
    let f = open().await;
    let ws = &f.ws;
    let a = add(ws, "Nguyễn Văn An", "Hà Nội", &["Sỉ"]).await;
    let b = add(ws, "Trần Thị Bình", "Hà Nội", &["vip"]).await;
    let c = add(ws, "Lê Văn Cường", "Huế", &[]).await;
    let txs = count(ws, "txs").await;

    let r = ws.bulk_customers(&ids(&[&a, &b, &a]), &BulkAction::AddTag { tag: "  VIP ".into() }).await.unwrap();
    // the repeated id counts once; Bình already had the tag (case does not matter)
    assert_eq!(r, BulkReport { matched: 2, changed: 1, ..Default::default() });
    assert_eq!(count(ws, "txs").await, txs + 1, "one transaction");
    assert_eq!(ws.customer(&a).await.unwrap().tags, vec!["Sỉ", "VIP"]);
    assert_eq!(ws.customer(&b).await.unwrap().tags, vec!["vip"]);
    assert!(ws.customer(&c).await.unwrap().tags.is_empty());
    let vip = CustomerFilter { tag: Some("VIP".into()), ..Default::default() };
    let mut names: Vec<String> =
        ws.list_customers(&vip, 0, 50).await.unwrap().rows.into_iter().map(|r| r.name).collect();
    names.sort();
    // the list's tag filter takes a tag as spelled (Bình's stays "vip")
    assert_eq!(names, vec!["Nguyễn Văn An"]);
    let facets = ws.facets().await.unwrap();
    let tags: Vec<(&str, i64)> = facets.tags.iter().map(|f| (f.value.as_str(), f.count)).collect();
    assert!(tags.contains(&("VIP", 1)) && tags.contains(&("vip", 1)), "{tags:?}");

    let r = ws.bulk_customers(&ids(&[&a, &b, &c]), &BulkAction::RemoveTag { tag: "Vip".into() }).await.unwrap();
    assert_eq!((r.matched, r.changed), (3, 2));
    assert_eq!(ws.customer(&a).await.unwrap().tags, vec!["Sỉ"]);
    assert!(ws.customer(&b).await.unwrap().tags.is_empty());
    assert_eq!(ws.list_customers(&vip, 0, 50).await.unwrap().total, Some(0));

    // a tag the form would refuse is refused here too, naming the field
    let long = "x".repeat(51);
    let e = ws.bulk_customers(&ids(&[&a]), &BulkAction::AddTag { tag: long }).await.unwrap_err();
    assert_eq!(fields(e), vec![("tag".into(), "validation.too_long".into())]);
    let e = ws.bulk_customers(&ids(&[&a]), &BulkAction::AddTag { tag: " ".into() }).await.unwrap_err();
    assert_eq!(fields(e), vec![("tag".into(), "validation.required".into())]);
}

#[tokio::test]
async fn a_filter_selects_whom_a_stage_or_owner_change_reaches_and_history_shows_it() {
    let f = open().await;
    let ws = &f.ws;
    let lan = ws.add_staff(&StaffInput { name: "Lan".into(), email: None, role: Role::Agent }).await.unwrap();
    let a = add(ws, "Nguyễn Văn An", "Hà Nội", &[]).await;
    let b = add(ws, "Trần Thị Bình", "Hà Nội", &[]).await;
    let c = add(ws, "Lê Văn Cường", "Huế", &[]).await;
    let hanoi =
        BulkTarget::Filter { filter: CustomerFilter { province: Some("Hà Nội".into()), ..Default::default() } };

    let r = ws.bulk_customers(&hanoi, &BulkAction::SetStage { stage_id: "loyal".into() }).await.unwrap();
    assert_eq!((r.matched, r.changed), (2, 2));
    for id in [&a, &b] {
        assert_eq!(ws.customer(id).await.unwrap().stage_id.as_deref(), Some("loyal"));
        let h = ws.history(id).await.unwrap();
        assert!(h.iter().any(|e| e.change.column == "stage_id" && e.change.value.as_deref() == Some("loyal")), "{h:?}");
    }
    assert_ne!(ws.customer(&c).await.unwrap().stage_id.as_deref(), Some("loyal"));
    let loyal = CustomerFilter { stage_id: Some("loyal".into()), ..Default::default() };
    assert_eq!(ws.count_customers(&loyal).await.unwrap(), 2, "the live counts follow");
    // again: already so, nothing written
    let txs = count(ws, "txs").await;
    let r = ws.bulk_customers(&hanoi, &BulkAction::SetStage { stage_id: "loyal".into() }).await.unwrap();
    assert_eq!((r.matched, r.changed), (2, 0));
    assert_eq!(count(ws, "txs").await, txs, "a write that changed nothing leaves no transaction");

    // a text search as the filter: folded like search
    let search = BulkTarget::Filter { filter: CustomerFilter { query: Some("cuong".into()), ..Default::default() } };
    let r = ws.bulk_customers(&search, &BulkAction::SetOwner { owner_id: Some(lan.id.clone()) }).await.unwrap();
    assert_eq!((r.matched, r.changed), (1, 1));
    assert_eq!(ws.customer(&c).await.unwrap().owner_id.as_deref(), Some(lan.id.as_str()));
    let r = ws.bulk_customers(&search, &BulkAction::SetOwner { owner_id: None }).await.unwrap();
    assert_eq!(r.changed, 1);
    assert_eq!(ws.customer(&c).await.unwrap().owner_id, None);

    // unknown owner or stage: refused before anything is written
    let e = ws.bulk_customers(&hanoi, &BulkAction::SetOwner { owner_id: Some("nobody".into()) }).await.unwrap_err();
    assert_eq!(fields(e), vec![("owner_id".into(), "validation.unknown_staff".into())]);
    let e = ws.bulk_customers(&hanoi, &BulkAction::SetStage { stage_id: "gold".into() }).await.unwrap_err();
    assert_eq!(fields(e), vec![("stage_id".into(), "validation.unknown_stage".into())]);
}

#[tokio::test]
async fn a_selection_naming_a_trashed_or_unknown_customer_changes_nobody() {
    let f = open().await;
    let ws = &f.ws;
    let a = add(ws, "Nguyễn Văn An", "Hà Nội", &[]).await;
    let b = add(ws, "Trần Thị Bình", "Hà Nội", &[]).await;
    ws.trash_customer(&b).await.unwrap();
    let txs = count(ws, "txs").await;
    let e = ws.bulk_customers(&ids(&[&a, &b]), &BulkAction::AddTag { tag: "VIP".into() }).await.unwrap_err();
    assert_eq!(fields(e), vec![("customers[1]".into(), "segment.unknown_customer".into())]);
    assert!(ws.customer(&a).await.unwrap().tags.is_empty(), "all or nothing");
    assert_eq!(count(ws, "txs").await, txs);

    // too big a selection is refused with the numbers
    let many = BulkTarget::Ids { ids: (0..=MAX_BULK).map(|i| format!("id-{i}")).collect() };
    match ws.bulk_customers(&many, &BulkAction::AddTag { tag: "VIP".into() }).await.unwrap_err() {
        Error::Validation(v) => {
            assert_eq!(v[0].message_key, "bulk.too_many");
            assert_eq!(v[0].params.get("count").map(String::as_str), Some("50001"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_selection_goes_on_and_off_a_static_list_and_into_a_care_plan() {
    let f = open().await;
    let ws = &f.ws;
    let a = add(ws, "Nguyễn Văn An", "Hà Nội", &[]).await;
    let b = add(ws, "Trần Thị Bình", "Hà Nội", &[]).await;
    let list = ws
        .create_segment(&SegmentInput { name: "Hội chợ".into(), kind: SegmentKind::Static, rules: None })
        .await
        .unwrap();
    let r = ws.bulk_customers(&ids(&[&a, &b]), &BulkAction::AddToList { segment_id: list.id.clone() }).await.unwrap();
    assert_eq!((r.matched, r.changed), (2, 2));
    assert_eq!(ws.segment_size(&list.id).await.unwrap(), 2);
    let members =
        BulkTarget::Filter { filter: CustomerFilter { segment_id: Some(list.id.clone()), ..Default::default() } };
    let r = ws.bulk_customers(&members, &BulkAction::RemoveFromList { segment_id: list.id.clone() }).await.unwrap();
    assert_eq!((r.matched, r.changed), (2, 2));
    assert_eq!(ws.segment_size(&list.id).await.unwrap(), 0);

    let dynamic = ws
        .create_segment(&SegmentInput {
            name: "Hà Nội".into(),
            kind: SegmentKind::Dynamic,
            rules: Some(r#"{"all":[{"field":"province","op":"eq","value":"ha noi"}]}"#.into()),
        })
        .await
        .unwrap();
    let e = ws.bulk_customers(&ids(&[&a]), &BulkAction::AddToList { segment_id: dynamic.id.clone() }).await;
    assert_eq!(fields(e.unwrap_err()), vec![("segment".into(), "segment.not_static".into())]);

    // the birthday plan enrols only those with a birthday; the others are named with why
    let mut with_birthday = ws.customer(&a).await.unwrap().to_input();
    with_birthday.birthday = Some("1990-05-20".into());
    let base = ws.customer(&a).await.unwrap().to_input();
    ws.update_customer(&a, &base, &with_birthday).await.unwrap();
    let birthday = presets("vi").into_iter().find(|p| p.anchor == "birthday").unwrap();
    let plan = ws.create_care_plan(&CarePlan::from_input(&birthday).unwrap()).await.unwrap();
    let everyone = BulkTarget::Filter { filter: CustomerFilter::default() };
    let r = ws.bulk_customers(&everyone, &BulkAction::Enrol { plan_id: plan.id.clone() }).await.unwrap();
    assert_eq!((r.matched, r.changed), (2, 1));
    assert!(r.tasks >= 1);
    assert_eq!(r.not_enrolled.len(), 1);
    assert_eq!(
        (r.not_enrolled[0].customer_id.as_str(), r.not_enrolled[0].reason.as_str()),
        (b.as_str(), "care.no_birthday")
    );
    let tasks = ws.care_tasks(&TaskFilter { customer_id: Some(a.clone()), ..Default::default() }).await.unwrap();
    assert_eq!(tasks.len() as i64, r.tasks);
}

#[test]
fn the_command_line_changes_a_filter_or_the_ids_given_and_refuses_no_target() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.tend");
    let tend = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(&db).args(args).output().unwrap();
        let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (out.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&out.stderr).to_string())
    };
    let mut ids = Vec::new();
    for (name, province) in [("Nguyễn Văn An", "Hà Nội"), ("Trần Thị Bình", "Hà Nội"), ("Lê Văn Cường", "Huế")]
    {
        let (code, c, err) = tend(&["customer", "add", "--name", name, "--json"]);
        assert_eq!(code, 0, "{err}");
        let id = c["id"].as_str().unwrap().to_string();
        let (code, _, err) = tend(&["customer", "set", &id, &format!("province={province}"), "--json"]);
        assert_eq!(code, 0, "{err}");
        ids.push(id);
    }
    let (code, r, err) = tend(&["customer", "bulk", "--province", "Hà Nội", "--set-stage", "loyal", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((r["matched"].as_i64(), r["changed"].as_i64()), (Some(2), Some(2)));
    let (_, c, _) = tend(&["customer", "show", &ids[0], "--json"]);
    assert_eq!(c["stage_id"], "loyal");
    let (code, r, err) = tend(&["customer", "bulk", "--id", &ids[2], "--id", &ids[0], "--add-tag", "VIP", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["changed"].as_i64(), Some(2));
    let (code, r, _) = tend(&["customer", "bulk", "--all", "--remove-tag", "vip", "--json"]);
    assert_eq!((code, r["matched"].as_i64(), r["changed"].as_i64()), (0, Some(3), Some(2)));
    // no target, or two kinds of target: refused (exit 2), nothing changed
    let (code, _, err) = tend(&["customer", "bulk", "--set-stage", "lead"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--all"), "{err}");
    let (code, _, _) = tend(&["customer", "bulk", "--id", &ids[0], "--all", "--set-stage", "lead"]);
    assert_eq!(code, 2);
    let (code, _, err) = tend(&["customer", "bulk", "--all", "--set-stage", "gold"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("gold") && !err.contains("validation."), "a sentence naming the value: {err}");
    let (_, c, _) = tend(&["customer", "show", &ids[0], "--json"]);
    assert_eq!(c["stage_id"], "loyal");
    // a static list filled by bulk, then exported by segment (and by owner, which nobody has)
    let (code, list, err) = tend(&["segment", "create", "--name", "Hội chợ", "--static", "--json"]);
    assert_eq!(code, 0, "{err}");
    let list = list["id"].as_str().unwrap().to_string();
    let (code, r, err) = tend(&["customer", "bulk", "--stage", "loyal", "--add-to-list", &list, "--json"]);
    assert_eq!((code, r["changed"].as_i64()), (0, Some(2)), "{err}");
    let out = dir.path().join("list.csv");
    let (code, r, err) = tend(&["export", "customers", out.to_str().unwrap(), "--segment", &list, "--json"]);
    assert_eq!((code, r["rows"].as_i64()), (0, Some(2)), "{err}");
    let (code, r, err) = tend(&["export", "customers", out.to_str().unwrap(), "--owner", "nobody", "--json"]);
    assert_eq!((code, r["rows"].as_i64()), (0, Some(0)), "{err}");
}
