//! Response heads, parsed by `httparse`: status, reason and headers (names
//! lower-cased, values trimmed, in wire order), and how the body that
//! follows is framed (RFC 9112 section 6.3).

use crate::body::{Framing, ProtocolError};

/// Largest response head accepted.
pub const MAX_HEAD: usize = 16 * 1024;
/// Most header lines accepted in one head.
const MAX_HEADERS: usize = 64;

/// Status line and headers of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    pub reason: String,
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub minor_version: u8,
    /// Header names lower-cased, values trimmed, in wire order.
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_all(name).into_iter().next()
    }

    /// Every value of a header, in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// How the body of this response to a `method` request is delimited.
    pub fn framing(&self, method: &str) -> Result<Framing, ProtocolError> {
        let bodiless = method.eq_ignore_ascii_case("HEAD")
            || self.status < 200
            || self.status == 204
            || self.status == 304;
        if bodiless {
            return Ok(Framing::Empty);
        }
        if let Some(coding) = self.header("transfer-encoding") {
            if coding.to_ascii_lowercase().trim_end().ends_with("chunked") {
                return Ok(Framing::Chunked);
            }
            return Err(ProtocolError(format!(
                "unsupported transfer-encoding {coding:?}"
            )));
        }
        match self.header("content-length") {
            Some(length) => length
                .parse()
                .map(Framing::Length)
                .map_err(|_| ProtocolError(format!("bad content-length {length:?}"))),
            None => Ok(Framing::Close),
        }
    }

    /// Whether the server closes the connection after this response.
    pub fn closes(&self) -> bool {
        match self.header("connection") {
            Some(value) => value.eq_ignore_ascii_case("close"),
            None => self.minor_version == 0,
        }
    }

    /// The `content-type` starts with `text/event-stream`.
    pub fn is_event_stream(&self) -> bool {
        self.header("content-type")
            .is_some_and(|t| t.starts_with("text/event-stream"))
    }
}

/// Parses a response head at the start of `buf`. `Ok(None)` means more
/// bytes are needed; on success returns the head and the bytes it used.
pub fn parse(buf: &[u8]) -> Result<Option<(Head, usize)>, ProtocolError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let used = match response.parse(buf) {
        Ok(httparse::Status::Complete(used)) => used,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
            return Err(ProtocolError(format!(
                "response head over {MAX_HEAD} bytes"
            )));
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(error) => return Err(ProtocolError(format!("bad response head: {error}"))),
    };
    let head = Head {
        status: response.code.unwrap_or_default(),
        reason: response.reason.unwrap_or_default().to_owned(),
        minor_version: response.version.unwrap_or_default(),
        headers: response
            .headers
            .iter()
            .map(|h| {
                let value = String::from_utf8_lossy(h.value);
                (h.name.to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect(),
    };
    Ok(Some((head, used)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &[u8]) -> Head {
        parse(raw).unwrap().unwrap().0
    }

    #[test]
    fn head_is_parsed_and_the_rest_is_left_for_the_body() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nrest";
        let (head, used) = parse(raw).unwrap().unwrap();
        assert_eq!((head.status, head.reason.as_str()), (200, "OK"));
        assert!(head.is_event_stream());
        assert_eq!(head.framing("GET"), Ok(Framing::Chunked));
        assert_eq!(&raw[used..], b"rest");
    }

    #[test]
    fn partial_head_asks_for_more_and_garbage_or_oversize_is_an_error() {
        assert_eq!(parse(b"HTTP/1.1 200 OK\r\n").unwrap(), None);
        assert!(parse(b"SMTP 220 hi\r\n\r\n").is_err());
        let huge = [b"HTTP/1.1 200 OK\r\nx: ".as_slice(), &[b'a'; MAX_HEAD]].concat();
        assert!(parse(&huge).is_err());
    }

    #[test]
    fn repeated_headers_keep_wire_order_and_any_case() {
        let head = head(b"HTTP/1.1 200 OK\r\nX-Two: a\r\nx-two:  b \r\n\r\n");
        assert_eq!(head.header_all("X-TWO"), ["a", "b"]);
        assert_eq!(head.header("x-two"), Some("a"));
    }

    #[test]
    fn framing_follows_status_method_and_headers() {
        let length = head(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assert_eq!(length.framing("GET"), Ok(Framing::Length(5)));
        assert_eq!(length.framing("HEAD"), Ok(Framing::Empty));
        let no_content = head(b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n");
        assert_eq!(no_content.framing("GET"), Ok(Framing::Empty));
        let close = head(b"HTTP/1.0 200 OK\r\n\r\n");
        assert_eq!(close.framing("GET"), Ok(Framing::Close));
        assert!(close.closes());
        assert!(head(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n")
            .framing("GET")
            .is_err());
        assert!(head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n")
            .framing("GET")
            .is_err());
        assert!(!head(b"HTTP/1.1 200 OK\r\n\r\n").closes());
        assert!(head(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n").closes());
    }
}
