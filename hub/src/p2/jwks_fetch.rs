//! The JWKS fetch on WASI 0.2: a `GET` through `wasi:http/outgoing-handler`
//! (Spin's outbound HTTP: the host must allow the URL's origin in
//! `allowed_outbound_hosts`), bounded by [`keys::MAX_JWKS_BYTES`] and
//! [`keys::FETCH_TIMEOUT`].

use super::Spin;
use crate::auth::jwks_cache::{Fetch, Fetched};
use crate::auth::keys::{self, FETCH_TIMEOUT};
use wasi::http::outgoing_handler;
use wasi::http::types::{Fields, Method, OutgoingRequest, RequestOptions, Scheme};
use wasi::io::streams::StreamError;

impl Fetch for Spin {
    async fn fetch(&self, url: &str) -> Result<Fetched, String> {
        get(url)
    }
}

/// `GET` through `wasi:http/outgoing-handler`, within [`FETCH_TIMEOUT`].
fn get(url: &str) -> Result<Fetched, String> {
    let (scheme, rest) = match url.split_once("://") {
        Some(("https", rest)) => (Scheme::Https, rest),
        Some(("http", rest)) => (Scheme::Http, rest),
        _ => return Err(format!("{url:?} is not an http(s) URL")),
    };
    let (authority, path) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let headers = Fields::from_list(&[("accept".into(), b"application/json".to_vec())])
        .map_err(|_| "request headers refused".to_owned())?;
    let request = OutgoingRequest::new(headers);
    let set = request.set_method(&Method::Get).is_ok()
        && request.set_scheme(Some(&scheme)).is_ok()
        && request.set_authority(Some(authority)).is_ok()
        && request.set_path_with_query(Some(path)).is_ok();
    if !set {
        return Err(format!("{url:?} is not a valid request URL"));
    }
    let options = RequestOptions::new();
    let nanos = u64::try_from(FETCH_TIMEOUT.as_nanos()).unwrap_or(u64::MAX);
    let _ = options.set_connect_timeout(Some(nanos));
    let _ = options.set_first_byte_timeout(Some(nanos));
    let _ = options.set_between_bytes_timeout(Some(nanos));
    let deadline = wasi::clocks::monotonic_clock::now().saturating_add(nanos);
    let timer = || wasi::clocks::monotonic_clock::subscribe_instant(deadline);
    let timed_out = keys::timed_out(url);
    // The body is never taken: the host sends the request without one.
    let future = outgoing_handler::handle(request, Some(options))
        .map_err(|e| format!("request to {url} refused by the host: {e:?}"))?;
    let response = loop {
        if let Some(result) = future.get() {
            break result
                .map_err(|()| "response taken twice".to_owned())?
                .map_err(|e| format!("request to {url} failed: {e:?}"))?;
        }
        let (ready, alarm) = (future.subscribe(), timer());
        if wasi::io::poll::poll(&[&ready, &alarm]) == [1] {
            return Err(timed_out);
        }
    };
    if let Some(reason) = keys::bad_status(url, response.status()) {
        return Err(reason);
    }
    let cache_control = response
        .headers()
        .get(&"cache-control".to_owned())
        .first()
        .map(|v| String::from_utf8_lossy(v).into_owned());
    let incoming = response
        .consume()
        .map_err(|()| "no response body".to_owned())?;
    let stream = incoming
        .stream()
        .map_err(|()| "no response body".to_owned())?;
    let mut body = Vec::new();
    loop {
        let (ready, alarm) = (stream.subscribe(), timer());
        if wasi::io::poll::poll(&[&ready, &alarm]) == [1] {
            return Err(timed_out);
        }
        match stream.read(64 * 1024) {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(format!("reading {url} failed: {}", e.to_debug_string()))
            }
        }
        if let Some(reason) = keys::too_large(url, body.len()) {
            return Err(reason);
        }
    }
    Ok(Fetched {
        body,
        cache_control,
    })
}
