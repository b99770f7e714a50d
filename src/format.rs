//! Numbers as Vietnamese write them, for messages, files and the timeline: one spelling of an
//! amount for every place that shows one.

/// An amount in minor units as a message shows it: "1.500.000 VND", "12,50 USD" (the
/// currencies without minor units, VND, JPY and KRW, show none).
pub fn money_text(minor: i64, currency: &str) -> String {
    if matches!(currency, "VND" | "JPY" | "KRW") {
        return format!("{} {currency}", group(minor));
    }
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{},{:02} {currency}", group((abs / 100) as i64), abs % 100)
}

/// 250000 -> "250.000" (as Vietnamese write amounts; the import reads it back).
pub fn group(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if v < 0 {
        format!("-{out}")
    } else {
        out
    }
}
