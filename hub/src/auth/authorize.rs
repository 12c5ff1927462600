//! Who may publish and who receives what, as the Mercure hub v0.24 decides:
//! the token comes from the `Authorization: Bearer` header, else the
//! `authorization` query parameter, else the `mercureAuthorization` cookie
//! (for a POST only when the `Origin`, or the `Referer`'s origin, is an
//! allowed one: no cross-site request forgery). Publishing needs a
//! `mercure.publish` claim covering every topic; a subscriber receives an
//! update when one of its selectors matches one of the update's topics and,
//! for a private update, its `mercure.subscribe` claim matches one too.
//! The subscriptions API needs a subscriber token whose `mercure.subscribe`
//! matches the request's URI (path and query, as sent).

use crate::auth::token::{self, Claims, Key, TokenError};
use crate::protocol::selector::{self, Selector};
use std::fmt;

/// The cookie the reference hub reads.
pub const COOKIE_NAME: &str = "mercureAuthorization";

/// Why a request is unauthorised (always a 401; the reason is logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    InvalidHeader,
    InvalidQuery,
    NoOrigin,
    OriginNotAllowed(String),
    Token(TokenError),
    /// No key checks the token (a JWKS without its `kid`, …).
    Key(String),
    Missing,
    NoPublishClaim,
    TopicNotCovered(String),
    NoSubscribeClaim,
    UriNotCovered(String),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidHeader => write!(
                f,
                "invalid \"Authorization\" header: expected \"Bearer <JWT>\""
            ),
            Self::InvalidQuery => write!(f, "invalid \"authorization\" query parameter"),
            Self::NoOrigin => write!(
                f,
                "cookie authorization needs an \"Origin\" or \"Referer\" header"
            ),
            Self::OriginNotAllowed(origin) => {
                write!(f, "origin {origin:?} may not publish with a cookie")
            }
            Self::Token(error) => write!(f, "{error}"),
            Self::Key(reason) => write!(f, "{reason}"),
            Self::Missing => write!(f, "no token"),
            Self::NoPublishClaim => write!(f, "the token has no \"mercure.publish\" claim"),
            Self::NoSubscribeClaim => write!(f, "the token has no \"mercure.subscribe\" claim"),
            Self::UriNotCovered(uri) => write!(
                f,
                "the token's \"mercure.subscribe\" claim does not cover {uri:?}"
            ),
            Self::TopicNotCovered(topic) => {
                write!(
                    f,
                    "the token's \"mercure.publish\" claim does not cover topic {topic:?}"
                )
            }
        }
    }
}

/// The parts of a request that can carry a token.
#[derive(Debug, Default, Clone)]
pub struct Credentials<'a> {
    pub authorization_headers: Vec<&'a str>,
    pub authorization_query: Vec<&'a str>,
    pub cookie_headers: Vec<&'a str>,
    pub is_post: bool,
    pub origin: Option<&'a str>,
    pub referer: Option<&'a str>,
}

impl<'a> Credentials<'a> {
    /// The token carriers of a request: its headers (lower-case names)
    /// and query pairs.
    pub fn from_request(
        request_headers: &'a [(String, String)],
        query: &'a [(String, String)],
        is_post: bool,
    ) -> Self {
        let values = |name: &str| -> Vec<&'a str> {
            request_headers
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        Self {
            authorization_headers: values("authorization"),
            authorization_query: query
                .iter()
                .filter(|(n, _)| n == "authorization")
                .map(|(_, v)| v.as_str())
                .collect(),
            cookie_headers: values("cookie"),
            is_post,
            origin: values("origin").first().copied(),
            referer: values("referer").first().copied(),
        }
    }

    /// The token to check, `None` for an anonymous request. `allowed` are
    /// the origins that may publish with a cookie, lower-case (`*`: any;
    /// `prefix*suffix`: a wildcard, as the reference hub's
    /// `publish_origins`).
    pub fn token(&self, allowed: &[String]) -> Result<Option<&'a str>, AuthError> {
        if !self.authorization_headers.is_empty() {
            return match self.authorization_headers.as_slice() {
                [value] if value.len() >= 48 => value
                    .strip_prefix("Bearer ")
                    .map(Some)
                    .ok_or(AuthError::InvalidHeader),
                _ => Err(AuthError::InvalidHeader),
            };
        }
        if !self.authorization_query.is_empty() {
            return match self.authorization_query.as_slice() {
                [value] if value.len() >= 41 => Ok(Some(value)),
                _ => Err(AuthError::InvalidQuery),
            };
        }
        let Some(cookie) = self
            .cookie_headers
            .iter()
            .find_map(|h| cookie(h, COOKIE_NAME))
        else {
            return Ok(None);
        };
        if !self.is_post {
            return Ok(Some(cookie));
        }
        let origin = match (self.origin, self.referer) {
            (Some(origin), _) if !origin.is_empty() => origin.to_owned(),
            (_, Some(referer)) if !referer.is_empty() => origin_of(referer),
            _ => return Err(AuthError::NoOrigin),
        };
        if allowed.iter().any(|a| origin_allowed(a, &origin)) {
            Ok(Some(cookie))
        } else {
            Err(AuthError::OriginNotAllowed(origin))
        }
    }
}

/// Whether `origin` is the `allowed` one (`*`, exact, or `prefix*suffix`).
pub fn origin_allowed(allowed: &str, origin: &str) -> bool {
    if allowed == "*" || allowed == origin {
        return true;
    }
    allowed.split_once('*').is_some_and(|(prefix, suffix)| {
        origin.len() >= prefix.len() + suffix.len()
            && origin.starts_with(prefix)
            && origin.ends_with(suffix)
    })
}

/// The first value of cookie `name` in one `Cookie` header.
fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then(|| value.trim_matches('"'))
    })
}

/// `scheme://host[:port]` of a URL (the whole text if it has no `://`).
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            format!("{scheme}://{host}")
        }
        None => url.to_owned(),
    }
}

/// Checks a publisher's token and that it covers every topic.
pub fn publisher(
    token: Option<&str>,
    key: &Key,
    now: f64,
    topics: &[String],
) -> Result<Claims, AuthError> {
    let token = token.ok_or(AuthError::Missing)?;
    let claims = token::verify(token, key, now).map_err(AuthError::Token)?;
    let selectors: Vec<Selector> = match &claims.publish {
        None => return Err(AuthError::NoPublishClaim),
        Some(list) => list.iter().map(|s| Selector::new(s)).collect(),
    };
    if selectors.iter().any(|s| s.as_str() == "*") {
        return Ok(claims);
    }
    match topics
        .iter()
        .find(|t| !selectors.iter().any(|s| s.matches(t)))
    {
        Some(topic) => Err(AuthError::TopicNotCovered(topic.clone())),
        None => Ok(claims),
    }
}

/// What one subscriber asked for and may read.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub topics: Vec<Selector>,
    pub private: Vec<Selector>,
    /// The token's `exp`: the stream ends then.
    pub expires_at: Option<f64>,
    /// The token's `mercure.payload` (shown by the subscriptions API).
    pub payload: Option<serde_json::Value>,
}

impl Subscription {
    /// A subscriber's rights: with a subscriber key, a valid token (or
    /// none, when anonymous subscribers are allowed); without a key, only
    /// anonymous access, if allowed.
    pub fn authorize(
        topics: Vec<Selector>,
        token: Option<&str>,
        key: Option<&Key>,
        anonymous: bool,
        now: f64,
    ) -> Result<Self, AuthError> {
        let claims = match (key, token) {
            (Some(key), Some(token)) => {
                Some(token::verify(token, key, now).map_err(AuthError::Token)?)
            }
            _ => None,
        };
        if claims.is_none() && !anonymous {
            return Err(AuthError::Missing);
        }
        let claims = claims.unwrap_or_default();
        let private = claims
            .subscribe
            .iter()
            .flatten()
            .map(|s| Selector::new(s))
            .collect();
        Ok(Self {
            topics,
            private,
            expires_at: claims.expires_at,
            payload: claims.payload,
        })
    }

    /// Whether this subscriber receives an update to `topics`.
    pub fn receives(&self, topics: &[String], private: bool) -> bool {
        selector::any_matches(&self.topics, topics)
            && (!private || selector::any_matches(&self.private, topics))
    }
}

/// Whether a request for the subscriptions API at `request_uri` (path
/// and query, as sent) may read it, as the reference hub decides: with a
/// subscriber key, a valid token whose `mercure.subscribe` matches the
/// URI; without one, only when anonymous subscribers are allowed (the
/// reference hub then answers anyone).
pub fn subscriptions_reader(
    token: Option<&str>,
    key: Option<&Key>,
    anonymous: bool,
    now: f64,
    request_uri: &str,
) -> Result<(), AuthError> {
    let Some(key) = key else {
        return if anonymous {
            Ok(())
        } else {
            Err(AuthError::Missing)
        };
    };
    let token = token.ok_or(AuthError::Missing)?;
    let claims = token::verify(token, key, now).map_err(AuthError::Token)?;
    let selectors = claims.subscribe.ok_or(AuthError::NoSubscribeClaim)?;
    if selectors
        .iter()
        .any(|s| Selector::new(s).matches(request_uri))
    {
        Ok(())
    } else {
        Err(AuthError::UriNotCovered(request_uri.to_owned()))
    }
}

#[cfg(test)]
mod tests;
