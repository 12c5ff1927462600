//! The hub page (`/hub/`) subscribing, in headless Chromium: updates
//! published meanwhile (time, type, short and full id, JSON
//! pretty-printed, markup as text), listed types and the explanation for
//! unlisted ones, `Last-Event-ID` and `earliest`, a reconnect marked and
//! the missed update marked replayed; no HTML sinks in the page's scripts.

use super::support::hub::{self, query, shared, topic};
use super::support::hub_page::{
    self, assert_no_exceptions, ids, rows, subscribe, wait_for_updates, CONNECTING, DESCRIBE, OPEN,
    WAIT,
};
use super::support::static_file;
use super::support::webdriver::browser_or_skip;
use serde_json::Value;

const MARKUP: &str = "<img src=x onerror=\"document.title='pwned'\">";

#[test]
fn hub_page_shows_an_update_published_meanwhile() {
    let hub = shared();
    let Some(mut b) = browser_or_skip("hub_page_shows_an_update_published_meanwhile", 960, 640)
    else {
        return;
    };
    let t = topic("page");
    let page = hub_page::url(hub, &query(&[("topic", &t), ("type", "note")]));
    b.navigate(&page).unwrap();
    b.wait_until(OPEN, WAIT, DESCRIBE).unwrap();
    hub.publish(&[("topic", &t), ("id", "page-1"), ("data", MARKUP)]);
    let uuid = hub.publish(&[
        ("topic", &t),
        ("type", "note"),
        ("data", r#"{"status":"in stock","shelves":[1,2]}"#),
    ]);
    wait_for_updates(&mut b, 2);
    let shown = rows(&mut b);
    assert_eq!(
        (
            shown[0].id.as_str(),
            shown[0].data.as_str(),
            shown[0].format.as_str()
        ),
        ("page-1", MARKUP, "text"),
        "markup shown as text"
    );
    assert_eq!(
        (shown[0].kind.as_str(), shown[0].short_id.as_str()),
        ("message", "page-1")
    );
    assert_eq!(shown[1].kind, "note");
    assert_eq!(
        shown[1].data, "{\n  \"status\": \"in stock\",\n  \"shelves\": [\n    1,\n    2\n  ]\n}",
        "JSON pretty-printed"
    );
    assert_eq!(shown[1].format, "json");
    assert!(uuid.starts_with("urn:uuid:"), "{uuid}");
    assert_eq!(
        (shown[1].id.as_str(), shown[1].full_id.as_str()),
        (uuid.as_str(), uuid.as_str())
    );
    assert_eq!(
        shown[1].short_id,
        format!("{}…", &uuid["urn:uuid:".len()..][..8])
    );
    assert!(
        shown.iter().all(|r| r.time.len() == 12 && !r.replayed),
        "{shown:?}"
    );
    let v: Value = b
        .eval("[document.querySelectorAll('#updates img').length, document.title]")
        .unwrap();
    assert_eq!(v[0], 0);
    assert_ne!(v[1], "pwned");
    let context = hub_page::text(&mut b, "#updates > li.note[data-kind=subscribed]");
    assert!(
        context.contains(&t) && context.contains("listening to message, note"),
        "the selectors and types are shown: {context:?}"
    );
    assert_no_exceptions(&mut b);
}

#[test]
fn hub_page_listens_to_listed_types_and_explains_the_others() {
    let hub = shared();
    let test = "hub_page_listens_to_listed_types_and_explains_the_others";
    let Some(mut b) = browser_or_skip(test, 960, 640) else {
        return;
    };
    b.navigate(&hub_page::url(hub, "")).unwrap();
    let t = topic("types");
    // EventSource (no token): a type not listed never reaches the page.
    subscribe(&mut b, &[&t], "book", "");
    hub.publish(&[("topic", &t), ("id", "t-untyped")]);
    hub.publish(&[("topic", &t), ("id", "t-novel"), ("type", "novel")]);
    hub.publish(&[("topic", &t), ("id", "t-book"), ("type", "book")]);
    wait_for_updates(&mut b, 2);
    assert_eq!(ids(&mut b), ["t-untyped", "t-book"]);
    let hint = hub_page::text(&mut b, "#types-hint");
    assert!(
        hint.contains("message") && hint.contains("silently missed"),
        "the page says why typed updates need listing: {hint:?}"
    );
    // Publishing from the page with an unlisted type says so.
    b.type_into("#publish-topics", &t).unwrap();
    b.type_into("#publish-type", "novel").unwrap();
    b.type_into("#publisher-token", &hub.publish_all()).unwrap();
    b.click("#publish-button").unwrap();
    let said = hub_page::wait_for_state(&mut b, "publish-result", "published");
    assert!(
        said.contains("not listening to type \u{201c}novel\u{201d}"),
        "{said:?}"
    );

    // Read with fetch (token as a header), an unlisted type is shown, marked.
    let token = hub.subscriber_token(serde_json::json!({"mercure": {"subscribe": [&t]}}));
    hub_page::set_token(&mut b, &token, "header");
    subscribe(&mut b, &[&t], "book", "");
    hub.publish(&[("topic", &t), ("id", "t-novel-2"), ("type", "novel")]);
    hub.publish(&[("topic", &t), ("id", "t-book-2"), ("type", "book")]);
    wait_for_updates(&mut b, 4);
    let shown = rows(&mut b);
    let last: Vec<(&str, bool)> = shown[2..]
        .iter()
        .map(|r| (r.id.as_str(), r.unlisted))
        .collect();
    assert_eq!(
        last,
        [("t-novel-2", true), ("t-book-2", false)],
        "{shown:?}"
    );
    assert_no_exceptions(&mut b);
}

#[test]
fn hub_page_replays_from_earliest_and_after_a_given_id() {
    let hub = shared();
    let test = "hub_page_replays_from_earliest_and_after_a_given_id";
    let Some(mut b) = browser_or_skip(test, 960, 640) else {
        return;
    };
    let t = topic("history");
    for id in ["h-1", "h-2", "h-3"] {
        hub.publish(&[("topic", &t), ("id", id), ("data", id)]);
    }
    b.navigate(&hub_page::url(hub, "")).unwrap();
    subscribe(&mut b, &[&t], "", "earliest");
    wait_for_updates(&mut b, 3);
    let shown = rows(&mut b);
    assert_eq!(ids(&mut b), ["h-1", "h-2", "h-3"]);
    assert!(
        shown.iter().all(|r| r.replayed),
        "history marked replayed: {shown:?}"
    );
    b.click("#clear-updates").unwrap();
    subscribe(&mut b, &[&t], "", "h-1");
    wait_for_updates(&mut b, 2);
    assert_eq!(ids(&mut b), ["h-2", "h-3"]);
    let request = hub_page::text(&mut b, "#request");
    assert!(request.contains("lastEventID=h-1"), "{request:?}");
    assert_no_exceptions(&mut b);
}

#[test]
fn hub_page_marks_reconnects_and_replayed_updates() {
    let test = "hub_page_marks_reconnects_and_replayed_updates";
    let Some(mut redis) = hub::own_redis(test) else {
        return;
    };
    // Saved on shutdown, so the history survives the restart below.
    redis.cmd(&["CONFIG", "SET", "save", "3600 1"]);
    let hub = hub::own_hub(test, &redis, &[]).expect("not external");
    let Some(mut b) = browser_or_skip(test, 960, 640) else {
        return;
    };
    let t = topic("replay");
    b.navigate(&hub_page::url(&hub, &query(&[("topic", &t)])))
        .unwrap();
    b.wait_until(OPEN, WAIT, DESCRIBE).unwrap();
    // retry: the browser waits 6 s before reconnecting, time enough to
    // bring Redis back and publish what the page will have missed.
    hub.publish(&[("topic", &t), ("id", "before"), ("retry", "6000")]);
    wait_for_updates(&mut b, 1);
    redis.stop();
    b.wait_until(CONNECTING, WAIT, DESCRIBE).unwrap();
    redis.restart();
    hub.publish(&[("topic", &t), ("id", "missed")]);
    wait_for_updates(&mut b, 2);
    let shown = rows(&mut b);
    let marks: Vec<(&str, bool)> = shown.iter().map(|r| (r.id.as_str(), r.replayed)).collect();
    assert_eq!(marks, [("before", false), ("missed", true)]);
    let reconnects: Value = b
        .eval("document.querySelectorAll('#updates > li.note[data-kind=reconnect]').length")
        .unwrap();
    assert_eq!(reconnects, 1);
    b.wait_until(OPEN, WAIT, DESCRIBE).unwrap();
}

#[test]
fn hub_page_scripts_never_write_html() {
    let dir = super::support::repo_root().join("static/hub");
    let mut scripts = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".js") {
            continue;
        }
        scripts += 1;
        let js = String::from_utf8(static_file(&format!("hub/{name}"))).unwrap();
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!js.contains(sink), "static/hub/{name} uses {sink}");
        }
    }
    assert!(scripts >= 6, "the page's scripts were found ({scripts})");
}
