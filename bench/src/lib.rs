//! spin-sse benchmark kit: an SSE load generator, a native peer serving the
//! same stream contract, and a driver that runs every scenario against the
//! runner and the peer and writes `BENCHMARKS.md`.
//!
//! The HTTP/1.1 framing and the SSE parser come from `sse-testkit`, shared
//! with the end-to-end tests; the peer serves the component's own pure
//! `/sse` code.
//!
//! Layout:
//! - [`target`]: target URL parsing and the loopback-only rule.
//! - [`stats`]: percentiles and rates.
//! - [`procfs`]: RSS/CPU, descendants and command line of a process (and
//!   which of them serves under `spin up`), and the machine description
//!   from /proc.
//! - [`load`]: the SSE load generator (streams, records, merged summaries).
//! - [`getload`]: plain GET load for static files.
//! - [`peer`]: the native axum peer.
//! - [`driver`]: scenarios, server processes, sampling, report and plots.
//! - [`fanout`]: the event hub's fan-out results (`hub_fanout --json`) as
//!   a table and goals, for `hub_fanout --render` and the report.

pub mod driver;
pub mod fanout;
pub mod getload;
pub mod load;
pub mod peer;
pub mod procfs;
pub mod stats;
pub mod target;
