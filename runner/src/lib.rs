//! spin-sse-runner: serves a Spin application's HTTP components from its
//! `spin.toml` on wasmtime + wasmtime-wasi-http, the engine inside Spin, so
//! the app runs (and is tested) where Spin is not installed.
//!
//! Layout (each folder depends only on those above it):
//! - [`app`]: the application as `spin.toml` declares it: manifest,
//!   variables, routes, files, build commands;
//! - [`limits`]: what a request, a connection and an instance may use, and
//!   the `up` flags that set it;
//! - [`host`]: what a guest gets besides WASI: store state, variables,
//!   outbound Redis and allowed hosts, CPU epochs, prefixed stdio and logs;
//! - [`engine`]: wasmtime settings, loading components, instance slots and
//!   counters, heap trimming;
//! - [`trigger`]: the HTTP trigger: server, request handler (WASI 0.2 and
//!   0.3), `spin-*` headers, bodies, send timeout;
//! - [`cli`]: command line and help (clap derive);
//! - [`up`]: the `up` and `build` commands end to end.

pub mod app;
pub mod cli;
pub mod engine;
pub mod host;
pub mod limits;
pub mod trigger;
pub mod up;
