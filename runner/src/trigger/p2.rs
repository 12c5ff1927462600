//! WASI 0.2 components (`wasi:http/incoming-handler@0.2`): a fresh
//! instance per request.
//!
//! The instance runs in its own task, which owns the `Store`; the task ends
//! when the guest's handler returns (for a streaming response that is after
//! its last body write), when it traps (a limit), when shutdown stops it,
//! or when hyper drops the response or its body before the end (the client
//! went away or the send timeout cut it): then it is aborted at once (see
//! [`crate::trigger::body`]). Either way the store and the slot are dropped.

use crate::engine::instances::Slot;
use crate::engine::loader::LoadedComponent;
use crate::host::log::error_line;
use crate::limits::{self, Limits};
use crate::trigger::body::{Failure, GuardedBody, TaskGuard};
use crate::trigger::request_body::Bounded;
use crate::trigger::response::{fixed, log_failure, no_instance, shutting_down, stopped_by, Body};
use crate::trigger::shutdown::stopped;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use std::sync::Arc;
use tokio::sync::{oneshot, watch};
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::WasiHttpView;

/// Runs `req` on a fresh instance of `component` (a WASI 0.2 component)
/// that holds `slot`, and returns its response or the runner's answer.
pub async fn serve(
    component: Arc<LoadedComponent>,
    limits: &Limits,
    mut shutdown: watch::Receiver<bool>,
    req: Request<Bounded<Incoming>>,
    slot: Slot,
) -> Response<Body> {
    let id = component.id.clone();
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        error_line(&format!("[{id}] error: {what}: {e:#}"));
        fixed(StatusCode::INTERNAL_SERVER_ERROR, None, Bytes::new())
    };
    let mut store = match component.new_store(limits) {
        Ok(s) => s,
        Err(e) => return fail("cannot prepare the instance", &format!("{e:#}")),
    };
    let (tx, rx) = oneshot::channel();
    let prepared = store
        .data_mut()
        .http()
        .new_incoming_request(Scheme::Http, req)
        .and_then(|r| Ok((r, store.data_mut().http().new_response_outparam(tx)?)));
    let (incoming, outparam) = match prepared {
        Ok(p) => p,
        Err(e) => {
            return fail(
                "cannot pass the request to the component",
                &format!("{e:#}"),
            )
        }
    };
    let task_id = id.clone();
    let failure = Arc::new(Failure::default());
    let task_failure = failure.clone();
    let task = tokio::spawn(async move {
        let result = {
            let run = async {
                let pre = component.proxy_pre().expect("a WASI 0.2 component");
                let proxy = match pre.instantiate_async(&mut store).await {
                    Ok(p) => p,
                    Err(e) => return Ended::NoInstance(format!("{e:#}")),
                };
                let handled = proxy
                    .wasi_http_incoming_handler()
                    .call_handle(&mut store, incoming, outparam);
                match handled.await {
                    Ok(()) => Ended::Returned,
                    Err(e) => Ended::Failed(e),
                }
            };
            tokio::select! {
                r = run => r,
                _ = stopped(&mut shutdown) => Ended::Stopped,
            }
        };
        // Before the store (and the guest's body sender) goes: a body
        // cut by a failure must end with an error, not cleanly.
        if matches!(result, Ended::Failed(_)) {
            task_failure.set();
        }
        drop(store);
        drop(slot);
        match &result {
            Ended::Failed(e) => log_failure(&task_id, e),
            Ended::NoInstance(e) => error_line(&format!(
                "[{task_id}] error: cannot create an instance: {e}"
            )),
            Ended::Returned | Ended::Stopped => {}
        }
        result
    });
    // Dropped with this future (hyper gave up on the request): abort.
    let guard = TaskGuard::new(task.abort_handle());
    match rx.await {
        Ok(Ok(resp)) => {
            let handle = guard.disarm();
            resp.map(|body| GuardedBody::new(body, handle, failure).boxed_unsync())
        }
        Ok(Err(code)) => fail("component answered with an error", &format!("{code:?}")),
        Err(_) => match task.await {
            Ok(Ended::Stopped) => shutting_down(),
            // Out of pool slots or host resources: a capacity problem, like the limit.
            Ok(Ended::NoInstance(_)) => no_instance(),
            Ok(Ended::Returned) => fail(
                "component returned without a response",
                &"response-outparam.set was not called",
            ),
            Ok(Ended::Failed(e)) => match limits::exceeded(&e) {
                Some(limit) => stopped_by(&limit),
                None => fixed(StatusCode::INTERNAL_SERVER_ERROR, None, Bytes::new()),
            },
            Err(e) => fail("instance task failed", &e),
        },
    }
}

/// How an instance's task ended.
enum Ended {
    /// The handler returned.
    Returned,
    /// The guest trapped or the handler failed.
    Failed(wasmtime::Error),
    /// No instance could be created (pool or host resources exhausted).
    NoInstance(String),
    /// Shutdown stopped it.
    Stopped,
}
