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
