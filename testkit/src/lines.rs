//! Splits bytes that arrive in pieces into lines, the way SSE parsers do:
//! a line ends at LF, CRLF or a lone CR, also when the CR and the LF of a
//! CRLF arrive in different pieces.

use memchr::memchr2;

/// Line-splitting state for one byte stream.
#[derive(Debug, Default)]
pub struct Lines {
    /// The start of a line whose end has not arrived yet.
    partial: Vec<u8>,
    /// The last piece ended in CR: a LF at the start of the next is its pair.
    skip_lf: bool,
}

impl Lines {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a piece; calls `on_line` with each line completed by it,
    /// without its terminator.
    pub fn feed(&mut self, mut input: &[u8], mut on_line: impl FnMut(&[u8])) {
        while !input.is_empty() {
            if std::mem::take(&mut self.skip_lf) && input[0] == b'\n' {
                input = &input[1..];
                continue;
            }
            let Some(end) = memchr2(b'\r', b'\n', input) else {
                self.partial.extend_from_slice(input);
                return;
            };
            self.skip_lf = input[end] == b'\r';
            if self.partial.is_empty() {
                on_line(&input[..end]);
            } else {
                self.partial.extend_from_slice(&input[..end]);
                on_line(&self.partial);
                self.partial.clear();
            }
            input = &input[end + 1..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(pieces: &[&[u8]]) -> Vec<String> {
        let mut lines = Lines::new();
        let mut out = Vec::new();
        for piece in pieces {
            lines.feed(piece, |line| {
                out.push(String::from_utf8_lossy(line).into_owned())
            });
        }
        out
    }

    #[test]
    fn lf_crlf_and_lone_cr_all_end_a_line() {
        assert_eq!(split(&[b"a\nb\r\nc\rd\r\r\n"]), ["a", "b", "c", "d", ""]);
    }

    #[test]
    fn every_split_point_gives_the_same_lines() {
        let stream: &[u8] = b"id: 7\r\ndata: x\r\n\r\n: keep\rdata: y\r\r\nz\n";
        let whole = split(&[stream]);
        for cut in 0..stream.len() {
            assert_eq!(
                split(&[&stream[..cut], &stream[cut..]]),
                whole,
                "cut at {cut}"
            );
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(split(&bytes), whole);
    }

    #[test]
    fn an_unterminated_line_is_held_back() {
        assert_eq!(split(&[b"a\nb"]), ["a"]);
    }
}
