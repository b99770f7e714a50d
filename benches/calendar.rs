//! Business time (a benchmark, not a test): one SLA deadline a year of working time away, across
//! a year of lunch breaks, weekends and Vietnam's public holidays (goal <= 50 µs), and the working
//! time between two instants a year apart, each beside a plain walk of the same calendar one local
//! day at a time through jiff (no week jumps, no offset cache) computing the same answer.
//!
//! `cargo bench --bench calendar`

use std::time::Instant;
use tend::calendar::{Calendar, CalendarSpec};

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// The same deadline by walking local days: each day's intervals through jiff, holidays looked
/// up day by day.
fn plain_add(spec: &CalendarSpec, from: i64, minutes: i64) -> i64 {
    let zone = jiff::tz::db().get(&spec.time_zone).unwrap();
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut left = minutes * 60_000;
    let mut day = jiff::Timestamp::from_millisecond(from).unwrap().to_zoned(zone.clone()).date();
    loop {
        let closed = spec.vn_public_holidays && tend::calendar::vn::is_holiday(day);
        let intervals = spec.hours.get(names[day.weekday().to_monday_zero_offset() as usize]);
        if !closed {
            for iv in intervals.into_iter().flatten() {
                let (a, b) = iv.split_once('-').unwrap();
                let at = |t: &str| {
                    let time: jiff::civil::Time = format!("{t}:00").parse().unwrap();
                    day.to_datetime(time).to_zoned(zone.clone()).unwrap().timestamp().as_millisecond()
                };
                let (s, e) = (at(a).max(from), at(b));
                if e > s {
                    if e - s >= left {
                        return s + left;
                    }
                    left -= e - s;
                }
            }
        }
        day = day.tomorrow().unwrap();
    }
}

fn main() {
    let spec = CalendarSpec::office("Asia/Ho_Chi_Minh");
    let cal = Calendar::new(&spec).unwrap();
    // 2027-01-04 09:00 +07:00, Monday; a year of working minutes (44 h a week, 52 weeks)
    let from: i64 = "2027-01-04T02:00:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond();
    let minutes = 52 * 44 * 60;
    // warm the holiday cache, then check both agree
    let due = cal.add(from, minutes).unwrap();
    assert_eq!(due, plain_add(&spec, from, minutes), "both walks give the same deadline");
    const RUNS: usize = 2000;
    let mut fast = Vec::with_capacity(RUNS);
    let mut plain = Vec::with_capacity(RUNS);
    let mut between = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        // a different start each run (minutes apart), so nothing is a repeat of the last
        let start = from + (i as i64 % 480) * 60_000;
        let t = Instant::now();
        let d = cal.add(start, minutes).unwrap();
        fast.push(t.elapsed().as_secs_f64() * 1e6);
        let t = Instant::now();
        let p = plain_add(&spec, start, minutes);
        plain.push(t.elapsed().as_secs_f64() * 1e6);
        assert_eq!(d, p);
        let t = Instant::now();
        let w = cal.between(start, d).unwrap();
        between.push(t.elapsed().as_secs_f64() * 1e6);
        assert_eq!(w, minutes * 60_000);
    }
    println!(
        "one deadline a year of working time away (office hours, lunch, weekends, VN holidays), {RUNS} runs:\n  \
         Calendar::add      p50 {:>8.1} µs  p95 {:>8.1} µs  (goal <= 50 µs)\n  \
         plain day walk     p50 {:>8.1} µs  p95 {:>8.1} µs\n  \
         Calendar::between  p50 {:>8.1} µs  p95 {:>8.1} µs  (the same year back)",
        pct(&mut fast.clone(), 0.5),
        pct(&mut fast, 0.95),
        pct(&mut plain.clone(), 0.5),
        pct(&mut plain, 0.95),
        pct(&mut between.clone(), 0.5),
        pct(&mut between, 0.95),
    );
}
