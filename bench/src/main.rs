//! `spin-sse-bench`: the command line of the benchmark kit.
//!
//! Subcommands: `load` (SSE streams), `get` (static GETs), `peer` (native
//! server), `merge` (combine `load --raw-out` files) and `drive` (all
//! scenarios, writes BENCHMARKS.md). Every load refuses non-loopback targets.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use spin_sse_bench::load::record::RawRun;
use spin_sse_bench::load::summary::Summary;
use spin_sse_bench::{driver, getload, load, peer, procfs, target};

#[derive(Parser)]
#[command(
    name = "spin-sse-bench",
    version,
    about = "Benchmark kit for spin-sse (loopback targets only)"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Open SSE streams against a loopback URL and report per-stream figures.
    Load(LoadArgs),
    /// Send keep-alive GETs (e.g. static files) and report requests/s.
    Get(GetArgs),
    /// Serve the /sse contract (and optionally a static directory) natively.
    Peer(PeerArgs),
    /// Merge `load --raw-out` files from several processes into one summary.
    Merge {
        files: Vec<PathBuf>,
        /// Print JSON instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Run every scenario against the runner and the peer; write BENCHMARKS.md.
    Drive(driver::DriveArgs),
}

#[derive(clap::Args)]
struct LoadArgs {
    /// Target, e.g. http://127.0.0.1:3000/sse?interval=1000&count=100
    #[arg(long)]
    url: String,
    /// Number of streams to open.
    #[arg(long, default_value_t = 100)]
    streams: usize,
    /// New streams per second (0: all at once).
    #[arg(long, default_value_t = 1000.0)]
    rate: f64,
    /// Seconds to keep streams open after the last one is scheduled.
    #[arg(long, default_value_t = 10.0)]
    hold: f64,
    /// Hard bound on the whole run, seconds.
    #[arg(long, default_value_t = 120.0)]
    max_duration: f64,
    /// Loopback source addresses, round-robin: 127.0.0.2-127.0.0.9,127.0.1.1
    #[arg(long)]
    sources: Option<String>,
    /// Send `Last-Event-ID: K` (first expected id is K+1).
    #[arg(long)]
    last_event_id: Option<u64>,
    /// Drop each stream after this many events (disconnect storm).
    #[arg(long)]
    drop_after_events: Option<u64>,
    /// Close with RST instead of FIN.
    #[arg(long)]
    abortive: bool,
    /// Closed loop: this many workers open streams back to back.
    #[arg(long)]
    concurrency: Option<usize>,
    /// Connect timeout, seconds.
    #[arg(long, default_value_t = 10.0)]
    connect_timeout: f64,
    /// Write the JSON summary here (`-` for stdout, then the table goes to stderr).
    #[arg(long)]
    json: Option<String>,
    /// Write the raw per-stream run (for `merge`) here.
    #[arg(long)]
    raw_out: Option<PathBuf>,
    /// Runtime worker threads (1: single-threaded).
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

#[derive(clap::Args)]
struct GetArgs {
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seconds.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    #[arg(long, default_value_t = 10_000_000)]
    max_requests: u64,
    /// `auto` (ETag of a first GET) or a literal tag.
    #[arg(long)]
    if_none_match: Option<String>,
    #[arg(long)]
    json: Option<String>,
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

#[derive(clap::Args)]
struct PeerArgs {
    #[arg(long, default_value = "127.0.0.1:3001")]
    listen: std::net::SocketAddr,
    /// Serve this directory for every path other than /sse.
    #[arg(long)]
    static_dir: Option<PathBuf>,
    /// A setting of the SSE component, as in spin.toml's `environment`
    /// (repeatable), e.g. `--env SSE_INTERVAL_MS=500`; unset ones default.
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = peer::parse_env)]
    env: Vec<(String, String)>,
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

fn runtime(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
}

fn emit(json_dest: Option<&str>, json: String, table: String) -> Result<(), String> {
    match json_dest {
        Some("-") => {
            eprint!("{table}");
            println!("{json}");
        }
        Some(path) => {
            std::fs::write(path, json).map_err(|e| format!("cannot write {path}: {e}"))?;
            print!("{table}");
        }
        None => print!("{table}"),
    }
    Ok(())
}

fn cmd_load(a: LoadArgs) -> Result<(), String> {
    let target = target::parse_target(&a.url).map_err(|e| e.to_string())?;
    let sources = match a.sources.as_deref() {
        Some(spec) => target::parse_sources(spec).map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    if !(a.hold >= 0.0 && a.max_duration > 0.0 && a.rate >= 0.0 && a.connect_timeout > 0.0) {
        return Err("--hold, --rate must be >= 0 and --max-duration, --connect-timeout > 0".into());
    }
    procfs::raise_fd_limit();
    let cfg = load::LoadConfig {
        target,
        streams: a.streams,
        rate: a.rate,
        hold: Duration::from_secs_f64(a.hold),
        max_duration: Duration::from_secs_f64(a.max_duration),
        sources,
        last_event_id: a.last_event_id,
        drop_after_events: a.drop_after_events,
        connect_timeout: Duration::from_secs_f64(a.connect_timeout),
        abortive_close: a.abortive,
        sample_every: Duration::from_millis(250),
        concurrency: a.concurrency,
    };
    let rt = runtime(a.threads).map_err(|e| format!("runtime: {e}"))?;
    let raw = rt.block_on(load::run(&cfg));
    if let Some(path) = &a.raw_out {
        let text = serde_json::to_string(&raw).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let summary = Summary::from_runs(&[raw]);
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    emit(a.json.as_deref(), json, summary.to_table())
}

fn cmd_get(a: GetArgs) -> Result<(), String> {
    let target = target::parse_target(&a.url).map_err(|e| e.to_string())?;
    if a.duration.is_nan() || a.duration <= 0.0 || a.connections == 0 {
        return Err("--duration must be > 0 and --connections >= 1".into());
    }
    let cfg = getload::GetConfig {
        target,
        connections: a.connections,
        duration: Duration::from_secs_f64(a.duration),
        max_requests: a.max_requests,
        if_none_match: a.if_none_match,
    };
    let rt = runtime(a.threads).map_err(|e| format!("runtime: {e}"))?;
    let s = rt.block_on(getload::run(&cfg))?;
    let json = serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?;
    emit(a.json.as_deref(), json, s.to_table())
}

fn cmd_peer(a: PeerArgs) -> Result<(), String> {
    if !target::is_loopback(a.listen.ip()) {
        return Err(format!("--listen {} is not a loopback address", a.listen));
    }
    procfs::raise_fd_limit();
    let cfg = peer::PeerConfig {
        listen: a.listen,
        env: a.env.into_iter().collect(),
        static_dir: a.static_dir,
    };
    let rt = runtime(a.threads).map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(peer::serve(cfg))
        .map_err(|e| format!("peer: {e}"))
}

fn cmd_merge(files: Vec<PathBuf>, json: bool) -> Result<(), String> {
    let mut runs = Vec::new();
    for f in &files {
        let text =
            std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        runs.push(
            serde_json::from_str::<RawRun>(&text)
                .map_err(|e| format!("{}: not a raw run: {e}", f.display()))?,
        );
    }
    let s = Summary::from_runs(&runs);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", s.to_table());
    }
    Ok(())
}

fn main() -> ExitCode {
    let result = match Cli::parse().cmd {
        Cmd::Load(a) => cmd_load(a),
        Cmd::Get(a) => cmd_get(a),
        Cmd::Peer(a) => cmd_peer(a),
        Cmd::Merge { files, json } => cmd_merge(files, json),
        Cmd::Drive(a) => driver::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}
