//! The arithmetic of the KPIs, exactly as `docs/kpis.md` writes it: one decimal, half away from
//! zero; no value where there is nothing to divide.

use serde::Serialize;
use specta::Type;

/// Rounds to one decimal, half away from zero.
pub fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// `part` of `whole` in percent (one decimal); `None` when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| one_decimal(part as f64 * 100.0 / whole as f64))
}

/// A share counted: `count` of `of`, and its percent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Type)]
pub struct Rate {
    #[specta(type = i32)]
    pub count: i64,
    #[specta(type = i32)]
    pub of: i64,
    pub percent: Option<f64>,
}

impl Rate {
    pub fn new(count: i64, of: i64) -> Rate {
        Rate { count, of, percent: percent(count, of) }
    }
}

/// Durations in minutes (one decimal): how many, their mean, median and 90th percentile.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Type)]
pub struct Durations {
    #[specta(type = i32)]
    pub count: i64,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

const MINUTE: f64 = 60_000.0;

impl Durations {
    /// Of durations in milliseconds (reordered here: the ranks are selected, not sorted).
    pub fn of_ms(ms: &mut [i64]) -> Durations {
        let n = ms.len();
        if n == 0 {
            return Durations::default();
        }
        let sum: i128 = ms.iter().map(|&v| v as i128).sum();
        let mean = sum as f64 / n as f64;
        // the value of rank k (0-based) in ascending order
        let mut rank = |k: usize| *ms.select_nth_unstable(k).1 as f64;
        // the middle value, or the mean of the two middle ones
        let median = if n % 2 == 1 { rank(n / 2) } else { (rank(n / 2 - 1) + rank(n / 2)) / 2.0 };
        // nearest rank: the smallest value with at least 90% of values at or below it
        let p90 = rank((n * 9).div_ceil(10) - 1);
        let min = |v: f64| Some(one_decimal(v / MINUTE));
        Durations { count: n as i64, mean: min(mean), median: min(median), p90: min(p90) }
    }
}

/// The first-response buckets' upper bounds (ms): < 1 h, 1–4 h, 4–8 h, 8–24 h, and the rest.
pub const BUCKET_BOUNDS: [i64; 4] = [3_600_000, 4 * 3_600_000, 8 * 3_600_000, 24 * 3_600_000];

/// Which first-response bucket a duration falls in (0..=4); a bound belongs to the bucket above.
pub fn bucket(ms: i64) -> usize {
    BUCKET_BOUNDS.iter().position(|&b| ms < b).unwrap_or(BUCKET_BOUNDS.len())
}

/// The mean of values, one decimal.
pub fn mean(sum: i64, count: i64) -> Option<f64> {
    (count > 0).then(|| one_decimal(sum as f64 / count as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90_follow_the_written_rules() {
        let m = |v: &[i64]| Durations::of_ms(&mut v.iter().map(|x| x * 60_000).collect::<Vec<_>>());
        // odd: the middle; p90 of 5 values is the 5th (rank ceil(4.5) = 5)
        let d = m(&[10, 30, 20, 50, 40]);
        assert_eq!((d.count, d.mean, d.median, d.p90), (5, Some(30.0), Some(30.0), Some(50.0)));
        // even: the mean of the two middle ones; p90 of 10 values is the 9th
        let d = m(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 100]);
        assert_eq!((d.median, d.p90, d.mean), (Some(5.5), Some(9.0), Some(14.5)));
        assert_eq!(m(&[]), Durations::default());
        assert_eq!(m(&[7]).p90, Some(7.0));
        // minutes to one decimal, half away from zero: 90 s is 1.5 min, 95 s is 1.6 (1.58...)
        let d = Durations::of_ms(&mut [90_000]);
        assert_eq!(d.mean, Some(1.5));
        assert_eq!(Durations::of_ms(&mut [95_000]).mean, Some(1.6));
    }

    #[test]
    fn percents_never_divide_by_zero_and_buckets_take_their_lower_bound() {
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(mean(0, 0), None);
        assert_eq!([0, 3_599_999, 3_600_000, 14_400_000, 28_800_000, 86_400_000].map(bucket), [0, 0, 1, 2, 3, 4]);
    }
}
