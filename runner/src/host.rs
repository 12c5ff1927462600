//! What the runner gives a guest besides WASI: the per-instance store state
//! and the host side of Spin's interfaces.
//!
//! [`state`] is the `T` of each `Store<T>` and holds the rest: the guest's
//! variables ([`variables`]), its outbound Redis connections
//! ([`outbound_redis`]) and HTTP requests ([`outbound_http`]), both checked
//! against [`allowed_hosts`], and its CPU meter
//! ([`cpu`], which also makes running wasm yield at every epoch tick).
//! Each capability links every version of its interface side by side, as
//! Spin's factors do: `fermyon:spin/*@2.0.0` for WASI 0.2 guests and
//! `spin:*@3.0.0` for WASI 0.3 guests (whose calls are concurrent), both
//! generated from `runner/wit/` in [`bindings`]. A guest's stdout and stderr
//! go through [`stdio`] (prefixed lines) into [`log`] (bounded queues that
//! never block; the runner's own lines use them too).

pub mod allowed_hosts;
pub mod bindings;
pub mod cpu;
pub mod log;
pub mod outbound_http;
pub mod outbound_redis;
pub mod state;
pub mod stdio;
pub mod variables;
