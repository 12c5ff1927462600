//! The Spin HTTP adapter: routes `/.well-known/mercure` (subscribe with
//! GET/HEAD, publish with POST, CORS preflight with OPTIONS),
//! `/.well-known/mercure/healthz` and, when on, the subscriptions API
//! (`subscriptions_route`), reads the settings from Spin variables
//! and talks to Redis through `spin_sdk::redis`. Everything it decides is
//! in the pure modules; this file only moves bytes.
//!
//! A subscription is one blocking `XREAD` after another, each waiting at
//! most until the next heartbeat is due (or the token expires), with every
//! matching update written and flushed as soon as it is read.

mod api;
mod jwks_fetch;
mod redis;
mod request;
mod respond;

use crate::auth::authorize::{self, AuthError, Credentials, Subscription};
use crate::auth::keys::Role;
use crate::config::{self, Settings};
use crate::host::{log, monotonic, now, random_bytes};
use crate::p2::redis::{open, Redis};
use crate::p2::request::{all_headers, header, read_body, BodyError};
use crate::p2::respond::{reply, send_head, text, unauthorized, unavailable, Headers};
use crate::protocol::route::{self, HubRoute, NOT_FOUND};
use crate::protocol::update::{Update, HEARTBEAT, STREAM_HEADERS};
use crate::protocol::{cors, form, selector};
use crate::transport::history::{self, History, Position};
use crate::transport::presence::Presence;
use crate::transport::redis_streams::RedisStreams;
use futures::SinkExt;
use spin_sdk::http::{IncomingRequest, Method, ResponseOutparam};
use spin_sdk::http_component;
use std::time::Duration;

const ALLOW: &str = "GET, HEAD, POST, OPTIONS";
const READ_COUNT: usize = 100;

#[http_component]
async fn handle_hub(request: IncomingRequest, out: ResponseOutparam) {
    let path_with_query = request.path_with_query().unwrap_or_default();
    let (route, query) = route::classify(&path_with_query);
    let Some(route) = route else {
        return reply(out, 404, Vec::new(), NOT_FOUND).await;
    };
    let settings = match Settings::from_vars(|name| spin_sdk::variables::get(name).ok()) {
        Ok(settings) => settings,
        Err(error) => {
            log(&format!("configuration error: {error}"));
            return reply(out, 500, Vec::new(), &config::unreadable(&error)).await;
        }
    };
    let origin = header(&request, "origin");
    let allowed = |o: &str| settings.allows_origin(o);
    let mut headers = cors::response_headers(origin.as_deref(), allowed);
    let method = request.method();
    let health = route == HubRoute::Health;
    if let HubRoute::Subscriptions(route) = route {
        if !settings.subscriptions {
            return reply(out, 404, headers, NOT_FOUND).await;
        }
        if !matches!(method, Method::Options) {
            let uri = path_with_query.as_str();
            return api::api(request, out, &settings, uri, route, headers).await;
        }
    }
    if health {
        return match method {
            Method::Get | Method::Head => health_check(out, &settings, headers).await,
            _ => {
                headers.push(("allow", "GET, HEAD".into()));
                reply(
                    out,
                    405,
                    headers,
                    "method not allowed: the health route answers GET and HEAD",
                )
                .await
            }
        };
    }
    match method {
        Method::Get => subscribe(request, out, &settings, query, headers, false).await,
        Method::Head => subscribe(request, out, &settings, query, headers, true).await,
        Method::Post => publish(request, out, &settings, query, headers).await,
        Method::Options if header(&request, "access-control-request-method").is_some() => {
            let asked = header(&request, "access-control-request-method").unwrap_or_default();
            let asked_headers =
                header(&request, "access-control-request-headers").unwrap_or_default();
            let headers =
                cors::preflight_headers(origin.as_deref(), &asked, &asked_headers, allowed);
            // Dropping the body ends the empty 204 answer.
            let _ = send_head(out, 204, headers);
        }
        _ => {
            headers.push(("allow", ALLOW.into()));
            reply(
                out,
                405,
                headers,
                "method not allowed: the hub answers GET, HEAD, POST and OPTIONS",
            )
            .await
        }
    }
}

async fn health_check(out: ResponseOutparam, settings: &Settings, headers: Headers) {
    let pinged = match open(settings) {
        Ok(redis) => redis.ping().await.map_err(|e| e.to_string()),
        Err(error) => Err(error),
    };
    match pinged {
        Ok(()) => reply(out, 200, headers, "ok").await,
        Err(error) => unavailable(out, headers, &format!("Redis unavailable: {error}")).await,
    }
}

async fn subscribe(
    request: IncomingRequest,
    out: ResponseOutparam,
    settings: &Settings,
    query: &str,
    mut headers: Headers,
    head: bool,
) {
    let request_headers = all_headers(&request);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let creds = Credentials::from_request(&request_headers, &pairs, false);
    let token = match creds.token(&settings.cors_origins) {
        Ok(token) => token,
        Err(error) => return unauthorized(out, headers, &error).await,
    };
    let key = match jwks_fetch::resolve(settings, Role::Subscriber, token).await {
        Ok(key) => key,
        Err(error) => return jwks_fetch::refuse(out, headers, error).await,
    };
    let access =
        Subscription::authorize(Vec::new(), token, key.as_ref(), settings.anonymous, now());
    let mut subscription = match access {
        Ok(subscription) => subscription,
        Err(error) => return unauthorized(out, headers, &error).await,
    };
    subscription.topics = match selector::from_query(&pairs) {
        Ok(selectors) => selectors,
        Err(error) => return reply(out, 400, headers, &error.to_string()).await,
    };
    let requested = history::requested_id(&request_headers, &pairs);
    let history = match open(settings) {
        Ok(history) => history,
        Err(error) => {
            return unavailable(out, headers, &format!("Redis unavailable: {error}")).await
        }
    };
    let start = match history::start(&history, requested, &subscription).await {
        Ok(start) => start,
        Err(error) => {
            return unavailable(out, headers, &format!("Redis unavailable: {error}")).await
        }
    };
    headers.extend(STREAM_HEADERS.iter().map(|(n, v)| (*n, (*v).to_owned())));
    if let Some(id) = &start.last_event_id {
        headers.push(("last-event-id", id.replace(['\r', '\n', '\0'], "")));
    }
    let mut presence = None;
    if !head {
        presence = match Presence::start(&history, settings, &subscription).await {
            Ok(presence) => presence,
            Err(error) => {
                return unavailable(out, headers, &format!("Redis unavailable: {error}")).await
            }
        };
    }
    if let Some(mut body) = send_head(out, 200, headers) {
        if !head && body.send(HEARTBEAT.to_vec()).await.is_ok() {
            let heartbeat = settings.heartbeat;
            let presence = presence.as_mut();
            stream(
                &history,
                &subscription,
                start.after,
                heartbeat,
                presence,
                body,
            )
            .await;
        }
    }
    if let Some(presence) = presence {
        presence.end(&history).await;
    }
}

/// Reads and forwards updates until Redis fails, the token expires or the
/// client goes away.
async fn stream(
    history: &RedisStreams<Redis>,
    subscription: &Subscription,
    mut after: Position,
    heartbeat: Duration,
    mut presence: Option<&mut Presence>,
    mut body: impl futures::Sink<Vec<u8>, Error = wasi::io::streams::StreamError> + Unpin,
) {
    let mut last_write = monotonic();
    loop {
        let now_wall = now();
        if subscription.expires_at.is_some_and(|exp| now_wall >= exp) {
            return log("subscriber token expired: stream ended");
        }
        let since_write = monotonic().saturating_sub(last_write);
        let mut wait = heartbeat.saturating_sub(since_write);
        if let Some(exp) = subscription.expires_at {
            wait = wait.min(Duration::from_secs_f64((exp - now_wall).max(0.001)));
        }
        let entries = match history.read_after(&after, wait, READ_COUNT).await {
            Ok(entries) => entries,
            Err(error) => return log(&format!("stream ended: {error}")),
        };
        if let Some(presence) = presence.as_deref_mut() {
            presence.refresh(history).await;
        }
        let mut batch = Vec::new();
        for entry in entries {
            after = entry.position;
            if let Some(update) = entry
                .update
                .filter(|u| subscription.receives(&u.topics, u.private))
            {
                batch.extend_from_slice(&update.frame);
            }
        }
        if batch.is_empty() && monotonic().saturating_sub(last_write) >= heartbeat {
            batch.extend_from_slice(HEARTBEAT);
        }
        if batch.is_empty() {
            continue;
        }
        if body.send(batch).await.is_err() {
            return log("client gone: write failed; subscription stopped");
        }
        last_write = monotonic();
    }
}

async fn publish(
    request: IncomingRequest,
    out: ResponseOutparam,
    settings: &Settings,
    query: &str,
    headers: Headers,
) {
    if settings.publisher_key.is_none() && settings.publisher_jwks_url.is_none() {
        let reason = "hub configuration error: variable publisher_jwt_key (or publisher_jwks_url) is not set";
        return reply(out, 500, headers, reason).await;
    }
    let request_headers = all_headers(&request);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let token = match Credentials::from_request(&request_headers, &pairs, true)
        .token(&settings.publish_origins)
    {
        Ok(token) => token.map(str::to_owned),
        Err(error) => return unauthorized(out, headers, &error).await,
    };
    let publisher_key = match jwks_fetch::resolve(settings, Role::Publisher, token.as_deref()).await
    {
        Ok(Some(key)) => key,
        Ok(None) => return unauthorized(out, headers, &AuthError::Missing).await,
        Err(error) => return jwks_fetch::refuse(out, headers, error).await,
    };
    let publisher_key = &publisher_key;
    if let Err(error) = authorize::publisher(token.as_deref(), publisher_key, now(), &[]) {
        return unauthorized(out, headers, &error).await;
    }
    let form_type = request_headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.to_ascii_lowercase());
    if !form_type.is_some_and(|t| t.starts_with("application/x-www-form-urlencoded")) {
        let reason = "publish with Content-Type: application/x-www-form-urlencoded";
        return reply(out, 400, headers, reason).await;
    }
    let body = match read_body(request).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            let reason = format!("request body is larger than {} bytes", form::MAX_BODY_BYTES);
            return reply(out, 413, headers, &reason).await;
        }
        Err(BodyError::Read) => {
            return reply(out, 400, headers, "could not read the request body").await
        }
    };
    let publication = match form::parse(&body) {
        Ok(publication) => publication,
        Err(error) => return reply(out, error.status(), headers, &error.to_string()).await,
    };
    if let Err(error) =
        authorize::publisher(token.as_deref(), publisher_key, now(), &publication.topics)
    {
        return unauthorized(out, headers, &error).await;
    }
    let update = Update::published(publication, random_bytes());
    let stored = match open(settings) {
        Ok(history) => history.append(&update).await.map_err(|e| e.to_string()),
        Err(error) => Err(error),
    };
    match stored {
        // The body is the id alone, as the reference hub sends it.
        Ok(_) => text(out, 200, headers, update.id.into_bytes()).await,
        Err(error) => {
            log(&format!("publish failed: {error}"));
            unavailable(
                out,
                headers,
                &format!("update not stored: Redis unavailable: {error}"),
            )
            .await
        }
    }
}
