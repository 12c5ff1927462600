//! The benchmark's clients: subscribers that tally every update they
//! receive and reconnect as a browser's `EventSource` does, and the
//! publisher's one request.
//!
//! A subscriber whose stream ends (the hub ended it, its server died, Redis
//! went away) or whose connect or request fails waits [`RETRY_AFTER`] and
//! connects again, with `Last-Event-ID` once it has one; when its server
//! refuses the connection it tries the next server at once (a dead process
//! behind a load balancer). It gives up after [`MAX_FAILED_ATTEMPTS`]
//! attempts in a row that got no stream, so the benchmark always ends.

use sse_testkit::body::{BodyDecoder, Progress};
use sse_testkit::events::SseParser;
use sse_testkit::head;
use sse_testkit::request::Request;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The one topic every update is published to and subscribed on.
pub const TOPIC: &str = "https://example.com/bench";

/// Wait before reconnecting (browsers wait a few seconds by default; the
/// hub sends no `retry:`).
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Attempts in a row without a stream before a subscriber gives up.
pub const MAX_FAILED_ATTEMPTS: u32 = 30;

pub fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// What one subscriber received.
#[derive(Default)]
pub struct Received {
    /// Sequence numbers, in arrival order.
    pub arrivals: Vec<u64>,
    /// Publish→receive latencies, µs (if kept).
    pub latencies: Vec<u64>,
    /// When each of its streams started (a 200 head arrived).
    pub heads: Vec<Instant>,
    /// When each stream or failed attempt ended, the benchmark's stop aside.
    pub breaks: Vec<Instant>,
    /// It stopped retrying ([`MAX_FAILED_ATTEMPTS`]).
    pub gave_up: bool,
}

impl Received {
    /// Streams that started again after an earlier one ended.
    pub fn resumed(&self) -> u64 {
        self.heads.len().saturating_sub(1) as u64
    }
}

/// Counts every subscriber adds to.
#[derive(Default)]
pub struct Counters {
    /// Subscribers that got their first 200.
    pub connected: AtomicUsize,
    /// Updates received, all subscribers together.
    pub delivered: AtomicU64,
}

/// Why one connection of a subscriber ended.
enum Ended {
    /// The benchmark stopped it.
    Stopped,
    /// The stream ended (the hub ended it or the connection broke).
    Closed,
    /// No stream: the connection or the response failed.
    Refused,
}

/// One subscriber, first on `servers[first]`: connects, counts itself
/// connected on its first 200, tallies every update until stopped, and
/// reconnects as the module docs say.
pub async fn subscribe(
    servers: Arc<[SocketAddr]>,
    first: usize,
    keep_latency: bool,
    counters: Arc<Counters>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Received {
    let mut received = Received::default();
    let mut last_event_id = None;
    let mut at = first;
    let mut failed = 0;
    loop {
        let mut ended = Ended::Refused;
        for step in 0..servers.len() {
            let index = (at + step) % servers.len();
            let connect = tokio::select! {
                connect = TcpStream::connect(servers[index]) => connect,
                _ = stop.changed() => return received,
            };
            let Ok(stream) = connect else { continue };
            at = index;
            let session = Session {
                keep_latency,
                counters: &counters,
                last_event_id: &mut last_event_id,
                received: &mut received,
            };
            ended = stream_on(stream, servers[index], session, &mut stop).await;
            break;
        }
        match ended {
            Ended::Stopped => return received,
            Ended::Closed => failed = 0,
            Ended::Refused => failed += 1,
        }
        received.breaks.push(Instant::now());
        if failed >= MAX_FAILED_ATTEMPTS {
            received.gave_up = true;
            return received;
        }
        tokio::select! {
            _ = tokio::time::sleep(RETRY_AFTER) => {}
            _ = stop.changed() => return received,
        }
    }
}

/// What one connection of a subscriber adds to.
struct Session<'a> {
    keep_latency: bool,
    counters: &'a Counters,
    last_event_id: &'a mut Option<String>,
    received: &'a mut Received,
}

/// One connection of a subscriber, from its `Last-Event-ID` if it has one.
async fn stream_on(
    mut stream: TcpStream,
    addr: SocketAddr,
    session: Session<'_>,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> Ended {
    let Session {
        keep_latency,
        counters,
        last_event_id,
        received,
    } = session;
    let path = format!(
        "/.well-known/mercure?topic={}",
        form_urlencoded::byte_serialize(TOPIC.as_bytes()).collect::<String>()
    );
    let mut request = Request::get(&path);
    if let Some(id) = last_event_id.as_deref() {
        request = request.header("Last-Event-ID", id);
    }
    if stream
        .write_all(&request.to_bytes(&addr.to_string()))
        .await
        .is_err()
    {
        return Ended::Refused;
    }
    let mut buf = vec![0u8; 16 * 1024];
    let mut pending = Vec::new();
    let mut decoder = None;
    let mut parser = SseParser::new();
    loop {
        let n = tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(n) if n > 0 => n,
                _ if decoder.is_some() => return Ended::Closed,
                _ => return Ended::Refused,
            },
            _ = stop.changed() => return Ended::Stopped,
        };
        let mut input = &buf[..n];
        if decoder.is_none() {
            pending.extend_from_slice(input);
            match head::parse(&pending) {
                Ok(Some((head, used))) if head.status == 200 => {
                    let Ok(framing) = head.framing("GET") else {
                        return Ended::Refused;
                    };
                    if received.heads.is_empty() {
                        counters.connected.fetch_add(1, Ordering::Relaxed);
                    }
                    received.heads.push(Instant::now());
                    decoder = Some(BodyDecoder::new(framing));
                    pending.drain(..used);
                }
                Ok(None) => continue,
                _ => return Ended::Refused,
            }
            input = &[];
        }
        let body: Vec<u8> = std::mem::take(&mut pending)
            .into_iter()
            .chain(input.iter().copied())
            .collect();
        let mut payload = Vec::new();
        let progress = decoder
            .as_mut()
            .map(|d| d.feed(&body, &mut |bytes| payload.extend_from_slice(bytes)));
        let arrived = now_micros();
        parser.feed(&payload, |event| {
            if !event.last_event_id.is_empty() {
                *last_event_id = Some(String::from_utf8_lossy(event.last_event_id).into_owned());
            }
            let text = String::from_utf8_lossy(event.data);
            let mut parts = text.split(' ');
            let (Some(seq), Some(sent)) = (
                parts.next().and_then(|s| s.parse().ok()),
                parts.next().and_then(|s| s.parse::<u64>().ok()),
            ) else {
                return;
            };
            received.arrivals.push(seq);
            counters.delivered.fetch_add(1, Ordering::Relaxed);
            if keep_latency {
                received.latencies.push(arrived.saturating_sub(sent));
            }
        });
        if !matches!(progress, Some(Ok(Progress::More))) {
            return Ended::Closed;
        }
    }
}

/// One publish of update `seq` (id `b<seq>`, data `<seq> <publish time µs>`)
/// over its own connection: the answer's status (within 120 s), `None`
/// when there was no answer (the connection failed or broke).
pub async fn publish(addr: SocketAddr, token: &str, seq: u64) -> Option<u16> {
    let (id, data) = (format!("b{seq}"), format!("{seq} {}", now_micros()));
    let fields = [
        ("topic", TOPIC),
        ("id", id.as_str()),
        ("data", data.as_str()),
    ];
    let request = sse_testkit::hub::publish_request(
        &addr.to_string(),
        token,
        &fields,
        &[("Connection", "close")],
    );
    let mut stream = TcpStream::connect(addr).await.ok()?;
    stream.write_all(&request).await.ok()?;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(120), stream.read_to_end(&mut response)).await;
    let status = response.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    std::str::from_utf8(status).ok()?.parse().ok()
}
