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
mod tests {
    //! Unit tests for the encoder: exact bytes for each field and for every
    //! input that could try to break the framing.

    use super::*;

    #[test]
    fn empty_event_is_a_single_blank_line() {
        assert_eq!(Event::new().into_string(), "\n");
    }

    #[test]
    fn fields_are_written_in_the_order_they_are_added() {
        let frame = Event::new()
            .data("x")
            .event("tick")
            .id("1")
            .retry(Duration::from_millis(250))
            .into_string();
        assert_eq!(frame, "data: x\nevent: tick\nid: 1\nretry: 250\n\n");
    }

    #[test]
    fn seed_message_event_has_id_type_and_json_data() {
        let frame = Event::new()
            .id("1")
            .event("message")
            .data(r#"{"message":"Look, Ma'! I'm streaming!"}"#)
            .into_string();
        assert_eq!(
            frame,
            "id: 1\nevent: message\ndata: {\"message\":\"Look, Ma'! I'm streaming!\"}\n\n"
        );
    }

    #[test]
    fn multi_line_data_becomes_one_data_line_per_line() {
        let frame = Event::new().data("a\nb\nc").into_string();
        assert_eq!(frame, "data: a\ndata: b\ndata: c\n\n");
    }

    #[test]
    fn cr_lf_and_crlf_all_break_data_lines() {
        let frame = Event::new().data("a\rb\nc\r\nd").into_string();
        assert_eq!(frame, "data: a\ndata: b\ndata: c\ndata: d\n\n");
    }

    #[test]
    fn lf_cr_is_two_line_breaks_not_one() {
        // Parsers read "\n\r" as LF then CR: an empty line in between.
        let frame = Event::new().data("a\n\rb").into_string();
        assert_eq!(frame, "data: a\ndata:\ndata: b\n\n");
    }

    #[test]
    fn trailing_line_break_in_data_keeps_an_empty_last_line() {
        let frame = Event::new().data("a\n").into_string();
        assert_eq!(frame, "data: a\ndata:\n\n");
    }

    #[test]
    fn empty_data_still_writes_one_data_line() {
        assert_eq!(Event::new().data("").into_string(), "data:\n\n");
    }

    #[test]
    fn data_looking_like_fields_stays_inside_data_lines() {
        let frame = Event::new()
            .data("x\n\nid: 666\nevent: evil\n\ndata: y")
            .into_string();
        assert_eq!(
            frame,
            "data: x\ndata:\ndata: id: 666\ndata: event: evil\ndata:\ndata: data: y\n\n"
        );
    }

    #[test]
    fn leading_spaces_in_values_survive_the_parser_space_strip() {
        let frame = Event::new().id(" 1").data("  two").into_string();
        assert_eq!(frame, "id:  1\ndata:   two\n\n");
    }

    #[test]
    fn newlines_in_id_are_stripped() {
        let frame = Event::new().id("1\n\ndata: injected\r\n").into_string();
        assert_eq!(frame, "id: 1data: injected\n\n");
    }

    #[test]
    fn nul_in_id_is_stripped_so_clients_keep_the_field() {
        assert_eq!(Event::new().id("4\u{0}2").into_string(), "id: 42\n\n");
    }

    #[test]
    fn newlines_and_nul_in_event_name_are_stripped() {
        let frame = Event::new().event("up\r\ndate\0\n").into_string();
        assert_eq!(frame, "event: update\n\n");
    }

    #[test]
    fn id_made_only_of_stripped_characters_is_an_empty_id() {
        assert_eq!(Event::new().id("\r\n\0").into_string(), "id:\n\n");
    }

    #[test]
    fn comment_is_a_colon_line() {
        let frame = Event::new().comment("keep-alive").into_string();
        assert_eq!(frame, ": keep-alive\n\n");
    }

    #[test]
    fn multi_line_comment_stays_a_comment_on_every_line() {
        let frame = Event::new().comment("a\r\ndata: no\rb").into_string();
        assert_eq!(frame, ": a\n: data: no\n: b\n\n");
    }

    #[test]
    fn retry_is_written_in_whole_milliseconds() {
        let frame = Event::new()
            .retry(Duration::from_micros(1_500_900))
            .into_string();
        assert_eq!(frame, "retry: 1500\n\n");
    }

    #[test]
    fn into_bytes_matches_into_string() {
        let event = Event::new().id("9").data("é");
        assert_eq!(event.clone().into_bytes(), event.into_string().into_bytes());
    }

    #[test]
    fn lines_splits_like_an_sse_parser() {
        let split: Vec<&str> = lines("a\r\n\r\nb\r\rc\n").collect();
        assert_eq!(split, ["a", "", "b", "", "c", ""]);
        assert_eq!(lines("").collect::<Vec<_>>(), [""]);
        assert_eq!(lines("\r\n").collect::<Vec<_>>(), ["", ""]);
    }
}
