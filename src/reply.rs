//! The whole answer to one `/sse` request, with no I/O: status, headers and
//! body (nothing, a one-line reason, or the stream's [`Outbox`]). The
//! component's adapter sends exactly this, and so does the benchmark's
//! native peer, so both serve the same bytes.

use crate::config::{ConfigError, Settings};
use crate::frames::Frames;
use crate::outbox::Outbox;
use crate::params::StreamParams;
use crate::schedule::{self, Start};

/// Headers of a 200 stream: no caching or compression by proxies, no
/// buffering by nginx. No content-length and no hop-by-hop headers.
pub const STREAM_HEADERS: [(&str, &str); 3] = [
    ("content-type", "text/event-stream"),
    ("cache-control", "no-cache, no-transform"),
    ("x-accel-buffering", "no"),
];
/// Headers of an answer whose body is a one-line reason.
pub const TEXT_HEADERS: [(&str, &str); 2] = [
    ("content-type", "text/plain; charset=utf-8"),
    ("cache-control", "no-store"),
];
/// Sent with 405.
pub const ALLOW_HEADER: (&str, &str) = ("allow", "GET, HEAD");
const ALLOW_AND_TEXT_HEADERS: [(&str, &str); 3] = [ALLOW_HEADER, TEXT_HEADERS[0], TEXT_HEADERS[1]];

/// The request method, as far as `/sse` cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    /// The headers a GET would get, and no body.
    Head,
    Other,
}

/// The component's settings and the frames they give, read once.
#[derive(Clone, Debug)]
pub struct Contract {
    pub settings: Settings,
    pub frames: Frames,
}

impl Contract {
    /// Reads the settings through `var` (see [`Settings::from_vars`]).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let settings = Settings::from_vars(var)?;
        let frames = Frames::new(&settings)?;
        Ok(Self { settings, frames })
    }
}

/// What to send.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: &'static [(&'static str, &'static str)],
    pub body: Body,
    /// A line for the operator's log (an invalid setting).
    pub log: Option<String>,
}

#[derive(Debug)]
pub enum Body {
    Empty,
    /// A one-line reason, newline included.
    Line(String),
    /// The event stream.
    Events(Outbox),
}

/// The answer to `method` with this `query` (without `?`) and these
/// `Last-Event-ID` header values, under `contract` (or its error); a
/// stream's outbox takes the contract's frames.
pub fn reply(
    method: Method,
    contract: Result<Contract, ConfigError>,
    query: &str,
    last_event_ids: &[Vec<u8>],
) -> Reply {
    let head = match method {
        Method::Get => false,
        Method::Head => true,
        Method::Other => {
            let reason = "method not allowed: /sse answers GET and HEAD";
            return text(405, &ALLOW_AND_TEXT_HEADERS, reason.to_owned(), false);
        }
    };
    let contract = match contract {
        Ok(contract) => contract,
        Err(error) => {
            let reason = format!("server configuration error: {error}");
            let mut reply = text(500, &TEXT_HEADERS, reason, head);
            reply.log = Some(format!("configuration error: {error}"));
            return reply;
        }
    };
    let params = match StreamParams::parse(&contract.settings, query, last_event_ids) {
        Ok(params) => params,
        Err(error) => return text(400, &TEXT_HEADERS, error.to_string(), head),
    };
    let schedule = match schedule::start(&params) {
        Start::Finished => return status_only(204, &[]),
        Start::Stream(schedule) => schedule,
    };
    let mut reply = status_only(200, &STREAM_HEADERS);
    if !head {
        reply.body = Body::Events(Outbox::new(schedule, contract.frames));
    }
    reply
}

fn status_only(status: u16, headers: &'static [(&'static str, &'static str)]) -> Reply {
    Reply {
        status,
        headers,
        body: Body::Empty,
        log: None,
    }
}

fn text(
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    reason: String,
    head: bool,
) -> Reply {
    let mut reply = status_only(status, headers);
    if !head {
        reply.body = Body::Line(reason + "\n");
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(method: Method, query: &str, ids: &[&str]) -> Reply {
        let ids: Vec<Vec<u8>> = ids.iter().map(|id| id.as_bytes().to_vec()).collect();
        reply(method, Contract::from_vars(|_| None), query, &ids)
    }

    fn line(reply: &Reply) -> &str {
        match &reply.body {
            Body::Line(line) => line,
            other => panic!("expected a reason line, got {other:?}"),
        }
    }

    #[test]
    fn get_streams_with_the_event_stream_headers() {
        let reply = answer(Method::Get, "", &[]);
        assert_eq!((reply.status, reply.headers), (200, &STREAM_HEADERS[..]));
        assert!(matches!(reply.body, Body::Events(_)));
    }

    #[test]
    fn head_gets_the_same_status_and_headers_without_a_body() {
        for query in ["", "count=0"] {
            let (get, head) = (
                answer(Method::Get, query, &[]),
                answer(Method::Head, query, &[]),
            );
            assert_eq!((head.status, &head.headers), (get.status, &get.headers));
            assert!(matches!(head.body, Body::Empty), "{query}");
        }
    }

    #[test]
    fn other_methods_get_405_with_allow_and_a_reason() {
        let reply = answer(Method::Other, "", &[]);
        assert_eq!(reply.status, 405);
        assert!(reply.headers.contains(&ALLOW_HEADER));
        assert_eq!(
            line(&reply),
            "method not allowed: /sse answers GET and HEAD\n"
        );
    }

    #[test]
    fn bad_parameter_gets_400_with_its_reason() {
        let reply = answer(Method::Get, "interval=99999", &[]);
        assert_eq!(reply.status, 400);
        assert_eq!(
            line(&reply),
            "query parameter interval must be an integer in 0..=60000, got \"99999\"\n"
        );
    }

    #[test]
    fn last_event_id_at_the_final_id_gets_204_without_headers() {
        let reply = answer(Method::Get, "", &["4"]);
        assert_eq!((reply.status, reply.headers.len()), (204, 0));
        assert!(matches!(reply.body, Body::Empty));
    }

    #[test]
    fn invalid_setting_gets_500_and_a_log_line() {
        let contract = Contract::from_vars(|name| (name == "SSE_RETRY_MS").then(|| "x".into()));
        let reply = reply(Method::Get, contract, "", &[]);
        assert_eq!(reply.status, 500);
        assert!(line(&reply)
            .starts_with("server configuration error: environment variable SSE_RETRY_MS"));
        assert!(reply.log.unwrap().starts_with("configuration error: "));
    }
}
