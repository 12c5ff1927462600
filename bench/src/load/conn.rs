//! One SSE stream: connect (optionally from a chosen loopback source
//! address), send the GET, read the head, decode the body, parse events and
//! fill a [`ConnRecord`].

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;

use super::record::{ConnRecord, EndKind};
use sse_testkit::body::{BodyDecoder, Progress};
use sse_testkit::events::SseParser;
use sse_testkit::head;

/// Live counters shared by all streams of a process.
#[derive(Debug, Default)]
pub struct Counters {
    pub open: AtomicI64,
    pub events: AtomicU64,
    pub bytes: AtomicU64,
}

/// Per-stream settings shared by all streams of a run.
#[derive(Debug, Clone)]
pub struct StreamSpec {
    pub addr: SocketAddr,
    /// The full request bytes.
    pub request: Arc<[u8]>,
    /// Id the first event should carry (1, or Last-Event-ID + 1).
    pub expected_first_id: u64,
    /// Drop the connection after this many events.
    pub drop_after_events: Option<u64>,
    pub connect_timeout: Duration,
    /// Close with RST instead of FIN.
    pub abortive_close: bool,
}

const READ_BUF: usize = 4096;

/// Runs one stream from `start` until it ends or `deadline` passes.
pub async fn run_stream(
    spec: &StreamSpec,
    source: Option<IpAddr>,
    run_start: Instant,
    deadline: Instant,
    counters: &Counters,
) -> ConnRecord {
    let begun = Instant::now();
    let mut rec = ConnRecord::new(begun.duration_since(run_start).as_micros() as u64);
    let us = || begun.elapsed().as_micros() as u64;
    let stream = match connect(spec, source, deadline).await {
        Ok(s) => s,
        Err(kind) => {
            rec.end = kind;
            rec.end_us = us();
            return rec;
        }
    };
    rec.connect_us = Some(us());
    let end = drive(spec, stream, &mut rec, deadline, counters, &us).await;
    if rec.status == Some(200) && rec.is_sse {
        counters.open.fetch_sub(1, Ordering::Relaxed);
    }
    rec.end = end;
    rec.end_us = us();
    rec
}

async fn connect(
    spec: &StreamSpec,
    source: Option<IpAddr>,
    deadline: Instant,
) -> Result<TcpStream, EndKind> {
    let socket = if spec.addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(|e| classify_connect(&e))?;
    if let Some(src) = source {
        socket
            .bind(SocketAddr::new(src, 0))
            .map_err(|e| classify_connect(&e))?;
    }
    if spec.abortive_close {
        socket.set_zero_linger().map_err(|e| classify_connect(&e))?;
    }
    let limit = (Instant::now() + spec.connect_timeout).min(deadline);
    match tokio::time::timeout_at(limit, socket.connect(spec.addr)).await {
        Err(_) => Err(EndKind::ConnectTimeout),
        Ok(Err(e)) => Err(classify_connect(&e)),
        Ok(Ok(s)) => {
            let _ = s.set_nodelay(true);
            Ok(s)
        }
    }
}

fn classify_connect(e: &std::io::Error) -> EndKind {
    match e.kind() {
        ErrorKind::ConnectionRefused => EndKind::ConnectRefused,
        ErrorKind::TimedOut => EndKind::ConnectTimeout,
        ErrorKind::AddrInUse | ErrorKind::AddrNotAvailable => EndKind::NoLocalResource,
        _ if e.raw_os_error() == Some(libc::EMFILE) || e.raw_os_error() == Some(libc::ENFILE) => {
            EndKind::NoLocalResource
        }
        _ => EndKind::ConnectOther,
    }
}

async fn drive(
    spec: &StreamSpec,
    mut stream: TcpStream,
    rec: &mut ConnRecord,
    deadline: Instant,
    counters: &Counters,
    us: &impl Fn() -> u64,
) -> EndKind {
    if stream.write_all(&spec.request).await.is_err() {
        return EndKind::WriteError;
    }
    let mut buf = vec![0u8; READ_BUF];
    let mut head: Vec<u8> = Vec::new();
    let mut body: Option<BodyDecoder> = None;
    let mut parser = SseParser::new();
    let sleep = tokio::time::sleep_until(deadline);
    tokio::pin!(sleep);
    loop {
        let n = tokio::select! {
            biased;
            r = stream.read(&mut buf) => match r {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return EndKind::Reset,
                Err(_) => return EndKind::ReadError,
            },
            _ = &mut sleep => {
                return if body.is_some() { EndKind::ClientDeadline } else { EndKind::HeadTimeout };
            }
        };
        rec.bytes += n as u64;
        counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
        if n == 0 {
            return match body {
                None => EndKind::Truncated,
                Some(d) => match d.finish_at_eof() {
                    Ok(()) => EndKind::Completed,
                    Err(_) => EndKind::Truncated,
                },
            };
        }
        let mut input = &buf[..n];
        if body.is_none() {
            head.extend_from_slice(input);
            let (h, used) = match head::parse(&head) {
                Ok(Some(x)) => x,
                Ok(None) => continue,
                Err(_) => return EndKind::Protocol,
            };
            rec.headers_us = Some(us());
            rec.status = Some(h.status);
            rec.is_sse = h.is_event_stream();
            if h.status == 200 && rec.is_sse {
                counters.open.fetch_add(1, Ordering::Relaxed);
            }
            let Ok(framing) = h.framing("GET") else {
                return EndKind::Protocol;
            };
            let d = BodyDecoder::new(framing);
            let empty = d.is_empty_body();
            body = Some(d);
            if empty {
                return EndKind::Completed;
            }
            let rest_from = used - (head.len() - n);
            input = &buf[rest_from..n];
            head = Vec::new();
        }
        let decoder = body.as_mut().expect("head parsed");
        let before = rec.events;
        let progress = decoder.feed(input, &mut |payload: &[u8]| {
            if rec.is_sse {
                parser.feed(payload, |ev| {
                    rec.events += 1;
                    if rec.first_event_us.is_none() {
                        rec.first_event_us = Some(us());
                    }
                    if ev.event_type != b"message" || !ev.data.starts_with(b"{\"message\":\"") {
                        rec.bad_events += 1;
                    }
                    rec.observe_id(parse_id(ev.last_event_id), spec.expected_first_id);
                });
            }
        });
        counters
            .events
            .fetch_add(rec.events - before, Ordering::Relaxed);
        rec.retry_ms = parser.retry_ms();
        match progress {
            Err(_) => return EndKind::Protocol,
            Ok(Progress::Done { .. }) => return EndKind::Completed,
            Ok(Progress::More) => {}
        }
        if spec.drop_after_events.is_some_and(|k| rec.events >= k) {
            return EndKind::ClientDrop;
        }
    }
}

/// Parses a decimal event id; `None` if empty or not a number.
pub fn parse_id(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 19 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        raw.iter()
            .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0')),
    )
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn ids_must_be_plain_decimal() {
        assert_eq!(parse_id(b"42"), Some(42));
        assert_eq!(parse_id(b""), None);
        assert_eq!(parse_id(b"-1"), None);
        assert_eq!(parse_id(b"1e3"), None);
        assert_eq!(parse_id(b"99999999999999999999"), None);
    }
}
