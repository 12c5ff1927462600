//! The stream's timetable, with no I/O and no clock of its own: which event
//! ids a request gets, when each is due, and when a keep-alive comment is.
//!
//! The caller passes `now`, the time since the stream started, so tests
//! drive it with a fake clock. Event `n` is due at `(n - first) × interval`:
//! the first at once, and a late write does not shift the ones after it.
//! A keep-alive is due whenever nothing was written for the heartbeat
//! period. After the final id the stream is done.

use crate::params::StreamParams;
use std::time::Duration;

/// How a request's stream begins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// Send events `first..=last` on this schedule.
    Stream(Schedule),
    /// The client already has the final id: answer 204 so it stops
    /// reconnecting.
    Finished,
}

/// Resumes after the client's last event id (none: from event 1).
pub fn start(params: &StreamParams) -> Start {
    let first = params.last_event_id.unwrap_or(0).saturating_add(1);
    if first > params.count {
        return Start::Finished;
    }
    Start::Stream(Schedule {
        first_id: first,
        next_id: first,
        last_id: params.count,
        interval: Duration::from_millis(params.interval_ms),
        heartbeat: Duration::from_millis(params.heartbeat_ms),
        last_write: Duration::ZERO,
    })
}

/// What the stream should do at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Write event `id` now; `opens_stream` marks the first frame, which
    /// also carries the `retry:` field.
    Event { id: u64, opens_stream: bool },
    /// Write a `: keep-alive` comment now.
    KeepAlive,
    /// Nothing to write before this time since stream start.
    WaitUntil(Duration),
    /// The final event is written: end the response.
    Done,
}

/// Progress through one stream's events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    first_id: u64,
    next_id: u64,
    last_id: u64,
    interval: Duration,
    heartbeat: Duration,
    last_write: Duration,
}

impl Schedule {
    /// The first and final event ids this stream sends.
    pub fn ids(&self) -> (u64, u64) {
        (self.first_id, self.last_id)
    }

    /// Decides what to do at `now` (time since stream start). A returned
    /// write is counted as done at `now`.
    pub fn step(&mut self, now: Duration) -> Step {
        if self.next_id > self.last_id {
            return Step::Done;
        }
        let event_due = self.due(self.next_id);
        if now >= event_due {
            let step = Step::Event {
                id: self.next_id,
                opens_stream: self.next_id == self.first_id,
            };
            self.next_id += 1;
            self.last_write = now;
            return step;
        }
        let keep_alive_due = self.last_write.saturating_add(self.heartbeat);
        if now >= keep_alive_due {
            self.last_write = now;
            return Step::KeepAlive;
        }
        Step::WaitUntil(event_due.min(keep_alive_due))
    }

    fn due(&self, id: u64) -> Duration {
        let steps = u32::try_from(id - self.first_id).unwrap_or(u32::MAX);
        self.interval.saturating_mul(steps)
    }
}

#[cfg(test)]
mod tests;
