//! The bytes of an HTTP/1.1 request. The target is sent exactly as given,
//! so tests can send what real clients would normalise away.

/// A request to send: method, raw request target, extra headers.
#[derive(Debug, Clone, PartialEq, Eq)]
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

    /// Adds every `(name, value)` in order.
    pub fn headers(mut self, headers: &[(&'a str, &'a str)]) -> Self {
        self.headers.extend_from_slice(headers);
        self
    }

    /// The request as bytes: request line, `Host`, the extra headers.
    /// No `Connection` header is added, so hop-by-hop headers in the
    /// response are the server's own doing.
    pub fn to_bytes(&self, host: &str) -> Vec<u8> {
        let mut out = format!(
            "{} {} HTTP/1.1\r\nHost: {host}\r\n",
            self.method, self.target
        );
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_line_keeps_the_target_as_given_then_host_then_headers() {
        let raw = Request::get("/a/../%2e%2e\\b")
            .headers(&[("Last-Event-ID", "3"), ("X", "y")])
            .to_bytes("127.0.0.1:80");
        assert_eq!(
            raw,
            b"GET /a/../%2e%2e\\b HTTP/1.1\r\nHost: 127.0.0.1:80\r\nLast-Event-ID: 3\r\nX: y\r\n\r\n"
        );
    }
}
