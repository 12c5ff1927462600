//! Instance reuse for WASI 0.3 components, with Spin 4's flags, defaults
//! and value syntax (`crates/trigger-http` of spinframework/spin):
//!
//! - `--max-instance-reuse-count` (default 128): requests one instance
//!   takes over its life before it takes no more;
//! - `--max-instance-concurrent-reuse-count` (default 16): requests one
//!   instance takes while they have not yet produced their response (a
//!   streaming response stops counting once its head is sent);
//! - `--request-timeout` (default none): time a request has to produce its
//!   response;
//! - `--idle-instance-timeout` (default 1 s): an instance with nothing to
//!   do for this long is dropped.
//!
//! Each value is a number or a half-open range `a..b`, from which every new
//! instance draws its own value (as Spin, so instances do not all expire at
//! once). Durations are seconds, or carry `s`, `ms`, `us`/`μs` or `ns`
//! (the flags are read in [`crate::cli::flags`]). WASI 0.2 components are
//! never reused (one instance per request).

use std::time::Duration;

/// Spin's default `--max-instance-reuse-count` for WASI 0.3 components.
pub const DEFAULT_MAX_REUSE: usize = 128;
/// Spin's default `--max-instance-concurrent-reuse-count`.
pub const DEFAULT_MAX_CONCURRENT_REUSE: usize = 16;
/// Spin's default `--idle-instance-timeout`.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(1);

/// A value, or a half-open range each instance draws its own value from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range<T> {
    /// Always this value.
    Value(T),
    /// Drawn uniformly from `start..end` (`start < end`).
    Bounds(T, T),
}

impl Range<usize> {
    fn draw(self) -> usize {
        match self {
            Range::Value(v) => v,
            Range::Bounds(a, b) => fastrand::usize(a..b),
        }
    }
}

impl Range<Duration> {
    fn draw(self) -> Duration {
        match self {
            Range::Value(v) => v,
            Range::Bounds(a, b) => {
                let span = (b - a).as_nanos().min(u64::MAX as u128) as u64;
                a + Duration::from_nanos(fastrand::u64(0..span))
            }
        }
    }
}

/// The reuse settings of `up`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReuseConfig {
    /// `--max-instance-reuse-count`.
    pub max_reuse: Range<usize>,
    /// `--max-instance-concurrent-reuse-count`.
    pub max_concurrent: Range<usize>,
    /// `--request-timeout`.
    pub request_timeout: Option<Range<Duration>>,
    /// `--idle-instance-timeout`.
    pub idle_timeout: Range<Duration>,
}

impl Default for ReuseConfig {
    fn default() -> Self {
        ReuseConfig {
            max_reuse: Range::Value(DEFAULT_MAX_REUSE),
            max_concurrent: Range::Value(DEFAULT_MAX_CONCURRENT_REUSE),
            request_timeout: None,
            idle_timeout: Range::Value(DEFAULT_IDLE_TIMEOUT),
        }
    }
}

/// One instance's drawn settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstancePlan {
    /// Requests it takes over its life.
    pub max_reuse: usize,
    /// Requests it takes while they have not responded yet.
    pub max_concurrent: usize,
    /// Time each request has to respond (`Duration::MAX`: unlimited).
    pub request_timeout: Duration,
    /// Idle time after which it is dropped.
    pub idle_timeout: Duration,
}

impl ReuseConfig {
    /// Draws the settings of a new instance.
    pub fn plan(&self) -> InstancePlan {
        InstancePlan {
            max_reuse: self.max_reuse.draw(),
            max_concurrent: self.max_concurrent.draw(),
            request_timeout: self
                .request_timeout
                .map_or(Duration::MAX, Range::<Duration>::draw),
            idle_timeout: self.idle_timeout.draw(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_spins() {
        let plan = ReuseConfig::default().plan();
        assert_eq!(
            plan,
            InstancePlan {
                max_reuse: 128,
                max_concurrent: 16,
                request_timeout: Duration::MAX,
                idle_timeout: Duration::from_secs(1),
            }
        );
    }

    #[test]
    fn each_instance_draws_inside_the_range() {
        let config = ReuseConfig {
            max_reuse: Range::Bounds(2, 5),
            max_concurrent: Range::Bounds(1, 3),
            request_timeout: Some(Range::Bounds(
                Duration::from_millis(10),
                Duration::from_millis(20),
            )),
            idle_timeout: Range::Bounds(Duration::from_secs(1), Duration::from_secs(2)),
        };
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..500 {
            let p = config.plan();
            assert!((2..5).contains(&p.max_reuse));
            assert!((1..3).contains(&p.max_concurrent));
            assert!(p.request_timeout >= Duration::from_millis(10));
            assert!(p.request_timeout < Duration::from_millis(20));
            assert!(
                p.idle_timeout >= Duration::from_secs(1) && p.idle_timeout < Duration::from_secs(2)
            );
            seen.insert(p.max_reuse);
        }
        assert_eq!(seen.len(), 3, "every value of 2..5 is drawn: {seen:?}");
    }
}
