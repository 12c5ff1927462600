//! The bytes of each frame this component writes: event `n` (with the
//! `retry:` field on the stream's first frame) and the keep-alive comment.
//!
//! Event `n` carries `messages[(n - 1) % len]` as `{"message":"<text>"}`
//! (the JSON string by [`json_strings::write_string`], which matches
//! serde_json). Each message's frame after its `id:` line is encoded once,
//! by the encoder, not once per event: an event is its `retry:` line (first
//! event only), its `id:` line and that tail, appended to the caller's
//! buffer, so a batch of events costs no allocation per event.

use crate::config::{ConfigError, Settings};
use crate::json_strings;
use sse_encoder::Event;

use std::time::Duration;

/// The SSE event type of every event.
pub const EVENT_TYPE: &str = "message";
/// The comment text of a keep-alive frame.
pub const KEEP_ALIVE: &str = "keep-alive";

/// Renders frames for one stream.
#[derive(Clone, Debug)]
pub struct Frames {
    /// Per message: its frame from the `event:` line to the blank line
    /// that ends it, encoded once.
    tails: Vec<Vec<u8>>,
    /// The `retry:` field line of a stream's first event.
    retry_line: Vec<u8>,
}

impl Frames {
    /// Frames for `settings`' messages and retry delay.
    pub fn new(settings: &Settings) -> Result<Self, ConfigError> {
        if settings.messages.is_empty() {
            return Err(ConfigError::Messages("the array is empty".into()));
        }
        let tails = settings
            .messages
            .iter()
            .map(|message| {
                let mut payload = String::with_capacity(message.len() + 16);
                payload.push_str("{\"message\":");
                json_strings::write_string(&mut payload, message);
                payload.push('}');
                Event::new().event(EVENT_TYPE).data(&payload).into_bytes()
            })
            .collect();
        Ok(Self {
            tails,
            retry_line: field_lines(Event::new().retry(Duration::from_millis(settings.retry_ms))),
        })
    }

    /// Appends event `id` to `out`, with the `retry:` field first when it
    /// opens the stream (a resumed stream's first event too): the encoder's
    /// field order, `retry`, `id`, `event`, `data`. Nothing is allocated
    /// when `out` has room.
    pub fn write_event(&self, id: u64, opens_stream: bool, out: &mut Vec<u8>) {
        if opens_stream {
            out.extend_from_slice(&self.retry_line);
        }
        // A decimal id has no CR, LF or NUL: the `id:` line needs no
        // stripping (the tests compare it with the encoder's).
        out.extend_from_slice(b"id: ");
        push_decimal(out, id);
        out.push(b'\n');
        out.extend_from_slice(self.tail(id));
    }

    /// Event `id` as one frame.
    pub fn event(&self, id: u64, opens_stream: bool) -> Vec<u8> {
        let mut frame = Vec::with_capacity(self.max_frame_len());
        self.write_event(id, opens_stream, &mut frame);
        frame
    }

    /// The longest frame [`Frames::write_event`] writes.
    pub fn max_frame_len(&self) -> usize {
        let longest_tail = self.tails.iter().map(Vec::len).max().unwrap_or(0);
        // "id: ", 20 digits at most, "\n".
        self.retry_line.len() + 25 + longest_tail
    }

    /// The keep-alive comment frame (`: keep-alive`).
    pub fn keep_alive(&self) -> Vec<u8> {
        Event::new().comment(KEEP_ALIVE).into_bytes()
    }

    /// Event `id`'s frame after its `id:` line: ids count from 1 and cycle
    /// through the messages.
    fn tail(&self, id: u64) -> &[u8] {
        let len = self.tails.len() as u64;
        let index = (id.saturating_sub(1) % len.max(1)) as usize;
        self.tails.get(index).map_or(&[], Vec::as_slice)
    }
}

/// The field lines of `event`, without the blank line that ends a frame,
/// to go before another frame's fields.
fn field_lines(event: Event) -> Vec<u8> {
    let mut bytes = event.into_bytes();
    bytes.pop();
    bytes
}

/// Appends `n` in decimal (without the formatting machinery, which the
/// component would otherwise pull in for this alone).
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(messages: &[&str], retry_ms: u64) -> Frames {
        Frames::new(&Settings {
            messages: messages.iter().map(|m| m.to_string()).collect(),
            retry_ms,
            ..Settings::default()
        })
        .unwrap()
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn first_frame_carries_retry_then_event_one() {
        let frames = Frames::new(&Settings::default()).unwrap();
        assert_eq!(
            text(frames.event(1, true)),
            "retry: 3000\nid: 1\nevent: message\ndata: {\"message\":\"Look, Ma'! I'm streaming!\"}\n\n"
        );
    }

    #[test]
    fn later_frames_have_no_retry() {
        let frames = Frames::new(&Settings::default()).unwrap();
        assert_eq!(
            text(frames.event(4, false)),
            "id: 4\nevent: message\ndata: {\"message\":\"Bye now!\"}\n\n"
        );
    }

    #[test]
    fn resumed_stream_opens_with_retry_on_its_first_event() {
        let frames = frames(&["a", "b"], 250);
        assert_eq!(
            text(frames.event(2, true)),
            "retry: 250\nid: 2\nevent: message\ndata: {\"message\":\"b\"}\n\n"
        );
    }

    #[test]
    fn events_cycle_through_the_messages() {
        let frames = frames(&["a", "b", "c"], 3000);
        let data: Vec<String> = [1, 2, 3, 4, 5, 1_000_000]
            .iter()
            .map(|&id| text(frames.tail(id).to_vec()))
            .collect();
        let tail = |m: &str| format!("event: message\ndata: {{\"message\":\"{m}\"}}\n\n");
        assert_eq!(data, ["a", "b", "c", "a", "b", "a"].map(tail));
    }

    #[test]
    fn every_frame_is_what_the_encoder_writes_for_it() {
        let frames = frames(&["one", "two\nlines", ""], 1500);
        let payloads = [
            r#"{"message":"one"}"#,
            r#"{"message":"two\nlines"}"#,
            r#"{"message":""}"#,
        ];
        let ids = (0..=1_000).chain([9, 10, 99, 100, 12_345_678_901, u64::MAX - 1, u64::MAX]);
        for id in ids {
            for opens in [false, true] {
                let mut event = Event::new();
                if opens {
                    event = event.retry(Duration::from_millis(1500));
                }
                let payload = payloads[(id.saturating_sub(1) % 3) as usize];
                let expected = event
                    .id(&id.to_string())
                    .event(EVENT_TYPE)
                    .data(payload)
                    .into_bytes();
                assert_eq!(
                    text(frames.event(id, opens)),
                    text(expected),
                    "{id} {opens}"
                );
            }
        }
    }

    #[test]
    fn write_event_appends_after_what_is_there() {
        let frames = frames(&["a"], 0);
        let mut out = b": x\n\n".to_vec();
        frames.write_event(7, true, &mut out);
        assert_eq!(
            text(out),
            ": x\n\nretry: 0\nid: 7\nevent: message\ndata: {\"message\":\"a\"}\n\n"
        );
    }

    #[test]
    fn message_text_is_json_escaped_and_stays_on_one_data_line() {
        let frames = frames(&["say \"hi\"\nthen\u{7}bye"], 3000);
        assert_eq!(
            text(frames.event(1, false)),
            "id: 1\nevent: message\ndata: {\"message\":\"say \\\"hi\\\"\\nthen\\u0007bye\"}\n\n"
        );
    }

    #[test]
    fn keep_alive_is_a_comment_frame() {
        assert_eq!(text(frames(&["a"], 0).keep_alive()), ": keep-alive\n\n");
    }

    #[test]
    fn no_messages_is_a_config_error() {
        let settings = Settings {
            messages: Vec::new(),
            ..Settings::default()
        };
        assert!(Frames::new(&settings).is_err());
    }
}
