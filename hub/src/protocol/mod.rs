//! The Mercure protocol and the hub's request flow, written once for both
//! ABIs. A request is read once into what it asks ([`command::Command`]);
//! [`answer`] then decides the whole answer: a complete [`Reply`] (status,
//! headers with CORS, a one-line reason or a body), or an admitted
//! subscriber ([`subscribe::Admitted`]) whose stream the adapter starts. The I/O it
//! needs (Redis, the JWKS fetch, the request body) is the adapter's,
//! through [`adapter::Adapter`]; clocks and randomness through
//! [`crate::host::Host`].
//!
//! The pure parts: routes ([`route`]), CORS ([`cors`]), the publish form
//! ([`form`]), topic selectors ([`selector`]) and the update ([`update`]:
//! its stored form and its SSE bytes).

pub mod adapter;
pub mod command;
pub mod cors;
pub mod form;
pub mod publish;
pub mod reply;
pub mod route;
pub mod selector;
pub mod subscribe;
pub mod update;

use crate::config;
use crate::host::{log, Host};
use crate::subscriptions::api;
use adapter::{Adapter, RequestBody};
use command::{Command, Request};
use reply::Reply;
use route::NOT_FOUND;
use subscribe::Admitted;

/// What the adapter sends: a complete answer, or a subscriber's stream
/// (with its response head).
pub enum Answer {
    Reply(Reply),
    Stream(Box<Admitted>),
}

/// The answer to `request` (`body`: its body, read only by a publish).
pub async fn answer<A: Adapter>(
    adapter: &A,
    host: &impl Host,
    request: &Request,
    body: impl RequestBody,
) -> Answer {
    let (route, query) = route::classify(&request.path_with_query);
    let Some(route) = route else {
        return Answer::Reply(Reply::line(404, Vec::new(), NOT_FOUND));
    };
    let settings = match adapter.settings().await {
        Ok(settings) => settings,
        Err(error) => {
            log(&format!("configuration error: {error}"));
            return Answer::Reply(Reply::line(500, Vec::new(), &config::unreadable(&error)));
        }
    };
    let origin = request.header("origin");
    let allowed = |o: &str| settings.allows_origin(o);
    let headers = cors::response_headers(origin, allowed);
    let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let preflight = request.header("access-control-request-method");
    let command = Command::parse(
        request.method,
        route,
        settings.subscriptions,
        preflight.is_some(),
    );
    let reply = match command {
        Command::Subscribe { head } => {
            return subscribe::subscribe(adapter, host, &settings, request, &query, headers, head)
                .await
        }
        Command::Publish => {
            publish::publish(adapter, host, &settings, request, &query, headers, body).await
        }
        Command::Preflight => {
            let asked = preflight.unwrap_or_default();
            let asked_headers = request
                .header("access-control-request-headers")
                .unwrap_or_default();
            Reply::empty(
                204,
                cors::preflight_headers(origin, asked, asked_headers, allowed),
            )
        }
        Command::Health => health(adapter, &settings, headers).await,
        Command::Subscriptions(route) => {
            api::answer(adapter, host, &settings, request, &query, &route, headers).await
        }
        Command::MethodNotAllowed { allow, reason } => {
            Reply::method_not_allowed(headers, allow, reason)
        }
        Command::NotFound(reason) => Reply::line(404, headers, reason),
        Command::BadPath(reason) => Reply::line(400, headers, &reason),
    };
    Answer::Reply(reply)
}

/// `200 ok` when Redis answers a `PING`, else 503.
async fn health<A: Adapter>(
    adapter: &A,
    settings: &config::Settings,
    headers: reply::Headers,
) -> Reply {
    let pinged = match adapter::open(adapter, settings).await {
        Ok(redis) => redis.ping().await.map_err(|e| e.to_string()),
        Err(error) => Err(error),
    };
    match pinged {
        Ok(()) => Reply::line(200, headers, "ok"),
        Err(error) => Reply::redis_unavailable(headers, &error),
    }
}

#[cfg(test)]
mod tests;
