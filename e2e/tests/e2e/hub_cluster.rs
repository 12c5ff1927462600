//! The event hub with runners and Redis servers of its own (skipped with
//! `SPIN_SSE_BASE_URL`): two runner processes on one Redis deliver every
//! update to subscribers on both, in order, exactly once; Redis stopped and
//! restarted mid-stream loses nothing that was acknowledged; updates an
//! earlier hub stored as JSON still replay; the anonymous switch.

use super::support::hub::{self, query, topic, Hub};
use super::support::redis::RedisServer;
use serde_json::json;

fn pair_on(redis: &RedisServer) -> (Hub, Hub) {
    let (publisher_key, subscriber_key) = (hub::random_key(), hub::random_key());
    let vars = hub::variables(redis, &publisher_key, &subscriber_key);
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
fn two_runners_on_one_redis_deliver_every_update_to_both_in_order_once() {
    let Some(redis) =
        hub::own_redis("two_runners_on_one_redis_deliver_every_update_to_both_in_order_once")
    else {
        return;
    };
    let (a, b) = pair_on(&redis);
    let t = topic("cluster");
    let selector = query(&[("topic", &t)]);
    let mut subscribers = vec![
        a.subscribe(&selector, &[]),
        a.subscribe(&selector, &[]),
        b.subscribe(&selector, &[]),
        b.subscribe(&selector, &[]),
    ];
    let mut published = Vec::new();
    for n in 0..200 {
        let via = if n % 2 == 0 { &a } else { &b };
        let id = via.publish(&[
            ("topic", &t),
            ("id", &format!("c{n}")),
            ("data", &n.to_string()),
        ]);
        published.push(id.trim_end().to_owned());
    }
    for (i, subscriber) in subscribers.iter_mut().enumerate() {
        assert_eq!(
            subscriber.ids(200),
            published,
            "subscriber {i} (runner {})",
            if i < 2 { 'A' } else { 'B' }
        );
    }
    // Nothing more: the next thing each stream carries is a later update.
    a.publish(&[("topic", &t), ("id", "end")]);
    for subscriber in &mut subscribers {
        assert_eq!(
            subscriber.ids(1),
            ["end"],
            "no duplicate before the next update"
        );
    }
}

#[test]
fn redis_restarted_mid_stream_loses_nothing_acknowledged() {
    let Some(mut redis) = hub::own_redis("redis_restarted_mid_stream_loses_nothing_acknowledged")
    else {
        return;
    };
    // Save on shutdown, so the restarted server reloads the history (the
    // production setting is a persistent Redis; see README).
    redis.cmd(&["CONFIG", "SET", "save", "3600 1"]);
    let hub = hub::own_hub(
        "redis_restarted_mid_stream_loses_nothing_acknowledged",
        &redis,
        &[],
    )
    .expect("not external");
    let t = topic("restart");
    let selector = query(&[("topic", &t)]);
    let mut sub = hub.subscribe(&selector, &[]);
    let mut acknowledged = Vec::new();
    for n in 0..50 {
        acknowledged.push(
            hub.publish(&[("topic", &t), ("data", &n.to_string())])
                .trim_end()
                .to_owned(),
        );
    }
    let mut received = sub.ids(50);

    redis.stop();
    assert!(
        sub.next().is_none(),
        "the open stream ends when Redis goes away"
    );
    let token = hub.publish_all();
    for n in 0..5 {
        let response = hub.publish_with(&token, &[("topic", &t), ("data", &format!("down {n}"))]);
        assert_eq!(
            response.status(),
            503,
            "never 200 for an update that was not stored"
        );
        assert!(
            response
                .text()
                .starts_with("update not stored: Redis unavailable"),
            "{}",
            response.text()
        );
        assert_eq!(response.text().trim_end().lines().count(), 1);
    }
    let refused = hub.open(&selector, &[]).read_to_end().unwrap();
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.header("retry-after"), Some("1"));
    let health = hub.client.get(&format!("{}/healthz", hub::HUB));
    assert_eq!(health.status(), 503);

    redis.restart();
    for n in 50..100 {
        acknowledged.push(
            hub.publish(&[("topic", &t), ("data", &n.to_string())])
                .trim_end()
                .to_owned(),
        );
    }
    let last_seen = received.last().unwrap().clone();
    let mut resumed = hub.subscribe(&selector, &[("Last-Event-ID", &last_seen)]);
    assert_eq!(
        resumed.last_event_id.as_deref(),
        Some(last_seen.as_str()),
        "the id survived the restart"
    );
    received.extend(resumed.ids(50));
    assert_eq!(
        received, acknowledged,
        "every acknowledged update, once, in order"
    );
}

#[test]
fn updates_an_earlier_hub_stored_as_json_replay_before_new_ones() {
    let test = "updates_an_earlier_hub_stored_as_json_replay_before_new_ones";
    let Some(redis) = hub::own_redis(test) else {
        return;
    };
    let hub = hub::own_hub(test, &redis, &[]).expect("not external");
    let topic = topic("upgrade");
    // What a hub before the stored-frame form wrote: one field `u`, the JSON.
    let legacy =
        json!({"id": "legacy-1", "topics": [topic], "data": "line one\nline two", "type": "old"});
    redis.cmd(&["XADD", "{mercure}:updates", "*", "u", &legacy.to_string()]);
    let new_id = hub.publish(&[("topic", &topic), ("data", "new")]);
    let fields = redis.cmd(&["XRANGE", "{mercure}:updates", "-", "+"]);
    assert_eq!(
        fields.lines().filter(|l| *l == "s").count(),
        1,
        "the new update is stored in the new form: {fields}"
    );
    let mut replay = hub.subscribe(
        &query(&[("topic", &topic), ("lastEventID", "earliest")]),
        &[],
    );
    let old = replay.next().expect("the legacy update");
    assert_eq!(old.id(), Some("legacy-1"));
    assert_eq!(old.field("event"), Some("old"));
    assert_eq!(old.data().as_deref(), Some("line one\nline two"));
    let new = replay.next().expect("the new update");
    assert_eq!(new.id(), Some(new_id.as_str()));
    assert_eq!(new.data().as_deref(), Some("new"));
}

#[test]
fn without_anonymous_access_subscribers_need_a_token() {
    let Some(redis) = hub::own_redis("without_anonymous_access_subscribers_need_a_token") else {
        return;
    };
    let hub = hub::own_hub(
        "without_anonymous_access",
        &redis,
        &[("HUB_ANONYMOUS", "false")],
    )
    .expect("not external");
    let selector = query(&[("topic", &topic("closed"))]);
    let anonymous = hub.open(&selector, &[]).read_to_end().unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.header("www-authenticate").is_some());
    let token = hub.subscriber_token(json!({"mercure": {"subscribe": []}}));
    let stream = hub.open(&selector, &[("Authorization", &format!("Bearer {token}"))]);
    assert_eq!(stream.head.status, 200);
    stream.disconnect();
}

#[test]
fn an_invalid_setting_answers_500_naming_the_variable() {
    let test = "an_invalid_setting_answers_500_naming_the_variable";
    let redis = super::support::redis::shared();
    let Some(hub) = hub::own_hub(test, redis, &[("HUB_HEARTBEAT_MS", "soon")]) else {
        return;
    };
    let response = hub.open("topic=x", &[]).read_to_end().unwrap();
    assert_eq!(response.status(), 500);
    let text = response.text();
    assert!(
        text.contains("heartbeat_ms") && text.contains("100..=600000"),
        "{text}"
    );
    assert_eq!(text.trim_end().lines().count(), 1);
}
