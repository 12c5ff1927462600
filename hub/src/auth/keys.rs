//! The key that checks a request's token, for both ABIs: the configured
//! one, or, with a `*_jwks_url` (which takes precedence, as in the
//! reference hub), the JWKS key the token's header names, through
//! [`crate::auth::jwks_cache`]. The Redis connection and the HTTP fetch are the
//! adapter's ([`crate::protocol::adapter::Adapter`]: `jwks_fetch` per ABI); the fetch is bounded by
//! [`MAX_JWKS_BYTES`] and [`FETCH_TIMEOUT`].

use crate::auth::authorize::AuthError;
use crate::auth::jwks_cache::{Fetch, KeyError, Store};
use crate::auth::token::{self, Key};
use crate::config::Settings;
use crate::transport::redis_streams::{self, Execute};
use std::future::Future;
use std::time::Duration;

/// Largest JWKS body read.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// The whole fetch (connect, headers, body) ends after this.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Whose token it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Publisher,
    Subscriber,
}

/// The key for `token` at `now_ms` (ms since the epoch): `Ok(None)` when
/// there is no key to check one with (no key configured, or a JWKS and no
/// token). Redis is opened (`connect`) only when a JWKS is configured and
/// a token came.
pub async fn resolve<E, C>(
    settings: &Settings,
    role: Role,
    token: Option<&str>,
    connect: impl FnOnce() -> C,
    fetcher: &impl Fetch,
    now_ms: u64,
) -> Result<Option<Key>, KeyError>
where
    E: Execute,
    C: Future<Output = Result<E, String>>,
{
    let (key, url) = match role {
        Role::Publisher => (&settings.publisher_key, &settings.publisher_jwks_url),
        Role::Subscriber => (&settings.subscriber_key, &settings.subscriber_jwks_url),
    };
    let Some(url) = url else {
        return Ok(key.clone());
    };
    let Some(token) = token else {
        return Ok(None);
    };
    let header =
        token::header(token).map_err(|e| KeyError::Refused(AuthError::Token(e).to_string()))?;
    let redis = connect()
        .await
        .map_err(|e| KeyError::Unavailable(redis_streams::unavailable(&e)))?;
    Store::new(&redis, &settings.key_prefix)
        .key_for(fetcher, url, &header, now_ms)
        .await
        .map(Some)
}

/// The reason a fetch answered with `status` is refused (only `200` is
/// a JWKS).
pub fn bad_status(url: &str, status: u16) -> Option<String> {
    (status != 200).then(|| format!("{url} answered {status}, not 200"))
}

/// The reason a body is refused once it has grown to `len` bytes.
pub fn too_large(url: &str, len: usize) -> Option<String> {
    (len > MAX_JWKS_BYTES).then(|| format!("{url} is larger than {MAX_JWKS_BYTES} bytes"))
}

/// The reason for a fetch that did not finish in time.
pub fn timed_out(url: &str) -> String {
    format!("no answer from {url} within {} s", FETCH_TIMEOUT.as_secs())
}

#[cfg(test)]
mod tests {
    //! Which key checks a token: the configured one, a JWKS one by `kid`, none;
    //! Redis is opened only when a JWKS is configured and a token came.

    use super::*;
    use crate::auth::jwks::tests::fixtures::{document, ec_jwk, es256};
    use crate::auth::jwks_cache::Fetched;
    use crate::transport::history::memory::ready;
    use crate::transport::redis_streams::{Arg, Reply};
    use serde_json::json;
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    /// `GET` and `SET` on a map.
    #[derive(Default)]
    struct MapRedis(RefCell<HashMap<Vec<u8>, Vec<u8>>>);

    impl Execute for MapRedis {
        async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
            let bytes = |arg: &Arg| match arg {
                Arg::Bytes(b) => b.clone(),
                Arg::Int(n) => n.to_string().into_bytes(),
            };
            let mut map = self.0.borrow_mut();
            Ok(match (command, args) {
                ("GET", [key]) => vec![map
                    .get(&bytes(key))
                    .map_or(Reply::Nil, |v| Reply::Bytes(v.clone()))],
                ("SET", [key, value, ..]) => {
                    map.insert(bytes(key), bytes(value));
                    vec![Reply::Status("OK".into())]
                }
                other => return Err(format!("unexpected command {other:?}")),
            })
        }
    }

    struct OneKeySet {
        hits: Cell<usize>,
    }

    impl Fetch for OneKeySet {
        async fn fetch(&self, _url: &str) -> Result<Fetched, String> {
            self.hits.set(self.hits.get() + 1);
            Ok(Fetched {
                body: document(&[ec_jwk(0, "ec-0")]),
                cache_control: None,
            })
        }
    }

    fn settings(vars: &[(&str, &str)]) -> Settings {
        let mut all = vec![("redis_address", "redis://127.0.0.1:6379")];
        all.extend_from_slice(vars);
        Settings::from_vars(|n| {
            all.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        })
        .unwrap()
    }

    /// Resolves with a connect that counts its calls.
    fn resolve_counting(
        settings: &Settings,
        role: Role,
        token: Option<&str>,
        redis: &MapRedis,
        fetcher: &OneKeySet,
    ) -> (Result<Option<Key>, KeyError>, usize) {
        let opened = Cell::new(0);
        let connect = || {
            opened.set(opened.get() + 1);
            async { Ok::<_, String>(redis) }
        };
        let key = ready(resolve(settings, role, token, connect, fetcher, 1_000));
        (key, opened.get())
    }

    impl Execute for &MapRedis {
        async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
            (**self).execute(command, args).await
        }
    }

    #[test]
    fn without_a_jwks_the_configured_key_is_used_and_redis_is_not_opened() {
        let settings = settings(&[("publisher_jwt_key", "0123456789abcdef0123456789abcdef")]);
        let (redis, fetcher) = (MapRedis::default(), OneKeySet { hits: Cell::new(0) });
        let (key, opened) =
            resolve_counting(&settings, Role::Publisher, Some("a.b.c"), &redis, &fetcher);
        assert_eq!(key.unwrap().unwrap().algorithm(), "HS256");
        let (key, _) = resolve_counting(&settings, Role::Subscriber, None, &redis, &fetcher);
        assert!(key.unwrap().is_none(), "no subscriber key configured");
        assert_eq!((opened, fetcher.hits.get()), (0, 0));
    }

    #[test]
    fn with_a_jwks_the_tokens_kid_chooses_the_key_once_fetched() {
        let url = "https://idp.example/jwks";
        let settings = settings(&[
            ("subscriber_jwks_url", url),
            ("subscriber_jwt_key", "ignored-secret-ignored-secret-xx"),
        ]);
        let (redis, fetcher) = (MapRedis::default(), OneKeySet { hits: Cell::new(0) });
        let token = es256(0, Some("ec-0"), &json!({"mercure": {"subscribe": ["*"]}}));
        let (key, opened) =
            resolve_counting(&settings, Role::Subscriber, Some(&token), &redis, &fetcher);
        let key = key.unwrap().expect("the JWKS key");
        assert_eq!(key.algorithm(), "ES256");
        assert!(token::verify(&token, &key, 0.0).is_ok());
        assert_eq!((opened, fetcher.hits.get()), (1, 1));
        // The second time it comes from the cached document.
        let (again, _) =
            resolve_counting(&settings, Role::Subscriber, Some(&token), &redis, &fetcher);
        assert!(again.unwrap().is_some());
        assert_eq!(fetcher.hits.get(), 1);
    }

    #[test]
    fn with_a_jwks_no_token_needs_no_key_and_a_bad_one_is_refused() {
        let settings = settings(&[("publisher_jwks_url", "https://idp.example/jwks")]);
        let (redis, fetcher) = (MapRedis::default(), OneKeySet { hits: Cell::new(0) });
        let (key, opened) = resolve_counting(&settings, Role::Publisher, None, &redis, &fetcher);
        assert!(key.unwrap().is_none());
        assert_eq!(opened, 0);
        let (key, _) = resolve_counting(
            &settings,
            Role::Publisher,
            Some("not-a-jwt"),
            &redis,
            &fetcher,
        );
        assert!(matches!(key, Err(KeyError::Refused(_))), "{key:?}");
        assert_eq!(fetcher.hits.get(), 0);
    }

    #[test]
    fn redis_that_cannot_be_opened_is_unavailable() {
        let settings = settings(&[("publisher_jwks_url", "https://idp.example/jwks")]);
        let token = es256(0, Some("ec-0"), &json!({"mercure": {"publish": ["*"]}}));
        let fetcher = OneKeySet { hits: Cell::new(0) };
        let connect = || async { Err::<MapRedis, _>("connection refused".to_owned()) };
        let key = ready(resolve(
            &settings,
            Role::Publisher,
            Some(&token),
            connect,
            &fetcher,
            0,
        ));
        assert_eq!(
            key.unwrap_err(),
            KeyError::Unavailable("Redis unavailable: connection refused".into())
        );
    }

    #[test]
    fn fetch_bounds_have_one_line_reasons() {
        let url = "https://idp.example/jwks";
        assert_eq!(bad_status(url, 200), None);
        assert_eq!(
            bad_status(url, 404).unwrap(),
            "https://idp.example/jwks answered 404, not 200"
        );
        assert_eq!(too_large(url, MAX_JWKS_BYTES), None);
        assert!(too_large(url, MAX_JWKS_BYTES + 1)
            .unwrap()
            .ends_with("is larger than 262144 bytes"));
        assert_eq!(
            timed_out(url),
            "no answer from https://idp.example/jwks within 5 s"
        );
    }
}
