//! Component settings from the environment (spin.toml `environment`), with
//! the bounds every setting and query override must fall in.
//!
//! Environment variables are plain WASI environment, so the same settings
//! work under Spin and `wasmtime serve`. Unset means "use the default"; a set
//! but invalid value is an error (the handler answers 500 and logs it), never
//! silently replaced.

use crate::json_strings;
use std::fmt::{self, Write as _};
use std::ops::RangeInclusive;

/// The seed's four messages, streamed in this order by default.
pub const DEFAULT_MESSAGES: [&str; 4] = [
    "Look, Ma'! I'm streaming!",
    "It only took two lines of code!",
    "All you have to do is set a header and chunk the response!",
    "Bye now!",
];

/// Milliseconds between events (`SSE_INTERVAL_MS`, query `interval`).
pub const INTERVAL_MS: RangeInclusive<u64> = 0..=60_000;
/// Reconnection delay sent as `retry:` (`SSE_RETRY_MS`).
pub const RETRY_MS: RangeInclusive<u64> = 0..=3_600_000;
/// Silence before a `: keep-alive` comment (`SSE_HEARTBEAT_MS`, query `heartbeat`).
pub const HEARTBEAT_MS: RangeInclusive<u64> = 100..=600_000;
/// Events per stream (query `count`).
pub const COUNT: RangeInclusive<u64> = 1..=1_000_000;

/// The environment variables the component reads.
pub const ENV_INTERVAL_MS: &str = "SSE_INTERVAL_MS";
pub const ENV_RETRY_MS: &str = "SSE_RETRY_MS";
pub const ENV_HEARTBEAT_MS: &str = "SSE_HEARTBEAT_MS";
pub const ENV_MESSAGES: &str = "SSE_MESSAGES";
pub const ENV_NAMES: [&str; 4] = [
    ENV_INTERVAL_MS,
    ENV_RETRY_MS,
    ENV_HEARTBEAT_MS,
    ENV_MESSAGES,
];

pub const DEFAULT_INTERVAL_MS: u64 = 1_000;
pub const DEFAULT_RETRY_MS: u64 = 3_000;
pub const DEFAULT_HEARTBEAT_MS: u64 = 15_000;

/// Where a rejected value came from; part of the one-line reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An environment variable of the component.
    Env,
    /// A query parameter of the request.
    Query,
    /// A request header.
    Header,
}

/// A value that is not a decimal integer within its accepted range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadValue {
    pub origin: Origin,
    pub name: &'static str,
    pub value: String,
    pub range: RangeInclusive<u64>,
}

/// Longest piece of a rejected value quoted back in an error message.
const QUOTE_LIMIT: usize = 40;

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.origin {
            Origin::Env => "environment variable",
            Origin::Query => "query parameter",
            Origin::Header => "header",
        };
        write!(
            f,
            "{what} {} must be an integer in {}..={}, got \"",
            self.name,
            self.range.start(),
            self.range.end()
        )?;
        // Control characters are escaped, so the reason stays one line.
        for (quoted, c) in self.value.chars().enumerate() {
            if quoted == QUOTE_LIMIT {
                return f.write_str("\"...");
            }
            match c {
                '"' | '\\' => f.write_char('\\')?,
                c if c.is_control() => {
                    // `\u{d}`, `\u{9f}`: control characters are at most U+009F.
                    let code = u32::from(c);
                    let hex = |n: u32| char::from_digit(n & 0xf, 16).unwrap_or('0');
                    f.write_str("\\u{")?;
                    if code >= 0x10 {
                        f.write_char(hex(code >> 4))?;
                    }
                    f.write_char(hex(code))?;
                    f.write_char('}')?;
                    continue;
                }
                _ => {}
            }
            f.write_char(c)?;
        }
        f.write_char('"')
    }
}

impl std::error::Error for BadValue {}

/// Parses a decimal integer (ASCII digits only: no sign, space or fraction)
/// and checks it against `range`.
pub fn parse_bounded(
    origin: Origin,
    name: &'static str,
    value: &str,
    range: RangeInclusive<u64>,
) -> Result<u64, BadValue> {
    let number = value.bytes().try_fold(None, |number: Option<u64>, byte| {
        let digit = char::from(byte).to_digit(10)?;
        number
            .unwrap_or(0)
            .checked_mul(10)?
            .checked_add(digit.into())
            .map(Some)
    });
    match number {
        Some(Some(number)) if range.contains(&number) => Ok(number),
        _ => Err(BadValue {
            origin,
            name,
            value: value.to_owned(),
            range,
        }),
    }
}

/// A component setting that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A numeric variable that is malformed or out of range.
    Number(BadValue),
    /// `SSE_MESSAGES` is not a non-empty JSON array of strings.
    Messages(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(bad) => bad.fmt(f),
            Self::Messages(reason) => write!(
                f,
                "environment variable SSE_MESSAGES must be a JSON array of 1 to 1000000 strings: {reason}"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The component's settings: defaults for every request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub interval_ms: u64,
    pub retry_ms: u64,
    pub heartbeat_ms: u64,
    /// Never empty: event n carries `messages[(n - 1) % len]`.
    pub messages: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            interval_ms: DEFAULT_INTERVAL_MS,
            retry_ms: DEFAULT_RETRY_MS,
            heartbeat_ms: DEFAULT_HEARTBEAT_MS,
            messages: default_messages(),
        }
    }
}

fn default_messages() -> Vec<String> {
    DEFAULT_MESSAGES.iter().map(|m| m.to_string()).collect()
}

impl Settings {
    /// Reads `SSE_INTERVAL_MS`, `SSE_RETRY_MS`, `SSE_HEARTBEAT_MS` and
    /// `SSE_MESSAGES` through `var` (the process environment in the
    /// component, a map in tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let number = |name: &'static str, range: RangeInclusive<u64>, default: u64| match var(name)
        {
            None => Ok(default),
            Some(value) => {
                parse_bounded(Origin::Env, name, &value, range).map_err(ConfigError::Number)
            }
        };
        let messages = match var(ENV_MESSAGES) {
            None => default_messages(),
            Some(json) => parse_messages(&json)?,
        };
        Ok(Self {
            interval_ms: number(ENV_INTERVAL_MS, INTERVAL_MS, DEFAULT_INTERVAL_MS)?,
            retry_ms: number(ENV_RETRY_MS, RETRY_MS, DEFAULT_RETRY_MS)?,
            heartbeat_ms: number(ENV_HEARTBEAT_MS, HEARTBEAT_MS, DEFAULT_HEARTBEAT_MS)?,
            messages,
        })
    }
}

fn parse_messages(json: &str) -> Result<Vec<String>, ConfigError> {
    let messages = json_strings::parse(json).map_err(|e| ConfigError::Messages(e.to_string()))?;
    if messages.is_empty() {
        return Err(ConfigError::Messages("the array is empty".into()));
    }
    if messages.len() as u64 > *COUNT.end() {
        return Err(ConfigError::Messages(format!(
            "{} strings is more than the {} events a stream may have",
            messages.len(),
            COUNT.end()
        )));
    }
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings_from(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn unset_environment_gives_the_documented_defaults() {
        let settings = settings_from(&[]).unwrap();
        assert_eq!(settings.interval_ms, 1_000);
        assert_eq!(settings.retry_ms, 3_000);
        assert_eq!(settings.heartbeat_ms, 15_000);
        assert_eq!(settings.messages, DEFAULT_MESSAGES);
    }

    #[test]
    fn manifest_environment_spells_out_the_defaults() {
        let manifest: toml::Table = include_str!("../spin.toml").parse().unwrap();
        let environment = manifest["component"]["sse"]["environment"]
            .as_table()
            .expect("spin.toml has [component.sse.environment]");
        let settings = Settings::from_vars(|name| {
            environment
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(
            environment.len(),
            4,
            "every variable is documented: {environment:?}"
        );
    }

    #[test]
    fn environment_overrides_every_setting() {
        let settings = settings_from(&[
            ("SSE_INTERVAL_MS", "0"),
            ("SSE_RETRY_MS", "250"),
            ("SSE_HEARTBEAT_MS", "100"),
            ("SSE_MESSAGES", r#"["one", "two\nlines"]"#),
        ])
        .unwrap();
        assert_eq!(settings.interval_ms, 0);
        assert_eq!(settings.retry_ms, 250);
        assert_eq!(settings.heartbeat_ms, 100);
        assert_eq!(settings.messages, ["one", "two\nlines"]);
    }

    #[test]
    fn out_of_range_interval_names_variable_and_range() {
        let err = settings_from(&[("SSE_INTERVAL_MS", "60001")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"environment variable SSE_INTERVAL_MS must be an integer in 0..=60000, got "60001""#
        );
    }

    #[test]
    fn heartbeat_below_minimum_is_rejected() {
        let err = settings_from(&[("SSE_HEARTBEAT_MS", "99")]).unwrap_err();
        assert!(err.to_string().contains("100..=600000"), "{err}");
    }

    #[test]
    fn non_numeric_retry_is_rejected() {
        let err = settings_from(&[("SSE_RETRY_MS", "3s")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"environment variable SSE_RETRY_MS must be an integer in 0..=3600000, got "3s""#
        );
    }

    #[test]
    fn empty_message_list_is_rejected() {
        let err = settings_from(&[("SSE_MESSAGES", "[]")]).unwrap_err();
        assert_eq!(err, ConfigError::Messages("the array is empty".into()));
    }

    #[test]
    fn message_list_of_non_strings_is_rejected() {
        let err = settings_from(&[("SSE_MESSAGES", "[1, 2]")]).unwrap_err();
        assert!(matches!(err, ConfigError::Messages(_)), "{err:?}");
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn message_list_that_is_not_json_is_rejected() {
        let err = settings_from(&[("SSE_MESSAGES", "hello")]).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("environment variable SSE_MESSAGES"));
    }

    #[test]
    fn parse_bounded_accepts_only_plain_digits() {
        let range = 0..=100;
        for bad in ["", " 1", "1 ", "+1", "-1", "1.0", "0x10", "１"] {
            assert!(
                parse_bounded(Origin::Query, "x", bad, range.clone()).is_err(),
                "{bad:?} must be rejected"
            );
        }
        assert_eq!(parse_bounded(Origin::Query, "x", "007", range), Ok(7));
    }

    #[test]
    fn parse_bounded_rejects_numbers_too_big_for_u64() {
        let err = parse_bounded(Origin::Query, "count", "99999999999999999999999", COUNT);
        assert!(err.is_err());
    }

    #[test]
    fn bad_value_message_is_one_line_and_truncated() {
        let bad = BadValue {
            origin: Origin::Header,
            name: "Last-Event-ID",
            value: format!("1\r\n{}", "9".repeat(100)),
            range: 0..=4,
        };
        let message = bad.to_string();
        assert!(
            !message.contains('\n') && !message.contains('\r'),
            "{message}"
        );
        assert!(message.ends_with("..."), "{message}");
        assert!(message.contains(r#"got "1\u{d}\u{a}999"#), "{message}");
        assert!(message.starts_with("header Last-Event-ID must be an integer in 0..=4, got "));
    }
}
