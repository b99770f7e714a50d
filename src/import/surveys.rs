//! Survey answers from a file (CSV, XLSX, XLS, ODS): a phone survey typed into a spreadsheet,
//! or the answers another tool collected. Columns by header, in Vietnamese or English: the
//! ticket's number, the kind (csat, nps, ces), the score, and optionally a comment and when it
//! was given (RFC 3339, or a date and time in the workspace's zone; now when empty). Every row is
//! checked before anything is written; one bad row refuses the file, naming each row, column
//! and reason; otherwise all answers are written in one transaction. An answer already recorded
//! (same ticket, kind, score and instant) is skipped, so importing a file that dates its answers
//! twice adds nothing.

use super::source::{self, ReadOptions};
use crate::error::{Error, FieldError, Result};
use crate::fold::fold;
use crate::tickets::survey::{write_answer, Kept};
use crate::tickets::{SurveyAnswerInput, SurveyKind};
use crate::Workspace;
use serde::Serialize;
use specta::Type;
use std::path::Path;

/// What an import of survey answers did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct SurveyImport {
    /// Rows read (the header left out).
    #[specta(type = i32)]
    pub rows: u64,
    /// Surveys sent on a solve and waiting, answered now.
    #[specta(type = i32)]
    pub answered: u64,
    /// Answers kept anew.
    #[specta(type = i32)]
    pub added: u64,
    /// Answers already recorded, left as they were.
    #[specta(type = i32)]
    pub skipped: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Col {
    Ticket,
    Kind,
    Score,
    Comment,
    At,
}

/// Headers each column is known by (folded: no tone marks, lower case, spaces as they are).
const HEADERS: &[(Col, &[&str])] = &[
    (Col::Ticket, &["ticket", "number", "ticket number", "ticket_number", "phieu", "so phieu", "ma phieu"]),
    (Col::Kind, &["kind", "type", "survey", "loai", "loai khao sat", "khao sat"]),
    (Col::Score, &["score", "rating", "diem", "diem so", "danh gia"]),
    (Col::Comment, &["comment", "comments", "ghi chu", "nhan xet", "y kien", "gop y"]),
    (Col::At, &["at", "answered_at", "date", "time", "ngay", "thoi gian", "ngay tra loi"]),
];

const COLUMN_NAMES: &[(Col, &str)] =
    &[(Col::Ticket, "ticket"), (Col::Kind, "kind"), (Col::Score, "score"), (Col::Comment, "comment"), (Col::At, "at")];

fn name(c: Col) -> &'static str {
    COLUMN_NAMES.iter().find(|(k, _)| *k == c).map(|(_, n)| *n).unwrap_or("")
}

/// A row's place in errors: `rows[N].column`, N counted so that the app shows the file's own
/// row number (`fieldLabel` counts from 1).
fn at_row(row: u64, col: Col) -> String {
    format!("rows[{}].{}", row.saturating_sub(1), name(col))
}

struct Answer {
    ticket_id: String,
    input: SurveyAnswerInput,
    comment: Option<String>,
    at: i64,
}

/// Reads every non-empty row of the file (a blocking read, off the async threads).
async fn read_rows(path: &Path) -> Result<(Vec<String>, Vec<source::Record>)> {
    let p = path.to_path_buf();
    crate::blocking("survey import", move || {
        let mut opened = source::open(&p, &ReadOptions::default())?;
        let mut rows = Vec::new();
        while let Some(r) = opened.rows.next_record()? {
            if r.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            // a file of answers is small; one larger than this is not a survey file
            if rows.len() >= 100_000 {
                return Err(source::file_error("survey.too_many_rows", "100000"));
            }
            rows.push(r);
        }
        Ok((opened.headers, rows))
    })
    .await
}

/// Which file column holds each known column (the first header naming it); the required ones
/// missing are named.
fn map_columns(headers: &[String]) -> Result<Vec<(Col, usize)>> {
    let mut cols: Vec<(Col, usize)> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let h = fold(h.trim()).replace(['_', '-'], " ");
        if let Some((c, _)) = HEADERS
            .iter()
            .find(|(c, names)| names.iter().any(|n| n.replace('_', " ") == h) && !cols.iter().any(|(k, _)| k == c))
        {
            cols.push((*c, i));
        }
    }
    let missing: Vec<FieldError> = [Col::Ticket, Col::Kind, Col::Score]
        .into_iter()
        .filter(|c| !cols.iter().any(|(k, _)| k == c))
        .map(|c| FieldError::new("file", "survey.column_missing").with("column", name(c)))
        .collect();
    if missing.is_empty() {
        Ok(cols)
    } else {
        Err(Error::Validation(missing))
    }
}

impl Workspace {
    /// Imports survey answers from `path` (see the module's notes), by the current user.
    pub async fn import_survey_answers(&self, path: &Path) -> Result<SurveyImport> {
        let (headers, records) = read_rows(path).await?;
        let cols = map_columns(&headers)?;
        let tz = self.zone().await?;
        let today = self.today().await?;
        let mut errs = Vec::new();
        let mut answers = Vec::new();
        for rec in &records {
            if let Some(a) = self.check_row(rec, &cols, &tz, today, &mut errs).await? {
                answers.push(a);
            }
        }
        if !errs.is_empty() {
            return Err(Error::Validation(errs));
        }
        let me = self.current_staff_id().await?;
        let mut report = SurveyImport { rows: records.len() as u64, answered: 0, added: 0, skipped: 0 };
        let mut w = self.write().await?;
        for a in &answers {
            let known: Option<String> = sqlx::query_scalar(
                "SELECT id FROM survey_answers WHERE ticket_id = ? AND kind = ? AND score = ? AND answered_at = ?
                 AND deleted_at IS NULL",
            )
            .bind(&a.ticket_id)
            .bind(a.input.kind.as_str())
            .bind(a.input.score)
            .bind(a.at)
            .fetch_optional(&mut *w.conn())
            .await?;
            if known.is_some() {
                report.skipped += 1;
                continue;
            }
            match write_answer(&mut w, &a.ticket_id, &a.input, a.comment.as_deref(), a.at, me.as_deref(), "import")
                .await?
            {
                (_, Kept::Answered) => report.answered += 1,
                (_, Kept::Added) => report.added += 1,
            }
        }
        w.commit().await?;
        Ok(report)
    }

    /// One row's answer, or its problems added to `errs` (each at its row and column).
    async fn check_row(
        &self,
        rec: &source::Record,
        cols: &[(Col, usize)],
        tz: &jiff::tz::TimeZone,
        today: jiff::civil::Date,
        errs: &mut Vec<FieldError>,
    ) -> Result<Option<Answer>> {
        let cell = |c: Col| -> &str {
            cols.iter().find(|(k, _)| *k == c).and_then(|(_, i)| rec.cells.get(*i)).map(|s| s.trim()).unwrap_or("")
        };
        if let Some(i) = rec.too_long {
            let col = cols.iter().find(|(_, j)| *j == i).map(|(c, _)| *c).unwrap_or(Col::Comment);
            errs.push(FieldError::new(at_row(rec.row, col), "import.cell_too_long"));
            return Ok(None);
        }
        let before = errs.len();
        let ticket = cell(Col::Ticket);
        let ticket_id = if ticket.is_empty() {
            errs.push(FieldError::new(at_row(rec.row, Col::Ticket), "validation.required"));
            None
        } else {
            match self.ticket_id(ticket).await {
                Ok(id) => Some(id),
                Err(Error::NotFound { .. }) => {
                    errs.push(
                        FieldError::new(at_row(rec.row, Col::Ticket), "survey.ticket_unknown").with("value", ticket),
                    );
                    None
                }
                Err(e) => return Err(e),
            }
        };
        let kind_text = cell(Col::Kind);
        let kind = SurveyKind::parse(&kind_text.to_lowercase());
        if kind.is_none() {
            errs.push(
                FieldError::new(at_row(rec.row, Col::Kind), "validation.not_allowed")
                    .with("value", kind_text)
                    .with("allowed", "csat, nps, ces"),
            );
        }
        let score_text = cell(Col::Score);
        let score = score_text.parse::<i64>().ok();
        if score.is_none() {
            errs.push(
                FieldError::new(at_row(rec.row, Col::Score), "validation.number_invalid").with("value", score_text),
            );
        }
        let at_text = cell(Col::At);
        let at = if at_text.is_empty() {
            None
        } else if let Ok(t) = at_text.parse::<jiff::Timestamp>() {
            Some(t.as_millisecond())
        } else {
            match super::datetime_cell(at_text, tz, today) {
                Ok(ms) => Some(ms),
                Err(k) => {
                    errs.push(FieldError::new(at_row(rec.row, Col::At), k).with("value", at_text));
                    None
                }
            }
        };
        let comment = Some(cell(Col::Comment).to_string()).filter(|c| !c.is_empty());
        let (Some(ticket_id), Some(kind), Some(score)) = (ticket_id, kind, score) else { return Ok(None) };
        if errs.len() > before {
            return Ok(None);
        }
        let input = SurveyAnswerInput { kind, score, comment, at };
        match self.check_answer(&input) {
            Ok((comment, at)) => Ok(Some(Answer { ticket_id, input, comment, at })),
            Err(list) => {
                errs.extend(list.into_iter().map(|mut f| {
                    let col = match f.field.as_str() {
                        "score" => Col::Score,
                        "at" => Col::At,
                        _ => Col::Comment,
                    };
                    f.field = at_row(rec.row, col);
                    f
                }));
                Ok(None)
            }
        }
    }
}
