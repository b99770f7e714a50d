//! Interactions: calls, emails, meetings, chats, notes and purchases with a customer.

use crate::db::{new_id, WriteTx};
use crate::error::{Error, Errors, FieldError, Result};
use crate::{validate, Workspace};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::HashSet;

str_enum!(InteractionKind { Call = "call", Email = "email", Meeting = "meeting", Chat = "chat", Note = "note", Purchase = "purchase" });
str_enum!(InteractionChannel { Phone = "phone", Email = "email", Website = "website", Facebook = "facebook", Zalo = "zalo", InPerson = "in_person", Other = "other" });
str_enum!(Direction { Inbound = "inbound", Outbound = "outbound", Internal = "internal" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PurchaseItem {
    pub name: String,
    #[specta(type = i32)]
    pub quantity: i64,
    /// Minor units of the interaction's currency.
    #[specta(type = i32)]
    pub unit_price: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
pub struct InteractionInput {
    pub kind: InteractionKind,
    pub channel: InteractionChannel,
    pub direction: Direction,
    pub staff_id: Option<String>,
    /// UTC ms; None means now.
    #[specta(type = Option<i32>)]
    pub occurred_at: Option<i64>,
    pub summary: String,
    pub body: Option<String>,
    /// Purchases: total in minor units; computed from the items when omitted.
    #[specta(type = Option<i32>)]
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub items: Vec<PurchaseItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Interaction {
    pub id: String,
    pub customer_id: String,
    pub kind: InteractionKind,
    pub channel: InteractionChannel,
    pub direction: Direction,
    pub staff_id: Option<String>,
    #[specta(type = i32)]
    pub occurred_at: i64,
    pub summary: String,
    pub body: Option<String>,
    #[specta(type = Option<i32>)]
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub items: Vec<PurchaseItem>,
    #[specta(type = i32)]
    pub created_at: i64,
    /// Values this build does not know (written by a newer version and synced here): kept as
    /// they are in the workspace; `kind`, `channel` and `direction` above then show the nearest
    /// known value (note, other, internal).
    pub newer_values: Vec<NewerValue>,
}

/// Whether an interaction of this kind and direction is us contacting the customer (what the
/// quiet interval counts).
pub fn is_contact(kind: InteractionKind, direction: Direction) -> bool {
    direction == Direction::Outbound
        && matches!(
            kind,
            InteractionKind::Call | InteractionKind::Email | InteractionKind::Meeting | InteractionKind::Chat
        )
}

/// A field whose stored value comes from a newer version of Tend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct NewerValue {
    pub field: String,
    pub value: String,
}

pub(crate) type InteractionRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
    i64,
);

pub(crate) const INTERACTION_COLS: &str =
    "id, customer_id, kind, channel, direction, staff_id, occurred_at, summary, body, amount, currency, items, created_at";

pub(crate) fn from_row(r: InteractionRow) -> Result<Interaction> {
    let mut newer_values = Vec::new();
    let mut newer =
        |field: &str, value: &str| newer_values.push(NewerValue { field: field.into(), value: value.into() });
    let kind = InteractionKind::parse(&r.2).unwrap_or_else(|| {
        newer("kind", &r.2);
        InteractionKind::Note
    });
    let channel = InteractionChannel::parse(&r.3).unwrap_or_else(|| {
        newer("channel", &r.3);
        InteractionChannel::Other
    });
    let direction = Direction::parse(&r.4).unwrap_or_else(|| {
        newer("direction", &r.4);
        Direction::Internal
    });
    Ok(Interaction {
        id: r.0,
        customer_id: r.1,
        kind,
        channel,
        direction,
        staff_id: r.5,
        occurred_at: r.6,
        summary: r.7,
        body: r.8,
        amount: r.9,
        currency: r.10,
        items: serde_json::from_str(&r.11)?,
        created_at: r.12,
        newer_values,
    })
}

/// An interaction's values, validated and normalised.
pub(crate) struct Checked {
    pub summary: String,
    pub body: Option<String>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub items: Vec<PurchaseItem>,
}

/// Validates an interaction against the live staff (every problem at once, by field): the same
/// rules for the timeline's form and for an import of a million rows.
pub(crate) fn check(
    input: &InteractionInput,
    staff: &HashSet<String>,
) -> std::result::Result<Checked, Vec<FieldError>> {
    let mut errs = Errors::default();
    let summary_checked = validate::text(&input.summary);
    let summary_ok = summary_checked.is_ok();
    let summary = errs.field("summary", summary_checked);
    if summary.is_empty() && summary_ok {
        errs.push(FieldError::new("summary", "validation.required"));
    } else if summary.chars().count() > 500 {
        errs.push(FieldError::new("summary", "validation.too_long").with("max", "500"));
    }
    let mut items = Vec::new();
    for (i, it) in input.items.iter().enumerate() {
        let name_checked = validate::text(&it.name);
        if name_checked.as_ref().is_ok_and(|n| n.is_empty()) {
            errs.push(FieldError::new(format!("items[{i}].name"), "validation.required"));
        }
        let name = errs.field(format!("items[{i}].name"), name_checked);
        if it.quantity <= 0 {
            errs.push(FieldError::new(format!("items[{i}].quantity"), "validation.positive"));
        }
        if it.quantity > MAX_QUANTITY {
            errs.push(
                FieldError::new(format!("items[{i}].quantity"), "validation.too_large")
                    .with("max", MAX_QUANTITY.to_string()),
            );
        }
        if let Err(k) = validate::money(it.unit_price) {
            errs.push(money_error(format!("items[{i}].unit_price"), k));
        }
        items.push(PurchaseItem { name, quantity: it.quantity, unit_price: it.unit_price });
    }
    let mut amount = input.amount;
    if input.kind == InteractionKind::Purchase {
        if amount.is_none() && !items.is_empty() {
            amount = items
                .iter()
                .try_fold(0i64, |acc, it| it.quantity.checked_mul(it.unit_price).and_then(|v| acc.checked_add(v)))
                // items that add up past the bound are named as the amount's problem below
                .or(Some(i64::MAX));
        }
        if amount.is_none() {
            errs.push(FieldError::new("amount", "validation.required"));
        }
    }
    if let Some(Err(k)) = amount.map(validate::money) {
        errs.push(money_error("amount", k));
    }
    let currency = match errs.field("currency", validate::opt(&input.currency)) {
        None => amount.map(|_| "VND".to_string()),
        Some(c) => match validate::currency(&c) {
            Ok(c) => Some(c),
            Err(k) => {
                errs.push(FieldError::new("currency", k).with("value", c));
                None
            }
        },
    };
    if let Some(s) = errs.field("staff_id", validate::opt(&input.staff_id)) {
        if !staff.contains(&s) {
            errs.push(FieldError::new("staff_id", "validation.unknown_staff").with("value", s));
        }
    }
    let body = errs.field("body", validate::opt_long(&input.body));
    if body.as_ref().is_some_and(|b| b.chars().count() > 20_000) {
        errs.push(FieldError::new("body", "validation.too_long").with("max", "20000"));
    }
    if !errs.is_empty() {
        return Err(errs.into_vec());
    }
    Ok(Checked { summary, body, amount, currency, items })
}

/// An interaction dated further ahead than this is asked about first ([`Error::DateAhead`]).
pub const CONFIRM_AHEAD_MS: i64 = 86_400_000;
/// An interaction is never dated further ahead than this (a year and a day).
pub const MAX_AHEAD_MS: i64 = 366 * 86_400_000;

/// The most of one item a purchase holds.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

/// A money field's error (`validate::money`), with the bound when it is too large.
pub(crate) fn money_error(field: impl Into<String>, key: &'static str) -> FieldError {
    let e = FieldError::new(field, key);
    if key == "validation.money_too_large" {
        e.with("max", validate::MAX_MONEY.to_string())
    } else {
        e
    }
}

impl Workspace {
    /// Logs an interaction on a customer's timeline.
    pub async fn add_interaction(&self, customer_id: &str, input: &InteractionInput) -> Result<Interaction> {
        let mut w = self.write().await?;
        let added = self.insert_interaction(&mut w, customer_id, input).await?;
        w.commit().await?;
        Ok(added)
    }

    /// Logs an interaction as a user does. Unless `confirmed`, one dated more than a day ahead
    /// is refused with [`Error::DateAhead`] (it would count as the last contact until then), and
    /// an outbound contact (call, email, meeting, chat) with a customer already contacted within
    /// the workspace's quiet interval with [`Error::RecentContact`], so nobody is pestered by
    /// accident. More than a year ahead is refused even when confirmed.
    pub async fn log_interaction(
        &self,
        customer_id: &str,
        input: &InteractionInput,
        confirmed: bool,
    ) -> Result<Interaction> {
        if let Some(at) = input.occurred_at {
            let now = self.now_ms();
            if at > now + MAX_AHEAD_MS {
                return Err(Error::Validation(vec![FieldError::new("occurred_at", "validation.date_too_far").with(
                    "value",
                    jiff::Timestamp::from_millisecond(at).map(|t| t.to_string()).unwrap_or_default(),
                )]));
            }
            if !confirmed && at > now + CONFIRM_AHEAD_MS {
                return Err(Error::DateAhead { at_ms: at });
            }
        }
        if !confirmed && is_contact(input.kind, input.direction) {
            let days = self.quiet_interval_days().await?;
            if days > 0 {
                let at = input.occurred_at.unwrap_or_else(|| self.now_ms());
                let last: Option<i64> = sqlx::query_scalar(
                    "SELECT MAX(occurred_at) FROM interactions WHERE customer_id = ? AND deleted_at IS NULL
                     AND direction = 'outbound' AND kind IN ('call', 'email', 'meeting', 'chat')
                     AND occurred_at > ? AND occurred_at <= ?",
                )
                .bind(customer_id)
                .bind(at - days * 86_400_000)
                .bind(at)
                .fetch_one(self.pool())
                .await?;
                if let Some(last_at_ms) = last {
                    return Err(Error::RecentContact { last_at_ms, days });
                }
            }
        }
        self.add_interaction(customer_id, input).await
    }

    /// Validates and inserts an interaction inside the write `w` (a won deal's purchase shares
    /// the deal's transaction).
    pub(crate) async fn insert_interaction(
        &self,
        w: &mut WriteTx<'_>,
        customer_id: &str,
        input: &InteractionInput,
    ) -> Result<Interaction> {
        let staff: Vec<String> =
            sqlx::query_scalar("SELECT id FROM staff WHERE deleted_at IS NULL").fetch_all(&mut *w.conn()).await?;
        let Checked { summary, body, amount, currency, items } =
            check(input, &staff.into_iter().collect()).map_err(Error::Validation)?;
        let id = new_id();
        let staff_id = match &input.staff_id {
            Some(s) => Some(s.clone()),
            None => self.current_staff_id().await?,
        };
        let now = w.now;
        let occurred_at = input.occurred_at.unwrap_or(now);
        let live: Option<i64> = sqlx::query_scalar("SELECT seq FROM customers WHERE id = ? AND deleted_at IS NULL")
            .bind(customer_id)
            .fetch_optional(&mut *w.conn())
            .await?;
        live.ok_or_else(|| Error::not_found("customer", customer_id))?;
        sqlx::query(
            "INSERT INTO interactions (id, customer_id, kind, channel, direction, staff_id, occurred_at,
             summary, body, amount, currency, items, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(customer_id)
        .bind(input.kind.as_str())
        .bind(input.channel.as_str())
        .bind(input.direction.as_str())
        .bind(&staff_id)
        .bind(occurred_at)
        .bind(&summary)
        .bind(&body)
        .bind(amount)
        .bind(&currency)
        .bind(serde_json::to_string(&items)?)
        .bind(now)
        .execute(&mut *w.conn())
        .await?;
        if input.kind == InteractionKind::Purchase {
            // plans that enrol on a purchase take the customer, in this write
            self.care_on_purchase(w, customer_id, &id).await?;
        }
        Ok(Interaction {
            id,
            customer_id: customer_id.to_string(),
            kind: input.kind,
            channel: input.channel,
            direction: input.direction,
            staff_id,
            occurred_at,
            summary,
            body,
            amount,
            currency,
            items,
            created_at: now,
            newer_values: vec![],
        })
    }

    /// Removes an interaction from the timeline (tombstone).
    pub async fn delete_interaction(&self, id: &str) -> Result<()> {
        let mut w = self.write().await?;
        w.tombstone("interactions", "interaction", id).await?;
        w.commit().await
    }
}
