//! Where the hub takes a token from: the one `Authorization: Bearer`
//! header wins, then the one `authorization` query parameter, then the
//! `mercureAuthorization` cookie, which a POST may use only from an allowed
//! origin (its `Origin`, else its `Referer`'s). Whatever the headers, the
//! token returned is a piece of the carrier it came from, a cookie POST
//! from an origin not allowed is refused, errors are one line, and the
//! requested `Last-Event-ID` is the header's when non-empty, else the
//! `lastEventID` query parameter's when non-empty.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mercure_hub::auth::authorize::{origin_allowed, AuthError, Credentials, COOKIE_NAME};
use mercure_hub::transport::history;
use spin_sse_fuzz::{assert_one_line, text_fields};

struct Input {
    is_post: bool,
    allowed: Vec<String>,
}

// Fields (split at 0xFF): the method, then `name: value` headers (names
// as the hub reads them, lower-case), `?name=value` query parameters and
// `allow:origin` entries of `publish_origins`.
fuzz_target!(|data: &[u8]| {
    let fields = text_fields(data);
    let Some(method) = fields.first() else {
        return;
    };
    let mut input = Input {
        is_post: *method == "POST",
        allowed: Vec::new(),
    };
    let (mut headers, mut query) = (Vec::new(), Vec::new());
    for field in &fields[1..] {
        if let Some(origin) = field.strip_prefix("allow:") {
            input.allowed.push(origin.to_owned());
        } else if let Some(pair) = field.strip_prefix('?') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            query.push((name.to_owned(), value.to_owned()));
        } else if let Some((name, value)) = field.split_once(':') {
            let value = value.strip_prefix(' ').unwrap_or(value);
            headers.push((name.to_owned(), value.to_owned()));
        }
    }
    let credentials = Credentials::from_request(&headers, &query, input.is_post);
    let values = |name: &str| {
        headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    let auth_headers = values("authorization");
    let auth_query: Vec<&str> = query
        .iter()
        .filter(|(n, _)| n == "authorization")
        .map(|(_, v)| v.as_str())
        .collect();
    let allowed: Vec<String> = input
        .allowed
        .iter()
        .map(|a| a.to_ascii_lowercase())
        .collect();

    match credentials.token(&allowed) {
        Ok(Some(token)) => {
            if let [header] = auth_headers.as_slice() {
                assert_eq!(Some(token), header.strip_prefix("Bearer "));
            } else if let [value] = auth_query.as_slice() {
                assert!(auth_headers.is_empty());
                assert_eq!(token, *value);
            } else {
                assert!(auth_headers.is_empty() && auth_query.is_empty());
                let from_cookie = values("cookie")
                    .iter()
                    .any(|c| c.contains(&format!("{COOKIE_NAME}=")) && c.contains(token));
                assert!(from_cookie, "token {token:?} not from a cookie");
                if input.is_post {
                    let origin = values("origin").first().copied().filter(|o| !o.is_empty());
                    let referer = values("referer").first().copied().filter(|r| !r.is_empty());
                    assert!(
                        origin.is_some() || referer.is_some(),
                        "cookie POST without an origin"
                    );
                    if let Some(origin) = origin {
                        assert!(allowed.iter().any(|a| origin_allowed(a, origin)));
                    }
                }
            }
        }
        Ok(None) => {
            assert!(auth_headers.is_empty() && auth_query.is_empty());
        }
        Err(error) => {
            assert_one_line(&error.to_string());
            match error {
                AuthError::InvalidHeader => assert!(!auth_headers.is_empty()),
                AuthError::InvalidQuery => {
                    assert!(auth_headers.is_empty() && !auth_query.is_empty())
                }
                AuthError::NoOrigin | AuthError::OriginNotAllowed(_) => assert!(input.is_post),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    for allowed in &allowed {
        assert!(origin_allowed("*", allowed));
        assert!(origin_allowed(allowed, allowed));
    }

    let requested = history::requested_id(&headers, &query);
    match values("last-event-id").into_iter().find(|v| !v.is_empty()) {
        Some(header) => assert_eq!(requested, Some(header)),
        None => assert_eq!(
            requested,
            query
                .iter()
                .find(|(n, v)| n == "lastEventID" && !v.is_empty())
                .map(|(_, v)| v.as_str())
        ),
    }
});
