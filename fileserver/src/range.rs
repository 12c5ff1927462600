//! `Range: bytes=` parsing and resolution (RFC 9110 §14). Pure.
//!
//! One range per request: a header this server cannot honour as a single
//! byte range (another unit, several ranges, bad syntax, `last < first`) is
//! ignored, as RFC 9110 allows, and the full representation is sent.
//! A well-formed range that does not overlap the file is unsatisfiable (416).

/// A syntactically valid single byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// `bytes=first-`
    From(u64),
    /// `bytes=first-last` (inclusive)
    FromTo(u64, u64),
    /// `bytes=-n`: the last n bytes
    Suffix(u64),
}

/// Parses a `Range` value; `None` means "ignore the header".
pub fn parse(header: &str) -> Option<Spec> {
    let (unit, set) = header.trim().split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return None;
    }
    let mut ranges = set.split(',').map(str::trim).filter(|r| !r.is_empty());
    let only = ranges.next()?;
    if ranges.next().is_some() {
        return None;
    }
    let (first, last) = only.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        return Some(Spec::Suffix(number(last)?));
    }
    let first = number(first)?;
    if last.is_empty() {
        return Some(Spec::From(first));
    }
    let last = number(last)?;
    (last >= first).then_some(Spec::FromTo(first, last))
}

/// Digits only; values past `u64::MAX` saturate (they still mean "huge").
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

/// Inclusive `(start, end)` within a representation of `len` bytes;
/// `None` when unsatisfiable.
pub fn resolve(spec: Spec, len: u64) -> Option<(u64, u64)> {
    if len == 0 {
        return None;
    }
    match spec {
        Spec::From(first) => (first < len).then_some((first, len - 1)),
        Spec::FromTo(first, last) => (first < len).then_some((first, last.min(len - 1))),
        Spec::Suffix(0) => None,
        Spec::Suffix(n) => Some((len - n.min(len), len - 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Spec::*;

    #[test]
    fn closed_open_and_suffix_ranges_parse() {
        assert_eq!(parse("bytes=0-99"), Some(FromTo(0, 99)));
        assert_eq!(parse("bytes=100-"), Some(From(100)));
        assert_eq!(parse("bytes=-500"), Some(Suffix(500)));
        assert_eq!(parse("bytes=5-5"), Some(FromTo(5, 5)));
    }

    #[test]
    fn unit_is_case_insensitive_and_whitespace_is_tolerated() {
        assert_eq!(parse("Bytes=1-2"), Some(FromTo(1, 2)));
        assert_eq!(parse("  bytes = 1 - 2 "), Some(FromTo(1, 2)));
        assert_eq!(parse("bytes=1-2, "), Some(FromTo(1, 2)));
    }

    #[test]
    fn malformed_headers_are_ignored() {
        for bad in [
            "",
            "bytes",
            "bytes=",
            "bytes=-",
            "bytes=abc",
            "bytes=1",
            "bytes=a-b",
            "bytes=1-a",
            "bytes=--5",
            "bytes=-5-",
            "bytes=+1-2",
            "bytes=0x10-20",
            "bytes=1.5-2",
            "bytes=9-3",
            "items=0-5",
            "0-5",
            "bytes 0-5",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn multiple_ranges_are_ignored() {
        assert_eq!(parse("bytes=0-1,5-6"), None);
        assert_eq!(parse("bytes=0-1, -5"), None);
    }

    #[test]
    fn huge_numbers_saturate_instead_of_failing() {
        assert_eq!(
            parse("bytes=0-99999999999999999999999"),
            Some(FromTo(0, u64::MAX))
        );
        assert_eq!(resolve(FromTo(0, u64::MAX), 10), Some((0, 9)));
        assert_eq!(
            resolve(parse("bytes=99999999999999999999-").unwrap(), 10),
            None
        );
    }

    #[test]
    fn ranges_resolve_against_length() {
        assert_eq!(resolve(FromTo(0, 99), 1000), Some((0, 99)));
        assert_eq!(resolve(FromTo(900, 2000), 1000), Some((900, 999)));
        assert_eq!(resolve(From(10), 1000), Some((10, 999)));
        assert_eq!(resolve(Suffix(100), 1000), Some((900, 999)));
        assert_eq!(resolve(Suffix(5000), 1000), Some((0, 999)));
    }

    #[test]
    fn ranges_past_the_end_or_empty_suffix_are_unsatisfiable() {
        assert_eq!(resolve(From(1000), 1000), None);
        assert_eq!(resolve(FromTo(1000, 1001), 1000), None);
        assert_eq!(resolve(Suffix(0), 1000), None);
        assert_eq!(resolve(From(0), 0), None);
    }
}
