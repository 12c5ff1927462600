//! The subscriptions API on Spin (WASI 0.2: `GET
//! /.well-known/mercure/subscriptions`, `…/{topic}`,
//! `…/{topic}/{subscriber}`). The shapes, routes and rules are in
//! [`crate::subscriptions`] and [`crate::auth::authorize`], the registry's read
//! in [`crate::transport::presence`]; this file only moves bytes.

use crate::auth::authorize::{self, Credentials};
use crate::auth::keys::Role;
use crate::config::Settings;
use crate::host::{log, now};
use crate::p2::jwks_fetch;
use crate::p2::redis::open;
use crate::p2::request::all_headers;
use crate::p2::respond::{reply, send_head, unauthorized, unavailable, Headers};
use crate::subscriptions::{self, Route, RouteError};
use crate::transport::presence;
use futures::SinkExt;
use spin_sdk::http::{IncomingRequest, Method, ResponseOutparam};

/// Answers a request for the API (`route` as [`subscriptions::route`]
/// parsed the path; `uri` is the path and query as sent).
pub async fn api(
    request: IncomingRequest,
    out: ResponseOutparam,
    settings: &Settings,
    uri: &str,
    route: Result<Route, RouteError>,
    mut headers: Headers,
) {
    if request.method() != Method::Get {
        headers.push(("allow", "GET".into()));
        let reason = "method not allowed: the subscriptions API answers GET";
        return reply(out, 405, headers, reason).await;
    }
    let route = match route {
        Ok(route) => route,
        Err(RouteError::NotFound) => {
            let reason = "not found: use /subscriptions, /subscriptions/{topic} or /subscriptions/{topic}/{subscriber}";
            return reply(out, 404, headers, reason).await;
        }
        Err(RouteError::BadEscape(what)) => {
            let reason = format!("the {what} in the path is not validly percent-encoded");
            return reply(out, 400, headers, &reason).await;
        }
    };
    let request_headers = all_headers(&request);
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let creds = Credentials::from_request(&request_headers, &pairs, false);
    let token = match creds.token(&[]) {
        Ok(token) => token,
        Err(error) => return unauthorized(out, headers, &error).await,
    };
    let key = match jwks_fetch::resolve(settings, Role::Subscriber, token).await {
        Ok(key) => key,
        Err(error) => return jwks_fetch::refuse(out, headers, error).await,
    };
    let access =
        authorize::subscriptions_reader(token, key.as_ref(), settings.anonymous, now(), uri);
    if let Err(error) = access {
        return unauthorized(out, headers, &error).await;
    }
    let read = match open(settings) {
        Ok(redis) => presence::read(&redis).await.map_err(|e| e.to_string()),
        Err(error) => Err(error),
    };
    let (last_event_id, records) = match read {
        Ok(read) => read,
        Err(error) => {
            return unavailable(out, headers, &format!("Redis unavailable: {error}")).await
        }
    };
    let matches = request_headers
        .iter()
        .any(|(n, v)| n == "if-none-match" && *v == last_event_id);
    if matches {
        let _ = send_head(out, 304, headers);
        return;
    }
    let Some(json) = subscriptions::answer(&route, uri, &last_event_id, &records) else {
        let reason = "not found: no such active subscription";
        return reply(out, 404, headers, reason).await;
    };
    headers.push(("content-type", subscriptions::CONTENT_TYPE.into()));
    headers.push(("etag", last_event_id.replace(['\r', '\n', '\0'], "")));
    if let Some(mut body) = send_head(out, 200, headers) {
        if body.send(json.into_bytes()).await.is_err() {
            log("client gone before the subscriptions answer was sent");
        }
    }
}
