//! A runner process started by a test with its own flags: addresses from its
//! `Serving`/`Metrics` lines, stdout/stderr as line channels, SIGTERM, exit
//! status; killed on drop.

use super::super::support::{self, Client};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A runner process of this module's own (flags of the test's choice).
pub struct Proc {
    pub child: Child,
    pub addr: SocketAddr,
    pub metrics: SocketAddr,
    pub stdout: mpsc::Receiver<String>,
    pub stderr: mpsc::Receiver<String>,
    /// Every stdout line received so far (including the banner).
    pub stdout_seen: Vec<String>,
}

fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

pub fn spawn(manifest: &Path, extra: &[&str]) -> Child {
    Command::new(support::runner_bin())
        .args(["up", "--file"])
        .arg(manifest)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start spin-sse-runner")
}

impl Proc {
    pub fn start(manifest: &Path, extra: &[&str]) -> Proc {
        let mut args = vec!["--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = spawn(manifest, &args);
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        let mut p = Proc {
            child,
            addr: "0.0.0.0:0".parse().unwrap(),
            metrics: "0.0.0.0:0".parse().unwrap(),
            stdout,
            stderr,
            stdout_seen: Vec::new(),
        };
        let serving = p.wait_stdout(
            |l| l.starts_with("Serving http://"),
            Duration::from_secs(60),
        );
        let serving = serving
            .unwrap_or_else(|| panic!("runner did not start; stderr: {:?}", p.drain_stderr()));
        p.addr = serving["Serving http://".len()..].parse().unwrap();
        let metrics = p
            .wait_stdout(|l| l.starts_with("Metrics http://"), Duration::from_secs(5))
            .unwrap();
        p.metrics = metrics["Metrics http://".len()..]
            .trim_end_matches("/metrics")
            .parse()
            .unwrap();
        p
    }

    pub fn client(&self) -> Client {
        Client::new(self.addr)
    }

    /// Waits for a stdout line matching `pred`, logging every line read.
    pub fn wait_stdout(
        &mut self,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Option<String> {
        let seen = &mut self.stdout_seen;
        wait_line(
            &self.stdout,
            |l| {
                seen.push(l.to_string());
                pred(l)
            },
            timeout,
        )
    }

    pub fn drain_stderr(&self) -> Vec<String> {
        self.stderr.try_iter().collect()
    }

    pub fn metric(&self, name: &str) -> u64 {
        let r = Client::new(self.metrics).get("/metrics");
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        v[name]
            .as_u64()
            .unwrap_or_else(|| panic!("no {name} in {v}"))
    }

    pub fn wait_metric(&self, name: &str, want: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.metric(name) == want {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn terminate(&mut self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn wait_line(
    rx: &mpsc::Receiver<String>,
    mut pred: impl FnMut(&str) -> bool,
    timeout: Duration,
) -> Option<String> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match rx.recv_timeout(left) {
            Ok(line) if pred(&line) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

pub use super::super::support::runner::failing_up;
