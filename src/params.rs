//! One request's stream parameters: the query overrides (`interval`,
//! `count`, `heartbeat`, `lastEventId`) and the `Last-Event-ID` header,
//! checked against the bounds in [`crate::config`].
//!
//! Unknown query parameters are ignored (cache busters such as `_=123` are
//! common); a known one given twice is an error. An empty last-event id
//! (header or query) means "none", as an empty SSE `id:` resets it.

use crate::config::{self, parse_bounded, BadValue, Origin, Settings};
use crate::query;
use std::fmt;

/// Query parameter names, exactly as clients spell them.
pub const QUERY_INTERVAL: &str = "interval";
pub const QUERY_COUNT: &str = "count";
pub const QUERY_HEARTBEAT: &str = "heartbeat";
pub const QUERY_LAST_EVENT_ID: &str = "lastEventId";
/// The header a reconnecting EventSource sends; it wins over the query.
pub const HEADER_LAST_EVENT_ID: &str = "Last-Event-ID";

/// What one request asks for, after defaults and bounds are applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamParams {
    pub interval_ms: u64,
    pub heartbeat_ms: u64,
    /// The final event id of the stream.
    pub count: u64,
    /// The last id the client has seen, within `0..=count`.
    pub last_event_id: Option<u64>,
}

/// Why a request is answered 400; `Display` is the one-line reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamError {
    /// A number that is malformed or outside its accepted range.
    Number(BadValue),
    /// A known query parameter appears more than once.
    Repeated(&'static str),
    /// More than one `Last-Event-ID` header.
    RepeatedHeader,
    /// A `Last-Event-ID` header that is not UTF-8.
    HeaderNotUtf8,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(bad) => bad.fmt(f),
            Self::Repeated(name) => write!(f, "query parameter {name} is given more than once"),
            Self::RepeatedHeader => {
                write!(f, "header {HEADER_LAST_EVENT_ID} is given more than once")
            }
            Self::HeaderNotUtf8 => write!(
                f,
                "header {HEADER_LAST_EVENT_ID} must be an integer, got bytes that are not UTF-8"
            ),
        }
    }
}

impl std::error::Error for ParamError {}

impl From<BadValue> for ParamError {
    fn from(bad: BadValue) -> Self {
        Self::Number(bad)
    }
}

/// The raw values of the known query parameters, each at most once.
#[derive(Default)]
struct Query {
    interval: Option<String>,
    count: Option<String>,
    heartbeat: Option<String>,
    last_event_id: Option<String>,
}

impl Query {
    fn parse(query: &str) -> Result<Self, ParamError> {
        let mut parsed = Self::default();
        for (key, value) in query::pairs(query) {
            let (name, slot) = match key.as_str() {
                QUERY_INTERVAL => (QUERY_INTERVAL, &mut parsed.interval),
                QUERY_COUNT => (QUERY_COUNT, &mut parsed.count),
                QUERY_HEARTBEAT => (QUERY_HEARTBEAT, &mut parsed.heartbeat),
                QUERY_LAST_EVENT_ID => (QUERY_LAST_EVENT_ID, &mut parsed.last_event_id),
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(ParamError::Repeated(name));
            }
        }
        Ok(parsed)
    }
}

impl StreamParams {
    /// Applies the query string (without `?`) and the `Last-Event-ID` header
    /// values (raw bytes, all of them) to the component's `settings`.
    pub fn parse(
        settings: &Settings,
        query: &str,
        last_event_id_headers: &[Vec<u8>],
    ) -> Result<Self, ParamError> {
        let query = Query::parse(query)?;
        let number = |value: Option<&String>, name, range, default| match value {
            None => Ok(default),
            Some(value) => parse_bounded(Origin::Query, name, value, range),
        };
        let interval_ms = number(
            query.interval.as_ref(),
            QUERY_INTERVAL,
            config::INTERVAL_MS,
            settings.interval_ms,
        )?;
        let heartbeat_ms = number(
            query.heartbeat.as_ref(),
            QUERY_HEARTBEAT,
            config::HEARTBEAT_MS,
            settings.heartbeat_ms,
        )?;
        let default_count = u64::try_from(settings.messages.len()).unwrap_or(u64::MAX);
        let count = number(
            query.count.as_ref(),
            QUERY_COUNT,
            config::COUNT,
            default_count,
        )?;

        let header = match last_event_id_headers {
            [] => None,
            [value] => Some(std::str::from_utf8(value).map_err(|_| ParamError::HeaderNotUtf8)?),
            _ => return Err(ParamError::RepeatedHeader),
        };
        let (origin, name, raw) = match (header, query.last_event_id.as_deref()) {
            (Some(header), _) if !header.is_empty() => {
                (Origin::Header, HEADER_LAST_EVENT_ID, Some(header))
            }
            (_, query_value) => (Origin::Query, QUERY_LAST_EVENT_ID, query_value),
        };
        let last_event_id = match raw.filter(|raw| !raw.is_empty()) {
            None => None,
            Some(raw) => Some(parse_bounded(origin, name, raw, 0..=count)?),
        };

        Ok(Self {
            interval_ms,
            heartbeat_ms,
            count,
            last_event_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str, headers: &[&str]) -> Result<StreamParams, ParamError> {
        let headers: Vec<Vec<u8>> = headers.iter().map(|h| h.as_bytes().to_vec()).collect();
        StreamParams::parse(&Settings::default(), query, &headers)
    }

    #[test]
    fn no_query_uses_settings_and_one_event_per_message() {
        let params = parse("", &[]).unwrap();
        assert_eq!(
            params,
            StreamParams {
                interval_ms: 1_000,
                heartbeat_ms: 15_000,
                count: 4,
                last_event_id: None,
            }
        );
    }

    #[test]
    fn query_overrides_interval_count_and_heartbeat() {
        let params = parse("interval=0&count=1000000&heartbeat=100", &[]).unwrap();
        assert_eq!(
            (params.interval_ms, params.count, params.heartbeat_ms),
            (0, 1_000_000, 100)
        );
    }

    #[test]
    fn interval_above_maximum_answers_with_the_range() {
        let err = parse("interval=60001", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"query parameter interval must be an integer in 0..=60000, got "60001""#
        );
    }

    #[test]
    fn count_zero_is_rejected() {
        let err = parse("count=0", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"query parameter count must be an integer in 1..=1000000, got "0""#
        );
    }

    #[test]
    fn count_above_maximum_is_rejected() {
        assert!(parse("count=1000001", &[]).is_err());
    }

    #[test]
    fn negative_or_fractional_numbers_are_rejected() {
        for query in [
            "interval=-1",
            "count=2.5",
            "heartbeat=1e3",
            "count=",
            "interval=+5",
        ] {
            assert!(parse(query, &[]).is_err(), "{query} must be rejected");
        }
    }

    #[test]
    fn heartbeat_below_minimum_is_rejected() {
        let err = parse("heartbeat=99", &[]).unwrap_err();
        assert!(err.to_string().contains("100..=600000"), "{err}");
    }

    #[test]
    fn percent_encoded_values_are_decoded() {
        assert_eq!(parse("count=%31%30", &[]).unwrap().count, 10);
    }

    #[test]
    fn unknown_query_parameters_are_ignored() {
        assert_eq!(
            parse("_=1700000000&foo", &[]).unwrap(),
            parse("", &[]).unwrap()
        );
    }

    #[test]
    fn repeated_query_parameter_is_rejected() {
        let err = parse("count=2&count=3", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "query parameter count is given more than once"
        );
    }

    #[test]
    fn last_event_id_header_is_read() {
        assert_eq!(parse("", &["3"]).unwrap().last_event_id, Some(3));
    }

    #[test]
    fn last_event_id_query_is_read() {
        assert_eq!(parse("lastEventId=2", &[]).unwrap().last_event_id, Some(2));
    }

    #[test]
    fn header_wins_over_query_last_event_id() {
        assert_eq!(
            parse("lastEventId=1", &["2"]).unwrap().last_event_id,
            Some(2)
        );
        // Even when the query value is malformed: it is not consulted.
        assert_eq!(
            parse("lastEventId=x", &["2"]).unwrap().last_event_id,
            Some(2)
        );
    }

    #[test]
    fn empty_last_event_id_means_none() {
        assert_eq!(parse("lastEventId=", &[""]).unwrap().last_event_id, None);
    }

    #[test]
    fn last_event_id_is_bounded_by_count() {
        assert_eq!(parse("count=10", &["10"]).unwrap().last_event_id, Some(10));
        let err = parse("count=10", &["11"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"header Last-Event-ID must be an integer in 0..=10, got "11""#
        );
    }

    #[test]
    fn malformed_last_event_id_header_is_rejected() {
        let err = parse("", &["abc"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"header Last-Event-ID must be an integer in 0..=4, got "abc""#
        );
    }

    #[test]
    fn malformed_last_event_id_query_names_the_query_parameter() {
        let err = parse("lastEventId=-1", &[]).unwrap_err();
        assert!(
            err.to_string().starts_with("query parameter lastEventId "),
            "{err}"
        );
    }

    #[test]
    fn repeated_last_event_id_header_is_rejected() {
        assert_eq!(parse("", &["1", "2"]), Err(ParamError::RepeatedHeader));
    }

    #[test]
    fn non_utf8_last_event_id_header_is_rejected() {
        let headers = [vec![0xff, 0x31]];
        let err = StreamParams::parse(&Settings::default(), "", &headers).unwrap_err();
        assert_eq!(err, ParamError::HeaderNotUtf8);
    }

    #[test]
    fn default_count_follows_the_configured_messages() {
        let settings = Settings {
            messages: vec!["only".into()],
            ..Settings::default()
        };
        let params = StreamParams::parse(&settings, "", &[]).unwrap();
        assert_eq!(params.count, 1);
    }
}
