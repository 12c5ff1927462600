//! What the benchmark starts and asks: a private `redis-server`, runner
//! processes serving the hub on it (stopped on drop), Redis `INFO` fields
//! and the order Redis appended the updates in.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process, stopped (SIGTERM, then SIGKILL) on drop.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        // SIGTERM first, so runners and Redis exit cleanly.
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn start_redis(dir: &std::path::Path, max_clients: usize) -> (Process, u16) {
    let port = free_port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .args(["--maxclients", &max_clients.to_string(), "--dir"])
        .arg(dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("start redis-server (apt-get install redis-server)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (Process(child), port)
}

/// A runner process and its addresses.
pub struct Runner {
    pub process: Process,
    pub addr: SocketAddr,
    /// Its `/metrics` listener.
    pub metrics: SocketAddr,
}

pub fn start_runner(
    runner: &Path,
    manifest: &Path,
    key: &str,
    redis_port: u16,
    max_instances: usize,
) -> Runner {
    let mut child = Command::new(runner)
        .args([
            "up",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
            "--max-instances",
            &max_instances.to_string(),
            "--file",
        ])
        .arg(manifest)
        .env(
            "SPIN_VARIABLE_REDIS_HOST",
            format!("127.0.0.1:{redis_port}"),
        )
        .env("SPIN_VARIABLE_PUBLISHER_JWT_KEY", key)
        .env("SPIN_VARIABLE_HUB_ANONYMOUS", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the runner (cargo build --release -p spin-sse-runner)");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut next_line = || {
        lines
            .next()
            .and_then(Result::ok)
            .expect("runner exited before serving")
    };
    let addr = loop {
        if let Some(rest) = next_line().strip_prefix("Serving http://") {
            break rest.trim().parse().expect("Serving address");
        }
    };
    let metrics = loop {
        if let Some(rest) = next_line().strip_prefix("Metrics http://") {
            let rest = rest.trim().trim_end_matches("/metrics");
            break rest.parse().expect("Metrics address");
        }
    };
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Runner {
        process: Process(child),
        addr,
        metrics,
    }
}

/// The hub component's live instances on the runner whose `/metrics` is
/// at `metrics` (`None` if it cannot be read).
pub fn hub_instances(metrics: SocketAddr) -> Option<u64> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(metrics).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!("GET /metrics HTTP/1.1\r\nHost: {metrics}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let body = &response[response.find("\r\n\r\n")? + 4..];
    let json: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    json["components"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == "hub")?["instances_active"]
        .as_u64()
}

/// The order Redis appended the updates in (seq → rank), from `XRANGE`.
pub struct StreamOrder(std::collections::HashMap<u64, u64>);

impl StreamOrder {
    pub fn rank(&self, seq: u64) -> Option<u64> {
        self.0.get(&seq).copied()
    }
}

pub fn stream_order(port: u16) -> StreamOrder {
    let out = Command::new("redis-cli")
        .args([
            "-p",
            &port.to_string(),
            "--raw",
            "XRANGE",
            "{mercure}:updates",
            "-",
            "+",
        ])
        .output()
        .expect("redis-cli (apt-get install redis-tools)");
    // Each stored update ends with its SSE frame, whose one `data:` line
    // is `seq publish-time` (see `publish`).
    let text = String::from_utf8_lossy(&out.stdout);
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

pub fn redis_info(port: u16, field: &str) -> Option<String> {
    redis_info_section(port, "default", field)
}

/// `field` of `INFO <section>`.
pub fn redis_info_section(port: u16, section: &str, field: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .write_all(format!("INFO {section}\r\nQUIT\r\n").as_bytes())
        .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    text.lines().find_map(|l| {
        l.strip_prefix(&format!("{field}:"))
            .map(|v| v.trim().to_owned())
    })
}

/// How many `XREAD`s Redis has served (`INFO commandstats`), 0 before the first.
pub fn xread_calls(port: u16) -> u64 {
    redis_info_section(port, "commandstats", "cmdstat_xread")
        .and_then(|stats| {
            stats
                .split(',')
                .find_map(|kv| kv.strip_prefix("calls="))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
