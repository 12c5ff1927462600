//! Component stdout/stderr: every line a guest prints appears on the runner's
//! own stdout/stderr as `[<component-id>] <line>`, through the bounded,
//! never-blocking queues of [`crate::host::log`] (a slow sink drops lines and
//! counts them; it never stalls a worker).
//!
//! A partial line is held until its newline arrives, the pending text grows
//! past [`MAX_PENDING`], or the instance ends (the stream is dropped).

pub use crate::host::log::Target;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// Longest partial line held before it is written out anyway.
pub const MAX_PENDING: usize = 16 * 1024;

/// A WASI stdout/stderr that prefixes lines with the component id.
#[derive(Debug, Clone)]
pub struct PrefixedStdio {
    prefix: Arc<str>,
    target: Target,
}

impl PrefixedStdio {
    /// Lines written go to `target` prefixed `[<component>] `.
    pub fn new(component: &str, target: Target) -> Self {
        PrefixedStdio {
            prefix: format!("[{component}] ").into(),
            target,
        }
    }
}

impl IsTerminal for PrefixedStdio {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for PrefixedStdio {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(LineWriter {
            lines: LinePrefixer::new(self.prefix.clone()),
            target: self.target,
        })
    }
}

/// Splits bytes into lines and writes each with the prefix (pure over `Write`).
#[derive(Debug)]
pub struct LinePrefixer {
    prefix: Arc<str>,
    pending: Vec<u8>,
}

impl LinePrefixer {
    /// A prefixer with nothing pending.
    pub fn new(prefix: Arc<str>) -> Self {
        LinePrefixer {
            prefix,
            pending: Vec::new(),
        }
    }

    /// Takes `buf`, hands every completed line (prefixed, with its
    /// newline) to `emit`.
    pub fn push(&mut self, buf: &[u8], mut emit: impl FnMut(Vec<u8>)) {
        let mut rest = buf;
        while let Some(nl) = rest.iter().position(|b| *b == b'\n') {
            self.pending.extend_from_slice(&rest[..nl]);
            emit(self.line());
            rest = &rest[nl + 1..];
        }
        self.pending.extend_from_slice(rest);
        if self.pending.len() > MAX_PENDING {
            emit(self.line());
        }
    }

    /// Hands a pending partial line, if any, to `emit`.
    pub fn finish(&mut self, emit: impl FnOnce(Vec<u8>)) {
        if !self.pending.is_empty() {
            emit(self.line());
        }
    }

    fn line(&mut self) -> Vec<u8> {
        let mut line = Vec::with_capacity(self.prefix.len() + self.pending.len() + 1);
        line.extend_from_slice(self.prefix.as_bytes());
        line.append(&mut self.pending);
        line.push(b'\n');
        line
    }
}

struct LineWriter {
    lines: LinePrefixer,
    target: Target,
}

impl AsyncWrite for LineWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let target = this.target;
        this.lines
            .push(buf, |line| crate::host::log::write_line(target, line));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let target = this.target;
        this.lines
            .finish(|line| crate::host::log::write_line(target, line));
        Poll::Ready(Ok(()))
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        let target = self.target;
        self.lines
            .finish(|line| crate::host::log::write_line(target, line));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&[u8]], finish: bool) -> String {
        let mut p = LinePrefixer::new("[c] ".into());
        let mut out = Vec::new();
        for c in chunks {
            p.push(c, |line| out.extend_from_slice(&line));
        }
        if finish {
            p.finish(|line| out.extend_from_slice(&line));
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_line_gets_the_prefix() {
        assert_eq!(run(&[b"a\nb\n"], false), "[c] a\n[c] b\n");
    }

    #[test]
    fn partial_lines_wait_for_their_newline() {
        assert_eq!(run(&[b"hel", b"lo\nwor"], false), "[c] hello\n");
        assert_eq!(run(&[b"hel", b"lo\nwor"], true), "[c] hello\n[c] wor\n");
    }

    #[test]
    fn empty_lines_are_kept() {
        assert_eq!(run(&[b"\n\n"], false), "[c] \n[c] \n");
    }

    #[test]
    fn overlong_partial_line_is_written_anyway() {
        let long = vec![b'x'; MAX_PENDING + 1];
        let out = run(&[&long], false);
        assert!(out.starts_with("[c] xxx") && out.ends_with("x\n"));
    }

    #[test]
    fn finish_with_nothing_pending_writes_nothing() {
        assert_eq!(run(&[b"a\n"], true), "[c] a\n");
    }
}
