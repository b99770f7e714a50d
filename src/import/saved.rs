//! Named column mappings, saved in the workspace settings (so the whole team shares them and a
//! shop imports its monthly file the same way every time).

use crate::error::{Error, FieldError, Result};
use crate::import::Mapping;
use crate::Workspace;
use serde::Serialize;
use specta::Type;

const PREFIX: &str = "import_mapping:";

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct NamedMapping {
    pub name: String,
    pub mapping: Mapping,
}

impl Workspace {
    /// The saved mappings, by name.
    pub async fn saved_mappings(&self) -> Result<Vec<NamedMapping>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM settings WHERE key LIKE 'import_mapping:%' ORDER BY key")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(k, v)| Ok(NamedMapping { name: k[PREFIX.len()..].to_string(), mapping: serde_json::from_str(&v)? }))
            .collect()
    }

    /// Saves (or replaces) a mapping under a name.
    pub async fn save_mapping(&self, name: &str, mapping: &Mapping) -> Result<()> {
        let name = crate::validate::text(name).map_err(|k| Error::invalid("name", k))?;
        if name.is_empty() {
            return Err(Error::Validation(vec![FieldError::new("name", "validation.required")]));
        }
        if name.chars().count() > 80 {
            return Err(Error::Validation(vec![FieldError::new("name", "validation.too_long").with("max", "80")]));
        }
        let targets_ok = mapping
            .columns
            .iter()
            .all(|c| crate::import::mapping::TARGETS.contains(&c.target.as_str()) || c.target.starts_with("custom:"));
        if !targets_ok {
            return Err(Error::Validation(vec![FieldError::new("mapping", "import.mapping_unknown_target")]));
        }
        let mut w = self.write().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .bind(format!("{PREFIX}{name}"))
        .bind(serde_json::to_string(mapping)?)
        .execute(&mut *w.conn())
        .await?;
        w.commit().await
    }

    pub async fn remove_mapping(&self, name: &str) -> Result<()> {
        let mut w = self.write().await?;
        let n = sqlx::query("DELETE FROM settings WHERE key = ?")
            .bind(format!("{PREFIX}{name}"))
            .execute(&mut *w.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(Error::not_found("mapping", name));
        }
        w.commit().await
    }
}

/// A saved mapping applied to a file's headers: the saved target of each header it names, the
/// suggestion for the others (so a file with a new column still gets a sensible mapping).
pub fn apply(saved: &Mapping, suggested: &Mapping) -> Mapping {
    Mapping {
        columns: suggested
            .columns
            .iter()
            .map(|c| saved.columns.iter().find(|s| s.column == c.column).cloned().unwrap_or_else(|| c.clone()))
            .collect(),
    }
}
