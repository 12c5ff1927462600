//! The transport, in Mercure's sense: the bus and its history (a small
//! trait, [`history`]), on Redis Streams ([`redis_streams`]); the registry
//! of active subscribers and a stream's entry in it ([`presence`]); and
//! the WASI 0.3 instance's fan-out of one shared read ([`fanout`]), with
//! the stream that runs on it.

pub mod fanout;
pub mod history;
pub mod presence;
pub mod redis_streams;
