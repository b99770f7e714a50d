//! The helpdesk's KPIs (`docs/kpis.md`, "Helpdesk"): each scan reads the tickets by the instant
//! its KPIs are about, through an index on that instant, and aggregates in one pass.

use super::stats::{bucket, mean, one_decimal, percent, Durations, Rate};
use super::{Job, On, TimeBasis};
use crate::error::Result;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;
use serde::Serialize;
use specta::Type;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};

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
    #[specta(type = f64)]
    pub due_at: i64,
    /// When it was answered or solved after all; None while it still is not.
    #[specta(type = Option<f64>)]
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

/// A customer id as a number (the scans compare many without keeping their text).
fn key_of(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

fn text(v: ValueRef<'_>) -> Option<&str> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok(),
        _ => None,
    }
}

fn int(v: ValueRef<'_>) -> Option<i64> {
    match v {
        ValueRef::Integer(i) => Some(i),
        _ => None,
    }
}

/// A count in a map keyed by text, allocating only for a key not seen yet.
fn add(map: &mut HashMap<String, i64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
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

fn staff_of<'m>(map: &'m mut HashMap<String, Staff>, id: Option<&str>) -> Option<&'m mut Staff> {
    let id = id?;
    if !map.contains_key(id) {
        map.insert(id.to_string(), Staff::default());
    }
    map.get_mut(id)
}

/// The day of the period an instant falls on (`None` outside it).
fn day_of(days: &[i64], at: i64) -> Option<usize> {
    if at < days[0] || at >= days[days.len() - 1] {
        return None;
    }
    Some(days.partition_point(|&d| d <= at) - 1)
}

fn folded(list: &[String]) -> HashSet<String> {
    list.iter().map(|c| crate::fold::fold(c)).collect()
}

const LIVE: &str = "t.deleted_at IS NULL AND t.merged_into IS NULL";

fn on_tickets() -> On<'static> {
    On {
        team: Some("t.team_id"),
        staff: Some("t.assignee_id"),
        channel: Some("t.channel"),
        category: Some("t.category"),
        customer: Some("t.customer_id"),
    }
}

/// Runs `sql` (its `{f}` the filters on tickets `t`) with `params` first, row by row.
fn scan(
    conn: &Connection,
    job: &Job,
    sql: &str,
    mut params: Vec<Value>,
    mut each: impl FnMut(&rusqlite::Row<'_>) -> Result<()>,
) -> Result<()> {
    let f = job.filters.sql(on_tickets(), &mut params);
    let mut st = conn.prepare(&sql.replace("{f}", &f))?;
    let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
    while let Some(r) = rows.next()? {
        each(r)?;
    }
    Ok(())
}

pub(super) fn compute(conn: &Connection, job: &Job) -> Result<Helpdesk> {
    let (start, end) = (job.period.start_ms, job.period.end_ms);
    let business = job.basis == TimeBasis::Business;
    let ndays = job.days.len() - 1;
    let mut h = Helpdesk { first_response_buckets: vec![0; 5], ..Default::default() };
    let mut created_per_day = vec![0i64; ndays];
    let mut solved_per_day = vec![0i64; ndays];
    // +1 at the day a ticket is first open at the end of, −1 at the day it stops being
    let mut open_delta = vec![0i64; ndays + 1];
    let mut staff: HashMap<String, Staff> = HashMap::new();
    let (mut channel, mut team, mut category, mut priority, mut assignee) =
        (HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new());
    let complaint = folded(&job.settings.complaint_categories);
    let returns = folded(&job.settings.return_categories);
    let (mut complaints, mut served, mut returned) = (0i64, HashSet::new(), HashSet::new());
    // a ticket open during the period counts in the backlog from the end of the day it was
    // created on (or the period's first day) to the day it was solved on
    let open_span = |created: i64, solved: Option<i64>, delta: &mut Vec<i64>| {
        let from = if created < start { 0 } else { job.days.partition_point(|&d| d <= created) - 1 };
        let to = match solved {
            Some(s) if s < end => {
                if s < start {
                    return;
                }
                job.days.partition_point(|&d| d <= s) - 1
            }
            _ => ndays,
        };
        if from < to {
            delta[from] += 1;
            delta[to] -= 1;
        }
    };

    // created in the period: volume, complaints, customers served, returns
    scan(
        conn,
        job,
        &format!(
            "SELECT t.created_at, t.channel, t.team_id, t.category, t.priority, t.assignee_id, t.customer_id, t.solved_at
             FROM tickets t WHERE {LIVE} AND t.created_at >= ? AND t.created_at < ?{{f}}"
        ),
        vec![Value::Integer(start), Value::Integer(end)],
        |r| {
            let created: i64 = r.get(0)?;
            h.tickets += 1;
            if let Some(d) = day_of(&job.days, created) {
                created_per_day[d] += 1;
            }
            add(&mut channel, text(r.get_ref(1)?).unwrap_or(""));
            add(&mut team, text(r.get_ref(2)?).unwrap_or(""));
            let cat = text(r.get_ref(3)?).unwrap_or("");
            add(&mut category, cat);
            add(&mut priority, text(r.get_ref(4)?).unwrap_or(""));
            let who = text(r.get_ref(5)?);
            add(&mut assignee, who.unwrap_or(""));
            if let Some(s) = staff_of(&mut staff, who) {
                s.tickets += 1;
            }
            let customer = key_of(text(r.get_ref(6)?).unwrap_or(""));
            served.insert(customer);
            if !cat.is_empty() && (!complaint.is_empty() || !returns.is_empty()) {
                let c = crate::fold::fold(cat);
                if complaint.contains(&c) {
                    complaints += 1;
                }
                if returns.contains(&c) {
                    returned.insert(customer);
                }
            }
            // open during the period, still open or solved after its start
            let solved = int(r.get_ref(7)?);
            if solved.is_none() {
                open_span(created, None, &mut open_delta);
            }
            Ok(())
        },
    )?;

    // first answered in the period
    let mut first: Vec<i64> = Vec::new();
    let fr_col = if business { "t.first_response_work_ms" } else { "t.first_response_ms" };
    scan(
        conn,
        job,
        &format!(
            "SELECT {fr_col}, t.assignee_id FROM tickets t
             WHERE {LIVE} AND t.first_response_at >= ? AND t.first_response_at < ? AND {fr_col} IS NOT NULL{{f}}"
        ),
        vec![Value::Integer(start), Value::Integer(end)],
        |r| {
            let ms: i64 = r.get(0)?;
            first.push(ms);
            h.first_response_buckets[bucket(ms)] += 1;
            if let Some(s) = staff_of(&mut staff, text(r.get_ref(1)?)) {
                s.first_response.push(ms);
            }
            Ok(())
        },
    )?;
    h.first_response_minutes = Durations::of_ms(&mut first);
    drop(first);

    // the SLA policies with a next-response target
    let next_targets: HashSet<String> = {
        let mut st =
            conn.prepare("SELECT id FROM sla_policies WHERE next_response_minutes IS NOT NULL AND deleted_at IS NULL")?;
        let ids = st.query_map([], |r| r.get::<_, String>(0))?;
        ids.collect::<rusqlite::Result<_>>()?
    };

    // solved in the period (and after it: the backlog's days)
    let (mut resolution, mut handling) = (Vec::new(), Vec::new());
    let (mut fcr, mut fcr_of) = (0i64, 0i64);
    let (mut next_met, mut next_breached) = (0i64, 0i64);
    let mut solved_customers: Vec<(u64, i64)> = Vec::new();
    let (res_col, hand_col) =
        if business { ("t.resolution_work_ms", "t.handling_work_ms") } else { ("t.resolution_ms", "t.handling_ms") };
    scan(
        conn,
        job,
        &format!(
            "SELECT t.solved_at, t.created_at, {res_col}, {hand_col}, t.replies, t.reopened_at, t.first_solved_at,
                t.customer_id, t.assignee_id, t.sla_id, t.next_response_breached_at
             FROM tickets t WHERE {LIVE} AND t.solved_at >= ?{{f}}"
        ),
        vec![Value::Integer(start)],
        |r| {
            let (solved, created): (i64, i64) = (r.get(0)?, r.get(1)?);
            open_span(created, Some(solved), &mut open_delta);
            let Some(d) = day_of(&job.days, solved) else { return Ok(()) };
            h.solved += 1;
            solved_per_day[d] += 1;
            let who = text(r.get_ref(8)?);
            let mut s = staff_of(&mut staff, who);
            if let Some(s) = s.as_deref_mut() {
                s.solved += 1;
            }
            if let Some(ms) = int(r.get_ref(2)?) {
                resolution.push(ms);
                if let Some(s) = s.as_deref_mut() {
                    s.resolution.push(ms);
                }
            }
            if let Some(ms) = int(r.get_ref(3)?) {
                handling.push(ms);
            }
            if let Some(replies) = int(r.get_ref(4)?) {
                let reopened = int(r.get_ref(5)?);
                let first_solved = int(r.get_ref(6)?).unwrap_or(solved);
                let early = reopened.is_some_and(|at| at - first_solved <= WINDOW_MS);
                let one = replies == 1 && !early;
                fcr_of += 1;
                fcr += i64::from(one);
                if let Some(s) = s.as_deref_mut() {
                    s.fcr.1 += 1;
                    s.fcr.0 += i64::from(one);
                }
            }
            solved_customers.push((key_of(text(r.get_ref(7)?).unwrap_or("")), solved));
            if text(r.get_ref(9)?).is_some_and(|id| next_targets.contains(id)) {
                let late = int(r.get_ref(10)?).is_some();
                if late {
                    next_breached += 1;
                } else {
                    next_met += 1;
                }
                if let Some(s) = s {
                    s.sla.1 += 1;
                    s.sla.0 += i64::from(!late);
                }
            }
            Ok(())
        },
    )?;
    h.resolution_minutes = Durations::of_ms(&mut resolution);
    h.handling_minutes = Durations::of_ms(&mut handling);
    h.fcr = Rate::new(fcr, fcr_of);
    h.fcr_percent = h.fcr.percent;

    // re-contact: the same customer opens another ticket within 7 days of a solve (any ticket)
    if !solved_customers.is_empty() {
        let mut opened: Vec<(u64, i64)> = Vec::new();
        let mut st = conn.prepare(&format!(
            "SELECT t.customer_id, t.created_at FROM tickets t WHERE {LIVE} AND t.created_at > ? AND t.created_at <= ?"
        ))?;
        let mut rows = st.query([start, end + WINDOW_MS])?;
        while let Some(r) = rows.next()? {
            opened.push((key_of(text(r.get_ref(0)?).unwrap_or("")), r.get(1)?));
        }
        opened.sort_unstable();
        let again = solved_customers
            .iter()
            .filter(|&&(c, at)| {
                let i = opened.partition_point(|&(oc, o)| (oc, o) <= (c, at));
                opened.get(i).is_some_and(|&(oc, o)| oc == c && o <= at + WINDOW_MS)
            })
            .count() as i64;
        h.recontact = Rate::new(again, solved_customers.len() as i64);
    }
    h.recontact_percent = h.recontact.percent;

    // deadlines in the period: met, or breached (answered late, or not answered and passed)
    let mut breaches: Vec<Breach> = Vec::new();
    let mut sla_rows = Vec::new();
    for (target, due, done, late) in [
        ("first_response", "t.first_response_due", "t.first_response_at", "t.first_response_breached_at"),
        ("resolution", "t.resolution_due", "t.solved_at", "t.resolution_breached_at"),
    ] {
        let (mut met, mut breached) = (0i64, 0i64);
        scan(
            conn,
            job,
            &format!(
                "SELECT {due}, {done}, {late}, t.id, t.number, t.subject, t.assignee_id FROM tickets t
                 WHERE {LIVE} AND {due} >= ? AND {due} < ?{{f}}"
            ),
            vec![Value::Integer(start), Value::Integer(end)],
            |r| {
                let due_at: i64 = r.get(0)?;
                let done_at = int(r.get_ref(1)?);
                let was_late = int(r.get_ref(2)?).is_some();
                let who = text(r.get_ref(6)?);
                let ok = match (done_at, was_late) {
                    (Some(_), false) => true,
                    (Some(_), true) => false,
                    // not done yet: breached once the deadline passed, else still to come
                    (None, _) if due_at < job.now => false,
                    (None, _) => return Ok(()),
                };
                if let Some(s) = staff_of(&mut staff, who) {
                    s.sla.1 += 1;
                    s.sla.0 += i64::from(ok);
                }
                if ok {
                    met += 1;
                    return Ok(());
                }
                breached += 1;
                breaches.push(Breach {
                    ticket_id: r.get(3)?,
                    number: r.get(4)?,
                    subject: r.get(5)?,
                    target: target.to_string(),
                    due_at,
                    done_at,
                    assignee_id: who.map(str::to_string),
                });
                Ok(())
            },
        )?;
        sla_rows.push(SlaRow { target: target.into(), met, breached, percent: percent(met, met + breached) });
    }
    sla_rows.insert(
        1,
        SlaRow {
            target: "next_response".into(),
            met: next_met,
            breached: next_breached,
            percent: percent(next_met, next_met + next_breached),
        },
    );
    h.sla_percent = sla_rows.iter().map(|r| (r.target.clone(), r.percent)).collect();
    h.sla = sla_rows;
    h.breaches_total = breaches.len() as i64;
    breaches.sort_by_key(|b| std::cmp::Reverse(b.due_at));
    breaches.truncate(BREACHES_LISTED);
    h.breaches = breaches;

    // surveys: answers in the period, and the ones sent in it
    let mut csat = [0i64; 5];
    let mut nps = [0i64; 11];
    let mut ces = [0i64; 7];
    let (mut sent, mut answered) = (0i64, 0i64);
    {
        let mut params = vec![Value::Integer(start), Value::Integer(end)];
        let on = On { customer: Some("a.customer_id"), ..on_tickets() };
        {
            let f = job.filters.sql(on, &mut params);
            let join = if job.filters.any() { "JOIN" } else { "LEFT JOIN" };
            let mut st = conn.prepare(&format!(
                "SELECT a.kind, a.score, a.answered_at, a.sent_at, t.assignee_id FROM survey_answers a
                 {join} tickets t ON t.id = a.ticket_id
                 WHERE a.deleted_at IS NULL AND (a.answered_at >= ?1 AND a.answered_at < ?2 OR a.sent_at >= ?1 AND a.sent_at < ?2){f}"
            ))?;
            let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
            while let Some(r) = rows.next()? {
                let score = int(r.get_ref(1)?);
                let in_period = |v: Option<i64>| v.is_some_and(|at| at >= start && at < end);
                if in_period(int(r.get_ref(3)?)) {
                    sent += 1;
                    answered += i64::from(score.is_some());
                }
                let answered_in = in_period(int(r.get_ref(2)?));
                let Some(score) = score.filter(|_| answered_in) else { continue };
                match text(r.get_ref(0)?) {
                    Some("csat") if (1..=5).contains(&score) => {
                        csat[(score - 1) as usize] += 1;
                        if let Some(s) = staff_of(&mut staff, text(r.get_ref(4)?)) {
                            s.csat.1 += 1;
                            s.csat.0 += i64::from(score >= 4);
                        }
                    }
                    Some("nps") if (0..=10).contains(&score) => nps[score as usize] += 1,
                    Some("ces") if (1..=7).contains(&score) => ces[(score - 1) as usize] += 1,
                    _ => {}
                }
            }
        }
    }
    let rated: i64 = csat.iter().sum();
    h.csat = Csat { percent: percent(csat[3] + csat[4], rated), rated, distribution: csat.to_vec() };
    let answers: i64 = nps.iter().sum();
    let promoters: i64 = nps[9] + nps[10];
    let detractors: i64 = nps[..=6].iter().sum();
    h.nps = Nps {
        score: (answers > 0).then(|| one_decimal((promoters - detractors) as f64 * 100.0 / answers as f64)),
        answers,
        distribution: nps.to_vec(),
    };
    let ces_answers: i64 = ces.iter().sum();
    let ces_sum: i64 = ces.iter().enumerate().map(|(i, n)| (i as i64 + 1) * n).sum();
    h.ces = Ces { mean: mean(ces_sum, ces_answers), answers: ces_answers, distribution: ces.to_vec() };
    h.surveys = Rate::new(answered, sent);

    // complaints per customer served; customers with a return per customer who bought
    h.complaints = Rate::new(complaints, served.len() as i64);
    {
        let mut params = vec![Value::Integer(start), Value::Integer(end)];
        let on = On {
            team: None,
            staff: Some("i.staff_id"),
            channel: None,
            category: None,
            customer: Some("i.customer_id"),
        };
        let f = job.filters.sql(on, &mut params);
        let buyers: i64 = conn.query_row(
            &format!(
                "SELECT COUNT(DISTINCT i.customer_id) FROM interactions i
                 WHERE i.kind = 'purchase' AND i.deleted_at IS NULL AND i.occurred_at >= ? AND i.occurred_at < ?{f}"
            ),
            rusqlite::params_from_iter(params.iter()),
            |r| r.get(0),
        )?;
        h.returns = Rate::new(returned.len() as i64, buyers);
    }

    // the days: created, solved, and open at each day's end (the tickets open before the period
    // that are still open count from its first day)
    let mut params = vec![Value::Integer(start)];
    let f = job.filters.sql(on_tickets(), &mut params);
    let open_before: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM tickets t WHERE {LIVE} AND t.solved_at IS NULL AND t.created_at < ?{f}"),
        rusqlite::params_from_iter(params.iter()),
        |r| r.get(0),
    )?;
    let mut open = open_before;
    let mut date = job.period.from.parse::<jiff::civil::Date>().ok();
    for d in 0..ndays {
        open += open_delta[d];
        h.days.push(DayPoint {
            date: date.map(|x| x.to_string()).unwrap_or_default(),
            created: created_per_day[d],
            solved: solved_per_day[d],
            backlog: open,
        });
        date = date.and_then(|x| x.tomorrow().ok());
    }

    let named = |m: HashMap<String, i64>| -> BTreeMap<String, i64> { m.into_iter().collect() };
    h.volume_by_channel = named(channel);
    h.volume_by_team = named(team);
    h.volume_by_category = named(category);
    h.volume_by_priority = named(priority);
    h.volume_by_assignee = named(assignee);

    // names of what the volumes and rows name
    let mut names = BTreeMap::new();
    {
        let mut st = conn.prepare("SELECT id, name FROM teams UNION ALL SELECT id, name FROM staff")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            if h.volume_by_team.contains_key(&id) || staff.contains_key(&id) {
                names.insert(id, r.get::<_, String>(1)?);
            }
        }
    }
    let mut rows: Vec<StaffRow> = staff
        .into_iter()
        .map(|(id, mut s)| StaffRow {
            name: names.get(&id).cloned().unwrap_or_default(),
            staff_id: id,
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
