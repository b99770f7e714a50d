//! Care and sales KPIs (`docs/kpis.md`, "Care and sales"): care tasks due in the period, deals
//! closed or created in it, purchases by segment, and customers gone quiet.

use super::stats::{percent, Rate};
use super::{Filters, Job, On, Period};
use crate::error::Result;
use rusqlite::types::Value;
use rusqlite::Connection;
use serde::Serialize;
use specta::Type;
use std::collections::{BTreeMap, HashMap};

const DAY: i64 = 86_400_000;
/// A customer with no interaction for this long at the period's end counts as inactive.
pub const INACTIVE_MS: i64 = 90 * DAY;

/// Care tasks due in the period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Type)]
pub struct Care {
    #[specta(type = i32)]
    pub due: i64,
    /// Done, of the tasks due.
    pub done: Rate,
    /// Done by the end of their due day, of the tasks done.
    pub on_time: Rate,
    #[specta(type = i32)]
    pub skipped: i64,
}

/// Of the deals created in the period that reached a stage, how many went on to the next.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct StageConversion {
    pub stage_id: String,
    /// The stage's own name; None for a built-in one (the UI words it).
    pub name: Option<String>,
    #[specta(type = i32)]
    pub reached: i64,
    #[specta(type = i32)]
    pub went_on: i64,
    pub percent: Option<f64>,
}

/// Money by currency (minor units).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Money {
    pub currency: String,
    #[specta(type = i32)]
    pub amount: i64,
}

/// Purchases in the period by the customers of a segment (as the segment stands now).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SegmentRevenue {
    pub segment_id: String,
    pub name: String,
    pub revenue: Vec<Money>,
    #[specta(type = i32)]
    pub purchases: i64,
}

/// The pipeline and the customers' buying of one period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Type)]
pub struct Sales {
    #[specta(type = i32)]
    pub won: i64,
    #[specta(type = i32)]
    pub lost: i64,
    /// Won of the deals closed (won or lost) in the period.
    pub win_rate: Option<f64>,
    /// The mean amount of the deals won in the period, per currency.
    pub average_deal: Vec<Money>,
    /// The mean days from a won deal's creation to its close.
    pub cycle_days: Option<f64>,
    pub conversion: Vec<StageConversion>,
    /// Customers with no interaction in the 90 days up to the period's end.
    #[specta(type = i32)]
    pub inactive_customers: i64,
    pub revenue_by_segment: Vec<SegmentRevenue>,
}

/// The purchases of a period under the report's filters, as a condition on `interactions i`
/// (its parameters pushed): the buyers of the return rate and of its drill-down, and the
/// revenue per segment.
pub(super) fn purchases(filters: &Filters, start: i64, end: i64, params: &mut Vec<Value>) -> String {
    params.extend([Value::Integer(start), Value::Integer(end)]);
    let on =
        On { team: None, staff: Some("i.staff_id"), channel: None, category: None, customer: Some("i.customer_id") };
    let f = filters.sql(on, params);
    format!("i.kind = 'purchase' AND i.deleted_at IS NULL AND i.occurred_at >= ? AND i.occurred_at < ?{f}")
}

pub(super) fn deal_filters() -> On<'static> {
    On { team: None, staff: Some("d.owner_id"), channel: None, category: None, customer: Some("d.customer_id") }
}

/// What the care KPIs make of a task due in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CareMark {
    /// Done; on time when closed before the end of the local day it was due on.
    Done {
        on_time: bool,
    },
    Skipped,
    /// Scheduled, snoozed or rescheduled.
    Open,
}

/// The care tasks due in a period under the report's filters (not of a customer in the trash),
/// by due time then id, each with what the KPIs make of it: the one reading of the care KPIs and
/// of the tasks behind them.
pub(super) fn care_due(conn: &Connection, job: &Job, period: &Period, days: &[i64]) -> Result<Vec<(String, CareMark)>> {
    let mut params = vec![Value::Integer(period.start_ms), Value::Integer(period.end_ms)];
    let on =
        On { team: None, staff: Some("k.assignee_id"), channel: None, category: None, customer: Some("k.customer_id") };
    let f = job.filters.sql(on, &mut params);
    let mut st = conn.prepare(&format!(
        "SELECT k.id, k.due_at, k.state, k.closed_at FROM care_tasks k JOIN customers cu ON cu.id = k.customer_id
         WHERE k.deleted_at IS NULL AND cu.deleted_at IS NULL AND k.due_at >= ? AND k.due_at < ?{f}
         ORDER BY k.due_at, k.id"
    ))?;
    let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (id, due, state, closed): (String, i64, String, Option<i64>) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let mark = match state.as_str() {
            "done" => {
                let day_end = days.get(days.partition_point(|&d| d <= due)).copied().unwrap_or(i64::MAX);
                CareMark::Done { on_time: closed.is_some_and(|c| c < day_end) }
            }
            "skipped" => CareMark::Skipped,
            _ => CareMark::Open,
        };
        out.push((id, mark));
    }
    Ok(out)
}

/// A deal is counted only while its customer is out of the trash (as the pipeline shows it).
const LIVE_CUSTOMER: &str =
    " AND NOT EXISTS (SELECT 1 FROM customers cu WHERE cu.id = d.customer_id AND cu.deleted_at IS NOT NULL)";

/// A deal closed in the period.
pub(super) struct Closed {
    pub id: String,
    /// its stage's kind: `won` or `lost` (or `open`, a deal moved back after its close)
    pub kind: String,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub created_at: i64,
    pub closed_at: i64,
}

/// The deals closed in the period under the report's filters: the one reading of the win rate,
/// the average deal, the sales cycle and of the deals behind them.
pub(super) fn closed_deals(conn: &Connection, job: &Job, period: &Period) -> Result<Vec<Closed>> {
    let mut params = vec![Value::Integer(period.start_ms), Value::Integer(period.end_ms)];
    let f = job.filters.sql(deal_filters(), &mut params);
    let mut st = conn.prepare(&format!(
        "SELECT d.id, s.kind, d.amount, d.currency, d.created_at, d.closed_at
         FROM deals d JOIN deal_stages s ON s.id = d.stage_id
         WHERE d.deleted_at IS NULL AND d.closed_at >= ? AND d.closed_at < ?{LIVE_CUSTOMER}{f}
         ORDER BY d.closed_at, d.id"
    ))?;
    let rows = st.query_map(rusqlite::params_from_iter(params.iter()), |r| {
        Ok(Closed {
            id: r.get(0)?,
            kind: r.get(1)?,
            amount: r.get(2)?,
            currency: r.get(3)?,
            created_at: r.get(4)?,
            closed_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A deal stage as the conversion reads it.
pub(super) struct Stage {
    pub id: String,
    pub name: Option<String>,
    pub position: i64,
    /// `open`, `won` or `lost`
    pub kind: String,
}

/// A deal created in the period: how far it got.
pub(super) struct Progress {
    pub id: String,
    /// The furthest open stage's position it was ever in (`i64::MIN`: none).
    pub furthest: i64,
    pub won: bool,
}

impl Progress {
    /// Whether it reached the open stage at `position` (a won deal passed them all), or, for
    /// `None`, was won.
    pub fn reached(&self, position: Option<i64>) -> bool {
        self.won || position.is_some_and(|p| self.furthest >= p)
    }
}

/// The stages, and the deals created in the period under the report's filters with the
/// furthest stage each was in (its stages over time, from the change log): the one reading of
/// the conversion and of the customers behind it.
pub(super) fn deal_progress(conn: &Connection, job: &Job, period: &Period) -> Result<(Vec<Stage>, Vec<Progress>)> {
    let stages: Vec<Stage> = {
        let mut st = conn
            .prepare("SELECT id, name, position, kind FROM deal_stages WHERE deleted_at IS NULL ORDER BY position")?;
        let rows =
            st.query_map([], |r| Ok(Stage { id: r.get(0)?, name: r.get(1)?, position: r.get(2)?, kind: r.get(3)? }))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let Some(t) = tend_sync::registry::by_name("deals") else { return Ok((stages, Vec::new())) };
    let position: HashMap<&str, (i64, &str)> =
        stages.iter().map(|s| (s.id.as_str(), (s.position, s.kind.as_str()))).collect();
    let mut params = vec![Value::Integer(period.start_ms), Value::Integer(period.end_ms)];
    let f = job.filters.sql(deal_filters(), &mut params);
    let col = t.columns.iter().position(|c| *c == "stage_id").map(|i| i as i64 + 1).unwrap_or(0);
    let mut st = conn.prepare(&format!(
        "SELECT d.id, d.stage_id, CASE WHEN c.col = 0 THEN c.value ->> '$[{}]' ELSE c.value END
         FROM deals d LEFT JOIN changes c ON c.tbl = {} AND c.row_id = d.id AND c.col IN (0, {col})
         WHERE d.deleted_at IS NULL AND d.created_at >= ? AND d.created_at < ?{LIVE_CUSTOMER}{f}
         ORDER BY d.id",
        col - 1,
        t.code
    ))?;
    let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
    let mut deals: Vec<Progress> = Vec::new();
    let mut last: Option<String> = None;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if last.as_deref() != Some(id.as_str()) {
            deals.push(Progress { id: id.clone(), furthest: i64::MIN, won: false });
            last = Some(id);
        }
        let Some(e) = deals.last_mut() else { continue };
        for stage in [r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?].into_iter().flatten() {
            match position.get(stage.as_str()) {
                Some((_, "won")) => e.won = true,
                Some((p, "open")) => e.furthest = e.furthest.max(*p),
                _ => {}
            }
        }
    }
    Ok((stages, deals))
}

pub(super) fn compute(conn: &Connection, job: &Job, period: &Period, days: &[i64]) -> Result<(Care, Sales)> {
    let (start, end) = (period.start_ms, period.end_ms);
    let mut care = Care::default();
    let mut sales = Sales::default();

    let (mut done, mut on_time) = (0i64, 0i64);
    for (_, mark) in care_due(conn, job, period, days)? {
        care.due += 1;
        match mark {
            CareMark::Done { on_time: t } => {
                done += 1;
                on_time += i64::from(t);
            }
            CareMark::Skipped => care.skipped += 1,
            CareMark::Open => {}
        }
    }
    care.done = Rate::new(done, care.due);
    care.on_time = Rate::new(on_time, done);

    // deals closed in the period
    // summed wide: amounts and instants synced from elsewhere are not bounded by this build's checks
    let mut amounts: BTreeMap<String, (i128, i64)> = BTreeMap::new();
    let (mut cycle_sum, mut cycle_n) = (0i128, 0i64);
    for d in closed_deals(conn, job, period)? {
        match d.kind.as_str() {
            "won" => {
                sales.won += 1;
                if let (Some(a), Some(c)) = (d.amount, d.currency) {
                    let e = amounts.entry(c).or_default();
                    e.0 += i128::from(a);
                    e.1 += 1;
                }
                cycle_sum += i128::from(d.closed_at) - i128::from(d.created_at);
                cycle_n += 1;
            }
            "lost" => sales.lost += 1,
            _ => {}
        }
    }
    sales.win_rate = percent(sales.won, sales.won + sales.lost);
    sales.average_deal = amounts
        .into_iter()
        .map(|(currency, (sum, n))| {
            // exact, halves up: the mean of amounts each within i64 is within i64
            let n = i128::from(n);
            let mean = sum.div_euclid(n) + i128::from(2 * sum.rem_euclid(n) >= n);
            Money { currency, amount: i64::try_from(mean).unwrap_or(i64::MAX) }
        })
        .collect();
    sales.cycle_days = (cycle_n > 0).then(|| super::stats::one_decimal(cycle_sum as f64 / cycle_n as f64 / DAY as f64));

    // conversion by stage: deals created in the period, by the furthest open stage each reached
    let (stages, deals) = deal_progress(conn, job, period)?;
    let open: Vec<&Stage> = stages.iter().filter(|s| s.kind == "open").collect();
    let count = |pos: Option<i64>| deals.iter().filter(|d| d.reached(pos)).count() as i64;
    for (i, s) in open.iter().enumerate() {
        let here = count(Some(s.position));
        let next = count(open.get(i + 1).map(|n| n.position));
        sales.conversion.push(StageConversion {
            stage_id: s.id.clone(),
            name: s.name.clone(),
            reached: here,
            went_on: next,
            percent: percent(next, here),
        });
    }

    // customers with no interaction in the 90 days up to the period's end (made before then)
    let quiet = end - INACTIVE_MS;
    let mut params = vec![Value::Integer(quiet), Value::Integer(quiet)];
    let on = On { team: None, staff: Some("c.owner_id"), channel: None, category: None, customer: Some("c.id") };
    {
        let f = job.filters.sql(on, &mut params);
        sales.inactive_customers = conn.query_row(
            &format!(
                "SELECT COUNT(*) FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id
                 WHERE c.deleted_at IS NULL AND c.created_at < ? AND COALESCE(a.last_interaction_at, 0) < ?{f}"
            ),
            rusqlite::params_from_iter(params.iter()),
            |r| r.get(0),
        )?;
    }

    // purchases in the period by segment
    for (id, name, seg) in &job.segments {
        let mut params = Vec::new();
        let bought = purchases(&job.filters, start, end, &mut params);
        params.extend(seg.params.iter().cloned());
        let mut st = conn.prepare(&format!(
            "SELECT i.currency, SUM(i.amount), COUNT(*) FROM interactions i
             WHERE {bought} AND i.customer_id IN (SELECT c.id FROM customers c WHERE {})
             GROUP BY i.currency ORDER BY i.currency",
            seg.text
        ))?;
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        let mut row = SegmentRevenue { segment_id: id.clone(), name: name.clone(), revenue: Vec::new(), purchases: 0 };
        while let Some(r) = rows.next()? {
            row.purchases += r.get::<_, i64>(2)?;
            if let (Some(currency), Some(amount)) = (r.get::<_, Option<String>>(0)?, r.get::<_, Option<i64>>(1)?) {
                row.revenue.push(Money { currency, amount });
            }
        }
        sales.revenue_by_segment.push(row);
    }
    Ok((care, sales))
}
