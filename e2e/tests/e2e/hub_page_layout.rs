//! The hub page for people, in headless Chromium: every control labelled
//! and reachable with the keyboard (subscribing without a mouse), readable
//! at 360 px (no horizontal scroll, the data gets the panel's width) and at
//! 1280 px, text contrast in both colour schemes; screenshots at both
//! widths (`target/e2e/hub-page-360.png`, `hub-page-1280.png`, which
//! `scripts/hub-screenshots` copies to `docs/`).

use serde_json::{json, Value};

use super::support::contrast;
use super::support::hub::{self, Hub};
use super::support::hub_page::{
    self, assert_no_exceptions, set_token, subscribe, wait_for_state, wait_for_updates, DESCRIBE,
    ENTER, TAB, WAIT,
};
use super::support::webdriver::{browser_or_skip, Browser};
use super::support::{self};

/// Controls without a label: `[id or tag, …]` (a label element, a wrapping
/// label, or a button's text).
const UNLABELLED: &str = "[...document.querySelectorAll('input, textarea, select, button')]
    .filter(el => !((el.labels && el.labels.length > 0 && [...el.labels].some(l => l.textContent.trim()))
        || (el.tagName === 'BUTTON' && el.textContent.trim())))
    .map(el => el.id || el.outerHTML.slice(0, 60))";

/// How far the page scrolls sideways, and the widths of the update list
/// and of the first update's data.
const WIDTHS: &str = "({
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    viewport: document.documentElement.clientWidth,
    list: document.getElementById('updates').getBoundingClientRect().width,
    data: document.querySelector('#updates .data').getBoundingClientRect().width,
    wide: [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .slice(0, 8).map(el => el.tagName + '#' + el.id + '.' + el.className),
})";

#[test]
fn every_control_is_labelled_and_works_from_the_keyboard() {
    let test = "every_control_is_labelled_and_works_from_the_keyboard";
    let hub = hub::shared();
    let Some(mut b) = browser_or_skip(test, 960, 900) else {
        return;
    };
    b.navigate(&hub_page::url(hub, "")).unwrap();
    let unlabelled = b.eval(UNLABELLED).unwrap();
    assert_eq!(unlabelled, json!([]), "every control has a label");
    let landmarks = b
        .eval("[document.querySelectorAll('main').length, document.querySelectorAll('h1').length, document.documentElement.lang]")
        .unwrap();
    assert_eq!(landmarks, json!([1, 1, "en"]));

    // Tab from the hub URL reaches every enabled control, in page order.
    let enabled: Vec<String> = serde_json::from_value(
        b.eval("[...document.querySelectorAll('main input, main textarea, main button')].filter(el => !el.disabled && el.type !== 'radio').map(el => el.id)").unwrap(),
    )
    .unwrap();
    b.click("#hub-url").unwrap();
    let mut reached = vec!["hub-url".to_owned()];
    for _ in 0..40 {
        b.press(TAB).unwrap();
        let id = b
            .eval("document.activeElement.id || document.activeElement.tagName")
            .unwrap();
        reached.push(id.as_str().unwrap_or_default().to_owned());
    }
    let missing: Vec<&String> = enabled.iter().filter(|id| !reached.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "not reached with Tab: {missing:?} (reached {reached:?})"
    );

    // Subscribe with the keyboard alone: type, Tab to the button, Enter.
    let t = hub::topic("keyboard");
    b.type_into("#topics", &t).unwrap();
    b.click("#last-event-id").unwrap();
    b.press(TAB).unwrap();
    let focused = b.eval("document.activeElement.id").unwrap();
    assert_eq!(focused, "subscribe-button");
    b.press(ENTER).unwrap();
    b.wait_until(hub_page::OPEN, WAIT, DESCRIBE).unwrap();
    hub.publish(&[("topic", &t), ("id", "typed-in")]);
    wait_for_updates(&mut b, 1);
    // The full id opens from the keyboard too.
    b.eval("document.querySelector('#updates details.id summary').focus()")
        .unwrap();
    b.press(ENTER).unwrap();
    let open = b
        .eval("document.querySelector('#updates details.id').open")
        .unwrap();
    assert_eq!(open, Value::Bool(true));
    assert_no_exceptions(&mut b);
}

/// Fills the page the way a developer would have it mid-debugging: a
/// subscription with a type, three updates (JSON, text, typed), the
/// active subscriptions and a discovery.
fn fill(b: &mut Browser, hub: &Hub) {
    b.navigate(&hub_page::url(hub, "")).unwrap();
    let token =
        hub.subscriber_token(json!({"mercure": {"subscribe": ["*"], "payload": {"user": "ada"}}}));
    set_token(b, &token, "cookie");
    b.click("#discover-button").unwrap();
    wait_for_state(b, "discover-result", "found");
    let topic = format!("http://{}/demo/books/1.json", hub.client.host);
    subscribe(b, &[&topic, "https://example.com/books/{id}"], "stock", "");
    hub.publish(&[("topic", &topic), ("data", r#"{"@id":"/demo/books/1.json","availability":"https://schema.org/InStock","title":"The Left Hand of Darkness","price":{"amount":12.5,"currency":"EUR"}}"#)]);
    hub.publish(&[
        ("topic", "https://example.com/books/2"),
        ("data", "plain text: a reprint is on its way"),
    ]);
    hub.publish(&[
        ("topic", &topic),
        ("type", "stock"),
        ("data", r#"{"status":"in stock","count":3}"#),
    ]);
    wait_for_updates(b, 3);
    b.click("#subscriptions-load").unwrap();
    wait_for_state(b, "subscriptions-status", "live");
    b.type_into("#publisher-token", &hub.publish_all()).unwrap();
    b.type_into("#publish-topics", &topic).unwrap();
    b.click("#publish-button").unwrap();
    wait_for_state(b, "publish-result", "published");
    wait_for_updates(b, 4);
}

fn save(name: &str, png: &[u8]) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
    let dir = support::target_dir().join("e2e");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
    eprintln!("e2e: screenshot saved to {}", dir.join(name).display());
}

/// (sideways scroll, viewport, list and data widths); panics naming the
/// elements that stick out when the page scrolls sideways.
fn widths(b: &mut Browser) -> (f64, f64, f64, f64) {
    let v = b.eval(WIDTHS).unwrap();
    let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    assert_eq!(
        f("overflow"),
        0.0,
        "no horizontal scroll; too wide: {}",
        v["wide"]
    );
    (f("overflow"), f("viewport"), f("list"), f("data"))
}

#[test]
fn hub_page_is_readable_at_360_and_1280_px() {
    let test = "hub_page_is_readable_at_360_and_1280_px";
    let Some(redis) = hub::own_redis(test) else {
        return;
    };
    let hub = hub::own_hub(test, &redis, &[("HUB_SUBSCRIPTIONS", "true")]).expect("not external");
    let Some(mut b) = browser_or_skip(test, 360, 780) else {
        return;
    };
    fill(&mut b, &hub);
    let (overflow, viewport, list, data) = widths(&mut b);
    assert_eq!(
        (overflow, viewport),
        (0.0, 360.0),
        "no horizontal scroll at 360 px"
    );
    assert!(
        data >= 0.9 * list && list >= 0.75 * viewport,
        "data {data} of list {list} at {viewport} px"
    );
    let id = b
        .eval("document.querySelector('#updates details.id summary').getBoundingClientRect().width")
        .unwrap();
    assert!(id.as_f64().unwrap() < 120.0, "the id is shortened: {id}");
    save("hub-page-360.png", &b.full_page_png(6000).unwrap());

    b.resize(1280, 900).unwrap();
    let (overflow, viewport, list, data) = widths(&mut b);
    assert_eq!((overflow, viewport), (0.0, 1280.0));
    assert!(
        data >= 0.9 * list && list >= 600.0,
        "data {data} of list {list} at 1280 px"
    );
    let side_by_side = b
        .eval("document.querySelector('.area-updates').getBoundingClientRect().left > document.querySelector('.area-subscribe').getBoundingClientRect().right")
        .unwrap();
    assert_eq!(
        side_by_side,
        Value::Bool(true),
        "the updates beside the forms"
    );
    save("hub-page-1280.png", &b.full_page_png(3000).unwrap());
    for scheme in ["light", "dark"] {
        b.color_scheme(scheme).unwrap();
        contrast::assert_text_contrast(&mut b, scheme, HUB_PAGE_TEXT);
    }
    assert_no_exceptions(&mut b);
}

/// The hub page's kinds of text whose contrast is checked.
const HUB_PAGE_TEXT: &[&str] = &[
    "h1",
    "h2",
    ".form label",
    ".hint",
    "#status-text",
    ".update .time",
    ".update .type",
    ".update details.id summary",
    ".update .data",
    ".note",
    "#publish-result",
    "#subscriptions-status",
    ".subscription .state",
    "#discover-result",
    "button",
    "button.secondary",
    ".site-footer p",
];
