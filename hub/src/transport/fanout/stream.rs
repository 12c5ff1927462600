//! A subscriber's stream on the instance's fan-out (the WASI 0.3 hub). It
//! starts ([`Joined::start`]) without a round trip to Redis before its
//! response head once the instance's shared read runs: a new subscriber
//! joins at the shared read's position, so what the reuse scheduler sees
//! (a request with its head) does not depend on Redis or on how many
//! subscribers arrive at once; a resuming one has its id resolved through
//! the instance's shared connection, for the head's `Last-Event-ID`. Then
//! it replays from its own position with its own reads, joins the shared
//! read at the seam, and writes what its queue gives, a heartbeat when due,
//! until its token expires, its client goes, its queue overflows or the bus
//! fails. The instance's pieces (its fan-out, connections, timer,
//! doorbells, the response body) come through [`Instance`] and [`Body`].
//!
//! The shared read is whichever stream's turn it is: each stream's task
//! polls, side by side, the shared read if it holds it (or claims it when
//! nobody does), its queue (only once its previous write was taken by the
//! client, so a slow client fills its own bounded queue and nothing else),
//! its write in flight and its heartbeat timer. The fan-out wakes other
//! streams through their [`Bell`]s, never their tasks' own wakers. A turn
//! cancelled mid-read (its client left) drops the reader's connection, so
//! the next turn never queues behind an abandoned blocking read. A replay
//! opens a connection of its own, dropped once the stream is live; registry
//! entries go through the instance's shared connection.

use super::{Begin, Claim, End, Fanout, Id, Next, Seam, QUEUE_DEPTH};
use crate::auth::authorize::Subscription;
use crate::config::Settings;
use crate::host::{log, Host};
use crate::protocol::reply::{Headers, Reply};
use crate::protocol::subscribe::{bus_failed, Admitted, CLIENT_GONE, READ_COUNT, TOKEN_EXPIRED};
use crate::protocol::update::{Stored, HEARTBEAT};
use crate::transport::history::{self, Entry, History, Position};
use crate::transport::presence::Presence;
use crate::transport::redis_streams::{Execute, RedisStreams};
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// How long the shared read waits in Redis before it reads again.
const SHARED_BLOCK: Duration = Duration::from_secs(10);
/// How long a busy shared read waits before it reads (the previous read
/// found entries): under a steady flow each stream then wakes, and writes
/// to its client, once per window with everything published meanwhile,
/// instead of once per update. Each wake is a doorbell ring (a host stream
/// write), a task switch and a body write, so this is most of the CPU a
/// delivery costs; it adds at most this much latency, and none when the
/// bus is quiet (the read then waits in Redis and answers at once).
const BUSY_PAUSE: Duration = Duration::from_millis(20);
/// A replay read's wait: there is always something newer to read, or the
/// replay is over.
const REPLAY_BLOCK: Duration = Duration::from_millis(1);

/// The client went away.
#[derive(Debug)]
pub struct Gone;

/// A stream's response body: one write in flight at a time.
pub trait Body {
    /// Whether no write is in flight.
    fn is_idle(&self) -> bool;

    /// Starts writing `bytes` (a write in flight must have finished).
    fn start(&mut self, bytes: Vec<u8>) -> Result<(), Gone>;

    /// Drives the write in flight: `Ready(Ok(true))` when it has just
    /// finished, `Ready(Ok(false))` when there is none, `Pending` while the
    /// client has not taken it all.
    fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool, Gone>>;
}

/// Writes `bytes` and waits until the client has taken them.
async fn send(body: &mut impl Body, bytes: Vec<u8>) -> Result<(), Gone> {
    poll_fn(|cx| body.poll_write(cx)).await?;
    body.start(bytes)?;
    poll_fn(|cx| body.poll_write(cx)).await.map(drop)
}

/// How the task that makes the shared read wakes another stream's task.
pub trait Bell {
    /// Takes every ring so far and leaves the next ring to wake `cx`.
    fn poll_rings(&mut self, cx: &mut Context<'_>);

    /// The waker to hand to code that other tasks may wake.
    fn waker(&self) -> &Waker;
}

/// The instance a stream runs in.
#[allow(async_fn_in_trait)]
pub trait Instance: Host + Clone + 'static {
    /// A connection of its own (the replay, the shared read).
    type Redis: Execute + 'static;
    /// The instance's shared connection (commands that never block).
    type Shared: Execute;
    type Bell: Bell;

    /// Runs `f` on the instance's fan-out.
    fn fanout<T>(&self, f: impl FnOnce(&mut Fanout) -> T) -> T;

    /// A new doorbell.
    fn bell(&self) -> Self::Bell;

    /// Ready after `wait`.
    fn sleep(&self, wait: Duration) -> impl Future<Output = ()>;

    /// A new connection of its own.
    async fn open(&self, settings: &Settings) -> Result<RedisStreams<Self::Redis>, String>;

    /// The hub's Redis through the shared connection.
    fn shared(&self, settings: &Settings) -> RedisStreams<Self::Shared>;

    /// The shared read's connection, opened on first use.
    async fn reader(&self, settings: &Settings) -> Result<Rc<RedisStreams<Self::Redis>>, String>;

    /// Drops the shared read's connection (failed, or a read abandoned).
    fn forget_reader(&self);
}

/// A stream about to join the fan-out.
pub struct Stream<I: Instance> {
    pub instance: I,
    pub settings: Rc<Settings>,
    pub subscription: Subscription,
    pub presence: Option<Presence>,
}

/// A stream finding where the shared read starts; if it fails or is
/// dropped first, the others waiting try again.
struct Finding<'a, I: Instance>(&'a I);

impl<I: Instance> Drop for Finding<'_, I> {
    fn drop(&mut self) {
        self.0.fanout(Fanout::start_failed);
    }
}

/// A member of the fan-out and its doorbell; leaves it when dropped.
struct Member<I: Instance> {
    instance: I,
    id: Id,
    bell: I::Bell,
}

impl<I: Instance> Drop for Member<I> {
    fn drop(&mut self) {
        self.instance.fanout(|f| f.leave(self.id));
    }
}

/// A stream that has joined the fan-out, ready to run.
pub struct Joined<I: Instance> {
    stream: Stream<I>,
    member: Member<I>,
    seam: Seam,
}

impl<I: Instance> Stream<I> {
    /// Joins the shared read (starting it at the newest entry if it is not
    /// running: one stream finds it while the others wait), to start after
    /// `after` (`None`: where it joins).
    pub async fn join(self, after: Option<Position>) -> Result<Joined<I>, String> {
        let instance = &self.instance;
        let mut bell = instance.bell();
        loop {
            let begin = poll_fn(|cx| {
                bell.poll_rings(cx);
                match instance.fanout(|f| f.begin_start(bell.waker())) {
                    Begin::Wait => Poll::Pending,
                    begin => Poll::Ready(begin),
                }
            })
            .await;
            if begin == Begin::Running {
                break;
            }
            let finding = Finding(instance);
            let newest = instance.shared(&self.settings).latest(1).await;
            let newest = newest
                .map_err(|e| e.to_string())?
                .first()
                .map_or_else(Position::start, |e| e.position.clone());
            std::mem::forget(finding);
            instance.fanout(|f| f.start(newest));
        }
        let wanted = self.subscription.clone();
        let filter = Box::new(move |u: &Stored| wanted.receives(&u.topics, u.private));
        let Some((id, joined_at)) = instance.fanout(|f| f.join(filter)) else {
            return Err("the shared read failed as this stream joined; retry".into());
        };
        let member = Member {
            instance: instance.clone(),
            id,
            bell,
        };
        Ok(Joined {
            seam: Seam::new(after.unwrap_or_else(|| joined_at.clone()), joined_at),
            member,
            stream: self,
        })
    }
}

impl<I: Instance> Joined<I> {
    /// Starts `admitted`'s stream on `instance`: its start, its registry
    /// entry (when the subscriptions API is on), its place in the fan-out;
    /// returns its response head (`Err`: the answer that refuses it, Redis
    /// being unavailable). A new subscriber needs Redis only when the
    /// instance's shared read is not running yet; a resuming one has its
    /// `Last-Event-ID` resolved through the shared connection.
    pub async fn start(instance: I, admitted: Admitted) -> Result<(Headers, Self), Reply> {
        let unavailable = |error: String| Reply::redis_unavailable(admitted.cors.clone(), &error);
        let shared = instance.shared(&admitted.settings);
        let (after, last_event_id) = match admitted.requested.as_deref() {
            None => (None, None),
            Some(id) => match history::start(&shared, Some(id), &admitted.subscription).await {
                Ok(start) => (Some(start.after), start.last_event_id),
                Err(error) => return Err(unavailable(error.to_string())),
            },
        };
        let stream = Stream {
            instance: instance.clone(),
            settings: admitted.settings.clone(),
            subscription: admitted.subscription.clone(),
            presence: None,
        };
        let mut joined = stream.join(after).await.map_err(unavailable)?;
        let subscription = &admitted.subscription;
        let presence = Presence::start(&shared, &admitted.settings, subscription, &instance).await;
        joined.stream.presence = presence.map_err(|error| unavailable(error.to_string()))?;
        Ok((admitted.head(last_event_id.as_deref()), joined))
    }

    /// Streams to `body` until the end; then leaves the fan-out, drops
    /// `body`, awaits `finish` (the response's end) and leaves the
    /// registry.
    pub async fn run(mut self, mut body: impl Body, finish: impl Future<Output = ()>) {
        let ended = self.pump(&mut body).await;
        log(&ended);
        let Self { stream, member, .. } = self;
        drop(member);
        drop(body);
        finish.await;
        if let Some(presence) = stream.presence {
            let registry = stream.instance.shared(&stream.settings);
            presence.end(&registry, &stream.instance).await;
        }
    }

    /// Streams to `body` until the end and leaves the fan-out; returns why
    /// it ended.
    #[cfg(test)]
    async fn pump_into(mut self, body: &mut impl Body) -> String {
        self.pump(body).await
    }

    /// Streams until the end; returns why it ended.
    async fn pump(&mut self, body: &mut impl Body) -> String {
        let Self {
            stream,
            member,
            seam,
        } = self;
        let instance = stream.instance.clone();
        if send(body, HEARTBEAT.to_vec()).await.is_err() {
            return CLIENT_GONE.into();
        }
        let mut last_write = instance.monotonic();
        // A connection of its own serves the replay only.
        let history = match seam.replay_from() {
            None => None,
            Some(_) => match instance.open(&stream.settings).await {
                Ok(history) => Some(history),
                Err(error) => return bus_failed(&error),
            },
        };
        while let (Some(from), Some(history)) = (seam.replay_from().cloned(), &history) {
            let read = history.read_after(&from, REPLAY_BLOCK, READ_COUNT).await;
            let entries = match read {
                Ok(entries) => entries,
                Err(error) => return bus_failed(&error),
            };
            let batch = history::frames(seam.replayed(entries), Some(&stream.subscription));
            if !batch.is_empty() {
                if send(body, batch).await.is_err() {
                    return CLIENT_GONE.into();
                }
                last_write = instance.monotonic();
            }
        }
        // Live from here: the shared read feeds this stream.
        drop(history);
        let heartbeat = stream.settings.heartbeat;
        let expires_at = stream.subscription.expires_at;
        let mut turn = None;
        let mut out = Vec::new();
        loop {
            // A write still pending is as good as a heartbeat.
            let since = if out.is_empty() && body.is_idle() {
                instance.monotonic().saturating_sub(last_write)
            } else {
                Duration::ZERO
            };
            let Some(wait) = super::wait(heartbeat, since, instance.now(), expires_at) else {
                return TOKEN_EXPIRED.into();
            };
            let mut timer = pin!(instance.sleep(wait));
            let settings = &stream.settings;
            let event = poll_fn(|cx| {
                let timer = timer.as_mut();
                poll_event(cx, member, &mut turn, settings, timer, &mut out, body)
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
                Event::Wrote => last_write = instance.monotonic(),
                Event::Gone => return CLIENT_GONE.into(),
                Event::Read | Event::Tick => {}
            }
            if let Some(presence) = stream.presence.as_mut() {
                let registry = instance.shared(&stream.settings);
                presence.refresh(&registry, &instance).await;
            }
            let idle = out.is_empty() && body.is_idle();
            if idle && instance.monotonic().saturating_sub(last_write) >= heartbeat {
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

fn poll_event<I: Instance>(
    cx: &mut Context<'_>,
    member: &mut Member<I>,
    turn: &mut Option<Turn<I>>,
    settings: &Rc<Settings>,
    timer: Pin<&mut impl Future<Output = ()>>,
    out: &mut Vec<u8>,
    body: &mut impl Body,
) -> Poll<Event> {
    let instance = &member.instance;
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
        *turn = instance
            .fanout(Fanout::claim)
            .map(|claim| Turn::new(instance, claim, settings.clone()));
    }
    if let Some(read) = turn.as_mut() {
        if let Poll::Ready(result) = read.read.as_mut().poll(cx) {
            if let Some(claim) = read.claim.take() {
                match result {
                    Ok(entries) => instance.fanout(|f| f.deliver(claim, entries)),
                    Err(error) => {
                        instance.forget_reader();
                        instance.fanout(|f| f.fail(claim, &error));
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
    let id = member.id;
    if body.is_idle() {
        if let Poll::Ready(next) = instance.fanout(|f| f.poll_next(id, &mut bell_cx)) {
            return Poll::Ready(Event::Queue(next));
        }
    } else if let Poll::Ready(end) = instance.fanout(|f| f.poll_end(id, &mut bell_cx)) {
        return Poll::Ready(Event::Queue(Next::Ended(end)));
    }
    match timer.poll(cx) {
        Poll::Ready(()) => Poll::Ready(Event::Tick),
        Poll::Pending => Poll::Pending,
    }
}

type Read = Pin<Box<dyn Future<Output = Result<Vec<Entry>, String>>>>;

/// This stream's turn of the shared read; given back if dropped unanswered.
struct Turn<I: Instance> {
    instance: I,
    claim: Option<Claim>,
    read: Read,
}

impl<I: Instance> Turn<I> {
    fn new(instance: &I, claim: Claim, settings: Rc<Settings>) -> Self {
        let after = claim.after.clone();
        let busy = claim.busy;
        let reading = instance.clone();
        let read = Box::pin(async move {
            if busy {
                reading.sleep(BUSY_PAUSE).await;
            }
            let reader = reading.reader(&settings).await?;
            let entries = reader.read_after(&after, SHARED_BLOCK, READ_COUNT).await;
            entries.map_err(|e| e.to_string())
        });
        Self {
            instance: instance.clone(),
            claim: Some(claim),
            read,
        }
    }
}

impl<I: Instance> Drop for Turn<I> {
    fn drop(&mut self) {
        if let Some(claim) = self.claim.take() {
            self.instance.forget_reader();
            self.instance.fanout(|f| f.release(claim));
        }
    }
}

#[cfg(test)]
mod tests;
