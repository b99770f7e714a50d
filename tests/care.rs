//! Care plans kept in the workspace: read from the plan file, checked against the workspace's
//! staff, deal stages and custom fields, listed; and from the command line.
mod common;
use common::*;
use tend::care::{Anchor, Assignee, CarePlan, Offset};
use tend::settings::{CustomFieldInput, CustomFieldKind};
use tend::staff::{Role, StaffInput};

fn plan(anchor: &str, assignee: &str) -> String {
    format!(
        "name = \"Sau bán hàng\"\nanchor = \"{anchor}\"\n[[step]]\nname = \"Gọi cảm ơn\"\noffset_days = 1\nat = \"09:00\"\n\
         channel = \"call\"\nassignee = {assignee}\ntemplate = \"Cảm ơn {{{{customer.name}}}} đã mua {{{{purchase.items}}}}\"\n\
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
