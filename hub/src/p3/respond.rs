//! Requests and responses on `wasi:http` 0.3: headers in, a bounded body
//! in, one-line `text/plain` answers (401 with `WWW-Authenticate`, 503
//! with `Retry-After`), and a streamed response whose body the stream's
//! task writes itself.

use super::stream::Trailers;
use crate::auth::authorize::AuthError;
use crate::host::log;
use crate::protocol::form;
use futures::StreamExt;
use spin_sdk_p3::http::body::IncomingBodyExt;
use spin_sdk_p3::http::{box_body, BoxBody, HeaderName, HeaderValue, Request, Response};
use spin_sdk_p3::wasip3::http::types::{Fields, Response as WasiResponse};
use spin_sdk_p3::wasip3::wit_bindgen::StreamWriter;
use spin_sdk_p3::wasip3::{wit_future, wit_stream};

/// Response headers: lower-case names, values.
pub type Headers = Vec<(&'static str, String)>;

const RETRY_AFTER_SECONDS: &str = "1";

/// Every request header, names lower-case.
pub fn all_headers(request: &Request) -> Vec<(String, String)> {
    request
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect()
}

pub enum BodyError {
    TooLarge,
    Read,
}

/// The whole body, refused past the publish limit.
pub async fn read_body(request: Request) -> Result<Vec<u8>, BodyError> {
    let mut stream = request.into_body().stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk.map_err(|_| BodyError::Read)?);
        if body.len() > form::MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
    }
    Ok(body)
}

/// A response with `headers` (any the host would refuse are logged and
/// left out) and `body`.
pub fn respond<B>(status: u16, headers: Headers, body: B) -> Response<BoxBody>
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<anyhow::Error>,
{
    let mut response = Response::new(box_body(body));
    *response.status_mut() = status.try_into().unwrap_or_default();
    for (name, value) in headers {
        match HeaderValue::from_str(&value) {
            Ok(value) => {
                response
                    .headers_mut()
                    .append(HeaderName::from_static(name), value);
            }
            Err(_) => log(&format!("response header {name} not sent: invalid value")),
        }
    }
    response
}

/// A complete `text/plain` answer with exactly `bytes` as its body.
pub fn text(status: u16, mut headers: Headers, bytes: Vec<u8>) -> Response<BoxBody> {
    headers.push(("content-type", "text/plain; charset=utf-8".into()));
    headers.push(("x-content-type-options", "nosniff".into()));
    let body = http_body_util::Full::new(bytes::Bytes::from(bytes));
    respond(status, headers, body)
}

/// A complete answer with a one-line text body.
pub fn reply(status: u16, headers: Headers, line: &str) -> Response<BoxBody> {
    let mut bytes = line.replace(['\r', '\n'], " ").into_bytes();
    bytes.push(b'\n');
    text(status, headers, bytes)
}

/// An empty answer.
pub fn empty(status: u16, headers: Headers) -> Response<BoxBody> {
    respond(status, headers, http_body_util::Empty::new())
}

pub fn unauthorized(mut headers: Headers, error: &AuthError) -> Response<BoxBody> {
    log(&format!("unauthorized: {error}"));
    headers.push(("www-authenticate", "Bearer realm=\"mercure\"".into()));
    reply(401, headers, &format!("unauthorized: {error}"))
}

pub fn unavailable(mut headers: Headers, reason: &str) -> Response<BoxBody> {
    log(reason);
    headers.push(("retry-after", RETRY_AFTER_SECONDS.into()));
    reply(503, headers, reason)
}

/// A response with `headers` whose body is the returned stream, then the
/// returned trailers (`Err`: the host refused a header or the status).
pub fn stream_response(
    status: u16,
    headers: Headers,
) -> Result<(WasiResponse, StreamWriter<u8>, Trailers), String> {
    let fields = Fields::new();
    for (name, value) in headers {
        if fields.append(name, value.as_bytes()).is_err() {
            return Err(format!("response header {name} refused by the host"));
        }
    }
    let (body, contents) = wit_stream::new();
    let (trailers, trailers_reader) = wit_future::new(|| Ok(None));
    let (response, _sent) = WasiResponse::new(fields, Some(contents), trailers_reader);
    if response.set_status_code(status).is_err() {
        return Err(format!("status {status} refused by the host"));
    }
    Ok((response, body, trailers))
}
