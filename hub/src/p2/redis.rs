//! The hub's [`Execute`] on Spin's outbound Redis (`spin_sdk::redis`,
//! `fermyon:spin/redis@2.0.0`): one connection per request, opened from the
//! `redis_address` setting.

use crate::config::Settings;
use crate::transport::redis_streams::{Arg, Execute, RedisStreams, Reply};
use spin_sdk::redis::{Connection, RedisParameter, RedisResult};

pub struct Redis(Connection);

impl Execute for Redis {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
        let params: Vec<RedisParameter> = args
            .iter()
            .map(|arg| match arg {
                Arg::Int(n) => RedisParameter::Int64(*n),
                Arg::Bytes(b) => RedisParameter::Binary(b.clone()),
            })
            .collect();
        let results = self
            .0
            .execute(command, &params)
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

/// A connection to the hub's Redis.
pub fn connect(settings: &Settings) -> Result<Redis, String> {
    let connection = Connection::open(&settings.redis_address).map_err(|e| e.to_string())?;
    Ok(Redis(connection))
}

pub fn open(settings: &Settings) -> Result<RedisStreams<Redis>, String> {
    Ok(RedisStreams::new(
        connect(settings)?,
        &settings.key_prefix,
        settings.history_size,
    ))
}
