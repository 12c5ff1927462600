//! spin-sse-runner: serves a Spin application's HTTP components from its
//! `spin.toml` on wasmtime + wasmtime-wasi-http, the engine inside Spin, so
//! the app runs (and is tested) where Spin is not installed.
//!
//! Layout (each folder depends only on those above it):
//! - [`app`]: the application as `spin.toml` declares it: manifest,
//!   variables, routes, files, build commands;
//! - [`limits`]: what a request, a connection and an instance may use;
//! - [`host`]: what a guest gets besides WASI: store state, variables,
//!   outbound Redis and allowed hosts (each capability with both versions
//!   of its interface, for WASI 0.2 and WASI 0.3 guests), CPU epochs,
//!   prefixed stdio and logs;
//! - [`engine`]: wasmtime settings, loading components, instance slots and
//!   counters, heap trimming;
//! - [`trigger`]: the HTTP trigger: server, request handler, instances per
//!   ABI (`p2`: one per request, `p3`: shared, with instance reuse),
//!   `spin-*` headers, bodies, send timeout;
//! - [`cli`]: command line and help (clap derive); every flag of `up` and
//!   `build` in [`cli::flags`];
//! - [`up`]: the `up` and `build` commands end to end.

pub mod app;
pub mod cli;
pub mod engine;
pub mod host;
pub mod limits;
pub mod trigger;
pub mod up;
