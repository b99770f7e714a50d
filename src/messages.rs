//! Messages as sentences, for the CLI: the app's own catalogue (`ui/src/lib/i18n/en.json` and
//! `vi.json`, ICU message syntax), read here so the CLI says what the app says, in the same words
//! and in either language, from one catalogue. The messages are parsed by `ferrocat-icu`; this
//! module only fills them (arguments, `number`, `plural` and `select`).

use crate::error::{Error, ErrorPayload, FieldError};
use ferrocat_icu::{parse_icu, IcuNode};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Vi,
}

impl Lang {
    /// A language setting (`vi`, `en`, `vi-VN`...); anything else is English.
    pub fn from_code(code: &str) -> Lang {
        if code.trim().to_ascii_lowercase().starts_with("vi") {
            Lang::Vi
        } else {
            Lang::En
        }
    }

    /// The language of the environment (`LC_ALL`, `LC_MESSAGES`, `LANG`), for messages given
    /// before a workspace is open.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .map(|s| Lang::from_code(&s))
            .unwrap_or(Lang::En)
    }
}

fn catalogue(lang: Lang) -> &'static Value {
    static EN: OnceLock<Value> = OnceLock::new();
    static VI: OnceLock<Value> = OnceLock::new();
    let (cell, text) = match lang {
        Lang::En => (&EN, include_str!("../ui/src/lib/i18n/en.json")),
        Lang::Vi => (&VI, include_str!("../ui/src/lib/i18n/vi.json")),
    };
    // the catalogue is checked by tests (it parses, and every message the core emits is in it)
    cell.get_or_init(|| serde_json::from_str(text).unwrap_or(Value::Null))
}

/// The message of `key` (`segment.in_use`) in `lang`, English when `lang` lacks it.
fn message(lang: Lang, key: &str) -> Option<&'static str> {
    let find = |lang| key.split('.').try_fold(catalogue(lang), |v, part| v.get(part)).and_then(Value::as_str);
    find(lang).or_else(|| find(Lang::En))
}

/// The message of `key` filled with `params`; a key no catalogue has is shown with its params.
pub fn text(lang: Lang, key: &str, params: &BTreeMap<String, String>) -> String {
    let Some(msg) = message(lang, key) else {
        let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        return if shown.is_empty() { key.to_string() } else { format!("{key} ({})", shown.join(", ")) };
    };
    match parse(msg) {
        Ok(parsed) => {
            let mut out = String::new();
            fill(lang, &parsed.nodes, params, None, &mut out);
            out
        }
        Err(_) => msg.to_string(),
    }
}

/// Parses a message as the app's formatter reads it: an apostrophe quotes only before a
/// syntax character (`'{'`); elsewhere (`customer's`) it is a plain apostrophe.
fn parse(msg: &str) -> Result<ferrocat_icu::IcuMessage, ferrocat_icu::IcuParseError> {
    let mut quoted = String::with_capacity(msg.len() + 4);
    let mut chars = msg.chars().peekable();
    let mut in_quote = false;
    while let Some(c) = chars.next() {
        quoted.push(c);
        if c != '\'' {
            continue;
        }
        match chars.peek() {
            // '' is an apostrophe, inside a quote or not
            Some('\'') => {
                chars.next();
                quoted.push('\'');
            }
            // the quote that opened ends here
            _ if in_quote => in_quote = false,
            // a quote opens before a syntax character
            Some('{' | '}' | '#' | '|') => in_quote = true,
            // anywhere else it is a plain apostrophe
            _ => quoted.push('\''),
        }
    }
    parse_icu(&quoted)
}

fn fill(lang: Lang, nodes: &[IcuNode], params: &BTreeMap<String, String>, pound: Option<&str>, out: &mut String) {
    let arg = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    for node in nodes {
        match node {
            IcuNode::Literal(s) => out.push_str(s),
            IcuNode::Argument { name } => out.push_str(arg(name)),
            IcuNode::Number { name, .. } => out.push_str(&number(lang, arg(name))),
            IcuNode::Pound => out.push_str(&number(lang, pound.unwrap_or(""))),
            IcuNode::Select { name, options } => {
                let v = arg(name);
                let chosen =
                    options.iter().find(|o| o.selector == v).or_else(|| options.iter().find(|o| o.selector == "other"));
                if let Some(o) = chosen {
                    fill(lang, &o.value, params, pound, out);
                }
            }
            IcuNode::Plural { name, offset, options, .. } => {
                let v = arg(name);
                let n = v.trim().parse::<i64>().ok().map(|n| n - i64::from(*offset));
                let exact = n.map(|n| format!("={n}"));
                // English says "one" of exactly 1; Vietnamese has no plural forms
                let category = match (lang, n) {
                    (Lang::En, Some(1)) => "one",
                    _ => "other",
                };
                let chosen = options
                    .iter()
                    .find(|o| Some(&o.selector) == exact.as_ref())
                    .or_else(|| options.iter().find(|o| o.selector == category))
                    .or_else(|| options.iter().find(|o| o.selector == "other"));
                if let Some(o) = chosen {
                    let shown = n.map(|n| n.to_string()).unwrap_or_else(|| v.to_string());
                    fill(lang, &o.value, params, Some(&shown), out);
                }
            }
            IcuNode::Tag { children, .. } => fill(lang, children, params, pound, out),
            IcuNode::Date { name, .. }
            | IcuNode::Time { name, .. }
            | IcuNode::List { name, .. }
            | IcuNode::Duration { name, .. }
            | IcuNode::Ago { name, .. }
            | IcuNode::Name { name, .. } => out.push_str(arg(name)),
            // a kind of node a newer parser knows: the catalogue uses none
            _ => {}
        }
    }
}

/// A whole number grouped as the language writes it (1,250,000 / 1.250.000); anything else as is.
fn number(lang: Lang, v: &str) -> String {
    let Ok(n) = v.trim().parse::<i64>() else { return v.to_string() };
    let digits = n.unsigned_abs().to_string();
    let sep = if lang == Lang::Vi { '.' } else { ',' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A field path (`phones[1].number`, `custom.size`, `rules.all[0].value`) as its label, as the
/// app shows it (`field.<name>`), or the path itself when it has none.
fn field_label(lang: Lang, field: &str) -> String {
    let base = field.split(['[', '.']).next().unwrap_or(field);
    match message(lang, &format!("field.{base}")) {
        Some(label) if field == base => label.to_string(),
        Some(label) => format!("{label} ({field})"),
        None => field.to_string(),
    }
}

/// A file's row and column (`rows[2].created_at`, the file's header in `column` when given) as
/// "Row 3, column Ngày tạo"; None for any other field.
fn row_label(lang: Lang, field: &str, column: Option<&str>) -> Option<String> {
    let (n, rest) = field.strip_prefix("rows[")?.split_once(']')?;
    let n: u64 = n.parse().ok()?;
    let target = rest.strip_prefix('.').unwrap_or(rest);
    let column = match column {
        Some(c) => c.to_string(),
        None => message(lang, &format!("field.{target}")).unwrap_or(target).to_string(),
    };
    let params = BTreeMap::from([("row".to_string(), (n + 1).to_string()), ("column".to_string(), column)]);
    Some(text(lang, "import.row_column", &params))
}

/// One invalid field as a sentence: "Tags (tags): ..."; a file's row as "Row 3, column X: ...".
pub fn field_text(lang: Lang, f: &FieldError) -> String {
    let mut params = f.params.clone();
    let row = row_label(lang, &f.field, params.get("column").map(String::as_str));
    if row.is_some() {
        params.remove("column");
    }
    if let Some(name) = params.get("field").cloned() {
        params.insert("field".into(), field_label(lang, &name));
    }
    let mut said = text(lang, &f.message_key, &params);
    // what the app shows beside the field (the value typed, the choices) the CLI says here
    let used: Vec<String> = message(lang, &f.message_key)
        .and_then(|m| parse(m).ok())
        .map(|m| ferrocat_icu::extract_variables(&m))
        .unwrap_or_default();
    let extra: Vec<String> = params
        .iter()
        .filter(|(k, v)| !used.contains(k) && !v.is_empty() && k.as_str() != "field")
        .map(|(k, v)| if k == "value" { format!("“{v}”") } else { format!("{k}: {v}") })
        .collect();
    if !extra.is_empty() {
        said = format!("{said} ({})", extra.join("; "));
    }
    format!("{}: {said}", row.unwrap_or_else(|| field_label(lang, &f.field)))
}

/// An error as the CLI prints it: every invalid field, or the error's own message.
pub fn error_text(lang: Lang, e: &Error) -> String {
    let p = ErrorPayload::from(e);
    if !p.fields.is_empty() {
        return p.fields.iter().map(|f| field_text(lang, f)).collect::<Vec<_>>().join("\n");
    }
    let mut params = p.params.clone();
    if let Some(entity) = params.get("entity").cloned() {
        let key = format!("entity.{}", entity.trim().to_lowercase().replace(' ', "_"));
        if let Some(name) = message(lang, &key) {
            params.insert("entity".into(), name.to_string());
        }
    }
    if message(lang, &p.message_key).is_none() {
        // a key the catalogue lacks: the core's own English says it
        return p.message;
    }
    let said = text(lang, &p.message_key, &params);
    match (e, p.params.get("id")) {
        // the app shows what it did not find; the CLI names the id it was given
        (Error::NotFound { .. }, Some(id)) => format!("{said}: {id}"),
        _ => said,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn both_catalogues_read_and_every_message_parses() {
        for lang in [Lang::En, Lang::Vi] {
            let mut bad = Vec::new();
            fn walk(v: &Value, path: &str, bad: &mut Vec<String>) {
                match v {
                    Value::Object(o) => o.iter().for_each(|(k, c)| walk(c, &format!("{path}.{k}"), bad)),
                    Value::String(s) if parse(s).is_err() => bad.push(path.to_string()),
                    _ => {}
                }
            }
            let cat = catalogue(lang);
            assert!(cat.is_object(), "{lang:?} catalogue does not read");
            walk(cat, "", &mut bad);
            assert!(bad.is_empty(), "{lang:?}: messages that do not parse: {bad:?}");
        }
    }

    #[test]
    fn messages_are_filled_in_either_language() {
        let p = params(&[("count", "1")]);
        assert_eq!(
            text(Lang::En, "validation.stage_in_use", &p),
            "One customer is in this stage; move them to another stage first"
        );
        let p = params(&[("count", "1250")]);
        assert!(text(Lang::En, "validation.stage_in_use", &p).starts_with("1,250 customers are"));
        let e = Error::Validation(vec![FieldError::new("name", "validation.required")]);
        assert_eq!(
            error_text(Lang::En, &e),
            format!(
                "{}: {}",
                message(Lang::En, "field.name").unwrap_or("name"),
                message(Lang::En, "validation.required").unwrap_or("")
            )
        );
        assert_ne!(error_text(Lang::Vi, &e), error_text(Lang::En, &e));
        assert!(!error_text(Lang::En, &e).contains("validation."), "no raw key");
        let nf = Error::not_found("customer", "nosuch");
        assert!(error_text(Lang::En, &nf).contains("nosuch"), "{}", error_text(Lang::En, &nf));
    }
}

#[cfg(test)]
mod catalogue_tests {
    use super::*;

    /// Every message key written in the core's sources (`"segment.in_use"`...) is in both
    /// catalogues, so neither the app nor the CLI ever shows a raw key.
    #[test]
    fn every_key_the_core_names_is_in_both_catalogues() {
        const SPACES: &[&str] = &[
            "validation",
            "segment",
            "care",
            "error",
            "import",
            "interaction",
            "bulk",
            "settings",
            "demo",
            "backup",
            "conflict",
            "update",
            "files",
            "notice",
        ];
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).expect("src readable").flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
        let mut missing = Vec::new();
        for f in files {
            let src = std::fs::read_to_string(&f).expect("source readable");
            for lit in src.split('"').skip(1).step_by(2) {
                let Some((space, rest)) = lit.split_once('.') else { continue };
                let key_like = !rest.is_empty()
                    && rest.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                    && !matches!(rest, "rs" | "json" | "toml" | "tend" | "csv" | "xlsx");
                if SPACES.contains(&space) && key_like {
                    for lang in [Lang::En, Lang::Vi] {
                        let found =
                            lit.split('.').try_fold(catalogue(lang), |v, p| v.get(p)).is_some_and(Value::is_string);
                        if !found {
                            missing.push(format!("{lit} ({lang:?}, {})", f.display()));
                        }
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "keys missing from the catalogues: {missing:#?}");
    }

    /// The history names every change by its column: each tracked column of every table in the
    /// registry has a label in both languages (a new table's columns cannot be forgotten).
    #[test]
    fn every_tracked_column_has_a_label_in_both_catalogues() {
        let mut missing = Vec::new();
        for t in tend_sync::registry::TABLES {
            for c in t.columns {
                for lang in [Lang::En, Lang::Vi] {
                    if !catalogue(lang).get("field").and_then(|f| f.get(*c)).is_some_and(Value::is_string) {
                        missing.push(format!("field.{c} ({}, {lang:?})", t.name));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "columns the history cannot name: {missing:#?}");
    }
}
