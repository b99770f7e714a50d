//! Care plans: named sequences of steps that keep in touch with a customer before and after a
//! sale. `plan.rs` reads and checks a plan (the TOML file the CLI takes) and computes when each
//! step falls due in business time (`crate::schedule`); this file keeps plans in the workspace,
//! through the write path, after checking what only the workspace knows (its staff, deal stages
//! and custom date fields).

pub mod plan;

pub use plan::{Anchor, Assignee, CareChannel, CarePlan, Offset, PlanStep};

use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use serde::Serialize;

/// A care plan kept in the workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredPlan {
    pub id: String,
    pub name: String,
    pub anchor: Anchor,
    pub steps: Vec<PlanStep>,
    pub created_at: i64,
}

impl Anchor {
    /// The text form of the plan file and the database (`deal_stage:proposal`).
    pub fn as_text(&self) -> String {
        match self {
            Anchor::Enrolment => "enrolment".into(),
            Anchor::Purchase => "purchase".into(),
            Anchor::DealStage(s) => format!("deal_stage:{s}"),
            Anchor::Birthday => "birthday".into(),
            Anchor::Custom(k) => format!("custom.{k}"),
        }
    }
}

type PlanRow = (String, String, String, String, i64);

impl Workspace {
    /// Keeps a checked plan: its name is not another plan's, each staff member it names exists,
    /// its deal stage exists, its custom field is a date field. Every problem is named.
    pub async fn create_care_plan(&self, plan: &CarePlan) -> Result<StoredPlan> {
        self.check_care_plan(plan).await?;
        let steps = serde_json::to_string(&plan.steps)?;
        let id = crate::db::new_id();
        let mut w = self.write().await?;
        let now = w.now;
        sqlx::query("INSERT INTO care_plans (id, name, anchor, steps, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&id)
            .bind(&plan.name)
            .bind(plan.anchor.as_text())
            .bind(&steps)
            .bind(now)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(StoredPlan {
            id,
            name: plan.name.clone(),
            anchor: plan.anchor.clone(),
            steps: plan.steps.clone(),
            created_at: now,
        })
    }

    /// The workspace's care plans, by name.
    pub async fn care_plans(&self) -> Result<Vec<StoredPlan>> {
        let rows: Vec<PlanRow> = sqlx::query_as(
            "SELECT id, name, anchor, steps, created_at FROM care_plans WHERE deleted_at IS NULL ORDER BY name, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(stored).collect()
    }

    async fn check_care_plan(&self, plan: &CarePlan) -> Result<()> {
        let mut errs = Vec::new();
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM care_plans WHERE name = ? AND deleted_at IS NULL")
            .bind(&plan.name)
            .fetch_one(self.pool())
            .await?;
        if taken > 0 {
            errs.push(FieldError::new("name", "care.plan_name_taken").with("value", &plan.name));
        }
        match &plan.anchor {
            Anchor::DealStage(stage) if !self.deal_stages().await?.iter().any(|s| &s.id == stage) => {
                errs.push(FieldError::new("anchor", "validation.unknown_stage").with("value", stage));
            }
            Anchor::Custom(key) => {
                let fields = self.custom_fields().await?;
                match fields.iter().find(|f| &f.key == key) {
                    None => errs.push(FieldError::new("anchor", "validation.unknown_field").with("value", key)),
                    Some(f) if f.kind != crate::settings::CustomFieldKind::Date => {
                        errs.push(FieldError::new("anchor", "care.anchor_not_date").with("value", key));
                    }
                    Some(_) => {}
                }
            }
            _ => {}
        }
        let staff: Vec<String> = self.staff().await?.into_iter().map(|s| s.id).collect();
        for (i, step) in plan.steps.iter().enumerate() {
            let named: &[String] = match &step.assignee {
                Assignee::Owner => &[],
                Assignee::Staff(id) => std::slice::from_ref(id),
                Assignee::RoundRobin(ids) => ids,
            };
            for id in named.iter().filter(|id| !staff.contains(id)) {
                errs.push(FieldError::new(format!("step[{i}].assignee"), "validation.unknown_staff").with("value", id));
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errs))
        }
    }
}

fn stored((id, name, anchor, steps, created_at): PlanRow) -> Result<StoredPlan> {
    // a plan is written only by this build's checked code, or synced from a newer one: a form
    // this build cannot read is reported with the plan's name, not taken as something else
    let unreadable =
        || Error::Validation(vec![FieldError::new("care_plan", "care.plan_unreadable").with("value", &name)]);
    let anchor = Anchor::parse(&anchor).ok_or_else(unreadable)?;
    let steps: Vec<PlanStep> = serde_json::from_str(&steps).map_err(|_| unreadable())?;
    Ok(StoredPlan { id, name, anchor, steps, created_at })
}
