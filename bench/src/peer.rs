//! The native peer: the component's own `/sse` contract (its pure `reply`
//! and `outbox` modules, so the same bytes) and, optionally, a static
//! directory, served by axum on Tokio as this machine's ceiling. Prints
//! `Serving http://<addr>` like the runner so the driver can use both.

pub mod files;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use futures_util::stream::{self, Stream};
use spin_sse::config::{ConfigError, ENV_NAMES};
use spin_sse::outbox::{Next, Outbox};
use spin_sse::reply::{self, Contract};
use tokio::net::TcpSocket;
use tokio::time::Instant;

use files::Files;

/// Peer settings.
#[derive(Debug, Clone)]
pub struct PeerConfig {
    pub listen: SocketAddr,
    /// The component's environment (`SSE_INTERVAL_MS`, ...), as in spin.toml.
    pub env: BTreeMap<String, String>,
    pub static_dir: Option<PathBuf>,
}

/// Parses one `--env NAME=VALUE`; only the component's variables are known.
pub fn parse_env(assignment: &str) -> Result<(String, String), String> {
    let (name, value) = assignment
        .split_once('=')
        .ok_or_else(|| format!("--env {assignment}: expected NAME=VALUE"))?;
    if !ENV_NAMES.contains(&name) {
        return Err(format!(
            "--env {name}: not a setting of the SSE component (known: {})",
            ENV_NAMES.join(", ")
        ));
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// The contract for `env`, checked as the component checks its environment.
pub fn contract(env: &BTreeMap<String, String>) -> Result<Contract, ConfigError> {
    Contract::from_vars(|name| env.get(name).cloned())
}

struct App {
    /// Checked at start: [`serve`] refuses to start with invalid settings.
    contract: Contract,
    files: Files,
}

/// Binds, prints the address and serves until SIGINT/SIGTERM.
pub async fn serve(cfg: PeerConfig) -> Result<(), String> {
    let contract = contract(&cfg.env).map_err(|e| format!("--env: {e}"))?;
    let files = match &cfg.static_dir {
        Some(dir) => Files::load(dir).map_err(|e| format!("{}: {e}", dir.display()))?,
        None => Files::default(),
    };
    let app = Arc::new(App { contract, files });
    let router = Router::new()
        .route("/sse", any(sse))
        .fallback(static_file)
        .with_state(app);
    listen(cfg.listen, router).await.map_err(|e| e.to_string())
}

async fn listen(addr: SocketAddr, router: Router) -> std::io::Result<()> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    let listener = socket.listen(4096)?;
    let local = listener.local_addr()?;
    println!("Serving http://{local}\nAvailable Routes:\n  sse: http://{local}/sse");
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

async fn sse(State(app): State<Arc<App>>, req: Request) -> Response {
    let method = match *req.method() {
        Method::GET => reply::Method::Get,
        Method::HEAD => reply::Method::Head,
        _ => reply::Method::Other,
    };
    let last_event_ids: Vec<Vec<u8>> = req
        .headers()
        .get_all("last-event-id")
        .iter()
        .map(|value| value.as_bytes().to_vec())
        .collect();
    let query = req.uri().query().unwrap_or("");
    let reply = reply::reply(method, Ok(app.contract.clone()), query, &last_event_ids);
    let body = match reply.body {
        // A stream's HEAD: no content-length, as for the stream itself.
        reply::Body::Empty if reply.status == 200 => {
            Body::from_stream(stream::empty::<Result<Bytes, Infallible>>())
        }
        reply::Body::Empty => Body::empty(),
        reply::Body::Line(line) => Body::from(line),
        reply::Body::Events(outbox) => Body::from_stream(events(outbox)),
    };
    let mut response = Response::builder().status(reply.status);
    for &(name, value) in reply.headers {
        response = response.header(name, value);
    }
    response
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The outbox's writes, each when it is due, on Tokio's clock. A stream
/// that always has frames due (`interval=0`) yields after each write, so
/// it cannot hold a worker thread while other connections wait.
fn events(outbox: Outbox) -> impl Stream<Item = Result<Bytes, Infallible>> + Send {
    let start = Instant::now();
    stream::unfold(outbox, move |mut outbox| async move {
        loop {
            match outbox.next(start.elapsed()) {
                Next::Write(bytes) => {
                    tokio::task::yield_now().await;
                    return Some((Ok(Bytes::from(bytes)), outbox));
                }
                Next::WaitUntil(at) => tokio::time::sleep_until(start + at).await,
                Next::Done => return None,
            }
        }
    })
}

fn text(status: StatusCode, line: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{line}\n"),
    )
        .into_response()
}

async fn static_file(State(app): State<Arc<App>>, req: Request) -> Response {
    let Some(file) = app.files.get(req.uri().path()) else {
        return text(StatusCode::NOT_FOUND, "not found");
    };
    let etag = HeaderValue::from_str(&file.etag).unwrap_or(HeaderValue::from_static("\"0\""));
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    if if_none_match.is_some_and(|v| static_fileserver::conditional::none_match(v, &file.etag)) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, file.content_type.clone()),
            (header::ETAG, etag),
        ],
        file.body.clone(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[test]
    fn env_accepts_only_the_components_variables() {
        assert_eq!(
            parse_env("SSE_MESSAGES=[\"a=b\"]"),
            Ok(("SSE_MESSAGES".into(), "[\"a=b\"]".into()))
        );
        assert!(parse_env("SSE_INTERVAL")
            .unwrap_err()
            .contains("NAME=VALUE"));
        assert!(parse_env("SSE_INTERVALMS=5")
            .unwrap_err()
            .contains("known: SSE_INTERVAL_MS"));
    }

    #[test]
    fn invalid_settings_are_refused_with_the_components_reason() {
        let env = BTreeMap::from([("SSE_INTERVAL_MS".to_owned(), "+5".to_owned())]);
        let error = contract(&env).unwrap_err().to_string();
        assert!(
            error.starts_with("environment variable SSE_INTERVAL_MS"),
            "{error}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn events_come_on_the_components_timetable_with_its_bytes() {
        let contract = contract(&BTreeMap::new());
        let reply = reply::reply(reply::Method::Get, contract, "count=3", &[b"1".to_vec()]);
        let reply::Body::Events(outbox) = reply.body else {
            panic!("a stream");
        };
        let started = Instant::now();
        let writes: Vec<(u128, Bytes)> = events(outbox)
            .map(|write| (started.elapsed().as_millis(), write.unwrap()))
            .collect()
            .await;
        let expected = reply::Contract::from_vars(|_| None).unwrap().frames;
        assert_eq!(
            writes,
            [
                (0, Bytes::from(expected.event(2, true))),
                (1000, Bytes::from(expected.event(3, false))),
            ]
        );
    }
}
