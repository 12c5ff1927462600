//! What an open stream writes next, with no I/O: the frames the
//! [`Schedule`] says are due, rendered by [`Frames`], and those due at the
//! same moment (`interval=0`, or catch-up after a late wake-up) joined into
//! one write of up to [`BATCH_BYTES`], so they cost one host round trip
//! instead of one each. A frame that is due alone is written at once.
//!
//! The caller passes the time since the stream started, writes what it is
//! given, sleeps when told, and asks again; asking again means the previous
//! write went out. The component's adapter, the transcript test and the
//! benchmark's native peer all run this same loop.

use crate::frames::Frames;
use crate::schedule::{Schedule, Step};
use std::time::Duration;

/// A write grows past this size only by the one frame that crossed it
/// (unless [`Outbox::batching`] sets another size).
pub const BATCH_BYTES: usize = 16 * 1024;

/// What to do now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Write these bytes (one or more whole frames) and flush them.
    Write(Vec<u8>),
    /// Nothing is due before this time since stream start.
    WaitUntil(Duration),
    /// The final event went out: end the response.
    Done,
}

/// One stream's progress: its schedule, its frames, what was delivered.
#[derive(Clone, Debug)]
pub struct Outbox {
    schedule: Schedule,
    frames: Frames,
    /// The last event id of a write that went out.
    delivered: Option<u64>,
    /// The last event id of the write handed out most recently.
    in_flight: Option<u64>,
    /// A batch closes once it holds this many bytes.
    batch_bytes: usize,
}

impl Outbox {
    pub fn new(schedule: Schedule, frames: Frames) -> Self {
        Self {
            schedule,
            frames,
            delivered: None,
            in_flight: None,
            batch_bytes: BATCH_BYTES,
        }
    }

    /// The same stream with batches of up to `bytes` (at least one frame
    /// each): larger batches mean fewer writes at `interval=0`, and more
    /// memory held for a client that stops reading.
    pub fn batching(mut self, bytes: usize) -> Self {
        self.batch_bytes = bytes;
        self
    }

    /// What to do at `now` (time since stream start).
    pub fn next(&mut self, now: Duration) -> Next {
        if let Some(id) = self.in_flight.take() {
            self.delivered = Some(id);
        }
        let mut batch = Vec::new();
        loop {
            match self.schedule.step(now) {
                Step::Event { id, opens_stream } => {
                    // One frame, or (from the second on) a full batch and
                    // the frame that crosses it: a frame due alone holds
                    // no more memory than it needs while its write waits.
                    let room = if batch.is_empty() {
                        self.frames.max_frame_len()
                    } else {
                        self.batch_bytes + self.frames.max_frame_len()
                    };
                    batch.reserve(room.saturating_sub(batch.len()));
                    self.frames.write_event(id, opens_stream, &mut batch);
                    self.in_flight = Some(id);
                }
                Step::KeepAlive => batch.extend_from_slice(&self.frames.keep_alive()),
                Step::WaitUntil(at) if batch.is_empty() => return Next::WaitUntil(at),
                Step::Done if batch.is_empty() => return Next::Done,
                Step::WaitUntil(_) | Step::Done => break,
            }
            if batch.len() >= self.batch_bytes {
                break;
            }
        }
        Next::Write(batch)
    }

    /// The log line for a write that failed because the client went away.
    pub fn client_gone(&self, why: &str) -> String {
        let (first, last) = self.schedule.ids();
        let sent = self
            .delivered
            .map_or_else(|| "none".to_owned(), |id| id.to_string());
        format!(
            "client gone: write failed ({why}); stream of events {first}..={last} stopped, last sent: {sent}"
        )
    }
}
