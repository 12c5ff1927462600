//! A runner process started by a test with its own flags (the shared
//! harness's [`Runner`]), and a bare one whose output the test reads itself.

use super::super::support::{self, runner};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub use super::super::support::runner::{failing_up, Runner, RunnerOptions};

/// A runner on `manifest` with `extra` flags after its addresses.
pub fn start(manifest: &Path, extra: &[&str]) -> Runner {
    let options = RunnerOptions {
        flags: extra.iter().map(|f| f.to_string()).collect(),
        ..RunnerOptions::default()
    };
    runner::start_with(manifest, &options)
}

/// `up` on `manifest` with exactly `args`, stdout and stderr piped to the
/// test, which must read them (or not, on purpose).
pub fn spawn(manifest: &Path, args: &[&str]) -> Child {
    Command::new(support::runner_bin())
        .args(["up", "--file"])
        .arg(manifest)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start spin-sse-runner")
}

/// The first line on `rx` satisfying `pred` within `timeout`.
pub fn wait_line(
    rx: &mpsc::Receiver<String>,
    mut pred: impl FnMut(&str) -> bool,
    timeout: Duration,
) -> Option<String> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match rx.recv_timeout(left) {
            Ok(line) if pred(&line) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}
