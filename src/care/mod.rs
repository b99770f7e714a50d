//! Care plans: named sequences of steps that keep in touch with a customer before and after a
//! sale. `plan.rs` reads and checks a plan (the TOML file the CLI takes) and computes when each
//! step falls due in business time (`crate::schedule`); this file keeps plans in the workspace,
//! through the write path, after checking what only the workspace knows (its staff, deal stages
//! and custom date fields). `enrol.rs` puts customers in a plan and makes its tasks, `tasks.rs`
//! reads and changes tasks (and exports them as iCalendar), `remind.rs` decides which reminders
//! are due, `presets.rs` holds the plans a new workspace can start from.

pub mod enrol;
pub mod plan;
pub mod presets;
pub mod remind;
pub mod tasks;

pub use enrol::{EnrolReport, NotEnrolled};
pub use plan::{Anchor, Assignee, CareChannel, CarePlan, CarePlanInput, Enrol, Offset, PlanStep, PlanStepInput};
pub(crate) use tasks::tasks_by_id;
pub use tasks::{CareTask, TaskFilter, TaskPage, TaskState, MAX_TASKS};

use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use serde::Serialize;
use specta::Type;

/// A care plan kept in the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct StoredPlan {
    pub id: String,
    pub name: String,
    pub anchor: Anchor,
    pub steps: Vec<PlanStep>,
    pub enrol: Enrol,
    pub unenrol_on_leave: bool,
    #[specta(type = i32)]
    pub created_at: i64,
    /// customers enrolled now (not ended)
    #[specta(type = i32)]
    pub enrolled: i64,
}

impl StoredPlan {
    pub fn plan(&self) -> CarePlan {
        CarePlan {
            name: self.name.clone(),
            anchor: self.anchor.clone(),
            steps: self.steps.clone(),
            enrol: self.enrol.clone(),
            unenrol_on_leave: self.unenrol_on_leave,
        }
    }
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
            Anchor::TicketSolved(t) => format!("ticket_solved:{t}"),
        }
    }
}

type PlanRow = (String, String, String, String, Option<String>, Option<i64>, i64, i64);

const PLAN_SELECT: &str = "SELECT p.id, p.name, p.anchor, p.steps, p.enrol, p.unenrol_on_leave, p.created_at,
    (SELECT COUNT(*) FROM care_enrolments e WHERE e.plan_id = p.id AND e.ended_at IS NULL)
    FROM care_plans p WHERE p.deleted_at IS NULL";

impl Workspace {
    /// Keeps a checked plan: its name is not another plan's (whatever the case), each staff member it names exists,
    /// its deal stage exists, its custom field is a date field. Every problem is named.
    pub async fn create_care_plan(&self, plan: &CarePlan) -> Result<StoredPlan> {
        self.check_care_plan(plan, None).await?;
        let steps = serde_json::to_string(&plan.steps)?;
        let id = crate::db::new_id();
        let mut w = self.write().await?;
        let now = w.now;
        sqlx::query(
            "INSERT INTO care_plans (id, name, anchor, steps, created_at, enrol, unenrol_on_leave)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&plan.name)
        .bind(plan.anchor.as_text())
        .bind(&steps)
        .bind(now)
        .bind(plan.enrol.as_text())
        .bind(i64::from(plan.unenrol_on_leave))
        .execute(&mut *w.conn())
        .await?;
        w.commit().await?;
        self.care_plan(&id).await
    }

    /// Checks and saves the app form's plan: a new one, or an edit of `id`.
    pub async fn save_care_plan(&self, id: Option<&str>, input: &CarePlanInput) -> Result<StoredPlan> {
        let plan = CarePlan::from_input(input)?;
        match id {
            None => self.create_care_plan(&plan).await,
            Some(id) => self.update_care_plan(id, &plan).await,
        }
    }

    /// Saves a plan's edit. Tasks already made keep what they were made with; customers
    /// enrolled from now on get the new steps.
    pub async fn update_care_plan(&self, id: &str, plan: &CarePlan) -> Result<StoredPlan> {
        self.care_plan(id).await?;
        self.check_care_plan(plan, Some(id)).await?;
        let mut w = self.write().await?;
        sqlx::query(
            "UPDATE care_plans SET name = ?, anchor = ?, steps = ?, enrol = ?, unenrol_on_leave = ?
             WHERE id = ? AND deleted_at IS NULL",
        )
        .bind(&plan.name)
        .bind(plan.anchor.as_text())
        .bind(serde_json::to_string(&plan.steps)?)
        .bind(plan.enrol.as_text())
        .bind(i64::from(plan.unenrol_on_leave))
        .bind(id)
        .execute(&mut *w.conn())
        .await?;
        w.commit().await?;
        self.care_plan(id).await
    }

    /// Removes a plan: its enrolments end and their open tasks are skipped (kept, with why).
    pub async fn remove_care_plan(&self, id: &str) -> Result<()> {
        self.care_plan(id).await?;
        let mut w = self.write().await?;
        let now = w.now;
        enrol::end_enrolments(&mut w, "e.plan_id = ?", id, "plan_removed", now).await?;
        w.tombstone("care_plans", "care plan", id).await?;
        w.commit().await
    }

    /// The workspace's care plans, by name.
    pub async fn care_plans(&self) -> Result<Vec<StoredPlan>> {
        let rows: Vec<PlanRow> =
            sqlx::query_as(&format!("{PLAN_SELECT} ORDER BY p.name, p.id")).fetch_all(self.pool()).await?;
        rows.into_iter().map(stored).collect()
    }

    pub async fn care_plan(&self, id: &str) -> Result<StoredPlan> {
        let row: Option<PlanRow> =
            sqlx::query_as(&format!("{PLAN_SELECT} AND p.id = ?")).bind(id).fetch_optional(self.pool()).await?;
        stored(row.ok_or_else(|| Error::not_found("care plan", id))?)
    }

    async fn check_care_plan(&self, plan: &CarePlan, editing: Option<&str>) -> Result<()> {
        let mut errs = Vec::new();
        // unique whatever the case (SQLite's own comparisons fold ASCII letters only)
        let others: Vec<String> =
            sqlx::query_scalar("SELECT name FROM care_plans WHERE deleted_at IS NULL AND id IS NOT ?")
                .bind(editing)
                .fetch_all(self.pool())
                .await?;
        let name = crate::fold::caseless(&plan.name);
        if others.iter().any(|o| crate::fold::caseless(o) == name) {
            errs.push(FieldError::new("name", "care.plan_name_taken").with("value", &plan.name));
        }
        match &plan.anchor {
            Anchor::DealStage(stage) if !self.deal_stages().await?.iter().any(|s| &s.id == stage) => {
                errs.push(FieldError::new("anchor", "validation.unknown_stage").with("value", stage));
            }
            Anchor::TicketSolved(team) if self.team(team).await.is_err() => {
                errs.push(FieldError::new("anchor", "ticket.team_unknown").with("value", team));
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
        if let Enrol::Segment(seg) = &plan.enrol {
            if self.segment(seg).await.is_err() {
                errs.push(FieldError::new("enrol", "segment.unknown_segment").with("value", seg));
            }
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

fn stored((id, name, anchor, steps, enrol, unenrol, created_at, enrolled): PlanRow) -> Result<StoredPlan> {
    // a plan is written only by this build's checked code, or synced from a newer one: a form
    // this build cannot read is reported with the plan's name, not taken as something else
    let unreadable =
        || Error::Validation(vec![FieldError::new("care_plan", "care.plan_unreadable").with("value", &name)]);
    let anchor = Anchor::parse(&anchor).ok_or_else(unreadable)?;
    let steps: Vec<PlanStep> = serde_json::from_str(&steps).map_err(|_| unreadable())?;
    let enrol = match enrol {
        None => Enrol::Hand,
        Some(e) => Enrol::parse(&e).ok_or_else(unreadable)?,
    };
    Ok(StoredPlan { id, name, anchor, steps, enrol, unenrol_on_leave: unenrol == Some(1), created_at, enrolled })
}
