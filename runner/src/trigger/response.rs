//! The runner's own answers (not a guest's): fixed bodies, one-line
//! `text/plain` reasons and 503s with `Retry-After`, all of the [`Body`]
//! type a guest's streamed response has too; the answers both kinds of
//! instance ([`super::p2`], [`super::p3`]) give when they cannot run a
//! request, and their stderr line for a failed instance.

use crate::host::log::{error_line, one_line};
use crate::limits;
use bytes::Bytes;
use http::{header, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use std::convert::Infallible;
use std::fmt;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

/// Response body type: the guest's stream or a runner-made fixed body.
pub type Body = HyperOutgoingBody;

/// A runner-made response with a fixed body.
pub fn fixed(
    status: StatusCode,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut b = Response::builder().status(status);
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    let body = Full::new(body.into())
        .map_err(|never: Infallible| match never {})
        .boxed_unsync();
    b.body(body).expect("static response parts are valid")
}

/// A runner-made one-line `text/plain` answer.
pub fn text(status: StatusCode, line: &str) -> Response<Body> {
    fixed(
        status,
        Some("text/plain; charset=utf-8"),
        format!("{line}\n"),
    )
}

/// 503 with `Retry-After: 1` and a one-line body.
pub fn busy(line: &str) -> Response<Body> {
    let mut resp = text(StatusCode::SERVICE_UNAVAILABLE, line);
    resp.headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    resp
}

/// 503: every `--max-instances` slot is taken.
pub fn no_slot(max: u32) -> Response<Body> {
    busy(&format!(
        "Server busy: all {max} component instances are in use; retry shortly"
    ))
}

/// 503: no instance could be created (pool or host resources exhausted).
pub fn no_instance() -> Response<Body> {
    busy("Server busy: cannot create a component instance now; retry shortly")
}

/// 503: shutdown stopped the instance before it answered.
pub fn shutting_down() -> Response<Body> {
    busy("Server shutting down")
}

/// 500 with the reason a guest was stopped (a limit, a timeout).
pub fn stopped_by(reason: &dyn fmt::Display) -> Response<Body> {
    text(
        StatusCode::INTERNAL_SERVER_ERROR,
        &format!("Component stopped: {reason}"),
    )
}

/// The stderr line of an instance that failed: the limit it hit, or the
/// guest's error on one line.
pub fn log_failure(component: &str, e: &wasmtime::Error) {
    match limits::exceeded(e) {
        Some(limit) => error_line(&format!("[{component}] error: stopped: {limit}")),
        None => error_line(&format!(
            "[{component}] error: component failed: {}",
            one_line(e)
        )),
    }
}
