//! Host bindings generated from the WIT in `runner/wit/`, one module per
//! version of Spin's interfaces, as Spin names them:
//! - [`v2`] (`world.wit`, what WASI 0.2 guests import):
//!   `fermyon:spin/variables@2.0.0`, `fermyon:spin/redis@2.0.0` (async on
//!   the host) and `wasi:config/store@0.2.0-draft-2024-09-27`;
//! - [`v3`] (`host-p3.wit`, what WASI 0.3 guests import):
//!   `spin:variables/variables@3.0.0` and `spin:redis/redis@3.0.0`, whose
//!   functions are concurrent (`async func`): a call waits in its own guest
//!   task, so the instance's other tasks go on.
//!
//! A Redis connection is the resource [`RedisConnection`] in both, which
//! [`crate::host::outbound_redis`] keys its connection table by.

/// `fermyon:spin/*@2.0.0` and `wasi:config/store`.
pub mod v2 {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "spin-sse-runner:host/host",
        imports: {
            "fermyon:spin/redis": async | trappable,
            default: trappable,
        },
        additional_derives: [PartialEq, Eq],
        with: {
            "fermyon:spin/redis.connection": crate::host::bindings::RedisConnection,
        },
    });

    pub use fermyon::spin::redis;
    pub use fermyon::spin::variables;
    pub use wasi::config::store;
}

/// `spin:*@3.0.0`.
pub mod v3 {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "spin-sse-runner:host/host-p3",
        imports: { default: store | trappable },
        with: {
            "spin:redis/redis.connection": crate::host::bindings::RedisConnection,
        },
    });

    pub use spin::redis::redis;
    pub use spin::variables::variables;
}

/// The `connection` resource as the bindings see it (a key into
/// [`crate::host::outbound_redis::RedisHost`]'s table); `redis::Connection`
/// names it in the generated code.
pub struct RedisConnection;
