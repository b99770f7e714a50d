//! Canned responses: a team's (or everyone's) and personal ones, with placeholders
//! (`placeholders::CANNED`: `{{customer.name}}`, `{{ticket.number}}`, `{{agent.name}}`...),
//! checked when saved and again when filled for a ticket, so an unknown one is refused before
//! anything is sent.

use crate::error::{Error, FieldError, Result};
use crate::placeholders;
use crate::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;

/// A canned response as written.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Type)]
#[serde(default)]
pub struct CannedInput {
    pub name: String,
    pub body: String,
    /// The team it is for; none: every team.
    pub team_id: Option<String>,
    /// Only for the current user.
    pub personal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type, sqlx::FromRow)]
pub struct Canned {
    pub id: String,
    pub name: String,
    pub body: String,
    pub team_id: Option<String>,
    /// The owner of a personal response.
    pub staff_id: Option<String>,
}

const COLS: &str = "id, name, body, team_id, staff_id";

impl Workspace {
    /// The canned responses the current user may use: everyone's, each team's, and their own, by name.
    pub async fn canned_responses(&self) -> Result<Vec<Canned>> {
        let me = self.current_staff_id().await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM canned_responses WHERE deleted_at IS NULL AND (staff_id IS NULL OR staff_id = ?)
             ORDER BY name, id"
        ))
        .bind(me)
        .fetch_all(self.pool())
        .await?)
    }

    async fn check_canned(
        &self,
        input: &CannedInput,
        editing: Option<&str>,
    ) -> Result<(String, String, Option<String>)> {
        let mut errs = Vec::new();
        let name = super::team::text_field(&mut errs, "name", &input.name, 100, true);
        let body = match crate::validate::long_text(&input.body) {
            Ok(b) if b.is_empty() => {
                errs.push(FieldError::new("body", "validation.required"));
                b
            }
            Ok(b) if b.chars().count() > 5000 => {
                errs.push(FieldError::new("body", "validation.too_long").with("max", "5000"));
                b
            }
            Ok(b) => b,
            Err(k) => {
                errs.push(FieldError::new("body", k));
                String::new()
            }
        };
        errs.extend(placeholders::check("body", &body, placeholders::CANNED));
        let me = self.current_staff_id().await?;
        if input.personal && me.is_none() {
            errs.push(FieldError::new("personal", "care.no_user"));
        }
        if let Some(team) = input.team_id.as_deref().filter(|t| !t.is_empty()) {
            if self.team(team).await.is_err() {
                errs.push(FieldError::new("team_id", "ticket.team_unknown").with("value", team));
            }
        }
        // a name once among the responses the user sees
        let taken =
            self.canned_responses().await?.iter().any(|c| {
                Some(c.id.as_str()) != editing && crate::fold::caseless(&c.name) == crate::fold::caseless(&name)
            });
        if taken && !name.is_empty() {
            errs.push(FieldError::new("name", "ticket.canned_name_taken").with("value", &name));
        }
        if !errs.is_empty() {
            return Err(Error::Validation(errs));
        }
        Ok((name, body, if input.personal { me } else { None }))
    }

    pub async fn create_canned(&self, input: &CannedInput) -> Result<Canned> {
        let (name, body, staff) = self.check_canned(input, None).await?;
        let id = crate::db::new_id();
        let mut w = self.write().await?;
        let now = w.now;
        sqlx::query(
            "INSERT INTO canned_responses (id, name, body, team_id, staff_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&name)
        .bind(&body)
        .bind(input.team_id.as_deref().filter(|t| !t.is_empty()))
        .bind(&staff)
        .bind(now)
        .execute(&mut *w.conn())
        .await?;
        w.commit().await?;
        self.canned(&id).await
    }

    pub async fn update_canned(&self, id: &str, input: &CannedInput) -> Result<Canned> {
        self.canned(id).await?;
        let (name, body, staff) = self.check_canned(input, Some(id)).await?;
        let mut w = self.write().await?;
        sqlx::query("UPDATE canned_responses SET name = ?, body = ?, team_id = ?, staff_id = ? WHERE id = ?")
            .bind(&name)
            .bind(&body)
            .bind(input.team_id.as_deref().filter(|t| !t.is_empty()))
            .bind(&staff)
            .bind(id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        self.canned(id).await
    }

    pub async fn remove_canned(&self, id: &str) -> Result<()> {
        self.canned(id).await?;
        let mut w = self.write().await?;
        w.tombstone("canned_responses", "canned response", id).await?;
        w.commit().await
    }

    /// One canned response by id, or by name (folded) among those the user sees.
    pub async fn canned(&self, key: &str) -> Result<Canned> {
        let all = self.canned_responses().await?;
        let folded = crate::fold::caseless(key.trim());
        all.into_iter()
            .find(|c| c.id == key || crate::fold::caseless(&c.name) == folded)
            .ok_or_else(|| Error::not_found("canned response", key))
    }

    /// A canned response's text for a ticket: each placeholder filled from the ticket, its
    /// customer, its team and the current user. A placeholder this build does not fill (a
    /// response synced from a newer version) is refused, naming it, before anything is sent.
    pub async fn fill_canned(&self, canned: &str, ticket: &str) -> Result<String> {
        let c = self.canned(canned).await?;
        let unknown = placeholders::check("body", &c.body, placeholders::CANNED);
        if !unknown.is_empty() {
            return Err(Error::Validation(unknown));
        }
        let detail = self.ticket(ticket).await?;
        let t = &detail.ticket;
        let customer = self.customer(&t.customer_id).await?;
        let me = match self.current_staff_id().await? {
            Some(id) => self.staff().await?.into_iter().find(|s| s.id == id),
            None => None,
        };
        Ok(placeholders::fill(&c.body, |key| match key {
            "customer.name" => Some(customer.name.clone()),
            "customer.given_name" => customer.given_name.clone().or_else(|| Some(customer.name.clone())),
            "customer.phone" => customer.phones.first().map(|p| crate::validate::phone_display(&p.number)),
            "customer.email" => customer.emails.first().map(|e| e.address.clone()),
            "ticket.number" => Some(t.number.clone()),
            "ticket.subject" => Some(t.subject.clone()),
            "team.name" => Some(t.team_name.clone()),
            "agent.name" => me.as_ref().map(|s| s.name.clone()),
            "agent.email" => me.as_ref().and_then(|s| s.email.clone()),
            _ => None,
        }))
    }
}
