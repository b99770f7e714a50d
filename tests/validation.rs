//! Validation tables through the real create path: field-level errors, normalisation, and
//! nothing written when anything is invalid.
mod common;
use common::*;
use tend::customers::{CustomerInput, CustomerKind, Phone};
use tend::settings::{CustomFieldInput, CustomFieldKind};
use tend::Error;

fn fields(e: Error) -> Vec<(String, String)> {
    match e {
        Error::Validation(f) => f.into_iter().map(|f| (f.field, f.message_key)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

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
    c.custom.insert(date.key.clone(), "31/12/2026".into());
    c.custom.insert("khong_co".into(), "x".into());
    let got = fields(f.ws.create_customer(&c).await.unwrap_err());
    assert_eq!(got.len(), 4, "{got:?}");
    c.custom.remove("khong_co");
    c.custom.insert(sel.key.clone(), "Spa".into());
    c.custom.insert(num.key.clone(), "12".into());
    c.custom.insert(date.key.clone(), "2026-12-31".into());
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
