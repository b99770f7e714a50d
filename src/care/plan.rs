//! A care plan as written (TOML) and checked: its anchor, its steps' offsets, local times,
//! channels, assignees and templates. Every problem is reported at once, each naming its place
//! (`step[1].at`), and a plan with any problem is refused whole. What needs the workspace (do the
//! staff, the deal stage and the custom field exist) is checked where the plan is saved.

use crate::error::{Error, Errors, FieldError, Result};
use crate::placeholders;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use specta::Type;

str_enum!(CareChannel { Call = "call", Email = "email", Sms = "sms", Zalo = "zalo", Visit = "visit", Other = "other" });

/// What a plan's step offsets count from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case", tag = "kind", content = "key")]
pub enum Anchor {
    /// when the customer is enrolled
    Enrolment,
    /// the purchase that enrolled the customer
    Purchase,
    /// the day a deal reached this stage
    DealStage(String),
    /// the customer's birthday, each year
    Birthday,
    /// a custom date field, each year
    Custom(String),
    /// the day a ticket of this helpdesk team was solved (its follow-up)
    TicketSolved(String),
}

impl Anchor {
    /// `enrolment | purchase | deal_stage:<stage> | birthday | custom.<key> | ticket_solved:<team>`
    pub fn parse(s: &str) -> Option<Anchor> {
        let s = s.trim();
        match s {
            "enrolment" | "enrollment" => Some(Anchor::Enrolment),
            "purchase" => Some(Anchor::Purchase),
            "birthday" => Some(Anchor::Birthday),
            _ => {
                if let Some(stage) = s.strip_prefix("deal_stage:").map(str::trim).filter(|k| !k.is_empty()) {
                    Some(Anchor::DealStage(stage.to_string()))
                } else if let Some(team) = s.strip_prefix("ticket_solved:").map(str::trim).filter(|k| !k.is_empty()) {
                    Some(Anchor::TicketSolved(team.to_string()))
                } else {
                    s.strip_prefix("custom.").filter(|k| !k.is_empty()).map(|k| Anchor::Custom(k.to_string()))
                }
            }
        }
    }

    /// Whether it comes back each year (a step is then due on its next occurrence).
    pub fn yearly(&self) -> bool {
        matches!(self, Anchor::Birthday | Anchor::Custom(_))
    }

    /// Whether a step counted from this anchor can fill `placeholder` (one of
    /// [`placeholders::CARE`]): the one rule for what each anchor fills. The customer's and the
    /// staff member's always; a purchase's only from a purchase, a deal's only from a deal stage,
    /// a ticket's only from a solved ticket (any other anchor has none to give: the text would be
    /// left empty).
    pub fn fills(&self, placeholder: &str) -> bool {
        match placeholder.split_once('.').map(|(of, _)| of) {
            Some("purchase") => matches!(self, Anchor::Purchase),
            Some("deal") => matches!(self, Anchor::DealStage(_)),
            Some("ticket") => matches!(self, Anchor::TicketSolved(_)),
            _ => placeholders::CARE.contains(&placeholder),
        }
    }

    /// The placeholders a step counted from this anchor may use, in [`placeholders::CARE`]'s order.
    pub fn placeholders(&self) -> Vec<&'static str> {
        placeholders::CARE.iter().copied().filter(|p| self.fills(p)).collect()
    }

    /// Whether a step may fall before it: only a yearly date comes again (the day before a
    /// birthday); an enrolment, a purchase or a deal's stage is met when it happens, so a step
    /// before it would already be past and never made.
    pub fn allows_before(&self) -> bool {
        self.yearly()
    }
}

/// How far a step is from its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case", tag = "unit", content = "n")]
pub enum Offset {
    /// calendar days from the anchor's local date, at the step's local time (may be negative:
    /// the day before a birthday)
    Days(i32),
    /// elapsed hours from the anchor's instant
    Hours(i32),
}

/// Who a step's task is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case", tag = "kind", content = "staff")]
pub enum Assignee {
    /// the customer's owner
    Owner,
    /// this staff member
    Staff(String),
    /// each enrolment to the next of these, in turn
    RoundRobin(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PlanStep {
    pub name: String,
    pub offset: Offset,
    /// local time of day in the workspace zone ("09:00"); unused for an offset in hours
    pub at: String,
    pub channel: CareChannel,
    pub assignee: Assignee,
    /// a script or message with placeholders (`crate::placeholders::CARE`)
    pub template: String,
}

/// How customers come into a plan besides being enrolled by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case", tag = "kind", content = "segment")]
pub enum Enrol {
    /// only by hand (one customer, a selection or a segment's members at that moment)
    Hand,
    /// when its anchor happens: a purchase recorded, a deal reaching the plan's stage
    Event,
    /// customers entering this segment
    Segment(String),
}

impl Enrol {
    /// `hand | event | segment:<id>`
    pub fn parse(s: &str) -> Option<Enrol> {
        match s.trim() {
            "hand" => Some(Enrol::Hand),
            "event" => Some(Enrol::Event),
            other => other
                .strip_prefix("segment:")
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(|id| Enrol::Segment(id.to_string())),
        }
    }

    /// The stored form (NULL for by hand).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Enrol::Hand => None,
            Enrol::Event => Some("event".into()),
            Enrol::Segment(id) => Some(format!("segment:{id}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CarePlan {
    pub name: String,
    pub anchor: Anchor,
    pub steps: Vec<PlanStep>,
    pub enrol: Enrol,
    /// for a segment's plan: a customer leaving the segment leaves the plan (its open tasks are
    /// skipped)
    pub unenrol_on_leave: bool,
}

/// The most steps a plan may have.
pub const MAX_STEPS: usize = 50;
/// Day offsets from a year before to ten years after the anchor.
const DAYS: std::ops::RangeInclusive<i64> = -366..=3660;
/// Hour offsets up to a year after the anchor.
const HOURS: std::ops::RangeInclusive<i64> = 0..=8784;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    name: Option<String>,
    anchor: Option<String>,
    enrol: Option<String>,
    unenrol_on_leave: Option<bool>,
    #[serde(default, rename = "step")]
    steps: Vec<RawStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    name: Option<String>,
    offset_days: Option<i64>,
    offset_hours: Option<i64>,
    at: Option<String>,
    channel: Option<String>,
    assignee: Option<toml::Value>,
    template: Option<String>,
}

/// A plan as the app's form sends it: the same fields as the file, checked by the same code.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, Type)]
pub struct CarePlanInput {
    pub name: String,
    /// `enrolment | purchase | deal_stage:<stage> | birthday | custom.<key> | ticket_solved:<team>`
    pub anchor: String,
    /// `hand | event | segment:<id>`
    pub enrol: String,
    pub unenrol_on_leave: bool,
    pub steps: Vec<PlanStepInput>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Type)]
pub struct PlanStepInput {
    pub name: String,
    pub offset: Offset,
    pub at: String,
    /// `call | email | sms | zalo | visit | other`
    pub channel: String,
    pub assignee: Assignee,
    pub template: String,
}

impl CarePlanInput {
    /// The form of a kept plan, for editing it.
    pub fn of(plan: &CarePlan) -> CarePlanInput {
        CarePlanInput {
            name: plan.name.clone(),
            anchor: plan.anchor_text(),
            enrol: plan.enrol.as_text().unwrap_or_else(|| "hand".into()),
            unenrol_on_leave: plan.unenrol_on_leave,
            steps: plan
                .steps
                .iter()
                .map(|s| PlanStepInput {
                    name: s.name.clone(),
                    offset: s.offset,
                    at: s.at.clone(),
                    channel: s.channel.as_str().into(),
                    assignee: s.assignee.clone(),
                    template: s.template.clone(),
                })
                .collect(),
        }
    }
}

impl CarePlan {
    fn anchor_text(&self) -> String {
        self.anchor.as_text()
    }

    /// Reads a plan file (TOML): see the CLI's `care plan create --file`.
    pub fn from_toml(text: &str) -> Result<CarePlan> {
        let raw: RawPlan = toml::from_str(text).map_err(|e| {
            Error::Validation(vec![
                FieldError::new("file", "validation.invalid_toml").with("detail", e.message().to_string())
            ])
        })?;
        Self::checked(raw)
    }

    /// Checks the app form's plan, by the rules of the file.
    pub fn from_input(input: &CarePlanInput) -> Result<CarePlan> {
        let steps = input
            .steps
            .iter()
            .map(|s| {
                let (offset_days, offset_hours) = match s.offset {
                    Offset::Days(n) => (Some(i64::from(n)), None),
                    Offset::Hours(n) => (None, Some(i64::from(n))),
                };
                let assignee = match &s.assignee {
                    Assignee::Owner => toml::Value::String("owner".into()),
                    Assignee::Staff(id) => toml::Value::String(format!("staff:{id}")),
                    Assignee::RoundRobin(ids) => {
                        let mut t = toml::map::Map::new();
                        t.insert(
                            "round_robin".into(),
                            toml::Value::Array(ids.iter().map(|i| toml::Value::String(i.clone())).collect()),
                        );
                        toml::Value::Table(t)
                    }
                };
                RawStep {
                    name: Some(s.name.clone()),
                    offset_days,
                    offset_hours,
                    at: Some(s.at.clone()),
                    channel: Some(s.channel.clone()),
                    assignee: Some(assignee),
                    template: Some(s.template.clone()),
                }
            })
            .collect();
        Self::checked(RawPlan {
            name: Some(input.name.clone()),
            anchor: Some(input.anchor.clone()),
            enrol: Some(input.enrol.clone()),
            unenrol_on_leave: Some(input.unenrol_on_leave),
            steps,
        })
    }

    fn checked(raw: RawPlan) -> Result<CarePlan> {
        let mut errs = Errors::default();
        let name = errs.required_text("name", raw.name.as_deref().unwrap_or(""), 100);
        let anchor = match raw.anchor.as_deref().map(str::trim) {
            None | Some("") => {
                errs.push(FieldError::new("anchor", "validation.required"));
                None
            }
            Some(a) => {
                let parsed = Anchor::parse(a);
                if parsed.is_none() {
                    errs.push(FieldError::new("anchor", "validation.not_allowed").with("value", a));
                }
                parsed
            }
        };
        if raw.steps.is_empty() {
            errs.push(FieldError::new("step", "validation.required"));
        } else if raw.steps.len() > MAX_STEPS {
            errs.push(FieldError::new("step", "validation.too_many").with("max", MAX_STEPS.to_string()));
        }
        let enrol = match raw.enrol.as_deref().map(str::trim) {
            None | Some("") => Some(Enrol::Hand),
            Some(e) => {
                let parsed = Enrol::parse(e);
                if parsed.is_none() {
                    errs.push(FieldError::new("enrol", "validation.not_allowed").with("value", e));
                }
                parsed
            }
        };
        let by_event = matches!(anchor, Some(Anchor::Purchase | Anchor::DealStage(_) | Anchor::TicketSolved(_)));
        if enrol == Some(Enrol::Event) && anchor.is_some() && !by_event {
            errs.push(FieldError::new("enrol", "care.event_needs_anchor"));
        }
        let unenrol_on_leave = raw.unenrol_on_leave.unwrap_or(false);
        if unenrol_on_leave && !matches!(enrol, Some(Enrol::Segment(_))) {
            errs.push(FieldError::new("unenrol_on_leave", "care.unenrol_needs_segment"));
        }
        let steps: Vec<PlanStep> = raw
            .steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| step(&mut errs, &format!("step[{i}]"), s, anchor.as_ref()))
            .collect();
        errs.into_result()?;
        match (anchor, enrol) {
            (Some(anchor), Some(enrol)) => Ok(CarePlan { name, anchor, steps, enrol, unenrol_on_leave }),
            _ => Err(Error::Validation(vec![FieldError::new("anchor", "validation.required")])),
        }
    }
}

/// One step, checked; `anchor` (when the plan's is valid) decides the placeholders the template
/// may use and whether the step may fall before it.
fn step(errs: &mut Errors, at_: &str, s: &RawStep, anchor: Option<&Anchor>) -> Option<PlanStep> {
    let before = errs.0.len();
    let f = |name: &str| format!("{at_}.{name}");
    let name = errs.required_text(&f("name"), s.name.as_deref().unwrap_or(""), 100);
    let offset = match (s.offset_days, s.offset_hours) {
        (Some(d), None) if DAYS.contains(&d) => Some(Offset::Days(d as i32)),
        (None, Some(h)) if HOURS.contains(&h) => Some(Offset::Hours(h as i32)),
        (Some(d), None) => {
            errs.push(range(&f("offset_days"), d, &DAYS));
            None
        }
        (None, Some(h)) => {
            errs.push(range(&f("offset_hours"), h, &HOURS));
            None
        }
        (None, None) => {
            errs.push(FieldError::new(f("offset_days"), "validation.required"));
            None
        }
        (Some(_), Some(_)) => {
            errs.push(FieldError::new(f("offset_hours"), "validation.offset_both"));
            None
        }
    };
    if let (Some(Offset::Days(d)), Some(a)) = (offset, anchor) {
        if d < 0 && !a.allows_before() {
            errs.push(
                FieldError::new(f("offset_days"), "care.offset_before_anchor")
                    .with("value", d.to_string())
                    .with("anchor", a.as_text()),
            );
        }
    }
    let at = match s.at.as_deref().map(str::trim) {
        None | Some("") => "09:00".to_string(),
        Some(t) => match local_time(t) {
            Some(time) => time.strftime("%H:%M").to_string(),
            None => {
                errs.push(FieldError::new(f("at"), "validation.time_invalid").with("value", t));
                String::new()
            }
        },
    };
    let channel = match s.channel.as_deref().map(str::trim) {
        None | Some("") => {
            errs.push(FieldError::new(f("channel"), "validation.required"));
            None
        }
        Some(c) => {
            let parsed = CareChannel::parse(c);
            if parsed.is_none() {
                errs.push(FieldError::new(f("channel"), "validation.not_allowed").with("value", c));
            }
            parsed
        }
    };
    let assignee = assignee(errs, &f("assignee"), s.assignee.as_ref());
    let template = crate::validate::long_text(s.template.as_deref().unwrap_or("")).unwrap_or_else(|key| {
        errs.push(FieldError::new(f("template"), key));
        String::new()
    });
    if template.chars().count() > 5000 {
        errs.push(FieldError::new(f("template"), "validation.too_long").with("max", "5000"));
    }
    let known = placeholders::check(&f("template"), &template, placeholders::CARE);
    let unfilled = match anchor {
        // known placeholders this anchor has no value for, each named once
        Some(a) if known.is_empty() => placeholders::used(&template)
            .into_iter()
            .filter(|p| !a.fills(p))
            .map(|p| {
                FieldError::new(f("template"), "care.placeholder_not_for_anchor")
                    .with("value", p)
                    .with("anchor", a.as_text())
            })
            .collect(),
        _ => vec![],
    };
    for e in known.into_iter().chain(unfilled) {
        errs.push(e);
    }
    if errs.0.len() > before {
        return None;
    }
    Some(PlanStep { name, offset: offset?, at, channel: channel?, assignee: assignee?, template })
}

fn range(field: &str, v: i64, r: &std::ops::RangeInclusive<i64>) -> FieldError {
    FieldError::new(field, "validation.out_of_range")
        .with("value", v.to_string())
        .with("min", r.start().to_string())
        .with("max", r.end().to_string())
}

pub(crate) use crate::schedule::local_time;

/// `"owner"`, `"staff:<id>"` or `{ round_robin = ["<id>", ...] }`; missing is the owner.
fn assignee(errs: &mut Errors, field: &str, v: Option<&toml::Value>) -> Option<Assignee> {
    let bad = |errs: &mut Errors, shown: String| {
        errs.push(FieldError::new(field, "validation.not_allowed").with("value", shown));
        None
    };
    match v {
        None => Some(Assignee::Owner),
        Some(toml::Value::String(s)) => match s.trim() {
            "owner" => Some(Assignee::Owner),
            other => match other.strip_prefix("staff:").map(str::trim).filter(|id| !id.is_empty()) {
                Some(id) => Some(Assignee::Staff(id.to_string())),
                None => bad(errs, other.to_string()),
            },
        },
        Some(toml::Value::Table(t)) if t.len() == 1 => match t.get("round_robin") {
            Some(toml::Value::Array(ids)) => {
                let ids: Option<Vec<String>> =
                    ids.iter().map(|v| v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(String::from)).collect();
                match ids {
                    Some(ids) if !ids.is_empty() => Some(Assignee::RoundRobin(ids)),
                    _ => bad(errs, "round_robin".into()),
                }
            }
            _ => bad(errs, toml::Value::Table(t.clone()).to_string()),
        },
        Some(other) => bad(errs, other.to_string()),
    }
}

impl PlanStep {
    /// When this step falls due for an anchor at `anchor_ms` (for a yearly anchor: the instant
    /// of its occurrence), in the workspace zone `tz`: [`crate::schedule::days_after`] or
    /// [`crate::schedule::hours_after`].
    pub fn due_after(&self, anchor_ms: i64, tz: &TimeZone) -> Result<i64> {
        match self.offset {
            Offset::Days(n) => {
                let at =
                    local_time(&self.at).ok_or_else(|| Error::BadTime { detail: format!("step time {}", self.at) })?;
                crate::schedule::days_after(anchor_ms, i64::from(n), at, tz)
            }
            Offset::Hours(n) => crate::schedule::hours_after(anchor_ms, i64::from(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POST_SALE: &str = r#"
name = "Sau bán hàng"
anchor = "purchase"
[[step]]
name = "Gọi cảm ơn"
offset_days = 1
at = "09:00"
channel = "call"
assignee = "owner"
template = "Cảm ơn {{customer.name}} đã mua {{purchase.items}}"
[[step]]
name = "Hỏi thăm"
offset_hours = 4
channel = "zalo"
assignee = "staff:018f-lan"
template = "Chào {{customer.given_name}}"
[[step]]
name = "Ưu đãi mua lại"
offset_days = 180
at = "14:30"
channel = "sms"
assignee = { round_robin = ["a", "b"] }
template = "{{staff.name}} gửi ưu đãi"
"#;

    fn fields(e: Error) -> Vec<(String, String)> {
        match e {
            Error::Validation(v) => v.into_iter().map(|f| (f.field, f.message_key)).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn a_plan_file_is_read_with_its_anchor_offsets_times_channels_and_assignees() {
        let p = CarePlan::from_toml(POST_SALE).unwrap();
        assert_eq!((p.name.as_str(), &p.anchor), ("Sau bán hàng", &Anchor::Purchase));
        assert_eq!(p.steps.len(), 3);
        assert_eq!(
            (p.steps[0].offset, p.steps[0].at.as_str(), p.steps[0].channel),
            (Offset::Days(1), "09:00", CareChannel::Call)
        );
        assert_eq!(p.steps[1].offset, Offset::Hours(4));
        assert_eq!(p.steps[1].assignee, Assignee::Staff("018f-lan".into()));
        assert_eq!(p.steps[2].assignee, Assignee::RoundRobin(vec!["a".into(), "b".into()]));
        assert_eq!(Anchor::parse("deal_stage:proposal"), Some(Anchor::DealStage("proposal".into())));
        assert_eq!(Anchor::parse("custom.ngay_ky_hop_dong"), Some(Anchor::Custom("ngay_ky_hop_dong".into())));
        assert!(
            Anchor::parse("custom.").is_none()
                && Anchor::parse("deal_stage:").is_none()
                && Anchor::parse("sale").is_none()
        );
        // a step with no time is at 09:00
        let p = CarePlan::from_toml("name = \"x\"\nanchor = \"birthday\"\n[[step]]\nname = \"Chúc mừng\"\noffset_days = 0\nchannel = \"zalo\"\ntemplate = \"\"\n").unwrap();
        assert_eq!((p.steps[0].at.as_str(), &p.steps[0].assignee), ("09:00", &Assignee::Owner));
        assert!(p.anchor.yearly());
    }

    #[test]
    fn every_problem_of_a_plan_is_named_at_its_place_and_nothing_is_taken() {
        let bad = r#"
anchor = "sale"
[[step]]
name = "Gọi"
offset_days = 1
offset_hours = 2
at = "25:00"
channel = "fax"
assignee = "boss"
template = "Chào {{khach.ten}}"
[[step]]
offset_days = 99999
channel = "call"
assignee = { round_robin = [] }
template = "{{customer.name"
"#;
        assert_eq!(
            fields(CarePlan::from_toml(bad).unwrap_err()),
            [
                ("name", "validation.required"),
                ("anchor", "validation.not_allowed"),
                ("step[0].offset_hours", "validation.offset_both"),
                ("step[0].at", "validation.time_invalid"),
                ("step[0].channel", "validation.not_allowed"),
                ("step[0].assignee", "validation.not_allowed"),
                ("step[0].template", "validation.unknown_placeholder"),
                ("step[1].name", "validation.required"),
                ("step[1].offset_days", "validation.out_of_range"),
                ("step[1].assignee", "validation.not_allowed"),
                ("step[1].template", "validation.template_unclosed"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        // no steps; a misspelt key; not TOML at all
        assert_eq!(
            fields(CarePlan::from_toml("name = \"x\"\nanchor = \"purchase\"").unwrap_err()),
            [("step".into(), "validation.required".into())]
        );
        let typo =
            CarePlan::from_toml("name = \"x\"\nanchor = \"purchase\"\n[[step]]\nname = \"a\"\noffset_dayz = 1\n")
                .unwrap_err();
        assert_eq!(fields(typo), [("file".into(), "validation.invalid_toml".into())]);
        assert_eq!(
            fields(CarePlan::from_toml("name = ").unwrap_err()),
            [("file".into(), "validation.invalid_toml".into())]
        );
        for t in ["9:5", "09:60", "0900", "-1:00", "09:00:00"] {
            assert!(local_time(t).is_none(), "{t}");
        }
        assert_eq!(local_time("9:30"), Some(jiff::civil::Time::new(9, 30, 0, 0).unwrap()));
    }

    #[test]
    fn a_step_falls_due_n_days_after_the_anchor_at_its_local_time_or_n_hours_after_it() {
        let p = CarePlan::from_toml(POST_SALE).unwrap();
        let vn = TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        let bought = "2026-12-04T15:30:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond(); // 22:30 local
        let at = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap().to_string();
        assert_eq!(
            at(p.steps[0].due_after(bought, &vn).unwrap()),
            "2026-12-05T02:00:00Z",
            "the next day at 09:00 local"
        );
        assert_eq!(at(p.steps[1].due_after(bought, &vn).unwrap()), "2026-12-04T19:30:00Z", "four hours later");
        assert_eq!(
            at(p.steps[2].due_after(bought, &vn).unwrap()),
            "2027-06-02T07:30:00Z",
            "180 days later at 14:30 local"
        );
    }
}
