//! Search folding and ranking on a real workspace file (DESIGN rule 7).
mod common;
use common::*;
use tend::customers::{ContactInput, CustomerKind};
use tend::search::CustomerFilter;

async fn names(ws: &tend::Workspace, q: &str) -> Vec<String> {
    ws.search(q, 20).await.expect(q).into_iter().map(|h| h.name).collect()
}

#[tokio::test]
async fn every_tone_mark_and_d_folds() {
    let f = open().await;
    // ngang, huyền, sắc, hỏi, ngã, nặng; ă â ê ô ơ ư; đ and Đ.
    for (name, phone) in [
        ("Nguyễn Văn Dũng", "0901000001"),
        ("Trần Thị Hà", "0901000002"),
        ("Lê Thị Ánh", "0901000003"),
        ("Phạm Thảo", "0901000004"),
        ("Hoàng Đức Đạt", "0901000005"),
        ("Đặng Ngọc Ấn", "0901000006"),
        ("Vũ Thị Ỷ", "0901000007"),
        ("Bùi Ơn", "0901000008"),
        ("Trương Ưng", "0901000009"),
        ("Đỗ Quỳnh Như", "0901000010"),
    ] {
        f.ws.create_customer(&person(name, phone)).await.unwrap();
    }
    for (q, expect) in [
        ("nguyen", "Nguyễn Văn Dũng"),
        ("dung", "Nguyễn Văn Dũng"),
        ("NGUYEN VAN DUNG", "Nguyễn Văn Dũng"),
        ("nguyễn văn dũng", "Nguyễn Văn Dũng"),
        ("ha", "Trần Thị Hà"),
        ("anh", "Lê Thị Ánh"),
        ("thao", "Phạm Thảo"),
        ("dat", "Hoàng Đức Đạt"),
        ("duc", "Hoàng Đức Đạt"),
        ("Đặng", "Đặng Ngọc Ấn"),
        ("dang ngoc an", "Đặng Ngọc Ấn"),
        ("y", "Vũ Thị Ỷ"),
        ("on", "Bùi Ơn"),
        ("truong ung", "Trương Ưng"),
        ("quynh", "Đỗ Quỳnh Như"),
        ("do quy", "Đỗ Quỳnh Như"),
        ("d", "Đặng Ngọc Ấn"),
    ] {
        let got = names(&f.ws, q).await;
        assert!(got.contains(&expect.to_string()), "{q:?} -> {got:?}");
    }
    // Not everything matches everything.
    assert_eq!(names(&f.ws, "xuan").await, Vec::<String>::new());
    assert_eq!(names(&f.ws, "dung nguyen x").await, Vec::<String>::new());
}

#[tokio::test]
async fn exact_then_prefix_then_the_rest() {
    let f = open().await;
    for n in ["Anh Tuấn", "Nguyễn Thị Anh", "An", "An Khang", "Lê An", "Trần Văn Anh", "Annie"] {
        f.ws.create_customer(&person(n, "")).await.unwrap();
    }
    let got = names(&f.ws, "an").await;
    assert_eq!(got[0], "An", "exact first: {got:?}");
    assert_eq!(got[1..4], ["An Khang", "Anh Tuấn", "Annie"], "prefix matches next, by name: {got:?}");
    let mut rest = got[4..].to_vec();
    rest.sort();
    assert_eq!(rest, ["Lê An", "Nguyễn Thị Anh", "Trần Văn Anh"], "then the rest: {got:?}");
    assert_eq!(got.len(), 7);
}

#[tokio::test]
async fn a_word_in_the_name_ranks_before_the_same_word_elsewhere() {
    let f = open().await;
    // Written first, so these come first in index order: only the ranking can put them last.
    for i in 0..3 {
        let mut c = person(&format!("Khách {i}"), "");
        c.notes = Some("Giới thiệu bởi chị Hoa ở chợ Bến Thành".into());
        f.ws.create_customer(&c).await.unwrap();
    }
    f.ws.create_customer(&person("Lê Thị Hoa", "")).await.unwrap();
    f.ws.create_customer(&person("Phạm Hoà Bình", "")).await.unwrap();
    // "ben hoa": every word somewhere; in the name only for nobody; the notes tier finds all three
    let got = names(&f.ws, "ben hoa").await;
    assert_eq!(got.len(), 3, "{got:?}");
    // "hoa": all hits fit the limit; the names first
    let got = names(&f.ws, "hoa").await;
    assert_eq!(got[..2], ["Lê Thị Hoa", "Phạm Hoà Bình"], "{got:?}");
    assert_eq!(got.len(), 5, "{got:?}");
    // more hits than the limit: the name hits still come first
    for i in 0..25 {
        let mut c = person(&format!("Khách thêm {i}"), "");
        c.notes = Some("quen chị Hoa".into());
        f.ws.create_customer(&c).await.unwrap();
    }
    f.ws.create_customer(&person("Hoàng Văn Nam", "")).await.unwrap();
    let got = names(&f.ws, "thi hoa").await;
    assert_eq!(got, ["Lê Thị Hoa"], "{got:?}");
    let got = f.ws.search("hoa", 20).await.unwrap();
    assert_eq!(got.len(), 20);
    let first: Vec<&str> = got[..3].iter().map(|h| h.name.as_str()).collect();
    assert_eq!(first, ["Hoàng Văn Nam", "Lê Thị Hoa", "Phạm Hoà Bình"], "prefix, then name words: {first:?}");
}

#[tokio::test]
async fn phones_in_any_form_and_fragments() {
    let f = open().await;
    f.ws.create_customer(&person("Hồ Văn Phúc", "0912 345 678")).await.unwrap();
    f.ws.create_customer(&person("Ngô Thị Lan", "0283 822 1234")).await.unwrap();
    for q in [
        "0912345678",
        "0912 345 678",
        "+84912345678",
        "+84 912 345 678",
        "912345678",
        "0912",
        "345 678",
        "45678",
        "84912",
    ] {
        assert_eq!(names(&f.ws, q).await, vec!["Hồ Văn Phúc".to_string()], "{q}");
    }
    assert_eq!(names(&f.ws, "8221234").await, vec!["Ngô Thị Lan".to_string()]);
    assert!(names(&f.ws, "0999").await.is_empty());
}

#[tokio::test]
async fn contacts_emails_tax_codes_and_notes_are_searchable() {
    let f = open().await;
    let mut co = person("Công ty TNHH Sao Việt", "");
    co.kind = CustomerKind::Company;
    co.tax_code = Some("0312345678".into());
    co.notes = Some("Khách đặt hàng Tết số lượng lớn".into());
    let co = f.ws.create_customer(&with_email(co, "ketoan@saoviet.vn")).await.unwrap().customer;
    f.ws.add_contact(
        &co.id,
        &ContactInput {
            name: "Đinh Thị Huệ".into(),
            role: Some("Kế toán".into()),
            phone: Some("0977 111 222".into()),
            email: None,
            is_decision_maker: true,
        },
    )
    .await
    .unwrap();
    for q in [
        "dinh thi hue",
        "hue",
        "ketoan@saoviet.vn",
        "saoviet",
        "0312345678",
        "031234",
        "dat hang tet",
        "0977111222",
        "111 222",
    ] {
        assert_eq!(names(&f.ws, q).await, vec!["Công ty TNHH Sao Việt".to_string()], "{q}");
    }
}

#[tokio::test]
async fn the_list_filters_and_pages_and_hides_the_trash() {
    let f = open().await;
    let mut ids = Vec::new();
    for i in 0..30 {
        let mut c = person(&format!("Khách {i:02}"), "");
        c.stage_id = Some(if i % 3 == 0 { "loyal" } else { "lead" }.into());
        c.province = Some(if i % 2 == 0 { "Hà Nội" } else { "Đà Nẵng" }.into());
        c.tags = if i % 5 == 0 { vec!["VIP".into()] } else { vec![] };
        ids.push(f.ws.create_customer(&c).await.unwrap().customer.id);
    }
    let all = f.ws.list_customers(&CustomerFilter::default(), 0, 10).await.unwrap();
    assert_eq!(all.total, Some(30));
    assert_eq!(all.rows.len(), 10);
    assert_eq!(all.rows[0].name, "Khách 00");
    let page3 = f.ws.list_customers(&CustomerFilter::default(), 20, 10).await.unwrap();
    assert_eq!(page3.rows[9].name, "Khách 29");
    assert_eq!(page3.total, None, "only the first page is counted");
    let loyal_hn =
        CustomerFilter { stage_id: Some("loyal".into()), province: Some("Hà Nội".into()), ..Default::default() };
    let got = f.ws.list_customers(&loyal_hn, 0, 100).await.unwrap();
    assert_eq!(got.total, Some(5)); // 0, 6, 12, 18, 24
    let vip = CustomerFilter { tag: Some("VIP".into()), query: Some("khach".into()), ..Default::default() };
    assert_eq!(f.ws.list_customers(&vip, 0, 100).await.unwrap().total, Some(6));
    f.ws.trash_customer(&ids[0]).await.unwrap();
    assert_eq!(f.ws.list_customers(&CustomerFilter::default(), 0, 10).await.unwrap().total, Some(29));
    assert_eq!(f.ws.list_customers(&vip, 0, 100).await.unwrap().total, Some(5));
    let facets = f.ws.facets().await.unwrap();
    assert_eq!(facets.tags.iter().find(|t| t.value == "VIP").map(|t| t.count), Some(5));
}

/// The live counts against counting every customer, for every dimension.
async fn assert_counts_exact(ws: &tend::Workspace, when: &str) {
    let kept: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT dim, value, n FROM customer_counts WHERE n <> 0 ORDER BY dim, value")
            .fetch_all(ws.pool())
            .await
            .unwrap();
    let counted: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT dim, value, n FROM (
            SELECT 'all' AS dim, '' AS value, COUNT(*) AS n FROM customers WHERE deleted_at IS NULL
            UNION ALL SELECT 'stage', stage_id, COUNT(*) FROM customers WHERE deleted_at IS NULL AND stage_id IS NOT NULL GROUP BY stage_id
            UNION ALL SELECT 'owner', owner_id, COUNT(*) FROM customers WHERE deleted_at IS NULL AND owner_id IS NOT NULL GROUP BY owner_id
            UNION ALL SELECT 'province', province, COUNT(*) FROM customers WHERE deleted_at IS NULL AND province IS NOT NULL GROUP BY province
            UNION ALL SELECT 'tag', tag, COUNT(*) FROM customer_tags GROUP BY tag)
         WHERE n <> 0 ORDER BY dim, value",
    )
    .fetch_all(ws.pool())
    .await
    .unwrap();
    assert_eq!(kept, counted, "live counts differ from counting, {when}");
    let live = counted.iter().find(|(d, _, _)| d == "all").map(|r| r.2).unwrap_or(0);
    assert_eq!(ws.info().await.unwrap().customer_count, live, "the workspace's customer count, {when}");
}

#[tokio::test]
async fn list_totals_are_exact_after_every_kind_of_write() {
    let f = open().await;
    let ws = &f.ws;
    ws.generate_demo(300, 5).await.unwrap();
    assert_counts_exact(ws, "after the demo").await;
    let all = ws.list_customers(&CustomerFilter::default(), 0, 10).await.unwrap();
    assert_eq!(all.total, Some(300));

    // edits of the counted fields, trash, restore, purge
    let page = ws.list_customers(&CustomerFilter::default(), 0, 20).await.unwrap();
    let (a, b, c) = (&page.rows[0].id, &page.rows[1].id, &page.rows[2].id);
    let one = ws.customer(a).await.unwrap();
    let mut input = one.to_input();
    input.province = Some("Tỉnh Mới".into());
    input.stage_id = Some("loyal".into());
    input.tags = vec!["Khách VIP mới".into()];
    ws.update_customer(a, &one.to_input(), &input).await.unwrap();
    assert_counts_exact(ws, "after an edit").await;
    ws.trash_customer(b).await.unwrap();
    assert_counts_exact(ws, "after trash").await;
    ws.restore_customer(b).await.unwrap();
    ws.trash_customer(c).await.unwrap();
    ws.purge_customer(c).await.unwrap();
    assert_counts_exact(ws, "after restore and purge").await;

    // what the list says with one filter and with two
    let f1 = CustomerFilter { province: Some("Tỉnh Mới".into()), ..Default::default() };
    let p1 = ws.list_customers(&f1, 0, 10).await.unwrap();
    assert_eq!((p1.total, p1.estimated), (Some(1), false));
    // two filters: the total is an estimate from each one's count, marked so; the exact count
    // is asked for separately
    let f2 =
        CustomerFilter { province: Some("Tỉnh Mới".into()), stage_id: Some("loyal".into()), ..Default::default() };
    let p2 = ws.list_customers(&f2, 0, 10).await.unwrap();
    assert!(p2.estimated);
    assert_eq!(p2.rows.len(), 1);
    let loyal = ws
        .list_customers(&CustomerFilter { stage_id: Some("loyal".into()), ..Default::default() }, 0, 1)
        .await
        .unwrap()
        .total
        .unwrap();
    assert_eq!(p2.total, Some((loyal as f64 / 299.0).round() as i64), "all x (1/all) x (loyal/all)");
    assert_eq!(ws.count_customers(&f2).await.unwrap(), 1);
    assert_eq!(ws.count_customers(&f1).await.unwrap(), 1);
    let f3 = CustomerFilter { tag: Some("Khách VIP mới".into()), ..Default::default() };
    assert_eq!(ws.list_customers(&f3, 0, 10).await.unwrap().total, Some(1));
    let facets = ws.facets().await.unwrap();
    assert!(facets.provinces.iter().any(|p| p.value == "Tỉnh Mới" && p.count == 1));

    // an import and its undo, and a workspace filled from an archive
    let csv = f.dir.path().join("in.csv");
    std::fs::write(&csv, "Họ tên,Điện thoại,Tỉnh\nLê Văn Một,0903000111,Tỉnh Mới\nLê Văn Hai,0903000222,Huế\n")
        .unwrap();
    let r = ws.import(&csv, &tend::import::ImportOptions::default(), |_| {}, Default::default()).await.unwrap();
    assert_eq!(r.imported, 2);
    assert_counts_exact(ws, "after an import").await;
    ws.undo_import(Some(&r.import_id)).await.unwrap();
    assert_counts_exact(ws, "after its undo").await;
    let archive = f.dir.path().join("ws.tend-archive");
    ws.export_workspace(&archive).await.unwrap();
    let g = open().await;
    g.ws.import_workspace(&archive).await.unwrap();
    assert_counts_exact(&g.ws, "in a workspace filled from an archive").await;
    assert_eq!(g.ws.list_customers(&CustomerFilter::default(), 0, 10).await.unwrap().total, Some(299));
}
