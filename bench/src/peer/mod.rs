//! The native peer: the component's `/sse` contract (and, optionally, a
//! static directory) served by axum on Tokio, as this machine's ceiling.
//! Prints `Serving http://<addr>` like the runner so the driver can use both.

pub mod files;
pub mod params;
pub mod stream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpSocket;

use files::{none_match_hits, Files};
use params::{plan, Defaults, Plan};

/// Peer settings.
#[derive(Debug, Clone)]
pub struct PeerConfig {
    pub listen: SocketAddr,
    pub defaults: Defaults,
    pub static_dir: Option<PathBuf>,
}

struct App {
    defaults: Defaults,
    payloads: Arc<Vec<String>>,
    files: Files,
}

/// Binds, prints the address and serves until SIGINT/SIGTERM.
pub async fn serve(cfg: PeerConfig) -> std::io::Result<()> {
    let files = match &cfg.static_dir {
        Some(dir) => Files::load(dir)?,
        None => Files::default(),
    };
    let app = Arc::new(App {
        payloads: Arc::new(stream::payloads(&cfg.defaults.messages)),
        defaults: cfg.defaults,
        files,
    });
    let router = Router::new()
        .route("/sse", get(sse))
        .fallback(static_file)
        .with_state(app);
    let socket = if cfg.listen.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(cfg.listen)?;
    let listener = socket.listen(4096)?;
    println!("Serving http://{}", listener.local_addr()?);
    println!(
        "Available Routes:\n  sse: http://{}/sse",
        listener.local_addr()?
    );
    use std::io::Write;
    std::io::stdout().flush()?;
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
    }
}

fn text(status: StatusCode, line: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{line}\n"),
    )
        .into_response()
}

async fn sse(State(app): State<Arc<App>>, req: Request) -> Response {
    let header_id = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok());
    match plan(req.uri().query(), header_id, &app.defaults) {
        Plan::BadRequest(why) => text(StatusCode::BAD_REQUEST, &why),
        Plan::NothingLeft => StatusCode::NO_CONTENT.into_response(),
        Plan::Stream(p) => {
            let body =
                Body::from_stream(stream::body(p, app.payloads.clone(), app.defaults.retry_ms));
            Response::builder()
                .header(header::CONTENT_TYPE, "text/event-stream")
                .header(header::CACHE_CONTROL, "no-cache")
                .body(body)
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

async fn static_file(State(app): State<Arc<App>>, req: Request) -> Response {
    let Some(file) = app.files.get(req.uri().path()) else {
        return text(StatusCode::NOT_FOUND, "not found");
    };
    let etag = HeaderValue::from_str(&file.etag).unwrap_or(HeaderValue::from_static("\"0\""));
    let inm = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    if inm.is_some_and(|v| none_match_hits(v, &file.etag)) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.content_type),
            ),
            (header::ETAG, etag),
        ],
        file.body.clone(),
    )
        .into_response()
}
