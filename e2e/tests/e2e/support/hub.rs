//! The event hub under test: a runner serving the repo's manifest under
//! test with the hub's settings as `SPIN_VARIABLE_*` and a private Redis,
//! or, with `SPIN_SSE_BASE_URL` set, that external server (then the keys
//! it was started with come from [`PUBLISHER_KEY_VAR`] and [`SUBSCRIBER_KEY_VAR`],
//! and it must run with the [`TEST_SETTINGS`] below).
//!
//! Tokens are signed with the hub's own `token` module; publishing (the
//! shared harness's [`sse_testkit::hub`]) and subscribing go over the raw
//! HTTP client.

use super::http::{open_raw, Client, Request, Response, Streaming};
use super::redis::RedisServer;
use super::runner::{self, Runner, RunnerOptions};
use super::sse_stream::{Block, SseReader};
use super::{ensure_built, is_external, manifest, skip};
use serde_json::{json, Value};
use std::sync::OnceLock;

pub use sse_testkit::hub::form;

pub const PUBLISHER_KEY_VAR: &str = "SPIN_SSE_HUB_PUBLISHER_KEY";
pub const SUBSCRIBER_KEY_VAR: &str = "SPIN_SSE_HUB_SUBSCRIBER_KEY";
pub const HUB: &str = sse_testkit::hub::HUB_PATH;
/// The origin the test hub allows cross-origin.
pub const CORS_ORIGIN: &str = "https://app.example";
/// Hub settings of the test hub (also what an external one must use).
pub const TEST_SETTINGS: [(&str, &str); 3] = [
    ("HUB_ANONYMOUS", "true"),
    ("HUB_CORS_ORIGINS", CORS_ORIGIN),
    ("HUB_HEARTBEAT_MS", "500"),
];

/// A hub to talk to.
pub struct Hub {
    pub client: Client,
    pub publisher_key: String,
    pub subscriber_key: String,
    /// Held so a runner of its own lives as long as the hub (`None` for the shared one).
    pub _runner: Option<Runner>,
}

/// `SPIN_VARIABLE_*` settings for a hub on `redis` with the given keys.
pub fn variables(
    redis: &RedisServer,
    publisher_key: &str,
    subscriber_key: &str,
) -> Vec<(String, String)> {
    let host = redis.url().trim_start_matches("redis://").to_owned();
    let mut vars = vec![
        ("REDIS_HOST".to_owned(), host),
        ("PUBLISHER_JWT_KEY".to_owned(), publisher_key.to_owned()),
        ("SUBSCRIBER_JWT_KEY".to_owned(), subscriber_key.to_owned()),
    ];
    vars.extend(
        TEST_SETTINGS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    vars
}

/// A runner of its own serving the manifest under test with these variables (names
/// without the `SPIN_VARIABLE_` prefix; later entries win).
pub fn start_runner(vars: &[(String, String)]) -> Runner {
    ensure_built();
    start_runner_on(&manifest(), vars)
}

/// [`start_runner`] serving another manifest (e.g. a WASI 0.3 hub's).
pub fn start_runner_on(manifest: &std::path::Path, vars: &[(String, String)]) -> Runner {
    let env = vars
        .iter()
        .map(|(k, v)| (format!("SPIN_VARIABLE_{k}"), v.clone()))
        .collect();
    runner::start_with(
        manifest,
        &RunnerOptions {
            env,
            ..RunnerOptions::default()
        },
    )
}

/// A private Redis for `test`, or `None` (reason printed) when the suite
/// targets an external server (whose Redis the tests cannot control).
pub fn own_redis(test: &str) -> Option<RedisServer> {
    if is_external() {
        skip(
            test,
            "needs its own runner and Redis, but SPIN_SSE_BASE_URL is set",
        );
        return None;
    }
    Some(RedisServer::start())
}

/// A hub of its own on `redis`, or `None` (reason printed) when the suite
/// targets an external server.
pub fn own_hub(test: &str, redis: &RedisServer, extra: &[(&str, &str)]) -> Option<Hub> {
    if is_external() {
        skip(
            test,
            "needs its own runner and Redis, but SPIN_SSE_BASE_URL is set",
        );
        return None;
    }
    let (publisher_key, subscriber_key) = (random_key(), random_key());
    let mut vars = variables(redis, &publisher_key, &subscriber_key);
    vars.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let runner = start_runner(&vars);
    Some(Hub {
        client: runner.client(),
        publisher_key,
        subscriber_key,
        _runner: Some(runner),
    })
}

/// The hub most tests share: external, or a runner on the shared Redis.
pub fn shared() -> &'static Hub {
    static HUB: OnceLock<Hub> = OnceLock::new();
    HUB.get_or_init(|| match is_external().then(super::client) {
        Some(client) => {
            let key = |var: &str| {
                std::env::var(var).unwrap_or_else(|_| {
                    panic!("SPIN_SSE_BASE_URL is set: also set {var} to the key the hub runs with")
                })
            };
            Hub {
                client,
                publisher_key: key(PUBLISHER_KEY_VAR),
                subscriber_key: key(SUBSCRIBER_KEY_VAR),
                _runner: None,
            }
        }
        None => {
            let (publisher_key, subscriber_key) = (random_key(), random_key());
            let runner = start_runner(&variables(
                super::redis::shared(),
                &publisher_key,
                &subscriber_key,
            ));
            Hub {
                client: runner.client(),
                publisher_key,
                subscriber_key,
                _runner: Some(runner),
            }
        }
    })
}

/// 32 random bytes as hex (from the kernel).
pub fn random_key() -> String {
    use std::io::Read;
    let mut buf = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .expect("read /dev/urandom");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A unique topic for one test, so tests sharing a hub never see each
/// other's updates.
pub fn topic(test: &str) -> String {
    format!("https://example.com/{test}/{}", &random_key()[..12])
}

/// A query string of `pairs` (percent-encoded).
pub fn query(pairs: &[(&str, &str)]) -> String {
    form(pairs)
}

impl Hub {
    pub fn publisher_token(&self, claims: Value) -> String {
        mercure_hub::auth::token::sign(&claims, self.publisher_key.as_bytes())
    }

    pub fn subscriber_token(&self, claims: Value) -> String {
        mercure_hub::auth::token::sign(&claims, self.subscriber_key.as_bytes())
    }

    /// A token that may publish to every topic.
    pub fn publish_all(&self) -> String {
        self.publisher_token(json!({"mercure": {"publish": ["*"]}}))
    }

    /// POSTs a form with these extra headers.
    pub fn post(&self, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let mut raw = format!(
            "POST {HUB} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.client.host,
            body.len()
        );
        for (name, value) in headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str("\r\n");
        let mut raw = raw.into_bytes();
        raw.extend_from_slice(body);
        open_raw(self.client.addr, "POST", &raw)
            .and_then(Streaming::read_to_end)
            .unwrap_or_else(|e| panic!("POST {HUB}: {e}"))
    }

    /// Publishes `fields` with a Bearer token; returns the response.
    pub fn publish_with(&self, token: &str, fields: &[(&str, &str)]) -> Response {
        sse_testkit::hub::publish(&self.client, token, fields)
            .unwrap_or_else(|e| panic!("POST {HUB}: {e}"))
    }

    /// Publishes with a token for every topic and returns the update's id
    /// (panics unless the answer is 200).
    pub fn publish(&self, fields: &[(&str, &str)]) -> String {
        let response = self.publish_with(&self.publish_all(), fields);
        assert_eq!(
            response.status(),
            200,
            "publish {fields:?}: {}",
            response.text()
        );
        response.text()
    }

    /// `GET /.well-known/mercure?<query>` with headers; returns the head.
    pub fn open(&self, query: &str, headers: &[(&str, &str)]) -> Streaming {
        let target = format!("{HUB}?{query}");
        let mut request = Request::get(&target);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        self.client.open(request)
    }

    /// Subscribes and checks the answer is a 200 stream.
    pub fn subscribe(&self, query: &str, headers: &[(&str, &str)]) -> Subscriber {
        let stream = self.open(query, headers);
        assert_eq!(
            stream.head.status, 200,
            "subscribe ?{query}: {:?}",
            stream.head
        );
        Subscriber {
            last_event_id: stream.head.header("last-event-id").map(str::to_owned),
            reader: SseReader::new(stream),
        }
    }
}

/// An open subscription.
pub struct Subscriber {
    /// The response's `Last-Event-ID` header.
    pub last_event_id: Option<String>,
    pub reader: SseReader,
}

impl Subscriber {
    /// The next update (comment-only blocks skipped); `None` at the end.
    pub fn next(&mut self) -> Option<Block> {
        loop {
            match self.reader.next_block() {
                Ok(Some(block)) if block.is_event() => return Some(block),
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => return None,
            }
        }
    }

    /// The next `n` updates' ids (panics if the stream ends first).
    pub fn ids(&mut self, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                let block = self
                    .next()
                    .unwrap_or_else(|| panic!("stream ended after {i} of {n} updates"));
                block.id().unwrap_or_default().to_owned()
            })
            .collect()
    }
}
