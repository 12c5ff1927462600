//! The hub's publish form: an accepted form keeps the rules (1..=1000
//! topics of at most 2048 bytes, none in `/.well-known/mercure`; `id` and
//! `type` bounded and free of CR/LF/NUL, `id` not `earliest`), a refused
//! one answers 400, 403 or 413 with a one-line reason; the form re-encoded
//! parses to the same publication; its update's SSE frame is one event a
//! reader reads back unchanged; the stored form decodes to what was encoded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mercure_hub::protocol::form::{self, EARLIEST, MAX_ID_BYTES, MAX_TYPE_BYTES};
use mercure_hub::protocol::selector::{MAX_SELECTORS, MAX_SELECTOR_BYTES};
use mercure_hub::protocol::update::{Stored, Update};
use spin_sse_fuzz::{assert_one_line, normalise_breaks, read_event_stream};

fuzz_target!(|body: &[u8]| {
    // Whatever the bus holds decodes to something that encodes back.
    if let Some(stored) = Stored::decode(body.to_vec()) {
        assert_eq!(Stored::decode(stored.encode()), Some(stored));
    }

    let publication = match form::parse(body) {
        Ok(publication) => publication,
        Err(error) => {
            assert!(matches!(error.status(), 400 | 403 | 413), "{error:?}");
            assert_one_line(&error.to_string());
            return;
        }
    };
    assert!((1..=MAX_SELECTORS).contains(&publication.topics.len()));
    for topic in &publication.topics {
        assert!(topic.len() <= MAX_SELECTOR_BYTES);
        assert!(!topic.contains("/.well-known/mercure"));
    }
    if let Some(id) = &publication.id {
        assert!(!id.is_empty() && id.len() <= MAX_ID_BYTES && id != EARLIEST);
        assert!(!id.contains(['\r', '\n', '\0']));
    }
    assert!(publication.event_type.len() <= MAX_TYPE_BYTES);
    assert!(!publication.event_type.contains(['\r', '\n', '\0']));

    let mut again = form_urlencoded::Serializer::new(String::new());
    for topic in &publication.topics {
        again.append_pair("topic", topic);
    }
    again.append_pair("data", &publication.data);
    if let Some(id) = &publication.id {
        again.append_pair("id", id);
    }
    again.append_pair("type", &publication.event_type);
    again.append_pair("retry", &publication.retry.to_string());
    if publication.private {
        again.append_pair("private", "on");
    }
    assert_eq!(
        form::parse(again.finish().as_bytes()).as_ref(),
        Ok(&publication)
    );

    let update = Update::published(publication.clone(), [7; 16]);
    assert!(!update.id.is_empty());
    let frame = update.to_sse();
    let read = read_event_stream(std::str::from_utf8(&frame).expect("frames are UTF-8"));
    assert_eq!((read.pending.as_str(), read.open_fields), ("", 0));
    assert_eq!(read.events.len(), 1, "one update is one event: {frame:?}");
    let event = &read.events[0];
    assert_eq!(event.data, normalise_breaks(&publication.data));
    assert_eq!(event.last_event_id, update.id);
    let kind = if publication.event_type.is_empty() {
        "message"
    } else {
        &publication.event_type
    };
    assert_eq!(event.event_type, kind);
    assert_eq!(
        read.retry,
        (publication.retry != 0).then(|| publication.retry.to_string())
    );

    let stored = update.stored();
    assert_eq!(Stored::decode(stored.encode()), Some(stored));
});
