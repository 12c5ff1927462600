//! The `spin-*` request headers a component sees, set as Spin 4 sets them
//! (pure; no I/O).
//!
//! For a request routed to a component the runner:
//! 1. drops every client-sent header whose name starts with `spin-` (Spin
//!    does not; here a client cannot forge routing information) and the
//!    `Connection` header (as Spin does);
//! 2. makes the URI absolute (`http://<authority><path-and-query>`), the
//!    authority taken from `Host` (or an absolute-form URI; both must agree);
//! 3. appends, in Spin's order: `spin-path-info` (path below a wildcard
//!    prefix, empty for exact routes), `spin-full-url`, `spin-matched-route`
//!    (normalised route, `/...` kept, `""` for `/`), `spin-base-path` (`/`),
//!    `spin-raw-component-route` (route as written), `spin-component-route`
//!    (route as written without `/...`), `spin-client-addr` (`ip:port`), then
//!    `spin-path-match-<name>` for each `:name` capture.

use crate::app::routes::RouteMatch;
use http::header::{HeaderName, HeaderValue, CONNECTION, HOST};
use http::uri::{Authority, Scheme, Uri};
use http::HeaderMap;
use std::net::SocketAddr;

/// Prefix of the headers the host owns.
pub const SPIN_PREFIX: &str = "spin-";

/// Removes every header named `spin-*`; returns how many values were removed.
pub fn drop_client_spin_headers(headers: &mut HeaderMap) -> usize {
    let names: Vec<HeaderName> = headers
        .keys()
        .filter(|n| n.as_str().starts_with(SPIN_PREFIX))
        .cloned()
        .collect();
    let mut removed = 0;
    for name in names {
        removed += headers.get_all(&name).iter().count();
        headers.remove(&name); // removes every value under the name
    }
    removed
}

/// The request authority: the `Host` header, or the URI's authority for
/// absolute-form requests; both present must agree. Errors are one-line
/// reasons for a 400.
pub fn request_authority(uri: &Uri, headers: &HeaderMap) -> Result<Authority, String> {
    let from_header = match headers.get(HOST) {
        Some(h) => {
            let s = h
                .to_str()
                .map_err(|_| "Host header is not valid text".to_string())?;
            Some(
                s.parse::<Authority>()
                    .map_err(|_| format!("Host header {s:?} is not a valid authority"))?,
            )
        }
        None => None,
    };
    match (from_header, uri.authority().cloned()) {
        (Some(h), Some(u)) if h != u => {
            Err("Host header does not match the request URI's authority".into())
        }
        (Some(a), _) | (None, Some(a)) => Ok(a),
        (None, None) => Err("request has no Host header".into()),
    }
}

/// The `spin-*` headers for a routed request, in Spin's order.
pub fn spin_headers(
    authority: &Authority,
    path_and_query: &str,
    m: &RouteMatch<'_>,
    client: SocketAddr,
) -> Vec<(String, String)> {
    let mut out = vec![
        ("spin-path-info".to_string(), m.path_info.clone()),
        (
            "spin-full-url".to_string(),
            format!("http://{authority}{path_and_query}"),
        ),
        (
            "spin-matched-route".to_string(),
            m.route.based().to_string(),
        ),
        ("spin-base-path".to_string(), "/".to_string()),
        (
            "spin-raw-component-route".to_string(),
            m.route.raw().to_string(),
        ),
        (
            "spin-component-route".to_string(),
            m.route.raw_or_prefix().to_string(),
        ),
        ("spin-client-addr".to_string(), client.to_string()),
    ];
    for (name, value) in &m.captures {
        let name = name.replace('_', "-").to_ascii_lowercase();
        out.push((format!("spin-path-match-{name}"), value.clone()));
    }
    out
}

/// Rewrites a routed request's head as described in the module docs.
/// Errors are one-line reasons for a 400.
pub fn prepare(
    parts: &mut http::request::Parts,
    m: &RouteMatch<'_>,
    client: SocketAddr,
) -> Result<(), String> {
    drop_client_spin_headers(&mut parts.headers);
    parts.headers.remove(CONNECTION);
    let authority = request_authority(&parts.uri, &parts.headers)?;
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_string();
    for (name, value) in spin_headers(&authority, &path_and_query, m, client) {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("route capture name {name:?} is not a valid header name"))?;
        let value = HeaderValue::from_str(&value)
            .map_err(|_| "request path is not valid in a header".to_string())?;
        parts.headers.append(name, value);
    }
    let mut uri = std::mem::take(&mut parts.uri).into_parts();
    uri.scheme = Some(Scheme::HTTP);
    uri.authority = Some(authority);
    if uri.path_and_query.is_none() {
        uri.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
    }
    parts.uri =
        Uri::from_parts(uri).map_err(|e| format!("request URI cannot be made absolute: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests;
