//! The runner's routes and `spin-*` headers: a route table either builds
//! or says why; the route chosen for a path matches it (prefix, exact, or
//! `:name` captures taken from the path's segments); preparing the request
//! removes every `spin-*` header the client sent, adds exactly the host's
//! (seven, plus one per capture), and makes the URI absolute on the
//! authority the `Host` header names.
#![no_main]

use http::{HeaderName, HeaderValue, Request};
use libfuzzer_sys::fuzz_target;
use spin_sse_fuzz::app::routes::Router;
use spin_sse_fuzz::text_fields;
use spin_sse_fuzz::trigger::headers;

struct Input {
    routes: Vec<String>,
    path: String,
    host: Option<String>,
    headers: Vec<(String, String)>,
}

// Fields (split at 0xFF): the request path, the `Host` header (empty:
// none), then `name: value` headers and routes (any other field).
fuzz_target!(|data: &[u8]| {
    let fields = text_fields(data);
    let (Some(path), Some(host)) = (fields.first(), fields.get(1)) else {
        return;
    };
    let mut input = Input {
        routes: Vec::new(),
        path: path.to_string(),
        host: (!host.is_empty()).then(|| host.to_string()),
        headers: Vec::new(),
    };
    for field in &fields[2..] {
        match field.split_once(": ") {
            Some((name, value)) => input.headers.push((name.to_owned(), value.to_owned())),
            None => input.routes.push(field.to_string()),
        }
    }
    let components: Vec<String> = (0..input.routes.len()).map(|i| format!("c{i}")).collect();
    let Ok(router) = Router::build(
        input
            .routes
            .iter()
            .map(String::as_str)
            .zip(components.iter().map(String::as_str)),
    ) else {
        return;
    };
    let Some(matched) = router.route(&input.path) else {
        return;
    };
    assert!(input.path.starts_with('/'));
    assert!(router.routes().any(|r| std::ptr::eq(r, matched.route)));
    if !matched.path_info.is_empty() {
        assert!(input.path.ends_with(&matched.path_info));
        assert!(matched.path_info.starts_with('/'));
    }
    for (_, value) in &matched.captures {
        assert!(!value.is_empty() && !value.contains('/'));
        assert!(input.path.split('/').any(|segment| segment == value));
    }

    let Ok(mut request) = Request::builder().uri(input.path.as_str()).body(()) else {
        return;
    };
    let request_headers = request.headers_mut();
    for (name, value) in &input.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            request_headers.append(name, value);
        }
    }
    if let Some(host) = &input.host {
        let Ok(value) = HeaderValue::try_from(host.as_str()) else {
            return;
        };
        request_headers.insert(http::header::HOST, value);
    }
    let (mut parts, ()) = request.into_parts();
    let client = "127.0.0.1:4000".parse().unwrap();
    if headers::prepare(&mut parts, &matched, client).is_err() {
        return;
    }
    let spin: Vec<&HeaderName> = parts
        .headers
        .keys()
        .filter(|n| n.as_str().starts_with("spin-"))
        .collect();
    let values = parts
        .headers
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("spin-"))
        .count();
    assert_eq!(values, 7 + matched.captures.len(), "{spin:?}");
    assert_eq!(parts.headers.get("spin-base-path").unwrap(), "/");
    let authority = parts
        .uri
        .authority()
        .expect("absolute URI")
        .as_str()
        .to_owned();
    if let Some(host) = &input.host {
        assert_eq!(authority.to_ascii_lowercase(), host.to_ascii_lowercase());
    }
    assert_eq!(parts.uri.scheme_str(), Some("http"));
    assert!(parts.headers.get(http::header::CONNECTION).is_none());
});
