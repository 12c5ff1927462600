//! `spin:redis/redis@3.0.0` for WASI 0.3 guests: the 2.0.0 host's rules
//! ([`RedisHost`]) and commands ([`super::commands`]) behind concurrent
//! functions. A call takes the instance's state only to look up or record
//! a connection, never while it waits, so a blocking command (`XREAD
//! BLOCK`) holds its own guest task and nothing else.

use super::{commands, Connection, RedisHost};
use crate::host::bindings::redis as v2;
use crate::host::bindings_p3::redis::{
    self as wit, Error, HostConnectionWithStore, RedisParameter, RedisResult,
};
use wasmtime::component::{Access, Accessor, HasData, Resource};

/// The [`HasData`] marker the 3.0.0 bindings are added to the linker with.
pub struct RedisP3;

impl HasData for RedisP3 {
    type Data<'a> = &'a mut RedisHost;
}

fn error(e: v2::Error) -> Error {
    match e {
        v2::Error::InvalidAddress => Error::InvalidAddress,
        v2::Error::TooManyConnections => Error::TooManyConnections,
        v2::Error::TypeError => Error::TypeError,
        v2::Error::Other(m) => Error::Other(m),
    }
}

fn parameter(p: RedisParameter) -> v2::RedisParameter {
    match p {
        RedisParameter::Int64(v) => v2::RedisParameter::Int64(v),
        RedisParameter::Binary(v) => v2::RedisParameter::Binary(v),
    }
}

fn result(r: v2::RedisResult) -> RedisResult {
    match r {
        v2::RedisResult::Nil => RedisResult::Nil,
        v2::RedisResult::Status(s) => RedisResult::Status(s),
        v2::RedisResult::Int64(v) => RedisResult::Int64(v),
        v2::RedisResult::Binary(v) => RedisResult::Binary(v),
    }
}

/// A handle to connection `c`, taken from the instance's state.
fn handle<T>(
    store: &Accessor<T, RedisP3>,
    c: &Resource<Connection>,
) -> Result<redis::aio::MultiplexedConnection, v2::Error> {
    store.with(|mut access| access.get().handle(c.rep()))
}

impl wit::Host for RedisHost {}
impl wit::HostConnection for RedisHost {}

impl<T> HostConnectionWithStore<T> for RedisP3 {
    async fn open(
        store: &Accessor<T, Self>,
        address: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        let admitted = store.with(|mut access| access.get().admit(&address));
        let opened = async {
            let conn = admitted?
                .get_multiplexed_async_connection_with_config(&redis::AsyncConnectionConfig::new())
                .await
                .map_err(commands::other)?;
            Ok(store.with(|mut access| access.get().insert(conn)))
        };
        Ok(opened.await.map(Resource::new_own).map_err(error))
    }

    async fn publish(
        store: &Accessor<T, Self>,
        c: Resource<Connection>,
        channel: String,
        payload: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let done = async { commands::publish(handle(store, &c)?, channel, payload).await };
        Ok(done.await.map_err(error))
    }

    async fn get(
        store: &Accessor<T, Self>,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        let done = async { commands::get(handle(store, &c)?, key).await };
        Ok(done.await.map_err(error))
    }

    async fn set(
        store: &Accessor<T, Self>,
        c: Resource<Connection>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let done = async { commands::set(handle(store, &c)?, key, value).await };
        Ok(done.await.map_err(error))
    }

    async fn incr(
        store: &Accessor<T, Self>,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<i64, Error>> {
        let done = async { commands::incr(handle(store, &c)?, key).await };
        Ok(done.await.map_err(error))
    }

    async fn del(
        store: &Accessor<T, Self>,
        c: Resource<Connection>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<u32, Error>> {
        let done = async { commands::del(handle(store, &c)?, keys).await };
        Ok(done.await.map_err(error))
    }

    async fn sadd(
        store: &Accessor<T, Self>,
        c: Resource<Connection>,
        key: String,
        values: Vec<String>,
    ) -> wasmtime::Result<Result<u32, Error>> {
        let done = async { commands::sadd(handle(store, &c)?, key, values).await };
        Ok(done.await.map_err(error))
    }

    async fn smembers(
        store: &Accessor<T, Self>,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<Vec<String>, Error>> {
        let done = async { commands::smembers(handle(store, &c)?, key).await };
        Ok(done.await.map_err(error))
    }

    async fn srem(
        store: &Accessor<T, Self>,
        c: Resource<Connection>,
        key: String,
        values: Vec<String>,
    ) -> wasmtime::Result<Result<u32, Error>> {
        let done = async { commands::srem(handle(store, &c)?, key, values).await };
        Ok(done.await.map_err(error))
    }

    async fn execute(
        store: &Accessor<T, Self>,
        c: Resource<Connection>,
        command: String,
        arguments: Vec<RedisParameter>,
    ) -> wasmtime::Result<Result<Vec<RedisResult>, Error>> {
        let arguments = arguments.into_iter().map(parameter).collect();
        let done = async { commands::execute(handle(store, &c)?, command, arguments).await };
        Ok(done
            .await
            .map(|results| results.into_iter().map(result).collect())
            .map_err(error))
    }

    fn drop(mut access: Access<'_, T, Self>, c: Resource<Connection>) -> wasmtime::Result<()> {
        access.get().close(c.rep());
        Ok(())
    }
}
