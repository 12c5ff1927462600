//! Live component instances: the `--max-instances` limit and the counters
//! behind `/metrics`.
//!
//! A request takes a [`Slot`] before its instance is created; the slot is
//! released when the instance ends (the guest's handler returned, trapped, or
//! was stopped at shutdown) and its store is dropped. When no slot is free the
//! request is rejected (the server answers 503). `instances_active` is
//! `started - finished`.
//!
//! Per routed component, [`ComponentGauges`] count its live instances and
//! the requests they serve (a request counts until its response body ends
//! or is dropped): a WASI 0.2 component has one request per instance, a
//! WASI 0.3 one may have many (`/metrics` `components`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Shared instance limit and counters.
#[derive(Debug)]
pub struct Instances {
    limit: Arc<Semaphore>,
    max: u32,
    started: AtomicU64,
    finished: AtomicU64,
    rejected: AtomicU64,
    components: Mutex<Vec<Arc<ComponentGauges>>>,
}

/// One component's live instances and requests.
#[derive(Debug)]
pub struct ComponentGauges {
    id: String,
    abi: &'static str,
    instances: AtomicU64,
    requests: AtomicU64,
    requests_total: AtomicU64,
}

/// A request in flight; dropping it ends the request's count.
#[derive(Debug)]
pub struct RequestGauge(Arc<ComponentGauges>);

impl Drop for RequestGauge {
    fn drop(&mut self) {
        self.0.requests.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ComponentGauges {
    /// Counts a request until the returned gauge is dropped.
    pub fn request(self: &Arc<Self>) -> RequestGauge {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.requests_total.fetch_add(1, Ordering::SeqCst);
        RequestGauge(self.clone())
    }

    fn snapshot(&self) -> ComponentSnapshot {
        ComponentSnapshot {
            id: self.id.clone(),
            abi: self.abi,
            instances_active: self.instances.load(Ordering::SeqCst),
            requests_active: self.requests.load(Ordering::SeqCst),
            requests_total: self.requests_total.load(Ordering::SeqCst),
        }
    }
}

/// A point-in-time copy of one component's gauges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentSnapshot {
    /// Component id.
    pub id: String,
    /// The `wasi:http` interface it exports.
    pub abi: &'static str,
    /// Its instances running now.
    pub instances_active: u64,
    /// Requests its instances serve now.
    pub requests_active: u64,
    /// Requests it has been given.
    pub requests_total: u64,
}

/// A point-in-time copy of the counters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    /// the metrics server from [`crate::host::log::dropped_lines`]).
    pub log_lines_dropped: u64,
    /// Per routed component, in the order they were registered.
    pub components: Vec<ComponentSnapshot>,
}

impl Snapshot {
    /// The `/metrics` JSON body.
    pub fn to_json(&self) -> String {
        let components: Vec<String> = self
            .components
            .iter()
            .map(|c| {
                format!(
                    "{{\"id\":\"{}\",\"abi\":\"{}\",\"instances_active\":{},\"requests_active\":{},\"requests_total\":{}}}",
                    c.id, c.abi, c.instances_active, c.requests_active, c.requests_total
                )
            })
            .collect();
        format!(
            "{{\"instances_active\":{},\"instances_started\":{},\"instances_finished\":{},\"requests_rejected\":{},\"log_lines_dropped\":{},\"components\":[{}]}}",
            self.active,
            self.started,
            self.finished,
            self.rejected,
            self.log_lines_dropped,
            components.join(",")
        )
    }
}

/// One live instance's claim on the limit; dropping it counts the instance
/// as finished.
#[derive(Debug)]
pub struct Slot {
    owner: Arc<Instances>,
    component: Arc<ComponentGauges>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.component.instances.fetch_sub(1, Ordering::SeqCst);
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
            components: Mutex::default(),
        })
    }

    /// Registers a component's gauges; `abi` names its `wasi:http` export.
    pub fn component(&self, id: &str, abi: &'static str) -> Arc<ComponentGauges> {
        let gauges = Arc::new(ComponentGauges {
            id: id.to_string(),
            abi,
            instances: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            requests_total: AtomicU64::new(0),
        });
        let mut all = self.components.lock().unwrap_or_else(|e| e.into_inner());
        all.push(gauges.clone());
        gauges
    }

    /// The configured limit.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Claims a slot for an instance of `component`, or counts a rejection and returns `None` when all are taken.
    pub fn try_start_for(self: &Arc<Self>, component: &Arc<ComponentGauges>) -> Option<Slot> {
        match self.limit.clone().try_acquire_owned() {
            Ok(permit) => {
                self.started.fetch_add(1, Ordering::SeqCst);
                component.instances.fetch_add(1, Ordering::SeqCst);
                Some(Slot {
                    owner: self.clone(),
                    component: component.clone(),
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
            components: {
                let all = self.components.lock().unwrap_or_else(|e| e.into_inner());
                all.iter().map(|c| c.snapshot()).collect()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_and_rejections_counted() {
        let i = Instances::new(2);
        let sse = i.component("sse", "wasi:http/handler@0.3.0");
        let a = i.try_start_for(&sse).unwrap();
        let _b = i.try_start_for(&sse).unwrap();
        assert!(i.try_start_for(&sse).is_none());
        let s = i.snapshot();
        assert_eq!((s.active, s.started, s.finished, s.rejected), (2, 2, 0, 1));
        assert_eq!(s.components[0].instances_active, 2);
        drop(a);
        let s = i.snapshot();
        assert_eq!((s.active, s.started, s.finished, s.rejected), (1, 2, 1, 1));
        assert_eq!(s.components[0].instances_active, 1);
        assert!(i.try_start_for(&sse).is_some());
    }

    #[test]
    fn requests_count_per_component_until_their_gauge_drops() {
        let i = Instances::new(4);
        let sse = i.component("sse", "wasi:http/handler@0.3.0");
        let hub = i.component("hub", "wasi:http/incoming-handler@0.2.6");
        let r1 = sse.request();
        let _r2 = sse.request();
        let _r3 = hub.request();
        drop(r1);
        let s = i.snapshot();
        let counts: Vec<_> = s
            .components
            .iter()
            .map(|c| (c.id.as_str(), c.requests_active, c.requests_total))
            .collect();
        assert_eq!(counts, [("sse", 1, 2), ("hub", 1, 1)]);
    }

    #[test]
    fn metrics_json_has_the_contract_fields() {
        let s = Snapshot {
            active: 1,
            started: 5,
            finished: 4,
            rejected: 2,
            log_lines_dropped: 3,
            components: vec![ComponentSnapshot {
                id: "sse".into(),
                abi: "wasi:http/handler@0.3.0",
                instances_active: 1,
                requests_active: 7,
                requests_total: 9,
            }],
        };
        assert_eq!(
            s.to_json(),
            r#"{"instances_active":1,"instances_started":5,"instances_finished":4,"requests_rejected":2,"log_lines_dropped":3,"components":[{"id":"sse","abi":"wasi:http/handler@0.3.0","instances_active":1,"requests_active":7,"requests_total":9}]}"#
        );
    }
}
