//! Both versions of the Redis interface over one [`RedisHost`] (rules and
//! connection table) and [`super::commands`]:
//! - `fermyon:spin/redis@2.0.0` (WASI 0.2 guests): async host functions
//!   with the instance's state borrowed for the whole call, as the
//!   instance runs one request at a time;
//! - `spin:redis/redis@3.0.0` (WASI 0.3 guests): concurrent functions that
//!   take the instance's state only to look up or record a connection,
//!   never while they wait, so a blocking command (`XREAD BLOCK`) holds its
//!   own guest task and nothing else. Its types are converted to and from
//!   2.0.0's, which [`super::commands`] speaks.

use super::{commands, RedisHost};
use crate::host::bindings::v2::redis as v2;
use crate::host::bindings::v3::redis::{
    self as v3, Error, HostConnectionWithStore, RedisParameter, RedisResult,
};
use crate::host::bindings::RedisConnection as Connection;
use wasmtime::component::{Access, Accessor, HasData, Resource};

impl v2::Host for RedisHost {}

impl v2::HostConnection for RedisHost {
    async fn open(
        &mut self,
        address: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, v2::Error>> {
        Ok(self.open_checked(&address).await.map(Resource::new_own))
    }

    async fn publish(
        &mut self,
        c: Resource<Connection>,
        channel: String,
        payload: Vec<u8>,
    ) -> wasmtime::Result<Result<(), v2::Error>> {
        Ok(async { commands::publish(self.handle(c.rep())?, channel, payload).await }.await)
    }

    async fn get(
        &mut self,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, v2::Error>> {
        Ok(async { commands::get(self.handle(c.rep())?, key).await }.await)
    }

    async fn set(
        &mut self,
        c: Resource<Connection>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), v2::Error>> {
        Ok(async { commands::set(self.handle(c.rep())?, key, value).await }.await)
    }

    async fn incr(
        &mut self,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<i64, v2::Error>> {
        Ok(async { commands::incr(self.handle(c.rep())?, key).await }.await)
    }

    async fn del(
        &mut self,
        c: Resource<Connection>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<u32, v2::Error>> {
        Ok(async { commands::del(self.handle(c.rep())?, keys).await }.await)
    }

    async fn sadd(
        &mut self,
        c: Resource<Connection>,
        key: String,
        values: Vec<String>,
    ) -> wasmtime::Result<Result<u32, v2::Error>> {
        Ok(async { commands::sadd(self.handle(c.rep())?, key, values).await }.await)
    }

    async fn smembers(
        &mut self,
        c: Resource<Connection>,
        key: String,
    ) -> wasmtime::Result<Result<Vec<String>, v2::Error>> {
        Ok(async { commands::smembers(self.handle(c.rep())?, key).await }.await)
    }

    async fn srem(
        &mut self,
        c: Resource<Connection>,
        key: String,
        values: Vec<String>,
    ) -> wasmtime::Result<Result<u32, v2::Error>> {
        Ok(async { commands::srem(self.handle(c.rep())?, key, values).await }.await)
    }

    async fn execute(
        &mut self,
        c: Resource<Connection>,
        command: String,
        arguments: Vec<v2::RedisParameter>,
    ) -> wasmtime::Result<Result<Vec<v2::RedisResult>, v2::Error>> {
        Ok(async { commands::execute(self.handle(c.rep())?, command, arguments).await }.await)
    }

    async fn drop(&mut self, c: Resource<Connection>) -> wasmtime::Result<()> {
        self.close(c.rep());
        Ok(())
    }
}

/// The [`HasData`] marker the 3.0.0 bindings are added to the linker with.
pub struct RedisV3;

impl HasData for RedisV3 {
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
    store: &Accessor<T, RedisV3>,
    c: &Resource<Connection>,
) -> Result<redis::aio::MultiplexedConnection, v2::Error> {
    store.with(|mut access| access.get().handle(c.rep()))
}

impl v3::Host for RedisHost {}
impl v3::HostConnection for RedisHost {}

impl<T> HostConnectionWithStore<T> for RedisV3 {
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
