//! Workspace settings: lifecycle stages, custom field definitions, time zone (shared), and the
//! device's language (local).

use crate::db::{meta_get, meta_set, new_id};
use crate::error::{Error, Errors, FieldError, Result};
use crate::fold::fold;
use crate::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;

pub use crate::schedule::{day_start_ms, today_in};

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Stage {
    pub id: String,
    /// None for built-in stages: the UI shows the translation of `stage.<id>`.
    pub name: Option<String>,
    #[specta(type = i32)]
    pub position: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldKind {
    Text,
    Number,
    Date,
    Select,
    Checkbox,
}

impl CustomFieldKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomFieldKind::Text => "text",
            CustomFieldKind::Number => "number",
            CustomFieldKind::Date => "date",
            CustomFieldKind::Select => "select",
            CustomFieldKind::Checkbox => "checkbox",
        }
    }
    pub(crate) fn parse(s: &str) -> CustomFieldKind {
        match s {
            "number" => CustomFieldKind::Number,
            "date" => CustomFieldKind::Date,
            "select" => CustomFieldKind::Select,
            "checkbox" => CustomFieldKind::Checkbox,
            _ => CustomFieldKind::Text,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct CustomField {
    pub id: String,
    /// Stable key used in forms, the CLI and imports (derived from the first label).
    pub key: String,
    pub label: String,
    pub kind: CustomFieldKind,
    pub options: Vec<String>,
    pub required: bool,
    #[specta(type = i32)]
    pub position: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
pub struct CustomFieldInput {
    pub label: String,
    pub kind: CustomFieldKind,
    pub options: Vec<String>,
    pub required: bool,
}

/// What the app needs at start.
#[derive(Debug, Clone, Serialize, Type)]
pub struct WorkspaceInfo {
    pub path: String,
    pub device: String,
    #[specta(type = i32)]
    pub schema_version: i64,
    /// "vi" or "en"; None until chosen (the UI then follows the OS locale).
    pub language: Option<String>,
    pub current_staff_id: Option<String>,
    pub time_zone: String,
    #[specta(type = i32)]
    pub customer_count: i64,
}

pub const LANGUAGES: &[&str] = &["vi", "en"];

/// The quiet interval a workspace starts with (issue 11: three days).
pub const QUIET_INTERVAL_DEFAULT: i64 = 3;

pub(crate) fn field_key(label: &str) -> String {
    let k: String = fold(label).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let k = k.split('_').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("_");
    if k.is_empty() {
        "field".into()
    } else {
        k
    }
}

fn check_field(input: &CustomFieldInput) -> Result<(String, Vec<String>)> {
    let mut errs = Errors::default();
    let label_checked = crate::validate::text(&input.label);
    if label_checked.as_ref().is_ok_and(|l| l.is_empty()) {
        errs.push(FieldError::new("label", "validation.required"));
    }
    let label = errs.field("label", label_checked);
    let mut options: Vec<String> = Vec::new();
    let mut refused = false;
    for (i, o) in input.options.iter().enumerate() {
        let o = o.trim().to_string();
        if let Err(k) = crate::validate::control_free(&o, false) {
            errs.push(FieldError::new(format!("options[{i}]"), k));
            refused = true;
            continue;
        }
        if !o.is_empty() && !options.contains(&o) {
            options.push(o);
        }
    }
    if input.kind == CustomFieldKind::Select && options.is_empty() && !refused {
        errs.push(FieldError::new("options", "validation.options_required"));
    }
    errs.into_result()?;
    Ok((label, options))
}

impl Workspace {
    pub async fn info(&self) -> Result<WorkspaceInfo> {
        // the live count the triggers keep (a COUNT(*) here held the first screen 250 ms at 1M)
        let count: i64 = sqlx::query_scalar("SELECT n FROM customer_counts WHERE dim = 'all' AND value = ''")
            .fetch_optional(self.pool())
            .await?
            .unwrap_or(0);
        Ok(WorkspaceInfo {
            path: self.path().display().to_string(),
            device: self.device().to_string(),
            schema_version: Workspace::schema_version(),
            language: meta_get(self.pool(), "language").await?,
            current_staff_id: self.current_staff_id().await?,
            time_zone: self.time_zone().await?,
            customer_count: count,
        })
    }

    pub async fn set_language(&self, lang: &str) -> Result<()> {
        if !LANGUAGES.contains(&lang) {
            return Err(Error::Validation(vec![
                FieldError::new("language", "validation.not_allowed").with("value", lang)
            ]));
        }
        meta_set(self.pool(), "language", Some(lang)).await
    }

    /// The workspace's IANA time zone (display, reminders, reports).
    pub async fn time_zone(&self) -> Result<String> {
        let tz: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'time_zone'")
            .fetch_optional(self.pool())
            .await?;
        Ok(tz.unwrap_or_else(|| "Asia/Ho_Chi_Minh".to_string()))
    }

    /// The workspace's time zone, for turning local dates and times into instants and back.
    pub async fn zone(&self) -> Result<jiff::tz::TimeZone> {
        let name = self.time_zone().await?;
        jiff::tz::TimeZone::get(&name).map_err(|e| {
            Error::Validation(vec![
                FieldError::new("time_zone", "validation.time_zone_invalid").with("value", format!("{name}: {e}"))
            ])
        })
    }

    /// Today's date in the workspace's time zone (birthdays not in the future, two-digit years).
    pub async fn today(&self) -> Result<jiff::civil::Date> {
        Ok(today_in(&self.zone().await?, self.now_ms()))
    }

    pub async fn set_time_zone(&self, tz: &str) -> Result<()> {
        if jiff::tz::TimeZone::get(tz).is_err() {
            return Err(Error::Validation(vec![
                FieldError::new("time_zone", "validation.time_zone_invalid").with("value", tz)
            ]));
        }
        let mut w = self.write().await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ('time_zone', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(tz)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await
    }

    /// Days after an outbound contact during which another one asks for confirmation (0: never).
    pub async fn quiet_interval_days(&self) -> Result<i64> {
        let v: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'quiet_interval_days'")
            .fetch_optional(self.pool())
            .await?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(QUIET_INTERVAL_DEFAULT))
    }

    pub async fn set_quiet_interval_days(&self, days: i64) -> Result<()> {
        if !(0..=90).contains(&days) {
            return Err(Error::Validation(vec![FieldError::new("quiet_interval_days", "validation.out_of_range")
                .with("min", "0")
                .with("max", "90")
                .with("value", days.to_string())]));
        }
        let mut w = self.write().await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ('quiet_interval_days', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(days.to_string())
            .execute(&mut *w.conn())
            .await?;
        w.commit().await
    }

    pub async fn stages(&self) -> Result<Vec<Stage>> {
        let rows: Vec<(String, Option<String>, i64)> =
            sqlx::query_as("SELECT id, name, position FROM stages WHERE deleted_at IS NULL ORDER BY position, id")
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().map(|(id, name, position)| Stage { id, name, position }).collect())
    }

    pub async fn add_stage(&self, name: &str) -> Result<Stage> {
        let name = crate::validate::text(name).map_err(|k| Error::invalid("name", k))?;
        if name.is_empty() {
            return Err(Error::invalid("name", "validation.required"));
        }
        let id = new_id();
        let mut w = self.write().await?;
        let position: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 10 FROM stages").fetch_one(&mut *w.conn()).await?;
        sqlx::query("INSERT INTO stages (id, name, position) VALUES (?, ?, ?)")
            .bind(&id)
            .bind(&name)
            .bind(position)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(Stage { id, name: Some(name), position })
    }

    pub async fn rename_stage(&self, id: &str, name: &str) -> Result<()> {
        let name = crate::validate::text(name).map_err(|k| Error::invalid("name", k))?;
        if name.is_empty() {
            return Err(Error::invalid("name", "validation.required"));
        }
        let mut w = self.write().await?;
        let n = sqlx::query("UPDATE stages SET name = ? WHERE id = ? AND deleted_at IS NULL")
            .bind(&name)
            .bind(id)
            .execute(&mut *w.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(Error::not_found("stage", id));
        }
        w.commit().await
    }

    /// Puts the stages in the given order (ids of every active stage).
    pub async fn reorder_stages(&self, ids: &[String]) -> Result<()> {
        let current = self.stages().await?;
        let mut sorted_ids: Vec<&String> = ids.iter().collect();
        sorted_ids.sort();
        let mut known: Vec<&String> = current.iter().map(|s| &s.id).collect();
        known.sort();
        if sorted_ids != known {
            return Err(Error::invalid("stages", "validation.stage_order_invalid"));
        }
        let mut w = self.write().await?;
        for (i, id) in ids.iter().enumerate() {
            sqlx::query("UPDATE stages SET position = ? WHERE id = ?")
                .bind((i as i64 + 1) * 10)
                .bind(id)
                .execute(&mut *w.conn())
                .await?;
        }
        w.commit().await
    }

    /// Removes a stage (tombstone). Refused while customers are in it.
    pub async fn remove_stage(&self, id: &str) -> Result<()> {
        let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE stage_id = ? AND deleted_at IS NULL")
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        if used > 0 {
            return Err(Error::Validation(vec![
                FieldError::new("stage", "validation.stage_in_use").with("count", used.to_string())
            ]));
        }
        let mut w = self.write().await?;
        w.tombstone("stages", "stage", id).await?;
        w.commit().await
    }

    pub async fn custom_fields(&self) -> Result<Vec<CustomField>> {
        let rows: Vec<(String, String, String, String, String, bool, i64)> = sqlx::query_as(
            "SELECT id, key, label, kind, options, required, position FROM custom_fields
             WHERE deleted_at IS NULL ORDER BY position, label",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, key, label, kind, options, required, position)| {
                Ok(CustomField {
                    id,
                    key,
                    label,
                    kind: CustomFieldKind::parse(&kind),
                    options: serde_json::from_str(&options)?,
                    required,
                    position,
                })
            })
            .collect()
    }

    pub async fn add_custom_field(&self, input: &CustomFieldInput) -> Result<CustomField> {
        let (label, options) = check_field(input)?;
        let base = field_key(&label);
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT key FROM custom_fields WHERE deleted_at IS NULL").fetch_all(self.pool()).await?;
        let mut key = base.clone();
        let mut n = 2;
        while existing.contains(&key) {
            key = format!("{base}_{n}");
            n += 1;
        }
        let id = new_id();
        let mut w = self.write().await?;
        let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 10 FROM custom_fields")
            .fetch_one(&mut *w.conn())
            .await?;
        sqlx::query(
            "INSERT INTO custom_fields (id, key, label, kind, options, required, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&key)
        .bind(&label)
        .bind(input.kind.as_str())
        .bind(serde_json::to_string(&options)?)
        .bind(input.required)
        .bind(position)
        .execute(&mut *w.conn())
        .await?;
        w.commit().await?;
        Ok(CustomField { id, key, label, kind: input.kind, options, required: input.required, position })
    }

    /// Changes a field's label, options or required flag. The kind is fixed once values exist.
    pub async fn update_custom_field(&self, id: &str, input: &CustomFieldInput) -> Result<CustomField> {
        let (label, options) = check_field(input)?;
        let current = self
            .custom_fields()
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| Error::not_found("custom field", id))?;
        if current.kind != input.kind {
            let used: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM custom_values WHERE field_id = ? AND value IS NOT NULL")
                    .bind(id)
                    .fetch_one(self.pool())
                    .await?;
            if used > 0 {
                return Err(Error::invalid("kind", "validation.field_kind_in_use"));
            }
        }
        let mut w = self.write().await?;
        sqlx::query("UPDATE custom_fields SET label = ?, kind = ?, options = ?, required = ? WHERE id = ?")
            .bind(&label)
            .bind(input.kind.as_str())
            .bind(serde_json::to_string(&options)?)
            .bind(input.required)
            .bind(id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(CustomField { label, kind: input.kind, options, required: input.required, ..current })
    }

    pub async fn remove_custom_field(&self, id: &str) -> Result<()> {
        let mut w = self.write().await?;
        w.tombstone("custom_fields", "custom field", id).await?;
        w.commit().await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn field_keys_are_ascii() {
        assert_eq!(super::field_key("Ngày ký hợp đồng"), "ngay_ky_hop_dong");
        assert_eq!(super::field_key("!!"), "field");
    }

    #[test]
    fn days_are_the_workspace_zone_s() {
        let hcm = jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        let at = 1_773_511_200_000; // 2026-03-14T18:00:00Z, 01:00 on the 15th in Vietnam
        assert_eq!(super::today_in(&hcm, at), jiff::civil::date(2026, 3, 15));
        assert_eq!(super::today_in(&jiff::tz::TimeZone::UTC, at), jiff::civil::date(2026, 3, 14));
        // the 15th starts at 17:00 UTC on the 14th
        let start = super::day_start_ms(&hcm, jiff::civil::date(2026, 3, 15)).unwrap();
        assert_eq!(start, at - 3_600_000);
        assert_eq!(super::today_in(&hcm, start - 1), jiff::civil::date(2026, 3, 14));
        // far outside any clock: clamped, no panic
        let _ = super::today_in(&hcm, i64::MAX);
    }
}
