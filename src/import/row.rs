//! One file row to one customer form: each mapped cell parsed as its field expects (dates
//! day-first, Excel serial dates, phones that lost their leading 0, money with thousands
//! separators, genders, stages and owners by their names), and every problem tied to its column.

use crate::customers::{CustomerInput, CustomerKind, Email, Gender, Phone, Source};
use crate::error::{FieldError, Result};
use crate::fold::fold;
use crate::import::mapping::{Mapping, TARGETS};
use crate::import::source::Record;
use crate::validate::money_cell;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    Ignore,
    Name,
    FamilyName,
    MiddleName,
    GivenName,
    Kind,
    Phone(String),
    Email(String),
    Address,
    Street,
    Ward,
    District,
    Province,
    TaxCode,
    ExternalId,
    Company,
    Title,
    Source,
    Owner,
    Stage,
    Tags,
    Birthday,
    Gender,
    ExpectedRevenue,
    Currency,
    Notes,
    Custom(String),
}

/// What the workspace knows that cells are matched against (stages and staff by name).
#[derive(Debug, Clone, Default)]
pub(crate) struct Lookups {
    /// folded name or id -> stage id
    pub stages: HashMap<String, String>,
    /// folded name, lower-case email or id -> staff id
    pub staff: HashMap<String, String>,
    /// custom field key -> (kind, label)
    pub fields: HashMap<String, crate::settings::CustomFieldKind>,
}

const STAGE_WORDS: &[(&str, &[&str])] = &[
    ("lead", &["lead", "tiem nang", "khach tiem nang", "moi"]),
    ("prospect", &["prospect", "dang tu van", "quan tam", "dang quan tam", "interested"]),
    ("customer", &["customer", "khach hang", "da mua"]),
    ("loyal", &["loyal", "than thiet", "trung thanh", "vip"]),
    ("churned", &["churned", "da roi bo", "roi bo", "ngung mua"]),
    ("negative", &["negative", "tieu cuc", "khong tiem nang"]),
];

impl Lookups {
    pub(crate) fn stage_words() -> impl Iterator<Item = (&'static str, &'static str)> {
        STAGE_WORDS.iter().flat_map(|(id, words)| words.iter().map(move |w| (*w, *id)))
    }
}

/// Each column's target, in column order.
pub(crate) struct Plan {
    pub targets: Vec<Target>,
    pub headers: Vec<String>,
}

/// Compiles a mapping against the file's headers. `new_field` targets must already have been
/// turned into `custom:<key>` (the import creates those fields first).
pub(crate) fn plan(headers: &[String], mapping: &Mapping, lookups: &Lookups) -> Result<Plan> {
    let mut errs = Vec::new();
    for c in &mapping.columns {
        if !headers.contains(&c.column) {
            errs.push(FieldError::new("mapping", "import.mapping_unknown_column").with("column", c.column.clone()));
        }
    }
    let targets: Vec<Target> = headers
        .iter()
        .map(|h| {
            let t = mapping.target_of(h);
            let label = h.clone();
            match t {
                "ignore" => Target::Ignore,
                "name" => Target::Name,
                "family_name" => Target::FamilyName,
                "middle_name" => Target::MiddleName,
                "given_name" => Target::GivenName,
                "kind" => Target::Kind,
                // a header that only says "phone" ("SĐT", "Di động"): the number's type labels it
                "phone" => {
                    Target::Phone(if crate::validate::generic_phone_label(&label) { String::new() } else { label })
                }
                "email" => Target::Email(label),
                "address" => Target::Address,
                "street" => Target::Street,
                "ward" => Target::Ward,
                "district" => Target::District,
                "province" => Target::Province,
                "tax_code" => Target::TaxCode,
                "external_id" => Target::ExternalId,
                "company" => Target::Company,
                "title" => Target::Title,
                "source" => Target::Source,
                "owner" => Target::Owner,
                "stage" => Target::Stage,
                "tags" => Target::Tags,
                "birthday" => Target::Birthday,
                "gender" => Target::Gender,
                "expected_revenue" => Target::ExpectedRevenue,
                "currency" => Target::Currency,
                "notes" => Target::Notes,
                other => match other.strip_prefix("custom:") {
                    Some(k) if lookups.fields.contains_key(k) => Target::Custom(k.to_string()),
                    _ => {
                        let key = if TARGETS.contains(&other) || other.starts_with("custom:") {
                            "import.mapping_unknown_field"
                        } else {
                            "import.mapping_unknown_target"
                        };
                        errs.push(
                            FieldError::new("mapping", key).with("column", h.clone()).with("target", other.to_string()),
                        );
                        Target::Ignore
                    }
                },
            }
        })
        .collect();
    let named =
        targets.iter().any(|t| matches!(t, Target::Name | Target::FamilyName | Target::GivenName | Target::Company));
    if !named && errs.is_empty() {
        errs.push(FieldError::new("mapping", "import.mapping_no_name"));
    }
    if !errs.is_empty() {
        return Err(crate::error::Error::Validation(errs));
    }
    Ok(Plan { targets, headers: headers.to_vec() })
}

/// A problem with one cell of one row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CellError {
    pub column: usize,
    pub key: String,
    pub value: String,
}

/// A row as a customer form, plus what is not a customer field.
#[derive(Debug, Default)]
pub(crate) struct Converted {
    pub input: CustomerInput,
    pub company: Option<String>,
    pub title: Option<String>,
    pub errors: Vec<CellError>,
    /// which column each form field came from: "name", "phones[1]", "custom.hang", ...
    pub origin: Vec<(String, usize)>,
}

impl Converted {
    /// The column a validation error's field came from.
    pub fn column_of(&self, field: &str) -> Option<usize> {
        let base = field.split('.').next().unwrap_or(field);
        self.origin
            .iter()
            .find(|(f, _)| f == field || f == base || field.starts_with(&format!("{f}.")))
            .map(|(_, c)| *c)
    }
}

fn set(slot: &mut Option<String>, v: &str) {
    if slot.is_none() {
        *slot = Some(v.to_string());
    }
}

/// Splits a cell holding several values ("0912 345 678; 0987 654 321", one per line, ...).
fn several(v: &str, commas: bool) -> Vec<&str> {
    v.split(|c: char| c == ';' || c == '\n' || c == '|' || (commas && c == ','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// "0912 345 678 (Di động)": a value with its label, as the export writes it. A phone's own
/// brackets ("(028) 3822 1234") are not a label: a label holds a letter.
fn with_label(v: &str) -> (&str, Option<&str>) {
    if let Some(open) = v.rfind(" (") {
        if let Some(label) = v[open + 2..].strip_suffix(')') {
            if label.chars().any(char::is_alphabetic) {
                return (v[..open].trim(), Some(label.trim()));
            }
        }
    }
    (v, None)
}

/// Phone as written; a number that lost its leading 0 in a spreadsheet gets it back.
pub fn phone_cell(v: &str) -> String {
    let t = v.trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    if t.len() == 9 && t.bytes().all(|b| b.is_ascii_digit()) && matches!(t.as_bytes()[0], b'2'..=b'9') {
        return format!("0{t}");
    }
    t.to_string()
}

/// A date cell as the text of a typed date: an Excel serial day number (31121, at most five
/// digits) becomes its date and a time of day after a date (`1985-03-15 00:00`) is dropped; the
/// rest is read by the one rule of typed dates (`validate::typed_date`), which the form uses too.
pub(crate) fn date_text(v: &str) -> std::borrow::Cow<'_, str> {
    let t = v.trim();
    if let Ok(serial) = t.parse::<u32>() {
        if (1..=2_958_465).contains(&serial) && t.len() <= 5 {
            if let Ok(d) = jiff::civil::date(1899, 12, 30).checked_add(jiff::Span::new().days(i64::from(serial))) {
                return d.to_string().into();
            }
        }
    }
    split_time(t).0.into()
}

/// A date and a time of day after it: `2025-03-15T14:30` (a `T` between digits), `15/03/2025 14:30`
/// (the last word, with a colon); a date alone has no time.
pub(crate) fn split_time(t: &str) -> (&str, &str) {
    let b = t.as_bytes();
    if let Some(i) =
        (1..b.len().saturating_sub(1)).find(|&i| b[i] == b'T' && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit())
    {
        return (&t[..i], &t[i + 1..]);
    }
    match t.rfind(char::is_whitespace) {
        Some(i) if t[i..].contains(':') => (t[..i].trim(), t[i..].trim()),
        _ => (t, ""),
    }
}

/// A date cell as YYYY-MM-DD: [`date_text`], read by `validate::typed_date` (two-digit years
/// counted from `today`, the workspace's date).
pub fn date_cell(v: &str, today: jiff::civil::Date) -> std::result::Result<String, &'static str> {
    match crate::validate::typed_date(&date_text(v), today)? {
        Some(d) => Ok(d.to_string()),
        None => Err("validation.date_invalid"),
    }
}

fn gender_cell(v: &str) -> Option<Gender> {
    match fold(v).as_str() {
        "nam" | "male" | "m" | "trai" | "anh" | "ong" => Some(Gender::Male),
        "nu" | "female" | "f" | "gai" | "chi" | "ba" => Some(Gender::Female),
        "khac" | "other" | "o" => Some(Gender::Other),
        _ => None,
    }
}

fn kind_cell(v: &str) -> Option<CustomerKind> {
    match fold(v).as_str() {
        "person" | "ca nhan" | "khach le" | "individual" => Some(CustomerKind::Person),
        "company" | "cong ty" | "doanh nghiep" | "to chuc" | "organization" | "organisation" | "business" => {
            Some(CustomerKind::Company)
        }
        _ => None,
    }
}

fn source_cell(v: &str) -> Option<Source> {
    let f = fold(v);
    Source::parse(&f).or(match f.as_str() {
        "web" | "trang web" => Some(Source::Website),
        "fb" | "messenger" => Some(Source::Facebook),
        "goi dien" | "dien thoai" | "hotline" => Some(Source::Phone),
        "gioi thieu" | "duoc gioi thieu" | "nguoi quen" => Some(Source::Referral),
        "vang lai" | "khach vang lai" | "tai cua hang" | "walk in" => Some(Source::WalkIn),
        "su kien" | "hoi cho" | "trien lam" => Some(Source::Event),
        "khac" => Some(Source::Other),
        _ => None,
    })
}

fn checkbox_cell(v: &str) -> Option<&'static str> {
    match fold(v).as_str() {
        "true" | "yes" | "y" | "x" | "1" | "co" | "dung" | "v" => Some("true"),
        "false" | "no" | "n" | "0" | "khong" | "sai" | "" => Some("false"),
        _ => None,
    }
}

/// A company name written as people write them ("Công ty TNHH ...", "Cty CP ...").
pub(crate) fn looks_like_company(name: &str) -> bool {
    let f = fold(name);
    ["cong ty ", "cty ", "doanh nghiep ", "tap doan ", "chi nhanh ", "hop tac xa "].iter().any(|p| f.starts_with(p))
        || f.split(' ').any(|w| matches!(w, "tnhh" | "jsc" | "ltd" | "co.," | "corp" | "inc"))
}

/// Converts one row. Problems with a cell that cannot even be read as its field's kind (a date
/// that is no date, a stage that does not exist) are collected; the rest is left to validation.
pub(crate) fn convert(plan: &Plan, lookups: &Lookups, record: &Record) -> Converted {
    let mut out = Converted::default();
    let mut kind: Option<CustomerKind> = None;
    let mut notes: Vec<String> = Vec::new();
    let err = |out: &mut Converted, column: usize, key: &str, value: &str| {
        out.errors.push(CellError { column, key: key.to_string(), value: value.to_string() })
    };
    for (i, target) in plan.targets.iter().enumerate() {
        let raw = record.cells.get(i).map(String::as_str).unwrap_or("");
        let v = raw.trim();
        if v.is_empty() || *target == Target::Ignore {
            continue;
        }
        let inp = &mut out.input;
        match target {
            Target::Ignore => {}
            Target::Name => {
                if inp.name.is_empty() {
                    inp.name = v.to_string();
                    out.origin.push(("name".into(), i));
                }
            }
            Target::FamilyName => {
                set(&mut inp.family_name, v);
                out.origin.push(("family_name".into(), i));
                out.origin.push(("name".into(), i));
            }
            Target::MiddleName => {
                set(&mut inp.middle_name, v);
                out.origin.push(("middle_name".into(), i));
            }
            Target::GivenName => {
                set(&mut inp.given_name, v);
                out.origin.push(("given_name".into(), i));
            }
            Target::Kind => match kind_cell(v) {
                Some(k) => kind = Some(k),
                None => err(&mut out, i, "import.kind_unknown", v),
            },
            Target::Phone(label) => {
                for p in several(v, true) {
                    let (p, own) = with_label(p);
                    out.origin.push((format!("phones[{}]", inp.phones.len()), i));
                    inp.phones.push(Phone { label: own.unwrap_or(label).to_string(), number: phone_cell(p) });
                }
            }
            Target::Email(label) => {
                for e in several(v, true) {
                    let (e, own) = with_label(e);
                    out.origin.push((format!("emails[{}]", inp.emails.len()), i));
                    inp.emails.push(Email { label: own.unwrap_or(label).to_string(), address: e.to_string() });
                }
            }
            Target::Address | Target::Street => {
                set(&mut inp.street, v);
                out.origin.push(("street".into(), i));
            }
            Target::Ward => {
                set(&mut inp.ward, v);
                out.origin.push(("ward".into(), i));
            }
            Target::District => {
                set(&mut inp.district, v);
                out.origin.push(("district".into(), i));
            }
            Target::Province => {
                set(&mut inp.province, v);
                out.origin.push(("province".into(), i));
            }
            Target::TaxCode => {
                set(&mut inp.tax_code, v);
                out.origin.push(("tax_code".into(), i));
            }
            Target::ExternalId => {
                set(&mut inp.external_id, v);
                out.origin.push(("external_id".into(), i));
            }
            Target::Company => {
                if out.company.is_none() {
                    out.company = Some(v.to_string());
                    out.origin.push(("company".into(), i));
                }
            }
            Target::Title => {
                if out.title.is_none() {
                    out.title = Some(v.to_string());
                    out.origin.push(("title".into(), i));
                }
            }
            Target::Source => match source_cell(v) {
                Some(s) => inp.source = Some(s),
                None => err(&mut out, i, "import.source_unknown", v),
            },
            Target::Owner => {
                let key = if v.contains('@') { v.to_lowercase() } else { fold(v) };
                match lookups.staff.get(&key).or_else(|| lookups.staff.get(v)) {
                    Some(id) => {
                        inp.owner_id = Some(id.clone());
                        out.origin.push(("owner_id".into(), i));
                    }
                    None => err(&mut out, i, "import.owner_unknown", v),
                }
            }
            Target::Stage => match lookups.stages.get(&fold(v)).or_else(|| lookups.stages.get(v)) {
                Some(id) => {
                    inp.stage_id = Some(id.clone());
                    out.origin.push(("stage_id".into(), i));
                }
                None => err(&mut out, i, "import.stage_unknown", v),
            },
            Target::Tags => {
                for t in several(v, true) {
                    out.origin.push((format!("tags[{}]", inp.tags.len()), i));
                    inp.tags.push(t.to_string());
                }
            }
            Target::Birthday => {
                // read by validation, with the same rule as a date typed in the form
                inp.birthday = Some(date_text(v).into_owned());
                out.origin.push(("birthday".into(), i));
            }
            Target::Gender => match gender_cell(v) {
                Some(g) => inp.gender = Some(g),
                None => err(&mut out, i, "import.gender_unknown", v),
            },
            Target::ExpectedRevenue => match money_cell(v) {
                Ok(m) => {
                    inp.expected_revenue = Some(m);
                    out.origin.push(("expected_revenue".into(), i));
                }
                Err(k) => err(&mut out, i, k, v),
            },
            Target::Currency => {
                set(&mut inp.currency, v);
                out.origin.push(("currency".into(), i));
            }
            Target::Notes => {
                notes.push(if notes.is_empty() { v.to_string() } else { format!("{}: {v}", plan.headers[i]) });
                out.origin.push(("notes".into(), i));
            }
            Target::Custom(key) => {
                use crate::settings::CustomFieldKind as K;
                let value = match lookups.fields.get(key) {
                    Some(K::Date) => date_text(v).into_owned(),
                    Some(K::Checkbox) => match checkbox_cell(v) {
                        Some(b) => b.to_string(),
                        None => {
                            err(&mut out, i, "validation.checkbox_invalid", v);
                            continue;
                        }
                    },
                    Some(K::Number) => v.replace(',', "."),
                    _ => v.to_string(),
                };
                out.input.custom.insert(key.clone(), value);
                out.origin.push((format!("custom.{key}"), i));
            }
        }
    }
    if !notes.is_empty() {
        out.input.notes = Some(notes.join("\n"));
    }
    // A row with a company but no person name is the company itself.
    let has_person = !out.input.name.is_empty() || out.input.family_name.is_some() || out.input.given_name.is_some();
    if !has_person {
        if let Some(c) = out.company.take() {
            out.input.name = c;
            if let Some(col) = out.origin.iter().find(|(f, _)| f == "company").map(|(_, c)| *c) {
                out.origin.push(("name".into(), col));
            }
            kind = kind.or(Some(CustomerKind::Company));
        }
    }
    out.input.kind =
        kind.unwrap_or(if looks_like_company(&out.input.name) { CustomerKind::Company } else { CustomerKind::Person });
    out
}

/// Header row index for messages (`"Họ tên"`), or the column number when out of range.
pub(crate) fn column_name(plan: &Plan, column: usize) -> String {
    plan.headers.get(column).cloned().unwrap_or_else(|| format!("#{}", column + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::money_cell;

    /// Cells read as typed dates (`src/typed_dates.json` has the rule's cases), besides what only
    /// spreadsheets write: serial day numbers and a time after the date.
    #[test]
    fn dates() {
        let today = jiff::civil::date(2026, 3, 15);
        for (raw, want) in [
            ("15/03/1985", "1985-03-15"),
            ("15 3 1985", "1985-03-15"),
            ("15031985", "1985-03-15"),
            ("19850315", "1985-03-15"),
            ("15/03/35", "2035-03-15"),
            ("15/03/37", "1937-03-15"),
            ("31121", "1985-03-15"),
            ("1985-03-15 00:00", "1985-03-15"),
            ("15/03/1985 14:30:00", "1985-03-15"),
            ("1985-03-15T00:00:00", "1985-03-15"),
        ] {
            assert_eq!(date_cell(raw, today).as_deref(), Ok(want), "{raw}");
        }
        for bad in ["31/02/1990", "hôm qua", "15/03", "1985-13-01", "", "0"] {
            assert!(date_cell(bad, today).is_err(), "{bad}");
        }
    }

    #[test]
    fn money() {
        assert_eq!(money_cell("15.000.000"), Ok(15_000_000));
        assert_eq!(money_cell("15,000,000 đ"), Ok(15_000_000));
        assert_eq!(money_cell("15 000 000 VND"), Ok(15_000_000));
        assert_eq!(money_cell("2500000"), Ok(2_500_000));
        assert!(money_cell("15.5").is_err());
        assert!(money_cell("abc").is_err());
    }

    #[test]
    fn phones_that_lost_their_zero() {
        assert_eq!(phone_cell("912345678"), "0912345678");
        assert_eq!(phone_cell("912345678.0"), "0912345678");
        assert_eq!(phone_cell("0912345678"), "0912345678");
        assert_eq!(phone_cell("+84912345678"), "+84912345678");
    }

    #[test]
    fn companies_by_name() {
        assert!(looks_like_company("Công ty TNHH Sao Việt"));
        assert!(looks_like_company("CÔNG TY CỔ PHẦN ABC"));
        assert!(looks_like_company("Cty CP Hoa Sen"));
        assert!(!looks_like_company("Nguyễn Văn Công"));
    }
}
