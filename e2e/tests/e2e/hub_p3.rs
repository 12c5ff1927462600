//! The hub's WASI 0.3 build (`mercure-hub --features p3`) on runners and a
//! Redis of its own: streams of one instance share one read of Redis. Two
//! runners with many subscribers each deliver every update exactly once,
//! in order; a subscriber that stops reading ends alone and resumes with
//! `Last-Event-ID` while the others keep up; a Redis restart mid-stream
//! loses nothing acknowledged.

use super::support::hub::{self, query, topic, Hub, Subscriber};
use super::support::redis::RedisServer;
use super::support::temp_app::TempApp;
use super::support::{fixture_wasm_p3, repo_root};
use std::path::PathBuf;
use std::sync::OnceLock;
use toml::{Table, Value};

/// `spin.toml` with the hub alone, its source the WASI 0.3 build (built
/// once per run): the same variables and rules as the default manifest.
fn p3_manifest() -> &'static PathBuf {
    static MANIFEST: OnceLock<PathBuf> = OnceLock::new();
    MANIFEST.get_or_init(|| {
        let wasm = fixture_wasm_p3("mercure-hub");
        let text = std::fs::read_to_string(repo_root().join("spin.toml")).expect("read spin.toml");
        let mut doc: Table = toml::from_str(&text).expect("spin.toml parses");
        let mut hub = doc["component"]["hub"].as_table().expect("a hub").clone();
        hub.remove("build");
        hub.insert("source".into(), Value::String(wasm.display().to_string()));
        doc.insert(
            "component".into(),
            Value::Table(Table::from_iter([("hub".into(), Value::Table(hub))])),
        );
        let triggers = doc["trigger"]["http"]
            .as_array()
            .expect("http triggers")
            .clone();
        let hub_only = triggers
            .into_iter()
            .filter(|t| t.get("component").and_then(Value::as_str) == Some("hub"))
            .collect();
        doc["trigger"]
            .as_table_mut()
            .expect("trigger table")
            .insert("http".into(), Value::Array(hub_only));
        let app = TempApp::new("hub-p3");
        let manifest = app.write("spin.toml", toml::to_string(&doc).expect("serialise"));
        std::mem::forget(app);
        manifest
    })
}

/// A runner of its own serving the p3 hub on `redis` with `keys`
/// (publisher, subscriber).
fn p3_hub(redis: &RedisServer, keys: &(String, String)) -> Hub {
    let vars = hub::variables(redis, &keys.0, &keys.1);
    let runner = hub::start_runner_on(p3_manifest(), &vars);
    Hub {
        client: runner.client(),
        publisher_key: keys.0.clone(),
        subscriber_key: keys.1.clone(),
        _runner: Some(runner),
    }
}

fn keys() -> (String, String) {
    (hub::random_key(), hub::random_key())
}

fn publish_numbered(hub: &Hub, t: &str, range: std::ops::Range<usize>) -> Vec<String> {
    range
        .map(|n| {
            hub.publish(&[("topic", t), ("data", &n.to_string())])
                .trim_end()
                .to_owned()
        })
        .collect()
}

#[test]
fn p3_hubs_on_two_runners_deliver_every_update_to_every_subscriber_once_in_order() {
    let test = "p3_hubs_on_two_runners_deliver_every_update_once_in_order";
    let Some(redis) = hub::own_redis(test) else {
        return;
    };
    let keys = keys();
    let (a, b) = (p3_hub(&redis, &keys), p3_hub(&redis, &keys));
    let t = topic("p3-cluster");
    let selector = query(&[("topic", &t)]);
    // Twelve streams per runner: one instance holds up to 16 at a time.
    let mut subscribers: Vec<Subscriber> = (0..24)
        .map(|i| if i < 12 { &a } else { &b })
        .map(|h| h.subscribe(&selector, &[]))
        .collect();
    let mut published = Vec::new();
    for n in 0..300 {
        let via = if n % 2 == 0 { &a } else { &b };
        // The shared read waits in `XREAD BLOCK` for up to 10 s; a publish
        // on the same instance never waits for it.
        let sent = std::time::Instant::now();
        let id = via.publish(&[
            ("topic", &t),
            ("id", &format!("p{n}")),
            ("data", &n.to_string()),
        ]);
        assert!(
            sent.elapsed() < std::time::Duration::from_secs(5),
            "publish {n} took {:?}",
            sent.elapsed()
        );
        published.push(id.trim_end().to_owned());
    }
    for (i, subscriber) in subscribers.iter_mut().enumerate() {
        assert_eq!(subscriber.ids(300), published, "subscriber {i}");
    }
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
fn a_p3_subscriber_that_stops_reading_ends_alone_and_resumes_by_last_event_id() {
    let test = "a_p3_subscriber_that_stops_reading_ends_alone";
    let Some(redis) = hub::own_redis(test) else {
        return;
    };
    let hub = p3_hub(&redis, &keys());
    let t = topic("p3-slow");
    let selector = query(&[("topic", &t)]);
    let mut slow = hub.subscribe(&selector, &[]);
    let fast: Vec<Subscriber> = (0..3).map(|_| hub.subscribe(&selector, &[])).collect();
    // 4 KiB per update: the slow client's socket buffers, the body
    // channel and its 1,000-deep queue fill well before the last one.
    const UPDATES: usize = 5000;
    let data = "x".repeat(4096);
    let published = std::thread::scope(|scope| {
        let readers: Vec<_> = fast
            .into_iter()
            .map(|mut s| scope.spawn(move || s.ids(UPDATES)))
            .collect();
        let published: Vec<String> = (0..UPDATES)
            .map(|_| {
                hub.publish(&[("topic", &t), ("data", &data)])
                    .trim_end()
                    .to_owned()
            })
            .collect();
        for (i, reader) in readers.into_iter().enumerate() {
            assert_eq!(
                reader.join().expect("reader"),
                published,
                "fast subscriber {i}"
            );
        }
        published
    });
    let mut seen = Vec::new();
    while let Some(block) = slow.next() {
        seen.push(block.id().unwrap_or_default().to_owned());
    }
    assert!(
        seen.len() < UPDATES,
        "the slow stream ended before the last update ({} of {UPDATES})",
        seen.len()
    );
    assert_eq!(
        seen,
        published[..seen.len()],
        "what it got came in order, once"
    );
    let last = seen.last().expect("it got some").clone();
    let mut resumed = hub.subscribe(&selector, &[("Last-Event-ID", &last)]);
    seen.extend(resumed.ids(UPDATES - seen.len()));
    assert_eq!(seen, published, "resumed: every update once, in order");
}

#[test]
fn a_p3_hub_loses_nothing_acknowledged_when_redis_restarts_mid_stream() {
    let test = "a_p3_hub_loses_nothing_acknowledged_when_redis_restarts";
    let Some(mut redis) = hub::own_redis(test) else {
        return;
    };
    redis.cmd(&["CONFIG", "SET", "save", "3600 1"]);
    let hub = p3_hub(&redis, &keys());
    let t = topic("p3-restart");
    let selector = query(&[("topic", &t)]);
    let mut subs: Vec<Subscriber> = (0..4).map(|_| hub.subscribe(&selector, &[])).collect();
    let mut acknowledged = publish_numbered(&hub, &t, 0..50);
    let mut received: Vec<Vec<String>> = subs.iter_mut().map(|s| s.ids(50)).collect();
    redis.stop();
    for sub in &mut subs {
        assert!(
            sub.next().is_none(),
            "every stream ends when Redis goes away"
        );
    }
    let down = hub.publish_with(&hub.publish_all(), &[("topic", &t), ("data", "down")]);
    assert_eq!(down.status(), 503, "never 200 for an update not stored");
    redis.restart();
    acknowledged.extend(publish_numbered(&hub, &t, 50..100));
    for got in &mut received {
        let last = got.last().unwrap().clone();
        let mut resumed = hub.subscribe(&selector, &[("Last-Event-ID", &last)]);
        got.extend(resumed.ids(50));
        assert_eq!(
            *got, acknowledged,
            "every acknowledged update, once, in order"
        );
    }
}
