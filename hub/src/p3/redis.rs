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
/// opens a new connection (after a Redis restart, say). A read that fails
/// on a connection opened earlier is tried once more on a new one: a
/// subscriber's head may wait on it, and it changes nothing if sent twice.
pub struct Shared {
    address: String,
}

/// Commands that only read.
const READS: [&str; 3] = ["XREVRANGE", "XRANGE", "HGET"];

impl Shared {
    /// The shared connection, and whether it was opened by this call.
    async fn connection(&self) -> Result<(Rc<Redis>, bool), String> {
        if let Some(redis) = SHARED.with(|s| s.borrow().clone()) {
            return Ok((redis, false));
        }
        let connection = Connection::open(&self.address)
            .await
            .map_err(|e| e.to_string())?;
        let redis = Rc::new(Redis(connection));
        SHARED.with(|s| *s.borrow_mut() = Some(redis.clone()));
        Ok((redis, true))
    }

    /// Drops `redis` as the shared connection (unless another task
    /// already replaced it).
    fn forget(redis: &Rc<Redis>) {
        SHARED.with(|s| {
            let mut shared = s.borrow_mut();
            if shared.as_ref().is_some_and(|r| Rc::ptr_eq(r, redis)) {
                *shared = None;
            }
        });
    }
}

impl Execute for Shared {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
        let (redis, fresh) = self.connection().await?;
        let result = redis.execute(command, args).await;
        if result.is_ok() {
            return result;
        }
        Self::forget(&redis);
        if fresh || !READS.contains(&command) {
            return result;
        }
        let (redis, _) = self.connection().await?;
        let retried = redis.execute(command, args).await;
        if retried.is_err() {
            Self::forget(&redis);
        }
        retried
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
