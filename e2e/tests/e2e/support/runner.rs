//! The embedded runner as a child process of the test binary.
//!
//! Started with `up --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0`; the
//! real addresses come from its `Serving http://…` and `Metrics http://…`
//! lines. Its stdout and stderr are captured line by line for assertions.
//!
//! The runner runs under the [`watchdog`](super::watchdog), so no runner
//! outlives the tests (the shared one is never dropped).

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::http::Client;
use super::watchdog::{self, Watched};

/// How long the runner may take to print its addresses.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Lines of one output stream, shared with the thread that reads them.
#[derive(Default)]
pub struct Lines {
    state: Mutex<(Vec<String>, bool)>,
    changed: Condvar,
}

impl Lines {
    fn collect(self: Arc<Self>, stream: impl Read + Send + 'static) {
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                self.state.lock().unwrap().0.push(line);
                self.changed.notify_all();
            }
            self.state.lock().unwrap().1 = true;
            self.changed.notify_all();
        });
    }

    /// Every line so far.
    pub fn snapshot(&self) -> Vec<String> {
        self.state.lock().unwrap().0.clone()
    }

    /// Waits until some line satisfies `pred` and returns it; `None` on
    /// timeout or when the stream closed first.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let mut state = self.state.lock().unwrap();
        loop {
            if let Some(line) = state.0.iter().find(|l| pred(l)) {
                return Some(line.clone());
            }
            let now = Instant::now();
            if state.1 || now >= deadline {
                return None;
            }
            state = self.changed.wait_timeout(state, deadline - now).unwrap().0;
        }
    }
}

/// Extra settings for [`Runner::start_with`].
#[derive(Debug, Default, Clone)]
pub struct RunnerOptions {
    /// Environment variables added to the runner's.
    pub env: Vec<(String, String)>,
    /// Working directory (default: the repo root).
    pub cwd: Option<PathBuf>,
}

/// A running `spin-sse-runner up` (stopped on drop).
pub struct Runner {
    /// Held for its drop, which stops the runner.
    _process: Watched,
    pub addr: SocketAddr,
    pub metrics_addr: SocketAddr,
    pub stdout: Arc<Lines>,
    pub stderr: Arc<Lines>,
}

impl Runner {
    /// Starts the runner on `manifest` and waits for its addresses.
    /// Panics with the runner's output if it does not come up.
    pub fn start(manifest: &Path) -> Runner {
        Runner::start_with(manifest, &RunnerOptions::default())
    }

    /// Starts the runner on `manifest` with extra environment and a working
    /// directory of the test's choice (default: the repo root).
    pub fn start_with(manifest: &Path, options: &RunnerOptions) -> Runner {
        let bin = super::runner_bin();
        let mut cmd = watchdog::command(&bin);
        cmd.args(["up", "--file"])
            .arg(manifest)
            .args(["--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
            .current_dir(options.cwd.as_deref().unwrap_or(super::repo_root()))
            .envs(options.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut process = Watched::spawn(cmd, None)
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = Arc::new(Lines::default());
        let stderr = Arc::new(Lines::default());
        let child = process.child_mut();
        stdout.clone().collect(child.stdout.take().unwrap());
        stderr.clone().collect(child.stderr.take().unwrap());

        let addr = announced_addr(&stdout, "Serving http://");
        let metrics_addr = announced_addr(&stdout, "Metrics http://");
        let (Some(addr), Some(metrics_addr)) = (addr, metrics_addr) else {
            process.stop();
            panic!(
                "runner on {} did not announce its addresses within {START_TIMEOUT:?}\n\
                 stdout:\n{}\nstderr:\n{}",
                manifest.display(),
                stdout.snapshot().join("\n"),
                stderr.snapshot().join("\n")
            );
        };
        Runner {
            _process: process,
            addr,
            metrics_addr,
            stdout,
            stderr,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(self.addr)
    }

    /// `GET /metrics` as JSON.
    pub fn metrics(&self) -> serde_json::Value {
        let resp = Client::new(self.metrics_addr).get("/metrics");
        assert_eq!(resp.status(), 200, "GET /metrics: {}", resp.text());
        serde_json::from_slice(&resp.body)
            .unwrap_or_else(|e| panic!("/metrics is not JSON ({e}): {}", resp.text()))
    }

    /// One counter from `/metrics`.
    pub fn metric(&self, name: &str) -> u64 {
        let json = self.metrics();
        json.get(name)
            .and_then(|v| v.as_u64())
            .unwrap_or_else(|| panic!("/metrics has no counter {name:?}: {json}"))
    }
}

/// Waits for a stdout line containing `prefix` and parses the address after it.
fn announced_addr(stdout: &Lines, prefix: &str) -> Option<SocketAddr> {
    let line = stdout.wait_for(START_TIMEOUT, |l| l.contains(prefix))?;
    let rest = &line[line.find(prefix)? + prefix.len()..];
    let hostport = rest.split(['/', ' ']).next()?;
    hostport.parse().ok()
}

/// Runs `up` on `manifest` (plus `extra` flags) expecting it to fail at
/// start-up; returns its stderr, checked to be exactly one `Error:` line.
pub fn failing_up(manifest: &Path, extra: &[&str]) -> String {
    failing_up_with(manifest, extra, &RunnerOptions::default())
}

/// How long a runner that should refuse to start may take to exit.
pub const FAILING_UP_DEADLINE: Duration = Duration::from_secs(60);

/// [`failing_up`] with extra environment and working directory.
/// A runner that starts serving instead of failing is killed after
/// [`FAILING_UP_DEADLINE`], and the test fails saying so (it never hangs).
pub fn failing_up_with(manifest: &Path, extra: &[&str], options: &RunnerOptions) -> String {
    let mut child = std::process::Command::new(super::runner_bin())
        .args(["up", "--file"])
        .arg(manifest)
        .args(extra)
        .current_dir(options.cwd.as_deref().unwrap_or(super::repo_root()))
        .envs(options.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > FAILING_UP_DEADLINE {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "runner should have failed but was still running after {FAILING_UP_DEADLINE:?}; stdout: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        !out.status.success(),
        "runner should have failed; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "want exactly one error line, got: {stderr}");
    assert!(lines[0].starts_with("Error: "), "{stderr}");
    stderr
}
