//! The subscriptions API and subscription events as the reference hub v0.24
//! has them (its "Active Subscriptions" and "Subscription Events"): the
//! JSON-LD shapes, the routes under `/.well-known/mercure/subscriptions`
//! (topic and subscriber percent-encoded as Go's `url.QueryEscape` does),
//! the record each active subscriber keeps in the shared registry, and how
//! the API's answers are built from those records.
//!
//! Pure: no I/O; the registry itself is [`crate::transport::history::Registry`].

pub mod api;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// The JSON-LD `@context` the reference hub writes.
pub const CONTEXT: &str = "https://mercure.rocks/";
/// The API's path, and the prefix of every subscription's id and topic.
pub const PATH: &str = "/.well-known/mercure/subscriptions";
/// The API's content type.
pub const CONTENT_TYPE: &str = "application/ld+json";

/// One subscription (one topic selector of one subscriber).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subscription<'a> {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    pub context: Option<&'static str>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub subscriber: &'a str,
    pub topic: &'a str,
    pub active: bool,
    #[serde(rename = "lastEventID", skip_serializing_if = "Option::is_none")]
    pub last_event_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<&'a Value>,
}

/// The list of active subscriptions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collection<'a> {
    #[serde(rename = "@context")]
    pub context: &'static str,
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "lastEventID")]
    pub last_event_id: &'a str,
    pub subscriptions: Vec<Subscription<'a>>,
}

/// What the registry keeps of one active subscriber (its JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// `urn:uuid:<v4>`.
    pub subscriber: String,
    /// Its topic selectors as requested.
    pub topics: Vec<String>,
    /// The token's `mercure.payload`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
}

impl Record {
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// `None` for bytes that are not a record (skipped).
    pub fn from_json(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }

    /// Its subscriptions: all of them, or those whose selector is exactly
    /// `topic` (the reference hub also asks that it match `topic`, which a
    /// selector always does to its own text).
    pub fn subscriptions<'a>(
        &'a self,
        topic: Option<&str>,
        context: Option<&'static str>,
        active: bool,
    ) -> Vec<Subscription<'a>> {
        self.topics
            .iter()
            .filter(|t| topic.is_none_or(|want| *t == want))
            .map(|t| Subscription {
                context,
                id: subscription_id(t, &self.subscriber),
                kind: "Subscription",
                subscriber: &self.subscriber,
                topic: t,
                active,
                last_event_id: None,
                payload: self.payload.as_ref(),
            })
            .collect()
    }

    /// The data of the subscription events for its start (`active`) or
    /// end: one `(topic, JSON)` per subscription, the topic being the
    /// subscription's id.
    pub fn events(&self, active: bool) -> Vec<(String, String)> {
        self.subscriptions(None, Some(CONTEXT), active)
            .into_iter()
            .map(|s| (s.id.clone(), pretty(&s)))
            .collect()
    }
}

/// `/.well-known/mercure/subscriptions/{topic}/{subscriber}`, both escaped.
pub fn subscription_id(topic: &str, subscriber: &str) -> String {
    format!("{PATH}/{}/{}", escape(topic), escape(subscriber))
}

/// JSON indented by two spaces, as the reference hub writes it.
pub fn pretty(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, every other
/// byte `%XX` (upper-case hex).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Go's `url.QueryUnescape` (`+` is a space); `None` for a bad `%` escape
/// or bytes that are not UTF-8.
pub fn unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// How long a registry entry lives unless refreshed: three heartbeats. A
/// live stream refreshes it once a heartbeat (its blocking read waits at
/// most that long), so only a stream whose instance is gone, or stalled
/// for two heartbeats, drops out.
pub fn ttl(heartbeat: Duration) -> Duration {
    heartbeat.saturating_mul(3)
}

/// Whether a stream's entry is due for a refresh, `since` the last one.
pub fn refresh_due(since: Duration, heartbeat: Duration) -> bool {
    since >= heartbeat
}

/// Which answer a path under [`PATH`] asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/subscriptions`: every active subscription.
    All,
    /// `/subscriptions/{topic}`: those whose selector is `topic`.
    Topic(String),
    /// `/subscriptions/{topic}/{subscriber}`: one.
    One { topic: String, subscriber: String },
}

/// Why a path is not a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// Not one of the three shapes (a 404, as the reference router).
    NotFound,
    /// A segment that does not unescape (a 400 with this reason).
    BadEscape(&'static str),
}

/// The route of `path` (raw, without the query), `None` if it is not
/// under [`PATH`] at all.
pub fn route(path: &str) -> Option<Result<Route, RouteError>> {
    let at = path.find(PATH)?;
    let rest = &path[at + PATH.len()..];
    if rest.is_empty() {
        return Some(Ok(Route::All));
    }
    let rest = rest.strip_prefix('/')?;
    let segments: Vec<&str> = rest.split('/').collect();
    let decode =
        |segment: &str, what: &'static str| unescape(segment).ok_or(RouteError::BadEscape(what));
    Some(match segments.as_slice() {
        [topic] if !topic.is_empty() => decode(topic, "topic").map(Route::Topic),
        [topic, subscriber] if !topic.is_empty() && !subscriber.is_empty() => {
            decode(topic, "topic").and_then(|topic| {
                decode(subscriber, "subscriber").map(|subscriber| Route::One { topic, subscriber })
            })
        }
        _ => Err(RouteError::NotFound),
    })
}

/// The API's answer to `route` from the registry's records: the JSON, or
/// `None` when the one subscription asked for is not active (404).
/// `request_uri` (path and query as sent) is the collection's `id`.
pub fn answer(
    route: &Route,
    request_uri: &str,
    last_event_id: &str,
    records: &[Record],
) -> Option<String> {
    match route {
        Route::All | Route::Topic(_) => {
            let topic = match route {
                Route::Topic(topic) => Some(topic.as_str()),
                _ => None,
            };
            let collection = Collection {
                context: CONTEXT,
                id: request_uri,
                kind: "Subscriptions",
                last_event_id,
                subscriptions: records
                    .iter()
                    .flat_map(|r| r.subscriptions(topic, None, true))
                    .collect(),
            };
            Some(pretty(&collection))
        }
        Route::One { topic, subscriber } => {
            let record = records.iter().find(|r| r.subscriber == *subscriber)?;
            let mut one = record
                .subscriptions(Some(topic), Some(CONTEXT), true)
                .into_iter()
                .next()?;
            one.last_event_id = Some(last_event_id);
            Some(pretty(&one))
        }
    }
}

#[cfg(test)]
mod tests;
