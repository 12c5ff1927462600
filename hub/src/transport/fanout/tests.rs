use super::*;
use crate::transport::history::memory::{ready, update, Memory};
use crate::transport::history::History;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Wake;
use std::time::Duration;

const NO_WAIT: Duration = Duration::ZERO;

fn pos(n: u64) -> Position {
    Position(format!("{n}-0"))
}

fn everything() -> Filter {
    Box::new(|_| true)
}

fn topic(wanted: &'static str) -> Filter {
    Box::new(move |u: &Stored| u.topics.iter().any(|t| t == wanted))
}

/// Memory holding updates `u1`…`un` on topic `/t`.
fn bus(n: u64) -> Memory {
    let memory = Memory::default();
    for i in 1..=n {
        publish(&memory, i);
    }
    memory
}

fn publish(memory: &Memory, i: u64) {
    ready(memory.append(&update(&format!("u{i}"), "/t", false))).unwrap();
}

fn ids(entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e.update.as_ref().unwrap().id.clone())
        .collect()
}

fn expected(range: std::ops::RangeInclusive<u64>) -> Vec<String> {
    range.map(|i| format!("u{i}")).collect()
}

/// One shared read of up to `count` entries, if one may start.
fn shared_read(memory: &Memory, fanout: &mut Fanout, count: usize) -> bool {
    let Some(claim) = fanout.claim() else {
        return false;
    };
    let entries = ready(memory.read_after(&claim.after, NO_WAIT, count)).unwrap();
    fanout.deliver(claim, entries);
    true
}

/// The subscriber's whole replay, `count` entries per read.
fn replay(memory: &Memory, seam: &mut Seam, count: usize) -> Vec<Entry> {
    let mut out = Vec::new();
    while let Some(from) = seam.replay_from().cloned() {
        out.extend(seam.replayed(ready(memory.read_after(&from, NO_WAIT, count)).unwrap()));
    }
    out
}

#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn poll(fanout: &mut Fanout, id: Id, waker: &Waker) -> Poll<Next> {
    fanout.poll_next(id, &mut Context::from_waker(waker))
}

fn queued(fanout: &mut Fanout, id: Id) -> Vec<Entry> {
    match poll(fanout, id, Waker::noop()) {
        Poll::Ready(Next::Entries(entries)) => entries,
        Poll::Pending => Vec::new(),
        Poll::Ready(Next::Ended(end)) => panic!("subscriber {id} ended: {end:?}"),
    }
}

#[test]
fn join_waits_for_the_shared_read_to_start() {
    let mut fanout = Fanout::default();
    assert!(fanout.join(everything()).is_none());
    fanout.start(pos(4));
    fanout.start(pos(9));
    assert_eq!(fanout.join(everything()).unwrap().1, pos(4));
}

#[test]
fn one_stream_finds_the_start_while_the_others_wait() {
    let mut fanout = Fanout::default();
    let waker = Waker::noop();
    assert_eq!(fanout.begin_start(waker), Begin::Find);
    assert_eq!(fanout.begin_start(waker), Begin::Wait);
    fanout.start_failed();
    assert_eq!(fanout.begin_start(waker), Begin::Find, "the next one tries");
    fanout.start(pos(3));
    assert_eq!(fanout.begin_start(waker), Begin::Running);
    assert_eq!(fanout.join(everything()).unwrap().1, pos(3));
}

#[test]
fn only_one_shared_read_is_in_flight_per_instance() {
    let memory = bus(0);
    let mut fanout = Fanout::default();
    fanout.start(pos(0));
    assert!(fanout.claim().is_none(), "no subscriber, no read");
    fanout.join(everything()).unwrap();
    fanout.join(everything()).unwrap();
    let claim = fanout.claim().unwrap();
    assert!(fanout.claim().is_none());
    fanout.deliver(
        claim,
        ready(memory.read_after(&pos(0), NO_WAIT, 10)).unwrap(),
    );
    assert!(fanout.claim().is_some());
}

#[test]
fn a_read_after_one_that_found_entries_is_busy() {
    let memory = Memory::with(&[("a", "/a", false)]);
    let mut fanout = Fanout::default();
    fanout.start(Position::start());
    fanout.join(everything()).unwrap();
    let first = fanout.claim().unwrap();
    assert!(!first.busy, "a first read answers at once");
    fanout.deliver(
        first,
        ready(memory.read_after(&Position::start(), NO_WAIT, 10)).unwrap(),
    );
    let second = fanout.claim().unwrap();
    assert!(second.busy, "entries found: the next read waits a moment");
    fanout.deliver(second, Vec::new());
    assert!(!fanout.claim().unwrap().busy, "a quiet bus answers at once");
}

#[test]
fn a_read_reaches_each_subscriber_whose_filter_takes_it() {
    let memory = Memory::with(&[("a", "/a", false), ("b", "/b", false)]);
    let mut fanout = Fanout::default();
    fanout.start(Position::start());
    let (all, _) = fanout.join(everything()).unwrap();
    let (only_b, _) = fanout.join(topic("/b")).unwrap();
    assert!(shared_read(&memory, &mut fanout, 10));
    assert_eq!(ids(&queued(&mut fanout, all)), ["a", "b"]);
    assert_eq!(ids(&queued(&mut fanout, only_b)), ["b"]);
    assert_eq!(fanout.position(), Some(&pos(2)));
}

#[test]
fn a_delivery_wakes_a_waiting_subscriber() {
    let memory = bus(1);
    let mut fanout = Fanout::default();
    fanout.start(pos(0));
    let (id, _) = fanout.join(everything()).unwrap();
    let count = Arc::new(Count::default());
    let waker = Waker::from(count.clone());
    assert!(poll(&mut fanout, id, &waker).is_pending());
    shared_read(&memory, &mut fanout, 10);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert_eq!(ids(&queued(&mut fanout, id)), ["u1"]);
}

#[test]
fn a_full_queue_ends_only_its_own_subscriber() {
    let memory = bus(3);
    let mut fanout = Fanout::new(2);
    fanout.start(pos(0));
    let (slow, _) = fanout.join(everything()).unwrap();
    let (fast, _) = fanout.join(everything()).unwrap();
    let mut got = Vec::new();
    while shared_read(&memory, &mut fanout, 1) && fanout.position() != Some(&pos(3)) {
        got.extend(queued(&mut fanout, fast));
    }
    got.extend(queued(&mut fanout, fast));
    assert_eq!(ids(&got), expected(1..=3));
    assert_eq!(
        poll(&mut fanout, slow, Waker::noop()),
        Poll::Ready(Next::Ended(End::Overflow))
    );
}

#[test]
fn a_failed_read_ends_every_subscriber_and_restarts_at_the_newest_entry() {
    let mut fanout = Fanout::default();
    fanout.start(pos(2));
    let (a, _) = fanout.join(everything()).unwrap();
    let (b, _) = fanout.join(everything()).unwrap();
    let claim = fanout.claim().unwrap();
    fanout.fail(claim, "Redis XREAD failed: connection refused");
    let ended = Poll::Ready(Next::Ended(End::Bus(
        "Redis XREAD failed: connection refused".into(),
    )));
    assert_eq!(poll(&mut fanout, a, Waker::noop()), ended);
    assert_eq!(poll(&mut fanout, b, Waker::noop()), ended);
    assert!(fanout.join(everything()).is_none(), "position forgotten");
    fanout.start(pos(7));
    assert_eq!(fanout.join(everything()).unwrap().1, pos(7));
}

#[test]
fn an_answer_to_a_claim_from_before_a_failure_is_ignored() {
    let memory = bus(3);
    let mut fanout = Fanout::default();
    fanout.start(pos(0));
    fanout.join(everything()).unwrap();
    let stale = fanout.claim().unwrap();
    let Claim {
        after, generation, ..
    } = &stale;
    let copy = Claim {
        busy: false,
        after: after.clone(),
        generation: *generation,
    };
    fanout.fail(stale, "gone");
    fanout.start(pos(1));
    let (id, _) = fanout.join(everything()).unwrap();
    fanout.deliver(
        copy,
        ready(memory.read_after(&pos(0), NO_WAIT, 10)).unwrap(),
    );
    assert_eq!(fanout.position(), Some(&pos(1)));
    assert!(queued(&mut fanout, id).is_empty());
}

#[test]
fn a_released_claim_wakes_the_others_and_the_next_read_starts_at_the_same_place() {
    let mut fanout = Fanout::default();
    fanout.start(pos(5));
    let (id, _) = fanout.join(everything()).unwrap();
    let count = Arc::new(Count::default());
    assert!(poll(&mut fanout, id, &Waker::from(count.clone())).is_pending());
    let claim = fanout.claim().unwrap();
    fanout.release(claim);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert_eq!(fanout.claim().unwrap().after, pos(5));
}

#[test]
fn the_last_subscriber_out_forgets_the_position() {
    let mut fanout = Fanout::default();
    fanout.start(pos(5));
    let (a, _) = fanout.join(everything()).unwrap();
    let (b, _) = fanout.join(everything()).unwrap();
    fanout.leave(a);
    assert_eq!(fanout.position(), Some(&pos(5)));
    fanout.leave(b);
    assert!(fanout.is_empty());
    assert_eq!(fanout.position(), None);
}

#[test]
fn undecodable_entries_move_the_position_but_reach_nobody() {
    let mut fanout = Fanout::default();
    fanout.start(pos(0));
    let (id, _) = fanout.join(everything()).unwrap();
    let claim = fanout.claim().unwrap();
    let broken = Entry {
        position: pos(1),
        update: None,
    };
    fanout.deliver(claim, vec![broken]);
    assert_eq!(fanout.position(), Some(&pos(1)));
    assert!(queued(&mut fanout, id).is_empty());
}

/// Every start `p` and join position `r` (with entries published before,
/// during and after the replay, read one or more at a time): the
/// subscriber gets every entry after `p` exactly once, in order.
#[test]
fn replay_then_queue_has_no_gap_and_no_duplicate() {
    const BEFORE: u64 = 6;
    const DURING: u64 = 3;
    for p in 0..=BEFORE {
        for r in 0..=BEFORE {
            for count in [1, 2, 100] {
                let memory = bus(BEFORE);
                let mut fanout = Fanout::default();
                fanout.start(pos(r));
                let (id, joined_at) = fanout.join(everything()).unwrap();
                let mut seam = Seam::new(pos(p), joined_at);
                let mut got = Vec::new();
                // Replay one read at a time while others publish and the
                // shared read goes on.
                for extra in 1..=DURING {
                    if let Some(from) = seam.replay_from().cloned() {
                        let read = ready(memory.read_after(&from, NO_WAIT, count)).unwrap();
                        got.extend(seam.replayed(read));
                    }
                    publish(&memory, BEFORE + extra);
                    shared_read(&memory, &mut fanout, count);
                }
                got.extend(replay(&memory, &mut seam, count));
                while shared_read(&memory, &mut fanout, count)
                    && fanout.position() != Some(&pos(BEFORE + DURING))
                {}
                got.extend(seam.live(queued(&mut fanout, id)));
                assert_eq!(
                    ids(&got),
                    expected(p + 1..=BEFORE + DURING),
                    "start {p}, joined at {r}, {count} per read"
                );
            }
        }
    }
}

#[test]
fn an_empty_replay_read_ends_the_replay() {
    let mut seam = Seam::new(pos(1), pos(4));
    assert_eq!(seam.replay_from(), Some(&pos(1)));
    assert!(seam.replayed(Vec::new()).is_empty());
    assert_eq!(seam.replay_from(), None);
}

#[test]
fn a_start_at_or_past_the_join_position_skips_the_replay() {
    assert_eq!(Seam::new(pos(4), pos(4)).replay_from(), None);
    let mut seam = Seam::new(pos(6), pos(4));
    assert_eq!(seam.replay_from(), None);
    let queue = ready(bus(8).read_after(&pos(4), NO_WAIT, 10)).unwrap();
    assert_eq!(ids(&seam.live(queue)), ["u7", "u8"]);
}

#[test]
fn a_subscriber_leaving_between_reads_wakes_the_others_to_read_on() {
    let mut fanout = Fanout::default();
    fanout.start(pos(0));
    let (reader, _) = fanout.join(everything()).unwrap();
    let (other, _) = fanout.join(everything()).unwrap();
    let count = Arc::new(Count::default());
    assert!(poll(&mut fanout, other, &Waker::from(count.clone())).is_pending());
    let claim = fanout.claim().unwrap();
    fanout.deliver(claim, Vec::new());
    fanout.leave(reader);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(fanout.claim().is_some());
}

#[test]
fn the_wait_is_the_rest_of_the_heartbeat_or_the_token_life_if_shorter() {
    let beat = Duration::from_secs(15);
    assert_eq!(
        wait(beat, Duration::from_secs(4), 100.0, None),
        Some(Duration::from_secs(11))
    );
    assert_eq!(
        wait(beat, Duration::from_secs(20), 100.0, None),
        Some(Duration::ZERO)
    );
    assert_eq!(
        wait(beat, Duration::ZERO, 100.0, Some(102.5)),
        Some(Duration::from_millis(2500))
    );
    assert_eq!(wait(beat, Duration::ZERO, 100.0, Some(100.0)), None);
}

#[test]
fn a_busy_subscriber_is_woken_when_its_queue_overflows() {
    let memory = bus(2);
    let mut fanout = Fanout::new(1);
    fanout.start(pos(0));
    let (id, _) = fanout.join(everything()).unwrap();
    let count = Arc::new(Count::default());
    let waker = Waker::from(count.clone());
    let mut cx = Context::from_waker(&waker);
    assert!(fanout.poll_end(id, &mut cx).is_pending());
    shared_read(&memory, &mut fanout, 10);
    assert!(count.0.load(Ordering::SeqCst) >= 1);
    assert_eq!(fanout.poll_end(id, &mut cx), Poll::Ready(End::Overflow));
}
