//! The JWKS fetch on WASI 0.3: a `GET` through `wasi:http/client@0.3.0`
//! (spin-sdk 7's `send`; the host must allow the URL's origin in
//! `allowed_outbound_hosts`), bounded by [`keys::MAX_JWKS_BYTES`] and
//! [`FETCH_TIMEOUT`]; it waits in its own task, so the instance's other
//! requests go on meanwhile. [`resolve`] is [`keys::resolve`] with it.

use super::redis::connect;
use super::respond::{unauthorized, unavailable, Headers};
use crate::auth::authorize::AuthError;
use crate::auth::jwks_cache::{Fetch, Fetched, KeyError};
use crate::auth::keys::{self, Role, FETCH_TIMEOUT};
use crate::auth::token::Key;
use crate::config::Settings;
use crate::host::{log, now};
use futures::future::{select, Either};
use futures::StreamExt;
use spin_sdk_p3::http::body::IncomingBodyExt;
use spin_sdk_p3::http::{BoxBody, Method, Request, Response};
use spin_sdk_p3::wasip3::http::types::ErrorCode;
use std::pin::pin;

/// The key for `token` (see [`keys::resolve`]), with Redis and the JWKS
/// fetch of this ABI.
pub async fn resolve(
    settings: &Settings,
    role: Role,
    token: Option<&str>,
) -> Result<Option<Key>, KeyError> {
    let now_ms = (now() * 1000.0) as u64;
    keys::resolve(
        settings,
        role,
        token,
        || connect(settings),
        &HttpFetch,
        now_ms,
    )
    .await
}

/// The answer for a request whose key could not be had: 401 or 503, one line.
pub fn refuse(headers: Headers, error: KeyError) -> Response<BoxBody> {
    match error {
        KeyError::Refused(reason) => unauthorized(headers, &AuthError::Key(reason)),
        KeyError::Unavailable(reason) => unavailable(headers, &reason),
    }
}

/// `GET` through `wasi:http/client`, within [`FETCH_TIMEOUT`].
struct HttpFetch;

impl Fetch for HttpFetch {
    async fn fetch(&self, url: &str) -> Result<Fetched, String> {
        let timer = pin!(spin_sdk_p3::time::sleep(FETCH_TIMEOUT));
        let fetched = match select(pin!(get(url)), timer).await {
            Either::Left((fetched, _)) => fetched,
            Either::Right(((), _)) => Err(keys::timed_out(url)),
        };
        if let Err(reason) = &fetched {
            log(&format!("JWKS fetch failed: {reason}"));
        }
        fetched
    }
}

async fn get(url: &str) -> Result<Fetched, String> {
    let request = Request::<()>::builder()
        .method(Method::GET)
        .uri(url)
        .header("accept", "application/json")
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .map_err(|_| format!("{url:?} is not a valid request URL"))?;
    let response = spin_sdk_p3::http::send(request)
        .await
        .map_err(|e| match e {
            ErrorCode::HttpRequestDenied => format!("request to {url} refused by the host: {e:?}"),
            e => format!("request to {url} failed: {e:?}"),
        })?;
    if let Some(reason) = keys::bad_status(url, response.status().as_u16()) {
        return Err(reason);
    }
    let cache_control = response
        .headers()
        .get("cache-control")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let mut stream = response.into_body().stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| format!("reading {url} failed: {e:?}"))?;
        body.extend_from_slice(&chunk);
        if let Some(reason) = keys::too_large(url, body.len()) {
            return Err(reason);
        }
    }
    Ok(Fetched {
        body,
        cache_control,
    })
}
