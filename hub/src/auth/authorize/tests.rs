use super::*;
use crate::auth::token::Key;
use serde_json::json;

const KEY: &[u8] = b"publisher-key-publisher-key-0123";
const NOW: f64 = 1_700_000_000.0;

fn key() -> Key {
    Key::Hs256(KEY.to_vec())
}

fn token(claims: serde_json::Value) -> String {
    token::sign(&claims, KEY)
}

fn topics(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| (*t).to_owned()).collect()
}

#[test]
fn header_wins_over_query_which_wins_over_cookie() {
    let long = "x".repeat(60);
    let bearer = format!("Bearer {long}");
    let cookie = format!("a=1; {COOKIE_NAME}=from-cookie");
    let all = Credentials {
        authorization_headers: vec![&bearer],
        authorization_query: vec!["q".repeat(50).leak()],
        cookie_headers: vec![&cookie],
        ..Credentials::default()
    };
    assert_eq!(all.token(&[]), Ok(Some(long.as_str())));
    let query_and_cookie = Credentials {
        authorization_headers: vec![],
        ..all.clone()
    };
    assert_eq!(query_and_cookie.token(&[]).unwrap().unwrap().len(), 50);
    let cookie_only = Credentials {
        authorization_query: vec![],
        ..query_and_cookie
    };
    assert_eq!(cookie_only.token(&[]), Ok(Some("from-cookie")));
    assert_eq!(Credentials::default().token(&[]), Ok(None));
}

#[test]
fn malformed_header_or_query_is_an_error_not_anonymous() {
    let short = Credentials {
        authorization_headers: vec!["Bearer abc"],
        ..Credentials::default()
    };
    assert_eq!(short.token(&[]), Err(AuthError::InvalidHeader));
    let basic = format!("Basic {}", "x".repeat(60));
    let basic = Credentials {
        authorization_headers: vec![&basic],
        ..Credentials::default()
    };
    assert_eq!(basic.token(&[]), Err(AuthError::InvalidHeader));
    let long = "y".repeat(50);
    let two = Credentials {
        authorization_query: vec![&long, &long],
        ..Credentials::default()
    };
    assert_eq!(two.token(&[]), Err(AuthError::InvalidQuery));
}

#[test]
fn cookie_publish_needs_an_allowed_origin() {
    let cookie = format!("{COOKIE_NAME}=tok");
    let post = Credentials {
        cookie_headers: vec![&cookie],
        is_post: true,
        ..Credentials::default()
    };
    assert_eq!(post.token(&[]), Err(AuthError::NoOrigin));
    let allowed = vec!["https://app.example".to_owned()];
    let from = |origin| Credentials {
        origin: Some(origin),
        ..post.clone()
    };
    assert_eq!(from("https://app.example").token(&allowed), Ok(Some("tok")));
    assert_eq!(
        from("https://evil.example").token(&allowed),
        Err(AuthError::OriginNotAllowed("https://evil.example".into()))
    );
    let referer = Credentials {
        referer: Some("https://app.example/page?x=1"),
        ..post.clone()
    };
    assert_eq!(referer.token(&allowed), Ok(Some("tok")));
    assert_eq!(
        from("https://any.example").token(&["*".to_owned()]),
        Ok(Some("tok"))
    );
    let get = Credentials {
        is_post: false,
        ..post
    };
    assert_eq!(get.token(&[]), Ok(Some("tok")));
}

#[test]
fn publisher_needs_a_claim_covering_every_topic() {
    let two = topics(&["https://example.com/books/1", "/alt"]);
    let all = token(json!({"mercure": {"publish": ["*"]}}));
    assert!(publisher(Some(&all), &key(), NOW, &two).is_ok());
    let books = token(json!({"mercure": {"publish": ["https://example.com/books/{id}", "/alt"]}}));
    assert!(publisher(Some(&books), &key(), NOW, &two).is_ok());
    let one = token(json!({"mercure": {"publish": ["https://example.com/books/{id}"]}}));
    assert_eq!(
        publisher(Some(&one), &key(), NOW, &two),
        Err(AuthError::TopicNotCovered("/alt".into()))
    );
    let none = token(json!({"mercure": {"subscribe": ["*"]}}));
    assert_eq!(
        publisher(Some(&none), &key(), NOW, &two),
        Err(AuthError::NoPublishClaim)
    );
    assert_eq!(publisher(None, &key(), NOW, &two), Err(AuthError::Missing));
    assert!(matches!(
        publisher(Some(&all), &Key::Hs256(b"other".to_vec()), NOW, &two),
        Err(AuthError::Token(_))
    ));
}

#[test]
fn anonymous_subscribers_get_public_updates_only() {
    let selectors = selector::compile_all(["/books/{id}"]).unwrap();
    let anonymous =
        Subscription::authorize(selectors.clone(), None, Some(&key()), true, NOW).unwrap();
    assert!(anonymous.receives(&topics(&["/books/1"]), false));
    assert!(!anonymous.receives(&topics(&["/books/1"]), true));
    assert!(!anonymous.receives(&topics(&["/authors/1"]), false));
    assert_eq!(
        Subscription::authorize(selectors, None, Some(&key()), false, NOW).unwrap_err(),
        AuthError::Missing
    );
}

#[test]
fn private_updates_need_a_subscribe_claim_matching_a_topic() {
    let selectors = selector::compile_all(["*"]).unwrap();
    let claim = token(json!({"mercure": {"subscribe": ["/books/{id}"]}}));
    let reader =
        Subscription::authorize(selectors.clone(), Some(&claim), Some(&key()), false, NOW).unwrap();
    assert!(reader.receives(&topics(&["/books/1"]), true));
    assert!(
        reader.receives(&topics(&["/other", "/books/2"]), true),
        "an alternate topic is enough"
    );
    assert!(!reader.receives(&topics(&["/authors/1"]), true));
    let empty = token(json!({"mercure": {"subscribe": []}}));
    let nobody =
        Subscription::authorize(selectors.clone(), Some(&empty), Some(&key()), false, NOW).unwrap();
    assert!(!nobody.receives(&topics(&["/books/1"]), true));
    assert!(nobody.receives(&topics(&["/books/1"]), false));
}

#[test]
fn bad_subscriber_tokens_are_refused_even_when_anonymous_is_allowed() {
    let selectors = selector::compile_all(["*"]).unwrap();
    let expired = token(json!({"exp": NOW - 1.0, "mercure": {"subscribe": ["*"]}}));
    let result =
        Subscription::authorize(selectors.clone(), Some(&expired), Some(&key()), true, NOW);
    assert_eq!(result.unwrap_err(), AuthError::Token(TokenError::Expired));
    let later = token(json!({"exp": NOW + 9.0, "mercure": {"subscribe": ["*"]}}));
    let ok =
        Subscription::authorize(selectors.clone(), Some(&later), Some(&key()), false, NOW).unwrap();
    assert_eq!(ok.expires_at, Some(NOW + 9.0));
    // Without a subscriber key only anonymous access exists.
    let keyless = Subscription::authorize(selectors, Some(&later), None, true, NOW).unwrap();
    assert!(!keyless.receives(&topics(&["/x"]), true));
}

#[test]
fn publish_origins_take_wildcards() {
    assert!(origin_allowed("*", "https://any.example"));
    assert!(origin_allowed("https://a.example", "https://a.example"));
    assert!(origin_allowed(
        "https://*.example.com",
        "https://app.example.com"
    ));
    assert!(!origin_allowed(
        "https://*.example.com",
        "https://example.com"
    ));
    assert!(!origin_allowed(
        "https://*.example.com",
        "http://app.example.com"
    ));
    assert!(!origin_allowed(
        "https://a.example",
        "https://a.example.evil"
    ));
    let cookie = format!("{COOKIE_NAME}=tok");
    let post = Credentials {
        cookie_headers: vec![&cookie],
        is_post: true,
        origin: Some("https://x.app.example"),
        ..Credentials::default()
    };
    assert_eq!(
        post.token(&["https://*.app.example".to_owned()]),
        Ok(Some("tok"))
    );
}

#[test]
fn the_subscriptions_api_needs_a_subscribe_claim_covering_the_uri() {
    let uri = "/.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2Fa/urn%3Auuid%3A1";
    let read = |claims: serde_json::Value, uri: &str| {
        subscriptions_reader(Some(&token(claims)), Some(&key()), false, NOW, uri)
    };
    let template = json!({"mercure": {"subscribe": ["/.well-known/mercure/subscriptions{/topic}{/subscriber}"]}});
    assert_eq!(read(template.clone(), uri), Ok(()));
    assert_eq!(
        read(template.clone(), "/.well-known/mercure/subscriptions"),
        Ok(())
    );
    assert_eq!(
        read(template, &format!("{uri}?authorization=x")),
        Err(AuthError::UriNotCovered(format!("{uri}?authorization=x"))),
        "the query is part of what must match, as in the reference hub"
    );
    assert_eq!(read(json!({"mercure": {"subscribe": ["*"]}}), uri), Ok(()));
    assert_eq!(read(json!({"mercure": {"subscribe": [uri]}}), uri), Ok(()));
    assert_eq!(
        read(json!({"mercure": {"subscribe": ["/books/{id}"]}}), uri),
        Err(AuthError::UriNotCovered(uri.into()))
    );
    assert_eq!(
        read(json!({"mercure": {"publish": ["*"]}}), uri),
        Err(AuthError::NoSubscribeClaim)
    );
    let expired = token(json!({"exp": NOW - 1.0, "mercure": {"subscribe": ["*"]}}));
    assert_eq!(
        subscriptions_reader(Some(&expired), Some(&key()), true, NOW, uri),
        Err(AuthError::Token(TokenError::Expired))
    );
    assert_eq!(
        subscriptions_reader(None, Some(&key()), true, NOW, uri),
        Err(AuthError::Missing),
        "anonymous subscribers do not get the API when there is a key"
    );
    assert_eq!(subscriptions_reader(None, None, true, NOW, uri), Ok(()));
    assert_eq!(
        subscriptions_reader(None, None, false, NOW, uri),
        Err(AuthError::Missing)
    );
}

#[test]
fn the_payload_is_kept_for_the_subscriptions_api() {
    let selectors = selector::compile_all(["*"]).unwrap();
    let t = token(json!({"mercure": {"subscribe": ["*"], "payload": {"user": 7}}}));
    let s = Subscription::authorize(selectors, Some(&t), Some(&key()), false, NOW).unwrap();
    assert_eq!(s.payload, Some(json!({"user": 7})));
}
