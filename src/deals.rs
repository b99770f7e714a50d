//! The pre-sale pipeline: deal stages (ordered, each with a probability, whether it closes a deal
//! as won or lost, and the days after which the next contact is suggested) and deals per
//! customer. A deal's changes belong to its customer (`entity`), so its creation and every stage
//! change show in the customer's history and on the timeline.

use crate::db::{new_id, WriteTx};
use crate::error::{Error, Errors, FieldError, Result};
use crate::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};
use crate::{validate, Workspace};
use serde::{Deserialize, Serialize};
use specta::Type;

str_enum!(DealStageKind { Open = "open", Won = "won", Lost = "lost" });

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct DealStage {
    pub id: String,
    /// None for built-in stages: the UI shows the translation of `deal_stage.<id>`.
    pub name: Option<String>,
    #[specta(type = i32)]
    pub position: i64,
    /// Percent (0..=100): how likely a deal in this stage is won; weights the pipeline's totals.
    #[specta(type = i32)]
    pub probability: i64,
    pub kind: DealStageKind,
    /// Suggest the next contact this many days after the last one (or after reaching the stage).
    #[specta(type = Option<i32>)]
    pub next_contact_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
pub struct DealStageInput {
    pub name: String,
    #[specta(type = i32)]
    pub probability: i64,
    pub kind: DealStageKind,
    #[specta(type = Option<i32>)]
    pub next_contact_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Deal {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub title: String,
    pub stage_id: String,
    /// Expected revenue in minor units of `currency`.
    #[specta(type = Option<i32>)]
    pub amount: Option<i64>,
    pub currency: Option<String>,
    /// YYYY-MM-DD, a local date.
    pub expected_close: Option<String>,
    pub owner_id: Option<String>,
    pub lost_reason: Option<String>,
    /// The purchase recorded when the deal was won.
    pub purchase_id: Option<String>,
    #[specta(type = i32)]
    pub stage_changed_at: i64,
    #[specta(type = Option<i32>)]
    pub closed_at: Option<i64>,
    #[specta(type = i32)]
    pub created_at: i64,
    /// The day the stage suggests contacting the customer next (YYYY-MM-DD in the workspace
    /// zone): the last outbound contact, or reaching the stage when later, plus the stage's days.
    /// None for closed deals and stages that suggest nothing.
    pub next_contact_on: Option<String>,
    /// When it went to the trash (only deals read from the trash have one).
    #[specta(type = Option<i32>)]
    pub deleted_at: Option<i64>,
}

/// A deal's editable fields, as the form and the CLI send them.
#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
pub struct DealInput {
    pub title: String,
    /// None: the first open stage.
    pub stage_id: Option<String>,
    #[specta(type = Option<i32>)]
    pub amount: Option<i64>,
    pub currency: Option<String>,
    /// A date as typed (15/03/2027, 2027-03-15, ...); empty or None for none.
    pub expected_close: Option<String>,
    /// None: the customer's owner, else the current user.
    pub owner_id: Option<String>,
    pub lost_reason: Option<String>,
}

/// Which deals the pipeline shows.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Type)]
pub struct DealFilter {
    pub owner_id: Option<String>,
    /// Expected close on or after this date (YYYY-MM-DD); closed deals by the day they closed.
    pub from: Option<String>,
    /// Expected close on or before this date (YYYY-MM-DD).
    pub to: Option<String>,
}

/// One stage's column: its deals' count, total and total weighted by the stage's probability,
/// per currency.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct PipelineColumn {
    pub stage_id: String,
    #[specta(type = i32)]
    pub count: i64,
    pub totals: Vec<MoneyTotal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct MoneyTotal {
    pub currency: String,
    #[specta(type = i32)]
    pub amount: i64,
    #[specta(type = i32)]
    pub weighted: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Pipeline {
    pub stages: Vec<DealStage>,
    pub columns: Vec<PipelineColumn>,
    /// The deals shown, by stage then expected close; at most [`COLUMN_LIMIT`] per stage (the
    /// column's count says how many there are).
    pub deals: Vec<Deal>,
}

/// Deals loaded per column of the pipeline (a column's count and totals cover all of them).
pub const COLUMN_LIMIT: i64 = 200;

const DEAL_COLS: &str = "d.id, d.customer_id, c.name AS customer_name, d.title, d.stage_id, d.amount, d.currency,
    d.expected_close, d.owner_id, d.lost_reason, d.purchase_id, d.stage_changed_at, d.closed_at, d.created_at,
    d.deleted_at, s.kind AS stage_kind, s.next_contact_days, (SELECT MAX(i.occurred_at) FROM interactions i
    WHERE i.customer_id = d.customer_id AND i.deleted_at IS NULL AND i.direction = 'outbound'
    AND i.kind IN ('call', 'email', 'meeting', 'chat')) AS last_contact_at";
const DEAL_FROM: &str = "deals d JOIN customers c ON c.id = d.customer_id LEFT JOIN deal_stages s ON s.id = d.stage_id";

#[derive(sqlx::FromRow)]
struct DealRow {
    id: String,
    customer_id: String,
    customer_name: String,
    title: String,
    stage_id: String,
    amount: Option<i64>,
    currency: Option<String>,
    expected_close: Option<String>,
    owner_id: Option<String>,
    lost_reason: Option<String>,
    purchase_id: Option<String>,
    stage_changed_at: i64,
    closed_at: Option<i64>,
    created_at: i64,
    deleted_at: Option<i64>,
    stage_kind: Option<String>,
    next_contact_days: Option<i64>,
    last_contact_at: Option<i64>,
}

fn deal_of(r: DealRow, tz: &jiff::tz::TimeZone) -> Deal {
    let open = r.stage_kind.as_deref().is_none_or(|k| k == "open");
    let next_contact_on = match (open, r.next_contact_days) {
        (true, Some(days)) => {
            let from = r.last_contact_at.map_or(r.stage_changed_at, |last| last.max(r.stage_changed_at));
            // try_days: a stage synced from a newer version may hold any number of days
            jiff::Span::new()
                .try_days(days)
                .ok()
                .and_then(|span| crate::settings::today_in(tz, from).checked_add(span).ok())
                .map(|d| d.to_string())
        }
        _ => None,
    };
    Deal {
        id: r.id,
        customer_id: r.customer_id,
        customer_name: r.customer_name,
        title: r.title,
        stage_id: r.stage_id,
        amount: r.amount,
        currency: r.currency,
        expected_close: r.expected_close,
        owner_id: r.owner_id,
        lost_reason: r.lost_reason,
        purchase_id: r.purchase_id,
        stage_changed_at: r.stage_changed_at,
        closed_at: r.closed_at,
        created_at: r.created_at,
        next_contact_on,
        deleted_at: r.deleted_at,
    }
}

fn check_stage(input: &DealStageInput) -> Result<String> {
    let mut errs = Errors::default();
    let name = errs.required_text("name", &input.name, 100);
    if !(0..=100).contains(&input.probability) {
        errs.push(
            FieldError::new("probability", "validation.out_of_range")
                .with("min", "0")
                .with("max", "100")
                .with("value", input.probability.to_string()),
        );
    }
    if let Some(d) = input.next_contact_days {
        if !(1..=365).contains(&d) {
            errs.push(
                FieldError::new("next_contact_days", "validation.out_of_range")
                    .with("min", "1")
                    .with("max", "365")
                    .with("value", d.to_string()),
            );
        }
    }
    errs.into_result()?;
    Ok(name)
}

/// A deal's values, validated and normalised.
struct Checked {
    title: String,
    stage: DealStage,
    amount: Option<i64>,
    currency: Option<String>,
    expected_close: Option<String>,
    owner_id: Option<String>,
    lost_reason: Option<String>,
}

/// id, name, position, probability, kind, next_contact_days
type StageRow = (String, Option<String>, i64, i64, String, Option<i64>);

impl Workspace {
    pub async fn deal_stages(&self) -> Result<Vec<DealStage>> {
        let rows: Vec<StageRow> = sqlx::query_as(
            "SELECT id, name, position, probability, kind, next_contact_days FROM deal_stages
             WHERE deleted_at IS NULL ORDER BY position, id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, position, probability, kind, next_contact_days)| DealStage {
                id,
                name,
                position,
                probability,
                // a kind from a newer version counts as open (the deal stays in the pipeline)
                kind: DealStageKind::parse(&kind).unwrap_or(DealStageKind::Open),
                next_contact_days,
            })
            .collect())
    }

    pub async fn add_deal_stage(&self, input: &DealStageInput) -> Result<DealStage> {
        let name = check_stage(input)?;
        let id = new_id();
        let mut w = self.write().await?;
        let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 10 FROM deal_stages")
            .fetch_one(&mut *w.conn())
            .await?;
        sqlx::query(
            "INSERT INTO deal_stages (id, name, position, probability, kind, next_contact_days) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&name)
        .bind(position)
        .bind(input.probability)
        .bind(input.kind.as_str())
        .bind(input.next_contact_days)
        .execute(&mut *w.conn())
        .await?;
        w.commit().await?;
        Ok(DealStage {
            id,
            name: Some(name),
            position,
            probability: input.probability,
            kind: input.kind,
            next_contact_days: input.next_contact_days,
        })
    }

    /// Changes a stage's name, probability, kind and suggestion. The last stage of a closing kind
    /// (won, lost) keeps it: the pipeline always has a way to win and to lose.
    pub async fn update_deal_stage(&self, id: &str, input: &DealStageInput) -> Result<DealStage> {
        let name = check_stage(input)?;
        let stages = self.deal_stages().await?;
        let current = stages.iter().find(|s| s.id == id).ok_or_else(|| Error::not_found("deal stage", id))?;
        if current.kind != input.kind && current.kind != DealStageKind::Open && last_of_kind(&stages, current) {
            return Err(Error::Validation(vec![
                FieldError::new("kind", "validation.deal_stage_last_of_kind").with("kind", current.kind.as_str())
            ]));
        }
        let mut w = self.write().await?;
        sqlx::query("UPDATE deal_stages SET name = ?, probability = ?, kind = ?, next_contact_days = ? WHERE id = ?")
            .bind(&name)
            .bind(input.probability)
            .bind(input.kind.as_str())
            .bind(input.next_contact_days)
            .bind(id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(DealStage {
            id: id.to_string(),
            name: Some(name),
            position: current.position,
            probability: input.probability,
            kind: input.kind,
            next_contact_days: input.next_contact_days,
        })
    }

    /// Puts the deal stages in the given order (ids of every active stage).
    pub async fn reorder_deal_stages(&self, ids: &[String]) -> Result<()> {
        let mut known: Vec<String> = self.deal_stages().await?.into_iter().map(|s| s.id).collect();
        let mut given = ids.to_vec();
        known.sort();
        given.sort();
        if known != given {
            return Err(Error::invalid("stages", "validation.stage_order_invalid"));
        }
        let mut w = self.write().await?;
        for (i, id) in ids.iter().enumerate() {
            sqlx::query("UPDATE deal_stages SET position = ? WHERE id = ?")
                .bind((i as i64 + 1) * 10)
                .bind(id)
                .execute(&mut *w.conn())
                .await?;
        }
        w.commit().await
    }

    /// Removes a deal stage (tombstone). Refused while deals are in it, and for the last stage of
    /// each kind.
    pub async fn remove_deal_stage(&self, id: &str) -> Result<()> {
        let stages = self.deal_stages().await?;
        let current = stages.iter().find(|s| s.id == id).ok_or_else(|| Error::not_found("deal stage", id))?;
        if last_of_kind(&stages, current) {
            return Err(Error::Validation(vec![
                FieldError::new("stage", "validation.deal_stage_last_of_kind").with("kind", current.kind.as_str())
            ]));
        }
        let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deals WHERE stage_id = ? AND deleted_at IS NULL")
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        if used > 0 {
            return Err(Error::Validation(vec![
                FieldError::new("stage", "validation.deal_stage_in_use").with("count", used.to_string())
            ]));
        }
        let mut w = self.write().await?;
        w.tombstone("deal_stages", "deal stage", id).await?;
        w.commit().await
    }

    async fn check_deal(&self, input: &DealInput, default_owner: Option<String>) -> Result<Checked> {
        let stages = self.deal_stages().await?;
        let staff: Vec<String> =
            sqlx::query_scalar("SELECT id FROM staff WHERE deleted_at IS NULL").fetch_all(self.pool()).await?;
        let today = self.today().await?;
        let mut errs = Errors::default();
        let title = errs.required_text("title", &input.title, 200);
        let stage = match errs.field("stage_id", validate::opt(&input.stage_id)) {
            None => stages.iter().find(|s| s.kind == DealStageKind::Open).or(stages.first()).cloned(),
            Some(id) => {
                let found = stages.iter().find(|s| s.id == id).cloned();
                if found.is_none() {
                    errs.push(FieldError::new("stage_id", "validation.unknown_stage").with("value", id));
                }
                found
            }
        };
        if let Some(Err(k)) = input.amount.map(validate::money) {
            errs.push(crate::interactions::money_error("amount", k));
        }
        let currency = match errs.field("currency", validate::opt(&input.currency)) {
            None => input.amount.map(|_| "VND".to_string()),
            Some(c) => match validate::currency(&c) {
                Ok(c) => Some(c),
                Err(k) => {
                    errs.push(FieldError::new("currency", k).with("value", c));
                    None
                }
            },
        };
        let expected_close = match input.expected_close.as_deref().map(|d| validate::typed_date(d, today)) {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(d))) => Some(d.to_string()),
            Some(Err(k)) => {
                errs.push(
                    FieldError::new("expected_close", k)
                        .with("value", input.expected_close.clone().unwrap_or_default()),
                );
                None
            }
        };
        let owner_id = match errs.field("owner_id", validate::opt(&input.owner_id)) {
            Some(s) if !staff.contains(&s) => {
                errs.push(FieldError::new("owner_id", "validation.unknown_staff").with("value", s));
                None
            }
            Some(s) => Some(s),
            None => default_owner.filter(|s| staff.contains(s)),
        };
        let lost_reason = errs.field("lost_reason", validate::opt(&input.lost_reason));
        if lost_reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            errs.push(FieldError::new("lost_reason", "validation.too_long").with("max", "500"));
        }
        errs.into_result()?;
        let stage = stage.ok_or_else(|| Error::invalid("stage_id", "validation.unknown_stage"))?;
        // a reason only means something for a lost deal
        let lost_reason = lost_reason.filter(|_| stage.kind == DealStageKind::Lost);
        Ok(Checked { title, stage, amount: input.amount, currency, expected_close, owner_id, lost_reason })
    }

    /// Opens a deal with a customer. The owner defaults to the customer's owner, else the
    /// current user.
    pub async fn create_deal(&self, customer_id: &str, input: &DealInput) -> Result<Deal> {
        let owner: Option<Option<String>> =
            sqlx::query_scalar("SELECT owner_id FROM customers WHERE id = ? AND deleted_at IS NULL")
                .bind(customer_id)
                .fetch_optional(self.pool())
                .await?;
        let owner = owner.ok_or_else(|| Error::not_found("customer", customer_id))?;
        let default_owner = match owner {
            Some(o) => Some(o),
            None => self.current_staff_id().await?,
        };
        let c = self.check_deal(input, default_owner).await?;
        let id = new_id();
        let mut w = self.write().await?;
        let now = w.now;
        let closed_at = (c.stage.kind != DealStageKind::Open).then_some(now);
        sqlx::query(
            "INSERT INTO deals (id, customer_id, title, stage_id, amount, currency, expected_close, owner_id,
             lost_reason, stage_changed_at, closed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(customer_id)
        .bind(&c.title)
        .bind(&c.stage.id)
        .bind(c.amount)
        .bind(&c.currency)
        .bind(&c.expected_close)
        .bind(&c.owner_id)
        .bind(&c.lost_reason)
        .bind(now)
        .bind(closed_at)
        .bind(now)
        .execute(&mut *w.conn())
        .await?;
        self.care_on_deal_stage(&mut w, customer_id, &id, &c.stage.id).await?;
        touch_customer(&mut w, customer_id).await?;
        w.commit().await?;
        self.deal(&id).await
    }

    /// Saves a deal's form. A stage change stamps when it happened (and when the deal closed).
    pub async fn update_deal(&self, id: &str, input: &DealInput) -> Result<Deal> {
        let before = self.deal(id).await?;
        let c = self.check_deal(input, before.owner_id.clone()).await?;
        let mut w = self.write().await?;
        let now = w.now;
        sqlx::query(
            "UPDATE deals SET title = ?, amount = ?, currency = ?, expected_close = ?, owner_id = ?, lost_reason = ?
             WHERE id = ? AND deleted_at IS NULL",
        )
        .bind(&c.title)
        .bind(c.amount)
        .bind(&c.currency)
        .bind(&c.expected_close)
        .bind(&c.owner_id)
        .bind(&c.lost_reason)
        .bind(id)
        .execute(&mut *w.conn())
        .await?;
        set_stage(self, &mut w, &before, &c.stage, now).await?;
        touch_customer(&mut w, &before.customer_id).await?;
        w.commit().await?;
        self.deal(id).await
    }

    /// Moves a deal to another stage (the kanban's drop). A reason is kept only for a lost stage.
    pub async fn move_deal(&self, id: &str, stage_id: &str, lost_reason: Option<&str>) -> Result<Deal> {
        let before = self.deal(id).await?;
        let stage = self.deal_stages().await?.into_iter().find(|s| s.id == stage_id).ok_or_else(|| {
            Error::Validation(vec![FieldError::new("stage_id", "validation.unknown_stage").with("value", stage_id)])
        })?;
        let reason = validate::opt(&lost_reason.map(str::to_string)).map_err(|k| Error::invalid("lost_reason", k))?;
        if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            return Err(Error::Validation(vec![
                FieldError::new("lost_reason", "validation.too_long").with("max", "500")
            ]));
        }
        let mut w = self.write().await?;
        let now = w.now;
        set_stage(self, &mut w, &before, &stage, now).await?;
        let reason = reason.filter(|_| stage.kind == DealStageKind::Lost);
        if stage.kind != DealStageKind::Lost || reason.is_some() {
            sqlx::query("UPDATE deals SET lost_reason = ? WHERE id = ?")
                .bind(&reason)
                .bind(id)
                .execute(&mut *w.conn())
                .await?;
        }
        touch_customer(&mut w, &before.customer_id).await?;
        w.commit().await?;
        self.deal(id).await
    }

    /// Records the purchase a won deal brought: a purchase on the customer's timeline for the
    /// deal's amount (or `amount`), linked from the deal. Refused for a deal not won, or one
    /// whose purchase is already recorded.
    pub async fn record_deal_purchase(&self, id: &str, amount: Option<i64>) -> Result<Deal> {
        let deal = self.deal(id).await?;
        let won = self.deal_stages().await?.iter().any(|s| s.id == deal.stage_id && s.kind == DealStageKind::Won);
        if !won {
            return Err(Error::invalid("stage_id", "validation.deal_not_won"));
        }
        if deal.purchase_id.is_some() {
            return Err(Error::invalid("purchase_id", "validation.deal_purchase_recorded"));
        }
        let input = InteractionInput {
            kind: InteractionKind::Purchase,
            channel: InteractionChannel::Other,
            direction: Direction::Inbound,
            staff_id: deal.owner_id.clone(),
            occurred_at: None,
            summary: deal.title.clone(),
            body: None,
            amount: amount.or(deal.amount),
            currency: deal.currency.clone(),
            items: vec![],
        };
        let mut w = self.write().await?;
        let purchase = self.insert_interaction(&mut w, &deal.customer_id, &input).await?;
        sqlx::query("UPDATE deals SET purchase_id = ? WHERE id = ? AND purchase_id IS NULL")
            .bind(&purchase.id)
            .bind(id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        self.deal(id).await
    }

    /// Removes a deal (tombstone; its history stays on the customer's).
    pub async fn delete_deal(&self, id: &str) -> Result<()> {
        let deal = self.deal(id).await?;
        let mut w = self.write().await?;
        w.tombstone("deals", "deal", id).await?;
        touch_customer(&mut w, &deal.customer_id).await?;
        w.commit().await
    }

    /// Deals in the trash (of customers not in it), newest first.
    pub async fn trashed_deals(&self) -> Result<Vec<Deal>> {
        let tz = self.zone().await?;
        let rows: Vec<DealRow> = sqlx::query_as(&format!(
            "SELECT {DEAL_COLS} FROM {DEAL_FROM} WHERE d.deleted_at IS NOT NULL AND c.deleted_at IS NULL
             ORDER BY d.deleted_at DESC, d.id LIMIT 1000"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|r| deal_of(r, &tz)).collect())
    }

    /// Brings a deal back from the trash (its customer must not be in the trash). Checked and
    /// read inside the write, which sees every other program's last commit.
    pub async fn restore_deal(&self, id: &str) -> Result<Deal> {
        let tz = self.zone().await?;
        let mut w = self.write().await?;
        let customer: Option<String> = sqlx::query_scalar(
            "SELECT d.customer_id FROM deals d JOIN customers c ON c.id = d.customer_id
             WHERE d.id = ? AND d.deleted_at IS NOT NULL AND c.deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *w.conn())
        .await?;
        let customer = customer.ok_or_else(|| Error::not_found("trashed deal", id))?;
        sqlx::query("UPDATE deals SET deleted_at = NULL WHERE id = ?").bind(id).execute(&mut *w.conn()).await?;
        touch_customer(&mut w, &customer).await?;
        let row: DealRow = sqlx::query_as(&format!("SELECT {DEAL_COLS} FROM {DEAL_FROM} WHERE d.id = ?"))
            .bind(id)
            .fetch_one(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(deal_of(row, &tz))
    }

    pub async fn deal(&self, id: &str) -> Result<Deal> {
        let tz = self.zone().await?;
        let row: Option<DealRow> =
            sqlx::query_as(&format!("SELECT {DEAL_COLS} FROM {DEAL_FROM} WHERE d.id = ? AND d.deleted_at IS NULL"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(|r| deal_of(r, &tz)).ok_or_else(|| Error::not_found("deal", id))
    }

    /// The deals of `ids` (not deleted), in the order given.
    pub async fn deals_by_id(&self, ids: &[String]) -> Result<Vec<Deal>> {
        let tz = self.zone().await?;
        let rows: Vec<DealRow> = sqlx::query_as(&format!(
            "SELECT {DEAL_COLS} FROM {DEAL_FROM} JOIN json_each(?) j ON j.value = d.id
             WHERE d.deleted_at IS NULL ORDER BY j.key"
        ))
        .bind(serde_json::to_string(ids)?)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|r| deal_of(r, &tz)).collect())
    }

    /// A customer's deals: open ones first (by expected close), then closed ones, newest first.
    pub async fn customer_deals(&self, customer_id: &str) -> Result<Vec<Deal>> {
        let tz = self.zone().await?;
        let rows: Vec<DealRow> = sqlx::query_as(&format!(
            "SELECT {DEAL_COLS} FROM {DEAL_FROM} WHERE d.customer_id = ? AND d.deleted_at IS NULL
             ORDER BY d.closed_at IS NOT NULL, d.closed_at DESC, d.expected_close IS NULL, d.expected_close, d.created_at"
        ))
        .bind(customer_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|r| deal_of(r, &tz)).collect())
    }

    /// The pipeline: every stage with its count and totals, and its deals (up to
    /// [`COLUMN_LIMIT`] each), for one owner and a period of expected (or actual) close.
    pub async fn pipeline(&self, filter: &DealFilter) -> Result<Pipeline> {
        let tz = self.zone().await?;
        let day = |field: &'static str, v: &Option<String>| -> Result<Option<String>> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => s.parse::<jiff::civil::Date>().map(|d| Some(d.to_string())).map_err(|_| {
                    Error::Validation(vec![FieldError::new(field, "validation.date_invalid").with("value", s)])
                }),
            }
        };
        let (from, to) = (day("from", &filter.from)?, day("to", &filter.to)?);
        // closed deals fall in the period by the local day they closed, open ones by expected close
        let from_ms = from.as_ref().map(|d| self.day_ms(&tz, d, 0)).transpose()?;
        let to_ms = to.as_ref().map(|d| self.day_ms(&tz, d, 1)).transpose()?;
        let owner = validate::opt(&filter.owner_id).map_err(|k| Error::invalid("owner_id", k))?;
        // a customer in the trash takes its deals out of the pipeline (they come back with it)
        let cond = "d.deleted_at IS NULL AND (?1 IS NULL OR d.owner_id = ?1)
            AND NOT EXISTS (SELECT 1 FROM customers t WHERE t.id = d.customer_id AND t.deleted_at IS NOT NULL)
            AND (?2 IS NULL OR CASE WHEN d.closed_at IS NULL THEN d.expected_close >= ?2 ELSE d.closed_at >= ?4 END)
            AND (?3 IS NULL OR CASE WHEN d.closed_at IS NULL THEN d.expected_close <= ?3 ELSE d.closed_at < ?5 END)";
        // TOTAL, not SUM: a sum never fails the read (SUM stops at an integer overflow, and a
        // deal synced from elsewhere is not bounded by this build's check); it is exact below
        // 2^53, far past any shop's pipeline, and saturates beyond
        let totals: Vec<(String, Option<String>, i64, f64, f64)> = sqlx::query_as(&format!(
            "SELECT d.stage_id, d.currency, COUNT(*), TOTAL(d.amount),
                    TOTAL(d.amount * COALESCE(s.probability, 0) / 100.0)
             FROM deals d LEFT JOIN deal_stages s ON s.id = d.stage_id WHERE {cond}
             GROUP BY d.stage_id, d.currency"
        ))
        .bind(&owner)
        .bind(&from)
        .bind(&to)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.pool())
        .await?;
        let rows: Vec<DealRow> = sqlx::query_as(&format!(
            "SELECT {DEAL_COLS} FROM (SELECT d.*, ROW_NUMBER() OVER (PARTITION BY d.stage_id
                 ORDER BY d.closed_at DESC, d.expected_close IS NULL, d.expected_close, d.created_at) AS n
               FROM deals d WHERE {cond}) d
             JOIN customers c ON c.id = d.customer_id LEFT JOIN deal_stages s ON s.id = d.stage_id
             WHERE d.n <= {COLUMN_LIMIT} ORDER BY s.position, d.n"
        ))
        .bind(&owner)
        .bind(&from)
        .bind(&to)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.pool())
        .await?;
        let stages = self.deal_stages().await?;
        let columns = stages
            .iter()
            .map(|s| {
                let mine: Vec<_> = totals.iter().filter(|t| t.0 == s.id).collect();
                PipelineColumn {
                    stage_id: s.id.clone(),
                    count: mine.iter().map(|t| t.2).sum(),
                    totals: mine
                        .iter()
                        .filter_map(|t| {
                            t.1.clone().map(|currency| MoneyTotal {
                                currency,
                                amount: whole(t.3),
                                weighted: whole(t.4),
                            })
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(Pipeline { stages, columns, deals: rows.into_iter().map(|r| deal_of(r, &tz)).collect() })
    }

    /// The instant a local day (`YYYY-MM-DD`) plus `plus_days` starts in `tz`.
    fn day_ms(&self, tz: &jiff::tz::TimeZone, day: &str, plus_days: i64) -> Result<i64> {
        let d: jiff::civil::Date = day.parse().map_err(|e| Error::BadTime { detail: format!("{day}: {e}") })?;
        let d = d
            .checked_add(jiff::Span::new().days(plus_days))
            .map_err(|e| Error::BadTime { detail: format!("{day}: {e}") })?;
        crate::settings::day_start_ms(tz, d)
    }
}

/// A sum of money as whole minor units: rounded, within what the window's numbers hold exactly.
fn whole(sum: f64) -> i64 {
    const SAFE: f64 = ((1i64 << 53) - 1) as f64;
    sum.round().clamp(-SAFE, SAFE) as i64
}

/// Whether `stage` is the only active stage of its closing kind (won or lost).
fn last_of_kind(stages: &[DealStage], stage: &DealStage) -> bool {
    stage.kind != DealStageKind::Open && stages.iter().filter(|s| s.kind == stage.kind).count() == 1
}

/// Puts a deal in `stage` if it is elsewhere: the stage change is stamped, and a deal reaching a
/// won or lost stage is closed (reopened when it goes back to an open one).
/// Moves a deal to `stage` (nothing when it is there); plans counted from that stage enrol its
/// customer in the same write.
async fn set_stage(ws: &Workspace, w: &mut WriteTx<'_>, before: &Deal, stage: &DealStage, now: i64) -> Result<()> {
    if before.stage_id == stage.id {
        return Ok(());
    }
    let closed_at = (stage.kind != DealStageKind::Open).then_some(now);
    sqlx::query("UPDATE deals SET stage_id = ?, stage_changed_at = ?, closed_at = ? WHERE id = ?")
        .bind(&stage.id)
        .bind(now)
        .bind(closed_at)
        .bind(&before.id)
        .execute(&mut *w.conn())
        .await?;
    ws.care_on_deal_stage(w, &before.customer_id, &before.id, &stage.id).await
}

/// A deal's write moves its customer up the "recently changed" order.
async fn touch_customer(w: &mut WriteTx<'_>, customer_id: &str) -> Result<()> {
    let now = w.now;
    sqlx::query("UPDATE customers SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(customer_id)
        .execute(&mut *w.conn())
        .await?;
    Ok(())
}
