//! Plain HTTP GET load for static files: C keep-alive connections each
//! sending one request after another until a deadline or a request budget,
//! optionally with `If-None-Match` (taken from a first GET when `auto`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::procfs;
use crate::stats::{rate, Percentiles};
use crate::target::Target;
use sse_testkit::body::{BodyDecoder, Progress};
use sse_testkit::head::{self, Head};
use sse_testkit::request::Request;

/// Settings for a GET load run.
#[derive(Debug, Clone)]
pub struct GetConfig {
    pub target: Target,
    pub connections: usize,
    pub duration: Duration,
    /// Stop after this many requests in total.
    pub max_requests: u64,
    /// `Some("auto")`: use the ETag of a first GET; `Some(tag)`: send it as is.
    pub if_none_match: Option<String>,
}

/// Results of a GET load run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GetSummary {
    pub url: String,
    pub if_none_match: Option<String>,
    pub connections: usize,
    pub requests: u64,
    pub statuses: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    pub latency: Option<Percentiles>,
    pub body_bytes: u64,
    pub wall_s: f64,
    pub requests_per_s: f64,
    pub body_mb_per_s: f64,
    pub loadgen_cpu_s: f64,
}

/// One complete response: head and body length.
async fn exchange(
    stream: &mut TcpStream,
    req: &[u8],
    buf: &mut [u8],
) -> Result<(Head, u64), String> {
    stream
        .write_all(req)
        .await
        .map_err(|_| "write".to_string())?;
    let mut head_buf = Vec::new();
    loop {
        let n = stream.read(buf).await.map_err(|_| "read".to_string())?;
        if n == 0 {
            return Err("closed_before_head".into());
        }
        head_buf.extend_from_slice(&buf[..n]);
        if let Some((head, used)) = head::parse(&head_buf).map_err(|_| "protocol".to_string())? {
            let framing = head.framing("GET").map_err(|_| "protocol".to_string())?;
            let mut dec = BodyDecoder::new(framing);
            let mut body = 0u64;
            let mut count = |b: &[u8]| body += b.len() as u64;
            let mut progress = if dec.is_empty_body() {
                Progress::Done { used: 0 }
            } else {
                dec.feed(&head_buf[used..], &mut count)
                    .map_err(|_| "protocol".to_string())?
            };
            while progress == Progress::More {
                let n = stream.read(buf).await.map_err(|_| "read".to_string())?;
                if n == 0 {
                    dec.finish_at_eof().map_err(|_| "truncated".to_string())?;
                    break;
                }
                progress = dec
                    .feed(&buf[..n], &mut count)
                    .map_err(|_| "protocol".to_string())?;
            }
            return Ok((head, body));
        }
    }
}

/// Fetches the ETag of the target once.
pub async fn fetch_etag(target: &Target) -> Result<Option<String>, String> {
    let mut s = TcpStream::connect(target.addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let req = Request::get(&target.path).to_bytes(&target.host_header);
    let mut buf = vec![0u8; 64 * 1024];
    let (head, _) = exchange(&mut s, &req, &mut buf).await?;
    Ok(head.header("etag").map(str::to_owned))
}

struct Shared {
    issued: AtomicU64,
}

/// Runs the GET load; `Err` only if `auto` could not find an ETag.
pub async fn run(cfg: &GetConfig) -> Result<GetSummary, String> {
    let inm = match cfg.if_none_match.as_deref() {
        Some("auto") => Some(
            fetch_etag(&cfg.target)
                .await?
                .ok_or("the target sent no ETag")?,
        ),
        other => other.map(str::to_string),
    };
    let mut extra = vec![];
    if let Some(tag) = inm.as_deref() {
        extra.push(("If-None-Match", tag));
    }
    let req: Arc<[u8]> = Request::get(&cfg.target.path)
        .headers(&extra)
        .to_bytes(&cfg.target.host_header)
        .into();
    let shared = Arc::new(Shared {
        issued: AtomicU64::new(0),
    });
    let cpu0 = procfs::self_cpu_seconds();
    let start = Instant::now();
    let deadline = start + cfg.duration;
    let mut tasks = Vec::new();
    for _ in 0..cfg.connections {
        let (req, shared, addr, max) = (
            req.clone(),
            shared.clone(),
            cfg.target.addr,
            cfg.max_requests,
        );
        tasks.push(tokio::spawn(async move {
            worker(addr, &req, deadline, max, &shared).await
        }));
    }
    let mut s = GetSummary {
        url: format!("http://{}{}", cfg.target.host_header, cfg.target.path),
        if_none_match: inm,
        connections: cfg.connections,
        ..Default::default()
    };
    let mut lat = Vec::new();
    for t in tasks {
        if let Ok(w) = t.await {
            lat.extend(w.latencies_us);
            s.body_bytes += w.body_bytes;
            for (k, v) in w.statuses {
                *s.statuses.entry(k.to_string()).or_default() += v;
            }
            for (k, v) in w.errors {
                *s.errors.entry(k).or_default() += v;
            }
        }
    }
    s.wall_s = start.elapsed().as_secs_f64();
    s.requests = lat.len() as u64;
    s.latency = Percentiles::from_micros(&lat);
    s.requests_per_s = rate(s.requests as f64, s.wall_s);
    s.body_mb_per_s = rate(s.body_bytes as f64 / 1e6, s.wall_s);
    s.loadgen_cpu_s = procfs::self_cpu_seconds() - cpu0;
    Ok(s)
}

#[derive(Default)]
struct WorkerResult {
    latencies_us: Vec<u64>,
    body_bytes: u64,
    statuses: BTreeMap<u16, u64>,
    errors: BTreeMap<String, u64>,
}

async fn worker(
    addr: std::net::SocketAddr,
    req: &[u8],
    deadline: Instant,
    max: u64,
    shared: &Shared,
) -> WorkerResult {
    let mut out = WorkerResult::default();
    let mut buf = vec![0u8; 64 * 1024];
    let mut conn: Option<TcpStream> = None;
    while Instant::now() < deadline && shared.issued.fetch_add(1, Ordering::Relaxed) < max {
        let stream = match conn.as_mut() {
            Some(s) => s,
            None => match tokio::time::timeout_at(deadline, TcpStream::connect(addr)).await {
                Ok(Ok(s)) => {
                    let _ = s.set_nodelay(true);
                    conn.insert(s)
                }
                Ok(Err(_)) => {
                    *out.errors.entry("connect".into()).or_default() += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
                Err(_) => break,
            },
        };
        let t0 = Instant::now();
        match tokio::time::timeout_at(deadline, exchange(stream, req, &mut buf)).await {
            Err(_) => break,
            Ok(Err(kind)) => {
                *out.errors.entry(kind).or_default() += 1;
                conn = None;
            }
            Ok(Ok((head, body))) => {
                out.latencies_us.push(t0.elapsed().as_micros() as u64);
                out.body_bytes += body;
                *out.statuses.entry(head.status).or_default() += 1;
                if head.closes() {
                    conn = None;
                }
            }
        }
    }
    out
}

impl GetSummary {
    /// A plain-text table for people.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let lat = self.latency.map_or("-".into(), |p| {
            format!(
                "p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
                p.p50_ms, p.p99_ms, p.max_ms
            )
        });
        let _ = writeln!(out, "target             {}", self.url);
        let _ = writeln!(
            out,
            "If-None-Match      {}",
            self.if_none_match.as_deref().unwrap_or("-")
        );
        let _ = writeln!(out, "connections        {}", self.connections);
        let _ = writeln!(
            out,
            "requests           {} in {:.1} s ({:.0}/s)",
            self.requests, self.wall_s, self.requests_per_s
        );
        let _ = writeln!(out, "status codes       {:?}", self.statuses);
        let _ = writeln!(out, "errors             {:?}", self.errors);
        let _ = writeln!(out, "latency            {lat}");
        let _ = writeln!(
            out,
            "body               {} bytes ({:.1} MB/s)",
            self.body_bytes, self.body_mb_per_s
        );
        let _ = writeln!(out, "load generator CPU {:.1} s", self.loadgen_cpu_s);
        out
    }
}
