//! Component stdout/stderr: every line a guest prints appears on the runner's
//! own stdout/stderr as `[<component-id>] <line>`.
//!
//! A partial line is held until its newline arrives, the pending text grows
//! past [`MAX_PENDING`], or the instance ends (the stream is dropped).

use std::io::{self, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// Longest partial line held before it is written out anyway.
pub const MAX_PENDING: usize = 16 * 1024;

/// Which of the runner's own streams a guest stream goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The runner's stdout.
    Stdout,
    /// The runner's stderr.
    Stderr,
}

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

    /// Takes `buf`, writes every completed line to `out`.
    pub fn push(&mut self, buf: &[u8], out: &mut impl Write) -> io::Result<()> {
        let mut rest = buf;
        while let Some(nl) = rest.iter().position(|b| *b == b'\n') {
            self.pending.extend_from_slice(&rest[..nl]);
            self.emit(out)?;
            rest = &rest[nl + 1..];
        }
        self.pending.extend_from_slice(rest);
        if self.pending.len() > MAX_PENDING {
            self.emit(out)?;
        }
        Ok(())
    }

    /// Writes a pending partial line, if any.
    pub fn finish(&mut self, out: &mut impl Write) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.emit(out)?;
        }
        out.flush()
    }

    fn emit(&mut self, out: &mut impl Write) -> io::Result<()> {
        let mut line = Vec::with_capacity(self.prefix.len() + self.pending.len() + 1);
        line.extend_from_slice(self.prefix.as_bytes());
        line.append(&mut self.pending);
        line.push(b'\n');
        out.write_all(&line)
    }
}

struct LineWriter {
    lines: LinePrefixer,
    target: Target,
}

impl LineWriter {
    fn with_out<R>(&mut self, f: impl FnOnce(&mut LinePrefixer, &mut dyn Write) -> R) -> R {
        match self.target {
            Target::Stdout => f(&mut self.lines, &mut io::stdout().lock()),
            Target::Stderr => f(&mut self.lines, &mut io::stderr().lock()),
        }
    }
}

impl AsyncWrite for LineWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        // Output problems on the runner's own stdio must not fail the guest.
        let _ = this.with_out(|lines, mut out| {
            lines.push(buf, &mut out)?;
            out.flush()
        });
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let _ = this.with_out(|lines, mut out| lines.finish(&mut out));
        Poll::Ready(Ok(()))
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        let _ = self.with_out(|lines, mut out| lines.finish(&mut out));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&[u8]], finish: bool) -> String {
        let mut p = LinePrefixer::new("[c] ".into());
        let mut out = Vec::new();
        for c in chunks {
            p.push(c, &mut out).unwrap();
        }
        if finish {
            p.finish(&mut out).unwrap();
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
