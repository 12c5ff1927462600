//! The SSE load generator: opens N streams at a given rate, holds them until
//! a deadline, and returns a [`RawRun`] (merge several with
//! [`summary::Summary::from_runs`]).

pub mod conn;
pub mod record;
pub mod summary;

use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::procfs;
use crate::target::Target;
use conn::{run_stream, Counters, StreamSpec};
use record::{RawRun, TimelineSample};
use sse_testkit::request::Request;

/// Settings for one load run.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub target: Target,
    pub streams: usize,
    /// New streams per second; 0 opens all at once.
    pub rate: f64,
    /// How long to keep streams open after the last one is scheduled.
    pub hold: Duration,
    /// Hard upper bound on the run, whatever the other settings.
    pub max_duration: Duration,
    /// Loopback source addresses used round-robin (empty: kernel's choice).
    pub sources: Vec<IpAddr>,
    pub last_event_id: Option<u64>,
    pub drop_after_events: Option<u64>,
    pub connect_timeout: Duration,
    pub abortive_close: bool,
    /// Timeline sampling period.
    pub sample_every: Duration,
    /// Closed loop: this many workers open streams back to back (until
    /// `streams` were started or the deadline) instead of the fixed rate.
    pub concurrency: Option<usize>,
}

impl LoadConfig {
    /// Seconds needed to schedule every stream.
    pub fn ramp(&self) -> Duration {
        if self.rate > 0.0 && self.streams > 1 && self.concurrency.is_none() {
            Duration::from_secs_f64((self.streams - 1) as f64 / self.rate)
        } else {
            Duration::ZERO
        }
    }
}

/// Runs the load described by `cfg` on the current Tokio runtime.
pub async fn run(cfg: &LoadConfig) -> RawRun {
    let mut extra: Vec<(&str, String)> = vec![
        ("Accept", "text/event-stream".into()),
        ("Cache-Control", "no-cache".into()),
    ];
    if let Some(id) = cfg.last_event_id {
        extra.push(("Last-Event-ID", id.to_string()));
    }
    let extra_ref: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let spec = Arc::new(StreamSpec {
        addr: cfg.target.addr,
        request: Request::get(&cfg.target.path)
            .headers(&extra_ref)
            .to_bytes(&cfg.target.host_header)
            .into(),
        expected_first_id: cfg.last_event_id.map_or(1, |k| k + 1),
        drop_after_events: cfg.drop_after_events,
        connect_timeout: cfg.connect_timeout,
        abortive_close: cfg.abortive_close,
    });
    let counters = Arc::new(Counters::default());
    let cpu_before = procfs::self_cpu_seconds();
    let start = Instant::now();
    let ramp = cfg.ramp();
    let deadline = (start + ramp + cfg.hold).min(start + cfg.max_duration);

    let (done_tx, done_rx) = tokio::sync::watch::channel(false);
    let sampler = tokio::spawn(sample_timeline(
        counters.clone(),
        start,
        deadline,
        cfg.sample_every,
        done_rx.clone(),
    ));
    let settle = Duration::from_secs(if cfg.hold >= Duration::from_secs(3) {
        1
    } else {
        0
    });
    let from = (start + ramp + settle).min(deadline);
    let window = tokio::spawn(measure_window(counters.clone(), from, deadline, done_rx));

    let mut records = match cfg.concurrency {
        Some(c) => closed_loop(cfg, c, &spec, &counters, start, deadline).await,
        None => open_loop(cfg, &spec, &counters, start, deadline).await,
    };
    while records.len() < cfg.streams && cfg.concurrency.is_none() {
        records.push(record::ConnRecord::new(
            deadline.duration_since(start).as_micros() as u64,
        ));
    }
    let wall_s = start.elapsed().as_secs_f64();
    let _ = done_tx.send(true);
    let timeline = sampler.await.unwrap_or_default();
    let (window_s, window_events, window_bytes) = window.await.unwrap_or_default();
    RawRun {
        url: format!("http://{}{}", cfg.target.host_header, cfg.target.path),
        streams: if cfg.concurrency.is_some() {
            records.len()
        } else {
            cfg.streams
        },
        records,
        timeline,
        window_s,
        window_events,
        window_bytes,
        wall_s,
        cpu_s: procfs::self_cpu_seconds() - cpu_before,
    }
}

/// Opens stream i at `start + i / rate`.
async fn open_loop(
    cfg: &LoadConfig,
    spec: &Arc<StreamSpec>,
    counters: &Arc<Counters>,
    start: Instant,
    deadline: Instant,
) -> Vec<record::ConnRecord> {
    let mut handles = Vec::with_capacity(cfg.streams);
    for i in 0..cfg.streams {
        let at = start
            + Duration::from_secs_f64(if cfg.rate > 0.0 {
                i as f64 / cfg.rate
            } else {
                0.0
            });
        if at >= deadline {
            break;
        }
        tokio::time::sleep_until(at).await;
        let source = (!cfg.sources.is_empty()).then(|| cfg.sources[i % cfg.sources.len()]);
        let (spec, counters) = (Arc::clone(spec), Arc::clone(counters));
        handles.push(tokio::spawn(async move {
            run_stream(&spec, source, start, deadline, &counters).await
        }));
    }
    let mut records = Vec::with_capacity(cfg.streams);
    for h in handles {
        if let Ok(r) = h.await {
            records.push(r);
        }
    }
    records
}

/// How long a closed-loop stream started before the deadline may take to
/// finish (so in-flight requests are measured, not cut off).
pub const CLOSED_LOOP_GRACE: Duration = Duration::from_secs(5);

/// `workers` tasks each open one stream after another until the deadline;
/// a stream already started may finish within [`CLOSED_LOOP_GRACE`].
async fn closed_loop(
    cfg: &LoadConfig,
    workers: usize,
    spec: &Arc<StreamSpec>,
    counters: &Arc<Counters>,
    start: Instant,
    deadline: Instant,
) -> Vec<record::ConnRecord> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sources = Arc::new(cfg.sources.clone());
    let total = cfg.streams;
    let mut handles = Vec::with_capacity(workers);
    for _ in 0..workers.max(1) {
        let (spec, counters, next, sources) = (
            spec.clone(),
            counters.clone(),
            next.clone(),
            sources.clone(),
        );
        handles.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total || Instant::now() >= deadline {
                    return out;
                }
                let source = (!sources.is_empty()).then(|| sources[i % sources.len()]);
                let finish_by = deadline + CLOSED_LOOP_GRACE;
                out.push(run_stream(&spec, source, start, finish_by, &counters).await);
            }
        }));
    }
    let mut records = Vec::new();
    for h in handles {
        if let Ok(mut r) = h.await {
            records.append(&mut r);
        }
    }
    records
}

fn snapshot(c: &Counters, start: Instant) -> TimelineSample {
    TimelineSample {
        t_s: start.elapsed().as_secs_f64(),
        open: c.open.load(Ordering::Relaxed).max(0) as u64,
        events: c.events.load(Ordering::Relaxed),
        bytes: c.bytes.load(Ordering::Relaxed),
    }
}

/// Sleeps until `at`; returns false if the run finished first.
async fn sleep_unless_done(at: Instant, done: &mut Done) -> bool {
    if *done.borrow() {
        return false;
    }
    tokio::select! {
        _ = tokio::time::sleep_until(at) => true,
        _ = done.wait_for(|d| *d) => false,
    }
}

type Done = tokio::sync::watch::Receiver<bool>;

async fn sample_timeline(
    c: Arc<Counters>,
    start: Instant,
    deadline: Instant,
    every: Duration,
    mut done: Done,
) -> Vec<TimelineSample> {
    let mut out = Vec::new();
    let mut next = start;
    while next <= deadline && sleep_unless_done(next, &mut done).await {
        out.push(snapshot(&c, start));
        next += every;
    }
    out.push(snapshot(&c, start));
    out
}

/// Events and bytes counted between `from` and `to` (or the end of the run).
async fn measure_window(
    c: Arc<Counters>,
    from: Instant,
    to: Instant,
    mut done: Done,
) -> (f64, u64, u64) {
    if !sleep_unless_done(from, &mut done).await {
        return (0.0, 0, 0);
    }
    let (e0, b0, t0) = (
        c.events.load(Ordering::Relaxed),
        c.bytes.load(Ordering::Relaxed),
        Instant::now(),
    );
    sleep_unless_done(to, &mut done).await;
    let (e1, b1) = (
        c.events.load(Ordering::Relaxed),
        c.bytes.load(Ordering::Relaxed),
    );
    (t0.elapsed().as_secs_f64(), e1 - e0, b1 - b0)
}
