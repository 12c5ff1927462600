//! Property tests: frames from the encoder, read back by an independent SSE
//! parser (the `eventsource-stream` crate), give back exactly what went in:
//! the same number of events and the same fields, whatever the input text.

use eventsource_stream::{Event as Parsed, Eventsource};
use futures::{executor::block_on, stream, StreamExt};
use proptest::prelude::*;
use sse_encoder::Event;
use std::time::Duration;

const CASES: u32 = 10_000;

/// Text that often contains the characters that could break framing.
fn hostile_text() -> impl Strategy<Value = String> {
    let hostile_char = prop_oneof![
        3 => any::<char>(),
        1 => Just('\r'),
        1 => Just('\n'),
        1 => Just('\0'),
        1 => Just(':'),
        1 => Just(' '),
        1 => Just('\u{feff}'),
    ];
    prop_oneof![
        prop::collection::vec(hostile_char, 0..48).prop_map(String::from_iter),
        any::<String>(),
        Just(String::new()),
    ]
}

/// Mostly whole frames, sometimes tiny chunks that split lines, CRLF pairs
/// and UTF-8 sequences.
fn chunk_size() -> impl Strategy<Value = usize> {
    prop_oneof![3 => Just(usize::MAX), 1 => 1usize..16]
}

/// Parses `wire`, fed to the parser in chunks of `chunk` bytes, into events.
fn parse(wire: &[u8], chunk: usize) -> Vec<Parsed> {
    let chunks: Vec<Result<Vec<u8>, std::convert::Infallible>> =
        wire.chunks(chunk).map(|c| Ok(c.to_vec())).collect();
    block_on(
        stream::iter(chunks)
            .eventsource()
            .map(|event| event.expect("the encoder's output must always parse"))
            .collect(),
    )
}

/// What a client sees for `data`: every CR, LF or CRLF becomes LF.
fn as_client_sees_data(data: &str) -> String {
    data.replace("\r\n", "\n").replace('\r', "\n")
}

/// What a client sees for `id`/`event`: the encoder strips CR, LF and NUL.
fn as_client_sees_single_line(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n' | '\0'))
        .collect()
}

/// Every line of `wire` must be a known field or a comment, and only the
/// final line may be blank: anything else would be an injected field or event.
fn assert_only_known_lines(wire: &str) -> Result<(), TestCaseError> {
    let body = wire
        .strip_suffix("\n\n")
        .ok_or_else(|| TestCaseError::fail("frame must end with a blank line"))?;
    for line in body.split('\n') {
        prop_assert!(!line.contains('\r'), "CR inside a line: {line:?}");
        let known = ["id:", "event:", "data:", "retry:", ":"]
            .iter()
            .any(|field| line.starts_with(field));
        prop_assert!(known, "unexpected line {line:?} in {wire:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn any_data_round_trips_as_exactly_one_event(data in hostile_text(), chunk in chunk_size()) {
        let wire = Event::new().data(&data).into_string();
        assert_only_known_lines(&wire)?;
        let events = parse(wire.as_bytes(), chunk);
        prop_assert_eq!(events.len(), 1, "wire: {:?}", wire);
        prop_assert_eq!(&events[0].data, &as_client_sees_data(&data));
        prop_assert_eq!(&events[0].event, "message");
        prop_assert_eq!(&events[0].id, "");
        prop_assert_eq!(events[0].retry, None);
    }

    #[test]
    fn every_field_round_trips_and_none_is_added(
        id in hostile_text(),
        name in hostile_text(),
        data in hostile_text(),
        comment in hostile_text(),
        retry_ms in any::<u32>(),
        chunk in chunk_size(),
    ) {
        let wire = Event::new()
            .comment(&comment)
            .retry(Duration::from_millis(retry_ms.into()))
            .id(&id)
            .event(&name)
            .data(&data)
            .into_string();
        assert_only_known_lines(&wire)?;
        let events = parse(wire.as_bytes(), chunk);
        prop_assert_eq!(events.len(), 1, "wire: {:?}", wire);
        let event = &events[0];
        prop_assert_eq!(&event.id, &as_client_sees_single_line(&id));
        let expected_type = match as_client_sees_single_line(&name) {
            empty if empty.is_empty() => "message".to_string(),
            name => name,
        };
        prop_assert_eq!(&event.event, &expected_type);
        prop_assert_eq!(&event.data, &as_client_sees_data(&data));
        prop_assert_eq!(event.retry, Some(Duration::from_millis(retry_ms.into())));
    }

    #[test]
    fn a_stream_of_events_parses_back_event_for_event(
        events in prop::collection::vec((hostile_text(), hostile_text()), 0..6),
        heartbeat in hostile_text(),
        chunk in chunk_size(),
    ) {
        let mut wire = String::new();
        for (id, data) in &events {
            wire.push_str(&Event::new().id(id).event("message").data(data).into_string());
            // A comment-only frame between events must dispatch nothing.
            wire.push_str(&Event::new().comment(&heartbeat).into_string());
        }
        let parsed = parse(wire.as_bytes(), chunk);
        prop_assert_eq!(parsed.len(), events.len(), "wire: {:?}", wire);
        for ((id, data), got) in events.iter().zip(&parsed) {
            prop_assert_eq!(&got.id, &as_client_sees_single_line(id));
            prop_assert_eq!(&got.data, &as_client_sees_data(data));
            prop_assert_eq!(&got.event, "message");
        }
    }

    #[test]
    fn comment_only_frames_dispatch_nothing(text in hostile_text(), chunk in chunk_size()) {
        let wire = Event::new().comment(&text).into_string();
        assert_only_known_lines(&wire)?;
        prop_assert!(parse(wire.as_bytes(), chunk).is_empty(), "wire: {:?}", wire);
    }
}
