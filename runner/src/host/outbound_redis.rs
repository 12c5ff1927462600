//! Outbound Redis for guests (`fermyon:spin/redis@2.0.0`; the asynchronous
//! `spin:redis/redis@3.0.0` in `p3`, same rules and commands), as Spin 4.0.2's
//! factor-outbound-redis: `open` checks the address against the component's
//! `allowed_outbound_hosts` (a refused address gets `invalid-address` and one
//! stderr line naming the manifest key), then makes one multiplexed async
//! connection with the `redis` crate, without a response timeout (a blocking
//! command waits as long as it says, and only its instance waits). At most
//! [`MAX_CONNECTIONS`] per instance; the connections close when the
//! instance's store is dropped.

pub mod commands;
pub mod interfaces;
pub mod replies;

use crate::host::allowed_hosts::{self, AllowedHost, OutboundUrl};
use crate::host::bindings::redis::{self as wit, Connection, Error, RedisParameter, RedisResult};
use redis::aio::MultiplexedConnection;
use redis::AsyncConnectionConfig;
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

impl RedisHost {
    /// Checks and opens a connection for `address` (Spin's rules: allowed
    /// host, at most [`MAX_CONNECTIONS`]); returns its resource id.
    pub async fn open_checked(&mut self, address: &str) -> Result<u32, Error> {
        let client = self.admit(address)?;
        let conn = client
            .get_multiplexed_async_connection_with_config(&AsyncConnectionConfig::new())
            .await
            .map_err(commands::other)?;
        Ok(self.insert(conn))
    }

    /// The client for `address` if it may be opened now.
    pub fn admit(&self, address: &str) -> Result<redis::Client, Error> {
        if !self.allowed(address) {
            return Err(Error::InvalidAddress);
        }
        if self.connections.len() >= MAX_CONNECTIONS {
            return Err(Error::TooManyConnections);
        }
        redis::Client::open(address).map_err(|_| Error::InvalidAddress)
    }

    /// Keeps an opened connection; returns its resource id.
    pub fn insert(&mut self, conn: MultiplexedConnection) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.connections.insert(id, conn);
        id
    }

    /// A handle to connection `rep` (a clone: it shares the connection).
    pub fn handle(&self, rep: u32) -> Result<MultiplexedConnection, Error> {
        self.connections
            .get(&rep)
            .cloned()
            .ok_or_else(|| Error::Other("could not find connection for resource".into()))
    }

    /// Closes connection `rep`.
    pub fn close(&mut self, rep: u32) {
        self.connections.remove(&rep);
    }
}

impl wit::Host for RedisHost {}

impl wit::HostConnection for RedisHost {
    async fn open(
        &mut self,
        address: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        Ok(self.open_checked(&address).await.map(Resource::new_own))
    }

    async fn publish(
        &mut self,
        c: Resource<Connection>,
        channel: String,
        payload: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        Ok(async { commands::publish(self.handle(c.rep())?, channel, payload).await }.await)
    }

    async fn get(
        &mut self,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        Ok(async { commands::get(self.handle(c.rep())?, key).await }.await)
    }

    async fn set(
        &mut self,
        c: Resource<Connection>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        Ok(async { commands::set(self.handle(c.rep())?, key, value).await }.await)
    }

    async fn incr(
        &mut self,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<i64, Error>> {
        Ok(async { commands::incr(self.handle(c.rep())?, key).await }.await)
    }

    async fn del(
        &mut self,
        c: Resource<Connection>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<u32, Error>> {
        Ok(async { commands::del(self.handle(c.rep())?, keys).await }.await)
    }

    async fn sadd(
        &mut self,
        c: Resource<Connection>,
        key: String,
        values: Vec<String>,
    ) -> wasmtime::Result<Result<u32, Error>> {
        Ok(async { commands::sadd(self.handle(c.rep())?, key, values).await }.await)
    }

    async fn smembers(
        &mut self,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<Vec<String>, Error>> {
        Ok(async { commands::smembers(self.handle(c.rep())?, key).await }.await)
    }

    async fn srem(
        &mut self,
        c: Resource<Connection>,
        key: String,
        values: Vec<String>,
    ) -> wasmtime::Result<Result<u32, Error>> {
        Ok(async { commands::srem(self.handle(c.rep())?, key, values).await }.await)
    }

    async fn execute(
        &mut self,
        c: Resource<Connection>,
        command: String,
        arguments: Vec<RedisParameter>,
    ) -> wasmtime::Result<Result<Vec<RedisResult>, Error>> {
        Ok(async { commands::execute(self.handle(c.rep())?, command, arguments).await }.await)
    }

    async fn drop(&mut self, c: Resource<Connection>) -> wasmtime::Result<()> {
        self.close(c.rep());
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
