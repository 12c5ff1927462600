use super::memory::{anyone, ready, Memory};
use super::*;

#[test]
fn without_last_event_id_the_stream_starts_after_the_newest_entry() {
    let memory = Memory::with(&[("a", "/t", false), ("b", "/t", false)]);
    let start = ready(start(&memory, None, &anyone(&["*"]))).unwrap();
    assert_eq!(
        start,
        Start {
            after: Position("2-0".into()),
            last_event_id: None
        }
    );
    let empty = Memory::default();
    assert_eq!(start_of(&empty, Some("")).after, Position::start());
}

fn start_of(memory: &Memory, requested: Option<&str>) -> Start {
    ready(start(memory, requested, &anyone(&["*"]))).unwrap()
}

#[test]
fn earliest_replays_the_whole_history() {
    let memory = Memory::with(&[("a", "/t", false)]);
    let start = start_of(&memory, Some("earliest"));
    assert_eq!(
        start,
        Start {
            after: Position::start(),
            last_event_id: Some("earliest".into())
        }
    );
}

#[test]
fn a_known_id_resumes_right_after_it_and_is_echoed() {
    let memory = Memory::with(&[
        ("a", "/t", false),
        ("urn:uuid:x", "/t", false),
        ("c", "/t", false),
    ]);
    let start = start_of(&memory, Some("urn:uuid:x"));
    assert_eq!(
        start,
        Start {
            after: Position("2-0".into()),
            last_event_id: Some("urn:uuid:x".into())
        }
    );
    let next = ready(memory.read_after(&start.after, Duration::ZERO, 10)).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].update.as_ref().unwrap().id, "c");
}

#[test]
fn an_unknown_id_goes_live_and_reports_the_newest_visible_id() {
    let memory = Memory::with(&[
        ("a", "/t", false),
        ("b", "/other", false),
        ("p", "/t", true),
    ]);
    let start = ready(start(&memory, Some("gone"), &anyone(&["/t"]))).unwrap();
    assert_eq!(start.after, Position("3-0".into()), "nothing is replayed");
    assert_eq!(
        start.last_event_id.as_deref(),
        Some("a"),
        "b is another topic, p is private"
    );
    let nothing = start_of(&Memory::default(), Some("gone"));
    assert_eq!(
        nothing,
        Start {
            after: Position::start(),
            last_event_id: Some("earliest".into())
        }
    );
}

#[test]
fn positions_sort_in_stream_order() {
    let p = |s: &str| Position(s.into());
    assert!(p("9-0") < p("10-0"));
    assert!(p("5-1") < p("5-2"));
    assert!(p("5-9") < p("6-0"));
    assert!(Position::start() < p("0-1"));
    assert!(p("99-0") < p("junk"), "ids that are not ms-seq sort last");
    assert_eq!(p("7-3").cmp(&p("7-3")), std::cmp::Ordering::Equal);
}

#[test]
fn the_header_is_asked_first_then_the_query_parameter() {
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    };
    let query = pairs(&[("topic", "a"), ("lastEventID", "q")]);
    let header = pairs(&[("last-event-id", "h")]);
    assert_eq!(requested_id(&header, &query), Some("h"));
    let empty_header = pairs(&[("last-event-id", "")]);
    assert_eq!(requested_id(&empty_header, &query), Some("q"));
    assert_eq!(requested_id(&[], &pairs(&[("topic", "a")])), None);
}
