//! The `tend` binary end to end on real workspace files.
use serde_json::Value;
use std::process::Command;

fn tend(db: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(db).args(args).output().expect("run tend");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn add_show_search_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.tend");
    let (code, c, err) = tend(
        &db,
        &["customer", "add", "--name", "Đặng Thị Ngọc Ánh", "--phone", "0912 345 678", "--email", "anh@x.vn", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    let id = c["id"].as_str().expect("id").to_string();
    assert_eq!(c["phones"][0]["number"], "+84912345678");

    let (code, hits, _) = tend(&db, &["search", "dang thi ngoc", "--limit", "5", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(hits[0]["id"], id.as_str());
    assert_eq!(hits[0]["name"], "Đặng Thị Ngọc Ánh");
    assert_eq!(hits[0]["phones"][0], "+84912345678");
    assert_eq!(hits[0]["emails"][0], "anh@x.vn");
    let (_, hits, _) = tend(&db, &["search", "345678", "--json"]);
    assert_eq!(hits.as_array().unwrap().len(), 1);

    let (code, shown, _) = tend(&db, &["customer", "show", &id, "--json"]);
    assert_eq!(code, 0);
    assert_eq!(shown["name"], "Đặng Thị Ngọc Ánh");

    let (code, h, _) = tend(&db, &["history", &id, "--json"]);
    assert_eq!(code, 0);
    let cols: Vec<&str> = h.as_array().unwrap().iter().map(|e| e["change"]["column"].as_str().unwrap()).collect();
    assert!(cols.contains(&"name") && cols.contains(&"phones"), "{cols:?}");

    // A person at a company: the company is created once and lists them as a contact.
    let (code, p, err) =
        tend(&db, &["customer", "add", "--name", "Lê Văn Hùng", "--company", "Công ty Hưng Thịnh", "--json"]);
    assert_eq!(code, 0, "{err}");
    let (_, p2, _) =
        tend(&db, &["customer", "add", "--name", "Mai Thị Lan", "--company", "cong ty hung thinh", "--json"]);
    assert_eq!(p["company_id"], p2["company_id"]);
    let (_, company, _) = tend(&db, &["customer", "show", p["company_id"].as_str().unwrap(), "--json"]);
    assert_eq!(company["contacts"].as_array().unwrap().len(), 2);

    // A duplicate is created but warned about.
    let (code, d, _) = tend(&db, &["customer", "add", "--name", "Ánh (Zalo)", "--phone", "+84912345678", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(d["duplicates"][0]["id"], id.as_str());
}

#[test]
fn invalid_input_exits_2_names_the_field_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.tend");
    let (code, _, _) = tend(&db, &["customer", "add", "--name", "Khách", "--json"]);
    assert_eq!(code, 0);
    let (_, before, _) = tend(&db, &["search", "khach", "--json"]);
    let (code, out, err) = tend(&db, &["customer", "add", "--name", "Khách 2", "--phone", "12ab", "--json"]);
    assert_eq!(code, 2);
    assert_eq!(out["error"]["kind"], "validation");
    assert_eq!(out["error"]["field"], "phones[0].number");
    assert_eq!(out["error"]["message_key"], "validation.phone_invalid");
    assert!(err.contains("phones[0].number"), "{err}");
    let (code, _, _) = tend(&db, &["customer", "add", "--name", "Cty", "--tax-code", "123", "--json"]);
    assert_eq!(code, 2);
    let (_, after, _) = tend(&db, &["search", "khach", "--json"]);
    assert_eq!(before, after);
    let (code, _, _) = tend(&db, &["customer", "show", "no-such-id", "--json"]);
    assert_eq!(code, 2);
    let (code, _, _) = tend(&db, &["customer", "add", "--kind", "robot", "--name", "x"]);
    assert_eq!(code, 2);
}

#[test]
fn demo_is_deterministic_for_a_seed_and_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.tend");
    let b = dir.path().join("b.tend");
    for db in [&a, &b] {
        let (code, s, err) = tend(db, &["demo", "--customers", "300", "--seed", "7", "--json"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(s["customers"], 300);
        assert!(s["companies"].as_i64().unwrap() > 10);
        assert!(s["interactions"].as_i64().unwrap() > 100);
    }
    let dump = |db: &std::path::Path| {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut st = conn.prepare("SELECT id, name, phones, tax_code FROM customers ORDER BY id").unwrap();
        let rows: Vec<(String, String, String, Option<String>)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows
    };
    let (ra, rb) = (dump(&a), dump(&b));
    assert_eq!(ra, rb);
    let names: String = ra.iter().map(|r| r.1.as_str()).collect::<Vec<_>>().join(" ");
    for mark in ['à', 'á', 'ả', 'ã', 'ạ', 'Đ', 'ư', 'ơ', 'ê'] {
        assert!(names.contains(mark), "no {mark} in demo names");
    }
    // Demo phones are valid VN numbers that search finds in any written form.
    let phones: Vec<Value> = serde_json::from_str(&ra[0].2).unwrap();
    let e164 = phones[0]["number"].as_str().unwrap();
    assert_eq!(tend::validate::phone(e164).as_deref(), Ok(e164));
    let national = format!("0{}", &e164[3..]);
    let (_, hits, _) = tend(&a, &["search", &national, "--json"]);
    assert!(hits.as_array().unwrap().iter().any(|h| h["id"] == ra[0].0.as_str()));
    // Demo companies have valid tax codes.
    for t in ra.iter().filter_map(|r| r.3.as_ref()) {
        assert!(tend::validate::tax_code(t).is_ok(), "{t}");
    }
}

#[test]
fn import_export_undo_backup_and_check_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.tend");
    let csv = dir.path().join("k.csv");
    std::fs::write(&csv, "Họ tên;SĐT;Email\nMai Phương;0912 000 111;\nSai Số;12ab;x@\n").unwrap();
    let rejects = dir.path().join("rej.csv");
    let (code, r, err) =
        tend(&db, &["import", "customers", csv.to_str().unwrap(), "--rejects", rejects.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((r["imported"].as_u64(), r["merged"].as_u64(), r["skipped"].as_u64()), (Some(1), Some(0), Some(0)));
    let failed = r["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["row"], 3);
    assert_eq!(failed[0]["column"], "SĐT");
    assert_eq!(failed[0]["value"], "12ab");
    assert_eq!(failed[0]["reason"], "not a valid phone number");
    assert!(rejects.exists());

    // a mapping file
    let mapping = dir.path().join("m.json");
    std::fs::write(
        &mapping,
        r#"{"columns":[{"column":"Tên KH","target":"name"},{"column":"Di động","target":"phone"}]}"#,
    )
    .unwrap();
    let other = dir.path().join("o.csv");
    std::fs::write(&other, "Tên KH,Di động\nTô Lan,0912 000 222\n").unwrap();
    let (code, r, err) =
        tend(&db, &["import", "customers", other.to_str().unwrap(), "--mapping", mapping.to_str().unwrap(), "--json"]);
    assert_eq!((code, r["imported"].as_u64()), (0, Some(1)), "{err}");
    // a bad option value and a missing file are invalid input: exit 2
    let (code, _, _) = tend(&db, &["import", "customers", "/nonexistent.csv", "--json"]);
    assert_eq!(code, 2);

    let out = dir.path().join("out.xlsx");
    let (code, r, err) = tend(&db, &["export", "customers", out.to_str().unwrap(), "--json"]);
    assert_eq!((code, r["rows"].as_u64()), (0, Some(2)), "{err}");

    let (code, r, _) = tend(&db, &["import", "undo", "--json"]);
    assert_eq!((code, r["removed"].as_u64()), (0, Some(1)));
    let (_, list, _) = tend(&db, &["import", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2);

    let copy = dir.path().join("copy.tend");
    let (code, _, err) = tend(&db, &["backup", copy.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let (code, r, _) = tend(&copy, &["check", "--full", "--json"]);
    assert_eq!((code, r["ok"].as_bool()), (0, Some(true)));
    let (code, backups, _) = tend(&db, &["backups", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(backups.as_array().unwrap().len(), 2, "one before each import");
    // restore the copy over the workspace: the replaced file is kept
    let (code, r, err) = tend(&db, &["restore", copy.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(std::path::Path::new(r["replaced_kept_as"].as_str().unwrap()).exists());
    // the whole workspace, out and into an empty one
    let archive = dir.path().join("ws.zip");
    let (code, m, err) = tend(&db, &["export", "workspace", archive.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let fresh = dir.path().join("fresh.tend");
    let (code, m2, err) = tend(&fresh, &["import", "workspace", archive.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(m["tables"], m2["tables"]);
    let (code, _, _) = tend(&fresh, &["import", "workspace", archive.to_str().unwrap(), "--json"]);
    assert_eq!(code, 2, "not into a workspace that has data");
    // duplicates and a merge
    let (_, one, _) = tend(&fresh, &["customer", "add", "--name", "Hà Anh", "--phone", "0933 111 222", "--json"]);
    let (_, two, _) = tend(&fresh, &["customer", "add", "--name", "Ha Anh", "--phone", "+84933111222", "--json"]);
    let (code, pairs, _) = tend(&fresh, &["duplicates", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(pairs[0]["a"]["id"], one["id"]);
    assert_eq!(pairs[0]["reasons"][0]["reason"], "phone");
    let (code, merged, err) =
        tend(&fresh, &["merge", one["id"].as_str().unwrap(), two["id"].as_str().unwrap(), "--take", "name", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(merged["customer"]["name"], "Ha Anh");
    let (code, _, err) = tend(&fresh, &["unmerge", merged["merge_id"].as_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    // a file that is no database fails the check with exit code 1
    let (code, _, _) = tend(&csv, &["check", "--json"]);
    assert_eq!(code, 1);
}

#[test]
fn interactions_in_and_out_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.tend");
    let customers = dir.path().join("k.csv");
    std::fs::write(&customers, "Mã KH,Họ tên,SĐT\nKH01,Mai Phương,0912 000 111\n").unwrap();
    let (code, _, err) = tend(&db, &["import", "customers", customers.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let sales = dir.path().join("ban.csv");
    std::fs::write(
        &sales,
        "Mã KH,Ngày mua,Sản phẩm,SL,Đơn giá\nKH01,02/11/2026 09:15,Áo dài,1,1.200.000\nKH77,03/11/2026,Khăn,1,90.000\n",
    )
    .unwrap();
    let (code, r, err) = tend(&db, &["import", "interactions", sales.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((r["imported"].as_u64(), r["skipped"].as_u64()), (Some(1), Some(0)));
    let failed = r["failed"].as_array().unwrap();
    assert_eq!((failed[0]["row"].as_u64(), failed[0]["column"].as_str()), (Some(3), Some("Mã KH")));
    assert_eq!(failed[0]["reason"], "no customer with this phone, email or code");
    // the same file again adds nothing
    let (_, r, _) = tend(&db, &["import", "interactions", sales.to_str().unwrap(), "--json"]);
    assert_eq!((r["imported"].as_u64(), r["skipped"].as_u64()), (Some(0), Some(1)));
    let out = dir.path().join("tuong-tac.xlsx");
    let (code, r, err) = tend(&db, &["export", "interactions", out.to_str().unwrap(), "--json"]);
    assert_eq!((code, r["rows"].as_u64()), (0, Some(1)), "{err}");
    assert!(out.exists());
    // a vCard cannot hold them: refused with the reason, exit 2
    let (code, _, err) = tend(&db, &["export", "interactions", "x.csv", "--format", "vcf"]);
    assert_eq!(code, 2, "{err}");
    // nor does a .vcf name make it write CSV into a file called .vcf
    let vcf = dir.path().join("tuong-tac.vcf");
    let (code, _, err) = tend(&db, &["export", "interactions", vcf.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("vCard") && !err.contains("export.") && !vcf.exists(), "{err}");
}

/// Run without --json: (exit code, stdout, stderr).
fn tend_text(db: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(db).args(args).output().expect("run tend");
    let s = |b: &[u8]| String::from_utf8_lossy(b).to_string();
    (out.status.code().unwrap_or(-1), s(&out.stdout), s(&out.stderr))
}

#[test]
fn bad_input_from_the_command_line_is_refused_clearly_and_empty_options_are_absent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.tend");
    // an empty --phone is absent, as an empty --email and --tax-code are
    let (code, c, err) =
        tend(&db, &["customer", "add", "--name", "An", "--phone", "", "--email", " ", "--tax-code", "", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((c["phones"].as_array().map(Vec::len), c["tax_code"].is_null()), (Some(0), true));
    let id = c["id"].as_str().unwrap().to_string();
    // control characters
    let (code, out, _) = tend(&db, &["customer", "add", "--name", "\x07\x08", "--json"]);
    assert_eq!((code, out["error"]["message_key"].as_str()), (2, Some("validation.control_char")));
    // history of an unknown record: not found
    let (code, out, _) = tend(&db, &["history", "no-such-id", "--json"]);
    assert_eq!((code, out["error"]["kind"].as_str()), (2, Some("not_found")));
    let (code, _, _) = tend(&db, &["history", &id, "--json"]);
    assert_eq!(code, 0);
    // a search limit of 0
    let (code, out, err) = tend_text(&db, &["search", "an", "--limit", "0"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("limit"), "{err}");
    // merge --take of a field that does not exist names it and the fields that do
    let (_, b, _) = tend(&db, &["customer", "add", "--name", "An", "--json"]);
    let (code, _, err) = tend_text(&db, &["merge", &id, b["id"].as_str().unwrap(), "--take", "nosuchfield"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nosuchfield") && err.contains("province"), "{err}");
    // demo on a workspace with customers: refused, nothing added, for any seed
    for seed in ["42", "7"] {
        let (code, _, err) = tend_text(&db, &["demo", "--customers", "10", "--seed", seed]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("already has") && !err.contains("demo.not_empty"), "{err}");
    }
    let (_, hits, _) = tend(&db, &["search", "a", "--limit", "50", "--json"]);
    assert_eq!(hits.as_array().unwrap().len(), 2);
}

#[test]
fn a_refused_import_records_nothing_and_a_huge_cell_is_never_printed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.tend");
    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, "just some words\nand more\n").unwrap();
    let (code, out, err) = tend(&db, &["import", "customers", garbage.to_str().unwrap(), "--format", "vcf", "--json"]);
    assert_eq!((code, out["error"]["message_key"].as_str()), (2, Some("import.not_vcard")), "{err}");
    let csv = dir.path().join("k.csv");
    let cell = "x".repeat(5 << 20);
    std::fs::write(&csv, format!("Họ tên,Ghi chú\nAn,ok\nBình,{cell}\n")).unwrap();
    let (code, out, err) =
        tend_text(&db, &["import", "customers", csv.to_str().unwrap(), "--rejects", "/no/such/dir/r.csv"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("/no/such/dir/r.csv"), "{err}");
    let (_, list, _) = tend(&db, &["import", "list", "--json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(0), "nothing recorded");
    let (code, backups, _) = tend(&db, &["backups", "--json"]);
    assert_eq!((code, backups.as_array().map(Vec::len)), (0, Some(0)), "no backup taken");
    // the 5 MB cell: the row is rejected, and neither output holds the cell
    let (code, out, err) = tend_text(&db, &["import", "customers", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 imported") && out.contains("1 rejected") && out.contains("Ghi chú"), "{out}");
    assert!(out.len() + err.len() < 10_000, "{} bytes printed", out.len() + err.len());
    let (code, out, _) = tend_text(&db, &["import", "customers", csv.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    assert!(out.len() < 20_000, "{} bytes of JSON", out.len());
}

#[test]
fn customer_edit_changes_only_the_fields_given() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("edit.tend");
    let (code, c, err) = tend(&db, &["customer", "add", "--name", "Hồ Thị Lan", "--phone", "0912 345 678", "--json"]);
    assert_eq!(code, 0, "{err}");
    let id = c["id"].as_str().unwrap().to_string();
    let (code, e, err) = tend(&db, &["customer", "edit", &id, "--province", "Huế", "--birthday", "15031985", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((e["province"].as_str(), e["birthday"].as_str()), (Some("Huế"), Some("1985-03-15")));
    assert_eq!(e["phones"][0]["number"], "+84912345678", "a field not given is kept");
    let (code, e, _) = tend(&db, &["customer", "edit", &id, "--province", "", "--json"]);
    assert_eq!(code, 0);
    assert!(e["province"].is_null(), "an empty value clears the field");
    let (code, e, _) = tend(&db, &["customer", "edit", &id, "--birthday", "31/02/1985", "--json"]);
    assert_eq!(code, 2);
    assert_eq!(e["error"]["field"], "birthday");
}

#[test]
fn customer_set_takes_field_value_pairs_validated_like_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("set.tend");
    let (code, c, err) = tend(&db, &["customer", "add", "--name", "Hồ Thị Lan", "--phone", "0912 345 678", "--json"]);
    assert_eq!(code, 0, "{err}");
    let id = c["id"].as_str().unwrap().to_string();
    let (code, e, err) = tend(
        &db,
        &[
            "customer",
            "set",
            &id,
            "province=Đà Nẵng",
            "tags=VIP, Sỉ",
            "gender=female",
            "expected_revenue=15.000.000",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!((e["province"].as_str(), e["gender"].as_str()), (Some("Đà Nẵng"), Some("female")));
    assert_eq!(e["tags"], serde_json::json!(["VIP", "Sỉ"]));
    assert_eq!(e["expected_revenue"], 15_000_000);
    assert_eq!(e["phones"][0]["number"], "+84912345678", "a field not named is kept");
    let (code, e, _) = tend(&db, &["customer", "set", &id, "province=", "phones=0987 654 321,028 3822 1234", "--json"]);
    assert_eq!(code, 0);
    assert!(e["province"].is_null(), "an empty value clears the field");
    assert_eq!(e["phones"].as_array().map(Vec::len), Some(2), "a list replaces the stored one");
    // each bad argument is named, and nothing is saved
    let (code, e, _) = tend(&db, &["customer", "set", &id, "colour=red", "gender=x", "name", "--json"]);
    assert_eq!(code, 2);
    let fields: Vec<(&str, &str)> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["message_key"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("colour", "validation.unknown_field"),
            ("gender", "validation.not_allowed"),
            ("name", "validation.field_value_expected")
        ]
    );
    // the form's own checks: a bad phone, a custom field the workspace does not have, a bad date
    let (code, e, _) =
        tend(&db, &["customer", "set", &id, "phones=123", "custom.nope=1", "birthday=31/02/1985", "--json"]);
    assert_eq!(code, 2);
    let fields: Vec<&str> =
        e["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(
        fields.contains(&"phones[0].number") && fields.contains(&"custom.nope") && fields.contains(&"birthday"),
        "{fields:?}"
    );
    let (_, shown, _) = tend(&db, &["customer", "show", &id, "--json"]);
    assert_eq!(
        (shown["phones"].as_array().map(Vec::len), shown["birthday"].as_str()),
        (Some(2), None),
        "nothing saved"
    );
}

#[test]
fn a_landline_added_from_the_command_line_is_labelled_landline_and_an_old_mobile_is_converted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.tend");
    let (code, r, err) =
        tend(&db, &["customer", "add", "--name", "Cửa hàng Hoa", "--phone", "028 3822 1234", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (r["phones"][0]["label"].as_str(), r["phones"][0]["number"].as_str()),
        (Some("landline"), Some("+842838221234"))
    );
    let (code, r, err) = tend(&db, &["customer", "add", "--name", "Bà Tư", "--phone", "0168 812 3456", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (r["phones"][0]["label"].as_str(), r["phones"][0]["number"].as_str()),
        (Some("mobile"), Some("+84388123456"))
    );
}

#[test]
fn changes_show_and_apply_carry_a_transaction_to_another_workspace_once() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tend"), dir.path().join("b.tend"));
    let (code, c, err) = tend(&a, &["customer", "add", "--name", "Vũ Thị Thu Hà", "--phone", "0905 123 456", "--json"]);
    assert_eq!(code, 0, "{err}");
    let id = c["id"].as_str().unwrap().to_string();
    let (code, txs, err) = tend(&a, &["changes", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let hlc = txs[0]["hlc"].as_str().unwrap().to_string();
    let (code, tx, err) = tend(&a, &["changes", "show", &hlc, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(tx["records"][0]["op"], "insert");
    let file = dir.path().join("tx.json");
    std::fs::write(&file, tx.to_string()).unwrap();

    let (code, applied, err) = tend(&b, &["changes", "apply", file.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(applied["applied"]["records"], 1, "{applied}");
    let (_, shown, _) = tend(&b, &["customer", "show", &id, "--json"]);
    assert_eq!(
        (shown["name"].as_str(), shown["phones"][0]["number"].as_str()),
        (Some("Vũ Thị Thu Hà"), Some("+84905123456"))
    );
    let (_, b_txs, _) = tend(&b, &["changes", "list", "--json"]);
    assert_eq!(b_txs[0]["hlc"], hlc.as_str(), "applied under its own clock");
    let (code, again, _) = tend(&b, &["changes", "apply", file.to_str().unwrap(), "--json"]);
    assert_eq!((code, again.as_str()), (0, Some("already_had")));

    // a file that is not a transaction is a clear error naming the file field, and writes nothing
    std::fs::write(&file, "{\"hlc\": 3}").unwrap();
    let (code, _, err) = tend(&b, &["changes", "apply", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("file"), "{err}");
}

#[test]
fn segments_and_settings_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.tend");
    let (code, _, err) = tend(&db, &["demo", "--customers", "300", "--seed", "3", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        r#"{"all": [{"field": "province", "op": "eq", "value": "ha noi"}, {"field": "age", "op": "gte", "value": 30}]}"#,
    )
    .unwrap();
    let (code, n, err) = tend(&db, &["segment", "count", "--rules", rules.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let count = n["count"].as_i64().expect("count");
    assert!(count > 0 && count < 300, "{n}");

    let (code, seg, err) =
        tend(&db, &["segment", "create", "--name", "Hà Nội từ 30", "--rules", rules.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let id = seg["id"].as_str().unwrap().to_string();
    let (_, list, _) = tend(&db, &["segment", "list", "--json"]);
    assert_eq!(list[0]["name"], "Hà Nội từ 30");
    assert_eq!(list[0]["count"], count);
    assert_eq!(list[0]["rules"]["all"][0]["value"], "ha noi");
    let (code, members, _) = tend(&db, &["segment", "members", &id, "--limit", "500", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(members["total"], count);
    assert_eq!(members["rows"].as_array().unwrap().len() as i64, count);
    let first = members["rows"][0]["id"].as_str().unwrap().to_string();

    let (code, fair, _) = tend(&db, &["segment", "create", "--name", "Hội chợ", "--static", "--json"]);
    assert_eq!(code, 0);
    let fair = fair["id"].as_str().unwrap().to_string();
    let (code, added, _) = tend(&db, &["segment", "add", &fair, &first, "--json"]);
    assert_eq!((code, added["added"].as_i64()), (0, Some(1)));
    let (_, members, _) = tend(&db, &["segment", "members", &fair, "--json"]);
    assert_eq!(members["rows"][0]["id"], first.as_str());
    let (code, _, _) = tend(&db, &["segment", "create", "--name", "VIP", "--preset", "vip", "--json"]);
    assert_eq!(code, 0);

    // bad rules: exit 2, the place and the reason named, nothing saved
    std::fs::write(&rules, r#"{"all": [{"field": "provice", "op": "eq", "value": "x"}]}"#).unwrap();
    let (code, e, _) = tend(&db, &["segment", "create", "--name", "Sai", "--rules", rules.to_str().unwrap(), "--json"]);
    assert_eq!(code, 2);
    assert_eq!(e["error"]["fields"][0]["field"], "rules.all[0].field");
    assert_eq!(e["error"]["fields"][0]["message_key"], "segment.unknown_field");
    let (_, list, _) = tend(&db, &["segment", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 3);
    let (code, e, _) = tend(&db, &["segment", "count", "--rules", "khong-co.json", "--json"]);
    assert_eq!(code, 2);
    assert_eq!(e["error"]["fields"][0]["message_key"], "segment.rules_unreadable");
    assert_eq!(e["error"]["fields"][0]["params"]["value"], "khong-co.json");

    // the time zone: today, ages and "within N days" follow it
    let (code, _, err) = tend(&db, &["settings", "set", "time_zone", "Europe/Berlin", "--json"]);
    assert_eq!(code, 0, "{err}");
    let (_, shown, _) = tend(&db, &["settings", "show", "--json"]);
    assert_eq!(shown["time_zone"], "Europe/Berlin");
    let (code, e, _) = tend(&db, &["settings", "set", "time_zone", "Mars/Olympus", "--json"]);
    assert_eq!(code, 2);
    assert_eq!(e["error"]["fields"][0]["field"], "time_zone");
    let (code, e, _) = tend(&db, &["settings", "set", "colour", "blue", "--json"]);
    assert_eq!(code, 2);
    assert_eq!(e["error"]["fields"][0]["message_key"], "settings.unknown_key");
}
