//! Server-Sent Events wire encoding, with no I/O and no dependencies.
//!
//! [`Event`] is a builder that writes each field in the
//! [`text/event-stream`](https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
//! format as it is added; [`Event::into_string`] or [`Event::into_bytes`]
//! closes the frame with the blank line that makes a client dispatch it.
//!
//! ```
//! use sse_encoder::Event;
//! use std::time::Duration;
//!
//! let frame = Event::new()
//!     .retry(Duration::from_millis(3000))
//!     .id("7")
//!     .event("message")
//!     .data("first line\nsecond line")
//!     .into_string();
//! assert_eq!(
//!     frame,
//!     "retry: 3000\nid: 7\nevent: message\ndata: first line\ndata: second line\n\n"
//! );
//!
//! // A heartbeat is a comment-only frame; clients ignore it.
//! assert_eq!(Event::new().comment("keep-alive").into_string(), ": keep-alive\n\n");
//! ```
//!
//! # What no input can do
//!
//! Every method accepts any `&str` and never panics. No value can add a
//! field or an event of its own:
//!
//! - `data` and `comment` text is split into one line per line; CR, LF and
//!   CRLF all count as line breaks, exactly as SSE parsers read them. A
//!   client therefore sees every line break in `data` as LF.
//! - `id` and `event` are single-line fields: CR, LF and NUL are **stripped**
//!   from them (a NUL would make clients ignore the whole `id` field).
//! - Values keep their leading spaces: the encoder always writes the one
//!   space after the colon that parsers remove.
//!
//! Fields appear in the order they are added. Adding a single-line field
//! twice writes it twice (clients keep the last); adding `data` twice
//! appends lines (clients join them with LF).

use std::fmt::Write as _;
use std::time::Duration;

/// One SSE frame under construction: fields in the order they were added,
/// closed by a blank line when it is turned into text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "an Event does nothing until it is turned into text with into_string or into_bytes"]
pub struct Event {
    buf: String,
}

impl Event {
    /// An empty frame. On its own it encodes to a single blank line, which
    /// clients read as "dispatch nothing".
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an `id:` field (the client's Last-Event-ID). CR, LF and NUL are
    /// stripped.
    pub fn id(mut self, id: &str) -> Self {
        self.single_line_field("id", id);
        self
    }

    /// Adds an `event:` field (the event type; clients use `message` when it
    /// is absent or empty). CR, LF and NUL are stripped.
    pub fn event(mut self, name: &str) -> Self {
        self.single_line_field("event", name);
        self
    }

    /// Adds one `data:` line per line of `data`; CR, LF and CRLF all end a
    /// line. Empty `data` still writes one empty `data:` line, so the client
    /// dispatches an event whose data is the empty string.
    pub fn data(mut self, data: &str) -> Self {
        for line in lines(data) {
            self.field("data", line);
        }
        self
    }

    /// Adds a `retry:` field: the reconnection delay in whole milliseconds
    /// (at most `u64::MAX`).
    pub fn retry(mut self, delay: Duration) -> Self {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        // Writing into a String cannot fail.
        let _ = writeln!(self.buf, "retry: {millis}");
        self
    }

    /// Adds one comment line (`: text`) per line of `text`; clients ignore
    /// comments, which makes them useful as heartbeats.
    pub fn comment(mut self, text: &str) -> Self {
        for line in lines(text) {
            self.field("", line);
        }
        self
    }

    /// The encoded frame, ending with the blank line that dispatches it.
    pub fn into_string(mut self) -> String {
        self.buf.push('\n');
        self.buf
    }

    /// The encoded frame as UTF-8 bytes, ready for one body write.
    pub fn into_bytes(self) -> Vec<u8> {
        self.into_string().into_bytes()
    }

    fn single_line_field(&mut self, name: &str, value: &str) {
        self.buf.push_str(name);
        self.buf.push(':');
        let mut kept = value
            .chars()
            .filter(|c| !matches!(c, '\r' | '\n' | '\0'))
            .peekable();
        if kept.peek().is_some() {
            self.buf.push(' ');
            self.buf.extend(kept);
        }
        self.buf.push('\n');
    }

    /// Writes `name: value`; `value` must not contain CR or LF.
    fn field(&mut self, name: &str, value: &str) {
        self.buf.push_str(name);
        self.buf.push(':');
        if !value.is_empty() {
            self.buf.push(' ');
            self.buf.push_str(value);
        }
        self.buf.push('\n');
    }
}

/// Splits `text` into lines the way an SSE parser ends them: at CRLF, at a
/// lone CR and at a lone LF. Always yields at least one (maybe empty) line;
/// a trailing break yields a trailing empty line.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        // CR and LF are ASCII, so their byte position is a char boundary.
        match current.bytes().position(|b| b == b'\r' || b == b'\n') {
            None => {
                rest = None;
                Some(current)
            }
            Some(end) => {
                // `end` is at an ASCII CR or LF, so both splits are on char
                // boundaries; the checked forms just avoid panic paths.
                let (line, tail) = current.split_at_checked(end).unwrap_or((current, ""));
                let tail = tail
                    .strip_prefix("\r\n")
                    .or_else(|| tail.get(1..))
                    .unwrap_or("");
                rest = Some(tail);
                Some(line)
            }
        }
    })
}

#[cfg(test)]
mod tests;
