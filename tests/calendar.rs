//! Business time against hand-computed deadlines: before opening, lunch, Friday evening,
//! Saturday afternoon, the eve of Tết, a zone with DST, a night shift; and the walk's jumps
//! against a minute-by-minute count.

use std::collections::BTreeMap;
use tend::calendar::{Calendar, CalendarSpec};

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn show(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

fn office() -> Calendar {
    Calendar::new(&CalendarSpec::office("Asia/Ho_Chi_Minh")).unwrap()
}

fn spec(zone: &str, hours: &[(&str, &[&str])], holidays: &[&str], vn: bool) -> CalendarSpec {
    CalendarSpec {
        time_zone: zone.into(),
        hours: hours
            .iter()
            .map(|(d, ivs)| (d.to_string(), ivs.iter().map(|s| s.to_string()).collect()))
            .collect::<BTreeMap<_, _>>(),
        holidays: holidays.iter().map(|s| s.to_string()).collect(),
        vn_public_holidays: vn,
    }
}

const EVERY_NIGHT: &[&str] = &["22:00-06:00"];

#[test]
fn deadlines_in_office_hours() {
    let cal = office();
    // (created, working minutes, due): local times at +07:00
    let cases = [
        ("2026-12-08T07:00:00+07:00", 60, "2026-12-08T09:00:00+07:00"), // before opening
        ("2026-12-08T08:00:00+07:00", 240, "2026-12-08T12:00:00+07:00"), // a morning exactly
        ("2026-12-08T12:30:00+07:00", 60, "2026-12-08T14:30:00+07:00"), // during lunch
        ("2026-12-08T11:30:00+07:00", 60, "2026-12-08T14:00:00+07:00"), // across lunch
        ("2026-12-11T18:00:00+07:00", 60, "2026-12-12T09:00:00+07:00"), // Friday evening
        ("2026-12-12T14:00:00+07:00", 60, "2026-12-14T09:00:00+07:00"), // Saturday afternoon
        ("2026-12-12T11:00:00+07:00", 90, "2026-12-14T08:30:00+07:00"), // Saturday noon into Monday
        // 48 working hours from Monday 09:00: 7 + 8×4 + 4 (Saturday) + 5 on the next Monday
        ("2026-12-07T09:00:00+07:00", 48 * 60, "2026-12-14T14:30:00+07:00"),
        // the eve of Tết 2027 (Friday 5 February) to the 4th day (Tuesday 9): closed
        ("2027-02-04T16:30:00+07:00", 120, "2027-02-10T09:00:00+07:00"),
        // 2 September 2026 is a Wednesday: 1 and 2 September are closed
        ("2026-08-31T17:00:00+07:00", 60, "2026-09-03T08:30:00+07:00"),
        ("2026-12-08T09:00:00+07:00", 0, "2026-12-08T09:00:00+07:00"),
    ];
    for (from, minutes, due) in cases {
        let got = cal.add(at(from), minutes).unwrap();
        assert_eq!(show(got), show(at(due)), "{minutes} min from {from}");
        // and the way back: the working time between is what was asked
        assert_eq!(cal.between(at(from), got).unwrap(), minutes * 60_000, "between {from} and {due}");
    }
}

#[test]
fn durations_in_office_hours() {
    let cal = office();
    let cases = [
        // Friday 16:00 to Monday 09:00: 1.5 h + Saturday 4 h + 1 h
        ("2026-12-11T16:00:00+07:00", "2026-12-14T09:00:00+07:00", 390),
        ("2026-12-08T12:00:00+07:00", "2026-12-08T13:30:00+07:00", 0), // lunch
        ("2026-12-13T00:00:00+07:00", "2026-12-13T23:59:00+07:00", 0), // Sunday
        ("2026-12-14T09:00:00+07:00", "2026-12-11T16:00:00+07:00", 0), // backwards
        // a working week: 5 × 8 h + 4 h
        ("2026-12-07T00:00:00+07:00", "2026-12-14T00:00:00+07:00", 44 * 60),
        // the Tết week of 2026 (16–20 February closed): Saturday 21 only
        ("2026-02-16T00:00:00+07:00", "2026-02-23T00:00:00+07:00", 4 * 60),
    ];
    for (from, to, minutes) in cases {
        assert_eq!(cal.between(at(from), at(to)).unwrap(), minutes * 60_000, "{from} to {to}");
    }
}

#[test]
fn a_night_shift_crosses_midnight_and_a_holiday_closes_the_night_it_starts() {
    let hours: Vec<(&str, &[&str])> =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].iter().map(|d| (*d, EVERY_NIGHT)).collect();
    let cal = Calendar::new(&spec("Asia/Ho_Chi_Minh", &hours, &["2026-12-09"], false)).unwrap();
    // 03:00 on Tuesday is in Monday night's shift
    assert_eq!(show(cal.add(at("2026-12-08T03:00:00+07:00"), 120).unwrap()), show(at("2026-12-08T05:00:00+07:00")));
    // Tuesday night runs into Wednesday, a holiday; Wednesday night is closed
    assert_eq!(show(cal.add(at("2026-12-09T05:00:00+07:00"), 120).unwrap()), show(at("2026-12-10T23:00:00+07:00")));
    assert!(cal.is_working(at("2026-12-09T05:59:00+07:00")).unwrap());
    assert!(!cal.is_working(at("2026-12-09T23:00:00+07:00")).unwrap());
    assert!(!cal.is_working(at("2026-12-08T12:00:00+07:00")).unwrap());
}

#[test]
fn a_zone_with_daylight_saving() {
    // New York, every night 22:00–06:00; clocks go forward at 02:00 on Sunday 14 March 2027
    let hours: Vec<(&str, &[&str])> =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].iter().map(|d| (*d, EVERY_NIGHT)).collect();
    let cal = Calendar::new(&spec("America/New_York", &hours, &[], false)).unwrap();
    let sat_night = at("2027-03-13T22:00:00-05:00");
    // that night has 7 hours: 8 working hours end an hour into Sunday night (22:00 EDT)
    assert_eq!(cal.between(sat_night, at("2027-03-14T06:00:00-04:00")).unwrap(), 7 * 3_600_000);
    assert_eq!(show(cal.add(sat_night, 8 * 60).unwrap()), show(at("2027-03-14T23:00:00-04:00")));
    // and in November the night of the change has 9
    let nov = at("2027-11-06T22:00:00-04:00");
    assert_eq!(cal.between(nov, at("2027-11-07T06:00:00-05:00")).unwrap(), 9 * 3_600_000);
    // Berlin office hours across the spring change (Sunday 28 March 2027) and a year
    let day: &[&str] = &["09:00-17:00"];
    let berlin = Calendar::new(&spec(
        "Europe/Berlin",
        &[("mon", day), ("tue", day), ("wed", day), ("thu", day), ("fri", day)],
        &[],
        false,
    ))
    .unwrap();
    assert_eq!(show(berlin.add(at("2027-03-26T16:00:00+01:00"), 120).unwrap()), show(at("2027-03-29T10:00:00+02:00")));
    // 52 weeks of 40 hours from a Monday: the same Monday a year on, at 17:00 the Friday before
    assert_eq!(
        show(berlin.add(at("2027-01-04T09:00:00+01:00"), 52 * 40 * 60).unwrap()),
        show(at("2027-12-31T17:00:00+01:00"))
    );
}

#[test]
fn bad_calendars_are_named_at_their_place() {
    let bad = spec(
        "Mars/Olympus",
        &[("mon", &["08:00-12:00", "11:00-13:00"]), ("tue", &["8h-12h"]), ("xyz", &["08:00-09:00"])],
        &["2027-02-30", "2027-02-10..2027-02-01"],
        false,
    );
    let tend::Error::Validation(errors) = Calendar::new(&bad).unwrap_err() else { panic!() };
    let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.message_key.as_str())).collect();
    assert_eq!(
        fields,
        vec![
            ("time_zone", "validation.time_zone_invalid"),
            ("hours.tue[0]", "calendar.interval_invalid"),
            ("hours.xyz", "calendar.weekday_unknown"),
            ("hours.mon", "calendar.intervals_overlap"),
            ("holidays[0]", "calendar.holiday_invalid"),
            ("holidays[1]", "calendar.holiday_invalid"),
        ]
    );
    // a night shift into the next morning's shift
    let night = spec("Asia/Ho_Chi_Minh", &[("mon", &["22:00-09:00"]), ("tue", &["08:00-12:00"])], &[], false);
    let tend::Error::Validation(errors) = Calendar::new(&night).unwrap_err() else { panic!() };
    assert_eq!(errors[0].field, "hours.mon");
    // no working time at all
    let tend::Error::Validation(errors) = Calendar::new(&spec("Asia/Ho_Chi_Minh", &[], &[], false)).unwrap_err() else {
        panic!()
    };
    assert_eq!(errors[0].message_key, "calendar.no_hours");
    // every working day closed: no deadline, an error rather than a walk for ever
    let closed = spec("UTC", &[("mon", &["09:00-10:00"])], &["2027-01-01..2027-12-31"], false);
    let cal = Calendar::new(&closed).unwrap();
    assert!(cal.add(at("2027-01-01T00:00:00Z"), 60).is_ok());
    let mut all = vec![];
    for y in 2027..2060 {
        all.push(format!("{y}-01-01..{y}-12-31"));
    }
    let forever = CalendarSpec { holidays: all, ..closed };
    let err = Calendar::new(&forever).unwrap().add(at("2027-01-01T00:00:00Z"), 60).unwrap_err();
    assert!(matches!(err, tend::Error::Validation(ref e) if e[0].message_key == "calendar.no_working_time"), "{err:?}");
}

/// Minute by minute through jiff alone: a minute counts when its local start is inside one of
/// the office's intervals (no night shifts here) on a day that is no holiday.
fn slow_minutes(spec: &CalendarSpec, from_ms: i64, minutes: i64) -> i64 {
    let zone = jiff::tz::db().get(&spec.time_zone).unwrap();
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut t = from_ms;
    let mut left = minutes;
    while left > 0 {
        let local = jiff::Timestamp::from_millisecond(t).unwrap().to_zoned(zone.clone());
        let day = names[local.weekday().to_monday_zero_offset() as usize];
        let m = local.hour() as i64 * 60 + local.minute() as i64;
        let open = spec.hours.get(day).into_iter().flatten().any(|iv| {
            let (a, b) = iv.split_once('-').unwrap();
            let mins = |x: &str| x[..2].parse::<i64>().unwrap() * 60 + x[3..].parse::<i64>().unwrap();
            (mins(a)..mins(b)).contains(&m)
        });
        if open && !tend::calendar::vn::is_holiday(local.date()) {
            left -= 1;
        }
        t += 60_000;
    }
    t
}

#[test]
fn the_walks_jumps_agree_with_small_steps() {
    let cal = office();
    // across a whole year with its holidays: one add against the same minutes in small steps
    // (each step shorter than a working week, so it never jumps)
    let start = at("2026-12-31T10:15:00+07:00");
    for total in [44 * 60, 44 * 60 * 3 + 17, 44 * 60 * 26 + 5, 44 * 60 * 52 + 123] {
        let mut t = start;
        let mut left = total;
        while left > 0 {
            let step = left.min(1000);
            t = cal.add(t, step).unwrap();
            left -= step;
        }
        assert_eq!(show(cal.add(start, total).unwrap()), show(t), "{total} min");
        assert_eq!(cal.between(start, t).unwrap(), total * 60_000);
    }
    // and short deadlines against a minute-by-minute count, around Tết and a weekend
    let spec = CalendarSpec::office("Asia/Ho_Chi_Minh");
    for (from, minutes) in [("2027-02-04T11:07:00+07:00", 300), ("2026-12-11T17:29:00+07:00", 250)] {
        let slow = slow_minutes(&spec, at(from), minutes);
        let fast = cal.add(at(from), minutes).unwrap();
        // the slow count ends after the last working minute; the deadline is that minute's end
        assert_eq!(show(fast), show(slow), "{minutes} from {from}");
    }
}
