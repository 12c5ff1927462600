//! mercure-hub: a Spin HTTP component that speaks the Mercure protocol (as
//! the reference hub v0.24 does) on `/.well-known/mercure`, with Redis
//! Streams as the bus and the history, so any number of Spin instances and
//! hosts share one hub.
//!
//! # Layout
//!
//! One request flow serves both ABIs; each ABI's adapter converts types
//! and does the I/O.
//!
//! - [`protocol`]: the Mercure protocol and the request flow. A request is
//!   read once into a [`protocol::command::Command`]; [`protocol::answer`]
//!   decides the whole answer ([`protocol::reply`]: status, headers, a
//!   one-line reason) or a subscriber's stream ([`protocol::subscribe`]);
//!   [`protocol::publish`] checks and stores an update. The I/O it needs
//!   is an [`protocol::adapter::Adapter`]'s. Pure parts: [`protocol::route`],
//!   [`protocol::cors`], the publish [`protocol::form`], topic
//!   [`protocol::selector`]s and the [`protocol::update`] (stored form,
//!   SSE bytes).
//! - [`auth`]: JWS tokens ([`auth::token`]), the key that checks one
//!   ([`auth::keys`]: configured, or from a JWKS, [`auth::jwks`], kept in
//!   Redis, [`auth::jwks_cache`]), and who may publish or receive what
//!   ([`auth::authorize`]).
//! - [`transport`] (Mercure's word for the bus): the [`transport::history`]
//!   trait and where a subscriber starts; [`transport::redis_streams`],
//!   that trait on Redis Streams (one `EVAL` per publish) and the registry
//!   of active subscribers; a stream's entry in it
//!   ([`transport::presence`]); the WASI 0.3 instance's
//!   [`transport::fanout`] of one shared read and the stream that runs on
//!   it ([`transport::fanout::stream`]).
//! - [`subscriptions`]: the subscriptions API (routes, JSON-LD shapes,
//!   registry records, subscription events) and its answer
//!   ([`subscriptions::api`]).
//! - [`config`]: settings from Spin variables; [`host`]: clocks and random
//!   bytes as a trait (WASI's in the component), the log line.
//! - `p2` (wasm, feature `p2`, the default: WASI 0.2) and `p3` (wasm,
//!   feature `p3`: WASI 0.3), the same files for the same job: `mod.rs`
//!   (the handler and the [`protocol::adapter::Adapter`]: settings, Redis),
//!   `http.rs` (the request in, the answer out), `redis.rs` (Spin's Redis
//!   as [`transport::redis_streams::Execute`]), `jwks_fetch.rs` (the JWKS
//!   `GET`). On WASI 0.2 each stream reads Redis itself; on WASI 0.3
//!   `stream.rs` lends the fan-out's stream its instance (doorbells, the
//!   WASI body).

pub mod auth;
pub mod config;
pub mod host;
#[cfg(all(target_arch = "wasm32", feature = "p2"))]
mod p2;
// spin-sdk 7's macros name the crate `spin_sdk`.
#[cfg(all(target_arch = "wasm32", feature = "p3", not(feature = "p2")))]
extern crate spin_sdk_p3 as spin_sdk;
#[cfg(all(target_arch = "wasm32", feature = "p3"))]
mod p3;
pub mod protocol;
pub mod subscriptions;
pub mod transport;
#[cfg(all(target_arch = "wasm32", feature = "p2", feature = "p3"))]
compile_error!(
    "build the hub with one ABI: the default feature p2, or --no-default-features --features p3"
);
