//! Settings from the component's environment (spin.toml `environment`).
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `CACHE_CONTROL` | `max-age=60` | `Cache-Control` on file responses; empty = no header |
//! | `FALLBACK_PATH` | unset | file served (200) for unknown paths, SPA-style |
//! | `CUSTOM_404_PATH` | unset | file served with status 404 for unknown paths |
//! | `LINK` | unset | `Link` header on file responses (e.g. a Mercure hub's `<…>; rel="mercure"`, for discovery); empty = none |
//!
//! Invalid values are reported as warnings and replaced by the default.

use crate::path::{resolve_config, SafePath};

/// `Cache-Control` when `CACHE_CONTROL` is not set.
pub const DEFAULT_CACHE_CONTROL: &str = "max-age=60";

/// Parsed settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub cache_control: Option<String>,
    pub fallback: Option<SafePath>,
    pub custom_404: Option<SafePath>,
    pub link: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cache_control: Some(DEFAULT_CACHE_CONTROL.to_owned()),
            fallback: None,
            custom_404: None,
            link: None,
        }
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> (Config, Vec<String>) {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds settings from any variable lookup; returns warnings for
    /// values that were ignored.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> (Config, Vec<String>) {
        let mut cfg = Config::default();
        let mut warnings = Vec::new();
        if let Some(v) = get("CACHE_CONTROL") {
            match header_value(&v) {
                Ok(v) => cfg.cache_control = v,
                Err(()) => warnings.push(format!(
                    "CACHE_CONTROL has characters not allowed in a header; using {DEFAULT_CACHE_CONTROL:?}"
                )),
            }
        }
        if let Some(v) = get("LINK") {
            match header_value(&v) {
                Ok(v) => cfg.link = v,
                Err(()) => warnings.push(
                    "LINK has characters not allowed in a header; no Link header is sent"
                        .to_owned(),
                ),
            }
        }
        for (name, slot) in [
            ("FALLBACK_PATH", &mut cfg.fallback),
            ("CUSTOM_404_PATH", &mut cfg.custom_404),
        ] {
            match get(name).filter(|v| !v.trim().is_empty()) {
                None => {}
                Some(v) => match resolve_config(&v) {
                    Ok(p) => *slot = Some(p),
                    Err(e) => warnings.push(format!("{name}={v:?} ignored: {e}")),
                },
            }
        }
        (cfg, warnings)
    }
}

/// A header value from a setting: trimmed, `None` when empty, `Err` when it
/// has bytes a header cannot carry (control characters, non-ASCII).
fn header_value(v: &str) -> Result<Option<String>, ()> {
    let v = v.trim();
    if v.is_empty() {
        Ok(None)
    } else if v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b)) {
        Ok(Some(v.to_owned()))
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> (Config, Vec<String>) {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let (cfg, warnings) = load(&[]);
        assert_eq!(cfg, Config::default());
        assert_eq!(cfg.cache_control.as_deref(), Some("max-age=60"));
        assert!(warnings.is_empty());
    }

    #[test]
    fn cache_control_is_taken_verbatim_and_empty_disables_it() {
        let (cfg, _) = load(&[("CACHE_CONTROL", "public, max-age=3600")]);
        assert_eq!(cfg.cache_control.as_deref(), Some("public, max-age=3600"));
        let (cfg, _) = load(&[("CACHE_CONTROL", "")]);
        assert_eq!(cfg.cache_control, None);
    }

    #[test]
    fn cache_control_with_newline_is_rejected_with_warning() {
        let (cfg, warnings) = load(&[("CACHE_CONTROL", "max-age=1\r\nX-Evil: 1")]);
        assert_eq!(cfg.cache_control.as_deref(), Some(DEFAULT_CACHE_CONTROL));
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn link_is_taken_verbatim_and_refused_with_a_newline() {
        let link = r#"</.well-known/mercure>; rel="mercure""#;
        let (cfg, warnings) = load(&[("LINK", link)]);
        assert_eq!((cfg.link.as_deref(), warnings.len()), (Some(link), 0));
        let (cfg, _) = load(&[("LINK", "  ")]);
        assert_eq!(cfg.link, None);
        let (cfg, warnings) = load(&[("LINK", "</x>; rel=a\r\nX-Evil: 1")]);
        assert_eq!(cfg.link, None);
        assert_eq!(
            warnings,
            ["LINK has characters not allowed in a header; no Link header is sent"]
        );
    }

    #[test]
    fn fallback_and_custom_404_paths_are_validated() {
        let (cfg, warnings) = load(&[
            ("FALLBACK_PATH", "index.html"),
            ("CUSTOM_404_PATH", "/404.html"),
        ]);
        assert_eq!(cfg.fallback.unwrap().relative(), "index.html");
        assert_eq!(cfg.custom_404.unwrap().relative(), "404.html");
        assert!(warnings.is_empty());
        let (cfg, warnings) = load(&[
            ("FALLBACK_PATH", "../etc/passwd"),
            ("CUSTOM_404_PATH", ".env"),
        ]);
        assert_eq!((cfg.fallback, cfg.custom_404), (None, None));
        assert_eq!(warnings.len(), 2);
    }
}
