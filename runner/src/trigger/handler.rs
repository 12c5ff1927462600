//! One HTTP request: route it, set the `spin-*` headers, run a component
//! instance for it (a fresh one for a WASI 0.2 component, see
//! [`crate::trigger::p2`]; a shared one for a WASI 0.3 component, see
//! [`crate::trigger::p3`]), and hand back the guest's (streaming) response.
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

use crate::engine::instances::{ComponentGauges, Instances};
use crate::engine::loader::{HttpExport, LoadedApp};
use crate::limits::Limits;
use crate::trigger::body::Counted;
use crate::trigger::headers;
use crate::trigger::instance_reuse::ReuseConfig;
use crate::trigger::p2;
use crate::trigger::p3::SharedInstances;
use crate::trigger::request_body::{self, Bounded};
use crate::trigger::response::{fixed, no_slot, text, Body};
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;

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
                return Ok(no_slot(self.instances.max()));
            };
            let component = self.app.components[id].clone();
            let req = Request::from_parts(parts, body);
            p2::serve(component, &self.limits, self.shutdown.clone(), req, slot).await
        };
        Ok(resp.map(|body| Counted::new(body, request).boxed_unsync()))
    }
}
