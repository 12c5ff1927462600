//! A blocking Server-Sent Events reader that timestamps what arrives.
//!
//! Reads a streamed body as the server flushes it, splits it into
//! [`Lines`] and groups the lines into blocks (a block ends at a blank
//! line). Each line and block carries the time it arrived, measured from
//! when the request was sent, so tests can check that frames come one by
//! one at the configured interval and not all at the end.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::time::Duration;

use crate::client::Streaming;
use crate::lines::Lines;

/// One line of the stream and when its terminator arrived.
#[derive(Debug, Clone)]
pub struct Line {
    pub at: Duration,
    pub text: String,
}

/// A block of lines ended by a blank line (one event, a retry, or comments).
#[derive(Debug, Clone)]
pub struct Block {
    /// When the blank line that ends the block arrived.
    pub at: Duration,
    pub lines: Vec<Line>,
}

/// The `id` of each event, in order (`""` for an event without one).
pub fn ids(events: &[Block]) -> Vec<String> {
    events
        .iter()
        .map(|e| e.id().unwrap_or("").to_string())
        .collect()
}

/// The parsed `message` of each event, in order.
pub fn messages(events: &[Block]) -> Vec<String> {
    events
        .iter()
        .map(|e| e.message().unwrap_or_default())
        .collect()
}

impl Block {
    /// Values of field `name`, in order (`data: x` → `x`, one leading space dropped).
    pub fn fields(&self, name: &str) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|l| !l.text.starts_with(':'))
            .filter_map(|l| {
                let (field, value) = match l.text.split_once(':') {
                    Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                    None => (l.text.as_str(), ""),
                };
                (field == name).then_some(value)
            })
            .collect()
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields(name).last().copied()
    }

    /// The event's data: `data` lines joined with LF; `None` if there are none.
    pub fn data(&self) -> Option<String> {
        let data = self.fields("data");
        (!data.is_empty()).then(|| data.join("\n"))
    }

    /// The `message` string of the event's JSON data.
    pub fn message(&self) -> Option<String> {
        let json: serde_json::Value = serde_json::from_str(&self.data()?).ok()?;
        json.get("message")?.as_str().map(str::to_string)
    }

    pub fn id(&self) -> Option<&str> {
        self.field("id")
    }

    pub fn retry(&self) -> Option<u64> {
        self.field("retry").and_then(|r| r.parse().ok())
    }

    /// Comment lines' text without the leading colon and one space.
    pub fn comments(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter_map(|l| l.text.strip_prefix(':'))
            .map(|c| c.strip_prefix(' ').unwrap_or(c))
            .collect()
    }

    /// Whether a browser would dispatch this block as an event.
    pub fn is_event(&self) -> bool {
        self.data().is_some()
    }
}

/// Reads a `text/event-stream` body incrementally.
pub struct SseReader {
    body: Streaming,
    lines: Lines,
    /// Lines split off and not handed out yet.
    ready: VecDeque<Line>,
    block: Vec<Line>,
    ended: bool,
    /// Every line seen so far, blank ones included.
    pub all_lines: Vec<Line>,
}

impl SseReader {
    pub fn new(body: Streaming) -> Self {
        SseReader {
            body,
            lines: Lines::new(),
            ready: VecDeque::new(),
            block: Vec::new(),
            ended: false,
            all_lines: Vec::new(),
        }
    }

    /// The next complete block, `Ok(None)` once the body has ended.
    /// An unterminated block at the end of the body is discarded, as a
    /// browser would.
    pub fn next_block(&mut self) -> io::Result<Option<Block>> {
        loop {
            if let Some(line) = self.ready.pop_front() {
                self.all_lines.push(line.clone());
                if !line.text.is_empty() {
                    self.block.push(line);
                } else if !self.block.is_empty() {
                    return Ok(Some(Block {
                        at: line.at,
                        lines: std::mem::take(&mut self.block),
                    }));
                }
                continue;
            }
            if self.ended {
                return Ok(None);
            }
            let mut buf = [0u8; 8192];
            let n = self.body.read(&mut buf)?;
            self.ended = n == 0;
            let at = self.body.sent_at.elapsed();
            let ready = &mut self.ready;
            self.lines.feed(&buf[..n], |line| {
                let text = String::from_utf8_lossy(line).into_owned();
                ready.push_back(Line { at, text });
            });
        }
    }

    /// Reads every remaining block until the body ends.
    pub fn read_all(&mut self) -> io::Result<Vec<Block>> {
        let mut blocks = Vec::new();
        while let Some(block) = self.next_block()? {
            blocks.push(block);
        }
        Ok(blocks)
    }

    /// Closes the connection mid-stream.
    pub fn disconnect(self) {
        self.body.disconnect();
    }
}
