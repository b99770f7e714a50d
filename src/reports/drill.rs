//! What is behind a report's number: the tickets, customers or care tasks it counts, read with
//! the very conditions `docs/kpis.md` gives that number (the period's instants, the report's
//! filters), so a list opened from a figure holds exactly that many rows.

use super::helpdesk::{on_tickets, LIVE, WINDOW_MS};
use super::sales::{care_due, closed_deals, deal_progress, CareMark, INACTIVE_MS};
use super::stats::BUCKET_BOUNDS;
use super::{On, ReportQuery, TimeBasis};
use crate::care::CareTask;
use crate::deals::Deal;
use crate::error::{Error, FieldError, Result};
use crate::search::{CompiledSegment, CustomerFilter, CustomerPage};
use crate::tickets::TicketPage;
use crate::Workspace;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use specta::Type;

/// Which tickets a number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum TicketMeasure {
    /// Created in the period (`value`: a priority, to narrow to it).
    Created,
    /// Solved in the period.
    Solved,
    /// First answered in the period (`value`: a first-response bucket 0–4).
    Responded,
    /// Solved in the period, first contact resolution.
    Fcr,
    /// Solved in the period and the customer opened another ticket within 7 days.
    Recontact,
    /// A deadline in the period breached (`value`: the target, `first_response` or `resolution`).
    Breached,
    /// Rated in the period (`value`: `csat`, `nps` or `ces`, then optionally `:score`).
    Rated,
    /// Created in the period in a complaint category.
    Complaints,
    /// Created in the period in a return category.
    Returns,
    /// Open at the end of a day (`value`: the date, `YYYY-MM-DD`).
    Open,
}

/// Which customers a number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CustomerMeasure {
    /// No interaction in the 90 days up to the period's end.
    Inactive,
    /// Opened a ticket in the period (the complaint rate's customers served).
    Served,
    /// Bought in the period (the return rate's buyers, a segment's purchases).
    Buyers,
}

/// Which deals a number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DealMeasure {
    /// Won in the period (the win rate's, the average deal's and the sales cycle's deals).
    Won,
    /// Lost in the period.
    Lost,
    /// Created in the period and reached a stage (`value`: the open stage's id, or `won`).
    Reached,
}

/// Which care tasks a number counts: those due in the period, or of them the ones done, done on
/// time or skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CareMeasure {
    Due,
    Done,
    OnTime,
    Skipped,
}

/// The deals behind a number, as the pipeline's list shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct ReportDeals {
    pub deals: Vec<Deal>,
    #[specta(type = i32)]
    pub total: i64,
}

/// A page of the care tasks behind a number, by due time.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct ReportTasks {
    pub tasks: Vec<CareTask>,
    #[specta(type = i32)]
    pub total: i64,
    #[specta(type = i32)]
    pub offset: i64,
}

/// A number of a report opened: its query, which of its two periods, and what it counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Drill<M> {
    pub query: ReportQuery,
    /// The period before the one asked for.
    #[serde(default)]
    pub previous: bool,
    pub measure: M,
    #[serde(default)]
    pub value: Option<String>,
}

fn bad_value(value: &str) -> Error {
    Error::Validation(vec![FieldError::new("value", "report.drill_value").with("value", value.to_string())])
}

impl Workspace {
    /// The period's instants and the report's filters of a drill, as SQL on `tickets t`.
    async fn drill_where<M>(&self, d: &Drill<M>, on: On<'_>) -> Result<(String, Vec<Value>, i64, i64, super::Job)> {
        let (_, job) = self.plan(&d.query, false).await?;
        let (p, _) = &job.periods[usize::from(d.previous)];
        let (start, end) = (p.start_ms, p.end_ms);
        let mut params = Vec::new();
        let f = job.filters.sql(on, &mut params);
        Ok((f, params, start, end, job))
    }

    /// A page of the tickets behind a report's number, newest first.
    pub async fn report_tickets(&self, d: &Drill<TicketMeasure>, offset: i32, limit: i32) -> Result<TicketPage> {
        let (filters, fparams, start, end, job) = self.drill_where(d, on_tickets()).await?;
        let mut params: Vec<Value> = Vec::new();
        let range = |col: &str, params: &mut Vec<Value>| {
            params.extend([Value::Integer(start), Value::Integer(end)]);
            format!("{col} >= ? AND {col} < ?")
        };
        let value = d.value.as_deref().map(str::trim).filter(|v| !v.is_empty());
        let folded_in = |list: &[String], params: &mut Vec<Value>| {
            params.extend(list.iter().map(|c| Value::Text(crate::fold::fold(c))));
            let marks = vec!["?"; list.len()].join(", ");
            format!("tend_fold(t.category) IN ({marks})")
        };
        let cond = match d.measure {
            TicketMeasure::Created => {
                let mut c = range("t.created_at", &mut params);
                if let Some(p) = value {
                    c.push_str(" AND t.priority = ?");
                    params.push(Value::Text(p.to_string()));
                }
                c
            }
            TicketMeasure::Solved => range("t.solved_at", &mut params),
            TicketMeasure::Responded => {
                let mut c = range("t.first_response_at", &mut params);
                let col = match job.basis {
                    TimeBasis::Business => "t.first_response_work_ms",
                    TimeBasis::Calendar => "t.first_response_ms",
                };
                c.push_str(&format!(" AND {col} IS NOT NULL"));
                if let Some(v) = value {
                    let k: usize = v.parse().ok().filter(|k| *k <= BUCKET_BOUNDS.len()).ok_or_else(|| bad_value(v))?;
                    if k > 0 {
                        c.push_str(&format!(" AND {col} >= ?"));
                        params.push(Value::Integer(BUCKET_BOUNDS[k - 1]));
                    }
                    if k < BUCKET_BOUNDS.len() {
                        c.push_str(&format!(" AND {col} < ?"));
                        params.push(Value::Integer(BUCKET_BOUNDS[k]));
                    }
                }
                c
            }
            TicketMeasure::Fcr => {
                let c = range("t.solved_at", &mut params);
                params.push(Value::Integer(WINDOW_MS));
                format!(
                    "{c} AND t.replies = 1 AND NOT COALESCE(t.reopened_at - COALESCE(t.first_solved_at, t.solved_at) <= ?, 0)"
                )
            }
            TicketMeasure::Recontact => {
                let c = range("t.solved_at", &mut params);
                params.push(Value::Integer(WINDOW_MS));
                format!(
                    "{c} AND EXISTS (SELECT 1 FROM tickets o WHERE o.customer_id = t.customer_id
                       AND o.deleted_at IS NULL AND o.merged_into IS NULL
                       AND o.created_at > t.solved_at AND o.created_at <= t.solved_at + ?)"
                )
            }
            TicketMeasure::Breached => {
                let mut parts = Vec::new();
                for (target, due, done, late) in [
                    ("first_response", "t.first_response_due", "t.first_response_at", "t.first_response_breached_at"),
                    ("resolution", "t.resolution_due", "t.solved_at", "t.resolution_breached_at"),
                ] {
                    if value.is_some_and(|v| v != target) {
                        continue;
                    }
                    let c = range(due, &mut params);
                    params.push(Value::Integer(job.now));
                    parts.push(format!("({c} AND ({late} IS NOT NULL OR {done} IS NULL AND {due} < ?))"));
                }
                if parts.is_empty() {
                    return Err(bad_value(value.unwrap_or_default()));
                }
                format!("({})", parts.join(" OR "))
            }
            TicketMeasure::Rated => {
                let v = value.unwrap_or("csat");
                let (kind, score) = v.split_once(':').unwrap_or((v, ""));
                if !["csat", "nps", "ces"].contains(&kind) {
                    return Err(bad_value(v));
                }
                params.push(Value::Text(kind.to_string()));
                let c = range("a.answered_at", &mut params);
                let mut sql = format!(
                    "EXISTS (SELECT 1 FROM survey_answers a WHERE a.ticket_id = t.id AND a.deleted_at IS NULL
                       AND a.score IS NOT NULL AND a.kind = ? AND {c}"
                );
                if !score.is_empty() {
                    let s: i64 = score.parse().map_err(|_| bad_value(v))?;
                    sql.push_str(" AND a.score = ?");
                    params.push(Value::Integer(s));
                }
                sql.push(')');
                sql
            }
            TicketMeasure::Complaints | TicketMeasure::Returns => {
                let c = range("t.created_at", &mut params);
                let list = if d.measure == TicketMeasure::Complaints {
                    &job.settings.complaint_categories
                } else {
                    &job.settings.return_categories
                };
                if list.is_empty() {
                    "0".to_string()
                } else {
                    format!("{c} AND {}", folded_in(list, &mut params))
                }
            }
            TicketMeasure::Open => {
                let day = value.ok_or_else(|| bad_value(""))?;
                let (p, days) = &job.periods[usize::from(d.previous)];
                let date = day.parse::<jiff::civil::Date>().map_err(|_| bad_value(day))?;
                let from = p.from.parse::<jiff::civil::Date>().map_err(|_| bad_value(day))?;
                let i = from.until(date).map(|s| s.get_days()).map_err(|_| bad_value(day))?;
                let end_of_day = usize::try_from(i + 1).ok().and_then(|i| days.get(i)).ok_or_else(|| bad_value(day))?;
                params.extend([Value::Integer(*end_of_day), Value::Integer(*end_of_day)]);
                "t.created_at < ? AND (t.solved_at IS NULL OR t.solved_at >= ?)".to_string()
            }
        };
        params.extend(fparams);
        let where_ = format!("{LIVE} AND {cond}{filters}");
        let limit = i64::from(limit).clamp(1, 500);
        let offset = i64::from(offset).max(0);
        let (ids, total) = self.readers().with(|conn| {
            let total: i64 = conn.query_row(
                &format!("SELECT COUNT(*) FROM tickets t WHERE {where_}"),
                rusqlite::params_from_iter(params.iter()),
                |r| r.get(0),
            )?;
            let mut page = params.clone();
            page.extend([Value::Integer(limit), Value::Integer(offset)]);
            let mut st = conn.prepare(&format!(
                "SELECT t.id FROM tickets t WHERE {where_} ORDER BY t.created_at DESC, t.id LIMIT ? OFFSET ?"
            ))?;
            let ids = st
                .query_map(rusqlite::params_from_iter(page.iter()), |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok((ids, total))
        })?;
        let rows = self.tickets_shown(&ids, job.now).await?;
        Ok(TicketPage { rows, total: total as i32, offset: offset as i32 })
    }

    /// A page of the customers behind a report's number, as the customer list shows them.
    pub async fn report_customers(&self, d: &Drill<CustomerMeasure>, offset: i64, limit: i64) -> Result<CustomerPage> {
        let (_, job) = self.plan(&d.query, false).await?;
        let (p, _) = &job.periods[usize::from(d.previous)];
        let (start, end) = (p.start_ms, p.end_ms);
        let mut params: Vec<Value> = Vec::new();
        let cond = match d.measure {
            CustomerMeasure::Inactive => {
                let quiet = end - INACTIVE_MS;
                params.extend([Value::Integer(quiet), Value::Integer(quiet)]);
                let on =
                    On { team: None, staff: Some("c.owner_id"), channel: None, category: None, customer: Some("c.id") };
                let f = job.filters.sql(on, &mut params);
                format!(
                    "c.created_at < ? AND COALESCE((SELECT a.last_interaction_at FROM customer_activity a
                       WHERE a.customer_id = c.id), 0) < ?{f}"
                )
            }
            CustomerMeasure::Served => {
                params.extend([Value::Integer(start), Value::Integer(end)]);
                let f = job.filters.sql(on_tickets(), &mut params);
                format!(
                    "c.id IN (SELECT t.customer_id FROM tickets t WHERE {LIVE}
                       AND t.created_at >= ? AND t.created_at < ?{f})"
                )
            }
            CustomerMeasure::Buyers => {
                let bought = super::sales::purchases(&job.filters, start, end, &mut params);
                format!("c.id IN (SELECT i.customer_id FROM interactions i WHERE {bought})")
            }
        };
        let filter = CustomerFilter {
            condition: Some(Box::new(CompiledSegment(crate::segments::sql::Sql { text: cond, params }))),
            ..Default::default()
        };
        self.list_customers(&filter, offset, limit).await
    }

    /// A page of the care tasks behind a report's number, by due time then id.
    pub async fn report_care_tasks(&self, d: &Drill<CareMeasure>, offset: i64, limit: i64) -> Result<ReportTasks> {
        let (_, job) = self.plan(&d.query, false).await?;
        let (p, days) = &job.periods[usize::from(d.previous)];
        let limit = limit.clamp(1, crate::care::MAX_TASKS);
        let offset = offset.max(0);
        let (tasks, total) = self.readers().with(|conn| {
            let ids: Vec<String> = care_due(conn, &job, p, days)?
                .into_iter()
                .filter(|(_, mark)| match d.measure {
                    CareMeasure::Due => true,
                    CareMeasure::Done => matches!(mark, CareMark::Done { .. }),
                    CareMeasure::OnTime => *mark == CareMark::Done { on_time: true },
                    CareMeasure::Skipped => *mark == CareMark::Skipped,
                })
                .map(|(id, _)| id)
                .collect();
            let page: Vec<&String> = ids.iter().skip(offset as usize).take(limit as usize).collect();
            let tasks = crate::care::tasks_by_id(conn, &page)?;
            Ok((tasks, ids.len() as i64))
        })?;
        Ok(ReportTasks { tasks, total, offset })
    }

    /// The deals behind a report's number (at most [`MAX_DEALS`], the total said).
    pub async fn report_deals(&self, d: &Drill<DealMeasure>) -> Result<ReportDeals> {
        let (_, job) = self.plan(&d.query, false).await?;
        let (p, _) = &job.periods[usize::from(d.previous)];
        let value = d.value.as_deref().map(str::trim).unwrap_or_default().to_string();
        let ids = self.readers().with(|conn| match d.measure {
            DealMeasure::Won | DealMeasure::Lost => {
                let kind = if d.measure == DealMeasure::Won { "won" } else { "lost" };
                Ok(Some(closed_deals(conn, &job, p)?.into_iter().filter(|c| c.kind == kind).map(|c| c.id).collect()))
            }
            DealMeasure::Reached => {
                let (stages, deals) = deal_progress(conn, &job, p)?;
                let position = if value == "won" {
                    Some(None)
                } else {
                    stages.iter().find(|s| s.id == value && s.kind == "open").map(|s| Some(s.position))
                };
                Ok(position
                    .map(|pos| deals.into_iter().filter(|d| d.reached(pos)).map(|d| d.id).collect::<Vec<String>>()))
            }
        })?;
        let ids: Vec<String> = ids.ok_or_else(|| bad_value(&value))?;
        let total = ids.len() as i64;
        let deals = self.deals_by_id(&ids[..ids.len().min(MAX_DEALS)]).await?;
        Ok(ReportDeals { deals, total })
    }
}

/// The most deals a drill-down lists.
pub const MAX_DEALS: usize = 2_000;
