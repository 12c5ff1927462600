//! Validators and conditional requests (RFC 9110 §8.8, §13). Pure.
//!
//! The ETag is strong and quoted, built from the file's size and
//! modification time (no hashing of content), with a suffix per content
//! coding so `br`, `gzip` and identity bodies never share a tag.
//! `If-None-Match` uses weak comparison over a list or `*`; when absent,
//! `If-Modified-Since` compares at one-second resolution. `If-Range` needs a
//! strong ETag match or the exact `Last-Modified` date.

use crate::encoding::Encoding;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Strong entity tag (with quotes) for a file of `len` bytes last modified
/// at `modified`, sent with `encoding`.
pub fn etag(len: u64, modified: Option<SystemTime>, encoding: Encoding) -> String {
    let stamp = modified
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| format!("-{:x}.{:x}", d.as_secs(), d.subsec_nanos()))
        .unwrap_or_default();
    let coding = match encoding {
        Encoding::Identity => "",
        Encoding::Gzip => "-gz",
        Encoding::Brotli => "-br",
    };
    format!("\"{len:x}{stamp}{coding}\"")
}

/// `Last-Modified` / `Date` formatting (IMF-fixdate).
pub fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// Whether an `If-None-Match` value matches `etag` (weak comparison).
/// A malformed list matches nothing, so the full response is sent.
pub fn none_match(header: &str, etag: &str) -> bool {
    if header.trim() == "*" {
        return true;
    }
    let want = opaque(etag);
    match parse_list(header) {
        Some(tags) => tags.iter().any(|t| t.opaque == want),
        None => false,
    }
}

/// Whether an `If-Modified-Since` value means "not modified". Unparseable
/// dates are ignored (false).
pub fn not_modified_since(header: &str, modified: SystemTime) -> bool {
    let Ok(since) = httpdate::parse_http_date(header.trim()) else {
        return false;
    };
    truncate_to_secs(modified) <= since
}

/// Whether `If-Range` still allows the range: a strong ETag equal to `etag`,
/// or exactly the current `Last-Modified` date.
pub fn if_range_holds(header: &str, etag: &str, modified: Option<SystemTime>) -> bool {
    let header = header.trim();
    if header.starts_with('"') || header.starts_with("W/") {
        return match parse_list(header).as_deref() {
            Some([tag]) => !tag.weak && tag.opaque == opaque(etag),
            _ => false,
        };
    }
    match (httpdate::parse_http_date(header), modified) {
        (Ok(date), Some(m)) => date == truncate_to_secs(m),
        _ => false,
    }
}

fn truncate_to_secs(t: SystemTime) -> SystemTime {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => UNIX_EPOCH + Duration::from_secs(d.as_secs()),
        Err(_) => t,
    }
}

/// The quoted part of one of our own tags.
fn opaque(etag: &str) -> &str {
    etag.strip_prefix("W/").unwrap_or(etag)
}

#[derive(Debug, PartialEq, Eq)]
struct EntityTag<'a> {
    weak: bool,
    /// Including the quotes.
    opaque: &'a str,
}

/// `#entity-tag`; commas may appear inside the quotes.
fn parse_list(header: &str) -> Option<Vec<EntityTag<'_>>> {
    let mut tags = Vec::new();
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Some(tags);
        }
        let weak = rest.starts_with("W/");
        if weak {
            rest = &rest[2..];
        }
        let body = rest.strip_prefix('"')?;
        let end = body.find('"')?;
        let opaque = &rest[..end + 2];
        if !opaque[1..opaque.len() - 1]
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80)
        {
            return None;
        }
        tags.push(EntityTag { weak, opaque });
        rest = rest[end + 2..].trim_start_matches([' ', '\t']);
        if !(rest.is_empty() || rest.starts_with(',')) {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    //! Validators and conditional-request evaluation.

    use super::*;

    fn at(secs: u64, nanos: u32) -> SystemTime {
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    #[test]
    fn etag_is_quoted_strong_and_changes_with_size_time_and_coding() {
        let t = at(1_700_000_000, 5);
        let e = etag(1234, Some(t), Encoding::Identity);
        assert!(e.starts_with('"') && e.ends_with('"') && !e.starts_with("W/"));
        assert_ne!(e, etag(1235, Some(t), Encoding::Identity));
        assert_ne!(
            e,
            etag(1234, Some(at(1_700_000_000, 6)), Encoding::Identity)
        );
        assert_ne!(e, etag(1234, Some(t), Encoding::Brotli));
        assert_ne!(
            etag(1234, Some(t), Encoding::Gzip),
            etag(1234, Some(t), Encoding::Brotli)
        );
        assert_eq!(e, etag(1234, Some(t), Encoding::Identity));
    }

    #[test]
    fn if_none_match_exact_tag_matches() {
        let e = etag(10, Some(at(100, 0)), Encoding::Identity);
        assert!(none_match(&e, &e));
    }

    #[test]
    fn if_none_match_list_matches_any_member() {
        let e = "\"abc\"";
        assert!(none_match("\"x\", \"abc\", \"y\"", e));
        assert!(none_match("\"x\",\"abc\"", e));
        assert!(!none_match("\"x\", \"y\"", e));
    }

    #[test]
    fn if_none_match_star_matches_any_existing_file() {
        assert!(none_match("*", "\"abc\""));
        assert!(none_match(" * ", "\"abc\""));
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        assert!(none_match("W/\"abc\"", "\"abc\""));
        assert!(none_match("\"q\", W/\"abc\"", "\"abc\""));
    }

    #[test]
    fn if_none_match_unquoted_or_malformed_never_matches() {
        assert!(!none_match("abc", "\"abc\""));
        assert!(!none_match("\"abc", "\"abc\""));
        assert!(!none_match("\"abc\" junk", "\"abc\""));
        assert!(!none_match("", "\"abc\""));
        assert!(!none_match("w/\"abc\"", "\"abc\""));
    }

    #[test]
    fn if_none_match_tag_may_contain_commas() {
        assert!(none_match("\"a,b\"", "\"a,b\""));
        assert!(!none_match("\"a,b\"", "\"a\""));
    }

    #[test]
    fn if_modified_since_at_or_after_mtime_is_not_modified() {
        let m = at(1_700_000_000, 900_000_000);
        let same = http_date(at(1_700_000_000, 0));
        assert!(not_modified_since(&same, m), "sub-second part is ignored");
        assert!(not_modified_since(&http_date(at(1_700_000_100, 0)), m));
        assert!(!not_modified_since(&http_date(at(1_699_999_999, 0)), m));
    }

    #[test]
    fn if_modified_since_accepts_obsolete_date_formats() {
        let m = at(784_111_777, 0); // Sun, 06 Nov 1994 08:49:37 GMT
        assert!(not_modified_since("Sun, 06 Nov 1994 08:49:37 GMT", m));
        assert!(not_modified_since("Sunday, 06-Nov-94 08:49:37 GMT", m));
        assert!(not_modified_since("Sun Nov  6 08:49:37 1994", m));
    }

    #[test]
    fn if_modified_since_garbage_is_ignored() {
        let m = at(1_700_000_000, 0);
        assert!(!not_modified_since("yesterday", m));
        assert!(!not_modified_since("", m));
    }

    #[test]
    fn last_modified_is_imf_fixdate() {
        assert_eq!(
            http_date(at(784_111_777, 0)),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }

    #[test]
    fn if_range_needs_strong_tag_or_exact_date() {
        let m = at(784_111_777, 123);
        let e = etag(10, Some(m), Encoding::Identity);
        assert!(if_range_holds(&e, &e, Some(m)));
        assert!(!if_range_holds(&format!("W/{e}"), &e, Some(m)));
        assert!(!if_range_holds("\"other\"", &e, Some(m)));
        assert!(if_range_holds("Sun, 06 Nov 1994 08:49:37 GMT", &e, Some(m)));
        assert!(!if_range_holds(
            "Sun, 06 Nov 1994 08:49:38 GMT",
            &e,
            Some(m)
        ));
        assert!(!if_range_holds("nonsense", &e, Some(m)));
    }
}
