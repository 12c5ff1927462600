//! The event hub's protocol over HTTP (shared hub: runner + private Redis,
//! or the server at `SPIN_SSE_BASE_URL`): subscribe and publish, ids,
//! `type`/`retry`/multi-line data, selectors, every authorization rule,
//! private updates, bad input, reconnection, heartbeats, CORS, 405, health.
//! Each test uses topics of its own, so tests never see each other's
//! updates.

use super::support::hub::{self, form, query, shared, topic, CORS_ORIGIN, HUB};
use serde_json::json;

#[test]
fn published_update_reaches_a_subscriber_with_its_id_and_data() {
    let hub = shared();
    let topic = topic("basic");
    let mut sub = hub.subscribe(&query(&[("topic", &topic)]), &[]);
    let response = hub.publish_with(
        &hub.publish_all(),
        &[("topic", &topic), ("data", "hello"), ("id", "first-1")],
    );
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(response.text(), "first-1", "the body is the id alone");
    let update = sub.next().expect("an update");
    assert_eq!(update.id(), Some("first-1"));
    assert_eq!(update.data().as_deref(), Some("hello"));
    assert_eq!(update.field("event"), None);
}

#[test]
fn subscribe_answers_an_event_stream_with_the_reference_headers() {
    let hub = shared();
    let stream = hub.open(&query(&[("topic", &topic("headers"))]), &[]);
    assert_eq!(stream.head.status, 200);
    assert_eq!(
        stream.head.header("content-type"),
        Some("text/event-stream")
    );
    assert_eq!(
        stream.head.header("cache-control"),
        Some("private, no-cache, no-store, must-revalidate, max-age=0")
    );
    assert_eq!(stream.head.header("x-accel-buffering"), Some("no"));
    assert_eq!(stream.head.header("content-length"), None);
    assert_eq!(
        stream.head.header("last-event-id"),
        None,
        "only sent when one was asked"
    );
    stream.disconnect();
    let head = hub.client.send(super::support::Request::new(
        "HEAD",
        &format!("{HUB}?{}", query(&[("topic", "x")])),
    ));
    assert_eq!((head.status(), head.body.len()), (200, 0));
}

#[test]
fn hub_made_ids_are_unique_urn_uuids() {
    let hub = shared();
    let topic = topic("ids");
    let mut sub = hub.subscribe(&query(&[("topic", &topic)]), &[]);
    let first = hub.publish(&[("topic", &topic), ("data", "1")]);
    let second = hub.publish(&[("topic", &topic), ("data", "2")]);
    for id in [&first, &second] {
        assert!(
            id.starts_with("urn:uuid:") && id.trim_end().len() == 45,
            "{id:?}"
        );
    }
    assert_ne!(first, second);
    assert_eq!(sub.ids(2), [first.trim_end(), second.trim_end()]);
}

#[test]
fn type_retry_and_multi_line_data_become_sse_fields() {
    let hub = shared();
    let topic = topic("fields");
    let mut sub = hub.subscribe(&query(&[("topic", &topic)]), &[]);
    hub.publish(&[
        ("topic", &topic),
        ("data", "line 1\nline 2\r\nline 3"),
        ("type", "book-updated"),
        ("retry", "2500"),
    ]);
    let update = sub.next().unwrap();
    assert_eq!(update.field("event"), Some("book-updated"));
    assert_eq!(update.retry(), Some(2500));
    assert_eq!(update.fields("data"), ["line 1", "line 2", "line 3"]);
}

#[test]
fn selectors_match_exact_star_and_uri_templates_only() {
    let hub = shared();
    let base = topic("selectors");
    let template = format!("{base}/books/{{id}}");
    let mut sub = hub.subscribe(
        &query(&[("topic", &template), ("topic", &format!("{base}/exact"))]),
        &[],
    );
    hub.publish(&[
        ("topic", &format!("{base}/books/1/reviews")),
        ("id", "nested"),
    ]);
    hub.publish(&[("topic", &format!("{base}/authors/1")), ("id", "other")]);
    hub.publish(&[("topic", &format!("{base}/books/1")), ("id", "book")]);
    hub.publish(&[
        ("topic", &format!("{base}/nope")),
        ("topic", &format!("{base}/exact")),
        ("id", "alternate"),
    ]);
    assert_eq!(sub.ids(2), ["book", "alternate"]);
    // `*` sees every topic (other tests' too): "alternate" must come by.
    let mut all = hub.subscribe(&query(&[("topic", "*"), ("lastEventID", "book")]), &[]);
    let found = (0..10_000)
        .map_while(|_| all.next())
        .any(|u| u.id() == Some("alternate"));
    assert!(found, "* replays every topic after the id");
}

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
            hub::Hub::subscriber_token(hub, json!({"mercure": {"publish": ["*"]}})),
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
fn bad_input_gets_a_4xx_with_a_one_line_reason() {
    let hub = shared();
    let check = |response: super::support::Response, status: u16, words: &str| {
        assert_eq!(response.status(), status, "{}", response.text());
        let text = response.text();
        assert!(text.contains(words), "{text:?} should mention {words:?}");
        assert_eq!(text.trim_end().lines().count(), 1, "{text:?}");
    };
    let stream = |query: &str| hub.open(query, &[]).read_to_end().unwrap();
    check(stream("lastEventID=earliest"), 400, "topic");
    check(stream(&"topic=a&".repeat(1001)), 400, "too many");
    check(stream(&format!("topic={}", "a".repeat(2049))), 400, "2048");
    let token = hub.publish_all();
    let t = topic("bad");
    check(hub.publish_with(&token, &[("data", "x")]), 400, "topic");
    check(
        hub.publish_with(&token, &[("topic", &t), ("id", "a\nb")]),
        400,
        "id",
    );
    check(
        hub.publish_with(&token, &[("topic", &t), ("id", "earliest")]),
        400,
        "earliest",
    );
    check(
        hub.publish_with(&token, &[("topic", &t), ("retry", "soon")]),
        400,
        "retry",
    );
    check(
        hub.publish_with(&token, &[("topic", &t), ("type", "a\rb")]),
        400,
        "type",
    );
    check(
        hub.publish_with(
            &token,
            &[("topic", "https://x/.well-known/mercure/subscriptions")],
        ),
        403,
        "reserved",
    );
    let big = "d".repeat(1024 * 1024 + 1);
    check(
        hub.publish_with(&token, &[("topic", &t), ("data", &big)]),
        413,
        "bytes",
    );
    check(
        hub.publish_with(&token, &[("topic", &t), ("id", &"i".repeat(1025))]),
        413,
        "id",
    );
    let bearer = format!("Bearer {token}");
    let json_body = hub.post(
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        b"{}",
    );
    check(json_body, 400, "x-www-form-urlencoded");
}

#[test]
fn last_event_id_replays_what_came_after_it_then_goes_live() {
    let hub = shared();
    let t = topic("resume");
    let selector = query(&[("topic", &t)]);
    let made = hub.publish(&[("topic", &t), ("data", "0")]);
    let made = made.trim_end();
    hub.publish(&[("topic", &t), ("id", "given-1")]);
    hub.publish(&[("topic", &t), ("id", "given-2")]);
    let mut by_header = hub.subscribe(&selector, &[("Last-Event-ID", made)]);
    assert_eq!(by_header.last_event_id.as_deref(), Some(made));
    let by_query_string = query(&[("topic", &t), ("lastEventID", "given-1")]);
    let mut by_query = hub.subscribe(&by_query_string, &[]);
    assert_eq!(by_query.last_event_id.as_deref(), Some("given-1"));
    let mut earliest = hub.subscribe(&query(&[("topic", &t), ("lastEventID", "earliest")]), &[]);
    assert_eq!(earliest.last_event_id.as_deref(), Some("earliest"));
    hub.publish(&[("topic", &t), ("id", "live")]);
    assert_eq!(by_header.ids(3), ["given-1", "given-2", "live"]);
    assert_eq!(by_query.ids(2), ["given-2", "live"]);
    assert_eq!(earliest.ids(4), [made, "given-1", "given-2", "live"]);
}

#[test]
fn an_id_not_in_the_history_goes_live_and_reports_the_newest_visible_id() {
    let hub = shared();
    let t = topic("unknown");
    hub.publish(&[("topic", &t), ("id", "seen-1")]);
    hub.publish(&[("topic", &t), ("id", "hidden"), ("private", "1")]);
    let mut sub = hub.subscribe(
        &query(&[("topic", &t)]),
        &[("Last-Event-ID", "never-published")],
    );
    assert_eq!(
        sub.last_event_id.as_deref(),
        Some("seen-1"),
        "the private id is not disclosed"
    );
    hub.publish(&[("topic", &t), ("id", "after")]);
    assert_eq!(sub.ids(1), ["after"], "nothing replayed");
}

#[test]
fn quiet_streams_get_heartbeat_comments() {
    let hub = shared();
    let mut stream = hub.open(&query(&[("topic", &topic("quiet"))]), &[]);
    let mut seen = Vec::new();
    let started = std::time::Instant::now();
    while seen.windows(2).filter(|w| w == b":\n").count() < 3 {
        let mut buf = [0u8; 64];
        let n =
            std::io::Read::read(&mut stream, &mut buf).expect("heartbeats keep the stream alive");
        assert!(n > 0, "stream ended");
        seen.extend_from_slice(&buf[..n]);
        assert!(started.elapsed().as_secs() < 20, "no heartbeats: {seen:?}");
    }
    assert!(
        seen.iter().all(|b| *b == b':' || *b == b'\n'),
        "only comments: {seen:?}"
    );
}

#[test]
fn cors_allows_configured_origins_with_credentials() {
    let hub = shared();
    let target = format!("{HUB}?topic=x");
    let request = |origin| {
        super::support::Request::new("OPTIONS", &target)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header(
                "Access-Control-Request-Headers",
                "authorization, last-event-id",
            )
    };
    let preflight = hub.client.send(request(CORS_ORIGIN));
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(CORS_ORIGIN)
    );
    assert_eq!(
        preflight.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("authorization, last-event-id")
    );
    let refused = hub.client.send(request("https://evil.example"));
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let stream = hub.open("topic=x", &[("Origin", CORS_ORIGIN)]);
    assert_eq!(
        stream.head.header("access-control-allow-origin"),
        Some(CORS_ORIGIN)
    );
    assert_eq!(
        stream.head.header("access-control-allow-credentials"),
        Some("true")
    );
    stream.disconnect();
}

#[test]
fn other_methods_get_405_with_allow_and_health_answers() {
    let hub = shared();
    for method in ["PUT", "DELETE", "PATCH"] {
        let response = hub.client.send(super::support::Request::new(method, HUB));
        assert_eq!(response.status(), 405, "{method}");
        assert_eq!(response.header("allow"), Some("GET, HEAD, POST, OPTIONS"));
    }
    let health = hub.client.get(&format!("{HUB}/healthz"));
    assert_eq!((health.status(), health.text().as_str()), (200, "ok\n"));
}

#[test]
fn a_thousand_updates_across_a_reconnect_arrive_once_each_in_order() {
    let hub = shared();
    let t = topic("thousand");
    let selector = query(&[("topic", &t)]);
    let token = hub.publish_all();
    let mut sub = hub.subscribe(&selector, &[]);
    let mut published = Vec::new();
    for n in 0..1000 {
        let id = if n % 2 == 0 {
            format!("n{n}")
        } else {
            String::new()
        };
        let response = hub.publish_with(
            &token,
            &[("topic", &t), ("id", &id), ("data", &n.to_string())],
        );
        assert_eq!(response.status(), 200, "{}", response.text());
        published.push(response.text().trim_end().to_owned());
        if n == 400 {
            // Read some, then drop the connection mid-way.
            let got = sub.ids(300);
            assert_eq!(got, published[..300]);
            sub.reader.disconnect();
            sub = hub.subscribe(&selector, &[("Last-Event-ID", &published[299])]);
        }
    }
    let rest = sub.ids(700);
    let mut received = published[..300].to_vec();
    received.extend(rest);
    assert_eq!(received.len(), 1000);
    assert_eq!(received, published, "0 lost, 0 duplicated, in order");
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
