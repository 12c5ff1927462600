//! The event hub's protocol over HTTP (shared hub: runner + private Redis,
//! or the server at `SPIN_SSE_BASE_URL`): subscribe and publish, ids,
//! `type`/`retry`/multi-line data, selectors, bad input, reconnection,
//! heartbeats, CORS, 405, health (authorization is in `hub_auth`).
//! Each test uses topics of its own, so tests never see each other's
//! updates.

use super::support::hub::{query, shared, topic, CORS_ORIGIN, HUB};

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
