//! Server processes under test: start one (runner, peer, `spin up`,
//! `wasmtime serve`), wait for its `Serving http://...` line (read by the
//! shared harness's `sse_testkit::banner`), keep its output in a log file,
//! find the process that serves (under `spin up`, its `spin trigger http`
//! child), read its `/metrics`, and stop it with SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Deserialize;

use sse_testkit::banner;

use crate::procfs;

/// A running server.
pub struct Server {
    pub name: String,
    /// The process started.
    pub pid: u32,
    /// The process that serves, whose RSS and CPU are sampled: `pid`
    /// itself, or under `spin up` its `spin trigger http` child.
    pub serving_pid: u32,
    /// `pid`'s descendants once it served (stopped with it).
    descendants: Vec<u32>,
    /// `http://127.0.0.1:port`
    pub base: String,
    /// The metrics endpoint, if any.
    pub metrics: Option<SocketAddr>,
    pub log: PathBuf,
    child: Child,
}

impl Server {
    /// Spawns `cmd` and waits up to `timeout` for its serving line (and its
    /// metrics line when `want_metrics`).
    pub fn start(
        name: &str,
        mut cmd: Command,
        log: &Path,
        want_metrics: bool,
        timeout: Duration,
    ) -> Result<Self, String> {
        let mut logf = std::fs::File::create(log)
            .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let _ = writeln!(logf, "$ {cmd:?}");
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        let (tx, rx) = mpsc::channel::<String>();
        let out = child.stdout.take().ok_or("no stdout")?;
        let err = child.stderr.take().ok_or("no stderr")?;
        let (log_out, log_err) = (
            logf.try_clone().map_err(|e| e.to_string())?,
            logf.try_clone().map_err(|e| e.to_string())?,
        );
        let tx2 = tx.clone();
        std::thread::spawn(move || pump(out, log_out, Some(tx)));
        std::thread::spawn(move || pump(err, log_err, Some(tx2)));
        let deadline = Instant::now() + timeout;
        let (mut base, mut metrics) = (None, None);
        let mut tail: Vec<String> = Vec::new();
        while base.is_none() || (want_metrics && metrics.is_none()) {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left.max(Duration::from_millis(1))) {
                Ok(line) => {
                    base = base.or_else(|| banner::serving(&line).map(str::to_owned));
                    metrics = metrics.or_else(|| banner::metrics_addr(&line));
                    tail.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let last = tail
                        .iter()
                        .rev()
                        .take(5)
                        .rev()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" | ");
                    return Err(format!("{name} did not report its address within {timeout:?} (last output: {last})"));
                }
            }
        }
        let base = format!("http://{}", base.unwrap_or_default());
        let pid = child.id();
        // `spin up` serves from a child that printed the serving line, so
        // it exists by now; the runner, the peer and `wasmtime serve` have
        // no children and serve themselves.
        let descendants = procfs::descendants(pid);
        Ok(Server {
            name: name.to_string(),
            pid,
            serving_pid: procfs::serving_process(pid, &descendants, procfs::cmdline),
            descendants,
            base,
            metrics,
            log: log.to_path_buf(),
            child,
        })
    }

    /// Reads `/metrics` (runner only).
    pub fn metrics(&self) -> Option<Metrics> {
        fetch_metrics(self.metrics?).ok()
    }

    /// True while the process has not exited.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGTERM to the descendants (youngest first: `spin up` leaves its
    /// trigger running when only it gets SIGTERM) and the process, then
    /// SIGKILL to whatever is left after `grace`. Returns the exit
    /// description.
    pub fn stop(mut self, grace: Duration) -> String {
        for &pid in self.descendants.iter().rev() {
            signal(pid, libc::SIGTERM);
        }
        signal(self.pid, libc::SIGTERM);
        let until = Instant::now() + grace;
        let mut how = None;
        while Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                how = Some(format!("{status}"));
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let how = how.unwrap_or_else(|| {
            let _ = self.child.kill();
            let _ = self.child.wait();
            format!("killed after {grace:?} without exiting on SIGTERM")
        });
        while Instant::now() < until && self.descendants.iter().any(|&pid| alive(pid)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        for &pid in &self.descendants {
            if alive(pid) {
                signal(pid, libc::SIGKILL);
            }
        }
        how
    }
}

fn signal(pid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) on a pid this driver started (or a gone one).
    unsafe { libc::kill(pid as libc::pid_t, signal) };
}

/// True while `pid` exists and is not a zombie.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let state = stat[stat.rfind(')')? + 1..]
                .split_whitespace()
                .next()?
                .to_owned();
            Some(state != "Z")
        })
        .unwrap_or(false)
}

fn pump(src: impl Read, mut log: std::fs::File, tx: Option<mpsc::Sender<String>>) {
    for line in BufReader::new(src).lines() {
        let Ok(line) = line else { break };
        let _ = writeln!(log, "{line}");
        if let Some(tx) = &tx {
            let _ = tx.send(line);
        }
    }
}

/// The runner's `/metrics` document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
pub struct Metrics {
    pub instances_active: u64,
    pub instances_started: u64,
    pub instances_finished: u64,
    pub requests_rejected: u64,
}

/// The runner's `/metrics` at `addr`.
pub fn fetch_metrics(addr: SocketAddr) -> Result<Metrics, String> {
    let json = sse_testkit::runner::metrics(addr)?;
    serde_json::from_value(json).map_err(|e| format!("metrics: {e}"))
}

/// A free loopback port (for servers that cannot bind port 0 and report it).
pub fn free_port() -> Option<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()
        .map(|a| a.port())
}

/// `spin up` on `manifest`, listening on 127.0.0.1:`port` (Spin prints
/// the port it serves on, so the caller picks a free one): the arguments
/// after the `spin` program.
pub fn spin_up_args(cmd: &mut Command, manifest: &Path, port: u16) {
    cmd.args(["up", "--from"])
        .arg(manifest)
        .args(["--listen", &format!("127.0.0.1:{port}")]);
}

/// The settings of docs/spin.md's recipe for many streams, given to
/// `spin up` unless the caller's environment sets them: `max_instances`
/// pool slots (as the runner's `--max-instances`), and no memory or table
/// kept resident in a freed slot.
pub fn spin_many_streams_env(cmd: &mut Command, max_instances: u32) {
    let settings = [
        ("SPIN_MAX_INSTANCE_COUNT", max_instances.to_string()),
        ("SPIN_WASMTIME_LINEAR_MEMORY_KEEP_RESIDENT", "0".to_string()),
        ("SPIN_WASMTIME_TABLE_KEEP_RESIDENT", "0".to_string()),
    ];
    for (name, value) in settings {
        if std::env::var_os(name).is_none() {
            cmd.env(name, value);
        }
    }
}

/// File descriptors a server holds per open `/sse` stream, where that is
/// more than its socket: `spin up` on the WASI 0.2 build opens each
/// instance's `.spin/logs/` stdout and stderr files, two handles each.
pub fn descriptors_per_stream(server: &str) -> usize {
    if server == super::model::SPIN {
        5
    } else {
        1
    }
}

/// The ladder steps a server can hold under an fd limit of `fd_limit`
/// (with `reserve` descriptors for everything else), and the steps it
/// cannot.
pub fn steps_within(
    steps: &[usize],
    per_stream: usize,
    fd_limit: u64,
    reserve: usize,
) -> (Vec<usize>, Vec<usize>) {
    steps
        .iter()
        .partition(|&&n| (n * per_stream + reserve) as u64 <= fd_limit)
}

/// Full path of `prog` if it is on PATH.
pub fn on_path(prog: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(prog))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_past_the_descriptor_limit_are_left_out() {
        let (kept, left) = steps_within(&[1000, 3000, 5000], 5, 20_000, 500);
        assert_eq!((kept, left), (vec![1000, 3000], vec![5000]));
        assert_eq!(descriptors_per_stream("spin"), 5);
        assert_eq!(descriptors_per_stream("spin-p3"), 1);
    }

    #[test]
    fn metrics_json_deserialises() {
        let m: Metrics = serde_json::from_str(
            r#"{"instances_active":2,"instances_started":5,"instances_finished":3,"requests_rejected":0}"#,
        )
        .unwrap();
        assert_eq!(m.instances_active, 2);
    }
}
