//! When recurring work is due, in business time (the workspace zone), and waiting for it on the
//! injected [`Clock`]: the daily backup uses it today; care reminders and SLA timers will. One
//! rule for a local time on a local day, used by everything that schedules:
//! - a local time that does not exist that day (a DST gap) moves forward by the gap;
//! - one that happens twice (a DST fold) takes the earlier instant.

use crate::clock::Clock;
use jiff::civil::{Date, Time};
use jiff::tz::{Disambiguation, TimeZone};

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
    crate::settings::today_in(tz, ms)
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
