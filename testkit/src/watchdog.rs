//! Child processes that never outlive the process that started them (a
//! test binary, a benchmark).
//!
//! The child runs under a tiny `sh` watchdog that reads its parent's pipe:
//! when the pipe closes (on [`Watched::stop`] or drop, or when the parent
//! exits or dies, which matters for shared servers that are never dropped)
//! the watchdog sends the child SIGTERM, then SIGKILL after 5 s. When the
//! child ends by itself the watchdog ends too, with the child's exit status
//! (128 + n for signal n, as `sh` reports it). The watchdog can raise the
//! child's open-file limit first (`ulimit -n`).

use std::ffi::OsStr;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

// fd 3 keeps the parent's pipe for the background reader (an asynchronous
// list's stdin is /dev/null); the child does not inherit it.
const WATCHDOG: &str = r#"if [ -n "$WATCHDOG_NOFILE" ]; then
  ulimit -n "$WATCHDOG_NOFILE" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
exec 3<&0
"$0" "$@" 3<&- &
pid=$!
(
  read -r _unused <&3
  kill -TERM "$pid" 2>/dev/null
  sleep 5
  kill -KILL "$pid" 2>/dev/null
) >/dev/null 2>&1 &
reader=$!
exec 3<&-
wait "$pid"
status=$?
kill -TERM "$reader" 2>/dev/null
exit "$status"
"#;

/// A `Command` for `program` that runs under the watchdog; add args, cwd,
/// env and stdout/stderr as usual, then [`Watched::spawn`] it.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(WATCHDOG).arg(program);
    cmd
}

/// A running child under the watchdog.
pub struct Watched {
    child: Child,
    pipe: Option<ChildStdin>,
    status: Option<ExitStatus>,
}

impl Watched {
    /// Spawns `cmd` (made by [`command`]); `nofile` raises its open-file limit.
    pub fn spawn(mut cmd: Command, nofile: Option<u64>) -> std::io::Result<Watched> {
        if let Some(n) = nofile {
            cmd.env("WATCHDOG_NOFILE", n.to_string());
        }
        let mut child = cmd.stdin(Stdio::piped()).spawn()?;
        let pipe = child.stdin.take();
        Ok(Watched {
            child,
            pipe,
            status: None,
        })
    }

    /// The watchdog process (its stdout/stderr are the child's).
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// The watched program's own pid (a child of the watchdog), for
    /// signals and `/proc`; `None` once it has ended.
    pub fn program_pid(&self) -> Option<u32> {
        let watchdog = self.child.id();
        let children =
            std::fs::read_to_string(format!("/proc/{watchdog}/task/{watchdog}/children")).ok()?;
        // The program is the watchdog's first child; the reader comes later.
        children.split_whitespace().next()?.parse().ok()
    }

    /// The child's exit status once it has ended.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Whether the child has ended.
    pub fn has_exited(&mut self) -> bool {
        self.try_status().is_some()
    }

    /// Sends `signal` (e.g. `"TERM"`, `"KILL"`) to the watched program.
    pub fn signal(&self, signal: &str) -> Result<(), String> {
        let pid = self
            .program_pid()
            .ok_or_else(|| "the watched program has already ended".to_string())?;
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .map_err(|e| format!("cannot run kill: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("kill -{signal} {pid} failed: {status}"))
        }
    }

    /// Waits up to `timeout` for the child to end by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_status() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the child (SIGTERM, SIGKILL 5 s later) and waits for it.
    pub fn stop(&mut self) {
        // Closing the pipe makes the watchdog stop the child.
        drop(self.pipe.take());
        if self.wait_exit(Duration::from_secs(10)).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sleeper() -> Command {
        let mut cmd = command("sleep");
        cmd.arg("600");
        cmd
    }

    #[test]
    fn a_child_that_ends_by_itself_ends_the_watchdog_with_its_status() {
        let mut cmd = command("sh");
        cmd.args(["-c", "exit 3"]);
        let mut w = Watched::spawn(cmd, None).unwrap();
        let status = w.wait_exit(Duration::from_secs(10)).expect("ended");
        assert_eq!(status.code(), Some(3));
    }

    #[test]
    fn closing_the_pipe_stops_the_child() {
        let mut w = Watched::spawn(sleeper(), None).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let pid = w.program_pid().expect("sleep runs");
        let started = Instant::now();
        w.stop();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "SIGTERM ends sleep"
        );
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    }

    #[test]
    fn a_signal_reaches_the_program_not_the_watchdog() {
        let mut w = Watched::spawn(sleeper(), None).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        w.signal("KILL").unwrap();
        let status = w.wait_exit(Duration::from_secs(10)).expect("ended");
        assert_eq!(status.code(), Some(128 + 9));
    }

    #[test]
    fn the_open_file_limit_is_set_for_the_child() {
        let mut cmd = command("sh");
        cmd.args(["-c", "test \"$(ulimit -n)\" = 200"]);
        let mut w = Watched::spawn(cmd, Some(200)).unwrap();
        let status = w.wait_exit(Duration::from_secs(10)).expect("ended");
        assert!(status.success(), "ulimit -n is not 200: {status}");
    }
}
