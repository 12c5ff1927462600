//! The instance's fan-out (the WASI 0.3 hub): one shared read of the bus
//! per instance, handed to each of the instance's subscribers through its
//! own bounded queue, and the seam where a new subscriber's replay meets
//! that shared read. Pure: no I/O, no clock; [`stream`] drives it.
//!
//! # The shared read
//! At most one read of the bus is in flight per instance: a subscriber task
//! that finds none takes the next one ([`Fanout::claim`]), reads after the
//! fan-out's position, and hands the entries over ([`Fanout::deliver`]),
//! which queues each for the subscribers whose filter takes it and moves
//! the position on. A task cancelled mid-read gives its claim back
//! unanswered ([`Fanout::release`]); another task reads again from the same
//! position, so nothing is lost or repeated. A read after one that found
//! entries is marked busy ([`Claim::busy`]): its task waits a moment
//! before reading, so a steady flow reaches each subscriber in batches.
//!
//! # The seam
//! A subscriber joins at the shared position `R` (every entry after `R`
//! reaches its queue) and wants every entry after its own start `P`. It
//! reads `(P, R]` itself, then takes its queue ([`Seam`]). Its cursor is
//! the last position it was given and nothing at or before the cursor
//! passes: the replay stops at `R` and the queue starts after `R`, so there
//! is no gap, and when `P` is past `R` the queued entries up to `P` are
//! dropped, so there is no duplicate.
//!
//! # Slow subscribers and failures
//! A queue holds [`QUEUE_DEPTH`] entries, as the reference hub's channel
//! does; one more ends that subscriber alone ([`End::Overflow`]) and its
//! client resumes with `Last-Event-ID`. A failed read ends every subscriber
//! ([`End::Bus`]; their clients reconnect and resume) and forgets the
//! position, as does the last subscriber leaving: the next join starts the
//! shared read again at the newest entry ([`Fanout::start`]).

pub mod stream;

use crate::protocol::update::Stored;
use crate::transport::history::{Entry, Position};
use std::collections::{BTreeMap, VecDeque};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Entries a subscriber's queue holds before it is ended.
pub const QUEUE_DEPTH: usize = 1000;

/// A subscriber of this instance.
pub type Id = u64;

/// Which stored updates a subscriber receives.
pub type Filter = Box<dyn Fn(&Stored) -> bool>;

/// Why a subscriber's stream ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// Its queue was full: it did not read fast enough.
    Overflow,
    /// The shared read failed (the message says how).
    Bus(String),
}

/// What a subscriber's queue gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Queued entries, oldest first.
    Entries(Vec<Entry>),
    Ended(End),
}

/// Where a stream that wants to join stands ([`Fanout::begin_start`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    /// The shared read runs: join.
    Running,
    /// Nobody knows where it starts: find the newest entry and
    /// [`Fanout::start`] it (or [`Fanout::start_failed`]).
    Find,
    /// Another stream is finding it; the waker given is woken when it has.
    Wait,
}

/// The right to make the next shared read, after `after`.
#[derive(Debug, PartialEq, Eq)]
pub struct Claim {
    pub after: Position,
    /// The previous read found entries: the bus is busy, so this read
    /// waits a moment first and takes what was published meanwhile in one
    /// go (see [`stream`]).
    pub busy: bool,
    generation: u64,
}

struct Slot {
    filter: Filter,
    queue: VecDeque<Entry>,
    end: Option<End>,
    waker: Option<Waker>,
}

/// The instance's subscribers and its shared read.
pub struct Fanout {
    position: Option<Position>,
    reading: bool,
    /// Whether the last read found entries.
    busy: bool,
    /// Whether a stream is finding where the shared read starts, and who
    /// waits for it.
    finding: bool,
    start_waiters: Vec<Waker>,
    /// Bumped whenever the position is forgotten, so an older claim's
    /// answer is ignored.
    generation: u64,
    next_id: Id,
    slots: BTreeMap<Id, Slot>,
    depth: usize,
}

impl Default for Fanout {
    fn default() -> Self {
        Self::new(QUEUE_DEPTH)
    }
}

impl Fanout {
    /// No subscribers, no shared read; queues `depth` entries deep.
    pub fn new(depth: usize) -> Self {
        Self {
            position: None,
            reading: false,
            busy: false,
            finding: false,
            start_waiters: Vec::new(),
            generation: 0,
            next_id: 0,
            slots: BTreeMap::new(),
            depth,
        }
    }

    /// The last position the shared read handed out; `None` when it has
    /// not started (or was forgotten).
    pub fn position(&self) -> Option<&Position> {
        self.position.as_ref()
    }

    /// Whether a stream that wants to join may ([`Begin::Running`]), is
    /// the one to find where the shared read starts ([`Begin::Find`]: one
    /// stream at a time, so a burst of subscribers on a new instance costs
    /// one round trip to the bus) or waits for that ([`Begin::Wait`],
    /// `waker` kept).
    pub fn begin_start(&mut self, waker: &Waker) -> Begin {
        if self.position.is_some() {
            return Begin::Running;
        }
        if self.finding {
            self.start_waiters.push(waker.clone());
            return Begin::Wait;
        }
        self.finding = true;
        Begin::Find
    }

    /// Starts the shared read after `newest` unless it already runs; wakes
    /// the streams waiting for it.
    pub fn start(&mut self, newest: Position) {
        if self.position.is_none() {
            self.position = Some(newest);
        }
        self.finding = false;
        self.wake_start_waiters();
    }

    /// The stream finding the start failed or went away: the waiting
    /// streams try again (one of them finds it next).
    pub fn start_failed(&mut self) {
        self.finding = false;
        self.wake_start_waiters();
    }

    fn wake_start_waiters(&mut self) {
        for waker in self.start_waiters.drain(..) {
            waker.wake();
        }
    }

    /// Adds a subscriber; returns its id and the position it joins at (its
    /// queue gets every entry after it), or `None` if the shared read has
    /// not started.
    pub fn join(&mut self, filter: Filter) -> Option<(Id, Position)> {
        let at = self.position.clone()?;
        let id = self.next_id;
        self.next_id += 1;
        let slot = Slot {
            filter,
            queue: VecDeque::new(),
            end: None,
            waker: None,
        };
        self.slots.insert(id, slot);
        Some((id, at))
    }

    /// Removes a subscriber; the last one out forgets the position. With
    /// no read in flight the others are woken, so one of them takes the
    /// next read (the one leaving may have been the one reading).
    pub fn leave(&mut self, id: Id) {
        self.slots.remove(&id);
        if self.slots.is_empty() {
            self.forget();
        } else if !self.reading {
            self.wake_all();
        }
    }

    /// Subscribers of this instance.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Takes the next shared read, if none is in flight and someone
    /// listens.
    pub fn claim(&mut self) -> Option<Claim> {
        if self.reading || self.slots.is_empty() {
            return None;
        }
        let after = self.position.clone()?;
        self.reading = true;
        Some(Claim {
            after,
            busy: self.busy,
            generation: self.generation,
        })
    }

    /// Gives a claim back unanswered (its task was cancelled); wakes every
    /// subscriber so one of them reads instead.
    pub fn release(&mut self, claim: Claim) {
        if claim.generation == self.generation {
            self.reading = false;
            self.wake_all();
        }
    }

    /// Hands over a read's entries (oldest first): each decoded entry goes
    /// to every subscriber whose filter takes it; a full queue ends its
    /// subscriber.
    pub fn deliver(&mut self, claim: Claim, entries: Vec<Entry>) {
        if claim.generation != self.generation {
            return;
        }
        self.reading = false;
        self.busy = !entries.is_empty();
        for entry in entries {
            self.position = Some(entry.position.clone());
            let Some(update) = &entry.update else {
                continue;
            };
            for slot in self.slots.values_mut() {
                if slot.end.is_some() || !(slot.filter)(update) {
                    continue;
                }
                if slot.queue.len() >= self.depth {
                    slot.queue = VecDeque::new();
                    slot.end = Some(End::Overflow);
                } else {
                    slot.queue.push_back(entry.clone());
                }
                if let Some(waker) = slot.waker.take() {
                    waker.wake();
                }
            }
        }
    }

    /// The read failed: every subscriber ends with `error` and the position
    /// is forgotten.
    pub fn fail(&mut self, claim: Claim, error: &str) {
        if claim.generation != self.generation {
            return;
        }
        for slot in self.slots.values_mut() {
            slot.queue.clear();
            slot.end.get_or_insert_with(|| End::Bus(error.to_owned()));
        }
        self.forget();
        self.wake_all();
    }

    /// A subscriber's queued entries, or its end; `Pending` (with `cx`'s
    /// waker kept) while the queue is empty. An unknown id has ended.
    pub fn poll_next(&mut self, id: Id, cx: &mut Context<'_>) -> Poll<Next> {
        let Some(slot) = self.slots.get_mut(&id) else {
            return Poll::Ready(Next::Ended(End::Bus("subscriber left".into())));
        };
        if let Some(end) = &slot.end {
            return Poll::Ready(Next::Ended(end.clone()));
        }
        if slot.queue.is_empty() {
            slot.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        Poll::Ready(Next::Entries(slot.queue.drain(..).collect()))
    }

    /// Ready with a subscriber's end once it has ended (its queue left
    /// alone), else keeps `cx`'s waker: for a subscriber that is still
    /// writing what it took and must not take more yet.
    pub fn poll_end(&mut self, id: Id, cx: &mut Context<'_>) -> Poll<End> {
        let Some(slot) = self.slots.get_mut(&id) else {
            return Poll::Ready(End::Bus("subscriber left".into()));
        };
        match &slot.end {
            Some(end) => Poll::Ready(end.clone()),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    fn forget(&mut self) {
        self.position = None;
        self.reading = false;
        self.busy = false;
        self.generation += 1;
    }

    fn wake_all(&mut self) {
        for slot in self.slots.values_mut() {
            if let Some(waker) = slot.waker.take() {
                waker.wake();
            }
        }
    }
}

/// How long a subscriber may wait for news before it writes a heartbeat
/// (`since_write` after its last write) or its token expires (`expires_at`,
/// wall-clock seconds; `now` likewise); `None` once it has expired.
pub fn wait(
    heartbeat: Duration,
    since_write: Duration,
    now: f64,
    expires_at: Option<f64>,
) -> Option<Duration> {
    let wait = heartbeat.saturating_sub(since_write);
    match expires_at {
        Some(exp) if now >= exp => None,
        Some(exp) => Some(wait.min(Duration::from_secs_f64((exp - now).max(0.001)))),
        None => Some(wait),
    }
}

/// One subscriber's side of the seam: its own replay up to the position
/// it joined at, then its queue, with no gap and no duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seam {
    cursor: Position,
    joined_at: Position,
    replaying: bool,
}

impl Seam {
    /// A subscriber that starts after `start` and joined at `joined_at`.
    pub fn new(start: Position, joined_at: Position) -> Self {
        let replaying = start < joined_at;
        Self {
            cursor: start,
            joined_at,
            replaying,
        }
    }

    /// Where the subscriber's own next read starts; `None` once its replay
    /// has reached the shared read.
    pub fn replay_from(&self) -> Option<&Position> {
        self.replaying.then_some(&self.cursor)
    }

    /// Takes one replay read's entries (oldest first, all after
    /// [`Self::replay_from`]): keeps those up to the join position. An
    /// empty read, or one that reaches the join position, ends the replay.
    pub fn replayed(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        if entries.is_empty() {
            self.replaying = false;
        }
        let mut kept = Vec::with_capacity(entries.len());
        for entry in entries {
            if !self.replaying || entry.position > self.joined_at {
                self.replaying = false;
                break;
            }
            if entry.position > self.cursor {
                self.cursor = entry.position.clone();
                kept.push(entry);
            }
        }
        if self.cursor >= self.joined_at {
            self.replaying = false;
        }
        kept
    }

    /// Takes queued entries: keeps those after the cursor.
    pub fn live(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        let mut kept = Vec::with_capacity(entries.len());
        for entry in entries {
            if entry.position > self.cursor {
                self.cursor = entry.position.clone();
                kept.push(entry);
            }
        }
        kept
    }
}

#[cfg(test)]
mod tests;
