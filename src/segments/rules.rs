//! The rule format of dynamic segments, one for the UI, the CLI and storage (JSON):
//!
//! ```json
//! {"all": [{"field": "stage", "op": "in", "value": ["customer", "loyal"]},
//!          {"any": [{"field": "province", "op": "eq", "value": "Hà Nội"},
//!                   {"field": "tag", "op": "has", "value": "VIP"}]},
//!          {"field": "purchase_total", "op": "gte", "value": 5000000}]}
//! ```
//!
//! [`parse`] reads it into a [`Rule`] and refuses, naming the place (`rules.all[1].any[0].op`),
//! an unknown field, an op the field does not have, or a value of the wrong type. Which ops a field
//! has and what value each op takes is decided here once ([`Field::kind`], [`Op::value_kind`]);
//! the SQL is made from the parsed rule by `sql.rs`.

use crate::error::{Error, FieldError, Result};
use serde_json::Value;

/// Rules nest at most this deep (a rule built by hand cannot make a query SQLite refuses).
pub const MAX_DEPTH: usize = 12;
/// A list value (`in`, `not_in`) holds at most this many items.
pub const MAX_VALUES: usize = 200;
/// A rule holds at most this many conditions (its groups' children counted too).
pub const MAX_CONDITIONS: usize = 200;
/// A text value is at most this many characters.
pub const MAX_TEXT: usize = 200;
/// Ages are whole years in this range.
pub const AGE_RANGE: std::ops::RangeInclusive<f64> = 0.0..=150.0;
/// Amounts of money (minor units) and counts stay within this bound either way
/// (`validate::MAX_MONEY`: no shop reaches it, and sums of them stay far inside an i64).
pub const MAX_NUMBER: f64 = crate::validate::MAX_MONEY as f64;

/// What a rule is checked against: the workspace's custom fields and the codes its code fields
/// take (stages, staff; kinds, genders and sources are this build's own).
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// custom field key -> kind
    pub custom: std::collections::HashMap<String, crate::settings::CustomFieldKind>,
    /// stage id and name (None: a built-in stage, named by its id)
    pub stages: Vec<(String, Option<String>)>,
    /// staff id and name
    pub staff: Vec<(String, String)>,
}

impl Known {
    /// The codes a code field takes, each with the names it may be written as.
    fn codes(&self, field: &Field) -> Option<Vec<(String, Vec<String>)>> {
        let own = |all: &[&str]| all.iter().map(|c| (c.to_string(), Vec::new())).collect();
        Some(match field {
            Field::Kind => own(&["person", "company"]),
            Field::Gender => own(&["male", "female", "other"]),
            Field::Source => own(&crate::customers::Source::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            Field::Stage => self.stages.iter().map(|(id, name)| (id.clone(), name.iter().cloned().collect())).collect(),
            Field::Owner => self.staff.iter().map(|(id, name)| (id.clone(), vec![name.clone()])).collect(),
            _ => return None,
        })
    }

    /// The code `value` names (its code or one of its names, compared folded), if exactly one.
    fn code(&self, field: &Field, value: &str) -> std::result::Result<String, Vec<String>> {
        let Some(codes) = self.codes(field) else { return Ok(value.to_string()) };
        let wanted = crate::fold::fold(value);
        // the code itself first: a stage named like another stage's id still means that id
        if let Some((c, _)) = codes.iter().find(|(c, _)| crate::fold::fold(c) == wanted) {
            return Ok(c.clone());
        }
        let named: Vec<&String> = codes
            .iter()
            .filter(|(_, names)| names.iter().any(|n| crate::fold::fold(n) == wanted))
            .map(|(c, _)| c)
            .collect();
        match named.as_slice() {
            [one] => Ok((*one).clone()),
            _ => Err(codes.into_iter().map(|(c, _)| c).collect()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    All(Vec<Rule>),
    Any(Vec<Rule>),
    Cond(Cond),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    pub field: Field,
    pub op: Op,
    pub value: Arg,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Kind,
    Stage,
    Owner,
    Province,
    District,
    Source,
    Gender,
    Tag,
    Age,
    BirthdayMonth,
    PurchaseCount,
    PurchaseTotal,
    LastPurchaseAt,
    LastInteractionAt,
    CreatedAt,
    /// `custom.<key>`: a custom field, by key (its kind is looked up when the rule is compiled).
    Custom(String),
    Segment,
    /// The helpdesk: open tickets, when the last ticket was opened ("tickets within N days" is
    /// `within_days N` on it), the last CSAT answer.
    OpenTickets,
    LastTicketAt,
    LastCsat,
    /// Profile completeness (`empty` / `not_empty`): shops clean their data with them.
    Email,
    Phone,
    TaxCode,
    Address,
}

/// What a field holds, which decides its ops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A code or a text (compared folded: "ha noi" equals "Hà Nội").
    Text,
    /// A customer's tags.
    Tags,
    Number,
    /// An instant (UTC ms) compared by local days of the workspace zone.
    Instant,
    /// A date without a time (a custom date field).
    Date,
    /// Yes or no (a custom checkbox).
    Flag,
    Segment,
    /// Only whether the profile has it (`empty` / `not_empty`).
    Presence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    In,
    NotIn,
    Has,
    NotHas,
    Contains,
    Gte,
    Lte,
    Between,
    Before,
    After,
    WithinDays,
    NotWithinDays,
    Empty,
    NotEmpty,
}

/// A condition's value, as its op takes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    None,
    Text(String),
    Texts(Vec<String>),
    Number(f64),
    Numbers(Vec<f64>),
    /// Two bounds, inclusive.
    Range(f64, f64),
    /// A local day (`YYYY-MM-DD`) or an instant (RFC 3339), as written.
    When(String),
    WhenRange(String, String),
    Days(i64),
    Flag(bool),
}

pub const FIELDS: &[&str] = &[
    "kind",
    "stage",
    "owner",
    "province",
    "district",
    "source",
    "gender",
    "tag",
    "age",
    "birthday_month",
    "purchase_count",
    "purchase_total",
    "last_purchase_at",
    "last_interaction_at",
    "created_at",
    "custom.<key>",
    "segment",
    "open_tickets",
    "last_ticket_at",
    "last_csat",
    "email",
    "phone",
    "tax_code",
    "address",
];

pub const OPS: &[&str] = &[
    "eq",
    "ne",
    "in",
    "not_in",
    "has",
    "not_has",
    "contains",
    "gte",
    "lte",
    "between",
    "before",
    "after",
    "within_days",
    "not_within_days",
    "empty",
    "not_empty",
];

impl Field {
    fn parse(s: &str) -> Option<Field> {
        Some(match s {
            "kind" => Field::Kind,
            "stage" => Field::Stage,
            "owner" => Field::Owner,
            "province" => Field::Province,
            "district" => Field::District,
            "source" => Field::Source,
            "gender" => Field::Gender,
            "tag" => Field::Tag,
            "age" => Field::Age,
            "birthday_month" => Field::BirthdayMonth,
            "purchase_count" => Field::PurchaseCount,
            "purchase_total" => Field::PurchaseTotal,
            "last_purchase_at" => Field::LastPurchaseAt,
            "last_interaction_at" => Field::LastInteractionAt,
            "created_at" => Field::CreatedAt,
            "segment" => Field::Segment,
            "open_tickets" => Field::OpenTickets,
            "last_ticket_at" => Field::LastTicketAt,
            "last_csat" => Field::LastCsat,
            "email" => Field::Email,
            "phone" => Field::Phone,
            "tax_code" => Field::TaxCode,
            "address" => Field::Address,
            s => match s.strip_prefix("custom.") {
                Some(key) if !key.is_empty() => Field::Custom(key.to_string()),
                _ => return None,
            },
        })
    }

    /// The field's kind; a custom field's comes from its definition (`custom` is that kind).
    pub fn kind(&self, custom: Option<crate::settings::CustomFieldKind>) -> FieldKind {
        use crate::settings::CustomFieldKind as C;
        match self {
            Field::Kind | Field::Stage | Field::Owner | Field::Province | Field::District | Field::Source => {
                FieldKind::Text
            }
            Field::Gender => FieldKind::Text,
            Field::Tag => FieldKind::Tags,
            Field::Age | Field::BirthdayMonth | Field::PurchaseCount | Field::PurchaseTotal => FieldKind::Number,
            Field::LastPurchaseAt | Field::LastInteractionAt | Field::CreatedAt => FieldKind::Instant,
            Field::Segment => FieldKind::Segment,
            Field::OpenTickets | Field::LastCsat => FieldKind::Number,
            Field::LastTicketAt => FieldKind::Instant,
            Field::Email | Field::Phone | Field::TaxCode | Field::Address => FieldKind::Presence,
            Field::Custom(_) => match custom {
                Some(C::Number) => FieldKind::Number,
                Some(C::Date) => FieldKind::Date,
                Some(C::Checkbox) => FieldKind::Flag,
                Some(C::Text) | Some(C::Select) | None => FieldKind::Text,
            },
        }
    }
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "in" => Op::In,
            "not_in" => Op::NotIn,
            "has" => Op::Has,
            "not_has" => Op::NotHas,
            "contains" => Op::Contains,
            "gte" => Op::Gte,
            "lte" => Op::Lte,
            "between" => Op::Between,
            "before" => Op::Before,
            "after" => Op::After,
            "within_days" => Op::WithinDays,
            "not_within_days" => Op::NotWithinDays,
            "empty" => Op::Empty,
            "not_empty" => Op::NotEmpty,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        OPS[self as usize]
    }

    /// The ops a kind of field has.
    pub fn of(kind: FieldKind) -> &'static [Op] {
        use Op::*;
        match kind {
            FieldKind::Text => &[Eq, Ne, In, NotIn, Contains, Empty, NotEmpty],
            FieldKind::Tags => &[Has, NotHas, In, NotIn, Empty, NotEmpty],
            FieldKind::Number => &[Eq, Ne, In, NotIn, Gte, Lte, Between, Empty, NotEmpty],
            FieldKind::Instant | FieldKind::Date => {
                &[Before, After, Between, WithinDays, NotWithinDays, Empty, NotEmpty]
            }
            FieldKind::Flag => &[Eq, Ne, Empty, NotEmpty],
            FieldKind::Segment => &[In, NotIn, Eq, Ne],
            FieldKind::Presence => &[Empty, NotEmpty],
        }
    }
}

/// A field a rule can name, what it holds and its ops: what the rule editor offers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, specta::Type)]
pub struct FieldSpec {
    /// As written in rules: `stage`, `custom.<key>`...
    pub field: String,
    /// text, tags, number, money, instant, date, flag, segment
    pub kind: String,
    pub ops: Vec<String>,
}

/// Every field of the rule format with its ops, the workspace's custom fields included.
pub fn catalog(custom: &[(String, crate::settings::CustomFieldKind)]) -> Vec<FieldSpec> {
    let kind_name = |f: &Field, k: FieldKind| match k {
        FieldKind::Number if *f == Field::PurchaseTotal => "money",
        FieldKind::Text => "text",
        FieldKind::Tags => "tags",
        FieldKind::Number => "number",
        FieldKind::Instant => "instant",
        FieldKind::Date => "date",
        FieldKind::Flag => "flag",
        FieldKind::Segment => "segment",
        FieldKind::Presence => "presence",
    };
    let spec = |name: String, f: Field, custom_kind| {
        let k = f.kind(custom_kind);
        FieldSpec {
            field: name,
            kind: kind_name(&f, k).into(),
            ops: Op::of(k).iter().map(|o| o.name().into()).collect(),
        }
    };
    let mut out: Vec<FieldSpec> = FIELDS
        .iter()
        .filter(|n| !n.starts_with("custom."))
        .filter_map(|n| Field::parse(n).map(|f| spec(n.to_string(), f, None)))
        .collect();
    out.extend(custom.iter().map(|(key, kind)| spec(format!("custom.{key}"), Field::Custom(key.clone()), Some(*kind))));
    out
}

fn invalid(path: &str, key: &str) -> FieldError {
    FieldError::new(path, key)
}

/// Reads `rules`, checked against what the workspace `known`s: its custom fields and codes.
pub fn parse(rules: &Value, known: &Known) -> Result<Rule> {
    let mut errs = Vec::new();
    let mut conditions = 0;
    let rule = node(rules, "rules", 0, known, &mut conditions, &mut errs);
    if conditions > MAX_CONDITIONS {
        errs.push(invalid("rules", "segment.too_many_conditions").with("max", MAX_CONDITIONS.to_string()));
    }
    match rule {
        Some(r) if errs.is_empty() => Ok(r),
        _ => {
            if errs.is_empty() {
                errs.push(invalid("rules", "segment.rule_invalid"));
            }
            Err(Error::Validation(errs))
        }
    }
}

/// Reads rules given as JSON text (a byte order mark before it, as Notepad writes, is skipped).
pub fn parse_text(text: &str, known: &Known) -> Result<Rule> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Error::Validation(vec![invalid("rules", "segment.not_json").with("detail", e.to_string())]))?;
    parse(&value, known)
}

fn node(
    v: &Value,
    path: &str,
    depth: usize,
    known: &Known,
    conditions: &mut usize,
    errs: &mut Vec<FieldError>,
) -> Option<Rule> {
    *conditions += 1;
    if *conditions > MAX_CONDITIONS {
        return None;
    }
    if depth > MAX_DEPTH {
        errs.push(invalid(path, "segment.too_deep").with("max", MAX_DEPTH.to_string()));
        return None;
    }
    let Some(obj) = v.as_object() else {
        errs.push(invalid(path, "segment.rule_invalid"));
        return None;
    };
    for (group, all) in [("all", true), ("any", false)] {
        if let Some(items) = obj.get(group) {
            if obj.len() != 1 {
                errs.push(invalid(path, "segment.rule_invalid"));
                return None;
            }
            let Some(items) = items.as_array() else {
                errs.push(invalid(format!("{path}.{group}").as_str(), "segment.group_invalid"));
                return None;
            };
            let rules: Vec<Rule> = items
                .iter()
                .enumerate()
                .filter_map(|(i, r)| node(r, &format!("{path}.{group}[{i}]"), depth + 1, known, conditions, errs))
                .collect();
            return Some(if all { Rule::All(rules) } else { Rule::Any(rules) });
        }
    }
    let name = match obj.get("field") {
        Some(Value::String(s)) => s.as_str(),
        _ => {
            errs.push(invalid(&format!("{path}.field"), "segment.field_missing"));
            return None;
        }
    };
    for k in obj.keys() {
        if !matches!(k.as_str(), "field" | "op" | "value") {
            errs.push(invalid(&format!("{path}.{k}"), "segment.rule_invalid"));
            return None;
        }
    }
    let Some(field) = Field::parse(name) else {
        errs.push(invalid(&format!("{path}.field"), "segment.unknown_field").with("value", name));
        return None;
    };
    let custom_kind = match &field {
        Field::Custom(key) => match known.custom.get(key).copied() {
            Some(k) => Some(k),
            None => {
                errs.push(invalid(&format!("{path}.field"), "segment.unknown_custom").with("value", name));
                return None;
            }
        },
        _ => None,
    };
    let kind = field.kind(custom_kind);
    let op_name = obj.get("op").and_then(Value::as_str).unwrap_or("");
    let Some(op) = Op::parse(op_name) else {
        errs.push(invalid(&format!("{path}.op"), "segment.unknown_op").with("value", op_name));
        return None;
    };
    if !Op::of(kind).contains(&op) {
        let ops: Vec<&str> = Op::of(kind).iter().map(|o| o.name()).collect();
        errs.push(
            invalid(&format!("{path}.op"), "segment.op_not_for_field")
                .with("value", op_name)
                .with("field", name)
                .with("ops", ops.join(", ")),
        );
        return None;
    }
    let value = obj.get("value").unwrap_or(&Value::Null);
    match arg(&field, kind, op, value) {
        Ok(value) => {
            let value = match codes(&field, known, value) {
                Ok(v) => v,
                Err((bad, allowed)) => {
                    let mut shown: Vec<String> = allowed.into_iter().take(20).collect();
                    if shown.is_empty() {
                        shown.push("-".into());
                    }
                    errs.push(
                        invalid(&format!("{path}.value"), "segment.unknown_code")
                            .with("value", bad)
                            .with("field", name)
                            .with("allowed", shown.join(", ")),
                    );
                    return None;
                }
            };
            Some(Rule::Cond(Cond { field, op, value }))
        }
        Err(expected) => {
            errs.push(
                invalid(&format!("{path}.value"), "segment.value_invalid")
                    .with("value", value.to_string())
                    .with("op", op.name())
                    .with("expected", expected),
            );
            None
        }
    }
}

/// A code field's values as the codes they name (`"Lead"` is the stage `lead`), or the first
/// value naming none, with the codes there are.
fn codes(field: &Field, known: &Known, value: Arg) -> std::result::Result<Arg, (String, Vec<String>)> {
    let one = |v: String| known.code(field, &v).map_err(|allowed| (v, allowed));
    Ok(match value {
        Arg::Text(v) => Arg::Text(one(v)?),
        Arg::Texts(vs) => {
            let mut out: Vec<String> = Vec::with_capacity(vs.len());
            for v in vs {
                let c = one(v)?;
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            Arg::Texts(out)
        }
        other => other,
    })
}

/// The value `op` takes on a field of `kind`, or what was expected (English, for the message).
fn arg(field: &Field, kind: FieldKind, op: Op, v: &Value) -> std::result::Result<Arg, &'static str> {
    let text = |v: &Value| {
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.chars().count() <= MAX_TEXT && !s.chars().any(char::is_control))
            .map(str::to_string)
    };
    let texts = |v: &Value| -> Option<Vec<String>> {
        let items = v.as_array().filter(|a| a.len() <= MAX_VALUES)?;
        let out: Option<Vec<String>> = items.iter().map(text).collect();
        out.filter(|o| !o.is_empty())
    };
    // ages in years people live; amounts and counts within what sums hold; custom numbers finite
    let bound = match field {
        Field::Age => Some((*AGE_RANGE.start(), *AGE_RANGE.end())),
        Field::PurchaseCount | Field::PurchaseTotal => Some((-MAX_NUMBER, MAX_NUMBER)),
        _ => None,
    };
    let number =
        |v: &Value| v.as_f64().filter(|n| n.is_finite()).filter(|n| bound.is_none_or(|(lo, hi)| (lo..=hi).contains(n)));
    let expected_number = match field {
        Field::Age => "an age from 0 to 150",
        Field::PurchaseCount | Field::PurchaseTotal => "a number up to 10^15",
        _ => "a number",
    };
    let when = |v: &Value| text(v).filter(|s| crate::segments::sql::when_ok(s));
    match (kind, op) {
        (_, Op::Empty | Op::NotEmpty) => match v {
            Value::Null => Ok(Arg::None),
            _ => Err("no value"),
        },
        (FieldKind::Number, Op::In | Op::NotIn) => {
            let items = v.as_array().ok_or("a list of numbers")?;
            if items.len() > MAX_VALUES {
                return Err("a list of at most 200 numbers");
            }
            let out: Option<Vec<f64>> = items.iter().map(number).collect();
            let out = out.filter(|o| !o.is_empty()).ok_or(match field {
                Field::Age => "a list of ages from 0 to 150",
                _ => "a list of numbers",
            })?;
            if whole(field) && out.iter().any(|n| n.fract() != 0.0) {
                return Err("a list of whole numbers");
            }
            if *field == Field::BirthdayMonth && out.iter().any(|m| !(1.0..=12.0).contains(m) || m.fract() != 0.0) {
                return Err("months from 1 to 12");
            }
            Ok(Arg::Numbers(out))
        }
        (FieldKind::Number, Op::Between) => match v.as_array().map(|a| a.as_slice()) {
            Some([a, b]) => match (number(a), number(b)) {
                (Some(a), Some(b)) if whole(field) && (a.fract() != 0.0 || b.fract() != 0.0) => {
                    Err("two whole numbers, the smaller first")
                }
                (Some(a), Some(b)) if a <= b => Ok(Arg::Range(a, b)),
                _ if *field == Field::Age => Err("two ages from 0 to 150, the smaller first"),
                _ => Err("two numbers, the smaller first"),
            },
            _ => Err("two numbers, the smaller first"),
        },
        (FieldKind::Number, _) if whole(field) && number(v).is_some_and(|n| n.fract() != 0.0) => Err("a whole number"),
        (FieldKind::Number, _) => {
            let n = number(v).ok_or(expected_number)?;
            if *field == Field::BirthdayMonth && (!(1.0..=12.0).contains(&n) || n.fract() != 0.0) {
                return Err("a month from 1 to 12");
            }
            Ok(Arg::Number(n))
        }
        (FieldKind::Text | FieldKind::Tags | FieldKind::Segment, Op::In | Op::NotIn) => {
            texts(v).map(Arg::Texts).ok_or("a list of at most 200 texts of up to 200 characters")
        }
        (FieldKind::Text | FieldKind::Tags | FieldKind::Segment, _) => {
            text(v).map(Arg::Text).ok_or("a text of up to 200 characters")
        }
        (FieldKind::Instant | FieldKind::Date, Op::WithinDays | Op::NotWithinDays) => {
            v.as_i64().filter(|d| (0..=36_600).contains(d)).map(Arg::Days).ok_or("a whole number of days")
        }
        (FieldKind::Instant | FieldKind::Date, Op::Between) => match v.as_array().map(|a| a.as_slice()) {
            Some([a, b]) => match (when(a), when(b)) {
                (Some(a), Some(b)) => Ok(Arg::WhenRange(a, b)),
                _ => Err("two dates (YYYY-MM-DD, years 1000 to 9000)"),
            },
            _ => Err("two dates (YYYY-MM-DD, years 1000 to 9000)"),
        },
        (FieldKind::Instant | FieldKind::Date, _) => {
            when(v).map(Arg::When).ok_or("a date (YYYY-MM-DD, years 1000 to 9000)")
        }
        (FieldKind::Flag, _) => v.as_bool().map(Arg::Flag).ok_or("true or false"),
        // only empty / not empty, taken above (the op was checked against the kind before)
        (FieldKind::Presence, _) => Err("no value"),
    }
}

/// Fields whose numbers are whole (ages, months, counts, money in minor units).
fn whole(field: &Field) -> bool {
    !matches!(field, Field::Custom(_))
}

/// The rule as JSON again (what is stored: the same format that was read).
pub fn to_json(rule: &Rule) -> Value {
    use serde_json::json;
    match rule {
        Rule::All(r) => json!({ "all": r.iter().map(to_json).collect::<Vec<_>>() }),
        Rule::Any(r) => json!({ "any": r.iter().map(to_json).collect::<Vec<_>>() }),
        Rule::Cond(c) => {
            let field = match &c.field {
                Field::Custom(k) => format!("custom.{k}"),
                f => FIELDS[field_index(f)].to_string(),
            };
            let value = match &c.value {
                Arg::None => Value::Null,
                Arg::Text(s) | Arg::When(s) => json!(s),
                Arg::Texts(v) => json!(v),
                Arg::Number(n) => number_json(*n),
                Arg::Numbers(v) => Value::Array(v.iter().map(|n| number_json(*n)).collect()),
                Arg::Range(a, b) => json!([number_json(*a), number_json(*b)]),
                Arg::WhenRange(a, b) => json!([a, b]),
                Arg::Days(d) => json!(d),
                Arg::Flag(b) => json!(b),
            };
            json!({ "field": field, "op": c.op.name(), "value": value })
        }
    }
}

fn number_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

fn field_index(f: &Field) -> usize {
    match f {
        Field::Kind => 0,
        Field::Stage => 1,
        Field::Owner => 2,
        Field::Province => 3,
        Field::District => 4,
        Field::Source => 5,
        Field::Gender => 6,
        Field::Tag => 7,
        Field::Age => 8,
        Field::BirthdayMonth => 9,
        Field::PurchaseCount => 10,
        Field::PurchaseTotal => 11,
        Field::LastPurchaseAt => 12,
        Field::LastInteractionAt => 13,
        Field::CreatedAt => 14,
        Field::Custom(_) => 15,
        Field::Segment => 16,
        Field::OpenTickets => 17,
        Field::LastTicketAt => 18,
        Field::LastCsat => 19,
        Field::Email => 20,
        Field::Phone => 21,
        Field::TaxCode => 22,
        Field::Address => 23,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A workspace with the built-in stages and no custom field.
    fn known() -> Known {
        let stages = ["lead", "prospect", "customer", "loyal", "negative"];
        Known { stages: stages.iter().map(|s| (s.to_string(), None)).collect(), ..Default::default() }
    }

    fn fields_of(e: Error) -> Vec<(String, String)> {
        match e {
            Error::Validation(v) => v.into_iter().map(|f| (f.field, f.message_key)).collect(),
            other => panic!("not a validation error: {other}"),
        }
    }

    #[test]
    fn the_issue_example_reads_and_writes_back_the_same() {
        let v = json!({"all": [{"field": "stage", "op": "in", "value": ["customer", "loyal"]},
            {"any": [{"field": "province", "op": "eq", "value": "Hà Nội"}, {"field": "tag", "op": "has", "value": "VIP"}]},
            {"field": "purchase_total", "op": "gte", "value": 5000000}]});
        let r = parse(&v, &known()).unwrap();
        assert_eq!(to_json(&r), v);
    }

    #[test]
    fn errors_name_the_place_and_the_reason() {
        let v = json!({"all": [{"field": "provice", "op": "eq", "value": "x"},
            {"any": [{"field": "age", "op": "contains", "value": 3}, {"field": "age", "op": "gte", "value": "ba"}]},
            {"field": "custom.nope", "op": "eq", "value": "x"}, {"field": "stage", "op": "zz", "value": "x"}, 7]});
        assert_eq!(
            fields_of(parse(&v, &known()).unwrap_err()),
            vec![
                ("rules.all[0].field".to_string(), "segment.unknown_field".to_string()),
                ("rules.all[1].any[0].op".to_string(), "segment.op_not_for_field".to_string()),
                ("rules.all[1].any[1].value".to_string(), "segment.value_invalid".to_string()),
                ("rules.all[2].field".to_string(), "segment.unknown_custom".to_string()),
                ("rules.all[3].op".to_string(), "segment.unknown_op".to_string()),
                ("rules.all[4]".to_string(), "segment.rule_invalid".to_string()),
            ]
        );
        assert_eq!(fields_of(parse_text("{", &known()).unwrap_err())[0].1, "segment.not_json");
    }

    #[test]
    fn the_catalog_offers_every_field_with_the_ops_it_takes() {
        let c = catalog(&[("so_ghe".into(), crate::settings::CustomFieldKind::Number)]);
        assert_eq!(c.len(), FIELDS.len());
        let of = |f: &str| c.iter().find(|s| s.field == f).unwrap();
        assert_eq!(of("purchase_total").kind, "money");
        assert_eq!(of("custom.so_ghe").kind, "number");
        assert!(of("tag").ops.contains(&"has".to_string()) && !of("tag").ops.contains(&"gte".to_string()));
        for s in &c {
            for op in &s.ops {
                // every op offered reads back for its field (a code field with one of its codes)
                let a = match s.field.as_str() {
                    "kind" => "person",
                    "stage" => "lead",
                    "gender" => "male",
                    "source" => "website",
                    _ => "a",
                };
                let v = match (s.kind.as_str(), op.as_str()) {
                    (_, "empty" | "not_empty") => serde_json::Value::Null,
                    ("number" | "money", "between") => json!([1, 2]),
                    ("number" | "money", "in" | "not_in") => json!([1]),
                    ("number" | "money", _) => json!(1),
                    ("instant" | "date", "between") => json!(["2026-01-01", "2026-02-01"]),
                    ("instant" | "date", "within_days" | "not_within_days") => json!(7),
                    ("instant" | "date", _) => json!("2026-01-01"),
                    ("flag", _) => json!(true),
                    (_, "in" | "not_in") => json!([a]),
                    _ => json!(a),
                };
                let rule = json!({"field": s.field, "op": op, "value": v});
                let mut kinds = known();
                kinds.custom.insert("so_ghe".into(), crate::settings::CustomFieldKind::Number);
                kinds.staff.push(("a".into(), "An".into()));
                parse(&rule, &kinds).unwrap_or_else(|e| panic!("{rule}: {e}"));
            }
        }
    }

    #[test]
    fn values_are_checked_against_their_op() {
        let bad = [
            json!({"field": "birthday_month", "op": "eq", "value": 13}),
            json!({"field": "age", "op": "between", "value": [40, 30]}),
            json!({"field": "created_at", "op": "before", "value": "hôm qua"}),
            json!({"field": "created_at", "op": "within_days", "value": -1}),
            json!({"field": "tag", "op": "in", "value": []}),
            json!({"field": "stage", "op": "eq", "value": "  "}),
            json!({"field": "province", "op": "empty", "value": "x"}),
        ];
        for v in bad {
            let errs = fields_of(parse(&v, &known()).unwrap_err());
            assert_eq!(errs, vec![("rules.value".to_string(), "segment.value_invalid".to_string())], "{v}");
        }
        let deep = (0..20).fold(json!({"field": "age", "op": "gte", "value": 1}), |r, _| json!({"all": [r]}));
        assert!(fields_of(parse(&deep, &known()).unwrap_err()).iter().any(|(_, k)| k == "segment.too_deep"));
    }
}
