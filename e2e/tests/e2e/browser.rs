//! The page in a real browser: Debian's Chromium, headless, driven through
//! chromedriver (WebDriver, the `fantoccini` crate). Loads `/`, waits for
//! the four events and the closed state in the DOM, checks text and order,
//! and saves screenshots to `target/e2e/` (`page.png`, `page-dark.png`).
//!
//! Without Chromium and chromedriver these tests fail when `CI` is set and
//! are skipped (with a printed reason) otherwise.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::support::contrast;
use super::support::temp_app::Component;
use super::support::webdriver::{browser_or_skip, Browser};
use super::support::{self, Client, TempApp, SEED_MESSAGES};

/// Four events one second apart, then the browser's reconnect after the
/// `retry` delay (3 s by default) meets 204: well under this.
const STREAM_TIMEOUT: Duration = Duration::from_secs(40);

/// Launches Chromium, or says why not: `None` means skip.
fn browser(test: &str) -> Option<Browser> {
    browser_or_skip(test, 960, 560)
}

fn base_url(client: &Client) -> String {
    format!("http://{}/", client.host)
}

/// The event list as the page shows it: (data-id, time text, message text).
fn shown_events(b: &mut Browser) -> Vec<(String, String, String)> {
    let v = b
        .eval(
            "[...document.querySelectorAll('#events > li')].map(li => [
                li.dataset.id,
                li.querySelector('time').textContent,
                li.querySelector('.message').textContent])",
        )
        .expect("read the event list");
    let rows: Vec<Vec<String>> = serde_json::from_value(v).expect("rows of strings");
    rows.into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect()
}

fn status(b: &mut Browser) -> (String, String) {
    let v = b
        .eval("[document.getElementById('status').dataset.state, document.getElementById('status-text').textContent]")
        .expect("read the status");
    serde_json::from_value(v).expect("two strings")
}

/// Records every value the status's `data-state` takes, in `window.__states`.
const STATE_RECORDER: &str = "window.__states = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.target.id === 'status') window.__states.push(r.target.dataset.state);
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });";

const CLOSED: &str = "document.getElementById('status').dataset.state === 'closed'";
const DESCRIBE: &str = "document.querySelector('main').innerText";

fn is_clock(text: &str) -> bool {
    // hh:mm:ss.mmm
    let b = text.as_bytes();
    b.len() == 12
        && b.iter().enumerate().all(|(i, c)| match i {
            2 | 5 => *c == b':',
            8 => *c == b'.',
            _ => c.is_ascii_digit(),
        })
}

/// The page's kinds of text whose contrast is checked.
const PAGE_TEXT: &[&str] = &[
    "h1",
    ".tagline",
    "#status-text",
    "h2",
    ".event .time",
    ".event .id",
    ".event .message",
    ".site-footer p",
    ".site-footer code",
];

fn save(name: &str, png: &[u8]) -> PathBuf {
    let dir = support::target_dir().join("e2e");
    std::fs::create_dir_all(&dir).expect("create target/e2e");
    let path = dir.join(name);
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("e2e: screenshot saved to {}", path.display());
    path
}

#[test]
fn page_shows_the_four_messages_in_order_then_closed() {
    let client = support::client();
    let Some(mut b) = browser("page_shows_the_four_messages_in_order_then_closed") else {
        return;
    };
    b.before_each_document(STATE_RECORDER).unwrap();
    b.navigate(&base_url(&client)).unwrap();
    b.wait_until(CLOSED, STREAM_TIMEOUT, DESCRIBE).unwrap();

    // Open, then the stream ends and EventSource reconnects with
    // Last-Event-ID 4, the server answers 204, EventSource closes.
    let states = b.eval("window.__states").unwrap();
    assert_eq!(
        states,
        serde_json::json!(["open", "connecting", "closed"]),
        "status transitions"
    );
    let events = shown_events(&mut b);
    let ids: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    let messages: Vec<&str> = events.iter().map(|e| e.2.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4"], "event ids in the DOM");
    assert_eq!(messages, SEED_MESSAGES, "messages in the DOM, in order");
    for (id, time, _) in &events {
        assert!(
            is_clock(time),
            "event {id}: arrival time {time:?} is not hh:mm:ss.mmm"
        );
    }
    assert_eq!(
        status(&mut b),
        ("closed".to_string(), "eventsource was closed.".to_string())
    );
    let exceptions = b.exceptions();
    assert!(exceptions.is_empty(), "page threw: {exceptions:?}");

    contrast::assert_text_contrast(&mut b, "light", PAGE_TEXT);

    let png = b.screenshot_png().unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "screenshot is a PNG");
    save("page.png", &png);
    b.color_scheme("dark").unwrap();
    contrast::assert_text_contrast(&mut b, "dark", PAGE_TEXT);
    save("page-dark.png", &b.screenshot_png().unwrap());
}

#[test]
fn page_has_landmarks_and_a_polite_live_log() {
    let client = support::client();
    let Some(mut b) = browser("page_has_landmarks_and_a_polite_live_log") else {
        return;
    };
    b.navigate(&base_url(&client)).unwrap();
    b.wait_until(
        "document.readyState === 'complete'",
        STREAM_TIMEOUT,
        DESCRIBE,
    )
    .unwrap();
    let v = b
        .eval(
            "({
                lang: document.documentElement.lang,
                title: document.title,
                header: document.querySelectorAll('body > header').length,
                main: document.querySelectorAll('main').length,
                footer: document.querySelectorAll('body > footer').length,
                h1: document.querySelectorAll('h1').length,
                live: document.getElementById('events').getAttribute('aria-live'),
                list: document.getElementById('events').tagName,
                statusRole: document.getElementById('status').getAttribute('role'),
                stylesheets: document.styleSheets.length,
             })",
        )
        .unwrap();
    assert_eq!(v["lang"], "en");
    assert!(v["title"].as_str().unwrap().contains("spin-sse"), "{v}");
    for landmark in ["header", "main", "footer", "h1"] {
        assert_eq!(v[landmark], 1, "exactly one {landmark}: {v}");
    }
    assert_eq!(v["live"], "polite");
    assert_eq!(v["list"], "OL");
    assert_eq!(v["statusRole"], "status");
    assert_eq!(v["stylesheets"], 1, "style.css loaded");
}

#[test]
fn page_says_so_when_eventsource_is_unsupported() {
    let client = support::client();
    let Some(mut b) = browser("page_says_so_when_eventsource_is_unsupported") else {
        return;
    };
    b.before_each_document("delete window.EventSource;")
        .unwrap();
    b.navigate(&base_url(&client)).unwrap();
    b.wait_until(
        "document.getElementById('status').dataset.state === 'unsupported'",
        Duration::from_secs(10),
        DESCRIBE,
    )
    .unwrap();
    let (_, text) = status(&mut b);
    assert!(
        text.contains("does not support EventSource"),
        "status text: {text:?}"
    );
    assert!(shown_events(&mut b).is_empty());
}

#[test]
fn page_shows_markup_in_messages_as_text_never_as_html() {
    let test = "page_shows_markup_in_messages_as_text_never_as_html";
    let mut app = TempApp::new("markup");
    for entry in std::fs::read_dir(support::repo_root().join("static")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file() && !name.ends_with(".br") && !name.ends_with(".gz") {
            app.write(&format!("public/{name}"), std::fs::read(&path).unwrap());
        }
    }
    let messages = [
        "<b>bold?</b>",
        "<img src=x onerror=\"document.title='pwned'\">",
        "a & b < c",
    ];
    let messages_json = serde_json::to_string(&messages).unwrap();
    app.component(Component::static_files("/...", "public"));
    app.component(
        Component::sse("/sse")
            .env("SSE_MESSAGES", &messages_json)
            .env("SSE_INTERVAL_MS", "100")
            .env("SSE_RETRY_MS", "200"),
    );
    let Some(runner) = support::own_runner(test, &app.manifest()) else {
        return;
    };
    let Some(mut b) = browser(test) else {
        return;
    };
    b.navigate(&base_url(&runner.client())).unwrap();
    b.wait_until(CLOSED, STREAM_TIMEOUT, DESCRIBE).unwrap();
    let shown: Vec<String> = shown_events(&mut b).into_iter().map(|e| e.2).collect();
    assert_eq!(shown, messages);
    let v: Value = b
        .eval("[document.querySelectorAll('#events img, #events b').length, document.title]")
        .unwrap();
    assert_eq!(v[0], 0, "no element was created from server data");
    assert_ne!(v[1], "pwned");
}

#[test]
fn page_script_never_writes_html() {
    let js = String::from_utf8(support::static_file("app.js")).unwrap();
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
    ] {
        assert!(!js.contains(sink), "static/app.js uses {sink}");
    }
}
