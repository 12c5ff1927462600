//! The update model: what a publisher sent, how it goes on the wire (SSE
//! bytes through the workspace's `sse-encoder`) and how it is stored in the
//! bus: a [`Stored`] update carries what a subscriber filters on (id,
//! topics, private) and the SSE frame encoded once, at publish, so that
//! fanning an update out to N subscribers costs N byte copies, not N
//! decodes and N encodings.

use serde::Deserialize;
use sse_encoder::Event;
use std::time::Duration;

/// One published update.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Update {
    /// The SSE `id`: publisher-given, or made by the hub.
    pub id: String,
    /// The first topic is canonical, the others alternates.
    pub topics: Vec<String>,
    pub data: String,
    /// The SSE `event` field; empty when absent.
    #[serde(rename = "type", default)]
    pub event_type: String,
    /// The SSE `retry` field in ms; 0 when absent.
    #[serde(default)]
    pub retry: u64,
    #[serde(default)]
    pub private: bool,
}

impl Update {
    /// The update a publish form describes; without the publisher's `id`, a
    /// hub-made one from `random` ([`generated_id`]).
    pub fn published(publication: crate::protocol::form::Publication, random: [u8; 16]) -> Self {
        Update {
            id: publication.id.unwrap_or_else(|| generated_id(random)),
            topics: publication.topics,
            data: publication.data,
            event_type: publication.event_type,
            retry: publication.retry,
            private: publication.private,
        }
    }

    /// Reads the JSON form earlier versions stored (before [`Stored`]);
    /// `None` for anything else.
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

/// An update as subscribers read it from the bus: what they filter on and
/// the frame they write.
///
/// Encoded as one header line, `<private 0|1> <id length> <topic length>…`,
/// then the id, the topics and the frame, back to back. Lengths are in
/// bytes, so topics and ids may hold any character, newlines included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: String,
    pub topics: Vec<String>,
    pub private: bool,
    /// The complete SSE event ([`Update::to_sse`]).
    pub frame: Vec<u8>,
}

impl Update {
    /// What the bus keeps of this update.
    pub fn stored(&self) -> Stored {
        Stored {
            id: self.id.clone(),
            topics: self.topics.clone(),
            private: self.private,
            frame: self.to_sse(),
        }
    }
}

impl Stored {
    /// The bytes the bus keeps.
    pub fn encode(&self) -> Vec<u8> {
        let mut header = format!("{} {}", u8::from(self.private), self.id.len());
        for topic in &self.topics {
            header.push_str(&format!(" {}", topic.len()));
        }
        header.push('\n');
        let mut out = header.into_bytes();
        out.extend_from_slice(self.id.as_bytes());
        for topic in &self.topics {
            out.extend_from_slice(topic.as_bytes());
        }
        out.extend_from_slice(&self.frame);
        out
    }

    /// Reads [`Stored::encode`]'s bytes; `None` for anything else.
    pub fn decode(mut bytes: Vec<u8>) -> Option<Self> {
        let newline = bytes.iter().position(|&b| b == b'\n')?;
        let header = std::str::from_utf8(&bytes[..newline]).ok()?;
        let mut fields = header.split(' ');
        let private = match fields.next()? {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        let mut lengths = Vec::new();
        for field in fields {
            lengths.push(field.parse::<usize>().ok()?);
        }
        let (&id_len, topic_lens) = lengths.split_first()?;
        let mut at = newline + 1;
        let mut take = |len: usize| -> Option<String> {
            let end = at.checked_add(len).filter(|&end| end <= bytes.len())?;
            let text = std::str::from_utf8(&bytes[at..end]).ok()?.to_owned();
            at = end;
            Some(text)
        };
        let id = take(id_len)?;
        let topics = topic_lens
            .iter()
            .map(|&len| take(len))
            .collect::<Option<Vec<_>>>()?;
        bytes.drain(..at);
        Some(Stored {
            id,
            topics,
            private,
            frame: bytes,
        })
    }
}

/// The heartbeat comment the reference hub sends (`:` and a newline).
pub const HEARTBEAT: &[u8] = b":\n";

/// The headers of a subscriber's stream, as the reference hub sends them.
pub const STREAM_HEADERS: [(&str, &str); 5] = [
    ("content-type", "text/event-stream"),
    (
        "cache-control",
        "private, no-cache, no-store, must-revalidate, max-age=0",
    ),
    ("pragma", "no-cache"),
    ("expires", "0"),
    ("x-accel-buffering", "no"),
];

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
    fn the_json_earlier_versions_stored_still_reads() {
        let plain = br#"{"id":"urn:uuid:1","topics":["https://example.com/books/1"],"data":"line one\nline two"}"#;
        assert_eq!(Update::from_json(plain), Some(update()));
        let mut full = update();
        full.event_type = "t".into();
        full.retry = 5;
        full.private = true;
        let json = br#"{"id":"urn:uuid:1","topics":["https://example.com/books/1"],"data":"line one\nline two","type":"t","retry":5,"private":true}"#;
        assert_eq!(Update::from_json(json), Some(full));
        assert_eq!(Update::from_json(b"not json"), None);
    }

    #[test]
    fn stored_updates_round_trip_whatever_their_topics_and_ids_hold() {
        let mut odd = update();
        odd.id = "id with spaces\nand a newline".into();
        odd.topics = vec![
            "https://example.com/books/1".into(),
            String::new(),
            "1 2\n3 é".into(),
        ];
        odd.private = true;
        odd.event_type = "t".into();
        for original in [update(), odd] {
            let stored = original.stored();
            assert_eq!(stored.frame, original.to_sse());
            assert_eq!(Stored::decode(stored.encode()), Some(stored));
        }
    }

    #[test]
    fn stored_encoding_is_a_header_line_then_the_parts_back_to_back() {
        let encoded = update().stored().encode();
        assert_eq!(
            std::str::from_utf8(&encoded).unwrap(),
            "0 10 27\nurn:uuid:1https://example.com/books/1id: urn:uuid:1\ndata: line one\ndata: line two\n\n"
        );
    }

    #[test]
    fn anything_else_does_not_decode_as_a_stored_update() {
        let good = update().stored().encode();
        for bad in [
            &b""[..],
            b"no header line",
            b"2 1\nx",
            b"0\n",
            b"0 x\n",
            b"0 -1\n",
            b"0 99\nshort",
            b"0 1 99999999999999999999999\nx",
            b"0 18446744073709551615 1\nx",
            br#"{"id":"a","topics":["/t"],"data":"d"}"#,
        ] {
            assert_eq!(Stored::decode(bad.to_vec()), None, "{bad:?}");
        }
        let mut not_utf8 = good.clone();
        not_utf8[9] = 0xff;
        assert_eq!(Stored::decode(not_utf8), None);
    }

    #[test]
    fn a_published_update_keeps_the_publishers_id_or_gets_a_generated_one() {
        let form =
            crate::protocol::form::parse(b"topic=a&topic=b&data=x&type=t&retry=5&private=on")
                .unwrap();
        let update = Update::published(form.clone(), [7; 16]);
        assert_eq!(update.id, generated_id([7; 16]));
        assert_eq!(update.topics, ["a", "b"]);
        assert_eq!(
            (update.data.as_str(), update.event_type.as_str()),
            ("x", "t")
        );
        assert_eq!((update.retry, update.private), (5, true));
        let named = crate::protocol::form::parse(b"topic=a&id=mine").unwrap();
        assert_eq!(Update::published(named, [7; 16]).id, "mine");
    }

    #[test]
    fn generated_ids_are_version_4_uuid_urns() {
        let id = generated_id([0xff; 16]);
        assert_eq!(id, "urn:uuid:ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_ne!(generated_id([1; 16]), generated_id([2; 16]));
    }
}
