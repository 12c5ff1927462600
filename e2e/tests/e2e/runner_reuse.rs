//! WASI 0.3 components on shared instances (issue #16), through a real
//! runner process: many streams on one instance, seen in `/metrics`; a
//! client that leaves ends only its own request; a trap, the memory limit
//! or the CPU budget end the requests of their instance and nothing else;
//! idle instances are dropped; SIGTERM ends shared streams cleanly.
//!
//! The app mounts the fault fixture's WASI 0.3 build at `/p3/...` and its
//! WASI 0.2 build at `/p2/...` (a neighbour of the other ABI). `/ticks`
//! writes `tick <n>` every 20 ms until a write fails, then logs
//! `ticks: client gone after <n>`. Skipped when `SPIN_SSE_BASE_URL` points
//! the suite at another server.

use super::runner_rules::process::{self, Runner};
use super::support::temp_app::Component;
use super::support::{self, TempApp};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// Generous bound for anything that should happen at once.
const QUICK: Duration = Duration::from_secs(10);

/// The app, both fixture builds built; `None` (reason printed) against an
/// external server.
fn fixture(test: &str) -> Option<TempApp> {
    if support::is_external() {
        support::skip(
            test,
            "needs the embedded runner itself, but SPIN_SSE_BASE_URL is set",
        );
        return None;
    }
    let p3 = support::fixture_wasm_p3("fault-component");
    let p2 = support::fixture_wasm("fault-component");
    let mut app = TempApp::new("reuse");
    let fault = |name, route| Component {
        name,
        route,
        crate_name: "fault_component",
        files: Vec::new(),
        env: Vec::new(),
    };
    app.component_from(fault("shared", "/p3/..."), &p3)
        .component_from(fault("single", "/p2/..."), &p2);
    app.manifest();
    Some(app)
}

fn start(app: &TempApp, flags: &[&str]) -> Runner {
    process::start(&app.dir().join("spin.toml"), flags)
}

/// The `/metrics` entry of component `id`.
fn gauges(runner: &Runner, id: &str) -> Value {
    let all = runner.metrics();
    all["components"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("no component {id} in {all}"))
}

/// Polls component `id`'s gauge `name` until it is `want`.
fn wait_gauge(runner: &Runner, id: &str, name: &str, want: u64) {
    let start = Instant::now();
    loop {
        let now = gauges(runner, id);
        if now[name] == want {
            return;
        }
        assert!(
            start.elapsed() < QUICK,
            "{id}.{name} stayed {} (want {want}): {now}",
            now[name]
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// One `/ticks` response read raw off its connection.
struct Ticks {
    conn: TcpStream,
    got: Vec<u8>,
}

impl Ticks {
    /// `GET path` and wait until its first tick has arrived (so the
    /// request has its response and no longer counts as pending).
    fn open(runner: &Runner, path: &str) -> Ticks {
        let mut conn = TcpStream::connect(runner.addr).expect("connect");
        conn.set_read_timeout(Some(QUICK)).unwrap();
        write!(conn, "GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").expect("send");
        let mut t = Ticks {
            conn,
            got: Vec::new(),
        };
        t.wait_for("tick 0\n");
        assert!(t.got.starts_with(b"HTTP/1.1 200"), "{}", t.text());
        t
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.got).into_owned()
    }

    fn ticks(&self) -> usize {
        self.text().matches("tick ").count()
    }

    /// Reads until `needle` has arrived (panics if the stream ends first).
    fn wait_for(&mut self, needle: &str) {
        let mut buf = [0u8; 4096];
        while !self.text().contains(needle) {
            let n = self.conn.read(&mut buf).unwrap_or(0);
            assert!(n > 0, "stream ended before {needle:?}: {}", self.text());
            self.got.extend_from_slice(&buf[..n]);
        }
    }

    /// Reads `more` further ticks: the stream is alive.
    fn keeps_ticking(&mut self, more: usize) {
        let want = self.ticks() + more;
        let mut buf = [0u8; 4096];
        while self.ticks() < want {
            let n = self.conn.read(&mut buf).unwrap_or(0);
            assert!(n > 0, "stream ended: {}", self.text());
            self.got.extend_from_slice(&buf[..n]);
        }
    }

    /// Reads to the end; whether the response ended with its final chunk
    /// (`false`: cut off).
    fn ended_cleanly(mut self) -> bool {
        let _ = self.conn.read_to_end(&mut self.got);
        self.got.ends_with(b"0\r\n\r\n")
    }

    /// The client goes away.
    fn leave(self) {
        let _ = self.conn.shutdown(Shutdown::Both);
    }
}

/// Every stderr line of `runner` that contains `needle`, waiting up to
/// `wait` for `count` of them.
fn stderr_with(runner: &Runner, needle: &str, count: usize, wait: Duration) -> Vec<String> {
    let start = Instant::now();
    let mut seen = Vec::new();
    while start.elapsed() < wait {
        seen.extend(
            runner
                .stderr
                .drain()
                .into_iter()
                .filter(|l| l.contains(needle)),
        );
        if seen.len() >= count {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    seen
}

#[test]
fn many_streams_share_one_instance_and_metrics_show_it() {
    let Some(app) = fixture("many_streams_share_one_instance_and_metrics_show_it") else {
        return;
    };
    let runner = start(&app, &["--idle-instance-timeout", "300ms"]);
    // One after another: each has its response before the next arrives,
    // so none counts against the concurrent-reuse limit (16) and the
    // reuse count (128) is far off.
    let streams: Vec<Ticks> = (0..40).map(|_| Ticks::open(&runner, "/p3/ticks")).collect();
    let shared = gauges(&runner, "shared");
    assert_eq!(shared["abi"], "wasi:http/handler@0.3", "{shared}");
    assert_eq!(shared["instances_active"], 1, "{shared}");
    assert_eq!(shared["requests_active"], 40, "{shared}");
    assert_eq!(shared["requests_total"], 40, "{shared}");
    // The WASI 0.2 neighbour: one instance per request, as before.
    let single: Vec<Ticks> = (0..3).map(|_| Ticks::open(&runner, "/p2/ticks")).collect();
    let p2 = gauges(&runner, "single");
    assert_eq!(p2["abi"], "wasi:http/incoming-handler@0.2", "{p2}");
    assert_eq!(p2["instances_active"], 3, "{p2}");
    assert_eq!(runner.metric("instances_active"), 4);
    for s in streams.into_iter().chain(single) {
        s.leave();
    }
    wait_gauge(&runner, "shared", "requests_active", 0);
    wait_gauge(&runner, "single", "instances_active", 0);
    // Idle past --idle-instance-timeout: the shared instance is dropped.
    wait_gauge(&runner, "shared", "instances_active", 0);
    // Each shared request saw its own end at its next write; the WASI 0.2
    // instances were stopped at once, without running again.
    let gone = stderr_with(&runner, "ticks: client gone after", 40, QUICK);
    assert_eq!(gone.len(), 40, "{gone:?}");
    assert!(gone.iter().all(|l| l.starts_with("[shared] ")), "{gone:?}");
}

#[test]
fn a_client_that_leaves_ends_only_its_own_request() {
    let Some(app) = fixture("a_client_that_leaves_ends_only_its_own_request") else {
        return;
    };
    let runner = start(&app, &[]);
    let mut stay: Vec<Ticks> = (0..3).map(|_| Ticks::open(&runner, "/p3/ticks")).collect();
    let leaving = Ticks::open(&runner, "/p3/ticks");
    assert_eq!(gauges(&runner, "shared")["instances_active"], 1);
    leaving.leave();
    wait_gauge(&runner, "shared", "requests_active", 3);
    let gone = stderr_with(&runner, "ticks: client gone after", 1, QUICK);
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert!(gone[0].starts_with("[shared] "), "{gone:?}");
    for s in &mut stay {
        s.keeps_ticking(5);
    }
    assert_eq!(gauges(&runner, "shared")["instances_active"], 1);
    assert!(
        stderr_with(&runner, "client gone", 1, Duration::from_millis(300)).is_empty(),
        "the others are still there"
    );
}

#[test]
fn a_trap_ends_the_requests_of_its_instance_and_nothing_else() {
    let Some(app) = fixture("a_trap_ends_the_requests_of_its_instance_and_nothing_else") else {
        return;
    };
    // Three requests per instance: the first three streams fill instance
    // A, the next two and the trap go to instance B.
    let runner = start(&app, &["--max-instance-reuse-count", "3"]);
    let mut on_a: Vec<Ticks> = (0..3).map(|_| Ticks::open(&runner, "/p3/ticks")).collect();
    let on_b: Vec<Ticks> = (0..2).map(|_| Ticks::open(&runner, "/p3/ticks")).collect();
    let mut neighbour = Ticks::open(&runner, "/p2/ticks");
    assert_eq!(gauges(&runner, "shared")["instances_active"], 2);
    let trap = runner.client().get("/p3/trap");
    assert_eq!(trap.status(), 500, "{}", trap.text());
    for s in on_b {
        assert!(
            !s.ended_cleanly(),
            "a stream of the trapped instance is cut"
        );
    }
    for s in &mut on_a {
        s.keeps_ticking(5);
    }
    neighbour.keeps_ticking(5);
    wait_gauge(&runner, "shared", "instances_active", 1);
    let ok = runner.client().get("/p3/ok");
    assert_eq!((ok.status(), ok.text().as_str()), (200, "ok\n"));
    let logged = stderr_with(&runner, "[shared] error:", 1, QUICK);
    assert_eq!(
        logged.len(),
        1,
        "one line for the trapped instance: {logged:?}"
    );
}

#[test]
fn the_memory_limit_ends_a_shared_instance_with_a_500_reason() {
    let Some(app) = fixture("the_memory_limit_ends_a_shared_instance_with_a_500_reason") else {
        return;
    };
    let runner = start(&app, &["--max-instance-memory", "16777216"]);
    let stream = Ticks::open(&runner, "/p3/ticks");
    let r = runner.client().get("/p3/alloc");
    assert_eq!(r.status(), 500, "{}", r.text());
    let text = r.text();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("memory limit"), "{text}");
    assert!(!stream.ended_cleanly(), "its instance's stream is cut");
    wait_gauge(&runner, "shared", "instances_active", 0);
    let ok = runner.client().get("/p3/ok");
    assert_eq!(ok.status(), 200, "a fresh instance serves: {}", ok.text());
}

#[test]
fn the_cpu_budget_stops_a_looping_shared_instance_while_others_are_served() {
    let Some(app) =
        fixture("the_cpu_budget_stops_a_looping_shared_instance_while_others_are_served")
    else {
        return;
    };
    let runner = start(&app, &["--max-request-cpu-ms", "300"]);
    let looping = std::thread::spawn({
        let client = runner.client();
        move || client.get("/p3/loop")
    });
    // While it loops, epochs let the runner serve the other ABI at once.
    std::thread::sleep(Duration::from_millis(50));
    let mut neighbour = Ticks::open(&runner, "/p2/ticks");
    neighbour.keeps_ticking(3);
    let r = looping.join().expect("request thread");
    assert_eq!(r.status(), 500, "{}", r.text());
    assert!(r.text().contains("CPU time limit exceeded"), "{}", r.text());
    let ok = runner.client().get("/p3/ok");
    assert_eq!(ok.status(), 200, "a fresh instance serves: {}", ok.text());
}

#[test]
fn sigterm_ends_shared_streams_with_their_final_chunk() {
    let Some(app) = fixture("sigterm_ends_shared_streams_with_their_final_chunk") else {
        return;
    };
    let mut runner = start(&app, &[]);
    let streams: Vec<Ticks> = (0..30).map(|_| Ticks::open(&runner, "/p3/ticks")).collect();
    runner.terminate();
    let status = runner
        .wait_exit(Duration::from_secs(5))
        .expect("no exit within 5 s of SIGTERM");
    assert_eq!(status.code(), Some(0), "{status}");
    let unended = streams
        .into_iter()
        .map(Ticks::ended_cleanly)
        .filter(|clean| !clean)
        .count();
    assert_eq!(unended, 0, "streams without their final chunk");
}
