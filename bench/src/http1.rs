//! Minimal HTTP/1.1 client-side framing: the request line we send, the
//! response head we read, and an incremental body decoder for
//! `Content-Length`, `chunked` and close-delimited bodies.

use memchr::memmem;

/// Largest response head accepted.
pub const MAX_HEAD: usize = 16 * 1024;

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

/// A parsed response status line and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    pub status: u16,
    pub framing: Framing,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    /// The server asked to close the connection after this response.
    pub close: bool,
}

/// A response head or body that does not follow HTTP/1.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Builds a GET request with the given extra header lines.
pub fn get_request(path: &str, host: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in extra {
        req.push_str(name);
        req.push_str(": ");
        req.push_str(value);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    req.into_bytes()
}

/// Parses a response head at the start of `buf`. `Ok(None)` means more bytes
/// are needed; on success returns the head and the number of bytes it used.
pub fn parse_head(buf: &[u8]) -> Result<Option<(ResponseHead, usize)>, ProtocolError> {
    let Some(end) = memmem::find(buf, b"\r\n\r\n") else {
        if buf.len() > MAX_HEAD {
            return Err(ProtocolError(format!(
                "response head over {MAX_HEAD} bytes"
            )));
        }
        return Ok(None);
    };
    let text = std::str::from_utf8(&buf[..end])
        .map_err(|_| ProtocolError("non-UTF-8 response head".into()))?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(ProtocolError(format!("bad status line `{status_line}`")));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| ProtocolError(format!("bad status line `{status_line}`")))?;
    let mut chunked = false;
    let mut length = None;
    let mut content_type = None;
    let mut etag = None;
    let mut close = version == "HTTP/1.0";
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| ProtocolError(format!("bad header line `{line}`")))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().ends_with("chunked");
        } else if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .parse::<u64>()
                    .map_err(|_| ProtocolError(format!("bad content-length `{value}`")))?,
            );
        } else if name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("etag") {
            etag = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    let framing = if status < 200 || status == 204 || status == 304 {
        Framing::Empty
    } else if chunked {
        Framing::Chunked
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        Framing::Close
    };
    Ok(Some((
        ResponseHead {
            status,
            framing,
            content_type,
            etag,
            close,
        },
        end + 4,
    )))
}

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
#[path = "http1_tests.rs"]
mod tests;
