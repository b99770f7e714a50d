//! Staff: the people who use the workspace. The current user is chosen per device (Settings) and
//! stamped as the actor on every change.

use crate::db::{meta_get, meta_set, new_id};
use crate::error::{Error, Errors, FieldError, Result};
use crate::{validate, Workspace};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Agent,
}

impl Role {
    /// Whether this role changes workspace settings, purges, invites and revokes (owners and
    /// managers; `tend_sync::access` holds the server to the same).
    pub fn manages(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Agent => "agent",
        }
    }
    fn parse(s: &str) -> Role {
        match s {
            "owner" => Role::Owner,
            "manager" => Role::Manager,
            _ => Role::Agent,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
pub struct StaffInput {
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
}

fn check(input: &StaffInput) -> Result<(String, Option<String>)> {
    let mut errs = Errors::default();
    let name_checked = validate::text(&input.name);
    if name_checked.as_ref().is_ok_and(|n| n.is_empty()) {
        errs.push(FieldError::new("name", "validation.required"));
    }
    let name = errs.field("name", name_checked);
    let email = errs.field("email", validate::opt(&input.email)).and_then(|e| match validate::email(&e) {
        Ok(a) => Some(a),
        Err(k) => {
            errs.push(FieldError::new("email", k).with("value", e));
            None
        }
    });
    errs.into_result()?;
    Ok((name, email))
}

impl Workspace {
    /// Active staff, by name.
    pub async fn staff(&self) -> Result<Vec<Staff>> {
        let rows: Vec<(String, String, Option<String>, String)> =
            sqlx::query_as("SELECT id, name, email, role FROM staff WHERE deleted_at IS NULL ORDER BY name")
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, email, role)| Staff { id, name, email, role: Role::parse(&role) })
            .collect())
    }

    pub async fn add_staff(&self, input: &StaffInput) -> Result<Staff> {
        let (name, email) = check(input)?;
        let id = new_id();
        let mut w = self.write().await?;
        sqlx::query("INSERT INTO staff (id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&id)
            .bind(&name)
            .bind(&email)
            .bind(input.role.as_str())
            .bind(w.now)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(Staff { id, name, email, role: input.role })
    }

    pub async fn update_staff(&self, id: &str, input: &StaffInput) -> Result<Staff> {
        let (name, email) = check(input)?;
        let mut w = self.write().await?;
        let n = sqlx::query("UPDATE staff SET name = ?, email = ?, role = ? WHERE id = ? AND deleted_at IS NULL")
            .bind(&name)
            .bind(&email)
            .bind(input.role.as_str())
            .bind(id)
            .execute(&mut *w.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(Error::not_found("staff", id));
        }
        w.commit().await?;
        Ok(Staff { id: id.to_string(), name, email, role: input.role })
    }

    /// Removes a staff member (tombstone); their past changes keep their name.
    pub async fn remove_staff(&self, id: &str) -> Result<()> {
        let mut w = self.write().await?;
        w.tombstone("staff", "staff", id).await?;
        w.commit().await?;
        if self.current_staff_id().await?.as_deref() == Some(id) {
            meta_set(self.pool(), "current_staff", None).await?;
        }
        Ok(())
    }

    /// Who is using this device (stamped on every change), if chosen.
    pub async fn current_staff_id(&self) -> Result<Option<String>> {
        meta_get(self.pool(), "current_staff").await
    }

    pub async fn set_current_staff(&self, id: Option<&str>) -> Result<()> {
        // a device of a shared workspace writes in its member's name only (tend_sync::access)
        let member: Option<Option<String>> =
            sqlx::query_scalar("SELECT value ->> '$.staff_id' FROM meta WHERE key = 'sync.link'")
                .fetch_optional(self.pool())
                .await?;
        if let Some(member) = member {
            if member.as_deref() != id {
                return Err(Error::Validation(vec![FieldError::new("current_staff", "sync.current_staff_fixed")]));
            }
        }
        if let Some(id) = id {
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM staff WHERE id = ? AND deleted_at IS NULL")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
            if exists.is_none() {
                return Err(Error::Validation(vec![FieldError::new("current_staff", "validation.unknown_staff")]));
            }
        }
        meta_set(self.pool(), "current_staff", id).await
    }
}
