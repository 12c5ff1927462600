//! The subscriptions API's answer (`GET /.well-known/mercure/subscriptions`,
//! `…/{topic}`, `…/{topic}/{subscriber}`): the reader's token must cover
//! the request's URI; the registry is read; an `If-None-Match` equal to
//! the newest update's id is a `304`, else the JSON-LD with that id as its
//! `ETag`.

use crate::auth::authorize::{self, Credentials};
use crate::auth::keys::Role;
use crate::config::Settings;
use crate::host::Host;
use crate::protocol::adapter::{self, Adapter};
use crate::protocol::command::Request;
use crate::protocol::reply::{Headers, Reply};
use crate::subscriptions::{self, Route};
use crate::transport::presence;

/// The answer to a `GET` of the API at `route`.
pub async fn answer<A: Adapter>(
    adapter: &A,
    host: &impl Host,
    settings: &Settings,
    request: &Request,
    query: &[(String, String)],
    route: &Route,
    mut headers: Headers,
) -> Reply {
    let token = match Credentials::from_request(&request.headers, query, false).token(&[]) {
        Ok(token) => token,
        Err(error) => return Reply::unauthorized(headers, &error),
    };
    let key = match adapter::key(adapter, host, settings, Role::Subscriber, token).await {
        Ok(key) => key,
        Err(error) => return Reply::key_refused(headers, error),
    };
    let uri = request.path_with_query.as_str();
    let access =
        authorize::subscriptions_reader(token, key.as_ref(), settings.anonymous, host.now(), uri);
    if let Err(error) = access {
        return Reply::unauthorized(headers, &error);
    }
    let read = match adapter::open(adapter, settings).await {
        Ok(redis) => presence::read(&redis).await.map_err(|e| e.to_string()),
        Err(error) => Err(error),
    };
    let (last_event_id, records) = match read {
        Ok(read) => read,
        Err(error) => return Reply::redis_unavailable(headers, &error),
    };
    let matches = request
        .headers
        .iter()
        .any(|(n, v)| n == "if-none-match" && *v == last_event_id);
    if matches {
        return Reply::empty(304, headers);
    }
    let Some(json) = subscriptions::answer(route, uri, &last_event_id, &records) else {
        return Reply::line(404, headers, "not found: no such active subscription");
    };
    headers.push(("content-type", subscriptions::CONTENT_TYPE.into()));
    headers.push(("etag", last_event_id.replace(['\r', '\n', '\0'], "")));
    Reply {
        status: 200,
        headers,
        body: json.into_bytes(),
    }
}
