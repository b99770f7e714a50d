//! Reports for owners (cross-cutting): the KPIs of the helpdesk, care and sales for a period of
//! local dates, beside the same KPIs of the period just before, filtered by team, staff,
//! channel, category and segment. Every KPI is computed exactly as `docs/kpis.md` defines it;
//! that file is the reference and this module its only implementation (the app, the CLI and the
//! exports all read [`Workspace::report`]).
//!
//! It reads through its own read-only connections, off the async runtime: `helpdesk.rs` scans
//! the tickets by the instant each KPI is about (created, first answered, solved, a deadline), a
//! range of an index each, and aggregates in one pass; `sales.rs` reads care tasks, deals and
//! purchases. `stats.rs` holds the arithmetic (percent, mean, median, 90th percentile).

pub mod cache;
mod drill;
mod helpdesk;
mod sales;
pub mod stats;

pub use drill::{CareMeasure, CustomerMeasure, DealMeasure, Drill, ReportDeals, ReportTasks, TicketMeasure, MAX_DEALS};
pub use helpdesk::{Breach, Helpdesk, SlaRow, StaffRow};
pub use sales::{Care, Sales, SegmentRevenue, StageConversion};
pub use stats::{Durations, Rate};

use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use jiff::civil::Date;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use specta::Type;

/// Which clock durations are read in: the team's working time (pauses excluded) or the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    #[default]
    Business,
    Calendar,
}

/// What a report is asked for: a period of local dates (both ends included) and the filters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct ReportQuery {
    /// `YYYY-MM-DD`, in the workspace's time zone.
    pub from: String,
    pub to: String,
    pub team_id: Option<String>,
    /// The assignee of tickets and care tasks, the owner of deals.
    pub staff_id: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub segment_id: Option<String>,
    pub time: TimeBasis,
}

/// A period as reported: its dates and its instants (`start_ms` included, `end_ms` not).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Period {
    pub from: String,
    pub to: String,
    #[specta(type = i32)]
    pub days: i64,
    #[specta(type = i32)]
    pub start_ms: i64,
    #[specta(type = i32)]
    pub end_ms: i64,
}

/// Every KPI of one period.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Kpis {
    pub period: Period,
    #[serde(flatten)]
    pub helpdesk: Helpdesk,
    pub care: Care,
    pub sales: Sales,
}

/// A report: the period asked for and the one just before it, of the same length.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Report {
    pub query: ReportQuery,
    pub current: Kpis,
    pub previous: Kpis,
    /// The instant it was computed at (open tickets' deadlines are judged against it).
    #[specta(type = i32)]
    pub at_ms: i64,
    /// An agent's report: their own work only, whatever staff filter was asked.
    pub own: bool,
}

/// Which ticket categories count as complaints and as returns (Settings › Reports).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct ReportSettings {
    pub complaint_categories: Vec<String>,
    pub return_categories: Vec<String>,
}

fn parse_date(field: &str, text: &str) -> Result<Date> {
    text.trim().parse::<Date>().map_err(|_| {
        Error::Validation(vec![FieldError::new(field, "validation.date_invalid").with("value", text.to_string())])
    })
}

/// The most categories each list of [`ReportSettings`] holds, and the longest one.
const MAX_CATEGORIES: usize = 200;
const MAX_CATEGORY_CHARS: usize = 200;

/// The most days a report covers (ten years).
const MAX_DAYS: i64 = 3_660;

/// Filters shared by every scan: `(sql, params)` to append after a `WHERE`, on the given
/// columns of the row read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    team: Option<String>,
    staff: Option<String>,
    channel: Option<String>,
    category: Option<String>,
    /// The segment's compiled condition on `customers c`.
    segment: Option<crate::segments::sql::Sql>,
}

/// Columns a scan's filters apply to (`None`: the filter does not apply to that table).
#[derive(Clone, Copy)]
pub(crate) struct On<'a> {
    pub team: Option<&'a str>,
    pub staff: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub category: Option<&'a str>,
    pub customer: Option<&'a str>,
}

impl Filters {
    /// ` AND ...` for the filters that are set, and their parameters in order. A filter on a
    /// column the rows read do not have (`None`) does not filter them: care tasks, deals and
    /// purchases have no team, channel or category.
    pub(crate) fn sql(&self, on: On<'_>, params: &mut Vec<Value>) -> String {
        let mut out = String::new();
        for (value, col) in
            [(&self.team, on.team), (&self.staff, on.staff), (&self.channel, on.channel), (&self.category, on.category)]
        {
            if let (Some(v), Some(col)) = (value, col) {
                out.push_str(&format!(" AND {col} = ?"));
                params.push(Value::Text(v.clone()));
            }
        }
        if let (Some(seg), Some(col)) = (&self.segment, on.customer) {
            out.push_str(&format!(" AND {col} IN (SELECT c.id FROM customers c WHERE {})", seg.text));
            params.extend(seg.params.iter().cloned());
        }
        out
    }
}

/// The day boundaries of a period in a zone: `days + 1` instants.
pub(super) fn day_starts(zone: &jiff::tz::TimeZone, from: Date, days: i64) -> Result<Vec<i64>> {
    (0..=days)
        .map(|i| {
            let d =
                from.checked_add(jiff::Span::new().days(i)).map_err(|e| Error::BadTime { detail: e.to_string() })?;
            let t = zone.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()));
            t.map(|t| t.as_millisecond()).map_err(|e| Error::BadTime { detail: e.to_string() })
        })
        .collect()
}

/// What a report's computation needs, owned (it runs on a thread of its own).
pub(crate) struct Job {
    pub path: std::path::PathBuf,
    /// This period and the one before, each with its day boundaries.
    pub periods: [(Period, Vec<i64>); 2],
    pub filters: Filters,
    pub basis: TimeBasis,
    pub now: i64,
    pub settings: ReportSettings,
    pub segments: Vec<(String, String, crate::segments::sql::Sql)>,
}

impl Job {
    /// Both periods in one pass over the tickets' chunks.
    fn run(self, conn: &rusqlite::Connection) -> Result<(Kpis, Kpis)> {
        // the chunks' blobs read from the mapped file, not copied through the page cache
        conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        let out = self.compute(conn);
        conn.pragma_update(None, "mmap_size", 0)?;
        out
    }

    fn compute(self, conn: &rusqlite::Connection) -> Result<(Kpis, Kpis)> {
        let members: Option<helpdesk::Keys> = match &self.filters.segment {
            Some(seg) => {
                let mut st = conn.prepare(&format!("SELECT c.id FROM customers c WHERE {}", seg.text))?;
                let ids = st.query_map(rusqlite::params_from_iter(seg.params.iter()), |r| r.get::<_, String>(0))?;
                Some(ids.map(|id| id.map(|id| cache::key_of(&id))).collect::<rusqlite::Result<_>>()?)
            }
            None => None,
        };
        let next_targets: std::collections::HashSet<String> = {
            let mut st = conn.prepare(
                "SELECT id FROM sla_policies WHERE next_response_minutes IS NOT NULL AND deleted_at IS NULL",
            )?;
            let ids = st.query_map([], |r| r.get::<_, String>(0))?;
            ids.collect::<rusqlite::Result<_>>()?
        };
        let ctx = helpdesk::Ctx::new(
            &self.filters,
            members.as_ref(),
            self.basis == TimeBasis::Business,
            self.now,
            &self.settings,
            &next_targets,
        );
        let [(cur, cur_days), (prev, prev_days)] = &self.periods;
        // two stages on two threads: this one reads the chunks (a blob each, copied out of the
        // mapped file), the other feeds them to both periods' figures as they come
        let (tx, rx) = std::sync::mpsc::sync_channel::<cache::Chunk>(8);
        let (rebuilt, ((cc, sc), (cp, sp)), (a, b, dict)) = std::thread::scope(|s| {
            let ctx = &ctx;
            let feeder = s.spawn(move || {
                let (mut a, mut b) = (helpdesk::Acc::new(cur, cur_days), helpdesk::Acc::new(prev, prev_days));
                let mut dict = helpdesk::Dict::new();
                for c in rx {
                    let words = dict.words(&c, ctx);
                    for acc in [&mut a, &mut b] {
                        if acc.reads(&c) {
                            acc.feed(&c, &words, &dict, ctx);
                        }
                    }
                }
                (a, b, dict)
            });
            // a send fails only when the feeder is gone (it panicked): its join says so below
            let rebuilt = cache::each(conn, prev.start_ms, cur.end_ms + helpdesk::WINDOW_MS, |c| {
                let _ = tx.send(c);
                Ok(())
            });
            drop(tx);
            // while the feeding goes on: care and sales, from SQL on this thread's connection
            let sales = (|| {
                Ok::<_, Error>((
                    sales::compute(conn, &self, cur, cur_days)?,
                    sales::compute(conn, &self, prev, prev_days)?,
                ))
            })();
            let fed = feeder
                .join()
                .map_err(|_| Error::Interrupted { task: "report", detail: "the feeding thread stopped".into() })?;
            Ok::<_, Error>((rebuilt?, sales?, fed))
        })?;
        let hc = a.finish(conn, &ctx, &dict)?;
        let hp = b.finish(conn, &ctx, &dict)?;
        cache::store(&self.path, &rebuilt);
        let [(cur, _), (prev, _)] = self.periods;
        Ok((
            Kpis { period: cur, helpdesk: hc, care: cc, sales: sc },
            Kpis { period: prev, helpdesk: hp, care: cp, sales: sp },
        ))
    }
}

impl Workspace {
    /// A query checked and made whole (dates normalised, an agent's staff filter their own),
    /// and what computing it needs; the segments' conditions only when `segments` is asked.
    pub(crate) async fn plan(&self, q: &ReportQuery, with_segments: bool) -> Result<(ReportQuery, Job)> {
        let mut q = q.clone();
        let trim = |v: &mut Option<String>| {
            *v = v.take().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        };
        for v in [&mut q.team_id, &mut q.staff_id, &mut q.channel, &mut q.category, &mut q.segment_id] {
            trim(v);
        }
        let (from, to) = (parse_date("from", &q.from)?, parse_date("to", &q.to)?);
        if to < from {
            return Err(Error::Validation(vec![FieldError::new("to", "report.to_before_from")
                .with("value", q.to.clone())
                .with("from", q.from.clone())]));
        }
        let days = from.until(to).map_err(|e| Error::BadTime { detail: e.to_string() })?.get_days() as i64 + 1;
        if days > MAX_DAYS {
            return Err(Error::Validation(vec![
                FieldError::new("to", "report.period_too_long").with("max", MAX_DAYS.to_string())
            ]));
        }
        q.from = from.to_string();
        q.to = to.to_string();
        if self.sync_role().await? == crate::staff::Role::Agent {
            q.staff_id = self.current_staff_id().await?;
        }
        let zone = self.zone().await?;
        let segment = match &q.segment_id {
            Some(id) => {
                let seg = self.segment(id).await?;
                Some(self.compiled_rules(&seg).await?)
            }
            None => None,
        };
        let filters = Filters {
            team: q.team_id.clone(),
            staff: q.staff_id.clone(),
            channel: q.channel.clone(),
            category: q.category.clone(),
            segment,
        };
        let mut segments = Vec::new();
        for seg in if with_segments { self.segments().await? } else { Vec::new() } {
            if seg.problem.is_some() {
                continue;
            }
            if let Ok(sql) = self.compiled_rules(&seg).await {
                segments.push((seg.id.clone(), seg.name.clone(), sql));
            }
        }
        let settings = self.report_settings().await?;
        let now = self.now_ms();
        let prev_from =
            from.checked_sub(jiff::Span::new().days(days)).map_err(|e| Error::BadTime { detail: e.to_string() })?;
        let period = |start: Date| -> Result<(Period, Vec<i64>)> {
            let d = day_starts(&zone, start, days)?;
            let end = start
                .checked_add(jiff::Span::new().days(days - 1))
                .map_err(|e| Error::BadTime { detail: e.to_string() })?;
            let p =
                Period { from: start.to_string(), to: end.to_string(), days, start_ms: d[0], end_ms: d[days as usize] };
            Ok((p, d))
        };
        let job = Job {
            path: self.path().to_path_buf(),
            periods: [period(from)?, period(prev_from)?],
            filters,
            basis: q.time,
            now,
            settings,
            segments,
        };
        Ok((q, job))
    }

    /// The KPIs of a period and of the one before it. An agent's report is their own (the staff
    /// filter is theirs whatever was asked).
    pub async fn report(&self, q: &ReportQuery) -> Result<Report> {
        let (q, job) = self.plan(q, true).await?;
        let (now, own) = (job.now, self.sync_role().await? == crate::staff::Role::Agent);
        let conn = self.readers().take()?;
        let (out, conn) = crate::blocking("report", move || {
            let out = job.run(&conn);
            Ok((out, conn))
        })
        .await?;
        self.readers().give(conn);
        let (current, previous) = out?;
        Ok(Report { query: q, current, previous, at_ms: now, own })
    }

    /// Which ticket categories count as complaints and as returns.
    pub async fn report_settings(&self) -> Result<ReportSettings> {
        let v: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'reports'").fetch_optional(self.pool()).await?;
        Ok(v.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
    }

    /// Sets which ticket categories count as complaints and as returns (owners and managers).
    pub async fn set_report_settings(&self, s: &ReportSettings) -> Result<ReportSettings> {
        let clean = |list: &[String]| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for c in list.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                if !out.iter().any(|o| crate::fold::fold(o) == crate::fold::fold(c)) {
                    out.push(c.to_string());
                }
            }
            out
        };
        let s = ReportSettings {
            complaint_categories: clean(&s.complaint_categories),
            return_categories: clean(&s.return_categories),
        };
        // bounded, so the lists a drill-down binds stay far inside SQLite's limits
        let mut problems = Vec::new();
        for (field, list) in
            [("complaint_categories", &s.complaint_categories), ("return_categories", &s.return_categories)]
        {
            if list.len() > MAX_CATEGORIES {
                problems.push(FieldError::new(field, "validation.too_many").with("max", MAX_CATEGORIES.to_string()));
            }
            if list.iter().any(|c| c.chars().count() > MAX_CATEGORY_CHARS) {
                problems
                    .push(FieldError::new(field, "validation.too_long").with("max", MAX_CATEGORY_CHARS.to_string()));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Validation(problems));
        }
        let mut w = self.write().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('reports', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .bind(serde_json::to_string(&s)?)
        .execute(&mut *w.conn())
        .await?;
        w.commit().await?;
        Ok(s)
    }
}
