//! The measured results of one driver run, as plain data: what the report,
//! the goal check and the plots are computed from (and what is saved as JSON).

use serde::{Deserialize, Serialize};

use crate::procfs::Machine;

/// One concurrency-ladder step on one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LadderRow {
    pub server: String,
    pub streams: usize,
    pub established: usize,
    pub max_open: u64,
    /// RSS of the freshly started, idle server.
    pub rss_idle_kib: u64,
    /// Peak RSS while all streams were open.
    pub rss_open_kib: u64,
    /// (open - idle) / established streams.
    pub kib_per_stream: Option<f64>,
    /// RssAnon and RssShmem at the peak (the rest is file-backed).
    pub anon_open_kib: u64,
    pub shmem_open_kib: u64,
    /// RSS a few seconds after the streams ended.
    pub rss_after_kib: u64,
    pub cpu_pct: f64,
    pub events_per_s: f64,
    pub first_event_p50_ms: Option<f64>,
    pub first_event_p99_ms: Option<f64>,
    /// First-event latency of short probe streams opened while the step's
    /// streams were held.
    #[serde(default)]
    pub probe_p50_ms: Option<f64>,
    #[serde(default)]
    pub probe_p99_ms: Option<f64>,
    #[serde(default)]
    pub probes: usize,
    pub anomalies: u64,
    pub errors: usize,
    /// e.g. "200: 1000, 503: 3"
    pub statuses: String,
    /// e.g. "client_deadline: 998, reset: 2"
    pub ends: String,
    pub loadgen_cpu_pct: f64,
}

/// Throughput at `interval=0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ThroughputRow {
    pub server: String,
    pub streams: usize,
    pub events_per_s: f64,
    pub mb_per_s: f64,
    pub cpu_pct: f64,
    pub events: u64,
    pub anomalies: u64,
    pub errors: usize,
}

/// Short streams (`count=1`), opened back to back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ConnRateRow {
    pub server: String,
    pub concurrency: usize,
    pub streams: usize,
    pub streams_per_s: f64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub errors: usize,
    pub statuses: String,
    /// e.g. "completed: 9000, reset: 3"
    pub ends: String,
    pub cpu_pct: f64,
}

/// Static file GETs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct StaticRow {
    pub server: String,
    /// e.g. "index.html", "index.html + If-None-Match", "1 MiB file".
    pub case: String,
    pub connections: usize,
    pub requests_per_s: f64,
    pub mb_per_s: f64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub statuses: String,
    pub errors: u64,
    pub cpu_pct: f64,
}

/// Disconnect storm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct StormRow {
    pub server: String,
    pub clients: usize,
    pub dropped: usize,
    pub rss_idle_kib: u64,
    pub rss_peak_kib: u64,
    pub rss_after_kib: u64,
    /// Seconds from the last client leaving to `instances_active == 0`.
    pub s_to_zero_instances: Option<f64>,
    /// Seconds from the last client leaving to RSS within 10% of idle.
    pub s_to_rss_back: Option<f64>,
    pub instances_started: Option<u64>,
    pub instances_finished: Option<u64>,
}

/// A server that was not measured, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Skipped {
    pub server: String,
    pub reason: String,
}

/// Everything one driver run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Results {
    pub generated_utc: String,
    pub commit: String,
    pub command: String,
    pub quick: bool,
    pub machine: Machine,
    pub versions: Vec<(String, String)>,
    /// Server name -> the command line it was started with.
    pub servers: Vec<(String, String)>,
    pub skipped: Vec<Skipped>,
    pub notes: Vec<String>,
    pub hold_s: f64,
    pub ramp_rate: f64,
    pub ladder: Vec<LadderRow>,
    /// Runs of the one-stream throughput case whose median is reported
    /// (0 in results from before it was repeated: one run).
    #[serde(default)]
    pub one_stream_runs: usize,
    pub throughput: Vec<ThroughputRow>,
    pub connrate: Vec<ConnRateRow>,
    pub statics: Vec<StaticRow>,
    pub storm: Vec<StormRow>,
    pub duration_s: f64,
}

/// Name of the runner in results (serving the WASI 0.2 manifest).
pub const RUNNER: &str = "runner";
/// Name of the runner serving the WASI 0.3 manifest (`spin.p3.toml`).
pub const RUNNER_P3: &str = "runner-p3";
/// Name of `spin up` serving the WASI 0.2 manifest (`spin.toml`).
pub const SPIN: &str = "spin";
/// Name of `spin up` serving the WASI 0.3 manifest (`spin.p3.toml`).
pub const SPIN_P3: &str = "spin-p3";
/// Name of the native peer in results.
pub const PEER: &str = "peer";
