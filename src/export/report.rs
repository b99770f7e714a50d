//! A report's export: XLSX (a sheet per section) or CSV (the sections one after another, a blank
//! line between), worded in the workspace's language from the app's own catalogue. Both are
//! written from the same tables ([`tables`]), so they say the same.

use super::{write_whole, xlsx_err};
use crate::error::{Error, FieldError, Result};
use crate::messages::{text, Lang};
use crate::reports::{Kpis, Report, ReportQuery};
use crate::Workspace;
use std::collections::BTreeMap;
use std::path::Path;

/// A cell of a report's table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// No value: "no data" in words.
    Empty,
}

impl Cell {
    fn int(v: i64) -> Cell {
        Cell::Number(v as f64)
    }

    fn of(v: Option<f64>) -> Cell {
        v.map(Cell::Number).unwrap_or(Cell::Empty)
    }
}

/// One section of a report: its title, its columns and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn t(lang: Lang, key: &str) -> String {
    text(lang, &format!("report.{key}"), &BTreeMap::new())
}

/// The summary's rows: a label key and each period's value.
fn summary_rows(k: &Kpis) -> Vec<(&'static str, Cell)> {
    let h = &k.helpdesk;
    let sla = |target: &str| Cell::of(h.sla_percent.get(target).copied().flatten());
    vec![
        ("kpi_tickets", Cell::int(h.tickets)),
        ("kpi_solved", Cell::int(h.solved)),
        ("kpi_first_response_mean", Cell::of(h.first_response_minutes.mean)),
        ("kpi_first_response_median", Cell::of(h.first_response_minutes.median)),
        ("kpi_first_response_p90", Cell::of(h.first_response_minutes.p90)),
        ("kpi_resolution_mean", Cell::of(h.resolution_minutes.mean)),
        ("kpi_resolution_median", Cell::of(h.resolution_minutes.median)),
        ("kpi_resolution_p90", Cell::of(h.resolution_minutes.p90)),
        ("kpi_handling_mean", Cell::of(h.handling_minutes.mean)),
        ("kpi_csat", Cell::of(h.csat.percent)),
        ("kpi_csat_rated", Cell::int(h.csat.rated)),
        ("kpi_nps", Cell::of(h.nps.score)),
        ("kpi_nps_answers", Cell::int(h.nps.answers)),
        ("kpi_ces", Cell::of(h.ces.mean)),
        ("kpi_ces_answers", Cell::int(h.ces.answers)),
        ("kpi_surveys", Cell::of(h.surveys.percent)),
        ("kpi_fcr", Cell::of(h.fcr.percent)),
        ("kpi_recontact", Cell::of(h.recontact.percent)),
        ("kpi_complaints", Cell::of(h.complaints.percent)),
        ("kpi_returns", Cell::of(h.returns.percent)),
        ("kpi_sla_first_response", sla("first_response")),
        ("kpi_sla_next_response", sla("next_response")),
        ("kpi_sla_resolution", sla("resolution")),
        ("kpi_breaches", Cell::int(h.breaches_total)),
        ("kpi_care_due", Cell::int(k.care.due)),
        ("kpi_care_done", Cell::of(k.care.done.percent)),
        ("kpi_care_on_time", Cell::of(k.care.on_time.percent)),
        ("kpi_won", Cell::int(k.sales.won)),
        ("kpi_lost", Cell::int(k.sales.lost)),
        ("kpi_win_rate", Cell::of(k.sales.win_rate)),
        ("kpi_cycle_days", Cell::of(k.sales.cycle_days)),
        ("kpi_inactive", Cell::int(k.sales.inactive_customers)),
    ]
}

fn local(zone: &jiff::tz::TimeZone, ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// A report's sections as tables, in `lang`; times in `zone`.
pub fn tables(r: &Report, lang: Lang, zone: &jiff::tz::TimeZone) -> Vec<Table> {
    let (k, p) = (&r.current, &r.previous);
    let h = &k.helpdesk;
    let period = |k: &Kpis| format!("{} – {}", k.period.from, k.period.to);
    let name = |id: &str| -> String {
        if id.is_empty() {
            t(lang, "none")
        } else {
            h.names.get(id).cloned().unwrap_or_else(|| id.to_string())
        }
    };
    let mut out = Vec::new();

    let mut rows = Vec::new();
    for ((key, now), (_, before)) in summary_rows(k).into_iter().zip(summary_rows(p)) {
        rows.push(vec![Cell::Text(t(lang, key)), now, before]);
    }
    out.push(Table {
        title: t(lang, "section_summary"),
        columns: vec![
            t(lang, "kpi"),
            format!("{} ({})", t(lang, "current"), period(k)),
            format!("{} ({})", t(lang, "previous"), period(p)),
        ],
        rows,
    });

    let mut rows = Vec::new();
    let label = |dim: &str, v: &str| -> String {
        match dim {
            "team" | "assignee" => name(v),
            "channel" if !v.is_empty() => text(lang, &format!("ticket.channel.{v}"), &BTreeMap::new()),
            "priority" if !v.is_empty() => text(lang, &format!("ticket.priority.{v}"), &BTreeMap::new()),
            _ if v.is_empty() => t(lang, "none"),
            _ => v.to_string(),
        }
    };
    for (dim, map) in [
        ("channel", &h.volume_by_channel),
        ("team", &h.volume_by_team),
        ("category", &h.volume_by_category),
        ("priority", &h.volume_by_priority),
        ("assignee", &h.volume_by_assignee),
    ] {
        let mut entries: Vec<(&String, &i64)> = map.iter().collect();
        entries.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        for (v, n) in entries {
            rows.push(vec![Cell::Text(t(lang, &format!("dim_{dim}"))), Cell::Text(label(dim, v)), Cell::int(*n)]);
        }
    }
    out.push(Table {
        title: t(lang, "section_volume"),
        columns: vec![t(lang, "col_dimension"), t(lang, "col_value"), t(lang, "col_count")],
        rows,
    });

    out.push(Table {
        title: t(lang, "section_days"),
        columns: ["col_date", "col_created", "col_solved", "col_backlog"].iter().map(|c| t(lang, c)).collect(),
        rows: h
            .days
            .iter()
            .map(|d| vec![Cell::Text(d.date.clone()), Cell::int(d.created), Cell::int(d.solved), Cell::int(d.backlog)])
            .collect(),
    });

    out.push(Table {
        title: t(lang, "section_staff"),
        columns: [
            "col_staff",
            "col_tickets",
            "col_solved",
            "col_first_response_median",
            "col_resolution_median",
            "col_csat",
            "col_csat_rated",
            "col_fcr",
            "col_sla",
        ]
        .iter()
        .map(|c| t(lang, c))
        .collect(),
        rows: h
            .staff
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.name.clone()),
                    Cell::int(s.tickets),
                    Cell::int(s.solved),
                    Cell::of(s.first_response_median),
                    Cell::of(s.resolution_median),
                    Cell::of(s.csat_percent),
                    Cell::int(s.csat_rated),
                    Cell::of(s.fcr_percent),
                    Cell::of(s.sla_percent),
                ]
            })
            .collect(),
    });

    out.push(Table {
        title: t(lang, "section_breaches"),
        columns: ["col_number", "col_subject", "col_target", "col_due", "col_done", "dim_assignee"]
            .iter()
            .map(|c| t(lang, c))
            .collect(),
        rows: h
            .breaches
            .iter()
            .map(|b| {
                vec![
                    Cell::Text(b.number.clone()),
                    Cell::Text(b.subject.clone()),
                    Cell::Text(t(lang, &format!("target_{}", b.target))),
                    Cell::Text(local(zone, b.due_at)),
                    Cell::Text(b.done_at.map(|d| local(zone, d)).unwrap_or_else(|| t(lang, "not_done"))),
                    Cell::Text(name(b.assignee_id.as_deref().unwrap_or(""))),
                ]
            })
            .collect(),
    });

    let mut rows = Vec::new();
    for (i, n) in h.first_response_buckets.iter().enumerate() {
        rows.push(vec![
            Cell::Text(t(lang, "measure_first_response")),
            Cell::Text(t(lang, &format!("bucket_{i}"))),
            Cell::int(*n),
        ]);
    }
    for (measure, dist, first) in
        [("csat", &h.csat.distribution, 1), ("nps", &h.nps.distribution, 0), ("ces", &h.ces.distribution, 1)]
    {
        for (i, n) in dist.iter().enumerate() {
            rows.push(vec![
                Cell::Text(t(lang, &format!("measure_{measure}"))),
                Cell::Text((i as i64 + first).to_string()),
                Cell::int(*n),
            ]);
        }
    }
    out.push(Table {
        title: t(lang, "section_distribution"),
        columns: vec![t(lang, "col_measure"), t(lang, "col_bucket"), t(lang, "col_count")],
        rows,
    });

    out.push(Table {
        title: t(lang, "section_conversion"),
        columns: ["col_stage", "col_reached", "col_went_on", "col_percent"].iter().map(|c| t(lang, c)).collect(),
        rows: k
            .sales
            .conversion
            .iter()
            .map(|s| {
                let stage = s
                    .name
                    .clone()
                    .unwrap_or_else(|| text(lang, &format!("deal_stage.{}", s.stage_id), &BTreeMap::new()));
                vec![Cell::Text(stage), Cell::int(s.reached), Cell::int(s.went_on), Cell::of(s.percent)]
            })
            .collect(),
    });

    let mut rows = Vec::new();
    for s in &k.sales.revenue_by_segment {
        if s.revenue.is_empty() {
            rows.push(vec![Cell::Text(s.name.clone()), Cell::Empty, Cell::Number(0.0), Cell::int(s.purchases)]);
        }
        for m in &s.revenue {
            rows.push(vec![
                Cell::Text(s.name.clone()),
                Cell::Text(m.currency.clone()),
                Cell::int(m.amount),
                Cell::int(s.purchases),
            ]);
        }
    }
    out.push(Table {
        title: t(lang, "section_revenue"),
        columns: ["col_segment", "col_currency", "col_amount", "col_purchases"].iter().map(|c| t(lang, c)).collect(),
        rows,
    });
    out
}

/// A sheet's name as Excel takes it: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    title.chars().filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\')).take(31).collect()
}

fn write(tables: &[Table], dest: &Path, xlsx: bool, no_data: &str) -> Result<u64> {
    write_whole(dest, |tmp| {
        let mut rows = 0u64;
        if xlsx {
            let mut book = rust_xlsxwriter::Workbook::new();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            let number = rust_xlsxwriter::Format::new().set_num_format("#,##0.0");
            let whole = rust_xlsxwriter::Format::new().set_num_format("#,##0");
            let grey = rust_xlsxwriter::Format::new().set_font_color(rust_xlsxwriter::Color::Gray);
            for table in tables {
                let sheet = book.add_worksheet();
                sheet.set_name(sheet_name(&table.title)).map_err(xlsx_err)?;
                for (c, h) in table.columns.iter().enumerate() {
                    sheet.write_string_with_format(0, c as u16, h, &bold).map_err(xlsx_err)?;
                    sheet.set_column_width(c as u16, if c == 0 { 36.0 } else { 18.0 }).map_err(xlsx_err)?;
                }
                sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
                for (r, row) in table.rows.iter().enumerate() {
                    let r = r as u32 + 1;
                    for (c, cell) in row.iter().enumerate() {
                        let c = c as u16;
                        match cell {
                            Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                            Cell::Number(v) if v.fract() == 0.0 => {
                                sheet.write_number_with_format(r, c, *v, &whole).map(|_| ())
                            }
                            Cell::Number(v) => sheet.write_number_with_format(r, c, *v, &number).map(|_| ()),
                            Cell::Empty => sheet.write_string_with_format(r, c, no_data, &grey).map(|_| ()),
                        }
                        .map_err(xlsx_err)?;
                    }
                    rows += 1;
                }
            }
            book.save(tmp).map_err(xlsx_err)?;
        } else {
            // Excel reads a CSV as UTF-8 with its BOM; sections of different widths
            let mut f = std::fs::File::create(tmp)?;
            std::io::Write::write_all(&mut f, b"\xEF\xBB\xBF")?;
            let mut w = csv::WriterBuilder::new().flexible(true).from_writer(std::io::BufWriter::new(f));
            for (i, table) in tables.iter().enumerate() {
                if i > 0 {
                    w.write_record([""])?;
                }
                w.write_record([&table.title])?;
                w.write_record(&table.columns)?;
                for row in &table.rows {
                    let cells: Vec<String> = row
                        .iter()
                        .map(|c| match c {
                            Cell::Text(s) => s.clone(),
                            Cell::Number(v) => v.to_string(),
                            Cell::Empty => String::new(),
                        })
                        .collect();
                    w.write_record(&cells)?;
                    rows += 1;
                }
            }
            w.flush()?;
        }
        Ok(rows)
    })
}

impl Workspace {
    /// Writes a period's report to `dest`: XLSX or CSV by its extension. Returns the rows written.
    pub async fn export_report(&self, q: &ReportQuery, dest: &Path) -> Result<u64> {
        let ext = dest.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let xlsx = match ext.as_deref() {
            Some("xlsx") => true,
            Some("csv") => false,
            _ => {
                return Err(Error::Validation(vec![
                    FieldError::new("path", "report.format_unknown").with("value", dest.display().to_string())
                ]))
            }
        };
        let report = self.report(q).await?;
        let lang = self.lang().await?;
        let zone = self.zone().await?;
        let tables = tables(&report, lang, &zone);
        let no_data = t(lang, "no_data");
        let d = dest.to_path_buf();
        crate::blocking("export", move || write(&tables, &d, xlsx, &no_data)).await
    }
}
