//! The bus and its history, as a small trait (append, read after a
//! position with a blocking timeout, resolve an event id to a position,
//! the newest entries) and the subscriber's start: where a new stream
//! begins reading and which `Last-Event-ID` the response carries.
//!
//! Resuming works as the reference hub's v0.24 history does: `earliest`
//! replays everything retained; a known id replays what came after it; an
//! id no longer (or never) in the history replays nothing, the stream goes
//! live, and the response's `Last-Event-ID` is the newest retained id this
//! subscriber may see (among the last [`SCAN_FOR_LAST_ID`]), or `earliest`.

use crate::auth::authorize::Subscription;
use crate::protocol::form::EARLIEST;
use crate::protocol::update::{Stored, Update};
use std::time::Duration;

/// A place in the history (a Redis stream entry id, `ms-seq`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position(pub String);

impl Position {
    /// Before the first entry.
    pub fn start() -> Self {
        Self("0-0".to_owned())
    }

    /// The `(ms, seq)` pair of a stream entry id.
    fn parts(&self) -> Option<(u64, u64)> {
        let (ms, seq) = self.0.split_once('-').unwrap_or((&self.0, "0"));
        Some((ms.parse().ok()?, seq.parse().ok()?))
    }
}

/// Stream order: `ms` then `seq`, as numbers (`9-0` < `10-0`); ids that
/// are not `ms-seq` sort after those that are, by text.
impl Ord for Position {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self.parts(), other.parts()) {
            (Some(a), Some(b)) => a.cmp(&b).then_with(|| self.0.cmp(&other.0)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => self.0.cmp(&other.0),
        }
    }
}

impl PartialOrd for Position {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// One stored entry; `update` is `None` if it does not decode (skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub position: Position,
    pub update: Option<Stored>,
}

/// Newest entries looked at to answer an unknown `Last-Event-ID`.
pub const SCAN_FOR_LAST_ID: usize = 100;

/// A bus that keeps a bounded, ordered history. Async, so one adapter
/// serves Spin's synchronous Redis (WASI 0.2: every call is ready at once)
/// and its asynchronous one (WASI 0.3). Not `Send`: a component is one
/// thread.
#[allow(async_fn_in_trait)]
pub trait History {
    type Error: std::fmt::Display;

    /// Stores `update` (its id indexed with it, atomically) and returns
    /// its position; once this returns, every reader will see it.
    async fn append(&self, update: &Update) -> Result<Position, Self::Error>;

    /// Up to `count` entries after `after`, oldest first, waiting up to
    /// `block` for the first one (an empty answer means the wait ended).
    async fn read_after(
        &self,
        after: &Position,
        block: Duration,
        count: usize,
    ) -> Result<Vec<Entry>, Self::Error>;

    /// The position of the update whose id is `id`, if still retained.
    async fn resolve(&self, id: &str) -> Result<Option<Position>, Self::Error>;

    /// Up to `count` newest entries, newest first.
    async fn latest(&self, count: usize) -> Result<Vec<Entry>, Self::Error>;
}

/// The shared registry of active subscribers (the subscriptions API):
/// records that expire unless refreshed, on the store's clock, so every
/// instance sees the same set and a crashed instance's entries go away.
#[allow(async_fn_in_trait)]
pub trait Registry {
    type Error: std::fmt::Display;

    /// Adds or refreshes `key` with `record`, to expire `ttl` from now, and
    /// prunes expired entries.
    async fn register(&self, key: &str, record: &[u8], ttl: Duration) -> Result<(), Self::Error>;

    /// Removes `key` (an unknown key is not an error).
    async fn unregister(&self, key: &str) -> Result<(), Self::Error>;

    /// Every record that has not expired (expired ones are pruned).
    async fn active(&self) -> Result<Vec<Vec<u8>>, Self::Error>;
}

/// Where a subscriber's stream starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    /// Read the entries after this one.
    pub after: Position,
    /// The response's `Last-Event-ID` header (only when one was asked).
    pub last_event_id: Option<String>,
}

/// The id a subscribe request asks to resume after: a non-empty
/// `Last-Event-ID` header (names lower-case), else the `lastEventID` query
/// parameter.
pub fn requested_id<'a>(
    headers: &'a [(String, String)],
    query: &'a [(String, String)],
) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, v)| n == "last-event-id" && !v.is_empty())
        .or_else(|| {
            query
                .iter()
                .find(|(n, v)| n == "lastEventID" && !v.is_empty())
        })
        .map(|(_, v)| v.as_str())
}

/// Resolves a subscriber's `Last-Event-ID` (empty = none) to its start.
pub async fn start<H: History>(
    history: &H,
    requested: Option<&str>,
    subscription: &Subscription,
) -> Result<Start, H::Error> {
    match requested.filter(|id| !id.is_empty()) {
        None => Ok(Start {
            after: newest(history, 1).await?.0,
            last_event_id: None,
        }),
        Some(EARLIEST) => Ok(Start {
            after: Position::start(),
            last_event_id: Some(EARLIEST.to_owned()),
        }),
        Some(id) => {
            if let Some(after) = history.resolve(id).await? {
                return Ok(Start {
                    after,
                    last_event_id: Some(id.to_owned()),
                });
            }
            let (after, entries) = newest(history, SCAN_FOR_LAST_ID).await?;
            let visible = entries
                .iter()
                .filter_map(|e| e.update.as_ref())
                .find(|u| subscription.receives(&u.topics, u.private))
                .map_or_else(|| EARLIEST.to_owned(), |u| u.id.clone());
            Ok(Start {
                after,
                last_event_id: Some(visible),
            })
        }
    }
}

/// The newest `count` entries and the position after the newest.
async fn newest<H: History>(history: &H, count: usize) -> Result<(Position, Vec<Entry>), H::Error> {
    let entries = history.latest(count).await?;
    let after = entries
        .first()
        .map_or_else(Position::start, |e| e.position.clone());
    Ok((after, entries))
}

/// The SSE frames of `entries` that `subscription` receives (all of them
/// without one: a queue the fan-out already filtered), in order.
pub fn frames(entries: Vec<Entry>, subscription: Option<&Subscription>) -> Vec<u8> {
    let mut batch = Vec::new();
    for update in entries.into_iter().filter_map(|e| e.update) {
        if subscription.is_none_or(|s| s.receives(&update.topics, update.private)) {
            batch.extend_from_slice(&update.frame);
        }
    }
    batch
}

#[cfg(test)]
pub(crate) mod memory;
#[cfg(test)]
mod tests {
    use super::memory::{anyone, ready, Memory};
    use super::*;

    #[test]
    fn without_last_event_id_the_stream_starts_after_the_newest_entry() {
        let memory = Memory::with(&[("a", "/t", false), ("b", "/t", false)]);
        let start = ready(start(&memory, None, &anyone(&["*"]))).unwrap();
        assert_eq!(
            start,
            Start {
                after: Position("2-0".into()),
                last_event_id: None
            }
        );
        let empty = Memory::default();
        assert_eq!(start_of(&empty, Some("")).after, Position::start());
    }

    fn start_of(memory: &Memory, requested: Option<&str>) -> Start {
        ready(start(memory, requested, &anyone(&["*"]))).unwrap()
    }

    #[test]
    fn earliest_replays_the_whole_history() {
        let memory = Memory::with(&[("a", "/t", false)]);
        let start = start_of(&memory, Some("earliest"));
        assert_eq!(
            start,
            Start {
                after: Position::start(),
                last_event_id: Some("earliest".into())
            }
        );
    }

    #[test]
    fn a_known_id_resumes_right_after_it_and_is_echoed() {
        let memory = Memory::with(&[
            ("a", "/t", false),
            ("urn:uuid:x", "/t", false),
            ("c", "/t", false),
        ]);
        let start = start_of(&memory, Some("urn:uuid:x"));
        assert_eq!(
            start,
            Start {
                after: Position("2-0".into()),
                last_event_id: Some("urn:uuid:x".into())
            }
        );
        let next = ready(memory.read_after(&start.after, Duration::ZERO, 10)).unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].update.as_ref().unwrap().id, "c");
    }

    #[test]
    fn an_unknown_id_goes_live_and_reports_the_newest_visible_id() {
        let memory = Memory::with(&[
            ("a", "/t", false),
            ("b", "/other", false),
            ("p", "/t", true),
        ]);
        let start = ready(start(&memory, Some("gone"), &anyone(&["/t"]))).unwrap();
        assert_eq!(start.after, Position("3-0".into()), "nothing is replayed");
        assert_eq!(
            start.last_event_id.as_deref(),
            Some("a"),
            "b is another topic, p is private"
        );
        let nothing = start_of(&Memory::default(), Some("gone"));
        assert_eq!(
            nothing,
            Start {
                after: Position::start(),
                last_event_id: Some("earliest".into())
            }
        );
    }

    #[test]
    fn positions_sort_in_stream_order() {
        let p = |s: &str| Position(s.into());
        assert!(p("9-0") < p("10-0"));
        assert!(p("5-1") < p("5-2"));
        assert!(p("5-9") < p("6-0"));
        assert!(Position::start() < p("0-1"));
        assert!(p("99-0") < p("junk"), "ids that are not ms-seq sort last");
        assert_eq!(p("7-3").cmp(&p("7-3")), std::cmp::Ordering::Equal);
    }

    #[test]
    fn the_header_is_asked_first_then_the_query_parameter() {
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        let query = pairs(&[("topic", "a"), ("lastEventID", "q")]);
        let header = pairs(&[("last-event-id", "h")]);
        assert_eq!(requested_id(&header, &query), Some("h"));
        let empty_header = pairs(&[("last-event-id", "")]);
        assert_eq!(requested_id(&empty_header, &query), Some("q"));
        assert_eq!(requested_id(&[], &pairs(&[("topic", "a")])), None);
    }
}
