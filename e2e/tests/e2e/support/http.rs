//! A small, strict HTTP/1.1 client over a raw `TcpStream`.
//!
//! Raw on purpose: the tests must send request targets that real clients
//! normalise away (`/../x`, `%2e%2e`, backslashes, NUL), see every response
//! header exactly as it went over the wire, and read a streamed body piece by
//! piece as it arrives. One request per connection; every read has a timeout
//! so no test can hang.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// How long any single read may block before the request fails.
pub const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// Status line and headers of a response.
#[derive(Debug, Clone)]
pub struct Head {
    pub status: u16,
    pub reason: String,
    /// Header names lower-cased, values trimmed, in wire order.
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

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

/// How the body of a response is delimited (RFC 9112 section 6.3).
enum Framing {
    None,
    Length(u64),
    Chunked { left_in_chunk: u64, done: bool },
    UntilClose,
}

/// A response whose body is read incrementally.
pub struct Streaming {
    pub head: Head,
    /// When the request was written; arrival times are measured from here.
    pub sent_at: Instant,
    reader: BufReader<TcpStream>,
    framing: Framing,
}

impl Streaming {
    /// Closes both directions of the connection at once (the client "goes away").
    pub fn disconnect(self) {
        let _ = self.reader.get_ref().shutdown(std::net::Shutdown::Both);
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

    fn read_crlf(&mut self) -> io::Result<()> {
        let mut crlf = [0u8; 2];
        self.reader.read_exact(&mut crlf)?;
        if &crlf != b"\r\n" {
            return Err(bad("chunk data not followed by CRLF"));
        }
        Ok(())
    }
}

impl Read for Streaming {
    /// Returns body bytes as soon as the server has sent some (after
    /// de-chunking); 0 at the end of the body.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match &mut self.framing {
                Framing::None => return Ok(0),
                Framing::UntilClose => return self.reader.read(buf),
                Framing::Length(left) => {
                    if *left == 0 {
                        return Ok(0);
                    }
                    let want = buf.len().min(*left as usize);
                    let n = self.reader.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(bad("connection closed before content-length bytes"));
                    }
                    *left -= n as u64;
                    return Ok(n);
                }
                Framing::Chunked { done: true, .. } => return Ok(0),
                Framing::Chunked {
                    left_in_chunk: 0, ..
                } => {
                    let line = read_line(&mut self.reader)?;
                    let size_text = line.split(';').next().unwrap_or("").trim();
                    let size = u64::from_str_radix(size_text, 16)
                        .map_err(|_| bad(&format!("bad chunk size line {line:?}")))?;
                    if size == 0 {
                        // Trailer section, then the end of the message.
                        while !read_line(&mut self.reader)?.is_empty() {}
                        self.framing = Framing::Chunked {
                            left_in_chunk: 0,
                            done: true,
                        };
                    } else {
                        self.framing = Framing::Chunked {
                            left_in_chunk: size,
                            done: false,
                        };
                    }
                }
                Framing::Chunked { left_in_chunk, .. } => {
                    let want = buf.len().min(*left_in_chunk as usize);
                    let n = self.reader.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(bad("connection closed inside a chunk"));
                    }
                    *left_in_chunk -= n as u64;
                    if *left_in_chunk == 0 {
                        self.read_crlf()?;
                    }
                    return Ok(n);
                }
            }
        }
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// One CRLF- (or LF-) terminated line without its terminator.
fn read_line(reader: &mut BufReader<TcpStream>) -> io::Result<String> {
    let mut raw = Vec::new();
    let n = reader.read_until(b'\n', &mut raw)?;
    if n == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed before the end of the response head",
        ));
    }
    while matches!(raw.last(), Some(b'\n' | b'\r')) {
        raw.pop();
    }
    String::from_utf8(raw).map_err(|_| bad("non-UTF-8 line in response head"))
}

/// Writes `raw` (a complete request) to `addr` and reads the response head.
/// `method` decides whether a body follows (HEAD never has one).
pub fn open_raw(addr: SocketAddr, method: &str, raw: &[u8]) -> io::Result<Streaming> {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_nodelay(true)?;
    (&stream).write_all(raw)?;
    let sent_at = Instant::now();
    let mut reader = BufReader::new(stream);
    let head = loop {
        let head = read_head(&mut reader)?;
        if !(100..200).contains(&head.status) {
            break head;
        }
    };
    let framing = framing_for(method, &head)?;
    Ok(Streaming {
        head,
        sent_at,
        reader,
        framing,
    })
}

fn read_head(reader: &mut BufReader<TcpStream>) -> io::Result<Head> {
    let status_line = read_line(reader)?;
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(bad(&format!(
            "not an HTTP/1.x status line: {status_line:?}"
        )));
    }
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| bad(&format!("bad status line {status_line:?}")))?;
    let reason = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad(&format!("header line without colon: {line:?}")))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    Ok(Head {
        status,
        reason,
        headers,
    })
}

fn framing_for(method: &str, head: &Head) -> io::Result<Framing> {
    if method.eq_ignore_ascii_case("HEAD") || head.status == 204 || head.status == 304 {
        return Ok(Framing::None);
    }
    if let Some(te) = head.header("transfer-encoding") {
        if te.to_ascii_lowercase().trim().ends_with("chunked") {
            return Ok(Framing::Chunked {
                left_in_chunk: 0,
                done: false,
            });
        }
        return Err(bad(&format!("unsupported transfer-encoding {te:?}")));
    }
    if let Some(len) = head.header("content-length") {
        let len = len
            .parse::<u64>()
            .map_err(|_| bad(&format!("bad content-length {len:?}")))?;
        return Ok(Framing::Length(len));
    }
    Ok(Framing::UntilClose)
}

/// A request to send: method, raw request target, extra headers.
pub struct Request<'a> {
    pub method: &'a str,
    pub target: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
}

impl<'a> Request<'a> {
    pub fn get(target: &'a str) -> Self {
        Self::new("GET", target)
    }
    pub fn new(method: &'a str, target: &'a str) -> Self {
        Request {
            method,
            target,
            headers: Vec::new(),
        }
    }
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The request as bytes: request line, `Host`, the extra headers.
    /// No `Connection` header is added, so hop-by-hop headers in the
    /// response are the server's own doing.
    pub fn to_bytes(&self, host: &str) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.target.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
        out.extend_from_slice(host.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out
    }
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
        let mut req = Request::get(target);
        for (name, value) in headers {
            req = req.header(name, value);
        }
        self.send(req)
    }

    /// Sends arbitrary bytes as the request (for malformed request targets).
    pub fn send_raw(&self, method: &str, raw: &[u8]) -> io::Result<Response> {
        open_raw(self.addr, method, raw)?.read_to_end()
    }
}
