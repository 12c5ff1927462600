use super::*;
use crate::transport::history::memory::ready;
use std::cell::RefCell;

/// Answers each command with the next canned reply and records the calls.
pub(super) struct Canned {
    pub(super) replies: RefCell<Vec<Result<Vec<Reply>, String>>>,
    pub(super) calls: RefCell<Vec<(String, Vec<Arg>)>>,
}

impl Canned {
    pub(super) fn new(replies: Vec<Result<Vec<Reply>, String>>) -> RedisStreams<Self> {
        let canned = Self {
            replies: RefCell::new(replies),
            calls: RefCell::new(Vec::new()),
        };
        RedisStreams::new(canned, "hub", 50)
    }
}

impl Execute for Canned {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
        self.calls
            .borrow_mut()
            .push((command.to_owned(), args.to_vec()));
        self.replies.borrow_mut().remove(0)
    }
}

fn bytes(text: &str) -> Reply {
    Reply::Bytes(text.as_bytes().to_vec())
}

fn update(id: &str) -> Update {
    Update {
        id: id.into(),
        topics: vec!["/t".into()],
        data: "d".into(),
        event_type: String::new(),
        retry: 0,
        private: false,
    }
}

/// How an earlier version stored an update (still read).
fn json(id: &str) -> Reply {
    bytes(&format!(r#"{{"id":"{id}","topics":["/t"],"data":"d"}}"#))
}

fn stored(id: &str) -> Reply {
    Reply::Bytes(update(id).stored().encode())
}

#[test]
fn append_is_one_eval_over_the_three_hash_tagged_keys() {
    let history = Canned::new(vec![Ok(vec![bytes("5-0")])]);
    assert_eq!(
        ready(history.append(&update("a"))).unwrap(),
        Position("5-0".into())
    );
    let calls = history.redis.calls.borrow();
    let (command, args) = &calls[0];
    assert_eq!(command, "EVAL");
    assert_eq!(args[1], Arg::Int(3));
    assert_eq!(
        &args[2..5],
        &[
            Arg::from("{hub}:updates"),
            Arg::from("{hub}:ids"),
            Arg::from("{hub}:order")
        ]
    );
    assert_eq!(args[5], Arg::Int(50));
    assert_eq!(args[6], Arg::from("a"));
    assert_eq!(args[7], Arg::Bytes(update("a").stored().encode()));
    assert!(
        matches!(&args[0], Arg::Bytes(script) if script.windows(14).any(|w| w == b"'*', 's', ARGV"))
    );
}

#[test]
fn xread_replies_become_entries_and_timeouts_nothing() {
    let history = Canned::new(vec![
        Ok(vec![
            bytes("{hub}:updates"),
            bytes("1-0"),
            bytes("s"),
            stored("a"),
            bytes("2-0"),
            bytes("s"),
            bytes("junk"),
            bytes("3-0"),
            bytes("u"),
            json("b"),
        ]),
        Ok(vec![Reply::Nil]),
        Ok(vec![]),
    ]);
    let after = Position::start();
    let read = ready(history.read_after(&after, Duration::from_millis(15_000), 10)).unwrap();
    assert_eq!(
        read[0],
        Entry {
            position: Position("1-0".into()),
            update: Some(update("a").stored())
        }
    );
    assert_eq!(
        read[1],
        Entry {
            position: Position("2-0".into()),
            update: None
        }
    );
    assert_eq!(
        read[2],
        Entry {
            position: Position("3-0".into()),
            update: Some(update("b").stored())
        },
        "entries an earlier version wrote as JSON still read"
    );
    assert!(ready(history.read_after(&after, Duration::ZERO, 10))
        .unwrap()
        .is_empty());
    assert!(ready(history.read_after(&after, Duration::ZERO, 10))
        .unwrap()
        .is_empty());
    let calls = history.redis.calls.borrow();
    assert_eq!(calls[0].1[3], Arg::Int(15_000));
    assert_eq!(calls[1].1[3], Arg::Int(1), "BLOCK 0 would wait forever");
}

#[test]
fn misshapen_replies_and_failures_are_errors_not_panics() {
    let history = Canned::new(vec![
        Ok(vec![bytes("{hub}:updates"), bytes("1-0"), bytes("u")]),
        Ok(vec![bytes("1-0"), bytes("s"), stored("a"), bytes("x")]),
        Ok(vec![
            bytes("{hub}:updates"),
            bytes("1-0"),
            bytes("v"),
            json("a"),
        ]),
        Err("connection refused".into()),
        Ok(vec![Reply::Int(3)]),
    ]);
    let after = Position::start();
    assert!(ready(history.read_after(&after, Duration::ZERO, 1)).is_err());
    assert!(ready(history.latest(1)).is_err());
    assert!(ready(history.read_after(&after, Duration::ZERO, 1)).is_err());
    assert_eq!(
        ready(history.resolve("a")).unwrap_err().to_string(),
        "Redis HGET failed: connection refused"
    );
    assert!(ready(history.append(&update("a"))).is_err());
}

#[test]
fn resolve_and_latest_read_the_index_and_the_stream_tail() {
    let history = Canned::new(vec![
        Ok(vec![bytes("7-1")]),
        Ok(vec![Reply::Nil]),
        Ok(vec![bytes("9-0"), bytes("s"), stored("z")]),
        Ok(vec![]),
    ]);
    assert_eq!(
        ready(history.resolve("a")).unwrap(),
        Some(Position("7-1".into()))
    );
    assert_eq!(ready(history.resolve("b")).unwrap(), None);
    assert_eq!(
        ready(history.latest(1)).unwrap()[0].position,
        Position("9-0".into())
    );
    assert!(ready(history.latest(1)).unwrap().is_empty());
}
