//! The hub page's other panels, in headless Chromium: active subscriptions
//! (listed from the subscriptions API, kept live from the subscription
//! events, an ended one marked; the API being off explained) and discovery
//! (the demo resource's `Link: <…>; rel="mercure"` header found and used;
//! a resource without one explained).

use serde_json::{json, Value};

use super::support::hub::{self, query, shared, topic};
use super::support::hub_page::{
    self, assert_no_exceptions, set_token, wait_for_state, DESCRIBE, WAIT,
};
use super::support::webdriver::browser_or_skip;

/// `[topic, data-active, state text]` of each listed subscription.
fn listed(b: &mut super::support::webdriver::Browser) -> Vec<(String, String, String)> {
    let v = b
        .eval(
            "[...document.querySelectorAll('#subscriptions > li.subscription')].map(li => [
                li.querySelector('.topic .value').textContent, li.dataset.active,
                li.querySelector('.state').textContent])",
        )
        .unwrap();
    serde_json::from_value(v).unwrap()
}

fn row_of(rows: &[(String, String, String)], topic: &str) -> Option<(String, String)> {
    rows.iter()
        .find(|r| r.0 == topic)
        .map(|r| (r.1.clone(), r.2.clone()))
}

#[test]
fn active_subscriptions_are_listed_and_kept_live() {
    let test = "active_subscriptions_are_listed_and_kept_live";
    let Some(redis) = hub::own_redis(test) else {
        return;
    };
    let hub = hub::own_hub(test, &redis, &[("HUB_SUBSCRIPTIONS", "true")]).expect("not external");
    let Some(mut b) = browser_or_skip(test, 960, 900) else {
        return;
    };
    let (early, late) = (topic("early"), topic("late"));
    let _first = hub.subscribe(&query(&[("topic", &early)]), &[]);
    b.navigate(&hub_page::url(&hub, "")).unwrap();
    let token =
        hub.subscriber_token(json!({"mercure": {"subscribe": ["*"], "payload": {"user": "ada"}}}));
    set_token(&mut b, &token, "header");
    b.click("#subscriptions-load").unwrap();
    let said = wait_for_state(&mut b, "subscriptions-status", "live");
    assert!(said.contains("active"), "{said:?}");
    let rows = listed(&mut b);
    assert_eq!(
        row_of(&rows, &early),
        Some(("true".into(), "active".into())),
        "{rows:?}"
    );

    // A subscriber arriving later is added, live; leaving, it is marked.
    let second = hub.subscribe(&query(&[("topic", &late)]), &[]);
    let has_late = format!(
        "[...document.querySelectorAll('#subscriptions .topic .value')].some(e => e.textContent === {late:?})"
    );
    b.wait_until(&has_late, WAIT, DESCRIBE).unwrap();
    second.reader.disconnect();
    let ended = format!(
        "[...document.querySelectorAll('#subscriptions > li[data-active=false] .topic .value')].some(e => e.textContent === {late:?})"
    );
    b.wait_until(&ended, WAIT, DESCRIBE).unwrap();
    let rows = listed(&mut b);
    let (active, state) = row_of(&rows, &late).unwrap();
    assert_eq!(active, "false");
    assert!(state.starts_with("ended "), "{state:?}");
    assert_eq!(row_of(&rows, &early).unwrap().0, "true", "{rows:?}");

    // The page's own subscription shows up with its token's payload.
    b.type_into("#topics", "https://example.com/own").unwrap();
    b.click("#subscribe-button").unwrap();
    let own = "[...document.querySelectorAll('#subscriptions > li')].find(li => li.querySelector('.topic .value').textContent === 'https://example.com/own')";
    b.wait_until(&format!("!!{own}"), WAIT, DESCRIBE).unwrap();
    let payload: Value = b
        .eval(&format!(
            "JSON.parse({own}.querySelector('.payload').textContent)"
        ))
        .unwrap();
    assert_eq!(payload, json!({"user": "ada"}));
    assert_no_exceptions(&mut b);
}

#[test]
fn subscriptions_api_off_is_explained() {
    let test = "subscriptions_api_off_is_explained";
    // The shared hub runs with the default hub_subscriptions = false.
    let hub = shared();
    let Some(mut b) = browser_or_skip(test, 960, 900) else {
        return;
    };
    b.navigate(&hub_page::url(hub, "")).unwrap();
    let token = hub.subscriber_token(json!({"mercure": {"subscribe": ["*"]}}));
    set_token(&mut b, &token, "cookie");
    b.click("#subscriptions-load").unwrap();
    let said = wait_for_state(&mut b, "subscriptions-status", "off");
    assert!(
        said.contains("404")
            && said.contains("hub_subscriptions = true")
            && said.contains("scripts/up"),
        "{said:?}"
    );
    assert_no_exceptions(&mut b);
}

#[test]
fn demo_resource_names_the_hub_in_its_link_header() {
    let client = super::support::client();
    let resource = client.get("/demo/books/1.json");
    assert_eq!(resource.status(), 200);
    assert_eq!(
        resource.header("link"),
        Some(r#"</.well-known/mercure>; rel="mercure""#)
    );
    let data: Value = serde_json::from_str(&resource.text()).expect("JSON");
    assert_eq!(data["@id"], "/demo/books/1.json");
    let page = client.get("/hub/");
    assert_eq!(
        (page.status(), page.header("link")),
        (200, None),
        "only /demo/ names the hub"
    );
}

#[test]
fn discover_finds_the_hub_and_sets_it_up() {
    let test = "discover_finds_the_hub_and_sets_it_up";
    let hub = shared();
    let Some(mut b) = browser_or_skip(test, 960, 900) else {
        return;
    };
    b.navigate(&hub_page::url(hub, "")).unwrap();
    let origin = format!("http://{}", hub.client.host);
    b.type_into("#hub-url", "http://127.0.0.1:9/not-the-hub")
        .unwrap();
    b.click("#discover-button").unwrap();
    let said = wait_for_state(&mut b, "discover-result", "found");
    let resource = format!("{origin}/demo/books/1.json");
    assert!(
        said.contains(&format!("Hub: {origin}/.well-known/mercure")),
        "{said:?}"
    );
    let fields: Vec<String> = serde_json::from_value(
        b.eval(
            "['hub-url', 'topics', 'publish-topics'].map(id => document.getElementById(id).value)",
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        fields,
        [
            format!("{origin}/.well-known/mercure"),
            resource.clone(),
            resource.clone()
        ]
    );
    let body = hub_page::text(&mut b, "#discover-body");
    assert!(body.contains("\"@id\": \"/demo/books/1.json\""), "{body:?}");

    // The discovered hub and topic work: subscribe, publish to it, see it.
    b.click("#subscribe-button").unwrap();
    b.wait_until(hub_page::OPEN, WAIT, DESCRIBE).unwrap();
    hub.publish(&[("topic", &resource), ("id", "discovered")]);
    hub_page::wait_for_updates(&mut b, 1);
    assert_eq!(hub_page::ids(&mut b), ["discovered"]);

    // A resource without the header: said so.
    b.type_into("#discover-url", &format!("{origin}/hub/"))
        .unwrap();
    b.click("#discover-button").unwrap();
    let said = wait_for_state(&mut b, "discover-result", "none");
    assert!(said.contains("rel=\"mercure\""), "{said:?}");
    assert_no_exceptions(&mut b);
}
