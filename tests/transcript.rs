//! The bytes a client receives, write by write, with the time each write
//! happens: the component's own reply and outbox (params → schedule →
//! frames → batching) driven by a fake clock, exactly as the transport
//! drives them with the monotonic clock. Run with `--nocapture` to print
//! the transcripts used in the README.

use spin_sse::outbox::{Next, Outbox, BATCH_BYTES};
use spin_sse::reply::{self, Body, Contract, Method};
use std::time::Duration;

/// The stream `GET /sse?{query}` gets, or the status of a reply without one.
fn outbox(query: &str, last_event_id: Option<&str>) -> Result<Outbox, u16> {
    let headers: Vec<Vec<u8>> = last_event_id
        .map(|id| id.as_bytes().to_vec())
        .into_iter()
        .collect();
    let contract = Contract::from_vars(|_| None);
    let reply = reply::reply(Method::Get, contract, query, &headers);
    match reply.body {
        Body::Events(outbox) => Ok(outbox),
        Body::Empty | Body::Line(_) => Err(reply.status),
    }
}

/// Each write with the time (ms) it happens; every wait wakes `lateness`
/// after its deadline.
fn writes(mut outbox: Outbox, lateness: Duration) -> Vec<(u128, Vec<u8>)> {
    let mut now = Duration::ZERO;
    let mut writes = Vec::new();
    loop {
        match outbox.next(now) {
            Next::Done => return writes,
            Next::WaitUntil(until) => now = until + lateness,
            Next::Write(bytes) => writes.push((now.as_millis(), bytes)),
        }
    }
}

/// `t=<ms>` before each write; the clock jumps to each wait's deadline.
fn transcript(query: &str, last_event_id: Option<&str>) -> String {
    let outbox = match outbox(query, last_event_id) {
        Ok(outbox) => outbox,
        Err(204) => return "204 No Content\n".to_owned(),
        Err(status) => panic!("{query}: status {status}, no stream"),
    };
    let mut out = String::new();
    for (at, bytes) in writes(outbox, Duration::ZERO) {
        out.push_str(&format!("[t={at}ms]\n"));
        out.push_str(&String::from_utf8(bytes).expect("frames are UTF-8"));
    }
    out
}

#[test]
fn default_stream_is_the_four_seed_messages_one_second_apart() {
    let text = transcript("", None);
    println!("GET /sse\n{text}");
    assert_eq!(
        text,
        concat!(
            "[t=0ms]\n",
            "retry: 3000\n",
            "id: 1\n",
            "event: message\n",
            "data: {\"message\":\"Look, Ma'! I'm streaming!\"}\n",
            "\n",
            "[t=1000ms]\n",
            "id: 2\n",
            "event: message\n",
            "data: {\"message\":\"It only took two lines of code!\"}\n",
            "\n",
            "[t=2000ms]\n",
            "id: 3\n",
            "event: message\n",
            "data: {\"message\":\"All you have to do is set a header and chunk the response!\"}\n",
            "\n",
            "[t=3000ms]\n",
            "id: 4\n",
            "event: message\n",
            "data: {\"message\":\"Bye now!\"}\n",
            "\n",
        )
    );
}

#[test]
fn resumed_stream_starts_after_last_event_id_with_retry_first() {
    let text = transcript("", Some("2"));
    println!("GET /sse with Last-Event-ID: 2\n{text}");
    assert!(text.starts_with("[t=0ms]\nretry: 3000\nid: 3\n"), "{text}");
    assert!(text.contains("[t=1000ms]\nid: 4\n"), "{text}");
    assert!(!text.contains("id: 2\n"), "{text}");
}

#[test]
fn resume_after_final_id_answers_204() {
    assert_eq!(transcript("", Some("4")), "204 No Content\n");
}

#[test]
fn slow_stream_gets_keep_alives_and_cycles_messages() {
    let text = transcript("count=6&interval=20000&heartbeat=15000", Some("4"));
    println!("GET /sse?count=6&interval=20000&heartbeat=15000 with Last-Event-ID: 4\n{text}");
    assert_eq!(
        text,
        concat!(
            "[t=0ms]\n",
            "retry: 3000\n",
            "id: 5\n",
            "event: message\n",
            "data: {\"message\":\"Look, Ma'! I'm streaming!\"}\n",
            "\n",
            "[t=15000ms]\n",
            ": keep-alive\n",
            "\n",
            "[t=20000ms]\n",
            "id: 6\n",
            "event: message\n",
            "data: {\"message\":\"It only took two lines of code!\"}\n",
            "\n",
        )
    );
}

#[test]
fn frames_due_together_share_writes_of_about_16_kib() {
    let outbox = outbox("count=2000&interval=0", None).expect("a stream");
    writes_batched_at(outbox, BATCH_BYTES, 2000);
}

#[test]
fn batching_sets_another_write_size() {
    let outbox = outbox("count=4000&interval=0", None).expect("a stream");
    writes_batched_at(outbox.batching(64 * 1024), 64 * 1024, 4000);
}

/// Checks that `outbox` (all due at once) writes every event `1..=count` in
/// order, in writes of `batch` bytes plus less than one frame, but the last.
fn writes_batched_at(outbox: Outbox, batch: usize, count: usize) {
    let writes = writes(outbox, Duration::ZERO);
    let largest_frame = 100;
    assert!(writes.len() > 1, "{} writes", writes.len());
    let (last, full) = writes.split_last().expect("writes");
    for (at, bytes) in full {
        assert_eq!(*at, 0);
        assert!(
            (batch..batch + largest_frame).contains(&bytes.len()),
            "{}",
            bytes.len()
        );
    }
    assert!(last.1.len() < batch + largest_frame);
    let text: String = writes
        .iter()
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    let ids: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .collect();
    assert_eq!(ids.len(), count);
    assert!(ids.iter().zip(1..).all(|(id, n)| *id == n.to_string()));
}

#[test]
fn a_late_wake_up_sends_the_overdue_frames_in_one_write() {
    let outbox = outbox("count=4&interval=1000", None).expect("a stream");
    let writes = writes(outbox, Duration::from_millis(2500));
    let ids: Vec<Vec<&str>> = writes
        .iter()
        .map(|(_, bytes)| {
            std::str::from_utf8(bytes)
                .expect("UTF-8")
                .lines()
                .filter_map(|l| l.strip_prefix("id: "))
                .collect()
        })
        .collect();
    assert_eq!(ids, [vec!["1"], vec!["2", "3", "4"]]);
    assert_eq!(writes[1].0, 3500);
}

#[test]
fn a_failed_write_names_the_stream_and_the_last_event_that_went_out() {
    let mut outbox = outbox("count=3&interval=1000", Some("0")).expect("a stream");
    assert!(matches!(outbox.next(Duration::ZERO), Next::Write(_)));
    assert_eq!(
        outbox.client_gone("stream closed"),
        "client gone: write failed (stream closed); stream of events 1..=3 stopped, last sent: none"
    );
    assert!(matches!(outbox.next(Duration::ZERO), Next::WaitUntil(_)));
    assert!(matches!(
        outbox.next(Duration::from_secs(1)),
        Next::Write(_)
    ));
    assert_eq!(
        outbox.client_gone("stream closed"),
        "client gone: write failed (stream closed); stream of events 1..=3 stopped, last sent: 1"
    );
}
