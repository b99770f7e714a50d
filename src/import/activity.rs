//! Interactions and purchases from a file (a shop's sales export, a call log): each row names its
//! customer by phone, email or customer code and becomes one entry on that customer's timeline,
//! validated exactly like the timeline's form (`interactions::check`).

use super::mapping::Mapping;
use super::row::{date_cell, phone_cell, split_time, CellError};
use crate::fold::fold;
use crate::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind, PurchaseItem};
use crate::validate;
use crate::validate::money_cell;
use jiff::tz::TimeZone;
use std::collections::{HashMap, HashSet};

/// What a column of an interactions file can fill.
pub const TARGETS: &[&str] = &[
    "ignore",
    "customer_phone",
    "customer_email",
    "customer_code",
    "order_ref",
    "occurred_at",
    "kind",
    "channel",
    "direction",
    "summary",
    "body",
    "item",
    "quantity",
    "unit_price",
    "amount",
    "currency",
    "staff",
];

/// Header names (folded, as `header_key` makes them) that suggest a target.
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "customer_phone",
        &[
            "so dien thoai",
            "sdt",
            "dien thoai",
            "di dong",
            "sdt khach",
            "sdt khach hang",
            "dien thoai khach hang",
            "so dien thoai khach hang",
            "phone",
            "mobile",
            "customer phone",
            "tel",
        ],
    ),
    ("customer_email", &["email", "e mail", "mail", "email khach hang", "customer email"]),
    (
        "customer_code",
        &["ma khach hang", "ma kh", "ma khach", "customer code", "customer id", "client id", "external id"],
    ),
    (
        "order_ref",
        &[
            "ma hoa don",
            "so hoa don",
            "hoa don",
            "ma don hang",
            "so don hang",
            "ma don",
            "don hang",
            "ma phieu",
            "so phieu",
            "ma giao dich",
            "order",
            "order id",
            "order number",
            "order no",
            "invoice",
            "invoice number",
            "invoice no",
            "receipt number",
        ],
    ),
    (
        "occurred_at",
        &[
            "ngay",
            "thoi gian",
            "ngay gio",
            "ngay mua",
            "ngay ban",
            "ngay giao dich",
            "ngay lien he",
            "thoi diem",
            "date",
            "time",
            "datetime",
            "date time",
            "occurred at",
            "order date",
            "purchase date",
        ],
    ),
    ("kind", &["loai", "loai tuong tac", "hinh thuc", "type", "kind", "activity type", "interaction type"]),
    ("channel", &["kenh", "kenh lien he", "kenh ban", "channel", "via"]),
    ("direction", &["chieu", "huong", "direction"]),
    ("summary", &["noi dung", "tom tat", "tieu de", "chu de", "summary", "subject", "title"]),
    ("body", &["chi tiet", "ghi chu", "noi dung chi tiet", "mo ta", "body", "details", "notes", "note", "description"]),
    (
        "item",
        &["san pham", "ten san pham", "ten hang", "hang hoa", "mat hang", "dich vu", "product", "item", "product name"],
    ),
    ("quantity", &["so luong", "sl", "quantity", "qty"]),
    ("unit_price", &["don gia", "gia", "gia ban", "unit price", "price"]),
    (
        "amount",
        &[
            "thanh tien",
            "tong tien",
            "so tien",
            "tong cong",
            "gia tri",
            "doanh thu",
            "tien hang",
            "khach can tra",
            "amount",
            "total",
            "value",
            "revenue",
        ],
    ),
    ("currency", &["tien te", "loai tien", "currency"]),
    ("staff", &["nhan vien", "nguoi phu trach", "nhan vien ban", "nguoi ban", "nguoi tao", "staff", "agent", "seller"]),
];

/// Suggests a mapping for an interactions file: known header names map to their target, each
/// target to its first column only; the rest is ignored.
pub fn suggest(headers: &[String]) -> Mapping {
    super::mapping::suggest_by(headers, SYNONYMS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Ignore,
    Phone,
    Email,
    Code,
    Order,
    OccurredAt,
    Kind,
    Channel,
    Direction,
    Summary,
    Body,
    Item,
    Quantity,
    UnitPrice,
    Amount,
    Currency,
    Staff,
}

/// A mapping checked against the file's columns.
pub(crate) struct Plan {
    cols: Vec<Target>,
}

impl Plan {
    fn col(&self, t: Target) -> Option<usize> {
        self.cols.iter().position(|c| *c == t)
    }

    /// The row's order (invoice) number and its column: a point-of-sale export writes an order of
    /// several products as several rows with the same number, and they make one purchase.
    pub(crate) fn order_of(&self, rec: &super::source::Record) -> Option<(String, usize)> {
        let i = self.col(Target::Order)?;
        let v = rec.cells.get(i).map(|s| s.trim()).unwrap_or("");
        (!v.is_empty()).then(|| (v.to_string(), i))
    }
}

/// What a purchase without a summary of its own says: the items bought, as many as fit.
fn bought(items: &[PurchaseItem]) -> String {
    let mut out = String::new();
    for (n, it) in items.iter().enumerate() {
        let sep = if n == 0 { "" } else { ", " };
        if out.chars().count() + sep.len() + it.name.chars().count() > 480 {
            return format!("{out} (+{})", items.len() - n);
        }
        out.push_str(sep);
        out.push_str(&it.name);
    }
    out
}

/// Checks a mapping: known targets only, at most one column each, and at least one column that
/// names the customer.
pub(crate) fn plan(headers: &[String], mapping: &Mapping) -> std::result::Result<Plan, Vec<crate::error::FieldError>> {
    use crate::error::FieldError;
    let mut errs = Vec::new();
    let mut cols = Vec::new();
    for h in headers {
        let t = match mapping.target_of(h) {
            "ignore" => Target::Ignore,
            "customer_phone" => Target::Phone,
            "customer_email" => Target::Email,
            "customer_code" => Target::Code,
            "order_ref" => Target::Order,
            "occurred_at" => Target::OccurredAt,
            "kind" => Target::Kind,
            "channel" => Target::Channel,
            "direction" => Target::Direction,
            "summary" => Target::Summary,
            "body" => Target::Body,
            "item" => Target::Item,
            "quantity" => Target::Quantity,
            "unit_price" => Target::UnitPrice,
            "amount" => Target::Amount,
            "currency" => Target::Currency,
            "staff" => Target::Staff,
            other => {
                errs.push(
                    FieldError::new("mapping", "import.mapping_unknown_target")
                        .with("column", h.clone())
                        .with("target", other.to_string()),
                );
                Target::Ignore
            }
        };
        if t != Target::Ignore && cols.contains(&t) {
            errs.push(
                FieldError::new("mapping", "import.mapping_repeated")
                    .with("column", h.clone())
                    .with("target", mapping.target_of(h).to_string()),
            );
            cols.push(Target::Ignore);
            continue;
        }
        cols.push(t);
    }
    if ![Target::Phone, Target::Email, Target::Code].iter().any(|t| cols.contains(t)) {
        errs.push(FieldError::new("mapping", "import.mapping_no_customer"));
    }
    if !cols.contains(&Target::OccurredAt) {
        errs.push(FieldError::new("mapping", "import.mapping_no_date"));
    }
    if errs.is_empty() {
        Ok(Plan { cols })
    } else {
        Err(errs)
    }
}

/// What converting a row needs besides the row.
pub(crate) struct Context<'a> {
    /// folded name, lower-case email or id -> staff id
    pub staff: &'a HashMap<String, String>,
    pub live_staff: &'a HashSet<String>,
    pub tz: &'a TimeZone,
    pub now: i64,
    /// the current user, who logged it when the file names nobody
    pub actor: Option<&'a str>,
}

/// A row, ready to write: how to find its customer, and the interaction.
pub(crate) struct Ready {
    /// (identity key, "phone"/"email"/"external_id", the cell as written, column)
    pub keys: Vec<(String, &'static str, String, usize)>,
    pub kind: InteractionKind,
    pub channel: InteractionChannel,
    pub direction: Direction,
    pub staff_id: Option<String>,
    pub occurred_at: i64,
    pub checked: crate::interactions::Checked,
    /// The summary was written in the file (not made from the items bought).
    pub own_summary: bool,
}

pub(crate) type Problem = (usize, String, String); // column, message key, value

/// Converts and validates a row: its problems by column, or the interaction.
pub(crate) fn assess(
    plan: &Plan,
    cx: &Context,
    rec: &super::source::Record,
) -> std::result::Result<Ready, Vec<Problem>> {
    if let Some(column) = rec.too_long {
        let value = rec.cells.get(column).cloned().unwrap_or_default();
        return Err(vec![(column, "import.cell_too_long".to_string(), value)]);
    }
    let mut errors: Vec<CellError> = Vec::new();
    let err = |errors: &mut Vec<CellError>, column: usize, key: &str, value: &str| {
        errors.push(CellError { column, key: key.to_string(), value: value.to_string() })
    };
    let cell = |t: Target| -> Option<(usize, &str)> {
        let i = plan.col(t)?;
        let v = rec.cells.get(i).map(|s| s.trim()).unwrap_or("");
        (!v.is_empty()).then_some((i, v))
    };

    let mut keys = Vec::new();
    if let Some((i, v)) = cell(Target::Phone) {
        match validate::phone(&phone_cell(v)) {
            Ok(n) => keys.push((format!("p:{n}"), "phone", v.to_string(), i)),
            Err(k) => err(&mut errors, i, k, v),
        }
    }
    if let Some((i, v)) = cell(Target::Email) {
        match validate::email(v) {
            Ok(a) => keys.push((format!("e:{}", a.to_lowercase()), "email", v.to_string(), i)),
            Err(k) => err(&mut errors, i, k, v),
        }
    }
    if let Some((i, v)) = cell(Target::Code) {
        keys.push((crate::customers::external_key(v), "external_id", v.to_string(), i));
    }
    let link_col = [Target::Phone, Target::Email, Target::Code].iter().filter_map(|t| plan.col(*t)).min().unwrap_or(0);
    if keys.is_empty() && errors.is_empty() {
        err(&mut errors, link_col, "import.customer_missing", "");
    }

    let today = crate::settings::today_in(cx.tz, cx.now);
    let occurred_at = match (cell(Target::OccurredAt), plan.col(Target::OccurredAt)) {
        (Some((i, v)), _) => match datetime_cell(v, cx.tz, today) {
            // a calendar rule: the day it happened, in the workspace's zone, is not after today there
            Ok(ms) if crate::settings::today_in(cx.tz, ms) > today => {
                err(&mut errors, i, "validation.date_out_of_range", v);
                None
            }
            Ok(ms) => Some(ms),
            Err(k) => {
                err(&mut errors, i, k, v);
                None
            }
        },
        (None, Some(i)) => {
            err(&mut errors, i, "validation.required", "");
            None
        }
        (None, None) => None,
    };

    let mut parse = |t: Target, f: fn(&str) -> Option<&'static str>| -> Option<&'static str> {
        let (i, v) = cell(t)?;
        let found = f(&fold(v));
        if found.is_none() {
            let key = match t {
                Target::Kind => "import.interaction_kind_unknown",
                Target::Channel => "import.channel_unknown",
                _ => "import.direction_unknown",
            };
            err(&mut errors, i, key, v);
        }
        found
    };
    let kind_word = parse(Target::Kind, kind_word);
    let channel_word = parse(Target::Channel, channel_word);
    let direction_word = parse(Target::Direction, direction_word);

    let mut money = |t: Target| -> Option<i64> {
        let (i, v) = cell(t)?;
        match money_cell(v) {
            Ok(n) => Some(n),
            Err(k) => {
                err(&mut errors, i, k, v);
                None
            }
        }
    };
    let amount = money(Target::Amount);
    let unit_price = money(Target::UnitPrice);
    let quantity = match cell(Target::Quantity) {
        Some((i, v)) => money_cell(v).map_err(|_| err(&mut errors, i, "validation.number_invalid", v)).ok(),
        None => None,
    };
    let item = cell(Target::Item).map(|(_, v)| v.to_string());
    let items: Vec<PurchaseItem> = match &item {
        Some(text) => listed_items(text).unwrap_or_else(|| {
            vec![PurchaseItem {
                name: text.clone(),
                quantity: quantity.unwrap_or(1),
                unit_price: unit_price.unwrap_or(0),
            }]
        }),
        None => vec![],
    };
    let kind = kind_word.and_then(InteractionKind::parse).unwrap_or(if amount.is_some() || item.is_some() {
        InteractionKind::Purchase
    } else {
        InteractionKind::Note
    });
    let channel = channel_word.and_then(InteractionChannel::parse).unwrap_or(match kind {
        InteractionKind::Call => InteractionChannel::Phone,
        InteractionKind::Email => InteractionChannel::Email,
        InteractionKind::Meeting | InteractionKind::Purchase => InteractionChannel::InPerson,
        InteractionKind::Chat | InteractionKind::Note => InteractionChannel::Other,
    });
    let direction = direction_word.and_then(Direction::parse).unwrap_or(match kind {
        InteractionKind::Note => Direction::Internal,
        InteractionKind::Purchase => Direction::Inbound,
        _ => Direction::Outbound,
    });
    let staff_id = match cell(Target::Staff) {
        Some((i, v)) => match cx.staff.get(&fold(v)).or_else(|| cx.staff.get(&v.to_lowercase())) {
            Some(id) => Some(id.clone()),
            None => {
                err(&mut errors, i, "import.owner_unknown", v);
                None
            }
        },
        None => cx.actor.map(str::to_string),
    };
    // A purchase without its own summary is summed up by what was bought.
    let own_summary = cell(Target::Summary).is_some();
    let summary = cell(Target::Summary).map(|(_, v)| v.to_string()).unwrap_or_else(|| bought(&items));
    let input = InteractionInput {
        kind,
        channel,
        direction,
        staff_id: None,
        occurred_at,
        summary,
        body: cell(Target::Body).map(|(_, v)| v.to_string()),
        amount,
        currency: cell(Target::Currency).map(|(_, v)| v.to_string()),
        items,
    };
    let checked = crate::interactions::check(&input, cx.live_staff);
    let mut problems: Vec<Problem> = errors.into_iter().map(|e| (e.column, e.key, e.value)).collect();
    match checked {
        Ok(checked) if problems.is_empty() => {
            let occurred_at = occurred_at.unwrap_or(cx.now);
            Ok(Ready { keys, kind, channel, direction, staff_id, occurred_at, checked, own_summary })
        }
        Ok(_) => Err(problems),
        Err(field_errors) => {
            // each problem goes to the column it came from (or, when no column holds it, to
            // the column that decided the kind, else the item, else the customer's)
            let fallback = plan.col(Target::Kind).or(plan.col(Target::Item)).unwrap_or(link_col);
            for fe in field_errors {
                let t = match fe.field.as_str() {
                    "summary" if plan.col(Target::Summary).is_some() => Target::Summary,
                    "summary" => Target::Item,
                    "body" => Target::Body,
                    "amount" => Target::Amount,
                    "currency" => Target::Currency,
                    "staff_id" => Target::Staff,
                    f if f.ends_with(".quantity") => Target::Quantity,
                    f if f.ends_with(".unit_price") => Target::UnitPrice,
                    _ => Target::Item,
                };
                let column = plan.col(t).unwrap_or(fallback);
                let value = rec.cells.get(column).map(|s| s.trim().to_string()).unwrap_or_default();
                problems.push((column, fe.message_key, value));
            }
            Err(problems)
        }
    }
}

impl Ready {
    /// The lines of one order as one purchase: the first line's customer, time, kind and staff;
    /// every line's items and amounts; the first summary written in the file, else one made from
    /// all the items; each line's details. Checked again as a whole.
    pub(crate) fn joined(
        lines: Vec<Ready>,
        live_staff: &HashSet<String>,
    ) -> std::result::Result<Ready, Vec<crate::error::FieldError>> {
        let mut lines = lines.into_iter();
        let Some(mut first) = lines.next() else { return Err(vec![]) };
        let mut items = std::mem::take(&mut first.checked.items);
        let mut amount = first.checked.amount;
        let mut summary = first.own_summary.then(|| first.checked.summary.clone());
        let mut body: Vec<String> = first.checked.body.iter().cloned().collect();
        for line in lines {
            items.extend(line.checked.items);
            amount = match (amount, line.checked.amount) {
                (Some(a), Some(b)) => Some(a.saturating_add(b)),
                (a, b) => a.or(b),
            };
            if summary.is_none() && line.own_summary {
                summary = Some(line.checked.summary);
            }
            if let Some(b) = line.checked.body {
                if !body.contains(&b) {
                    body.push(b);
                }
            }
        }
        let input = InteractionInput {
            kind: first.kind,
            channel: first.channel,
            direction: first.direction,
            staff_id: None,
            occurred_at: Some(first.occurred_at),
            summary: summary.unwrap_or_else(|| bought(&items)),
            body: (!body.is_empty()).then(|| body.join("\n")),
            amount,
            currency: first.checked.currency.clone(),
            items,
        };
        first.checked = crate::interactions::check(&input, live_staff)?;
        Ok(first)
    }
}

/// A date, or a date and a time (15/03/2025 14:30, 2025-03-15T14:30:00, an Excel serial with a
/// fraction of a day), in the workspace's time zone, as UTC milliseconds. Midnight when only a
/// date is given. The date is read as a typed one (`validate::typed_date`, two-digit years
/// counted from `today`).
pub fn datetime_cell(v: &str, tz: &TimeZone, today: jiff::civil::Date) -> std::result::Result<i64, &'static str> {
    use jiff::civil::{Date, Time};
    let t = v.trim();
    let (date, time) = match t.parse::<f64>() {
        Ok(serial) if t.contains('.') && (1.0..2_958_466.0).contains(&serial) => {
            let days = serial.floor();
            let secs = ((serial - days) * 86_400.0).round() as i64;
            let date = jiff::civil::date(1899, 12, 30)
                .checked_add(jiff::Span::new().days(days as i64))
                .map_err(|_| "validation.date_invalid")?;
            let time = Time::midnight()
                .checked_add(jiff::Span::new().seconds(secs.min(86_399)))
                .map_err(|_| "validation.date_invalid")?;
            (date, time)
        }
        _ => {
            let (d, rest) = split_time(t);
            let date: Date = date_cell(d, today)?.parse().map_err(|_| "validation.date_invalid")?;
            let rest = rest.trim_end_matches('Z');
            let time = if rest.is_empty() {
                Time::midnight()
            } else {
                let parts: Vec<&str> = rest.split(':').collect();
                let num =
                    |s: Option<&&str>| s.map_or(Some(0), |s| s.split('.').next().and_then(|s| s.parse::<i8>().ok()));
                match (parts.len(), num(parts.first()), num(parts.get(1)), num(parts.get(2))) {
                    (2 | 3, Some(h), Some(m), Some(s)) => {
                        Time::new(h, m, s, 0).map_err(|_| "validation.date_invalid")?
                    }
                    _ => return Err("validation.date_invalid"),
                }
            };
            (date, time)
        }
    };
    let zoned = date.to_datetime(time).to_zoned(tz.clone()).map_err(|_| "validation.date_invalid")?;
    Ok(zoned.timestamp().as_millisecond())
}

/// Several items in one cell, a line each, as the export writes them: "Áo sơ mi (2 × 250.000)".
/// None unless every line (two or more) reads so: then the cell is one item's name.
fn listed_items(text: &str) -> Option<Vec<PurchaseItem>> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.len() < 2 {
        return None;
    }
    lines
        .iter()
        .map(|l| {
            let (name, rest) = l.strip_suffix(')')?.rsplit_once(" (")?;
            let (q, p) = rest.split_once(" × ")?;
            Some(PurchaseItem {
                name: name.trim().to_string(),
                quantity: q.trim().parse().ok()?,
                unit_price: money_cell(p).ok()?,
            })
        })
        .collect()
}

fn kind_word(f: &str) -> Option<&'static str> {
    Some(match f {
        "call" | "goi" | "goi dien" | "cuoc goi" | "dien thoai" | "phone call" => "call",
        "email" | "e mail" | "mail" | "thu" => "email",
        "meeting" | "gap" | "gap mat" | "gap go" | "hop" | "cuoc hop" | "visit" | "tham" => "meeting",
        "chat" | "tin nhan" | "nhan tin" | "message" | "sms" => "chat",
        "note" | "ghi chu" => "note",
        "purchase" | "mua" | "mua hang" | "don hang" | "order" | "sale" | "ban hang" | "hoa don" | "invoice" => {
            "purchase"
        }
        _ => return None,
    })
}

fn channel_word(f: &str) -> Option<&'static str> {
    Some(match f {
        "phone" | "dien thoai" | "goi dien" | "call" => "phone",
        "email" | "e mail" | "mail" => "email",
        "website" | "web" | "online" => "website",
        "facebook" | "fb" | "messenger" => "facebook",
        "zalo" => "zalo",
        "in_person" | "in person" | "truc tiep" | "tai cua hang" | "cua hang" | "offline" | "store" => "in_person",
        "other" | "khac" => "other",
        _ => return None,
    })
}

fn direction_word(f: &str) -> Option<&'static str> {
    Some(match f {
        "inbound" | "den" | "goi den" | "khach goi" | "vao" | "incoming" | "in" => "inbound",
        "outbound" | "di" | "goi di" | "ra" | "outgoing" | "out" => "outbound",
        "internal" | "noi bo" => "internal",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_in_the_workspace_zone() {
        let tz = TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        let ms = |s: &str| datetime_cell(s, &tz, jiff::civil::date(2026, 3, 15));
        // 15/03/2025 14:30 in Hanoi is 07:30 UTC
        let want = jiff::Timestamp::from_second(1_742_023_800).unwrap().as_millisecond();
        for s in ["15/03/2025 14:30", "2025-03-15 14:30", "2025-03-15T14:30:00", "15-3-2025 14:30:00"] {
            assert_eq!(ms(s), Ok(want), "{s}");
        }
        assert_eq!(ms("15/03/2025"), Ok(want - (14 * 60 + 30) * 60_000));
        // Excel: 45731.604166... is 2025-03-15 14:30
        assert_eq!(ms("45731.6041666667"), Ok(want));
        for bad in ["15/03/2025 25:00", "hôm qua", "31/02/2025", "15/03/2025 14h30"] {
            assert!(ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_suggest_targets() {
        let h: Vec<String> =
            ["Mã KH", "Ngày mua", "Sản phẩm", "SL", "Đơn giá", "Thành tiền", "Nhân viên bán", "Ghi chú"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let t: Vec<String> = suggest(&h).columns.into_iter().map(|c| c.target).collect();
        assert_eq!(t, ["customer_code", "occurred_at", "item", "quantity", "unit_price", "amount", "staff", "body"]);
    }

    #[test]
    fn items_listed_in_one_cell() {
        let items = listed_items("Áo sơ mi (2 × 250.000)\nKhăn (Lụa) (1 × 90.000)").unwrap();
        assert_eq!(items[1], PurchaseItem { name: "Khăn (Lụa)".into(), quantity: 1, unit_price: 90_000 });
        assert_eq!(listed_items("Áo sơ mi (2 × 250.000)"), None, "one line is a name");
        assert_eq!(listed_items("Áo\nQuần"), None);
    }

    #[test]
    fn words_for_kinds_channels_directions() {
        assert_eq!(kind_word(&fold("Cuộc gọi")), Some("call"));
        assert_eq!(kind_word(&fold("Đơn hàng")), Some("purchase"));
        assert_eq!(channel_word(&fold("Trực tiếp")), Some("in_person"));
        assert_eq!(direction_word(&fold("Gọi đến")), Some("inbound"));
        assert_eq!(kind_word("phone"), None);
    }
}
