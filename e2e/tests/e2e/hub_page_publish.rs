//! The hub page's publish form, in headless Chromium: every field (topics,
//! data, private, id, type, retry) reaches a subscriber as typed, the
//! hub's answer (the id) is shown, and a refused publish shows the hub's
//! status and one-line reason.

use std::time::Duration;

use serde_json::json;

use super::support::hub::{query, shared, topic};
use super::support::hub_page::{self, assert_no_exceptions, wait_for_state};
use super::support::webdriver::browser_or_skip;

#[test]
fn publish_form_sends_every_field_and_shows_the_hub_answer() {
    let test = "publish_form_sends_every_field_and_shows_the_hub_answer";
    let hub = shared();
    let (t, alternate) = (topic("publish"), topic("publish-alt"));
    let secret = hub.subscriber_token(json!({"mercure": {"subscribe": [&alternate]}}));
    let bearer = format!("Bearer {secret}");
    let mut subscriber = hub.subscribe(
        &query(&[("topic", &alternate)]),
        &[("Authorization", &bearer)],
    );
    let Some(mut b) = browser_or_skip(test, 960, 900) else {
        return;
    };
    b.navigate(&hub_page::url(hub, "")).unwrap();
    b.type_into("#publish-topics", &format!("{t}\n{alternate}"))
        .unwrap();
    b.type_into("#publish-data", "line one\nline two").unwrap();
    b.click("#publish-private").unwrap();
    b.type_into("#publish-id", "form-1").unwrap();
    b.type_into("#publish-type", "book").unwrap();
    b.type_into("#publish-retry", "4000").unwrap();
    b.type_into("#publisher-token", &hub.publish_all()).unwrap();
    b.click("#publish-button").unwrap();
    let said = wait_for_state(&mut b, "publish-result", "published");
    assert_eq!(said, "Published with id form-1.");
    let block = subscriber.next().expect("the update reaches a subscriber");
    assert_eq!(block.id(), Some("form-1"));
    assert_eq!(block.field("event"), Some("book"));
    assert_eq!(block.retry(), Some(4000));
    assert_eq!(block.data().as_deref(), Some("line one\nline two"));

    // Private: a subscriber without a token for the topics does not get it.
    let mut public = hub.subscribe(&query(&[("topic", &t)]), &[]);
    b.type_into("#publish-id", "form-2").unwrap();
    b.click("#publish-button").unwrap();
    b.wait_until(
        "document.getElementById('publish-result').textContent.includes('form-2')",
        hub_page::WAIT,
        hub_page::DESCRIBE,
    )
    .unwrap();
    assert_eq!(
        subscriber
            .next()
            .and_then(|b| b.id().map(str::to_owned))
            .as_deref(),
        Some("form-2")
    );
    hub.publish(&[("topic", &t), ("id", "after")]);
    assert_eq!(
        public.ids(1),
        ["after"],
        "the private update skipped the anonymous subscriber"
    );
    assert_no_exceptions(&mut b);
}

#[test]
fn refused_publish_shows_the_hub_reason() {
    let test = "refused_publish_shows_the_hub_reason";
    let hub = shared();
    let Some(mut b) = browser_or_skip(test, 960, 900) else {
        return;
    };
    b.navigate(&hub_page::url(hub, "")).unwrap();
    b.type_into("#publish-topics", &topic("refused")).unwrap();
    b.click("#publish-button").unwrap();
    let said = wait_for_state(&mut b, "publish-result", "refused");
    assert!(
        said.starts_with(
            "Refused: the hub answered 401 (no publisher token was given): unauthorized: "
        ),
        "{said:?}"
    );
    // A token that may publish elsewhere only: the topic it misses is named.
    let narrow =
        hub.publisher_token(json!({"mercure": {"publish": ["https://example.com/other"]}}));
    b.type_into("#publisher-token", &narrow).unwrap();
    b.click("#publish-button").unwrap();
    b.wait_until(
        "!document.getElementById('publish-result').textContent.includes('no publisher token')",
        Duration::from_secs(10),
        "document.getElementById('publish-result').textContent",
    )
    .unwrap();
    let said = wait_for_state(&mut b, "publish-result", "refused");
    assert!(said.contains("401") && said.contains("publish"), "{said:?}");
    // Bad input: a retry that is not a number.
    b.type_into("#publisher-token", &hub.publish_all()).unwrap();
    b.type_into("#publish-retry", "soon").unwrap();
    b.click("#publish-button").unwrap();
    b.wait_until(
        "document.getElementById('publish-result').textContent.includes('400')",
        Duration::from_secs(10),
        "document.getElementById('publish-result').textContent",
    )
    .unwrap();
    let said = hub_page::text(&mut b, "#publish-result");
    assert!(
        said.starts_with("Refused: the hub answered 400: "),
        "{said:?}"
    );
    assert_no_exceptions(&mut b);
}
