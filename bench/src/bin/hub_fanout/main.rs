//! `hub_fanout`: the event hub's fan-out benchmark. Starts a private
//! `redis-server` and several runner processes serving `spin.toml` (the hub
//! on that Redis), opens N anonymous subscribers spread over the runners
//! (all at once, or `--connect-rate` per second; a stream the hub ends
//! resumes with `Last-Event-ID` after 1 s, as a browser's does), publishes `rate` updates/s for `seconds` (alternating runners, up to 64
//! in flight, each update's data carrying its publish time), and reports deliveries/s,
//! publish→receive latency (subscriber clock), lost/duplicated/reordered,
//! RSS per subscriber, the hub instances the subscribers share (runners'
//! `/metrics`), Redis `connected_clients`, CPU and how many `XREAD`s
//! served the deliveries. Loopback only; everything it starts is stopped at
//! the end.
//!
//! ```text
//! cargo build --release -p spin-sse-runner -p spin-sse-bench --bin hub_fanout
//! target/release/spin-sse-runner build
//! target/release/hub_fanout --subscribers 1000 --rate 100 --seconds 30
//! ```

mod processes;
mod tally;

use clap::Parser;
use processes::{hub_instances, start_runner, stream_order, xread_calls, StreamOrder};
use spin_sse_bench::procfs;
use spin_sse_bench::stats::{self, Percentiles};
use sse_testkit::body::{BodyDecoder, Progress};
use sse_testkit::events::SseParser;
use sse_testkit::head;
use sse_testkit::redis::{RedisOptions, RedisServer};
use sse_testkit::request::Request;
use sse_testkit::runner::Runner;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tally::Tally;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Parser, Debug)]
#[command(about = "Fan-out benchmark of the Mercure hub on Redis Streams (loopback only)")]
struct Args {
    /// Subscribers, spread evenly over the runners.
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Updates published per second.
    #[arg(long, default_value_t = 100)]
    rate: u64,
    /// Seconds of publishing.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Runner processes on the one Redis.
    #[arg(long, default_value_t = 2)]
    runners: usize,
    /// Subscribers connecting per second, over all runners (0: all at
    /// once). On WASI 0.3 this decides how many share an instance: the
    /// reuse scheduler gives a new request to a busy instance's neighbour.
    #[arg(long, default_value_t = 0)]
    connect_rate: u64,
    /// Subscribers whose every latency is kept (the rest are only counted).
    #[arg(long, default_value_t = 1000)]
    latency_sample: usize,
    #[arg(long, default_value = "target/release/spin-sse-runner")]
    runner: PathBuf,
    #[arg(long, default_value = "spin.toml")]
    manifest: PathBuf,
    /// Also write the figures as JSON to this file (raw results).
    #[arg(long)]
    json: Option<PathBuf>,
}

const TOPIC: &str = "https://example.com/bench";
/// After the last publish, deliveries are awaited until none arrives for
/// this long...
const DRAIN_QUIET: Duration = Duration::from_secs(2);
/// ...or this much time has passed.
const DRAIN_MAX: Duration = Duration::from_secs(60);
const KEY: &str = "hub-fanout-benchmark-key-0123456789abcdef";

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// What one subscriber received.
#[derive(Default)]
struct Received {
    /// Sequence numbers, in arrival order.
    arrivals: Vec<u64>,
    /// Publish→receive latencies, µs (if kept).
    latencies: Vec<u64>,
    /// Times its stream ended before the benchmark stopped it and it
    /// resumed with `Last-Event-ID`, as a browser's `EventSource` does.
    resumed: u64,
}

/// Counts every subscriber adds to.
#[derive(Default)]
struct Counters {
    /// Subscribers that got their first 200.
    connected: AtomicUsize,
    /// Updates received, all subscribers together.
    delivered: AtomicU64,
}

/// Why one connection of a subscriber ended.
enum Ended {
    /// The benchmark stopped it.
    Stopped,
    /// The hub ended the stream (or the connection broke): resume.
    Closed,
    /// No stream: the connection or the response failed.
    Refused,
}

/// Wait before resuming a stream the hub ended (browsers wait a few
/// seconds by default; the hub sends no `retry:`).
const RESUME_AFTER: Duration = Duration::from_secs(1);

/// One subscriber: connects, counts itself connected on its first 200,
/// tallies every update until stopped, and resumes with `Last-Event-ID`
/// when the hub ends its stream (a subscriber too slow for its queue).
async fn subscribe(
    addr: SocketAddr,
    keep_latency: bool,
    counters: Arc<Counters>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Received {
    let mut received = Received::default();
    let mut last_event_id = None;
    let mut counted = false;
    loop {
        let ended = stream_once(
            addr,
            keep_latency,
            (&counters, &mut counted),
            &mut stop,
            &mut last_event_id,
            &mut received,
        )
        .await;
        match ended {
            Ended::Stopped | Ended::Refused => return received,
            Ended::Closed if last_event_id.is_none() => return received,
            Ended::Closed => {
                received.resumed += 1;
                tokio::select! {
                    _ = tokio::time::sleep(RESUME_AFTER) => {}
                    _ = stop.changed() => return received,
                }
            }
        }
    }
}

/// One connection of a subscriber, from `last_event_id` if it has one.
async fn stream_once(
    addr: SocketAddr,
    keep_latency: bool,
    (counters, counted): (&Counters, &mut bool),
    stop: &mut tokio::sync::watch::Receiver<bool>,
    last_event_id: &mut Option<String>,
    received: &mut Received,
) -> Ended {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return Ended::Refused;
    };
    let path = format!(
        "/.well-known/mercure?topic={}",
        form_urlencoded::byte_serialize(TOPIC.as_bytes()).collect::<String>()
    );
    let mut request = Request::get(&path);
    if let Some(id) = last_event_id.as_deref() {
        request = request.header("Last-Event-ID", id);
    }
    if stream
        .write_all(&request.to_bytes(&addr.to_string()))
        .await
        .is_err()
    {
        return Ended::Refused;
    }
    let mut buf = vec![0u8; 16 * 1024];
    let mut pending = Vec::new();
    let mut decoder = None;
    let mut parser = SseParser::new();
    loop {
        let n = tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(n) if n > 0 => n,
                _ if decoder.is_some() => return Ended::Closed,
                _ => return Ended::Refused,
            },
            _ = stop.changed() => return Ended::Stopped,
        };
        let mut input = &buf[..n];
        if decoder.is_none() {
            pending.extend_from_slice(input);
            match head::parse(&pending) {
                Ok(Some((head, used))) if head.status == 200 => {
                    let Ok(framing) = head.framing("GET") else {
                        return Ended::Refused;
                    };
                    if !std::mem::replace(counted, true) {
                        counters.connected.fetch_add(1, Ordering::Relaxed);
                    }
                    decoder = Some(BodyDecoder::new(framing));
                    pending.drain(..used);
                }
                Ok(None) => continue,
                _ => return Ended::Refused,
            }
            input = &[];
        }
        let body: Vec<u8> = std::mem::take(&mut pending)
            .into_iter()
            .chain(input.iter().copied())
            .collect();
        let mut payload = Vec::new();
        let progress = decoder
            .as_mut()
            .map(|d| d.feed(&body, &mut |bytes| payload.extend_from_slice(bytes)));
        let arrived = now_micros();
        parser.feed(&payload, |event| {
            if !event.last_event_id.is_empty() {
                *last_event_id = Some(String::from_utf8_lossy(event.last_event_id).into_owned());
            }
            let text = String::from_utf8_lossy(event.data);
            let mut parts = text.split(' ');
            let (Some(seq), Some(sent)) = (
                parts.next().and_then(|s| s.parse().ok()),
                parts.next().and_then(|s| s.parse::<u64>().ok()),
            ) else {
                return;
            };
            received.arrivals.push(seq);
            counters.delivered.fetch_add(1, Ordering::Relaxed);
            if keep_latency {
                received.latencies.push(arrived.saturating_sub(sent));
            }
        });
        if !matches!(progress, Some(Ok(Progress::More))) {
            return Ended::Closed;
        }
    }
}

/// One publish over its own connection; true on 200 (within 120 s).
async fn publish(addr: SocketAddr, token: &str, seq: u64) -> bool {
    let (id, data) = (format!("b{seq}"), format!("{seq} {}", now_micros()));
    let fields = [
        ("topic", TOPIC),
        ("id", id.as_str()),
        ("data", data.as_str()),
    ];
    let request = sse_testkit::hub::publish_request(
        &addr.to_string(),
        token,
        &fields,
        &[("Connection", "close")],
    );
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return false;
    };
    if stream.write_all(&request).await.is_err() {
        return false;
    }
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(120), stream.read_to_end(&mut response)).await;
    response.starts_with(b"HTTP/1.1 200")
}

/// A subscriber's arrivals, as ranks in the stream's order.
fn tally_in(order: &StreamOrder, arrivals: &[u64]) -> Tally {
    let mut tally = Tally::default();
    // Every delivered update is in the stream (history_size ≥ updates).
    for rank in arrivals.iter().filter_map(|seq| order.rank(*seq)) {
        tally.record(rank);
    }
    tally
}

/// Says what went wrong and exits (what it started stops with it: the
/// harness's watchdog).
fn fail(message: &str) -> ! {
    eprintln!("hub_fanout: {message}");
    std::process::exit(1)
}

fn main() {
    let args = Args::parse();
    procfs::raise_fd_limit();
    let redis = RedisServer::start_with(RedisOptions {
        max_clients: args.subscribers as u64 + 2000,
        tls: false,
    })
    .unwrap_or_else(|e| fail(&e));
    let per_runner = args.subscribers.div_ceil(args.runners) + 200;
    let runners: Vec<Runner> = (0..args.runners)
        .map(|_| start_runner(&args.runner, &args.manifest, KEY, &redis, per_runner))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| {
            fail(&format!(
                "{e}\n(build it: cargo build --release -p spin-sse-runner)"
            ))
        });
    let addrs: Vec<SocketAddr> = runners.iter().map(|r| r.addr).collect();
    let pids: Vec<u32> = runners.iter().map(Runner::pid).collect();
    let redis_pid = redis
        .pid()
        .unwrap_or_else(|| fail("redis-server is not running"));
    let instances =
        || -> Option<u64> { runners.iter().map(|r| hub_instances(r.metrics_addr)).sum() };
    let rss = |pids: &[u32]| {
        pids.iter()
            .filter_map(|&p| procfs::rss(p).map(|r| r.total))
            .sum::<u64>()
    };
    let cpu = |pid: u32| procfs::cpu_seconds(pid).unwrap_or(0.0);
    let rss_before = rss(&pids);
    let token = mercure_hub::auth::token::sign(
        &serde_json::json!({"mercure": {"publish": ["*"]}}),
        KEY.as_bytes(),
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let published = args.rate * args.seconds;
    let run = runtime.block_on(async {
        let counters = Arc::new(Counters::default());
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let connect_started = Instant::now();
        let mut tasks = Vec::with_capacity(args.subscribers);
        for i in 0..args.subscribers {
            if let Some(micros) = (i as u64 * 1_000_000).checked_div(args.connect_rate) {
                let due = connect_started + Duration::from_micros(micros);
                tokio::time::sleep_until(due.into()).await;
            }
            let addr = addrs[i % addrs.len()];
            tasks.push(tokio::spawn(subscribe(
                addr,
                i < args.latency_sample,
                counters.clone(),
                stopped.clone(),
            )));
        }
        while counters.connected.load(Ordering::Relaxed) < args.subscribers
            && connect_started.elapsed() < Duration::from_secs(180)
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let connect_seconds = connect_started.elapsed().as_secs_f64();
        let open = counters.connected.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let rss_open = rss(&pids);
        let hub_instances = instances();
        let clients = redis
            .info("clients", "connected_clients")
            .unwrap_or_else(|| "?".into());
        let redis_cpu0 = cpu(redis_pid);
        let runner_cpu0: f64 = pids.iter().map(|&p| cpu(p)).sum();
        let xreads0 = xread_calls(&redis);
        // Publishes on the rate's timetable for `seconds` of wall time, up to
        // 64 in flight (one at a time could not keep the rate once the box
        // is busy delivering); the order that counts is the order Redis
        // appended them in, read back at the end.
        let started = Instant::now();
        let window = Duration::from_secs(args.seconds);
        let in_flight = Arc::new(tokio::sync::Semaphore::new(64));
        let mut publishes = Vec::new();
        for seq in 0..published {
            let due = started + Duration::from_micros(seq * 1_000_000 / args.rate);
            if started.elapsed() >= window {
                break;
            }
            tokio::time::sleep_until(due.into()).await;
            let Ok(permit) = in_flight.clone().acquire_owned().await else {
                break;
            };
            let (addr, token) = (addrs[seq as usize % addrs.len()], token.clone());
            publishes.push(tokio::spawn(async move {
                let ok = publish(addr, &token, seq).await;
                drop(permit);
                ok.then_some(seq)
            }));
        }
        let attempted = publishes.len() as u64;
        let mut acknowledged = Vec::new();
        for publish in publishes {
            if let Ok(Some(seq)) = publish.await {
                acknowledged.push(seq);
            }
        }
        let publish_seconds = started.elapsed().as_secs_f64();
        // Let the last updates arrive (until none has for 2 s, at most
        // DRAIN_MAX), then stop every subscriber.
        let drain_started = Instant::now();
        let mut last = (counters.delivered.load(Ordering::Relaxed), Instant::now());
        while drain_started.elapsed() < DRAIN_MAX && last.1.elapsed() < DRAIN_QUIET {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let delivered = counters.delivered.load(Ordering::Relaxed);
            if delivered != last.0 {
                last = (delivered, Instant::now());
            }
        }
        let drain_seconds = drain_started.elapsed().as_secs_f64();
        let redis_cpu = cpu(redis_pid) - redis_cpu0;
        let runner_cpu = pids.iter().map(|&p| cpu(p)).sum::<f64>() - runner_cpu0;
        let xreads = xread_calls(&redis).saturating_sub(xreads0);
        let _ = stop.send(true);
        let order = stream_order(&redis);
        let mut tallies = Vec::with_capacity(tasks.len());
        let mut latencies = Vec::new();
        let mut resumed = 0;
        for task in tasks {
            if let Ok(mut received) = task.await {
                tallies.push(tally_in(&order, &received.arrivals));
                latencies.append(&mut received.latencies);
                resumed += received.resumed;
            }
        }
        let acknowledged: Vec<u64> = acknowledged
            .iter()
            .filter_map(|seq| order.rank(*seq))
            .collect();
        Run {
            open,
            connect_seconds,
            hub_instances,
            rss_open,
            clients,
            redis_cpu,
            runner_cpu,
            xreads,
            acknowledged,
            attempted,
            publish_seconds,
            tallies,
            latencies,
            resumed,
            drain_seconds,
        }
    });
    drop(runners);
    drop(redis);
    let figures = report(&args, &run, rss_before, published);
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&figures).expect("figures are JSON");
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("hub_fanout: cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
    }
}

struct Run {
    open: usize,
    connect_seconds: f64,
    /// Hub instances over all runners once every subscriber is open.
    hub_instances: Option<u64>,
    rss_open: u64,
    clients: String,
    redis_cpu: f64,
    runner_cpu: f64,
    /// `XREAD`s Redis served during publish + drain.
    xreads: u64,
    acknowledged: Vec<u64>,
    attempted: u64,
    publish_seconds: f64,
    tallies: Vec<Tally>,
    latencies: Vec<u64>,
    /// Streams the hub ended that resumed with `Last-Event-ID`.
    resumed: u64,
    /// Seconds from the last publish's answer until deliveries stopped.
    drain_seconds: f64,
}

/// Prints the report table and returns the same figures as JSON.
fn report(args: &Args, run: &Run, rss_before: u64, published: u64) -> serde_json::Value {
    let totals = tally::totals(&run.tallies, &run.acknowledged);
    // Only subscribers that connected are expected to receive anything.
    let connected: Vec<&Tally> = run.tallies.iter().filter(|t| t.received > 0).collect();
    let lost_connected = tally::totals(connected.iter().copied(), &run.acknowledged).lost;
    let acknowledged = run.acknowledged.len() as u64;
    let latency = Percentiles::from_micros(&run.latencies).unwrap_or_default();
    let per_subscriber = (run.rss_open.saturating_sub(rss_before)) as f64 / run.open.max(1) as f64;
    let window = run.publish_seconds + run.drain_seconds;
    println!(
        "## Hub fan-out: {} subscribers over {} runners, {} updates/s for {} s",
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
    let instances = run
        .hub_instances
        .map_or_else(|| "?".to_owned(), |n| n.to_string());
    println!(
        "| hub instances with all subscribers open | {instances} ({:.1} subscribers each) |",
        run.open as f64 / run.hub_instances.unwrap_or(0).max(1) as f64
    );
    println!(
        "| updates published (200) | {acknowledged} of {} attempted ({published} due at {}/s) in {:.1} s: {:.1}/s |",
        run.attempted,
        args.rate,
        run.publish_seconds,
        stats::rate(acknowledged as f64, run.publish_seconds)
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
    println!("| lost (connected subscribers) | {lost_connected} |");
    println!(
        "| streams the hub ended (too slow for the 1,000-deep queue) that resumed with `Last-Event-ID` | {} |",
        run.resumed
    );
    println!(
        "| duplicated / reordered | {} / {} |",
        totals.duplicated, totals.reordered
    );
    println!(
        "| publish→receive latency ({} samples, first {} subscribers) | p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms |",
        latency.count, args.latency_sample.min(args.subscribers), latency.p50_ms, latency.p99_ms, latency.max_ms
    );
    println!(
        "| runner RSS per open subscriber | {:.1} KiB ({} KiB → {} KiB over {} runners) |",
        per_subscriber, rss_before, run.rss_open, args.runners
    );
    println!(
        "| Redis connected_clients with all subscribers open | {} |",
        run.clients
    );
    println!(
        "| CPU during publish + drain | Redis {:.1} s ({:.0}%), runners {:.1} s |",
        run.redis_cpu,
        100.0 * run.redis_cpu / window,
        run.runner_cpu
    );
    println!(
        "| Redis `XREAD`s during publish + drain | {} ({:.0}/s; {:.1} deliveries per `XREAD`) |",
        run.xreads,
        stats::rate(run.xreads as f64, window),
        totals.received as f64 / run.xreads.max(1) as f64
    );
    serde_json::json!({
        "manifest": args.manifest,
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
        "publish_seconds": run.publish_seconds,
        "drain_seconds": run.drain_seconds,
        "acknowledged_per_s": stats::rate(acknowledged as f64, run.publish_seconds),
        "deliveries": totals.received,
        "expected_deliveries": run.open as u64 * acknowledged,
        "lost": lost_connected,
        "resumed": run.resumed,
        "duplicated": totals.duplicated,
        "reordered": totals.reordered,
        "latency_samples": latency.count,
        "latency_p50_ms": latency.p50_ms,
        "latency_p99_ms": latency.p99_ms,
        "latency_max_ms": latency.max_ms,
        "rss_per_subscriber_kib": per_subscriber,
        "redis_connected_clients": run.clients,
        "redis_cpu_s": run.redis_cpu,
        "runners_cpu_s": run.runner_cpu,
        "xreads": run.xreads,
    })
}
