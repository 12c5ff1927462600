//! WASI 0.3 components (`wasi:http/handler@0.3.0`): requests share
//! instances, as Spin 4 serves them.
//!
//! Each such component gets one wasmtime-wasi-http `ProxyHandler` (the
//! reuse scheduler Spin uses): an instance takes requests while fewer than
//! `--max-instance-concurrent-reuse-count` of them are still waiting for
//! their response and until it has taken `--max-instance-reuse-count`; it is
//! dropped when it has had nothing to do for `--idle-instance-timeout` (see
//! [`crate::trigger::instance_reuse`]). Every instance holds one `--max-instances`
//! slot for its whole life.
//!
//! Faults stay per request where wasm allows it, per instance where it
//! does not:
//! - a request whose client goes away: its body is dropped, the guest's
//!   next write to it fails and that task ends; the instance and its other
//!   requests go on (wasmtime 48 has no host call that cancels one task);
//! - a trap, the memory limit or the CPU budget (`--max-request-cpu-ms`
//!   counts the instance's wasm time) ends the instance: requests still
//!   waiting for a response get `500` (with the limit's one-line reason),
//!   streams it was writing are cut (no final chunk); other instances are
//!   untouched;
//! - `--request-timeout` (default none, as Spin): a request without a
//!   response by then gets `500` and its instance takes no more requests;
//! - shutdown: instances are dropped, open streams end.

use crate::engine::instances::{ComponentGauges, Instances, Slot};
use crate::engine::loader::LoadedComponent;
use crate::host::log::{error_line, one_line};
use crate::host::state::InstanceState;
use crate::limits::{self, Limits};
use crate::trigger::body::Failure;
use crate::trigger::instance_reuse::{InstancePlan, ReuseConfig};
use crate::trigger::response::{
    fixed, log_failure, no_instance, no_slot, shutting_down, stopped_by, Body,
};
use crate::trigger::shutdown::stopped;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use wasmtime::component::GuestTaskId;
use wasmtime::{Store, StoreContextMut};
use wasmtime_wasi_http::handler::{
    ExpirationError, HandlerState, Instance, InstantiationError, Proxy, ProxyHandler, ShouldAccept,
    TrapOrPanicError, WorkerExpiration, WorkerState, WorkerStatus,
};
use wasmtime_wasi_http::{WasiBody, WasiHttpView};

/// Filled by the instance that takes a request with that instance's
/// failure flag, so the request's body can tell a cut from an end.
type FailureCell = Arc<OnceLock<Arc<Failure>>>;

/// One WASI 0.3 component's instances and the requests they share.
pub struct SharedInstances {
    handler: ProxyHandler<ComponentInstances>,
}

struct ComponentInstances {
    component: Arc<LoadedComponent>,
    limits: Limits,
    instances: Arc<Instances>,
    gauges: Arc<ComponentGauges>,
    reuse: ReuseConfig,
    shutdown: watch::Receiver<bool>,
}

/// Every `--max-instances` slot is taken (the request gets 503).
#[derive(Debug)]
struct NoSlot;

impl std::fmt::Display for NoSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("all component instance slots are in use")
    }
}

impl std::error::Error for NoSlot {}

impl SharedInstances {
    /// The scheduler for `component`, which must export `wasi:http/handler@0.3`.
    pub fn new(
        component: Arc<LoadedComponent>,
        limits: Limits,
        instances: Arc<Instances>,
        gauges: Arc<ComponentGauges>,
        reuse: ReuseConfig,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        SharedInstances {
            handler: ProxyHandler::new(ComponentInstances {
                component,
                limits,
                instances,
                gauges,
                reuse,
                shutdown,
            }),
        }
    }

    /// Hands `req` to an instance (a running one with room, else a new one)
    /// and returns its response, or the runner's answer when there is none.
    pub async fn handle(&self, req: Request<WasiBody>) -> Response<Body> {
        let state = self.handler.state();
        let id = &state.component.id;
        if *state.shutdown.borrow() {
            return shutting_down();
        }
        let cell = FailureCell::default();
        match self.handler.handle(cell.clone(), req).await {
            Ok(resp) => resp.map(|body| SharedBody::new(body, cell).boxed_unsync()),
            Err(e) if e.is::<InstantiationError<FailureCell>>() => {
                if e.chain().any(|c| c.is::<NoSlot>()) {
                    no_slot(state.instances.max())
                } else {
                    error_line(&format!("[{id}] error: cannot create an instance: {e:#}"));
                    no_instance()
                }
            }
            Err(e) if e.is::<ExpirationError>() => {
                stopped_by(&"no response within --request-timeout")
            }
            Err(_) if *state.shutdown.borrow() => shutting_down(),
            Err(e) => match cell.get().and_then(|f| f.limit()) {
                Some(limit) => stopped_by(&limit),
                // The instance's failure itself was logged when it ended.
                None if e.is::<TrapOrPanicError>() || cell.get().is_some_and(|f| f.is_set()) => {
                    fixed(StatusCode::INTERNAL_SERVER_ERROR, None, Bytes::new())
                }
                None => {
                    error_line(&format!(
                        "[{id}] error: component answered with an error: {}",
                        one_line(&e)
                    ));
                    fixed(StatusCode::INTERNAL_SERVER_ERROR, None, Bytes::new())
                }
            },
        }
    }
}

impl HandlerState for ComponentInstances {
    type StoreData = InstanceState;
    type WorkerExpiration = Expiration;
    type WorkerState = SharedInstance;

    async fn instantiate(
        &self,
    ) -> wasmtime::Result<Instance<InstanceState, Expiration, SharedInstance>> {
        let slot = self
            .instances
            .try_start_for(&self.gauges)
            .ok_or_else(|| wasmtime::Error::new(NoSlot))?;
        let mut store = self
            .component
            .new_store(&self.limits)
            .map_err(|e| wasmtime::format_err!("{e:#}"))?;
        let pre = self
            .component
            .service_pre()
            .expect("SharedInstances serve WASI 0.3 components only");
        let service = pre.instantiate_async(&mut store).await?;
        let plan = self.reuse.plan();
        Ok(Instance {
            store,
            proxy: Proxy::P3(service),
            view: <InstanceState as WasiHttpView>::http,
            expiration: Expiration::new(plan, self.shutdown.clone()),
            state: SharedInstance {
                plan,
                component: self.component.id.clone(),
                failure: Arc::default(),
                shutdown: self.shutdown.clone(),
                _slot: slot,
            },
        })
    }
}

/// One live instance: its drawn reuse settings and its slot.
struct SharedInstance {
    plan: InstancePlan,
    component: String,
    failure: Arc<Failure>,
    shutdown: watch::Receiver<bool>,
    _slot: Slot,
}

impl WorkerState for SharedInstance {
    type StoreData = InstanceState;
    type RequestData = FailureCell;

    fn should_accept_request(&self, concurrent: usize, total: usize) -> ShouldAccept {
        if total >= self.plan.max_reuse {
            ShouldAccept::Never
        } else if concurrent >= self.plan.max_concurrent {
            ShouldAccept::No
        } else {
            ShouldAccept::Yes
        }
    }

    fn on_request_start(
        &self,
        _: StoreContextMut<'_, InstanceState>,
        cell: FailureCell,
        _: GuestTaskId,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + Sync>> {
        let _ = cell.set(self.failure.clone());
        Box::pin(tokio::time::sleep(self.plan.request_timeout))
    }

    fn drop(&self, store: Store<InstanceState>, result: wasmtime::Result<()>) {
        // Before the store (and the guests' body streams) goes: bodies it
        // cut must end with an error, not cleanly.
        if let Err(e) = &result {
            if !*self.shutdown.borrow() {
                let limit = limits::exceeded(e);
                self.failure.set_with(limit.map(|l| l.to_string()));
                log_failure(&self.component, e);
            }
        }
        drop(store);
    }
}

/// When an instance goes: idle too long, a request past its timeout (the
/// second check Spin also makes, outside the instance's event loop), or
/// shutdown.
struct Expiration {
    plan: InstancePlan,
    sleep: Pin<Box<tokio::time::Sleep>>,
    stopped: Pin<Box<dyn Future<Output = ()> + Send + Sync>>,
}

impl Expiration {
    fn new(plan: InstancePlan, mut shutdown: watch::Receiver<bool>) -> Self {
        Expiration {
            plan,
            sleep: Box::pin(tokio::time::sleep(Duration::MAX)),
            stopped: Box::pin(async move { stopped(&mut shutdown).await }),
        }
    }
}

impl WorkerExpiration for Expiration {
    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        status: WorkerStatus,
        start: Instant,
    ) -> Poll<()> {
        if self.stopped.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        let timeout = match status {
            WorkerStatus::Idle => self.plan.idle_timeout,
            WorkerStatus::Requests | WorkerStatus::PostReturn => self.plan.request_timeout,
        };
        let Some(deadline) = start.checked_add(timeout) else {
            return Poll::Pending;
        };
        let deadline = tokio::time::Instant::from_std(deadline);
        if self.sleep.deadline() != deadline {
            self.sleep.as_mut().reset(deadline);
        }
        self.sleep.as_mut().poll(cx)
    }
}

/// A response body written by a shared instance: cut with an error when
/// the instance failed before the guest finished it.
struct SharedBody {
    inner: WasiBody,
    cell: FailureCell,
}

impl SharedBody {
    fn new(inner: WasiBody, cell: FailureCell) -> Self {
        SharedBody { inner, cell }
    }
}

impl http_body::Body for SharedBody {
    type Data = Bytes;
    type Error = wasmtime_wasi_http::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(None) if self.cell.get().is_some_and(|f| f.is_set()) => {
                Poll::Ready(Some(Err(wasmtime_wasi_http::Error::HttpResponseIncomplete)))
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
