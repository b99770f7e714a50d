//! Customers: persons and companies, their phones, emails, address, company contacts, stage,
//! owner, tags and custom fields. Validation happens here, once, for the app, the CLI and later
//! imports (DESIGN rule 6). Delete is a tombstone; purge is explicit (rule 5).

use crate::db::new_id;
use crate::error::{Error, Errors, FieldError, Result};
use crate::settings::CustomFieldKind;
use crate::{validate, Workspace};
use serde::{Deserialize, Serialize};
use specta::Type;
use sqlx::SqliteConnection;
use std::collections::BTreeMap;

pub mod bulk;
pub(crate) mod write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    #[default]
    Person,
    Company,
}

impl CustomerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Person => "person",
            CustomerKind::Company => "company",
        }
    }
    /// A stored kind: one from a newer version (synced here) reads as a person, so the customer
    /// still opens and lists; the stored value is kept.
    pub fn read(s: &str) -> CustomerKind {
        CustomerKind::parse(s).unwrap_or(CustomerKind::Person)
    }

    /// "person" or "company"; anything else is an error naming the value.
    pub fn parse(s: &str) -> Result<CustomerKind> {
        match s {
            "person" => Ok(CustomerKind::Person),
            "company" => Ok(CustomerKind::Company),
            other => {
                Err(Error::Validation(vec![FieldError::new("kind", "validation.not_allowed").with("value", other)]))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    Other,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::Other => "other",
        }
    }
    fn parse(s: &str) -> Option<Gender> {
        match s {
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            "other" => Some(Gender::Other),
            _ => None,
        }
    }
}

str_enum!(Source {
    Website = "website",
    Facebook = "facebook",
    Zalo = "zalo",
    Phone = "phone",
    Email = "email",
    Referral = "referral",
    WalkIn = "walk_in",
    Event = "event",
    Other = "other",
});

/// A labelled phone. On input `number` is written any way; stored and returned as E.164.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct Phone {
    pub label: String,
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct Email {
    pub label: String,
    pub address: String,
}

/// What a form (or the CLI, or an import row) submits to create or update a customer.
#[derive(Debug, Clone, PartialEq, Deserialize, Type, Default)]
#[serde(default)]
pub struct CustomerInput {
    pub kind: CustomerKind,
    pub name: String,
    pub family_name: Option<String>,
    pub middle_name: Option<String>,
    pub given_name: Option<String>,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub street: Option<String>,
    pub ward: Option<String>,
    pub district: Option<String>,
    pub province: Option<String>,
    pub tax_code: Option<String>,
    pub source: Option<Source>,
    pub owner_id: Option<String>,
    pub stage_id: Option<String>,
    pub tags: Vec<String>,
    /// A date as typed (`validate::typed_date`: 15/03/1985, 1985-03-15, ...); stored YYYY-MM-DD.
    pub birthday: Option<String>,
    pub gender: Option<Gender>,
    /// Integer minor units of `currency` (VND has none).
    #[specta(type = Option<i32>)]
    pub expected_revenue: Option<i64>,
    pub currency: Option<String>,
    pub notes: Option<String>,
    /// The code another system gave this customer ("Mã KH"); files from it can name the customer by it.
    pub external_id: Option<String>,
    /// Custom field key -> value as text ("true"/"false" for checkboxes, YYYY-MM-DD for dates).
    pub custom: BTreeMap<String, String>,
}

impl CustomerInput {
    /// Sets one field from text, as a script writes it (`tend customer set ID FIELD=VALUE`; the
    /// fields are those of `STORED_COLUMNS`): an empty value clears it; `phones`, `emails` and
    /// `tags` take a comma-separated list that replaces the stored one; `custom.<key>` a custom
    /// field's value as text. The value itself is
    /// validated when the customer is saved, like the form's; this refuses only a field that does
    /// not exist and a value no field of that kind can hold, naming the field.
    pub fn set(&mut self, field: &str, value: &str) -> std::result::Result<(), FieldError> {
        let text = || Some(value.trim().to_string()).filter(|v| !v.is_empty());
        let list = || value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        let not_allowed = || FieldError::new(field, "validation.not_allowed").with("value", value);
        if let Some(key) = field.strip_prefix("custom.") {
            match text() {
                Some(v) => self.custom.insert(key.to_string(), v),
                None => self.custom.remove(key),
            };
            return Ok(());
        }
        match field {
            "kind" => self.kind = CustomerKind::parse(value.trim()).map_err(|_| not_allowed())?,
            "name" => self.name = value.trim().to_string(),
            "phones" => self.phones = list().map(|number| Phone { label: "mobile".into(), number }).collect(),
            "emails" => self.emails = list().map(|address| Email { label: String::new(), address }).collect(),
            "tags" => self.tags = list().collect(),
            "source" => {
                self.source = text().map(|v| Source::parse(&v).ok_or_else(not_allowed)).transpose()?;
            }
            "gender" => {
                self.gender = text().map(|v| Gender::parse(&v).ok_or_else(not_allowed)).transpose()?;
            }
            "expected_revenue" => {
                self.expected_revenue = text()
                    .map(|v| {
                        crate::validate::money_cell(&v).map_err(|key| FieldError::new(field, key).with("value", value))
                    })
                    .transpose()?;
            }
            _ => {
                let slot = match field {
                    "family_name" => &mut self.family_name,
                    "middle_name" => &mut self.middle_name,
                    "given_name" => &mut self.given_name,
                    "street" => &mut self.street,
                    "ward" => &mut self.ward,
                    "district" => &mut self.district,
                    "province" => &mut self.province,
                    "tax_code" => &mut self.tax_code,
                    "owner_id" => &mut self.owner_id,
                    "stage_id" => &mut self.stage_id,
                    "birthday" => &mut self.birthday,
                    "currency" => &mut self.currency,
                    "notes" => &mut self.notes,
                    "external_id" => &mut self.external_id,
                    _ => return Err(FieldError::new(field, "validation.unknown_field").with("value", field)),
                };
                *slot = text();
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Contact {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub role: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub is_decision_maker: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Type, Default)]
#[serde(default)]
pub struct ContactInput {
    pub name: String,
    pub role: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub is_decision_maker: bool,
}

/// A customer as the 360 shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Customer {
    pub id: String,
    pub kind: CustomerKind,
    pub name: String,
    pub family_name: Option<String>,
    pub middle_name: Option<String>,
    pub given_name: Option<String>,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub street: Option<String>,
    pub ward: Option<String>,
    pub district: Option<String>,
    pub province: Option<String>,
    pub tax_code: Option<String>,
    pub source: Option<Source>,
    pub owner_id: Option<String>,
    pub stage_id: Option<String>,
    pub tags: Vec<String>,
    pub birthday: Option<String>,
    pub gender: Option<Gender>,
    #[specta(type = Option<i32>)]
    pub expected_revenue: Option<i64>,
    pub currency: Option<String>,
    pub notes: Option<String>,
    pub external_id: Option<String>,
    pub custom: BTreeMap<String, String>,
    pub contacts: Vec<Contact>,
    #[specta(type = i32)]
    pub created_at: i64,
    #[specta(type = i32)]
    pub updated_at: i64,
    #[specta(type = Option<i32>)]
    pub deleted_at: Option<i64>,
}

impl Customer {
    /// The form values that would recreate this customer (for inline edit).
    pub fn to_input(&self) -> CustomerInput {
        CustomerInput {
            kind: self.kind,
            name: self.name.clone(),
            family_name: self.family_name.clone(),
            middle_name: self.middle_name.clone(),
            given_name: self.given_name.clone(),
            phones: self.phones.clone(),
            emails: self.emails.clone(),
            street: self.street.clone(),
            ward: self.ward.clone(),
            district: self.district.clone(),
            province: self.province.clone(),
            tax_code: self.tax_code.clone(),
            source: self.source,
            owner_id: self.owner_id.clone(),
            stage_id: self.stage_id.clone(),
            tags: self.tags.clone(),
            birthday: self.birthday.clone(),
            gender: self.gender,
            expected_revenue: self.expected_revenue,
            currency: self.currency.clone(),
            notes: self.notes.clone(),
            external_id: self.external_id.clone(),
            custom: self.custom.clone(),
        }
    }
}

/// Why a new customer looks like an existing one.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct DuplicateHit {
    pub id: String,
    pub name: String,
    /// "phone", "email" or "tax_code"
    pub reason: String,
    pub value: String,
}

/// The result of a create: the new record and any customers it may duplicate.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Created {
    pub customer: Customer,
    pub duplicates: Vec<DuplicateHit>,
}

/// Validated, normalised column values.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    pub(crate) kind: CustomerKind,
    pub(crate) name: String,
    pub(crate) family_name: Option<String>,
    pub(crate) middle_name: Option<String>,
    pub(crate) given_name: Option<String>,
    pub(crate) phones: Vec<Phone>,
    pub(crate) emails: Vec<Email>,
    pub(crate) street: Option<String>,
    pub(crate) ward: Option<String>,
    pub(crate) district: Option<String>,
    pub(crate) province: Option<String>,
    pub(crate) tax_code: Option<String>,
    pub(crate) source: Option<Source>,
    pub(crate) owner_id: Option<String>,
    pub(crate) stage_id: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) birthday: Option<String>,
    pub(crate) gender: Option<Gender>,
    pub(crate) expected_revenue: Option<i64>,
    pub(crate) currency: Option<String>,
    pub(crate) notes: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) custom: Vec<(String, Option<String>)>, // (field id, value)
    /// What the check changed that the user should hear about (not errors): an old 11-digit
    /// mobile number converted (`notice.phone_renumbered`, params `from`, `to`).
    pub(crate) notices: Vec<FieldError>,
}

/// A stored column's value, for either database API.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColValue {
    Text(Option<String>),
    Int(Option<i64>),
}

/// The stored columns of a customer row that come from a form, in this order (`Columns::stored`).
pub(crate) const STORED_COLUMNS: [&str; 22] = [
    "kind",
    "name",
    "family_name",
    "middle_name",
    "given_name",
    "phones",
    "emails",
    "street",
    "ward",
    "district",
    "province",
    "tax_code",
    "source",
    "owner_id",
    "stage_id",
    "tags",
    "birthday",
    "gender",
    "expected_revenue",
    "currency",
    "notes",
    "external_id",
];

impl Columns {
    /// The values of `STORED_COLUMNS`, as stored (lists as JSON).
    pub(crate) fn stored(&self) -> Result<Vec<ColValue>> {
        use ColValue::{Int, Text};
        Ok(vec![
            Text(Some(self.kind.as_str().into())),
            Text(Some(self.name.clone())),
            Text(self.family_name.clone()),
            Text(self.middle_name.clone()),
            Text(self.given_name.clone()),
            Text(Some(serde_json::to_string(&self.phones)?)),
            Text(Some(serde_json::to_string(&self.emails)?)),
            Text(self.street.clone()),
            Text(self.ward.clone()),
            Text(self.district.clone()),
            Text(self.province.clone()),
            Text(self.tax_code.clone()),
            Text(self.source.map(|s| s.as_str().into())),
            Text(self.owner_id.clone()),
            Text(self.stage_id.clone()),
            Text(Some(serde_json::to_string(&self.tags)?)),
            Text(self.birthday.clone()),
            Text(self.gender.map(|g| g.as_str().into())),
            Int(self.expected_revenue),
            Text(self.currency.clone()),
            Text(self.notes.clone()),
            Text(self.external_id.clone()),
        ])
    }

    /// The columns of values already as stored (a customer read back, or what a form was opened
    /// with): copied, not validated again. Custom values by the live fields' ids.
    pub(crate) fn as_stored(input: &CustomerInput, fields: &[crate::settings::CustomField]) -> Columns {
        let custom = fields
            .iter()
            .map(|f| (f.id.clone(), input.custom.get(&f.key).filter(|v| !v.is_empty()).cloned()))
            .collect();
        Columns {
            kind: input.kind,
            name: input.name.clone(),
            family_name: input.family_name.clone(),
            middle_name: input.middle_name.clone(),
            given_name: input.given_name.clone(),
            // a number stored without a label compares as `check` would label it now, so an
            // untouched phone is never taken for one the user changed
            phones: input
                .phones
                .iter()
                .map(|p| Phone {
                    label: if p.label.is_empty() {
                        validate::phone_label(&p.number).to_string()
                    } else {
                        p.label.clone()
                    },
                    number: p.number.clone(),
                })
                .collect(),
            emails: input.emails.clone(),
            street: input.street.clone(),
            ward: input.ward.clone(),
            district: input.district.clone(),
            province: input.province.clone(),
            tax_code: input.tax_code.clone(),
            source: input.source,
            owner_id: input.owner_id.clone(),
            stage_id: input.stage_id.clone(),
            tags: input.tags.clone(),
            birthday: input.birthday.clone(),
            gender: input.gender,
            expected_revenue: input.expected_revenue,
            currency: input.currency.clone(),
            notes: input.notes.clone(),
            external_id: input.external_id.clone(),
            custom,
            notices: vec![],
        }
    }

    /// Every field a form edits, by the name the form and its errors use (`province`, `phones`,
    /// `custom.<key>`), with its stored value: what an edit compares field by field.
    fn form_fields(&self, fields: &[crate::settings::CustomField]) -> Result<Vec<(String, ColValue)>> {
        let mut out: Vec<(String, ColValue)> =
            STORED_COLUMNS.iter().map(|c| c.to_string()).zip(self.stored()?).collect();
        for f in fields {
            let v = self.custom.iter().find(|(id, _)| id == &f.id).and_then(|(_, v)| v.clone());
            out.push((format!("custom.{}", f.key), ColValue::Text(v)));
        }
        Ok(out)
    }

    /// Identity keys used for duplicate detection.
    pub(crate) fn keys(&self) -> Vec<(String, &'static str, String)> {
        let mut out = Vec::new();
        for p in &self.phones {
            out.push((format!("p:{}", p.number), "phone", p.number.clone()));
        }
        for e in &self.emails {
            out.push((format!("e:{}", e.address.to_lowercase()), "email", e.address.clone()));
        }
        if let Some(t) = &self.tax_code {
            out.push((format!("t:{t}"), "tax_code", t.clone()));
        }
        if let Some(x) = &self.external_id {
            out.push((external_key(x), "external_id", x.clone()));
        }
        out
    }
}

/// The identity key of a customer code: codes compare without case ("kh001" is "KH001").
pub(crate) fn external_key(code: &str) -> String {
    format!("x:{}", code.to_lowercase())
}

const MAX_NAME: usize = 200;
const MAX_CODE: usize = 64;
const MAX_TEXT: usize = 20_000;

fn check_len(errs: &mut Errors, field: &str, v: &Option<String>, max: usize) {
    if let Some(s) = v {
        if s.chars().count() > max {
            errs.push(FieldError::new(field, "validation.too_long").with("max", max.to_string()));
        }
    }
}

/// What validating a customer needs to know about the workspace: live staff and stages, custom
/// fields, today. Loaded once, so a form and an import of a million rows validate the same way.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    pub(crate) staff: std::collections::HashSet<String>,
    pub(crate) stages: std::collections::HashSet<String>,
    pub(crate) fields: Vec<crate::settings::CustomField>,
    /// Today in the workspace's time zone (`settings::today_in`), never the UTC date.
    pub(crate) today: jiff::civil::Date,
}

impl Workspace {
    pub(crate) async fn rules(&self) -> Result<Rules> {
        let staff: Vec<String> =
            sqlx::query_scalar("SELECT id FROM staff WHERE deleted_at IS NULL").fetch_all(self.pool()).await?;
        let stages: Vec<String> =
            sqlx::query_scalar("SELECT id FROM stages WHERE deleted_at IS NULL").fetch_all(self.pool()).await?;
        let today = self.today().await?;
        Ok(Rules {
            staff: staff.into_iter().collect(),
            stages: stages.into_iter().collect(),
            fields: self.custom_fields().await?,
            today,
        })
    }

    /// Validates and normalises a customer form. Every problem is reported at once, per field.
    pub(crate) async fn validate_customer(&self, input: &CustomerInput) -> Result<Columns> {
        Ok(check(&self.rules().await?, input)?)
    }
}

/// Validates and normalises a customer against `rules`: every invalid field at once, or the columns.
pub(crate) fn check(rules: &Rules, input: &CustomerInput) -> std::result::Result<Columns, Errors> {
    let mut errs = Errors::default();
    let family_name = errs.field("family_name", validate::opt(&input.family_name));
    let middle_name = errs.field("middle_name", validate::opt(&input.middle_name));
    let given_name = errs.field("given_name", validate::opt(&input.given_name));
    let name_checked = validate::text(&input.name);
    let name_ok = name_checked.is_ok();
    let mut name = errs.field("name", name_checked);
    if name.is_empty() && input.kind == CustomerKind::Person {
        name =
            [&family_name, &middle_name, &given_name].iter().filter_map(|p| p.as_deref()).collect::<Vec<_>>().join(" ");
    }
    if name.is_empty() && name_ok {
        errs.push(FieldError::new("name", "validation.required"));
    } else if name.chars().count() > MAX_NAME {
        errs.push(FieldError::new("name", "validation.too_long").with("max", MAX_NAME.to_string()));
    }
    for (f, v) in [("family_name", &family_name), ("middle_name", &middle_name), ("given_name", &given_name)] {
        check_len(&mut errs, f, v, MAX_NAME);
    }

    let mut phones: Vec<Phone> = Vec::new();
    let mut notices = Vec::new();
    for (i, p) in input.phones.iter().enumerate() {
        if p.number.trim().is_empty() {
            continue; // absent: an empty row left in the form, or `--phone ""`
        }
        let mut label = errs.field(format!("phones[{i}].label"), validate::text(&p.label));
        match validate::phone_number(&p.number) {
            Ok(validate::PhoneNumber { e164: n, renumbered_from }) => {
                if phones.iter().any(|q| q.number == n) {
                    errs.push(FieldError::new(format!("phones[{i}].number"), "validation.phone_repeated"));
                } else {
                    if let Some(old) = renumbered_from {
                        let to = crate::validate::phone_display(&n);
                        notices.push(
                            FieldError::new(format!("phones[{i}].number"), "notice.phone_renumbered")
                                .with("from", old)
                                .with("to", to),
                        );
                    }
                    // no label given: the number's own type names it (a landline is no "mobile")
                    if label.is_empty() {
                        label = validate::phone_label(&n).to_string();
                    }
                    phones.push(Phone { label, number: n });
                }
            }
            Err(k) => errs.push(FieldError::new(format!("phones[{i}].number"), k).with("value", p.number.trim())),
        }
    }
    let mut emails: Vec<Email> = Vec::new();
    for (i, e) in input.emails.iter().enumerate() {
        if e.address.trim().is_empty() {
            continue; // absent, like every optional field left empty
        }
        let label = errs.field(format!("emails[{i}].label"), validate::text(&e.label));
        match validate::email(&e.address) {
            Ok(a) => {
                if emails.iter().any(|q| q.address.eq_ignore_ascii_case(&a)) {
                    errs.push(FieldError::new(format!("emails[{i}].address"), "validation.email_repeated"));
                } else {
                    emails.push(Email { label, address: a });
                }
            }
            Err(k) => errs.push(FieldError::new(format!("emails[{i}].address"), k).with("value", e.address.trim())),
        }
    }

    let tax_code = match errs.field("tax_code", validate::opt(&input.tax_code)) {
        None => None,
        Some(t) => match validate::tax_code(&t) {
            Ok(t) => Some(t),
            Err(k) => {
                errs.push(FieldError::new("tax_code", k).with("value", t));
                None
            }
        },
    };
    let external_id = errs.field("external_id", validate::opt(&input.external_id));
    check_len(&mut errs, "external_id", &external_id, MAX_CODE);
    let source = input.source;
    let owner_id = errs.field("owner_id", validate::opt(&input.owner_id));
    if let Some(o) = &owner_id {
        if !rules.staff.contains(o) {
            errs.push(FieldError::new("owner_id", "validation.unknown_staff").with("value", o.clone()));
        }
    }
    let stage_id = errs.field("stage_id", validate::opt(&input.stage_id));
    if let Some(s) = &stage_id {
        if !rules.stages.contains(s) {
            errs.push(FieldError::new("stage_id", "validation.unknown_stage").with("value", s.clone()));
        }
    }
    let mut tags: Vec<String> = Vec::new();
    for (i, t) in input.tags.iter().enumerate() {
        let t = match validate::tag(t) {
            Ok(t) => t,
            Err("validation.too_long") => {
                errs.push(FieldError::new(format!("tags[{i}]"), "validation.too_long").with("max", "50"));
                continue;
            }
            Err(k) => {
                errs.push(FieldError::new(format!("tags[{i}]"), k).with("value", t.as_str()));
                continue;
            }
        };
        if !t.is_empty() && !tags.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
            tags.push(t);
        }
    }
    let birthday = match errs.field("birthday", validate::opt(&input.birthday)) {
        None => None,
        Some(b) => match validate::typed_date(&b, rules.today).and_then(|d| d.ok_or("validation.date_invalid")) {
            Ok(d) => {
                if d > rules.today || d.year() < 1900 {
                    errs.push(FieldError::new("birthday", "validation.date_out_of_range").with("value", b));
                    None
                } else {
                    Some(d.to_string())
                }
            }
            Err(k) => {
                errs.push(FieldError::new("birthday", k).with("value", b));
                None
            }
        },
    };
    if let Some(Err(k)) = input.expected_revenue.map(validate::money) {
        errs.push(crate::interactions::money_error("expected_revenue", k));
    }
    let currency = match errs.field("currency", validate::opt(&input.currency)) {
        None if input.expected_revenue.is_some() => Some("VND".to_string()),
        None => None,
        Some(c) => match validate::currency(&c) {
            Ok(c) => Some(c),
            Err(k) => {
                errs.push(FieldError::new("currency", k).with("value", c));
                None
            }
        },
    };
    let notes = errs.field("notes", validate::opt_long(&input.notes));
    check_len(&mut errs, "notes", &notes, MAX_TEXT);
    let street = errs.field("street", validate::opt(&input.street));
    let ward = errs.field("ward", validate::opt(&input.ward));
    let district = errs.field("district", validate::opt(&input.district));
    let province = errs.field("province", validate::opt(&input.province));
    for (f, v) in [("street", &street), ("ward", &ward), ("district", &district), ("province", &province)] {
        check_len(&mut errs, f, v, MAX_NAME);
    }

    // Custom fields: validated like built-in ones.
    let fields = &rules.fields;
    let mut custom = Vec::new();
    for key in input.custom.keys() {
        if !fields.iter().any(|f| &f.key == key) {
            errs.push(FieldError::new(format!("custom.{key}"), "validation.unknown_field"));
        }
    }
    for f in fields {
        let raw = input.custom.get(&f.key).map(|s| s.trim()).unwrap_or("");
        let field = format!("custom.{}", f.key);
        if raw.is_empty() || (f.kind == CustomFieldKind::Checkbox && raw == "false" && !f.required) {
            if f.required && !(f.kind == CustomFieldKind::Checkbox && raw == "false") {
                errs.push(FieldError::new(field, "validation.required"));
            } else {
                custom.push((f.id.clone(), if raw.is_empty() { None } else { Some(raw.to_string()) }));
            }
            continue;
        }
        let checked = match f.kind {
            CustomFieldKind::Text => match validate::long_text(raw) {
                Ok(t) if t.chars().count() > MAX_TEXT => Err("validation.too_long"),
                other => other,
            },
            CustomFieldKind::Number => validate::number(raw),
            CustomFieldKind::Date => validate::typed_date(raw, rules.today)
                .and_then(|d| d.map(|d| d.to_string()).ok_or("validation.date_invalid")),
            CustomFieldKind::Select => {
                if f.options.iter().any(|o| o == raw) {
                    Ok(raw.to_string())
                } else {
                    Err("validation.not_allowed")
                }
            }
            CustomFieldKind::Checkbox => match raw {
                "true" | "false" => Ok(raw.to_string()),
                _ => Err("validation.checkbox_invalid"),
            },
        };
        match checked {
            Ok(v) => custom.push((f.id.clone(), Some(v))),
            Err(k) => errs.push(FieldError::new(field, k).with("value", raw)),
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Columns {
        kind: input.kind,
        name,
        family_name,
        middle_name,
        given_name,
        phones,
        emails,
        street,
        ward,
        district,
        province,
        tax_code,
        source,
        owner_id,
        stage_id,
        tags,
        birthday,
        gender: input.gender,
        expected_revenue: input.expected_revenue,
        currency,
        notes,
        external_id,
        custom,
        notices,
    })
}

impl Workspace {
    /// Existing customers sharing a normalised phone, email or tax code with `input`.
    pub async fn check_duplicates(&self, input: &CustomerInput, exclude_id: Option<&str>) -> Result<Vec<DuplicateHit>> {
        // Only the identity fields matter here: the rest of the form may still be incomplete.
        let mut keys = Vec::new();
        for p in &input.phones {
            if let Ok(n) = validate::phone(&p.number) {
                keys.push((format!("p:{n}"), "phone", n));
            }
        }
        for e in &input.emails {
            if let Ok(a) = validate::email(&e.address) {
                keys.push((format!("e:{}", a.to_lowercase()), "email", a));
            }
        }
        if let Some(t) = validate::opt(&input.tax_code).ok().flatten().and_then(|t| validate::tax_code(&t).ok()) {
            keys.push((format!("t:{t}"), "tax_code", t));
        }
        if let Some(x) = validate::opt(&input.external_id).ok().flatten() {
            keys.push((external_key(&x), "external_id", x));
        }
        let mut conn = self.pool().acquire().await?;
        duplicates_by_keys(&mut conn, keys, exclude_id).await
    }

    /// Creates a customer; returns it with any likely duplicates (the create is not blocked).
    pub async fn create_customer(&self, input: &CustomerInput) -> Result<Created> {
        let cols = self.validate_customer(input).await?;
        let id = new_id();
        let mut w = self.write().await?;
        let now = w.now;
        let duplicates = duplicates_of(w.conn(), &cols, None).await?;
        insert_customer(w.conn(), &id, &cols, now).await?;
        w.commit().await?;
        Ok(Created { customer: self.customer(&id).await?, duplicates })
    }

    /// Saves a form: `base` is the customer as the form was opened (`Customer::to_input`, as
    /// stored), `input` what it holds now. Only the fields the user changed (input != base) are
    /// written; the others keep whatever is stored, even if another writer (an import's merge, the
    /// CLI, sync) changed them meanwhile. When a field the user changed was also changed by someone
    /// else since (stored != base), nothing is written and `Error::EditConflict` lists those
    /// fields with their current values, so the form can show them and let the user choose.
    pub async fn update_customer(&self, id: &str, base: &CustomerInput, input: &CustomerInput) -> Result<Customer> {
        let rules = self.rules().await?;
        let new = check(&rules, input)?;
        let new_fields = new.form_fields(&rules.fields)?;
        let base_fields = Columns::as_stored(base, &rules.fields).form_fields(&rules.fields)?;
        let mut w = self.write().await?;
        let current = load_customer(w.conn(), id).await?.ok_or_else(|| Error::not_found("customer", id))?;
        if current.deleted_at.is_some() {
            // in the trash, or merged into another: restore it first (as enrolment, deals and
            // bulk changes say)
            return Err(Error::Validation(vec![
                FieldError::new("customer", "validation.customer_trashed").with("value", id)
            ]));
        }
        let current_fields = Columns::as_stored(&current.to_input(), &rules.fields).form_fields(&rules.fields)?;
        let mut changed: Vec<&str> = Vec::new();
        let mut conflicts: Vec<FieldError> = Vec::new();
        for (((field, new_v), (_, base_v)), (_, current_v)) in new_fields.iter().zip(&base_fields).zip(&current_fields)
        {
            if new_v == base_v || new_v == current_v {
                continue; // not changed by the user, or already so
            }
            if current_v == base_v {
                changed.push(field);
            } else {
                conflicts
                    .push(FieldError::new(field.clone(), "conflict.changed").with("current", shown(field, current_v)));
            }
        }
        if !conflicts.is_empty() {
            return Err(Error::EditConflict(conflicts)); // the write transaction rolls back unused
        }
        if changed.is_empty() {
            return Ok(current);
        }
        let columns: Vec<(&str, ColValue)> = STORED_COLUMNS
            .iter()
            .zip(new.stored()?)
            .filter(|(c, _)| changed.contains(c))
            .map(|(c, v)| (*c, v))
            .collect();
        let custom: Vec<(String, Option<String>)> = rules
            .fields
            .iter()
            .filter(|f| changed.contains(&format!("custom.{}", f.key).as_str()))
            .map(|f| (f.id.clone(), new.custom.iter().find(|(i, _)| i == &f.id).and_then(|(_, v)| v.clone())))
            .collect();
        let seq = live_or_trashed_seq(w.conn(), id).await?;
        write::on_handle(w.conn(), |c, fts| write::update(c, seq, id, &columns, &custom, fts)).await?;
        w.commit().await?;
        self.customer(id).await
    }

    /// Moves a customer to the trash (tombstone). It disappears from lists and search.
    pub async fn trash_customer(&self, id: &str) -> Result<()> {
        self.set_deleted(id, true).await
    }

    /// Brings a customer back from the trash.
    pub async fn restore_customer(&self, id: &str) -> Result<()> {
        self.set_deleted(id, false).await
    }

    async fn set_deleted(&self, id: &str, deleted: bool) -> Result<()> {
        let mut w = self.write().await?;
        let now = w.now;
        let seq: Option<i64> = sqlx::query_scalar(
            "UPDATE customers SET deleted_at = ? WHERE id = ? AND (deleted_at IS NULL) = ? RETURNING seq",
        )
        .bind(if deleted { Some(now) } else { None })
        .bind(id)
        .bind(deleted)
        .fetch_optional(&mut *w.conn())
        .await?;
        let seq = seq.ok_or_else(|| Error::not_found("customer", id))?;
        reindex(w.conn(), seq).await?;
        w.commit().await
    }

    /// Deletes a trashed customer for good, with its contacts, custom values, interactions, deals,
    /// care enrolments and tasks, tickets and list memberships, and the files of its tickets that
    /// no other ticket names.
    /// The purge itself is recorded (`__purged`) so other devices and the history see it.
    pub async fn purge_customer(&self, id: &str) -> Result<()> {
        let mut w = self.write().await?;
        let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM customers WHERE id = ? AND deleted_at IS NOT NULL")
            .bind(id)
            .fetch_optional(&mut *w.conn())
            .await?;
        let seq = seq.ok_or_else(|| Error::not_found("trashed customer", id))?;
        // the files its tickets' messages name, removed below when no other row names them
        let files: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT j.value ->> 'hash' FROM ticket_messages m, json_each(m.attachments) j
             WHERE m.customer_id = ? AND m.attachments IS NOT NULL AND json_valid(m.attachments)",
        )
        .bind(id)
        .fetch_all(&mut *w.conn())
        .await?;
        // every row that belongs to it, children before parents (the registry's order reversed),
        // then the customer
        for t in tend_sync::registry::TABLES.iter().rev() {
            if let Some(col) = t.customer {
                sqlx::query(&format!("DELETE FROM {} WHERE {col} = ?", t.name))
                    .bind(id)
                    .execute(&mut *w.conn())
                    .await?;
            }
        }
        sqlx::query("DELETE FROM customers WHERE id = ?").bind(id).execute(&mut *w.conn()).await?;
        write::on_handle(w.conn(), |c, fts| write::unindex(c, seq, fts)).await?;
        w.commit().await?;
        let mut unused = Vec::new();
        for hash in files.into_iter().filter(|h| crate::files::is_hash(h)) {
            let named: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM ticket_messages m, json_each(m.attachments) j
                 WHERE m.attachments IS NOT NULL AND json_valid(m.attachments) AND j.value ->> 'hash' = ?)",
            )
            .bind(&hash)
            .fetch_one(self.pool())
            .await?;
            if !named {
                unused.push(hash);
            }
        }
        let folder = crate::files::folder(self.path());
        crate::blocking("purge files", move || crate::files::remove(&folder, &unused)).await?;
        Ok(())
    }

    /// One customer with contacts and custom values (trashed ones too: the trash shows them).
    pub async fn customer(&self, id: &str) -> Result<Customer> {
        let mut conn = self.pool().acquire().await?;
        load_customer(&mut conn, id).await?.ok_or_else(|| Error::not_found("customer", id))
    }

    /// Adds a contact person to a company (or person) customer.
    pub async fn add_contact(&self, customer_id: &str, input: &ContactInput) -> Result<Contact> {
        let c = validate_contact(input)?;
        let id = new_id();
        let mut w = self.write().await?;
        let now = w.now;
        let seq = live_seq(w.conn(), customer_id).await?;
        sqlx::query(
            "INSERT INTO contacts (id, customer_id, name, role, phone, email, is_decision_maker, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(customer_id)
        .bind(&c.name)
        .bind(&c.role)
        .bind(&c.phone)
        .bind(&c.email)
        .bind(c.is_decision_maker)
        .bind(now)
        .execute(&mut *w.conn())
        .await?;
        reindex(w.conn(), seq).await?;
        w.commit().await?;
        Ok(Contact {
            id,
            customer_id: customer_id.to_string(),
            name: c.name,
            role: c.role,
            phone: c.phone,
            email: c.email,
            is_decision_maker: c.is_decision_maker,
        })
    }

    pub async fn update_contact(&self, contact_id: &str, input: &ContactInput) -> Result<Contact> {
        let c = validate_contact(input)?;
        let mut w = self.write().await?;
        let customer_id: Option<String> = sqlx::query_scalar(
            "UPDATE contacts SET name = ?, role = ?, phone = ?, email = ?, is_decision_maker = ?
             WHERE id = ? AND deleted_at IS NULL RETURNING customer_id",
        )
        .bind(&c.name)
        .bind(&c.role)
        .bind(&c.phone)
        .bind(&c.email)
        .bind(c.is_decision_maker)
        .bind(contact_id)
        .fetch_optional(&mut *w.conn())
        .await?;
        let customer_id = customer_id.ok_or_else(|| Error::not_found("contact", contact_id))?;
        let seq = live_seq(w.conn(), &customer_id).await?;
        reindex(w.conn(), seq).await?;
        w.commit().await?;
        Ok(Contact {
            id: contact_id.to_string(),
            customer_id,
            name: c.name,
            role: c.role,
            phone: c.phone,
            email: c.email,
            is_decision_maker: c.is_decision_maker,
        })
    }

    pub async fn remove_contact(&self, contact_id: &str) -> Result<()> {
        let mut w = self.write().await?;
        let now = w.now;
        let customer_id: Option<String> = sqlx::query_scalar(
            "UPDATE contacts SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL RETURNING customer_id",
        )
        .bind(now)
        .bind(contact_id)
        .fetch_optional(&mut *w.conn())
        .await?;
        let customer_id = customer_id.ok_or_else(|| Error::not_found("contact", contact_id))?;
        let seq = live_seq(w.conn(), &customer_id).await?;
        reindex(w.conn(), seq).await?;
        w.commit().await
    }
}

fn validate_contact(input: &ContactInput) -> Result<ContactInput> {
    let mut errs = Errors::default();
    let name_checked = validate::text(&input.name);
    if name_checked.as_ref().is_ok_and(|n| n.is_empty()) {
        errs.push(FieldError::new("name", "validation.required"));
    }
    let name = errs.field("name", name_checked);
    let phone = errs.field("phone", validate::opt(&input.phone)).and_then(|p| match validate::phone(&p) {
        Ok(n) => Some(n),
        Err(k) => {
            errs.push(FieldError::new("phone", k).with("value", p));
            None
        }
    });
    let email = errs.field("email", validate::opt(&input.email)).and_then(|e| match validate::email(&e) {
        Ok(a) => Some(a),
        Err(k) => {
            errs.push(FieldError::new("email", k).with("value", e));
            None
        }
    });
    let role = contact_role(&mut errs, "role", &input.role);
    errs.into_result()?;
    Ok(ContactInput { name, role, phone, email, is_decision_maker: input.is_decision_maker })
}

/// A contact's role (job title) as stored, its problems recorded under `field`.
pub(crate) fn contact_role(errs: &mut Errors, field: &str, raw: &Option<String>) -> Option<String> {
    let role = errs.field(field, validate::opt(raw));
    check_len(errs, field, &role, MAX_NAME);
    role
}

/// Writes validated columns over a stored customer (the triggers record what differs) and
/// rebuilds its search entries.
pub(crate) async fn write_update(conn: &mut SqliteConnection, seq: i64, id: &str, cols: &Columns) -> Result<()> {
    let columns = write::all_columns(cols)?;
    write::on_handle(conn, |c, fts| write::update(c, seq, id, &columns, &cols.custom, fts)).await
}

/// A stored value as a person reads it (in a conflict's message): lists one item after another.
fn shown(field: &str, v: &ColValue) -> String {
    match v {
        ColValue::Int(i) => i.map(|i| i.to_string()).unwrap_or_default(),
        ColValue::Text(None) => String::new(),
        ColValue::Text(Some(t)) => {
            let list: Option<Vec<String>> = match field {
                "phones" => {
                    serde_json::from_str::<Vec<Phone>>(t).ok().map(|l| l.into_iter().map(|p| p.number).collect())
                }
                "emails" => {
                    serde_json::from_str::<Vec<Email>>(t).ok().map(|l| l.into_iter().map(|e| e.address).collect())
                }
                "tags" => serde_json::from_str::<Vec<String>>(t).ok(),
                _ => None,
            };
            list.map(|l| l.join(", ")).unwrap_or_else(|| t.clone())
        }
    }
}

async fn live_or_trashed_seq(conn: &mut SqliteConnection, id: &str) -> Result<i64> {
    let seq: Option<i64> =
        sqlx::query_scalar("SELECT seq FROM customers WHERE id = ?").bind(id).fetch_optional(&mut *conn).await?;
    seq.ok_or_else(|| Error::not_found("customer", id))
}

async fn live_seq(conn: &mut SqliteConnection, id: &str) -> Result<i64> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM customers WHERE id = ? AND deleted_at IS NULL")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    seq.ok_or_else(|| Error::not_found("customer", id))
}

/// Inserts a validated customer with its custom values and search entries (`write::insert`).
pub(crate) async fn insert_customer(conn: &mut SqliteConnection, id: &str, cols: &Columns, now: i64) -> Result<i64> {
    write::on_handle(conn, |c, fts| write::insert(c, id, cols, &write::doc_of(cols, &[]), now, fts)).await
}

/// Rebuilds a customer's search entries (`write::reindex`).
pub(crate) async fn reindex(conn: &mut SqliteConnection, seq: i64) -> Result<()> {
    write::on_handle(conn, |c, fts| write::reindex(c, seq, fts)).await
}

async fn duplicates_of(
    conn: &mut SqliteConnection,
    cols: &Columns,
    exclude_id: Option<&str>,
) -> Result<Vec<DuplicateHit>> {
    duplicates_by_keys(conn, cols.keys(), exclude_id).await
}

async fn duplicates_by_keys(
    conn: &mut SqliteConnection,
    keys: Vec<(String, &'static str, String)>,
    exclude_id: Option<&str>,
) -> Result<Vec<DuplicateHit>> {
    let mut hits: Vec<DuplicateHit> = Vec::new();
    for (key, reason, value) in keys {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.id, c.name FROM customer_keys k JOIN customers c ON c.seq = k.customer_seq
             WHERE k.key = ? AND c.deleted_at IS NULL LIMIT 10",
        )
        .bind(&key)
        .fetch_all(&mut *conn)
        .await?;
        for (id, name) in rows {
            if Some(id.as_str()) == exclude_id || hits.iter().any(|h| h.id == id && h.reason == reason) {
                continue;
            }
            hits.push(DuplicateHit { id, name, reason: reason.to_string(), value: value.clone() });
        }
    }
    Ok(hits)
}

type CustomerRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);
type ContactRow = (String, String, Option<String>, Option<String>, Option<String>, bool);
type CustomerRow2 = (
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    Option<i64>,
    Option<String>,
);

pub(crate) async fn load_customer(conn: &mut SqliteConnection, id: &str) -> Result<Option<Customer>> {
    let a: Option<CustomerRow> = sqlx::query_as(
        "SELECT id, kind, name, family_name, middle_name, given_name, phones, emails, street, ward,
         district, province, tax_code, source, owner_id, stage_id FROM customers WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(a) = a else { return Ok(None) };
    let b: CustomerRow2 = sqlx::query_as(
        "SELECT tags, birthday, gender, expected_revenue, currency, notes, created_at, updated_at, deleted_at,
         external_id FROM customers WHERE id = ?",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let custom_rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT f.key, v.value FROM custom_values v JOIN custom_fields f ON f.id = v.field_id
         WHERE v.customer_id = ? AND f.deleted_at IS NULL",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let contacts: Vec<ContactRow> = sqlx::query_as(
        "SELECT id, name, role, phone, email, is_decision_maker FROM contacts
         WHERE customer_id = ? AND deleted_at IS NULL ORDER BY is_decision_maker DESC, created_at",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(Customer {
        id: a.0.clone(),
        kind: CustomerKind::read(&a.1),
        name: a.2,
        family_name: a.3,
        middle_name: a.4,
        given_name: a.5,
        phones: serde_json::from_str(&a.6)?,
        emails: serde_json::from_str(&a.7)?,
        street: a.8,
        ward: a.9,
        district: a.10,
        province: a.11,
        tax_code: a.12,
        source: a.13.as_deref().and_then(Source::parse),
        owner_id: a.14,
        stage_id: a.15,
        tags: serde_json::from_str(&b.0)?,
        birthday: b.1,
        gender: b.2.as_deref().and_then(Gender::parse),
        expected_revenue: b.3,
        currency: b.4,
        notes: b.5,
        external_id: b.9,
        custom: custom_rows.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect(),
        contacts: contacts
            .into_iter()
            .map(|c| Contact {
                id: c.0,
                customer_id: a.0.clone(),
                name: c.1,
                role: c.2,
                phone: c.3,
                email: c.4,
                is_decision_maker: c.5,
            })
            .collect(),
        created_at: b.6,
        updated_at: b.7,
        deleted_at: b.8,
    }))
}

impl Workspace {
    /// Creates a person who works at `company_name`, in one transaction: the company is found by
    /// its folded name (or created), and the person is added to it as a contact.
    /// Returns the person, any duplicates, and the company id.
    pub async fn create_person_at_company(
        &self,
        input: &CustomerInput,
        company_name: &str,
    ) -> Result<(Created, String)> {
        let person = self.validate_customer(input).await?;
        let company_input =
            CustomerInput { kind: CustomerKind::Company, name: company_name.to_string(), ..Default::default() };
        let company = match self.validate_customer(&company_input).await {
            Ok(c) => c,
            Err(Error::Validation(fields)) => {
                return Err(Error::Validation(
                    fields.into_iter().map(|f| FieldError { field: format!("company.{}", f.field), ..f }).collect(),
                ))
            }
            Err(e) => return Err(e),
        };
        let folded = crate::fold::fold(company_name);
        let id = new_id();
        let mut w = self.write().await?;
        let now = w.now;
        let existing: Option<(String, i64)> = sqlx::query_as(
            "SELECT id, seq FROM customers WHERE name_folded = ? AND kind = 'company' AND deleted_at IS NULL ORDER BY seq LIMIT 1",
        )
        .bind(&folded)
        .fetch_optional(&mut *w.conn())
        .await?;
        let (company_id, company_seq) = match existing {
            Some(v) => v,
            None => {
                let cid = new_id();
                let seq = insert_customer(w.conn(), &cid, &company, now).await?;
                (cid, seq)
            }
        };
        let duplicates = duplicates_of(w.conn(), &person, None).await?;
        insert_customer(w.conn(), &id, &person, now).await?;
        sqlx::query(
            "INSERT INTO contacts (id, customer_id, name, role, phone, email, is_decision_maker, created_at)
             VALUES (?, ?, ?, NULL, ?, ?, 0, ?)",
        )
        .bind(new_id())
        .bind(&company_id)
        .bind(&person.name)
        .bind(person.phones.first().map(|p| p.number.clone()))
        .bind(person.emails.first().map(|e| e.address.clone()))
        .bind(now)
        .execute(&mut *w.conn())
        .await?;
        reindex(w.conn(), company_seq).await?;
        w.commit().await?;
        Ok((Created { customer: self.customer(&id).await?, duplicates }, company_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_field_can_be_set_by_name_and_cleared() {
        for field in STORED_COLUMNS {
            let mut input = CustomerInput::default();
            let value = match field {
                "kind" => "company",
                "source" => "zalo",
                "gender" => "female",
                "expected_revenue" => "15.000.000",
                _ => "x",
            };
            input.set(field, value).unwrap_or_else(|e| panic!("{field}: {e:?}"));
            assert_ne!(input, CustomerInput::default(), "{field} was not set");
            if !matches!(field, "kind" | "name") {
                input.set(field, "").unwrap();
                assert_eq!(input, CustomerInput::default(), "{field} was not cleared");
            }
        }
        assert_eq!(CustomerInput::default().set("colour", "red").unwrap_err().message_key, "validation.unknown_field");
    }
}
