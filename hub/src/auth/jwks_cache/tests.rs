//! The cache rule with an injected clock, a Redis double and a JWKS server
//! double that counts its fetches.

use super::*;
use crate::auth::jwks::tests::fixtures::{document, ec_jwk, es256, rs256, rsa_jwk};
use crate::auth::token;
use crate::transport::history::memory::ready;
use serde_json::json;
use std::cell::RefCell;
use std::collections::HashMap;

const URL: &str = "https://idp.example/jwks";

/// Key → (value, PX in ms).
type Values = HashMap<Vec<u8>, (Vec<u8>, i64)>;

/// `GET` and `SET … PX` on a map; the PX is kept for the assertions.
#[derive(Default)]
struct FakeRedis {
    values: RefCell<Values>,
    down: bool,
}

impl Execute for FakeRedis {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
        if self.down {
            return Err("connection refused".into());
        }
        let bytes = |arg: &Arg| match arg {
            Arg::Bytes(b) => b.clone(),
            Arg::Int(n) => n.to_string().into_bytes(),
        };
        match (command, args) {
            ("GET", [key]) => Ok(vec![self
                .values
                .borrow()
                .get(&bytes(key))
                .map_or(Reply::Nil, |(v, _)| Reply::Bytes(v.clone()))]),
            ("SET", [key, value, px, Arg::Int(ms)]) if bytes(px) == b"PX" => {
                self.values
                    .borrow_mut()
                    .insert(bytes(key), (bytes(value), *ms));
                Ok(vec![Reply::Status("OK".into())])
            }
            other => Err(format!("unexpected command {other:?}")),
        }
    }
}

/// Serves `body` (or fails with `error`), counting the fetches.
struct FakeServer {
    body: RefCell<Result<Vec<u8>, String>>,
    cache_control: Option<String>,
    hits: RefCell<usize>,
}

impl FakeServer {
    fn new(keys: &[serde_json::Value]) -> Self {
        Self {
            body: RefCell::new(Ok(document(keys))),
            cache_control: Some("public, max-age=60".into()),
            hits: RefCell::new(0),
        }
    }
    fn hits(&self) -> usize {
        *self.hits.borrow()
    }
}

impl Fetch for FakeServer {
    async fn fetch(&self, _url: &str) -> Result<Fetched, String> {
        *self.hits.borrow_mut() += 1;
        self.body.borrow().clone().map(|body| Fetched {
            body,
            cache_control: self.cache_control.clone(),
        })
    }
}

fn header(token: &str) -> token::Header {
    token::header(token).unwrap()
}

fn claims() -> serde_json::Value {
    json!({"mercure": {"subscribe": ["*"]}})
}

#[test]
fn ttl_is_max_age_within_bounds_else_the_default() {
    assert_eq!(ttl(None), DEFAULT_TTL);
    assert_eq!(ttl(Some("public")), DEFAULT_TTL);
    assert_eq!(ttl(Some("public, max-age=600")), Duration::from_secs(600));
    assert_eq!(ttl(Some("Max-Age=5")), MIN_TTL);
    assert_eq!(ttl(Some("max-age=999999999")), MAX_TTL);
    assert_eq!(ttl(Some("max-age=600, no-store")), MIN_TTL);
    assert_eq!(ttl(Some("max-age=x")), DEFAULT_TTL);
}

#[test]
fn a_second_token_uses_the_stored_document_until_it_is_stale() {
    let (redis, server) = (FakeRedis::default(), FakeServer::new(&[ec_jwk(0, "e")]));
    let store = Store::new(&redis, "hub");
    let token = es256(0, Some("e"), &claims());
    let key = ready(store.key_for(&server, URL, &header(&token), 1_000)).unwrap();
    assert!(token::verify(&token, &key, 1.0).is_ok());
    assert!(ready(store.key_for(&server, URL, &header(&token), 60_999)).is_ok());
    assert_eq!(server.hits(), 1, "max-age=60 keeps it fresh for 60 s");
    let (_, px) = redis.values.borrow()[b"{hub}:jwks:https://idp.example/jwks".as_slice()].clone();
    assert_eq!(px, 60_000);
    assert!(ready(store.key_for(&server, URL, &header(&token), 61_000)).is_ok());
    assert_eq!(server.hits(), 2, "stale at 61 s: fetched again");
}

#[test]
fn an_unknown_kid_refetches_at_most_once_per_interval() {
    let (redis, server) = (FakeRedis::default(), FakeServer::new(&[ec_jwk(0, "old")]));
    let store = Store::new(&redis, "hub");
    let old = es256(0, Some("old"), &claims());
    ready(store.key_for(&server, URL, &header(&old), 0)).unwrap();
    // The key is rotated: "new" appears on the server.
    *server.body.borrow_mut() = Ok(document(&[ec_jwk(0, "old"), rsa_jwk(0, "new")]));
    let new = rs256(0, Some("new"), &claims());
    let early = ready(store.key_for(&server, URL, &header(&new), 4_999));
    assert_eq!(
        early.unwrap_err(),
        KeyError::Refused("no JWKS key has the token's kid \"new\"".into())
    );
    assert_eq!(server.hits(), 1, "within the interval: no fetch");
    let key = ready(store.key_for(&server, URL, &header(&new), 5_000)).unwrap();
    assert!(token::verify(&new, &key, 5.0).is_ok());
    assert_eq!(server.hits(), 2);
    let unknown = es256(1, Some("forged"), &claims());
    assert!(ready(store.key_for(&server, URL, &header(&unknown), 6_000)).is_err());
    assert!(ready(store.key_for(&server, URL, &header(&unknown), 7_000)).is_err());
    assert_eq!(server.hits(), 2, "random kids do not make fetches");
    assert!(matches!(
        ready(store.key_for(&server, URL, &header(&unknown), 10_000)),
        Err(KeyError::Refused(_))
    ));
    assert_eq!(server.hits(), 3, "one fetch per interval");
}

#[test]
fn a_server_down_with_a_cold_cache_is_503_and_asked_once_per_interval() {
    let (redis, server) = (FakeRedis::default(), FakeServer::new(&[]));
    *server.body.borrow_mut() = Err("connection refused".into());
    let store = Store::new(&redis, "hub");
    let token = es256(0, Some("e"), &claims());
    let expected = KeyError::Unavailable(format!("JWKS {URL} unavailable: connection refused"));
    let at = |now| ready(store.key_for(&server, URL, &header(&token), now)).unwrap_err();
    assert_eq!(at(0), expected);
    assert_eq!(at(4_999), expected);
    assert_eq!(server.hits(), 1);
    *server.body.borrow_mut() = Ok(document(&[ec_jwk(0, "e")]));
    assert!(ready(store.key_for(&server, URL, &header(&token), 5_000)).is_ok());
    assert_eq!(server.hits(), 2);
}

#[test]
fn cached_keys_keep_working_while_the_server_is_down_until_their_ttl() {
    let (redis, server) = (FakeRedis::default(), FakeServer::new(&[ec_jwk(0, "e")]));
    let store = Store::new(&redis, "hub");
    let token = es256(0, Some("e"), &claims());
    ready(store.key_for(&server, URL, &header(&token), 0)).unwrap();
    *server.body.borrow_mut() = Err("timed out".into());
    let other = es256(1, Some("other"), &claims());
    assert!(matches!(
        ready(store.key_for(&server, URL, &header(&other), 10_000)),
        Err(KeyError::Unavailable(reason)) if reason.ends_with("timed out")
    ));
    assert!(ready(store.key_for(&server, URL, &header(&token), 59_999)).is_ok());
    assert!(matches!(
        ready(store.key_for(&server, URL, &header(&token), 60_000)),
        Err(KeyError::Unavailable(_))
    ));
    assert_eq!(server.hits(), 3);
}

#[test]
fn an_invalid_document_is_not_stored_and_its_reason_is_given() {
    let (redis, server) = (FakeRedis::default(), FakeServer::new(&[]));
    let store = Store::new(&redis, "hub");
    let token = es256(0, Some("e"), &claims());
    let error = ready(store.key_for(&server, URL, &header(&token), 0)).unwrap_err();
    assert_eq!(
        error,
        KeyError::Unavailable(format!(
            "JWKS {URL} unavailable: invalid JWKS: no key usable for RS256 or ES256 signature verification"
        ))
    );
    let stored: Record =
        serde_json::from_slice(&redis.values.borrow().values().next().unwrap().0).unwrap();
    assert_eq!(stored.document, None);
}

#[test]
fn redis_down_is_503() {
    let redis = FakeRedis {
        down: true,
        ..FakeRedis::default()
    };
    let server = FakeServer::new(&[ec_jwk(0, "e")]);
    let token = es256(0, Some("e"), &claims());
    let error = ready(Store::new(&redis, "hub").key_for(&server, URL, &header(&token), 0));
    assert_eq!(
        error.unwrap_err(),
        KeyError::Unavailable("Redis unavailable: connection refused".into())
    );
    assert_eq!(server.hits(), 0);
}
