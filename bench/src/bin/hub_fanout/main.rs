//! `hub_fanout`: the event hub's fan-out benchmark. Starts a private
//! `redis-server` and several server processes serving a manifest's hub on
//! it (`spin-sse-runner up`, or `spin up` with `--server spin`), opens N
//! anonymous subscribers spread over them (all at once, or `--connect-rate`
//! per second), publishes `rate` updates/s for `seconds` (alternating
//! servers, up to 64 in flight, each update's data carrying its publish
//! time), waits until deliveries stop, and checks every subscriber's
//! deliveries against the order Redis appended the updates in. It reports
//! deliveries/s, publish→receive latency (subscriber clock),
//! lost/duplicated/reordered, RSS per subscriber, the hub instances the
//! subscribers share (the runner's `/metrics`; unknown under Spin), Redis
//! `connected_clients`, CPU and how many `XREAD`s served the deliveries.
//! Loopback only; everything it starts is stopped at the end.
//!
//! Subscribers reconnect as a browser's `EventSource` does: 1 s after
//! their stream ends or an attempt fails, with `Last-Event-ID`, to the
//! next server when theirs refuses connections (see `clients`). A
//! `--fault` (see `faults`) kills one server or restarts Redis at mid-run;
//! the run then also says how long until every subscriber was live again.
//! Lost counts acknowledged (200) publishes only; duplicated and reordered
//! count every delivery.
//!
//! Usage: build the runner and this benchmark, build the components (`spin
//! up` does not build them either), run, keep the raw JSON, and render the
//! table of several runs from their JSON:
//!
//! ```text
//! cargo build --release -p spin-sse-runner -p spin-sse-bench --bin spin-sse-runner --bin hub_fanout
//! target/release/spin-sse-runner build && target/release/spin-sse-runner build -f spin.p3.toml
//! target/release/hub_fanout --subscribers 1000 --rate 100 --seconds 30 --json p2.json
//! target/release/hub_fanout --manifest spin.p3.toml --fault kill-runner --json p3-kill.json
//! target/release/hub_fanout --server spin --manifest spin.p3.toml --fault redis-restart
//! target/release/hub_fanout --render bench/hub-fanout/*.json
//! ```

mod clients;
mod faults;
mod processes;
mod report;
mod tally;

use clap::Parser;
use clients::{publish, subscribe, Counters, Received};
use faults::{Fault, Injected};
use processes::{stream_order, xread_calls, Server, ServerKind, StreamOrder};
use report::{FaultRun, Run};
use spin_sse_bench::procfs;
use sse_testkit::redis::{RedisOptions, RedisServer};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tally::Tally;

#[derive(Parser, Debug)]
#[command(about = "Fan-out benchmark of the Mercure hub on Redis Streams (loopback only)")]
pub struct Args {
    /// Subscribers, spread evenly over the servers.
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Updates published per second.
    #[arg(long, default_value_t = 100)]
    rate: u64,
    /// Seconds of publishing.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Server processes on the one Redis.
    #[arg(long, default_value_t = 2)]
    runners: usize,
    /// Subscribers connecting per second, over all servers (0: all at
    /// once). On WASI 0.3 this decides how many share an instance: the
    /// reuse scheduler gives a new request to a busy instance's neighbour.
    #[arg(long, default_value_t = 0)]
    connect_rate: u64,
    /// Subscribers whose every latency is kept (the rest are only counted).
    #[arg(long, default_value_t = 1000)]
    latency_sample: usize,
    /// What serves the manifest: the embedded runner (--runner), or `spin
    /// up` from PATH (no `/metrics`: hub instances unknown).
    #[arg(long, value_enum, default_value_t = ServerKind::Runner)]
    server: ServerKind,
    /// The runner binary (--server runner).
    #[arg(long, default_value = "target/release/spin-sse-runner")]
    runner: PathBuf,
    /// The manifest served (its components built).
    #[arg(long, default_value = "spin.toml")]
    manifest: PathBuf,
    /// An argument added to every server's command line (repeat it), e.g.
    /// `--server-arg=--max-instance-concurrent-reuse-count --server-arg=128`
    /// (a flag both the runner and `spin up` take).
    #[arg(long, value_name = "ARG", allow_hyphen_values = true)]
    server_arg: Vec<String>,
    /// Inject this fault at mid-run (half of --seconds into publishing).
    #[arg(long, value_enum)]
    fault: Option<Fault>,
    /// Also write the figures as JSON to this file (raw results).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Run nothing: print the Markdown table of these runs' JSON files.
    #[arg(long, value_name = "JSON", num_args = 1.., conflicts_with = "json")]
    render: Vec<PathBuf>,
}

/// After the last publish, deliveries are awaited until none arrives for
/// this long...
const DRAIN_QUIET: Duration = Duration::from_secs(2);
/// ...or this much time has passed.
const DRAIN_MAX: Duration = Duration::from_secs(60);
const KEY: &str = "hub-fanout-benchmark-key-0123456789abcdef";

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
    if !args.render.is_empty() {
        match spin_sse_bench::fanout::render_files(&args.render) {
            Ok(table) => print!("{table}"),
            Err(e) => fail(&e),
        }
        return;
    }
    if args.fault == Some(Fault::KillRunner) && args.runners < 2 {
        fail("--fault kill-runner needs --runners 2 or more");
    }
    let spin = match args.server {
        ServerKind::Spin => Some(processes::spin_on_path().unwrap_or_else(|e| fail(&e))),
        ServerKind::Runner => None,
    };
    procfs::raise_fd_limit();
    let redis = RedisServer::start_with(RedisOptions {
        max_clients: args.subscribers as u64 + 2000,
        append_only: args.fault == Some(Fault::RedisRestart),
        ..RedisOptions::default()
    })
    .unwrap_or_else(|e| fail(&e));
    // A survivor of kill-runner serves every subscriber.
    let max_instances = match args.fault {
        Some(Fault::KillRunner) => args.subscribers,
        _ => args.subscribers.div_ceil(args.runners),
    } + 200;
    let env = processes::hub_env(redis.port(), KEY);
    let servers: Vec<Server> = (0..args.runners)
        .map(|_| match &spin {
            Some(spin) => processes::start_spin(spin, &args.manifest, env.clone(), &args.server_arg).map_err(|e| {
                format!("{e}\n(spin up does not build: target/release/spin-sse-runner build -f <manifest>)")
            }),
            None => processes::start_runner(&args.runner, &args.manifest, env.clone(), max_instances, &args.server_arg)
                .map_err(|e| format!("{e}\n(build it: cargo build --release -p spin-sse-runner)")),
        })
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| fail(&e));
    let redis = Mutex::new(redis);
    let alive: Vec<AtomicBool> = servers.iter().map(|_| AtomicBool::new(true)).collect();
    let run = std::thread::scope(|scope| measure(&args, (&servers, &alive), &redis, scope));
    drop(servers);
    drop(redis);
    let figures = report::report(&args, &run);
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&figures).expect("figures are JSON");
        if let Err(e) = std::fs::write(path, text + "\n") {
            fail(&format!("cannot write {}: {e}", path.display()));
        }
    }
}

/// Opens the subscribers, publishes to the servers still `alive`
/// (injecting the fault on a thread of `scope`), drains, and tallies.
fn measure<'scope, 'env>(
    args: &'env Args,
    (servers, alive): (&'env [Server], &'env [AtomicBool]),
    redis: &'env Mutex<RedisServer>,
    scope: &'scope std::thread::Scope<'scope, 'env>,
) -> Run {
    let addrs: Arc<[SocketAddr]> = servers.iter().map(|s| s.addr).collect();
    let redis_pid = || redis.lock().expect("redis lock").pid();
    let redis_cpu = || redis_pid().and_then(procfs::cpu_seconds).unwrap_or(0.0);
    let xreads = || xread_calls(&redis.lock().expect("redis lock"));
    let rss = || servers.iter().map(Server::rss_kib).sum::<u64>();
    let rss_before = rss();
    let token = mercure_hub::auth::token::sign(
        &serde_json::json!({"mercure": {"publish": ["*"]}}),
        KEY.as_bytes(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let published = args.rate * args.seconds;
    runtime.block_on(async {
        let counters = Arc::new(Counters::default());
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let connect_started = Instant::now();
        let mut tasks = Vec::with_capacity(args.subscribers);
        for i in 0..args.subscribers {
            if let Some(micros) = (i as u64 * 1_000_000).checked_div(args.connect_rate) {
                let due = connect_started + Duration::from_micros(micros);
                tokio::time::sleep_until(due.into()).await;
            }
            tasks.push(tokio::spawn(subscribe(
                addrs.clone(),
                i % addrs.len(),
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
        let rss_open = rss();
        let hub_instances = servers.iter().map(Server::hub_instances).sum();
        let clients = redis
            .lock()
            .expect("redis lock")
            .info("clients", "connected_clients")
            .unwrap_or_else(|| "?".into());
        let redis_cpu0 = redis_cpu();
        let servers_cpu0: Vec<f64> = servers
            .iter()
            .map(|s| s.cpu_seconds().unwrap_or(0.0))
            .collect();
        let xreads0 = xreads();
        // Publishes on the rate's timetable for `seconds` of wall time, up to
        // 64 in flight (one at a time could not keep the rate once the box
        // is busy delivering), to the servers still alive in turn; the
        // order that counts is the order Redis appended them in, read back
        // at the end.
        let started = Instant::now();
        let window = Duration::from_secs(args.seconds);
        let fault = args.fault.map(|fault| {
            let due = started + window / 2;
            scope.spawn(move || {
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                faults::inject(fault, servers, alive, redis)
            })
        });
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
            let live: Vec<SocketAddr> = addrs
                .iter()
                .zip(alive)
                .filter(|(_, alive)| alive.load(Ordering::SeqCst))
                .map(|(addr, _)| *addr)
                .collect();
            let (addr, token) = (live[seq as usize % live.len()], token.clone());
            publishes.push(tokio::spawn(async move {
                let status = publish(addr, &token, seq).await;
                drop(permit);
                (seq, status)
            }));
        }
        let attempted = publishes.len() as u64;
        let (mut acknowledged, mut refused, mut unanswered) = (Vec::new(), 0, 0);
        for publish in publishes {
            match publish.await {
                Ok((seq, Some(200))) => acknowledged.push(seq),
                Ok((_, Some(_))) => refused += 1,
                _ => unanswered += 1,
            }
        }
        let publish_seconds = started.elapsed().as_secs_f64();
        let injected: Option<(Fault, Injected)> = fault.map(|thread| {
            // Done long before: it struck at mid-run.
            let injected = thread
                .join()
                .unwrap_or_else(|_| fail("the fault could not be injected (see above)"));
            (args.fault.expect("a fault"), injected)
        });
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
        // A restarted Redis counts from 0 again; a killed server counts no
        // more: their figures just before the fault stand in.
        let redis_before = injected.as_ref().and_then(|(_, i)| i.redis_before);
        let (redis_cpu, xreads) = match redis_before {
            Some((cpu, calls)) => (
                cpu - redis_cpu0 + redis_cpu(),
                calls.saturating_sub(xreads0) + xreads(),
            ),
            None => (redis_cpu() - redis_cpu0, xreads().saturating_sub(xreads0)),
        };
        let killed = injected.as_ref().and_then(|(_, i)| i.killed);
        let servers_cpu = servers
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let end = s
                    .cpu_seconds()
                    .or(killed.filter(|k| k.0 == i).map(|k| k.1))
                    .unwrap_or(servers_cpu0[i]);
                end - servers_cpu0[i]
            })
            .sum();
        let _ = stop.send(true);
        let order = stream_order(&redis.lock().expect("redis lock"));
        let mut received: Vec<Received> = Vec::with_capacity(tasks.len());
        for task in tasks {
            received.push(task.await.unwrap_or_default());
        }
        let fault = injected.map(|(fault, injected)| FaultRun {
            fault,
            at_seconds: injected.at.duration_since(started).as_secs_f64(),
            recovery: faults::recovery(
                injected.at,
                received
                    .iter()
                    .map(|r| (r.heads.as_slice(), r.breaks.as_slice())),
            ),
            outage: injected.outage,
        });
        let mut latencies = Vec::new();
        for r in &mut received {
            latencies.append(&mut r.latencies);
        }
        Run {
            open,
            connect_seconds,
            hub_instances,
            rss_before,
            rss_open,
            clients,
            redis_cpu,
            servers_cpu,
            xreads,
            acknowledged: acknowledged
                .iter()
                .filter_map(|seq| order.rank(*seq))
                .collect(),
            attempted,
            refused,
            unanswered,
            publish_seconds,
            tallies: received
                .iter()
                .map(|r| tally_in(&order, &r.arrivals))
                .collect(),
            latencies,
            resumed: received.iter().map(Received::resumed).sum(),
            gave_up: received.iter().filter(|r| r.gave_up).count(),
            drain_seconds,
            fault,
        }
    })
}
