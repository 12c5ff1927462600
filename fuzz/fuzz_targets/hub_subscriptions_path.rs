//! The subscriptions API's paths: Go's query escaping round-trips any text
//! and yields one path segment; a subscription's id routes back to exactly
//! its topic and subscriber; any path under the API routes to one of the
//! three shapes (or a 404/400 with a one-line reason), and `classify`
//! splits the query at the first `?`. The answers are JSON that lists only
//! the subscriptions asked for: those of the topic, or the one subscriber.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mercure_hub::protocol::route::{self, HubRoute};
use mercure_hub::subscriptions::{self, Record, Route, RouteError, PATH};
use serde_json::Value;
use spin_sse_fuzz::fields;

struct Input {
    path: String,
    topic: String,
    subscriber: String,
    records: Vec<(String, Vec<String>)>,
}

/// Fields (split at 0xFF): a request path, a topic, a subscriber, then
/// the registry's records, each `subscriber` and its topics split at 0xFE.
fn input(data: &[u8]) -> Option<Input> {
    let fields = fields(data);
    let text = |f: &[u8]| std::str::from_utf8(f).ok().map(str::to_owned);
    let records = fields
        .iter()
        .skip(3)
        .filter_map(|record| {
            let mut parts = record.split(|&b| b == 0xfe).map(text);
            let subscriber = parts.next()??;
            Some((subscriber, parts.collect::<Option<Vec<_>>>()?))
        })
        .collect();
    Some(Input {
        path: text(fields.first()?)?,
        topic: text(fields.get(1).copied().unwrap_or(b"t"))?,
        subscriber: text(fields.get(2).copied().unwrap_or(b"s"))?,
        records,
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = input(data) else {
        return;
    };
    for text in [&input.topic, &input.subscriber, &input.path] {
        let escaped = subscriptions::escape(text);
        assert!(
            escaped
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~+%".contains(&b)),
            "{escaped:?}"
        );
        assert_eq!(subscriptions::unescape(&escaped).as_ref(), Some(text));
    }
    let (topic, subscriber) = (&input.topic, &input.subscriber);
    if !topic.is_empty() && !subscriber.is_empty() {
        let id = subscriptions::subscription_id(topic, subscriber);
        let one = Route::One {
            topic: topic.clone(),
            subscriber: subscriber.clone(),
        };
        assert_eq!(subscriptions::route(&id), Some(Ok(one.clone())));
        let with_query = format!("{id}?x=1");
        let (classified, query) = route::classify(&with_query);
        assert_eq!(classified, Some(HubRoute::Subscriptions(Ok(one))));
        assert_eq!(query, "x=1");
    }
    if !topic.is_empty() {
        let path = format!("{PATH}/{}", subscriptions::escape(topic));
        assert_eq!(
            subscriptions::route(&path),
            Some(Ok(Route::Topic(topic.clone())))
        );
    }

    let (classified, query) = route::classify(&input.path);
    assert_eq!(query, input.path.split_once('?').map_or("", |(_, q)| q));
    let routed = subscriptions::route(&input.path);
    if routed.is_some() {
        assert!(input.path.contains(PATH));
    }
    let route = match routed {
        Some(Ok(route)) => route,
        Some(Err(RouteError::NotFound | RouteError::BadEscape(_))) | None => return,
    };
    if !input.path.contains('?') {
        assert_eq!(classified, Some(HubRoute::Subscriptions(Ok(route.clone()))));
    }

    let records: Vec<Record> = input
        .records
        .iter()
        .map(|(subscriber, topics)| Record {
            subscriber: subscriber.clone(),
            topics: topics.clone(),
            payload: None,
        })
        .collect();
    let Some(answer) = subscriptions::answer(&route, &input.path, "earliest", &records) else {
        match &route {
            Route::One { topic, subscriber } => assert!(records
                .iter()
                .find(|r| r.subscriber == *subscriber)
                .is_none_or(|r| !r.topics.contains(topic))),
            _ => panic!("a collection is always answered"),
        }
        return;
    };
    let json: Value = serde_json::from_str(&answer).expect("the answer is JSON");
    match &route {
        Route::All | Route::Topic(_) => {
            let listed = json["subscriptions"].as_array().expect("a list");
            for item in listed {
                if let Route::Topic(topic) = &route {
                    assert_eq!(item["topic"].as_str(), Some(topic.as_str()));
                }
                let subscriber = item["subscriber"].as_str().unwrap();
                assert!(records.iter().any(|r| r.subscriber == subscriber));
            }
        }
        Route::One { topic, subscriber } => {
            assert_eq!(json["topic"].as_str(), Some(topic.as_str()));
            assert_eq!(json["subscriber"].as_str(), Some(subscriber.as_str()));
            assert!(json.get("subscriptions").is_none());
        }
    }
});
