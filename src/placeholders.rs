//! Placeholders in message templates ("Cảm ơn {{customer.name}} đã mua {{purchase.items}}"): one
//! rule for care-plan steps and canned responses. A template is checked when it is saved
//! (an unknown placeholder, or a `{{` left open, is an error naming it) and filled when a message
//! is made. What a care step's anchor can fill is `care::Anchor::fills`.

use crate::error::FieldError;

/// The placeholders a care step's template may use.
pub const CARE: &[&str] = &[
    "customer.name",
    "customer.given_name",
    "customer.family_name",
    "customer.phone",
    "customer.email",
    "customer.province",
    "purchase.items",
    "purchase.amount",
    "purchase.date",
    "deal.title",
    "ticket.number",
    "ticket.subject",
    "staff.name",
    "staff.email",
];

/// The placeholders a canned response may use (filled from the ticket it answers, its customer,
/// its team and the agent replying).
pub const CANNED: &[&str] = &[
    "customer.name",
    "customer.given_name",
    "customer.phone",
    "customer.email",
    "ticket.number",
    "ticket.subject",
    "team.name",
    "agent.name",
    "agent.email",
];

/// The placeholders a team's automatic acknowledgement may use: a canned response's, without
/// an agent (nobody wrote it).
pub const ACK: &[&str] = &[
    "customer.name",
    "customer.given_name",
    "customer.phone",
    "customer.email",
    "ticket.number",
    "ticket.subject",
    "team.name",
];

/// A template split into its text and its placeholders, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Splits a template: `{{ key }}` (spaces inside allowed) is a placeholder; a `{{` with no `}}`
/// after it is an error giving its character position.
pub fn parse(template: &str) -> Result<Vec<Part<'_>>, usize> {
    let mut parts = Vec::new();
    let mut rest = template;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            parts.push(Part::Text(&rest[..open]));
        }
        let inner = &rest[open + 2..];
        let Some(close) = inner.find("}}") else {
            return Err(template[..offset + open].chars().count());
        };
        parts.push(Part::Placeholder(inner[..close].trim()));
        let used = open + 2 + close + 2;
        rest = &rest[used..];
        offset += used;
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest));
    }
    Ok(parts)
}

/// Every problem of a template saved under `field`: each unknown placeholder named once, or the
/// position of a `{{` left open.
pub fn check(field: &str, template: &str, known: &[&str]) -> Vec<FieldError> {
    if let Err(at) = parse(template) {
        return vec![FieldError::new(field, "validation.template_unclosed").with("position", at.to_string())];
    }
    used(template)
        .into_iter()
        .filter(|key| !known.contains(key))
        .map(|key| FieldError::new(field, "validation.unknown_placeholder").with("value", key))
        .collect()
}

/// The placeholders a template uses, each once, in order of first use (none for a template with
/// a `{{` left open, which [`check`] reports).
pub fn used(template: &str) -> Vec<&str> {
    let mut keys: Vec<&str> = Vec::new();
    for p in parse(template).unwrap_or_default() {
        if let Part::Placeholder(key) = p {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// The template with each placeholder replaced by its value (`value` gives none: empty), for a
/// template [`check`] accepted. A `{{` left open stays as written.
pub fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let Ok(parts) = parse(template) else { return template.to_string() };
    let mut out = String::with_capacity(template.len());
    for p in parts {
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Placeholder(key) => out.push_str(&value(key).unwrap_or_default()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(errors: &[FieldError]) -> Vec<(String, String)> {
        errors
            .iter()
            .map(|e| (e.message_key.clone(), e.params.values().cloned().collect::<Vec<_>>().join(",")))
            .collect()
    }

    #[test]
    fn a_template_is_split_into_text_and_placeholders() {
        assert_eq!(
            parse("Cảm ơn {{customer.name}} đã mua {{ purchase.items }}!").unwrap(),
            [
                Part::Text("Cảm ơn "),
                Part::Placeholder("customer.name"),
                Part::Text(" đã mua "),
                Part::Placeholder("purchase.items"),
                Part::Text("!")
            ]
        );
        assert_eq!(parse("").unwrap(), []);
        assert_eq!(parse("no placeholders }} at all").unwrap(), [Part::Text("no placeholders }} at all")]);
        // the position counts characters, not bytes
        assert_eq!(parse("Chào {{customer.name}}, hẹn {{staff"), Err(28));
    }

    #[test]
    fn unknown_placeholders_are_named_once_each_and_an_open_brace_pair_is_refused() {
        assert!(check("template", "Chúc mừng sinh nhật {{customer.given_name}} — {{staff.name}}", CARE).is_empty());
        let errors = check("steps[1].template", "{{customer.nam}} {{ khach.ten }} {{customer.nam}} {{}}", CARE);
        assert_eq!(
            keys(&errors),
            [
                ("validation.unknown_placeholder".into(), "customer.nam".into()),
                ("validation.unknown_placeholder".into(), "khach.ten".into()),
                ("validation.unknown_placeholder".into(), "".into())
            ]
        );
        assert!(errors.iter().all(|e| e.field == "steps[1].template"));
        assert_eq!(
            keys(&check("t", "Gọi {{customer.name", CARE)),
            [("validation.template_unclosed".into(), "4".into())]
        );
    }

    #[test]
    fn a_template_is_filled_and_a_value_it_lacks_is_left_empty() {
        let value = |k: &str| match k {
            "customer.name" => Some("Nguyễn Văn Dũng".to_string()),
            "purchase.items" => Some("Máy lọc nước × 1".to_string()),
            _ => None,
        };
        assert_eq!(
            fill("Cảm ơn {{customer.name}} đã mua {{ purchase.items }}{{staff.name}}.", value),
            "Cảm ơn Nguyễn Văn Dũng đã mua Máy lọc nước × 1."
        );
        assert_eq!(fill("Gọi {{customer.name", value), "Gọi {{customer.name");
    }
}
