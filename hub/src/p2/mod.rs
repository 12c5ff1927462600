//! The WASI 0.2 adapter (spin-sdk 5.2, `#[http_component]`): it reads the
//! request ([`http`]), lends the request flow ([`crate::protocol`]) Spin's
//! variables, Redis ([`redis`]) and outbound HTTP ([`jwks_fetch`]), and
//! writes the answer. Each stream reads Redis itself
//! ([`Subscriber::follow`](crate::protocol::subscribe::Subscriber::follow)).

mod http;
mod jwks_fetch;
mod redis;

use crate::config::Settings;
use crate::host::Wasi;
use crate::protocol::adapter::Adapter;
use crate::protocol::{self, Answer};
use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;
use std::rc::Rc;

/// Spin's WASI 0.2 host.
struct Spin;

impl Adapter for Spin {
    type Redis = redis::Redis;

    /// Read afresh: an instance serves one request.
    async fn settings(&self) -> Result<Rc<Settings>, String> {
        let settings = Settings::from_vars(|name| spin_sdk::variables::get(name).ok());
        settings.map(Rc::new).map_err(|e| e.to_string())
    }

    async fn connect(&self, settings: &Settings) -> Result<redis::Redis, String> {
        redis::connect(settings)
    }
}

#[http_component]
async fn handle_hub(request: IncomingRequest, out: ResponseOutparam) {
    let read = http::read(&request);
    let body = || request.into_body_stream();
    match protocol::answer(&Spin, &Wasi, &read, body).await {
        Answer::Reply(reply) => http::send(out, reply).await,
        Answer::Stream(admitted) => match admitted.start(&Spin, &Wasi).await {
            Ok(mut subscriber) => {
                let body = http::send_head(out, 200, std::mem::take(&mut subscriber.head));
                subscriber.follow(&Wasi, body).await;
            }
            Err(reply) => http::send(out, reply).await,
        },
    }
}
