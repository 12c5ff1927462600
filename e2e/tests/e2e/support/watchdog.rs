//! Child processes that never outlive the test binary.
//!
//! The child runs under a tiny `sh` watchdog that reads the test binary's
//! pipe: when the pipe closes (on [`Watched::stop`] or drop, or when the test
//! binary exits or dies, which matters for shared servers that are never
//! dropped) the watchdog sends SIGTERM, then SIGKILL after 5 s. The watchdog
//! can raise the child's open-file limit first (`ulimit -n`).

use std::ffi::OsStr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

const WATCHDOG: &str = r#"if [ -n "$WATCHDOG_NOFILE" ]; then
  ulimit -n "$WATCHDOG_NOFILE" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
"$0" "$@" &
pid=$!
read -r _unused
kill -TERM "$pid" 2>/dev/null
( sleep 5; kill -KILL "$pid" 2>/dev/null ) >/dev/null 2>&1 &
wait "$pid"
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
}

impl Watched {
    /// Spawns `cmd` (made by [`command`]); `nofile` raises its open-file limit.
    pub fn spawn(mut cmd: Command, nofile: Option<u64>) -> std::io::Result<Watched> {
        if let Some(n) = nofile {
            cmd.env("WATCHDOG_NOFILE", n.to_string());
        }
        let mut child = cmd.stdin(Stdio::piped()).spawn()?;
        let pipe = child.stdin.take();
        Ok(Watched { child, pipe })
    }

    /// The watchdog process (its stdout/stderr are the child's).
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Whether the child has ended.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Stops the child (SIGTERM, SIGKILL 5 s later) and waits for it.
    pub fn stop(&mut self) {
        // Closing the pipe makes the watchdog stop the child.
        drop(self.pipe.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.has_exited() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.stop();
    }
}
