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
        .or_else(|| query.iter().find(|(n, _)| n == "lastEventID"))
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

#[cfg(test)]
pub(crate) mod memory;
#[cfg(test)]
mod tests;
