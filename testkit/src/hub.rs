//! Publishing to the Mercure hub as its clients do: a form POST to
//! [`HUB_PATH`] with a bearer token. The request's bytes, for callers with
//! sockets of their own (the benchmark's async publisher), and a blocking
//! [`publish`] over the raw client.

use crate::client::{open_raw, Client, Response};
use crate::request::Request;

/// Where the hub is mounted (Mercure's well-known path).
pub const HUB_PATH: &str = "/.well-known/mercure";

/// `application/x-www-form-urlencoded` of `fields`.
pub fn form(fields: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        out.append_pair(name, value);
    }
    out.finish()
}

/// The bytes of a publish request to `host` with `token` and the update's
/// `fields` (`topic`, `data`, `id`, …), plus `headers` (e.g.
/// `Connection: close`).
pub fn publish_request(
    host: &str,
    token: &str,
    fields: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Vec<u8> {
    let body = form(fields);
    let bearer = format!("Bearer {token}");
    let length = body.len().to_string();
    let mut raw = Request::new("POST", HUB_PATH)
        .header("Authorization", &bearer)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Content-Length", &length)
        .headers(headers)
        .to_bytes(host);
    raw.extend_from_slice(body.as_bytes());
    raw
}

/// Publishes `fields` to the hub behind `client` with `token`; the hub's
/// answer (200 with the update's id, or the reason it refused).
pub fn publish(client: &Client, token: &str, fields: &[(&str, &str)]) -> std::io::Result<Response> {
    let raw = publish_request(&client.host, token, fields, &[]);
    open_raw(client.addr, "POST", &raw)?.read_to_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_publish_is_a_form_post_with_a_bearer_token() {
        let raw = publish_request(
            "h:1",
            "t0k",
            &[("topic", "https://e.x/a b"), ("data", "1 2")],
            &[("Connection", "close")],
        );
        let body = "topic=https%3A%2F%2Fe.x%2Fa+b&data=1+2";
        assert_eq!(
            String::from_utf8(raw).unwrap(),
            format!(
                "POST /.well-known/mercure HTTP/1.1\r\nHost: h:1\r\nAuthorization: Bearer t0k\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            )
        );
    }
}
