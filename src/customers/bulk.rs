//! Bulk actions on many customers at once: the customers picked in the list, or every customer a
//! filter (search, stage, owner, tag, province, segment) selects. A change to the customers
//! themselves (a tag added or removed, the owner, the stage) is one write transaction through the
//! one customer write, so it lands whole or not at all and its change records say what it did;
//! static lists and care-plan enrolment use their own write paths.

use super::{write, ColValue};
use crate::error::{Error, FieldError, Result};
use crate::search::CustomerFilter;
use crate::{validate, Workspace};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use specta::Type;

/// The most customers one bulk action changes: a bigger selection would hold the workspace's
/// write lock for longer than other writers wait, so it is refused with this number.
pub const MAX_BULK: usize = 50_000;

/// Which customers a bulk action is for.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkTarget {
    /// These customers (picked in the list).
    Ids { ids: Vec<String> },
    /// Every live customer this filter selects now.
    Filter { filter: CustomerFilter },
}

/// What to do to them.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BulkAction {
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
    /// `None` leaves them without an owner.
    SetOwner {
        owner_id: Option<String>,
    },
    SetStage {
        stage_id: String,
    },
    AddToList {
        segment_id: String,
    },
    RemoveFromList {
        segment_id: String,
    },
    Enrol {
        plan_id: String,
    },
}

/// What a bulk action did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
pub struct BulkReport {
    /// customers the action was for
    #[specta(type = i32)]
    pub matched: i64,
    /// customers it changed (the others were already so)
    #[specta(type = i32)]
    pub changed: i64,
    /// care tasks made (an enrolment)
    #[specta(type = i32)]
    pub tasks: i64,
    /// customers a plan could not enrol, each with why
    pub not_enrolled: Vec<crate::care::NotEnrolled>,
}

/// A tag as the form stores one (`validate::tag`), not empty.
fn tag_text(tag: &str) -> Result<String> {
    match validate::tag(tag) {
        Ok(t) if t.is_empty() => Err(Error::invalid("tag", "validation.required")),
        Ok(t) => Ok(t),
        Err("validation.too_long") => {
            Err(Error::Validation(vec![FieldError::new("tag", "validation.too_long").with("max", "50")]))
        }
        Err(k) => Err(Error::Validation(vec![FieldError::new("tag", k).with("value", tag)])),
    }
}

/// One customer's change, decided from its stored columns: the columns to write, or `None` when
/// it is already so.
enum Change {
    Tags { add: Option<String>, remove: Option<String> },
    Owner(Option<String>),
    Stage(String),
}

impl Change {
    fn columns(&self, cols: &super::Columns) -> Result<Option<Vec<(&'static str, ColValue)>>> {
        let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
        Ok(match self {
            Change::Tags { add, remove } => {
                let mut tags = cols.tags.clone();
                if let Some(r) = remove {
                    tags.retain(|t| !same(t, r));
                }
                if let Some(a) = add {
                    if !tags.iter().any(|t| same(t, a)) {
                        tags.push(a.clone());
                    }
                }
                if tags == cols.tags {
                    None
                } else {
                    Some(vec![("tags", ColValue::Text(Some(serde_json::to_string(&tags)?)))])
                }
            }
            Change::Owner(v) => (cols.owner_id != *v).then(|| vec![("owner_id", ColValue::Text(v.clone()))]),
            Change::Stage(v) => {
                (cols.stage_id.as_ref() != Some(v)).then(|| vec![("stage_id", ColValue::Text(Some(v.clone())))])
            }
        })
    }
}

impl Workspace {
    /// Does `action` to the customers of `target`. A selection naming a customer that is not
    /// there (or in the trash) is refused whole, naming it; one bigger than [`MAX_BULK`] too.
    pub async fn bulk_customers(&self, target: &BulkTarget, action: &BulkAction) -> Result<BulkReport> {
        let ids = self.bulk_ids(target).await?;
        if ids.len() > MAX_BULK {
            return Err(Error::Validation(vec![FieldError::new("customers", "bulk.too_many")
                .with("count", ids.len().to_string())
                .with("max", MAX_BULK.to_string())]));
        }
        let matched = ids.len() as i64;
        let change = match action {
            BulkAction::AddTag { tag } => Change::Tags { add: Some(tag_text(tag)?), remove: None },
            BulkAction::RemoveTag { tag } => Change::Tags { add: None, remove: Some(tag_text(tag)?) },
            BulkAction::SetOwner { owner_id } => {
                let owner = owner_id.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(String::from);
                if let Some(o) = &owner {
                    if !self.rules().await?.staff.contains(o) {
                        return Err(Error::Validation(vec![
                            FieldError::new("owner_id", "validation.unknown_staff").with("value", o)
                        ]));
                    }
                }
                Change::Owner(owner)
            }
            BulkAction::SetStage { stage_id } => {
                if !self.rules().await?.stages.contains(stage_id) {
                    return Err(Error::Validation(vec![
                        FieldError::new("stage_id", "validation.unknown_stage").with("value", stage_id)
                    ]));
                }
                Change::Stage(stage_id.clone())
            }
            BulkAction::AddToList { segment_id } => {
                let changed = self.add_to_segment(segment_id, &ids).await? as i64;
                return Ok(BulkReport { matched, changed, ..Default::default() });
            }
            BulkAction::RemoveFromList { segment_id } => {
                let changed = self.remove_from_segment(segment_id, &ids).await? as i64;
                return Ok(BulkReport { matched, changed, ..Default::default() });
            }
            BulkAction::Enrol { plan_id } => {
                let r = self.enrol_customers(plan_id, &ids, None).await?;
                return Ok(BulkReport { matched, changed: r.enrolled, tasks: r.tasks, not_enrolled: r.not_enrolled });
            }
        };
        let mut w = self.write().await?;
        let changed = write::on_handle(w.conn(), |c, fts| {
            let mut live = c.prepare_cached("SELECT seq FROM customers WHERE id = ? AND deleted_at IS NULL")?;
            let mut changed = 0;
            for (i, id) in ids.iter().enumerate() {
                let seq: i64 = live.query_row([id], |r| r.get(0)).optional()?.ok_or_else(|| {
                    Error::Validation(vec![
                        FieldError::new(format!("customers[{i}]"), "segment.unknown_customer").with("value", id)
                    ])
                })?;
                let (id, cols) = write::load_columns(c, seq)?;
                if let Some(columns) = change.columns(&cols)? {
                    match change {
                        Change::Tags { .. } => write::update(c, seq, &id, &columns, &[], fts)?,
                        // no search entry holds the owner or the stage
                        Change::Owner(_) | Change::Stage(_) => write::set_columns(c, seq, &columns)?,
                    }
                    changed += 1;
                }
            }
            Ok(changed)
        })
        .await?;
        w.commit().await?;
        Ok(BulkReport { matched, changed, ..Default::default() })
    }

    /// The customers of a target: the ids as given (each once, in order), or those the filter
    /// selects now, by name.
    async fn bulk_ids(&self, target: &BulkTarget) -> Result<Vec<String>> {
        match target {
            BulkTarget::Ids { ids } => {
                let mut seen = std::collections::HashSet::new();
                Ok(ids.iter().filter(|i| seen.insert(i.as_str())).cloned().collect())
            }
            BulkTarget::Filter { filter } => {
                let filter = self.with_segment(filter).await?;
                self.readers().with(|conn| {
                    let seqs = crate::search::matching(conn, &filter)?;
                    let mut st = conn.prepare_cached("SELECT id FROM customers WHERE seq = ?")?;
                    seqs.iter().map(|s| Ok(st.query_row([s], |r| r.get::<_, String>(0))?)).collect()
                })
            }
        }
    }
}
