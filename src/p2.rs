//! The WASI 0.2 adapter (spin-sdk 5.2, `wasi:http/incoming-handler`): the
//! `#[http_component]` handler sends the [`reply`](crate::reply) for the
//! request, and for a stream runs [`pump`] with the response body and the
//! monotonic clock of [`timer`]. It stops at the final event or at the
//! first failed write (client gone).
//!
//! Only standard WASI 0.2 interfaces are used (HTTP, clocks, CLI environment
//! and stderr), so the same `.wasm` runs under `spin up` and
//! `wasmtime serve -Scli`.

mod timer;

use crate::pump::{pump, Wire};
use crate::reply::{self, Body, Contract};
use futures::Sink;
use futures::SinkExt;
use spin_sdk::http::{Fields, IncomingRequest, Method, OutgoingResponse, ResponseOutparam};
use spin_sdk::http_component;
use std::future::Future;
use wasi::io::streams::StreamError;

/// Header names in WASI `fields` are matched in lower case.
const LAST_EVENT_ID: &str = "last-event-id";

#[http_component]
async fn handle_sse(request: IncomingRequest, response_out: ResponseOutparam) {
    let method = match request.method() {
        Method::Get => reply::Method::Get,
        Method::Head => reply::Method::Head,
        _ => reply::Method::Other,
    };
    let environment = wasi::cli::environment::get_environment();
    let contract = Contract::from_vars(|name| {
        let value = environment.iter().find(|(key, _)| key == name);
        value.map(|(_, value)| value.clone())
    });
    let path_with_query = request.path_with_query().unwrap_or_default();
    let query = crate::query::split_at_byte(&path_with_query, b'?').map_or("", |(_, query)| query);
    let last_event_ids = request.headers().get(LAST_EVENT_ID);
    let reply = reply::reply(method, contract, query, &last_event_ids);
    if let Some(line) = &reply.log {
        log(line);
    }
    let Some(response) = response(reply.status, reply.headers) else {
        return;
    };
    let mut body = response.take_body();
    response_out.set(response);
    match reply.body {
        // Dropping the body ends the response with no bytes.
        Body::Empty => {}
        Body::Line(line) => {
            if let Err(error) = body.send(line.into_bytes()).await {
                // As u64: the one integer formatter the component already has.
                let status = u64::from(reply.status);
                log(&format!(
                    "client gone: could not send the {status} reason ({})",
                    describe(&error)
                ));
            }
        }
        Body::Events(outbox) => {
            if let Err(line) = pump(outbox, &mut Stream { body }).await {
                log(&line);
            }
        }
    }
}

/// The response body and the monotonic clock of one stream.
struct Stream<S> {
    body: S,
}

impl<S: Sink<Vec<u8>, Error = StreamError> + Unpin> Wire for Stream<S> {
    fn now(&self) -> u64 {
        timer::now()
    }

    fn sleep_until(&mut self, deadline: u64) -> impl Future<Output = ()> {
        timer::sleep_until(deadline)
    }

    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), String> {
        self.body
            .send(bytes)
            .await
            .map_err(|error| describe(&error))
    }
}

/// An outgoing response, or `None` (logged) if the host rejects it; the
/// host then answers for us since the outparam is never set.
fn response(status: u16, headers: &[(&str, &str)]) -> Option<OutgoingResponse> {
    let fields = Fields::new();
    for (name, value) in headers {
        if fields.append(name, value.as_bytes()).is_err() {
            log("response headers rejected by the host");
            return None;
        }
    }
    let response = OutgoingResponse::new(fields);
    if response.set_status_code(status).is_err() {
        log("response status rejected by the host");
        return None;
    }
    Some(response)
}

/// Writes one line to the component's stderr (`wasi:cli/stderr`); hosts
/// show it in their log. Lighter than `eprintln!`, which drags in std's
/// locked, capturable stderr.
fn log(line: &str) {
    let stderr = wasi::cli::stderr::get_stderr();
    let mut text = String::with_capacity(line.len() + 1);
    text.push_str(line);
    text.push('\n');
    // blocking-write-and-flush takes at most 4096 bytes per call.
    for chunk in text.as_bytes().chunks(4096) {
        if stderr.blocking_write_and_flush(chunk).is_err() {
            return;
        }
    }
}

fn describe(error: &StreamError) -> String {
    match error {
        StreamError::Closed => "stream closed".to_owned(),
        StreamError::LastOperationFailed(error) => error.to_debug_string(),
    }
}
