//! A small, strict, blocking HTTP/1.1 client over a raw `TcpStream`, for
//! tests: one request per connection, the request target sent as given,
//! the response head parsed by [`head`](crate::head) and the body decoded
//! by [`body`](crate::body) as it arrives. Every read has a timeout, so no
//! test can hang; the convenience methods panic with context on I/O errors.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::body::{BodyDecoder, Progress};
use crate::head;
pub use crate::head::Head;
pub use crate::request::Request;

/// How long any single read may block before the request fails.
pub const READ_TIMEOUT: Duration = Duration::from_secs(20);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A complete response.
#[derive(Debug, Clone)]
pub struct Response {
    pub head: Head,
    pub body: Vec<u8>,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.head.status
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.header(name)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A response whose body is read incrementally (it implements [`Read`]).
pub struct Streaming {
    pub head: Head,
    /// When the request was written; arrival times are measured from here.
    pub sent_at: Instant,
    stream: TcpStream,
    decoder: BodyDecoder,
    /// Bytes read from the socket and not fed to the decoder yet.
    unread: Vec<u8>,
    /// Decoded body bytes not returned yet.
    decoded: Vec<u8>,
    /// The body is complete (what is in `decoded` is the last of it).
    complete: bool,
}

impl Streaming {
    /// Closes both directions of the connection at once (the client "goes away").
    pub fn disconnect(self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }

    /// Reads the rest of the body.
    pub fn read_to_end(mut self) -> io::Result<Response> {
        let mut body = Vec::new();
        Read::read_to_end(&mut self, &mut body)?;
        Ok(Response {
            head: self.head,
            body,
        })
    }
}

impl Read for Streaming {
    /// Returns body bytes as soon as the server has sent some (after
    /// de-chunking); 0 at the end of the body.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if !self.decoded.is_empty() {
                let n = buf.len().min(self.decoded.len());
                buf[..n].copy_from_slice(&self.decoded[..n]);
                self.decoded.drain(..n);
                return Ok(n);
            }
            if self.complete {
                return Ok(0);
            }
            let input = if self.unread.is_empty() {
                let mut piece = vec![0u8; 8192];
                let n = self.stream.read(&mut piece)?;
                if n == 0 {
                    self.decoder.finish_at_eof().map_err(invalid)?;
                    self.complete = true;
                    continue;
                }
                piece.truncate(n);
                piece
            } else {
                std::mem::take(&mut self.unread)
            };
            let decoded = &mut self.decoded;
            let progress = self
                .decoder
                .feed(&input, &mut |bytes: &[u8]| decoded.extend_from_slice(bytes))
                .map_err(invalid)?;
            self.complete = matches!(progress, Progress::Done { .. });
        }
    }
}

fn invalid(error: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error.to_string())
}

/// Writes `raw` (a complete request) to `addr` and reads the response head
/// (past any 1xx). `method` decides whether a body follows (HEAD: never).
pub fn open_raw(addr: SocketAddr, method: &str, raw: &[u8]) -> io::Result<Streaming> {
    let mut stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)?;
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_nodelay(true)?;
    stream.write_all(raw)?;
    let sent_at = Instant::now();
    let mut unread = Vec::new();
    let head = loop {
        match head::parse(&unread).map_err(invalid)? {
            Some((head, used)) => {
                unread.drain(..used);
                if !(100..200).contains(&head.status) {
                    break head;
                }
            }
            None => {
                let mut piece = [0u8; 8192];
                let n = stream.read(&mut piece)?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed before the end of the response head",
                    ));
                }
                unread.extend_from_slice(&piece[..n]);
            }
        }
    };
    let decoder = BodyDecoder::new(head.framing(method).map_err(invalid)?);
    let complete = decoder.is_empty_body();
    Ok(Streaming {
        head,
        sent_at,
        stream,
        decoder,
        unread,
        decoded: Vec::new(),
        complete,
    })
}

/// Where requests go: a socket address plus the `Host` header to send.
#[derive(Debug, Clone)]
pub struct Client {
    pub addr: SocketAddr,
    pub host: String,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Self {
        Client {
            addr,
            host: addr.to_string(),
        }
    }

    /// Sends `req` and reads the whole response; panics with context on I/O errors.
    pub fn send(&self, req: Request<'_>) -> Response {
        self.open(req).read_to_end().unwrap_or_else(|e| {
            panic!("reading the response from {}: {e}", self.addr);
        })
    }

    /// Sends `req` and returns once the response head is in.
    pub fn open(&self, req: Request<'_>) -> Streaming {
        let raw = req.to_bytes(&self.host);
        open_raw(self.addr, req.method, &raw).unwrap_or_else(|e| {
            panic!("{} {} to {}: {e}", req.method, req.target, self.addr);
        })
    }

    pub fn get(&self, target: &str) -> Response {
        self.send(Request::get(target))
    }

    /// `GET target` with extra headers.
    pub fn get_with(&self, target: &str, headers: &[(&str, &str)]) -> Response {
        self.send(Request::get(target).headers(headers))
    }

    /// Sends arbitrary bytes as the request (for malformed request targets).
    pub fn send_raw(&self, method: &str, raw: &[u8]) -> io::Result<Response> {
        open_raw(self.addr, method, raw)?.read_to_end()
    }
}

#[cfg(test)]
mod tests {
    // The client and the timed SSE reader against a canned loopback server,
    // so a bug in the tools cannot pass for a bug (or a success) in the app.

    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::time::Duration;

    use super::{Client, Request};
    use crate::timed::{Block, SseReader};

    /// Serves one connection: reads the request head, then writes `pieces`
    /// with `pause` between them, then closes.
    fn serve_once(pieces: Vec<Vec<u8>>, pause: Duration) -> Client {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap() == 1 {
                head.push(byte[0]);
            }
            for piece in pieces {
                conn.write_all(&piece).unwrap();
                conn.flush().unwrap();
                std::thread::sleep(pause);
            }
        });
        Client::new(addr)
    }

    fn chunk(data: &str) -> Vec<u8> {
        format!("{:x}\r\n{data}\r\n", data.len()).into_bytes()
    }

    fn describe(b: &Block) -> String {
        format!(
            "id={:?} data={:?} retry={:?} comments={:?}",
            b.id(),
            b.data(),
            b.retry(),
            b.comments()
        )
    }

    #[test]
    fn sse_reader_splits_on_cr_lf_and_crlf_across_chunks() {
        let head =
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        let pieces = vec![
            head.to_vec(),
            chunk("retry: 10\r\rid: 1\nda"),
            chunk("ta: one\r"),
            chunk("\n\r\n: note\n\nid: 2\rdata: a\rdata: b\r\r"),
            chunk("data: x\r"),
            chunk("\ndata: y\n\n"),
            chunk("id: 3\ndata: unterminated"),
            b"0\r\n\r\n".to_vec(),
        ];
        let client = serve_once(pieces, Duration::from_millis(30));
        let mut reader = SseReader::new(client.open(Request::get("/")));
        let blocks = reader.read_all().unwrap();
        let summary: Vec<String> = blocks.iter().map(describe).collect();
        assert_eq!(
            summary,
            [
                "id=None data=None retry=Some(10) comments=[]",
                "id=Some(\"1\") data=Some(\"one\") retry=None comments=[]",
                "id=None data=None retry=None comments=[\"note\"]",
                "id=Some(\"2\") data=Some(\"a\\nb\") retry=None comments=[]",
                "id=None data=Some(\"x\\ny\") retry=None comments=[]",
            ]
        );
        // Blocks are stamped when their blank line arrived, one write later each.
        assert!(blocks[1].at > blocks[0].at, "{blocks:?}");
    }

    #[test]
    fn client_rejects_a_malformed_chunk() {
        let pieces = vec![
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n".to_vec(),
        ];
        let client = serve_once(pieces, Duration::ZERO);
        let err = client.open(Request::get("/")).read_to_end().unwrap_err();
        assert!(err.to_string().contains("chunk size"), "{err}");
    }

    #[test]
    fn client_reads_content_length_bodies_and_head_responses() {
        let pieces = vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Two: a\r\nx-two: b\r\n\r\nhello".to_vec(),
        ];
        let resp = serve_once(pieces, Duration::ZERO).get("/");
        assert_eq!((resp.status(), resp.text().as_str()), (200, "hello"));
        assert_eq!(resp.head.header_all("X-TWO"), ["a", "b"]);
        let pieces = vec![b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".to_vec()];
        let resp = serve_once(pieces, Duration::ZERO).send(Request::new("HEAD", "/"));
        assert!(resp.body.is_empty());
    }
}
