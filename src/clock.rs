//! Time (DESIGN rule 3): instants are UTC milliseconds since the Unix epoch everywhere. A `Clock`
//! is injected so tests choose the instant.

use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync + 'static {
    /// Now, in UTC milliseconds since the epoch.
    fn now_ms(&self) -> i64;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        jiff::Timestamp::now().as_millisecond()
    }
}

/// A clock that only moves when told to (tests).
#[derive(Debug)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn new(ms: i64) -> Self {
        FixedClock(AtomicI64::new(ms))
    }
    pub fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl<C: Clock> Clock for std::sync::Arc<C> {
    fn now_ms(&self) -> i64 {
        (**self).now_ms()
    }
}

/// Hybrid logical clock: `{wall ms:013}:{counter:05}:{device}`; comparing two values as strings
/// compares them as clocks.
#[derive(Debug, Clone, Default)]
pub struct Hlc {
    ms: i64,
    counter: u32,
}

impl Hlc {
    /// Resumes from the newest clock value already in the database, if any.
    pub fn resume(last: Option<&str>) -> Self {
        let mut h = Hlc::default();
        if let Some(s) = last {
            let mut parts = s.splitn(3, ':');
            h.ms = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            h.counter = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        }
        h
    }

    /// Takes in a clock value stamped elsewhere (another process writing the same file): the
    /// next tick comes after it. Values that do not parse are ignored.
    pub fn observe(&mut self, stamped: &str) {
        let seen = Hlc::resume(Some(stamped));
        if (seen.ms, seen.counter) > (self.ms, self.counter) {
            *self = seen;
        }
    }

    /// The next clock value: never goes backwards, even if the wall clock does.
    pub fn tick(&mut self, now_ms: i64, device: &str) -> String {
        if now_ms > self.ms {
            self.ms = now_ms;
            self.counter = 0;
        } else {
            self.counter += 1;
        }
        format!("{:013}:{:05}:{}", self.ms, self.counter, device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hlc_is_monotonic_when_the_wall_clock_goes_back() {
        let mut h = Hlc::default();
        let a = h.tick(1000, "d");
        let b = h.tick(1000, "d");
        let c = h.tick(500, "d");
        let d = h.tick(2000, "d");
        assert!(a < b && b < c && c < d, "{a} {b} {c} {d}");
        let mut r = Hlc::resume(Some(&d));
        assert!(r.tick(10, "d") > d);
    }

    #[test]
    fn observing_a_later_stamp_moves_the_clock_past_it() {
        let mut mine = Hlc::default();
        let own = mine.tick(1000, "d");
        let mut other = Hlc::resume(Some(&own));
        let theirs = other.tick(1000, "d");
        mine.observe(&theirs);
        let next = mine.tick(1000, "d");
        assert!(next > theirs, "{next} {theirs}");
        // an older stamp changes nothing
        mine.observe(&own);
        assert!(mine.tick(1000, "d") > next);
    }
}
