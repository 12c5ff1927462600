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
mod tests;
