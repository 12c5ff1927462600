//! The event hub's authorization over HTTP (same shared hub as `hub`):
//! publisher tokens (every way one can be wrong), cookie publishing and
//! its origin check, private updates and who gets them (header, query and
//! cookie tokens), bad subscriber tokens, a stream ending at token expiry.

use super::support::hub::{form, query, shared, topic, CORS_ORIGIN};
use serde_json::json;

#[test]
fn publishing_needs_a_valid_token_covering_every_topic() {
    let hub = shared();
    let t = topic("auth");
    let fields = form(&[("topic", &t), ("data", "x")]);
    let form_type = ("Content-Type", "application/x-www-form-urlencoded");
    let none = hub.post(&[form_type], fields.as_bytes());
    assert_eq!(none.status(), 401);
    assert!(none
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Bearer")));
    let cases = [
        (
            "subscriber key",
            hub.subscriber_token(json!({"mercure": {"publish": ["*"]}})),
        ),
        (
            "other topic",
            hub.publisher_token(json!({"mercure": {"publish": ["https://example.com/else"]}})),
        ),
        (
            "no publish claim",
            hub.publisher_token(json!({"mercure": {"subscribe": ["*"]}})),
        ),
        (
            "expired",
            hub.publisher_token(json!({"exp": 1_000_000_000, "mercure": {"publish": ["*"]}})),
        ),
        (
            "not yet valid",
            hub.publisher_token(json!({"nbf": 4_000_000_000u64, "mercure": {"publish": ["*"]}})),
        ),
        ("alg none", {
            let header = base64_url(br#"{"alg":"none","typ":"JWT"}"#);
            let claims = base64_url(br#"{"mercure":{"publish":["*"]}}"#);
            format!("{header}.{claims}.")
        }),
        ("tampered", {
            let good =
                hub.publisher_token(json!({"mercure": {"publish": ["https://example.com/else"]}}));
            let (header, rest) = good.split_once('.').unwrap();
            let signature = rest.split_once('.').unwrap().1;
            format!(
                "{header}.{}.{signature}",
                base64_url(br#"{"mercure":{"publish":["*"]}}"#)
            )
        }),
    ];
    for (case, token) in cases {
        let response = hub.publish_with(&token, &[("topic", &t), ("data", "x")]);
        assert_eq!(response.status(), 401, "{case}: {}", response.text());
    }
    let template =
        hub.publisher_token(json!({"mercure": {"publish": [format!("{t}/{{id}}"), t.clone()]}}));
    let ok = hub.publish_with(&template, &[("topic", &t), ("topic", &format!("{t}/7"))]);
    assert_eq!(ok.status(), 200, "{}", ok.text());
    let partial = hub.publish_with(
        &template,
        &[("topic", &t), ("topic", "https://example.com/else")],
    );
    assert_eq!(partial.status(), 401, "every topic must be covered");
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn cookie_publish_needs_an_allowed_origin() {
    let hub = shared();
    let t = topic("cookie");
    let cookie = format!("mercureAuthorization={}", hub.publish_all());
    let body = form(&[("topic", &t)]);
    let form_type = ("Content-Type", "application/x-www-form-urlencoded");
    let no_origin = hub.post(&[form_type, ("Cookie", &cookie)], body.as_bytes());
    assert_eq!(no_origin.status(), 401);
    let evil = hub.post(
        &[
            form_type,
            ("Cookie", &cookie),
            ("Origin", "https://evil.example"),
        ],
        body.as_bytes(),
    );
    assert_eq!(evil.status(), 401);
    let app = hub.post(
        &[form_type, ("Cookie", &cookie), ("Origin", CORS_ORIGIN)],
        body.as_bytes(),
    );
    assert_eq!(app.status(), 200, "{}", app.text());
    assert_eq!(app.header("access-control-allow-origin"), Some(CORS_ORIGIN));
}

#[test]
fn private_updates_reach_only_subscribers_whose_claim_covers_the_topic() {
    let hub = shared();
    let t = topic("private");
    let selector = query(&[("topic", &t)]);
    let mut anonymous = hub.subscribe(&selector, &[]);
    let other_claim =
        hub.subscriber_token(json!({"mercure": {"subscribe": ["https://example.com/else"]}}));
    let mut other = hub.subscribe(
        &selector,
        &[("Authorization", &format!("Bearer {other_claim}"))],
    );
    let claim = hub.subscriber_token(json!({"mercure": {"subscribe": [t.clone()]}}));
    let mut reader = hub.subscribe(&selector, &[("Authorization", &format!("Bearer {claim}"))]);
    let by_query = query(&[("topic", &t), ("authorization", &claim)]);
    let mut via_query = hub.subscribe(&by_query, &[]);
    let mut via_cookie = hub.subscribe(
        &selector,
        &[("Cookie", &format!("mercureAuthorization={claim}"))],
    );
    hub.publish(&[
        ("topic", &t),
        ("data", "secret"),
        ("private", "on"),
        ("id", "p1"),
    ]);
    hub.publish(&[("topic", &t), ("data", "public"), ("id", "p2")]);
    assert_eq!(reader.ids(2), ["p1", "p2"]);
    assert_eq!(via_query.ids(2), ["p1", "p2"]);
    assert_eq!(via_cookie.ids(2), ["p1", "p2"]);
    assert_eq!(
        anonymous.ids(1),
        ["p2"],
        "anonymous subscribers get public updates only"
    );
    assert_eq!(other.ids(1), ["p2"]);
    // Replays obey the same rule.
    let mut replay = hub.subscribe(&query(&[("topic", &t), ("lastEventID", "earliest")]), &[]);
    assert_eq!(replay.ids(1), ["p2"]);
}

#[test]
fn bad_subscriber_tokens_are_401_even_with_anonymous_access() {
    let hub = shared();
    let selector = query(&[("topic", &topic("badsub"))]);
    let publisher_signed = hub.publisher_token(json!({"mercure": {"subscribe": ["*"]}}));
    let expired =
        hub.subscriber_token(json!({"exp": 1_000_000_000, "mercure": {"subscribe": ["*"]}}));
    for token in [publisher_signed, expired, "x".repeat(60)] {
        let stream = hub.open(&selector, &[("Authorization", &format!("Bearer {token}"))]);
        assert_eq!(stream.head.status, 401);
        stream.disconnect();
    }
    let short = hub.open(&selector, &[("Authorization", "Bearer short")]);
    assert_eq!(short.head.status, 401);
}

#[test]
fn a_stream_ends_when_the_subscriber_token_expires() {
    let hub = shared();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let token = hub.subscriber_token(json!({"exp": now + 3, "mercure": {"subscribe": ["*"]}}));
    let mut sub = hub.subscribe(
        &query(&[("topic", &topic("expiry"))]),
        &[("Authorization", &format!("Bearer {token}"))],
    );
    let started = std::time::Instant::now();
    assert!(
        sub.next().is_none(),
        "no update, then the end of the stream"
    );
    let lasted = started.elapsed();
    assert!(
        lasted < std::time::Duration::from_secs(15),
        "ended after {lasted:?}"
    );
}
