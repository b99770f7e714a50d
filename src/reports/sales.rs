//! Care and sales KPIs (`docs/kpis.md`, "Care and sales"): care tasks due in the period, deals
//! closed or created in it, purchases by segment, and customers gone quiet.

use super::stats::{percent, Rate};
use super::{Job, On, Period};
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

fn deal_filters() -> On<'static> {
    On { team: None, staff: Some("d.owner_id"), channel: None, category: None, customer: Some("d.customer_id") }
}

pub(super) fn compute(conn: &Connection, job: &Job, period: &Period, days: &[i64]) -> Result<(Care, Sales)> {
    let (start, end) = (period.start_ms, period.end_ms);
    let mut care = Care::default();
    let mut sales = Sales::default();

    // care tasks due in the period; on time: closed before the end of the day it was due on
    let mut params = vec![Value::Integer(start), Value::Integer(end)];
    let on =
        On { team: None, staff: Some("k.assignee_id"), channel: None, category: None, customer: Some("k.customer_id") };
    {
        let f = job.filters.sql(on, &mut params);
        let mut st = conn.prepare(&format!(
            "SELECT k.due_at, k.state, k.closed_at FROM care_tasks k
             WHERE k.deleted_at IS NULL AND k.due_at >= ? AND k.due_at < ?{f}"
        ))?;
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        let (mut done, mut on_time) = (0i64, 0i64);
        while let Some(r) = rows.next()? {
            let (due, state, closed): (i64, String, Option<i64>) = (r.get(0)?, r.get(1)?, r.get(2)?);
            care.due += 1;
            match state.as_str() {
                "done" => {
                    done += 1;
                    let day_end = days[days.partition_point(|&d| d <= due)];
                    on_time += i64::from(closed.is_some_and(|c| c < day_end));
                }
                "skipped" => care.skipped += 1,
                _ => {}
            }
        }
        care.done = Rate::new(done, care.due);
        care.on_time = Rate::new(on_time, done);
    }

    // deals closed in the period
    let mut params = vec![Value::Integer(start), Value::Integer(end)];
    {
        let f = job.filters.sql(deal_filters(), &mut params);
        let mut st = conn.prepare(&format!(
            "SELECT s.kind, d.amount, d.currency, d.created_at, d.closed_at FROM deals d JOIN deal_stages s ON s.id = d.stage_id
             WHERE d.deleted_at IS NULL AND d.closed_at >= ? AND d.closed_at < ?{f}"
        ))?;
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        let mut amounts: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let (mut cycle_sum, mut cycle_n) = (0i64, 0i64);
        while let Some(r) = rows.next()? {
            let kind: String = r.get(0)?;
            match kind.as_str() {
                "won" => {
                    sales.won += 1;
                    if let (Some(a), Some(c)) = (r.get::<_, Option<i64>>(1)?, r.get::<_, Option<String>>(2)?) {
                        let e = amounts.entry(c).or_default();
                        e.0 += a;
                        e.1 += 1;
                    }
                    let (created, closed): (i64, i64) = (r.get(3)?, r.get(4)?);
                    cycle_sum += closed - created;
                    cycle_n += 1;
                }
                "lost" => sales.lost += 1,
                _ => {}
            }
        }
        sales.win_rate = percent(sales.won, sales.won + sales.lost);
        sales.average_deal = amounts
            .into_iter()
            .map(|(currency, (sum, n))| Money { currency, amount: (sum as f64 / n as f64).round() as i64 })
            .collect();
        sales.cycle_days =
            (cycle_n > 0).then(|| super::stats::one_decimal(cycle_sum as f64 / cycle_n as f64 / DAY as f64));
    }

    // conversion by stage: deals created in the period, by the furthest open stage each reached
    // (its stages over time, from the change log), a won deal having passed them all
    let stages: Vec<(String, Option<String>, i64, String)> = {
        let mut st = conn
            .prepare("SELECT id, name, position, kind FROM deal_stages WHERE deleted_at IS NULL ORDER BY position")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let position: HashMap<&str, (i64, &str)> =
        stages.iter().map(|(id, _, p, k)| (id.as_str(), (*p, k.as_str()))).collect();
    let table = tend_sync::registry::by_name("deals");
    let mut params = vec![Value::Integer(start), Value::Integer(end)];
    if let Some(t) = table {
        let f = job.filters.sql(deal_filters(), &mut params);
        let col = t.columns.iter().position(|c| *c == "stage_id").map(|i| i as i64 + 1).unwrap_or(0);
        let mut st = conn.prepare(&format!(
            "SELECT d.id, d.stage_id, c.col, CASE WHEN c.col = 0 THEN c.value ->> '$[{}]' ELSE c.value END
             FROM deals d LEFT JOIN changes c ON c.tbl = {} AND c.row_id = d.id AND c.col IN (0, {col})
             WHERE d.deleted_at IS NULL AND d.created_at >= ? AND d.created_at < ?{f}",
            col - 1,
            t.code
        ))?;
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        // each deal: the furthest open stage's position it was in, and whether it was won
        let mut furthest: HashMap<String, (i64, bool)> = HashMap::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let e = furthest.entry(id).or_insert((i64::MIN, false));
            for stage in [r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(3)?].into_iter().flatten() {
                match position.get(stage.as_str()) {
                    Some((_, "won")) => e.1 = true,
                    Some((p, "open")) => e.0 = e.0.max(*p),
                    _ => {}
                }
            }
        }
        let open: Vec<&(String, Option<String>, i64, String)> = stages.iter().filter(|s| s.3 == "open").collect();
        let reached = |pos: Option<i64>| -> i64 {
            furthest
                .values()
                .filter(|(p, won)| match pos {
                    Some(pos) => *won || *p >= pos,
                    None => *won,
                })
                .count() as i64
        };
        for (i, s) in open.iter().enumerate() {
            let here = reached(Some(s.2));
            let next = reached(open.get(i + 1).map(|n| n.2));
            sales.conversion.push(StageConversion {
                stage_id: s.0.clone(),
                name: s.1.clone(),
                reached: here,
                went_on: next,
                percent: percent(next, here),
            });
        }
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
    let on =
        On { team: None, staff: Some("i.staff_id"), channel: None, category: None, customer: Some("i.customer_id") };
    for (id, name, seg) in &job.segments {
        let mut params = vec![Value::Integer(start), Value::Integer(end)];
        let f = job.filters.sql(on, &mut params);
        params.extend(seg.params.iter().cloned());
        let mut st = conn.prepare(&format!(
            "SELECT i.currency, SUM(i.amount), COUNT(*) FROM interactions i
             WHERE i.kind = 'purchase' AND i.deleted_at IS NULL AND i.occurred_at >= ? AND i.occurred_at < ?{f}
               AND i.customer_id IN (SELECT c.id FROM customers c WHERE {})
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
