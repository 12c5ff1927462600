//! The WASI 0.3 adapter (spin-sdk 7, `wasi:http/handler@0.3.0`): `handle`
//! answers with the [`reply`](crate::reply)'s status and headers at once and
//! leaves the body to a task of its own, which writes the reason line or
//! runs [`pump`] on the stream with the `wasi:clocks@0.3.0` monotonic
//! clock. The instance may serve other requests meanwhile (Spin's instance
//! reuse); a failed write ends only this request's task.
//!
//! Only standard WASI 0.3 interfaces are called here (HTTP, clocks, CLI
//! environment and stderr); the Rust standard library of the
//! `wasm32-wasip2` target may still import WASI 0.2 ones.

use crate::pump::{pump, Wire};
use crate::reply::{self, Body, Contract};
use spin_sdk::wasip3::cli::{environment, stderr};
use spin_sdk::wasip3::clocks::monotonic_clock;
use spin_sdk::wasip3::exports::http::handler::Guest;
use spin_sdk::wasip3::http::types::{ErrorCode, Fields, Method, Request, Response};
use spin_sdk::wasip3::wit_bindgen::StreamWriter;
use spin_sdk::wasip3::{wit_future, wit_stream};
use std::future::Future;

/// Frames due together share writes of up to 64 KiB here (the default is
/// 16 KiB): each write is a host round trip that copies it, and at
/// `interval=0` one stream reached 0.80× the native peer with 64 KiB,
/// 0.64× with 32 KiB, 0.59× with 16 KiB (`spin-sse-bench drive --servers
/// peer,runner,runner-p3 --scenarios throughput`, README "WASI 0.2 and
/// WASI 0.3 builds"). The WASI 0.2 build keeps 16 KiB,
/// which bounds what a stalled client holds there (e2e `runner_faults`).
const BATCH_BYTES: usize = 64 * 1024;

/// Header names in WASI `fields` are matched in lower case.
const LAST_EVENT_ID: &str = "last-event-id";

struct Sse;

spin_sdk::wasip3::http::service::export!(Sse);

impl Guest for Sse {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let method = match request.get_method() {
            Method::Get => reply::Method::Get,
            Method::Head => reply::Method::Head,
            _ => reply::Method::Other,
        };
        let variables = environment::get_environment();
        let contract = Contract::from_vars(|name| {
            let value = variables.iter().find(|(key, _)| key == name);
            value.map(|(_, value)| value.clone())
        });
        let path_with_query = request.get_path_with_query().unwrap_or_default();
        let query =
            crate::query::split_at_byte(&path_with_query, b'?').map_or("", |(_, query)| query);
        let last_event_ids = request.get_headers().get(LAST_EVENT_ID);
        let reply = reply::reply(method, contract, query, &last_event_ids);
        if let Some(line) = &reply.log {
            log(line).await;
        }
        let fields = Fields::new();
        for (name, value) in reply.headers {
            if fields.append(name, value.as_bytes()).is_err() {
                return rejected("response headers rejected by the host").await;
            }
        }
        let (body, contents) = wit_stream::new();
        let (trailers, no_trailers) = wit_future::new(|| Ok(None));
        let (response, _sent) = Response::new(fields, Some(contents), no_trailers);
        if response.set_status_code(reply.status).is_err() {
            return rejected("response status rejected by the host").await;
        }
        let status = reply.status;
        spin_sdk::wasip3::spawn(async move {
            let mut stream = Stream { body };
            match reply.body {
                // Closing the body at once ends the response with no bytes.
                Body::Empty => {}
                Body::Line(line) => {
                    if let Err(why) = stream.write(line.into_bytes()).await {
                        // As u64: the one integer formatter the component already has.
                        let status = u64::from(status);
                        log(&format!(
                            "client gone: could not send the {status} reason ({why})"
                        ))
                        .await;
                    }
                }
                Body::Events(outbox) => {
                    let outbox = outbox.batching(BATCH_BYTES);
                    if let Err(line) = pump(outbox, &mut stream).await {
                        log(&line).await;
                    }
                }
            }
            drop(stream);
            let _ = trailers.write(Ok(None)).await;
        });
        Ok(response)
    }
}

/// Logs why there is no response; the host answers `500` for us.
async fn rejected(why: &str) -> Result<Response, ErrorCode> {
    log(why).await;
    Err(ErrorCode::InternalError(Some(why.to_owned())))
}

/// The response body and the monotonic clock of one request.
struct Stream {
    body: StreamWriter<u8>,
}

impl Wire for Stream {
    fn now(&self) -> u64 {
        monotonic_clock::now()
    }

    fn sleep_until(&mut self, deadline: u64) -> impl Future<Output = ()> {
        monotonic_clock::wait_until(deadline)
    }

    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), String> {
        // What the host did not take: its end of the body was dropped.
        let unwritten = self.body.write_all(bytes).await;
        if unwritten.is_empty() {
            Ok(())
        } else {
            Err("stream closed".to_owned())
        }
    }
}

/// Writes one line to the component's stderr (`wasi:cli/stderr@0.3.0`);
/// hosts show it in their log.
async fn log(line: &str) {
    let (mut writer, reader) = wit_stream::new();
    let written = stderr::write_via_stream(reader);
    let mut text = Vec::with_capacity(line.len() + 1);
    text.extend_from_slice(line.as_bytes());
    text.push(b'\n');
    writer.write_all(text).await;
    drop(writer);
    let _ = written.await;
}
