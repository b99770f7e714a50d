//! Interactions and purchases imported from a file onto customers already in the workspace, found
//! by phone, email or customer code; bad rows reported; a second import of the same file adds
//! nothing; undo takes them off again.
mod common;
use common::*;
use std::path::{Path, PathBuf};
use tend::import::{ImportEntity, ImportOptions, ImportReport};
use tend::interactions::{Direction, InteractionChannel, InteractionKind, PurchaseItem};
use tend::Workspace;

fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn opts() -> ImportOptions {
    ImportOptions { entity: ImportEntity::Interactions, ..Default::default() }
}

async fn import(ws: &Workspace, path: &Path, opts: &ImportOptions) -> ImportReport {
    ws.import(path, opts, |_| {}, Default::default()).await.expect("import")
}

async fn id_of(ws: &Workspace, name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM customers WHERE name = ?").bind(name).fetch_one(ws.pool()).await.unwrap()
}

async fn interactions_of(ws: &Workspace, name: &str) -> Vec<tend::interactions::Interaction> {
    let id = id_of(ws, name).await;
    ws.timeline(&id, None, 200)
        .await
        .unwrap()
        .entries
        .into_iter()
        .filter_map(|e| match e {
            tend::history::TimelineEntry::Interaction(i) => Some(i),
            _ => None,
        })
        .collect()
}

const SALES: &str = "\
Mã KH,SĐT,Email,Ngày,Loại,Nội dung,Sản phẩm,SL,Đơn giá,Thành tiền,Nhân viên
KH001,,,15/03/2025 14:30,Mua hàng,,Áo sơ mi,2,250.000,,
,,b@congty.vn,16/03/2025,Cuộc gọi,Hỏi giá giao hàng,,,,,
kh003,,,2025-03-17 09:00,Gặp mặt,Ký hợp đồng,,,,,Trần Thu Hà
,0912 345 678,,15/03/2025 14:30,Mua hàng,,Áo sơ mi,2,250.000,,
KH999,,,18/03/2025,Ghi chú,Không ai có mã này,,,,,
,0988 000 111,,18/03/2025,Ghi chú,Hai người cùng số,,,,,
KH001,,,31/02/2025,Ghi chú,Ngày không có thật,,,,,
KH001,,,18/03/2025,Bay,Loại lạ,,,,,
KH001,,,18/03/2025,Mua hàng,,,,,,
KH001,,,19/03/2025,,Gọi lại sau Tết,,,,,Chị Hoa
,,,19/03/2025,Ghi chú,Không biết của ai,,,,,
";

async fn shop() -> Fixture {
    let f = open().await;
    let mut a = person("Nguyễn Văn An", "0912 345 678");
    a.external_id = Some("KH001".into());
    f.ws.create_customer(&a).await.unwrap();
    f.ws.create_customer(&with_email(person("Công ty Bình Minh", ""), "b@congty.vn")).await.unwrap();
    let mut c = person("Lê Thị Cúc", "");
    c.external_id = Some("KH003".into());
    f.ws.create_customer(&c).await.unwrap();
    f.ws.create_customer(&person("Phạm Dũng", "0988 000 111")).await.unwrap();
    f.ws.create_customer(&person("Phạm Văn Dũng", "0988000111")).await.unwrap();
    f.ws.add_staff(&tend::staff::StaffInput {
        name: "Trần Thu Hà".into(),
        email: Some("ha@shop.vn".into()),
        role: tend::staff::Role::Agent,
    })
    .await
    .unwrap();
    f
}

#[tokio::test]
async fn rows_find_their_customer_by_code_email_or_phone_and_bad_rows_say_why() {
    let f = shop().await;
    let path = file(f.dir.path(), "ban-hang.csv", SALES);
    let r = import(&f.ws, &path, &opts()).await;
    assert_eq!((r.rows, r.imported, r.skipped, r.failed_rows), (11, 3, 1, 7), "{r:#?}");

    // the purchase, found by its customer code
    let an = interactions_of(&f.ws, "Nguyễn Văn An").await;
    assert_eq!(an.len(), 1);
    let p = &an[0];
    assert_eq!(
        (p.kind, p.channel, p.direction),
        (InteractionKind::Purchase, InteractionChannel::InPerson, Direction::Inbound)
    );
    assert_eq!(p.summary, "Áo sơ mi");
    assert_eq!(p.items, vec![PurchaseItem { name: "Áo sơ mi".into(), quantity: 2, unit_price: 250_000 }]);
    assert_eq!((p.amount, p.currency.as_deref()), (Some(500_000), Some("VND")));
    // 14:30 in Hồ Chí Minh City is 07:30 UTC
    assert_eq!(p.occurred_at, jiff::Timestamp::from_second(1_742_023_800).unwrap().as_millisecond());
    // the same purchase again, by phone: skipped, and said to be from this file
    let dup = &r.duplicates[0];
    assert_eq!(
        (dup.row, dup.reason.as_str(), dup.in_file, dup.action.as_str()),
        (5, "same_interaction", true, "skipped")
    );

    // by email: a call; by a code written in lower case: a meeting logged by the staff named
    let b = interactions_of(&f.ws, "Công ty Bình Minh").await;
    assert_eq!(
        (b[0].kind, b[0].channel, b[0].summary.as_str()),
        (InteractionKind::Call, InteractionChannel::Phone, "Hỏi giá giao hàng")
    );
    let c = interactions_of(&f.ws, "Lê Thị Cúc").await;
    let ha = f.ws.staff().await.unwrap().into_iter().find(|s| s.name == "Trần Thu Hà").unwrap();
    assert_eq!((c[0].kind, c[0].staff_id.as_deref()), (InteractionKind::Meeting, Some(ha.id.as_str())));

    // every rejected row: row number as the spreadsheet shows it, column, value, reason
    let failed: Vec<(u64, &str, &str, &str)> =
        r.failed.iter().map(|e| (e.row, e.column.as_str(), e.value.as_str(), e.message_key.as_str())).collect();
    assert_eq!(
        failed,
        vec![
            (6, "Mã KH", "KH999", "import.customer_not_found"),
            (7, "SĐT", "0988 000 111", "import.customer_ambiguous"),
            (8, "Ngày", "31/02/2025", "validation.date_invalid"),
            (9, "Loại", "Bay", "import.interaction_kind_unknown"),
            (10, "Nội dung", "", "validation.required"),
            (10, "Thành tiền", "", "validation.required"),
            (11, "Nhân viên", "Chị Hoa", "import.owner_unknown"),
            (12, "Mã KH", "", "import.customer_missing"),
        ]
    );
    assert!(r.failed.iter().all(|e| !e.reason.is_empty() && e.reason != "invalid"), "{:#?}", r.failed);

    // written through the change records, like any write
    let tx: i64 = sqlx::query_scalar("SELECT tx FROM imports WHERE id = ?")
        .bind(&r.import_id)
        .fetch_one(f.ws.pool())
        .await
        .unwrap();
    let recorded: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT row_id) FROM changes WHERE tx = ? AND col = 0
         AND tbl = (SELECT code FROM change_tables WHERE name = 'interactions')",
    )
    .bind(tx)
    .fetch_one(f.ws.pool())
    .await
    .unwrap();
    assert_eq!(recorded, 3);
    let listed = f.ws.imports().await.unwrap();
    assert_eq!((listed[0].entity.as_str(), listed[0].imported), ("interactions", 3));

    // the same file again adds nothing
    let again = import(&f.ws, &path, &opts()).await;
    assert_eq!((again.imported, again.skipped), (0, 4));
    assert!(again.duplicates.iter().all(|d| !d.in_file));
    assert_eq!(count(&f.ws, "interactions").await, 3);

    // undo of the first import takes its three entries off (tombstones); the customers stay
    let u = f.ws.undo_import(Some(&r.import_id)).await.unwrap();
    assert_eq!((u.removed, u.removed_interactions), (0, 3));
    assert_eq!(count(&f.ws, "interactions WHERE deleted_at IS NULL").await, 0);
    assert_eq!(count(&f.ws, "interactions").await, 3, "deleted, not destroyed");
    assert_eq!(count(&f.ws, "customers").await, 5);
}

#[tokio::test]
async fn the_preview_names_each_rows_customer_and_a_file_without_one_is_refused() {
    let f = shop().await;
    let path = file(f.dir.path(), "ban-hang.csv", SALES);
    let p = f.ws.import_preview(&path, &opts(), 20).await.unwrap();
    assert!(p.mapping_errors.is_empty(), "{:?}", p.mapping_errors);
    assert_eq!(p.mapping.target_of("Mã KH"), "customer_code");
    assert_eq!(p.mapping.target_of("Thành tiền"), "amount");
    assert_eq!(p.rows[0].customer.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(p.rows[1].customer.as_deref(), Some("Công ty Bình Minh"));
    assert_eq!(p.rows[4].customer, None);
    assert_eq!(p.rows[4].problems[0].message_key, "import.customer_not_found");
    assert_eq!(p.rows[4].problems[0].column, 0);

    // no column names the customer, and none gives the date: said before anything is written
    let bare = file(f.dir.path(), "ghi-chu.csv", "Nội dung,Ghi chú\nGọi lại,Chiều thứ hai\n");
    let p = f.ws.import_preview(&bare, &opts(), 20).await.unwrap();
    let keys: Vec<&str> = p.mapping_errors.iter().map(|e| e.message_key.as_str()).collect();
    assert_eq!(keys, ["import.mapping_no_customer", "import.mapping_no_date"]);
    let err = f.ws.import(&bare, &opts(), |_| {}, Default::default()).await.unwrap_err();
    assert!(matches!(err, tend::error::Error::Validation(_)), "{err:?}");
    assert_eq!(count(&f.ws, "interactions").await, 0);
    assert!(f.ws.imports().await.unwrap().is_empty());
}

#[tokio::test]
async fn exported_interactions_import_back_unchanged_from_csv_and_xlsx() {
    use tend::export::ExportFormat;
    use tend::interactions::InteractionInput;
    let f = shop().await;
    let ha = f.ws.staff().await.unwrap().into_iter().find(|s| s.name == "Trần Thu Hà").unwrap();
    let entry = |kind, channel, direction, at: i64, summary: &str| InteractionInput {
        kind,
        channel,
        direction,
        staff_id: None,
        occurred_at: Some(at),
        summary: summary.into(),
        body: None,
        amount: None,
        currency: None,
        items: vec![],
    };
    let an = id_of(&f.ws, "Nguyễn Văn An").await;
    let binh = id_of(&f.ws, "Công ty Bình Minh").await;
    let cuc = id_of(&f.ws, "Lê Thị Cúc").await;
    let t = 1_742_023_805_250; // 2025-03-15 14:30:05.250 in Hồ Chí Minh City
    let mut two = entry(InteractionKind::Purchase, InteractionChannel::Zalo, Direction::Inbound, t, "Đơn Tết");
    two.items = vec![
        PurchaseItem { name: "Áo sơ mi".into(), quantity: 2, unit_price: 250_000 },
        PurchaseItem { name: "Khăn (lụa)".into(), quantity: 1, unit_price: 90_000 },
    ];
    f.ws.add_interaction(&an, &two).await.unwrap();
    let mut one =
        entry(InteractionKind::Purchase, InteractionChannel::InPerson, Direction::Inbound, t + 86_400_000, "Quần tây");
    one.items = vec![PurchaseItem { name: "Quần tây".into(), quantity: 1, unit_price: 420_000 }];
    one.amount = Some(400_000); // a discount: the total is what was paid
    f.ws.add_interaction(&an, &one).await.unwrap();
    let mut call =
        entry(InteractionKind::Call, InteractionChannel::Phone, Direction::Outbound, t - 3_600_000, "Hẹn giao hàng");
    call.body = Some("Giao trước 17h\nGọi chị Lan ở quầy, \"đừng\" gọi số bàn".into());
    call.staff_id = Some(ha.id.clone());
    f.ws.add_interaction(&binh, &call).await.unwrap();
    let mut usd = entry(InteractionKind::Meeting, InteractionChannel::InPerson, Direction::Outbound, t, "Ký hợp đồng");
    usd.amount = Some(1_500);
    usd.currency = Some("USD".into());
    f.ws.add_interaction(&cuc, &usd).await.unwrap();
    f.ws.add_interaction(
        &cuc,
        &entry(InteractionKind::Note, InteractionChannel::Other, Direction::Internal, t, "Thích màu xanh"),
    )
    .await
    .unwrap();

    async fn all(ws: &Workspace) -> Vec<String> {
        let mut out: Vec<String> = sqlx::query_scalar(
            "SELECT c.name || '|' || i.kind || '|' || i.channel || '|' || i.direction || '|' || (i.occurred_at / 1000) || '|' ||
             i.summary || '|' || COALESCE(i.body, '') || '|' || COALESCE(i.amount, '') || '|' || COALESCE(i.currency, '')
             || '|' || i.items || '|' || COALESCE(s.name, '')
             FROM interactions i JOIN customers c ON c.id = i.customer_id LEFT JOIN staff s ON s.id = i.staff_id",
        )
        .fetch_all(ws.pool())
        .await
        .unwrap();
        out.sort();
        out
    }
    let before = all(&f.ws).await;
    assert_eq!(before.len(), 5);
    let customers = f.dir.path().join("khach.csv");
    f.ws.export_customers(&customers, ExportFormat::Csv, &Default::default()).await.unwrap();
    for (name, format) in [("tuong-tac.csv", ExportFormat::Csv), ("tuong-tac.xlsx", ExportFormat::Xlsx)] {
        let path = f.dir.path().join(name);
        let r = f.ws.export_interactions(&path, format, &Default::default()).await.unwrap();
        assert_eq!(r.rows, 5);
        let g = open().await;
        g.ws.add_staff(&tend::staff::StaffInput {
            name: "Trần Thu Hà".into(),
            email: None,
            role: tend::staff::Role::Agent,
        })
        .await
        .unwrap();
        let c = import(&g.ws, &customers, &Default::default()).await;
        assert_eq!((c.imported, c.skipped), (4, 1), "the two Dũng share a phone");
        let r = import(&g.ws, &path, &opts()).await;
        assert!(r.failed.is_empty(), "{name}: {:#?}", r.failed);
        assert_eq!(r.imported, 5, "{name}");
        assert_eq!(all(&g.ws).await, before, "{name}");
    }
    // into the workspace they came from: every entry is already there (times have lost their
    // milliseconds on the way), so nothing is added
    let back = f.dir.path().join("tuong-tac.csv");
    let again = import(&f.ws, &back, &opts()).await;
    assert_eq!((again.imported, again.skipped), (0, 5), "{:#?}", again.failed);
    // vCard has no place for them: said, not written
    let err = f.ws.export_interactions(&f.dir.path().join("x.vcf"), ExportFormat::Vcf, &Default::default()).await;
    assert!(matches!(err, Err(tend::error::Error::Validation(_))));
}

/// A point-of-sale export: one row per product, the order number on each. The rows of an order
/// make one purchase; an order with a bad row, rows for two customers, or rows apart is rejected
/// whole, row by row, and nothing of it is written.
#[tokio::test]
async fn the_rows_of_one_order_make_one_purchase_or_none() {
    let f = shop().await;
    let pos = "\
Mã hóa đơn,Thời gian,SĐT khách,Mã KH,Tên hàng,Số lượng,Đơn giá,Ghi chú
HD001,15/03/2025 10:05,0912 345 678,,Cà phê hạt 500g,2,185.000,Giao tận nơi
HD001,15/03/2025 10:05,0912 345 678,,Phin nhôm,1,45.000,
HD002,15/03/2025 11:20,,KH003,Trà ô long,1,120.000,
HD003,16/03/2025 09:00,,KH003,Cà phê hạt 500g,1,185.000,
HD003,16/03/2025 09:00,,KH003,Phin nhôm,abc,45.000,
HD004,16/03/2025 10:00,,KH001,Cà phê hạt 500g,1,185.000,
HD004,16/03/2025 10:00,,KH003,Phin nhôm,1,45.000,
,17/03/2025 08:00,,KH003,Sữa đặc,3,25.000,
HD001,17/03/2025 09:00,0912 345 678,,Ly sứ,1,60.000,
";
    let p = file(f.dir.path(), "ban-hang.csv", pos);
    let pre = f.ws.import_preview(&p, &opts(), 10).await.unwrap();
    assert_eq!(pre.mapping.columns[0].target, "order_ref", "{:?}", pre.mapping);
    let r = import(&f.ws, &p, &opts()).await;
    assert_eq!((r.rows, r.imported, r.orders, r.skipped, r.failed_rows), (9, 3, 1, 0, 5), "{:?}", r.failed);
    let why: Vec<(u64, &str)> = r.failed.iter().map(|e| (e.row, e.message_key.as_str())).collect();
    assert_eq!(
        why,
        [
            (5, "import.order_line_rejected"),
            (6, "validation.number_invalid"),
            (7, "import.order_mixed"),
            (8, "import.order_mixed"),
            (10, "import.order_apart"),
        ]
    );
    assert_eq!(r.failed[0].value, "HD003");

    let an = interactions_of(&f.ws, "Nguyễn Văn An").await;
    assert_eq!(an.len(), 1, "HD001 is one purchase; its row further down is not added to it");
    let hd1 = &an[0];
    assert_eq!(
        (hd1.kind, hd1.amount, hd1.currency.as_deref()),
        (InteractionKind::Purchase, Some(415_000), Some("VND"))
    );
    assert_eq!(
        hd1.items,
        [
            PurchaseItem { name: "Cà phê hạt 500g".into(), quantity: 2, unit_price: 185_000 },
            PurchaseItem { name: "Phin nhôm".into(), quantity: 1, unit_price: 45_000 },
        ]
    );
    assert_eq!(hd1.summary, "Cà phê hạt 500g, Phin nhôm");
    assert_eq!(hd1.body.as_deref(), Some("Giao tận nơi"));
    let cuc: Vec<(String, Option<i64>)> =
        interactions_of(&f.ws, "Lê Thị Cúc").await.into_iter().map(|i| (i.summary, i.amount)).collect();
    assert_eq!(cuc.len(), 2, "{cuc:?}");
    assert!(cuc.contains(&("Trà ô long".into(), Some(120_000))) && cuc.contains(&("Sữa đặc".into(), Some(75_000))));

    // the same file again: every order and row already there
    let again = import(&f.ws, &p, &opts()).await;
    assert_eq!((again.imported, again.orders, again.skipped, again.failed_rows), (0, 1, 3, 5));
    assert_eq!(interactions_of(&f.ws, "Nguyễn Văn An").await.len(), 1);
}

/// "Not in the future" is a calendar rule in the workspace's zone: at 01:00 on 15 March in Vietnam
/// (18:00 UTC on the 14th) something later that day is today, and the 16th is refused.
#[tokio::test]
async fn a_date_after_today_is_refused_by_the_workspace_calendar() {
    let f = open().await;
    f.ws.create_customer(&person("Nguyễn Văn An", "0912 345 678")).await.unwrap();
    f.clock.set(1_773_511_200_000); // 2026-03-14T18:00:00Z
    let p = file(
        f.dir.path(),
        "hom-nay.csv",
        "SĐT,Ngày,Loại,Nội dung\n\
         0912 345 678,15/03/2026 20:00,Ghi chú,Hẹn tối nay\n\
         0912 345 678,16/03/2026,Ghi chú,Ngày mai\n",
    );
    let r = import(&f.ws, &p, &opts()).await;
    let failed: Vec<(u64, &str, &str)> =
        r.failed.iter().map(|e| (e.row, e.value.as_str(), e.message_key.as_str())).collect();
    assert_eq!(failed, [(3, "16/03/2026", "validation.date_out_of_range")]);
    assert_eq!(r.imported, 1);
    let got = interactions_of(&f.ws, "Nguyễn Văn An").await;
    assert_eq!(got[0].summary, "Hẹn tối nay");
}
