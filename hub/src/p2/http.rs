//! Requests and responses on Spin's WASI 0.2 HTTP: the request read into
//! a [`Request`], a [`Reply`] or a stream's head written to the outparam.

use crate::host::log;
use crate::protocol::command::{Method, Request};
use crate::protocol::reply::{Headers, Reply};
use futures::SinkExt;
use spin_sdk::http::{Fields, IncomingRequest, OutgoingResponse, ResponseOutparam};

/// The method, path and query, and headers of `request`.
pub fn read(request: &IncomingRequest) -> Request {
    let headers = request.headers().entries().into_iter();
    Request {
        method: Method::from_name(&request.method().to_string()),
        path_with_query: request.path_with_query().unwrap_or_default(),
        headers: headers
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(&value).into_owned();
                (name.to_ascii_lowercase(), value)
            })
            .collect(),
    }
}

/// Sends `reply`.
pub async fn send(out: ResponseOutparam, reply: Reply) {
    let Some(mut body) = send_head(out, reply.status, reply.headers) else {
        return;
    };
    // Dropping the body ends it.
    if !reply.body.is_empty() && body.send(reply.body).await.is_err() {
        log(&format!(
            "client gone before the {} answer was sent",
            reply.status
        ));
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
