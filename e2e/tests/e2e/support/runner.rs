//! The embedded runner for the tests: the shared harness's
//! [`Runner`](sse_testkit::runner::Runner) started with the release binary
//! [`runner_bin`](super::runner_bin), from the repo root unless told
//! otherwise, panicking with its output when it does not come up; and
//! [`failing_up`] for a runner that must refuse to start.

use super::{repo_root, runner_bin};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

pub use sse_testkit::runner::{Runner, RunnerOptions};

/// Starts the runner on `manifest` and waits for its addresses. Panics
/// with the runner's output if it does not come up.
pub fn start(manifest: &Path) -> Runner {
    start_with(manifest, &RunnerOptions::default())
}

/// [`start`] with extra environment, flags and a working directory of the
/// test's choice (default: the repo root).
pub fn start_with(manifest: &Path, options: &RunnerOptions) -> Runner {
    let mut options = options.clone();
    options.cwd.get_or_insert_with(|| repo_root().to_path_buf());
    Runner::start(&runner_bin(), manifest, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `up` on `manifest` (plus `extra` flags) expecting it to fail at
/// start-up; returns its stderr, checked to be exactly one `Error:` line.
pub fn failing_up(manifest: &Path, extra: &[&str]) -> String {
    failing_up_with(manifest, extra, &RunnerOptions::default())
}

/// How long a runner that should refuse to start may take to exit.
pub const FAILING_UP_DEADLINE: Duration = Duration::from_secs(60);

/// [`failing_up`] with extra environment and working directory.
/// A runner that starts serving instead of failing is killed after
/// [`FAILING_UP_DEADLINE`], and the test fails saying so (it never hangs).
pub fn failing_up_with(manifest: &Path, extra: &[&str], options: &RunnerOptions) -> String {
    let mut child = std::process::Command::new(runner_bin())
        .args(["up", "--file"])
        .arg(manifest)
        .args(extra)
        .current_dir(options.cwd.as_deref().unwrap_or(repo_root()))
        .envs(options.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > FAILING_UP_DEADLINE {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "runner should have failed but was still running after {FAILING_UP_DEADLINE:?}; stdout: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        !out.status.success(),
        "runner should have failed; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "want exactly one error line, got: {stderr}");
    assert!(lines[0].starts_with("Error: "), "{stderr}");
    stderr
}
