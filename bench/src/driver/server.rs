//! Server processes under test: start one (runner, peer, `spin up`,
//! `wasmtime serve`), wait for its `Serving http://...` line, keep its output
//! in a log file, read its `/metrics`, and stop it with SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Deserialize;

use sse_testkit::body::BodyDecoder;
use sse_testkit::head;
use sse_testkit::request::Request;

/// A running server.
pub struct Server {
    pub name: String,
    pub pid: u32,
    /// `http://127.0.0.1:port`
    pub base: String,
    /// `host:port` of the metrics endpoint, if any.
    pub metrics: Option<String>,
    pub log: PathBuf,
    child: Child,
}

/// The address in a `Serving http://ADDR` (runner, peer, spin) or
/// `Serving HTTP on http://ADDR/` (wasmtime) line.
pub fn parse_serving_line(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("Serving ")?;
    let url = rest.strip_prefix("HTTP on ").unwrap_or(rest);
    let addr = url.strip_prefix("http://")?.trim_end_matches('/');
    (!addr.is_empty() && !addr.contains(' ')).then(|| addr.to_string())
}

/// The address in a `Metrics http://ADDR/metrics` line.
pub fn parse_metrics_line(line: &str) -> Option<String> {
    let addr = line
        .trim()
        .strip_prefix("Metrics http://")?
        .strip_suffix("/metrics")?;
    (!addr.is_empty()).then(|| addr.to_string())
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
                    base = base.or_else(|| parse_serving_line(&line));
                    metrics = metrics.or_else(|| parse_metrics_line(&line));
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
        Ok(Server {
            name: name.to_string(),
            pid: child.id(),
            base,
            metrics,
            log: log.to_path_buf(),
            child,
        })
    }

    /// Reads `/metrics` (runner only).
    pub fn metrics(&self) -> Option<Metrics> {
        fetch_metrics(self.metrics.as_deref()?).ok()
    }

    /// True while the process has not exited.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGTERM, then SIGKILL after `grace`. Returns the exit description.
    pub fn stop(mut self, grace: Duration) -> String {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.pid as i32, libc::SIGTERM) };
        let until = Instant::now() + grace;
        while Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                return format!("{status}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        format!("killed after {grace:?} without exiting on SIGTERM")
    }
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

/// GET http://`addr`/metrics with a blocking socket.
pub fn fetch_metrics(addr: &str) -> Result<Metrics, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("metrics connect: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    s.write_all(
        &Request::get("/metrics")
            .header("Connection", "close")
            .to_bytes(addr),
    )
    .map_err(|e| format!("metrics write: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .map_err(|e| format!("metrics read: {e}"))?;
    let (head, used) = head::parse(&raw)
        .map_err(|e| e.0)?
        .ok_or("metrics: incomplete head")?;
    if head.status != 200 {
        return Err(format!("metrics: status {}", head.status));
    }
    let mut body = Vec::new();
    BodyDecoder::new(head.framing("GET").map_err(|e| e.0)?)
        .feed(&raw[used..], &mut |b: &[u8]| body.extend_from_slice(b))
        .map_err(|e| e.0)?;
    serde_json::from_slice(&body).map_err(|e| format!("metrics: {e}"))
}

/// A free loopback port (for servers that cannot bind port 0 and report it).
pub fn free_port() -> Option<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()
        .map(|a| a.port())
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
    fn serving_lines_of_runner_spin_and_wasmtime_parse() {
        assert_eq!(
            parse_serving_line("Serving http://127.0.0.1:41234").as_deref(),
            Some("127.0.0.1:41234")
        );
        assert_eq!(
            parse_serving_line("Serving HTTP on http://127.0.0.1:8080/").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(parse_serving_line("[sse] Serving nothing"), None);
        assert_eq!(parse_serving_line("Available Routes:"), None);
    }

    #[test]
    fn metrics_line_parses() {
        assert_eq!(
            parse_metrics_line("Metrics http://127.0.0.1:9/metrics").as_deref(),
            Some("127.0.0.1:9")
        );
        assert_eq!(parse_metrics_line("Metrics http://127.0.0.1:9/"), None);
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
