//! The hub page (`/hub/`) as the browser tests drive it: opening it on a
//! hub, filling its forms the way a user does (typing, clicking), and
//! reading what it shows (the update rows, the status lines).

use std::time::Duration;

use serde::Deserialize;

use super::hub::Hub;
use super::webdriver::Browser;

/// How long the page may take to show something.
pub const WAIT: Duration = Duration::from_secs(30);
/// What a timed-out wait prints of the page.
pub const DESCRIBE: &str = "document.querySelector('main').innerText";
pub const OPEN: &str = "document.getElementById('status').dataset.state === 'open'";
pub const CONNECTING: &str = "document.getElementById('status').dataset.state === 'connecting'";

/// WebDriver's key codes.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";

/// One update row as shown.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Row {
    /// The full id (`data-id`).
    pub id: String,
    /// The id as the row's summary shows it.
    pub short_id: String,
    /// The id inside the row's details.
    pub full_id: String,
    pub time: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: String,
    /// `json` or `text`.
    pub format: String,
    pub replayed: bool,
    pub unlisted: bool,
}

/// The page's URL on `hub`, with an optional query (e.g. `topic=…`).
pub fn url(hub: &Hub, query: &str) -> String {
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("http://{}/hub/{query}", hub.client.host)
}

/// The update rows in arrival order (the page shows the newest first).
pub fn rows(b: &mut Browser) -> Vec<Row> {
    let v = b
        .eval(
            "[...document.querySelectorAll('#updates > li.update')].reverse().map(li => ({
                id: li.dataset.id,
                short_id: li.querySelector('details.id summary').textContent,
                full_id: li.querySelector('details.id .full-id').textContent,
                time: li.querySelector('time').textContent,
                type: li.querySelector('.type').textContent,
                data: li.querySelector('.data').textContent,
                format: li.querySelector('.data').dataset.format,
                replayed: li.dataset.replayed === 'true',
                unlisted: li.dataset.unlisted === 'true',
            }))",
        )
        .expect("read the update list");
    serde_json::from_value(v).expect("rows")
}

/// The ids of the update rows, in arrival order.
pub fn ids(b: &mut Browser) -> Vec<String> {
    rows(b).into_iter().map(|r| r.id).collect()
}

/// Waits until the page shows `n` updates.
pub fn wait_for_updates(b: &mut Browser, n: usize) {
    let condition = format!("document.querySelectorAll('#updates > li.update').length >= {n}");
    b.wait_until(&condition, WAIT, DESCRIBE).unwrap();
}

/// Waits until the element `id` has `data-state` `state`; its text.
pub fn wait_for_state(b: &mut Browser, id: &str, state: &str) -> String {
    let condition = format!("document.getElementById('{id}').dataset.state === '{state}'");
    b.wait_until(
        &condition,
        WAIT,
        &format!("document.getElementById('{id}').textContent"),
    )
    .unwrap();
    text(b, &format!("#{id}"))
}

/// The text of the element `css` selects.
pub fn text(b: &mut Browser, css: &str) -> String {
    let v = b
        .eval(&format!("document.querySelector({css:?}).textContent"))
        .unwrap();
    v.as_str().unwrap_or_default().to_owned()
}

/// Fills the settings: the subscriber token and how it is sent.
pub fn set_token(b: &mut Browser, token: &str, auth: &str) {
    b.type_into("#token", token).unwrap();
    b.click(&format!("input[name=auth][value={auth}]")).unwrap();
}

/// Fills the subscribe form (selectors one per line) and submits it; waits
/// for the stream to open.
pub fn subscribe(b: &mut Browser, selectors: &[&str], types: &str, last_event_id: &str) {
    b.type_into("#topics", &selectors.join("\n")).unwrap();
    b.type_into("#types", types).unwrap();
    b.type_into("#last-event-id", last_event_id).unwrap();
    b.click("#subscribe-button").unwrap();
    b.wait_until(OPEN, WAIT, DESCRIBE).unwrap();
}

/// The page's uncaught errors; none expected.
pub fn assert_no_exceptions(b: &mut Browser) {
    let exceptions = b.exceptions();
    assert!(exceptions.is_empty(), "page threw: {exceptions:?}");
}
