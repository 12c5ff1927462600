//! Host bindings generated from the WIT in `runner/wit/` (Spin's
//! `fermyon:spin/variables@2.0.0` and `redis@2.0.0`, and
//! `wasi:config/store@0.2.0-draft-2024-09-27`). Redis calls are async on the
//! host; a Redis connection is the resource [`RedisConnection`], which
//! [`crate::host::outbound_redis`] keys its connection table by.

wasmtime::component::bindgen!({
    path: "wit",
    world: "spin-sse-runner:host/host",
    imports: {
        "fermyon:spin/redis": async | trappable,
        default: trappable,
    },
    additional_derives: [PartialEq, Eq],
    with: {
        "fermyon:spin/redis.connection": RedisConnection,
    },
});

pub use fermyon::spin::redis;
pub use fermyon::spin::variables;
pub use wasi::config::store;

/// The `connection` resource as the bindings see it (a key into
/// [`crate::host::outbound_redis::RedisHost`]'s table); `redis::Connection`
/// names it in the generated code.
pub struct RedisConnection;
