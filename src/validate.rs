//! Field validation shared by every entry point (DESIGN rule 6). Each function returns the
//! normalised value or the i18n key of the problem; callers attach the field name.

use phonenumber::country::Id;
use phonenumber::{Mode, Type};
use serde::Serialize;

/// Vietnam's 2018 change of the 11-digit mobile numbers to 10 digits (Ministry of Information
/// and Communications, carried out by each carrier 15/9/2018 - 30/6/2019): the old three-digit
/// network code after the trunk 0 gives way to a two-digit one; the last seven digits stay.
/// 0168 812 3456 -> 038 812 3456.
pub const RENUMBERED_2018: &[(&str, &str)] = &[
    // Viettel
    ("162", "32"),
    ("163", "33"),
    ("164", "34"),
    ("165", "35"),
    ("166", "36"),
    ("167", "37"),
    ("168", "38"),
    ("169", "39"),
    // MobiFone
    ("120", "70"),
    ("121", "79"),
    ("122", "77"),
    ("126", "76"),
    ("128", "78"),
    // VinaPhone
    ("123", "83"),
    ("124", "84"),
    ("125", "85"),
    ("127", "81"),
    ("129", "82"),
    // Vietnamobile
    ("186", "56"),
    ("188", "58"),
    // Gmobile
    ("199", "59"),
];

/// A phone number as stored (E.164), and what was written when it was an old 11-digit mobile
/// number converted to its 10-digit successor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    pub e164: String,
    pub renumbered_from: Option<String>,
}

/// Normalises a phone number written in any common form to E.164, default region Vietnam.
/// Accepts "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678", "0084912345678",
/// "(+84) 912-345-678", "912345678", "+84 (0) 912 345 678", ...
pub fn phone(raw: &str) -> Result<String, &'static str> {
    phone_number(raw).map(|n| n.e164)
}

/// [`phone`], saying when the number was an old 11-digit mobile number ("0168 812 3456",
/// "+84 168 812 3456", or "1688123456" from a spreadsheet cell that lost its 0) and was converted
/// by [`RENUMBERED_2018`].
pub fn phone_number(raw: &str) -> Result<PhoneNumber, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("validation.required");
    }
    if trimmed.chars().any(|c| !(c.is_ascii_digit() || " +-.()/".contains(c))) {
        return Err("validation.phone_invalid");
    }
    let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 8 || digits.len() > 15 {
        return Err("validation.phone_invalid");
    }
    // "+84 (0) 912..." : drop the national trunk prefix written after the country code.
    let cleaned = trimmed.replace("(0)", "");
    let valid = |c: &str| {
        phonenumber::parse(Some(Id::VN), c)
            .ok()
            .filter(phonenumber::is_valid)
            .map(|n| n.format().mode(Mode::E164).to_string())
    };
    if let Some(new) = renumbered(&cleaned).and_then(|c| valid(&c)) {
        return Ok(PhoneNumber { e164: new, renumbered_from: Some(trimmed.to_string()) });
    }
    let mut candidates = vec![cleaned.clone()];
    if !trimmed.starts_with('+') {
        if let Some(rest) = digits.strip_prefix("00") {
            candidates.push(format!("+{rest}"));
        } else if digits.starts_with("84") && digits.len() >= 11 {
            candidates.push(format!("+{digits}"));
        }
    }
    for c in candidates {
        if let Some(e164) = valid(&c) {
            return Ok(PhoneNumber { e164, renumbered_from: None });
        }
    }
    Err("validation.phone_invalid")
}

/// What a form can say about a phone number while it is typed: its stored form, the label its
/// type gives it, and the old 11-digit number it replaces (the form says it was converted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PhoneInfo {
    /// E.164
    pub number: String,
    /// "mobile", "landline", "hotline" or "" ([`phone_label`])
    pub label: String,
    pub renumbered_from: Option<String>,
}

/// [`phone_number`] and [`phone_label`] for a form.
pub fn phone_info(raw: &str) -> Result<PhoneInfo, &'static str> {
    let n = phone_number(raw)?;
    Ok(PhoneInfo { label: phone_label(&n.e164).to_string(), number: n.e164, renumbered_from: n.renumbered_from })
}

/// The 10-digit successor of an old 11-digit Vietnamese mobile number, as "+84...", or None.
/// No number in use today has ten national digits starting with an old code (service numbers
/// start 1800/1900, landlines 2), so converting never changes the meaning of a current number.
fn renumbered(cleaned: &str) -> Option<String> {
    let digits: String = cleaned.chars().filter(|c| c.is_ascii_digit()).collect();
    let national = if cleaned.trim_start().starts_with('+') {
        digits.strip_prefix("84")?
    } else if let Some(rest) = digits.strip_prefix("0084") {
        rest
    } else if let Some(rest) = digits.strip_prefix("84").filter(|r| r.len() == 10) {
        rest
    } else {
        digits.strip_prefix('0').unwrap_or(&digits)
    };
    if national.len() != 10 {
        return None;
    }
    let (code, subscriber) = national.split_at(3);
    let (_, new) = RENUMBERED_2018.iter().find(|(old, _)| *old == code)?;
    Some(format!("+84{new}{subscriber}"))
}

/// The label a number gets from its own type when nobody gave it one: "mobile", "landline",
/// "hotline" (free and shared-cost 1800/1900 lines), or "" when the type is not known.
pub fn phone_label(e164: &str) -> &'static str {
    let Ok(n) = phonenumber::parse(None, e164) else { return "" };
    match n.number_type(&phonenumber::metadata::DATABASE) {
        Type::Mobile => "mobile",
        Type::FixedLine => "landline",
        Type::TollFree | Type::PremiumRate | Type::SharedCost | Type::Uan => "hotline",
        _ => "",
    }
}

/// Whether a label only says that a value is a phone number, or what kind of line it is ("SĐT",
/// "Điện thoại", "Di động", "Mobile", "Điện thoại bàn", "Phone 2"): a column header or a vCard type
/// like these gives way to the type of the number itself ([`phone_label`]).
pub fn generic_phone_label(label: &str) -> bool {
    let f = crate::fold::fold(label);
    let f = f.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '#' || c == '.');
    matches!(
        f,
        "" | "sdt"
            | "so dt"
            | "dt"
            | "so dien thoai"
            | "dien thoai"
            | "di dong"
            | "so di dong"
            | "dtdd"
            | "dien thoai di dong"
            | "co dinh"
            | "dien thoai co dinh"
            | "dien thoai ban"
            | "may ban"
            | "so may ban"
            | "phone"
            | "phone number"
            | "mobile"
            | "mobile phone"
            | "cell"
            | "cell phone"
            | "tel"
            | "telephone"
            | "landline"
    )
}

/// Checks an email address and returns it trimmed, with the domain lowercased.
pub fn email(raw: &str) -> Result<String, &'static str> {
    let t = raw.trim();
    if t.is_empty() {
        return Err("validation.required");
    }
    let parsed = email_address::EmailAddress::parse_with_options(t, email_address::Options::default())
        .map_err(|_| "validation.email_invalid")?;
    let domain = parsed.domain();
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) || domain.starts_with('[') {
        return Err("validation.email_invalid");
    }
    Ok(format!("{}@{}", parsed.local_part(), domain.to_lowercase()))
}

/// Vietnamese tax code (mã số thuế): 10 digits, or 10 digits, "-", 3 digits (branches).
pub fn tax_code(raw: &str) -> Result<String, &'static str> {
    let t: String = raw.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let ok = match t.split_once('-') {
        None => t.len() == 10 && t.bytes().all(|b| b.is_ascii_digit()),
        Some((a, b)) => {
            a.len() == 10
                && b.len() == 3
                && a.bytes().all(|x| x.is_ascii_digit())
                && b.bytes().all(|x| x.is_ascii_digit())
        }
    };
    if ok {
        Ok(t)
    } else {
        Err("validation.tax_code_invalid")
    }
}

/// A calendar date written YYYY-MM-DD; `not_future_of` rejects dates after the given one.
pub fn date(raw: &str) -> Result<jiff::civil::Date, &'static str> {
    let t = raw.trim();
    if t.len() != 10 {
        return Err("validation.date_invalid");
    }
    t.parse::<jiff::civil::Date>().map_err(|_| "validation.date_invalid")
}

/// ISO 4217 currency code: three upper-case letters.
pub fn currency(raw: &str) -> Result<String, &'static str> {
    let t = raw.trim().to_uppercase();
    if t.len() == 3 && t.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(t)
    } else {
        Err("validation.currency_invalid")
    }
}

/// A decimal number ("12", "-3.5").
pub fn number(raw: &str) -> Result<String, &'static str> {
    let t = raw.trim();
    let ok = !t.is_empty()
        && t.parse::<f64>().map(|v| v.is_finite()).unwrap_or(false)
        && t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
    if ok {
        Ok(t.to_string())
    } else {
        Err("validation.number_invalid")
    }
}

/// Text as stored: Unicode NFC (so "Thị" typed as decomposed marks equals the composed form),
/// runs of whitespace collapsed to one space, trimmed.
pub fn text(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect()
}

/// Multi-line text as stored: NFC, trimmed, line breaks kept.
pub fn long_text(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.trim().replace("\r\n", "\n").nfc().collect()
}

/// [`text`]; empty becomes None.
pub fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(text).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_in_many_forms() {
        for raw in [
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
            " 0912345678 ",
        ] {
            assert_eq!(phone(raw), Ok("+84912345678".to_string()), "{raw}");
        }
        assert_eq!(phone("028 3822 1234"), Ok("+842838221234".to_string()));
        for bad in ["12345", "0912abc678", "09123456789012345", "+1 555", ""] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn old_eleven_digit_mobiles_become_their_ten_digit_successors() {
        for (raw, new) in [
            ("0168 812 3456", "+84388123456"),
            ("01688123456", "+84388123456"),
            ("+84 168 812 3456", "+84388123456"),
            ("+84 (0) 168 812 3456", "+84388123456"),
            ("841688123456", "+84388123456"),
            ("00841688123456", "+84388123456"),
            ("1688123456", "+84388123456"), // a spreadsheet cell that lost its 0
            ("0128.7878.888", "+84787878888"),
            ("0129 8222 888", "+84828222888"),
            ("0169 9333 999", "+84399333999"),
            ("0188 8555 888", "+84588555888"),
            ("0199 5959 999", "+84595959999"),
        ] {
            assert_eq!(
                phone_number(raw),
                Ok(PhoneNumber { e164: new.into(), renumbered_from: Some(raw.trim().into()) }),
                "{raw}"
            );
        }
        // every old code of the table, and nothing else: current numbers are left as they are
        for (old, new) in RENUMBERED_2018 {
            assert_eq!(phone(&format!("0{old}1234567")), Ok(format!("+84{new}1234567")), "0{old}");
        }
        for current in ["0912 345 678", "0388 123 456", "028 3822 1234", "1800 1234", "1900 1234"] {
            let n = phone_number(current);
            assert!(n.as_ref().is_ok_and(|n| n.renumbered_from.is_none()), "{current}: {n:?}");
        }
        // an 11-digit number under a code that was never a mobile one is still refused
        assert!(phone("0130 812 3456").is_err());
    }

    #[test]
    fn the_label_comes_from_the_type_of_the_number() {
        assert_eq!(phone_label("+84912345678"), "mobile");
        assert_eq!(phone_label("+84388123456"), "mobile");
        assert_eq!(phone_label("+842838221234"), "landline");
        assert_eq!(phone_label("+842438261234"), "landline");
        assert_eq!(phone_label("+8418001234"), "hotline");
        for generic in ["SĐT", "Số điện thoại", "Di động", "Điện thoại bàn", "Mobile", "Phone 2", "", "sdt1"]
        {
            assert!(generic_phone_label(generic), "{generic}");
        }
        for own in ["Zalo", "Nhà riêng", "Công ty", "Work phone", "Hotline", "Vợ"] {
            assert!(!generic_phone_label(own), "{own}");
        }
    }

    #[test]
    fn text_is_composed_and_collapsed() {
        let decomposed = "Tha\u{300}nh  Thi\u{323} "; // "Thành Thị" with combining marks
        assert_eq!(text(decomposed), "Thành Thị");
        assert_eq!(opt(&Some("   ".into())), None);
    }

    #[test]
    fn emails_and_tax_codes() {
        assert_eq!(email(" An.Nguyen@Gmail.COM "), Ok("An.Nguyen@gmail.com".into()));
        for bad in ["an", "an@", "@x.vn", "an@localhost", "a b@x.vn", "an@x..vn"] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert_eq!(tax_code("0101234567"), Ok("0101234567".into()));
        assert_eq!(tax_code("0101234567-001"), Ok("0101234567-001".into()));
        for bad in ["010123456", "01012345678", "0101234567-01", "01012345a7", "0101234567_001"] {
            assert!(tax_code(bad).is_err(), "{bad}");
        }
    }
}
