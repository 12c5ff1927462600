//! The WASI 0.3 adapter (spin-sdk 7, `wasi:http/handler@0.3.0`): it reads
//! the request ([`http`]), lends the request flow ([`crate::protocol`])
//! Spin's variables, Redis ([`redis`]) and outbound HTTP ([`jwks_fetch`]),
//! and returns the answer. An instance serves many requests at once, so
//! its streams share one read of Redis ([`stream`], driving
//! [`crate::transport::fanout`]).

mod http;
mod jwks_fetch;
mod redis;
mod stream;

use crate::config::{Settings, VARIABLES};
use crate::host::Wasi;
use crate::protocol::adapter::Adapter;
use crate::protocol::{self, Answer};
use spin_sdk_p3::http::body::IncomingBodyExt;
use spin_sdk_p3::http::{IntoResponse, Request};
use spin_sdk_p3::wasip3::http::types::{ErrorCode, Response as WasiResponse};
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    /// The instance's settings, read once (Spin variables do not change
    /// while an instance lives).
    static SETTINGS: RefCell<Option<Rc<Settings>>> = const { RefCell::new(None) };
}

/// Spin's WASI 0.3 host.
struct Spin;

impl Adapter for Spin {
    type Redis = redis::Redis;

    /// From Spin variables the first time.
    async fn settings(&self) -> Result<Rc<Settings>, String> {
        if let Some(settings) = SETTINGS.with(|s| s.borrow().clone()) {
            return Ok(settings);
        }
        let mut values = Vec::with_capacity(VARIABLES.len());
        for name in VARIABLES {
            values.push((name, spin_sdk_p3::variables::get(name).await.ok()));
        }
        let lookup = |name: &str| values.iter().find(|(n, _)| *n == name)?.1.clone();
        let settings = Rc::new(Settings::from_vars(lookup).map_err(|e| e.to_string())?);
        SETTINGS.with(|s| *s.borrow_mut() = Some(settings.clone()));
        Ok(settings)
    }

    async fn connect(&self, settings: &Settings) -> Result<redis::Redis, String> {
        redis::connect(settings).await
    }
}

#[spin_sdk_p3::http_service]
async fn handle_hub(request: Request) -> Result<WasiResponse, ErrorCode> {
    let read = http::read(&request);
    let body = || request.into_body().stream();
    let reply = match protocol::answer(&Spin, &Wasi, &read, body).await {
        Answer::Reply(reply) => reply,
        Answer::Stream(admitted) => match stream::open(*admitted).await {
            Ok(response) => return Ok(response),
            Err(reply) => reply,
        },
    };
    http::respond(reply).into_response()
}
