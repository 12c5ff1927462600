//! The Spin/WASI HTTP adapter: the `#[http_component]` handler that checks
//! the method, reads settings and parameters, and streams frames: each frame
//! is written and flushed as soon as it is due; frames due at the same moment
//! (`interval=0`, or catch-up after a late wake-up) share one write of up to
//! 16 KiB instead of one host round trip each.
//!
//! Only standard WASI 0.2 interfaces are used (HTTP, clocks, CLI environment
//! and stderr), so the same `.wasm` runs under `spin up` and
//! `wasmtime serve -Scli`.

use crate::config::Settings;
use crate::frames::Frames;
use crate::params::StreamParams;
use crate::schedule::{self, Schedule, Step};
use crate::timer;
use futures::SinkExt;
use spin_sdk::http::{Fields, IncomingRequest, Method, OutgoingResponse, ResponseOutparam};
use spin_sdk::http_component;
use std::time::Duration;
use wasi::io::streams::StreamError;

/// Headers of a 200 stream: no caching or compression by proxies, no
/// buffering by nginx. No content-length and no hop-by-hop headers.
const STREAM_HEADERS: [(&str, &str); 3] = [
    ("content-type", "text/event-stream"),
    ("cache-control", "no-cache, no-transform"),
    ("x-accel-buffering", "no"),
];
const TEXT_HEADERS: [(&str, &str); 2] = [
    ("content-type", "text/plain; charset=utf-8"),
    ("cache-control", "no-store"),
];
const ALLOW_HEADER: (&str, &str) = ("allow", "GET, HEAD");
/// Largest write when several frames are due at once.
const BATCH_BYTES: usize = 16 * 1024;
/// Header names in WASI `fields` are matched in lower case.
const LAST_EVENT_ID: &str = "last-event-id";

#[http_component]
async fn handle_sse(request: IncomingRequest, response_out: ResponseOutparam) {
    let head = match request.method() {
        Method::Get => false,
        Method::Head => true,
        _ => {
            let reason = "method not allowed: /sse answers GET and HEAD";
            return reply(response_out, 405, &[ALLOW_HEADER], Some(reason), false).await;
        }
    };
    let environment = wasi::cli::environment::get_environment();
    let plan = Settings::from_vars(|name| {
        let value = environment.iter().find(|(key, _)| key == name);
        value.map(|(_, value)| value.clone())
    })
    .and_then(|settings| Ok((Frames::new(&settings)?, settings)));
    let (frames, settings) = match plan {
        Ok(plan) => plan,
        Err(error) => {
            log(&format!("configuration error: {error}"));
            let reason = format!("server configuration error: {error}");
            return reply(response_out, 500, &[], Some(&reason), head).await;
        }
    };
    let path_with_query = request.path_with_query().unwrap_or_default();
    let query = path_with_query
        .split_once('?')
        .map_or("", |(_, query)| query);
    let last_event_ids = request.headers().get(LAST_EVENT_ID);
    let params = match StreamParams::parse(&settings, query, &last_event_ids) {
        Ok(params) => params,
        Err(error) => {
            let reason = error.to_string();
            return reply(response_out, 400, &[], Some(&reason), head).await;
        }
    };
    match schedule::start(&params) {
        schedule::Start::Finished => reply(response_out, 204, &[], None, head).await,
        schedule::Start::Stream(schedule) => stream(response_out, head, schedule, frames).await,
    }
}

/// Sends the 200 headers, then each frame when the schedule says so. Ends
/// at the final event or at the first failed write (client gone).
async fn stream(
    response_out: ResponseOutparam,
    head: bool,
    mut schedule: Schedule,
    frames: Frames,
) {
    let Some(response) = response(200, &STREAM_HEADERS) else {
        return;
    };
    let mut body = response.take_body();
    response_out.set(response);
    if head {
        return; // Dropping the body ends the response with no bytes.
    }
    let start = timer::now();
    let mut last_sent = None;
    // Frames due at the same moment (interval 0, or a late wake-up) go out
    // in one write, up to BATCH_BYTES: one host round trip instead of one
    // per event. A frame that is due alone is still written at once.
    let mut batch: Vec<u8> = Vec::new();
    let mut batch_last = None;
    loop {
        let elapsed = Duration::from_nanos(timer::now().saturating_sub(start));
        let step = schedule.step(elapsed);
        let ready = match step {
            Step::Event { id, opens_stream } => Some((frames.event(id, opens_stream), Some(id))),
            Step::KeepAlive => Some((frames.keep_alive(), None)),
            Step::Done | Step::WaitUntil(_) => None,
        };
        if let Some((frame, event_id)) = ready {
            batch.extend_from_slice(&frame);
            batch_last = event_id.or(batch_last);
            if batch.len() < BATCH_BYTES {
                continue;
            }
        }
        if !batch.is_empty() {
            if let Err(error) = body.send(std::mem::take(&mut batch)).await {
                let (first, last) = schedule.ids();
                let sent = last_sent.map_or_else(|| "none".to_owned(), |id: u64| id.to_string());
                log(&format!(
                    "client gone: write failed ({}); stream of events {first}..={last} stopped, last sent: {sent}",
                    describe(&error)
                ));
                return;
            }
            last_sent = batch_last.take().or(last_sent);
            continue;
        }
        match step {
            Step::Done => return,
            Step::WaitUntil(at) => {
                let at = u64::try_from(at.as_nanos()).unwrap_or(u64::MAX);
                timer::sleep_until(start.saturating_add(at)).await;
            }
            Step::Event { .. } | Step::KeepAlive => {}
        }
    }
}

/// A complete non-streaming answer: status, headers, optional one-line body.
async fn reply(
    response_out: ResponseOutparam,
    status: u16,
    extra_headers: &[(&str, &str)],
    reason: Option<&str>,
    head: bool,
) {
    let mut headers: Vec<(&str, &str)> = extra_headers.to_vec();
    if reason.is_some() {
        headers.extend(TEXT_HEADERS);
    }
    let Some(response) = response(status, &headers) else {
        return;
    };
    let mut body = response.take_body();
    response_out.set(response);
    if let (Some(reason), false) = (reason, head) {
        let mut line = reason.as_bytes().to_vec();
        line.push(b'\n');
        if let Err(error) = body.send(line).await {
            log(&format!(
                "client gone: could not send the {status} reason ({})",
                describe(&error)
            ));
        }
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
