//! Care plans kept in the workspace: read from the plan file, checked against the workspace's
//! staff, deal stages and custom fields, listed; and from the command line.
mod common;
use common::*;
use tend::care::{Anchor, Assignee, CarePlan, Offset};
use tend::settings::{CustomFieldInput, CustomFieldKind};
use tend::staff::{Role, StaffInput};

/// A plan of two steps; the first step's template names the purchase only when the plan is
/// counted from one (no other anchor can fill it).
fn plan(anchor: &str, assignee: &str) -> String {
    let bought = if anchor == "purchase" { " đã mua {{purchase.items}}" } else { "" };
    format!(
        "name = \"Sau bán hàng\"\nanchor = \"{anchor}\"\n[[step]]\nname = \"Gọi cảm ơn\"\noffset_days = 1\nat = \"09:00\"\n\
         channel = \"call\"\nassignee = {assignee}\ntemplate = \"Cảm ơn {{{{customer.name}}}}{bought}\"\n\
         [[step]]\nname = \"Hỏi thăm\"\noffset_days = 7\nchannel = \"zalo\"\n"
    )
}

#[tokio::test]
async fn a_care_plan_is_kept_after_its_staff_stage_and_field_are_checked() {
    let f = open().await;
    let ws = &f.ws;
    let lan = ws.add_staff(&StaffInput { name: "Lan".into(), email: None, role: Role::Agent }).await.unwrap();
    let p = CarePlan::from_toml(&plan("purchase", &format!("\"staff:{}\"", lan.id))).unwrap();
    let kept = ws.create_care_plan(&p).await.unwrap();
    assert_eq!((kept.name.as_str(), &kept.anchor, kept.steps.len()), ("Sau bán hàng", &Anchor::Purchase, 2));
    assert_eq!(kept.steps[0].assignee, Assignee::Staff(lan.id.clone()));
    assert_eq!(kept.steps[1].offset, Offset::Days(7));
    assert_eq!(ws.care_plans().await.unwrap(), std::slice::from_ref(&kept), "read back as kept");
    // the same name again
    assert_eq!(fields(ws.create_care_plan(&p).await.unwrap_err()), [("name".into(), "care.plan_name_taken".into())]);

    // what only the workspace knows: a staff member, a deal stage, a date field
    let rr = CarePlan::from_toml(&plan(
        "deal_stage:thu_nghiem",
        &format!("{{ round_robin = [\"{}\", \"ai-do\"] }}", lan.id),
    ))
    .unwrap();
    let rr = CarePlan { name: "Trước bán hàng".into(), ..rr };
    assert_eq!(
        fields(ws.create_care_plan(&rr).await.unwrap_err()),
        [
            ("anchor".into(), "validation.unknown_stage".into()),
            ("step[0].assignee".into(), "validation.unknown_staff".into())
        ]
    );
    ws.add_custom_field(&CustomFieldInput {
        label: "Ngành nghề".into(),
        kind: CustomFieldKind::Text,
        options: vec![],
        required: false,
    })
    .await
    .unwrap();
    ws.add_custom_field(&CustomFieldInput {
        label: "Ngày ký hợp đồng".into(),
        kind: CustomFieldKind::Date,
        options: vec![],
        required: false,
    })
    .await
    .unwrap();
    let yearly = |anchor: &str| CarePlan {
        name: format!("Hằng năm {anchor}"),
        ..CarePlan::from_toml(&plan(anchor, "\"owner\"")).unwrap()
    };
    assert_eq!(
        fields(ws.create_care_plan(&yearly("custom.nganh_nghe")).await.unwrap_err()),
        [("anchor".into(), "care.anchor_not_date".into())]
    );
    assert_eq!(
        fields(ws.create_care_plan(&yearly("custom.khong_co")).await.unwrap_err()),
        [("anchor".into(), "validation.unknown_field".into())]
    );
    ws.create_care_plan(&yearly("custom.ngay_ky_hop_dong")).await.unwrap();
    ws.create_care_plan(&yearly("deal_stage:proposal")).await.unwrap();
    let names: Vec<String> = ws.care_plans().await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Hằng năm custom.ngay_ky_hop_dong", "Hằng năm deal_stage:proposal", "Sau bán hàng"]);
    // each refused plan left nothing behind
    assert_eq!(count(ws, "care_plans").await, 3);
}

#[test]
fn care_plans_from_the_command_line() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("care.tend");
    let file = dir.path().join("plan.toml");
    std::fs::write(&file, plan("purchase", "\"owner\"")).unwrap();
    let tend = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(&db).args(args).output().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (out.status.code(), json, String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (code, p, err) = tend(&["care", "plan", "create", "--file", file.to_str().unwrap(), "--json"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        (p["name"].as_str(), p["anchor"]["kind"].as_str(), p["steps"][0]["at"].as_str()),
        (Some("Sau bán hàng"), Some("purchase"), Some("09:00"))
    );
    let (code, list, _) = tend(&["care", "plan", "list", "--json"]);
    assert_eq!((code, list.as_array().map(Vec::len)), (Some(0), Some(1)));
    // a bad plan: each problem named, exit 2, nothing kept
    std::fs::write(
        &file,
        "name = \"Hỏng\"\nanchor = \"sale\"\n[[step]]\nname = \"Gọi\"\noffset_days = 1\nchannel = \"fax\"\n",
    )
    .unwrap();
    let (code, e, _) = tend(&["care", "plan", "create", "--file", file.to_str().unwrap(), "--json"]);
    assert_eq!(code, Some(2));
    let named: Vec<&str> =
        e["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(named, ["anchor", "step[0].channel"]);
    let (code, _, err) = tend(&["care", "plan", "create", "--file", "/no/such/plan.toml"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("/no/such/plan.toml"), "{err}");
    let (_, list, _) = tend(&["care", "plan", "list", "--json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

/// A field error as (field, message key, params by name).
type Named = (String, String, Vec<(String, String)>);

/// The (field, message key, params) of a validation error.
fn errors_of(e: tend::Error) -> Vec<Named> {
    match e {
        tend::Error::Validation(v) => {
            v.into_iter().map(|f| (f.field, f.message_key, f.params.into_iter().collect())).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn two_steps(anchor: &str, first: &str, second: &str) -> String {
    format!(
        "name = \"Chăm sóc\"\nanchor = \"{anchor}\"\n[[step]]\nname = \"Gọi\"\noffset_days = 1\nchannel = \"call\"\n\
         template = \"{first}\"\n[[step]]\nname = \"Nhắn\"\noffset_days = 3\nchannel = \"zalo\"\ntemplate = \"{second}\"\n"
    )
}

#[tokio::test]
async fn a_placeholder_the_plans_anchor_cannot_fill_is_refused_at_its_step() {
    let f = open().await;
    let ws = &f.ws;
    // counted from enrolment there is no purchase: "Chào  " would be sent
    let e = CarePlan::from_toml(&two_steps("enrolment", "Chào {{customer.given_name}}", "Chào {{purchase.items}}"))
        .unwrap_err();
    let p = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    assert_eq!(
        errors_of(e),
        [(
            "step[1].template".to_string(),
            "care.placeholder_not_for_anchor".to_string(),
            p(&[("anchor", "enrolment"), ("value", "purchase.items")])
        )]
    );
    // each anchor fills its own: a deal's title from a deal stage, a purchase's from a purchase
    let e =
        CarePlan::from_toml(&two_steps("purchase", "{{deal.title}} {{purchase.date}}", "{{staff.name}}")).unwrap_err();
    assert_eq!(fields(e), [("step[0].template".into(), "care.placeholder_not_for_anchor".into())]);
    let e = CarePlan::from_toml(&two_steps("birthday", "{{purchase.amount}} {{purchase.amount}}", "{{deal.title}}"))
        .unwrap_err();
    assert_eq!(
        fields(e),
        [
            ("step[0].template".into(), "care.placeholder_not_for_anchor".into()),
            ("step[1].template".into(), "care.placeholder_not_for_anchor".into())
        ],
        "each placeholder named once"
    );
    CarePlan::from_toml(&two_steps("deal_stage:proposal", "{{deal.title}}", "{{customer.name}} {{staff.email}}"))
        .unwrap();
    CarePlan::from_toml(&two_steps("purchase", "{{purchase.items}} {{purchase.amount}}", "{{purchase.date}}")).unwrap();
    // the app's form is checked by the same rule when it is saved, and nothing is kept
    let mut input = tend::care::CarePlanInput::of(
        &CarePlan::from_toml(&two_steps("enrolment", "Chào {{customer.name}}", "Chào {{customer.name}}")).unwrap(),
    );
    input.steps[1].template = "Cảm ơn anh đã mua {{ purchase.items }}".into();
    assert_eq!(
        fields(ws.save_care_plan(None, &input).await.unwrap_err()),
        [("step[1].template".into(), "care.placeholder_not_for_anchor".into())]
    );
    assert_eq!(count(ws, "care_plans").await, 0);
    // what each anchor may use, from the one rule
    assert!(!Anchor::Enrolment.placeholders().iter().any(|p| p.starts_with("purchase.") || p.starts_with("deal.")));
    assert!(Anchor::Purchase.placeholders().contains(&"purchase.items"));
    assert!(Anchor::DealStage("won".into()).placeholders().contains(&"deal.title"));
}

#[tokio::test]
async fn a_step_before_an_anchor_that_does_not_come_again_is_refused_at_its_offset() {
    let f = open().await;
    let ws = &f.ws;
    let before = |anchor: &str| {
        format!(
            "name = \"Trước\"\nanchor = \"{anchor}\"\n[[step]]\nname = \"Gọi trước\"\noffset_days = -2\nchannel = \"call\"\n\
             template = \"\"\n[[step]]\nname = \"Gọi\"\noffset_days = 0\nchannel = \"call\"\ntemplate = \"\"\n"
        )
    };
    // nothing is ever made for it: the day is past when the customer is enrolled
    let e = CarePlan::from_toml(&before("enrolment")).unwrap_err();
    let errors = errors_of(e);
    assert_eq!(
        errors,
        [(
            "step[0].offset_days".to_string(),
            "care.offset_before_anchor".to_string(),
            vec![("anchor".to_string(), "enrolment".to_string()), ("value".to_string(), "-2".to_string())]
        )]
    );
    for anchor in ["purchase", "deal_stage:proposal"] {
        assert_eq!(
            fields(CarePlan::from_toml(&before(anchor)).unwrap_err()),
            [("step[0].offset_days".into(), "care.offset_before_anchor".into())],
            "{anchor}"
        );
    }
    // a yearly date comes again: the day before a birthday is a step
    let p = CarePlan::from_toml(&before("birthday")).unwrap();
    assert_eq!(p.steps[0].offset, Offset::Days(-2));
    ws.create_care_plan(&p).await.unwrap();
    assert_eq!(count(ws, "care_plans").await, 1);
}

#[tokio::test]
async fn care_plan_names_are_unique_whatever_their_case() {
    let f = open().await;
    let ws = &f.ws;
    let named =
        |name: &str| CarePlan { name: name.into(), ..CarePlan::from_toml(&plan("purchase", "\"owner\"")).unwrap() };
    let kept = ws.create_care_plan(&named("Chăm sóc")).await.unwrap();
    for other in ["chăm sóc", "CHĂM SÓC", "Chăm Sóc"] {
        assert_eq!(
            fields(ws.create_care_plan(&named(other)).await.unwrap_err()),
            [("name".into(), "care.plan_name_taken".into())],
            "{other}"
        );
    }
    // the same letters written decomposed (NFD) are the same name
    let nfd = "Cha\u{306}m so\u{301}c";
    assert_eq!(
        fields(ws.create_care_plan(&named(nfd)).await.unwrap_err()),
        [("name".into(), "care.plan_name_taken".into())]
    );
    // other tone marks are other words: a name of its own
    ws.create_care_plan(&named("Châm sọc")).await.unwrap();
    // a plan renamed to its own name in other letters is still itself
    ws.update_care_plan(&kept.id, &named("CHĂM SÓC")).await.unwrap();
    assert_eq!(count(ws, "care_plans").await, 2);
}
