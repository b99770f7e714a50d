//! When recurring work is due, in business time (the workspace zone), and waiting for it on the
//! injected [`Clock`]: the daily backup uses it today; care reminders and SLA timers will. One
//! rule for a local time on a local day, used by everything that schedules:
//! - a local time that does not exist that day (a DST gap) moves forward by the gap;
//! - one that happens twice (a DST fold) takes the earlier instant;
//! - "N days after" counts calendar days from the anchor's local date, "N hours after" elapsed time;
//! - a yearly date on 29 February falls on 28 February in other years.

use crate::clock::Clock;
use jiff::civil::{Date, Time};
use jiff::tz::{Disambiguation, TimeZone};

/// The calendar date an instant (UTC ms) falls on in `zone`: every calendar rule (today, a day's
/// boundaries) goes through this, never through the UTC date. Instants beyond jiff's range
/// (far outside any clock) are clamped to it.
pub fn today_in(zone: &jiff::tz::TimeZone, now_ms: i64) -> jiff::civil::Date {
    let t = jiff::Timestamp::from_millisecond(now_ms).unwrap_or(if now_ms < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    });
    t.to_zoned(zone.clone()).date()
}

/// The instant (UTC ms) a calendar day starts in `zone`: its midnight, or the first moment after
/// the gap on a day whose midnight is skipped for daylight saving.
pub fn day_start_ms(zone: &jiff::tz::TimeZone, day: jiff::civil::Date) -> crate::Result<i64> {
    let start = day
        .to_zoned(zone.clone())
        .map_err(|e| crate::Error::BadTime { detail: format!("start of {day} in the time zone: {e}") })?;
    Ok(start.timestamp().as_millisecond())
}

/// "09:00" or "9:30" (24-hour clock).
pub fn local_time(t: &str) -> Option<jiff::civil::Time> {
    let (h, m) = t.split_once(':')?;
    let digits = |s: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 1..=2) || !digits(m, 2..=2) {
        return None;
    }
    jiff::civil::Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

/// The instant (UTC ms) of `time` on `date` in `tz`, by the rule above.
pub fn local_instant(date: Date, time: Time, tz: &TimeZone) -> crate::Result<i64> {
    let zoned = tz
        .to_ambiguous_zoned(date.to_datetime(time))
        .disambiguate(Disambiguation::Compatible)
        .map_err(|e| crate::Error::BadTime { detail: format!("{date} {time} in {}: {e}", tz_name(tz)) })?;
    Ok(zoned.timestamp().as_millisecond())
}

fn tz_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("the time zone").to_string()
}

/// The local date of an instant in `tz`.
pub fn local_date(ms: i64, tz: &TimeZone) -> Date {
    today_in(tz, ms)
}

/// The instant `days` local days after the local date of `anchor_ms`, at `at` (care steps "N
/// days after the purchase at 09:00"; `days` may be negative). Counted on the calendar, so a day
/// across a DST change is still one day; the local time follows [`local_instant`]'s rule.
pub fn days_after(anchor_ms: i64, days: i64, at: Time, tz: &TimeZone) -> crate::Result<i64> {
    let bad = |e: jiff::Error| crate::Error::BadTime { detail: format!("{days} days after the anchor: {e}") };
    let day = local_date(anchor_ms, tz).checked_add(jiff::Span::new().try_days(days).map_err(bad)?).map_err(bad)?;
    local_instant(day, at, tz)
}

/// The instant `hours` hours after `anchor_ms` (care steps "N hours after"): elapsed time, so a
/// DST change in between does not move it.
pub fn hours_after(anchor_ms: i64, hours: i64) -> crate::Result<i64> {
    hours
        .checked_mul(3_600_000)
        .and_then(|d| anchor_ms.checked_add(d))
        .ok_or_else(|| crate::Error::BadTime { detail: format!("{hours} hours after the anchor") })
}

/// A yearly date (a birthday, a contract's anniversary) in `year`: 29 February falls on 28
/// February in a year that has none.
pub fn in_year(month: i8, day: i8, year: i16) -> crate::Result<Date> {
    Date::new(year, month, day)
        .or_else(|_| if (month, day) == (2, 29) { Date::new(year, 2, 28) } else { Date::new(year, month, day) })
        .map_err(|e| crate::Error::BadTime { detail: format!("{day}/{month} in {year}: {e}") })
}

/// The next occurrence of a yearly date on or after `today` (a birthday today is today's).
pub fn yearly_on_or_after(month: i8, day: i8, today: Date) -> crate::Result<Date> {
    let this_year = in_year(month, day, today.year())?;
    if this_year >= today {
        return Ok(this_year);
    }
    in_year(month, day, today.year() + 1)
}

/// The first day a person may give for care work (a task's due time or reminder, a plan's anchor).
pub const FIRST_DAY: Date = jiff::civil::date(1900, 1, 1);
/// The last such day: with a plan's steps up to ten years on and the yearly dates after it, every
/// instant derived from one stays far inside what the calendar represents.
pub const LAST_DAY: Date = jiff::civil::date(2999, 12, 31);

/// `field` out of the range of days a person may give, echoing what was given.
fn out_of_range(field: &str, value: &str) -> crate::Error {
    crate::Error::Validation(vec![crate::FieldError::new(field, "validation.out_of_range")
        .with("value", value)
        .with("min", FIRST_DAY.to_string())
        .with("max", LAST_DAY.to_string())])
}

/// A day given for care work (`anchor_date`), within [`FIRST_DAY`]..=[`LAST_DAY`]; else a field
/// error on `field`.
pub fn check_day(field: &str, day: Date) -> crate::Result<Date> {
    if (FIRST_DAY..=LAST_DAY).contains(&day) {
        Ok(day)
    } else {
        Err(out_of_range(field, &day.to_string()))
    }
}

/// An instant given for care work (a reminder, a due time) whose local day in `tz` is within
/// [`FIRST_DAY`]..=[`LAST_DAY`]; else a field error on `field`, never [`crate::Error::BadTime`].
pub fn check_instant(field: &str, ms: i64, tz: &TimeZone) -> crate::Result<i64> {
    let shown = || jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_else(|_| format!("{ms} ms"));
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) if (FIRST_DAY..=LAST_DAY).contains(&t.to_zoned(tz.clone()).date()) => Ok(ms),
        _ => Err(out_of_range(field, &shown())),
    }
}

/// An instant as a person gives it on the command line (`--until`, `--due`, `--due-before`):
/// - an instant in RFC 3339, `2026-12-10T14:30:00+07:00` or `...Z`;
/// - a local date in the workspace zone `tz`, as [`crate::validate::typed_date`] reads one
///   (`2026-12-10`, `10/12/2026`), optionally with a local time (`2026-12-10 14:30`); a date
///   alone is at `at` that day, or its start when `at` is none.
///
/// Text that is neither is `validation.when_invalid` on `field`; a day outside
/// [`FIRST_DAY`]..=[`LAST_DAY`] (`9999-12-31T23:59:59Z`) is `validation.out_of_range`.
pub fn parse_when(field: &str, text: &str, tz: &TimeZone, today: Date, at: Option<Time>) -> crate::Result<i64> {
    let t = text.trim();
    let invalid =
        || crate::Error::Validation(vec![crate::FieldError::new(field, "validation.when_invalid").with("value", text)]);
    let local = |day: Date, time: Option<Time>| -> crate::Result<i64> {
        check_day(field, day).map_err(|_| out_of_range(field, text))?;
        let ms = match time.or(at) {
            Some(time) => local_instant(day, time, tz)?,
            None => day_start_ms(tz, day)?,
        };
        check_instant(field, ms, tz).map_err(|_| out_of_range(field, text))
    };
    if let Ok(pieces) = jiff::fmt::temporal::Pieces::parse(t) {
        // read as the calendar writes it, before it is an instant: a year the instant cannot
        // hold is out of range, not "not a date"
        check_day(field, pieces.date()).map_err(|_| out_of_range(field, text))?;
        if pieces.time_zone_annotation().is_some() {
            let zoned = t.parse::<jiff::Zoned>().map_err(|_| invalid())?;
            return check_instant(field, zoned.timestamp().as_millisecond(), tz).map_err(|_| out_of_range(field, text));
        }
        if pieces.offset().is_some() {
            let ts = t.parse::<jiff::Timestamp>().map_err(|_| invalid())?;
            return check_instant(field, ts.as_millisecond(), tz).map_err(|_| out_of_range(field, text));
        }
        return local(pieces.date(), pieces.time());
    }
    // a day as typed (day first), and perhaps a time of day after a space
    let (day, time) = match t.rsplit_once(' ').and_then(|(d, h)| Some((d, local_time(h.trim())?))) {
        Some((d, time)) => (d.trim(), Some(time)),
        None => (t, None),
    };
    match crate::validate::typed_date(day, today) {
        Ok(Some(d)) => local(d, time),
        _ => Err(invalid()),
    }
}

/// Work done once a local day, at or after a local time of day (the daily backup: once a day,
/// as soon as the app runs after `at`).
#[derive(Debug, Clone)]
pub struct Daily {
    at: Time,
    last: Option<Date>,
}

impl Daily {
    pub fn new(at: Time) -> Daily {
        Daily { at, last: None }
    }

    /// Once a local day, from midnight on: as soon as the app runs that day.
    pub fn from_midnight() -> Daily {
        Daily::new(Time::midnight())
    }

    /// Whether the work is due at `now_ms`: it has not run on today's local date and today's
    /// `at` has passed. Marks it as run for today when it says yes.
    pub fn take_due(&mut self, now_ms: i64, tz: &TimeZone) -> crate::Result<bool> {
        let today = local_date(now_ms, tz);
        if self.last == Some(today) || now_ms < local_instant(today, self.at, tz)? {
            return Ok(false);
        }
        self.last = Some(today);
        Ok(true)
    }

    /// When it is next due after `now_ms`: today's `at` if still ahead and not run today,
    /// else the next day's.
    pub fn next_due(&self, now_ms: i64, tz: &TimeZone) -> crate::Result<i64> {
        let today = local_date(now_ms, tz);
        let at_today = local_instant(today, self.at, tz)?;
        if self.last != Some(today) && now_ms < at_today {
            return Ok(at_today);
        }
        if self.last != Some(today) {
            return Ok(now_ms); // due now
        }
        let tomorrow = today.tomorrow().map_err(|e| crate::Error::BadTime { detail: e.to_string() })?;
        local_instant(tomorrow, self.at, tz)
    }
}

/// Waits until `due_ms` on `clock`, sleeping in real-time steps of at most `step_ms` and reading
/// the clock again after each: a wall clock set forward, a laptop waking from sleep, or a test's
/// [`crate::FixedClock`] moved on is noticed within one step, never a day late.
pub async fn sleep_until(clock: &dyn Clock, due_ms: i64, step_ms: u64) {
    loop {
        let left = due_ms - clock.now_ms();
        if left <= 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis((left as u64).min(step_ms.max(1)))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;
    use jiff::civil::{date, time};

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    fn err(e: crate::Error) -> (String, String) {
        match e {
            crate::Error::Validation(v) => (v[0].field.clone(), v[0].message_key.clone()),
            other => panic!("not a field error: {other:?}"),
        }
    }

    #[test]
    fn a_time_given_by_a_person_is_an_instant_or_a_local_date_and_a_year_out_of_range_is_a_field_error() {
        let vn = TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        let today = date(2026, 12, 5);
        let nine = Some(time(9, 0, 0, 0));
        let at = |t: &str, at: Option<Time>| parse_when("until", t, &vn, today, at);
        assert_eq!(at("2026-12-10T02:00:00Z", nine).unwrap(), ms("2026-12-10T02:00:00Z"));
        assert_eq!(at("2026-12-10T14:30:00+07:00", None).unwrap(), ms("2026-12-10T07:30:00Z"));
        assert_eq!(at("2026-12-10T09:00[Asia/Ho_Chi_Minh]", None).unwrap(), ms("2026-12-10T02:00:00Z"));
        // a local date: at the given time of day, or its start, in the workspace zone
        assert_eq!(at("2026-12-10", nine).unwrap(), ms("2026-12-10T02:00:00Z"));
        assert_eq!(at(" 2026-12-10 ", None).unwrap(), ms("2026-12-09T17:00:00Z"));
        assert_eq!(at("10/12/2026", nine).unwrap(), ms("2026-12-10T02:00:00Z"));
        assert_eq!(at("10/12/2026 14:30", nine).unwrap(), ms("2026-12-10T07:30:00Z"));
        assert_eq!(at("2026-12-10 14:30", None).unwrap(), ms("2026-12-10T07:30:00Z"));
        assert_eq!(at("2026-12-10T14:30", None).unwrap(), ms("2026-12-10T07:30:00Z"));
        for bad in ["tomorrow", "", "2026-13-01", "31/02/2026", "10/12/2026 25:00", "2026-12-10T14:30:00+99:00"] {
            assert_eq!(err(at(bad, nine).unwrap_err()), ("until".into(), "validation.when_invalid".into()), "{bad}");
        }
        for far in [
            "9999-12-31T23:59:59Z",
            "9999-12-31",
            "3000-01-01T00:00:00Z",
            "31/12/9999",
            "1899-12-31",
            "0001-01-01T00:00:00Z",
        ] {
            assert_eq!(err(at(far, nine).unwrap_err()), ("until".into(), "validation.out_of_range".into()), "{far}");
        }
        assert_eq!(err(check_day("anchor_date", date(9999, 12, 31)).unwrap_err()).1, "validation.out_of_range");
        assert!(check_day("anchor_date", LAST_DAY).is_ok() && check_day("anchor_date", FIRST_DAY).is_ok());
        assert_eq!(err(check_instant("due_at", i64::MAX, &vn).unwrap_err()).1, "validation.out_of_range");
        assert_eq!(
            err(check_instant("due_at", ms("3000-01-01T00:00:00Z"), &vn).unwrap_err()).1,
            "validation.out_of_range"
        );
    }

    #[test]
    fn a_local_time_in_a_dst_gap_moves_forward_and_one_in_a_fold_takes_the_earlier() {
        let ny = TimeZone::get("America/New_York").unwrap();
        // 2026-03-08 02:30 does not exist in New York (02:00 -> 03:00): 03:30 EDT
        assert_eq!(local_instant(date(2026, 3, 8), time(2, 30, 0, 0), &ny).unwrap(), ms("2026-03-08T07:30:00Z"));
        // 2026-11-01 01:30 happens twice: the first, EDT
        assert_eq!(local_instant(date(2026, 11, 1), time(1, 30, 0, 0), &ny).unwrap(), ms("2026-11-01T05:30:00Z"));
        let vn = TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        assert_eq!(local_instant(date(2026, 12, 2), time(8, 0, 0, 0), &vn).unwrap(), ms("2026-12-02T01:00:00Z"));
    }

    #[test]
    fn days_after_count_calendar_days_and_hours_count_elapsed_time_across_dst() {
        let ny = TimeZone::get("America/New_York").unwrap();
        // bought 2026-03-07 20:00 EST; one day later at 02:30 is in the gap: 03:30 EDT
        let bought = ms("2026-03-08T01:00:00Z");
        assert_eq!(days_after(bought, 1, time(2, 30, 0, 0), &ny).unwrap(), ms("2026-03-08T07:30:00Z"));
        // seven days later at 09:00 EDT
        assert_eq!(days_after(bought, 7, time(9, 0, 0, 0), &ny).unwrap(), ms("2026-03-14T13:00:00Z"));
        // across the fold: 2026-10-31 09:00 EDT + 1 day at 01:30 takes the earlier 01:30 (EDT)
        assert_eq!(
            days_after(ms("2026-10-31T13:00:00Z"), 1, time(1, 30, 0, 0), &ny).unwrap(),
            ms("2026-11-01T05:30:00Z")
        );
        // the anchor's local date, not its UTC one: 23:30 in Vietnam is 16:30 UTC the same day,
        // 06:00 in Vietnam is 23:00 UTC the day before
        let vn = TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        assert_eq!(
            days_after(ms("2026-12-01T23:00:00Z"), 1, time(9, 0, 0, 0), &vn).unwrap(),
            ms("2026-12-03T02:00:00Z")
        );
        assert_eq!(
            days_after(ms("2026-12-02T16:30:00Z"), 0, time(9, 0, 0, 0), &vn).unwrap(),
            ms("2026-12-02T02:00:00Z")
        );
        assert_eq!(
            days_after(ms("2026-12-02T16:30:00Z"), -1, time(9, 0, 0, 0), &vn).unwrap(),
            ms("2026-12-01T02:00:00Z")
        );
        // hours are elapsed: 20:00 EST + 12 h is 09:00 EDT (the night lost an hour)
        assert_eq!(hours_after(bought, 12).unwrap(), ms("2026-03-08T13:00:00Z"));
        assert!(hours_after(i64::MAX - 10, 1).is_err(), "an overflow is an error, not a panic");
        assert!(days_after(bought, 10_000_000, time(9, 0, 0, 0), &ny).is_err());
    }

    #[test]
    fn a_yearly_date_falls_on_its_next_occurrence_and_29_february_on_the_28th_in_other_years() {
        assert_eq!(yearly_on_or_after(3, 15, date(2026, 12, 4)).unwrap(), date(2027, 3, 15));
        assert_eq!(yearly_on_or_after(12, 4, date(2026, 12, 4)).unwrap(), date(2026, 12, 4), "today is today's");
        assert_eq!(yearly_on_or_after(12, 31, date(2026, 12, 4)).unwrap(), date(2026, 12, 31));
        assert_eq!(yearly_on_or_after(2, 29, date(2026, 12, 4)).unwrap(), date(2027, 2, 28));
        assert_eq!(yearly_on_or_after(2, 29, date(2027, 3, 1)).unwrap(), date(2028, 2, 29), "a leap year has its own");
        assert_eq!(yearly_on_or_after(2, 29, date(2027, 2, 28)).unwrap(), date(2027, 2, 28));
        assert_eq!(in_year(2, 29, 2100).unwrap(), date(2100, 2, 28), "2100 is not a leap year");
        assert!(in_year(2, 30, 2026).is_err() && in_year(13, 1, 2026).is_err());
    }

    #[test]
    fn daily_work_is_due_once_a_local_day_after_its_time() {
        let vn = TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        let mut d = Daily::new(time(2, 0, 0, 0));
        // 01:00 in Vietnam (18:00 UTC the day before): not yet, due at 02:00 local
        let t = ms("2026-12-01T18:00:00Z");
        assert!(!d.take_due(t, &vn).unwrap());
        assert_eq!(d.next_due(t, &vn).unwrap(), ms("2026-12-01T19:00:00Z"));
        // 02:00 local: due once
        let t = ms("2026-12-01T19:00:00Z");
        assert!(d.take_due(t, &vn).unwrap());
        assert!(!d.take_due(t + 3_600_000, &vn).unwrap(), "once a day");
        assert_eq!(d.next_due(t, &vn).unwrap(), ms("2026-12-02T19:00:00Z"), "tomorrow 02:00 local");
        // the app started late in the day: due at once
        let mut late = Daily::new(time(2, 0, 0, 0));
        let t = ms("2026-12-02T10:00:00Z");
        assert_eq!(late.next_due(t, &vn).unwrap(), t);
        assert!(late.take_due(t, &vn).unwrap());
    }

    #[tokio::test]
    async fn sleeping_until_follows_the_injected_clock() {
        let clock = std::sync::Arc::new(FixedClock::new(1_000));
        let c = clock.clone();
        let waiter = tokio::spawn(async move { sleep_until(&*c, 86_400_000, 5).await });
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        assert!(!waiter.is_finished(), "a day is not up");
        clock.set(86_400_000); // the clock moves a day on (a test, or a laptop waking up)
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter).await.expect("noticed within a step").unwrap();
    }
}
