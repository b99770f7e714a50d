//! Validation tables through the real create path: field-level errors, normalisation, and
//! nothing written when anything is invalid.
mod common;
use common::*;
use tend::customers::{CustomerInput, CustomerKind, Phone};
use tend::settings::{CustomFieldInput, CustomFieldKind};
use tend::Error;

#[tokio::test]
async fn phones_in_every_written_form_normalise_to_e164() {
    let f = open().await;
    let forms = [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "0084912345678",
        "(+84) 912-345-678",
        "912345678",
        "+84 (0) 912 345 678",
        "(0912) 345678",
    ];
    for (i, form) in forms.iter().enumerate() {
        let c = f.ws.create_customer(&person(&format!("Khách {i}"), form)).await.expect(form);
        assert_eq!(c.customer.phones[0].number, "+84912345678", "{form}");
    }
    // Landlines too.
    let c = f.ws.create_customer(&person("Cửa hàng", "028 3822 1234")).await.unwrap();
    assert_eq!(c.customer.phones[0].number, "+842838221234");
}

#[tokio::test]
async fn bad_values_are_reported_per_field_and_nothing_is_written() {
    let f = open().await;
    let before = (count(&f.ws, "customers").await, count(&f.ws, "changes").await, count(&f.ws, "txs").await);
    let cases: Vec<(CustomerInput, &str, &str)> = vec![
        (person("", "0912345678"), "name", "validation.required"),
        (person("An", "12ab"), "phones[0].number", "validation.phone_invalid"),
        (person("An", "123"), "phones[0].number", "validation.phone_invalid"),
        (person("An", "0912 345 678 999 99"), "phones[0].number", "validation.phone_invalid"),
        (with_email(person("An", ""), "an@"), "emails[0].address", "validation.email_invalid"),
        (with_email(person("An", ""), "an@localhost"), "emails[0].address", "validation.email_invalid"),
        (with_email(person("An", ""), "an nguyen@x.vn"), "emails[0].address", "validation.email_invalid"),
        (
            CustomerInput { tax_code: Some("12345".into()), ..person("Cty", "") },
            "tax_code",
            "validation.tax_code_invalid",
        ),
        (
            CustomerInput { tax_code: Some("0101234567-1".into()), ..person("Cty", "") },
            "tax_code",
            "validation.tax_code_invalid",
        ),
        (
            CustomerInput { birthday: Some("2001-02-30".into()), ..person("An", "") },
            "birthday",
            "validation.date_invalid",
        ),
        (
            CustomerInput { birthday: Some("2099-01-01".into()), ..person("An", "") },
            "birthday",
            "validation.date_out_of_range",
        ),
        (CustomerInput { stage_id: Some("nope".into()), ..person("An", "") }, "stage_id", "validation.unknown_stage"),
        (CustomerInput { owner_id: Some("nobody".into()), ..person("An", "") }, "owner_id", "validation.unknown_staff"),
        (CustomerInput { expected_revenue: Some(-1), ..person("An", "") }, "expected_revenue", "validation.negative"),
        (
            CustomerInput { currency: Some("đồng".into()), ..person("An", "") },
            "currency",
            "validation.currency_invalid",
        ),
    ];
    for (input, field, key) in cases {
        let err = f.ws.create_customer(&input).await.expect_err(field);
        let got = fields(err);
        assert!(got.contains(&(field.to_string(), key.to_string())), "{field}: {got:?}");
    }
    // Several problems are reported at once, each on its own field.
    let mut many = person("", "12ab");
    many.phones.push(Phone { label: "home".into(), number: "0912345678".into() });
    many.phones.push(Phone { label: "zalo".into(), number: "+84 912 345 678".into() });
    many.tax_code = Some("x".into());
    let got = fields(f.ws.create_customer(&many).await.unwrap_err());
    assert_eq!(
        got,
        vec![
            ("name".into(), "validation.required".into()),
            ("phones[0].number".into(), "validation.phone_invalid".into()),
            ("phones[2].number".into(), "validation.phone_repeated".into()),
            ("tax_code".into(), "validation.tax_code_invalid".into()),
        ]
    );
    let after = (count(&f.ws, "customers").await, count(&f.ws, "changes").await, count(&f.ws, "txs").await);
    assert_eq!(before, after);
}

#[tokio::test]
async fn emails_and_tax_codes_are_normalised() {
    let f = open().await;
    let mut c = with_email(person("Công ty Hưng Thịnh", ""), "  KeToan@HungThinh.COM.VN ");
    c.kind = CustomerKind::Company;
    c.tax_code = Some(" 0312345678-001 ".into());
    let got = f.ws.create_customer(&c).await.unwrap().customer;
    assert_eq!(got.emails[0].address, "KeToan@hungthinh.com.vn");
    assert_eq!(got.tax_code.as_deref(), Some("0312345678-001"));
}

#[tokio::test]
async fn custom_fields_are_validated_like_built_in_ones() {
    let f = open().await;
    let sel =
        f.ws.add_custom_field(&CustomFieldInput {
            label: "Ngành nghề".into(),
            kind: CustomFieldKind::Select,
            options: vec!["Spa".into(), "Nhà hàng".into()],
            required: true,
        })
        .await
        .unwrap();
    assert_eq!(sel.key, "nganh_nghe");
    let num =
        f.ws.add_custom_field(&CustomFieldInput {
            label: "Số nhân viên".into(),
            kind: CustomFieldKind::Number,
            options: vec![],
            required: false,
        })
        .await
        .unwrap();
    let date =
        f.ws.add_custom_field(&CustomFieldInput {
            label: "Ngày ký".into(),
            kind: CustomFieldKind::Date,
            options: vec![],
            required: false,
        })
        .await
        .unwrap();
    let mut c = person("Spa Hoa Sen", "");
    let got = fields(f.ws.create_customer(&c).await.unwrap_err());
    assert_eq!(got, vec![("custom.nganh_nghe".into(), "validation.required".into())]);
    c.custom.insert(sel.key.clone(), "Karaoke".into());
    c.custom.insert(num.key.clone(), "mười".into());
    c.custom.insert(date.key.clone(), "31/02/2026".into());
    c.custom.insert("khong_co".into(), "x".into());
    let got = fields(f.ws.create_customer(&c).await.unwrap_err());
    assert_eq!(got.len(), 4, "{got:?}");
    c.custom.remove("khong_co");
    c.custom.insert(sel.key.clone(), "Spa".into());
    c.custom.insert(num.key.clone(), "12".into());
    c.custom.insert(date.key.clone(), "31/12/2026".into()); // typed as in the form: stored YYYY-MM-DD
    let saved = f.ws.create_customer(&c).await.unwrap().customer;
    assert_eq!(saved.custom.get("nganh_nghe").map(String::as_str), Some("Spa"));
    assert_eq!(saved.custom.get("ngay_ky").map(String::as_str), Some("2026-12-31"));
}

#[tokio::test]
async fn a_create_warns_about_duplicates_by_phone_email_or_tax_code() {
    let f = open().await;
    let first = f.ws.create_customer(&with_email(person("Nguyễn Văn An", "0912345678"), "an@x.vn")).await.unwrap();
    assert!(first.duplicates.is_empty());
    let second = f.ws.create_customer(&person("Anh An", "+84 912 345 678")).await.unwrap();
    assert_eq!(second.duplicates.len(), 1);
    assert_eq!(second.duplicates[0].id, first.customer.id);
    assert_eq!(second.duplicates[0].reason, "phone");
    let third = f.ws.check_duplicates(&with_email(person("X", ""), "AN@X.VN"), None).await.unwrap();
    assert_eq!(third.iter().map(|d| d.reason.as_str()).collect::<Vec<_>>(), vec!["email"]);
    // The warning comes while the rest of the form is still incomplete or wrong.
    let mut partial = person("", "0912.345.678");
    partial.birthday = Some("not a date".into());
    let early = f.ws.check_duplicates(&partial, None).await.unwrap();
    assert_eq!(early.len(), 2, "{early:?}");
    // Not a duplicate of itself when editing.
    let own = f.ws.check_duplicates(&person("Nguyễn Văn An", "0912345678"), Some(&first.customer.id)).await.unwrap();
    assert!(own.iter().all(|d| d.id != first.customer.id));
}

fn keys_of(e: Error) -> Vec<(String, String)> {
    fields(e)
}

fn note(summary: &str, body: Option<&str>) -> tend::interactions::InteractionInput {
    use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};
    InteractionInput {
        kind: InteractionKind::Note,
        channel: InteractionChannel::Other,
        direction: Direction::Internal,
        staff_id: None,
        occurred_at: None,
        summary: summary.into(),
        body: body.map(str::to_string),
        amount: None,
        currency: None,
        items: vec![],
    }
}

#[tokio::test]
async fn control_characters_are_refused_in_every_text_field_with_their_own_key() {
    let f = open().await;
    let text =
        f.ws.add_custom_field(&CustomFieldInput {
            label: "Ghi chú 2".into(),
            kind: CustomFieldKind::Text,
            options: vec![],
            required: false,
        })
        .await
        .unwrap();
    let c = f.ws.create_customer(&person("Khách có sẵn", "")).await.unwrap().customer;
    let before = (count(&f.ws, "changes").await, count(&f.ws, "txs").await);
    const BAD: &str = "validation.control_char";
    let base = || person("Khách", "");
    let cases: Vec<(CustomerInput, &str)> = vec![
        (person("\x07\x08", ""), "name"),
        (person("\0\0", ""), "name"),
        (person("An\x1b[31m", ""), "name"),
        (CustomerInput { family_name: Some("Lê\0".into()), ..base() }, "family_name"),
        (CustomerInput { given_name: Some("\x7f".into()), ..base() }, "given_name"),
        (CustomerInput { street: Some("12 Lý\x01 Thường Kiệt".into()), ..base() }, "street"),
        (CustomerInput { province: Some("Huế\u{9b}".into()), ..base() }, "province"),
        (CustomerInput { external_id: Some("KH\x0001".into()), ..base() }, "external_id"),
        (CustomerInput { tags: vec!["VIP".into(), "a\x08".into()], ..base() }, "tags[1]"),
        (CustomerInput { notes: Some("gọi lại\x07".into()), ..base() }, "notes"),
        (
            CustomerInput {
                phones: vec![Phone { label: "di\x07 động".into(), number: "0912345678".into() }],
                ..base()
            },
            "phones[0].label",
        ),
        (with_email(base(), "an\x07@x.vn"), "emails[0].address"),
        (
            CustomerInput { custom: [(text.key.clone(), "x\0y".to_string())].into_iter().collect(), ..base() },
            "custom.ghi_chu_2",
        ),
    ];
    for (input, field) in cases {
        let got = keys_of(f.ws.create_customer(&input).await.expect_err(field));
        assert!(got.contains(&(field.to_string(), BAD.to_string())), "{field}: {got:?}");
        assert!(!got.iter().any(|(_, k)| k == "validation.required"), "{field}: control is not 'required': {got:?}");
    }
    // Contacts, interactions, staff, stages, custom fields, saved mappings: the same rule.
    let contact = tend::customers::ContactInput { name: "\0".into(), ..Default::default() };
    assert_eq!(keys_of(f.ws.add_contact(&c.id, &contact).await.unwrap_err()), [("name".into(), BAD.into())]);
    let contact = tend::customers::ContactInput {
        name: "Chị Lan".into(),
        role: Some("Kế\x07 toán".into()),
        ..Default::default()
    };
    assert_eq!(keys_of(f.ws.add_contact(&c.id, &contact).await.unwrap_err()), [("role".into(), BAD.into())]);
    assert_eq!(
        keys_of(f.ws.add_interaction(&c.id, &note("Gọi\x07", None)).await.unwrap_err()),
        [("summary".into(), BAD.into())]
    );
    assert_eq!(
        keys_of(f.ws.add_interaction(&c.id, &note("Gọi", Some("xin\0chào"))).await.unwrap_err()),
        [("body".into(), BAD.into())]
    );
    let staff = tend::staff::StaffInput { name: "\x1b[2J".into(), email: None, role: tend::staff::Role::Agent };
    assert_eq!(keys_of(f.ws.add_staff(&staff).await.unwrap_err()), [("name".into(), BAD.into())]);
    assert_eq!(keys_of(f.ws.add_stage("Mới\0").await.unwrap_err()), [("name".into(), BAD.into())]);
    assert_eq!(keys_of(f.ws.rename_stage("lead", "\x07").await.unwrap_err()), [("name".into(), BAD.into())]);
    let field = CustomFieldInput {
        label: "Hạng\x07".into(),
        kind: CustomFieldKind::Select,
        options: vec!["A\nB".into()],
        required: false,
    };
    assert_eq!(
        keys_of(f.ws.add_custom_field(&field).await.unwrap_err()),
        [("label".into(), BAD.into()), ("options[0]".into(), BAD.into())]
    );
    let mapping = tend::import::Mapping::default();
    assert_eq!(keys_of(f.ws.save_mapping("Hàng\0tháng", &mapping).await.unwrap_err()), [("name".into(), BAD.into())]);
    assert_eq!(before, (count(&f.ws, "changes").await, count(&f.ws, "txs").await), "nothing was written");

    // Multi-line fields keep tabs and line breaks; single-line fields turn them into spaces.
    let mut ok = CustomerInput {
        notes: Some("dòng 1\r\n\tdòng 2".into()),
        street: Some("12\tLý Thường Kiệt\n".into()),
        ..person("Trần\tVăn\nBa", "")
    };
    ok.custom.insert(text.key.clone(), "a\tb\nc".into());
    let saved = f.ws.create_customer(&ok).await.unwrap().customer;
    assert_eq!(saved.name, "Trần Văn Ba");
    assert_eq!(saved.street.as_deref(), Some("12 Lý Thường Kiệt"));
    assert_eq!(saved.notes.as_deref(), Some("dòng 1\n\tdòng 2"));
    assert_eq!(saved.custom.get("ghi_chu_2").map(String::as_str), Some("a\tb\nc"));
    let i = f.ws.add_interaction(&c.id, &note("Gọi", Some("xin chào\n\tanh"))).await.unwrap();
    assert_eq!(i.body.as_deref(), Some("xin chào\n\tanh"));
}

#[tokio::test]
async fn an_empty_optional_field_is_absent_whatever_the_field() {
    let f = open().await;
    let input = CustomerInput {
        phones: vec![Phone { label: "mobile".into(), number: "  ".into() }],
        tax_code: Some(" ".into()),
        external_id: Some("".into()),
        birthday: Some(" ".into()),
        ..with_email(person("Khách", ""), "")
    };
    let c = f.ws.create_customer(&input).await.expect("empty phone, email and tax code are absent").customer;
    assert!(c.phones.is_empty() && c.emails.is_empty());
    assert_eq!((c.tax_code, c.external_id, c.birthday), (None, None, None));
    let mut n = note("Gọi", Some("  "));
    n.staff_id = Some("".into());
    let i = f.ws.add_interaction(&c.id, &n).await.expect("an empty staff id is absent");
    assert_eq!(i.body, None);
    let contact = tend::customers::ContactInput {
        name: "Chị Lan".into(),
        phone: Some(" ".into()),
        email: Some("".into()),
        role: Some(" ".into()),
        ..Default::default()
    };
    let k = f.ws.add_contact(&c.id, &contact).await.unwrap();
    assert_eq!((k.phone, k.email, k.role), (None, None, None));
}

#[tokio::test]
async fn an_echoed_value_is_cut_however_long_the_input() {
    let f = open().await;
    let huge = "9".repeat(5_000_000);
    let e = f.ws.create_customer(&person("An", &huge)).await.unwrap_err();
    let Error::Validation(fe) = &e else { panic!("{e:?}") };
    let v = &fe[0].params["value"];
    assert!(v.chars().count() <= tend::validate::ECHO_MAX + 1 && v.ends_with('…'), "{}", v.len());
    assert!(e.to_string().len() < 2_000, "{}", e.to_string().len());
}

#[tokio::test]
async fn a_customer_kind_is_person_or_company_and_nothing_else() {
    assert_eq!(CustomerKind::parse("company").unwrap(), CustomerKind::Company);
    assert_eq!(CustomerKind::parse("person").unwrap(), CustomerKind::Person);
    let e = CustomerKind::parse("robot").unwrap_err();
    let Error::Validation(fe) = e else { panic!() };
    assert_eq!((fe[0].field.as_str(), fe[0].params["value"].as_str()), ("kind", "robot"));
}

#[tokio::test]
async fn history_of_an_unknown_record_is_not_found_and_a_search_limit_of_zero_is_refused() {
    let f = open().await;
    assert!(matches!(f.ws.history("no-such-id").await, Err(Error::NotFound { .. })));
    assert!(f.ws.history("lead").await.is_ok(), "a built-in stage has an (empty) history");
    f.ws.create_customer(&person("An", "")).await.unwrap();
    assert_eq!(keys_of(f.ws.search("an", 0).await.unwrap_err()), [("limit".into(), "validation.positive".into())]);
    assert_eq!(f.ws.search("an", 1).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_merge_refuses_a_field_it_cannot_take() {
    let f = open().await;
    let a = f.ws.create_customer(&CustomerInput { province: Some("Huế".into()), ..person("An", "") }).await.unwrap();
    let b = f.ws.create_customer(&CustomerInput { province: Some("Hà Nội".into()), ..person("An", "") }).await.unwrap();
    let before = count(&f.ws, "txs").await;
    let e = f.ws.merge_customers(&a.customer.id, &b.customer.id, &["provnce".into()]).await.unwrap_err();
    let Error::Validation(fe) = e else { panic!() };
    assert_eq!((fe[0].field.as_str(), fe[0].message_key.as_str()), ("take", "validation.unknown_field"));
    assert_eq!(fe[0].params["value"], "provnce");
    assert!(fe[0].params["allowed"].contains("province"), "{:?}", fe[0].params);
    assert_eq!(count(&f.ws, "txs").await, before, "nothing merged");
    let r = f.ws.merge_customers(&a.customer.id, &b.customer.id, &["province".into()]).await.unwrap();
    assert_eq!(r.customer.province.as_deref(), Some("Hà Nội"));
}

#[tokio::test]
async fn demo_data_goes_into_an_empty_workspace_only() {
    let f = open().await;
    f.ws.generate_demo(10, 1).await.unwrap();
    let n = count(&f.ws, "customers").await;
    for seed in [1, 2] {
        let e = f.ws.generate_demo(10, seed).await.unwrap_err();
        assert_eq!(keys_of(e), [("workspace".into(), "demo.not_empty".into())], "seed {seed}");
    }
    assert_eq!(count(&f.ws, "customers").await, n);
    let g = open().await;
    g.ws.create_customer(&person("Khách thật", "")).await.unwrap();
    assert!(g.ws.generate_demo(10, 1).await.is_err());
    assert_eq!(count(&g.ws, "customers").await, 1);
}

/// "Today" is the workspace's date, not the UTC one: at 01:00 on 15 March in Vietnam (18:00 UTC on
/// the 14th) a birthday of 15 March is today, and the 16th is still in the future.
#[tokio::test]
async fn today_is_the_workspace_date_not_the_utc_one() {
    let f = open().await;
    f.clock.set(1_773_511_200_000); // 2026-03-14T18:00:00Z = 2026-03-15 01:00 in Asia/Ho_Chi_Minh
    assert_eq!(f.ws.time_zone().await.unwrap(), "Asia/Ho_Chi_Minh");
    assert_eq!(f.ws.today().await.unwrap(), jiff::civil::date(2026, 3, 15));
    let born = |d: &str| CustomerInput { birthday: Some(d.into()), ..person("Bé Na", "") };
    let c = f.ws.create_customer(&born("2026-03-15")).await.expect("born today in Vietnam");
    assert_eq!(c.customer.birthday.as_deref(), Some("2026-03-15"));
    let e = f.ws.create_customer(&born("2026-03-16")).await.unwrap_err();
    assert_eq!(fields(e), [("birthday".to_string(), "validation.date_out_of_range".to_string())]);
    // The same instant in a zone still on the 14th: the 15th is tomorrow there.
    f.ws.set_time_zone("America/Los_Angeles").await.unwrap();
    assert_eq!(f.ws.today().await.unwrap(), jiff::civil::date(2026, 3, 14));
    let e = f.ws.create_customer(&born("2026-03-15")).await.unwrap_err();
    assert_eq!(fields(e), [("birthday".to_string(), "validation.date_out_of_range".to_string())]);
}

#[tokio::test]
async fn old_eleven_digit_mobiles_are_converted_and_a_number_is_labelled_by_its_type() {
    let f = open().await;
    let phone = |label: &str, number: &str| Phone { label: label.into(), number: number.into() };
    let mut c = person("Trần Văn Cũ", "");
    c.phones = vec![
        phone("", "0168 812 3456"),
        phone("", "028 3822 1234"),
        phone("Zalo", "+84 129 822 2888"),
        phone("", "0912 345 678"),
    ];
    let saved = f.ws.create_customer(&c).await.unwrap().customer;
    let got: Vec<(&str, &str)> = saved.phones.iter().map(|p| (p.label.as_str(), p.number.as_str())).collect();
    assert_eq!(
        got,
        [
            ("mobile", "+84388123456"),
            ("landline", "+842838221234"),
            ("Zalo", "+84828222888"),
            ("mobile", "+84912345678")
        ]
    );
    // what the form shows as the number is typed: the old number it replaced, and the label
    let info = tend::validate::phone_info("0168 812 3456").unwrap();
    assert_eq!(
        info,
        tend::validate::PhoneInfo {
            number: "+84388123456".into(),
            label: "mobile".into(),
            renumbered_from: Some("0168 812 3456".into())
        }
    );
    let landline = tend::validate::phone_info("028 3822 1234").unwrap();
    assert_eq!((landline.label.as_str(), landline.renumbered_from), ("landline", None));
    // the old number written in another form finds the same customer
    let dup = f.ws.check_duplicates(&person("Ai Đó", "+84 168 812 3456"), None).await.unwrap();
    assert_eq!(
        dup.iter().map(|d| (d.id.as_str(), d.reason.as_str())).collect::<Vec<_>>(),
        [(saved.id.as_str(), "phone")]
    );
}
