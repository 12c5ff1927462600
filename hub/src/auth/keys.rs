//! The key that checks a request's token, for both ABIs: the configured
//! one, or, with a `*_jwks_url` (which takes precedence, as in the
//! reference hub), the JWKS key the token's header names, through
//! [`crate::auth::jwks_cache`]. The Redis connection and the HTTP fetch are the
//! adapter's (`jwks_fetch` per ABI); the fetch is bounded by
//! [`MAX_JWKS_BYTES`] and [`FETCH_TIMEOUT`].

use crate::auth::authorize::AuthError;
use crate::auth::jwks_cache::{Fetch, KeyError, Store};
use crate::auth::token::{self, Key};
use crate::config::Settings;
use crate::transport::redis_streams::Execute;
use std::future::Future;
use std::time::Duration;

/// Largest JWKS body read.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// The whole fetch (connect, headers, body) ends after this.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Whose token it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Publisher,
    Subscriber,
}

/// The key for `token` at `now_ms` (ms since the epoch): `Ok(None)` when
/// there is no key to check one with (no key configured, or a JWKS and no
/// token). Redis is opened (`connect`) only when a JWKS is configured and
/// a token came.
pub async fn resolve<E, C>(
    settings: &Settings,
    role: Role,
    token: Option<&str>,
    connect: impl FnOnce() -> C,
    fetcher: &impl Fetch,
    now_ms: u64,
) -> Result<Option<Key>, KeyError>
where
    E: Execute,
    C: Future<Output = Result<E, String>>,
{
    let (key, url) = match role {
        Role::Publisher => (&settings.publisher_key, &settings.publisher_jwks_url),
        Role::Subscriber => (&settings.subscriber_key, &settings.subscriber_jwks_url),
    };
    let Some(url) = url else {
        return Ok(key.clone());
    };
    let Some(token) = token else {
        return Ok(None);
    };
    let header =
        token::header(token).map_err(|e| KeyError::Refused(AuthError::Token(e).to_string()))?;
    let redis = connect()
        .await
        .map_err(|e| KeyError::Unavailable(format!("Redis unavailable: {e}")))?;
    Store::new(&redis, &settings.key_prefix)
        .key_for(fetcher, url, &header, now_ms)
        .await
        .map(Some)
}

/// The reason a fetch answered with `status` is refused (only `200` is
/// a JWKS).
pub fn bad_status(url: &str, status: u16) -> Option<String> {
    (status != 200).then(|| format!("{url} answered {status}, not 200"))
}

/// The reason a body is refused once it has grown to `len` bytes.
pub fn too_large(url: &str, len: usize) -> Option<String> {
    (len > MAX_JWKS_BYTES).then(|| format!("{url} is larger than {MAX_JWKS_BYTES} bytes"))
}

/// The reason for a fetch that did not finish in time.
pub fn timed_out(url: &str) -> String {
    format!("no answer from {url} within {} s", FETCH_TIMEOUT.as_secs())
}

#[cfg(test)]
mod tests;
