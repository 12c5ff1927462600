//! The update model: what a publisher sent, how it is stored in the bus
//! (one JSON document per stream entry) and how it goes on the wire (SSE
//! bytes through the workspace's `sse-encoder`).

use serde::{Deserialize, Serialize};
use sse_encoder::Event;
use std::time::Duration;

/// One published update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    /// The SSE `id`: publisher-given, or made by the hub.
    pub id: String,
    /// The first topic is canonical, the others alternates.
    pub topics: Vec<String>,
    pub data: String,
    /// The SSE `event` field; empty when absent.
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub event_type: String,
    /// The SSE `retry` field in ms; 0 when absent.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retry: u64,
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Update {
    /// The stored form.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing strings, numbers and booleans cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads the stored form; `None` for an entry this hub did not write.
    pub fn from_json(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }

    /// The SSE frame, fields in the reference hub's order (`event`,
    /// `retry`, `id`, `data`); `data` is always present, one line per line.
    pub fn to_sse(&self) -> Vec<u8> {
        let mut event = Event::new();
        if !self.event_type.is_empty() {
            event = event.event(&self.event_type);
        }
        if self.retry != 0 {
            event = event.retry(Duration::from_millis(self.retry));
        }
        event.id(&self.id).data(&self.data).into_bytes()
    }
}

/// The heartbeat comment the reference hub sends (`:` and a newline).
pub const HEARTBEAT: &[u8] = b":\n";

/// A hub-made id: `urn:uuid:` and a random (version 4) UUID.
pub fn generated_id(random: [u8; 16]) -> String {
    let mut bytes = random;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update() -> Update {
        Update {
            id: "urn:uuid:1".into(),
            topics: vec!["https://example.com/books/1".into()],
            data: "line one\nline two".into(),
            event_type: String::new(),
            retry: 0,
            private: false,
        }
    }

    #[test]
    fn plain_update_is_id_then_one_data_line_per_line() {
        let sse = String::from_utf8(update().to_sse()).unwrap();
        assert_eq!(sse, "id: urn:uuid:1\ndata: line one\ndata: line two\n\n");
    }

    #[test]
    fn type_and_retry_come_first_and_empty_data_still_dispatches() {
        let mut full = update();
        full.event_type = "book-updated".into();
        full.retry = 2500;
        full.data = String::new();
        let sse = String::from_utf8(full.to_sse()).unwrap();
        assert_eq!(
            sse,
            "event: book-updated\nretry: 2500\nid: urn:uuid:1\ndata:\n\n"
        );
    }

    #[test]
    fn data_cannot_inject_fields_or_events() {
        let mut hostile = update();
        hostile.data = "a\r\n\r\nid: 9\revent: x".into();
        let sse = String::from_utf8(hostile.to_sse()).unwrap();
        assert_eq!(
            sse,
            "id: urn:uuid:1\ndata: a\ndata:\ndata: id: 9\ndata: event: x\n\n"
        );
    }

    #[test]
    fn stored_form_round_trips_and_omits_defaults() {
        let plain = update();
        let json = plain.to_json();
        assert_eq!(
            std::str::from_utf8(&json).unwrap(),
            r#"{"id":"urn:uuid:1","topics":["https://example.com/books/1"],"data":"line one\nline two"}"#
        );
        assert_eq!(Update::from_json(&json), Some(plain));
        let mut full = update();
        full.event_type = "t".into();
        full.retry = 5;
        full.private = true;
        assert_eq!(Update::from_json(&full.to_json()), Some(full));
        assert_eq!(Update::from_json(b"not json"), None);
    }

    #[test]
    fn generated_ids_are_version_4_uuid_urns() {
        let id = generated_id([0xff; 16]);
        assert_eq!(id, "urn:uuid:ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_ne!(generated_id([1; 16]), generated_id([2; 16]));
    }
}
