//! Export, then import into an empty workspace: what we export, we import back unchanged.
mod common;
use common::*;
use tend::customers::{CustomerInput, CustomerKind, Email, Gender, Phone, Source};
use tend::export::ExportFormat;
use tend::search::CustomerFilter;
use tend::settings::{CustomFieldInput, CustomFieldKind};
use tend::Workspace;

async fn all(ws: &Workspace) -> Vec<tend::customers::Customer> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY name")
        .fetch_all(ws.pool())
        .await
        .unwrap();
    let mut out = Vec::new();
    for id in ids {
        out.push(ws.customer(&id).await.unwrap());
    }
    out
}

/// The fields a customer export carries (everything but ids, times and company contacts), with
/// staff and stages by name and custom fields by label, so two workspaces can be compared.
async fn comparable(ws: &Workspace) -> Vec<String> {
    let staff = ws.staff().await.unwrap();
    let fields = ws.custom_fields().await.unwrap();
    all(ws)
        .await
        .into_iter()
        .map(|c| {
            let mut input = c.to_input();
            input.owner_id = input.owner_id.and_then(|o| staff.iter().find(|s| s.id == o).map(|s| s.name.clone()));
            input.custom = input
                .custom
                .into_iter()
                .map(|(k, v)| (fields.iter().find(|f| f.key == k).map(|f| f.label.clone()).unwrap_or(k), v))
                .collect();
            format!("{input:?}")
        })
        .collect()
}

async fn workspace_with_everything() -> Fixture {
    let f = open().await;
    let ws = &f.ws;
    let boss = ws
        .add_staff(&tend::staff::StaffInput {
            name: "Trần Ngọc Ánh".into(),
            email: None,
            role: tend::staff::Role::Owner,
        })
        .await
        .unwrap();
    for (label, kind, options) in [
        ("Hạng thành viên", CustomFieldKind::Select, vec!["Vàng".to_string(), "Bạc".to_string()]),
        ("Ngày ký hợp đồng", CustomFieldKind::Date, vec![]),
        ("Đã xuất hoá đơn", CustomFieldKind::Checkbox, vec![]),
        ("Số lần mua", CustomFieldKind::Number, vec![]),
    ] {
        ws.add_custom_field(&CustomFieldInput { label: label.into(), kind, options, required: false }).await.unwrap();
    }
    let keys: Vec<String> = ws.custom_fields().await.unwrap().into_iter().map(|f| f.key).collect();
    let mut full = CustomerInput {
        kind: CustomerKind::Person,
        name: "Nguyễn Thị Ánh Tuyết".into(),
        family_name: Some("Nguyễn".into()),
        middle_name: Some("Thị Ánh".into()),
        given_name: Some("Tuyết".into()),
        phones: vec![
            Phone { label: "Di động".into(), number: "0912 345 678".into() },
            Phone { label: "Zalo".into(), number: "0987 654 321".into() },
            Phone { label: "Nhà riêng".into(), number: "(028) 3822 1234".into() },
        ],
        emails: vec![
            Email { label: "Cá nhân".into(), address: "tuyet.nguyen@gmail.com".into() },
            Email { label: "Công việc".into(), address: "tuyet@congty.vn".into() },
        ],
        street: Some("12 Nguyễn Huệ".into()),
        ward: Some("Phường Bến Nghé".into()),
        district: Some("Quận 1".into()),
        province: Some("TP. Hồ Chí Minh".into()),
        tax_code: None,
        source: Some(Source::Referral),
        owner_id: Some(boss.id.clone()),
        stage_id: Some("loyal".into()),
        tags: vec!["VIP".into(), "Khách sỉ".into()],
        birthday: Some("1988-02-29".into()),
        gender: Some(Gender::Female),
        expected_revenue: Some(150_000_000),
        currency: Some("VND".into()),
        notes: Some("Thích gọi buổi sáng; \"khách quen\"\nĐã mua 3 lần, lần cuối 2026".into()),
        external_id: Some("KH-00042".into()),
        custom: Default::default(),
    };
    full.custom.insert(keys[0].clone(), "Vàng".into());
    full.custom.insert(keys[1].clone(), "2025-12-31".into());
    full.custom.insert(keys[2].clone(), "true".into());
    full.custom.insert(keys[3].clone(), "3".into());
    ws.create_customer(&full).await.unwrap();
    let company = CustomerInput {
        kind: CustomerKind::Company,
        name: "Công ty TNHH Thương mại Sao Việt".into(),
        phones: vec![Phone { label: "Văn phòng".into(), number: "024 3826 1234".into() }],
        tax_code: Some("0101234567-001".into()),
        province: Some("Hà Nội".into()),
        stage_id: Some("prospect".into()),
        source: Some(Source::WalkIn),
        ..Default::default()
    };
    ws.create_customer(&company).await.unwrap();
    ws.create_customer(&CustomerInput { name: "Đỗ Minh".into(), ..Default::default() }).await.unwrap();
    f
}

#[tokio::test]
async fn csv_and_xlsx_exports_import_back_unchanged() {
    let f = workspace_with_everything().await;
    let want = comparable(&f.ws).await;
    for (name, format) in [("khach.csv", ExportFormat::Csv), ("khach.xlsx", ExportFormat::Xlsx)] {
        let path = f.dir.path().join(name);
        let r = f.ws.export_customers(&path, format, &CustomerFilter::default()).await.unwrap();
        assert_eq!(r.rows, 3);
        if format == ExportFormat::Csv {
            assert!(std::fs::read(&path).unwrap().starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
        }
        // into an empty workspace that has the same staff and fields (by name)
        let g = open().await;
        g.ws.add_staff(&tend::staff::StaffInput {
            name: "Trần Ngọc Ánh".into(),
            email: None,
            role: tend::staff::Role::Owner,
        })
        .await
        .unwrap();
        for field in f.ws.custom_fields().await.unwrap() {
            g.ws.add_custom_field(&CustomFieldInput {
                label: field.label,
                kind: field.kind,
                options: field.options,
                required: false,
            })
            .await
            .unwrap();
        }
        let rep = g.ws.import(&path, &Default::default(), |_| {}, Default::default()).await.unwrap();
        assert_eq!((rep.imported, rep.failed_rows), (3, 0), "{name}: {:?}", rep.failed);
        assert_eq!(comparable(&g.ws).await, want, "{name}");
    }
}

#[tokio::test]
async fn a_filtered_export_and_vcards() {
    let f = workspace_with_everything().await;
    let path = f.dir.path().join("vip.csv");
    let filter = CustomerFilter { tag: Some("VIP".into()), ..Default::default() };
    assert_eq!(f.ws.export_customers(&path, ExportFormat::Csv, &filter).await.unwrap().rows, 1);
    let filter = CustomerFilter { query: Some("sao viet".into()), ..Default::default() };
    assert_eq!(f.ws.export_customers(&path, ExportFormat::Csv, &filter).await.unwrap().rows, 1);

    let vcf = f.dir.path().join("danh-ba.vcf");
    assert_eq!(f.ws.export_customers(&vcf, ExportFormat::Vcf, &CustomerFilter::default()).await.unwrap().rows, 3);
    let text = std::fs::read_to_string(&vcf).unwrap();
    assert!(text.lines().all(|l| l.len() <= 76), "folded at 75 octets");
    let g = open().await;
    let rep = g.ws.import(&vcf, &Default::default(), |_| {}, Default::default()).await.unwrap();
    assert_eq!((rep.imported, rep.failed_rows), (3, 0), "{:?}", rep.failed);
    let back = all(&g.ws).await;
    let want = all(&f.ws).await;
    for (b, w) in back.iter().zip(&want) {
        assert_eq!(b.name, w.name);
        assert_eq!(b.kind, w.kind);
        let n = |c: &tend::customers::Customer| c.phones.iter().map(|p| p.number.clone()).collect::<Vec<_>>();
        assert_eq!(n(b), n(w), "{}", w.name);
        let e = |c: &tend::customers::Customer| c.emails.iter().map(|p| p.address.clone()).collect::<Vec<_>>();
        assert_eq!(e(b), e(w));
        assert_eq!((&b.birthday, &b.notes, &b.tags, &b.province), (&w.birthday, &w.notes, &w.tags, &w.province));
    }
}

/// An export that cannot be put in place (here the name is taken by a folder) fails with nothing
/// left behind: no half-written file, no ".partial".
#[tokio::test]
async fn a_failed_export_leaves_no_file() {
    let f = workspace_with_everything().await;
    let everyone = tend::search::CustomerFilter::default();
    for (name, format) in [("taken.csv", ExportFormat::Csv), ("taken.xlsx", ExportFormat::Xlsx)] {
        let dest = f.dir.path().join(name);
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("inside.txt"), "keep").unwrap();
        assert!(f.ws.export_customers(&dest, format, &everyone).await.is_err(), "{name}");
        assert!(f.ws.export_interactions(&dest, format, &everyone).await.is_err(), "{name}");
        assert!(!dest.with_extension("partial").exists(), "{name}: a .partial file was left");
        assert_eq!(std::fs::read_to_string(dest.join("inside.txt")).unwrap(), "keep");
    }
}
