//! The publish form (`application/x-www-form-urlencoded`): `topic` one or
//! more times, `data`, `id`, `type`, `retry`, `private`. Checks the
//! reference hub's rules (no CR/LF/NUL in `id` or `type`, no topic in the
//! reserved `/.well-known/mercure` namespace, at most 1000 topics) and this
//! hub's size limits; the first value of a repeated single field wins.

use crate::protocol::selector::{MAX_SELECTORS, MAX_SELECTOR_BYTES};
use std::fmt;

/// The publish form's media type.
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
/// Largest publish body, in bytes (413 past it).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Longest `id`, in bytes.
pub const MAX_ID_BYTES: usize = 1024;
/// Longest `type`, in bytes.
pub const MAX_TYPE_BYTES: usize = 256;
/// The `lastEventID` value that means "the whole history"; it cannot be
/// an update's id.
pub const EARLIEST: &str = "earliest";
const RESERVED_TOPIC: &str = "/.well-known/mercure";

/// A publish request as parsed; `id` is `None` when the hub must make one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub topics: Vec<String>,
    pub data: String,
    pub id: Option<String>,
    pub event_type: String,
    pub retry: u64,
    pub private: bool,
}

/// Why a form was refused; `status` and `Display` make the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    MissingTopic,
    TooManyTopics(usize),
    TooLarge {
        field: &'static str,
        len: usize,
        max: usize,
    },
    BadRetry(String),
    BadId(&'static str),
    BadType,
    ReservedTopic(String),
}

impl FormError {
    /// The HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::TooLarge { .. } => 413,
            Self::ReservedTopic(_) => 403,
            _ => 400,
        }
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingTopic => write!(f, "missing \"topic\" parameter"),
            Self::TooManyTopics(n) => {
                write!(f, "too many \"topic\" parameters: {n}, at most {MAX_SELECTORS}")
            }
            Self::TooLarge { field, len, max } => {
                write!(f, "\"{field}\" is {len} bytes long, at most {max}")
            }
            Self::BadRetry(value) => write!(
                f,
                "invalid \"retry\" parameter {value:?}: expected milliseconds as a non-negative integer"
            ),
            Self::BadId(why) => write!(f, "invalid \"id\" parameter: {why}"),
            Self::BadType => write!(f, "\"type\" field contains a forbidden control character"),
            Self::ReservedTopic(topic) => write!(
                f,
                "topic {topic:?} references the reserved \"/.well-known/mercure\" namespace"
            ),
        }
    }
}

/// Parses and checks a publish body.
pub fn parse(body: &[u8]) -> Result<Publication, FormError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(FormError::TooLarge {
            field: "body",
            len: body.len(),
            max: MAX_BODY_BYTES,
        });
    }
    let mut topics = Vec::new();
    let (mut data, mut id, mut event_type, mut retry) = (None, None, None, None);
    let mut private = false;
    for (name, value) in form_urlencoded::parse(body) {
        match &*name {
            "topic" => {
                topics.push(value.into_owned());
                if topics.len() > MAX_SELECTORS {
                    return Err(FormError::TooManyTopics(topics.len()));
                }
            }
            "data" => first(&mut data, value),
            "id" => first(&mut id, value),
            "type" => first(&mut event_type, value),
            "retry" => first(&mut retry, value),
            "private" => private = true,
            _ => {}
        }
    }
    if topics.is_empty() {
        return Err(FormError::MissingTopic);
    }
    for topic in &topics {
        check_len("topic", topic, MAX_SELECTOR_BYTES)?;
    }
    if let Some(topic) = topics.iter().find(|t| t.contains(RESERVED_TOPIC)) {
        return Err(FormError::ReservedTopic(topic.clone()));
    }
    let id = id.filter(|id| !id.is_empty());
    if let Some(id) = &id {
        check_len("id", id, MAX_ID_BYTES)?;
        if id.contains(['\0', '\r', '\n']) {
            return Err(FormError::BadId(
                "it contains a forbidden control character",
            ));
        }
        if id == EARLIEST {
            return Err(FormError::BadId("\"earliest\" is reserved for lastEventID"));
        }
    }
    let event_type = event_type.unwrap_or_default();
    check_len("type", &event_type, MAX_TYPE_BYTES)?;
    if event_type.contains(['\0', '\r', '\n']) {
        return Err(FormError::BadType);
    }
    let retry = match retry.filter(|r| !r.is_empty()) {
        None => 0,
        Some(text) if text.bytes().all(|b| b.is_ascii_digit()) => {
            text.parse().map_err(|_| FormError::BadRetry(text))?
        }
        Some(text) => return Err(FormError::BadRetry(text)),
    };
    Ok(Publication {
        topics,
        data: data.unwrap_or_default(),
        id,
        event_type,
        retry,
        private,
    })
}

fn first(slot: &mut Option<String>, value: std::borrow::Cow<'_, str>) {
    if slot.is_none() {
        *slot = Some(value.into_owned());
    }
}

fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), FormError> {
    if value.len() > max {
        return Err(FormError::TooLarge {
            field,
            len: value.len(),
            max,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Publication {
        parse(body.as_bytes()).unwrap()
    }

    fn err(body: &str) -> FormError {
        parse(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn every_field_is_read_and_decoded() {
        let p = ok("topic=https%3A%2F%2Fexample.com%2Fbooks%2F1&topic=%2Falt&data=a+b%0Ac&id=%23x1&type=up&retry=3000&private=on");
        assert_eq!(p.topics, ["https://example.com/books/1", "/alt"]);
        assert_eq!(p.data, "a b\nc");
        assert_eq!(p.id.as_deref(), Some("#x1"));
        assert_eq!(p.event_type, "up");
        assert_eq!(p.retry, 3000);
        assert!(p.private);
    }

    #[test]
    fn optional_fields_default_and_first_value_wins() {
        let p = ok("topic=a&id=&unknown=1");
        assert_eq!(
            (
                p.data.as_str(),
                p.id,
                p.event_type.as_str(),
                p.retry,
                p.private
            ),
            ("", None, "", 0, false)
        );
        let p = ok("topic=a&id=one&id=two&data=1&data=2&private=");
        assert_eq!(
            (p.id.as_deref(), p.data.as_str(), p.private),
            (Some("one"), "1", true)
        );
    }

    #[test]
    fn topic_is_required_and_bounded() {
        assert_eq!(err("data=x"), FormError::MissingTopic);
        assert_eq!(err(""), FormError::MissingTopic);
        let many = "topic=a&".repeat(MAX_SELECTORS + 1);
        assert_eq!(err(&many), FormError::TooManyTopics(MAX_SELECTORS + 1));
        assert!(parse("topic=a&".repeat(MAX_SELECTORS).as_bytes()).is_ok());
        assert_eq!(
            err("topic=/x/.well-known/mercure/subscriptions").status(),
            403
        );
    }

    #[test]
    fn bad_ids_types_and_retries_are_400() {
        for body in [
            "topic=a&id=a%0Ab",
            "topic=a&id=a%0Db",
            "topic=a&id=a%00b",
            "topic=a&id=earliest",
        ] {
            let error = err(body);
            assert!(matches!(error, FormError::BadId(_)), "{body}: {error:?}");
            assert_eq!(error.status(), 400);
        }
        assert_eq!(err("topic=a&type=x%0Aid:1"), FormError::BadType);
        for retry in ["-1", "1.5", "abc", "%201", "99999999999999999999999"] {
            assert!(
                matches!(
                    err(&format!("topic=a&retry={retry}")),
                    FormError::BadRetry(_)
                ),
                "{retry}"
            );
        }
    }

    #[test]
    fn oversized_body_and_fields_are_413_with_a_reason() {
        let body = format!("topic=a&data={}", "x".repeat(MAX_BODY_BYTES));
        let error = err(&body);
        assert_eq!(error.status(), 413);
        assert!(error.to_string().starts_with("\"body\" is "), "{error}");
        let long_topic = format!("topic={}", "t".repeat(MAX_SELECTOR_BYTES + 1));
        assert_eq!(err(&long_topic).status(), 413);
        let long_id = format!("topic=a&id={}", "i".repeat(MAX_ID_BYTES + 1));
        assert_eq!(
            err(&long_id).to_string(),
            format!(
                "\"id\" is {} bytes long, at most {MAX_ID_BYTES}",
                MAX_ID_BYTES + 1
            )
        );
        let long_type = format!("topic=a&type={}", "y".repeat(MAX_TYPE_BYTES + 1));
        assert_eq!(err(&long_type).status(), 413);
    }

    #[test]
    fn hostile_bodies_never_panic() {
        for body in [
            "%",
            "%zz=%",
            "&&&==&",
            "topic",
            "topic=%FF%FE",
            "=x&topic=%E2%82",
        ] {
            let _ = parse(body.as_bytes());
        }
        assert_eq!(ok("topic=%FF").topics.len(), 1);
    }
}
