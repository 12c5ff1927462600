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
