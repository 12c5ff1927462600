//! The hub's settings, read from Spin variables (`[component.hub.variables]`
//! in spin.toml, overridable with `SPIN_VARIABLE_*`). An empty value means
//! "the default"; a set but invalid value is an error naming the variable
//! (the handler answers 500 and logs it), never silently replaced.

use crate::auth::token::Key;
use std::fmt;
use std::ops::RangeInclusive;
use std::time::Duration;

/// Silence before a heartbeat comment; also the Redis `XREAD BLOCK` time.
pub const HEARTBEAT_MS: RangeInclusive<u64> = 100..=600_000;
pub const DEFAULT_HEARTBEAT_MS: u64 = 40_000;
/// Updates kept in the history (`MAXLEN ~`).
pub const HISTORY_SIZE: RangeInclusive<u64> = 1..=100_000_000;
pub const DEFAULT_HISTORY_SIZE: u64 = 10_000;
pub const DEFAULT_KEY_PREFIX: &str = "mercure";

/// The variables the hub reads, in the order the settings table lists them.
pub const VARIABLES: [&str; 14] = [
    "redis_address",
    "publisher_jwt_key",
    "publisher_jwt_alg",
    "publisher_jwks_url",
    "subscriber_jwt_key",
    "subscriber_jwt_alg",
    "subscriber_jwks_url",
    "anonymous",
    "cors_origins",
    "publish_origins",
    "subscriptions",
    "heartbeat_ms",
    "history_size",
    "redis_key_prefix",
];

#[derive(Debug, Clone)]
pub struct Settings {
    /// `redis://[user:password@]host:port[/db]`.
    pub redis_address: String,
    /// Publishers' key; `None`: nobody may publish.
    pub publisher_key: Option<Key>,
    /// Subscribers' key; `None`: subscriber tokens are ignored.
    pub subscriber_key: Option<Key>,
    /// Where publishers' keys come from (RS256/ES256); takes precedence
    /// over [`Self::publisher_key`], as in the reference hub.
    pub publisher_jwks_url: Option<String>,
    /// Where subscribers' keys come from; takes precedence over
    /// [`Self::subscriber_key`].
    pub subscriber_jwks_url: Option<String>,
    /// Whether subscribers without a token get public updates.
    pub anonymous: bool,
    /// Origins allowed cross-origin (with credentials); `*` for any.
    pub cors_origins: Vec<String>,
    /// Origins that may publish with the cookie (`*`: any; `prefix*suffix`
    /// wildcards), lower-cased; unset: [`Self::cors_origins`].
    pub publish_origins: Vec<String>,
    /// Whether the subscriptions API and subscription events are on.
    pub subscriptions: bool,
    pub heartbeat: Duration,
    pub history_size: u64,
    pub key_prefix: String,
}

/// A variable with an unusable value; `Display` is the logged reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSetting {
    pub name: &'static str,
    pub expected: String,
}

impl fmt::Display for BadSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "variable {} must be {}", self.name, self.expected)
    }
}

/// The one-line answer (a `500`) when the settings cannot be read: the
/// reason and the variables the hub knows.
pub fn unreadable(error: &impl std::fmt::Display) -> String {
    format!(
        "hub configuration error: {error} (known variables: {})",
        VARIABLES.join(", ")
    )
}

impl Settings {
    /// Reads every setting through `get` (a variable's value, `None` if
    /// undefined).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, BadSetting> {
        let value = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let redis_address = value("redis_address").ok_or_else(|| BadSetting {
            name: "redis_address",
            expected: "a redis:// URL, e.g. redis://127.0.0.1:6379".into(),
        })?;
        if !redis_address.starts_with("redis://") && !redis_address.starts_with("rediss://") {
            return Err(BadSetting {
                name: "redis_address",
                expected: "a redis:// or rediss:// URL".into(),
            });
        }
        let anonymous = flag(&value, "anonymous")?;
        let subscriptions = flag(&value, "subscriptions")?;
        let list = |name: &str| -> Option<Vec<String>> {
            value(name).map(|list| list.split_whitespace().map(str::to_owned).collect())
        };
        let cors_origins = list("cors_origins").unwrap_or_default();
        let key_prefix = value("redis_key_prefix").unwrap_or_else(|| DEFAULT_KEY_PREFIX.into());
        if key_prefix.contains(['{', '}']) {
            return Err(BadSetting {
                name: "redis_key_prefix",
                expected: "a key prefix without { or }".into(),
            });
        }
        Ok(Self {
            redis_address,
            publisher_key: key(&value, "publisher_jwt_key", "publisher_jwt_alg")?,
            subscriber_key: key(&value, "subscriber_jwt_key", "subscriber_jwt_alg")?,
            publisher_jwks_url: jwks_url(&value, "publisher_jwks_url")?,
            subscriber_jwks_url: jwks_url(&value, "subscriber_jwks_url")?,
            anonymous,
            publish_origins: list("publish_origins")
                .unwrap_or_else(|| cors_origins.clone())
                .iter()
                .map(|o| o.to_ascii_lowercase())
                .collect(),
            cors_origins,
            subscriptions,
            heartbeat: Duration::from_millis(number(
                "heartbeat_ms",
                value("heartbeat_ms"),
                DEFAULT_HEARTBEAT_MS,
                HEARTBEAT_MS,
            )?),
            history_size: number(
                "history_size",
                value("history_size"),
                DEFAULT_HISTORY_SIZE,
                HISTORY_SIZE,
            )?,
            key_prefix,
        })
    }

    /// Whether `origin` may make cross-origin requests.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.cors_origins.iter().any(|o| o == "*" || o == origin)
    }
}

/// A `true`/`false` variable (unset: false).
fn flag(value: &impl Fn(&str) -> Option<String>, name: &'static str) -> Result<bool, BadSetting> {
    match value(name).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(BadSetting {
            name,
            expected: "true or false".into(),
        }),
    }
}

/// The key in variable `name` for the algorithm in `alg` (default HS256).
fn key(
    value: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    alg: &'static str,
) -> Result<Option<Key>, BadSetting> {
    let algorithm = value(alg).unwrap_or_else(|| "HS256".to_owned());
    let Some(text) = value(name) else {
        return match algorithm.as_str() {
            "HS256" | "RS256" => Ok(None),
            _ => Err(BadSetting {
                name: alg,
                expected: "HS256 or RS256".into(),
            }),
        };
    };
    Key::new(&algorithm, &text)
        .map(Some)
        .map_err(|error| BadSetting {
            name: if algorithm == "HS256" || algorithm == "RS256" {
                name
            } else {
                alg
            },
            expected: format!("a key for {algorithm}: {error}"),
        })
}

/// An `http://` or `https://` URL in variable `name` (unset: none).
fn jwks_url(
    value: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<String>, BadSetting> {
    let Some(url) = value(name) else {
        return Ok(None);
    };
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    if host.is_none_or(str::is_empty) || url.contains(char::is_whitespace) {
        return Err(BadSetting {
            name,
            expected: format!("an http:// or https:// URL of a JWK Set, got {url:?}"),
        });
    }
    Ok(Some(url))
}

fn number(
    name: &'static str,
    value: Option<String>,
    default: u64,
    range: RangeInclusive<u64>,
) -> Result<u64, BadSetting> {
    let Some(text) = value else {
        return Ok(default);
    };
    text.parse()
        .ok()
        .filter(|n| text.bytes().all(|b| b.is_ascii_digit()) && range.contains(n))
        .ok_or_else(|| BadSetting {
            name,
            expected: format!(
                "an integer in {}..={}, got {text:?}",
                range.start(),
                range.end()
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, BadSetting> {
        Settings::from_vars(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn defaults_apply_when_only_redis_is_set() {
        let s = settings(&[
            ("redis_address", "redis://127.0.0.1:6379"),
            ("subscriber_jwt_key", ""),
        ])
        .unwrap();
        assert_eq!(s.heartbeat, Duration::from_millis(DEFAULT_HEARTBEAT_MS));
        assert_eq!(s.history_size, DEFAULT_HISTORY_SIZE);
        assert!(!s.anonymous && s.subscriber_key.is_none() && s.publisher_key.is_none());
        assert!(s.cors_origins.is_empty() && s.publish_origins.is_empty());
        assert!(!s.subscriptions);
        assert_eq!(s.key_prefix, "mercure");
    }

    #[test]
    fn every_setting_is_read() {
        let s = settings(&[
            ("redis_address", "rediss://u:p@redis.example:6380/2"),
            ("publisher_jwt_key", "pub"),
            ("subscriber_jwt_key", "sub"),
            ("anonymous", "true"),
            ("cors_origins", "https://a.example  https://b.example"),
            ("heartbeat_ms", "100"),
            ("history_size", "5"),
            ("redis_key_prefix", "app1"),
        ])
        .unwrap();
        assert!(matches!(&s.publisher_key, Some(Key::Hs256(k)) if k == b"pub"));
        assert!(matches!(&s.subscriber_key, Some(Key::Hs256(k)) if k == b"sub"));
        assert!(
            s.anonymous
                && s.allows_origin("https://b.example")
                && !s.allows_origin("https://c.example")
        );
        assert_eq!(
            (
                s.heartbeat.as_millis(),
                s.history_size,
                s.key_prefix.as_str()
            ),
            (100, 5, "app1")
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let redis = ("redis_address", "redis://h:1");
        assert_eq!(settings(&[]).unwrap_err().name, "redis_address");
        assert_eq!(
            settings(&[("redis_address", "http://h")]).unwrap_err().name,
            "redis_address"
        );
        for (name, value) in [
            ("anonymous", "yes"),
            ("subscriptions", "1"),
            ("heartbeat_ms", "99"),
            ("heartbeat_ms", "+100"),
            ("history_size", "0"),
            ("redis_key_prefix", "a{b}"),
            ("publisher_jwt_alg", "ES256"),
            ("subscriber_jwt_alg", "none"),
            ("publisher_jwks_url", "file:///etc/jwks.json"),
            ("subscriber_jwks_url", "https:///no-host"),
            ("subscriber_jwks_url", "https://a b/"),
        ] {
            let error = settings(&[redis, (name, value)]).unwrap_err();
            assert_eq!(error.name, name, "{value}");
        }
        assert_eq!(
            settings(&[redis, ("heartbeat_ms", "x")])
                .unwrap_err()
                .to_string(),
            "variable heartbeat_ms must be an integer in 100..=600000, got \"x\""
        );
    }

    #[test]
    fn rs256_keys_must_be_pem_public_keys() {
        let redis = ("redis_address", "redis://h:1");
        let alg = ("publisher_jwt_alg", "RS256");
        let error = settings(&[redis, alg, ("publisher_jwt_key", "secret")]).unwrap_err();
        assert_eq!(error.name, "publisher_jwt_key");
        assert!(error.to_string().contains("PEM"), "{error}");
    }

    #[test]
    fn publish_origins_default_to_the_cors_origins_and_are_lower_cased() {
        let redis = ("redis_address", "redis://h:1");
        let cors = ("cors_origins", "https://A.example");
        let s = settings(&[redis, cors, ("subscriptions", "true")]).unwrap();
        assert_eq!(s.publish_origins, ["https://a.example"]);
        assert!(s.subscriptions);
        let s = settings(&[redis, cors, ("publish_origins", "https://*.B.example *")]).unwrap();
        assert_eq!(s.publish_origins, ["https://*.b.example", "*"]);
        assert_eq!(s.cors_origins, ["https://A.example"]);
    }

    #[test]
    fn jwks_urls_are_read_and_unset_by_default() {
        let redis = ("redis_address", "redis://h:1");
        let s = settings(&[redis, ("publisher_jwks_url", " https://idp.example/jwks ")]).unwrap();
        assert_eq!(
            s.publisher_jwks_url.as_deref(),
            Some("https://idp.example/jwks")
        );
        assert_eq!(s.subscriber_jwks_url, None);
        let s = settings(&[redis, ("subscriber_jwks_url", "http://127.0.0.1:8080/k")]).unwrap();
        assert_eq!(
            s.subscriber_jwks_url.as_deref(),
            Some("http://127.0.0.1:8080/k")
        );
    }

    #[test]
    fn star_allows_every_origin() {
        let s = settings(&[("redis_address", "redis://h:1"), ("cors_origins", "*")]).unwrap();
        assert!(s.allows_origin("https://anything.example"));
    }

    #[test]
    fn an_unreadable_setting_answers_with_its_reason_and_the_known_variables() {
        let reason = unreadable(&"heartbeat_ms must be 100..=600000");
        assert!(reason.starts_with(
            "hub configuration error: heartbeat_ms must be 100..=600000 (known variables: redis_address, "
        ));
        assert!(reason.ends_with(')'));
        assert!(!reason.contains('\n'));
    }
}
