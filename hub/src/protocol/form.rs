//! The publish form (`application/x-www-form-urlencoded`): `topic` one or
//! more times, `data`, `id`, `type`, `retry`, `private`. Checks the
//! reference hub's rules (no CR/LF/NUL in `id` or `type`, no topic in the
//! reserved `/.well-known/mercure` namespace, at most 1000 topics) and this
//! hub's size limits; the first value of a repeated single field wins.

use crate::protocol::selector::{MAX_SELECTORS, MAX_SELECTOR_BYTES};
use std::fmt;

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
mod tests;
