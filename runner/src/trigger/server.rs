//! The HTTP/1.1 servers: the app listener and the optional metrics listener,
//! and graceful shutdown.
//!
//! Every connection gets the limits of [`Limits`]: the header read timeout
//! (slowloris), at most `max_header_bytes` of request head and
//! `max_headers` fields (hyper answers 431 past either), hyper's buffers
//! bounded by the same size (so a client that stops reading holds at most
//! that much of queued response), and the send timeout. When `accept` fails
//! (out of file descriptors) the loop backs off and retries, with one line
//! when it starts failing and one when it recovers.
//!
//! On the shutdown signal the listeners close (no new connections), every
//! running instance is stopped (so open streams end), idle keep-alive
//! connections close, and [`serve`] returns once the connections are gone
//! or after [`DRAIN_TIMEOUT`].

use crate::engine::instances::{Instances, Snapshot};
use crate::host::log::error_line;
use crate::limits::Limits;
use crate::trigger::handler::Handler;
use crate::trigger::response::{fixed, Body};
use crate::trigger::send_timeout::SendTimeout;
use crate::trigger::shutdown::stopped;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service};
use hyper_util::rt::TokioTimer;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use wasmtime_wasi_http::io::TokioIo;

/// Longest wait for connections to finish after the shutdown signal.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Pause after a failed `accept` before the next try.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `handler` on `listener` (and `/metrics` on `metrics`) until
/// `signal` completes, then shuts down gracefully.
pub async fn serve(
    handler: Arc<Handler>,
    instances: Arc<Instances>,
    limits: &Limits,
    listener: TcpListener,
    metrics: Option<TcpListener>,
    stop_instances: watch::Sender<bool>,
    signal: impl Future<Output = ()>,
) {
    let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
    let stop = stop_instances.subscribe();
    if let Some(metrics) = metrics {
        tokio::spawn(accept_loop(
            metrics,
            limits.clone(),
            stop.clone(),
            alive_tx.clone(),
            move |_| {
                let instances = instances.clone();
                service_fn(move |req| {
                    let mut snapshot = instances.snapshot();
                    snapshot.log_lines_dropped = crate::host::log::dropped_lines();
                    async move { Ok::<_, Infallible>(metrics_response(&req, snapshot)) }
                })
            },
        ));
    }
    let app = accept_loop(listener, limits.clone(), stop, alive_tx, move |peer| {
        let handler = handler.clone();
        service_fn(move |req| handler.clone().handle(req, peer))
    });
    tokio::select! {
        _ = app => {}
        _ = signal => {}
    }
    let _ = stop_instances.send(true);
    // Every connection task holds a sender clone; recv() is None once all end.
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, alive_rx.recv()).await;
}

/// `GET /metrics` → the counters as JSON; anything else 404/405.
pub fn metrics_response<B>(req: &Request<B>, snapshot: Snapshot) -> Response<Body> {
    if req.uri().path() != "/metrics" {
        return fixed(StatusCode::NOT_FOUND, None, Bytes::new());
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = fixed(StatusCode::METHOD_NOT_ALLOWED, None, Bytes::new());
        r.headers_mut().insert(
            http::header::ALLOW,
            http::HeaderValue::from_static("GET, HEAD"),
        );
        return r;
    }
    fixed(StatusCode::OK, Some("application/json"), snapshot.to_json())
}

/// Accepts until the stop flag flips; each connection runs in its own task
/// with the service `make(peer)` returns.
async fn accept_loop<M, S>(
    listener: TcpListener,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    alive: mpsc::Sender<()>,
    make: M,
) where
    M: Fn(SocketAddr) -> S,
    S: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    let mut episodes = AcceptLog::default();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stopped(&mut stop) => return,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Usually out of file descriptors: back off instead of spinning.
                if episodes.failed(Instant::now()) {
                    error_line(&format!(
                        "spin-sse-runner: accept failed: {e}; retrying every {} ms",
                        ACCEPT_BACKOFF.as_millis()
                    ));
                }
                tokio::select! {
                    _ = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                    _ = stopped(&mut stop) => return,
                }
                continue;
            }
        };
        if episodes.accepted(Instant::now()) {
            error_line("spin-sse-runner: accepting connections again");
        }
        let _ = stream.set_nodelay(true);
        let service = make(peer);
        let alive = alive.clone();
        let stop = stop.clone();
        let limits = limits.clone();
        tokio::spawn(async move {
            let _alive = alive;
            serve_connection(stream, &limits, service, stop).await;
        });
    }
}

/// Quiet time after the last failed `accept` that ends an episode.
pub const RECOVERED_AFTER: Duration = Duration::from_secs(1);

/// Which `accept` outcomes deserve a log line: the first failure of an
/// episode, and the first success [`RECOVERED_AFTER`] its last failure
/// (accepts that succeed in between, while descriptors come and go, stay
/// silent).
#[derive(Debug, Default)]
pub struct AcceptLog {
    episode: bool,
    last_failure: Option<Instant>,
}

impl AcceptLog {
    /// An accept failed at `now`; `true` when that starts an episode.
    pub fn failed(&mut self, now: Instant) -> bool {
        self.last_failure = Some(now);
        !std::mem::replace(&mut self.episode, true)
    }

    /// An accept succeeded at `now`; `true` when that ends an episode.
    pub fn accepted(&mut self, now: Instant) -> bool {
        let quiet = self
            .last_failure
            .is_some_and(|t| now.saturating_duration_since(t) >= RECOVERED_AFTER);
        if self.episode && quiet {
            self.episode = false;
            return true;
        }
        false
    }
}

async fn serve_connection<S>(
    stream: TcpStream,
    limits: &Limits,
    service: S,
    mut stop: watch::Receiver<bool>,
) where
    S: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible>,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes)
        .max_headers(limits.max_headers);
    let io = SendTimeout::new(stream, limits.send_timeout);
    let conn = builder.serve_connection(TokioIo::new(io), service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopped(&mut stop) => {
            // Idle keep-alive connections close now, busy ones once their
            // response ends (their instances are being stopped).
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(DRAIN_TIMEOUT, conn).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, method: Method) -> Request<()> {
        Request::builder()
            .method(method)
            .uri(path)
            .body(())
            .unwrap()
    }

    #[test]
    fn an_accept_episode_gets_one_line_when_it_starts_and_one_when_it_ends() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut log = AcceptLog::default();
        assert!(!log.accepted(at(0)), "no episode yet");
        assert!(log.failed(at(10)));
        assert!(!log.accepted(at(20)), "descriptors flicker back");
        assert!(!log.failed(at(70)), "same episode");
        assert!(!log.accepted(at(500)));
        assert!(log.accepted(at(1100)), "a second without failure");
        assert!(!log.accepted(at(1200)));
        assert!(log.failed(at(5000)), "a new episode");
    }

    #[test]
    fn metrics_path_answers_json() {
        let snap = Snapshot {
            active: 3,
            started: 9,
            finished: 6,
            rejected: 1,
            log_lines_dropped: 0,
            components: Vec::new(),
        };
        let r = metrics_response(&get("/metrics", Method::GET), snap);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/json");
    }

    #[test]
    fn other_metrics_paths_and_methods_are_refused() {
        let snap = Snapshot::default();
        assert_eq!(
            metrics_response(&get("/", Method::GET), snap.clone()).status(),
            StatusCode::NOT_FOUND
        );
        let r = metrics_response(&get("/metrics", Method::POST), snap);
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()["allow"], "GET, HEAD");
    }
}
