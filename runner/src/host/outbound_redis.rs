//! Outbound Redis for guests, as Spin 4.0.2's factor-outbound-redis:
//! `fermyon:spin/redis@2.0.0` (WASI 0.2 guests) and the concurrent
//! `spin:redis/redis@3.0.0` (WASI 0.3 guests) linked side by side by
//! [`add_to_linker`], with the same rules and commands. `open` checks the address against the component's
//! `allowed_outbound_hosts` (a refused address gets `invalid-address` and one
//! stderr line naming the manifest key), then makes one multiplexed async
//! connection with the `redis` crate, without a response timeout (a blocking
//! command waits as long as it says, and only its instance waits). At most
//! [`MAX_CONNECTIONS`] per instance; the connections close when the
//! instance's store is dropped.

//!
//! [`interfaces`] implements both versions' functions over [`RedisHost`]
//! (the rules and the connection table) and [`commands`], which runs them
//! and reads their [`replies`].

pub mod commands;
pub mod interfaces;
pub mod replies;

use crate::host::allowed_hosts::{self, AllowedHost, OutboundUrl};
use crate::host::bindings::v2::redis::Error;
use crate::host::bindings::{v2, v3};
use crate::host::state::InstanceState;
use interfaces::RedisV3;
use redis::aio::MultiplexedConnection;
use redis::AsyncConnectionConfig;
use std::collections::HashMap;
use std::sync::Arc;
use wasmtime::component::{HasSelf, Linker};

/// Links both versions of the Redis interface to `linker`.
pub fn add_to_linker(linker: &mut Linker<InstanceState>) -> wasmtime::Result<()> {
    v2::redis::add_to_linker::<_, HasSelf<RedisHost>>(linker, |s| &mut s.redis)?;
    v3::redis::add_to_linker::<_, RedisV3>(linker, |s| &mut s.redis)
}

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
