//! One run's figures: printed as a Markdown table of measures, and returned
//! as the raw JSON (`--json`), which also names the server, the fault, the
//! commit, the date and the machine (no paths of this machine), so
//! `--render` can put runs side by side later.

use crate::faults::{Fault, Recovery};
use crate::tally::{self, Tally};
use crate::Args;
use spin_sse_bench::driver::meta;
use spin_sse_bench::procfs;
use spin_sse_bench::stats::{self, Percentiles};
use std::time::Duration;

/// What one run measured.
pub struct Run {
    pub open: usize,
    pub connect_seconds: f64,
    /// Hub instances over all servers once every subscriber is open
    /// (`None`: unknown, e.g. under Spin, which has no `/metrics`).
    pub hub_instances: Option<u64>,
    /// Serving processes' RSS before the subscribers and with all open, KiB.
    pub rss_before: u64,
    pub rss_open: u64,
    pub clients: String,
    pub redis_cpu: f64,
    pub servers_cpu: f64,
    /// `XREAD`s Redis served during publish + drain.
    pub xreads: u64,
    /// Ranks (in Redis's order) of the acknowledged (200) publishes.
    pub acknowledged: Vec<u64>,
    pub attempted: u64,
    /// Publishes answered with another status (503 while Redis is down).
    pub refused: u64,
    /// Publishes that got no answer (their server died).
    pub unanswered: u64,
    pub publish_seconds: f64,
    pub tallies: Vec<Tally>,
    pub latencies: Vec<u64>,
    /// Streams that started again after one ended.
    pub resumed: u64,
    /// Subscribers that stopped retrying.
    pub gave_up: usize,
    /// Seconds from the last publish's answer until deliveries stopped.
    pub drain_seconds: f64,
    pub fault: Option<FaultRun>,
}

/// A run's fault and what followed it.
pub struct FaultRun {
    pub fault: Fault,
    /// Seconds into publishing when it struck.
    pub at_seconds: f64,
    pub recovery: Recovery,
    /// `redis-restart`: from the kill until Redis answered again.
    pub outage: Option<Duration>,
}

/// Prints the report table and returns the same figures as JSON.
pub fn report(args: &Args, run: &Run) -> serde_json::Value {
    let published = args.rate * args.seconds;
    let totals = tally::totals(&run.tallies, &run.acknowledged);
    // Only subscribers that connected are expected to receive anything.
    let connected: Vec<&Tally> = run.tallies.iter().filter(|t| t.received > 0).collect();
    let lost_connected = tally::totals(connected.iter().copied(), &run.acknowledged).lost;
    let acknowledged = run.acknowledged.len() as u64;
    let latency = Percentiles::from_micros(&run.latencies).unwrap_or_default();
    let per_subscriber =
        (run.rss_open.saturating_sub(run.rss_before)) as f64 / run.open.max(1) as f64;
    let window = run.publish_seconds + run.drain_seconds;
    let per_million = run.servers_cpu / (totals.received.max(1) as f64 / 1e6);
    let server = args.server.name();
    let fault = run
        .fault
        .as_ref()
        .map_or(String::new(), |f| format!(", fault {}", f.fault.name()));
    println!(
        "## Hub fan-out: {} subscribers over {} {server} processes, {} updates/s for {} s{fault}",
        args.subscribers, args.runners, args.rate, args.seconds
    );
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    let pace = match args.connect_rate {
        0 => "all at once".to_owned(),
        rate => format!("{rate}/s"),
    };
    println!(
        "| subscribers connected | {} of {} in {:.1} s ({pace}) |",
        run.open, args.subscribers, run.connect_seconds
    );
    match run.hub_instances {
        Some(n) => println!(
            "| hub instances with all subscribers open | {n} ({:.1} subscribers each) |",
            run.open as f64 / n.max(1) as f64
        ),
        None => println!("| hub instances with all subscribers open | unknown (no `/metrics`) |"),
    }
    println!(
        "| updates published (200) | {acknowledged} of {} attempted ({published} due at {}/s) in {:.1} s: {:.1}/s |",
        run.attempted,
        args.rate,
        run.publish_seconds,
        stats::rate(acknowledged as f64, run.publish_seconds)
    );
    println!(
        "| publishes refused (other status) / unanswered | {} / {} |",
        run.refused, run.unanswered
    );
    println!(
        "| deliveries | {} ({:.0}/s over the {:.1} s publish + drain window) |",
        totals.received,
        stats::rate(totals.received as f64, window),
        window
    );
    println!(
        "| expected deliveries | {} ({} connected × {}) |",
        run.open as u64 * acknowledged,
        run.open,
        acknowledged
    );
    println!("| lost (connected subscribers, acknowledged updates) | {lost_connected} |");
    println!(
        "| duplicated / reordered (every delivery) | {} / {} |",
        totals.duplicated, totals.reordered
    );
    println!(
        "| streams resumed with `Last-Event-ID` after one ended | {} |",
        run.resumed
    );
    println!(
        "| subscribers that gave up reconnecting | {} |",
        run.gave_up
    );
    if let Some(f) = &run.fault {
        let live = f
            .recovery
            .live_again
            .map_or("never".to_owned(), |d| format!("{:.2} s", d.as_secs_f64()));
        println!(
            "| {} at {:.1} s: subscribers affected / live again after | {} / {live} ({} never) |",
            f.fault.name(),
            f.at_seconds,
            f.recovery.affected,
            f.recovery.not_live_again
        );
        if let Some(outage) = f.outage {
            println!(
                "| Redis down (kill until it answered again) | {:.2} s |",
                outage.as_secs_f64()
            );
        }
    }
    println!(
        "| publish→receive latency ({} samples, first {} subscribers) | p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms |",
        latency.count, args.latency_sample.min(args.subscribers), latency.p50_ms, latency.p99_ms, latency.max_ms
    );
    println!(
        "| {server} RSS per open subscriber | {:.1} KiB ({} KiB → {} KiB over {} processes) |",
        per_subscriber, run.rss_before, run.rss_open, args.runners
    );
    println!(
        "| Redis connected_clients with all subscribers open | {} |",
        run.clients
    );
    println!(
        "| CPU during publish + drain | Redis {:.1} s ({:.0}%), servers ({server}) {:.1} s ({per_million:.1} s per million deliveries) |",
        run.redis_cpu,
        100.0 * run.redis_cpu / window,
        run.servers_cpu
    );
    println!(
        "| Redis `XREAD`s during publish + drain | {} ({:.0}/s; {:.1} deliveries per `XREAD`) |",
        run.xreads,
        stats::rate(run.xreads as f64, window),
        totals.received as f64 / run.xreads.max(1) as f64
    );
    let machine = procfs::machine();
    let manifest = args
        .manifest
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let fault = run.fault.as_ref();
    // Two objects merged (one would need a higher recursion limit).
    let mut figures = serde_json::json!({
        "server": server,
        "manifest": manifest,
        "fault": fault.map(|f| f.fault.name()),
        "server_args": args.server_arg,
        "commit": meta::git_commit(),
        "date": meta::utc_now(),
        "machine": {
            "cpu_model": machine.cpu_model,
            "cores": machine.cores,
            "mem_total_kib": machine.mem_total_kib,
            "kernel": machine.kernel,
        },
        "subscribers": args.subscribers,
        "runners": args.runners,
        "rate": args.rate,
        "seconds": args.seconds,
        "connect_rate": args.connect_rate,
        "connected": run.open,
        "connect_seconds": run.connect_seconds,
        "hub_instances": run.hub_instances,
        "attempted": run.attempted,
        "acknowledged": acknowledged,
        "refused": run.refused,
        "unanswered": run.unanswered,
        "publish_seconds": run.publish_seconds,
        "drain_seconds": run.drain_seconds,
        "acknowledged_per_s": stats::rate(acknowledged as f64, run.publish_seconds),
    });
    let measured = serde_json::json!({
        "deliveries": totals.received,
        "expected_deliveries": run.open as u64 * acknowledged,
        "lost": lost_connected,
        "resumed": run.resumed,
        "gave_up": run.gave_up,
        "duplicated": totals.duplicated,
        "reordered": totals.reordered,
        "fault_at_s": fault.map(|f| f.at_seconds),
        "affected_subscribers": fault.map(|f| f.recovery.affected),
        "not_live_again": fault.map(|f| f.recovery.not_live_again),
        "live_again_s": fault.and_then(|f| f.recovery.live_again).map(|d| d.as_secs_f64()),
        "redis_outage_s": fault.and_then(|f| f.outage).map(|d| d.as_secs_f64()),
        "latency_samples": latency.count,
        "latency_p50_ms": latency.p50_ms,
        "latency_p99_ms": latency.p99_ms,
        "latency_max_ms": latency.max_ms,
        "rss_per_subscriber_kib": per_subscriber,
        "redis_connected_clients": run.clients,
        "redis_cpu_s": run.redis_cpu,
        "runners_cpu_s": run.servers_cpu,
        "runners_cpu_s_per_million_deliveries": per_million,
        "xreads": run.xreads,
    });
    if let (Some(all), serde_json::Value::Object(more)) = (figures.as_object_mut(), measured) {
        all.extend(more);
    }
    figures
}
