//! The hub's [`Execute`] on Spin's outbound Redis (`spin_sdk::redis`,
//! `fermyon:spin/redis@2.0.0`): one connection per request, opened from the
//! `redis_address` setting.

use crate::config::Settings;
use crate::transport::redis_streams::{spin_redis_values, Arg, Execute, Reply};
use spin_sdk::redis::{Connection, RedisParameter, RedisResult};

spin_redis_values!(RedisParameter, RedisResult);

pub struct Redis(Connection);

impl Execute for Redis {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
        let params: Vec<RedisParameter> = args.iter().map(RedisParameter::from).collect();
        let results = self.0.execute(command, &params);
        Ok(results
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(Reply::from)
            .collect())
    }
}

/// A connection to the hub's Redis.
pub fn connect(settings: &Settings) -> Result<Redis, String> {
    let connection = Connection::open(&settings.redis_address).map_err(|e| e.to_string())?;
    Ok(Redis(connection))
}
