//! Guests that misbehave: loops, endless allocation, megabytes of output.

use super::super::runner_rules::process::{self, wait_line};
use super::super::support::{Client, Request, SseReader};
use super::{fixture, send_get, start, stderr_lines};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

/// Generous bound for a quick request on a loaded 2-core machine.
const QUICK: Duration = Duration::from_secs(2);

fn quick_ok(client: &Client, what: &str) {
    let started = Instant::now();
    let r = client.get("/fault/ok");
    assert_eq!(r.status(), 200, "{what}: {}", r.text());
    assert!(
        started.elapsed() < QUICK,
        "{what}: took {:?}",
        started.elapsed()
    );
}

#[test]
fn looping_guests_never_delay_other_requests_and_shutdown_stops_them() {
    let Some(app) = fixture("looping_guests_never_delay_other_requests_and_shutdown_stops_them")
    else {
        return;
    };
    let mut runner = start(&app, &[]);
    // More loops than worker threads: without epoch yields they would hold
    // every worker and nothing else would run.
    let loops: Vec<_> = (0..4)
        .map(|_| send_get(runner.addr, "/fault/loop"))
        .collect();
    assert!(
        runner
            .wait_metric("instances_active", 4, Duration::from_secs(10))
            .is_some(),
        "the looping requests did not start"
    );
    let client = runner.client();
    for i in 0..20 {
        quick_ok(&client, &format!("request {i} next to 4 loops"));
    }
    let body = client.open(Request::get("/sse?interval=100&count=5"));
    let events = SseReader::new(body).read_all().unwrap();
    assert_eq!(events.iter().filter(|b| b.is_event()).count(), 5);
    assert_eq!(runner.metric("instances_active"), 4, "the loops still run");
    runner.terminate();
    let status = runner
        .wait_exit(Duration::from_secs(5))
        .expect("SIGTERM did not stop 4 looping guests within 5 s");
    assert_eq!(status.code(), Some(0), "{status}");
    drop(loops);
}

#[test]
fn the_cpu_budget_answers_500_before_headers_and_ends_the_stream_after() {
    let Some(app) = fixture("the_cpu_budget_answers_500_before_headers_and_ends_the_stream_after")
    else {
        return;
    };
    let runner = start(&app, &["--max-request-cpu-ms", "300"]);
    let client = runner.client();
    let r = client.get("/fault/loop");
    assert_eq!(r.status(), 500, "{}", r.text());
    let text = r.text();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("CPU time limit exceeded"), "{text}");

    let streaming = client.open(Request::get("/fault/loop-after-headers"));
    assert_eq!(streaming.head.status, 200);
    let cut = streaming.read_to_end();
    assert!(
        cut.is_err(),
        "the stream must end without its final chunk: {cut:?}"
    );

    // Waiting is free: an SSE stream longer than the budget completes.
    let body = client.open(Request::get("/sse?interval=200&count=4"));
    let events = SseReader::new(body).read_all().unwrap();
    assert_eq!(events.iter().filter(|b| b.is_event()).count(), 4);

    assert!(runner.wait_metric("instances_active", 0, QUICK).is_some());
    let logged: Vec<String> = stderr_lines(&runner, Duration::from_millis(200))
        .into_iter()
        .filter(|l| l.contains("CPU time limit exceeded"))
        .collect();
    assert_eq!(logged.len(), 2, "one line per stopped guest: {logged:?}");
    assert!(logged.iter().all(|l| l.starts_with("[faults] error: ")));
}

#[test]
fn a_guest_past_its_memory_limit_gets_a_500_reason_and_its_slot_is_reused() {
    let Some(app) =
        fixture("a_guest_past_its_memory_limit_gets_a_500_reason_and_its_slot_is_reused")
    else {
        return;
    };
    let limit = (16u64 << 20).to_string();
    let runner = start(
        &app,
        &["--max-instance-memory", &limit, "--max-instances", "1"],
    );
    let client = runner.client();
    for round in 0..3 {
        let r = client.get("/fault/alloc");
        assert_eq!(r.status(), 500, "round {round}: {}", r.text());
        let text = r.text();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.contains("memory limit exceeded") && text.contains(&limit),
            "{text}"
        );
        // The only slot is free again.
        quick_ok(&client, &format!("after round {round}"));
    }
    let logged: Vec<String> = stderr_lines(&runner, Duration::from_millis(200))
        .into_iter()
        .filter(|l| l.contains("memory limit exceeded"))
        .collect();
    assert_eq!(logged.len(), 3, "one line per trap: {logged:?}");
}

#[test]
fn megabytes_printed_into_an_unread_stdout_are_dropped_and_counted_not_blocking() {
    let Some(app) =
        fixture("megabytes_printed_into_an_unread_stdout_are_dropped_and_counted_not_blocking")
    else {
        return;
    };
    let mut child = process::spawn(
        &app.dir().join("spin.toml"),
        &["--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"],
    );
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || std::io::copy(&mut { stderr }, &mut std::io::sink()));
    let mut addrs = Vec::new();
    let mut line = String::new();
    while addrs.len() < 2 {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "runner ended");
        let banner = sse_testkit::banner::serving_addr(&line);
        addrs.extend(banner.or_else(|| sse_testkit::banner::metrics_addr(&line)));
    }
    // From here on nobody reads the runner's stdout: the pipe fills up.
    let (app_client, metrics) = (Client::new(addrs[0]), Client::new(addrs[1]));
    let started = Instant::now();
    let r = app_client.get("/fault/print?mib=16");
    assert_eq!(r.status(), 200, "{}", r.text());
    assert_eq!(r.text(), "printed 16384 lines\n");
    eprintln!(
        "e2e: 16 MiB printed into a full stdout in {:?}",
        started.elapsed()
    );
    quick_ok(&app_client, "next to a full stdout");
    let m: serde_json::Value = serde_json::from_slice(&metrics.get("/metrics").body).unwrap();
    let dropped = m["log_lines_dropped"].as_u64().unwrap();
    assert!(dropped > 0, "{m}");
    // Reading again: the backlog drains and the one notice follows it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in stdout.lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let notice = wait_line(
        &rx,
        |l| l.contains("lines were dropped"),
        Duration::from_secs(20),
    );
    assert!(notice.is_some(), "no notice about dropped lines");
    let _ = child.kill();
    let _ = child.wait();
}
