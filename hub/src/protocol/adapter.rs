//! What an ABI adapter lends the request flow: the settings, a Redis
//! connection and the JWKS fetch ([`Adapter`]); the request body as a
//! stream of chunks. The flow in [`crate::protocol`] does the rest.

use crate::auth::jwks_cache::{Fetch, KeyError};
use crate::auth::keys::{self, Role};
use crate::auth::token::Key;
use crate::config::Settings;
use crate::host::Host;
use crate::transport::redis_streams::{Execute, RedisStreams};
use futures::{Stream, StreamExt};
use std::rc::Rc;

/// One ABI's I/O. Each adapter implements it for one single-threaded
/// type, so the futures need no `Send` bound.
#[allow(async_fn_in_trait)]
pub trait Adapter: Fetch {
    /// A connection to the hub's Redis.
    type Redis: Execute;

    /// The settings, from Spin variables (`Err`: the reason they cannot
    /// be read).
    async fn settings(&self) -> Result<Rc<Settings>, String>;

    /// A new connection to `settings.redis_address`.
    async fn connect(&self, settings: &Settings) -> Result<Self::Redis, String>;
}

/// A new connection to the hub's Redis, as its history.
pub async fn open<A: Adapter>(
    adapter: &A,
    settings: &Settings,
) -> Result<RedisStreams<A::Redis>, String> {
    Ok(RedisStreams::new(
        adapter.connect(settings).await?,
        &settings.key_prefix,
        settings.history_size,
    ))
}

/// Why a request body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// More than the limit.
    TooLarge,
    /// The host failed to give it.
    Read,
}

/// The whole body of `chunks`, refused past `limit` bytes.
pub async fn read_body<S, B, E>(chunks: S, limit: usize) -> Result<Vec<u8>, BodyError>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    let mut chunks = std::pin::pin!(chunks);
    let mut body = Vec::new();
    while let Some(chunk) = chunks.next().await {
        body.extend_from_slice(chunk.map_err(|_| BodyError::Read)?.as_ref());
        if body.len() > limit {
            return Err(BodyError::TooLarge);
        }
    }
    Ok(body)
}

/// A request body the flow reads when it needs it (a publish).
#[allow(async_fn_in_trait)]
pub trait RequestBody {
    /// The whole body, refused past `limit` bytes.
    async fn read(self, limit: usize) -> Result<Vec<u8>, BodyError>;
}

/// A body is whatever gives its chunks when asked: the request is only
/// consumed if the body is read.
impl<F, S, B, E> RequestBody for F
where
    F: FnOnce() -> S,
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    async fn read(self, limit: usize) -> Result<Vec<u8>, BodyError> {
        read_body(self(), limit).await
    }
}

/// The key for `token` (see [`keys::resolve`]) with the adapter's Redis
/// and JWKS fetch.
pub async fn key<A: Adapter>(
    adapter: &A,
    host: &impl Host,
    settings: &Settings,
    role: Role,
    token: Option<&str>,
) -> Result<Option<Key>, KeyError> {
    let now_ms = (host.now() * 1000.0) as u64;
    let connect = || adapter.connect(settings);
    keys::resolve(settings, role, token, connect, adapter, now_ms).await
}
