//! Manifest error messages: the dotted key of a serde error (from
//! `serde_path_to_error`) joined with a one-line reason that says what to fix.

use serde_path_to_error::{Path, Segment};
use std::fmt;

/// Placeholder at the start of a reason: replaced by the key in backticks.
pub(super) const KEY: &str = "\u{0}key\u{0}";

/// A dotted manifest key such as `component.sse.files[0]`, for messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Key(String);

impl Key {
    pub(super) fn root() -> Key {
        Key(String::new())
    }

    /// The key of `path` as serde tracked it.
    pub(super) fn of(path: &Path) -> Key {
        path.iter().fold(Key::root(), |key, segment| match segment {
            Segment::Seq { index } => key.index(*index),
            Segment::Map { key: name } => key.child(name),
            Segment::Enum { variant } => key.child(variant),
            Segment::Unknown => key.child("?"),
        })
    }

    pub(super) fn child(&self, name: &str) -> Key {
        let bare = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let part = if bare {
            name.to_string()
        } else {
            format!("{name:?}")
        };
        if self.0.is_empty() {
            Key(part)
        } else {
            Key(format!("{}.{part}", self.0))
        }
    }

    /// Whether the last part of this key is `name`.
    fn last_is(&self, name: &str) -> bool {
        let last = Key::root().child(name).0;
        self.0 == last || self.0.ends_with(&format!(".{last}"))
    }

    pub(super) fn index(&self, i: usize) -> Key {
        Key(format!("{}[{i}]", self.0))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The reason for a key Spin understands but this runner cannot honour.
pub(super) fn unsupported(why: &str) -> String {
    format!(
        "{KEY} is not supported by spin-sse-runner ({why}); run this app with `spin up` instead"
    )
}

/// One message from the key serde stopped at and serde's (or our) reason.
pub(super) fn describe(key: &Key, message: &str) -> String {
    if message.contains(KEY) {
        return fill(message, key);
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        // serde_path_to_error already ends the path with the unknown key.
        let name = quoted(rest).unwrap_or(rest);
        let unknown = match key.last_is(name) {
            true => key.clone(),
            false => key.child(name),
        };
        return format!(
            "unknown key `{unknown}` (not part of Spin manifest v2 as far as spin-sse-runner knows; check the spelling, or run with `spin up`)"
        );
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("missing `{}`", key.child(quoted(rest).unwrap_or(rest)));
    }
    if message.starts_with("invalid type: ") {
        if let Some((_, expected)) = message.rsplit_once(", expected ") {
            return format!("`{key}` must be {expected}");
        }
    }
    format!("`{key}`: {message}")
}

fn fill(message: &str, key: &Key) -> String {
    message.replace(KEY, &format!("`{key}`"))
}

/// The text between the first pair of backticks.
fn quoted(s: &str) -> Option<&str> {
    let s = s.strip_prefix('`')?;
    Some(&s[..s.find('`')?])
}

/// Collapses a multi-line message (TOML errors quote the source) to one line.
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
