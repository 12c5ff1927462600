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
mod tests {
    //! Every `spin-*` header value, the client-header drop and the authority rules.

    use super::*;
    use crate::app::routes::Router;

    fn head(uri: &str, headers: &[(&str, &str)]) -> http::request::Parts {
        let mut b = http::Request::builder().uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn client() -> SocketAddr {
        "127.0.0.1:8777".parse().unwrap()
    }

    fn values(parts: &http::request::Parts, name: &str) -> Vec<String> {
        parts
            .headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    fn prepared(route: &str, uri: &str, headers: &[(&str, &str)]) -> http::request::Parts {
        let r = Router::build([(route, "c")]).unwrap();
        let mut parts = head(uri, headers);
        let m = r.route(parts.uri.path()).expect("route should match");
        prepare(&mut parts, &m, client()).unwrap();
        parts
    }

    #[test]
    fn wildcard_route_headers_match_spin() {
        let p = prepared(
            "/foo/...",
            "/foo/bar?key1=value1&key2=value2",
            &[("host", "fermyon.dev")],
        );
        assert_eq!(values(&p, "spin-path-info"), ["/bar"]);
        assert_eq!(
            values(&p, "spin-full-url"),
            ["http://fermyon.dev/foo/bar?key1=value1&key2=value2"]
        );
        assert_eq!(values(&p, "spin-matched-route"), ["/foo/..."]);
        assert_eq!(values(&p, "spin-base-path"), ["/"]);
        assert_eq!(values(&p, "spin-raw-component-route"), ["/foo/..."]);
        assert_eq!(values(&p, "spin-component-route"), ["/foo"]);
        assert_eq!(values(&p, "spin-client-addr"), ["127.0.0.1:8777"]);
    }

    #[test]
    fn exact_route_headers_match_spin() {
        let p = prepared("/sse", "/sse", &[("host", "127.0.0.1:3000")]);
        assert_eq!(values(&p, "spin-path-info"), [""]);
        assert_eq!(values(&p, "spin-full-url"), ["http://127.0.0.1:3000/sse"]);
        assert_eq!(values(&p, "spin-matched-route"), ["/sse"]);
        assert_eq!(values(&p, "spin-raw-component-route"), ["/sse"]);
        assert_eq!(values(&p, "spin-component-route"), ["/sse"]);
    }

    #[test]
    fn root_routes_use_spins_normalised_forms() {
        let p = prepared("/", "/", &[("host", "h")]);
        assert_eq!(values(&p, "spin-matched-route"), [""]);
        assert_eq!(values(&p, "spin-component-route"), ["/"]);
        let p = prepared("/...", "/a/b", &[("host", "h")]);
        assert_eq!(values(&p, "spin-matched-route"), ["/..."]);
        assert_eq!(values(&p, "spin-component-route"), [""]);
        assert_eq!(values(&p, "spin-path-info"), ["/a/b"]);
    }

    #[test]
    fn trailing_slash_route_keeps_raw_form() {
        let p = prepared("/foo/", "/foo", &[("host", "h")]);
        assert_eq!(values(&p, "spin-matched-route"), ["/foo"]);
        assert_eq!(values(&p, "spin-raw-component-route"), ["/foo/"]);
    }

    #[test]
    fn headers_are_appended_in_spin_order() {
        let p = prepared("/x/...", "/x/y", &[("host", "h"), ("accept", "*/*")]);
        let names: Vec<&str> = p.headers.keys().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "host",
                "accept",
                "spin-path-info",
                "spin-full-url",
                "spin-matched-route",
                "spin-base-path",
                "spin-raw-component-route",
                "spin-component-route",
                "spin-client-addr"
            ]
        );
    }

    #[test]
    fn client_sent_spin_headers_are_dropped() {
        let p = prepared(
            "/x",
            "/x",
            &[
                ("host", "h"),
                ("spin-full-url", "http://evil/"),
                ("Spin-Client-Addr", "6.6.6.6:1"),
                ("spin-custom", "1"),
                ("spinach", "ok"),
            ],
        );
        assert_eq!(values(&p, "spin-full-url"), ["http://h/x"]);
        assert_eq!(values(&p, "spin-client-addr"), ["127.0.0.1:8777"]);
        assert!(values(&p, "spin-custom").is_empty());
        assert_eq!(values(&p, "spinach"), ["ok"]);
    }

    #[test]
    fn drop_counts_every_value() {
        let mut h = head(
            "/",
            &[
                ("spin-a", "1"),
                ("spin-a", "2"),
                ("spin-b", "3"),
                ("x", "4"),
            ],
        )
        .headers;
        assert_eq!(drop_client_spin_headers(&mut h), 3);
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn connection_header_is_removed() {
        let p = prepared("/x", "/x", &[("host", "h"), ("connection", "keep-alive")]);
        assert!(p.headers.get("connection").is_none());
    }

    #[test]
    fn uri_becomes_absolute_with_host_authority() {
        let p = prepared("/x", "/x?q=1", &[("host", "example.test:8080")]);
        assert_eq!(p.uri.to_string(), "http://example.test:8080/x?q=1");
    }

    #[test]
    fn captures_become_path_match_headers() {
        let p = prepared("/u/:user_id/...", "/u/42/profile", &[("host", "h")]);
        assert_eq!(values(&p, "spin-path-match-user-id"), ["42"]);
        assert_eq!(values(&p, "spin-path-info"), ["/profile"]);
    }

    #[test]
    fn authority_rules() {
        let ok = |uri: &str, h: &[(&str, &str)]| {
            let p = head(uri, h);
            request_authority(&p.uri, &p.headers)
        };
        assert_eq!(ok("/x", &[("host", "a:1")]).unwrap().as_str(), "a:1");
        assert_eq!(ok("http://a:1/x", &[]).unwrap().as_str(), "a:1");
        assert_eq!(
            ok("http://a:1/x", &[("host", "a:1")]).unwrap().as_str(),
            "a:1"
        );
        assert!(ok("http://a:1/x", &[("host", "b:1")])
            .unwrap_err()
            .contains("does not match"));
        assert!(ok("/x", &[]).unwrap_err().contains("no Host"));
        assert!(ok("/x", &[("host", "bad host")])
            .unwrap_err()
            .contains("not a valid authority"));
    }

    #[test]
    fn ipv6_client_address_is_bracketed() {
        let r = Router::build([("/x", "c")]).unwrap();
        let m = r.route("/x").unwrap();
        let a: Authority = "h".parse().unwrap();
        let hs = spin_headers(&a, "/x", &m, "[::1]:9".parse().unwrap());
        assert!(hs.contains(&("spin-client-addr".to_string(), "[::1]:9".to_string())));
    }
}
