//! The transport, in Mercure's sense: the bus and its history (a small
//! trait), on Redis Streams; the registry of active subscribers; and the
//! WASI 0.3 instance's fan-out of one shared read.

pub mod fanout;
pub mod history;
pub mod presence;
pub mod redis_streams;
