//! The bytes of each frame this component writes: event `n` (with the
//! `retry:` field on the stream's first frame) and the keep-alive comment.
//!
//! Event `n` carries `messages[(n - 1) % len]` as `{"message":"<text>"}`,
//! written once per message, not once per event (the JSON string by
//! [`json_strings::write_string`], which matches serde_json).

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
    /// One JSON payload per configured message; never empty. Shared by
    /// every stream of the same settings.
    payloads: Vec<String>,
    retry: Duration,
}

impl Frames {
    /// Serialises each configured message once.
    pub fn new(settings: &Settings) -> Result<Self, ConfigError> {
        if settings.messages.is_empty() {
            return Err(ConfigError::Messages("the array is empty".into()));
        }
        let payloads: Vec<String> = settings
            .messages
            .iter()
            .map(|message| {
                let mut payload = String::with_capacity(message.len() + 16);
                payload.push_str("{\"message\":");
                json_strings::write_string(&mut payload, message);
                payload.push('}');
                payload
            })
            .collect();
        Ok(Self {
            payloads,
            retry: Duration::from_millis(settings.retry_ms),
        })
    }

    /// Event `id` (1-based); `opens_stream` adds the `retry:` field first.
    pub fn event(&self, id: u64, opens_stream: bool) -> Vec<u8> {
        let mut event = Event::new();
        if opens_stream {
            event = event.retry(self.retry);
        }
        event
            .id(&id.to_string())
            .event(EVENT_TYPE)
            .data(self.payload(id))
            .into_bytes()
    }

    /// The `: keep-alive` comment frame.
    pub fn keep_alive(&self) -> Vec<u8> {
        Event::new().comment(KEEP_ALIVE).into_bytes()
    }

    fn payload(&self, id: u64) -> &str {
        let len = self.payloads.len() as u64;
        // `new` guarantees len >= 1, so the index is always in bounds.
        let index = (id.saturating_sub(1) % len.max(1)) as usize;
        self.payloads.get(index).map_or("", String::as_str)
    }
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
            .map(|&id| frames.payload(id).to_string())
            .collect();
        assert_eq!(
            data,
            [
                r#"{"message":"a"}"#,
                r#"{"message":"b"}"#,
                r#"{"message":"c"}"#,
                r#"{"message":"a"}"#,
                r#"{"message":"b"}"#,
                r#"{"message":"a"}"#,
            ]
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
