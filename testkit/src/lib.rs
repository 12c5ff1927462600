//! sse-testkit: the raw HTTP/1.1 client, the Server-Sent Events readers and
//! the process harness that the end-to-end tests (`e2e/`) and the benchmark
//! kit (`bench/`) share, so each is written and tested once.
//!
//! Raw on purpose: tests send request targets that real clients normalise
//! away (`/../x`, `%2e%2e`, backslashes, NUL), see every response header as
//! it went over the wire, and read streamed bodies piece by piece, with CR
//! and LF split across reads.
//!
//! - [`request`]: the bytes of a request, target sent as given.
//! - [`head`]: response heads, parsed by `httparse`; how the body is framed.
//! - [`body`]: incremental body decoding (length, chunked, until close).
//! - [`lines`]: incremental line splitting (LF, CRLF, CR, across pieces).
//! - [`events`]: the WHATWG event-stream interpretation (dispatched events).
//! - [`client`]: a blocking one-request-per-connection client with timeouts.
//! - [`timed`]: a blocking SSE reader that stamps each line and block with
//!   its arrival time.
//!
//! The process harness (Linux: `sh`, `/proc`, `redis-server`/`redis-cli`):
//! - [`watchdog`]: child processes that never outlive their starter.
//! - [`redis`]: a private `redis-server` (temp dir, free port, stopped on
//!   drop), its commands and `INFO`.
//! - [`banner`]: the addresses a server prints when it is ready.
//! - [`runner`]: `spin-sse-runner up` on a manifest: its addresses, captured
//!   output, `/metrics`.
//! - [`hub`]: publishing to the Mercure hub (form POST, bearer token).

pub mod banner;
pub mod body;
pub mod client;
pub mod events;
pub mod head;
pub mod hub;
pub mod lines;
pub mod redis;
pub mod request;
pub mod runner;
pub mod timed;
pub mod watchdog;

pub use body::ProtocolError;
