//! The HTTP trigger: from an accepted connection to a guest's streamed
//! response.
//!
//! [`server`] accepts connections with their limits (and [`send_timeout`]
//! on each socket), serves `/metrics` and shuts down gracefully;
//! [`shutdown`] is the stop signal it and every instance wait on.
//! [`handler`] takes each request: reserved paths and routing, the `spin-*`
//! [`headers`], a bounded [`request_body`], then an instance: a fresh one
//! from [`p2`] for a WASI 0.2 component, a shared one from [`p3`] for a
//! WASI 0.3 component (reused per [`instance_reuse`]). [`body`] ties the response
//! body to its instance; [`response`] makes the runner's own answers.

pub mod body;
pub mod handler;
pub mod headers;
pub mod instance_reuse;
pub mod p2;
pub mod p3;
pub mod request_body;
pub mod response;
pub mod send_timeout;
pub mod server;
pub mod shutdown;
