//! A parsed rule made into SQL: a condition on `customers c` with `?` placeholders and the
//! values bound to them, never a value spliced into the text. Dates are the workspace zone's:
//! "within 7 days" is since the start of the local day a week ago, an age is full years today.
//!
//! Folded comparisons ("ha noi" equals "Hà Nội") use the distinct values where they are few and
//! indexed (provinces and tags, from `customer_counts`: the SQL then names the stored spellings
//! and SQLite uses the index), and the `tend_fold` function ([`crate::fold::register_fold`]) elsewhere.

use super::rules::{Arg, Cond, Field, FieldKind, Op, Rule};
use crate::error::{Error, FieldError, Result};
use crate::fold::fold;
use crate::settings::CustomFieldKind;
use jiff::civil::Date;
use rusqlite::types::Value;
use rusqlite::Connection;

/// Years a date in a rule may have: every day of them, the day after and its start in any zone
/// are representable, whatever the rule does with them.
pub(crate) const YEARS: std::ops::RangeInclusive<i16> = 1000..=9000;

/// Whether `s` is a date (`YYYY-MM-DD`) or an instant (RFC 3339) within [`YEARS`].
pub(crate) fn when_ok(s: &str) -> bool {
    let year = match s.parse::<Date>() {
        Ok(d) => Some(d.year()),
        Err(_) => s.parse::<jiff::Timestamp>().ok().map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).year()),
    };
    year.is_some_and(|y| YEARS.contains(&y))
}

/// What compiling needs besides the rule.
pub struct Context<'a> {
    pub conn: &'a Connection,
    pub today: Date,
    pub tz: jiff::tz::TimeZone,
    /// A custom field's id and kind, by key.
    pub custom: &'a dyn Fn(&str) -> Option<(String, CustomFieldKind)>,
    /// What the rules of segments used by this one are checked against.
    pub known: &'a super::rules::Known,
    /// A segment's rules as they are about to be saved (id, JSON text), read instead of the
    /// stored ones: checks whether a change would break the segments that use it.
    pub pending: Option<(&'a str, &'a str)>,
}

/// At most this many conditions are compiled for one rule, segments it uses included (a segment
/// used twice counts twice): a chain of segments each using the one below twice doubles at
/// every level, and would otherwise make a query of any size.
pub const MAX_COMPILED_CONDITIONS: usize = 1_000;
/// At most this many values are bound to one compiled rule (SQLite allows 32,766).
pub const MAX_PARAMS: usize = 5_000;
/// At most this much SQL text for one compiled rule.
pub const MAX_SQL: usize = 256 * 1024;

fn too_complex(what: &str) -> Error {
    Error::Validation(vec![FieldError::new("rules", "segment.too_complex").with("detail", what)])
}

/// The condition and its values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sql {
    pub text: String,
    pub params: Vec<Value>,
}

/// The segments being inlined (a cycle is refused) and the conditions compiled so far.
#[derive(Default)]
struct Stack {
    ids: Vec<String>,
    conditions: usize,
}

/// Compiles `rule` into a condition on `customers c` (live customers only). A rule whose SQL
/// would pass the bounds above, or that SQLite cannot prepare (too deep, too many terms), is a
/// field error (`segment.too_complex`): it is refused when saved, and flagged when read.
pub fn compile(rule: &Rule, ctx: &Context) -> Result<Sql> {
    let mut out = Sql::default();
    let mut stack = Stack::default();
    let cond = node(rule, ctx, &mut out.params, &mut stack)?;
    out.text = format!("c.deleted_at IS NULL AND {cond}");
    if out.params.len() > MAX_PARAMS {
        return Err(too_complex(&format!("{} values (at most {MAX_PARAMS})", out.params.len())));
    }
    if out.text.len() > MAX_SQL {
        return Err(too_complex(&format!("{} KiB of SQL (at most {} KiB)", out.text.len() / 1024, MAX_SQL / 1024)));
    }
    // what SQLite itself refuses (expression depth, compound terms) is found here, once
    if let Err(e) = ctx.conn.prepare(&format!("SELECT COUNT(*) FROM customers c WHERE {}", out.text)) {
        return Err(match e {
            rusqlite::Error::SqliteFailure(_, Some(msg)) => too_complex(&msg),
            other => other.into(),
        });
    }
    Ok(out)
}

fn node(rule: &Rule, ctx: &Context, p: &mut Vec<Value>, stack: &mut Stack) -> Result<String> {
    match rule {
        Rule::All(rules) | Rule::Any(rules) => {
            let all = matches!(rule, Rule::All(_));
            if rules.is_empty() {
                return Ok(if all { "1" } else { "0" }.into());
            }
            // A group that ANDs a province condition is counted from the province index (which
            // holds the stage and the id): its purchase and contact conditions then look each
            // candidate up by id. Elsewhere they are a list from the activity indexes, which is
            // best when they are the narrow part.
            let by_province = all && rules.iter().any(
                |r| matches!(r, Rule::Cond(c) if matches!(c.field, Field::Province) && matches!(c.op, Op::Eq | Op::In)),
            );
            let parts: Result<Vec<String>> = rules
                .iter()
                .map(|r| match r {
                    Rule::Cond(c) => cond(c, ctx, p, stack, by_province),
                    group => node(group, ctx, p, stack),
                })
                .collect();
            Ok(format!("({})", parts?.join(if all { " AND " } else { " OR " })))
        }
        Rule::Cond(c) => cond(c, ctx, p, stack, false),
    }
}

fn bad_time(e: impl std::fmt::Display) -> Error {
    Error::BadTime { detail: e.to_string() }
}

/// The instant a local day starts, in ms.
fn day_start(ctx: &Context, d: Date) -> Result<i64> {
    crate::settings::day_start_ms(&ctx.tz, d)
}

/// A value given as a day or an instant: (the first ms it covers, the first ms after it).
fn span(ctx: &Context, s: &str) -> Result<(i64, i64)> {
    if let Ok(d) = s.parse::<Date>() {
        let next = d.tomorrow().map_err(bad_time)?;
        return Ok((day_start(ctx, d)?, day_start(ctx, next)?));
    }
    let t: jiff::Timestamp = s.parse().map_err(bad_time)?;
    Ok((t.as_millisecond(), t.as_millisecond() + 1))
}

/// A value given as a day or an instant, as a local day (for date fields).
fn day_of(ctx: &Context, s: &str) -> Result<Date> {
    if let Ok(d) = s.parse::<Date>() {
        return Ok(d);
    }
    let t: jiff::Timestamp = s.parse().map_err(bad_time)?;
    Ok(t.to_zoned(ctx.tz.clone()).date())
}

fn days_ago(ctx: &Context, n: i64) -> Result<Date> {
    ctx.today.checked_sub(jiff::Span::new().days(n)).map_err(bad_time)
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn num(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::Integer(n as i64)
    } else {
        Value::Real(n)
    }
}

fn text_values(a: &Arg) -> Vec<String> {
    match a {
        Arg::Text(s) => vec![s.clone()],
        Arg::Texts(v) => v.clone(),
        _ => Vec::new(),
    }
}

/// The stored spellings of a `customer_counts` dimension that fold to one of `wanted` (or that
/// contain it, folded, with `contains`).
fn spellings(ctx: &Context, dim: &str, wanted: &[String], contains: bool) -> Result<Vec<String>> {
    let wanted: Vec<String> = wanted.iter().map(|w| fold(w)).collect();
    let mut st = ctx.conn.prepare_cached("SELECT value FROM customer_counts WHERE dim = ? AND n > 0")?;
    let all = st.query_map([dim], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(all
        .into_iter()
        .filter(|v| {
            let f = fold(v);
            wanted.iter().any(|w| if contains { f.contains(w.as_str()) } else { f == *w })
        })
        .collect())
}

/// `col IN (spellings)`, or false when none is stored.
fn among(col: &str, values: Vec<String>, p: &mut Vec<Value>) -> String {
    if values.is_empty() {
        return "0".into();
    }
    let n = values.len();
    p.extend(values.into_iter().map(Value::Text));
    format!("{col} IN ({})", marks(n))
}

/// A text condition on `expr` (NULL when absent). `exact`: a code compared as stored; otherwise
/// folded through `tend_fold`.
fn text_cond(expr: &str, exact: bool, op: Op, a: &Arg, p: &mut Vec<Value>) -> String {
    let wrap = |e: &str| if exact { e.to_string() } else { format!("tend_fold({e})") };
    let val = |s: &str| if exact { s.to_string() } else { fold(s) };
    let e = wrap(expr);
    match op {
        Op::Eq | Op::In | Op::Ne | Op::NotIn => {
            let vals = text_values(a);
            let n = vals.len();
            p.extend(vals.iter().map(|v| Value::Text(val(v))));
            let inside = format!("{e} IN ({})", marks(n));
            if matches!(op, Op::Eq | Op::In) {
                inside
            } else {
                format!("({expr} IS NULL OR NOT {inside})")
            }
        }
        Op::Contains => {
            p.push(Value::Text(val(&text_values(a).concat())));
            format!("instr({e}, ?) > 0")
        }
        Op::Empty => format!("{expr} IS NULL"),
        Op::NotEmpty => format!("{expr} IS NOT NULL"),
        _ => "0".into(),
    }
}

/// A number condition on `expr` (NULL when absent).
fn number_cond(expr: &str, op: Op, a: &Arg, p: &mut Vec<Value>) -> String {
    match (op, a) {
        (Op::Eq, Arg::Number(n)) => {
            p.push(num(*n));
            format!("{expr} = ?")
        }
        (Op::Ne, Arg::Number(n)) => {
            p.push(num(*n));
            format!("({expr} IS NULL OR {expr} <> ?)")
        }
        (Op::In | Op::NotIn, Arg::Numbers(v)) => {
            p.extend(v.iter().map(|n| num(*n)));
            let inside = format!("{expr} IN ({})", marks(v.len()));
            if op == Op::In {
                inside
            } else {
                format!("({expr} IS NULL OR NOT {inside})")
            }
        }
        (Op::Gte, Arg::Number(n)) => {
            p.push(num(*n));
            format!("{expr} >= ?")
        }
        (Op::Lte, Arg::Number(n)) => {
            p.push(num(*n));
            format!("{expr} <= ?")
        }
        (Op::Between, Arg::Range(a, b)) => {
            p.push(num(*a));
            p.push(num(*b));
            format!("{expr} BETWEEN ? AND ?")
        }
        (Op::Empty, _) => format!("{expr} IS NULL"),
        (Op::NotEmpty, _) => format!("{expr} IS NOT NULL"),
        _ => "0".into(),
    }
}

/// An instant condition on `expr` (ms, NULL when absent).
fn instant_cond(expr: &str, op: Op, a: &Arg, ctx: &Context, p: &mut Vec<Value>) -> Result<String> {
    Ok(match (op, a) {
        (Op::Before, Arg::When(s)) => {
            p.push(Value::Integer(span(ctx, s)?.0));
            format!("{expr} < ?")
        }
        (Op::After, Arg::When(s)) => {
            p.push(Value::Integer(span(ctx, s)?.1));
            format!("{expr} >= ?")
        }
        (Op::Between, Arg::WhenRange(a, b)) => {
            p.push(Value::Integer(span(ctx, a)?.0));
            p.push(Value::Integer(span(ctx, b)?.1));
            format!("({expr} >= ? AND {expr} < ?)")
        }
        (Op::WithinDays, Arg::Days(n)) => {
            p.push(Value::Integer(day_start(ctx, days_ago(ctx, *n)?)?));
            format!("{expr} >= ?")
        }
        (Op::NotWithinDays, Arg::Days(n)) => {
            p.push(Value::Integer(day_start(ctx, days_ago(ctx, *n)?)?));
            format!("({expr} IS NULL OR {expr} < ?)")
        }
        (Op::Empty, _) => format!("{expr} IS NULL"),
        (Op::NotEmpty, _) => format!("{expr} IS NOT NULL"),
        _ => "0".into(),
    })
}

/// A date condition on `expr` (`YYYY-MM-DD` text, NULL when absent).
fn date_cond(expr: &str, op: Op, a: &Arg, ctx: &Context, p: &mut Vec<Value>) -> Result<String> {
    let d = |s: &str| -> Result<Value> { Ok(Value::Text(day_of(ctx, s)?.to_string())) };
    Ok(match (op, a) {
        (Op::Before, Arg::When(s)) => {
            p.push(d(s)?);
            format!("{expr} < ?")
        }
        (Op::After, Arg::When(s)) => {
            p.push(d(s)?);
            format!("{expr} > ?")
        }
        (Op::Between, Arg::WhenRange(a, b)) => {
            p.push(d(a)?);
            p.push(d(b)?);
            format!("{expr} BETWEEN ? AND ?")
        }
        (Op::WithinDays, Arg::Days(n)) => {
            p.push(Value::Text(days_ago(ctx, *n)?.to_string()));
            format!("{expr} >= ?")
        }
        (Op::NotWithinDays, Arg::Days(n)) => {
            p.push(Value::Text(days_ago(ctx, *n)?.to_string()));
            format!("({expr} IS NULL OR {expr} < ?)")
        }
        (Op::Empty, _) => format!("{expr} IS NULL"),
        (Op::NotEmpty, _) => format!("{expr} IS NOT NULL"),
        _ => "0".into(),
    })
}

/// The birthday a customer `years` old today was born on or before, as text: the same month and
/// day that many years back (29 February in a year without one still orders right as text).
fn born_by(ctx: &Context, years: i64) -> Value {
    let t = ctx.today;
    Value::Text(format!("{:04}-{:02}-{:02}", i64::from(t.year()) - years, t.month(), t.day()))
}

/// An age condition, made from the birthday (full dates only; a customer without one has no age).
fn age_cond(op: Op, a: &Arg, ctx: &Context, p: &mut Vec<Value>) -> String {
    let b = "c.birthday";
    let is = |n: f64, p: &mut Vec<Value>| {
        let n = n as i64;
        p.push(born_by(ctx, n));
        p.push(born_by(ctx, n + 1));
        format!("({b} <= ? AND {b} > ?)")
    };
    match (op, a) {
        (Op::Eq, Arg::Number(n)) => is(*n, p),
        (Op::Ne, Arg::Number(n)) => format!("({b} IS NULL OR NOT {})", is(*n, p)),
        (Op::In | Op::NotIn, Arg::Numbers(v)) => {
            let any = format!("({})", v.iter().map(|n| is(*n, p)).collect::<Vec<_>>().join(" OR "));
            if op == Op::In {
                any
            } else {
                format!("({b} IS NULL OR NOT {any})")
            }
        }
        (Op::Gte, Arg::Number(n)) => {
            p.push(born_by(ctx, *n as i64));
            format!("{b} <= ?")
        }
        (Op::Lte, Arg::Number(n)) => {
            p.push(born_by(ctx, *n as i64 + 1));
            format!("{b} > ?")
        }
        (Op::Between, Arg::Range(lo, hi)) => {
            p.push(born_by(ctx, *lo as i64));
            p.push(born_by(ctx, *hi as i64 + 1));
            format!("({b} <= ? AND {b} > ?)")
        }
        (Op::Empty, _) => format!("{b} IS NULL"),
        (Op::NotEmpty, _) => format!("{b} IS NOT NULL"),
        _ => "0".into(),
    }
}

/// A condition on a column of `customer_activity`, where a customer without a row has
/// `missing` (0 purchases, never contacted): written as membership of the rows that match (or
/// do not), so SQLite reads it through the column's index.
/// A condition on `customer_activity`: a list of the customers it holds for (`correlate` false),
/// or a lookup of the customer at hand by id (`correlate`: when another condition of the group
/// narrows the customers through an index).
fn activity_cond(
    col: &str,
    op: Op,
    a: &Arg,
    ctx: &Context,
    p: &mut Vec<Value>,
    instant: bool,
    correlate: bool,
) -> Result<String> {
    let expr = format!("a.{col}");
    let mut inner = Vec::new();
    let pred =
        if instant { instant_cond(&expr, op, a, ctx, &mut inner)? } else { number_cond(&expr, op, a, &mut inner) };
    // does the condition hold for a customer with no row (no purchase, no interaction)?
    let holds_missing = if instant {
        matches!(op, Op::NotWithinDays | Op::Empty)
    } else {
        let zero = 0.0;
        match (op, a) {
            (Op::Eq, Arg::Number(n)) => *n == zero,
            (Op::Ne, Arg::Number(n)) => *n != zero,
            (Op::In, Arg::Numbers(v)) => v.contains(&zero),
            (Op::NotIn, Arg::Numbers(v)) => !v.contains(&zero),
            (Op::Gte, Arg::Number(n)) => zero >= *n,
            (Op::Lte, Arg::Number(n)) => zero <= *n,
            (Op::Between, Arg::Range(lo, hi)) => *lo <= zero && zero <= *hi,
            (Op::Empty, _) => true,
            _ => false,
        }
    };
    // a count or total is never NULL: "empty" is none (0), "not empty" is some
    let pred = match (instant, op) {
        (false, Op::Empty) => format!("{expr} = 0"),
        (false, Op::NotEmpty) => format!("{expr} <> 0"),
        _ => pred,
    };
    p.extend(inner);
    Ok(match (holds_missing, correlate) {
        (true, false) => format!("c.id NOT IN (SELECT a.customer_id FROM customer_activity a WHERE NOT ({pred}))"),
        (false, false) => format!("c.id IN (SELECT a.customer_id FROM customer_activity a WHERE {pred})"),
        (true, true) => {
            format!("NOT EXISTS (SELECT 1 FROM customer_activity a WHERE a.customer_id = c.id AND NOT ({pred}))")
        }
        (false, true) => format!("EXISTS (SELECT 1 FROM customer_activity a WHERE a.customer_id = c.id AND {pred})"),
    })
}

fn segment_error(key: &str, id: &str) -> Error {
    Error::Validation(vec![FieldError::new("rules", key).with("value", id)])
}

fn cond(c: &Cond, ctx: &Context, p: &mut Vec<Value>, stack: &mut Stack, correlate: bool) -> Result<String> {
    stack.conditions += 1;
    if stack.conditions > MAX_COMPILED_CONDITIONS {
        return Err(too_complex(&format!("more than {MAX_COMPILED_CONDITIONS} conditions with the segments it uses")));
    }
    let (op, a) = (c.op, &c.value);
    Ok(match &c.field {
        Field::Kind => text_cond("c.kind", true, op, a, p),
        Field::Stage => text_cond("c.stage_id", true, op, a, p),
        Field::Owner => text_cond("c.owner_id", true, op, a, p),
        Field::Gender => text_cond("c.gender", true, op, a, p),
        Field::District => text_cond("c.district", false, op, a, p),
        Field::Source => text_cond("c.source", true, op, a, p),
        Field::Province => {
            let wanted = text_values(a);
            match op {
                Op::Eq | Op::In => among("c.province", spellings(ctx, "province", &wanted, false)?, p),
                Op::Contains => among("c.province", spellings(ctx, "province", &wanted, true)?, p),
                Op::Ne | Op::NotIn => {
                    let inside = among("c.province", spellings(ctx, "province", &wanted, false)?, p);
                    format!("(c.province IS NULL OR NOT {inside})")
                }
                _ => text_cond("c.province", true, op, a, p),
            }
        }
        Field::Tag => {
            let tagged = |values: Vec<String>, p: &mut Vec<Value>| {
                if values.is_empty() {
                    return "0".to_string();
                }
                let n = values.len();
                p.extend(values.into_iter().map(Value::Text));
                format!("c.seq IN (SELECT customer_seq FROM customer_tags WHERE tag IN ({}))", marks(n))
            };
            match op {
                Op::Has | Op::In => tagged(spellings(ctx, "tag", &text_values(a), false)?, p),
                Op::NotHas | Op::NotIn => format!("NOT {}", tagged(spellings(ctx, "tag", &text_values(a), false)?, p)),
                Op::Empty => "c.seq NOT IN (SELECT customer_seq FROM customer_tags)".into(),
                Op::NotEmpty => "c.seq IN (SELECT customer_seq FROM customer_tags)".into(),
                _ => "0".into(),
            }
        }
        Field::OpenTickets => {
            let expr = "(SELECT COUNT(*) FROM tickets t WHERE t.customer_id = c.id AND t.deleted_at IS NULL
                AND t.solved_at IS NULL AND t.merged_into IS NULL)";
            match op {
                // a count is never missing: "empty" is none
                Op::Empty => format!("{expr} = 0"),
                Op::NotEmpty => format!("{expr} <> 0"),
                _ => number_cond(expr, op, a, p),
            }
        }
        Field::LastTicketAt => instant_cond(
            "(SELECT MAX(t.created_at) FROM tickets t WHERE t.customer_id = c.id AND t.deleted_at IS NULL)",
            op,
            a,
            ctx,
            p,
        )?,
        Field::LastCsat => number_cond(
            "(SELECT s.score FROM survey_answers s WHERE s.customer_id = c.id AND s.kind = 'csat'
              AND s.score IS NOT NULL AND s.deleted_at IS NULL ORDER BY s.answered_at DESC, s.id DESC LIMIT 1)",
            op,
            a,
            p,
        ),
        Field::Email | Field::Phone | Field::TaxCode | Field::Address => {
            let missing = match &c.field {
                Field::Email => "json_array_length(COALESCE(c.emails, '[]')) = 0",
                Field::Phone => "json_array_length(COALESCE(c.phones, '[]')) = 0",
                Field::TaxCode => "c.tax_code IS NULL",
                _ => "(c.street IS NULL AND c.ward IS NULL AND c.district IS NULL AND c.province IS NULL)",
            };
            match op {
                Op::Empty => missing.to_string(),
                _ => format!("NOT {missing}"),
            }
        }
        Field::Age => age_cond(op, a, ctx, p),
        Field::BirthdayMonth => number_cond("CAST(substr(c.birthday, 6, 2) AS INTEGER)", op, a, p),
        Field::PurchaseCount => activity_cond("purchase_count", op, a, ctx, p, false, correlate)?,
        Field::PurchaseTotal => activity_cond("purchase_total", op, a, ctx, p, false, correlate)?,
        Field::LastPurchaseAt => activity_cond("last_purchase_at", op, a, ctx, p, true, correlate)?,
        Field::LastInteractionAt => activity_cond("last_interaction_at", op, a, ctx, p, true, correlate)?,
        Field::CreatedAt => instant_cond("c.created_at", op, a, ctx, p)?,
        Field::Custom(key) => {
            let Some((id, kind)) = (ctx.custom)(key) else {
                return Err(segment_error("segment.unknown_custom", &format!("custom.{key}")));
            };
            // The value (NULL when none; an unticked box is stored as none or "false") is read
            // once, as `x`, so a condition may name it twice (`x IS NULL OR x <> ?`) while its
            // field id is bound once, before the condition's own values.
            p.push(Value::Text(id));
            let pred = match c.field.kind(Some(kind)) {
                FieldKind::Number => number_cond("CAST(x AS REAL)", op, a, p),
                FieldKind::Date => date_cond("x", op, a, ctx, p)?,
                FieldKind::Flag => {
                    let ticked = "COALESCE(x = 'true', 0)".to_string();
                    match (op, a) {
                        (Op::Eq, Arg::Flag(b)) | (Op::Ne, Arg::Flag(b)) => {
                            if (op == Op::Eq) == *b {
                                ticked
                            } else {
                                format!("NOT {ticked}")
                            }
                        }
                        (Op::Empty, _) => format!("NOT {ticked}"),
                        (Op::NotEmpty, _) => ticked,
                        _ => "0".into(),
                    }
                }
                _ => text_cond("x", false, op, a, p),
            };
            format!(
                "EXISTS (SELECT 1 FROM (SELECT (SELECT v.value FROM custom_values v
                  WHERE v.customer_id = c.id AND v.field_id = ?) AS x) WHERE {pred})"
            )
        }
        Field::Segment => {
            let ids = text_values(a);
            let mut parts = Vec::new();
            for id in &ids {
                parts.push(member_of(id, ctx, p, stack)?);
            }
            let any = format!("({})", parts.join(" OR "));
            if matches!(op, Op::Eq | Op::In) {
                any
            } else {
                format!("NOT {any}")
            }
        }
    })
}

/// Membership of segment `id`: its rules inlined (a dynamic one) or its members (a static one).
fn member_of(id: &str, ctx: &Context, p: &mut Vec<Value>, stack: &mut Stack) -> Result<String> {
    if stack.ids.iter().any(|s| s == id) {
        return Err(segment_error("segment.cycle", id));
    }
    let found: Option<(String, Option<String>)> = if let Some((_, rules)) = ctx.pending.filter(|(p, _)| *p == id) {
        Some(("dynamic".into(), Some(rules.to_string())))
    } else {
        let mut st = ctx.conn.prepare_cached("SELECT kind, rules FROM segments WHERE id = ? AND deleted_at IS NULL")?;
        let mut rows = st.query([id])?;
        match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?)),
            None => None,
        }
    };
    let Some((kind, rules)) = found else { return Err(segment_error("segment.unknown_segment", id)) };
    if kind == "dynamic" {
        // a used segment's own problem is named as such, with the segment
        let rule = super::rules::parse_text(rules.as_deref().unwrap_or("{\"all\": []}"), ctx.known)
            .map_err(|_| segment_error("segment.uses_broken", id))?;
        stack.ids.push(id.to_string());
        let inner = node(&rule, ctx, p, stack)?;
        stack.ids.pop();
        Ok(inner)
    } else {
        p.push(Value::Text(id.to_string()));
        Ok("c.id IN (SELECT m.customer_id FROM segment_members m WHERE m.segment_id = ?)".into())
    }
}
