//! JSON strings without serde_json: a strict reader for one document, an
//! array of strings (the `SSE_MESSAGES` setting), and a writer for one
//! string (the `message` of each event's data).
//!
//! The reader accepts exactly what `serde_json::from_str::<Vec<String>>`
//! accepts (RFC 8259 strings, escapes, surrogate pairs, whitespace) and
//! returns the same strings; the writer writes exactly what
//! `serde_json::to_string` writes. Property tests check both against
//! serde_json, which the component does not link: its deserializer alone
//! was about a third of the component's size, and serde's serializer
//! several KB more, while these are a few hundred bytes.

use std::fmt;

/// Where and why the input is not a JSON array of strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the problem in the input.
    pub at: usize,
    pub expected: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {} at byte {}", self.expected, self.at)
    }
}

impl std::error::Error for JsonError {}

/// Appends `text` as a JSON string, quotes included, escaped as
/// serde_json does: `"` and `\`, the short escapes `\b \f \n \r \t`, other
/// control characters as `\u00xx`; everything else as it is.
pub fn write_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let byte = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[byte >> 4]));
                out.push(char::from(HEX[byte & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parses `input` as a JSON array of strings.
pub fn parse(input: &str) -> Result<Vec<String>, JsonError> {
    let mut reader = Reader { input, at: 0 };
    reader.skip_whitespace();
    reader.expect(b'[', "`[`")?;
    reader.skip_whitespace();
    let mut strings = Vec::new();
    if !reader.eat(b']') {
        loop {
            reader.skip_whitespace();
            strings.push(reader.string()?);
            reader.skip_whitespace();
            if reader.eat(b']') {
                break;
            }
            reader.expect(b',', "`,` or `]`")?;
        }
    }
    reader.skip_whitespace();
    if reader.at != input.len() {
        return Err(reader.error("the end of the input after `]`"));
    }
    Ok(strings)
}

struct Reader<'a> {
    input: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.input.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), JsonError> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn error(&self, expected: &'static str) -> JsonError {
        JsonError {
            at: self.at,
            expected,
        }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.expect(b'"', "a string")?;
        let mut out = String::new();
        loop {
            let rest = self.input.get(self.at..).unwrap_or_default();
            // Copy the run up to the next quote, backslash or control char.
            // Only ASCII bytes end a run, so `run` is a char boundary.
            let run = rest
                .bytes()
                .position(|b| b == b'"' || b == b'\\' || b < b' ')
                .ok_or(JsonError {
                    at: self.input.len(),
                    expected: "`\"` closing the string",
                })?;
            out.push_str(rest.get(..run).unwrap_or_default());
            self.at += run;
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                _ => return Err(self.error("no control character inside a string")),
            }
        }
    }

    /// Reads the escape after a backslash.
    fn escape(&mut self) -> Result<char, JsonError> {
        let escaped = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                return self.unicode_escape();
            }
            _ => return Err(self.error("one of `\"\\/bfnrtu` after `\\`")),
        };
        self.at += 1;
        Ok(escaped)
    }

    /// Reads the hex digits after `\u`, and a low surrogate's `\uXXXX` after
    /// a high one.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let start = self.at;
        let unit = self.hex4()?;
        let code = match unit {
            0xD800..=0xDBFF => {
                if !(self.eat(b'\\') && self.eat(b'u')) {
                    return Err(self.error("`\\u` low surrogate after a high surrogate"));
                }
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(JsonError {
                        at: self.at - 4,
                        expected: "a low surrogate (DC00-DFFF)",
                    });
                }
                0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => {
                return Err(JsonError {
                    at: start,
                    expected: "no lone low surrogate",
                })
            }
            _ => unit,
        };
        char::from_u32(code).ok_or(JsonError {
            at: start,
            expected: "a Unicode scalar value",
        })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.input.as_bytes().get(self.at..self.at + 4);
        let value = digits.and_then(|digits| {
            digits.iter().try_fold(0, |value, &digit| {
                Some(value << 4 | char::from(digit).to_digit(16)?)
            })
        });
        let value = value.ok_or_else(|| self.error("four hex digits after `\\u`"))?;
        self.at += 4;
        Ok(value)
    }
}

#[cfg(test)]
mod tests;
