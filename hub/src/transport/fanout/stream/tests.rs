//! A stream on a fake instance: a bus of numbered entries, a clock that
//! moves a second per look, a body that takes every write at once.

use super::*;
use crate::config::Settings;
use crate::protocol::update::Update;
use crate::transport::history::memory::{anyone, ready};
use crate::transport::redis_streams::{Arg, Reply};
use std::cell::{Cell, RefCell};

const KEY: &[u8] = b"{mercure}:updates";

/// Entries `n-0` holding updates `u<n>` to `/t`; the commands it was sent;
/// `down` refuses every command.
#[derive(Default)]
struct Bus {
    entries: RefCell<Vec<u64>>,
    commands: RefCell<Vec<String>>,
    down: Cell<bool>,
}

impl Bus {
    fn flat(&self, numbers: impl Iterator<Item = u64>) -> Vec<Reply> {
        numbers
            .flat_map(|n| {
                let update = Update {
                    id: format!("u{n}"),
                    topics: vec!["/t".into()],
                    data: "d".into(),
                    event_type: String::new(),
                    retry: 0,
                    private: false,
                };
                [
                    Reply::Bytes(format!("{n}-0").into_bytes()),
                    Reply::Bytes(b"s".to_vec()),
                    Reply::Bytes(update.stored().encode()),
                ]
            })
            .collect()
    }
}

/// A connection; the shared read's waits once before each answer, as a
/// read of a real bus does.
#[derive(Clone)]
struct Connection(Rc<Bus>, bool);

/// Pending once, then ready.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        Poll::Pending
    }
}

/// Polls `future` until it is ready (nothing here waits for real).
fn finish<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

impl Execute for Connection {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
        if self.1 {
            YieldOnce(false).await;
        }
        self.0.commands.borrow_mut().push(command.to_owned());
        if self.0.down.get() {
            return Err("connection refused".into());
        }
        let entries = self.0.entries.borrow().clone();
        match command {
            "HGET" => {
                let Some(Arg::Bytes(id)) = args.get(1) else {
                    return Err("no id".into());
                };
                let n = String::from_utf8_lossy(id)
                    .strip_prefix('u')
                    .and_then(|n| n.parse::<u64>().ok())
                    .filter(|n| entries.contains(n));
                Ok(vec![n.map_or(Reply::Nil, |n| {
                    Reply::Bytes(format!("{n}-0").into_bytes())
                })])
            }
            "XREVRANGE" => Ok(self.0.flat(entries.into_iter().rev().take(1))),
            "XREAD" => {
                let Some(Arg::Bytes(after)) = args.get(6) else {
                    return Err("no position".into());
                };
                let after: u64 = String::from_utf8_lossy(after)
                    .split('-')
                    .next()
                    .and_then(|ms| ms.parse().ok())
                    .unwrap_or(0);
                let newer = entries.into_iter().filter(|n| *n > after);
                let flat = self.0.flat(newer);
                if flat.is_empty() {
                    return Ok(Vec::new());
                }
                Ok([vec![Reply::Bytes(KEY.to_vec())], flat].concat())
            }
            other => Err(format!("{other} is not expected")),
        }
    }
}

#[derive(Clone)]
struct Fake {
    bus: Rc<Bus>,
    fanout: Rc<RefCell<Fanout>>,
    ticks: Rc<Cell<u64>>,
}

impl Host for Fake {
    fn now(&self) -> f64 {
        self.ticks.get() as f64
    }

    fn monotonic(&self) -> Duration {
        self.ticks.set(self.ticks.get() + 1);
        Duration::from_secs(self.ticks.get())
    }

    fn random_bytes(&self) -> [u8; 16] {
        [0; 16]
    }
}

struct Quiet(Waker);

impl Bell for Quiet {
    fn poll_rings(&mut self, _cx: &mut Context<'_>) {}

    fn waker(&self) -> &Waker {
        &self.0
    }
}

impl Instance for Fake {
    type Redis = Connection;
    type Shared = Connection;
    type Bell = Quiet;

    fn fanout<T>(&self, f: impl FnOnce(&mut Fanout) -> T) -> T {
        f(&mut self.fanout.borrow_mut())
    }

    fn bell(&self) -> Quiet {
        Quiet(Waker::noop().clone())
    }

    fn sleep(&self, _wait: Duration) -> impl Future<Output = ()> {
        std::future::ready(())
    }

    async fn open(&self, settings: &Settings) -> Result<RedisStreams<Connection>, String> {
        Ok(self.shared(settings))
    }

    fn shared(&self, settings: &Settings) -> RedisStreams<Connection> {
        let connection = Connection(self.bus.clone(), false);
        RedisStreams::new(connection, &settings.key_prefix, settings.history_size)
    }

    async fn reader(&self, settings: &Settings) -> Result<Rc<RedisStreams<Connection>>, String> {
        // The shared read finds a third entry the replay did not.
        let mut entries = self.bus.entries.borrow_mut();
        if !entries.contains(&3) {
            entries.push(3);
        }
        let connection = Connection(self.bus.clone(), true);
        let history = RedisStreams::new(connection, &settings.key_prefix, settings.history_size);
        Ok(Rc::new(history))
    }

    fn forget_reader(&self) {}
}

/// Takes every write at once.
#[derive(Default)]
struct Taken(Vec<u8>);

impl Body for Taken {
    fn is_idle(&self) -> bool {
        true
    }

    fn start(&mut self, bytes: Vec<u8>) -> Result<(), Gone> {
        self.0.extend(bytes);
        Ok(())
    }

    fn poll_write(&mut self, _cx: &mut Context<'_>) -> Poll<Result<bool, Gone>> {
        Poll::Ready(Ok(false))
    }
}

fn fake(entries: &[u64]) -> Fake {
    let fake = Fake {
        bus: Rc::new(Bus::default()),
        fanout: Rc::new(RefCell::new(Fanout::default())),
        ticks: Rc::new(Cell::new(0)),
    };
    fake.bus.entries.borrow_mut().extend(entries);
    fake
}

fn settings() -> Rc<Settings> {
    let lookup = |name: &str| (name == "redis_address").then(|| "redis://x".to_owned());
    Rc::new(Settings::from_vars(lookup).unwrap())
}

/// An anonymous subscriber to `/t` whose token expires at 40 s, resuming
/// after `requested`.
fn admitted(requested: Option<&str>) -> Admitted {
    let mut subscription = anyone(&["/t"]);
    subscription.expires_at = Some(40.0);
    Admitted {
        settings: settings(),
        subscription,
        requested: requested.map(str::to_owned),
        cors: Vec::new(),
    }
}

fn last_event_id(head: &Headers) -> Option<&str> {
    head.iter()
        .find(|(name, _)| *name == "last-event-id")
        .map(|(_, value)| value.as_str())
}

/// The ids a stream wrote until its token expired.
fn ids_written(joined: Joined<Fake>) -> Vec<String> {
    let mut body = Taken::default();
    assert_eq!(finish(joined.pump_into(&mut body)), TOKEN_EXPIRED);
    let written = String::from_utf8(body.0).unwrap();
    assert!(written.starts_with(":\n"), "a heartbeat first: {written:?}");
    written
        .lines()
        .filter_map(|line| line.strip_prefix("id: "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_new_subscriber_has_its_head_without_redis_once_the_shared_read_runs() {
    let fake = fake(&[1, 2]);
    fake.fanout.borrow_mut().start(Position("2-0".into()));
    let (head, joined) = finish(Joined::start(fake.clone(), admitted(None))).unwrap();
    assert!(
        fake.bus.commands.borrow().is_empty(),
        "no round trip before the head"
    );
    assert_eq!(last_event_id(&head), None);
    // It gets what the shared read finds after its position, and no replay.
    assert_eq!(ids_written(joined), ["u3"]);
}

#[test]
fn the_first_subscriber_of_an_instance_starts_the_shared_read_at_the_newest_entry() {
    let fake = fake(&[1, 2]);
    let (_, joined) = finish(Joined::start(fake.clone(), admitted(None))).unwrap();
    assert_eq!(*fake.bus.commands.borrow(), ["XREVRANGE"]);
    assert_eq!(
        fake.fanout.borrow().position(),
        Some(&Position("2-0".into()))
    );
    assert_eq!(ids_written(joined), ["u3"]);
}

#[test]
fn a_resuming_subscriber_is_told_where_it_resumes_and_replays_up_to_the_seam() {
    let fake = fake(&[1, 2]);
    fake.fanout.borrow_mut().start(Position("2-0".into()));
    let (head, joined) = finish(Joined::start(fake.clone(), admitted(Some("u1")))).unwrap();
    assert_eq!(*fake.bus.commands.borrow(), ["HGET"]);
    assert_eq!(last_event_id(&head), Some("u1"));
    assert_eq!(ids_written(joined), ["u2", "u3"]);
    let (head, joined) = finish(Joined::start(fake, admitted(Some("earliest")))).unwrap();
    assert_eq!(last_event_id(&head), Some("earliest"));
    assert_eq!(ids_written(joined), ["u1", "u2", "u3"]);
}

#[test]
fn redis_down_is_learned_by_a_503_or_a_stream_that_ends_at_once() {
    let fake = fake(&[1, 2]);
    fake.bus.down.set(true);
    // No shared read yet: the head waits for Redis, which refuses.
    let refused = finish(Joined::start(fake.clone(), admitted(None)))
        .err()
        .unwrap();
    assert_eq!(refused.status, 503);
    let refused = finish(Joined::start(fake.clone(), admitted(Some("u1")))).err();
    assert_eq!(refused.unwrap().status, 503);
    // The shared read runs: the head goes out, and the read's failure ends
    // the stream after its first heartbeat.
    fake.fanout.borrow_mut().start(Position("2-0".into()));
    let (_, joined) = finish(Joined::start(fake.clone(), admitted(None))).unwrap();
    let mut body = Taken::default();
    let ended = finish(joined.pump_into(&mut body));
    assert!(ended.starts_with("stream ended: "), "{ended}");
    assert_eq!(body.0, HEARTBEAT);
}

#[test]
fn a_stream_replays_joins_the_shared_read_and_ends_with_its_token() {
    let fake = fake(&[1, 2]);
    let settings = settings();
    let mut subscription = anyone(&["/t"]);
    subscription.expires_at = Some(40.0);
    let stream = Stream {
        instance: fake.clone(),
        settings,
        subscription,
        presence: None,
    };
    let joined = ready(stream.join(Some(Position::start()))).unwrap();
    let mut body = Taken::default();
    assert_eq!(finish(joined.pump_into(&mut body)), TOKEN_EXPIRED);
    let written = String::from_utf8(body.0).unwrap();
    let ids: Vec<&str> = written
        .lines()
        .filter_map(|line| line.strip_prefix("id: "))
        .collect();
    assert_eq!(ids, ["u1", "u2", "u3"], "{written:?}");
    assert!(written.starts_with(":\n"), "a heartbeat first: {written:?}");
    assert!(fake.fanout.borrow().is_empty(), "it left the fan-out");
}
