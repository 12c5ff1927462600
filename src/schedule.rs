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
mod tests {
    //! Schedule tests, driven by a fake clock: waiting jumps the clock straight
    //! to the requested time, and every write takes `write_cost`.

    use super::*;
    use proptest::prelude::*;

    fn params(count: u64, last: Option<u64>, interval_ms: u64, heartbeat_ms: u64) -> StreamParams {
        StreamParams {
            interval_ms,
            heartbeat_ms,
            count,
            last_event_id: last,
        }
    }

    fn schedule(params: &StreamParams) -> Schedule {
        match start(params) {
            Start::Stream(schedule) => schedule,
            Start::Finished => panic!("expected a stream for {params:?}"),
        }
    }

    /// Runs `schedule` to the end on a fake clock; returns each write with the
    /// time (ms since stream start) it happened.
    fn drive(mut schedule: Schedule, write_cost: Duration) -> Vec<(u128, Step)> {
        let mut now = Duration::ZERO;
        let mut writes = Vec::new();
        loop {
            match schedule.step(now) {
                Step::Done => return writes,
                Step::WaitUntil(until) => {
                    assert!(until > now, "wait for {until:?} at {now:?} would busy-loop");
                    now = until;
                }
                write => {
                    writes.push((now.as_millis(), write));
                    now += write_cost;
                }
            }
        }
    }

    fn event(id: u64, opens_stream: bool) -> Step {
        Step::Event { id, opens_stream }
    }

    #[test]
    fn default_stream_sends_four_events_one_interval_apart() {
        let writes = drive(schedule(&params(4, None, 1000, 15_000)), Duration::ZERO);
        assert_eq!(
            writes,
            [
                (0, event(1, true)),
                (1000, event(2, false)),
                (2000, event(3, false)),
                (3000, event(4, false)),
            ]
        );
    }

    #[test]
    fn resume_after_last_id_continues_with_the_next_event_at_once() {
        let writes = drive(schedule(&params(4, Some(2), 1000, 15_000)), Duration::ZERO);
        assert_eq!(writes, [(0, event(3, true)), (1000, event(4, false))]);
    }

    #[test]
    fn resume_after_zero_starts_from_event_one() {
        assert_eq!(schedule(&params(4, Some(0), 1000, 15_000)).ids(), (1, 4));
    }

    #[test]
    fn resume_after_final_id_answers_204() {
        assert_eq!(start(&params(4, Some(4), 1000, 15_000)), Start::Finished);
        assert_eq!(start(&params(1, Some(1), 0, 100)), Start::Finished);
    }

    #[test]
    fn resume_before_final_id_streams_only_the_last_event() {
        let writes = drive(schedule(&params(4, Some(3), 1000, 15_000)), Duration::ZERO);
        assert_eq!(writes, [(0, event(4, true))]);
    }

    #[test]
    fn zero_interval_sends_every_event_without_waiting() {
        let writes = drive(schedule(&params(5, None, 0, 100)), Duration::ZERO);
        let times: Vec<u128> = writes.iter().map(|(t, _)| *t).collect();
        assert_eq!(times, [0, 0, 0, 0, 0]);
    }

    #[test]
    fn quiet_stream_gets_a_keep_alive_every_heartbeat() {
        let writes = drive(schedule(&params(2, None, 60_000, 15_000)), Duration::ZERO);
        assert_eq!(
            writes,
            [
                (0, event(1, true)),
                (15_000, Step::KeepAlive),
                (30_000, Step::KeepAlive),
                (45_000, Step::KeepAlive),
                (60_000, event(2, false)),
            ]
        );
    }

    #[test]
    fn keep_alive_counts_silence_from_the_last_write() {
        // Heartbeat 1500 ms, interval 2000 ms: one keep-alive between events.
        let writes = drive(schedule(&params(3, None, 2000, 1500)), Duration::ZERO);
        assert_eq!(
            writes,
            [
                (0, event(1, true)),
                (1500, Step::KeepAlive),
                (2000, event(2, false)),
                (3500, Step::KeepAlive),
                (4000, event(3, false)),
            ]
        );
    }

    #[test]
    fn no_keep_alive_when_events_come_more_often_than_the_heartbeat() {
        let writes = drive(schedule(&params(20, None, 100, 100)), Duration::ZERO);
        assert!(writes.iter().all(|(_, s)| matches!(s, Step::Event { .. })));
        assert_eq!(writes.len(), 20);
    }

    #[test]
    fn no_keep_alive_after_the_final_event() {
        let mut schedule = schedule(&params(1, None, 1000, 100));
        assert_eq!(schedule.step(Duration::ZERO), event(1, true));
        assert_eq!(schedule.step(Duration::from_secs(3600)), Step::Done);
    }

    #[test]
    fn late_write_does_not_shift_later_events() {
        // Each write takes 1300 ms: events catch up with the timetable instead
        // of drifting by the write time.
        let writes = drive(
            schedule(&params(3, None, 1000, 15_000)),
            Duration::from_millis(1300),
        );
        assert_eq!(
            writes,
            [
                (0, event(1, true)),
                (1300, event(2, false)),
                (2600, event(3, false))
            ]
        );
    }

    #[test]
    fn early_wake_up_waits_again_for_the_same_deadline() {
        let mut schedule = schedule(&params(2, None, 1000, 15_000));
        assert_eq!(schedule.step(Duration::ZERO), event(1, true));
        let wait = Step::WaitUntil(Duration::from_millis(1000));
        assert_eq!(schedule.step(Duration::from_millis(10)), wait);
        assert_eq!(schedule.step(Duration::from_millis(999)), wait);
        assert_eq!(schedule.step(Duration::from_millis(1000)), event(2, false));
    }

    #[test]
    fn largest_stream_timetable_does_not_overflow() {
        let mut schedule = schedule(&params(1_000_000, Some(999_998), 60_000, 600_000));
        assert_eq!(schedule.step(Duration::ZERO), event(999_999, true));
        assert_eq!(
            schedule.step(Duration::from_millis(1)),
            Step::WaitUntil(Duration::from_millis(60_000))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whatever the parameters: ids k+1..=count go out once each, in order,
        /// never before they are due, and no silence outlasts the heartbeat.
        #[test]
        fn stream_sends_each_remaining_id_once_on_time(
            count in 1u64..40,
            last_seen in 0u64..40,
            interval_ms in 0u64..3000,
            heartbeat_ms in 100u64..3000,
            write_cost_ms in 0u64..50,
        ) {
            let last_seen = last_seen.min(count);
            let params = params(count, Some(last_seen), interval_ms, heartbeat_ms);
            let Start::Stream(schedule) = start(&params) else {
                prop_assert_eq!(last_seen, count);
                return Ok(());
            };
            let writes = drive(schedule, Duration::from_millis(write_cost_ms));
            let ids: Vec<u64> = writes
                .iter()
                .filter_map(|(_, step)| match step {
                    Step::Event { id, .. } => Some(*id),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(ids, (last_seen + 1..=count).collect::<Vec<_>>());
            prop_assert_eq!(writes[0], (0, event(last_seen + 1, true)));
            let mut previous_write_end = 0u128;
            for (at, step) in &writes {
                if let Step::Event { id, .. } = step {
                    let due = u128::from((id - last_seen - 1) * interval_ms);
                    prop_assert!(*at >= due, "event {} at {} before due {}", id, at, due);
                }
                prop_assert!(
                    *at - previous_write_end <= u128::from(heartbeat_ms),
                    "silence from {} to {} exceeds heartbeat {}", previous_write_end, at, heartbeat_ms
                );
                previous_write_end = at + u128::from(write_cost_ms);
            }
        }
    }
}
