//! spin-sse: a Spin HTTP component that streams Server-Sent Events on
//! `/sse`: the seed's messages, one per interval, resumable with
//! `Last-Event-ID`, with keep-alive comments while quiet. One pure core,
//! two thin adapters: WASI 0.2 with spin-sdk 5.2 (feature `p2`, the
//! default) and WASI 0.3 with spin-sdk 7 (feature `p3`).
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
//! - [`pump`]: the loop over an outbox that both adapters run: write when
//!   due, sleep in between, stop when the client is gone.
//! - `p2` (WASI 0.2): the `#[http_component]` handler; `p2/timer.rs`, an
//!   async sleep on `wasi:clocks/monotonic-clock` pollables.
//! - `p3` (WASI 0.3): the `wasi:http/handler@0.3.0` export; each stream is a
//!   task of an instance that other requests share.
//!
//! The adapters exist only on `wasm32` (the component's export name is not
//! a valid native symbol); everything else is pure and tested natively with
//! `cargo test -p spin-sse`.

pub mod config;
pub mod frames;
pub mod json_strings;
pub mod outbox;
#[cfg(all(target_arch = "wasm32", feature = "p2"))]
mod p2;
pub mod params;
pub mod pump;
pub mod query;
pub mod reply;
pub mod schedule;

// spin-sdk 7's export macro names the crate `spin_sdk`.
#[cfg(all(target_arch = "wasm32", feature = "p3"))]
extern crate spin_sdk_p3 as spin_sdk;
#[cfg(all(target_arch = "wasm32", feature = "p3"))]
mod p3;

#[cfg(all(target_arch = "wasm32", feature = "p2", feature = "p3"))]
compile_error!("build spin-sse with one of the features p2 (default) or p3");
