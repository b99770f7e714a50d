//! Tickets from another tool's history (a helpdesk's export, a spreadsheet of requests): each row
//! is one ticket of the past with its customer (found by phone or email, else made from the
//! name), team, assignee, channel, priority, category, its instants (created, first response,
//! solved, closed) and the survey scores it got. The row is read here (`assess`, on the thread
//! that reads ahead, no database); `mod.rs` finds or makes the customer and writes the ticket
//! through `tickets::ticket::insert_past`, the live tickets' own rules replayed, so the reports
//! read imported tickets exactly as those worked here.

use super::mapping::Mapping;
use super::row::phone_cell;
use super::Problem;
use crate::customers::{CustomerInput, Email, Phone};
use crate::error::FieldError;
use crate::fold::fold;
use crate::tickets::{Priority, SurveyKind, TicketChannel};
use jiff::tz::TimeZone;
use rusqlite::OptionalExtension;
use std::collections::{BTreeMap, HashMap};

/// What a column of a tickets file can fill.
pub const TARGETS: &[&str] = &[
    "ignore",
    "number",
    "subject",
    "customer_phone",
    "customer_email",
    "customer_name",
    "channel",
    "priority",
    "team",
    "category",
    "assignee",
    "created_at",
    "first_response_at",
    "solved_at",
    "closed_at",
    "replies",
    "csat",
    "nps",
    "ces",
];

/// Header names (folded, as `header_key` makes them) that suggest a target.
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "number",
        &[
            "ma phieu",
            "so phieu",
            "ma ticket",
            "so ticket",
            "ma yeu cau",
            "so yeu cau",
            "number",
            "ticket",
            "ticket number",
            "ticket no",
            "ticket id",
            "id",
            "no",
        ],
    ),
    ("subject", &["tieu de", "chu de", "van de", "noi dung", "yeu cau", "subject", "title", "summary", "issue"]),
    (
        "customer_phone",
        &[
            "sdt",
            "so dien thoai",
            "dien thoai",
            "di dong",
            "sdt khach",
            "sdt khach hang",
            "so dien thoai khach hang",
            "phone",
            "mobile",
            "customer phone",
            "tel",
            "requester phone",
        ],
    ),
    (
        "customer_email",
        &["email", "e mail", "mail", "email khach hang", "customer email", "requester email", "requester"],
    ),
    (
        "customer_name",
        &[
            "khach hang",
            "ten khach hang",
            "ten khach",
            "ho ten",
            "ho va ten",
            "nguoi yeu cau",
            "customer",
            "customer name",
            "name",
            "requester name",
            "contact",
        ],
    ),
    ("channel", &["kenh", "kenh tiep nhan", "nguon", "channel", "source", "via"]),
    ("priority", &["uu tien", "muc uu tien", "do uu tien", "priority"]),
    ("team", &["nhom", "nhom xu ly", "bo phan", "phong ban", "team", "group", "department"]),
    ("category", &["phan loai", "loai", "loai yeu cau", "danh muc", "category", "type", "ticket type"]),
    (
        "assignee",
        &[
            "nguoi phu trach",
            "nguoi xu ly",
            "nhan vien",
            "nhan vien xu ly",
            "phu trach",
            "assignee",
            "agent",
            "assigned to",
            "owner",
        ],
    ),
    (
        "created_at",
        &[
            "ngay tao",
            "thoi gian tao",
            "ngay tiep nhan",
            "ngay",
            "created",
            "created at",
            "date",
            "opened",
            "opened at",
        ],
    ),
    (
        "first_response_at",
        &[
            "phan hoi dau",
            "phan hoi dau tien",
            "thoi gian phan hoi dau",
            "ngay phan hoi",
            "first response",
            "first response at",
            "first reply",
            "first reply at",
            "responded at",
        ],
    ),
    (
        "solved_at",
        &[
            "ngay giai quyet",
            "thoi gian giai quyet",
            "ngay xu ly xong",
            "giai quyet",
            "solved",
            "solved at",
            "resolved",
            "resolved at",
        ],
    ),
    ("closed_at", &["ngay dong", "thoi gian dong", "dong", "closed", "closed at"]),
    ("replies", &["so phan hoi", "so lan phan hoi", "replies", "reply count", "agent replies"]),
    ("csat", &["csat", "diem csat", "hai long", "muc do hai long", "satisfaction", "csat score"]),
    ("nps", &["nps", "diem nps", "nps score"]),
    ("ces", &["ces", "diem ces", "ces score", "effort", "customer effort"]),
];

/// Suggests a mapping for a tickets file: known header names map to their target, each target
/// to its first column only; the rest is ignored.
pub fn suggest(headers: &[String]) -> Mapping {
    super::mapping::suggest_by(headers, SYNONYMS)
}

/// A mapping checked against the file's columns: each column's target (`"ignore"` for none).
pub(crate) struct Plan {
    cols: Vec<&'static str>,
}

impl Plan {
    fn col(&self, target: &str) -> Option<usize> {
        self.cols.iter().position(|c| *c == target)
    }

    /// The target a column of the file fills.
    pub(crate) fn target(&self, column: usize) -> &'static str {
        self.cols.get(column).copied().unwrap_or("ignore")
    }
}

/// Checks a mapping: known targets only, at most one column each, a column for the subject, one
/// for when the ticket was created, and one to find or make the customer by.
pub(crate) fn plan(headers: &[String], mapping: &Mapping) -> std::result::Result<Plan, Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut cols: Vec<&'static str> = Vec::new();
    for h in headers {
        let given = mapping.target_of(h);
        let Some(t) = TARGETS.iter().find(|t| **t == given).copied() else {
            errs.push(
                FieldError::new("mapping", "import.mapping_unknown_target")
                    .with("column", h.clone())
                    .with("target", given.to_string()),
            );
            cols.push("ignore");
            continue;
        };
        if t != "ignore" && cols.contains(&t) {
            errs.push(
                FieldError::new("mapping", "import.mapping_repeated").with("column", h.clone()).with("target", t),
            );
            cols.push("ignore");
            continue;
        }
        cols.push(t);
    }
    if !["customer_phone", "customer_email", "customer_name"].iter().any(|t| cols.contains(t)) {
        errs.push(FieldError::new("mapping", "import.mapping_no_ticket_customer"));
    }
    if !cols.contains(&"subject") {
        errs.push(FieldError::new("mapping", "import.mapping_no_subject"));
    }
    if !cols.contains(&"created_at") {
        errs.push(FieldError::new("mapping", "import.mapping_no_created"));
    }
    if errs.is_empty() {
        Ok(Plan { cols })
    } else {
        Err(errs)
    }
}

/// What reading a row needs besides the row (owned: it crosses into the import's thread).
pub(crate) struct Context {
    /// folded name, lower-case email or id -> staff id
    pub staff: HashMap<String, String>,
    /// folded name or id -> the team's place in `teams`
    pub teams: HashMap<String, usize>,
    /// folded category -> its spelling in the workspace (tickets, SLA policies, rules, reports)
    pub categories: HashMap<String, String>,
    pub tz: TimeZone,
    pub now: i64,
    pub rules: crate::customers::Rules,
    channels: HashMap<String, TicketChannel>,
    priorities: HashMap<String, Priority>,
}

impl Context {
    pub(crate) fn new(
        staff: HashMap<String, String>,
        teams: HashMap<String, usize>,
        categories: HashMap<String, String>,
        tz: TimeZone,
        now: i64,
        rules: crate::customers::Rules,
    ) -> Context {
        use crate::messages::{text, Lang};
        let none = BTreeMap::new();
        // a value by its code or by the app's own label for it, in either language
        let mut channels = HashMap::new();
        for c in TicketChannel::ALL {
            channels.insert(fold(c.as_str()), *c);
            channels.insert(fold(&c.as_str().replace('_', " ")), *c);
            for lang in [Lang::Vi, Lang::En] {
                channels.insert(fold(&text(lang, &format!("ticket.channel.{}", c.as_str()), &none)), *c);
            }
        }
        for (word, c) in [
            ("dien thoai", TicketChannel::Phone),
            ("goi dien", TicketChannel::Phone),
            ("hotline", TicketChannel::Phone),
            ("call", TicketChannel::Phone),
            ("e mail", TicketChannel::Email),
            ("mail", TicketChannel::Email),
            ("web", TicketChannel::Website),
            ("web form", TicketChannel::Website),
            ("form", TicketChannel::Website),
            ("chat", TicketChannel::LiveChat),
            ("livechat", TicketChannel::LiveChat),
            ("fb", TicketChannel::Facebook),
            ("messenger", TicketChannel::Facebook),
            ("truc tiep", TicketChannel::InPerson),
            ("tai cua hang", TicketChannel::InPerson),
            ("walk in", TicketChannel::InPerson),
            ("khac", TicketChannel::Other),
        ] {
            channels.entry(word.to_string()).or_insert(c);
        }
        let mut priorities = HashMap::new();
        for p in Priority::ALL {
            priorities.insert(fold(p.as_str()), *p);
            for lang in [Lang::Vi, Lang::En] {
                priorities.insert(fold(&text(lang, &format!("ticket.priority.{}", p.as_str()), &none)), *p);
            }
        }
        for (word, p) in [
            ("trung binh", Priority::Normal),
            ("thuong", Priority::Normal),
            ("medium", Priority::Normal),
            ("gap", Priority::Urgent),
            ("khan", Priority::Urgent),
            ("rat cao", Priority::Urgent),
            ("critical", Priority::Urgent),
        ] {
            priorities.entry(word.to_string()).or_insert(p);
        }
        Context { staff, teams, categories, tz, now, rules, channels, priorities }
    }
}

/// A row, ready to write: how to find or make its customer, and the ticket as the file tells it.
#[derive(Debug)]
pub(crate) struct Ready {
    /// The file's number (as kept) and its column.
    pub number: Option<(String, usize)>,
    /// The customer as the row describes it, checked like any customer (phones normalised); its
    /// identity keys find one already there.
    pub customer: crate::customers::Columns,
    pub subject: String,
    /// The team's place in the context's teams; the default team when None.
    pub team: Option<usize>,
    pub priority: Priority,
    pub channel: TicketChannel,
    pub category: Option<String>,
    pub assignee_id: Option<String>,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub solved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub replies: Option<i64>,
    pub scores: Vec<(SurveyKind, i64)>,
    /// The column a problem found while writing the row is named at (the team's, else the
    /// subject's).
    pub team_col: usize,
}

/// An instant as a file writes it: RFC 3339 with an offset is exact (`2026-03-02T09:00:00+07:00`,
/// `…Z`); a date, or a date and time, without one is in the workspace's zone (`super::datetime_cell`).
pub(crate) fn instant_cell(v: &str, tz: &TimeZone, today: jiff::civil::Date) -> std::result::Result<i64, &'static str> {
    if let Ok(t) = v.trim().parse::<jiff::Timestamp>() {
        return Ok(t.as_millisecond());
    }
    super::datetime_cell(v, tz, today)
}

/// A whole number as a cell holds it (`4`, `4.0` from a spreadsheet).
fn whole(v: &str) -> Option<i64> {
    let t = v.trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    t.parse::<i64>().ok()
}

/// Converts and validates a row: its problems by column, or the ticket.
pub(crate) fn assess(
    plan: &Plan,
    cx: &Context,
    rec: &super::source::Record,
) -> std::result::Result<Ready, Vec<Problem>> {
    if let Some(column) = rec.too_long {
        return Err(vec![super::too_long(rec, column)]);
    }
    let mut problems: Vec<Problem> = Vec::new();
    let push = |problems: &mut Vec<Problem>, column: usize, key: &str, value: &str, extra: &[(&str, String)]| {
        let mut params = BTreeMap::from([("value".to_string(), value.to_string())]);
        for (k, v) in extra {
            params.insert(k.to_string(), v.clone());
        }
        problems.push((column, key.to_string(), params));
    };
    let cell = |t: &str| -> Option<(usize, &str)> {
        let i = plan.col(t)?;
        let v = rec.cells.get(i).map(|s| s.trim()).unwrap_or("");
        (!v.is_empty()).then_some((i, v))
    };
    let first_col = |ts: &[&str]| ts.iter().filter_map(|t| plan.col(t)).min().unwrap_or(0);

    // the number, as tickets keep theirs
    let number = match cell("number") {
        Some((i, v)) => {
            let mut errs = Vec::new();
            let n = crate::tickets::team::text_field(&mut errs, "number", v, 40, false);
            match errs.into_iter().next() {
                Some(e) => {
                    push(&mut problems, i, &e.message_key, v, &[("max", "40".to_string())]);
                    None
                }
                None => Some((crate::tickets::ticket::number_key(&n), i)),
            }
        }
        None => None,
    };

    // the customer: checked as any customer is (name, phone, email)
    let customer_col = first_col(&["customer_phone", "customer_email", "customer_name"]);
    let phone = cell("customer_phone");
    let email = cell("customer_email");
    let name = cell("customer_name");
    let customer = if phone.is_none() && email.is_none() && name.is_none() {
        push(&mut problems, customer_col, "import.ticket_customer_missing", "", &[]);
        None
    } else {
        let input = CustomerInput {
            name: name.or(phone).or(email).map(|(_, v)| v.to_string()).unwrap_or_default(),
            phones: phone.map(|(_, v)| Phone { label: String::new(), number: phone_cell(v) }).into_iter().collect(),
            emails: email.map(|(_, v)| Email { label: String::new(), address: v.to_string() }).into_iter().collect(),
            ..Default::default()
        };
        match crate::customers::check(&cx.rules, &input) {
            Ok(c) => Some(c),
            Err(errs) => {
                for e in errs.into_vec() {
                    let (i, v) = if e.field.starts_with("phones") {
                        phone.unwrap_or((customer_col, ""))
                    } else if e.field.starts_with("emails") {
                        email.unwrap_or((customer_col, ""))
                    } else {
                        name.or(phone).or(email).unwrap_or((customer_col, ""))
                    };
                    let extra: Vec<(&str, String)> = e
                        .params
                        .iter()
                        .filter(|(k, _)| k.as_str() != "value")
                        .map(|(k, v)| (k.as_str(), v.clone()))
                        .collect();
                    push(&mut problems, i, &e.message_key, v, &extra);
                }
                None
            }
        }
    };

    let subject = match (cell("subject"), plan.col("subject")) {
        (Some((i, v)), _) => {
            let mut errs = Vec::new();
            let s = crate::tickets::team::text_field(&mut errs, "subject", v, 200, true);
            for e in errs {
                push(&mut problems, i, &e.message_key, v, &[("max", "200".to_string())]);
            }
            s
        }
        (None, Some(i)) => {
            push(&mut problems, i, "validation.required", "", &[]);
            String::new()
        }
        (None, None) => String::new(),
    };

    let team = match cell("team") {
        Some((i, v)) => match cx.teams.get(&fold(v)).or_else(|| cx.teams.get(v)) {
            Some(t) => Some(*t),
            None => {
                push(&mut problems, i, "import.team_unknown", v, &[]);
                None
            }
        },
        None => None,
    };
    let priority = match cell("priority") {
        Some((i, v)) => cx.priorities.get(&fold(v)).copied().unwrap_or_else(|| {
            push(&mut problems, i, "import.priority_unknown", v, &[]);
            Priority::Normal
        }),
        None => Priority::Normal,
    };
    let channel = match cell("channel") {
        Some((i, v)) => cx.channels.get(&fold(v)).copied().unwrap_or_else(|| {
            push(&mut problems, i, "import.ticket_channel_unknown", v, &[]);
            TicketChannel::Other
        }),
        None => TicketChannel::Other,
    };
    let category = match cell("category") {
        Some((i, v)) => {
            let mut errs = Vec::new();
            let c = crate::tickets::team::text_field(&mut errs, "category", v, 60, false);
            for e in errs {
                push(&mut problems, i, &e.message_key, v, &[("max", "60".to_string())]);
            }
            // the workspace's own spelling of a category it knows
            Some(cx.categories.get(&fold(&c)).cloned().unwrap_or(c)).filter(|c| !c.is_empty())
        }
        None => None,
    };
    let assignee_id = match cell("assignee") {
        Some((i, v)) => match cx.staff.get(&fold(v)).or_else(|| cx.staff.get(&v.to_lowercase())) {
            Some(id) => Some(id.clone()),
            None => {
                push(&mut problems, i, "import.assignee_unknown", v, &[]);
                None
            }
        },
        None => None,
    };

    // the instants: exact with an offset, else in the workspace's zone; none after today there
    let today = crate::settings::today_in(&cx.tz, cx.now);
    let at = |t: &str, problems: &mut Vec<Problem>| -> Option<(i64, usize, String)> {
        let (i, v) = cell(t)?;
        match instant_cell(v, &cx.tz, today) {
            Ok(ms) if crate::settings::today_in(&cx.tz, ms) > today => {
                push(problems, i, "validation.date_out_of_range", v, &[]);
                None
            }
            Ok(ms) => Some((ms, i, v.to_string())),
            Err(k) => {
                push(problems, i, k, v, &[]);
                None
            }
        }
    };
    let created = at("created_at", &mut problems);
    if created.is_none() && cell("created_at").is_none() {
        if let Some(i) = plan.col("created_at") {
            push(&mut problems, i, "validation.required", "", &[]);
        }
    }
    let first_response = at("first_response_at", &mut problems);
    let solved = at("solved_at", &mut problems);
    let closed = at("closed_at", &mut problems);
    if let Some((c, _, created_text)) = &created {
        for (instant, key) in [
            (&first_response, "import.before_created"),
            (&solved, "import.before_created"),
            (&closed, "import.before_created"),
        ] {
            if let Some((ms, i, v)) = instant {
                if ms < c {
                    push(&mut problems, *i, key, v, &[("created", created_text.clone())]);
                }
            }
        }
    }
    if let (Some((s, _, solved_text)), Some((c, i, v))) = (&solved, &closed) {
        if c < s {
            push(&mut problems, *i, "import.closed_before_solved", v, &[("solved", solved_text.clone())]);
        }
    }

    let replies = match cell("replies") {
        Some((i, v)) => match whole(v).filter(|n| (0..=100_000).contains(n)) {
            Some(n) => Some(n),
            None => {
                push(&mut problems, i, "validation.number_invalid", v, &[]);
                None
            }
        },
        None => None,
    };
    let mut scores = Vec::new();
    for (t, kind) in [("csat", SurveyKind::Csat), ("nps", SurveyKind::Nps), ("ces", SurveyKind::Ces)] {
        let Some((i, v)) = cell(t) else { continue };
        let range = kind.range();
        match whole(v) {
            Some(n) if range.contains(&n) => scores.push((kind, n)),
            Some(_) => push(
                &mut problems,
                i,
                "validation.out_of_range",
                v,
                &[("min", range.start().to_string()), ("max", range.end().to_string())],
            ),
            None => push(&mut problems, i, "validation.number_invalid", v, &[]),
        }
    }

    match (customer, created) {
        (Some(customer), Some((created_at, _, _))) if problems.is_empty() => Ok(Ready {
            number,
            customer,
            subject,
            team,
            priority,
            channel,
            category,
            assignee_id,
            created_at,
            first_response_at: first_response.map(|x| x.0),
            solved_at: solved.map(|x| x.0),
            closed_at: closed.map(|x| x.0),
            replies,
            scores,
            team_col: plan.col("team").or(plan.col("subject")).unwrap_or(customer_col),
        }),
        _ => Err(problems),
    }
}

/// What a tickets import needs from the workspace (owned: it crosses into the import's thread).
pub(crate) struct TicketsCx {
    pub cx: Context,
    pub teams: Vec<crate::tickets::Team>,
    /// The team a row naming none goes to (None only in a preview of a workspace with no team
    /// yet: the import makes the default one first).
    pub default_team: Option<usize>,
    /// The segments the teams' SLA policies name, compiled: a policy is picked by the customer's
    /// segments as for a live ticket.
    pub segments: Vec<(String, crate::segments::sql::Sql)>,
    pub actor: Option<String>,
}

impl crate::Workspace {
    /// What reading and writing ticket rows needs; `make_team`: the default team is made when
    /// the workspace has none (an import; a preview makes nothing).
    pub(super) async fn tickets_context(
        &self,
        lookups: &super::row::Lookups,
        rules: &crate::customers::Rules,
        make_team: bool,
    ) -> crate::error::Result<TicketsCx> {
        let tz = self.zone().await?;
        let default_id = if make_team {
            Some(self.default_team().await?.id)
        } else {
            sqlx::query_scalar("SELECT id FROM teams WHERE deleted_at IS NULL ORDER BY name, id LIMIT 1")
                .fetch_optional(self.pool())
                .await?
        };
        let teams = self.teams().await?;
        let mut by_name = HashMap::new();
        for (i, t) in teams.iter().enumerate() {
            by_name.insert(fold(&t.name), i);
            by_name.insert(t.id.clone(), i);
        }
        let default_team = default_id.and_then(|id| teams.iter().position(|t| t.id == id));
        // the categories the workspace already writes, in its own spelling
        let mut categories = HashMap::new();
        let used: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT category FROM tickets WHERE category IS NOT NULL AND deleted_at IS NULL ORDER BY category",
        )
        .fetch_all(self.pool())
        .await?;
        let settings = self.report_settings().await?;
        let named = teams.iter().flat_map(|t| t.sla.iter().flat_map(|p| p.matches.category.iter().cloned()));
        for c in settings.complaint_categories.into_iter().chain(settings.return_categories).chain(named).chain(used) {
            categories.entry(fold(&c)).or_insert(c);
        }
        let mut segments = Vec::new();
        // the ids gathered before awaiting (an iterator's closures held across an await make the
        // future too particular for the desktop's commands)
        let ids: Vec<String> =
            teams.iter().flat_map(|t| t.sla.iter()).flat_map(|p| p.matches.segment.clone()).collect();
        for id in &ids {
            if segments.iter().any(|(s, _)| s == id) {
                continue;
            }
            // a segment that cannot be read now matches no ticket (as `in_segment` says)
            if let Ok(seg) = self.segment(id).await {
                if let Ok(sql) = self.compiled_rules(&seg).await {
                    segments.push((id.clone(), sql));
                }
            }
        }
        let cx = Context::new(lookups.staff.clone(), by_name, categories, tz, self.now_ms(), rules.clone());
        Ok(TicketsCx { cx, teams, default_team, segments, actor: self.current_staff_id().await? })
    }
}

/// The segments among `cx.segments` the customer is in (read inside the import's transaction,
/// so a customer it made is judged too).
fn segments_of(conn: &rusqlite::Connection, cx: &TicketsCx, customer_id: &str) -> crate::error::Result<Vec<String>> {
    let mut out = Vec::new();
    for (id, q) in &cx.segments {
        let mut params = q.params.clone();
        params.push(rusqlite::types::Value::Text(customer_id.to_string()));
        let mut st = conn.prepare_cached(&format!("SELECT 1 FROM customers c WHERE ({}) AND c.id = ?", q.text))?;
        if st.exists(rusqlite::params_from_iter(params.iter()))? {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// The most row problems an import refused for them names (the rest are counted).
const MAX_NAMED: usize = 1000;

/// Writes a tickets file in one transaction: all or none. Every row is read and checked; a row
/// whose number is already there (or, without a number, whose customer already has a ticket of
/// that subject created that second) is skipped as already there, so importing a file twice adds
/// nothing. When any row has a problem nothing is written and the error names each (its row, its
/// column, the value, why).
pub(super) fn run_tickets(
    ctx: &super::RunCtx,
    cx: &TicketsCx,
    hlc: &mut crate::clock::Hlc,
    progress: &dyn Fn(super::ImportProgress),
    cancel: &std::sync::atomic::AtomicBool,
) -> crate::error::Result<super::ImportReport> {
    use super::{DuplicateRow, ImportReport, RowError};
    use crate::error::{Error, Result};
    use std::sync::atomic::Ordering;
    use std::time::Instant;
    let started = Instant::now();
    let mut opened = super::source::open(&ctx.file, &ctx.opts.read)?;
    let mapping = ctx.opts.mapping.clone().unwrap_or_else(|| suggest(&opened.headers));
    let plan = plan(&opened.headers, &mapping).map_err(Error::Validation)?;
    let conn = crate::db::raw_open(&ctx.workspace)?;
    let tx = crate::db::raw_begin(&conn, hlc, ctx.now, &ctx.device, ctx.actor.as_deref())?;
    let result = (|| -> Result<ImportReport> {
        let before: i64 = conn.query_row("SELECT COALESCE(MAX(rowid), 0) FROM tickets", [], |r| r.get(0))?;
        let mut report = ImportReport::start(crate::db::new_id(), &opened.headers, &mapping, vec![]);
        let mut fts = crate::customers::write::FtsBatch::default();
        // customers made from a name alone, by folded name: a second row of the name is theirs
        let mut named: HashMap<String, String> = HashMap::new();
        // each category in one spelling: the workspace's, else the first the file writes
        let mut spelled: HashMap<String, String> = cx.cx.categories.clone();
        let mut last_tick = Instant::now();
        let headers = opened.headers.clone();
        let column = |c: usize| headers.get(c).cloned().unwrap_or_else(|| format!("#{}", c + 1));
        let mut failed: Vec<(u64, Problem)> = Vec::new();
        let (rows, plan_ref, tcx) = (&mut opened.rows, &plan, &cx.cx);
        std::thread::scope(|scope| -> Result<()> {
            let (behind, mut ahead) = super::source::Ahead::channel(4);
            let check = move |rec| {
                let assessed = assess(plan_ref, tcx, &rec);
                (rec, assessed)
            };
            scope.spawn(move || super::check_rows(rows.as_mut(), check, behind));
            while let Some(batch) = ahead.next()? {
                for (rec, assessed) in batch {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(Error::Cancelled);
                    }
                    report.rows += 1;
                    if report.rows.is_multiple_of(1000) && last_tick.elapsed().as_millis() >= 100 {
                        last_tick = Instant::now();
                        report.tell(started, progress);
                    }
                    let ready = match assessed {
                        Ok(r) => r,
                        Err(problems) => {
                            report.failed_rows += 1;
                            failed.extend(problems.into_iter().map(|p| (rec.row, p)));
                            continue;
                        }
                    };
                    // already there: the same number (deleted or not), skipped
                    if let Some((number, _)) = &ready.number {
                        let existing: Option<(i64, String)> = conn
                            .prepare_cached("SELECT rowid, customer_id FROM tickets WHERE number = ? LIMIT 1")?
                            .query_row([number], |r| Ok((r.get(0)?, r.get(1)?)))
                            .optional()?;
                        if let Some((rowid, customer_id)) = existing {
                            report.skipped += 1;
                            report.duplicates.push(DuplicateRow {
                                row: rec.row,
                                customer_id,
                                reason: "ticket_number".into(),
                                value: number.clone(),
                                in_file: rowid > before,
                                action: "skipped".into(),
                            });
                            continue;
                        }
                    }
                    // the customer: by phone or email, else one made from this name in this file, else made now
                    let keys = ready.customer.keys();
                    let found = super::write::holders(&conn, &keys)?.into_iter().next().map(|(_, id, _)| id);
                    let name_key = fold(&ready.customer.name);
                    let customer_id =
                        match found.or_else(|| (keys.is_empty()).then(|| named.get(&name_key).cloned()).flatten()) {
                            Some(id) => id,
                            None => {
                                let id = crate::db::new_id();
                                let doc = crate::customers::write::doc_of(&ready.customer, &[]);
                                crate::customers::write::insert(&conn, &id, &ready.customer, &doc, ctx.now, &mut fts)?;
                                if keys.is_empty() {
                                    named.insert(name_key, id.clone());
                                }
                                report.customers += 1;
                                id
                            }
                        };
                    // without a number: the same ticket is the customer's of that subject, created that second
                    if ready.number.is_none() {
                        let second = ready.created_at.div_euclid(1000) * 1000;
                        let same: Option<i64> = conn
                            .prepare_cached(
                                "SELECT rowid FROM tickets WHERE customer_id = ? AND created_at BETWEEN ? AND ?
                                 AND subject = ? AND deleted_at IS NULL LIMIT 1",
                            )?
                            .query_row(rusqlite::params![customer_id, second, second + 999, ready.subject], |r| {
                                r.get(0)
                            })
                            .optional()?;
                        if let Some(rowid) = same {
                            report.skipped += 1;
                            report.duplicates.push(DuplicateRow {
                                row: rec.row,
                                customer_id,
                                reason: "same_ticket".into(),
                                value: ready.subject.clone(),
                                in_file: rowid > before,
                                action: "skipped".into(),
                            });
                            continue;
                        }
                    }
                    let Some(team) = ready.team.or(cx.default_team).and_then(|i| cx.teams.get(i)) else {
                        report.failed_rows += 1;
                        let p = (ready.team_col, "import.team_unknown".to_string(), BTreeMap::new());
                        failed.push((rec.row, p));
                        continue;
                    };
                    let category =
                        ready.category.as_ref().map(|c| spelled.entry(fold(c)).or_insert_with(|| c.clone()).clone());
                    let segments = if cx.segments.is_empty() { vec![] } else { segments_of(&conn, cx, &customer_id)? };
                    let policy = crate::tickets::sla::pick(
                        team,
                        &crate::tickets::sla::Facts {
                            priority: ready.priority.as_str(),
                            category: category.as_deref(),
                            channel: ready.channel.as_str(),
                            segments: &segments,
                        },
                    );
                    let number = match &ready.number {
                        Some((n, _)) => n.clone(),
                        None => crate::tickets::ticket::next_number_raw(&conn, &ctx.device)?,
                    };
                    let id = crate::db::new_id();
                    let past = crate::tickets::ticket::PastTicket {
                        id: id.clone(),
                        number,
                        subject: ready.subject.clone(),
                        customer_id: customer_id.clone(),
                        priority: ready.priority,
                        category: category.clone(),
                        channel: ready.channel,
                        assignee_id: ready.assignee_id.clone(),
                        created_at: ready.created_at,
                        first_response_at: ready.first_response_at,
                        solved_at: ready.solved_at,
                        closed_at: ready.closed_at,
                        replies: ready.replies,
                    };
                    if let Err(why) = crate::tickets::ticket::insert_past(&conn, team, policy, &past)? {
                        use crate::tickets::ticket::PastProblem;
                        let key = match why {
                            PastProblem::Unstaged => "import.team_no_stages",
                            PastProblem::CannotSolve => "import.team_no_solved_stage",
                            PastProblem::CannotClose => "import.team_no_closed_stage",
                        };
                        report.failed_rows += 1;
                        let p = (
                            ready.team_col,
                            key.to_string(),
                            BTreeMap::from([("value".to_string(), team.name.clone())]),
                        );
                        failed.push((rec.row, p));
                        continue;
                    }
                    // the scores it got, answered when it was solved (else closed, else opened)
                    let answered = ready.solved_at.or(ready.closed_at).unwrap_or(ready.created_at);
                    for (kind, score) in &ready.scores {
                        conn.prepare_cached(
                            "INSERT INTO survey_answers (id, ticket_id, customer_id, kind, score, answered_at, staff_id,
                                source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'import', ?)",
                        )?
                        .execute(rusqlite::params![
                            crate::db::new_id(),
                            id,
                            customer_id,
                            kind.as_str(),
                            score,
                            answered,
                            cx.actor,
                            ctx.now
                        ])?;
                        report.answers += 1;
                    }
                    report.imported += 1;
                }
            }
            Ok(())
        })?;
        fts.flush(&conn)?;
        if !failed.is_empty() {
            // all or none: every problem named, nothing written
            let more = failed.len().saturating_sub(MAX_NAMED);
            let mut fields: Vec<FieldError> = failed
                .into_iter()
                .take(MAX_NAMED)
                .map(|(row, (c, key, params))| {
                    let e = RowError::new(row, column(c), key, params);
                    let mut f =
                        FieldError::new(format!("rows[{}].{}", row.saturating_sub(1), plan.target(c)), &e.message_key);
                    f.params = e.params;
                    f.params.insert("column".into(), e.column);
                    f
                })
                .collect();
            if more > 0 {
                fields.push(FieldError::new("file", "import.more_problems").with("count", more.to_string()));
            }
            return Err(Error::Validation(fields));
        }
        report.millis = started.elapsed().as_millis() as u64;
        super::record_import(&conn, ctx, tx, opened.format, super::OnDuplicate::Skip, &report)?;
        report.tell(started, progress);
        Ok(report)
    })();
    super::settle(&conn, ctx, result)
}

/// The first rows of a tickets file with every problem each would have, the customer each goes
/// to (or is made) and the number already there. Writes nothing.
pub(super) fn preview_tickets(
    workspace: &std::path::Path,
    file: &std::path::Path,
    opts: &super::ImportOptions,
    n: usize,
    cx: &TicketsCx,
) -> crate::error::Result<super::ImportPreview> {
    let mut opened = super::source::open(file, &opts.read)?;
    let mapping = opts.mapping.clone().unwrap_or_else(|| suggest(&opened.headers));
    let (plan, mapping_errors) = match plan(&opened.headers, &mapping) {
        Ok(p) => (Some(p), vec![]),
        Err(e) => (None, e),
    };
    let conn = rusqlite::Connection::open_with_flags(workspace, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut rows = Vec::new();
    while rows.len() < n {
        let Some(rec) = opened.rows.next_record()? else { break };
        let mut problems = Vec::new();
        let (mut customer, mut duplicate_of) = (None, None);
        if let Some(plan) = &plan {
            match assess(plan, &cx.cx, &rec) {
                Ok(ready) => {
                    if let Some((number, _)) = &ready.number {
                        if crate::tickets::ticket::number_taken(&conn, number)? {
                            duplicate_of = Some(number.clone());
                        }
                    }
                    let keys = ready.customer.keys();
                    customer = match super::write::holders(&conn, &keys)?.first() {
                        Some((_, id, _)) => conn
                            .query_row("SELECT name FROM customers WHERE id = ?", [id], |r| r.get::<_, String>(0))
                            .optional()?,
                        None => Some(ready.customer.name.clone()),
                    };
                }
                Err(list) => {
                    problems = list
                        .into_iter()
                        .map(|(column, key, params)| super::CellProblem {
                            column: column as u32,
                            reason: crate::error::messages::reason_en(&key).to_string(),
                            message_key: key,
                            params: super::echoed(params),
                        })
                        .collect()
                }
            }
        }
        rows.push(super::PreviewRow { row: rec.row, cells: rec.cells, problems, duplicate_of, customer });
    }
    Ok(super::ImportPreview {
        format: opened.format,
        encoding: opened.encoding.map(str::to_string),
        delimiter: opened.delimiter.map(|d| if d == '\t' { "tab".to_string() } else { d.to_string() }),
        sheets: opened.sheets,
        sheet: opened.sheet,
        header_row: opened.header_row,
        headers: opened.headers,
        mapping,
        targets: TARGETS.iter().map(|s| s.to_string()).collect(),
        rows,
        mapping_errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_suggest_targets_in_either_language() {
        let h: Vec<String> = [
            "Mã phiếu",
            "Tiêu đề",
            "SĐT",
            "Kênh",
            "Ưu tiên",
            "Nhóm",
            "Phân loại",
            "Người phụ trách",
            "Ngày tạo",
            "Phản hồi đầu",
            "Ngày giải quyết",
            "Ngày đóng",
            "CSAT",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let t: Vec<String> = suggest(&h).columns.into_iter().map(|c| c.target).collect();
        assert_eq!(
            t,
            [
                "number",
                "subject",
                "customer_phone",
                "channel",
                "priority",
                "team",
                "category",
                "assignee",
                "created_at",
                "first_response_at",
                "solved_at",
                "closed_at",
                "csat"
            ]
        );
        let h: Vec<String> = ["Ticket ID", "Subject", "Requester email", "Priority", "Created at", "Solved at"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let t: Vec<String> = suggest(&h).columns.into_iter().map(|c| c.target).collect();
        assert_eq!(t, ["number", "subject", "customer_email", "priority", "created_at", "solved_at"]);
    }

    #[test]
    fn instants_with_an_offset_are_exact_the_rest_in_the_zone() {
        let tz = TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        let today = jiff::civil::date(2026, 3, 15);
        let exact = jiff::Timestamp::from_second(1_741_770_000).unwrap().as_millisecond(); // 2025-03-12T09:00Z
        assert_eq!(instant_cell("2025-03-12T09:00:00Z", &tz, today), Ok(exact));
        assert_eq!(instant_cell("2025-03-12T16:00:00+07:00", &tz, today), Ok(exact));
        // without an offset: 16:00 in Hanoi
        assert_eq!(instant_cell("2025-03-12 16:00", &tz, today), Ok(exact));
        assert_eq!(instant_cell("12/03/2025 16:00", &tz, today), Ok(exact));
        assert!(instant_cell("hôm qua", &tz, today).is_err());
    }
}
