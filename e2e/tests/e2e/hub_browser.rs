//! The event hub page (`/hub/`) in headless Chromium: an update published
//! meanwhile shows up (id, type, data, time), markup in data stays text, a
//! reconnect is marked and the missed update is marked replayed; the
//! page's script has no HTML sinks. Screenshot: `target/e2e/hub-page.png`.

use super::support::cdp::{browser_or_skip, Browser};
use super::support::hub::{self, query, shared, topic};
use super::support::{self, static_file};
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);
const DESCRIBE: &str = "document.querySelector('main').innerText";
const OPEN: &str = "document.getElementById('status').dataset.state === 'open'";
const CONNECTING: &str = "document.getElementById('status').dataset.state === 'connecting'";

fn rows(b: &mut Browser) -> Vec<Vec<String>> {
    let v = b
        .eval(
            "[...document.querySelectorAll('#updates > li.update')].map(li => [
                li.dataset.id, li.querySelector('time').textContent,
                li.querySelector('.type').textContent, li.querySelector('.data').textContent,
                li.dataset.replayed || ''])",
        )
        .expect("read the update list");
    serde_json::from_value(v).expect("rows of strings")
}

#[test]
fn hub_page_shows_an_update_published_meanwhile() {
    let hub = shared();
    let Some(mut b) = browser_or_skip("hub_page_shows_an_update_published_meanwhile", 960, 640)
    else {
        return;
    };
    let t = topic("page");
    let url = format!(
        "http://{}/hub/?{}",
        hub.client.host,
        query(&[("topic", &t), ("type", "note")])
    );
    b.navigate(&url).unwrap();
    b.wait_until(OPEN, WAIT, DESCRIBE).unwrap();
    hub.publish(&[
        ("topic", &t),
        ("id", "page-1"),
        ("data", "<img src=x onerror=\"document.title='pwned'\">"),
    ]);
    hub.publish(&[
        ("topic", &t),
        ("id", "page-2"),
        ("type", "note"),
        ("data", "typed"),
    ]);
    b.wait_until(&count_is(2), WAIT, DESCRIBE).unwrap();
    let shown = rows(&mut b);
    assert_eq!(shown[0][0], "page-1");
    assert_eq!(
        shown[0][3], "<img src=x onerror=\"document.title='pwned'\">",
        "markup shown as text"
    );
    assert_eq!(
        (
            shown[1][0].as_str(),
            shown[1][2].as_str(),
            shown[1][3].as_str()
        ),
        ("page-2", "note", "typed")
    );
    assert!(
        shown.iter().all(|r| r[1].len() == 12 && r[4].is_empty()),
        "{shown:?}"
    );
    let v: Value = b
        .eval("[document.querySelectorAll('#updates img').length, document.title]")
        .unwrap();
    assert_eq!(v[0], 0);
    assert_ne!(v[1], "pwned");
    let png = b.screenshot_png().unwrap();
    let dir = support::target_dir().join("e2e");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("hub-page.png"), png).unwrap();
    assert!(b.exceptions().is_empty(), "{:?}", b.exceptions());
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
    let url = format!(
        "http://{}/hub/?{}",
        hub.client.host,
        query(&[("topic", &t)])
    );
    b.navigate(&url).unwrap();
    b.wait_until(OPEN, WAIT, DESCRIBE).unwrap();
    // retry: the browser waits 6 s before reconnecting, time enough to
    // bring Redis back and publish what the page will have missed.
    hub.publish(&[("topic", &t), ("id", "before"), ("retry", "6000")]);
    b.wait_until(&count_is(1), WAIT, DESCRIBE).unwrap();
    redis.stop();
    b.wait_until(CONNECTING, WAIT, DESCRIBE).unwrap();
    redis.restart();
    hub.publish(&[("topic", &t), ("id", "missed")]);
    b.wait_until(&count_is(2), WAIT, DESCRIBE).unwrap();
    let shown = rows(&mut b);
    assert_eq!(
        (shown[0][0].as_str(), shown[0][4].as_str()),
        ("before", ""),
        "{shown:?}"
    );
    assert_eq!(
        (shown[1][0].as_str(), shown[1][4].as_str()),
        ("missed", "true"),
        "{shown:?}"
    );
    let reconnects: Value = b
        .eval("document.querySelectorAll('#updates > li.reconnect').length")
        .unwrap();
    assert_eq!(reconnects, 1);
    b.wait_until(OPEN, WAIT, DESCRIBE).unwrap();
}

fn count_is(n: usize) -> String {
    format!("document.querySelectorAll('#updates > li.update').length === {n}")
}

#[test]
fn hub_page_script_never_writes_html() {
    let js = String::from_utf8(static_file("hub/hub.js")).unwrap();
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!js.contains(sink), "static/hub/hub.js uses {sink}");
    }
}
