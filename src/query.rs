//! Splits a URL query string into decoded `(name, value)` pairs, the
//! `application/x-www-form-urlencoded` way: pairs separated by `&`, name and
//! value by the first `=`, `+` is a space and `%XX` a byte.
//!
//! A pair whose decoded bytes are not UTF-8 is yielded undecoded, so the
//! caller's error message quotes what the client actually sent. A `%` not
//! followed by two hex digits is kept as it is.

/// The decoded pairs of `query` (without the leading `?`), in order; empty
/// pieces (`a=1&&b=2`) are skipped.
pub fn pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let mut rest = Some(query);
    std::iter::from_fn(move || loop {
        let (pair, after) = split_at_byte(rest?, b'&').map_or((rest?, None), |(a, b)| (a, Some(b)));
        rest = after;
        if !pair.is_empty() {
            let (name, value) = split_at_byte(pair, b'=').unwrap_or((pair, ""));
            return Some((decode(name), decode(value)));
        }
    })
}

/// `text` split around the first `byte` (an ASCII delimiter), without it.
/// Byte search instead of `str::split_once`: the component is built for size.
pub fn split_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == byte)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// Percent-decodes `text` (`+` as space); undecodable UTF-8 gives `text`.
fn decode(text: &str) -> String {
    let raw = text.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&byte) = raw.get(i) {
        let escaped = match (byte, raw.get(i + 1), raw.get(i + 2)) {
            (b'%', Some(&high), Some(&low)) => hex(high).zip(hex(low)),
            _ => None,
        };
        match (escaped, byte) {
            (Some((high, low)), _) => {
                bytes.push(high << 4 | low);
                i += 3;
            }
            (None, b'+') => {
                bytes.push(b' ');
                i += 1;
            }
            (None, _) => {
                bytes.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

fn hex(digit: u8) -> Option<u8> {
    // A hex digit's value is below 16, so it always fits in a u8.
    char::from(digit).to_digit(16).map(|value| value as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(query: &str) -> Vec<(String, String)> {
        pairs(query).collect()
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn splits_pairs_in_order() {
        assert_eq!(
            collect("count=10&interval=0"),
            [pair("count", "10"), pair("interval", "0")]
        );
    }

    #[test]
    fn empty_query_has_no_pairs() {
        assert!(collect("").is_empty());
        assert!(collect("&&").is_empty());
    }

    #[test]
    fn name_without_equals_has_an_empty_value() {
        assert_eq!(
            collect("flag&count="),
            [pair("flag", ""), pair("count", "")]
        );
    }

    #[test]
    fn value_keeps_later_equals_signs() {
        assert_eq!(collect("a=b=c"), [pair("a", "b=c")]);
    }

    #[test]
    fn percent_escapes_and_plus_are_decoded() {
        assert_eq!(
            collect("last%45ventId=%31%30&x=a+b%2Bc%c3%A9"),
            [pair("lastEventId", "10"), pair("x", "a b+cé")]
        );
    }

    #[test]
    fn incomplete_or_non_hex_escapes_are_kept() {
        assert_eq!(
            collect("a=%&b=%4&c=%zz1"),
            [pair("a", "%"), pair("b", "%4"), pair("c", "%zz1")]
        );
    }

    #[test]
    fn undecodable_utf8_yields_the_raw_text() {
        assert_eq!(collect("count=%ff1"), [pair("count", "%ff1")]);
    }
}
