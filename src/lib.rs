//! spin-sse: a Spin HTTP component (WASI 0.2) that streams Server-Sent
//! Events on `/sse`: the seed's messages, one per interval, resumable with
//! `Last-Event-ID`, with keep-alive comments while quiet.
//!
//! # Layout
//!
//! - [`config`]: settings from the component's environment, and the bounds
//!   of every setting and query override.
//! - [`json_strings`]: a strict reader for the `SSE_MESSAGES` JSON array,
//!   checked against serde_json (whose deserializer is large).
//! - [`params`]: one request's query overrides and `Last-Event-ID`, checked;
//!   typed errors whose `Display` is the 400 reason.
//! - [`query`]: splits and percent-decodes the query string.
//! - [`schedule`]: pure timetable: which ids to send, when, and when a
//!   keep-alive is due; tested with a fake clock.
//! - [`frames`]: the bytes of each frame, built with the `sse-encoder` crate.
//! - [`outbox`]: what an open stream writes next: due frames, those due
//!   together joined into one write.
//! - [`reply`]: the whole answer to a request: method, status, headers,
//!   reason line or stream.
//! - `timer`: async sleep on `wasi:clocks/monotonic-clock` pollables.
//! - `transport`: the `#[http_component]` handler: sends the reply, writes
//!   the outbox when due, stops when the client is gone.
//!
//! `timer` and `transport` exist only on `wasm32` (the component's export
//! name is not a valid native symbol); everything else is pure and tested
//! natively with `cargo test -p spin-sse`.

pub mod config;
pub mod frames;
pub mod json_strings;
pub mod outbox;
pub mod params;
pub mod query;
pub mod reply;
pub mod schedule;
#[cfg(target_arch = "wasm32")]
mod timer;
#[cfg(target_arch = "wasm32")]
mod transport;
