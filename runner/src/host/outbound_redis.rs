//! Outbound Redis for guests (`fermyon:spin/redis@2.0.0`), as Spin 4.0.2's
//! factor-outbound-redis: `open` checks the address against the component's
//! `allowed_outbound_hosts` (a refused address gets `invalid-address` and one
//! stderr line naming the manifest key), then makes one multiplexed async
//! connection with the `redis` crate, without a response timeout (a blocking
//! command waits as long as it says, and only its instance waits). At most
//! [`MAX_CONNECTIONS`] per instance; the connections close when the
//! instance's store is dropped.

pub mod replies;

use crate::host::allowed_hosts::{self, AllowedHost, OutboundUrl};
use crate::host::bindings::redis::{self as wit, Connection, Error, RedisParameter, RedisResult};
use redis::aio::MultiplexedConnection;
use redis::{AsyncCommands, AsyncConnectionConfig};
use replies::{held_bytes, too_large, Flattened, MAX_REPLY_BYTES};
use std::collections::HashMap;
use std::sync::Arc;
use wasmtime::component::Resource;

/// Open connections one instance may hold (Spin's table size).
pub const MAX_CONNECTIONS: usize = 1024;

/// What the runner knows about a component for its outbound checks.
#[derive(Debug, Default)]
pub struct OutboundRules {
    /// Component id (the stderr prefix and the manifest key).
    pub component: String,
    /// Its parsed `allowed_outbound_hosts`.
    pub allowed: Vec<AllowedHost>,
}

/// Per-instance Redis state.
pub struct RedisHost {
    rules: Arc<OutboundRules>,
    connections: HashMap<u32, MultiplexedConnection>,
    next_id: u32,
}

impl RedisHost {
    /// No connections yet.
    pub fn new(rules: Arc<OutboundRules>) -> Self {
        RedisHost {
            rules,
            connections: HashMap::new(),
            next_id: 0,
        }
    }

    fn conn(&mut self, c: &Resource<Connection>) -> Result<&mut MultiplexedConnection, Error> {
        self.connections
            .get_mut(&c.rep())
            .ok_or_else(|| Error::Other("could not find connection for resource".into()))
    }

    /// Whether `address` may be opened; prints the refusal line when not.
    fn allowed(&self, address: &str) -> bool {
        let Ok(url) = OutboundUrl::parse(address, "redis") else {
            return false;
        };
        if allowed_hosts::allows(&self.rules.allowed, &url) {
            return true;
        }
        let id = &self.rules.component;
        let dest = url.destination();
        eprintln!(
            "[{id}] outbound Redis connection to {dest} refused: to allow it, add \"{dest}\" to `component.{id}.allowed_outbound_hosts` in the manifest"
        );
        false
    }
}

fn other(e: impl std::fmt::Display) -> Error {
    Error::Other(e.to_string())
}

/// SADD maps a type error to `type-error`, as Spin does.
fn typed(e: redis::RedisError) -> Error {
    match e.kind() {
        redis::ErrorKind::TypeError => Error::TypeError,
        _ => other(e),
    }
}

impl wit::Host for RedisHost {}

impl wit::HostConnection for RedisHost {
    async fn open(
        &mut self,
        address: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        if !self.allowed(&address) {
            return Ok(Err(Error::InvalidAddress));
        }
        if self.connections.len() >= MAX_CONNECTIONS {
            return Ok(Err(Error::TooManyConnections));
        }
        let Ok(client) = redis::Client::open(address.as_str()) else {
            return Ok(Err(Error::InvalidAddress));
        };
        let conn = match client
            .get_multiplexed_async_connection_with_config(&AsyncConnectionConfig::new())
            .await
        {
            Ok(c) => c,
            Err(e) => return Ok(Err(other(e))),
        };
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.connections.insert(id, conn);
        Ok(Ok(Resource::new_own(id)))
    }

    async fn publish(
        &mut self,
        c: Resource<Connection>,
        channel: String,
        payload: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        Ok(async {
            let () = self
                .conn(&c)?
                .publish(&channel, &payload)
                .await
                .map_err(other)?;
            Ok(())
        }
        .await)
    }

    async fn get(
        &mut self,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        Ok(async {
            let value: Option<Vec<u8>> = self.conn(&c)?.get(&key).await.map_err(other)?;
            let held = std::mem::size_of::<Option<Vec<u8>>>() + value.as_ref().map_or(0, Vec::len);
            if held > MAX_REPLY_BYTES {
                return Err(Error::Other(too_large()));
            }
            Ok(value)
        }
        .await)
    }

    async fn set(
        &mut self,
        c: Resource<Connection>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        Ok(async {
            let () = self.conn(&c)?.set(&key, &value).await.map_err(other)?;
            Ok(())
        }
        .await)
    }

    async fn incr(
        &mut self,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<i64, Error>> {
        Ok(async { self.conn(&c)?.incr(&key, 1).await.map_err(other) }.await)
    }

    async fn del(
        &mut self,
        c: Resource<Connection>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<u32, Error>> {
        Ok(async { self.conn(&c)?.del(&keys).await.map_err(other) }.await)
    }

    async fn sadd(
        &mut self,
        c: Resource<Connection>,
        key: String,
        values: Vec<String>,
    ) -> wasmtime::Result<Result<u32, Error>> {
        Ok(async { self.conn(&c)?.sadd(&key, &values).await.map_err(typed) }.await)
    }

    async fn smembers(
        &mut self,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<Vec<String>, Error>> {
        Ok(async { self.conn(&c)?.smembers(&key).await.map_err(other) }.await)
    }

    async fn srem(
        &mut self,
        c: Resource<Connection>,
        key: String,
        values: Vec<String>,
    ) -> wasmtime::Result<Result<u32, Error>> {
        Ok(async { self.conn(&c)?.srem(&key, &values).await.map_err(other) }.await)
    }

    async fn execute(
        &mut self,
        c: Resource<Connection>,
        command: String,
        arguments: Vec<RedisParameter>,
    ) -> wasmtime::Result<Result<Vec<RedisResult>, Error>> {
        Ok(async {
            let mut cmd = redis::cmd(&command);
            for a in arguments {
                match a {
                    RedisParameter::Int64(v) => cmd.arg(v),
                    RedisParameter::Binary(v) => cmd.arg(v),
                };
            }
            let Flattened(results) = cmd.query_async(self.conn(&c)?).await.map_err(other)?;
            if held_bytes(&results) > MAX_REPLY_BYTES {
                return Err(Error::Other(too_large()));
            }
            Ok(results)
        }
        .await)
    }

    async fn drop(&mut self, c: Resource<Connection>) -> wasmtime::Result<()> {
        self.connections.remove(&c.rep());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redis_and_rediss_addresses_open_as_clients() {
        for address in [
            "redis://127.0.0.1:1",
            "rediss://127.0.0.1:1/#insecure",
            "rediss://h:1",
        ] {
            if let Err(e) = redis::Client::open(address) {
                panic!("{address}: {e}");
            }
        }
    }
}
