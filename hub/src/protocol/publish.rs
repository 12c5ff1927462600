//! Publishing (`POST` on the hub), as the reference hub checks it: a
//! publisher key is configured, the token is allowed and valid, the body
//! is a bounded form, the token's `mercure.publish` covers every topic;
//! then one append to the bus, and the update's id is the answer.

use crate::auth::authorize::{self, AuthError, Credentials};
use crate::auth::keys::Role;
use crate::config::Settings;
use crate::host::{log, Host};
use crate::protocol::adapter::{self, Adapter, BodyError, RequestBody};
use crate::protocol::command::Request;
use crate::protocol::form;
use crate::protocol::reply::{Headers, Reply};
use crate::protocol::update::Update;
use crate::transport::history::History;
use crate::transport::redis_streams;

/// The answer to a publish.
pub async fn publish<A: Adapter>(
    adapter: &A,
    host: &impl Host,
    settings: &Settings,
    request: &Request,
    query: &[(String, String)],
    headers: Headers,
    body: impl RequestBody,
) -> Reply {
    if settings.publisher_key.is_none() && settings.publisher_jwks_url.is_none() {
        let reason = "hub configuration error: variable publisher_jwt_key (or publisher_jwks_url) is not set";
        return Reply::line(500, headers, reason);
    }
    let creds = Credentials::from_request(&request.headers, query, true);
    let token = match creds.token(&settings.publish_origins) {
        Ok(token) => token,
        Err(error) => return Reply::unauthorized(headers, &error),
    };
    let key = match adapter::key(adapter, host, settings, Role::Publisher, token).await {
        Ok(Some(key)) => key,
        Ok(None) => return Reply::unauthorized(headers, &AuthError::Missing),
        Err(error) => return Reply::key_refused(headers, error),
    };
    if let Err(error) = authorize::publisher(token, &key, host.now(), &[]) {
        return Reply::unauthorized(headers, &error);
    }
    let is_form = request
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with(form::CONTENT_TYPE));
    if !is_form {
        let reason = format!("publish with Content-Type: {}", form::CONTENT_TYPE);
        return Reply::line(400, headers, &reason);
    }
    let body = match body.read(form::MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            let reason = format!("request body is larger than {} bytes", form::MAX_BODY_BYTES);
            return Reply::line(413, headers, &reason);
        }
        Err(BodyError::Read) => {
            return Reply::line(400, headers, "could not read the request body")
        }
    };
    let publication = match form::parse(&body) {
        Ok(publication) => publication,
        Err(error) => return Reply::line(error.status(), headers, &error.to_string()),
    };
    if let Err(error) = authorize::publisher(token, &key, host.now(), &publication.topics) {
        return Reply::unauthorized(headers, &error);
    }
    let update = Update::published(publication, host.random_bytes());
    let stored = match adapter::open(adapter, settings).await {
        Ok(history) => history.append(&update).await.map_err(|e| e.to_string()),
        Err(error) => Err(error),
    };
    match stored {
        // The body is the id alone, as the reference hub sends it.
        Ok(_) => Reply::text(200, headers, update.id.into_bytes()),
        Err(error) => {
            log(&format!("publish failed: {error}"));
            let reason = format!("update not stored: {}", redis_streams::unavailable(&error));
            Reply::unavailable(headers, &reason)
        }
    }
}
