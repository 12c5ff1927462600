use super::*;
use crate::authorize::Subscription;
use crate::selector;
use std::cell::RefCell;

/// An in-memory history with numbered positions.
#[derive(Default)]
struct Memory {
    entries: RefCell<Vec<(u64, Update)>>,
}

impl Memory {
    fn with(updates: &[(&str, &str, bool)]) -> Self {
        let memory = Self::default();
        for (id, topic, private) in updates {
            memory.append(&update(id, topic, *private)).unwrap();
        }
        memory
    }
}

fn number(position: &Position) -> u64 {
    position.0.split('-').next().unwrap().parse().unwrap()
}

fn entry(n: u64, update: &Update) -> Entry {
    Entry {
        position: Position(format!("{n}-0")),
        update: Some(update.stored()),
    }
}

impl History for Memory {
    type Error = String;

    fn append(&self, update: &Update) -> Result<Position, String> {
        let mut entries = self.entries.borrow_mut();
        let n = entries.len() as u64 + 1;
        entries.push((n, update.clone()));
        Ok(Position(format!("{n}-0")))
    }

    fn read_after(
        &self,
        after: &Position,
        _: Duration,
        count: usize,
    ) -> Result<Vec<Entry>, String> {
        let after = number(after);
        let entries = self.entries.borrow();
        Ok(entries
            .iter()
            .filter(|(n, _)| *n > after)
            .take(count)
            .map(|(n, u)| entry(*n, u))
            .collect())
    }

    fn resolve(&self, id: &str) -> Result<Option<Position>, String> {
        let entries = self.entries.borrow();
        let found = entries.iter().rev().find(|(_, u)| u.id == id);
        Ok(found.map(|(n, _)| Position(format!("{n}-0"))))
    }

    fn latest(&self, count: usize) -> Result<Vec<Entry>, String> {
        let entries = self.entries.borrow();
        Ok(entries
            .iter()
            .rev()
            .take(count)
            .map(|(n, u)| entry(*n, u))
            .collect())
    }
}

fn update(id: &str, topic: &str, private: bool) -> Update {
    Update {
        id: id.into(),
        topics: vec![topic.into()],
        data: String::new(),
        event_type: String::new(),
        retry: 0,
        private,
    }
}

fn anyone(selectors: &[&str]) -> Subscription {
    let topics = selector::compile_all(selectors.iter().copied()).unwrap();
    Subscription::authorize(topics, None, None, true, 0.0).unwrap()
}

#[test]
fn without_last_event_id_the_stream_starts_after_the_newest_entry() {
    let memory = Memory::with(&[("a", "/t", false), ("b", "/t", false)]);
    let start = start(&memory, None, &anyone(&["*"])).unwrap();
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
    start(memory, requested, &anyone(&["*"])).unwrap()
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
    let next = memory.read_after(&start.after, Duration::ZERO, 10).unwrap();
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
    let start = start(&memory, Some("gone"), &anyone(&["/t"])).unwrap();
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
