//! The hybrid logical clock: every change carries a stamp `{wall ms:013}:{counter:05}:{device}`;
//! stamps compare as strings exactly as they compare as clocks, and a device's stamps never go
//! backwards, whatever its wall clock does or what it receives.

/// Hybrid logical clock: `{wall ms:013}:{counter:05}:{device}`; comparing two values as strings
/// compares them as clocks, for any number of events: the counter never needs a sixth digit,
/// because the 100,000th event within one millisecond moves the clock to the next millisecond
/// (logical time runs a little ahead of the wall clock, and the wall clock catches up).
#[derive(Debug, Clone, Default)]
pub struct Hlc {
    ms: i64,
    counter: u32,
}

/// Events one millisecond can hold before the clock moves on to the next one.
pub const COUNTER_MAX: u32 = 99_999;

/// How far ahead of this device's wall clock a clock value from elsewhere may be (DESIGN): one
/// further ahead is refused, so a device with a wrong clock cannot drag every clock into the
/// future.
pub const MAX_AHEAD_MS: i64 = 5 * 60 * 1000;

/// A clock value taken apart: wall milliseconds, counter, device. Orders as clocks do (the
/// device breaks ties), which is also the order of the strings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub ms: i64,
    pub counter: u32,
    pub device: String,
}

impl Stamp {
    /// Reads `{ms}:{counter}:{device}`; None when it is not a clock value.
    pub fn parse(s: &str) -> Option<Stamp> {
        let mut parts = s.splitn(3, ':');
        let ms = parts.next()?.parse().ok()?;
        let counter = parts.next()?.parse().ok()?;
        let device = parts.next()?.to_string();
        Some(Stamp { ms, counter, device })
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:013}:{:05}:{}", self.ms, self.counter, self.device)
    }
}

impl Hlc {
    /// Resumes from the newest clock value already in the database, if any.
    pub fn resume(last: Option<&str>) -> Self {
        let mut h = Hlc::default();
        if let Some(s) = last.and_then(Stamp::parse) {
            h.ms = s.ms;
            h.counter = s.counter;
        }
        h
    }

    fn at(&self) -> (i64, u32) {
        (self.ms, self.counter)
    }

    /// Takes in a clock value stamped elsewhere (another process writing the same file): the
    /// next tick comes after it. Values that do not parse are ignored.
    pub fn observe(&mut self, stamped: &str) {
        let seen = Hlc::resume(Some(stamped));
        if seen.at() > self.at() {
            *self = seen;
        }
    }

    /// Takes in a clock value from another device (a synced change applied with its own clock):
    /// every later tick here comes after it. One more than [`MAX_AHEAD_MS`] ahead of `now_ms` is
    /// refused (`Error::ClockAhead`) and changes nothing; one that is not a clock value is an
    /// error too.
    pub fn receive(&mut self, remote: &str, now_ms: i64) -> crate::Result<()> {
        let Some(r) = Stamp::parse(remote) else {
            return Err(crate::Error::BadStamp(remote.to_string()));
        };
        if r.ms - now_ms > MAX_AHEAD_MS {
            return Err(crate::Error::ClockAhead { ahead_ms: r.ms - now_ms });
        }
        if (r.ms, r.counter) > self.at() {
            self.ms = r.ms;
            self.counter = r.counter;
        }
        Ok(())
    }

    /// The next clock value: never goes backwards, even if the wall clock does.
    pub fn tick(&mut self, now_ms: i64, device: &str) -> String {
        if now_ms > self.ms {
            self.ms = now_ms;
            self.counter = 0;
        } else if self.counter >= COUNTER_MAX {
            self.ms += 1;
            self.counter = 0;
        } else {
            self.counter += 1;
        }
        Stamp { ms: self.ms, counter: self.counter, device: device.to_string() }.to_string()
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

    #[test]
    fn a_millisecond_full_of_events_moves_on_to_the_next_and_order_holds() {
        let mut h = Hlc::default();
        let mut last = h.tick(1000, "d");
        for _ in 0..(COUNTER_MAX as usize + 10) {
            let next = h.tick(1000, "d");
            assert!(next > last, "{next} after {last}");
            last = next;
        }
        let s = Stamp::parse(&last).unwrap();
        assert_eq!((s.ms, s.counter), (1001, 9), "the 100,000th event went to the next millisecond");
        assert_eq!(last.len(), "0000000001001:00010:d".len(), "fixed width");
    }

    #[test]
    fn a_remote_clock_is_taken_in_unless_too_far_ahead() {
        let now = 1_000_000;
        let mut h = Hlc::default();
        h.tick(now, "a");
        let theirs = Stamp { ms: now + MAX_AHEAD_MS, counter: 7, device: "b".into() }.to_string();
        h.receive(&theirs, now).unwrap();
        assert!(h.tick(now, "a") > theirs);
        let before = h.clone();
        let far = Stamp { ms: now + 2 * MAX_AHEAD_MS + 1, counter: 0, device: "b".into() }.to_string();
        match h.receive(&far, now + MAX_AHEAD_MS) {
            Err(crate::Error::ClockAhead { ahead_ms }) => assert_eq!(ahead_ms, MAX_AHEAD_MS + 1),
            other => panic!("{other:?}"),
        }
        assert_eq!(h.at(), before.at(), "a refused clock changes nothing");
        assert!(h.receive("not a clock", now).is_err());
    }

    mod prop {
        use super::super::*;
        use proptest::prelude::*;

        /// One step of a device's life: a local write at some wall time, or a clock received
        /// from elsewhere (at most five minutes ahead of that wall time).
        #[derive(Debug, Clone)]
        enum Step {
            Tick { now: i64, burst: u32 },
            Receive { now: i64, ahead: i64, counter: u32 },
        }

        fn step() -> impl Strategy<Value = Step> {
            prop_oneof![
                (0i64..5_000, 1u32..300).prop_map(|(now, burst)| Step::Tick { now, burst }),
                (0i64..5_000, -10_000i64..=MAX_AHEAD_MS, 0u32..=COUNTER_MAX)
                    .prop_map(|(now, ahead, counter)| Step::Receive { now, ahead, counter }),
            ]
        }

        proptest! {
            /// Whatever the wall clock does and whatever arrives, every value this clock stamps
            /// comes after every value it stamped or received before, and the strings order
            /// exactly as the parsed clocks do.
            #[test]
            fn ticks_always_come_after_everything_seen(steps in proptest::collection::vec(step(), 1..60)) {
                let mut h = Hlc::default();
                let mut seen: Vec<String> = Vec::new();
                let mut newest = String::new();
                for s in steps {
                    match s {
                        Step::Tick { now, burst } => {
                            for _ in 0..burst {
                                let v = h.tick(now, "a");
                                prop_assert!(v > newest, "{} after {}", v, newest);
                                newest = v.clone();
                                seen.push(v);
                            }
                        }
                        Step::Receive { now, ahead, counter } => {
                            let r = Stamp { ms: (now + ahead).max(0), counter, device: "b".into() }.to_string();
                            h.receive(&r, now).unwrap();
                            newest = newest.max(r.clone());
                            seen.push(r);
                        }
                    }
                }
                let mut by_string = seen.clone();
                by_string.sort();
                let mut by_clock = seen.clone();
                by_clock.sort_by_key(|v| Stamp::parse(v).unwrap());
                prop_assert_eq!(by_string, by_clock);
            }
        }
    }
}
