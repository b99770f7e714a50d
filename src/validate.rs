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

/// A stored (E.164) number as people read it: national form for Vietnam ("091 234 56 78"),
/// international otherwise; as stored when it does not parse.
pub fn phone_display(e164: &str) -> String {
    match phonenumber::parse(None, e164) {
        Ok(n) if n.code().value() == 84 => n.format().mode(phonenumber::Mode::National).to_string(),
        Ok(n) => n.format().mode(phonenumber::Mode::International).to_string(),
        Err(_) => e164.to_string(),
    }
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
    control_free(t, false)?;
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

/// A date as a person types it, the one rule for the form, the CLI and every import (the UI's
/// `ui/src/lib/dates.ts` passes the same table of cases, `src/typed_dates.json`):
/// - day first, separated by `/`, `-`, `.` or spaces: `15/03/1985`, `5-3-85`, `15 . 03 . 1985`;
/// - year first: `1985-03-15`, `1985/3/5`;
/// - eight digits: `19850315` (year first, from 1900 on), else day first: `15031985`;
/// - a two-digit year is the one among the hundred years ending ten years after `today`'s year
///   (in 2026: `36` is 2036, `37` is 1937).
///
/// Empty text is no date (`Ok(None)`); a day that does not exist (`31/02/2024`) is an error.
pub fn typed_date(raw: &str, today: jiff::civil::Date) -> Result<Option<jiff::civil::Date>, &'static str> {
    const BAD: &str = "validation.date_invalid";
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let ymd = |y: i32, m: i32, d: i32| -> Option<jiff::civil::Date> {
        let (y, m, d) = (i16::try_from(y).ok()?, i8::try_from(m).ok()?, i8::try_from(d).ok()?);
        if y < 1 {
            return None;
        }
        jiff::civil::Date::new(y, m, d).ok()
    };
    let num = |s: &str| s.parse::<i32>().ok();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let (a, b, c) = (num(&t[..4]), num(&t[4..6]), num(&t[6..]));
        let (d, m, y) = (num(&t[..2]), num(&t[2..4]), num(&t[4..]));
        let year_first = match (a, b, c) {
            (Some(y), Some(m), Some(d)) if y >= 1900 => ymd(y, m, d),
            _ => None,
        };
        let day_first = || match (d, m, y) {
            (Some(d), Some(m), Some(y)) => ymd(y, m, d),
            _ => None,
        };
        return year_first.or_else(day_first).map(Some).ok_or(BAD);
    }
    // Groups of digits; between two groups spaces and at most one of `/`, `-`, `.`.
    let mut groups: Vec<&str> = Vec::new();
    let mut rest = t;
    loop {
        let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if end == 0 {
            return Err(BAD);
        }
        groups.push(&rest[..end]);
        rest = &rest[end..];
        if rest.is_empty() {
            break;
        }
        let sep_end = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let sep = &rest[..sep_end];
        let marks = sep.chars().filter(|c| matches!(c, '/' | '-' | '.')).count();
        if marks > 1 || sep.chars().any(|c| !(c.is_whitespace() || matches!(c, '/' | '-' | '.'))) {
            return Err(BAD);
        }
        rest = &rest[sep_end..];
    }
    let [a, b, c] = groups[..] else { return Err(BAD) };
    let (na, nb, nc) = (num(a).ok_or(BAD)?, num(b).ok_or(BAD)?, num(c).ok_or(BAD)?);
    let date = match (a.len(), b.len(), c.len()) {
        (4, 1..=2, 1..=2) => ymd(na, nb, nc),
        (1..=2, 1..=2, 4) => ymd(nc, nb, na),
        (1..=2, 1..=2, 2) => ymd(full_year(nc, i32::from(today.year())), nb, na),
        _ => None,
    };
    date.map(Some).ok_or(BAD)
}

/// A two-digit year as a full one: the year ending so among the hundred years that end ten years
/// after `this_year` (in 2026, 1937 to 2036).
pub fn full_year(yy: i32, this_year: i32) -> i32 {
    let y = this_year.div_euclid(100) * 100 + yy;
    if y > this_year + 10 {
        y - 100
    } else if y <= this_year - 90 {
        y + 100
    } else {
        y
    }
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
/// A tag: cleaned text (empty when there is none), at most 50 characters, and no comma: lists
/// of tags are written with commas (`customer set tags=a,b`, exports, imports), so a comma
/// inside one would read back as two.
pub fn tag(raw: &str) -> Result<String, &'static str> {
    let t = text(raw)?;
    if t.chars().count() > 50 {
        Err("validation.too_long")
    } else if t.contains([',', ';']) {
        Err("validation.tag_separator")
    } else {
        Ok(t)
    }
}

/// The largest amount of money, in minor units, any field holds: 10^15 (a thousand trillion
/// dong; no shop reaches it). Sums of many such amounts stay inside an i64, and every value
/// stays below 2^53, so the window's numbers hold it exactly.
pub const MAX_MONEY: i64 = 1_000_000_000_000_000;

/// An amount of money (minor units): never negative, at most [`MAX_MONEY`].
pub fn money(v: i64) -> Result<i64, &'static str> {
    if v < 0 {
        Err("validation.negative")
    } else if v > MAX_MONEY {
        Err("validation.money_too_large")
    } else {
        Ok(v)
    }
}

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

/// The one rule for every text the core stores: no control characters (NUL, bell, backspace,
/// escape, DEL, the C1 range...). A multi-line field keeps tab and line breaks; a single-line
/// field has none left to check ([`text`] turns them into spaces).
pub fn control_free(s: &str, multi_line: bool) -> Result<(), &'static str> {
    let allowed = |c: char| multi_line && matches!(c, '\t' | '\n');
    if s.chars().any(|c| c.is_control() && !allowed(c)) {
        Err("validation.control_char")
    } else {
        Ok(())
    }
}

/// Text as stored: Unicode NFC (so "Thị" typed as decomposed marks equals the composed form),
/// runs of whitespace (tabs and line breaks too) collapsed to one space, trimmed; refused when it
/// holds a control character.
pub fn text(s: &str) -> Result<String, &'static str> {
    use unicode_normalization::UnicodeNormalization;
    let t: String = s.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect();
    control_free(&t, false)?;
    Ok(t)
}

/// Multi-line text as stored: NFC, trimmed, line breaks kept (CR LF and CR become LF), tabs kept;
/// refused when it holds any other control character.
pub fn long_text(s: &str) -> Result<String, &'static str> {
    use unicode_normalization::UnicodeNormalization;
    let t: String = s.trim().replace("\r\n", "\n").replace('\r', "\n").nfc().collect();
    control_free(&t, true)?;
    Ok(t)
}

/// [`text`] of an optional field; empty or only whitespace is absent (None), for every optional
/// field alike.
pub fn opt(s: &Option<String>) -> Result<Option<String>, &'static str> {
    match s.as_deref().map(text).transpose()? {
        Some(t) if !t.is_empty() => Ok(Some(t)),
        _ => Ok(None),
    }
}

/// [`long_text`] of an optional field; empty is absent.
pub fn opt_long(s: &Option<String>) -> Result<Option<String>, &'static str> {
    match s.as_deref().map(long_text).transpose()? {
        Some(t) if !t.is_empty() => Ok(Some(t)),
        _ => Ok(None),
    }
}

/// How an input value is shown back in a message or a report: at most [`ECHO_MAX`] characters,
/// cut with an ellipsis, so a huge cell is never printed whole.
pub const ECHO_MAX: usize = 200;

pub fn echo(s: &str) -> String {
    match s.char_indices().nth(ECHO_MAX) {
        None => s.to_string(),
        Some((end, _)) => format!("{}…", &s[..end]),
    }
}

/// Money in whole units: "15.000.000", "15,000,000 đ", "15 000 000 VND", "2500000".
pub fn money_cell(v: &str) -> std::result::Result<i64, &'static str> {
    let lower = v.trim().to_lowercase();
    let t = lower.trim_end_matches(|c: char| c.is_alphabetic() || c == '₫' || c.is_whitespace() || c == '.');
    let t = t.trim_start_matches(|c: char| c.is_alphabetic() || c == '₫' || c.is_whitespace());
    let digits: String = t.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}')).collect();
    let grouped = t.split(['.', ',', ' ', '\u{a0}']).skip(1).all(|g| g.len() == 3);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || !grouped {
        return Err("validation.money_invalid");
    }
    digits.parse::<i64>().map_err(|_| "validation.money_invalid")
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
        assert_eq!(text(decomposed), Ok("Thành Thị".into()));
        assert_eq!(opt(&Some("   ".into())), Ok(None));
        assert_eq!(text("An\tB\nC\r\n"), Ok("An B C".into()));
    }

    #[test]
    fn control_characters_are_refused() {
        for bad in ["\x07\x08", "\0\0", "An\0", "\x1b[31mAn", "An\x7f", "An\u{85}x\u{9b}"] {
            assert_eq!(text(bad), Err("validation.control_char"), "{bad:?}");
            assert_eq!(long_text(bad), Err("validation.control_char"), "{bad:?}");
            assert_eq!(opt(&Some(bad.into())), Err("validation.control_char"), "{bad:?}");
        }
        assert_eq!(long_text(" a\tb\r\nc\rd "), Ok("a\tb\nc\nd".into()));
        assert_eq!(long_text("a\x0bb"), Err("validation.control_char"));
        assert_eq!(control_free("a\nb", false), Err("validation.control_char"));
        assert_eq!(control_free("a\nb", true), Ok(()));
    }

    #[test]
    fn echoed_values_are_cut() {
        assert_eq!(echo("Ánh"), "Ánh");
        let long = "ấ".repeat(5000);
        let e = echo(&long);
        assert_eq!(e.chars().count(), ECHO_MAX + 1);
        assert!(e.ends_with('…'));
    }

    /// The table of typed dates the core owns; the UI's Vitest runs the same table against
    /// `parseDateInput`, so a date means the same typed in a form or found in an import.
    #[test]
    fn typed_dates_follow_the_shared_table() {
        #[derive(serde::Deserialize)]
        struct Table {
            today: String,
            cases: Vec<Case>,
        }
        #[derive(serde::Deserialize)]
        struct Case {
            text: String,
            /// "YYYY-MM-DD", null for no date, or "invalid"
            date: Option<String>,
        }
        let table: Table = serde_json::from_str(include_str!("typed_dates.json")).expect("typed_dates.json");
        let today: jiff::civil::Date = table.today.parse().expect("today");
        assert!(table.cases.len() > 30);
        for c in table.cases {
            let got = match typed_date(&c.text, today) {
                Ok(Some(d)) => Some(d.to_string()),
                Ok(None) => None,
                Err(k) => {
                    assert_eq!(k, "validation.date_invalid");
                    Some("invalid".to_string())
                }
            };
            assert_eq!(got, c.date, "{:?}", c.text);
        }
    }

    #[test]
    fn two_digit_years_pivot_ten_years_ahead() {
        assert_eq!(full_year(36, 2026), 2036);
        assert_eq!(full_year(37, 2026), 1937);
        assert_eq!(full_year(0, 2026), 2000);
        assert_eq!(full_year(99, 2026), 1999);
        assert_eq!(full_year(5, 2095), 2105);
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
