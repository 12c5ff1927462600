//! The WASI 0.3 adapter (`wasi:http/handler@0.3.0`, spin-sdk 7): the same
//! routes and answers as the WASI 0.2 `transport`, but an instance serves
//! many requests at once, so its streams share one read of Redis
//! ([`crate::transport::fanout`], driven by `stream`). Everything it decides is in the
//! pure modules; this file only moves bytes.

mod api;
mod body;
mod doorbell;
mod jwks_fetch;
mod redis;
mod respond;
mod stream;

use crate::auth::authorize::{self, AuthError, Credentials, Subscription};
use crate::auth::keys::Role;
use crate::config::{self, Settings, VARIABLES};
use crate::host::{log, now, random_bytes};
use crate::protocol::route::{self, HubRoute, NOT_FOUND};
use crate::protocol::update::{self, Update};
use crate::protocol::{cors, form, selector};
use crate::transport::history::{self, History};
use crate::transport::presence::Presence;
use redis::open;
use respond::{
    all_headers, empty, read_body, reply, text, unauthorized, unavailable, BodyError, Headers,
};
use spin_sdk_p3::http::{BoxBody, IntoResponse, Method, Request, Response};
use spin_sdk_p3::wasip3::http::types::{ErrorCode, Response as WasiResponse};
use std::cell::RefCell;
use std::rc::Rc;

const ALLOW: &str = "GET, HEAD, POST, OPTIONS";

thread_local! {
    /// The instance's settings, read once (Spin variables do not change
    /// while an instance lives).
    static SETTINGS: RefCell<Option<Rc<Settings>>> = const { RefCell::new(None) };
}

/// The settings, from Spin variables the first time.
async fn settings() -> Result<Rc<Settings>, String> {
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

#[spin_sdk_p3::http_service]
async fn handle_hub(request: Request) -> Result<WasiResponse, ErrorCode> {
    match answer(request).await {
        Answer::Plain(response) => response.into_response(),
        Answer::Stream(response) => Ok(response),
    }
}

/// A complete answer, or a subscriber's stream (written by its own task
/// straight to the body the host reads).
enum Answer {
    Plain(Response<BoxBody>),
    Stream(WasiResponse),
}

impl From<Response<BoxBody>> for Answer {
    fn from(response: Response<BoxBody>) -> Self {
        Answer::Plain(response)
    }
}

async fn answer(request: Request) -> Answer {
    let path_with_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let (route, query) = route::classify(&path_with_query);
    let Some(route) = route else {
        return reply(404, Vec::new(), NOT_FOUND).into();
    };
    let settings = match settings().await {
        Ok(settings) => settings,
        Err(error) => {
            log(&format!("configuration error: {error}"));
            return reply(500, Vec::new(), &config::unreadable(&error)).into();
        }
    };
    let request_headers = all_headers(&request);
    let header = |name: &str| {
        request_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let origin = header("origin");
    let allowed = |o: &str| settings.allows_origin(o);
    let mut headers = cors::response_headers(origin.as_deref(), allowed);
    let method = request.method().clone();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let health = route == HubRoute::Health;
    if let HubRoute::Subscriptions(route) = route {
        if !settings.subscriptions {
            return reply(404, headers, NOT_FOUND).into();
        }
        if method != Method::OPTIONS {
            let uri = path_with_query.as_str();
            return api::answer(
                &request_headers,
                &pairs,
                method,
                &settings,
                uri,
                route,
                headers,
            )
            .await
            .into();
        }
    }
    if health {
        if method == Method::GET || method == Method::HEAD {
            return health_check(&settings, headers).await.into();
        }
        headers.push(("allow", "GET, HEAD".into()));
        let reason = "method not allowed: the health route answers GET and HEAD";
        return reply(405, headers, reason).into();
    }
    let preflight = header("access-control-request-method");
    match method {
        Method::GET | Method::HEAD => {
            let head = method == Method::HEAD;
            subscribe(&request_headers, &pairs, settings, headers, head).await
        }
        Method::POST => publish(request, &request_headers, &pairs, &settings, headers)
            .await
            .into(),
        Method::OPTIONS if preflight.is_some() => {
            let asked = preflight.unwrap_or_default();
            let asked_headers = header("access-control-request-headers").unwrap_or_default();
            empty(
                204,
                cors::preflight_headers(origin.as_deref(), &asked, &asked_headers, allowed),
            )
            .into()
        }
        _ => {
            headers.push(("allow", ALLOW.into()));
            let reason = "method not allowed: the hub answers GET, HEAD, POST and OPTIONS";
            reply(405, headers, reason).into()
        }
    }
}

async fn health_check(settings: &Settings, headers: Headers) -> Response<BoxBody> {
    let pinged = match open(settings).await {
        Ok(redis) => redis.ping().await.map_err(|e| e.to_string()),
        Err(error) => Err(error),
    };
    match pinged {
        Ok(()) => reply(200, headers, "ok"),
        Err(error) => unavailable(headers, &format!("Redis unavailable: {error}")),
    }
}

async fn subscribe(
    request_headers: &[(String, String)],
    pairs: &[(String, String)],
    settings: Rc<Settings>,
    mut headers: Headers,
    head: bool,
) -> Answer {
    let creds = Credentials::from_request(request_headers, pairs, false);
    let token = match creds.token(&settings.cors_origins) {
        Ok(token) => token,
        Err(error) => return unauthorized(headers, &error).into(),
    };
    let key = match jwks_fetch::resolve(&settings, Role::Subscriber, token).await {
        Ok(key) => key,
        Err(error) => return jwks_fetch::refuse(headers, error).into(),
    };
    let access =
        Subscription::authorize(Vec::new(), token, key.as_ref(), settings.anonymous, now());
    let mut subscription = match access {
        Ok(subscription) => subscription,
        Err(error) => return unauthorized(headers, &error).into(),
    };
    subscription.topics = match selector::from_query(pairs) {
        Ok(selectors) => selectors,
        Err(error) => return reply(400, headers, &error.to_string()).into(),
    };
    let requested = history::requested_id(request_headers, pairs);
    let history = match open(&settings).await {
        Ok(history) => history,
        Err(error) => return unavailable(headers, &format!("Redis unavailable: {error}")).into(),
    };
    let start = match history::start(&history, requested, &subscription).await {
        Ok(start) => start,
        Err(error) => return unavailable(headers, &format!("Redis unavailable: {error}")).into(),
    };
    headers.extend(
        update::STREAM_HEADERS
            .iter()
            .map(|(n, v)| (*n, (*v).to_owned())),
    );
    if let Some(id) = &start.last_event_id {
        headers.push(("last-event-id", id.replace(['\r', '\n', '\0'], "")));
    }
    if head {
        return empty(200, headers).into();
    }
    let presence = match Presence::start(&history, &settings, &subscription).await {
        Ok(presence) => presence,
        Err(error) => return unavailable(headers, &format!("Redis unavailable: {error}")).into(),
    };
    let subscriber = stream::Subscriber {
        settings,
        subscription,
        history: Some(history),
        presence,
    };
    let (response, body, trailers) = match respond::stream_response(200, headers.clone()) {
        Ok(parts) => parts,
        Err(reason) => return reply(500, headers, &reason).into(),
    };
    match subscriber.open(start.after, body, trailers).await {
        Ok(()) => Answer::Stream(response),
        Err(error) => unavailable(headers, &format!("Redis unavailable: {error}")).into(),
    }
}

async fn publish(
    request: Request,
    request_headers: &[(String, String)],
    pairs: &[(String, String)],
    settings: &Settings,
    headers: Headers,
) -> Response<BoxBody> {
    if settings.publisher_key.is_none() && settings.publisher_jwks_url.is_none() {
        let reason = "hub configuration error: variable publisher_jwt_key (or publisher_jwks_url) is not set";
        return reply(500, headers, reason);
    }
    let creds = Credentials::from_request(request_headers, pairs, true);
    let token = match creds.token(&settings.publish_origins) {
        Ok(token) => token.map(str::to_owned),
        Err(error) => return unauthorized(headers, &error),
    };
    let publisher_key = match jwks_fetch::resolve(settings, Role::Publisher, token.as_deref()).await
    {
        Ok(Some(key)) => key,
        Ok(None) => return unauthorized(headers, &AuthError::Missing),
        Err(error) => return jwks_fetch::refuse(headers, error),
    };
    let publisher_key = &publisher_key;
    if let Err(error) = authorize::publisher(token.as_deref(), publisher_key, now(), &[]) {
        return unauthorized(headers, &error);
    }
    let form_type = request_headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.to_ascii_lowercase());
    if !form_type.is_some_and(|t| t.starts_with("application/x-www-form-urlencoded")) {
        let reason = "publish with Content-Type: application/x-www-form-urlencoded";
        return reply(400, headers, reason);
    }
    let body = match read_body(request).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            let reason = format!("request body is larger than {} bytes", form::MAX_BODY_BYTES);
            return reply(413, headers, &reason);
        }
        Err(BodyError::Read) => return reply(400, headers, "could not read the request body"),
    };
    let publication = match form::parse(&body) {
        Ok(publication) => publication,
        Err(error) => return reply(error.status(), headers, &error.to_string()),
    };
    if let Err(error) =
        authorize::publisher(token.as_deref(), publisher_key, now(), &publication.topics)
    {
        return unauthorized(headers, &error);
    }
    let update = Update::published(publication, random_bytes());
    let stored = match open(settings).await {
        Ok(history) => history.append(&update).await.map_err(|e| e.to_string()),
        Err(error) => Err(error),
    };
    match stored {
        // The body is the id alone, as the reference hub sends it.
        Ok(_) => text(200, headers, update.id.into_bytes()),
        Err(error) => {
            log(&format!("publish failed: {error}"));
            let reason = format!("update not stored: Redis unavailable: {error}");
            unavailable(headers, &reason)
        }
    }
}
