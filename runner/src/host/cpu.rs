//! Guests that compute: epoch interruption and the per-request CPU budget.
//!
//! A ticker thread advances the engine's epoch every [`TICK`] (10 ms, as
//! Spin). Running wasm checks the epoch at loop heads and function entries;
//! at each tick it yields to the async executor, so a guest stuck in a loop
//! shares its worker thread with every other request, and a task that is
//! dropped (shutdown, client gone) stops it at its next yield.
//!
//! With `--max-request-cpu-ms` set, call hooks measure the time spent
//! executing wasm (time in host calls, waiting on clocks or sockets
//! included, does not count) and the tick that finds the budget spent traps
//! with [`Exceeded::Cpu`]. Without it no hook is installed.

use crate::limits::Exceeded;
use std::time::{Duration, Instant};
use wasmtime::{Engine, Store, UpdateDeadline};

/// Epoch tick interval.
pub const TICK: Duration = Duration::from_millis(10);

/// Starts the thread that advances `engine`'s epoch every [`TICK`]; it
/// ends when the engine is dropped.
pub fn start_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || loop {
            std::thread::sleep(TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => return,
            }
        })
        .expect("spawn the epoch ticker thread");
}

/// Time one instance spent executing wasm.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuMeter {
    used: Duration,
    running_since: Option<Instant>,
}

impl CpuMeter {
    /// Wasm starts (or resumes) running at `now`.
    pub fn enter(&mut self, now: Instant) {
        self.running_since.get_or_insert(now);
    }

    /// Wasm stops running at `now` (calls the host or returns).
    pub fn leave(&mut self, now: Instant) {
        if let Some(since) = self.running_since.take() {
            self.used += now.saturating_duration_since(since);
        }
    }

    /// Wasm time used up to `now`.
    pub fn used(&self, now: Instant) -> Duration {
        self.used
            + self
                .running_since
                .map_or(Duration::ZERO, |s| now.saturating_duration_since(s))
    }
}

/// Makes `store` yield at every tick and, with a `budget`, trap once the
/// guest has executed wasm for longer than it (measured on the store data's
/// [`CpuMeter`]).
pub fn arm<T: AsMut<CpuMeter> + 'static>(store: &mut Store<T>, budget: Option<Duration>) {
    store.set_epoch_deadline(1);
    let Some(limit) = budget else {
        store.epoch_deadline_async_yield_and_update(1);
        return;
    };
    store.call_hook(|mut ctx, hook| {
        let now = Instant::now();
        let meter = ctx.data_mut().as_mut();
        if hook.exiting_host() {
            meter.enter(now);
        } else {
            meter.leave(now);
        }
        Ok(())
    });
    store.epoch_deadline_callback(move |mut ctx| {
        if ctx.data_mut().as_mut().used(Instant::now()) > limit {
            return Err(wasmtime::Error::new(Exceeded::Cpu { limit }));
        }
        Ok(UpdateDeadline::Yield(1))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_time_inside_wasm_counts() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut m = CpuMeter::default();
        m.enter(ms(0));
        m.leave(ms(5)); // 5 ms of wasm
        assert_eq!(
            m.used(ms(1000)),
            Duration::from_millis(5),
            "idle time is free"
        );
        m.enter(ms(1000));
        assert_eq!(
            m.used(ms(1003)),
            Duration::from_millis(8),
            "running now counts"
        );
        m.enter(ms(1002)); // nested entry keeps the first start
        m.leave(ms(1010));
        m.leave(ms(1020)); // a second leave adds nothing
        assert_eq!(m.used(ms(5000)), Duration::from_millis(15));
    }
}
