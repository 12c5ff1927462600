//! Checks of the fixture's own HTTP client and SSE reader against a canned
//! loopback server, so a bug in the tools cannot pass for a bug (or a
//! success) in the app.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use super::http::{Client, Request};
use super::sse_stream::SseReader;

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

fn describe(b: &super::sse_stream::Block) -> String {
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
    let pieces =
        vec![b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Two: a\r\nx-two: b\r\n\r\nhello".to_vec()];
    let resp = serve_once(pieces, Duration::ZERO).get("/");
    assert_eq!((resp.status(), resp.text().as_str()), (200, "hello"));
    assert_eq!(resp.head.header_all("X-TWO"), ["a", "b"]);
    let pieces = vec![b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".to_vec()];
    let resp = serve_once(pieces, Duration::ZERO).send(Request::new("HEAD", "/"));
    assert!(resp.body.is_empty());
}
