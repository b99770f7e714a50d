//! Imports on real workspace files from fixture files made here (or, for XLS, committed: see
//! scripts/make-xls-fixture.py): every format and quirk, rejected rows, duplicates, undo, cancel.
mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tend::import::{ColumnMap, Format, ImportOptions, ImportReport, Mapping, OnDuplicate, ReadOptions, TextEncoding};
use tend::Workspace;

fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

async fn import(ws: &Workspace, path: &Path, opts: &ImportOptions) -> ImportReport {
    ws.import(path, opts, |_| {}, Default::default()).await.expect("import")
}

async fn names(ws: &Workspace) -> Vec<String> {
    let mut n: Vec<String> =
        sqlx::query_scalar("SELECT name FROM customers WHERE deleted_at IS NULL").fetch_all(ws.pool()).await.unwrap();
    n.sort();
    n
}

async fn by_name(ws: &Workspace, name: &str) -> tend::customers::Customer {
    let id: String = sqlx::query_scalar("SELECT id FROM customers WHERE name = ?")
        .bind(name)
        .fetch_one(ws.pool())
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    ws.customer(&id).await.unwrap()
}

/// Everything a workspace shows (the trash aside) that an import or its undo could touch.
async fn snapshot(ws: &Workspace) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT id || name || phones || emails || COALESCE(notes, '') || COALESCE(birthday, '') FROM customers
         WHERE deleted_at IS NULL ORDER BY id",
        "SELECT id || name FROM contacts WHERE deleted_at IS NULL ORDER BY id",
        "SELECT customer_id || field_id || COALESCE(value, '') FROM custom_values
         WHERE customer_id IN (SELECT id FROM customers WHERE deleted_at IS NULL) ORDER BY 1",
        "SELECT id || key || COALESCE(deleted_at, '') FROM custom_fields ORDER BY id",
        "SELECT key || customer_seq FROM customer_keys ORDER BY 1",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(ws.pool()).await.unwrap();
        out.extend(rows);
    }
    out
}

#[tokio::test]
async fn csv_in_every_delimiter_quoting_and_line_ending() {
    for (i, (delim, eol)) in [(",", "\n"), (";", "\r\n"), ("\t", "\n"), ("|", "\r\n")].iter().enumerate() {
        let f = open().await;
        let text = format!(
            "Họ tên{d}SĐT{d}Ghi chú{e}Khách A{d}0912 000 00{i}{d}\"nói \"\"chào\"\"{d} rồi{e}đi\"{e}Khách B{d}0912 000 10{i}{d}{e}",
            d = delim,
            e = eol
        );
        let p = file(f.dir.path(), "k.csv", text.as_bytes());
        let r = import(&f.ws, &p, &ImportOptions::default()).await;
        assert_eq!((r.imported, r.failed_rows), (2, 0), "{delim:?} {eol:?}: {:?}", r.failed);
        let a = by_name(&f.ws, "Khách A").await;
        assert_eq!(a.notes, Some(format!("nói \"chào\"{delim} rồi\nđi")), "{delim:?} {eol:?}");
        assert_eq!(a.phones[0].number, format!("+8491200000{i}"));
        assert_eq!(by_name(&f.ws, "Khách B").await.phones[0].number, format!("+8491200010{i}"));
    }
}

#[tokio::test]
async fn every_encoding_excel_and_old_windows_write() {
    let text = "Họ tên,Tỉnh/Thành\nNguyễn Thị Đào,Đà Nẵng\n";
    let mut bom8 = b"\xEF\xBB\xBF".to_vec();
    bom8.extend_from_slice(text.as_bytes());
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
    }
    // Windows-1258 as Vietnamese Windows writes it: letters with their own codes (ê 0xEA, ă 0xE3,
    // Đ 0xD0, ô 0xF4) and tone marks as separate combining bytes (grave 0xCC, tilde 0xDE, dot 0xF2).
    let cp1258 =
        b"H\xF4\xCC t\xEAn,T\xEDnh/Th\xE0nh\nNguy\xEA\xDEn Thi\xF2 \xD0a\xCCo,\xD0a\xCC N\xE3\xDEng\n".to_vec();
    for (name, bytes, forced, want) in [
        ("utf8.csv", text.as_bytes().to_vec(), None, "UTF-8"),
        ("utf8-bom.csv", bom8, None, "UTF-8"),
        ("utf16le.txt", le, None, "UTF-16LE"),
        ("utf16be.txt", be, None, "UTF-16BE"),
        ("cp1258.csv", cp1258.clone(), None, "windows-1258"),
        ("cp1258-forced.csv", cp1258, Some(TextEncoding::Windows1258), "windows-1258"),
    ] {
        let f = open().await;
        let p = file(f.dir.path(), name, &bytes);
        let opts = ImportOptions { read: ReadOptions { encoding: forced, ..Default::default() }, ..Default::default() };
        let pre = f.ws.import_preview(&p, &opts, 5).await.unwrap();
        assert_eq!(pre.encoding.as_deref(), Some(want), "{name}");
        let r = import(&f.ws, &p, &opts).await;
        assert_eq!((r.imported, r.failed_rows), (1, 0), "{name}: {:?}", r.failed);
        let c = by_name(&f.ws, "Nguyễn Thị Đào").await;
        assert_eq!(c.province.as_deref(), Some("Đà Nẵng"), "{name}");
    }
}

#[tokio::test]
async fn an_empty_or_unreadable_file_is_a_clear_error() {
    let f = open().await;
    for (name, bytes, key) in [
        ("empty.csv", &b""[..], "import.empty_file"),
        ("blank.xlsx", &b"not a zip"[..], "import.sheet_unreadable"),
        ("half.vcf", &b"BEGIN:VCARD\nFN:An\n"[..], "import.vcard_unfinished"),
    ] {
        let p = file(f.dir.path(), name, bytes);
        match f.ws.import(&p, &ImportOptions::default(), |_| {}, Default::default()).await {
            Err(tend::Error::Validation(e)) => {
                assert_eq!((e[0].field.as_str(), e[0].message_key.as_str()), ("file", key), "{name}")
            }
            other => panic!("{name}: {:?}", other.map(|r| r.rows)),
        }
        if name != "half.vcf" {
            // found at opening: before the pre-import backup (a card cut short shows only at its end)
            assert!(
                tend::backup::list_backups(f.ws.path()).unwrap().is_empty(),
                "{name}: no backup for a file that cannot be read"
            );
        }
    }
    assert!(f.ws.imports().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_title_row_is_skipped_and_the_header_row_can_be_chosen() {
    let f = open().await;
    let text = "DANH SÁCH KHÁCH HÀNG 2026\n\nHọ và tên;Số điện thoại\nPhạm Văn Đức;0903 123 456\n";
    let p = file(f.dir.path(), "t.csv", text.as_bytes());
    let pre = f.ws.import_preview(&p, &ImportOptions::default(), 10).await.unwrap();
    assert_eq!(pre.header_row, 3, "the blank line is row 2, as a spreadsheet shows it");
    assert_eq!(pre.headers, ["Họ và tên", "Số điện thoại"]);
    assert_eq!(pre.delimiter.as_deref(), Some(";"));
    let targets: Vec<&str> = pre.mapping.columns.iter().map(|c| c.target.as_str()).collect();
    assert_eq!(targets, ["name", "phone"]);
    assert_eq!((pre.rows.len(), pre.rows[0].row), (1, 4));
    // chosen: the title row as the header, which then names no name column
    let opts = ImportOptions { read: ReadOptions { header_row: Some(1), ..Default::default() }, ..Default::default() };
    let pre = f.ws.import_preview(&p, &opts, 10).await.unwrap();
    assert_eq!(pre.headers[0], "DANH SÁCH KHÁCH HÀNG 2026");
    assert_eq!(pre.mapping_errors[0].message_key, "import.mapping_no_name");
    assert!(names(&f.ws).await.is_empty(), "a preview writes nothing");
    assert_eq!(import(&f.ws, &p, &ImportOptions::default()).await.imported, 1);
}

#[tokio::test]
async fn rejected_rows_are_reported_by_row_and_column_and_saved_in_the_file_layout() {
    let f = open().await;
    let text = "Họ tên;SĐT;Email;Ngày sinh;MST\n\
                Võ Thị Sáu;0912 345 678;sau@vo.vn;15/03/1985;\n\
                Bad Phone;12ab;;;\n\
                ;0987 654 321;;;\n\
                Ngày Sai;;x@;31/02/1990;123\n\
                Hồ Quang;0903.111.222;;1/2/05;0101234567\n";
    let p = file(f.dir.path(), "r.csv", text.as_bytes());
    let rejects = f.dir.path().join("rejects.csv");
    let opts = ImportOptions { rejects_path: Some(rejects.display().to_string()), ..Default::default() };
    let r = import(&f.ws, &p, &opts).await;
    assert_eq!((r.rows, r.imported, r.failed_rows), (5, 2, 3));
    let got: Vec<(u64, &str, &str, &str)> =
        r.failed.iter().map(|e| (e.row, e.column.as_str(), e.value.as_str(), e.message_key.as_str())).collect();
    assert_eq!(
        got,
        [
            (3, "SĐT", "12ab", "validation.phone_invalid"),
            (4, "Họ tên", "", "validation.required"),
            (5, "Email", "x@", "validation.email_invalid"),
            (5, "MST", "123", "validation.tax_code_invalid"),
            (5, "Ngày sinh", "31/02/1990", "validation.date_invalid"),
        ]
    );
    assert!(r.failed.iter().all(|e| !e.reason.is_empty() && !e.reason.contains('.')), "{:?}", r.failed);
    let saved = std::fs::read(&rejects).unwrap();
    assert!(saved.starts_with(b"\xEF\xBB\xBF"), "Excel needs the BOM to read UTF-8");
    assert_eq!(
        String::from_utf8_lossy(&saved[3..]),
        "Họ tên;SĐT;Email;Ngày sinh;MST\nBad Phone;12ab;;;\n;0987 654 321;;;\nNgày Sai;;x@;31/02/1990;123\n"
    );
    assert_eq!(by_name(&f.ws, "Hồ Quang").await.birthday.as_deref(), Some("2005-02-01"));
    // the fixed rejects file imports on its own
    std::fs::write(&rejects, "Họ tên;SĐT;Email;Ngày sinh;MST\nBad Phone;0912 999 888;;;\n").unwrap();
    let r = import(&f.ws, &rejects, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.failed_rows), (1, 0));
}

#[tokio::test]
async fn duplicates_are_skipped_merged_or_created_in_the_file_and_the_workspace() {
    let text = "Họ tên,SĐT,Email,Tỉnh,Nhãn,Ghi chú\n\
                Đoàn Văn Hậu,0912 345 678,,Hà Nội,VIP,Mua 2 lần\n\
                Hậu Đoàn,+84912345678,hau@gmail.com,Hải Phòng,Zalo,Gọi buổi tối\n\
                Lý Bình,0933 000 111,binh@ly.vn,,,\n";
    for (mode, imported, merged, skipped) in
        [(OnDuplicate::Skip, 1, 0, 3), (OnDuplicate::Merge, 1, 3, 0), (OnDuplicate::Create, 4, 0, 0)]
    {
        let f = open().await;
        // already in the workspace: Lý Bình by email
        f.ws.create_customer(&with_email(person("Lý Thị Bình", ""), "BINH@ly.vn")).await.unwrap();
        let existing = snapshot(&f.ws).await;
        let p = file(f.dir.path(), "d.csv", format!("{text}Lý Bình 2,,binh@ly.vn,,,\n").as_bytes());
        let opts = ImportOptions { on_duplicate: Some(mode), ..Default::default() };
        let r = import(&f.ws, &p, &opts).await;
        assert_eq!((r.imported, r.merged, r.skipped), (imported, merged, skipped), "{mode:?}");
        let in_file: Vec<bool> = r.duplicates.iter().map(|d| d.in_file).collect();
        assert_eq!(in_file, [true, false, false], "{mode:?}: {:?}", r.duplicates);
        if mode == OnDuplicate::Merge {
            let hau = by_name(&f.ws, "Đoàn Văn Hậu").await;
            assert_eq!(hau.phones.len(), 1);
            assert_eq!(hau.emails[0].address, "hau@gmail.com", "new email added");
            assert_eq!(hau.province.as_deref(), Some("Hà Nội"), "kept, not overwritten");
            assert_eq!(hau.tags, ["VIP", "Zalo"]);
            assert_eq!(hau.notes.as_deref(), Some("Mua 2 lần\nGọi buổi tối"));
            let kept: Vec<(&str, &str, &str)> =
                r.kept.iter().map(|k| (k.field.as_str(), k.kept.as_str(), k.ignored.as_str())).collect();
            assert!(kept.contains(&("province", "Hà Nội", "Hải Phòng")), "{kept:?}");
            assert!(kept.contains(&("name", "Đoàn Văn Hậu", "Hậu Đoàn")), "{kept:?}");
            // undo puts the merged customer back as it was and the new one in the trash
            let u = f.ws.undo_import(None).await.unwrap();
            assert_eq!((u.removed, u.reverted), (1, 1));
            assert_eq!(snapshot(&f.ws).await, existing);
        }
    }
}

#[tokio::test]
async fn undo_removes_what_the_import_added_and_keeps_what_was_changed_since() {
    let f = open().await;
    let before = snapshot(&f.ws).await;
    let p = file(
        f.dir.path(),
        "u.csv",
        "Họ tên,SĐT,Công ty,Chức vụ,Hạng thành viên\n\
         Mai Anh,0912 111 222,Công ty TNHH Bình Minh,Kế toán,Vàng\n\
         Tô Hoài,0912 111 333,Công ty TNHH Bình Minh,Giám đốc,Bạc\n\
         Kiều Oanh,0912 111 444,,,\n"
            .as_bytes(),
    );
    let mapping = Mapping {
        columns: vec![
            ColumnMap { column: "Họ tên".into(), target: "name".into() },
            ColumnMap { column: "SĐT".into(), target: "phone".into() },
            ColumnMap { column: "Công ty".into(), target: "company".into() },
            ColumnMap { column: "Chức vụ".into(), target: "title".into() },
            ColumnMap { column: "Hạng thành viên".into(), target: "new_field".into() },
        ],
    };
    let opts = ImportOptions { mapping: Some(mapping), ..Default::default() };
    let r = import(&f.ws, &p, &opts).await;
    assert_eq!((r.imported, r.companies), (3, 1));
    assert_eq!(r.new_fields, ["Hạng thành viên"]);
    let company = by_name(&f.ws, "Công ty TNHH Bình Minh").await;
    let contacts: Vec<(&str, Option<&str>)> =
        company.contacts.iter().map(|c| (c.name.as_str(), c.role.as_deref())).collect();
    assert_eq!(contacts, [("Mai Anh", Some("Kế toán")), ("Tô Hoài", Some("Giám đốc"))]);
    assert_eq!(by_name(&f.ws, "Mai Anh").await.custom.get("hang_thanh_vien").map(String::as_str), Some("Vàng"));
    // someone works on one of them after the import: undo keeps that customer
    let oanh = by_name(&f.ws, "Kiều Oanh").await;
    let mut edit = oanh.to_input();
    edit.notes = Some("Đã gọi".into());
    f.clock.advance(1000);
    f.ws.update_customer(&oanh.id, &oanh.to_input(), &edit).await.unwrap();
    let u = f.ws.undo_import(Some(&r.import_id)).await.unwrap();
    assert_eq!(u.removed, 3, "two persons and the company: {u:?}");
    assert_eq!(u.kept, [format!("customers/{}", oanh.id)]);
    assert_eq!(names(&f.ws).await, ["Kiều Oanh"]);
    assert!(f.ws.custom_fields().await.unwrap().is_empty(), "the field it made is gone");
    let again = tend::ErrorPayload::from(f.ws.undo_import(Some(&r.import_id)).await.expect_err("undone once only"));
    assert_eq!((again.message_key.as_str(), again.params["what"].as_str()), ("error.already_undone", "import"));
    let listed = f.ws.imports().await.unwrap();
    assert!(listed[0].undone_at.is_some());
    // and the search no longer finds what was removed
    assert!(f.ws.search("mai anh", 5).await.unwrap().is_empty());
    let _ = before;
}

#[tokio::test]
async fn undo_puts_the_customers_an_import_made_in_the_trash_where_they_can_be_restored() {
    let f = open().await;
    let p = file(
        f.dir.path(),
        "t.csv",
        "Họ tên,SĐT,Công ty\nMai Anh,0912 111 222,Công ty TNHH Bình Minh\nKiều Oanh,0912 111 444,\n".as_bytes(),
    );
    let r = import(&f.ws, &p, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.companies), (2, 1));
    let (anh, company) = (by_name(&f.ws, "Mai Anh").await, by_name(&f.ws, "Công ty TNHH Bình Minh").await);
    f.clock.advance(1000);
    let u = f.ws.undo_import(Some(&r.import_id)).await.unwrap();
    assert_eq!(u.removed, 3, "{u:?}");
    assert!(names(&f.ws).await.is_empty(), "out of the lists");
    assert!(f.ws.search("mai anh", 5).await.unwrap().is_empty(), "out of search");
    // a tombstone, not a deletion (DESIGN rule 5): every one of them is in the trash, whole
    let trash = f.ws.trash(0, 50).await.unwrap();
    let mut trashed: Vec<&str> = trash.rows.iter().map(|c| c.name.as_str()).collect();
    trashed.sort();
    assert_eq!(trashed, ["Công ty TNHH Bình Minh", "Kiều Oanh", "Mai Anh"]);
    for name in trashed {
        assert_eq!(by_name(&f.ws, name).await.deleted_at, Some(T0 + 1000), "{name}");
    }
    assert_eq!(by_name(&f.ws, "Mai Anh").await.phones[0].number, "+84912111222", "nothing of it lost");
    // the history says when it went to the trash, in the undo's own write
    let h = f.ws.history(&anh.id).await.unwrap();
    let last = h.iter().find(|e| e.change.column == "deleted_at").expect("a deleted_at change");
    assert_eq!((last.at_ms, last.change.value.as_deref()), (T0 + 1000, Some((T0 + 1000).to_string().as_str())));
    // and restored from the trash, it is back, the company with its contact person
    f.ws.restore_customer(&anh.id).await.unwrap();
    f.ws.restore_customer(&company.id).await.unwrap();
    assert_eq!(f.ws.search("mai anh", 5).await.unwrap()[0].id, anh.id);
    let company = f.ws.customer(&company.id).await.unwrap();
    assert_eq!(company.contacts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Mai Anh"]);
    assert_eq!(names(&f.ws).await, ["Công ty TNHH Bình Minh", "Mai Anh"]);
}

#[tokio::test]
async fn old_mobile_numbers_are_converted_and_reported_per_row_and_labels_follow_the_number() {
    let f = open().await;
    let p = file(
        f.dir.path(),
        "cu.csv",
        "Họ tên,SĐT,Zalo\n\
         Bà Cũ,0168 812 3456,+84 128 787 8888\n\
         Cửa hàng Mới,028 3822 1234,\n\
         Ông Mới,0912 345 678,1699333999\n"
            .as_bytes(),
    );
    let r = import(&f.ws, &p, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.failed_rows), (3, 0), "{:?}", r.failed);
    let got: Vec<(u64, &str, &str, &str)> =
        r.renumbered.iter().map(|n| (n.row, n.column.as_str(), n.value.as_str(), n.params["to"].as_str())).collect();
    assert_eq!(
        got,
        [
            (2, "SĐT", "0168 812 3456", "0388 123 456"),
            (2, "Zalo", "+84 128 787 8888", "0787 878 888"),
            (4, "Zalo", "1699333999", "0399 333 999"),
        ]
    );
    assert!(r.renumbered.iter().all(|n| n.message_key == "notice.phone_renumbered"));
    let phones = |c: tend::customers::Customer| -> Vec<(String, String)> {
        c.phones.into_iter().map(|p| (p.label, p.number)).collect()
    };
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    // "SĐT" only says it is a phone: the number's type labels it; "Zalo" says more and stays
    assert_eq!(phones(by_name(&f.ws, "Bà Cũ").await), [s("mobile", "+84388123456"), s("Zalo", "+84787878888")]);
    assert_eq!(phones(by_name(&f.ws, "Cửa hàng Mới").await), [s("landline", "+842838221234")]);
    assert_eq!(phones(by_name(&f.ws, "Ông Mới").await), [s("mobile", "+84912345678"), s("Zalo", "+84399333999")]);
}

#[tokio::test]
async fn a_cancelled_import_writes_nothing() {
    let f = open().await;
    f.ws.create_customer(&person("Có Sẵn", "0912 000 000")).await.unwrap();
    let before = snapshot(&f.ws).await;
    let mut text = String::from("Họ tên,SĐT\n");
    for i in 0..5000 {
        text.push_str(&format!("Khách {i},09{:08}\n", 10_000_000 + i));
    }
    let p = file(f.dir.path(), "big.csv", text.as_bytes());
    let cancel = Arc::new(AtomicBool::new(false));
    let c = cancel.clone();
    let res =
        f.ws.import(
            &p,
            &ImportOptions::default(),
            move |prog| {
                if prog.rows >= 1000 {
                    c.store(true, Ordering::Relaxed);
                }
            },
            cancel.clone(),
        )
        .await;
    assert!(matches!(res, Err(tend::Error::Cancelled)), "{res:?}");
    assert_eq!(snapshot(&f.ws).await, before);
    assert!(f.ws.imports().await.unwrap().is_empty());
}

fn xlsx_fixture(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Tháng 11").unwrap();
    let date = XFormat::new().set_num_format("dd/mm/yyyy");
    sheet.merge_range(0, 0, 0, 4, "DANH SÁCH KHÁCH HÀNG", &XFormat::new()).unwrap();
    for (c, h) in ["Họ và tên", "Di động", "Ngày sinh", "Công ty", "Doanh thu dự kiến"].iter().enumerate()
    {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    sheet.write_string(3, 0, "Ngô Bảo Châu").unwrap();
    sheet.write_number(3, 1, 912345678.0).unwrap(); // a phone stored as a number: the 0 is gone
    sheet.write_datetime_with_format(3, 2, ExcelDateTime::from_ymd(1992, 6, 28).unwrap(), &date).unwrap();
    sheet.merge_range(3, 3, 4, 3, "Công ty CP Ánh Dương", &XFormat::new()).unwrap();
    sheet.write_number(3, 4, 150_000_000.0).unwrap();
    sheet.write_string(4, 0, "Đinh Thị Mơ").unwrap();
    sheet.write_string(4, 1, "0987 654 321").unwrap();
    sheet.write_number(4, 2, 33_000.0).unwrap(); // a serial date typed as a plain number
    book.add_worksheet().set_name("Khác").unwrap().write_string(0, 0, "Họ tên").unwrap();
    book.save(path).unwrap();
}

#[tokio::test]
async fn spreadsheets_with_title_rows_dates_numeric_phones_and_merged_cells() {
    let f = open().await;
    let x = f.dir.path().join("k.xlsx");
    xlsx_fixture(&x);
    let pre = f.ws.import_preview(&x, &ImportOptions::default(), 10).await.unwrap();
    assert_eq!((pre.format, pre.header_row), (Format::Xlsx, 3));
    assert_eq!(pre.sheets, ["Tháng 11", "Khác"]);
    let targets: Vec<&str> = pre.mapping.columns.iter().map(|c| c.target.as_str()).collect();
    assert_eq!(targets, ["name", "phone", "birthday", "company", "expected_revenue"]);
    let r = import(&f.ws, &x, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.companies, r.failed_rows), (2, 1, 0), "{:?}", r.failed);
    let chau = by_name(&f.ws, "Ngô Bảo Châu").await;
    assert_eq!(chau.phones[0].number, "+84912345678");
    assert_eq!(chau.birthday.as_deref(), Some("1992-06-28"));
    assert_eq!(chau.expected_revenue, Some(150_000_000));
    assert_eq!(by_name(&f.ws, "Đinh Thị Mơ").await.birthday.as_deref(), Some("1990-05-07"));
    let company = by_name(&f.ws, "Công ty CP Ánh Dương").await;
    assert_eq!(company.contacts.len(), 2, "the merged company cell covers both rows");

    // a chosen sheet
    let opts =
        ImportOptions { read: ReadOptions { sheet: Some("khac".into()), ..Default::default() }, ..Default::default() };
    assert_eq!(f.ws.import_preview(&x, &opts, 5).await.unwrap().sheet.as_deref(), Some("Khác"));

    // legacy .xls (committed fixture, made by scripts/make-xls-fixture.py)
    let g = open().await;
    let xls = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/khach-hang.xls");
    let r = import(&g.ws, &xls, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.companies, r.failed_rows), (3, 2, 0), "{:?}", r.failed);
    let ha = by_name(&g.ws, "Nguyễn Thị Thu Hà").await;
    assert_eq!((ha.phones[0].number.as_str(), ha.birthday.as_deref()), ("+84912345678", Some("1990-05-17")));
    assert_eq!(by_name(&g.ws, "Lê Quỳnh Anh").await.phones[0].number, "+84358123456");
    assert_eq!(by_name(&g.ws, "Công ty TNHH Hoa Sen").await.contacts.len(), 2);

    // OpenDocument
    let h = open().await;
    let ods = h.dir.path().join("k.ods");
    ods_fixture(&ods);
    let r = import(&h.ws, &ods, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.failed_rows), (2, 0), "{:?}", r.failed);
    assert_eq!(by_name(&h.ws, "Lương Thế Vinh").await.birthday.as_deref(), Some("1988-08-08"));
    assert_eq!(by_name(&h.ws, "Lương Thế Vinh").await.phones[0].number, "+84903111222");
}

fn ods_fixture(path: &Path) {
    use std::io::Write;
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Danh bạ">
<table:table-row><table:table-cell office:value-type="string"><text:p>Họ tên</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>SĐT</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Ngày sinh</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>Lương Thế Vinh</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="903111222"><text:p>903111222</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="1988-08-08"><text:p>08/08/1988</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>Hà Huy Tập</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>0904 222 333</text:p></table:table-cell><table:table-cell/></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    z.start_file("META-INF/manifest.xml", stored).unwrap();
    z.write_all(manifest.as_bytes()).unwrap();
    z.start_file("content.xml", stored).unwrap();
    z.write_all(content.as_bytes()).unwrap();
    z.finish().unwrap();
}

#[tokio::test]
async fn vcards_as_google_iphone_and_android_export_them() {
    let f = open().await;
    // Android: vCard 2.1, quoted-printable UTF-8 with a soft line break, bare TEL types
    let android = "BEGIN:VCARD\r\nVERSION:2.1\r\n\
        N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=4E=67=75=79=E1=BB=85=6E;=56=C4=83=6E=20=41=6E;;;\r\n\
        FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=56=C4=83=6E=20=41=6E=20=4E=67=75=79=\r\n=E1=BB=85=6E\r\n\
        TEL;CELL:0912 345 678\r\nTEL;HOME:024 3826 1234\r\nEMAIL;HOME:an@gmail.com\r\nEND:VCARD\r\n";
    // iPhone: vCard 3.0, grouped properties, folded NOTE, ADR
    let iphone = "BEGIN:VCARD\nVERSION:3.0\nN:Trần;Thị Bích;;;\nFN:Trần Thị Bích\n\
        item1.TEL;type=CELL;type=VOICE;type=pref:+84 987 654 321\nitem2.EMAIL;type=INTERNET;type=WORK:bich@congty.vn\n\
        ORG:Công ty TNHH Bích Ngọc;Kinh doanh\nTITLE:Trưởng phòng\nBDAY:1991-04-30\n\
        ADR;type=HOME:;;12 Lý Thường Kiệt;Quận Hoàn Kiếm;Hà Nội;;Việt Nam\n\
        NOTE:Khách từ hội chợ\\, rất quan tâm\n  sản phẩm mới\nEND:VCARD\n";
    // Google: vCard 4.0 style, TYPE lists, BDAY without dashes
    let google = "BEGIN:VCARD\nVERSION:4.0\nFN:Phùng Quang Huy\nN:Phùng;Quang Huy;;;\n\
        TEL;TYPE=\"work,voice\";VALUE=uri:tel:+84-28-3822-1234\nEMAIL;TYPE=home:huy@phung.vn\nBDAY:19800101\n\
        CATEGORIES:Đại lý,VIP\nEND:VCARD\n";
    let p = file(f.dir.path(), "danh-ba.vcf", format!("{android}{iphone}{google}").as_bytes());
    let r = import(&f.ws, &p, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.failed_rows), (3, 0), "{:?}", r.failed);
    let an = by_name(&f.ws, "Văn An Nguyễn").await;
    assert_eq!((an.family_name.as_deref(), an.given_name.as_deref()), (Some("Nguyễn"), Some("Văn An")));
    let phones: Vec<&str> = an.phones.iter().map(|p| p.number.as_str()).collect();
    assert_eq!(phones, ["+84912345678", "+842438261234"]);
    let bich = by_name(&f.ws, "Trần Thị Bích").await;
    assert_eq!(bich.emails[0].address, "bich@congty.vn");
    assert_eq!(
        (bich.street.as_deref(), bich.district.as_deref(), bich.province.as_deref()),
        (Some("12 Lý Thường Kiệt"), Some("Quận Hoàn Kiếm"), Some("Hà Nội"))
    );
    assert_eq!(bich.birthday.as_deref(), Some("1991-04-30"));
    assert_eq!(bich.notes.as_deref(), Some("Khách từ hội chợ, rất quan tâm sản phẩm mới"));
    let org = by_name(&f.ws, "Công ty TNHH Bích Ngọc, Kinh doanh").await;
    assert_eq!(org.contacts[0].role.as_deref(), Some("Trưởng phòng"));
    let huy = by_name(&f.ws, "Phùng Quang Huy").await;
    assert_eq!((huy.phones[0].number.as_str(), huy.birthday.as_deref()), ("+842838221234", Some("1980-01-01")));
    assert_eq!(huy.tags, ["Đại lý", "VIP"]);
}

#[tokio::test]
async fn a_mapping_is_saved_by_name_and_applied_to_next_months_file() {
    let f = open().await;
    let mapping = Mapping {
        columns: vec![
            ColumnMap { column: "Khách".into(), target: "name".into() },
            ColumnMap { column: "Liên lạc".into(), target: "phone".into() },
            ColumnMap { column: "Khu vực".into(), target: "province".into() },
        ],
    };
    f.ws.save_mapping("Báo cáo tháng", &mapping).await.unwrap();
    assert!(f.ws.save_mapping("  ", &mapping).await.is_err());
    let saved = f.ws.saved_mappings().await.unwrap();
    assert_eq!((saved.len(), saved[0].name.as_str()), (1, "Báo cáo tháng"));
    // next month's file has one more column; the saved mapping covers the rest
    let p = file(f.dir.path(), "t12.csv", "Khách,Liên lạc,Khu vực,Email\nVõ Hà,0903 222 333,Huế,ha@vo.vn\n".as_bytes());
    let pre = f.ws.import_preview(&p, &ImportOptions::default(), 5).await.unwrap();
    let applied = tend::import::saved::apply(&saved[0].mapping, &pre.mapping);
    let targets: Vec<&str> = applied.columns.iter().map(|c| c.target.as_str()).collect();
    assert_eq!(targets, ["name", "phone", "province", "email"]);
    let r = import(&f.ws, &p, &ImportOptions { mapping: Some(applied), ..Default::default() }).await;
    assert_eq!(r.imported, 1);
    assert_eq!(by_name(&f.ws, "Võ Hà").await.province.as_deref(), Some("Huế"));
    f.ws.remove_mapping("Báo cáo tháng").await.unwrap();
    assert!(f.ws.saved_mappings().await.unwrap().is_empty());
}

/// An XLSX whose sheet stops in the middle of its rows (a download or a copy cut short): the
/// import says the sheet cannot be read and writes nothing; it never imports the rows it got.
#[tokio::test]
async fn a_spreadsheet_cut_short_is_refused_whole() {
    use std::io::{Read, Write};
    let f = open().await;
    let whole = f.dir.path().join("whole.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Họ tên").unwrap();
    sheet.write_string(0, 1, "SĐT").unwrap();
    for i in 1..=3000u32 {
        sheet.write_string(i, 0, format!("Khách {i}")).unwrap();
        sheet.write_string(i, 1, format!("0912 {:06}", i)).unwrap();
    }
    book.save(&whole).unwrap();
    // the same workbook with its sheet's XML cut at two thirds
    let cut = f.dir.path().join("cut.xlsx");
    let mut zin = zip::ZipArchive::new(std::fs::File::open(&whole).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(&cut).unwrap());
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i).unwrap();
        let name = entry.name().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            bytes.truncate(bytes.len() * 2 / 3);
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();

    let before = snapshot(&f.ws).await;
    match f.ws.import(&cut, &ImportOptions::default(), |_| {}, Default::default()).await {
        Err(tend::Error::Validation(e)) => assert_eq!(e[0].message_key, "import.sheet_unreadable", "{e:?}"),
        other => panic!("a cut sheet was read: {:?}", other.map(|r| (r.rows, r.imported))),
    }
    assert_eq!(snapshot(&f.ws).await, before);
    assert!(f.ws.imports().await.unwrap().is_empty());
    // the whole workbook, streamed the same way, brings every row
    let r = import(&f.ws, &whole, &ImportOptions::default()).await;
    assert_eq!((r.rows, r.imported, r.failed_rows), (3000, 3000, 0), "{:?}", &r.failed[..r.failed.len().min(3)]);
}

fn file_error_key(r: tend::Result<ImportReport>) -> String {
    match r {
        Err(tend::Error::Validation(e)) => {
            format!("{}: {}", e[0].message_key, e[0].params.get("detail").cloned().unwrap_or_default())
        }
        other => panic!("expected a refusal, got {:?}", other.map(|r| (r.rows, r.imported))),
    }
}

#[tokio::test]
async fn a_control_character_in_a_cell_rejects_its_row_naming_the_column() {
    let f = open().await;
    let text = "Họ tên,SĐT,Ghi chú\nAn\x07,0912 345 678,\nBình,0987 654 321,\"dòng 1\ndòng\t2\"\nChâu,,nhắc\0lại\n";
    let p = file(f.dir.path(), "c.csv", text.as_bytes());
    let r = import(&f.ws, &p, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.failed_rows), (1, 2), "{:?}", r.failed);
    let got: Vec<(u64, &str, &str)> =
        r.failed.iter().map(|e| (e.row, e.column.as_str(), e.message_key.as_str())).collect();
    assert_eq!(got, [(2, "Họ tên", "validation.control_char"), (4, "Ghi chú", "validation.control_char")]);
    assert!(r.failed.iter().all(|e| e.reason.contains("control character")), "{:?}", r.failed);
    assert_eq!(by_name(&f.ws, "Bình").await.notes.as_deref(), Some("dòng 1\ndòng\t2"));
}

/// A cell far past the bound (and a row of a million empty cells): the row is rejected naming
/// the column, the others are imported, and neither the report nor the row read holds the cell.
#[tokio::test]
async fn a_huge_cell_or_line_rejects_its_row_and_is_never_held_whole() {
    let max = tend::import::source::MAX_ROW_TEXT;
    let f = open().await;
    let huge = "ấ".repeat(max); // 3 MiB of text in one cell
    let empties = ",".repeat(max + 10);
    let text = format!(
        "Họ tên,SĐT,Ghi chú\nAn,0912 345 678,ok\nBình,0987 654 321,\"{huge}\"\nChâu,0903 111 222{empties}\nDũng,0904 222 333,\n"
    );
    let p = file(f.dir.path(), "big.csv", text.as_bytes());
    let (_, rows) = tend::import::read_file(&p, &ReadOptions::default(), 10).unwrap();
    assert_eq!(rows[1].too_long, Some(2));
    assert!(rows[2].too_long.is_some());
    assert_eq!((rows[0].too_long, rows[3].too_long), (None, None));
    for r in &rows {
        let held: usize = r.cells.iter().map(|c| c.len()).sum();
        assert!(held <= 2 * max, "row {} holds {held} bytes", r.row);
    }
    assert!(rows[1].cells[2].len() < 1_000, "the cut cell keeps only its beginning");
    let rejects = f.dir.path().join("rejects.csv");
    let opts = ImportOptions { rejects_path: Some(rejects.display().to_string()), ..Default::default() };
    let r = import(&f.ws, &p, &opts).await;
    assert_eq!((r.imported, r.failed_rows), (2, 2), "{:?}", r.failed);
    assert_eq!((r.failed[0].row, r.failed[0].column.as_str()), (3, "Ghi chú"));
    assert_eq!(r.failed[0].message_key, "import.cell_too_long");
    assert!(r.failed[0].value.chars().count() <= tend::validate::ECHO_MAX + 1);
    assert_eq!(r.failed[1].row, 4);
    assert!(serde_json::to_string(&r).unwrap().len() < 10_000, "the report holds no huge value");
    assert!(
        std::fs::metadata(&rejects).unwrap().len() < 2 * max as u64,
        "the rejects file holds no more than was read"
    );
    assert_eq!(names(&f.ws).await, ["An", "Dũng"]);
}

#[tokio::test]
async fn a_huge_cell_in_a_spreadsheet_or_a_contact_rejects_its_row() {
    let max = tend::import::source::MAX_ROW_TEXT;
    let huge = "x".repeat(3 * max);
    // XLSX: the text is a shared string, which calamine would hold whole
    let f = open().await;
    let x = f.dir.path().join("big.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Họ tên", "SĐT", "Ghi chú"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (name, note)) in [("An", "ok"), ("Bình", "HUGE-CELL"), ("Châu", "")].iter().enumerate() {
        sheet.write_string(r as u32 + 1, 0, *name).unwrap();
        sheet.write_string(r as u32 + 1, 1, format!("0912 000 00{r}")).unwrap();
        sheet.write_string(r as u32 + 1, 2, *note).unwrap();
    }
    book.save(&x).unwrap();
    // Excel (and rust_xlsxwriter) stop at 32,767 characters; a hostile file does not
    replace_in_zip(&x, "xl/sharedStrings.xml", "HUGE-CELL", &huge);
    let r = import(&f.ws, &x, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.failed_rows), (2, 1), "{:?}", r.failed);
    assert_eq!(
        (r.failed[0].row, r.failed[0].column.as_str(), r.failed[0].message_key.as_str()),
        (3, "Ghi chú", "import.cell_too_long")
    );
    assert!(r.failed[0].value.chars().count() <= tend::validate::ECHO_MAX + 1);

    // ODS: the same
    let g = open().await;
    let ods = g.dir.path().join("big.ods");
    ods_with_note(&ods, &huge);
    let r = import(&g.ws, &ods, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.failed_rows), (1, 1), "{:?}", r.failed);
    assert_eq!((r.failed[0].column.as_str(), r.failed[0].message_key.as_str()), ("Ghi chú", "import.cell_too_long"));

    // vCard: a huge NOTE line, and one folded over many lines
    let h = open().await;
    let folded: String =
        huge.as_bytes().chunks(70).map(|c| format!(" {}\n", std::str::from_utf8(c).unwrap())).collect();
    let cards = format!(
        "BEGIN:VCARD\nFN:An\nNOTE:{huge}\nEND:VCARD\nBEGIN:VCARD\nFN:Bình\nNOTE:a\n{folded}END:VCARD\nBEGIN:VCARD\nFN:Châu\nNOTE:ok\nEND:VCARD\n"
    );
    let p = file(h.dir.path(), "big.vcf", cards.as_bytes());
    let r = import(&h.ws, &p, &ImportOptions::default()).await;
    assert_eq!((r.imported, r.failed_rows), (1, 2), "{:?}", r.failed);
    assert!(r.failed.iter().all(|e| e.column == "Notes" && e.message_key == "import.cell_too_long"), "{:?}", r.failed);
    assert_eq!(names(&h.ws).await, ["Châu"]);
}

/// Rewrites one part of a zip with `from` replaced by `to`.
fn replace_in_zip(path: &Path, part: &str, from: &str, to: &str) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i).unwrap();
        let name = entry.name().to_string();
        let mut text = Vec::new();
        entry.read_to_end(&mut text).unwrap();
        if name == part {
            text = String::from_utf8(text).unwrap().replace(from, to).into_bytes();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zout.write_all(&text).unwrap();
    }
    zout.finish().unwrap();
}

fn ods_with_note(path: &Path, note: &str) {
    use std::io::Write;
    let cell =
        |t: &str| format!("<table:table-cell office:value-type=\"string\"><text:p>{t}</text:p></table:table-cell>");
    let row = |cells: &[&str]| {
        format!("<table:table-row>{}</table:table-row>", cells.iter().map(|c| cell(c)).collect::<String>())
    };
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Danh bạ">{}{}{}</table:table></office:spreadsheet></office:body></office:document-content>"#,
        row(&["Họ tên", "SĐT", "Ghi chú"]),
        row(&["An", "0912 345 678", "ok"]),
        row(&["Bình", "0987 654 321", note])
    );
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    z.start_file("META-INF/manifest.xml", stored).unwrap();
    z.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#,
    )
    .unwrap();
    z.start_file("content.xml", zip::write::SimpleFileOptions::default()).unwrap();
    z.write_all(content.as_bytes()).unwrap();
    z.finish().unwrap();
}

#[tokio::test]
async fn utf16_without_a_bom_is_detected_and_a_wrong_encoding_is_said_so() {
    let text = "Họ tên,Tỉnh/Thành\nNguyễn Thị Đào,Đà Nẵng\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    for (name, bytes, forced, want) in [
        ("le.txt", le.clone(), None, "UTF-16LE"),
        ("be.txt", be.clone(), None, "UTF-16BE"),
        ("le-forced.txt", le.clone(), Some(TextEncoding::Utf16), "UTF-16LE"),
        ("be-forced.txt", be.clone(), Some(TextEncoding::Utf16), "UTF-16BE"),
    ] {
        let f = open().await;
        let p = file(f.dir.path(), name, &bytes);
        let opts = ImportOptions { read: ReadOptions { encoding: forced, ..Default::default() }, ..Default::default() };
        assert_eq!(f.ws.import_preview(&p, &opts, 5).await.unwrap().encoding.as_deref(), Some(want), "{name}");
        let r = import(&f.ws, &p, &opts).await;
        assert_eq!((r.imported, r.failed_rows), (1, 0), "{name}: {:?}", r.failed);
        assert_eq!(by_name(&f.ws, "Nguyễn Thị Đào").await.province.as_deref(), Some("Đà Nẵng"), "{name}");
    }
    // an encoding that makes nonsense of the file is the problem named, not "no name column"
    for (name, bytes, forced) in [
        ("le-as-utf8.txt", le, TextEncoding::Utf8),
        ("be-as-1258.txt", be, TextEncoding::Windows1258),
        ("utf8-as-utf16.csv", text.as_bytes().to_vec(), TextEncoding::Utf16),
    ] {
        let f = open().await;
        let p = file(f.dir.path(), name, &bytes);
        let opts =
            ImportOptions { read: ReadOptions { encoding: Some(forced), ..Default::default() }, ..Default::default() };
        let key = file_error_key(f.ws.import(&p, &opts, |_| {}, Default::default()).await);
        assert!(key.starts_with("import.encoding_wrong"), "{name}: {key}");
        assert!(f.ws.import_preview(&p, &opts, 5).await.is_err(), "{name}");
        assert!(f.ws.imports().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_file_that_is_no_vcard_or_an_unwritable_rejects_path_is_refused_before_anything_is_written() {
    let f = open().await;
    let garbage = file(f.dir.path(), "garbage", b"\x89PNG\r\n\x1a\nnot contacts at all\n");
    let opts =
        ImportOptions { read: ReadOptions { format: Some(Format::Vcf), ..Default::default() }, ..Default::default() };
    let key = file_error_key(f.ws.import(&garbage, &opts, |_| {}, Default::default()).await);
    assert!(key.starts_with("import.not_vcard"), "{key}");
    let csv = file(f.dir.path(), "k.csv", "Họ tên\nAn\n".as_bytes());
    let opts = ImportOptions { rejects_path: Some("/no/such/dir/r.csv".into()), ..Default::default() };
    match f.ws.import(&csv, &opts, |_| {}, Default::default()).await {
        Err(tend::Error::Validation(e)) => {
            assert_eq!((e[0].field.as_str(), e[0].message_key.as_str()), ("rejects_path", "import.rejects_unwritable"));
            assert!(e[0].params["detail"].contains("/no/such/dir/r.csv"), "{e:?}");
        }
        other => panic!("{:?}", other.map(|r| r.rows)),
    }
    assert!(f.ws.imports().await.unwrap().is_empty(), "no import recorded");
    assert!(tend::backup::list_backups(f.ws.path()).unwrap().is_empty(), "no backup taken");
    assert!(names(&f.ws).await.is_empty());
}

/// A date in an import means what it means typed in the form: every case of the core's table
/// (`src/typed_dates.json`, which the UI's tests run too) imported as a date cell comes out the
/// same, including eight digits day first (15031985) and two-digit years (15/03/35 is 2035).
#[tokio::test]
async fn dates_in_an_import_follow_the_same_table_as_the_form() {
    #[derive(serde::Deserialize)]
    struct Table {
        today: String,
        cases: Vec<Case>,
    }
    #[derive(serde::Deserialize)]
    struct Case {
        text: String,
        date: Option<String>,
    }
    let table: Table =
        serde_json::from_str(include_str!("../src/typed_dates.json")).expect("the core's table of typed dates");
    let f = open().await;
    let today: jiff::civil::Date = table.today.parse().unwrap();
    let noon = today.at(12, 0, 0, 0).in_tz("Asia/Ho_Chi_Minh").unwrap().timestamp().as_millisecond();
    f.clock.set(noon);
    let field = tend::settings::CustomFieldInput {
        label: "Hết hạn hợp đồng".into(),
        kind: tend::settings::CustomFieldKind::Date,
        options: vec![],
        required: false,
    };
    let key = f.ws.add_custom_field(&field).await.unwrap().key;
    // Only spreadsheets write serial day numbers and a time after the date: those are cells' own.
    let cases: Vec<&Case> = table.cases.iter().filter(|c| c.text != "31121" && !c.text.contains(':')).collect();
    let mut text = String::from("Họ tên;Hết hạn\n");
    for (i, c) in cases.iter().enumerate() {
        text.push_str(&format!("Khách {i};\"{}\"\n", c.text));
    }
    let p = file(f.dir.path(), "d.csv", text.as_bytes());
    let mapping = Mapping {
        columns: vec![
            ColumnMap { column: "Họ tên".into(), target: "name".into() },
            ColumnMap { column: "Hết hạn".into(), target: format!("custom:{key}") },
        ],
    };
    let r = import(&f.ws, &p, &ImportOptions { mapping: Some(mapping), ..Default::default() }).await;
    for (i, c) in cases.iter().enumerate() {
        let rejected = r.failed.iter().find(|e| e.row == i as u64 + 2);
        let got = match rejected {
            Some(e) => {
                assert_eq!((e.column.as_str(), e.message_key.as_str()), ("Hết hạn", "validation.date_invalid"));
                Some("invalid".to_string())
            }
            None => by_name(&f.ws, &format!("Khách {i}")).await.custom.get(&key).cloned(),
        };
        assert_eq!(got, c.date, "{:?}", c.text);
    }
}

#[tokio::test]
async fn an_import_puts_the_files_customers_on_a_static_list_and_its_undo_takes_them_off() {
    use tend::segments::{SegmentInput, SegmentKind};
    let f = open().await;
    let ws = &f.ws;
    // already in the workspace, named by a row (skipped as a duplicate, yet on the list)
    let binh = ws.create_customer(&with_email(person("Lý Thị Bình", ""), "binh@ly.vn")).await.unwrap().customer.id;
    let other = ws.create_customer(&person("Ngô Văn Khác", "")).await.unwrap().customer.id;
    let list = ws
        .create_segment(&SegmentInput { name: "Hội chợ".into(), kind: SegmentKind::Static, rules: None })
        .await
        .unwrap();
    ws.add_to_segment(&list.id, std::slice::from_ref(&other)).await.unwrap();
    let p = file(
        f.dir.path(),
        "hoi-cho.csv",
        "Họ tên,Điện thoại,Email\nĐoàn Văn Hậu,0912345678,\nLý Bình,,binh@ly.vn\nDòng lỗi,12,\n".as_bytes(),
    );
    let opts = ImportOptions { list_id: Some(list.id.clone()), ..Default::default() };
    let r = import(ws, &p, &opts).await;
    assert_eq!((r.imported, r.skipped, r.failed_rows, r.listed), (1, 1, 1, 2));
    let mut members: Vec<String> =
        ws.segment_members(&list.id, 0, 50).await.unwrap().rows.into_iter().map(|r| r.name).collect();
    members.sort();
    assert_eq!(members, vec!["Lý Thị Bình", "Ngô Văn Khác", "Đoàn Văn Hậu"]);
    assert!(ws.customer_lists(&binh).await.unwrap().iter().any(|s| s.id == list.id));

    // undo: the new customer to the trash, the one already there off the list, the other kept
    ws.undo_import(None).await.unwrap();
    let members: Vec<String> =
        ws.segment_members(&list.id, 0, 50).await.unwrap().rows.into_iter().map(|r| r.name).collect();
    assert_eq!(members, vec!["Ngô Văn Khác"]);

    // a list that is not static, or not there, is refused before anything is read or written
    let dynamic = ws
        .create_segment(&SegmentInput {
            name: "Hà Nội".into(),
            kind: SegmentKind::Dynamic,
            rules: Some(r#"{"all":[{"field":"province","op":"eq","value":"Hà Nội"}]}"#.into()),
        })
        .await
        .unwrap();
    for (id, key) in [(dynamic.id.as_str(), "segment.not_static"), ("nope", "segment.unknown_segment")] {
        let opts = ImportOptions { list_id: Some(id.into()), ..Default::default() };
        match ws.import(&p, &opts, |_| {}, Default::default()).await.unwrap_err() {
            tend::Error::Validation(v) => {
                assert_eq!((v[0].field.as_str(), v[0].message_key.as_str()), ("list_id", key))
            }
            other => panic!("{other:?}"),
        }
    }
    let opts = ImportOptions {
        list_id: Some(list.id.clone()),
        entity: tend::import::ImportEntity::Interactions,
        ..Default::default()
    };
    let e = ws.import(&p, &opts, |_| {}, Default::default()).await.unwrap_err();
    assert!(matches!(e, tend::Error::Validation(ref v) if v[0].message_key == "import.list_customers_only"), "{e:?}");
}
