//! spin-sse-runner: serves a Spin application's HTTP components from its
//! `spin.toml` on wasmtime + wasmtime-wasi-http, the engine inside Spin, so
//! the app runs (and is tested) where Spin is not installed.
//!
//! Layout:
//! - [`cli`]: command line and help (clap derive);
//! - [`manifest`]: `spin.toml` v2 reader (serde derive), rejecting what it cannot honour;
//! - [`routes`]: route table with Spin's matching and precedence rules;
//! - [`headers`]: the `spin-*` request headers;
//! - [`files`]: a component's `files`, staged read-only at guest `/`;
//! - [`build_cmd`]: `--build` / `build`, like `spin build`;
//! - [`variables`]: Spin application variables (`[variables]`, templates,
//!   `SPIN_VARIABLE_*` and `.env`) and the guest interfaces that read them;
//! - [`allowed_hosts`]: `allowed_outbound_hosts` parsing and matching;
//! - [`outbound_redis`]: `fermyon:spin/redis` on the `redis` crate;
//! - [`bindings`]: host bindings generated from `runner/wit/`;
//! - [`engine`]: wasmtime engine and pooling-allocator settings;
//! - [`state`]: per-instance host state (WASI, wasi-http, variables, Redis);
//! - [`stdio`]: component stdout/stderr prefixed with the component id;
//! - [`loader`]: compiles and pre-links each component once;
//! - [`instances`]: the instance limit and the `/metrics` counters;
//! - [`handler`]: one request → one fresh instance;
//! - [`server`]: listeners, connections, graceful shutdown;
//! - [`trim`]: hands freed heap back to the kernel after instances end;
//! - [`up`]: the `up` and `build` commands end to end.

pub mod allowed_hosts;
pub mod bindings;
pub mod build_cmd;
pub mod cli;
pub mod engine;
pub mod files;
pub mod handler;
pub mod headers;
pub mod instances;
pub mod loader;
pub mod manifest;
pub mod outbound_redis;
pub mod routes;
pub mod server;
pub mod state;
pub mod stdio;
pub mod trim;
pub mod up;
pub mod variables;
