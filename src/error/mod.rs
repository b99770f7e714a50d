//! One error type for the core, and its serialisable form for the UI and the CLI.
//!
//! Every error carries a stable `message_key` (translated by the UI, `ui/src/lib/i18n`) and
//! parameters; validation errors also name the field (`phones[1].number`, `tax_code`, ...).

pub mod messages;

use serde::Serialize;
use specta::Type;
use std::collections::BTreeMap;

/// One invalid field: which field, why (an i18n key), and the values the message needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
pub struct FieldError {
    pub field: String,
    pub message_key: String,
    pub params: BTreeMap<String, String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message_key: &str) -> Self {
        Self { field: field.into(), message_key: message_key.to_string(), params: BTreeMap::new() }
    }
    /// Adds a parameter. `value` (the input itself, echoed back) is cut to a bounded length
    /// (`validate::echo`), so an input is never printed whole however long it is.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        let value = if key == "value" { crate::validate::echo(&value) } else { value };
        self.params.insert(key.to_string(), value);
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid input: {}", describe(.0))]
    Validation(Vec<FieldError>),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error(
        "this workspace was written by a newer version of Tend (schema {db_version}, this app knows {app_version}); update Tend to open it"
    )]
    NewerDatabase { db_version: i64, app_version: i64 },
    /// An operation stopped by a failure inside it (a panic in its task): its transaction was
    /// rolled back. `task` names it for logs ("import", "demo", "check").
    #[error("{task} stopped by an unexpected failure; nothing was written ({detail})")]
    Interrupted { task: &'static str, detail: String },
    /// An undo of an import or a merge (`what`) that was already undone.
    #[error("{what} {id} was already undone")]
    AlreadyUndone { what: &'static str, id: String },
    /// A backup that did not pass its check once written; it was removed.
    #[error("the backup written to {path} did not read back correctly ({detail}); it was removed")]
    BackupUnreadable { path: String, detail: String },
    /// A clock value from another device more than five minutes ahead of this one's wall clock
    /// (`clock::MAX_AHEAD_MS`): refused, so one wrong clock cannot drag every clock ahead.
    #[error("a change is stamped {} s ahead of this device's clock; check the date and time of both devices", .ahead_ms / 1000)]
    ClockAhead { ahead_ms: i64 },
    /// A stored instant or date the calendar cannot represent (out of range, or no such local
    /// time in the zone).
    #[error("a date or time cannot be represented: {detail}")]
    BadTime { detail: String },
    /// A form's save found fields the user changed that someone else changed too since the form
    /// was opened; nothing was written. Each names the field, with its current value (`current`).
    #[error("changed by someone else since it was opened, nothing was saved: {}", describe(.0))]
    EditConflict(Vec<FieldError>),
    #[error("cancelled; nothing was written")]
    Cancelled,
    /// An outbound contact with a customer already contacted within the quiet interval: asks
    /// the user to confirm (then logged with the confirmation); nothing was written.
    #[error("this customer was already contacted within the last {days} days; confirm to log another contact")]
    RecentContact { last_at_ms: i64, days: i64 },
    /// An interaction dated more than a day ahead (a typo such as 3000 for 2026 would keep the
    /// customer "contacted today" for ever): asks the user to confirm; nothing was written.
    #[error("this contact is dated more than a day ahead; confirm to log it anyway")]
    DateAhead { at_ms: i64 },
    #[error("the workspace file is damaged: {detail}")]
    Damaged { detail: String },
    #[error("another program kept the workspace busy for too long (it is not an import); try again")]
    Busy,
    /// Looking for, fetching or installing an update of the app failed; `key` says which way
    /// (`update.bad_signature`, `update.unreachable`, ...), `detail` the underlying error.
    #[error("update failed: {detail}")]
    Update { key: &'static str, detail: String },
    /// Sync with the server failed or was refused; `key` says which way (`sync.unreachable`,
    /// `sync.revoked`, `sync.clock_ahead`...), `detail` in English, `device` the device a
    /// clock guard refused.
    #[error("sync: {detail}")]
    Sync { key: &'static str, detail: String, device: Option<String> },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Read(#[from] rusqlite::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("data error: {0}")]
    Json(#[from] serde_json::Error),
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            let params: Vec<String> = e.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let mut s = if params.is_empty() {
                format!("{}: {}", e.field, e.message_key)
            } else {
                format!("{}: {} ({})", e.field, e.message_key, params.join(", "))
            };
            let english = messages::reason_en(&e.message_key);
            if english != "invalid" {
                s.push_str(" - ");
                s.push_str(english);
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, key: &str) -> Self {
        Error::Validation(vec![FieldError::new(field, key)])
    }
    pub fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound { entity, id: id.into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Validation,
    NotFound,
    NewerDatabase,
    Conflict,
    Cancelled,
    /// Allowed once the user confirms (the same call with the confirmation).
    Confirm,
    Damaged,
    Busy,
    Storage,
    Update,
    Sync,
}

/// What crosses the IPC boundary and what `--json` prints: `{kind, field?, message_key, params}`,
/// plus every field error for a form.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, Type)]
pub struct ErrorPayload {
    pub kind: ErrorKind,
    pub field: Option<String>,
    pub message_key: String,
    pub params: BTreeMap<String, String>,
    pub fields: Vec<FieldError>,
    /// English text for logs and the CLI.
    pub message: String,
}

impl From<&Error> for ErrorPayload {
    fn from(e: &Error) -> Self {
        let message = e.to_string();
        let mut params = BTreeMap::new();
        let (kind, field, key, fields) = match e {
            Error::Validation(fields) => {
                let first = fields.first();
                if let Some(f) = first {
                    params = f.params.clone();
                }
                (
                    ErrorKind::Validation,
                    first.map(|f| f.field.clone()),
                    first.map(|f| f.message_key.clone()).unwrap_or_else(|| "error.invalid".into()),
                    fields.clone(),
                )
            }
            Error::NotFound { entity, id } => {
                params.insert("entity".into(), entity.to_string());
                params.insert("id".into(), id.clone());
                (ErrorKind::NotFound, None, "error.not_found".into(), vec![])
            }
            Error::NewerDatabase { db_version, app_version } => {
                params.insert("db_version".into(), db_version.to_string());
                params.insert("app_version".into(), app_version.to_string());
                (ErrorKind::NewerDatabase, None, "error.newer_database".into(), vec![])
            }
            Error::Interrupted { task, detail } => {
                params.insert("task".into(), task.to_string());
                params.insert("detail".into(), detail.clone());
                (ErrorKind::Storage, None, "error.interrupted".into(), vec![])
            }
            Error::AlreadyUndone { what, id } => {
                params.insert("what".into(), what.to_string());
                params.insert("id".into(), id.clone());
                (ErrorKind::Conflict, None, "error.already_undone".into(), vec![])
            }
            Error::BackupUnreadable { path, detail } => {
                params.insert("path".into(), path.clone());
                params.insert("detail".into(), detail.clone());
                (ErrorKind::Storage, None, "backup.copy_bad".into(), vec![])
            }
            Error::ClockAhead { ahead_ms } => {
                params.insert("minutes".into(), (ahead_ms / 60_000).max(5).to_string());
                (ErrorKind::Conflict, None, "error.clock_ahead".into(), vec![])
            }
            Error::BadTime { detail } => {
                params.insert("detail".into(), detail.clone());
                (ErrorKind::Storage, None, "error.bad_time".into(), vec![])
            }
            Error::EditConflict(fields) => {
                params.insert("count".into(), fields.len().to_string());
                let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
                params.insert("fields".into(), names.join(", "));
                (
                    ErrorKind::Conflict,
                    fields.first().map(|f| f.field.clone()),
                    "error.edit_conflict".into(),
                    fields.clone(),
                )
            }
            Error::RecentContact { last_at_ms, days } => {
                params.insert("last_at".into(), last_at_ms.to_string());
                params.insert("days".into(), days.to_string());
                (ErrorKind::Confirm, None, "interaction.recent_contact".into(), vec![])
            }
            Error::DateAhead { at_ms } => {
                params.insert("at".into(), at_ms.to_string());
                (ErrorKind::Confirm, None, "interaction.future_date".into(), vec![])
            }
            Error::Update { key, detail } => {
                params.insert("detail".into(), detail.clone());
                (ErrorKind::Update, None, key.to_string(), vec![])
            }
            Error::Sync { key, detail, device } => {
                params.insert("detail".into(), detail.clone());
                if let Some(d) = device {
                    params.insert("device".into(), d.clone());
                }
                (ErrorKind::Sync, None, key.to_string(), vec![])
            }
            Error::Cancelled => (ErrorKind::Cancelled, None, "error.cancelled".into(), vec![]),
            Error::Busy => (ErrorKind::Busy, None, "error.busy".into(), vec![]),
            other if other.damage().is_some() => {
                params.insert("detail".into(), other.damage().unwrap_or_default());
                (ErrorKind::Damaged, None, "error.damaged".into(), vec![])
            }
            other => {
                params.insert("detail".into(), other.to_string());
                (ErrorKind::Storage, None, "error.storage".into(), vec![])
            }
        };
        ErrorPayload { kind, field, message_key: key, params, fields, message }
    }
}

impl From<Error> for ErrorPayload {
    fn from(e: Error) -> Self {
        ErrorPayload::from(&e)
    }
}

/// Collects field errors while validating a whole form, so the user sees all of them at once.
#[derive(Default, Debug)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The value a field's check gave, or (the field's error recorded) the type's default.
    pub fn field<T: Default>(&mut self, field: impl Into<String>, checked: std::result::Result<T, &str>) -> T {
        match checked {
            Ok(v) => v,
            Err(key) => {
                self.push(FieldError::new(field, key));
                T::default()
            }
        }
    }
    /// A required text field of at most `max` characters, cleaned by `validate::text`: its value,
    /// or (its error recorded) an empty string.
    pub fn required_text(&mut self, field: &str, raw: &str, max: usize) -> String {
        let checked = crate::validate::text(raw);
        if checked.as_ref().is_ok_and(|t| t.is_empty()) {
            self.push(FieldError::new(field, "validation.required"));
            return String::new();
        }
        let value = self.field(field, checked);
        if value.chars().count() > max {
            self.push(FieldError::new(field, "validation.too_long").with("max", max.to_string()));
        }
        value
    }
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
    pub fn into_result(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.0))
        }
    }
}

impl From<Errors> for Error {
    fn from(e: Errors) -> Error {
        Error::Validation(e.0)
    }
}

/// The sync rules' refusals, as the core reports them.
/// A CSV writer's error, an I/O error (the only way it fails here).
impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Error {
        Error::Io(std::io::Error::other(e.to_string()))
    }
}

impl From<tend_sync::Error> for Error {
    fn from(e: tend_sync::Error) -> Error {
        match e {
            tend_sync::Error::BadStamp(_) => Error::invalid("hlc", "validation.hlc_invalid"),
            tend_sync::Error::ClockAhead { ahead_ms } => Error::ClockAhead { ahead_ms },
            tend_sync::Error::BadRowId { row_id, .. } => {
                Error::Validation(vec![FieldError::new("row_id", "validation.unknown_name").with("name", row_id)])
            }
        }
    }
}
