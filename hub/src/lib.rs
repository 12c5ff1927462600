//! mercure-hub: a Spin HTTP component that speaks the Mercure protocol (as
//! the reference hub v0.24 does) on `/.well-known/mercure`, with Redis
//! Streams as the bus and the history, so any number of Spin instances and
//! hosts share one hub.
//!
//! # Layout
//!
//! - [`selector`]: topic selectors (`*`, exact, RFC 6570 templates) matched
//!   by a linear-time NFA; request bounds.
//! - [`token`]: JWS HS256/RS256/ES256 verification (and signing, for
//!   tooling and tests).
//! - [`jwks`]: JSON Web Key Sets and the choice of a token's key;
//!   [`jwks_cache`]: the JWKS kept in Redis, when to fetch it again.
//! - [`authorize`]: where the token comes from; who may publish; who
//!   receives which update (private updates).
//! - [`form`]: the publish form and its limits.
//! - [`update`]: the update model, its stored JSON and its SSE bytes.
//! - [`subscriptions`]: the subscriptions API's routes and JSON-LD shapes,
//!   subscription events and the registry's records.
//! - [`fanout`]: the WASI 0.3 hub's shared read per instance, bounded
//!   per-subscriber queues and the replay/live seam.
//! - [`history`]: the bus and registry traits and where a subscriber
//!   starts reading.
//! - [`redis_streams`]: that trait on Redis Streams (one `EVAL` per publish).
//! - [`route`]: which route a request's path is for.
//! - [`config`]: settings from Spin variables.
//! - [`cors`]: CORS headers for configured origins, with credentials.
//! - `transport` (wasm, feature `p2`, the default: WASI 0.2): the
//!   `#[http_component]` handler, with `request` (headers, bounded body),
//!   `respond` (status, headers, one-line answers), `spin_redis` (the
//!   Redis commands through `spin_sdk::redis`) and `subscriptions_route`
//!   (the subscriptions API). Each stream reads Redis itself.
//! - `p3` (wasm, feature `p3`: WASI 0.3): the `#[http_service]` handler;
//!   an instance serves many streams, all fed by one shared read
//!   ([`fanout`]).
//! - `host` (clocks, random bytes, log) and `presence` (a stream's entry
//!   in the registry) serve both.
//! - [`jwks`], [`jwks_cache`]: JWKS documents (RFC 7517) and when a cached
//!   one is fresh; [`keys`]: the key for a token, static or from a JWKS;
//!   `jwks_fetch` (wasm, per ABI: `wasi:http/outgoing-handler` on WASI 0.2,
//!   `wasi:http/client` on WASI 0.3) fetches the JWKS.

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
