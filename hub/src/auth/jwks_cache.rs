//! Where a JWKS comes from: Redis first, else the JWKS URL (pure; the fetch
//! and the clock are passed in).
//!
//! On WASI 0.2 every request is a fresh instance, so the fetched document
//! is kept in the hub's Redis, `{prefix}:jwks:<url>` (same hash tag as the
//! other keys), as a [`Record`]: the document, when it was fetched and
//! until when it is fresh (the response's `Cache-Control: max-age` within
//! [`MIN_TTL`]..=[`MAX_TTL`], else [`DEFAULT_TTL`]), and the last fetch
//! attempt with its error. The rules:
//!
//! - a fresh document is used; a token whose `kid` it lacks makes one
//!   re-fetch (key rotation) if the last attempt is at least
//!   [`REFETCH_INTERVAL`] old, else the token is refused (401);
//! - no fresh document: fetch, unless the last attempt failed less than
//!   [`REFETCH_INTERVAL`] ago (then 503 with that failure's reason, so a
//!   JWKS server that is down is asked at most once per interval);
//! - a failed fetch keeps a fresh document: cached keys keep working until
//!   their TTL runs out; after that, requests with tokens get 503 until the
//!   server answers again.

use crate::auth::jwks::{self, Choice, Jwks};
use crate::auth::token::{Header, Key};
use crate::host::log;
use crate::transport::redis_streams::{self, Arg, Execute, Reply};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
pub const MIN_TTL: Duration = Duration::from_secs(30);
pub const MAX_TTL: Duration = Duration::from_secs(86_400);
/// At most one fetch per URL in this interval after an attempt (a rotation
/// re-fetch, or a retry after a failure).
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(5);

/// A fetched response: its body and `Cache-Control` header.
pub struct Fetched {
    pub body: Vec<u8>,
    pub cache_control: Option<String>,
}

/// Fetches the document at a URL (`Err`: a one-line reason). Each ABI's
/// adapter implements it for one single-threaded type, so the future needs
/// no `Send` bound.
#[allow(async_fn_in_trait)]
pub trait Fetch {
    async fn fetch(&self, url: &str) -> Result<Fetched, String>;
}

/// Why no key was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The token cannot be checked with this JWKS: 401.
    Refused(String),
    /// The JWKS (or Redis) cannot be had now: 503.
    Unavailable(String),
}

/// What Redis keeps per JWKS URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The last document that parsed, as fetched.
    pub document: Option<String>,
    /// Milliseconds since the epoch (host wall clock).
    pub fetched_at: u64,
    pub fresh_until: u64,
    pub attempted_at: u64,
    pub error: Option<String>,
}

impl Record {
    fn fresh(&self, now: u64) -> Option<&str> {
        self.document.as_deref().filter(|_| now < self.fresh_until)
    }

    fn may_fetch(&self, now: u64) -> bool {
        now >= self.attempted_at.saturating_add(millis(REFETCH_INTERVAL))
    }

    /// How long Redis keeps it: while fresh, and while it holds back fetches.
    fn keep(&self, now: u64) -> u64 {
        let until = self
            .fresh_until
            .max(self.attempted_at.saturating_add(millis(REFETCH_INTERVAL)));
        until.saturating_sub(now).max(1)
    }
}

/// The freshness a `Cache-Control` header gives: its `max-age` bounded to
/// [`MIN_TTL`]..=[`MAX_TTL`]; `no-cache`/`no-store` count as `max-age=0`;
/// without either, [`DEFAULT_TTL`].
pub fn ttl(cache_control: Option<&str>) -> Duration {
    let mut seconds = None;
    for directive in cache_control.unwrap_or("").split(',') {
        let directive = directive.trim().to_ascii_lowercase();
        if directive == "no-cache" || directive == "no-store" {
            seconds = Some(0);
        } else if let Some(value) = directive.strip_prefix("max-age=") {
            if let Ok(n) = value.trim_matches('"').parse::<u64>() {
                seconds = Some(seconds.map_or(n, |s: u64| s.min(n)));
            }
        }
    }
    seconds.map_or(DEFAULT_TTL, |s| {
        Duration::from_secs(s).clamp(MIN_TTL, MAX_TTL)
    })
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The JWKS records in Redis under the hub's key prefix.
pub struct Store<'a, E> {
    redis: &'a E,
    prefix: &'a str,
}

impl<'a, E: Execute> Store<'a, E> {
    pub fn new(redis: &'a E, prefix: &'a str) -> Self {
        Self { redis, prefix }
    }

    fn key(&self, url: &str) -> Arg {
        Arg::Bytes(format!("{{{}}}:jwks:{url}", self.prefix).into_bytes())
    }

    async fn get(&self, url: &str) -> Result<Option<Record>, String> {
        match self
            .redis
            .execute("GET", &[self.key(url)])
            .await?
            .as_slice()
        {
            [] | [Reply::Nil] => Ok(None),
            // A record this hub cannot read is treated as absent.
            [Reply::Bytes(bytes)] => Ok(serde_json::from_slice(bytes).ok()),
            other => Err(format!("unexpected Redis GET reply {other:?}")),
        }
    }

    async fn put(&self, url: &str, record: &Record, now: u64) -> Result<(), String> {
        let json = serde_json::to_vec(record).map_err(|e| e.to_string())?;
        let keep = i64::try_from(record.keep(now)).unwrap_or(i64::MAX);
        let args = [
            self.key(url),
            Arg::Bytes(json),
            Arg::from("PX"),
            Arg::Int(keep),
        ];
        self.redis.execute("SET", &args).await.map(drop)
    }

    /// The key that checks a token with `header`, from the JWKS at `url`,
    /// at `now` (ms since the epoch); see the module docs for the rules.
    pub async fn key_for(
        &self,
        fetcher: &impl Fetch,
        url: &str,
        header: &Header,
        now: u64,
    ) -> Result<Key, KeyError> {
        let redis_down = |e: String| KeyError::Unavailable(redis_streams::unavailable(&e));
        let record = self.get(url).await.map_err(redis_down)?;
        if let Some(record) = &record {
            if let Some(document) = record.fresh(now) {
                match jwks::parse(document.as_bytes()).map(|set| set.choose(header).cloned()) {
                    Ok(Err(Choice::UnknownKid(_))) if record.may_fetch(now) => {}
                    Ok(choice) => return choice.map_err(refused),
                    // Stored documents parsed when fetched; fetch again.
                    Err(_) if record.may_fetch(now) => {}
                    Err(error) => return Err(KeyError::Unavailable(error.to_string())),
                }
            } else if !record.may_fetch(now) {
                let reason = record.error.as_deref().unwrap_or("a fetch is under way");
                return Err(KeyError::Unavailable(format!(
                    "JWKS {url} unavailable: {reason}"
                )));
            }
        }
        let fetched = fetcher.fetch(url).await;
        if let Err(reason) = &fetched {
            log(&format!("JWKS fetch failed: {reason}"));
        }
        let fetched = fetched.and_then(|fetched| {
            let text =
                String::from_utf8(fetched.body).map_err(|_| "the JWKS is not UTF-8".to_owned())?;
            let set = jwks::parse(text.as_bytes()).map_err(|e| e.to_string())?;
            Ok((text, set, ttl(fetched.cache_control.as_deref())))
        });
        match fetched {
            Ok((text, set, ttl)) => {
                let stored = Record {
                    document: Some(text),
                    fetched_at: now,
                    fresh_until: now.saturating_add(millis(ttl)),
                    attempted_at: now,
                    error: None,
                };
                self.put(url, &stored, now).await.map_err(redis_down)?;
                chosen(&set, header)
            }
            Err(reason) => {
                let kept = record.filter(|r| r.fresh(now).is_some());
                let stored = Record {
                    attempted_at: now,
                    error: Some(reason.clone()),
                    ..kept.unwrap_or(Record {
                        document: None,
                        fetched_at: 0,
                        fresh_until: 0,
                        attempted_at: now,
                        error: None,
                    })
                };
                self.put(url, &stored, now).await.map_err(redis_down)?;
                Err(KeyError::Unavailable(format!(
                    "JWKS {url} unavailable: {reason}"
                )))
            }
        }
    }
}

fn chosen(set: &Jwks, header: &Header) -> Result<Key, KeyError> {
    set.choose(header).cloned().map_err(refused)
}

fn refused(choice: Choice) -> KeyError {
    KeyError::Refused(choice.to_string())
}

#[cfg(test)]
mod tests;
