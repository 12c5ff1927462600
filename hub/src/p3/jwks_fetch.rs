//! The JWKS fetch on WASI 0.3: a `GET` through `wasi:http/client@0.3.0`
//! (spin-sdk 7's `send`; the host must allow the URL's origin in
//! `allowed_outbound_hosts`), bounded by [`keys::MAX_JWKS_BYTES`] and
//! [`FETCH_TIMEOUT`]; it waits in its own task, so the instance's other
//! requests go on meanwhile.

use super::Spin;
use crate::auth::jwks_cache::{Fetch, Fetched};
use crate::auth::keys::{self, FETCH_TIMEOUT};
use futures::future::{select, Either};
use futures::StreamExt;
use spin_sdk_p3::http::body::IncomingBodyExt;
use spin_sdk_p3::http::{Method, Request};
use spin_sdk_p3::wasip3::http::types::ErrorCode;
use std::pin::pin;

/// `GET` through `wasi:http/client`, within [`FETCH_TIMEOUT`].
impl Fetch for Spin {
    async fn fetch(&self, url: &str) -> Result<Fetched, String> {
        let timer = pin!(spin_sdk_p3::time::sleep(FETCH_TIMEOUT));
        match select(pin!(get(url)), timer).await {
            Either::Left((fetched, _)) => fetched,
            Either::Right(((), _)) => Err(keys::timed_out(url)),
        }
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
