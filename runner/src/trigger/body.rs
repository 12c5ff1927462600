//! The guest's response body as hyper sees it, tied to the instance's task.
//!
//! - Dropped before its end (the client went away, the send timeout cut the
//!   connection, a write failed): the instance task is aborted at once, so
//!   its store, memory and slot come back within milliseconds instead of at
//!   the guest's next write. Newer Spin trigger code does the same.
//! - The instance failed mid-body (trap, limit): the body ends with an
//!   error, so hyper closes the connection without the final chunk and the
//!   client can tell the response is incomplete. A stream stopped by
//!   shutdown ends normally.
//!
//! [`TaskGuard`] covers the time before there is a body: dropped (hyper
//! gave up on the request), it aborts the task too.

use crate::engine::instances::RequestGauge;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use tokio::task::AbortHandle;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::Error;

/// Set by the instance, before it drops the store, when the guest failed;
/// read by the body when the guest's stream ends. Keeps the limit that
/// stopped it, if one did, for the one-line reason of a later answer.
#[derive(Debug, Default)]
pub struct Failure {
    failed: AtomicBool,
    limit: OnceLock<String>,
}

impl Failure {
    /// Marks the instance as failed.
    pub fn set(&self) {
        self.set_with(None);
    }

    /// Marks the instance as failed, stopped by `limit` if given.
    pub fn set_with(&self, limit: Option<String>) {
        if let Some(limit) = limit {
            let _ = self.limit.set(limit);
        }
        self.failed.store(true, Ordering::SeqCst);
    }

    /// Whether the instance failed.
    pub fn is_set(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    /// The limit that stopped it, if one did.
    pub fn limit(&self) -> Option<&str> {
        self.limit.get().map(String::as_str)
    }
}

/// Aborts the instance task when dropped, unless [`TaskGuard::disarm`]ed.
#[derive(Debug)]
pub struct TaskGuard(Option<AbortHandle>);

impl TaskGuard {
    /// Guards the task behind `handle`.
    pub fn new(handle: AbortHandle) -> Self {
        TaskGuard(Some(handle))
    }

    /// Hands the handle over (to a [`GuardedBody`]).
    pub fn disarm(mut self) -> AbortHandle {
        self.0.take().expect("a guard is disarmed once")
    }
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        if let Some(h) = self.0.take() {
            h.abort();
        }
    }
}

/// The guest's body; see the module docs.
pub struct GuardedBody {
    inner: HyperOutgoingBody,
    task: AbortHandle,
    failure: Arc<Failure>,
    ended: bool,
}

impl GuardedBody {
    /// Wraps `inner`, produced by the task behind `task`.
    pub fn new(inner: HyperOutgoingBody, task: AbortHandle, failure: Arc<Failure>) -> Self {
        GuardedBody {
            inner,
            task,
            failure,
            ended: false,
        }
    }
}

impl Body for GuardedBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match polled {
            Poll::Ready(None) if self.failure.is_set() => {
                self.ended = true;
                Poll::Ready(Some(Err(Error::HttpResponseIncomplete)))
            }
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => {
                self.ended = true;
                polled
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for GuardedBody {
    fn drop(&mut self) {
        if !self.ended && !self.inner.is_end_stream() {
            self.task.abort();
        }
    }
}

/// A response body that counts as one request in flight until it ends or
/// is dropped.
pub struct Counted {
    inner: HyperOutgoingBody,
    gauge: Option<RequestGauge>,
}

impl Counted {
    /// Counts `inner` under `gauge`.
    pub fn new(inner: HyperOutgoingBody, gauge: RequestGauge) -> Self {
        Counted {
            inner,
            gauge: Some(gauge),
        }
    }
}

impl Body for Counted {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            self.gauge = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Empty};
    use std::time::Duration;

    fn pending_task() -> (tokio::task::JoinHandle<()>, AbortHandle) {
        let task = tokio::spawn(std::future::pending::<()>());
        let handle = task.abort_handle();
        (task, handle)
    }

    fn empty() -> HyperOutgoingBody {
        Empty::<Bytes>::new()
            .map_err(|never| match never {})
            .boxed_unsync()
    }

    /// A body whose next frame never comes (an open, idle stream).
    struct Idle;

    impl Body for Idle {
        type Data = Bytes;
        type Error = Error;
        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
            Poll::Pending
        }
    }

    fn never_ending() -> HyperOutgoingBody {
        Idle.boxed_unsync()
    }

    async fn aborted(task: tokio::task::JoinHandle<()>) -> bool {
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("task ends")
            .is_err_and(|e| e.is_cancelled())
    }

    #[tokio::test]
    async fn dropping_an_unfinished_body_aborts_the_instance() {
        let (task, handle) = pending_task();
        drop(GuardedBody::new(never_ending(), handle, Arc::default()));
        assert!(aborted(task).await);
    }

    #[tokio::test]
    async fn a_finished_body_leaves_the_instance_alone() {
        let (task, handle) = pending_task();
        let mut body = GuardedBody::new(empty(), handle, Arc::default());
        assert!(body.frame().await.is_none(), "clean end");
        drop(body);
        tokio::task::yield_now().await;
        assert!(!task.is_finished());
        task.abort();
    }

    #[tokio::test]
    async fn a_failed_instance_ends_its_body_with_an_error() {
        let (task, handle) = pending_task();
        let failure = Arc::new(Failure::default());
        failure.set();
        let mut body = GuardedBody::new(empty(), handle, failure);
        assert!(matches!(body.frame().await, Some(Err(_))));
        task.abort();
    }

    #[tokio::test]
    async fn a_dropped_guard_aborts_and_a_disarmed_one_does_not() {
        let (task, handle) = pending_task();
        drop(TaskGuard::new(handle));
        assert!(aborted(task).await);
        let (task, handle) = pending_task();
        let _kept = TaskGuard::new(handle).disarm();
        tokio::task::yield_now().await;
        assert!(!task.is_finished());
        task.abort();
    }
}
