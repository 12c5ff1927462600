//! The subscriptions API on Spin (`GET /.well-known/mercure/subscriptions`,
//! `…/{topic}`, `…/{topic}/{subscriber}`) and a stream's life in the
//! shared registry: registered with its start events before the stream
//! opens, refreshed from the stream's read loop once a heartbeat,
//! unregistered with its end events when the stream ends. The shapes,
//! routes and rules are in [`crate::subscriptions`] and
//! [`crate::authorize`]; this file only moves bytes.

use crate::authorize::{self, Subscription};
use crate::config::Settings;
use crate::form::EARLIEST;
use crate::history::{History, Registry};
use crate::host::{log, monotonic, now, random_bytes};
use crate::redis_streams::{RedisError, RedisStreams};
use crate::request::all_headers;
use crate::respond::{reply, send_head, unauthorized, unavailable, Headers};
use crate::spin_redis::{open, Redis};
use crate::subscriptions::{self, Record, Route, RouteError};
use crate::transport::credentials;
use crate::update::{self, Update};
use futures::SinkExt;
use spin_sdk::http::{IncomingRequest, Method, ResponseOutparam};
use std::time::Duration;

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
    let access = credentials(&request_headers, &pairs, false)
        .token(&[])
        .and_then(|token| {
            authorize::subscriptions_reader(
                token,
                settings.subscriber_key.as_ref(),
                settings.anonymous,
                now(),
                uri,
            )
        });
    if let Err(error) = access {
        return unauthorized(out, headers, &error).await;
    }
    let read = match open(settings) {
        Ok(redis) => read(&redis).await.map_err(|e| e.to_string()),
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

/// The newest update's id (or `earliest`) and the active records.
async fn read(redis: &RedisStreams<Redis>) -> Result<(String, Vec<Record>), RedisError> {
    let last = redis
        .latest(1)
        .await?
        .into_iter()
        .find_map(|e| e.update)
        .map_or_else(|| EARLIEST.to_owned(), |u| u.id);
    let records = redis
        .active()
        .await?
        .iter()
        .filter_map(|bytes| Record::from_json(bytes))
        .collect();
    Ok((last, records))
}

/// One stream's entry in the registry.
pub struct Presence {
    record: Record,
    refreshed: Duration,
    heartbeat: Duration,
}

impl Presence {
    /// Registers a new subscriber (a fresh `urn:uuid` id) and publishes its
    /// start events; `None` when the API is off.
    pub async fn start(
        redis: &RedisStreams<Redis>,
        settings: &Settings,
        subscription: &Subscription,
    ) -> Result<Option<Self>, RedisError> {
        if !settings.subscriptions {
            return Ok(None);
        }
        let presence = Self {
            record: Record {
                subscriber: update::generated_id(random_bytes()),
                topics: subscription
                    .topics
                    .iter()
                    .map(|t| t.as_str().to_owned())
                    .collect(),
                payload: subscription.payload.clone(),
            },
            refreshed: monotonic(),
            heartbeat: settings.heartbeat,
        };
        let ttl = subscriptions::ttl(presence.heartbeat);
        redis
            .register(&presence.record.subscriber, &presence.record.to_json(), ttl)
            .await?;
        if let Err(error) = presence.announce(redis, true).await {
            let _ = redis.unregister(&presence.record.subscriber).await;
            return Err(error);
        }
        Ok(Some(presence))
    }

    /// Refreshes the entry if a heartbeat has passed since the last time.
    pub async fn refresh(&mut self, redis: &RedisStreams<Redis>) {
        if !subscriptions::refresh_due(monotonic().saturating_sub(self.refreshed), self.heartbeat) {
            return;
        }
        let ttl = subscriptions::ttl(self.heartbeat);
        match redis
            .register(&self.record.subscriber, &self.record.to_json(), ttl)
            .await
        {
            Ok(()) => self.refreshed = monotonic(),
            Err(error) => log(&format!("subscription not refreshed: {error}")),
        }
    }

    /// Unregisters and publishes the end events (failures are logged: the
    /// entry then expires on its own).
    pub async fn end(self, redis: &RedisStreams<Redis>) {
        let done = match redis.unregister(&self.record.subscriber).await {
            Ok(()) => self.announce(redis, false).await,
            Err(error) => Err(error),
        };
        if let Err(error) = done {
            log(&format!("subscription end not recorded: {error}"));
        }
    }

    /// Publishes one private update per subscription, through the normal
    /// publish path (so every replica's subscribers see it).
    async fn announce(&self, redis: &RedisStreams<Redis>, active: bool) -> Result<(), RedisError> {
        for (topic, data) in self.record.events(active) {
            redis
                .append(&Update {
                    id: update::generated_id(random_bytes()),
                    topics: vec![topic],
                    data,
                    event_type: String::new(),
                    retry: 0,
                    private: true,
                })
                .await?;
        }
        Ok(())
    }
}
