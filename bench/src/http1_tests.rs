//! Tests of the HTTP/1.1 framing.

use super::*;

fn decode_all(framing: Framing, pieces: &[&[u8]]) -> (Vec<u8>, Result<Progress, ProtocolError>) {
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
fn head_is_parsed_with_chunked_framing() {
    let raw = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\nrest";
    let (head, used) = parse_head(raw).unwrap().unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.framing, Framing::Chunked);
    assert_eq!(head.content_type.as_deref(), Some("text/event-stream"));
    assert_eq!(&raw[used..], b"rest");
}

#[test]
fn partial_head_asks_for_more_and_garbage_is_an_error() {
    assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\n").unwrap(), None);
    assert!(parse_head(b"SSH-2.0-x\r\n\r\n").is_err());
}

#[test]
fn no_content_and_not_modified_have_empty_bodies() {
    for status in [204, 304] {
        let raw = format!("HTTP/1.1 {status} X\r\ncontent-length: 10\r\netag: \"a\"\r\n\r\n");
        let (head, _) = parse_head(raw.as_bytes()).unwrap().unwrap();
        assert_eq!(head.framing, Framing::Empty);
    }
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

#[test]
fn request_has_host_and_extra_headers() {
    let req = get_request("/sse?count=1", "127.0.0.1:3000", &[("Last-Event-ID", "4")]);
    assert_eq!(
        req,
        b"GET /sse?count=1 HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nLast-Event-ID: 4\r\n\r\n"
    );
}
