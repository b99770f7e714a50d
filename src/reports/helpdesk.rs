//! The helpdesk's KPIs (`docs/kpis.md`, "Helpdesk"): the tickets come as chunks of columns
//! (`cache.rs`); [`Acc`] takes each chunk once and keeps what one period's KPIs need, and
//! [`Acc::finish`] turns that into the figures (with the few reads that are not the tickets':
//! answers without a ticket, purchases, the breaches' words, names).

use super::cache::{ans, col, Chunk, NONE};
use super::stats::{bucket, mean, one_decimal, percent, Durations, Rate};
use super::{Filters, On, Period};
use crate::error::Result;
use rusqlite::types::Value;
use rusqlite::Connection;
use serde::Serialize;
use specta::Type;
use std::collections::{BTreeMap, HashMap, HashSet};

const DAY: i64 = 86_400_000;
/// FCR's and re-contact's window: 7 days.
pub const WINDOW_MS: i64 = 7 * DAY;
/// The most breaches a report lists (the count is whole).
const BREACHES_LISTED: usize = 100;

/// CSAT: answers 4–5 of all answers, and how the scores spread (index 0 is a score of 1).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Type)]
pub struct Csat {
    pub percent: Option<f64>,
    #[specta(type = i32)]
    pub rated: i64,
    #[specta(type = Vec<i32>)]
    pub distribution: Vec<i64>,
}

/// NPS: % of 9–10 minus % of 0–6 (−100…100); the spread of scores 0–10.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Type)]
pub struct Nps {
    pub score: Option<f64>,
    #[specta(type = i32)]
    pub answers: i64,
    #[specta(type = Vec<i32>)]
    pub distribution: Vec<i64>,
}

/// CES: the mean of 1–7 ("made it easy"); the spread of scores (index 0 is a score of 1).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Type)]
pub struct Ces {
    pub mean: Option<f64>,
    #[specta(type = i32)]
    pub answers: i64,
    #[specta(type = Vec<i32>)]
    pub distribution: Vec<i64>,
}

/// One SLA target's compliance: deadlines in the period met and breached.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SlaRow {
    /// first_response, next_response or resolution.
    pub target: String,
    #[specta(type = i32)]
    pub met: i64,
    #[specta(type = i32)]
    pub breached: i64,
    pub percent: Option<f64>,
}

/// A breached deadline of the period.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Breach {
    pub ticket_id: String,
    pub number: String,
    pub subject: String,
    pub target: String,
    #[specta(type = i32)]
    pub due_at: i64,
    /// When it was answered or solved after all; None while it still is not.
    #[specta(type = Option<i32>)]
    pub done_at: Option<i64>,
    pub assignee_id: Option<String>,
}

/// A day of the period: tickets created and solved that day, and open at its end.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct DayPoint {
    pub date: String,
    #[specta(type = i32)]
    pub created: i64,
    #[specta(type = i32)]
    pub solved: i64,
    #[specta(type = i32)]
    pub backlog: i64,
}

/// One member of staff's row (the tickets assigned to them).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Type)]
pub struct StaffRow {
    pub staff_id: String,
    pub name: String,
    #[specta(type = i32)]
    pub tickets: i64,
    #[specta(type = i32)]
    pub solved: i64,
    pub first_response_median: Option<f64>,
    pub resolution_median: Option<f64>,
    pub csat_percent: Option<f64>,
    #[specta(type = i32)]
    pub csat_rated: i64,
    pub fcr_percent: Option<f64>,
    pub sla_percent: Option<f64>,
}

/// The helpdesk's KPIs of one period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Type)]
pub struct Helpdesk {
    /// Tickets created in the period.
    #[specta(type = i32)]
    pub tickets: i64,
    /// Tickets solved in the period.
    #[specta(type = i32)]
    pub solved: i64,
    pub first_response_minutes: Durations,
    pub resolution_minutes: Durations,
    /// Average handling time: time in working stages of the tickets solved.
    pub handling_minutes: Durations,
    /// < 1 h, 1–4 h, 4–8 h, 8–24 h, > 24 h.
    #[specta(type = Vec<i32>)]
    pub first_response_buckets: Vec<i64>,
    pub sla: Vec<SlaRow>,
    /// Each target's compliance, as the CLI's JSON names it.
    pub sla_percent: BTreeMap<String, Option<f64>>,
    #[specta(type = i32)]
    pub breaches_total: i64,
    pub breaches: Vec<Breach>,
    pub csat: Csat,
    pub nps: Nps,
    pub ces: Ces,
    /// Surveys sent in the period, and how many of them were answered.
    pub surveys: Rate,
    pub fcr: Rate,
    pub fcr_percent: Option<f64>,
    pub recontact: Rate,
    pub recontact_percent: Option<f64>,
    /// Complaint tickets per customer served.
    pub complaints: Rate,
    /// Customers with a return per customer who bought.
    pub returns: Rate,
    #[specta(type = BTreeMap<String, i32>)]
    pub volume_by_channel: BTreeMap<String, i64>,
    #[specta(type = BTreeMap<String, i32>)]
    pub volume_by_team: BTreeMap<String, i64>,
    #[specta(type = BTreeMap<String, i32>)]
    pub volume_by_category: BTreeMap<String, i64>,
    #[specta(type = BTreeMap<String, i32>)]
    pub volume_by_priority: BTreeMap<String, i64>,
    #[specta(type = BTreeMap<String, i32>)]
    pub volume_by_assignee: BTreeMap<String, i64>,
    pub days: Vec<DayPoint>,
    pub staff: Vec<StaffRow>,
    /// The names of the teams and staff the volumes and rows name.
    pub names: BTreeMap<String, String>,
}

/// What is gathered per member of staff.
#[derive(Default)]
struct Staff {
    tickets: i64,
    solved: i64,
    first_response: Vec<i64>,
    resolution: Vec<i64>,
    csat: (i64, i64),
    fcr: (i64, i64),
    sla: (i64, i64),
}

fn folded(list: &[String]) -> HashSet<String> {
    list.iter().map(|c| crate::fold::fold(c)).collect()
}

pub(super) const LIVE: &str = "t.deleted_at IS NULL AND t.merged_into IS NULL";

pub(super) fn on_tickets() -> On<'static> {
    On {
        team: Some("t.team_id"),
        staff: Some("t.assignee_id"),
        channel: Some("t.channel"),
        category: Some("t.category"),
        customer: Some("t.customer_id"),
    }
}

/// What the chunks are read with: the filters and settings, resolved once.
pub(super) struct Ctx<'a> {
    pub filters: &'a Filters,
    /// The segment's customers (their keys), when a segment filters.
    pub members: Option<&'a Keys>,
    pub business: bool,
    pub now: i64,
    pub complaint: HashSet<String>,
    pub returns: HashSet<String>,
    /// The SLA policies with a next-response target.
    pub next_targets: &'a HashSet<String>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        filters: &'a Filters,
        members: Option<&'a Keys>,
        business: bool,
        now: i64,
        settings: &super::ReportSettings,
        next_targets: &'a HashSet<String>,
    ) -> Ctx<'a> {
        Ctx {
            filters,
            members,
            business,
            now,
            complaint: folded(&settings.complaint_categories),
            returns: folded(&settings.return_categories),
            next_targets,
        }
    }
}

/// One period's KPIs as the chunks go by.
pub(super) struct Acc<'p> {
    period: &'p Period,
    days: &'p [i64],
    h: Helpdesk,
    created_per_day: Vec<i64>,
    solved_per_day: Vec<i64>,
    open_delta: Vec<i64>,
    open_before: i64,
    /// By [`Dict`] number.
    staff: Vec<Option<Staff>>,
    volumes: [Vec<i64>; 5],
    complaints: i64,
    served: Keys,
    returned: Keys,
    first: Vec<i64>,
    resolution: Vec<i64>,
    handling: Vec<i64>,
    fcr: (i64, i64),
    next: (i64, i64),
    sla: [(i64, i64); 2],
    solved_customers: Vec<(i64, i64)>,
    opened: Vec<(i64, i64)>,
    csat: [i64; 5],
    nps: [i64; 11],
    ces: [i64; 7],
    surveys: (i64, i64),
}

/// A hasher for keys that are hashes already (customers' FNV-1a keys).
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_i64(&mut self, v: i64) {
        self.0 = v as u64;
    }
}

pub(super) type Keys = HashSet<i64, std::hash::BuildHasherDefault<KeyHasher>>;

/// Every word the chunks name, once: its number (0 is none), and what it means to a report.
pub(super) struct Dict {
    pub names: Vec<String>,
    index: HashMap<String, u32>,
    complaint: Vec<bool>,
    returns: Vec<bool>,
    next_target: Vec<bool>,
}

/// A chunk's words as numbers of the [`Dict`], and the filters' words here (`Some(None)`: a
/// filter names a word no ticket here has).
pub(super) struct Words {
    global: Vec<u32>,
    team: Option<Option<i64>>,
    staff: Option<Option<i64>>,
    channel: Option<Option<i64>>,
    category: Option<Option<i64>>,
}

impl Dict {
    pub fn new() -> Dict {
        Dict {
            names: vec![String::new()],
            index: HashMap::new(),
            complaint: vec![false],
            returns: vec![false],
            next_target: vec![false],
        }
    }

    fn id(&mut self, w: &str, ctx: &Ctx<'_>) -> u32 {
        if let Some(&id) = self.index.get(w) {
            return id;
        }
        let id = self.names.len() as u32;
        let folded = crate::fold::fold(w);
        self.complaint.push(ctx.complaint.contains(&folded));
        self.returns.push(ctx.returns.contains(&folded));
        self.next_target.push(ctx.next_targets.contains(w));
        self.names.push(w.to_string());
        self.index.insert(w.to_string(), id);
        id
    }

    pub fn words(&mut self, c: &Chunk, ctx: &Ctx<'_>) -> Words {
        let find = |f: &Option<String>| f.as_ref().map(|v| c.word_index(v));
        Words {
            global: c.words.iter().map(|w| self.id(w, ctx)).collect(),
            team: find(&ctx.filters.team),
            staff: find(&ctx.filters.staff),
            channel: find(&ctx.filters.channel),
            category: find(&ctx.filters.category),
        }
    }
}

impl Words {
    /// The [`Dict`] number of ticket `i`'s word at `k` (0: none).
    fn of(&self, c: &Chunk, k: usize, i: usize) -> u32 {
        let v = c.cols[k][i];
        if v == NONE {
            0
        } else {
            self.global[v as usize]
        }
    }

    /// Whether no ticket of the chunk can pass the filters.
    fn none_pass(&self) -> bool {
        [self.team, self.staff, self.channel, self.category].iter().any(|f| matches!(f, Some(None)))
    }

    fn passes(&self, c: &Chunk, i: usize, ctx: &Ctx<'_>) -> bool {
        for (f, k) in [
            (self.team, col::TEAM),
            (self.staff, col::ASSIGNEE),
            (self.channel, col::CHANNEL),
            (self.category, col::CATEGORY),
        ] {
            if let Some(want) = f {
                if want != Some(c.cols[k][i]) {
                    return false;
                }
            }
        }
        ctx.members.is_none_or(|m| m.contains(&c.cols[col::CUSTOMER][i]))
    }
}

impl<'p> Acc<'p> {
    pub fn new(period: &'p Period, days: &'p [i64]) -> Acc<'p> {
        let n = days.len() - 1;
        Acc {
            period,
            days,
            h: Helpdesk { first_response_buckets: vec![0; 5], ..Default::default() },
            created_per_day: vec![0; n],
            solved_per_day: vec![0; n],
            open_delta: vec![0; n + 1],
            open_before: 0,
            staff: Vec::new(),
            volumes: Default::default(),
            complaints: 0,
            served: Keys::default(),
            returned: Keys::default(),
            first: Vec::new(),
            resolution: Vec::new(),
            handling: Vec::new(),
            fcr: (0, 0),
            next: (0, 0),
            sla: [(0, 0); 2],
            solved_customers: Vec::new(),
            opened: Vec::new(),
            csat: [0; 5],
            nps: [0; 11],
            ces: [0; 7],
            surveys: (0, 0),
        }
    }

    fn day_of(&self, at: i64) -> Option<usize> {
        let d = self.days;
        if at < d[0] || at >= d[d.len() - 1] {
            return None;
        }
        Some(self.day_index(at))
    }

    /// The day of the period `at` falls in, for `days[0] <= at < days[last]`: guessed from a
    /// 24-hour day and moved to the right one (a clock change makes a day 23 or 25 hours; the
    /// guess is then a step or two off), not searched for (it is asked for every ticket).
    fn day_index(&self, at: i64) -> usize {
        let d = self.days;
        let n = d.len() - 1;
        let mut i = usize::try_from((at - d[0]) / DAY).unwrap_or(0).min(n - 1);
        while i > 0 && d[i] > at {
            i -= 1;
        }
        while i + 1 < n && d[i + 1] <= at {
            i += 1;
        }
        i
    }

    fn staff_of(&mut self, id: u32) -> Option<&mut Staff> {
        if id == 0 {
            return None;
        }
        let id = id as usize;
        if self.staff.len() <= id {
            self.staff.resize_with(id + 1, || None);
        }
        Some(self.staff[id].get_or_insert_with(Staff::default))
    }

    /// Open at the end of each day from its creation (or the period's first day) to its solve.
    fn open_span(&mut self, created: i64, solved: Option<i64>) {
        let (start, end) = (self.period.start_ms, self.period.end_ms);
        let n = self.days.len() - 1;
        if created >= end || solved.is_some_and(|s| s < start) {
            return;
        }
        if created < start && solved.is_none() {
            self.open_before += 1;
            return;
        }
        let from = if created < start { 0 } else { self.day_index(created) };
        let to = match solved {
            Some(s) if s < end => self.day_index(s),
            _ => n,
        };
        if from < to {
            self.open_delta[from] += 1;
            self.open_delta[to] -= 1;
        }
    }

    /// Whether a chunk holds anything of this period: an instant in it (or in the re-contact
    /// window after it), or a ticket still open at its start. A chunk outside both is skipped
    /// whole (its instants all fall outside what [`Acc::feed`] counts).
    pub fn reads(&self, c: &Chunk) -> bool {
        c.first_at <= self.period.end_ms + WINDOW_MS && c.last_at >= self.period.start_ms
    }

    /// Takes one chunk's tickets and answers.
    pub fn feed(&mut self, c: &Chunk, w: &Words, dict: &Dict, ctx: &Ctx<'_>) {
        let (start, end) = (self.period.start_ms, self.period.end_ms);
        let in_period = |v: i64| v != NONE && v >= start && v < end;
        let (fr_col, res_col, hand_col) = if ctx.business {
            (col::FR_WORK, col::RES_WORK, col::HAND_WORK)
        } else {
            (col::FR_MS, col::RES_MS, col::HAND_MS)
        };
        // re-contact: every ticket opened after the period's start, whatever the filters
        for i in 0..c.n {
            let created = c.cols[col::CREATED][i];
            if created > start && created <= end + WINDOW_MS {
                self.opened.push((c.cols[col::CUSTOMER][i], created));
            }
        }
        if w.none_pass() {
            return;
        }
        let mut passed = vec![false; c.n];
        for (i, pass) in passed.iter_mut().enumerate() {
            if !w.passes(c, i, ctx) {
                continue;
            }
            *pass = true;
            let at = |k: usize| c.cols[k][i];
            let who = w.of(c, col::ASSIGNEE, i);
            let created = at(col::CREATED);
            let solved = c.get(col::SOLVED, i);
            self.open_span(created, solved);
            if in_period(created) {
                self.h.tickets += 1;
                if let Some(d) = self.day_of(created) {
                    self.created_per_day[d] += 1;
                }
                for (v, k) in
                    [col::CHANNEL, col::TEAM, col::CATEGORY, col::PRIORITY, col::ASSIGNEE].into_iter().enumerate()
                {
                    let id = w.of(c, k, i) as usize;
                    let counts = &mut self.volumes[v];
                    if counts.len() <= id {
                        counts.resize(id + 1, 0);
                    }
                    counts[id] += 1;
                }
                if let Some(s) = self.staff_of(who) {
                    s.tickets += 1;
                }
                let customer = at(col::CUSTOMER);
                self.served.insert(customer);
                let category = w.of(c, col::CATEGORY, i) as usize;
                if dict.complaint[category] {
                    self.complaints += 1;
                }
                if dict.returns[category] {
                    self.returned.insert(customer);
                }
            }
            if in_period(at(col::FR_AT)) {
                if let Some(ms) = c.get(fr_col, i) {
                    self.first.push(ms);
                    self.h.first_response_buckets[bucket(ms)] += 1;
                    if let Some(s) = self.staff_of(who) {
                        s.first_response.push(ms);
                    }
                }
            }
            if let Some(solved) = solved.filter(|&s| in_period(s)) {
                self.h.solved += 1;
                if let Some(d) = self.day_of(solved) {
                    self.solved_per_day[d] += 1;
                }
                if let Some(s) = self.staff_of(who) {
                    s.solved += 1;
                }
                if let Some(ms) = c.get(res_col, i) {
                    self.resolution.push(ms);
                    if let Some(s) = self.staff_of(who) {
                        s.resolution.push(ms);
                    }
                }
                if let Some(ms) = c.get(hand_col, i) {
                    self.handling.push(ms);
                }
                if let Some(replies) = c.get(col::REPLIES, i) {
                    let first_solved = c.get(col::FIRST_SOLVED, i).unwrap_or(solved);
                    let early = c.get(col::REOPENED, i).is_some_and(|r| r - first_solved <= WINDOW_MS);
                    let one = i64::from(replies == 1 && !early);
                    self.fcr.0 += one;
                    self.fcr.1 += 1;
                    if let Some(s) = self.staff_of(who) {
                        s.fcr.0 += one;
                        s.fcr.1 += 1;
                    }
                }
                self.solved_customers.push((at(col::CUSTOMER), solved));
                if dict.next_target[w.of(c, col::SLA, i) as usize] {
                    let met = i64::from(at(col::NEXT_LATE) == NONE);
                    self.next.0 += met;
                    self.next.1 += 1;
                    if let Some(s) = self.staff_of(who) {
                        s.sla.0 += met;
                        s.sla.1 += 1;
                    }
                }
            }
            // deadlines in the period: met, or breached (done late, or not done and passed)
            for (t, (due, done, late)) in
                [(col::FR_DUE, col::FR_AT, col::FR_LATE), (col::RES_DUE, col::SOLVED, col::RES_LATE)]
                    .into_iter()
                    .enumerate()
            {
                let due_at = at(due);
                if !in_period(due_at) {
                    continue;
                }
                let ok = match (at(done) != NONE, at(late) != NONE) {
                    (true, late) => !late,
                    (false, _) if due_at < ctx.now => false,
                    (false, _) => continue,
                };
                self.sla[t].0 += i64::from(ok);
                self.sla[t].1 += 1;
                if let Some(s) = self.staff_of(who) {
                    s.sla.0 += i64::from(ok);
                    s.sla.1 += 1;
                }
            }
        }
        // answers given in the period, surveys sent in it
        let a = &c.answers;
        #[allow(clippy::needless_range_loop)] // row j of every column
        for j in 0..a.first().map_or(0, Vec::len) {
            let i = a[ans::TICKET][j] as usize;
            if !passed.get(i).copied().unwrap_or(false) {
                continue;
            }
            let who = w.of(c, col::ASSIGNEE, i);
            let score = (a[ans::SCORE][j] != NONE).then_some(a[ans::SCORE][j]);
            self.answer(a[ans::KIND][j], score, a[ans::SENT][j], a[ans::ANSWERED][j]);
            if a[ans::KIND][j] == 0 && in_period(a[ans::ANSWERED][j]) {
                if let Some(score) = score.filter(|s| (1..=5).contains(s)) {
                    if let Some(s) = self.staff_of(who) {
                        s.csat.0 += i64::from(score >= 4);
                        s.csat.1 += 1;
                    }
                }
            }
        }
    }

    /// One survey answer (kind 0 CSAT, 1 NPS, 2 CES).
    fn answer(&mut self, kind: i64, score: Option<i64>, sent: i64, answered: i64) {
        let (start, end) = (self.period.start_ms, self.period.end_ms);
        let in_period = |v: i64| v != NONE && v >= start && v < end;
        if in_period(sent) {
            self.surveys.1 += 1;
            self.surveys.0 += i64::from(score.is_some());
        }
        let Some(score) = score.filter(|_| in_period(answered)) else { return };
        match kind {
            0 if (1..=5).contains(&score) => self.csat[(score - 1) as usize] += 1,
            1 if (0..=10).contains(&score) => self.nps[score as usize] += 1,
            2 if (1..=7).contains(&score) => self.ces[(score - 1) as usize] += 1,
            _ => {}
        }
    }

    /// The figures, with what the chunks do not hold read from `conn`.
    pub fn finish(mut self, conn: &Connection, ctx: &Ctx<'_>, dict: &Dict) -> Result<Helpdesk> {
        let (start, end) = (self.period.start_ms, self.period.end_ms);
        let mut h = std::mem::take(&mut self.h);
        h.first_response_minutes = Durations::of_ms(&mut self.first);
        h.resolution_minutes = Durations::of_ms(&mut self.resolution);
        h.handling_minutes = Durations::of_ms(&mut self.handling);
        h.fcr = Rate::new(self.fcr.0, self.fcr.1);
        h.fcr_percent = h.fcr.percent;

        // re-contact: the same customer opens another ticket within 7 days of a solve
        if !self.solved_customers.is_empty() {
            // both sorted (on two threads), then walked together: the next opening after each solve
            let (opened, solves) = (&mut self.opened, &mut self.solved_customers);
            std::thread::scope(|s| {
                s.spawn(|| opened.sort_unstable());
                solves.sort_unstable();
            });
            let opened = &self.opened;
            let mut i = 0;
            let mut again = 0i64;
            for &(c, at) in &self.solved_customers {
                while opened.get(i).is_some_and(|&o| o <= (c, at)) {
                    i += 1;
                }
                again += i64::from(opened.get(i).is_some_and(|&(oc, o)| oc == c && o <= at + WINDOW_MS));
            }
            h.recontact = Rate::new(again, self.solved_customers.len() as i64);
        }
        h.recontact_percent = h.recontact.percent;

        let rows = [("first_response", self.sla[0]), ("next_response", self.next), ("resolution", self.sla[1])];
        h.sla = rows
            .iter()
            .map(|(t, (met, all))| SlaRow {
                target: t.to_string(),
                met: *met,
                breached: all - met,
                percent: percent(*met, *all),
            })
            .collect();
        h.sla_percent = h.sla.iter().map(|r| (r.target.clone(), r.percent)).collect();
        h.breaches_total = h.sla.iter().filter(|r| r.target != "next_response").map(|r| r.breached).sum();
        h.breaches = breaches(conn, self.period, ctx)?;

        // answers with no ticket: only when nothing but a segment filters
        let f = ctx.filters;
        if f.team.is_none() && f.staff.is_none() && f.channel.is_none() && f.category.is_none() {
            let mut params = vec![Value::Integer(start), Value::Integer(end)];
            let seg = f.sql(
                On { team: None, staff: None, channel: None, category: None, customer: Some("a.customer_id") },
                &mut params,
            );
            let mut st = conn.prepare_cached(&format!(
                "SELECT a.kind, a.score, a.sent_at, a.answered_at FROM survey_answers a
                 WHERE a.ticket_id IS NULL AND a.deleted_at IS NULL
                   AND (a.answered_at >= ?1 AND a.answered_at < ?2 OR a.sent_at >= ?1 AND a.sent_at < ?2){seg}"
            ))?;
            let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
            while let Some(r) = rows.next()? {
                let kind = match r.get::<_, String>(0)?.as_str() {
                    "csat" => 0,
                    "nps" => 1,
                    "ces" => 2,
                    _ => NONE,
                };
                let (score, sent, answered): (Option<i64>, Option<i64>, Option<i64>) =
                    (r.get(1)?, r.get(2)?, r.get(3)?);
                self.answer(kind, score, sent.unwrap_or(NONE), answered.unwrap_or(NONE));
            }
        }
        let rated: i64 = self.csat.iter().sum();
        h.csat = Csat { percent: percent(self.csat[3] + self.csat[4], rated), rated, distribution: self.csat.to_vec() };
        let answers: i64 = self.nps.iter().sum();
        let promoters = self.nps[9] + self.nps[10];
        let detractors: i64 = self.nps[..=6].iter().sum();
        h.nps = Nps {
            score: (answers > 0).then(|| one_decimal((promoters - detractors) as f64 * 100.0 / answers as f64)),
            answers,
            distribution: self.nps.to_vec(),
        };
        let ces_answers: i64 = self.ces.iter().sum();
        let ces_sum: i64 = self.ces.iter().enumerate().map(|(i, n)| (i as i64 + 1) * n).sum();
        h.ces = Ces { mean: mean(ces_sum, ces_answers), answers: ces_answers, distribution: self.ces.to_vec() };
        h.surveys = Rate::new(self.surveys.0, self.surveys.1);

        // complaints per customer served; customers with a return per customer who bought
        h.complaints = Rate::new(self.complaints, self.served.len() as i64);
        let mut params = Vec::new();
        let bought = super::sales::purchases(f, start, end, &mut params);
        let buyers: i64 = conn.query_row(
            &format!("SELECT COUNT(DISTINCT i.customer_id) FROM interactions i WHERE {bought}"),
            rusqlite::params_from_iter(params.iter()),
            |r| r.get(0),
        )?;
        h.returns = Rate::new(self.returned.len() as i64, buyers);

        // the days: created, solved, and open at each day's end
        let mut open = self.open_before;
        let mut date = self.period.from.parse::<jiff::civil::Date>().ok();
        for d in 0..self.days.len() - 1 {
            open += self.open_delta[d];
            h.days.push(DayPoint {
                date: date.map(|x| x.to_string()).unwrap_or_default(),
                created: self.created_per_day[d],
                solved: self.solved_per_day[d],
                backlog: open,
            });
            date = date.and_then(|x| x.tomorrow().ok());
        }
        let [channel, team, category, priority, assignee] = std::mem::take(&mut self.volumes);
        let named = |m: Vec<i64>| -> BTreeMap<String, i64> {
            m.into_iter().enumerate().filter(|(_, n)| *n > 0).map(|(id, n)| (dict.names[id].clone(), n)).collect()
        };
        h.volume_by_channel = named(channel);
        h.volume_by_team = named(team);
        h.volume_by_category = named(category);
        h.volume_by_priority = named(priority);
        h.volume_by_assignee = named(assignee);

        // names of what the volumes and rows name
        let mut names = BTreeMap::new();
        let staff: HashMap<&str, Staff> = std::mem::take(&mut self.staff)
            .into_iter()
            .enumerate()
            .filter_map(|(id, s)| s.map(|s| (dict.names[id].as_str(), s)))
            .collect();
        {
            let mut st = conn.prepare_cached("SELECT id, name FROM teams UNION ALL SELECT id, name FROM staff")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                if h.volume_by_team.contains_key(&id)
                    || staff.contains_key(id.as_str())
                    || h.breaches.iter().any(|b| b.assignee_id.as_ref() == Some(&id))
                {
                    names.insert(id, r.get::<_, String>(1)?);
                }
            }
        }
        let mut rows: Vec<StaffRow> = staff
            .into_iter()
            .map(|(id, mut s)| StaffRow {
                name: names.get(id).cloned().unwrap_or_default(),
                staff_id: id.to_string(),
                tickets: s.tickets,
                solved: s.solved,
                first_response_median: Durations::of_ms(&mut s.first_response).median,
                resolution_median: Durations::of_ms(&mut s.resolution).median,
                csat_percent: percent(s.csat.0, s.csat.1),
                csat_rated: s.csat.1,
                fcr_percent: percent(s.fcr.0, s.fcr.1),
                sla_percent: percent(s.sla.0, s.sla.1),
            })
            .collect();
        rows.sort_by(|a, b| b.tickets.cmp(&a.tickets).then_with(|| a.name.cmp(&b.name)));
        h.staff = rows;
        h.names = names;
        Ok(h)
    }
}

/// The breached deadlines of the period, latest first (the first [`BREACHES_LISTED`]).
fn breaches(conn: &Connection, period: &Period, ctx: &Ctx<'_>) -> Result<Vec<Breach>> {
    let mut out = Vec::new();
    for (target, due, done, late) in [
        ("first_response", "t.first_response_due", "t.first_response_at", "t.first_response_breached_at"),
        ("resolution", "t.resolution_due", "t.solved_at", "t.resolution_breached_at"),
    ] {
        let mut params = vec![Value::Integer(period.start_ms), Value::Integer(period.end_ms), Value::Integer(ctx.now)];
        let f = ctx.filters.sql(on_tickets(), &mut params);
        let mut st = conn.prepare_cached(&format!(
            "SELECT {due}, {done}, t.id, t.number, t.subject, t.assignee_id FROM tickets t
             WHERE {LIVE} AND {due} >= ?1 AND {due} < ?2
               AND ({late} IS NOT NULL OR {done} IS NULL AND {due} < ?3){f}
             ORDER BY {due} DESC LIMIT {BREACHES_LISTED}"
        ))?;
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(r) = rows.next()? {
            out.push(Breach {
                due_at: r.get(0)?,
                done_at: r.get(1)?,
                ticket_id: r.get(2)?,
                number: r.get(3)?,
                subject: r.get(4)?,
                target: target.to_string(),
                assignee_id: r.get(5)?,
            });
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.due_at));
    out.truncate(BREACHES_LISTED);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guessed day of an instant is the searched one, across both clock changes of a zone
    /// that has them, at every quarter hour of a year and at each day's first and last moment.
    #[test]
    fn the_day_of_an_instant_is_found_across_clock_changes() {
        for zone in ["Europe/Berlin", "America/Santiago", "Asia/Ho_Chi_Minh"] {
            let tz = jiff::tz::TimeZone::get(zone).expect("zone");
            let from: jiff::civil::Date = "2026-01-01".parse().expect("date");
            let days = super::super::day_starts(&tz, from, 365).expect("days");
            let period = Period {
                from: "2026-01-01".into(),
                to: "2026-12-31".into(),
                days: 365,
                start_ms: days[0],
                end_ms: days[365],
            };
            let acc = Acc::new(&period, &days);
            let searched = |at: i64| days.partition_point(|&d| d <= at) - 1;
            let mut at = days[0];
            while at < days[365] {
                assert_eq!(acc.day_index(at), searched(at), "{zone} {at}");
                at += 15 * 60_000;
            }
            for w in days.windows(2) {
                assert_eq!(acc.day_index(w[0]), searched(w[0]), "{zone}");
                assert_eq!(acc.day_index(w[1] - 1), searched(w[1] - 1), "{zone}");
            }
            assert_eq!((acc.day_of(days[0] - 1), acc.day_of(days[365])), (None, None));
        }
    }
}
