//! An async sleep on `wasi:clocks/monotonic-clock`, without busy-waiting.
//!
//! spin-sdk's executor (`spin_executor::run`, which drives the handler)
//! blocks in `wasi:io/poll.poll` on every pollable registered with
//! `push_waker_and_get_token`, then polls the handler again. The sleep
//! registers a clock pollable for its deadline each time it is polled
//! early; replacing the token drops the previous registration.

use spin_executor::{push_waker_and_get_token, CancelOnDropToken};
use std::future::poll_fn;
use std::task::Poll;
use wasi::clocks::monotonic_clock::{self, Instant};

/// The monotonic clock, in nanoseconds from an arbitrary start.
pub fn now() -> Instant {
    monotonic_clock::now()
}

/// Completes once the monotonic clock has reached `deadline`.
pub async fn sleep_until(deadline: Instant) {
    let mut registration: Option<CancelOnDropToken> = None;
    poll_fn(|context| {
        if monotonic_clock::now() >= deadline {
            return Poll::Ready(());
        }
        let pollable = monotonic_clock::subscribe_instant(deadline);
        let token = push_waker_and_get_token(pollable, context.waker().clone());
        registration = Some(CancelOnDropToken::from(token));
        Poll::Pending
    })
    .await
}
