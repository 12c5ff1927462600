//! A complete answer (status, headers, body) and the one-line answers the
//! hub gives: `text/plain` lines, 401 with `WWW-Authenticate`, 503 with
//! `Retry-After`. Each adapter turns a [`Reply`] into its ABI's response.

use crate::auth::authorize::AuthError;
use crate::auth::jwks_cache::KeyError;
use crate::host::log;
use crate::transport::redis_streams;
use std::fmt::Display;

/// Response headers: lower-case names, values.
pub type Headers = Vec<(&'static str, String)>;

const RETRY_AFTER_SECONDS: &str = "1";

/// A complete answer; an empty `body` is no body at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Headers,
    pub body: Vec<u8>,
}

impl Reply {
    /// An answer without a body.
    pub fn empty(status: u16, headers: Headers) -> Self {
        Self {
            status,
            headers,
            body: Vec::new(),
        }
    }

    /// A `text/plain` answer with exactly `body`.
    pub fn text(status: u16, mut headers: Headers, body: Vec<u8>) -> Self {
        headers.push(("content-type", "text/plain; charset=utf-8".into()));
        headers.push(("x-content-type-options", "nosniff".into()));
        Self {
            status,
            headers,
            body,
        }
    }

    /// A `text/plain` answer of one line (line breaks in it become spaces).
    pub fn line(status: u16, headers: Headers, line: &str) -> Self {
        let mut body = line.replace(['\r', '\n'], " ").into_bytes();
        body.push(b'\n');
        Self::text(status, headers, body)
    }

    /// 405, naming the methods the route answers.
    pub fn method_not_allowed(mut headers: Headers, allow: &str, reason: &str) -> Self {
        headers.push(("allow", allow.into()));
        Self::line(405, headers, reason)
    }

    /// 401 (logged).
    pub fn unauthorized(mut headers: Headers, error: &AuthError) -> Self {
        log(&format!("unauthorized: {error}"));
        headers.push(("www-authenticate", "Bearer realm=\"mercure\"".into()));
        Self::line(401, headers, &format!("unauthorized: {error}"))
    }

    /// 503 (logged): try again in a second.
    pub fn unavailable(mut headers: Headers, reason: &str) -> Self {
        log(reason);
        headers.push(("retry-after", RETRY_AFTER_SECONDS.into()));
        Self::line(503, headers, reason)
    }

    /// 503 for a Redis that could not be reached or failed.
    pub fn redis_unavailable(headers: Headers, error: &impl Display) -> Self {
        Self::unavailable(headers, &redis_streams::unavailable(error))
    }

    /// A request whose key could not be had: 401 or 503.
    pub fn key_refused(headers: Headers, error: KeyError) -> Self {
        match error {
            KeyError::Refused(reason) => Self::unauthorized(headers, &AuthError::Key(reason)),
            KeyError::Unavailable(reason) => Self::unavailable(headers, &reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_one_line_of_plain_text() {
        let reply = Reply::line(400, Vec::new(), "bad\r\ninput");
        assert_eq!(reply.body, b"bad  input\n");
        assert!(reply
            .headers
            .contains(&("content-type", "text/plain; charset=utf-8".into())));
    }

    #[test]
    fn unavailable_asks_to_retry_and_unauthorized_names_the_realm() {
        let busy = Reply::redis_unavailable(Vec::new(), &"connection refused");
        assert_eq!(busy.status, 503);
        assert!(busy.headers.contains(&("retry-after", "1".into())));
        assert_eq!(busy.body, b"Redis unavailable: connection refused\n");
        let refused = Reply::key_refused(Vec::new(), KeyError::Refused("no kid".into()));
        assert_eq!(refused.status, 401);
        assert_eq!(refused.body, b"unauthorized: no kid\n");
        assert!(refused
            .headers
            .contains(&("www-authenticate", "Bearer realm=\"mercure\"".into())));
    }
}
