//! A stream on a fake instance: a bus of numbered entries, a clock that
//! moves a second per look, a body that takes every write at once.

use super::*;
use crate::config::Settings;
use crate::protocol::update::Update;
use crate::transport::history::memory::{anyone, ready};
use crate::transport::redis_streams::{Arg, Reply};
use std::cell::{Cell, RefCell};

const KEY: &[u8] = b"{mercure}:updates";

/// Entries `n-0` holding updates `u<n>` to `/t`.
#[derive(Default)]
struct Bus {
    entries: RefCell<Vec<u64>>,
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
        let entries = self.0.entries.borrow().clone();
        match command {
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

#[test]
fn a_stream_replays_joins_the_shared_read_and_ends_with_its_token() {
    let fake = Fake {
        bus: Rc::new(Bus::default()),
        fanout: Rc::new(RefCell::new(Fanout::default())),
        ticks: Rc::new(Cell::new(0)),
    };
    fake.bus.entries.borrow_mut().extend([1, 2]);
    let lookup = |name: &str| (name == "redis_address").then(|| "redis://x".to_owned());
    let settings = Rc::new(Settings::from_vars(lookup).unwrap());
    let mut subscription = anyone(&["/t"]);
    subscription.expires_at = Some(40.0);
    let stream = Stream {
        instance: fake.clone(),
        history: Some(fake.shared(&settings)),
        settings,
        subscription,
        presence: None,
    };
    let joined = ready(stream.join(Position::start())).unwrap();
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
