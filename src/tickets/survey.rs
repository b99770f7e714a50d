//! Satisfaction surveys: CSAT (1–5, 4 and 5 satisfied), NPS (0–10: promoters 9–10, detractors
//! 0–6) and CES (1–7, "the company made it easy", higher is better). A team may send one when a
//! ticket is solved (a row with `sent_at` and no score, answered later); until the sync server
//! serves a customer-facing link, staff record the answer (a phone survey) or import it. An
//! answer is on the customer's timeline.

use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;

str_enum!(SurveyKind { Csat = "csat", Nps = "nps", Ces = "ces" });

impl SurveyKind {
    /// The scores an answer may take.
    pub fn range(self) -> std::ops::RangeInclusive<i64> {
        match self {
            SurveyKind::Csat => 1..=5,
            SurveyKind::Nps => 0..=10,
            SurveyKind::Ces => 1..=7,
        }
    }
}

/// An answer as recorded.
#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
pub struct SurveyAnswerInput {
    pub kind: SurveyKind,
    #[specta(type = i32)]
    pub score: i64,
    pub comment: Option<String>,
    /// When it was given (UTC ms); now when not given.
    #[specta(type = Option<i32>)]
    pub at: Option<i64>,
}

/// A survey sent or answered.
#[derive(Debug, Clone, PartialEq, Serialize, Type, sqlx::FromRow)]
pub struct SurveyAnswer {
    pub id: String,
    pub ticket_id: Option<String>,
    pub customer_id: String,
    pub kind: String,
    #[specta(type = Option<i32>)]
    pub score: Option<i64>,
    pub comment: Option<String>,
    #[specta(type = Option<i32>)]
    pub sent_at: Option<i64>,
    #[specta(type = Option<i32>)]
    pub answered_at: Option<i64>,
    pub staff_id: Option<String>,
    pub source: String,
}

/// The longest comment kept with an answer.
const MAX_COMMENT: usize = 2000;

const COLS: &str = "id, ticket_id, customer_id, kind, score, comment, sent_at, answered_at, staff_id, source";

/// Sends a survey of `kind` for a solved ticket (inside the solve's write): one unanswered row
/// per ticket and kind.
pub(crate) async fn send(
    w: &mut crate::db::WriteTx<'_>,
    ticket_id: &str,
    customer_id: &str,
    kind: &str,
    at: i64,
) -> Result<()> {
    let pending: Option<String> = sqlx::query_scalar(
        "SELECT id FROM survey_answers WHERE ticket_id = ? AND kind = ? AND score IS NULL AND deleted_at IS NULL",
    )
    .bind(ticket_id)
    .bind(kind)
    .fetch_optional(&mut *w.conn())
    .await?;
    if pending.is_some() {
        return Ok(());
    }
    let now = w.now;
    sqlx::query(
        "INSERT INTO survey_answers (id, ticket_id, customer_id, kind, sent_at, source, created_at)
         VALUES (?, ?, ?, ?, ?, 'care', ?)",
    )
    .bind(crate::db::new_id())
    .bind(ticket_id)
    .bind(customer_id)
    .bind(kind)
    .bind(at)
    .bind(now)
    .execute(&mut *w.conn())
    .await?;
    Ok(())
}

impl Workspace {
    /// An answer's problems, each at its field (`score`, `comment`, `at`), or its comment as
    /// kept and its instant.
    pub(crate) fn check_answer(
        &self,
        input: &SurveyAnswerInput,
    ) -> std::result::Result<(Option<String>, i64), Vec<FieldError>> {
        let range = input.kind.range();
        let mut errs = Vec::new();
        if !range.contains(&input.score) {
            errs.push(
                FieldError::new("score", "validation.out_of_range")
                    .with("value", input.score.to_string())
                    .with("min", range.start().to_string())
                    .with("max", range.end().to_string()),
            );
        }
        let comment = match input.comment.as_deref().map(crate::validate::long_text).transpose() {
            Ok(c) => c.filter(|c| !c.is_empty()),
            Err(k) => {
                errs.push(FieldError::new("comment", k));
                None
            }
        };
        if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
            errs.push(FieldError::new("comment", "validation.too_long").with("max", MAX_COMMENT.to_string()));
        }
        let at = input.at.unwrap_or_else(|| self.now_ms());
        if at > self.now_ms() + 86_400_000 {
            errs.push(FieldError::new("at", "ticket.at_ahead").with("value", at.to_string()));
        }
        if errs.is_empty() {
            Ok((comment, at))
        } else {
            Err(errs)
        }
    }

    /// Records a customer's answer about a ticket (its number or id), by the current user: the
    /// survey sent for it is answered, or a new answer is kept. A score out of the kind's range
    /// is refused, naming the range.
    pub async fn record_survey(&self, ticket: &str, input: &SurveyAnswerInput) -> Result<SurveyAnswer> {
        let (comment, at) = self.check_answer(input).map_err(Error::Validation)?;
        let ticket_id = self.ticket_id(ticket).await?;
        let me = self.current_staff_id().await?;
        let mut w = self.write().await?;
        let (id, _) = write_answer(&mut w, &ticket_id, input, comment.as_deref(), at, me.as_deref(), "phone").await?;
        w.commit().await?;
        Ok(sqlx::query_as(&format!("SELECT {COLS} FROM survey_answers WHERE id = ?"))
            .bind(&id)
            .fetch_one(self.pool())
            .await?)
    }

    /// A ticket's surveys, sent and answered, oldest first.
    pub async fn ticket_surveys(&self, ticket: &str) -> Result<Vec<SurveyAnswer>> {
        let ticket_id = self.ticket_id(ticket).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM survey_answers WHERE ticket_id = ? AND deleted_at IS NULL ORDER BY COALESCE(answered_at, sent_at), id"
        ))
        .bind(&ticket_id)
        .fetch_all(self.pool())
        .await?)
    }
}

/// Whether a write answered a survey that was waiting, or kept a new answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kept {
    Answered,
    Added,
}

/// Writes a checked answer (inside `w`): the survey sent for the ticket and waiting for this
/// kind is answered, or a new answer is kept; `source` says how it came (`phone`, `import`).
pub(crate) async fn write_answer(
    w: &mut crate::db::WriteTx<'_>,
    ticket_id: &str,
    input: &SurveyAnswerInput,
    comment: Option<&str>,
    at: i64,
    staff: Option<&str>,
    source: &str,
) -> Result<(String, Kept)> {
    let customer_id: String = sqlx::query_scalar("SELECT customer_id FROM tickets WHERE id = ?")
        .bind(ticket_id)
        .fetch_one(&mut *w.conn())
        .await?;
    let pending: Option<String> = sqlx::query_scalar(
        "SELECT id FROM survey_answers WHERE ticket_id = ? AND kind = ? AND score IS NULL AND deleted_at IS NULL
         ORDER BY sent_at, id LIMIT 1",
    )
    .bind(ticket_id)
    .bind(input.kind.as_str())
    .fetch_optional(&mut *w.conn())
    .await?;
    match pending {
        Some(id) => {
            sqlx::query("UPDATE survey_answers SET score = ?, comment = ?, answered_at = ?, staff_id = ?, source = ? WHERE id = ?")
                .bind(input.score)
                .bind(comment)
                .bind(at)
                .bind(staff)
                .bind(source)
                .bind(&id)
                .execute(&mut *w.conn())
                .await?;
            Ok((id, Kept::Answered))
        }
        None => {
            let id = crate::db::new_id();
            let now = w.now;
            sqlx::query(
                "INSERT INTO survey_answers (id, ticket_id, customer_id, kind, score, comment, answered_at, staff_id,
                    source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(ticket_id)
            .bind(&customer_id)
            .bind(input.kind.as_str())
            .bind(input.score)
            .bind(comment)
            .bind(at)
            .bind(staff)
            .bind(source)
            .bind(now)
            .execute(&mut *w.conn())
            .await?;
            Ok((id, Kept::Added))
        }
    }
}
