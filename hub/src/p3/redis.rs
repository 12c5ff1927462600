//! The hub's [`Execute`] on Spin's asynchronous outbound Redis
//! (`spin:redis/redis@3.0.0`): a call waits without blocking the
//! instance's other tasks. [`Redis`] is a connection of its own;
//! [`Shared`] is the instance's one connection for its streams' registry
//! entries, so an open stream holds no connection of its own.

use crate::config::Settings;
use crate::transport::redis_streams::{spin_redis_values, Arg, Execute, RedisStreams, Reply};
use spin_sdk_p3::redis::{Connection, RedisParameter, RedisResult};
use std::cell::RefCell;
use std::rc::Rc;

spin_redis_values!(RedisParameter, RedisResult);

pub struct Redis(Connection);

impl Execute for Redis {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
        let params = args.iter().map(RedisParameter::from);
        let results = self.0.execute(command, params).await;
        Ok(results
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(Reply::from)
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

thread_local! {
    static SHARED: RefCell<Option<Rc<Redis>>> = const { RefCell::new(None) };
}

/// The instance's shared connection, for commands that never block (Spin's
/// Redis connections are multiplexed, so the instance's tasks share it):
/// opened on first use; a command that fails drops it, so the next one
/// opens a new connection (after a Redis restart, say).
pub struct Shared {
    address: String,
}

impl Execute for Shared {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
        let redis = match SHARED.with(|s| s.borrow().clone()) {
            Some(redis) => redis,
            None => {
                let connection = Connection::open(&self.address)
                    .await
                    .map_err(|e| e.to_string())?;
                let redis = Rc::new(Redis(connection));
                SHARED.with(|s| *s.borrow_mut() = Some(redis.clone()));
                redis
            }
        };
        let result = redis.execute(command, args).await;
        if result.is_err() {
            SHARED.with(|s| {
                let mut shared = s.borrow_mut();
                if shared.as_ref().is_some_and(|r| Rc::ptr_eq(r, &redis)) {
                    *shared = None;
                }
            });
        }
        result
    }
}

/// The hub's Redis through the instance's shared connection.
pub fn shared(settings: &Settings) -> RedisStreams<Shared> {
    RedisStreams::new(
        Shared {
            address: settings.redis_address.clone(),
        },
        &settings.key_prefix,
        settings.history_size,
    )
}
