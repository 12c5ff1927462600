//! The HTTP/1.1 servers: the app listener and the optional metrics listener,
//! and graceful shutdown.
//!
//! On the shutdown signal the listeners close (no new connections), every
//! running instance is stopped (so open streams end), idle keep-alive
//! connections close, and [`serve`] returns once the connections are gone
//! or after [`DRAIN_TIMEOUT`].

use crate::handler::{fixed, Body, Handler};
use crate::instances::{Instances, Snapshot};
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
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use wasmtime_wasi_http::io::TokioIo;

/// Longest wait for connections to finish after the shutdown signal.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client may take to send its request head.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `handler` on `listener` (and `/metrics` on `metrics`) until
/// `signal` completes, then shuts down gracefully.
pub async fn serve(
    handler: Arc<Handler>,
    instances: Arc<Instances>,
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
            stop.clone(),
            alive_tx.clone(),
            move |_| {
                let instances = instances.clone();
                service_fn(move |req| {
                    let snapshot = instances.snapshot();
                    async move { Ok::<_, Infallible>(metrics_response(&req, snapshot)) }
                })
            },
        ));
    }
    let app = accept_loop(listener, stop, alive_tx, move |peer| {
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
    mut stop: watch::Receiver<bool>,
    alive: mpsc::Sender<()>,
    make: M,
) where
    M: Fn(SocketAddr) -> S,
    S: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stopped(&mut stop) => return,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Usually out of file descriptors: back off instead of spinning.
                eprintln!("spin-sse-runner: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = make(peer);
        let alive = alive.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let _alive = alive;
            serve_connection(stream, service, stop).await;
        });
    }
}

/// Completes once the stop flag is `true` (or its sender is gone).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

async fn serve_connection<S>(stream: TcpStream, service: S, mut stop: watch::Receiver<bool>)
where
    S: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible>,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
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
    fn metrics_path_answers_json() {
        let snap = Snapshot {
            active: 3,
            started: 9,
            finished: 6,
            rejected: 1,
        };
        let r = metrics_response(&get("/metrics", Method::GET), snap);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/json");
    }

    #[test]
    fn other_metrics_paths_and_methods_are_refused() {
        let snap = Snapshot::default();
        assert_eq!(
            metrics_response(&get("/", Method::GET), snap).status(),
            StatusCode::NOT_FOUND
        );
        let r = metrics_response(&get("/metrics", Method::POST), snap);
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()["allow"], "GET, HEAD");
    }
}
