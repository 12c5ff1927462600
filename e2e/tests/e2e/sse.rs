//! The SSE component's contract over real HTTP (`/sse`): headers, the four
//! seed events in order with ids, one frame per interval, `retry`,
//! heartbeat, resume by header and query, 204 at the end, HEAD, 405, every
//! bad-input 400. What needs a runner of its own is in `sse_runner`.

use super::support::{self, ids, messages, Block, Request, SseReader, SEED_MESSAGES};

/// Opens `target` with extra headers and reads the whole stream.
fn stream(target: &str, headers: &[(&str, &str)]) -> (support::http::Head, SseReader) {
    let mut req = Request::get(target);
    for (n, v) in headers {
        req = req.header(n, v);
    }
    let body = support::client().open(req);
    let head = body.head.clone();
    (head, SseReader::new(body))
}

/// The events of a complete 200 stream.
fn events(target: &str, headers: &[(&str, &str)]) -> Vec<Block> {
    let (head, mut reader) = stream(target, headers);
    assert_eq!(head.status, 200, "GET {target} {headers:?}");
    let blocks = reader.read_all().expect("read the stream");
    blocks.into_iter().filter(Block::is_event).collect()
}

fn seed(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| SEED_MESSAGES[i % 4].to_string()).collect()
}

#[test]
fn stream_headers_are_event_stream_without_length_or_hop_by_hop() {
    let (head, _) = stream("/sse?interval=0", &[]);
    assert_eq!(head.status, 200);
    let ct = head.header("content-type").unwrap_or("");
    assert!(ct.starts_with("text/event-stream"), "content-type {ct:?}");
    let cc: String = head
        .header("cache-control")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(cc, "no-cache,no-transform", "cache-control");
    assert_eq!(head.header("x-accel-buffering"), Some("no"));
    assert_eq!(
        head.header("content-length"),
        None,
        "a stream has no length"
    );
    for hop in ["connection", "keep-alive", "proxy-connection", "upgrade"] {
        assert_eq!(head.header(hop), None, "hop-by-hop header {hop}");
    }
    // HTTP/1.1 framing by the server itself is the only transfer-encoding.
    if let Some(te) = head.header("transfer-encoding") {
        assert_eq!(te.to_ascii_lowercase(), "chunked");
    }
}

#[test]
fn default_stream_is_the_four_seed_messages_in_order_with_ids() {
    let events = events("/sse?interval=0", &[]);
    assert_eq!(ids(&events), ["1", "2", "3", "4"]);
    assert_eq!(messages(&events), SEED_MESSAGES);
    for e in &events {
        assert_eq!(e.field("event"), Some("message"), "event field: {e:?}");
        let data: serde_json::Value = serde_json::from_str(&e.data().unwrap()).unwrap();
        assert_eq!(
            data.as_object().map(|o| o.len()),
            Some(1),
            "data is {{\"message\":…}}: {data}"
        );
    }
}

#[test]
fn retry_field_comes_once_before_the_first_event() {
    let (_, mut reader) = stream("/sse?interval=0", &[]);
    reader.read_all().unwrap();
    let lines: Vec<&str> = reader.all_lines.iter().map(|l| l.text.as_str()).collect();
    let retries: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("retry:"))
        .collect();
    assert_eq!(retries.len(), 1, "one retry field: {lines:?}");
    let first_id = lines.iter().position(|l| l.starts_with("id:")).unwrap();
    assert!(
        retries[0] < first_id,
        "retry before the first event: {lines:?}"
    );
    let ms = lines[retries[0]]["retry:".len()..].trim();
    assert_eq!(
        ms,
        configured("SSE_RETRY_MS"),
        "retry is the manifest's SSE_RETRY_MS"
    );
}

/// A setting of `[component.sse.environment]` in the manifest the app
/// under test serves.
fn configured(name: &str) -> String {
    support::manifest_env("sse", name)
}

#[test]
fn each_event_arrives_on_its_own_at_about_the_interval() {
    let events = events("/sse?interval=300", &[]);
    assert_eq!(ids(&events), ["1", "2", "3", "4"]);
    let at: Vec<u128> = events.iter().map(|e| e.at.as_millis()).collect();
    assert!(at[0] < 1000, "first event at once, came after {} ms", at[0]);
    for pair in at.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            (150..=1500).contains(&gap),
            "events should arrive ~300 ms apart, one per write; arrival times {at:?} ms"
        );
    }
}

#[test]
fn heartbeat_comment_fills_a_quiet_interval() {
    let (_, mut reader) = stream("/sse?interval=1000&heartbeat=200&count=2", &[]);
    let blocks = reader.read_all().unwrap();
    assert_eq!(blocks.iter().filter(|b| b.is_event()).count(), 2);
    let first = reader
        .all_lines
        .iter()
        .position(|l| l.text.starts_with("id: 1"))
        .unwrap();
    let second = reader
        .all_lines
        .iter()
        .position(|l| l.text.starts_with("id: 2"))
        .unwrap();
    let beats: Vec<&str> = reader.all_lines[first..second]
        .iter()
        .filter(|l| l.text.starts_with(':'))
        .map(|l| l.text.as_str())
        .collect();
    assert!(
        beats.len() >= 2,
        "≥2 heartbeats in a 1000 ms gap at 200 ms: {beats:?}"
    );
    assert!(beats.iter().all(|b| *b == ": keep-alive"), "{beats:?}");
}

#[test]
fn no_heartbeat_when_events_come_faster_than_it() {
    let (_, mut reader) = stream("/sse?interval=100&heartbeat=1000", &[]);
    let blocks = reader.read_all().unwrap();
    let comments: Vec<&str> = blocks.iter().flat_map(|b| b.comments()).collect();
    assert!(comments.is_empty(), "unexpected comments {comments:?}");
}

#[test]
fn resume_by_last_event_id_header_continues_after_it() {
    let events = events("/sse?interval=0", &[("Last-Event-ID", "2")]);
    assert_eq!(ids(&events), ["3", "4"]);
    assert_eq!(messages(&events), seed(2..4));
}

#[test]
fn resume_by_last_event_id_query_continues_after_it() {
    let events = events("/sse?interval=0&lastEventId=1", &[]);
    assert_eq!(ids(&events), ["2", "3", "4"]);
    assert_eq!(messages(&events), seed(1..4));
}

#[test]
fn last_event_id_header_wins_over_query() {
    let events = events("/sse?interval=0&lastEventId=1", &[("Last-Event-ID", "3")]);
    assert_eq!(ids(&events), ["4"]);
}

#[test]
fn count_cycles_through_the_messages() {
    let events = events("/sse?interval=0&count=6", &[]);
    assert_eq!(ids(&events), ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(messages(&events), seed(0..6));
}

#[test]
fn large_count_streams_every_event_in_order() {
    let events = events("/sse?interval=0&count=5000", &[]);
    let want: Vec<String> = (1..=5000).map(|n| n.to_string()).collect();
    assert_eq!(ids(&events), want);
    assert_eq!(messages(&events), seed(0..5000));
}

#[test]
fn resume_past_the_message_list_keeps_cycling() {
    let events = events("/sse?interval=0&count=6", &[("Last-Event-ID", "4")]);
    assert_eq!(ids(&events), ["5", "6"]);
    assert_eq!(messages(&events), seed(4..6));
}

#[test]
fn bounds_are_inclusive() {
    // The largest count, resumed just before its end: one event, id 1000000.
    let last = events(
        "/sse?count=1000000&interval=60000&heartbeat=600000",
        &[("Last-Event-ID", "999999")],
    );
    assert_eq!(ids(&last), ["1000000"]);
    assert_eq!(messages(&last), seed(3..4));
    let single = events("/sse?count=1&interval=0&heartbeat=100", &[]);
    assert_eq!(ids(&single), ["1"]);
}

fn assert_204(target: &str, headers: &[(&str, &str)]) {
    let mut req = Request::get(target);
    for (n, v) in headers {
        req = req.header(n, v);
    }
    let resp = support::client().send(req);
    assert_eq!(
        resp.status(),
        204,
        "GET {target} {headers:?}: {}",
        resp.text()
    );
    assert!(resp.body.is_empty());
}

#[test]
fn resume_after_last_id_answers_204() {
    assert_204("/sse", &[("Last-Event-ID", "4")]);
    assert_204("/sse?lastEventId=4", &[]);
    assert_204("/sse?count=6", &[("Last-Event-ID", "6")]);
}

#[test]
fn head_has_the_stream_headers_and_no_body() {
    let resp = support::client().send(Request::new("HEAD", "/sse"));
    assert_eq!(resp.status(), 200);
    let ct = resp.header("content-type").unwrap_or("");
    assert!(ct.starts_with("text/event-stream"), "content-type {ct:?}");
    assert!(resp.body.is_empty());
}

#[test]
fn other_methods_get_405_with_allow_get_head() {
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let resp =
            support::client().send(Request::new(method, "/sse").header("Content-Length", "0"));
        assert_eq!(resp.status(), 405, "{method} /sse");
        let allow = resp
            .header("allow")
            .unwrap_or_else(|| panic!("{method}: no Allow header"));
        let mut allowed: Vec<String> = allow
            .split(',')
            .map(|m| m.trim().to_ascii_uppercase())
            .collect();
        allowed.sort();
        assert_eq!(allowed, ["GET", "HEAD"], "{method}: Allow {allow:?}");
    }
}

/// (request target, Last-Event-ID header, words the one-line reason must contain)
const BAD_INPUTS: &[(&str, Option<&str>, &[&str])] = &[
    ("/sse?interval=abc", None, &["interval"]),
    ("/sse?interval=-1", None, &["interval"]),
    ("/sse?interval=1.5", None, &["interval"]),
    ("/sse?interval=60001", None, &["interval", "60000"]),
    ("/sse?interval=99999999999999999999999", None, &["interval"]),
    ("/sse?count=0", None, &["count", "1000000"]),
    ("/sse?count=1000001", None, &["count", "1000000"]),
    ("/sse?count=ten", None, &["count"]),
    ("/sse?heartbeat=99", None, &["heartbeat", "100"]),
    ("/sse?heartbeat=600001", None, &["heartbeat", "600000"]),
    ("/sse?heartbeat=soon", None, &["heartbeat"]),
    ("/sse?lastEventId=abc", None, &["lasteventid"]),
    ("/sse?lastEventId=-1", None, &["lasteventid"]),
    ("/sse?lastEventId=5", None, &["lasteventid"]),
    ("/sse?count=2&lastEventId=3", None, &["lasteventid"]),
    ("/sse", Some("abc"), &["lasteventid"]),
    ("/sse", Some("5"), &["lasteventid"]),
    ("/sse", Some("18446744073709551616"), &["lasteventid"]),
];

#[test]
fn every_bad_input_gets_400_with_a_one_line_reason() {
    let mut failures = Vec::new();
    for (target, last_id, words) in BAD_INPUTS {
        let mut req = Request::get(target);
        if let Some(id) = last_id {
            req = req.header("Last-Event-ID", id);
        }
        let resp = support::client().send(req);
        let body = resp.text();
        let normalised = body.to_ascii_lowercase().replace(['-', '_'], "");
        let ct = resp.header("content-type").unwrap_or("");
        let ok = resp.status() == 400
            && ct.starts_with("text/plain")
            && !body.trim().is_empty()
            && !body.trim().contains('\n')
            && words.iter().all(|w| normalised.contains(w));
        if !ok {
            failures.push(format!(
                "GET {target} (Last-Event-ID {last_id:?}): {} {ct:?} {body:?}; want 400 text/plain one line mentioning {words:?}",
                resp.status()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
