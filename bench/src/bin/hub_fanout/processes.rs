//! What the benchmark starts and asks, on the shared process harness
//! (`sse_testkit::redis`, `sse_testkit::runner`, `sse_testkit::watchdog`):
//! the servers serving the hub on the private Redis (runner processes, or
//! `spin up` with the bench driver's command line), the process that
//! serves (for CPU, RSS and SIGKILL), the hub's live instances from the
//! runner's `/metrics` (Spin has none), how many `XREAD`s Redis served,
//! and the order Redis appended the updates in.

use spin_sse_bench::driver::server as driver_server;
use spin_sse_bench::procfs;
use sse_testkit::banner;
use sse_testkit::redis::RedisServer;
use sse_testkit::runner::{self, Lines, Runner, RunnerOptions, START_TIMEOUT};
use sse_testkit::watchdog::{self, Watched};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

/// Which program serves the manifest.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    /// `spin-sse-runner up` (the embedded runner; `--runner`).
    Runner,
    /// `spin up` from PATH (the `.wasm` files must be built).
    Spin,
}

impl ServerKind {
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Runner => "runner",
            ServerKind::Spin => "spin",
        }
    }
}

/// One server process serving the hub (stopped on drop).
pub struct Server {
    pub addr: SocketAddr,
    /// The process that serves requests: the runner itself, or `spin up`'s
    /// `spin trigger http` child.
    pub serving_pid: u32,
    process: Process,
}

enum Process {
    Runner(Runner),
    Spin {
        /// `spin up` under the watchdog.
        up: Watched,
        /// `spin up`'s descendants when it came up (stopped first on drop:
        /// `spin up` leaves its trigger running when it gets SIGTERM).
        descendants: Vec<u32>,
        _output: [Arc<Lines>; 2],
    },
}

/// The `SPIN_VARIABLE_*` settings of the hub on `redis`: publishers sign
/// with `key`, subscribers are anonymous.
pub fn hub_env(redis_port: u16, key: &str) -> Vec<(String, String)> {
    [
        ("REDIS_HOST", format!("127.0.0.1:{redis_port}")),
        ("PUBLISHER_JWT_KEY", key.to_owned()),
        ("HUB_ANONYMOUS", "true".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (format!("SPIN_VARIABLE_{k}"), v))
    .collect()
}

/// A runner serving `manifest` with `env`, at most `max_instances`
/// instances at a time, and `extra` arguments.
pub fn start_runner(
    runner: &Path,
    manifest: &Path,
    env: Vec<(String, String)>,
    max_instances: usize,
    extra: &[String],
) -> Result<Server, String> {
    let mut flags = vec!["--max-instances".into(), max_instances.to_string()];
    flags.extend_from_slice(extra);
    let options = RunnerOptions {
        env,
        cwd: None,
        flags,
    };
    let runner = Runner::start(runner, manifest, &options)?;
    Ok(Server {
        addr: runner.addr,
        serving_pid: runner.pid(),
        process: Process::Runner(runner),
    })
}

/// `spin` on PATH, or the one-line reason it cannot be used.
pub fn spin_on_path() -> Result<PathBuf, String> {
    driver_server::on_path("spin").ok_or_else(|| {
        "--server spin: `spin` is not on PATH (install Spin, or use --server runner)".to_owned()
    })
}

/// `spin up` serving `manifest` with `env` on a free loopback port, and
/// `extra` arguments.
pub fn start_spin(
    spin: &Path,
    manifest: &Path,
    env: Vec<(String, String)>,
    extra: &[String],
) -> Result<Server, String> {
    let port = driver_server::free_port().ok_or("no free port")?;
    let mut cmd = watchdog::command(spin);
    driver_server::spin_up_args(&mut cmd, manifest, port);
    cmd.args(extra);
    cmd.envs(env).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut up =
        Watched::spawn(cmd, None).map_err(|e| format!("cannot start {}: {e}", spin.display()))?;
    let child = up.child_mut();
    let stdout = Lines::collect(child.stdout.take().expect("piped stdout"));
    let stderr = Lines::collect(child.stderr.take().expect("piped stderr"));
    let line = stdout.wait_for(START_TIMEOUT, |l| banner::serving_addr(l).is_some());
    let addr = line.as_deref().and_then(banner::serving_addr);
    let (Some(addr), Some(top)) = (addr, up.program_pid()) else {
        up.stop();
        return Err(format!(
            "spin up -f {} did not print its address within {START_TIMEOUT:?}\n\
             stdout:\n{}\nstderr:\n{}",
            manifest.display(),
            stdout.snapshot().join("\n"),
            stderr.snapshot().join("\n")
        ));
    };
    let descendants = procfs::descendants(top);
    Ok(Server {
        addr,
        serving_pid: procfs::serving_process(top, &descendants, procfs::cmdline),
        process: Process::Spin {
            up,
            descendants,
            _output: [stdout, stderr],
        },
    })
}

impl Server {
    /// The hub component's live instances (`None` if it cannot be read; Spin
    /// has no `/metrics`).
    pub fn hub_instances(&self) -> Option<u64> {
        let Process::Runner(runner) = &self.process else {
            return None;
        };
        let json = runner::metrics(runner.metrics_addr).ok()?;
        json["components"]
            .as_array()?
            .iter()
            .find(|c| c["id"] == "hub")?["instances_active"]
            .as_u64()
    }

    /// CPU seconds the serving process used so far (`None` once it is gone).
    pub fn cpu_seconds(&self) -> Option<f64> {
        procfs::cpu_seconds(self.serving_pid)
    }

    /// Resident memory of the serving process, KiB (0 once it is gone).
    pub fn rss_kib(&self) -> u64 {
        procfs::rss(self.serving_pid).map_or(0, |r| r.total)
    }

    /// SIGKILL: the runner, or `spin up`'s trigger and then `spin up`.
    pub fn kill(&self) {
        match &self.process {
            Process::Runner(runner) => runner.kill(),
            Process::Spin { up, .. } => {
                signal(self.serving_pid, libc::SIGKILL);
                let _ = up.signal("KILL");
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Process::Spin {
            up, descendants, ..
        } = &mut self.process
        {
            for &pid in descendants.iter().rev() {
                signal(pid, libc::SIGTERM);
            }
            up.stop();
        }
    }
}

fn signal(pid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) on a pid this benchmark started (or a gone one).
    unsafe { libc::kill(pid as libc::pid_t, signal) };
}

/// The order Redis appended the updates in (seq → rank), from `XRANGE`.
pub struct StreamOrder(std::collections::HashMap<u64, u64>);

impl StreamOrder {
    pub fn rank(&self, seq: u64) -> Option<u64> {
        self.0.get(&seq).copied()
    }
}

pub fn stream_order(redis: &RedisServer) -> StreamOrder {
    // Each stored update ends with its SSE frame, whose one `data:` line
    // is `seq publish-time` (see `clients::publish`).
    let text = redis.cmd(&["XRANGE", "{mercure}:updates", "-", "+"]);
    let seqs = text.lines().filter_map(|line| {
        line.strip_prefix("data: ")?
            .split(' ')
            .next()?
            .parse::<u64>()
            .ok()
    });
    StreamOrder(
        seqs.enumerate()
            .map(|(rank, seq)| (seq, rank as u64))
            .collect(),
    )
}

/// How many `XREAD`s Redis has served (`INFO commandstats`), 0 before the
/// first (and after a restart).
pub fn xread_calls(redis: &RedisServer) -> u64 {
    redis
        .info("commandstats", "cmdstat_xread")
        .and_then(|stats| {
            stats
                .split(',')
                .find_map(|kv| kv.strip_prefix("calls="))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
