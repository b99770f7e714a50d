//! Business time: a team's working hours in its time zone, closed on its holidays (its own dates
//! and, when it says so, Vietnam's public holidays: [`vn`]). SLA deadlines are "N working minutes
//! after" an instant ([`Calendar::add`]) and durations are the working time between two instants
//! ([`Calendar::between`]); both walk the calendar day by day near holidays and a time zone's
//! changes, and jump whole weeks elsewhere, so a deadline a year away costs microseconds.
//!
//! The rules:
//! - each weekday has any number of working intervals in local time (`08:00-12:00`,
//!   `13:30-17:30`); an interval whose end is before its start crosses midnight (a night shift
//!   `22:00-06:00`) and belongs to the day it starts on: a holiday closes the intervals that start
//!   on it;
//! - a local time that does not exist (a DST gap) moves forward by the gap, one that happens twice
//!   takes the earlier instant (`schedule::local_instant`'s rule), and an interval's working time
//!   is the time that really elapses in it;
//! - intervals may not overlap, within a day or across midnight into the next day.

pub mod vn;

use crate::error::{Error, FieldError, Result};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
const DAY_MIN: u16 = 1440;
/// A walk never goes further than this many days past its start (a calendar whose working time
/// is all closed by holidays has no deadline).
const MAX_DAYS: i64 = 366 * 30;
/// The longest holiday range one entry may give.
const MAX_RANGE_DAYS: i64 = 366;

/// The weekdays as written in a team's hours, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One working interval of a weekday in minutes from its midnight: `end` is after `start` and
/// at most the next day's end (an interval that crosses midnight ends past 1440).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: u16,
    pub end: u16,
}

impl Interval {
    /// `"08:00-12:00"`; `"22:00-06:00"` crosses midnight; `24:00` is the end of the day.
    pub fn parse(text: &str) -> Option<Interval> {
        let (a, b) = text.trim().split_once('-')?;
        let minutes = |t: &str| -> Option<u16> {
            let t = t.trim();
            if t == "24:00" {
                return Some(DAY_MIN);
            }
            let time = crate::schedule::local_time(t)?;
            Some(time.hour() as u16 * 60 + time.minute() as u16)
        };
        let (start, end) = (minutes(a)?, minutes(b)?);
        match (start, end) {
            (DAY_MIN, _) => None,
            (s, e) if e > s => Some(Interval { start: s, end: e }),
            (s, e) if e < s && e < DAY_MIN => Some(Interval { start: s, end: e + DAY_MIN }),
            _ => None,
        }
    }

    fn text(self) -> String {
        let hm = |m: u16| {
            let m = m % DAY_MIN;
            format!("{:02}:{:02}", m / 60, m % 60)
        };
        if self.end == DAY_MIN {
            format!("{}-24:00", hm(self.start))
        } else {
            format!("{}-{}", hm(self.start), hm(self.end))
        }
    }

    fn ms(self) -> i64 {
        i64::from(self.end - self.start) * MINUTE_MS
    }
}

/// A calendar as a team writes it (TOML, the app's form) and stores it (JSON): the zone, each
/// weekday's intervals as text, extra closed days (`2027-02-04`, or a range
/// `2027-02-04..2027-02-08`), and whether Vietnam's public holidays close it too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CalendarSpec {
    pub time_zone: String,
    /// Weekday (`mon`...`sun`) to its working intervals; a weekday not listed is closed.
    pub hours: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub holidays: Vec<String>,
    #[serde(default)]
    pub vn_public_holidays: bool,
}

impl CalendarSpec {
    /// Vietnamese office hours: Monday to Friday 08:00–12:00 and 13:30–17:30, Saturday morning,
    /// Vietnam's public holidays.
    pub fn office(time_zone: &str) -> CalendarSpec {
        let day = vec!["08:00-12:00".to_string(), "13:30-17:30".to_string()];
        let mut hours: BTreeMap<String, Vec<String>> =
            WEEKDAYS[..5].iter().map(|d| (d.to_string(), day.clone())).collect();
        hours.insert("sat".into(), vec!["08:00-12:00".into()]);
        CalendarSpec { time_zone: time_zone.into(), hours, holidays: vec![], vn_public_holidays: true }
    }
}

/// A checked calendar, ready to compute with.
#[derive(Debug, Clone)]
pub struct Calendar {
    zone: TimeZone,
    week: [Vec<Interval>; 7],
    closed: BTreeSet<Date>,
    vn: bool,
    /// Working time of a week with no holiday at a fixed offset.
    week_ms: i64,
}

fn weekday_index(d: Date) -> usize {
    d.weekday().to_monday_zero_offset() as usize
}

fn add_days(d: Date, n: i64) -> Result<Date> {
    d.checked_add(jiff::Span::new().try_days(n).map_err(bad_time)?).map_err(bad_time)
}

fn bad_time(e: jiff::Error) -> Error {
    Error::BadTime { detail: e.to_string() }
}

/// Days from 1970-01-01 to `d` (proleptic Gregorian).
fn epoch_days(d: Date) -> i64 {
    let (y, m, day) = (i64::from(d.year()), i64::from(d.month()), i64::from(d.day()));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Local times to instants, through the zone's fixed offset while well inside a stretch without
/// a change of offset, and through jiff near one (a gap or a fold).
struct Offsets<'a> {
    zone: &'a TimeZone,
    offset_ms: i64,
    /// The stretch (instants) where `offset_ms` holds with a day's margin on either side.
    safe: (i64, i64),
}

impl<'a> Offsets<'a> {
    fn new(zone: &'a TimeZone) -> Self {
        Offsets { zone, offset_ms: 0, safe: (i64::MAX, i64::MIN) }
    }

    fn refresh(&mut self, around_ms: i64) {
        let Ok(ts) = jiff::Timestamp::from_millisecond(around_ms) else {
            self.safe = (i64::MAX, i64::MIN);
            return;
        };
        self.offset_ms = i64::from(self.zone.to_offset(ts).seconds()) * 1000;
        let before = self.zone.preceding(ts).next().map(|t| t.timestamp().as_millisecond()).unwrap_or(i64::MIN / 2);
        let after = self.zone.following(ts).next().map(|t| t.timestamp().as_millisecond()).unwrap_or(i64::MAX / 2);
        self.safe = (before.saturating_add(DAY_MS), after.saturating_sub(DAY_MS));
    }

    /// The instant of `minutes` after the local midnight of `d` (past 1440: the next day).
    fn instant(&mut self, d: Date, minutes: u16) -> Result<i64> {
        let naive = epoch_days(d) * DAY_MS + i64::from(minutes) * MINUTE_MS;
        let guess = naive - self.offset_ms;
        if guess >= self.safe.0 && guess < self.safe.1 {
            return Ok(guess);
        }
        let day = add_days(d, i64::from(minutes / DAY_MIN))?;
        let m = minutes % DAY_MIN;
        let time = Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).map_err(bad_time)?;
        let ms = crate::schedule::local_instant(day, time, self.zone)?;
        self.refresh(ms);
        Ok(ms)
    }

    /// Whether the days from `d` for `days` days (and a day beyond) are all at the current
    /// offset, well away from any change.
    fn fixed_for(&mut self, d: Date, days: i64) -> Result<bool> {
        let start = self.instant(d, 0)?;
        Ok(start >= self.safe.0 && start.saturating_add((days + 2) * DAY_MS) < self.safe.1)
    }
}

impl Calendar {
    /// Checks a calendar; every problem is named at its place (`hours.mon[1]`, `holidays[2]`,
    /// `time_zone`).
    pub fn new(spec: &CalendarSpec) -> Result<Calendar> {
        let mut errors = Vec::new();
        let zone = match jiff::tz::db().get(spec.time_zone.trim()) {
            Ok(z) if !spec.time_zone.trim().is_empty() => Some(z),
            _ => {
                errors
                    .push(FieldError::new("time_zone", "validation.time_zone_invalid").with("value", &spec.time_zone));
                None
            }
        };
        let mut week: [Vec<Interval>; 7] = Default::default();
        for (day, intervals) in &spec.hours {
            let Some(i) = WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(day.trim())) else {
                errors.push(FieldError::new(format!("hours.{day}"), "calendar.weekday_unknown").with("value", day));
                continue;
            };
            for (n, text) in intervals.iter().enumerate() {
                match Interval::parse(text) {
                    Some(iv) => week[i].push(iv),
                    None => errors.push(
                        FieldError::new(format!("hours.{}[{n}]", WEEKDAYS[i]), "calendar.interval_invalid")
                            .with("value", text),
                    ),
                }
            }
            week[i].sort();
        }
        // no overlap within a day, nor from a night shift into the next day's first interval
        for i in 0..7 {
            for w in week[i].windows(2) {
                if w[1].start < w[0].end {
                    errors.push(
                        FieldError::new(format!("hours.{}", WEEKDAYS[i]), "calendar.intervals_overlap")
                            .with("value", format!("{}, {}", w[0].text(), w[1].text())),
                    );
                }
            }
            let next = &week[(i + 1) % 7];
            if let (Some(last), Some(first)) = (week[i].last(), next.first()) {
                if last.end > DAY_MIN && last.end - DAY_MIN > first.start {
                    errors.push(
                        FieldError::new(format!("hours.{}", WEEKDAYS[i]), "calendar.intervals_overlap")
                            .with("value", format!("{}, {} {}", last.text(), WEEKDAYS[(i + 1) % 7], first.text())),
                    );
                }
            }
        }
        let mut closed = BTreeSet::new();
        for (n, text) in spec.holidays.iter().enumerate() {
            match holiday_range(text) {
                Some((a, b)) => {
                    let mut d = a;
                    while d <= b {
                        closed.insert(d);
                        d = match d.tomorrow() {
                            Ok(t) => t,
                            Err(_) => break,
                        };
                    }
                }
                None => errors
                    .push(FieldError::new(format!("holidays[{n}]"), "calendar.holiday_invalid").with("value", text)),
            }
        }
        let week_ms: i64 = week.iter().flatten().map(|iv| iv.ms()).sum();
        if week_ms == 0 && errors.is_empty() {
            errors.push(FieldError::new("hours", "calendar.no_hours"));
        }
        match zone {
            Some(zone) if errors.is_empty() => {
                Ok(Calendar { zone, week, closed, vn: spec.vn_public_holidays, week_ms })
            }
            _ => Err(Error::Validation(errors)),
        }
    }

    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// Whether no working interval starts on `d` because it is a holiday.
    pub fn is_holiday(&self, d: Date) -> bool {
        self.closed.contains(&d) || (self.vn && vn::is_holiday(d))
    }

    /// The first holiday on or after `d`, if one comes within the walk's reach.
    fn next_holiday(&self, d: Date) -> Option<Date> {
        let own = self.closed.range(d..).next().copied();
        let national = if self.vn {
            (d.year()..=d.year().saturating_add(1))
                .flat_map(|y| vn::holidays(y).iter().map(|h| h.date))
                .find(|h| *h >= d)
        } else {
            None
        };
        match (own, national) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// How many whole weeks from `d` hold no holiday and no change of offset (the walk may jump them).
    fn clear_weeks(&self, d: Date, offsets: &mut Offsets, want: i64) -> Result<i64> {
        if want <= 0 {
            return Ok(0);
        }
        let mut weeks = want;
        if let Some(h) = self.next_holiday(d) {
            weeks = weeks.min((epoch_days(h) - epoch_days(d)) / 7);
        }
        while weeks > 0 && !offsets.fixed_for(d, weeks * 7)? {
            weeks /= 2;
        }
        Ok(weeks)
    }

    fn intervals(&self, d: Date) -> &[Interval] {
        if self.is_holiday(d) {
            &[]
        } else {
            &self.week[weekday_index(d)]
        }
    }

    fn start_day(&self, from_ms: i64) -> Result<Date> {
        // the day before: its night shift may still be running
        add_days(crate::schedule::local_date(from_ms, &self.zone), -1)
    }

    /// The instant `minutes` working minutes after `from_ms` (an SLA deadline). Zero minutes is
    /// `from_ms` itself.
    pub fn add(&self, from_ms: i64, minutes: i64) -> Result<i64> {
        self.add_ms(from_ms, minutes.max(0).saturating_mul(MINUTE_MS))
    }

    /// The instant `ms` of working time after `from_ms` (a deadline moved by a pause's working time).
    pub fn add_ms(&self, from_ms: i64, ms: i64) -> Result<i64> {
        let mut left = ms.max(0);
        if left == 0 {
            return Ok(from_ms);
        }
        let mut offsets = Offsets::new(&self.zone);
        let mut d = self.start_day(from_ms)?;
        let first = d;
        loop {
            if epoch_days(d) - epoch_days(first) > MAX_DAYS {
                return Err(Error::invalid("hours", "calendar.no_working_time"));
            }
            // whole weeks, once the walk is past `from_ms`
            if left > self.week_ms && offsets.instant(d, 0)? >= from_ms {
                let weeks = self.clear_weeks(d, &mut offsets, (left - 1) / self.week_ms)?;
                if weeks > 0 {
                    left -= weeks * self.week_ms;
                    d = add_days(d, weeks * 7)?;
                    continue;
                }
            }
            for iv in self.intervals(d) {
                let s = offsets.instant(d, iv.start)?.max(from_ms);
                let e = offsets.instant(d, iv.end)?;
                if e <= s {
                    continue;
                }
                if e - s >= left {
                    return Ok(s + left);
                }
                left -= e - s;
            }
            d = add_days(d, 1)?;
        }
    }

    /// The working time (ms) between two instants; zero when `to_ms` is not after `from_ms`.
    pub fn between(&self, from_ms: i64, to_ms: i64) -> Result<i64> {
        if to_ms <= from_ms {
            return Ok(0);
        }
        let mut offsets = Offsets::new(&self.zone);
        let mut d = self.start_day(from_ms)?;
        let last = crate::schedule::local_date(to_ms, &self.zone);
        let mut total = 0i64;
        while d <= last {
            let day0 = offsets.instant(d, 0)?;
            if day0 >= from_ms {
                let days_left = epoch_days(last) - epoch_days(d);
                let weeks = self.clear_weeks(d, &mut offsets, (days_left - 2) / 7)?;
                if weeks > 0 {
                    total += weeks * self.week_ms;
                    d = add_days(d, weeks * 7)?;
                    continue;
                }
            }
            for iv in self.intervals(d) {
                let s = offsets.instant(d, iv.start)?.max(from_ms);
                let e = offsets.instant(d, iv.end)?.min(to_ms);
                if e > s {
                    total += e - s;
                }
            }
            d = add_days(d, 1)?;
        }
        Ok(total)
    }

    /// Whether `at_ms` falls in a working interval.
    pub fn is_working(&self, at_ms: i64) -> Result<bool> {
        Ok(self.between(at_ms, at_ms + 1)? > 0)
    }

    /// The working intervals of each weekday as text (the form shows them), Monday first.
    pub fn hours_text(&self) -> Vec<Vec<String>> {
        self.week.iter().map(|day| day.iter().map(|iv| iv.text()).collect()).collect()
    }
}

/// `2027-02-04` or `2027-02-04..2027-02-08` (both ends included, at most a year).
fn holiday_range(text: &str) -> Option<(Date, Date)> {
    let t = text.trim();
    let (a, b) = match t.split_once("..") {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (t, t),
    };
    let (a, b): (Date, Date) = (a.parse().ok()?, b.parse().ok()?);
    let days = epoch_days(b) - epoch_days(a);
    ((0..MAX_RANGE_DAYS).contains(&days)
        && (crate::schedule::FIRST_DAY..=crate::schedule::LAST_DAY).contains(&a)
        && b <= crate::schedule::LAST_DAY)
        .then_some((a, b))
}
