//! One HTTP request: route it, set the `spin-*` headers, run a component
//! instance for it (a fresh one for a WASI 0.2 component; a shared one for
//! a WASI 0.3 component, see [`crate::trigger::p3`]), and hand back the
//! guest's (streaming) response.
//!
//! Runner answers (not the guest's): `/.well-known/spin/health` → 200 `OK`
//! (as Spin), no matching route → 404 with an empty body (as Spin), bad
//! `Host`/URI → 400 with a one-line reason, a declared body over
//! `--max-request-body` → 413, all instance slots busy → 503 with
//! `Retry-After: 1` (Spin answers 500), guest failure before it set a
//! response → 500 (empty body as Spin; a one-line reason when a limit of
//! [`crate::limits`] caused it) and a `[<component>] error:` line on
//! stderr; no instance could be created (host resources) or shutdown
//! stopped it before it answered → 503 with `Retry-After: 1`.
//!
//! The instance runs in its own task, which owns the `Store`; the task ends
//! when the guest's handler returns (for a streaming response that is after
//! its last body write), when it traps (a limit), when shutdown stops it,
//! or when hyper drops the response or its body before the end (the client
//! went away or the send timeout cut it): then it is aborted at once (see
//! [`crate::trigger::body`]). Either way the store and the slot are dropped.

use crate::engine::instances::{ComponentGauges, Instances, Slot};
use crate::engine::loader::{HttpExport, LoadedApp, LoadedComponent};
use crate::host::log::{error_line, one_line};
use crate::limits::{self, Limits};
use crate::trigger::body::{Counted, Failure, GuardedBody, TaskGuard};
use crate::trigger::headers;
use crate::trigger::instance_reuse::ReuseConfig;
use crate::trigger::p3::SharedInstances;
use crate::trigger::request_body::{self, Bounded};
use crate::trigger::response::{busy, fixed, text, Body};
use crate::trigger::shutdown::stopped;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{oneshot, watch};
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::WasiHttpView;

/// Prefix of the runner's reserved paths (as Spin).
pub const WELL_KNOWN_PREFIX: &str = "/.well-known/spin/";

/// Shared per-server request handler.
pub struct Handler {
    app: LoadedApp,
    instances: Arc<Instances>,
    gauges: HashMap<String, Arc<ComponentGauges>>,
    shared: HashMap<String, SharedInstances>,
    limits: Limits,
    shutdown: watch::Receiver<bool>,
}

impl Handler {
    /// `shutdown` flips to `true` when open instances must stop; `reuse`
    /// applies to WASI 0.3 components.
    pub fn new(
        app: LoadedApp,
        instances: Arc<Instances>,
        limits: Limits,
        reuse: ReuseConfig,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let mut ids: Vec<&String> = app.components.keys().collect();
        ids.sort();
        let mut gauges = HashMap::new();
        let mut shared = HashMap::new();
        for id in ids {
            let component = &app.components[id];
            let g = instances.component(id, component.export().name());
            if let HttpExport::Wasi03(_) = component.export() {
                let s = SharedInstances::new(
                    component.clone(),
                    limits.clone(),
                    instances.clone(),
                    g.clone(),
                    reuse,
                    shutdown.clone(),
                );
                shared.insert(id.clone(), s);
            }
            gauges.insert(id.clone(), g);
        }
        Handler {
            app,
            instances,
            gauges,
            shared,
            limits,
            shutdown,
        }
    }

    /// Handles one request from `client`.
    pub async fn handle(
        self: Arc<Self>,
        req: Request<Incoming>,
        client: SocketAddr,
    ) -> Result<Response<Body>, Infallible> {
        let path = req.uri().path();
        if let Some(name) = path.strip_prefix(WELL_KNOWN_PREFIX) {
            return Ok(match name {
                "health" => fixed(StatusCode::OK, None, "OK"),
                _ => fixed(StatusCode::NOT_FOUND, None, Bytes::new()),
            });
        }
        let Some(m) = self.app.router.route(path) else {
            return Ok(fixed(StatusCode::NOT_FOUND, None, Bytes::new()));
        };
        let (mut parts, body) = req.into_parts();
        if let Err(reason) = headers::prepare(&mut parts, &m, client) {
            return Ok(text(
                StatusCode::BAD_REQUEST,
                &format!("Bad request: {reason}"),
            ));
        }
        let max_body = self.limits.max_request_body;
        if let Some(declared) = request_body::declared_too_large(&parts.headers, max_body) {
            return Ok(text(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("Request body too large: content-length {declared} is over the limit of {max_body} bytes"),
            ));
        }
        let body = Bounded::new(body, max_body);
        let id = m.route.component();
        let gauges = &self.gauges[id];
        let request = gauges.request();
        let resp = if let Some(shared) = self.shared.get(id) {
            let req = Request::from_parts(parts, body.boxed_unsync());
            shared.handle(req).await
        } else {
            let Some(slot) = self.instances.try_start_for(gauges) else {
                let max = self.instances.max();
                return Ok(busy(&format!(
                    "Server busy: all {max} component instances are in use; retry shortly"
                )));
            };
            let component = self.app.components[id].clone();
            self.run(component, Request::from_parts(parts, body), slot)
                .await
        };
        Ok(resp.map(|body| Counted::new(body, request).boxed_unsync()))
    }

    async fn run(
        &self,
        component: Arc<LoadedComponent>,
        req: Request<Bounded<Incoming>>,
        slot: Slot,
    ) -> Response<Body> {
        let id = component.id.clone();
        let fail = |what: &str, e: &dyn std::fmt::Display| {
            error_line(&format!("[{id}] error: {what}: {e:#}"));
            fixed(StatusCode::INTERNAL_SERVER_ERROR, None, Bytes::new())
        };
        let mut store = match component.new_store(&self.limits) {
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
        let mut shutdown = self.shutdown.clone();
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
                Ended::Failed(e) => match limits::exceeded(e) {
                    Some(limit) => error_line(&format!("[{task_id}] error: stopped: {limit}")),
                    None => error_line(&format!(
                        "[{task_id}] error: component failed: {}",
                        one_line(e)
                    )),
                },
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
                Ok(Ended::Stopped) => busy("Server shutting down"),
                // Out of pool slots or host resources: a capacity problem, like the limit.
                Ok(Ended::NoInstance(_)) => {
                    busy("Server busy: cannot create a component instance now; retry shortly")
                }
                Ok(Ended::Returned) => fail(
                    "component returned without a response",
                    &"response-outparam.set was not called",
                ),
                Ok(Ended::Failed(e)) => match limits::exceeded(&e) {
                    Some(limit) => text(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &format!("Component stopped: {limit}"),
                    ),
                    None => fixed(StatusCode::INTERNAL_SERVER_ERROR, None, Bytes::new()),
                },
                Err(e) => fail("instance task failed", &e),
            },
        }
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
