//! Segments: saved customer lists. A dynamic segment is rules (`rules.rs`, one JSON format for
//! the UI, the CLI and storage) compiled to parameterised SQL (`sql.rs`) each time it is read,
//! so it is never stale; a static list is its members, added and removed by hand. Both are
//! shared tables written through the write path (`segments`, `segment_members`), so they are in
//! the change log and in sync. Counts and member pages are read on the read connections.

pub mod rules;
pub mod sql;

use crate::error::{Error, FieldError, Result};
use crate::search::CustomerPage;
use crate::settings::CustomFieldKind;
use crate::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::HashMap;

pub use rules::{parse, parse_text, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// Members are the customers its rules match, now.
    Dynamic,
    /// Members are added and removed by hand.
    Static,
}

impl SegmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentKind::Dynamic => "dynamic",
            SegmentKind::Static => "static",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Segment {
    pub id: String,
    pub name: String,
    /// "dynamic", "static", or a kind from a newer version (read as static: its members as stored).
    pub kind: String,
    /// The rules of a dynamic segment, as JSON text in the rule format.
    pub rules: Option<String>,
    #[specta(type = i32)]
    pub created_at: i64,
    /// Why its rules cannot be read now (rules that arrived by sync or were made by another
    /// version: not JSON, a cycle, a segment or field gone, too big), in the list, so the segment
    /// is shown flagged and can be fixed or deleted while the others work. Set by
    /// [`Workspace::segments`]; None elsewhere.
    pub problem: Option<FieldError>,
}

#[derive(Debug, Clone, Deserialize, Type)]
pub struct SegmentInput {
    pub name: String,
    pub kind: SegmentKind,
    /// Rules of a dynamic segment (JSON text); ignored for a static list.
    pub rules: Option<String>,
}

/// A ready-made segment: its key (the UI translates `segment.preset.<key>`) and its rules.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SegmentPreset {
    pub key: String,
    pub rules: String,
}

/// The presets: stages of the pre-sale process, spending, inactivity, and birthdays in the
/// month of `today`.
pub fn presets(today: jiff::civil::Date) -> Vec<SegmentPreset> {
    let p = |key: &str, rules: serde_json::Value| SegmentPreset { key: key.into(), rules: rules.to_string() };
    use serde_json::json;
    vec![
        p("potential", json!({"all": [{"field": "stage", "op": "eq", "value": "lead"}]})),
        p("interested", json!({"all": [{"field": "stage", "op": "eq", "value": "prospect"}]})),
        p("negative", json!({"all": [{"field": "stage", "op": "eq", "value": "negative"}]})),
        p(
            "loyal",
            json!({"any": [{"field": "stage", "op": "eq", "value": "loyal"}, {"field": "purchase_count", "op": "gte", "value": 3}]}),
        ),
        p("vip", json!({"all": [{"field": "purchase_total", "op": "gte", "value": 20_000_000}]})),
        p("inactive_90", json!({"all": [{"field": "last_interaction_at", "op": "not_within_days", "value": 90}]})),
        p("birthdays_this_month", json!({"all": [{"field": "birthday_month", "op": "eq", "value": today.month()}]})),
    ]
}

type CustomMap = HashMap<String, (String, CustomFieldKind)>;

const SEGMENT_COLS: &str = "id, name, kind, rules, created_at";
type SegmentRow = (String, String, String, Option<String>, i64);

fn segment_of((id, name, kind, rules, created_at): SegmentRow) -> Segment {
    Segment { id, name, kind, rules, created_at, problem: None }
}

/// Names compared as people read them: the same letters whatever their case (one rule with
/// care plans: `fold::caseless`).
fn same_name(a: &str, b: &str) -> bool {
    crate::fold::caseless(a) == crate::fold::caseless(b)
}

impl Workspace {
    async fn custom_map(&self) -> Result<CustomMap> {
        Ok(self.custom_fields().await?.into_iter().map(|f| (f.key.clone(), (f.id, f.kind))).collect())
    }

    /// Checks `rules` (JSON text) against this workspace's fields and segments, and compiles it.
    async fn compiled(&self, rules: &str) -> Result<sql::Sql> {
        Ok(self.parsed_and_compiled(rules, None).await?.1)
    }

    /// What rules are checked against here: the custom fields, the stages and the staff.
    async fn known(&self) -> Result<(CustomMap, rules::Known)> {
        let custom = self.custom_map().await?;
        let known = rules::Known {
            custom: custom.iter().map(|(k, (_, kind))| (k.clone(), *kind)).collect(),
            stages: self.stages().await?.into_iter().map(|s| (s.id, s.name)).collect(),
            staff: self.staff().await?.into_iter().map(|s| (s.id, s.name)).collect(),
        };
        Ok((custom, known))
    }

    /// The rule as read, and its SQL; `pending` is a segment's rules about to be saved (id, text).
    async fn parsed_and_compiled(&self, rules: &str, pending: Option<(&str, &str)>) -> Result<(Rule, sql::Sql)> {
        let (custom, known) = self.known().await?;
        let tz = self.zone().await?;
        let today = crate::settings::today_in(&tz, self.now_ms());
        let rule = rules::parse_text(rules, &known)?;
        let lookup = |k: &str| custom.get(k).cloned();
        let q = self.readers().with(|conn| {
            sql::compile(&rule, &sql::Context { conn, today, tz: tz.clone(), custom: &lookup, known: &known, pending })
        })?;
        Ok((rule, q))
    }

    /// Why a stored segment cannot be read now, if it cannot (see [`Segment::problem`]).
    async fn problem_of(&self, seg: &Segment) -> Result<Option<FieldError>> {
        if seg.kind != "dynamic" {
            return Ok(None);
        }
        match self.compiled(seg.rules.as_deref().unwrap_or("")).await {
            Ok(_) => Ok(None),
            Err(Error::Validation(v)) => Ok(v.into_iter().next()),
            Err(Error::BadTime { detail }) => {
                Ok(Some(FieldError::new("rules", "segment.too_complex").with("detail", detail)))
            }
            Err(e) => Err(e),
        }
    }

    /// `filter` with its segment's condition compiled (the list, counts and exports read it).
    pub(crate) async fn with_segment(
        &self,
        filter: &crate::search::CustomerFilter,
    ) -> Result<crate::search::CustomerFilter> {
        let mut f = filter.clone();
        f.segment = match &f.segment_id {
            Some(id) => {
                let seg = self.segment(id).await?;
                Some(crate::search::CompiledSegment(self.compiled(&Self::rules_of(&seg)).await?))
            }
            None => None,
        };
        Ok(f)
    }

    /// The fields rules can name here (the custom fields included), with their ops.
    pub async fn segment_fields(&self) -> Result<Vec<rules::FieldSpec>> {
        let custom: Vec<(String, CustomFieldKind)> =
            self.custom_fields().await?.into_iter().map(|f| (f.key, f.kind)).collect();
        Ok(rules::catalog(&custom))
    }

    /// How many live customers `rules` (JSON text) match.
    pub async fn segment_count(&self, rules: &str) -> Result<i64> {
        let q = self.compiled(rules).await?;
        self.readers().with(|conn| count(conn, &q))
    }

    /// A page of the customers `rules` match, by name, with the exact total on the first page.
    pub async fn segment_preview(&self, rules: &str, offset: i64, limit: i64) -> Result<CustomerPage> {
        let q = self.compiled(rules).await?;
        self.page_of(&q, offset, limit)
    }

    fn page_of(&self, q: &sql::Sql, offset: i64, limit: i64) -> Result<CustomerPage> {
        let offset = offset.max(0);
        let limit = limit.clamp(1, 500);
        self.readers().with(|conn| {
            let mut params = q.params.clone();
            params.push(rusqlite::types::Value::Integer(limit));
            params.push(rusqlite::types::Value::Integer(offset));
            let mut st = conn.prepare(&format!(
                "SELECT c.seq FROM customers c WHERE {} ORDER BY c.name_folded, c.seq LIMIT ? OFFSET ?",
                q.text
            ))?;
            let seqs = st
                .query_map(rusqlite::params_from_iter(params.iter()), |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            let total = if offset == 0 { Some(count(conn, q)?) } else { None };
            let rows = crate::search::hydrate(conn, &seqs)?;
            Ok(CustomerPage { total, offset, capped: false, estimated: false, rows })
        })
    }

    /// The rules that select a segment's members (a static list's: membership of it).
    /// A segment's condition on `customers c`, compiled (reports filter and group by it).
    pub(crate) async fn compiled_rules(&self, seg: &Segment) -> Result<sql::Sql> {
        self.compiled(&Self::rules_of(seg)).await
    }

    fn rules_of(seg: &Segment) -> String {
        match (seg.kind.as_str(), &seg.rules) {
            ("dynamic", Some(r)) => r.clone(),
            _ => serde_json::json!({"all": [{"field": "segment", "op": "eq", "value": seg.id}]}).to_string(),
        }
    }

    /// A page of a segment's members, by name, with the exact total on the first page.
    pub async fn segment_members(&self, id: &str, offset: i64, limit: i64) -> Result<CustomerPage> {
        let seg = self.segment(id).await?;
        self.segment_preview(&Self::rules_of(&seg), offset, limit).await
    }

    /// How many customers a segment holds now.
    pub async fn segment_size(&self, id: &str) -> Result<i64> {
        let seg = self.segment(id).await?;
        self.segment_count(&Self::rules_of(&seg)).await
    }

    /// Whether a customer is in a segment now (an SLA policy matched by segment); false for a
    /// segment whose rules cannot be read now.
    pub async fn in_segment(&self, segment_id: &str, customer_id: &str) -> Result<bool> {
        let Ok(seg) = self.segment(segment_id).await else { return Ok(false) };
        let Ok(q) = self.compiled(&Self::rules_of(&seg)).await else { return Ok(false) };
        self.readers().with(|conn| {
            let mut params = q.params.clone();
            params.push(rusqlite::types::Value::Text(customer_id.to_string()));
            let mut st = conn.prepare(&format!("SELECT 1 FROM customers c WHERE ({}) AND c.id = ?", q.text))?;
            Ok(st.exists(rusqlite::params_from_iter(params.iter()))?)
        })
    }

    /// The ids of every member (for enrolment, bulk actions and export).
    pub async fn segment_member_ids(&self, id: &str) -> Result<Vec<String>> {
        let seg = self.segment(id).await?;
        let q = self.compiled(&Self::rules_of(&seg)).await?;
        self.readers().with(|conn| {
            let mut st = conn.prepare(&format!("SELECT c.id FROM customers c WHERE {} ORDER BY c.seq", q.text))?;
            let ids = st
                .query_map(rusqlite::params_from_iter(q.params.iter()), |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(ids)
        })
    }

    /// Every segment by name, each dynamic one with its [`Segment::problem`] when its rules
    /// cannot be read now: one broken segment never fails the list.
    pub async fn segments(&self) -> Result<Vec<Segment>> {
        let mut all = self.stored_segments().await?;
        for s in &mut all {
            s.problem = self.problem_of(s).await?;
        }
        Ok(all)
    }

    /// The segments as stored (no check of their rules).
    async fn stored_segments(&self) -> Result<Vec<Segment>> {
        let rows: Vec<SegmentRow> =
            sqlx::query_as(&format!("SELECT {SEGMENT_COLS} FROM segments WHERE deleted_at IS NULL ORDER BY name, id"))
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().map(segment_of).collect())
    }

    /// The static lists a customer is on, by name (the 360 shows them and adds or removes it).
    pub async fn customer_lists(&self, customer_id: &str) -> Result<Vec<Segment>> {
        let rows: Vec<SegmentRow> = sqlx::query_as(&format!(
            "SELECT {SEGMENT_COLS} FROM segments WHERE deleted_at IS NULL
             AND id IN (SELECT segment_id FROM segment_members WHERE customer_id = ?) ORDER BY name, id"
        ))
        .bind(customer_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(segment_of).collect())
    }

    pub async fn segment(&self, id: &str) -> Result<Segment> {
        let row: Option<SegmentRow> =
            sqlx::query_as(&format!("SELECT {SEGMENT_COLS} FROM segments WHERE id = ? AND deleted_at IS NULL"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(segment_of).ok_or_else(|| Error::not_found("segment", id))
    }

    /// Checks a segment's name and rules; returns the name and the rules as stored.
    async fn check_segment(&self, input: &SegmentInput, id: Option<&str>) -> Result<(String, Option<String>)> {
        let mut errs = Vec::new();
        let name = match crate::validate::text(&input.name) {
            Ok(n) if n.is_empty() => {
                errs.push(FieldError::new("name", "validation.required"));
                n
            }
            Ok(n) if n.chars().count() > 200 => {
                errs.push(FieldError::new("name", "validation.too_long"));
                n
            }
            Ok(n) => n,
            Err(k) => {
                errs.push(FieldError::new("name", k));
                String::new()
            }
        };
        let stored = self.stored_segments().await?;
        if !name.is_empty() && stored.iter().any(|s| Some(s.id.as_str()) != id && same_name(&s.name, &name)) {
            errs.push(FieldError::new("name", "segment.name_taken").with("value", &name));
        }
        let rules = match input.kind {
            SegmentKind::Static => None,
            SegmentKind::Dynamic => {
                let text = input.rules.as_deref().unwrap_or("");
                match self.parsed_and_compiled(text, None).await {
                    // stored in the one format, as it reads back
                    Ok((rule, _)) => Some(rules::to_json(&rule).to_string()),
                    Err(Error::Validation(v)) => {
                        errs.extend(v);
                        None
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        // a segment naming itself (directly or through others) would never end
        if let (Some(id), Some(r)) = (id, &rules) {
            if self.refers_to(r, id).await? {
                errs.push(FieldError::new("rules", "segment.cycle").with("value", id));
            } else {
                // the segments that use this one must still work with its new rules
                for other in stored.iter().filter(|s| s.id != id && s.kind == "dynamic") {
                    let Some(theirs) = other.rules.as_deref() else { continue };
                    if !self.refers_to(theirs, id).await? || self.problem_of(other).await?.is_some() {
                        continue;
                    }
                    if let Err(Error::Validation(v)) = self.parsed_and_compiled(theirs, Some((id, r))).await {
                        let why = v.first().map(|f| f.message_key.clone()).unwrap_or_default();
                        errs.push(
                            FieldError::new("rules", "segment.breaks_other")
                                .with("value", &other.name)
                                .with("detail", why),
                        );
                    }
                }
            }
        }
        if errs.is_empty() {
            Ok((name, rules))
        } else {
            Err(Error::Validation(errs))
        }
    }

    /// Whether `rules` reaches segment `id` through segment conditions (rules that are not
    /// JSON name no segment).
    async fn refers_to(&self, rules: &str, id: &str) -> Result<bool> {
        let all = self.stored_segments().await?;
        let mut seen = Vec::new();
        let mut todo = vec![rules.to_string()];
        while let Some(r) = todo.pop() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&r) else { continue };
            for named in segment_ids(&v) {
                if named == id {
                    return Ok(true);
                }
                if !seen.contains(&named) {
                    if let Some(s) = all.iter().find(|s| s.id == named) {
                        todo.extend(s.rules.clone());
                    }
                    seen.push(named);
                }
            }
        }
        Ok(false)
    }

    pub async fn create_segment(&self, input: &SegmentInput) -> Result<Segment> {
        let (name, rules) = self.check_segment(input, None).await?;
        let id = crate::db::new_id();
        let mut w = self.write().await?;
        let now = w.now;
        sqlx::query("INSERT INTO segments (id, name, kind, rules, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&id)
            .bind(&name)
            .bind(input.kind.as_str())
            .bind(&rules)
            .bind(now)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(Segment { id, name, kind: input.kind.as_str().into(), rules, created_at: now, problem: None })
    }

    /// Creates a preset segment (`presets()`) under `name`.
    pub async fn create_preset_segment(&self, key: &str, name: &str) -> Result<Segment> {
        let preset = presets(self.today().await?).into_iter().find(|p| p.key == key).ok_or_else(|| {
            Error::Validation(vec![FieldError::new("preset", "segment.unknown_preset").with("value", key)])
        })?;
        self.create_segment(&SegmentInput { name: name.into(), kind: SegmentKind::Dynamic, rules: Some(preset.rules) })
            .await
    }

    /// Renames a segment and replaces its rules (a static list keeps its members).
    pub async fn update_segment(&self, id: &str, input: &SegmentInput) -> Result<Segment> {
        let old = self.segment(id).await?;
        let (name, rules) = self.check_segment(input, Some(id)).await?;
        let mut w = self.write().await?;
        sqlx::query("UPDATE segments SET name = ?, kind = ?, rules = ? WHERE id = ? AND deleted_at IS NULL")
            .bind(&name)
            .bind(input.kind.as_str())
            .bind(&rules)
            .bind(id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await?;
        Ok(Segment {
            id: id.into(),
            name,
            kind: input.kind.as_str().into(),
            rules,
            created_at: old.created_at,
            problem: None,
        })
    }

    /// Removes a segment (a tombstone, like every delete). One that a working segment's rules
    /// name, or that a care plan enrols from, is refused, naming that one; segments that cannot
    /// be read anyway (a cycle that arrived by sync, say) do not hold it.
    pub async fn remove_segment(&self, id: &str) -> Result<()> {
        self.segment(id).await?;
        for s in self.segments().await? {
            if s.id == id || s.problem.is_some() {
                continue;
            }
            let Some(Ok(v)) = s.rules.as_deref().map(serde_json::from_str::<serde_json::Value>) else { continue };
            if segment_ids(&v).iter().any(|n| n == id) {
                return Err(Error::Validation(vec![
                    FieldError::new("segment", "segment.in_use").with("value", &s.name)
                ]));
            }
        }
        let plan: Option<String> = sqlx::query_scalar(
            "SELECT name FROM care_plans WHERE deleted_at IS NULL AND enrol = 'segment:' || ? ORDER BY name LIMIT 1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        if let Some(plan) = plan {
            return Err(Error::Validation(vec![FieldError::new("segment", "segment.in_use_plan").with("value", plan)]));
        }
        let mut w = self.write().await?;
        let now = w.now;
        sqlx::query("UPDATE segments SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *w.conn())
            .await?;
        w.commit().await
    }

    /// Adds customers to a static list (those already in it stay as they are). Returns how many
    /// were added.
    pub async fn add_to_segment(&self, id: &str, customer_ids: &[String]) -> Result<u64> {
        self.static_list(id).await?;
        let mut w = self.write().await?;
        let now = w.now;
        let mut added = 0;
        for (i, c) in customer_ids.iter().enumerate() {
            let live: Option<i64> = sqlx::query_scalar("SELECT 1 FROM customers WHERE id = ? AND deleted_at IS NULL")
                .bind(c)
                .fetch_optional(&mut *w.conn())
                .await?;
            if live.is_none() {
                return Err(Error::Validation(vec![FieldError::new(
                    format!("customers[{i}]"),
                    "segment.unknown_customer",
                )
                .with("value", c)]));
            }
            added += sqlx::query(
                "INSERT INTO segment_members (segment_id, customer_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(c)
            .bind(now)
            .execute(&mut *w.conn())
            .await?
            .rows_affected();
        }
        w.commit().await?;
        Ok(added)
    }

    /// Takes customers off a static list. Returns how many were on it.
    pub async fn remove_from_segment(&self, id: &str, customer_ids: &[String]) -> Result<u64> {
        self.static_list(id).await?;
        let mut w = self.write().await?;
        let mut removed = 0;
        for c in customer_ids {
            removed += sqlx::query("DELETE FROM segment_members WHERE segment_id = ? AND customer_id = ?")
                .bind(id)
                .bind(c)
                .execute(&mut *w.conn())
                .await?
                .rows_affected();
        }
        w.commit().await?;
        Ok(removed)
    }

    pub(crate) async fn static_list(&self, id: &str) -> Result<Segment> {
        let seg = self.segment(id).await?;
        if seg.kind == "dynamic" {
            return Err(Error::Validation(vec![
                FieldError::new("segment", "segment.not_static").with("value", &seg.name)
            ]));
        }
        Ok(seg)
    }
}

/// How many live customers a compiled condition selects.
fn count(conn: &rusqlite::Connection, q: &sql::Sql) -> Result<i64> {
    let mut st = conn.prepare(&format!("SELECT COUNT(*) FROM customers c WHERE {}", q.text))?;
    Ok(st.query_row(rusqlite::params_from_iter(q.params.iter()), |r| r.get(0))?)
}

/// The segment ids a rule's segment conditions name.
fn segment_ids(v: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        serde_json::Value::Object(o) => {
            if o.get("field").and_then(|f| f.as_str()) == Some("segment") {
                match o.get("value") {
                    Some(serde_json::Value::String(s)) => out.push(s.clone()),
                    Some(serde_json::Value::Array(a)) => {
                        out.extend(a.iter().filter_map(|s| s.as_str().map(String::from)))
                    }
                    _ => {}
                }
            }
            for child in o.values() {
                out.extend(segment_ids(child));
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|c| out.extend(segment_ids(c))),
        _ => {}
    }
    out
}
