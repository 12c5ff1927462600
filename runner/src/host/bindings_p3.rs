//! Host bindings for WASI 0.3 guests, from `runner/wit/host-p3.wit`
//! (`spin:variables/variables@3.0.0` and `spin:redis/redis@3.0.0`). Their
//! functions are concurrent (`async func`): a call waits in its own guest
//! task, so the instance's other tasks go on.

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
