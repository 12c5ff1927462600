//! The subscriptions API on WASI 0.3 (the routes, shapes and rules are in
//! [`crate::subscriptions`] and [`crate::auth::authorize`], the registry's read
//! in [`crate::transport::presence`]).

use super::jwks_fetch;
use super::redis::open;
use super::respond::{empty, reply, respond, unauthorized, unavailable, Headers};
use crate::auth::authorize::{self, Credentials};
use crate::auth::keys::Role;
use crate::config::Settings;
use crate::host::now;
use crate::subscriptions::{self, Route, RouteError};
use crate::transport::presence;
use spin_sdk_p3::http::{BoxBody, Method, Response};

/// Answers a request for the API (`route` as [`subscriptions::route`]
/// parsed the path; `uri` is the path and query as sent).
pub async fn answer(
    request_headers: &[(String, String)],
    pairs: &[(String, String)],
    method: Method,
    settings: &Settings,
    uri: &str,
    route: Result<Route, RouteError>,
    mut headers: Headers,
) -> Response<BoxBody> {
    if method != Method::GET {
        headers.push(("allow", "GET".into()));
        return reply(
            405,
            headers,
            "method not allowed: the subscriptions API answers GET",
        );
    }
    let route = match route {
        Ok(route) => route,
        Err(RouteError::NotFound) => {
            let reason = "not found: use /subscriptions, /subscriptions/{topic} or /subscriptions/{topic}/{subscriber}";
            return reply(404, headers, reason);
        }
        Err(RouteError::BadEscape(what)) => {
            let reason = format!("the {what} in the path is not validly percent-encoded");
            return reply(400, headers, &reason);
        }
    };
    let token = match Credentials::from_request(request_headers, pairs, false).token(&[]) {
        Ok(token) => token,
        Err(error) => return unauthorized(headers, &error),
    };
    let key = match jwks_fetch::resolve(settings, Role::Subscriber, token).await {
        Ok(key) => key,
        Err(error) => return jwks_fetch::refuse(headers, error),
    };
    let access =
        authorize::subscriptions_reader(token, key.as_ref(), settings.anonymous, now(), uri);
    if let Err(error) = access {
        return unauthorized(headers, &error);
    }
    let read = match open(settings).await {
        Ok(redis) => presence::read(&redis).await.map_err(|e| e.to_string()),
        Err(error) => Err(error),
    };
    let (last_event_id, records) = match read {
        Ok(read) => read,
        Err(error) => return unavailable(headers, &format!("Redis unavailable: {error}")),
    };
    let matches = request_headers
        .iter()
        .any(|(n, v)| n == "if-none-match" && *v == last_event_id);
    if matches {
        return empty(304, headers);
    }
    let Some(json) = subscriptions::answer(&route, uri, &last_event_id, &records) else {
        return reply(404, headers, "not found: no such active subscription");
    };
    headers.push(("content-type", subscriptions::CONTENT_TYPE.into()));
    headers.push(("etag", last_event_id.replace(['\r', '\n', '\0'], "")));
    let body = http_body_util::Full::new(bytes::Bytes::from(json.into_bytes()));
    respond(200, headers, body)
}
