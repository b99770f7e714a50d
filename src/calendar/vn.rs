//! Vietnam's public holidays for any year from 1900 to 2100, as the Labour Code of 2019 sets
//! them (applied to every year alike, so a past year's reports use today's rule):
//! - New Year: 1 January;
//! - Tết: the lunar year's eve (the last day of the 12th lunar month) to the 4th day of the
//!   1st lunar month, five days;
//! - the Hùng Kings' day: the 10th day of the 3rd lunar month (the regular month, never a leap
//!   one);
//! - Reunification day and Labour day: 30 April and 1 May;
//! - National day: 2 September and the day beside it, which the government names each year: the
//!   day after when 2 September is a Monday or a Thursday (a four-day weekend with a Friday), else
//!   the day before (as in 2021–2025).
//!
//! The lunar dates are Vietnam's, computed at UTC+7 by `amlich_core` (Hồ Ngọc Đức's algorithm,
//! after Meeus): China's calendar, at UTC+8, puts some new moons on the next day, so Tết differs
//! in some years (2007, 2030: Vietnam's is a day earlier; 1985: a month earlier). A government's
//! day swaps and compensating days are the team calendar's own holidays, edited by hand.

use jiff::civil::{Date, Weekday};
use std::sync::OnceLock;

/// The first and last years the built-in holidays cover.
pub const FIRST_YEAR: i16 = 1900;
pub const LAST_YEAR: i16 = 2100;

/// Vietnam's time zone offset in hours, at which the lunar calendar is reckoned.
const VN_HOURS: f64 = 7.0;

/// One public holiday: its date and which holiday (`key`, the message key of its name in the
/// catalogue; `day` the day of Tết, 0 for the eve).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    pub key: &'static str,
    pub day: u8,
}

/// The solar date of a lunar date (a regular month) in Vietnam's calendar.
fn lunar(day: i32, month: i32, year: i16) -> Option<Date> {
    let (d, m, y) = amlich_core::lunar::convert_lunar_to_solar(day, month, i32::from(year), false, VN_HOURS);
    Date::new(i16::try_from(y).ok()?, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// The first day of the lunar year that starts in `year` (Tết Nguyên Đán).
pub fn tet(year: i16) -> Option<Date> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    lunar(1, 1, year)
}

fn compute(year: i16) -> Vec<Holiday> {
    let mut out = Vec::with_capacity(12);
    let day = |m: i8, d: i8| Date::new(year, m, d).ok();
    let mut push = |date: Option<Date>, key: &'static str, n: u8| {
        if let Some(date) = date {
            out.push(Holiday { date, key, day: n });
        }
    };
    push(day(1, 1), "holiday.new_year", 0);
    if let Some(first) = lunar(1, 1, year) {
        for n in 0..5u8 {
            push(first.checked_add(jiff::Span::new().days(i64::from(n) - 1)).ok(), "holiday.tet", n);
        }
    }
    push(lunar(10, 3, year), "holiday.hung_kings", 0);
    push(day(4, 30), "holiday.reunification", 0);
    push(day(5, 1), "holiday.labour", 0);
    push(day(9, 2), "holiday.national_day", 0);
    if let Some(sep2) = day(9, 2) {
        let beside = if matches!(sep2.weekday(), Weekday::Monday | Weekday::Thursday) { 1 } else { -1 };
        push(sep2.checked_add(jiff::Span::new().days(beside)).ok(), "holiday.national_day", 1);
    }
    out.sort_by_key(|h| h.date);
    out
}

/// Vietnam's public holidays of `year`, in date order; none outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
/// Computed once per year in the process.
pub fn holidays(year: i16) -> &'static [Holiday] {
    const YEARS: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;
    static CACHE: OnceLock<Vec<OnceLock<Vec<Holiday>>>> = OnceLock::new();
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return &[];
    }
    let cache = CACHE.get_or_init(|| (0..YEARS).map(|_| OnceLock::new()).collect());
    cache[(year - FIRST_YEAR) as usize].get_or_init(|| compute(year))
}

/// Whether `date` is one of Vietnam's public holidays.
pub fn is_holiday(date: Date) -> bool {
    holidays(date.year()).iter().any(|h| h.date == date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// Tết as Vietnam's calendar published it (the lunar calendar of the Institute of
    /// Geophysics, reckoned at UTC+7).
    const TET: &[(i16, i8, i8)] = &[
        (1968, 1, 29), // the North's calendar at UTC+7 from 1968: a day before the South's
        (1985, 1, 21), // a month before China's (20 February)
        (2007, 2, 17), // China: 18 February
        (2020, 1, 25),
        (2021, 2, 12),
        (2022, 2, 1),
        (2023, 1, 22),
        (2024, 2, 10),
        (2025, 1, 29),
        (2026, 2, 17),
        (2027, 2, 6),
        (2028, 1, 26),
        (2029, 2, 13),
        (2030, 2, 2), // China: 3 February
        (2031, 1, 23),
        (2032, 2, 11),
        (2033, 1, 31),
        (2034, 2, 19),
        (2035, 2, 8),
    ];

    #[test]
    fn tet_falls_on_the_published_dates() {
        for &(y, m, d) in TET {
            assert_eq!(tet(y), Some(date(y, m, d)), "Tết {y}");
        }
    }

    #[test]
    fn every_tet_from_1900_to_2100_falls_between_21_january_and_20_february() {
        let mut last: Option<Date> = None;
        for y in FIRST_YEAR..=LAST_YEAR {
            let t = tet(y).unwrap_or_else(|| panic!("Tết {y}"));
            assert!((date(y, 1, 21)..=date(y, 2, 20)).contains(&t), "Tết {y} on {t}");
            if let Some(prev) = last {
                let days = prev.until(t).map(|s| s.get_days()).unwrap_or(0);
                // a lunar year has 353–355 days, or 383–385 with a leap month
                assert!((353..=355).contains(&days) || (383..=385).contains(&days), "{prev} to {t}: {days}");
            }
            last = Some(t);
            let hs = holidays(y);
            assert_eq!(hs.len(), 11, "{y}");
            // in date order (the Hùng Kings' day may fall on 30 April, as in 1947)
            assert!(hs.windows(2).all(|w| w[0].date <= w[1].date), "{y}: {hs:?}");
        }
        assert_eq!(tet(1899), None);
        assert!(holidays(2101).is_empty());
    }

    #[test]
    fn a_year_of_holidays() {
        let days: Vec<(Date, &str, u8)> = holidays(2026).iter().map(|h| (h.date, h.key, h.day)).collect();
        assert_eq!(
            days,
            vec![
                (date(2026, 1, 1), "holiday.new_year", 0),
                (date(2026, 2, 16), "holiday.tet", 0),
                (date(2026, 2, 17), "holiday.tet", 1),
                (date(2026, 2, 18), "holiday.tet", 2),
                (date(2026, 2, 19), "holiday.tet", 3),
                (date(2026, 2, 20), "holiday.tet", 4),
                (date(2026, 4, 26), "holiday.hung_kings", 0),
                (date(2026, 4, 30), "holiday.reunification", 0),
                (date(2026, 5, 1), "holiday.labour", 0),
                (date(2026, 9, 1), "holiday.national_day", 1),
                (date(2026, 9, 2), "holiday.national_day", 0),
            ]
        );
        // the Hùng Kings' day as published
        for (y, m, d) in [(2023, 4, 29), (2024, 4, 18), (2025, 4, 7)] {
            assert!(holidays(y).contains(&Holiday { date: date(y, m, d), key: "holiday.hung_kings", day: 0 }), "{y}");
        }
        // the day beside 2 September, as the government named it
        for (y, beside) in [(2021, 3), (2022, 1), (2023, 1), (2024, 3), (2025, 1)] {
            assert!(is_holiday(date(y, 9, beside)), "{y}-09-{beside}");
        }
        // 2030's eve is 1 February (China's Tết eve is 2 February)
        assert!(is_holiday(date(2030, 2, 1)) && !is_holiday(date(2030, 1, 31)) && !is_holiday(date(2030, 2, 6)));
    }
}
