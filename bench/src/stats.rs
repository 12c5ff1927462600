//! Latency statistics: nearest-rank percentiles over raw samples, and rates.

use serde::{Deserialize, Serialize};

/// Summary of a set of duration samples, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Percentiles {
    pub count: usize,
    pub min_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// Nearest-rank percentile (`q` in 0..=100) of sorted samples.
pub fn nearest_rank(sorted: &[u64], q: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let q = q.clamp(0.0, 100.0);
    let rank = ((q / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

impl Percentiles {
    /// Summarises samples given in microseconds; `None` when there are none.
    pub fn from_micros(samples: &[u64]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut s = samples.to_vec();
        s.sort_unstable();
        let ms = |v: u64| v as f64 / 1000.0;
        let at = |q| ms(nearest_rank(&s, q).unwrap_or(0));
        let sum: u128 = s.iter().map(|&v| u128::from(v)).sum();
        Some(Self {
            count: s.len(),
            min_ms: ms(s[0]),
            p50_ms: at(50.0),
            p90_ms: at(90.0),
            p99_ms: at(99.0),
            max_ms: ms(s[s.len() - 1]),
            mean_ms: sum as f64 / s.len() as f64 / 1000.0,
        })
    }
}

/// `count / seconds`, or 0 when no time elapsed.
pub fn rate(count: f64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count / seconds
    } else {
        0.0
    }
}

/// Ratio `a / b` when `b` is positive.
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0 && a.is_finite()).then(|| a / b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_matches_textbook_examples() {
        let s = [15, 20, 35, 40, 50];
        assert_eq!(nearest_rank(&s, 5.0), Some(15));
        assert_eq!(nearest_rank(&s, 30.0), Some(20));
        assert_eq!(nearest_rank(&s, 40.0), Some(20));
        assert_eq!(nearest_rank(&s, 50.0), Some(35));
        assert_eq!(nearest_rank(&s, 100.0), Some(50));
        assert_eq!(nearest_rank(&s, 0.0), Some(15));
        assert_eq!(nearest_rank(&[], 50.0), None);
    }

    #[test]
    fn p99_of_hundred_samples_is_the_99th() {
        let samples: Vec<u64> = (1..=100).rev().map(|v| v * 1000).collect();
        let p = Percentiles::from_micros(&samples).unwrap();
        assert_eq!(p.count, 100);
        assert_eq!(p.p50_ms, 50.0);
        assert_eq!(p.p99_ms, 99.0);
        assert_eq!(p.max_ms, 100.0);
        assert_eq!(p.min_ms, 1.0);
        assert!((p.mean_ms - 50.5).abs() < 1e-9);
    }

    #[test]
    fn empty_samples_have_no_summary() {
        assert_eq!(Percentiles::from_micros(&[]), None);
    }

    #[test]
    fn rate_and_ratio_guard_zero() {
        assert_eq!(rate(10.0, 0.0), 0.0);
        assert_eq!(rate(10.0, 2.0), 5.0);
        assert_eq!(ratio(1.0, 0.0), None);
        assert_eq!(ratio(3.0, 2.0), Some(1.5));
    }
}
