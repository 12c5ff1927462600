//! Live component instances: the `--max-instances` limit and the counters
//! behind `/metrics`.
//!
//! A request takes a [`Slot`] before its instance is created; the slot is
//! released when the instance ends (the guest's handler returned, trapped, or
//! was stopped at shutdown) and its store is dropped. When no slot is free the
//! request is rejected (the server answers 503). `instances_active` is
//! `started - finished`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Shared instance limit and counters.
#[derive(Debug)]
pub struct Instances {
    limit: Arc<Semaphore>,
    max: u32,
    started: AtomicU64,
    finished: AtomicU64,
    rejected: AtomicU64,
}

/// A point-in-time copy of the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// Instances running now.
    pub active: u64,
    /// Instances ever started.
    pub started: u64,
    /// Instances that ended.
    pub finished: u64,
    /// Requests answered 503 because every slot was taken.
    pub rejected: u64,
    /// Output lines dropped because stdout/stderr was slow (filled in by
    /// the metrics server from [`crate::log::dropped_lines`]).
    pub log_lines_dropped: u64,
}

impl Snapshot {
    /// The `/metrics` JSON body.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"instances_active\":{},\"instances_started\":{},\"instances_finished\":{},\"requests_rejected\":{},\"log_lines_dropped\":{}}}",
            self.active, self.started, self.finished, self.rejected, self.log_lines_dropped
        )
    }
}

/// One live instance's claim on the limit; dropping it counts the instance
/// as finished.
#[derive(Debug)]
pub struct Slot {
    owner: Arc<Instances>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.owner.finished.fetch_add(1, Ordering::SeqCst);
    }
}

impl Instances {
    /// At most `max` instances at once.
    pub fn new(max: u32) -> Arc<Self> {
        Arc::new(Instances {
            limit: Arc::new(Semaphore::new(max as usize)),
            max,
            started: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
        })
    }

    /// The configured limit.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Claims a slot, or counts a rejection and returns `None` when all are taken.
    pub fn try_start(self: &Arc<Self>) -> Option<Slot> {
        match self.limit.clone().try_acquire_owned() {
            Ok(permit) => {
                self.started.fetch_add(1, Ordering::SeqCst);
                Some(Slot {
                    owner: self.clone(),
                    _permit: permit,
                })
            }
            Err(_) => {
                self.rejected.fetch_add(1, Ordering::SeqCst);
                None
            }
        }
    }

    /// Current counters.
    pub fn snapshot(&self) -> Snapshot {
        let finished = self.finished.load(Ordering::SeqCst);
        let started = self.started.load(Ordering::SeqCst);
        Snapshot {
            active: started.saturating_sub(finished),
            started,
            finished,
            rejected: self.rejected.load(Ordering::SeqCst),
            log_lines_dropped: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_and_rejections_counted() {
        let i = Instances::new(2);
        let a = i.try_start().unwrap();
        let _b = i.try_start().unwrap();
        assert!(i.try_start().is_none());
        assert_eq!(
            i.snapshot(),
            Snapshot {
                active: 2,
                started: 2,
                finished: 0,
                rejected: 1,
                log_lines_dropped: 0
            }
        );
        drop(a);
        assert_eq!(
            i.snapshot(),
            Snapshot {
                active: 1,
                started: 2,
                finished: 1,
                rejected: 1,
                log_lines_dropped: 0
            }
        );
        assert!(i.try_start().is_some());
    }

    #[test]
    fn metrics_json_has_the_contract_fields() {
        let s = Snapshot {
            active: 1,
            started: 5,
            finished: 4,
            rejected: 2,
            log_lines_dropped: 3,
        };
        assert_eq!(
            s.to_json(),
            r#"{"instances_active":1,"instances_started":5,"instances_finished":4,"requests_rejected":2,"log_lines_dropped":3}"#
        );
    }
}
