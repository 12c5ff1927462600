//! The hub with JWKS keys over real HTTP: a JWKS server on loopback
//! (support/jwks_server.rs), publish and subscribe with RS256 and ES256
//! tokens chosen by kid, a wrong kid, the document cached in Redis (the
//! server's hit count), key rotation, a JWKS server that is down with a
//! cold cache, and a JWKS host the runner refuses (not in
//! `allowed_outbound_hosts`). Both ABIs' hubs run every case (the WASI 0.3
//! one fetches through `wasi:http/client@0.3.0`).

use super::support::hub::{own_hub, own_redis, query, topic};
use super::support::jwks_server::{JwksServer, TestKey};
use serde_json::json;
use std::time::Duration;

#[test]
fn tokens_are_checked_with_the_jwks_key_their_kid_names() {
    let Some(redis) = own_redis("hub_jwks") else {
        return;
    };
    let (rsa, ec) = (TestKey::rsa("rsa-1"), TestKey::ec("ec-1"));
    let server = JwksServer::start(vec![rsa.jwk(), ec.jwk()]);
    let (url, origin) = (server.url(), server.origin());
    let vars = [
        ("HUB_PUBLISHER_JWKS_URL", url.as_str()),
        ("HUB_SUBSCRIBER_JWKS_URL", url.as_str()),
        ("HUB_JWKS_ORIGIN", origin.as_str()),
    ];
    let Some(hub) = own_hub("hub_jwks", &redis, &vars) else {
        return;
    };
    let t = topic("jwks");
    let reader = ec.token(&json!({"mercure": {"subscribe": [t]}}));
    let bearer = format!("Bearer {reader}");
    let mut sub = hub.subscribe(&query(&[("topic", &t)]), &[("Authorization", &bearer)]);
    let publisher = rsa.token(&json!({"mercure": {"publish": ["*"]}}));
    let fields = [
        ("topic", t.as_str()),
        ("data", "by RS256"),
        ("private", "on"),
    ];
    let published = hub.publish_with(&publisher, &fields);
    assert_eq!(published.status(), 200, "{}", published.text());
    let block = sub.next().expect("the private update");
    assert_eq!(block.id(), Some(published.text().as_str()));
    assert_eq!(server.hits(), 1, "one fetch for both roles");

    // ES256 publishes too, and the second token uses the cached document.
    let es_publisher = ec.token(&json!({"mercure": {"publish": ["*"]}}));
    assert_eq!(hub.publish_with(&es_publisher, &fields).status(), 200);
    assert_eq!(server.hits(), 1, "served from Redis");

    // A kid the JWKS lacks, and a key's kid with another algorithm: 401.
    let wrong_kid = ec.token_as("nope", &json!({"mercure": {"publish": ["*"]}}));
    let refused = hub.publish_with(&wrong_kid, &fields);
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.text().trim(),
        "unauthorized: no JWKS key has the token's kid \"nope\""
    );
    let wrong_alg = ec.token_as("rsa-1", &json!({"mercure": {"publish": ["*"]}}));
    let refused = hub.publish_with(&wrong_alg, &fields);
    assert_eq!(refused.status(), 401);
    assert!(refused.text().contains("not RS256"), "{}", refused.text());

    // Rotation: a new key appears; after the re-fetch interval its kid works.
    let rotated = TestKey::ec("ec-2");
    server.set_keys(vec![rsa.jwk(), ec.jwk(), rotated.jwk()]);
    std::thread::sleep(Duration::from_millis(5_100));
    let before = server.hits();
    let new_publisher = rotated.token(&json!({"mercure": {"publish": ["*"]}}));
    let response = hub.publish_with(&new_publisher, &fields);
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(server.hits(), before + 1, "one re-fetch for the new kid");
    assert_eq!(hub.publish_with(&new_publisher, &fields).status(), 200);
    assert_eq!(server.hits(), before + 1);
}

#[test]
fn a_jwks_server_down_is_503_and_a_host_not_allowed_is_refused_by_the_runner() {
    let Some(redis) = own_redis("hub_jwks_down") else {
        return;
    };
    // Publishers' JWKS: an allowed origin where nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = closed.local_addr().unwrap();
    drop(closed);
    // Subscribers' JWKS: a live server whose origin is not allowed.
    let key = TestKey::ec("ec-1");
    let server = JwksServer::start(vec![key.jwk()]);
    let (down_url, down_origin) = (format!("http://{down}/jwks.json"), format!("http://{down}"));
    let live_url = server.url();
    let vars = [
        ("HUB_PUBLISHER_JWKS_URL", down_url.as_str()),
        ("HUB_SUBSCRIBER_JWKS_URL", live_url.as_str()),
        ("HUB_JWKS_ORIGIN", down_origin.as_str()),
    ];
    let Some(hub) = own_hub("hub_jwks_down", &redis, &vars) else {
        return;
    };
    let t = topic("jwks-down");
    let publisher = key.token(&json!({"mercure": {"publish": ["*"]}}));
    let response = hub.publish_with(&publisher, &[("topic", &t), ("data", "x")]);
    assert_eq!(response.status(), 503, "{}", response.text());
    assert!(
        response
            .text()
            .starts_with(&format!("JWKS {down_url} unavailable: ")),
        "{}",
        response.text()
    );
    assert_eq!(response.header("retry-after"), Some("1"));

    let bearer = format!(
        "Bearer {}",
        key.token(&json!({"mercure": {"subscribe": ["*"]}}))
    );
    let stream = hub.open(&query(&[("topic", &t)]), &[("Authorization", &bearer)]);
    assert_eq!(stream.head.status, 503);
    let runner = hub._runner.as_ref().unwrap();
    let line = runner.stderr.wait_for(Duration::from_secs(5), |l| {
        l.contains("outbound HTTP request to") && l.contains("refused")
    });
    let origin = server.origin();
    assert_eq!(
        line.as_deref(),
        Some(format!("[hub] outbound HTTP request to {origin} refused: to allow it, add \"{origin}\" to `component.hub.allowed_outbound_hosts` in the manifest").as_str())
    );
    assert_eq!(server.hits(), 0, "the runner sent nothing");
}
