//! Output that never blocks the server: component lines and the runner's
//! own per-request lines go through a bounded queue per stream (stdout,
//! stderr), drained by one writer thread each.
//!
//! Pushing a line never waits. When the runner's stdout or stderr is slow
//! (a full pipe, a stalled terminal) and [`MAX_QUEUED_BYTES`] are waiting,
//! new lines are dropped and counted ([`dropped_lines`], `/metrics`
//! `log_lines_dropped`), and the first time it happens the writer prints
//! one notice once it can write again.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

/// Bytes of lines waiting per stream before new ones are dropped.
pub const MAX_QUEUED_BYTES: usize = 1 << 20;

/// Which of the runner's own streams a line goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The runner's stdout.
    Stdout,
    /// The runner's stderr.
    Stderr,
}

/// Lines waiting to be written, at most `max_bytes` of them (pure).
#[derive(Debug)]
pub struct Queue {
    lines: VecDeque<Vec<u8>>,
    bytes: usize,
    max_bytes: usize,
}

impl Queue {
    /// An empty queue holding at most `max_bytes`.
    pub fn new(max_bytes: usize) -> Self {
        Queue {
            lines: VecDeque::new(),
            bytes: 0,
            max_bytes,
        }
    }

    /// Queues `line`; `false` (line dropped) when it does not fit.
    pub fn push(&mut self, line: Vec<u8>) -> bool {
        if self.bytes + line.len() > self.max_bytes {
            return false;
        }
        self.bytes += line.len();
        self.lines.push_back(line);
        true
    }

    /// Everything queued, oldest first, as one buffer.
    pub fn take(&mut self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes);
        for line in self.lines.drain(..) {
            out.extend_from_slice(&line);
        }
        self.bytes = 0;
        out
    }

    /// Nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

struct Sink {
    target: Target,
    queue: Mutex<Queue>,
    ready: Condvar,
}

static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Lines dropped so far because a stream was not drained fast enough.
pub fn dropped_lines() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

fn sink(target: Target) -> &'static Sink {
    static STDOUT: OnceLock<&'static Sink> = OnceLock::new();
    static STDERR: OnceLock<&'static Sink> = OnceLock::new();
    let cell = match target {
        Target::Stdout => &STDOUT,
        Target::Stderr => &STDERR,
    };
    cell.get_or_init(|| {
        let sink: &'static Sink = Box::leak(Box::new(Sink {
            target,
            queue: Mutex::new(Queue::new(MAX_QUEUED_BYTES)),
            ready: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name(format!("{target:?}-writer").to_lowercase())
            .spawn(move || sink.drain())
            .expect("spawn an output writer thread");
        sink
    })
}

/// Queues one complete line (with its newline) for `target`; never blocks.
pub fn write_line(target: Target, line: Vec<u8>) {
    let sink = sink(target);
    let queued = sink.queue.lock().is_ok_and(|mut q| q.push(line));
    if queued {
        sink.ready.notify_one();
    } else {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

/// The runner's own line for stderr (`text` without newline).
pub fn error_line(text: &str) {
    write_line(Target::Stderr, format!("{text}\n").into_bytes());
}

/// A guest's error with its causes on one line, for [`error_line`]: the
/// first line of each cause (a trap's wasm backtrace is a cause of its own
/// whose frames follow its first line; the trap's reason is the cause
/// below it, so it is kept).
pub fn one_line(e: &wasmtime::Error) -> String {
    let causes: Vec<String> = e
        .chain()
        .filter_map(|cause| {
            let text = cause.to_string();
            let first = text.lines().next().unwrap_or_default();
            let first = first.trim_end().trim_end_matches(':');
            (!first.is_empty()).then(|| first.to_string())
        })
        .collect();
    causes.join(": ")
}

impl Sink {
    fn drain(&self) {
        let mut noticed = false;
        loop {
            let batch = {
                let Ok(mut q) = self.queue.lock() else { return };
                while q.is_empty() {
                    q = match self.ready.wait(q) {
                        Ok(q) => q,
                        Err(_) => return,
                    };
                }
                q.take()
            };
            let mut out: Box<dyn Write> = match self.target {
                Target::Stdout => Box::new(io::stdout().lock()),
                Target::Stderr => Box::new(io::stderr().lock()),
            };
            // Nowhere to report a failing stdout/stderr; the lines are lost.
            let _ = out.write_all(&batch).and_then(|()| out.flush());
            let dropped = dropped_lines();
            if dropped > 0 && !noticed {
                noticed = true;
                let _ = writeln!(
                    out,
                    "spin-sse-runner: output is read too slowly: {dropped} lines were dropped so far (counted in /metrics log_lines_dropped)"
                )
                .and_then(|()| out.flush());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_past_the_byte_bound_are_refused() {
        let mut q = Queue::new(10);
        assert!(q.push(b"12345\n".to_vec()));
        assert!(!q.push(b"1234\n".to_vec()), "11 bytes > 10");
        assert!(q.push(b"123\n".to_vec()));
        assert_eq!(q.take(), b"12345\n123\n");
        assert!(q.is_empty());
        assert!(q.push(b"123456789\n".to_vec()), "room again after take");
    }

    #[test]
    fn one_line_keeps_the_causes_and_drops_the_backtrace() {
        let e = wasmtime::Error::msg("wasm trap: unreachable\nwasm backtrace:\n    0: 0x1f - f")
            .context("error while executing at wasm backtrace");
        assert_eq!(
            one_line(&e),
            "error while executing at wasm backtrace: wasm trap: unreachable"
        );
    }

    #[test]
    fn one_line_keeps_the_trap_below_a_multi_line_backtrace() {
        // A trap as wasmtime reports it: the backtrace's own text is
        // several lines, and the reason is the next cause.
        let e = wasmtime::Error::msg("wasm trap: wasm `unreachable` instruction executed")
            .context("error while executing at wasm backtrace:\n    0: 0x1f - f\n    1: 0x2e - g");
        assert_eq!(
            one_line(&e),
            "error while executing at wasm backtrace: wasm trap: wasm `unreachable` instruction executed"
        );
    }
}
