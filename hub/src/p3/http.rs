//! Requests and responses on `wasi:http` 0.3: the request read into a
//! [`Request`]; a [`Reply`] as a response; and a streamed response whose
//! body the stream's task writes itself.

use super::stream::Trailers;
use crate::host::log;
use crate::protocol::command::{Method, Request};
use crate::protocol::reply::{Headers, Reply};
use spin_sdk_p3::http::{box_body, BoxBody, HeaderName, HeaderValue, Response};
use spin_sdk_p3::wasip3::http::types::{Fields, Response as WasiResponse};
use spin_sdk_p3::wasip3::wit_bindgen::StreamWriter;
use spin_sdk_p3::wasip3::{wit_future, wit_stream};

/// The method, path and query, and headers of `request`.
pub fn read(request: &spin_sdk_p3::http::Request) -> Request {
    let path_with_query = request.uri().path_and_query();
    Request {
        method: Method::from_name(request.method().as_str()),
        path_with_query: path_with_query
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        headers: request
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
    }
}

/// `reply` as a response (headers the host would refuse are logged and
/// left out).
pub fn respond(reply: Reply) -> Response<BoxBody> {
    let body = if reply.body.is_empty() {
        box_body(http_body_util::Empty::<bytes::Bytes>::new())
    } else {
        box_body(http_body_util::Full::new(bytes::Bytes::from(reply.body)))
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status.try_into().unwrap_or_default();
    for (name, value) in reply.headers {
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
