use super::*;
use serde_json::json;
use std::time::Duration;

const SUB: &str = "urn:uuid:2b8b5f7c-6f43-4a3f-9d8e-0c6a1f2e3d4b";
const SUB_ESCAPED: &str = "urn%3Auuid%3A2b8b5f7c-6f43-4a3f-9d8e-0c6a1f2e3d4b";

fn record() -> Record {
    Record {
        subscriber: SUB.into(),
        topics: vec!["https://example.com/books/1".into(), "*".into()],
        payload: Some(json!({"user": "alice"})),
    }
}

#[test]
fn escaping_is_go_query_escape() {
    assert_eq!(
        escape("https://example.com/books/{id}?a=1 b"),
        "https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D%3Fa%3D1+b"
    );
    assert_eq!(escape(SUB), SUB_ESCAPED);
    assert_eq!(escape("a-_.~Z9é"), "a-_.~Z9%C3%A9");
    for text in ["https://example.com/a b/é?x=%41", "", "+%"] {
        assert_eq!(unescape(&escape(text)).as_deref(), Some(text));
    }
}

#[test]
fn unescaping_refuses_bad_escapes_and_non_utf8() {
    assert_eq!(unescape("a+b%2fc%2F").as_deref(), Some("a b/c/"));
    for bad in ["%", "%2", "%zz", "%+1", "%C3"] {
        assert_eq!(unescape(bad), None, "{bad}");
    }
}

#[test]
fn routes_are_the_three_shapes_and_nothing_else() {
    let topic = escape("https://example.com/books/1");
    assert_eq!(
        route("/.well-known/mercure/subscriptions"),
        Some(Ok(Route::All))
    );
    assert_eq!(
        route(&format!("{PATH}/{topic}")),
        Some(Ok(Route::Topic("https://example.com/books/1".into())))
    );
    assert_eq!(
        route(&format!("{PATH}/{topic}/{SUB_ESCAPED}")),
        Some(Ok(Route::One {
            topic: "https://example.com/books/1".into(),
            subscriber: SUB.into()
        }))
    );
    for not_found in ["/", "//", "/a/", "/a/b/c", "//b", "/a//"] {
        assert_eq!(
            route(&format!("{PATH}{not_found}")),
            Some(Err(RouteError::NotFound)),
            "{not_found}"
        );
    }
    assert_eq!(
        route(&format!("{PATH}/%zz")),
        Some(Err(RouteError::BadEscape("topic")))
    );
    assert_eq!(
        route(&format!("{PATH}/a/%C3")),
        Some(Err(RouteError::BadEscape("subscriber")))
    );
    assert_eq!(route("/.well-known/mercure"), None);
    assert_eq!(route("/.well-known/mercure/subscriptionsx"), None);
}

#[test]
fn a_subscription_event_is_the_reference_shape() {
    let events = record().events(true);
    assert_eq!(events.len(), 2);
    let (topic, data) = &events[0];
    assert_eq!(
        *topic,
        format!("{PATH}/https%3A%2F%2Fexample.com%2Fbooks%2F1/{SUB_ESCAPED}")
    );
    let expected = format!(
        "{{\n  \"@context\": \"https://mercure.rocks/\",\n  \"id\": \"{topic}\",\n  \"type\": \"Subscription\",\n  \"subscriber\": \"{SUB}\",\n  \"topic\": \"https://example.com/books/1\",\n  \"active\": true,\n  \"payload\": {{\n    \"user\": \"alice\"\n  }}\n}}"
    );
    assert_eq!(data, &expected);
    let ended: Value = serde_json::from_str(&record().events(false)[1].1).unwrap();
    assert_eq!(ended["active"], json!(false));
    assert_eq!(ended["topic"], json!("*"));
    assert_eq!(ended["id"], json!(format!("{PATH}/%2A/{SUB_ESCAPED}")));
    assert!(ended.get("lastEventID").is_none());
}

#[test]
fn no_payload_means_no_payload_field() {
    let mut bare = record();
    bare.payload = None;
    let data: Value = serde_json::from_str(&bare.events(true)[0].1).unwrap();
    assert!(data.get("payload").is_none(), "{data}");
}

#[test]
fn the_collection_lists_every_subscription_without_context() {
    let other = Record {
        subscriber: "urn:uuid:other".into(),
        topics: vec!["https://example.com/books/{id}".into()],
        payload: None,
    };
    let text = answer(
        &Route::All,
        "/.well-known/mercure/subscriptions?x=1",
        "urn:uuid:last",
        &[record(), other],
    )
    .unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["@context"], json!(CONTEXT));
    assert_eq!(value["id"], json!("/.well-known/mercure/subscriptions?x=1"));
    assert_eq!(value["type"], json!("Subscriptions"));
    assert_eq!(value["lastEventID"], json!("urn:uuid:last"));
    let list = value["subscriptions"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert!(list
        .iter()
        .all(|s| s.get("@context").is_none() && s.get("lastEventID").is_none()));
    assert_eq!(list[0]["type"], json!("Subscription"));
    assert_eq!(list[0]["active"], json!(true));
    assert_eq!(list[2]["subscriber"], json!("urn:uuid:other"));
}

#[test]
fn the_topic_filter_is_the_exact_selector_text() {
    let template = Record {
        subscriber: "urn:uuid:t".into(),
        topics: vec![
            "https://example.com/books/{id}".into(),
            "https://example.com/books/1".into(),
        ],
        payload: None,
    };
    let records = [record(), template];
    let list = |topic: &str| -> Vec<String> {
        let text = answer(&Route::Topic(topic.into()), "/x", "earliest", &records).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        value["subscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["subscriber"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(list("https://example.com/books/1"), [SUB, "urn:uuid:t"]);
    assert_eq!(list("*"), [SUB]);
    assert_eq!(
        list("https://example.com/books/{id}"),
        ["urn:uuid:t"],
        "a template by its text"
    );
    assert!(list("https://example.com/books/2").is_empty());
}

#[test]
fn one_subscription_has_context_and_last_event_id_or_is_not_found() {
    let records = [record()];
    let one = |topic: &str, subscriber: &str| {
        answer(
            &Route::One {
                topic: topic.into(),
                subscriber: subscriber.into(),
            },
            "/x",
            "earliest",
            &records,
        )
    };
    let value: Value =
        serde_json::from_str(&one("https://example.com/books/1", SUB).unwrap()).unwrap();
    assert_eq!(value["@context"], json!(CONTEXT));
    assert_eq!(value["lastEventID"], json!("earliest"));
    assert_eq!(value["payload"], json!({"user": "alice"}));
    assert_eq!(one("https://example.com/books/2", SUB), None);
    assert_eq!(one("https://example.com/books/1", "urn:uuid:gone"), None);
}

#[test]
fn records_round_trip_and_junk_is_skipped() {
    assert_eq!(Record::from_json(&record().to_json()), Some(record()));
    assert_eq!(Record::from_json(b"{}"), None);
    assert_eq!(Record::from_json(b"junk"), None);
}

#[test]
fn entries_outlive_two_missed_refreshes_and_refresh_once_a_heartbeat() {
    let heartbeat = Duration::from_millis(500);
    assert_eq!(ttl(heartbeat), Duration::from_millis(1500));
    assert_eq!(ttl(Duration::MAX), Duration::MAX);
    assert!(!refresh_due(Duration::from_millis(499), heartbeat));
    assert!(refresh_due(heartbeat, heartbeat));
}
