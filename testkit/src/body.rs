//! Incremental decoding of a response body delimited by `Content-Length`,
//! `chunked` or the end of the connection: bytes go in as they arrive,
//! however they are split, payload comes out.

/// How the response body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// `Content-Length: n`.
    Length(u64),
    /// Until the server closes the connection.
    Close,
    /// No body (204, 304, 1xx, HEAD).
    Empty,
}

/// A response head or body that does not follow HTTP/1.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProtocolError {}

/// Result of feeding bytes to a [`BodyDecoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The body is not finished; all input was used.
    More,
    /// The body ended after `used` bytes of this input.
    Done { used: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Size {
        value: u64,
        digits: u32,
        in_ext: bool,
    },
    SizeLf {
        value: u64,
    },
    Data {
        left: u64,
    },
    DataCr,
    DataLf,
    Trailer {
        empty: bool,
    },
    TrailerLf {
        empty: bool,
    },
}

/// Incremental body decoder for one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyDecoder {
    framing: Framing,
    left: u64,
    chunk: Chunk,
}

impl BodyDecoder {
    /// A decoder for a body framed as `framing`.
    pub fn new(framing: Framing) -> Self {
        let left = if let Framing::Length(n) = framing {
            n
        } else {
            0
        };
        let chunk = Chunk::Size {
            value: 0,
            digits: 0,
            in_ext: false,
        };
        Self {
            framing,
            left,
            chunk,
        }
    }

    /// True when the body needs no bytes at all.
    pub fn is_empty_body(&self) -> bool {
        matches!(self.framing, Framing::Empty | Framing::Length(0))
    }

    /// Decodes `input`, passing payload bytes to `out`.
    pub fn feed(
        &mut self,
        input: &[u8],
        out: &mut impl FnMut(&[u8]),
    ) -> Result<Progress, ProtocolError> {
        match self.framing {
            Framing::Empty => Ok(Progress::Done { used: 0 }),
            Framing::Close => {
                out(input);
                Ok(Progress::More)
            }
            Framing::Length(_) => {
                let take = (self.left.min(input.len() as u64)) as usize;
                if take > 0 {
                    out(&input[..take]);
                }
                self.left -= take as u64;
                Ok(if self.left == 0 {
                    Progress::Done { used: take }
                } else {
                    Progress::More
                })
            }
            Framing::Chunked => self.feed_chunked(input, out),
        }
    }

    /// Checks that end of stream is a legal end for this body.
    pub fn finish_at_eof(&self) -> Result<(), ProtocolError> {
        match self.framing {
            Framing::Close | Framing::Empty => Ok(()),
            Framing::Length(_) if self.left == 0 => Ok(()),
            Framing::Length(_) => Err(ProtocolError(format!(
                "connection closed {} bytes short",
                self.left
            ))),
            Framing::Chunked => Err(ProtocolError(
                "connection closed inside chunked body".into(),
            )),
        }
    }

    fn feed_chunked(
        &mut self,
        input: &[u8],
        out: &mut impl FnMut(&[u8]),
    ) -> Result<Progress, ProtocolError> {
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            self.chunk = match self.chunk {
                Chunk::Size {
                    value,
                    digits,
                    in_ext,
                } => match b {
                    b'\r' => {
                        if digits == 0 {
                            return Err(ProtocolError("empty chunk size".into()));
                        }
                        Chunk::SizeLf { value }
                    }
                    _ if in_ext => Chunk::Size {
                        value,
                        digits,
                        in_ext,
                    },
                    b';' | b' ' | b'\t' => Chunk::Size {
                        value,
                        digits,
                        in_ext: true,
                    },
                    _ => {
                        let d = (b as char).to_digit(16).ok_or_else(|| {
                            ProtocolError(format!("bad chunk size byte {b:#04x}"))
                        })?;
                        if digits >= 15 {
                            return Err(ProtocolError("chunk size too large".into()));
                        }
                        Chunk::Size {
                            value: value * 16 + u64::from(d),
                            digits: digits + 1,
                            in_ext,
                        }
                    }
                },
                Chunk::SizeLf { value } => {
                    expect(b, b'\n')?;
                    if value == 0 {
                        Chunk::Trailer { empty: true }
                    } else {
                        Chunk::Data { left: value }
                    }
                }
                Chunk::Data { left } => {
                    let take = left.min((input.len() - i) as u64) as usize;
                    out(&input[i..i + take]);
                    i += take;
                    let left = left - take as u64;
                    self.chunk = if left == 0 {
                        Chunk::DataCr
                    } else {
                        Chunk::Data { left }
                    };
                    continue;
                }
                Chunk::DataCr => {
                    expect(b, b'\r')?;
                    Chunk::DataLf
                }
                Chunk::DataLf => {
                    expect(b, b'\n')?;
                    Chunk::Size {
                        value: 0,
                        digits: 0,
                        in_ext: false,
                    }
                }
                Chunk::Trailer { empty } => {
                    if b == b'\r' {
                        Chunk::TrailerLf { empty }
                    } else {
                        Chunk::Trailer { empty: false }
                    }
                }
                Chunk::TrailerLf { empty } => {
                    expect(b, b'\n')?;
                    if empty {
                        return Ok(Progress::Done { used: i + 1 });
                    }
                    Chunk::Trailer { empty: true }
                }
            };
            i += 1;
        }
        Ok(Progress::More)
    }
}

fn expect(got: u8, want: u8) -> Result<(), ProtocolError> {
    if got == want {
        Ok(())
    } else {
        Err(ProtocolError(format!(
            "chunked framing: expected {want:#04x}, got {got:#04x}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(
        framing: Framing,
        pieces: &[&[u8]],
    ) -> (Vec<u8>, Result<Progress, ProtocolError>) {
        let mut d = BodyDecoder::new(framing);
        let mut body = Vec::new();
        let mut last = Ok(Progress::More);
        for p in pieces {
            last = d.feed(p, &mut |b: &[u8]| body.extend_from_slice(b));
            if !matches!(last, Ok(Progress::More)) {
                break;
            }
        }
        (body, last)
    }

    #[test]
    fn chunked_body_decodes_across_every_split() {
        let wire: &[u8] = b"5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nx-t: 1\r\n\r\nNEXT";
        for cut in 0..wire.len() {
            let (body, last) = decode_all(Framing::Chunked, &[&wire[..cut], &wire[cut..]]);
            assert_eq!(body, b"hello world", "cut {cut}");
            let used = match last.unwrap() {
                Progress::Done { used } => used,
                Progress::More => panic!("not done at cut {cut}"),
            };
            let consumed = if cut >= wire.len() - 4 {
                used
            } else {
                cut + used
            };
            assert_eq!(&wire[consumed..], b"NEXT", "cut {cut}");
        }
    }

    #[test]
    fn bad_chunk_framing_is_an_error() {
        assert!(decode_all(Framing::Chunked, &[b"zz\r\n"]).1.is_err());
        assert!(decode_all(Framing::Chunked, &[b"2\r\nabX"]).1.is_err());
        assert!(decode_all(Framing::Chunked, &[b"\r\n"]).1.is_err());
    }

    #[test]
    fn content_length_body_stops_at_length() {
        let (body, last) = decode_all(Framing::Length(3), &[b"ab", b"cdef"]);
        assert_eq!(body, b"abc");
        assert_eq!(last.unwrap(), Progress::Done { used: 1 });
    }

    #[test]
    fn eof_inside_a_framed_body_is_truncation() {
        let mut d = BodyDecoder::new(Framing::Chunked);
        d.feed(b"3\r\nab", &mut |_| {}).unwrap();
        assert!(d.finish_at_eof().is_err());
        assert!(BodyDecoder::new(Framing::Close).finish_at_eof().is_ok());
        assert!(BodyDecoder::new(Framing::Length(2))
            .finish_at_eof()
            .is_err());
    }
}
