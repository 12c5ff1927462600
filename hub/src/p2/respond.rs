//! Writing complete answers: one-line `text/plain` replies (401 with
//! `WWW-Authenticate`, 503 with `Retry-After`), and the status + headers
//! of any response, whose body the caller then writes.

use crate::auth::authorize::AuthError;
use crate::host::log;
use futures::SinkExt;
use spin_sdk::http::{Fields, OutgoingResponse, ResponseOutparam};

/// Response headers: lower-case names, values.
pub type Headers = Vec<(&'static str, String)>;

const RETRY_AFTER_SECONDS: &str = "1";

pub async fn unauthorized(out: ResponseOutparam, mut headers: Headers, error: &AuthError) {
    log(&format!("unauthorized: {error}"));
    headers.push(("www-authenticate", "Bearer realm=\"mercure\"".into()));
    reply(out, 401, headers, &format!("unauthorized: {error}")).await
}

pub async fn unavailable(out: ResponseOutparam, mut headers: Headers, reason: &str) {
    log(reason);
    headers.push(("retry-after", RETRY_AFTER_SECONDS.into()));
    reply(out, 503, headers, reason).await
}

/// A complete answer with a one-line text body.
pub async fn reply(out: ResponseOutparam, status: u16, headers: Headers, line: &str) {
    let mut bytes = line.replace(['\r', '\n'], " ").into_bytes();
    bytes.push(b'\n');
    text(out, status, headers, bytes).await
}

/// A complete `text/plain` answer with exactly `bytes` as its body.
pub async fn text(out: ResponseOutparam, status: u16, mut headers: Headers, bytes: Vec<u8>) {
    headers.push(("content-type", "text/plain; charset=utf-8".into()));
    headers.push(("x-content-type-options", "nosniff".into()));
    let Some(mut body) = send_head(out, status, headers) else {
        return;
    };
    if body.send(bytes).await.is_err() {
        log(&format!("client gone before the {status} answer was sent"));
    }
}

/// Sends status and headers; returns the body to write, or `None` (logged)
/// if the host refused them.
pub fn send_head(
    out: ResponseOutparam,
    status: u16,
    headers: Headers,
) -> Option<impl futures::Sink<Vec<u8>, Error = wasi::io::streams::StreamError> + Unpin> {
    let fields = Fields::new();
    for (name, value) in &headers {
        if fields.append(name, value.as_bytes()).is_err() {
            log(&format!("response header {name} rejected by the host"));
            return None;
        }
    }
    let response = OutgoingResponse::new(fields);
    if response.set_status_code(status).is_err() {
        log("response status rejected by the host");
        return None;
    }
    let body = response.take_body();
    out.set(response);
    Some(body)
}
