//! The loop both adapters (WASI 0.2 and WASI 0.3) run over an
//! [`Outbox`]: write what is due, sleep until the next deadline, and stop at
//! the final event or at the first failed write (the client is gone). The
//! clock, the sleep and the body are the adapter's [`Wire`]; tested
//! natively with a fake one.

use crate::outbox::{Next, Outbox};
use std::future::Future;
use std::time::Duration;

/// One open stream's clock and body, as an adapter provides them.
// Each adapter implements it for one concrete, single-threaded type, so
// the futures need no `Send` bound.
#[allow(async_fn_in_trait)]
pub trait Wire {
    /// The monotonic clock, in nanoseconds from an arbitrary start.
    fn now(&self) -> u64;
    /// Completes once [`Wire::now`] has reached `deadline`.
    fn sleep_until(&mut self, deadline: u64) -> impl Future<Output = ()>;
    /// Writes and flushes `bytes`; `Err` says why it failed, for the log.
    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), String>;
}

/// Writes what `outbox` hands out over `wire`, each write when it is due.
/// `Err` holds the log line for a client that went away.
pub async fn pump(mut outbox: Outbox, wire: &mut impl Wire) -> Result<(), String> {
    let start = wire.now();
    loop {
        let elapsed = Duration::from_nanos(wire.now().saturating_sub(start));
        match outbox.next(elapsed) {
            Next::Write(bytes) => {
                if let Err(why) = wire.write(bytes).await {
                    return Err(outbox.client_gone(&why));
                }
            }
            Next::WaitUntil(at) => {
                let at = u64::try_from(at.as_nanos()).unwrap_or(u64::MAX);
                wire.sleep_until(start.saturating_add(at)).await;
            }
            Next::Done => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::{self, Body, Contract, Method};
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// A clock that jumps to each deadline and a body that records each write
    /// with its time (ms since the fake start), failing from write `fail_at` on.
    struct FakeWire {
        now: u64,
        writes: Vec<(u64, String)>,
        fail_at: Option<usize>,
    }

    const START: u64 = 5_000_000_000;

    impl FakeWire {
        fn new(fail_at: Option<usize>) -> Self {
            FakeWire {
                now: START,
                writes: Vec::new(),
                fail_at,
            }
        }
    }

    impl Wire for FakeWire {
        fn now(&self) -> u64 {
            self.now
        }

        fn sleep_until(&mut self, deadline: u64) -> impl Future<Output = ()> {
            self.now = self.now.max(deadline);
            std::future::ready(())
        }

        async fn write(&mut self, bytes: Vec<u8>) -> Result<(), String> {
            if self.fail_at == Some(self.writes.len()) {
                return Err("connection reset".to_owned());
            }
            let at = (self.now - START) / 1_000_000;
            self.writes.push((at, String::from_utf8(bytes).unwrap()));
            Ok(())
        }
    }

    fn outbox(query: &str) -> Outbox {
        match reply::reply(Method::Get, Contract::from_vars(|_| None), query, &[]).body {
            Body::Events(outbox) => outbox,
            other => panic!("{query}: no stream: {other:?}"),
        }
    }

    /// Runs `pump` to its end: every fake future is ready at once.
    fn run(query: &str, wire: &mut FakeWire) -> Result<(), String> {
        let mut future = pin!(pump(outbox(query), wire));
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(result) => result,
            Poll::Pending => panic!("the fake wire never waits"),
        }
    }

    #[test]
    fn each_event_is_written_at_its_time_until_the_final_id() {
        let mut wire = FakeWire::new(None);
        assert_eq!(run("count=3&interval=250", &mut wire), Ok(()));
        let times: Vec<u64> = wire.writes.iter().map(|(at, _)| *at).collect();
        assert_eq!(times, [0, 250, 500]);
        assert!(wire.writes[0].1.starts_with("retry: 3000\nid: 1\n"));
        assert!(wire.writes[2].1.starts_with("id: 3\n"));
    }

    #[test]
    fn a_quiet_stream_gets_keep_alives_between_events() {
        let mut wire = FakeWire::new(None);
        assert_eq!(
            run("count=2&interval=1000&heartbeat=400", &mut wire),
            Ok(())
        );
        let shown: Vec<(u64, &str)> = wire
            .writes
            .iter()
            .map(|(at, text)| (*at, text.lines().next().unwrap()))
            .collect();
        assert_eq!(
            shown,
            [
                (0, "retry: 3000"),
                (400, ": keep-alive"),
                (800, ": keep-alive"),
                (1000, "id: 2")
            ]
        );
    }

    #[test]
    fn a_failed_write_stops_the_stream_with_the_log_line() {
        let mut wire = FakeWire::new(Some(2));
        let line = run("count=10&interval=100", &mut wire).unwrap_err();
        assert_eq!(
        line,
        "client gone: write failed (connection reset); stream of events 1..=10 stopped, last sent: 2"
    );
        assert_eq!(wire.writes.len(), 2, "nothing is written after the failure");
    }
}
