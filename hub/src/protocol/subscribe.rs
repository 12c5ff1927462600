//! Subscribing (`GET`/`HEAD` on the hub): the subscriber is admitted (its
//! token, key, private rights and topic selectors, and the id it asks to
//! resume after) before any read of the bus: that is an [`Admitted`], what
//! [`subscribe`] gives the adapter for a `GET`. Where its stream starts is
//! each ABI's: on WASI 0.2 the request finds it in the history on a
//! connection of its own and then reads the bus itself
//! ([`Admitted::start`], [`Subscriber::follow`]); on WASI 0.3 the instance's
//! streams share one read, and a new subscriber starts at that read's
//! position without a round trip to Redis before its head
//! ([`crate::transport::fanout::stream`]).

use crate::auth::authorize::{Credentials, Subscription};
use crate::auth::keys::Role;
use crate::config::Settings;
use crate::host::{log, Host};
use crate::protocol::adapter::{self, Adapter};
use crate::protocol::command::Request;
use crate::protocol::reply::{Headers, Reply};
use crate::protocol::selector;
use crate::protocol::update::{HEARTBEAT, STREAM_HEADERS};
use crate::protocol::Answer;
use crate::transport::fanout;
use crate::transport::history::{self, History, Position};
use crate::transport::presence::Presence;
use crate::transport::redis_streams::{Execute, RedisStreams};
use futures::{Sink, SinkExt};
use std::fmt::Display;
use std::rc::Rc;

/// Entries per read of the bus.
pub const READ_COUNT: usize = 100;
/// Why a stream ended: its client stopped reading.
pub const CLIENT_GONE: &str = "client gone: write failed; subscription stopped";
/// Why a stream ended: its token's `exp` passed.
pub const TOKEN_EXPIRED: &str = "subscriber token expired: stream ended";

/// Why a stream ended: the bus failed.
pub fn bus_failed(error: &impl Display) -> String {
    format!("stream ended: {error}")
}

/// A subscriber admitted, before any read of the bus: everything but
/// where it starts.
pub struct Admitted {
    pub settings: Rc<Settings>,
    pub subscription: Subscription,
    /// The id it asks to resume after (`Last-Event-ID`, `lastEventID`).
    pub requested: Option<String>,
    /// The CORS headers of every answer to it.
    pub cors: Headers,
}

impl Admitted {
    /// The stream's response headers (status 200), with the
    /// `Last-Event-ID` its start gives, if any.
    pub fn head(&self, last_event_id: Option<&str>) -> Headers {
        let mut headers = self.cors.clone();
        headers.extend(STREAM_HEADERS.iter().map(|(n, v)| (*n, (*v).to_owned())));
        if let Some(id) = last_event_id {
            headers.push(("last-event-id", id.replace(['\r', '\n', '\0'], "")));
        }
        headers
    }
}

/// A subscriber whose stream is ready to run on WASI 0.2: its response
/// head, where it starts, the request's Redis connection and its registry
/// entry.
pub struct Subscriber<R> {
    /// The response headers (status 200).
    pub head: Headers,
    pub subscription: Subscription,
    /// The stream reads the entries after this one.
    pub after: Position,
    pub history: RedisStreams<R>,
    pub presence: Option<Presence>,
    pub settings: Rc<Settings>,
}

/// The answer to a subscribe: the admitted subscriber for a `GET`, whose
/// stream the adapter starts; for a `HEAD`, the stream's headers alone.
pub async fn subscribe<A: Adapter>(
    adapter: &A,
    host: &impl Host,
    settings: &Rc<Settings>,
    request: &Request,
    query: &[(String, String)],
    cors: Headers,
    head: bool,
) -> Answer {
    let admitted = match admit(adapter, host, settings, request, query, cors).await {
        Ok(admitted) => admitted,
        Err(reply) => return Answer::Reply(reply),
    };
    if !head {
        return Answer::Stream(Box::new(admitted));
    }
    let history = match adapter::open(adapter, settings).await {
        Ok(history) => history,
        Err(error) => return Answer::Reply(Reply::redis_unavailable(admitted.cors, &error)),
    };
    let requested = admitted.requested.as_deref();
    match history::start(&history, requested, &admitted.subscription).await {
        Ok(start) => Answer::Reply(Reply::empty(
            200,
            admitted.head(start.last_event_id.as_deref()),
        )),
        Err(error) => Answer::Reply(Reply::redis_unavailable(admitted.cors, &error)),
    }
}

impl Admitted {
    /// Its stream on a connection of its own (WASI 0.2): where it starts
    /// in the history, its registry entry, its head (`Err`: the answer
    /// that refuses it, Redis being unavailable).
    pub async fn start<A: Adapter>(
        self,
        adapter: &A,
        host: &impl Host,
    ) -> Result<Subscriber<A::Redis>, Reply> {
        let history = match adapter::open(adapter, &self.settings).await {
            Ok(history) => history,
            Err(error) => return Err(Reply::redis_unavailable(self.cors, &error)),
        };
        let requested = self.requested.as_deref();
        let start = match history::start(&history, requested, &self.subscription).await {
            Ok(start) => start,
            Err(error) => return Err(Reply::redis_unavailable(self.cors, &error)),
        };
        let head = self.head(start.last_event_id.as_deref());
        let presence = Presence::start(&history, &self.settings, &self.subscription, host).await;
        let presence = match presence {
            Ok(presence) => presence,
            Err(error) => return Err(Reply::redis_unavailable(self.cors, &error)),
        };
        Ok(Subscriber {
            head,
            subscription: self.subscription,
            after: start.after,
            history,
            presence,
            settings: self.settings,
        })
    }
}

/// Checks a subscriber's token and reads what it asks for.
async fn admit<A: Adapter>(
    adapter: &A,
    host: &impl Host,
    settings: &Rc<Settings>,
    request: &Request,
    query: &[(String, String)],
    cors: Headers,
) -> Result<Admitted, Reply> {
    let creds = Credentials::from_request(&request.headers, query, false);
    let token = match creds.token(&settings.cors_origins) {
        Ok(token) => token,
        Err(error) => return Err(Reply::unauthorized(cors, &error)),
    };
    let key = match adapter::key(adapter, host, settings, Role::Subscriber, token).await {
        Ok(key) => key,
        Err(error) => return Err(Reply::key_refused(cors, error)),
    };
    let access = Subscription::authorize(
        Vec::new(),
        token,
        key.as_ref(),
        settings.anonymous,
        host.now(),
    );
    let mut subscription = match access {
        Ok(subscription) => subscription,
        Err(error) => return Err(Reply::unauthorized(cors, &error)),
    };
    subscription.topics = match selector::from_query(query) {
        Ok(topics) => topics,
        Err(error) => return Err(Reply::line(400, cors, &error.to_string())),
    };
    Ok(Admitted {
        settings: settings.clone(),
        subscription,
        requested: history::requested_id(&request.headers, query).map(str::to_owned),
        cors,
    })
}

impl<R: Execute> Subscriber<R> {
    /// Runs the stream on WASI 0.2, where each stream reads the bus
    /// itself: a heartbeat at once, then one blocking read after another,
    /// each waiting at most until the next heartbeat is due (or the token
    /// expires), every update it may see written as soon as it is read;
    /// until the bus fails, the token expires or the client goes. `body`
    /// is `None` when the host refused the head. Leaves the registry last.
    pub async fn follow<S: Sink<Vec<u8>> + Unpin>(mut self, host: &impl Host, body: Option<S>) {
        if let Some(mut body) = body {
            if body.send(HEARTBEAT.to_vec()).await.is_ok() {
                log(&self.read_until_end(host, &mut body).await);
            }
        }
        if let Some(presence) = self.presence.take() {
            presence.end(&self.history, host).await;
        }
    }

    /// Streams until the end; returns why it ended.
    async fn read_until_end<S: Sink<Vec<u8>> + Unpin>(
        &mut self,
        host: &impl Host,
        body: &mut S,
    ) -> String {
        let heartbeat = self.settings.heartbeat;
        let expires_at = self.subscription.expires_at;
        let mut last_write = host.monotonic();
        loop {
            let since = host.monotonic().saturating_sub(last_write);
            let Some(wait) = fanout::wait(heartbeat, since, host.now(), expires_at) else {
                return TOKEN_EXPIRED.into();
            };
            let entries = match self.history.read_after(&self.after, wait, READ_COUNT).await {
                Ok(entries) => entries,
                Err(error) => return bus_failed(&error),
            };
            if let Some(presence) = self.presence.as_mut() {
                presence.refresh(&self.history, host).await;
            }
            if let Some(last) = entries.last() {
                self.after = last.position.clone();
            }
            let mut batch = history::frames(entries, Some(&self.subscription));
            if batch.is_empty() && host.monotonic().saturating_sub(last_write) >= heartbeat {
                batch = HEARTBEAT.to_vec();
            }
            if batch.is_empty() {
                continue;
            }
            if body.send(batch).await.is_err() {
                return CLIENT_GONE.into();
            }
            last_write = host.monotonic();
        }
    }
}
