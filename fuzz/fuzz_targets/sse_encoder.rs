//! `sse-encoder`: whatever the fields, the frame is one event (or none, when
//! it has no data) that a spec-following reader reads back unchanged: data
//! with its line breaks as LF, `id` and `event` without CR/LF/NUL, `retry`
//! in milliseconds, comments line by line; nothing is left open.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use spin_sse_fuzz::{normalise_breaks, read_event_stream};
use sse_encoder::Event;
use std::time::Duration;

#[derive(Arbitrary, Debug)]
enum Field {
    Id(String),
    Event(String),
    Data(String),
    Retry(u64, u32),
    Comment(String),
}

fn single_line(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n' | '\0'))
        .collect()
}

fuzz_target!(|fields: Vec<Field>| {
    let mut event = Event::new();
    let (mut data, mut id, mut kind, mut retry) = (None::<String>, None, None, None);
    let mut comments = Vec::new();
    for field in &fields {
        event = match field {
            Field::Id(value) => {
                id = Some(single_line(value));
                event.id(value)
            }
            Field::Event(value) => {
                kind = Some(single_line(value));
                event.event(value)
            }
            Field::Data(value) => {
                let lines = normalise_breaks(value);
                data = Some(match data {
                    None => lines,
                    Some(before) => format!("{before}\n{lines}"),
                });
                event.data(value)
            }
            Field::Retry(secs, nanos) => {
                let delay = Duration::new(*secs, *nanos % 1_000_000_000);
                let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
                retry = Some(millis.to_string());
                event.retry(delay)
            }
            Field::Comment(text) => {
                comments.extend(normalise_breaks(text).split('\n').map(str::to_owned));
                event.comment(text)
            }
        };
    }
    let frame = event.into_string();
    assert!(frame.ends_with('\n'));
    let read = read_event_stream(&frame);
    assert_eq!(read.pending, "", "the frame ends with a line break");
    assert_eq!(read.open_fields, 0, "the frame is closed by a blank line");
    assert_eq!(read.retry, retry);
    assert_eq!(read.comments, comments);
    let id = id.unwrap_or_default();
    assert_eq!(read.last_event_id, id);
    match data {
        None => assert!(read.events.is_empty(), "no data, no event: {frame:?}"),
        Some(data) => {
            let kind = kind.filter(|k| !k.is_empty()).unwrap_or("message".into());
            assert_eq!(read.events.len(), 1, "one frame is one event: {frame:?}");
            let got = &read.events[0];
            assert_eq!(got.data, data);
            assert_eq!(got.event_type, kind);
            assert_eq!(got.last_event_id, id);
        }
    }
});
