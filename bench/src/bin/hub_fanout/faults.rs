//! The faults a run can inject at mid-run (half of `--seconds` into
//! publishing) while subscribers are open and publishing goes on, and how
//! long the subscribers took to be live again after one.
//!
//! - `kill-runner`: SIGKILL the last of the servers (a runner, or `spin
//!   up`'s trigger and `spin up`). From then on the publisher sends only to
//!   the survivors; a publish in flight to the dead process gets no answer
//!   and is not acknowledged. Its subscribers reconnect to the next server.
//! - `redis-restart`: SIGKILL Redis (started append-only, fsync always, so
//!   every acknowledged publish is on disk), keep it down [`REDIS_DOWN`],
//!   start it again on the same port and dir. Publishes meanwhile get 503;
//!   streams end and resume by `Last-Event-ID` once Redis is back.
//!
//! "Live again" is, over the subscribers whose stream ended or whose
//! attempt failed after the fault, the longest time from the fault to the
//! head of the first stream they got back (subscribers untouched by the
//! fault are live throughout).

use crate::processes::{xread_calls, Server};
use spin_sse_bench::procfs;
use sse_testkit::redis::RedisServer;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long Redis stays down in `redis-restart`.
pub const REDIS_DOWN: Duration = Duration::from_secs(1);

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// SIGKILL one of the servers at mid-run (needs --runners 2 or more).
    KillRunner,
    /// Kill Redis at mid-run and start it again 1 s later (append-only).
    RedisRestart,
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::KillRunner => "kill-runner",
            Fault::RedisRestart => "redis-restart",
        }
    }
}

/// What an injected fault did.
pub struct Injected {
    /// When it struck (the signal was sent).
    pub at: Instant,
    /// `kill-runner`: the killed server and its CPU seconds just before.
    pub killed: Option<(usize, f64)>,
    /// `redis-restart`: Redis's CPU seconds and `XREAD`s just before.
    pub redis_before: Option<(f64, u64)>,
    /// `redis-restart`: from the kill until the new Redis answered.
    pub outage: Option<Duration>,
}

/// Injects `fault`; `alive` says which servers the publisher may use.
pub fn inject(
    fault: Fault,
    servers: &[Server],
    alive: &[AtomicBool],
    redis: &Mutex<RedisServer>,
) -> Injected {
    match fault {
        Fault::KillRunner => {
            let victim = servers.len() - 1;
            alive[victim].store(false, Ordering::SeqCst);
            let cpu = servers[victim].cpu_seconds().unwrap_or(0.0);
            let at = Instant::now();
            servers[victim].kill();
            Injected {
                at,
                killed: Some((victim, cpu)),
                redis_before: None,
                outage: None,
            }
        }
        Fault::RedisRestart => {
            let mut redis = redis.lock().expect("redis lock");
            let cpu = redis.pid().and_then(procfs::cpu_seconds).unwrap_or(0.0);
            let xreads = xread_calls(&redis);
            let at = Instant::now();
            redis.kill();
            std::thread::sleep(REDIS_DOWN);
            redis.restart();
            Injected {
                at,
                killed: None,
                redis_before: Some((cpu, xreads)),
                outage: Some(at.elapsed()),
            }
        }
    }
}

/// How the subscribers came back after a fault.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Recovery {
    /// Subscribers whose stream ended or whose attempt failed after it.
    pub affected: usize,
    /// Of those, the ones that got no stream back.
    pub not_live_again: usize,
    /// From the fault to the last affected subscriber's new stream head
    /// (`None` if one never got one).
    pub live_again: Option<Duration>,
}

/// [`Recovery`] after a fault `at`, from each subscriber's stream heads
/// and breaks (each in time order).
pub fn recovery<'a>(
    at: Instant,
    subscribers: impl IntoIterator<Item = (&'a [Instant], &'a [Instant])>,
) -> Recovery {
    let mut recovery = Recovery {
        live_again: Some(Duration::ZERO),
        ..Recovery::default()
    };
    for (heads, breaks) in subscribers {
        let Some(&broke) = breaks.iter().find(|&&b| b >= at) else {
            continue;
        };
        recovery.affected += 1;
        match heads.iter().find(|&&h| h > broke) {
            Some(&head) => {
                recovery.live_again = recovery.live_again.map(|d| d.max(head - at));
            }
            None => recovery.not_live_again += 1,
        }
    }
    if recovery.not_live_again > 0 {
        recovery.live_again = None;
    }
    recovery
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slowest_affected_subscriber_decides_live_again() {
        let t0 = Instant::now();
        let s = |n: u64| t0 + Duration::from_millis(n);
        let at = s(1000);
        // Untouched; broke before the fault; broke at it and came back after
        // 1.2 s; failed twice and came back after 2.5 s.
        let subscribers = [
            (vec![s(0)], vec![]),
            (vec![s(0), s(600)], vec![s(500)]),
            (vec![s(0), s(2200)], vec![s(1001)]),
            (vec![s(0), s(3500)], vec![s(1001), s(2001)]),
        ];
        let recovery = recovery(
            at,
            subscribers
                .iter()
                .map(|(h, b)| (h.as_slice(), b.as_slice())),
        );
        assert_eq!(
            recovery,
            Recovery {
                affected: 2,
                not_live_again: 0,
                live_again: Some(Duration::from_millis(2500)),
            }
        );
    }

    #[test]
    fn a_subscriber_that_never_came_back_leaves_live_again_unknown() {
        let at = Instant::now();
        let later = at + Duration::from_millis(10);
        let recovery = recovery(at, [(&[at][..], &[later][..])]);
        assert_eq!(recovery.affected, 1);
        assert_eq!(recovery.not_live_again, 1);
        assert_eq!(recovery.live_again, None);
    }

    #[test]
    fn without_a_break_after_the_fault_nothing_was_affected() {
        let at = Instant::now();
        let recovery = recovery(at, [(&[at][..], &[][..])]);
        assert_eq!(recovery.affected, 0);
        assert_eq!(recovery.live_again, Some(Duration::ZERO));
    }
}
