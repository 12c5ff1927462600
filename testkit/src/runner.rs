//! The embedded runner (`spin-sse-runner up`) as a child process of a test
//! binary or a benchmark.
//!
//! Started with `up --file <manifest> --listen 127.0.0.1:0
//! --metrics-listen 127.0.0.1:0` plus the caller's flags, under the
//! [`watchdog`](crate::watchdog), so no runner outlives its starter (a
//! shared one is never dropped). The real addresses come from its banner
//! ([`banner`]); its stdout and stderr are captured line by line
//! ([`Lines`]) for assertions, and printed when it does not come up.

use crate::banner;
use crate::client::Client;
use crate::watchdog::{self, Watched};
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long the runner may take to print its addresses.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Lines of one output stream, shared with the thread that reads them.
///
/// Two ways to read them: [`Lines::snapshot`] and [`Lines::wait_for`] see
/// every line so far; [`Lines::next_matching`] and [`Lines::drain`] consume
/// them in order (each line once), like a channel.
#[derive(Default)]
pub struct Lines {
    state: Mutex<LinesState>,
    changed: Condvar,
}

#[derive(Default)]
struct LinesState {
    lines: Vec<String>,
    /// Lines before this index were consumed.
    read: usize,
    closed: bool,
}

impl Lines {
    /// Collects `stream`'s lines on a thread of their own.
    pub fn collect(stream: impl Read + Send + 'static) -> Arc<Lines> {
        let lines = Arc::new(Lines::default());
        let writer = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                writer.state.lock().unwrap().lines.push(line);
                writer.changed.notify_all();
            }
            writer.state.lock().unwrap().closed = true;
            writer.changed.notify_all();
        });
        lines
    }

    /// Every line so far.
    pub fn snapshot(&self) -> Vec<String> {
        self.state.lock().unwrap().lines.clone()
    }

    /// Waits until some line (read or not) satisfies `pred` and returns it;
    /// `None` on timeout or when the stream closed first.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> Option<String> {
        self.wait(timeout, |state| {
            let found = state.lines.iter().find(|l| pred(l))?;
            Some(found.clone())
        })
    }

    /// Consumes lines until one satisfies `pred` and returns it; `None` on
    /// timeout or when the stream closed first.
    pub fn next_matching(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> Option<String> {
        self.wait(timeout, |state| {
            while state.read < state.lines.len() {
                state.read += 1;
                let line = &state.lines[state.read - 1];
                if pred(line) {
                    return Some(line.clone());
                }
            }
            None
        })
    }

    /// Consumes and returns the lines not consumed yet.
    pub fn drain(&self) -> Vec<String> {
        let mut state = self.state.lock().unwrap();
        let unread = state.lines[state.read..].to_vec();
        state.read = state.lines.len();
        unread
    }

    fn wait<T>(
        &self,
        timeout: Duration,
        mut look: impl FnMut(&mut LinesState) -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + timeout;
        let mut state = self.state.lock().unwrap();
        loop {
            if let Some(found) = look(&mut state) {
                return Some(found);
            }
            let now = Instant::now();
            if state.closed || now >= deadline {
                return None;
            }
            state = self.changed.wait_timeout(state, deadline - now).unwrap().0;
        }
    }
}

/// How to start a runner besides its binary and manifest.
#[derive(Debug, Default, Clone)]
pub struct RunnerOptions {
    /// Environment variables added to the runner's.
    pub env: Vec<(String, String)>,
    /// Working directory (default: the caller's).
    pub cwd: Option<PathBuf>,
    /// Flags after the addresses, e.g. `["--max-instances", "5"]`.
    pub flags: Vec<String>,
}

/// `runner up --file manifest` on ephemeral loopback ports (app and
/// metrics), with `options` applied; the caller chooses stdio.
pub fn up_command(runner: &Path, manifest: &Path, options: &RunnerOptions) -> Command {
    let mut cmd = Command::new(runner);
    up_args(&mut cmd, manifest, options);
    cmd
}

fn up_args(cmd: &mut Command, manifest: &Path, options: &RunnerOptions) {
    cmd.args(["up", "--file"])
        .arg(manifest)
        .args(["--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
        .args(&options.flags)
        .envs(options.env.iter().map(|(k, v)| (k, v)));
    if let Some(cwd) = &options.cwd {
        cmd.current_dir(cwd);
    }
}

/// A running `spin-sse-runner up` (stopped on drop).
pub struct Runner {
    process: Watched,
    pid: u32,
    pub addr: SocketAddr,
    pub metrics_addr: SocketAddr,
    pub stdout: Arc<Lines>,
    pub stderr: Arc<Lines>,
}

impl Runner {
    /// Starts `runner` on `manifest` and waits for its addresses. The error
    /// says why it did not come up, with everything it printed.
    pub fn start(
        runner: &Path,
        manifest: &Path,
        options: &RunnerOptions,
    ) -> Result<Runner, String> {
        let mut cmd = watchdog::command(runner);
        up_args(&mut cmd, manifest, options);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut process = Watched::spawn(cmd, None)
            .map_err(|e| format!("cannot start {}: {e}", runner.display()))?;
        let child = process.child_mut();
        let stdout = Lines::collect(child.stdout.take().expect("piped stdout"));
        let stderr = Lines::collect(child.stderr.take().expect("piped stderr"));
        let addr = announced(&stdout, banner::serving_addr);
        let metrics_addr = announced(&stdout, banner::metrics_addr);
        let pid = process.program_pid();
        let (Some(addr), Some(metrics_addr), Some(pid)) = (addr, metrics_addr, pid) else {
            process.stop();
            return Err(format!(
                "runner on {} did not announce its addresses within {START_TIMEOUT:?}\n\
                 stdout:\n{}\nstderr:\n{}",
                manifest.display(),
                stdout.snapshot().join("\n"),
                stderr.snapshot().join("\n")
            ));
        };
        Ok(Runner {
            process,
            pid,
            addr,
            metrics_addr,
            stdout,
            stderr,
        })
    }

    /// A client for the app.
    pub fn client(&self) -> Client {
        Client::new(self.addr)
    }

    /// The runner's own pid (for `/proc`).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// `GET /metrics` as JSON; panics with the answer when it is not.
    pub fn metrics(&self) -> serde_json::Value {
        metrics(self.metrics_addr).unwrap_or_else(|e| panic!("{e}"))
    }

    /// One counter from `/metrics`.
    pub fn metric(&self, name: &str) -> u64 {
        let json = self.metrics();
        json.get(name)
            .and_then(|v| v.as_u64())
            .unwrap_or_else(|| panic!("/metrics has no counter {name:?}: {json}"))
    }

    /// Polls `/metrics` until counter `name` is `want`; how long that took,
    /// or `None` after `timeout`.
    pub fn wait_metric(&self, name: &str, want: u64, timeout: Duration) -> Option<Duration> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.metric(name) == want {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }

    /// Sends the runner SIGTERM (a graceful shutdown).
    pub fn terminate(&self) {
        self.process
            .signal("TERM")
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Sends the runner SIGKILL (it dies without saying goodbye).
    pub fn kill(&self) {
        self.process
            .signal("KILL")
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Whether the runner has ended.
    pub fn has_exited(&mut self) -> bool {
        self.process.has_exited()
    }

    /// Waits up to `timeout` for the runner to end; its exit status.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.process.wait_exit(timeout)
    }
}

/// `GET http://addr/metrics` as JSON.
pub fn metrics(addr: SocketAddr) -> Result<serde_json::Value, String> {
    let resp = crate::client::open_raw(addr, "GET", &metrics_request(addr))
        .and_then(|s| s.read_to_end())
        .map_err(|e| format!("GET http://{addr}/metrics: {e}"))?;
    if resp.status() != 200 {
        return Err(format!("GET /metrics: {}: {}", resp.status(), resp.text()));
    }
    serde_json::from_slice(&resp.body)
        .map_err(|e| format!("/metrics is not JSON ({e}): {}", resp.text()))
}

fn metrics_request(addr: SocketAddr) -> Vec<u8> {
    crate::request::Request::get("/metrics")
        .header("Connection", "close")
        .to_bytes(&addr.to_string())
}

/// Waits for the banner line `parse` reads an address from.
fn announced(stdout: &Lines, parse: fn(&str) -> Option<SocketAddr>) -> Option<SocketAddr> {
    let line = stdout.wait_for(START_TIMEOUT, |l| parse(l).is_some())?;
    parse(&line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &'static str) -> Arc<Lines> {
        let lines = Lines::collect(text.as_bytes());
        lines.wait_for(Duration::from_secs(5), |_| false);
        lines
    }

    #[test]
    fn consumed_lines_are_read_once_and_snapshots_see_all() {
        let lines = lines_of("a\nb1\nc\nb2\n");
        let t = Duration::from_secs(1);
        assert_eq!(
            lines.next_matching(t, |l| l.starts_with('b')).as_deref(),
            Some("b1")
        );
        assert_eq!(
            lines.next_matching(t, |l| l.starts_with('b')).as_deref(),
            Some("b2")
        );
        assert_eq!(lines.next_matching(t, |l| l.starts_with('b')), None);
        assert_eq!(lines.wait_for(t, |l| l == "a").as_deref(), Some("a"));
        assert_eq!(lines.snapshot(), ["a", "b1", "c", "b2"]);
    }

    #[test]
    fn drain_takes_what_was_not_consumed() {
        let lines = lines_of("x\ny\nz\n");
        let t = Duration::from_secs(1);
        assert_eq!(lines.next_matching(t, |l| l == "x").as_deref(), Some("x"));
        assert_eq!(lines.drain(), ["y", "z"]);
        assert!(lines.drain().is_empty());
    }

    #[test]
    fn up_command_listens_on_ephemeral_loopback_ports() {
        let options = RunnerOptions {
            flags: vec!["--max-instances".into(), "5".into()],
            ..RunnerOptions::default()
        };
        let cmd = up_command(Path::new("runner"), Path::new("spin.toml"), &options);
        let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(
            args,
            [
                "up",
                "--file",
                "spin.toml",
                "--listen",
                "127.0.0.1:0",
                "--metrics-listen",
                "127.0.0.1:0",
                "--max-instances",
                "5"
            ]
        );
    }
}
