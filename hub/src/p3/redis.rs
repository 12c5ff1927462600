//! The hub's [`Execute`] on Spin's asynchronous outbound Redis
//! (`spin:redis/redis@3.0.0`): a call waits without blocking the
//! instance's other tasks.

use crate::config::Settings;
use crate::redis_streams::{Arg, Execute, RedisStreams, Reply};
use spin_sdk_p3::redis::{Connection, RedisParameter, RedisResult};

pub struct Redis(Connection);

impl Execute for Redis {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
        let params = args.iter().map(|arg| match arg {
            Arg::Int(n) => RedisParameter::Int64(*n),
            Arg::Bytes(b) => RedisParameter::Binary(b.clone()),
        });
        let results = self
            .0
            .execute(command, params)
            .await
            .map_err(|e| e.to_string())?;
        Ok(results
            .into_iter()
            .map(|r| match r {
                RedisResult::Nil => Reply::Nil,
                RedisResult::Status(s) => Reply::Status(s),
                RedisResult::Int64(n) => Reply::Int(n),
                RedisResult::Binary(b) => Reply::Bytes(b),
            })
            .collect())
    }
}

/// A new connection to the hub's Redis.
pub async fn connect(settings: &Settings) -> Result<Redis, String> {
    let connection = Connection::open(&settings.redis_address)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Redis(connection))
}

/// A new connection to the hub's Redis, as its history.
pub async fn open(settings: &Settings) -> Result<RedisStreams<Redis>, String> {
    Ok(RedisStreams::new(
        connect(settings).await?,
        &settings.key_prefix,
        settings.history_size,
    ))
}
