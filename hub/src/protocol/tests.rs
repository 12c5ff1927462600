//! The whole request flow on a fake adapter (settings, Redis that answers
//! or is down, no JWKS), a fixed clock and a sink that keeps what a
//! stream writes: each answer the hub gives, once for both ABIs.

use super::*;
use crate::auth::jwks_cache::{Fetch, Fetched};
use crate::auth::token;
use crate::config::Settings;
use crate::protocol::command::Method;
use crate::protocol::subscribe::Subscriber;
use crate::protocol::update::{Update, HEARTBEAT};
use crate::transport::history::memory::ready;
use crate::transport::redis_streams::{Arg, Execute, Reply as RedisReply};
use futures::stream;
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

const PUBLISHER_KEY: &str = "publisher-secret-publisher-secret";
const SUBSCRIBER_KEY: &str = "subscriber-secret-subscriber-secret";
const NOW: f64 = 1_000_000.0;

/// What the fake Redis saw and will answer.
#[derive(Default)]
struct RedisState {
    down: bool,
    commands: Vec<String>,
    /// The answers to `XREAD`, in order; none left: Redis fails.
    reads: Vec<Vec<RedisReply>>,
}

#[derive(Clone, Default)]
struct FakeRedis(Rc<RefCell<RedisState>>);

impl Execute for FakeRedis {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<RedisReply>, String> {
        let mut state = self.0.borrow_mut();
        state.commands.push(command.to_owned());
        if state.down {
            return Err("connection refused".into());
        }
        Ok(match (command, args.get(1)) {
            ("PING", _) => vec![RedisReply::Status("PONG".into())],
            // The append script has three keys, the registry's two.
            ("EVAL", Some(Arg::Int(3))) => vec![RedisReply::Bytes(b"7-0".to_vec())],
            // The registry's list (no arguments): nobody.
            ("EVAL", _) if args.len() == 4 => Vec::new(),
            ("EVAL", _) => vec![RedisReply::Int(1)],
            ("HGET", _) => vec![RedisReply::Nil],
            ("XREAD", _) if !state.reads.is_empty() => state.reads.remove(0),
            ("XREAD", _) => return Err("connection lost".into()),
            _ => Vec::new(),
        })
    }
}

struct Fake {
    settings: Result<Rc<Settings>, String>,
    redis: FakeRedis,
    settings_read: RefCell<bool>,
}

impl Fake {
    fn with(vars: &[(&str, &str)]) -> Self {
        let mut all = vec![
            ("redis_address", "redis://127.0.0.1:6379"),
            ("publisher_jwt_key", PUBLISHER_KEY),
            ("subscriber_jwt_key", SUBSCRIBER_KEY),
            ("cors_origins", "https://app.example"),
            ("heartbeat_ms", "1000"),
        ];
        all.extend_from_slice(vars);
        let lookup = |name: &str| {
            let found = all.iter().rev().find(|(n, _)| *n == name);
            found.map(|(_, v)| (*v).to_owned())
        };
        Self {
            settings: Settings::from_vars(lookup)
                .map(Rc::new)
                .map_err(|e| e.to_string()),
            redis: FakeRedis::default(),
            settings_read: RefCell::new(false),
        }
    }

    fn redis_down(self) -> Self {
        self.redis.0.borrow_mut().down = true;
        self
    }

    fn commands(&self) -> Vec<String> {
        self.redis.0.borrow().commands.clone()
    }
}

impl Fetch for Fake {
    async fn fetch(&self, url: &str) -> Result<Fetched, String> {
        Err(format!("no JWKS at {url} in these tests"))
    }
}

impl Adapter for Fake {
    type Redis = FakeRedis;

    async fn settings(&self) -> Result<Rc<Settings>, String> {
        *self.settings_read.borrow_mut() = true;
        self.settings.clone()
    }

    async fn connect(&self, _settings: &Settings) -> Result<FakeRedis, String> {
        Ok(self.redis.clone())
    }
}

/// A fixed clock; monotonic time moves on a second per look.
#[derive(Default)]
struct Clock {
    ticks: RefCell<u64>,
}

impl Host for Clock {
    fn now(&self) -> f64 {
        NOW
    }

    fn monotonic(&self) -> Duration {
        let mut ticks = self.ticks.borrow_mut();
        *ticks += 1;
        Duration::from_secs(*ticks)
    }

    fn random_bytes(&self) -> [u8; 16] {
        [7; 16]
    }
}

fn request(method: Method, uri: &str, headers: &[(&str, &str)]) -> Request {
    Request {
        method,
        path_with_query: uri.to_owned(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

type Chunks = stream::Iter<std::vec::IntoIter<Result<Vec<u8>, ()>>>;

fn body(bytes: &[u8]) -> impl FnOnce() -> Chunks {
    let chunks = vec![Ok(bytes.to_vec())];
    move || stream::iter(chunks)
}

fn answer_with(fake: &Fake, request: &Request, bytes: &[u8]) -> Answer {
    ready(answer(fake, &Clock::default(), request, body(bytes)))
}

fn reply_to(fake: &Fake, request: &Request, bytes: &[u8]) -> Reply {
    match answer_with(fake, request, bytes) {
        Answer::Reply(reply) => reply,
        Answer::Stream(_) => panic!("a stream, not a complete answer"),
    }
}

fn header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    header_of(&reply.headers, name)
}

fn header_of<'a>(headers: &'a [(&str, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

fn text(reply: &Reply) -> &str {
    std::str::from_utf8(&reply.body).unwrap()
}

fn bearer(claims: serde_json::Value, key: &str) -> String {
    format!("Bearer {}", token::sign(&claims, key.as_bytes()))
}

fn publisher() -> String {
    bearer(json!({"mercure": {"publish": ["*"]}}), PUBLISHER_KEY)
}

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

#[test]
fn a_path_that_is_not_the_hubs_is_404_without_reading_the_settings() {
    let fake = Fake::with(&[]);
    let reply = reply_to(&fake, &request(Method::Get, "/elsewhere", &[]), b"");
    assert_eq!(reply.status, 404);
    assert_eq!(
        text(&reply),
        "not found: the hub is at /.well-known/mercure\n"
    );
    assert!(!*fake.settings_read.borrow());
}

#[test]
fn unreadable_settings_are_a_500_naming_the_variable() {
    let fake = Fake::with(&[("heartbeat_ms", "soon")]);
    let reply = reply_to(
        &fake,
        &request(Method::Get, "/.well-known/mercure", &[]),
        b"",
    );
    assert_eq!(reply.status, 500);
    assert!(text(&reply).starts_with("hub configuration error: variable heartbeat_ms"));
}

#[test]
fn health_is_ok_while_redis_answers_and_503_when_it_does_not() {
    let uri = "/.well-known/mercure/healthz";
    let up = reply_to(&Fake::with(&[]), &request(Method::Get, uri, &[]), b"");
    assert_eq!((up.status, text(&up)), (200, "ok\n"));
    let down = reply_to(
        &Fake::with(&[]).redis_down(),
        &request(Method::Get, uri, &[]),
        b"",
    );
    assert_eq!(down.status, 503);
    assert_eq!(header(&down, "retry-after"), Some("1"));
    assert!(text(&down).starts_with("Redis unavailable: Redis PING failed"));
}

#[test]
fn answers_carry_cors_headers_for_an_allowed_origin() {
    let origin = ("origin", "https://app.example");
    let reply = reply_to(
        &Fake::with(&[]),
        &request(Method::Other, "/.well-known/mercure", &[origin]),
        b"",
    );
    assert_eq!(reply.status, 405);
    assert_eq!(header(&reply, "allow"), Some("GET, HEAD, POST, OPTIONS"));
    assert_eq!(
        header(&reply, "access-control-allow-origin"),
        Some("https://app.example")
    );
}

#[test]
fn a_preflight_is_204_with_the_allowed_method() {
    let headers = [
        ("origin", "https://app.example"),
        ("access-control-request-method", "POST"),
    ];
    let reply = reply_to(
        &Fake::with(&[]),
        &request(Method::Options, "/.well-known/mercure", &headers),
        b"",
    );
    assert_eq!(reply.status, 204);
    assert!(reply.body.is_empty());
    assert_eq!(header(&reply, "access-control-allow-methods"), Some("POST"));
}

#[test]
fn publish_stores_the_update_and_answers_its_id() {
    let fake = Fake::with(&[]);
    let token = publisher();
    let headers = [("authorization", token.as_str()), FORM];
    let post = request(Method::Post, "/.well-known/mercure", &headers);
    let reply = reply_to(&fake, &post, b"topic=/books/1&data=hi&id=urn:x");
    assert_eq!((reply.status, text(&reply)), (200, "urn:x"));
    assert_eq!(fake.commands(), ["EVAL"]);
}

#[test]
fn publish_refusals_each_have_their_status_and_reason() {
    let token = publisher();
    let post = |headers: &[(&str, &str)], bytes: &[u8], fake: &Fake| {
        let reply = reply_to(
            fake,
            &request(Method::Post, "/.well-known/mercure", headers),
            bytes,
        );
        (reply.status, text(&reply).to_owned())
    };
    let fake = Fake::with(&[]);
    let (status, reason) = post(&[FORM], b"topic=/t", &fake);
    assert_eq!((status, reason.as_str()), (401, "unauthorized: no token\n"));
    let auth = ("authorization", token.as_str());
    let (status, reason) = post(&[auth], b"topic=/t", &fake);
    assert_eq!(status, 400);
    assert!(reason.starts_with("publish with Content-Type: application/x-www-form-urlencoded"));
    let big = vec![b'a'; form::MAX_BODY_BYTES + 1];
    assert_eq!(post(&[auth, FORM], &big, &fake).0, 413);
    assert_eq!(post(&[auth, FORM], b"data=no-topic", &fake).0, 400);
    assert!(fake.commands().is_empty(), "nothing refused reached Redis");
    let down = Fake::with(&[]).redis_down();
    let (status, reason) = post(&[auth, FORM], b"topic=/t", &down);
    assert_eq!(status, 503);
    assert!(reason.starts_with("update not stored: Redis unavailable:"));
    let keyless = Fake::with(&[("publisher_jwt_key", "")]);
    let (status, reason) = post(&[auth, FORM], b"topic=/t", &keyless);
    assert_eq!(status, 500);
    assert!(reason.contains("publisher_jwt_key"));
}

#[test]
fn a_topic_outside_the_publish_claim_is_refused_after_the_form_is_read() {
    let token = bearer(
        json!({"mercure": {"publish": ["/books/{id}"]}}),
        PUBLISHER_KEY,
    );
    let headers = [("authorization", token.as_str()), FORM];
    let post = request(Method::Post, "/.well-known/mercure", &headers);
    let reply = reply_to(&Fake::with(&[]), &post, b"topic=/films/1");
    assert_eq!(reply.status, 401);
    assert!(text(&reply).contains("does not cover topic \"/films/1\""));
}

#[test]
fn a_subscriber_without_a_token_needs_anonymous_access() {
    let get = request(Method::Get, "/.well-known/mercure?topic=/t", &[]);
    let refused = reply_to(&Fake::with(&[]), &get, b"");
    assert_eq!(refused.status, 401);
    assert_eq!(
        header(&refused, "www-authenticate"),
        Some("Bearer realm=\"mercure\"")
    );
    let open = Fake::with(&[("anonymous", "true")]);
    assert!(matches!(answer_with(&open, &get, b""), Answer::Stream(_)));
}

#[test]
fn the_token_is_checked_before_the_selectors() {
    let get = request(Method::Get, "/.well-known/mercure", &[]);
    assert_eq!(reply_to(&Fake::with(&[]), &get, b"").status, 401);
    let anonymous = Fake::with(&[("anonymous", "true")]);
    let reply = reply_to(&anonymous, &get, b"");
    assert_eq!(reply.status, 400);
    assert!(anonymous.commands().is_empty());
}

#[test]
fn head_answers_the_stream_headers_alone() {
    let fake = Fake::with(&[("anonymous", "true")]);
    let head = request(
        Method::Head,
        "/.well-known/mercure?topic=/t&lastEventID=earliest",
        &[],
    );
    let reply = reply_to(&fake, &head, b"");
    assert_eq!(reply.status, 200);
    assert!(reply.body.is_empty());
    assert_eq!(header(&reply, "content-type"), Some("text/event-stream"));
    assert_eq!(header(&reply, "last-event-id"), Some("earliest"));
}

fn subscriber(fake: &Fake, token: &str) -> Box<Subscriber<FakeRedis>> {
    let uri = "/.well-known/mercure?topic=/t";
    let get = request(Method::Get, uri, &[("authorization", token)]);
    let admitted = match answer_with(fake, &get, b"") {
        Answer::Stream(admitted) => admitted,
        Answer::Reply(reply) => panic!("refused: {}", text(&reply)),
    };
    match ready(admitted.start(fake, &Clock::default())) {
        Ok(subscriber) => Box::new(subscriber),
        Err(reply) => panic!("refused: {}", text(&reply)),
    }
}

fn entry(id: &str, topic: &str) -> Vec<RedisReply> {
    let update = Update {
        id: id.into(),
        topics: vec![topic.into()],
        data: "d".into(),
        event_type: String::new(),
        retry: 0,
        private: false,
    };
    vec![
        RedisReply::Bytes(b"{mercure}:updates".to_vec()),
        RedisReply::Bytes(format!("{id}-0").into_bytes()),
        RedisReply::Bytes(b"s".to_vec()),
        RedisReply::Bytes(update.stored().encode()),
    ]
}

#[test]
fn a_followed_stream_writes_a_heartbeat_then_what_it_may_see() {
    let fake = Fake::with(&[]);
    let token = bearer(json!({"mercure": {"subscribe": []}}), SUBSCRIBER_KEY);
    let subscriber = subscriber(&fake, &token);
    assert_eq!(
        header_of(&subscriber.head, "content-type"),
        Some("text/event-stream")
    );
    fake.redis.0.borrow_mut().reads = vec![entry("1", "/t"), entry("2", "/other")];
    let mut written: Vec<Vec<u8>> = Vec::new();
    ready(subscriber.follow(&Clock::default(), Some(&mut written)));
    assert_eq!(written[0], HEARTBEAT);
    let frames: Vec<String> = written[1..]
        .iter()
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(frames[0].contains("id: 1\n"), "{frames:?}");
    // `/other` is not for this subscriber: the silence is a heartbeat.
    assert_eq!(frames[1].as_bytes(), HEARTBEAT);
}

#[test]
fn a_stream_enters_the_registry_and_leaves_it_when_the_bus_fails() {
    let fake = Fake::with(&[("subscriptions", "true")]);
    let token = bearer(json!({"mercure": {"subscribe": []}}), SUBSCRIBER_KEY);
    let subscriber = subscriber(&fake, &token);
    assert!(subscriber.presence.is_some());
    let registered = fake.commands();
    let mut written: Vec<Vec<u8>> = Vec::new();
    ready(subscriber.follow(&Clock::default(), Some(&mut written)));
    assert_eq!(written, [HEARTBEAT]);
    let after = fake.commands();
    // Unregistered, then one subscription event published.
    assert_eq!(after[registered.len()..], ["XREAD", "EVAL", "EVAL"]);
}

#[test]
fn the_subscriptions_api_is_404_while_off_and_304_for_a_known_etag() {
    let uri = "/.well-known/mercure/subscriptions";
    let off = reply_to(&Fake::with(&[]), &request(Method::Get, uri, &[]), b"");
    assert_eq!(off.status, 404);
    let on = Fake::with(&[
        ("subscriptions", "true"),
        ("anonymous", "true"),
        ("subscriber_jwt_key", ""),
    ]);
    let all = reply_to(&on, &request(Method::Get, uri, &[]), b"");
    assert_eq!(all.status, 200);
    assert_eq!(header(&all, "etag"), Some("earliest"));
    let again = request(Method::Get, uri, &[("if-none-match", "earliest")]);
    assert_eq!(reply_to(&on, &again, b"").status, 304);
}
