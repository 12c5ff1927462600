//! SSE behaviour that needs a runner of its own: settings from the
//! manifest's `environment`, and a client that leaves mid-stream. On the
//! WASI 0.2 build the runner stops the request's instance at once (its
//! `instances_active` metric), before the component's next write, so the
//! component's "client gone" line, meant for hosts that do not abort, does
//! not appear; on the WASI 0.3 build the instance is shared and lives on,
//! so the component's next write fails and it logs that line.

use std::time::{Duration, Instant};

use super::support::temp_app::Component;
use super::support::{self, ids, messages, Block, Request, SseReader, TempApp};

#[test]
fn environment_sets_messages_retry_and_interval() {
    let test = "environment_sets_messages_retry_and_interval";
    let list = ["one", "two \"quoted\" \\ back", "three\nlines <b>"];
    let json = serde_json::to_string(&list).unwrap();
    let mut app = TempApp::new("sse-env");
    app.component(
        Component::sse("/sse")
            .env("SSE_MESSAGES", &json)
            .env("SSE_RETRY_MS", "1234")
            .env("SSE_INTERVAL_MS", "150")
            .env("SSE_HEARTBEAT_MS", "100"),
    );
    let Some(runner) = support::own_runner(test, &app.manifest()) else {
        return;
    };
    let body = runner.client().open(Request::get("/sse?count=4"));
    assert_eq!(body.head.status, 200);
    let mut reader = SseReader::new(body);
    let blocks = reader.read_all().unwrap();
    let retry: Vec<u64> = blocks.iter().filter_map(Block::retry).collect();
    assert_eq!(retry, [1234], "SSE_RETRY_MS");
    let events: Vec<Block> = blocks.iter().filter(|b| b.is_event()).cloned().collect();
    assert_eq!(ids(&events), ["1", "2", "3", "4"]);
    assert_eq!(
        messages(&events),
        ["one", list[1], list[2], "one"],
        "SSE_MESSAGES, cycled"
    );
    let gaps: Vec<u128> = events
        .windows(2)
        .map(|w| (w[1].at - w[0].at).as_millis())
        .collect();
    assert!(
        gaps.iter().all(|g| (75..=1000).contains(g)),
        "SSE_INTERVAL_MS=150: gaps {gaps:?}"
    );
    let beats = blocks.iter().flat_map(|b| b.comments()).count();
    assert!(
        beats >= 1,
        "SSE_HEARTBEAT_MS=100 < interval: expected heartbeats"
    );
    // The final id of a three-message list is 3.
    let resp = runner
        .client()
        .send(Request::get("/sse").header("Last-Event-ID", "3"));
    assert_eq!(resp.status(), 204);
}

#[test]
fn client_disconnect_ends_the_instance_within_one_interval() {
    let test = "client_disconnect_ends_the_instance_within_one_interval";
    if support::sse_is_p3() {
        return support::skip(
            test,
            "the WASI 0.3 build shares instances (see client_disconnect_ends_the_shared_request_at_the_next_write)",
        );
    }
    let Some(runner) = support::own_runner(test, &support::manifest()) else {
        return;
    };
    let reader = open_stream(&runner);
    assert_eq!(runner.metric("instances_active"), 1, "{}", runner.metrics());
    let sse_lines = |r: &support::Runner| {
        r.stderr
            .snapshot()
            .iter()
            .filter(|l| l.starts_with("[sse]"))
            .count()
    };
    let logged_before = sse_lines(&runner);

    let dropped = Instant::now();
    reader.disconnect();
    // The runner stops the instance when hyper drops the body, at once;
    // a host that does not would still end it at the next write, one
    // interval later. Allow scheduling slack on a busy machine.
    let deadline = dropped + Duration::from_millis(INTERVAL_MS + 700);
    while runner.metric("instances_active") != 0 {
        assert!(
            Instant::now() < deadline,
            "instance still active {} ms after the client left: {}",
            dropped.elapsed().as_millis(),
            runner.metrics()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    let ended_after = dropped.elapsed();
    eprintln!(
        "e2e: the instance ended {} ms after the client left",
        ended_after.as_millis()
    );
    let m = runner.metrics();
    assert_eq!(m["instances_finished"], m["instances_started"], "{m}");
    // The runner aborted the instance: the component never wrote again.
    std::thread::sleep(Duration::from_millis(INTERVAL_MS + 200));
    assert_eq!(
        sse_lines(&runner) - logged_before,
        0,
        "the runner stops the instance before the component notices (ended after {ended_after:?}); stderr:\n{}",
        runner.stderr.snapshot().join("\n")
    );
    let stdout = runner.stdout.snapshot();
    assert!(
        !stdout.iter().any(|l| l.starts_with("[sse]")),
        "the component logs to stderr only; stdout:\n{}",
        stdout.join("\n")
    );
}

/// Interval of the streams the disconnect tests open.
const INTERVAL_MS: u64 = 1000;

/// Opens a slow stream on `runner` and reads its first event.
fn open_stream(runner: &support::Runner) -> SseReader {
    let body = runner.client().open(Request::get(&format!(
        "/sse?interval={INTERVAL_MS}&count=100"
    )));
    assert_eq!(body.head.status, 200);
    let mut reader = SseReader::new(body);
    let first = loop {
        let b = reader.next_block().unwrap().expect("stream ended early");
        if b.is_event() {
            break b;
        }
    };
    assert_eq!(first.id(), Some("1"));
    reader
}

/// On WASI 0.3 the instance is shared and outlives the request: the
/// component's next write fails, it logs one line and ends that request's
/// task (the fault fixture's version of this is in `runner_reuse`).
#[test]
fn client_disconnect_ends_the_shared_request_at_the_next_write() {
    let test = "client_disconnect_ends_the_shared_request_at_the_next_write";
    if !support::sse_is_p3() {
        return support::skip(
            test,
            "the WASI 0.2 build has an instance per request (see client_disconnect_ends_the_instance_within_one_interval)",
        );
    }
    let Some(runner) = support::own_runner(test, &support::manifest()) else {
        return;
    };
    let reader = open_stream(&runner);
    let requests_active = |r: &support::Runner| {
        let m = r.metrics();
        let sse = m["components"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == "sse"))
            .unwrap_or_else(|| panic!("no component sse in {m}"))
            .clone();
        (sse["requests_active"].as_u64(), sse)
    };
    assert_eq!(requests_active(&runner).0, Some(1));
    let dropped = Instant::now();
    reader.disconnect();
    // The next event is due one interval after the last; its write, or the
    // one after it (if the first still reached the host), fails.
    let gone = "[sse] client gone: write failed (stream closed); stream of events 1..=100 stopped, last sent: ";
    let line = runner
        .stderr
        .wait_for(Duration::from_millis(2 * INTERVAL_MS + 700), |l| {
            l.starts_with(gone)
        });
    assert!(
        line.is_some(),
        "no client-gone line {} ms after the client left; stderr:\n{}",
        dropped.elapsed().as_millis(),
        runner.stderr.snapshot().join("\n")
    );
    eprintln!(
        "e2e: {} after {} ms",
        line.unwrap(),
        dropped.elapsed().as_millis()
    );
    let deadline = Instant::now() + Duration::from_secs(2);
    while requests_active(&runner).0 != Some(0) {
        assert!(
            Instant::now() < deadline,
            "request still active: {}",
            requests_active(&runner).1
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    let stdout = runner.stdout.snapshot();
    assert!(
        !stdout.iter().any(|l| l.starts_with("[sse]")),
        "the component logs to stderr only; stdout:\n{}",
        stdout.join("\n")
    );
}
