//! Automatic rules: when a new ticket matches a rule's conditions (channel, words of its subject
//! or first message, category, the customer's segment, priority, team), the rule sets its team,
//! priority or assignee, adds tags, or suggests a canned response.
//!
//! The rules run once, in their order, when a ticket is opened. Each sees the ticket as the rules
//! before it left it and fires at most once, so two rules that would feed each other (one moves
//! high-priority tickets to Warranty, the next makes Warranty tickets high priority) each act once
//! and the run ends: there is no loop to stop. What each rule did is kept in the ticket's thread
//! as an event (`RuleFired`), so its history says why the ticket is where it is.

use super::{Priority, TicketChannel};
use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;

/// When a rule applies: every group given must match (any value within a group).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(default, deny_unknown_fields)]
pub struct RuleWhen {
    pub channel: Vec<TicketChannel>,
    /// Words or phrases found in the subject or the first message (whatever their case and marks).
    pub keywords: Vec<String>,
    pub category: Vec<String>,
    /// Segment ids: the customer is in one of them.
    pub segment: Vec<String>,
    pub priority: Vec<Priority>,
    /// Team ids (a file may name them).
    pub team: Vec<String>,
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(default, deny_unknown_fields)]
pub struct RuleThen {
    /// A team id (a file may name it).
    pub team: Option<String>,
    pub priority: Option<Priority>,
    /// A staff id (a file may give an email).
    pub assignee: Option<String>,
    pub tags: Vec<String>,
    /// A canned response's id (a file may name it), offered above the reply box.
    pub suggest: Option<String>,
}

/// A rule as written in its file or the app's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub when: RuleWhen,
    #[serde(default)]
    pub then: RuleThen,
}

fn yes() -> bool {
    true
}

impl RuleInput {
    pub fn from_toml(text: &str) -> Result<RuleInput> {
        toml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).map_err(|e| {
            Error::Validation(vec![
                FieldError::new("file", "validation.invalid_toml").with("detail", e.message().to_string())
            ])
        })
    }
}

/// A rule as kept, in its place in the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub position: i32,
    pub enabled: bool,
    pub when: RuleWhen,
    pub then: RuleThen,
}

/// What one rule did to a ticket, as its thread keeps it (names as they were then).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct RuleFired {
    pub rule_id: String,
    pub rule: String,
    pub team_id: Option<String>,
    pub team_name: Option<String>,
    pub priority: Option<Priority>,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub tags: Vec<String>,
    pub suggest_id: Option<String>,
    pub suggest_name: Option<String>,
}

/// A new ticket as the rules see and change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subject {
    pub channel: TicketChannel,
    /// Subject and first message as `words` gives them.
    pub text: String,
    pub category: Option<String>,
    /// The segments (among those the rules name) the customer is in.
    pub segments: Vec<String>,
    pub priority: Priority,
    pub team_id: String,
    pub assignee_id: Option<String>,
    pub tags: Vec<String>,
}

/// Most rules a workspace keeps, and most values in one condition or action list.
const MAX_RULES: usize = 200;
const MAX_LIST: usize = 50;

/// A text as the rules look for words in it: folded, its words between single spaces and a
/// space at each end, so a keyword matches whole words only ("hỏng" is not in "không").
pub(crate) fn words(text: &str) -> String {
    let folded = crate::fold::fold(text);
    let mut out = String::with_capacity(folded.len() + 2);
    out.push(' ');
    for w in folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        out.push_str(w);
        out.push(' ');
    }
    out
}

fn matches(w: &RuleWhen, t: &Subject) -> bool {
    let fold = crate::fold::fold;
    (w.channel.is_empty() || w.channel.contains(&t.channel))
        && (w.keywords.is_empty() || w.keywords.iter().any(|k| t.text.contains(&words(k))))
        && (w.category.is_empty() || t.category.as_ref().is_some_and(|c| w.category.iter().any(|x| fold(x) == fold(c))))
        && (w.segment.is_empty() || w.segment.iter().any(|s| t.segments.contains(s)))
        && (w.priority.is_empty() || w.priority.contains(&t.priority))
        && (w.team.is_empty() || w.team.contains(&t.team_id))
}

/// Runs the enabled rules over a new ticket, in order, each at most once; what each changed
/// (names filled by `name_of`: team, staff, canned).
pub(crate) fn run(rules: &[Rule], t: &mut Subject) -> Vec<RuleFired> {
    let mut fired = Vec::new();
    for r in rules.iter().filter(|r| r.enabled) {
        if !matches(&r.when, t) {
            continue;
        }
        let mut did = RuleFired { rule_id: r.id.clone(), rule: r.name.clone(), ..Default::default() };
        if let Some(team) = &r.then.team {
            t.team_id = team.clone();
            did.team_id = Some(team.clone());
        }
        if let Some(p) = r.then.priority {
            t.priority = p;
            did.priority = Some(p);
        }
        if let Some(a) = &r.then.assignee {
            t.assignee_id = Some(a.clone());
            did.assignee_id = Some(a.clone());
        }
        for tag in &r.then.tags {
            if !t.tags.contains(tag) {
                t.tags.push(tag.clone());
                did.tags.push(tag.clone());
            }
        }
        did.suggest_id = r.then.suggest.clone();
        fired.push(did);
    }
    fired
}

type RuleRow = (String, String, i64, String, String, i64);

impl Workspace {
    /// The rules in their order.
    pub async fn ticket_rules(&self) -> Result<Vec<Rule>> {
        let rows: Vec<RuleRow> = sqlx::query_as(
            "SELECT id, name, position, conditions, actions, enabled FROM ticket_rules WHERE deleted_at IS NULL
             ORDER BY position, id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, position, when, then, enabled)| Rule {
                id,
                name,
                position: position as i32,
                // a rule a newer version wrote in a shape this one cannot read does nothing here
                enabled: enabled != 0 && serde_json::from_str::<RuleWhen>(&when).is_ok(),
                when: serde_json::from_str(&when).unwrap_or_default(),
                then: serde_json::from_str(&then).unwrap_or_default(),
            })
            .collect())
    }

    pub async fn ticket_rule(&self, id: &str) -> Result<Rule> {
        self.ticket_rules().await?.into_iter().find(|r| r.id == id.trim()).ok_or_else(|| Error::not_found("rule", id))
    }

    /// A rule checked against itself and the workspace: teams, staff, segments and canned
    /// responses found by id or name (email for staff) and kept by id; every problem named at
    /// its field.
    async fn check_rule(&self, input: &RuleInput, editing: Option<&str>) -> Result<RuleInput> {
        let mut errs = Vec::new();
        let name = super::team::text_field(&mut errs, "name", &input.name, 100, true);
        let taken =
            self.ticket_rules().await?.iter().any(|r| {
                Some(r.id.as_str()) != editing && crate::fold::caseless(&r.name) == crate::fold::caseless(&name)
            });
        if taken && !name.is_empty() {
            errs.push(FieldError::new("name", "rule.name_taken").with("value", &name));
        }
        let w = &input.when;
        let t = &input.then;
        for (field, n) in [
            ("when.channel", w.channel.len()),
            ("when.keywords", w.keywords.len()),
            ("when.category", w.category.len()),
            ("when.segment", w.segment.len()),
            ("when.priority", w.priority.len()),
            ("when.team", w.team.len()),
            ("then.tags", t.tags.len()),
        ] {
            if n > MAX_LIST {
                errs.push(FieldError::new(field, "validation.too_many").with("max", MAX_LIST.to_string()));
            }
        }
        let mut when = RuleWhen { channel: w.channel.clone(), priority: w.priority.clone(), ..Default::default() };
        for (list, field, out) in
            [(&w.keywords, "when.keywords", &mut when.keywords), (&w.category, "when.category", &mut when.category)]
        {
            for (i, k) in list.iter().enumerate() {
                let k = super::team::text_field(&mut errs, &format!("{field}[{i}]"), k, 100, true);
                if !k.is_empty() && !out.contains(&k) {
                    out.push(k);
                }
            }
        }
        let teams = self.teams().await?;
        let team_of = |key: &str| {
            let folded = crate::fold::caseless(key.trim());
            teams.iter().find(|x| x.id == key.trim() || crate::fold::caseless(&x.name) == folded).map(|x| x.id.clone())
        };
        for (i, k) in w.team.iter().enumerate() {
            match team_of(k) {
                Some(id) => when.team.push(id),
                None => errs.push(FieldError::new(format!("when.team[{i}]"), "ticket.team_unknown").with("value", k)),
            }
        }
        let segments = self.segments().await?;
        for (i, k) in w.segment.iter().enumerate() {
            let folded = crate::fold::caseless(k.trim());
            match segments.iter().find(|s| s.id == k.trim() || crate::fold::caseless(&s.name) == folded) {
                Some(s) => when.segment.push(s.id.clone()),
                None => {
                    errs.push(FieldError::new(format!("when.segment[{i}]"), "segment.unknown_segment").with("value", k))
                }
            }
        }
        let mut then = RuleThen { priority: t.priority, ..Default::default() };
        if let Some(k) = t.team.as_deref().filter(|k| !k.trim().is_empty()) {
            match team_of(k) {
                Some(id) => then.team = Some(id),
                None => errs.push(FieldError::new("then.team", "ticket.team_unknown").with("value", k)),
            }
        }
        if let Some(k) = t.assignee.as_deref().filter(|k| !k.trim().is_empty()) {
            let staff = self.staff().await?;
            let key = k.trim();
            match staff.iter().find(|s| {
                s.id == key || s.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(key)) || s.name == key
            }) {
                Some(s) => then.assignee = Some(s.id.clone()),
                None => errs.push(FieldError::new("then.assignee", "validation.unknown_staff").with("value", k)),
            }
        }
        for (i, tag) in t.tags.iter().enumerate() {
            match crate::validate::tag(tag) {
                Ok(tag) if !then.tags.contains(&tag) => then.tags.push(tag),
                Ok(_) => {}
                Err(k) => errs.push(FieldError::new(format!("then.tags[{i}]"), k).with("value", tag)),
            }
        }
        if let Some(k) = t.suggest.as_deref().filter(|k| !k.trim().is_empty()) {
            match self.canned(k).await {
                // a rule is everyone's: it may not offer one person's own response
                Ok(c) if c.staff_id.is_some() => {
                    errs.push(FieldError::new("then.suggest", "rule.suggest_personal").with("value", &c.name))
                }
                Ok(c) => then.suggest = Some(c.id),
                Err(Error::NotFound { .. }) => {
                    errs.push(FieldError::new("then.suggest", "rule.canned_unknown").with("value", k))
                }
                Err(e) => return Err(e),
            }
        }
        // judged on what was written: a name not found is its own error
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        if *w == RuleWhen::default() {
            errs.push(FieldError::new("when", "rule.no_condition"));
        }
        if blank(&t.team) && t.priority.is_none() && blank(&t.assignee) && t.tags.is_empty() && blank(&t.suggest) {
            errs.push(FieldError::new("then", "rule.no_action"));
        }
        if !errs.is_empty() {
            return Err(Error::Validation(errs));
        }
        Ok(RuleInput { name, enabled: input.enabled, when, then })
    }

    /// Keeps a new rule, last in the order.
    pub async fn create_ticket_rule(&self, input: &RuleInput) -> Result<Rule> {
        let c = self.check_rule(input, None).await?;
        let rules = self.ticket_rules().await?;
        if rules.len() >= MAX_RULES {
            return Err(Error::Validation(vec![
                FieldError::new("name", "rule.too_many").with("max", MAX_RULES.to_string())
            ]));
        }
        let position = rules.iter().map(|r| r.position + 1).max().unwrap_or(0);
        let id = crate::db::new_id();
        let mut w = self.write().await?;
        let now = w.now;
        sqlx::query(
            "INSERT INTO ticket_rules (id, name, position, conditions, actions, enabled, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&c.name)
        .bind(position)
        .bind(serde_json::to_string(&c.when)?)
        .bind(serde_json::to_string(&c.then)?)
        .bind(i64::from(c.enabled))
        .bind(now)
        .execute(&mut *w.conn())
        .await?;
        w.commit().await?;
        self.ticket_rule(&id).await
    }

    pub async fn update_ticket_rule(&self, id: &str, input: &RuleInput) -> Result<Rule> {
        let before = self.ticket_rule(id).await?;
        let c = self.check_rule(input, Some(&before.id)).await?;
        let mut w = self.write().await?;
        sqlx::query("UPDATE ticket_rules SET name = ?, conditions = ?, actions = ?, enabled = ? WHERE id = ?")
            .bind(&c.name)
            .bind(serde_json::to_string(&c.when)?)
            .bind(serde_json::to_string(&c.then)?)
            .bind(i64::from(c.enabled))
            .bind(&before.id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        self.ticket_rule(&before.id).await
    }

    pub async fn remove_ticket_rule(&self, id: &str) -> Result<()> {
        let mut w = self.write().await?;
        w.tombstone("ticket_rules", "rule", id.trim()).await?;
        w.commit().await
    }

    /// Puts a rule at `index` (0 first) in the order; the others keep theirs.
    pub async fn move_ticket_rule(&self, id: &str, index: i32) -> Result<Vec<Rule>> {
        let mut rules = self.ticket_rules().await?;
        let from = rules.iter().position(|r| r.id == id.trim()).ok_or_else(|| Error::not_found("rule", id))?;
        let rule = rules.remove(from);
        let to = (index.max(0) as usize).min(rules.len());
        rules.insert(to, rule);
        let mut w = self.write().await?;
        for (i, r) in rules.iter().enumerate() {
            if r.position != i as i32 {
                sqlx::query("UPDATE ticket_rules SET position = ? WHERE id = ?")
                    .bind(i as i64)
                    .bind(&r.id)
                    .execute(&mut *w.conn())
                    .await?;
            }
        }
        w.commit().await?;
        self.ticket_rules().await
    }

    /// The segments among `rules`' conditions that the customer is in.
    pub(crate) async fn rule_segments(&self, rules: &[Rule], customer: Option<&str>) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let Some(cid) = customer else { return Ok(out) };
        for r in rules.iter().filter(|r| r.enabled) {
            for s in &r.when.segment {
                if !out.contains(s) && self.in_segment(s, cid).await? {
                    out.push(s.clone());
                }
            }
        }
        Ok(out)
    }

    /// Names what rules did, as they are now (kept with the event, so history reads the same later).
    pub(crate) async fn name_fired(&self, fired: &mut [RuleFired]) -> Result<()> {
        if fired.is_empty() {
            return Ok(());
        }
        let teams = self.teams().await?;
        let staff = self.staff().await?;
        let canned = self.canned_responses().await?;
        for f in fired {
            f.team_name = f.team_id.as_ref().and_then(|id| teams.iter().find(|t| &t.id == id)).map(|t| t.name.clone());
            f.assignee_name =
                f.assignee_id.as_ref().and_then(|id| staff.iter().find(|s| &s.id == id)).map(|s| s.name.clone());
            f.suggest_name =
                f.suggest_id.as_ref().and_then(|id| canned.iter().find(|c| &c.id == id)).map(|c| c.name.clone());
        }
        Ok(())
    }
}
