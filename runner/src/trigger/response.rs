//! The runner's own answers (not a guest's): fixed bodies, one-line
//! `text/plain` reasons and 503s with `Retry-After`, all of the [`Body`]
//! type a guest's streamed response has too.

use bytes::Bytes;
use http::{header, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use std::convert::Infallible;
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
