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
//! - [`limits`]: per-request and per-connection limits and their reasons;
//! - [`limit_flags`]: the `up` flags that set them;
//! - [`cpu`]: epoch ticks (loops yield) and the per-request CPU budget;
//! - [`state`]: per-instance host state (WASI, wasi-http, variables, Redis, limits);
//! - [`stdio`]: component stdout/stderr prefixed with the component id;
//! - [`log`]: bounded, never-blocking output queues;
//! - [`loader`]: compiles and pre-links each component once;
//! - [`instances`]: the instance limit and the `/metrics` counters;
//! - [`handler`]: one request → one instance (fresh for WASI 0.2);
//! - [`handler_p3`]: WASI 0.3 components, instances shared by requests;
//! - [`instance_reuse`]: Spin's reuse flags for WASI 0.3 instances;
//! - [`request_body`]: bounded request bodies;
//! - [`body`]: the response body, tied to its instance (client gone → abort);
//! - [`server`]: listeners, connections, graceful shutdown;
//! - [`send_timeout`]: connections whose client stops reading fail;
//! - [`trim`]: hands freed heap back to the kernel after instances end;
//! - [`up`]: the `up` and `build` commands end to end.

pub mod allowed_hosts;
pub mod bindings;
pub mod bindings_p3;
pub mod body;
pub mod build_cmd;
pub mod cli;
pub mod cpu;
pub mod engine;
pub mod files;
pub mod handler;
pub mod handler_p3;
pub mod headers;
pub mod instance_reuse;
pub mod instances;
pub mod limit_flags;
pub mod limits;
pub mod loader;
pub mod log;
pub mod manifest;
pub mod outbound_redis;
pub mod request_body;
pub mod routes;
pub mod send_timeout;
pub mod server;
pub mod state;
pub mod stdio;
pub mod trim;
pub mod up;
pub mod variables;
