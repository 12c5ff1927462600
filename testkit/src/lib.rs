//! sse-testkit: the raw HTTP/1.1 client and the Server-Sent Events readers
//! that the end-to-end tests (`e2e/`) and the benchmark kit (`bench/`)
//! share, so each is written and tested once.
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

pub mod body;
pub mod client;
pub mod events;
pub mod head;
pub mod lines;
pub mod request;
pub mod timed;

pub use body::ProtocolError;
