//! The scenarios, each run against one started server while its RSS and CPU
//! are sampled: concurrency ladder, throughput, connection rate, static
//! files and disconnect storm.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::loadproc::{run_get, run_sse, SseLoad};
use super::model::{ConnRateRow, LadderRow, StaticRow, StormRow, ThroughputRow};
use super::sampler::Sampler;
use super::server::Server;
use crate::load::summary::Summary;

/// Settings shared by all scenarios.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub exe: PathBuf,
    pub work: PathBuf,
    pub ladder: Vec<usize>,
    pub hold_s: f64,
    pub ramp_rate: f64,
    pub throughput_s: f64,
    pub connrate_s: f64,
    pub static_s: f64,
    pub storm_clients: usize,
    pub storm_wait_s: f64,
    /// Streams per load process at most.
    pub per_process: usize,
}

fn kv(map: &std::collections::BTreeMap<String, usize>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Waits until the runner reports no active instance (no-op without metrics).
/// Returns seconds waited, `None` if it timed out or there are no metrics.
pub fn wait_zero_instances(srv: &Server, timeout: Duration) -> Option<f64> {
    let t0 = Instant::now();
    srv.metrics()?;
    while t0.elapsed() < timeout {
        if srv.metrics().is_some_and(|m| m.instances_active == 0) {
            return Some(t0.elapsed().as_secs_f64());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// One ladder step per entry of `ctx.ladder`, on the same server process.
pub fn ladder(ctx: &Ctx, srv: &Server, sampler: &Sampler, idle_kib: u64) -> Vec<LadderRow> {
    let mut rows = Vec::new();
    for &n in &ctx.ladder {
        let load = SseLoad {
            url: format!("{}/sse?interval=1000&count=1000000", srv.base),
            streams: n,
            rate: ctx.ramp_rate,
            hold_s: ctx.hold_s,
            processes: n.div_ceil(ctx.per_process),
            drop_after_events: None,
            concurrency: None,
        };
        eprintln!("[bench] {}: ladder {n} streams", srv.name);
        let t0 = sampler.now();
        let ramp_s = n.saturating_sub(1) as f64 / ctx.ramp_rate;
        let probes = spawn_probes(ctx, srv, ramp_s);
        let s = match run_sse(&ctx.exe, &ctx.work, &load) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("[bench] {}: ladder {n}: {e}", srv.name);
                continue;
            }
        };
        let ramp = (n.saturating_sub(1)) as f64 / ctx.ramp_rate;
        let w = sampler
            .window(t0 + ramp + 1.0, t0 + ramp + ctx.hold_s + 0.3)
            .unwrap_or_default();
        wait_zero_instances(srv, Duration::from_secs(20));
        std::thread::sleep(Duration::from_secs(2));
        let after = sampler.settle_rss(Duration::from_secs(1));
        let established = s.established;
        let probe = probes
            .and_then(|h| h.join().ok())
            .and_then(|p| p.first_event);
        rows.push(LadderRow {
            probe_p50_ms: probe.map(|p| p.p50_ms),
            probe_p99_ms: probe.map(|p| p.p99_ms),
            probes: probe.map_or(0, |p| p.count),
            server: srv.name.clone(),
            streams: n,
            established,
            max_open: s.max_open,
            rss_idle_kib: idle_kib,
            rss_open_kib: w.rss_max_kib,
            kib_per_stream: (established > 0)
                .then(|| (w.rss_max_kib as f64 - idle_kib as f64) / established as f64),
            anon_open_kib: w.anon_at_max_kib,
            shmem_open_kib: w.shmem_at_max_kib,
            rss_after_kib: after,
            cpu_pct: w.cpu_pct,
            events_per_s: s.window_events_per_s,
            first_event_p50_ms: s.first_event.map(|p| p.p50_ms),
            first_event_p99_ms: s.first_event.map(|p| p.p99_ms),
            anomalies: s.anomalies,
            errors: s.errors,
            statuses: kv(&s.statuses),
            ends: kv(&s.ends),
            loadgen_cpu_pct: 100.0 * s.loadgen_cpu_s / s.wall_s.max(1e-9),
        });
    }
    rows
}

/// Probe rate while a ladder step holds its streams.
pub const PROBE_RATE: f64 = 100.0;

/// While the step's streams are held, short probe streams (`count=1`) at
/// [`PROBE_RATE`] measure the first-event latency at that many open
/// streams, with more samples spread over time than the ramp gives.
fn spawn_probes(ctx: &Ctx, srv: &Server, ramp_s: f64) -> Option<std::thread::JoinHandle<Summary>> {
    let probe_s = ctx.hold_s - 4.0;
    if probe_s < 1.0 {
        return None;
    }
    let work = ctx.work.join("probe");
    std::fs::create_dir_all(&work).ok()?;
    let load = SseLoad {
        url: format!("{}/sse?interval=1000&count=1", srv.base),
        streams: (probe_s * PROBE_RATE) as usize,
        rate: PROBE_RATE,
        hold_s: 3.0,
        processes: 1,
        drop_after_events: None,
        concurrency: None,
    };
    let exe = ctx.exe.clone();
    Some(std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs_f64(ramp_s + 2.0));
        run_sse(&exe, &work, &load).unwrap_or_default()
    }))
}

fn timed_sse(ctx: &Ctx, sampler: &Sampler, load: &SseLoad) -> Result<(Summary, f64), String> {
    let t0 = sampler.now();
    let s = run_sse(&ctx.exe, &ctx.work, load)?;
    let cpu = sampler.window(t0, sampler.now()).map_or(0.0, |w| w.cpu_pct);
    Ok((s, cpu))
}

/// Runs of the one-stream case, the median of which is reported: one run is
/// the component's 1,000,000-event limit, about 0.1 s, too short for one
/// sample to say much.
pub const ONE_STREAM_RUNS: usize = 5;

/// 1 and 100 streams at `interval=0` (one stream: the median of
/// [`ONE_STREAM_RUNS`] runs by events/s).
pub fn throughput(ctx: &Ctx, srv: &Server, sampler: &Sampler) -> Vec<ThroughputRow> {
    let mut rows = Vec::new();
    for n in [1usize, 100] {
        eprintln!("[bench] {}: throughput {n} stream(s)", srv.name);
        let load = SseLoad {
            url: format!("{}/sse?interval=0&count=1000000", srv.base),
            streams: n,
            rate: 0.0,
            hold_s: ctx.throughput_s,
            processes: 1,
            drop_after_events: None,
            concurrency: None,
        };
        let runs = if n == 1 { ONE_STREAM_RUNS } else { 1 };
        let mut results = Vec::with_capacity(runs);
        for _ in 0..runs {
            match timed_sse(ctx, sampler, &load) {
                Ok(result) => results.push(result),
                Err(e) => eprintln!("[bench] {}: throughput {n}: {e}", srv.name),
            }
            wait_zero_instances(srv, Duration::from_secs(20));
        }
        results.sort_by(|a, b| {
            a.0.overall_events_per_s
                .total_cmp(&b.0.overall_events_per_s)
        });
        // Anomalies and errors count over every run, not only the median's.
        let anomalies = results.iter().map(|(s, _)| s.anomalies).sum();
        let errors = results.iter().map(|(s, _)| s.errors).sum();
        if !results.is_empty() {
            let (s, cpu) = results.swap_remove(results.len() / 2);
            rows.push(ThroughputRow {
                server: srv.name.clone(),
                streams: n,
                events_per_s: s.overall_events_per_s,
                mb_per_s: s.overall_bytes_per_s / 1e6,
                cpu_pct: cpu,
                events: s.events,
                anomalies,
                errors,
            });
        }
    }
    rows
}

/// Short streams opened back to back by a fixed number of workers.
pub fn connrate(ctx: &Ctx, srv: &Server, sampler: &Sampler) -> Option<ConnRateRow> {
    let workers = 32;
    eprintln!("[bench] {}: connection rate", srv.name);
    let load = SseLoad {
        url: format!("{}/sse?interval=0&count=1", srv.base),
        streams: 2_000_000,
        rate: 0.0,
        hold_s: ctx.connrate_s,
        processes: 1,
        drop_after_events: None,
        concurrency: Some(workers),
    };
    let (s, cpu) = timed_sse(ctx, sampler, &load)
        .map_err(|e| eprintln!("[bench] {}: connection rate: {e}", srv.name))
        .ok()?;
    wait_zero_instances(srv, Duration::from_secs(20));
    Some(ConnRateRow {
        server: srv.name.clone(),
        concurrency: workers,
        streams: s.streams_requested,
        streams_per_s: s.completed_per_s,
        p50_ms: s.first_event.map(|p| p.p50_ms),
        p99_ms: s.first_event.map(|p| p.p99_ms),
        errors: s.errors,
        statuses: kv(&s.statuses),
        ends: kv(&s.ends),
        cpu_pct: cpu,
    })
}

/// Name of the generated 1 MiB file in the static directory.
pub const BIG_FILE: &str = "bench-1mib.bin";

/// index.html with and without If-None-Match, and the 1 MiB file.
pub fn statics(ctx: &Ctx, srv: &Server, sampler: &Sampler) -> Vec<StaticRow> {
    let cases = [
        ("index.html", "/index.html".to_string(), false),
        (
            "index.html + If-None-Match",
            "/index.html".to_string(),
            true,
        ),
        ("1 MiB file", format!("/{BIG_FILE}"), false),
    ];
    let connections = 16;
    let mut rows = Vec::new();
    for (case, path, inm) in cases {
        eprintln!("[bench] {}: static {case}", srv.name);
        let t0 = sampler.now();
        match run_get(
            &ctx.exe,
            &ctx.work,
            &format!("{}{path}", srv.base),
            connections,
            ctx.static_s,
            inm,
        ) {
            Ok(g) => rows.push(StaticRow {
                server: srv.name.clone(),
                case: case.to_string(),
                connections,
                requests_per_s: g.requests_per_s,
                mb_per_s: g.body_mb_per_s,
                p50_ms: g.latency.map(|p| p.p50_ms),
                p99_ms: g.latency.map(|p| p.p99_ms),
                statuses: g
                    .statuses
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                errors: g.errors.values().sum(),
                cpu_pct: sampler.window(t0, sampler.now()).map_or(0.0, |w| w.cpu_pct),
            }),
            Err(e) => eprintln!("[bench] {}: static {case}: {e}", srv.name),
        }
    }
    rows
}

/// Clients drop mid-stream; how fast do instances and RSS go back?
pub fn storm(ctx: &Ctx, srv: &Server, sampler: &Sampler, idle_kib: u64) -> Option<StormRow> {
    eprintln!(
        "[bench] {}: disconnect storm, {} clients",
        srv.name, ctx.storm_clients
    );
    let load = SseLoad {
        url: format!("{}/sse?interval=100&count=1000000", srv.base),
        streams: ctx.storm_clients,
        rate: ctx.ramp_rate,
        hold_s: 60.0,
        processes: ctx.storm_clients.div_ceil(ctx.per_process),
        drop_after_events: Some(20),
        concurrency: None,
    };
    let t0 = sampler.now();
    let s = run_sse(&ctx.exe, &ctx.work, &load)
        .map_err(|e| eprintln!("[bench] {}: storm: {e}", srv.name))
        .ok()?;
    let gone = Instant::now();
    let t_gone = sampler.now();
    let peak = sampler.window(t0, t_gone).map_or(0, |w| w.rss_max_kib);
    let has_metrics = srv.metrics().is_some();
    let (mut zero, mut back) = (None, None);
    let wait = Duration::from_secs_f64(ctx.storm_wait_s);
    while gone.elapsed() < wait {
        let t = gone.elapsed().as_secs_f64();
        if zero.is_none() && srv.metrics().is_some_and(|m| m.instances_active == 0) {
            zero = Some(t);
        }
        if back.is_none()
            && sampler
                .read_now()
                .is_some_and(|r| (r.rss_kib as f64) <= idle_kib as f64 * 1.10)
        {
            back = Some(t);
        }
        if back.is_some() && (zero.is_some() || !has_metrics) && t >= 5.0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = sampler.read_now().map_or(0, |r| r.rss_kib);
    let m = srv.metrics();
    Some(StormRow {
        server: srv.name.clone(),
        clients: ctx.storm_clients,
        dropped: s.ends.get("client_drop").copied().unwrap_or(0),
        rss_idle_kib: idle_kib,
        rss_peak_kib: peak,
        rss_after_kib: after,
        s_to_zero_instances: zero,
        s_to_rss_back: back,
        instances_started: m.map(|m| m.instances_started),
        instances_finished: m.map(|m| m.instances_finished),
    })
}
