//! The Redis commands behind both guest interfaces (`fermyon:spin/redis@2.0.0`
//! and `spin:redis/redis@3.0.0`), on one multiplexed connection, with Spin's
//! error mapping and reply cap. Each takes its own handle to the connection
//! (a cheap clone), so no host state is borrowed while a command waits.

use super::replies::{held_bytes, too_large, Flattened, MAX_REPLY_BYTES};
use crate::host::bindings::v2::redis::{Error, RedisParameter, RedisResult};
use redis::aio::MultiplexedConnection as Conn;
use redis::AsyncCommands;

pub(super) fn other(e: impl std::fmt::Display) -> Error {
    Error::Other(e.to_string())
}

/// SADD maps a type error to `type-error`, as Spin does.
fn typed(e: redis::RedisError) -> Error {
    match e.kind() {
        redis::ErrorKind::TypeError => Error::TypeError,
        _ => other(e),
    }
}

pub async fn publish(mut c: Conn, channel: String, payload: Vec<u8>) -> Result<(), Error> {
    let () = c.publish(&channel, &payload).await.map_err(other)?;
    Ok(())
}

pub async fn get(mut c: Conn, key: String) -> Result<Option<Vec<u8>>, Error> {
    let value: Option<Vec<u8>> = c.get(&key).await.map_err(other)?;
    let held = std::mem::size_of::<Option<Vec<u8>>>() + value.as_ref().map_or(0, Vec::len);
    if held > MAX_REPLY_BYTES {
        return Err(Error::Other(too_large()));
    }
    Ok(value)
}

pub async fn set(mut c: Conn, key: String, value: Vec<u8>) -> Result<(), Error> {
    let () = c.set(&key, &value).await.map_err(other)?;
    Ok(())
}

pub async fn incr(mut c: Conn, key: String) -> Result<i64, Error> {
    c.incr(&key, 1).await.map_err(other)
}

pub async fn del(mut c: Conn, keys: Vec<String>) -> Result<u32, Error> {
    c.del(&keys).await.map_err(other)
}

pub async fn sadd(mut c: Conn, key: String, values: Vec<String>) -> Result<u32, Error> {
    c.sadd(&key, &values).await.map_err(typed)
}

pub async fn smembers(mut c: Conn, key: String) -> Result<Vec<String>, Error> {
    c.smembers(&key).await.map_err(other)
}

pub async fn srem(mut c: Conn, key: String, values: Vec<String>) -> Result<u32, Error> {
    c.srem(&key, &values).await.map_err(other)
}

pub async fn execute(
    mut c: Conn,
    command: String,
    arguments: Vec<RedisParameter>,
) -> Result<Vec<RedisResult>, Error> {
    let mut cmd = redis::cmd(&command);
    for a in arguments {
        match a {
            RedisParameter::Int64(v) => cmd.arg(v),
            RedisParameter::Binary(v) => cmd.arg(v),
        };
    }
    let Flattened(results) = cmd.query_async(&mut c).await.map_err(other)?;
    if held_bytes(&results) > MAX_REPLY_BYTES {
        return Err(Error::Other(too_large()));
    }
    Ok(results)
}
