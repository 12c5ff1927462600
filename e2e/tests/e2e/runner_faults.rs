//! The runner under faults and hostile clients (issue #10), each guarantee
//! through a real runner process with short configured limits:
//!
//! - `guests`: a guest that loops (others keep being served, the CPU budget
//!   ends it, shutdown stops it), one that allocates without end (500 with
//!   a one-line reason, slot reused), one that prints megabytes into an
//!   unread stdout (lines dropped and counted, nothing blocks);
//! - `clients`: clients that vanish (instances gone at once), that stop
//!   reading (bounded RSS, cut by the send timeout), that never finish their
//!   head (cut by the header timeout), oversized heads and bodies (431/413),
//!   running out of file descriptors (accept backs off and recovers);
//! - `shutdown`: SIGTERM with 10,000 open streams.
//!
//! The fixture guest is `e2e/fault-component`, mounted at `/fault/...`
//! next to the app's SSE component at `/sse`. Skipped when
//! `SPIN_SSE_BASE_URL` points the suite at another server.

use super::runner_rules::process::{self, Runner};
use super::support::temp_app::Component;
use super::support::{self, TempApp};
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Guests that loop, allocate, print.
mod guests;

/// Clients that vanish, stall, dawdle or overflow.
mod clients;

/// SIGTERM with 10,000 open streams.
mod shutdown;

/// An app with the fault fixture at `/fault/...` and the SSE component at
/// `/sse`, everything built; `None` (reason printed) against an external
/// server.
fn fixture(test: &str) -> Option<TempApp> {
    if support::is_external() {
        support::skip(
            test,
            "needs the embedded runner itself, but SPIN_SSE_BASE_URL is set",
        );
        return None;
    }
    support::ensure_built();
    support::fixture_wasm("fault-component");
    let mut app = TempApp::new("faults");
    app.component(Component {
        name: "faults",
        route: "/fault/...",
        crate_name: "fault_component",
        files: Vec::new(),
        env: Vec::new(),
    })
    .component(Component::sse("/sse"));
    app.manifest();
    Some(app)
}

/// A runner on `app` with `flags`.
fn start(app: &TempApp, flags: &[&str]) -> Runner {
    process::start(&app.dir().join("spin.toml"), flags)
}

/// Opens a connection and writes `GET target` without reading anything.
fn send_get(addr: SocketAddr, target: &str) -> TcpStream {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    write!(s, "GET {target} HTTP/1.1\r\nHost: {addr}\r\n\r\n").expect("write request");
    s
}

/// Resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmRSS in /proc/<pid>/status")
}

/// Every stderr line of `runner` that arrives within `wait`.
fn stderr_lines(runner: &Runner, wait: Duration) -> Vec<String> {
    std::thread::sleep(wait);
    runner.stderr.drain()
}
