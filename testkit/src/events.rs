//! Incremental Server-Sent Events parser following the WHATWG "event stream
//! interpretation" rules.
//!
//! Bytes arrive in arbitrary pieces; lines end in CRLF, LF or CR (also when
//! the CR and the LF are in different pieces); a leading BOM is dropped; a
//! blank line dispatches the event unless its data buffer is empty; `id`
//! values with NUL are ignored; `retry` is taken only when all ASCII digits;
//! an unterminated event at end of stream is discarded. Lines are split by
//! [`Lines`].

use crate::lines::Lines;

/// One dispatched event, borrowed from the parser's buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// Event type (`message` when no `event:` field was given).
    pub event_type: &'a [u8],
    /// Data with the final newline removed.
    pub data: &'a [u8],
    /// The last event ID as of this dispatch (persists across events).
    pub last_event_id: &'a [u8],
}

/// Incremental parser state for one stream.
#[derive(Debug, Default)]
pub struct SseParser {
    lines: Lines,
    fields: Fields,
}

/// What the lines so far have set.
#[derive(Debug, Default)]
struct Fields {
    data: Vec<u8>,
    event_type: Vec<u8>,
    last_event_id: Vec<u8>,
    first_line_done: bool,
    retry_ms: Option<u64>,
    comments: u64,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Last `retry:` value seen, in milliseconds.
    pub fn retry_ms(&self) -> Option<u64> {
        self.fields.retry_ms
    }

    /// Number of comment lines (e.g. heartbeats) seen.
    pub fn comments(&self) -> u64 {
        self.fields.comments
    }

    /// Feeds a piece of the body; calls `on_event` for each dispatched event.
    pub fn feed(&mut self, input: &[u8], mut on_event: impl FnMut(EventRef<'_>)) {
        let fields = &mut self.fields;
        self.lines
            .feed(input, |line| fields.process_line(line, &mut on_event));
    }
}

impl Fields {
    fn process_line(&mut self, mut line: &[u8], on_event: &mut impl FnMut(EventRef<'_>)) {
        if !self.first_line_done {
            self.first_line_done = true;
            if let Some(rest) = line.strip_prefix(BOM) {
                line = rest;
            }
        }
        if line.is_empty() {
            self.dispatch(on_event);
            return;
        }
        if line[0] == b':' {
            self.comments += 1;
            return;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"event" => {
                self.event_type.clear();
                self.event_type.extend_from_slice(value);
            }
            b"data" => {
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
            }
            b"id" if !value.contains(&0) => {
                self.last_event_id.clear();
                self.last_event_id.extend_from_slice(value);
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                self.retry_ms = std::str::from_utf8(value).ok().and_then(|s| s.parse().ok());
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, on_event: &mut impl FnMut(EventRef<'_>)) {
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        self.data.pop();
        let event_type: &[u8] = if self.event_type.is_empty() {
            b"message"
        } else {
            &self.event_type
        };
        on_event(EventRef {
            event_type,
            data: &self.data,
            last_event_id: &self.last_event_id,
        });
        self.data.clear();
        self.event_type.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Owned = (String, String, String);

    fn parse_pieces(pieces: &[&[u8]]) -> (Vec<Owned>, SseParser) {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for piece in pieces {
            p.feed(piece, |e| {
                out.push((
                    String::from_utf8_lossy(e.event_type).into_owned(),
                    String::from_utf8_lossy(e.data).into_owned(),
                    String::from_utf8_lossy(e.last_event_id).into_owned(),
                ))
            });
        }
        (out, p)
    }

    fn ev(t: &str, d: &str, id: &str) -> Owned {
        (t.into(), d.into(), id.into())
    }

    #[test]
    fn dispatches_on_blank_line_with_default_type_and_id() {
        let (evs, p) =
            parse_pieces(&[b"retry: 3000\n\nid: 1\nevent: message\ndata: {\"message\":\"a\"}\n\n"]);
        assert_eq!(evs, vec![ev("message", "{\"message\":\"a\"}", "1")]);
        assert_eq!(p.retry_ms(), Some(3000));
    }

    #[test]
    fn every_split_point_gives_the_same_events() {
        let stream: &[u8] = b"id: 7\r\ndata: x\r\n\r\n: keep-alive\r\nid: 8\rdata: y\rdata: z\r\r";
        let (whole, _) = parse_pieces(&[stream]);
        assert_eq!(
            whole,
            vec![ev("message", "x", "7"), ev("message", "y\nz", "8")]
        );
        for cut in 0..stream.len() {
            let (split, p) = parse_pieces(&[&stream[..cut], &stream[cut..]]);
            assert_eq!(split, whole, "cut at {cut}");
            assert_eq!(p.comments(), 1);
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(parse_pieces(&bytes).0, whole);
    }

    #[test]
    fn id_persists_and_nul_ids_are_ignored() {
        let (evs, _) =
            parse_pieces(&[b"id: 1\ndata: a\n\ndata: b\n\nid: 2\0x\ndata: c\n\nid\ndata: d\n\n"]);
        assert_eq!(
            evs,
            vec![
                ev("message", "a", "1"),
                ev("message", "b", "1"),
                ev("message", "c", "1"),
                ev("message", "d", "")
            ]
        );
    }

    #[test]
    fn empty_data_does_not_dispatch_but_resets_type() {
        let (evs, _) = parse_pieces(&[b"event: ping\n\ndata\n\nevent: x\ndata:\ndata\n\n"]);
        assert_eq!(evs, vec![ev("message", "", ""), ev("x", "\n", "")]);
    }

    #[test]
    fn only_one_leading_space_is_stripped_and_colonless_lines_are_fields() {
        let (evs, _) = parse_pieces(&[b"data:  two\ndata:none\n\n"]);
        assert_eq!(evs, vec![ev("message", " two\nnone", "")]);
    }

    #[test]
    fn retry_requires_only_digits() {
        let (_, p) = parse_pieces(&[b"retry: 12a\n\n"]);
        assert_eq!(p.retry_ms(), None);
        let (_, p) = parse_pieces(&[b"retry: 5\nretry: x\n\n"]);
        assert_eq!(p.retry_ms(), Some(5));
    }

    #[test]
    fn leading_bom_is_dropped_even_when_split() {
        let (evs, _) = parse_pieces(&[b"\xEF\xBB", b"\xBFdata: a\n\n"]);
        assert_eq!(evs, vec![ev("message", "a", "")]);
    }

    #[test]
    fn unterminated_event_at_end_is_not_dispatched() {
        let (evs, _) = parse_pieces(&[b"data: a\n\ndata: b\n"]);
        assert_eq!(evs, vec![ev("message", "a", "")]);
    }
}
