//! A subscriber's stream on WASI 0.3: it replays from its own position
//! with its own reads, joins the instance's shared read at the seam
//! ([`crate::transport::fanout`]), and then writes what its queue gives, a heartbeat
//! when due, until its token expires, its client goes, its queue
//! overflows or Redis fails.
//!
//! The shared read is whichever stream's turn it is: each stream's task
//! polls, side by side, the shared read if it holds it (or claims it when
//! nobody does), its queue (only once its previous write was taken by the
//! client: the task writes the body's WASI stream itself, [`Body`], so a
//! slow client fills its own bounded queue and nothing else), its write in
//! flight and its heartbeat timer. The fan-out wakes other
//! streams through their [`Doorbell`]s, never their tasks' own wakers. The
//! read uses one Redis connection per instance; a turn cancelled mid-read
//! (its client left) drops that connection, so the next turn never queues
//! behind an abandoned `XREAD BLOCK`. A stream's replay uses its request's
//! connection, dropped once it is live; its registry entry goes through
//! the instance's shared connection ([`Shared`]), so an open stream holds
//! no Redis connection of its own.

mod body;
mod doorbell;

use super::http;
use super::redis::{shared, Redis, Shared};
use super::Spin;
use crate::auth::authorize::Subscription;
use crate::config::Settings;
use crate::host::{log, Host, Wasi};
use crate::protocol::adapter;
use crate::protocol::reply::Reply;
use crate::protocol::subscribe::{bus_failed, Subscriber, CLIENT_GONE, READ_COUNT, TOKEN_EXPIRED};
use crate::protocol::update::HEARTBEAT;
use crate::transport::fanout::{self, Claim, End, Fanout, Next, Seam, QUEUE_DEPTH};
use crate::transport::history::{self, Entry, History, Position};
use crate::transport::presence::Presence;
use crate::transport::redis_streams::RedisStreams;
use body::Body;
use doorbell::Doorbell;
use spin_sdk_p3::wasip3::http::types::Response as WasiResponse;
use spin_sdk_p3::wasip3::wit_bindgen::{FutureWriter, StreamWriter};
use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

/// How long the shared read waits in Redis before it reads again.
const SHARED_BLOCK: Duration = Duration::from_secs(10);
/// A replay read's wait: there is always something newer to read, or the
/// replay is over.
const REPLAY_BLOCK: Duration = Duration::from_millis(1);

thread_local! {
    static FANOUT: RefCell<Fanout> = RefCell::new(Fanout::default());
    /// The shared read's connection, opened by the first turn.
    static READER: RefCell<Option<Rc<RedisStreams<Redis>>>> = const { RefCell::new(None) };
}

fn fanout<T>(f: impl FnOnce(&mut Fanout) -> T) -> T {
    FANOUT.with(|fanout| f(&mut fanout.borrow_mut()))
}

/// Starts `subscriber`'s stream: returns its response, whose body the
/// stream's own task writes (`Err`: the answer that refuses it).
pub async fn open(subscriber: Subscriber<Redis>) -> Result<WasiResponse, Reply> {
    let Subscriber {
        head,
        subscription,
        after,
        history,
        presence,
        settings,
        cors,
    } = subscriber;
    let (response, body, trailers) = match http::stream_response(200, head) {
        Ok(parts) => parts,
        Err(reason) => return Err(Reply::line(500, cors, &reason)),
    };
    let stream = Stream {
        settings,
        subscription,
        history: Some(history),
        presence,
    };
    match stream.start(after, body, trailers).await {
        Ok(()) => Ok(response),
        Err(error) => Err(Reply::redis_unavailable(cors, &error)),
    }
}

/// A stream about to start.
struct Stream {
    settings: Rc<Settings>,
    subscription: Subscription,
    /// The request's own connection, for the replay; dropped once the
    /// stream joins the shared read.
    history: Option<RedisStreams<Redis>>,
    presence: Option<Presence>,
}

impl Stream {
    /// The registry, through the instance's shared connection.
    fn registry(&self) -> RedisStreams<Shared> {
        shared(&self.settings)
    }
}

/// The response's trailers, written once the body has ended.
pub type Trailers = FutureWriter<
    Result<
        Option<spin_sdk_p3::wasip3::http::types::Fields>,
        spin_sdk_p3::wasip3::http::types::ErrorCode,
    >,
>;

/// A member of the fan-out and its doorbell; leaves it when dropped.
struct Member {
    id: fanout::Id,
    bell: Doorbell,
}

impl Drop for Member {
    fn drop(&mut self) {
        fanout(|f| f.leave(self.id));
    }
}

impl Stream {
    /// Joins the shared read (starting it at the newest entry if it is not
    /// running) and starts the stream's task, which writes the response
    /// body to `body` and then ends it with `trailers`.
    async fn start(
        self,
        after: Position,
        body: StreamWriter<u8>,
        trailers: Trailers,
    ) -> Result<(), String> {
        if fanout(|f| f.position().is_none()) {
            let newest = match &self.history {
                Some(history) => history.latest(1).await.map_err(|e| e.to_string())?,
                None => shared(&self.settings)
                    .latest(1)
                    .await
                    .map_err(|e| e.to_string())?,
            };
            let newest = newest
                .first()
                .map_or_else(Position::start, |e| e.position.clone());
            fanout(|f| f.start(newest));
        }
        let wanted = self.subscription.clone();
        let filter = Box::new(move |u: &crate::protocol::update::Stored| {
            wanted.receives(&u.topics, u.private)
        });
        let Some((id, joined_at)) = fanout(|f| f.join(filter)) else {
            return Err("the shared read failed as this stream joined; retry".into());
        };
        let member = Member {
            id,
            bell: Doorbell::new(),
        };
        let seam = Seam::new(after, joined_at);
        spin_sdk_p3::wasip3::spawn(self.run(member, seam, Body::new(body), trailers));
        Ok(())
    }

    async fn run(mut self, mut member: Member, mut seam: Seam, mut body: Body, trailers: Trailers) {
        let ended = self.pump(&mut member, &mut seam, &mut body).await;
        log(&ended);
        drop(member);
        // The body ends, then the (absent) trailers end the response.
        drop(body);
        let _ = trailers.write(Ok(None)).await;
        if let Some(presence) = self.presence.take() {
            presence.end(&self.registry(), &Wasi).await;
        }
    }

    /// Streams until the end; returns why it ended.
    async fn pump(&mut self, member: &mut Member, seam: &mut Seam, body: &mut Body) -> String {
        if body.send(HEARTBEAT.to_vec()).await.is_err() {
            return CLIENT_GONE.into();
        }
        let mut last_write = Wasi.monotonic();
        // The request's connection serves the replay only.
        let history = match self.history.take() {
            Some(history) => history,
            None => match adapter::open(&Spin, &self.settings).await {
                Ok(history) => history,
                Err(error) => return bus_failed(&error),
            },
        };
        while let Some(from) = seam.replay_from().cloned() {
            let read = history.read_after(&from, REPLAY_BLOCK, READ_COUNT).await;
            let entries = match read {
                Ok(entries) => entries,
                Err(error) => return bus_failed(&error),
            };
            let batch = history::frames(seam.replayed(entries), Some(&self.subscription));
            if !batch.is_empty() {
                if body.send(batch).await.is_err() {
                    return CLIENT_GONE.into();
                }
                last_write = Wasi.monotonic();
            }
        }
        // Live from here: the shared read feeds this stream.
        drop(history);
        let heartbeat = self.settings.heartbeat;
        let mut turn = None;
        let mut out = Vec::new();
        loop {
            // A write still pending is as good as a heartbeat.
            let since = if out.is_empty() && body.is_idle() {
                Wasi.monotonic().saturating_sub(last_write)
            } else {
                Duration::ZERO
            };
            let Some(wait) =
                fanout::wait(heartbeat, since, Wasi.now(), self.subscription.expires_at)
            else {
                return TOKEN_EXPIRED.into();
            };
            let mut timer = pin!(spin_sdk_p3::time::sleep(wait));
            let event = poll_fn(|cx| {
                poll_event(
                    cx,
                    member,
                    &mut turn,
                    &self.settings,
                    timer.as_mut(),
                    &mut out,
                    body,
                )
            })
            .await;
            match event {
                Event::Queue(Next::Entries(entries)) => {
                    out = history::frames(seam.live(entries), None)
                }
                Event::Queue(Next::Ended(End::Overflow)) => {
                    return format!("subscriber too slow: {QUEUE_DEPTH} updates queued; stream ended (the client resumes with Last-Event-ID)");
                }
                Event::Queue(Next::Ended(End::Bus(error))) => return bus_failed(&error),
                Event::Wrote => last_write = Wasi.monotonic(),
                Event::Gone => return CLIENT_GONE.into(),
                Event::Read | Event::Tick => {}
            }
            if self.presence.is_some() {
                let registry = self.registry();
                if let Some(presence) = self.presence.as_mut() {
                    presence.refresh(&registry, &Wasi).await;
                }
            }
            let idle = out.is_empty() && body.is_idle();
            if idle && Wasi.monotonic().saturating_sub(last_write) >= heartbeat {
                out = HEARTBEAT.to_vec();
            }
        }
    }
}

/// What woke a stream.
enum Event {
    Queue(Next),
    /// Its turn of the shared read ended (delivered or failed).
    Read,
    /// Its write in flight was taken by the client.
    Wrote,
    Gone,
    Tick,
}

fn poll_event(
    cx: &mut Context<'_>,
    member: &mut Member,
    turn: &mut Option<Turn>,
    settings: &Rc<Settings>,
    timer: Pin<&mut impl Future<Output = ()>>,
    out: &mut Vec<u8>,
    body: &mut Body,
) -> Poll<Event> {
    // The write in flight first: a client gone ends the stream, a write
    // taken is an event.
    match body.poll_write(cx) {
        Poll::Ready(Err(_)) => return Poll::Ready(Event::Gone),
        Poll::Ready(Ok(true)) => return Poll::Ready(Event::Wrote),
        Poll::Ready(Ok(false)) | Poll::Pending => {}
    }
    // The fan-out is told the doorbell's waker: the task that delivers may
    // be another request's.
    member.bell.poll_rings(cx);
    let bell_waker = member.bell.waker().clone();
    let mut bell_cx = Context::from_waker(&bell_waker);
    if turn.is_none() {
        *turn = fanout(Fanout::claim).map(|claim| Turn::new(claim, settings.clone()));
    }
    if let Some(read) = turn.as_mut() {
        if let Poll::Ready(result) = read.read.as_mut().poll(cx) {
            if let Some(claim) = read.claim.take() {
                match result {
                    Ok(entries) => fanout(|f| f.deliver(claim, entries)),
                    Err(error) => {
                        READER.with(|r| r.borrow_mut().take());
                        fanout(|f| f.fail(claim, &error));
                    }
                }
            }
            *turn = None;
            return Poll::Ready(Event::Read);
        }
    }
    if body.is_idle() && !out.is_empty() {
        if body.start(std::mem::take(out)).is_err() {
            return Poll::Ready(Event::Gone);
        }
        match body.poll_write(cx) {
            Poll::Ready(Err(_)) => return Poll::Ready(Event::Gone),
            Poll::Ready(Ok(_)) => return Poll::Ready(Event::Wrote),
            Poll::Pending => {}
        }
    }
    if body.is_idle() {
        if let Poll::Ready(next) = fanout(|f| f.poll_next(member.id, &mut bell_cx)) {
            return Poll::Ready(Event::Queue(next));
        }
    } else if let Poll::Ready(end) = fanout(|f| f.poll_end(member.id, &mut bell_cx)) {
        return Poll::Ready(Event::Queue(Next::Ended(end)));
    }
    match timer.poll(cx) {
        Poll::Ready(()) => Poll::Ready(Event::Tick),
        Poll::Pending => Poll::Pending,
    }
}

type Read = Pin<Box<dyn Future<Output = Result<Vec<Entry>, String>>>>;

/// This stream's turn of the shared read; given back if dropped unanswered.
struct Turn {
    claim: Option<Claim>,
    read: Read,
}

impl Turn {
    fn new(claim: Claim, settings: Rc<Settings>) -> Self {
        let after = claim.after.clone();
        let read = Box::pin(async move {
            let reader = reader(&settings).await?;
            let entries = reader.read_after(&after, SHARED_BLOCK, READ_COUNT).await;
            entries.map_err(|e| e.to_string())
        });
        Self {
            claim: Some(claim),
            read,
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if let Some(claim) = self.claim.take() {
            READER.with(|r| r.borrow_mut().take());
            fanout(|f| f.release(claim));
        }
    }
}

/// The shared read's connection.
async fn reader(settings: &Settings) -> Result<Rc<RedisStreams<Redis>>, String> {
    if let Some(reader) = READER.with(|r| r.borrow().clone()) {
        return Ok(reader);
    }
    let reader = Rc::new(adapter::open(&Spin, settings).await?);
    READER.with(|r| *r.borrow_mut() = Some(reader.clone()));
    Ok(reader)
}
