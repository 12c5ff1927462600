//! The hub's subscriptions API and subscription events (Mercure v0.24's
//! "Active Subscriptions" and "Subscription Events") on a real Redis:
//! off by default (404), every route, 401s, 404 for an inactive
//! subscriber, the list filtered by topic, start events seen across two
//! runner processes (and, on WASI 0.3, end events when a client
//! disconnects), and a SIGKILLed runner's subscribers expiring from the
//! registry.

use super::support::http::Response;
use super::support::hub::{self, query, topic, Hub, HUB};
use super::support::hub_is_p3;
use super::support::redis::RedisServer;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const API: &str = "/.well-known/mercure/subscriptions";
/// The selector of every subscription (and of its events).
const EVERY: &str = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
const ON: (&str, &str) = ("HUB_SUBSCRIPTIONS", "true");

/// Go's `url.QueryEscape`, as the hub's ids use it.
fn escape(text: &str) -> String {
    mercure_hub::subscriptions::escape(text)
}

fn reader(hub: &Hub) -> String {
    hub.subscriber_token(json!({"mercure": {"subscribe": [EVERY]}}))
}

fn get(hub: &Hub, target: &str, token: Option<&str>) -> Response {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer
        .iter()
        .map(|b| ("Authorization", b.as_str()))
        .collect();
    hub.client.get_with(target, &headers)
}

fn json_of(response: &Response) -> Value {
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(response.header("content-type"), Some("application/ld+json"));
    serde_json::from_str(&response.text()).unwrap_or_else(|e| panic!("{e}: {}", response.text()))
}

/// Polls `target` until `done` holds for its JSON (or the deadline).
fn until(hub: &Hub, target: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let value = json_of(&get(hub, target, Some(&reader(hub))));
        if done(&value) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "{what} within 15 s; last answer {value:#}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn subscriptions(value: &Value) -> &Vec<Value> {
    value["subscriptions"]
        .as_array()
        .expect("a subscriptions list")
}

fn listed(value: &Value, topic: &str) -> Vec<Value> {
    subscriptions(value)
        .iter()
        .filter(|s| s["topic"] == json!(topic))
        .cloned()
        .collect()
}

#[test]
fn the_subscriptions_api_is_off_by_default() {
    let hub = hub::shared();
    for path in [API.to_owned(), format!("{API}/a"), format!("{API}/a/b")] {
        let response = get(hub, &path, Some(&reader(hub)));
        assert_eq!(response.status(), 404, "{path}: {}", response.text());
    }
}

#[test]
fn every_route_answers_as_the_reference_hub() {
    let Some(redis) = hub::own_redis("every_route_answers_as_the_reference_hub") else {
        return;
    };
    let hub = hub::own_hub("every_route_answers_as_the_reference_hub", &redis, &[ON]).unwrap();
    let empty = json_of(&get(&hub, API, Some(&reader(&hub))));
    assert_eq!(
        empty,
        json!({"@context": "https://mercure.rocks/", "id": API, "type": "Subscriptions",
               "lastEventID": "earliest", "subscriptions": []})
    );

    // Authorization: a subscriber token whose mercure.subscribe covers the URI.
    let refused = [
        None,
        Some(hub.subscriber_token(json!({"mercure": {"subscribe": ["https://example.com/{x}"]}}))),
        Some(hub.subscriber_token(json!({"mercure": {"publish": ["*"]}}))),
        Some(hub.publish_all()),
        Some(hub.subscriber_token(json!({"exp": 1, "mercure": {"subscribe": ["*"]}}))),
    ];
    for token in &refused {
        let response = get(&hub, API, token.as_deref());
        assert_eq!(response.status(), 401, "{token:?}: {}", response.text());
        assert_eq!(response.text().trim_end().lines().count(), 1);
    }
    let exact = hub.subscriber_token(json!({"mercure": {"subscribe": [API]}}));
    assert_eq!(get(&hub, API, Some(&exact)).status(), 200);
    assert_eq!(get(&hub, &format!("{API}/x"), Some(&exact)).status(), 401);
    let by_query = format!("{API}?authorization={}", reader(&hub));
    assert_eq!(
        get(&hub, &by_query, None).status(),
        401,
        "the query is part of the URI the claim must match"
    );
    let star = hub.subscriber_token(json!({"mercure": {"subscribe": ["*"]}}));
    let by_query = format!("{API}?authorization={star}");
    assert_eq!(json_of(&get(&hub, &by_query, None))["id"], json!(by_query));

    // Bad input.
    assert_eq!(
        get(&hub, &format!("{API}/%zz"), Some(&reader(&hub))).status(),
        400
    );
    assert_eq!(
        get(&hub, &format!("{API}/a/b/c"), Some(&reader(&hub))).status(),
        404
    );
    let post = hub.post(&[], b"");
    assert_eq!(
        post.status(),
        401,
        "POST on the hub is still the publish route"
    );

    // Two subscribers, one with a payload.
    let (t1, t2) = (topic("subs-one"), topic("subs-two"));
    let alice =
        hub.subscriber_token(json!({"mercure": {"subscribe": [t1], "payload": {"user": "alice"}}}));
    let bearer = format!("Bearer {alice}");
    let a = hub.subscribe(&query(&[("topic", &t1)]), &[("Authorization", &bearer)]);
    let b = hub.subscribe(&query(&[("topic", &t1), ("topic", &t2)]), &[]);
    let all = until(&hub, API, "three subscriptions", |v| {
        subscriptions(v).len() == 3
    });
    let on_t1 = listed(&all, &t1);
    assert_eq!(on_t1.len(), 2);
    let with_payload: Vec<&Value> = on_t1
        .iter()
        .filter(|s| s.get("payload").is_some())
        .collect();
    assert_eq!(with_payload.len(), 1, "{on_t1:?}");
    let first = with_payload[0];
    let alice_id = first["subscriber"].as_str().unwrap().to_owned();
    assert!(
        alice_id.starts_with("urn:uuid:") && alice_id.len() == 45,
        "{alice_id}"
    );
    let one_path = format!("{API}/{}/{}", escape(&t1), escape(&alice_id));
    assert_eq!(
        *first,
        json!({"id": one_path, "type": "Subscription", "subscriber": alice_id, "topic": t1,
               "active": true, "payload": {"user": "alice"}})
    );
    let last = all["lastEventID"].as_str().unwrap().to_owned();
    assert!(
        last.starts_with("urn:uuid:"),
        "the newest update: a subscription event, {last}"
    );

    // Filtered by topic, and one subscription.
    let filtered = json_of(&get(
        &hub,
        &format!("{API}/{}", escape(&t2)),
        Some(&reader(&hub)),
    ));
    assert_eq!(subscriptions(&filtered).len(), 1);
    assert_eq!(subscriptions(&filtered)[0]["topic"], json!(t2));
    let one = json_of(&get(&hub, &one_path, Some(&reader(&hub))));
    assert_eq!(one["@context"], json!("https://mercure.rocks/"));
    assert_eq!(one["lastEventID"], json!(last));
    assert_eq!(one["payload"], json!({"user": "alice"}));
    let other_topic = format!("{API}/{}/{}", escape(&t2), escape(&alice_id));
    assert_eq!(get(&hub, &other_topic, Some(&reader(&hub))).status(), 404);
    let nobody = format!(
        "{API}/{}/{}",
        escape(&t1),
        escape("urn:uuid:00000000-0000-4000-8000-000000000000")
    );
    assert_eq!(get(&hub, &nobody, Some(&reader(&hub))).status(), 404);

    // ETag / If-None-Match, as the reference hub.
    let response = get(&hub, API, Some(&reader(&hub)));
    assert_eq!(response.header("etag"), Some(last.as_str()));
    let bearer = format!("Bearer {}", reader(&hub));
    let not_modified = hub
        .client
        .get_with(API, &[("Authorization", &bearer), ("If-None-Match", &last)]);
    assert_eq!(not_modified.status(), 304);

    // A subscriber that has gone is no longer active.
    a.reader.disconnect();
    until(&hub, API, "alice's subscription gone", |v| {
        subscriptions(v)
            .iter()
            .all(|s| s["subscriber"] != json!(alice_id))
    });
    assert_eq!(get(&hub, &one_path, Some(&reader(&hub))).status(), 404);
    drop(b);
}

/// The next event on `observer` whose data is a subscription of `topic`.
fn next_event(observer: &mut hub::Subscriber, topic: &str) -> Value {
    loop {
        let block = observer.next().expect("the observer's stream stays open");
        let data: Value = serde_json::from_str(&block.data().unwrap_or_default()).unwrap();
        if data["topic"] == json!(topic) {
            return data;
        }
    }
}

#[test]
fn subscription_events_reach_every_runner() {
    let Some(redis) = hub::own_redis("subscription_events_reach_every_runner") else {
        return;
    };
    let (a, b) = pair_on(&redis);
    let bearer = format!("Bearer {}", reader(&a));
    let mut observer = a.subscribe(&query(&[("topic", EVERY)]), &[("Authorization", &bearer)]);
    let anonymous = a.subscribe(
        &query(&[("topic", EVERY), ("topic", "https://example.com/end")]),
        &[],
    );
    for (via, name) in [(&a, "same-runner"), (&b, "other-runner")] {
        let t = topic(name);
        let token =
            via.subscriber_token(json!({"mercure": {"subscribe": [], "payload": {"n": name}}}));
        let bearer = format!("Bearer {token}");
        let other = via.subscribe(&query(&[("topic", &t)]), &[("Authorization", &bearer)]);
        let started = next_event(&mut observer, &t);
        let subscriber = started["subscriber"].as_str().unwrap().to_owned();
        let event = |active: bool| {
            json!({"@context": "https://mercure.rocks/",
                   "id": format!("{API}/{}/{}", escape(&t), escape(&subscriber)),
                   "type": "Subscription", "subscriber": subscriber, "topic": t,
                   "active": active, "payload": {"n": name}})
        };
        assert_eq!(started, event(true), "{name}");
        other.reader.disconnect();
        if hub_is_p3() {
            // A WASI 0.3 stream's task outlives its client: its next write
            // (a heartbeat at the latest) fails and it ends the
            // subscription with its end event.
            assert_eq!(next_event(&mut observer, &t), event(false), "{name}");
        }
        // On WASI 0.2 the runner drops a stream whose client went away
        // without the guest running again (as Spin does), so no `active:
        // false` event can be sent (see README); the entry expires instead.
        until(via, API, "the gone subscriber expired", |v| {
            subscriptions(v)
                .iter()
                .all(|s| s["subscriber"] != json!(subscriber))
        });
    }
    // Subscription events are private: an anonymous subscriber of them saw
    // none, so the first event it gets is this public one.
    let end = a.publish(&[("topic", "https://example.com/end"), ("data", "end")]);
    let mut anonymous = anonymous;
    let first = anonymous.next().expect("the anonymous stream stays open");
    assert_eq!(first.id(), Some(end.as_str()));
    assert_eq!(first.data().as_deref(), Some("end"));
    drop(observer);
}

fn pair_on(redis: &RedisServer) -> (Hub, Hub) {
    let (publisher_key, subscriber_key) = (hub::random_key(), hub::random_key());
    let mut vars = hub::variables(redis, &publisher_key, &subscriber_key);
    vars.push((ON.0.to_owned(), ON.1.to_owned()));
    let start = || {
        let runner = hub::start_runner(&vars);
        Hub {
            client: runner.client(),
            publisher_key: publisher_key.clone(),
            subscriber_key: subscriber_key.clone(),
            _runner: Some(runner),
        }
    };
    (start(), start())
}

#[test]
fn a_killed_runners_subscribers_expire() {
    let Some(redis) = hub::own_redis("a_killed_runners_subscribers_expire") else {
        return;
    };
    let (publisher_key, subscriber_key) = (hub::random_key(), hub::random_key());
    let mut vars = hub::variables(&redis, &publisher_key, &subscriber_key);
    vars.push((ON.0.to_owned(), ON.1.to_owned()));
    // Heartbeat 500 ms (the test settings): entries live 1.5 s unrefreshed.
    let survivor = hub::start_runner(&vars);
    let api = Hub {
        client: survivor.client(),
        publisher_key,
        subscriber_key,
        _runner: Some(survivor),
    };
    // Killed below with SIGKILL: an instance dying without saying goodbye.
    let doomed = hub::start_runner(&vars);
    let t = topic("killed");
    let target = format!("{HUB}?{}", query(&[("topic", &t)]));
    let streams: Vec<_> = (0..2)
        .map(|_| {
            let stream = doomed
                .client()
                .open(super::support::http::Request::get(&target));
            assert_eq!(stream.head.status, 200);
            stream
        })
        .collect();
    let on_t = format!("{API}/{}", escape(&t));
    until(&api, &on_t, "both listed", |v| subscriptions(v).len() == 2);
    // Still listed after several TTLs while the runner lives (refreshed).
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(
        subscriptions(&json_of(&get(&api, &on_t, Some(&reader(&api))))).len(),
        2
    );
    doomed.kill();
    let killed = Instant::now();
    until(
        &api,
        &on_t,
        "the killed runner's subscribers expired",
        |v| subscriptions(v).is_empty(),
    );
    assert!(
        killed.elapsed() < Duration::from_secs(5),
        "gone within the TTL plus slack"
    );
    drop(streams);
}
