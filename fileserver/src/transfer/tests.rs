use super::*;
use crate::path;
use std::future::Future;
use std::io::{self, Cursor};
use std::pin::pin;
use std::task::{Context, Waker};

/// Records what it is sent; fails from write `fail_at` on.
struct Recorder {
    writes: Vec<Vec<u8>>,
    fail_at: Option<usize>,
}

impl BodySink for Recorder {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), String> {
        if self.fail_at == Some(self.writes.len()) {
            return Err("stream closed".to_owned());
        }
        self.writes.push(bytes);
        Ok(())
    }
}

fn file_plan(offset: u64, len: u64) -> Plan {
    Plan {
        status: 200,
        headers: vec![("content-type", "text/plain".into())],
        body: Body::File {
            path: path::resolve("/a.txt").unwrap(),
            offset,
            len,
        },
    }
}

/// Sends `ready`'s body; every write of the recorder is ready at once.
fn send<R: Read + Seek>(ready: Ready<R>, fail_at: Option<usize>) -> Vec<Vec<u8>> {
    let mut sink = Recorder {
        writes: Vec::new(),
        fail_at,
    };
    let polled = {
        let mut future = pin!(ready.send_body(&mut sink));
        future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
    };
    assert!(polled.is_ready(), "the recorder never waits");
    sink.writes
}

#[test]
fn a_file_goes_out_in_chunks_from_its_offset() {
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let ready = open(file_plan(10, 150_000), |_| Ok(Cursor::new(data.clone())));
    assert_eq!(ready.plan.status, 200);
    let writes = send(ready, None);
    let sizes: Vec<usize> = writes.iter().map(Vec::len).collect();
    assert_eq!(sizes, [CHUNK_SIZE, CHUNK_SIZE, 150_000 - 2 * CHUNK_SIZE]);
    assert_eq!(writes.concat(), &data[10..150_010]);
}

#[test]
fn a_file_that_cannot_be_opened_becomes_a_404_before_the_status_is_sent() {
    let ready = open(file_plan(0, 5), |_| -> io::Result<Cursor<Vec<u8>>> {
        Err(io::ErrorKind::NotFound.into())
    });
    assert_eq!(ready.plan.status, 404);
    assert_eq!(send(ready, None), [b"not found\n".to_vec()]);
}

#[test]
fn a_failed_write_stops_the_file_body() {
    let data = vec![7u8; 3 * CHUNK_SIZE];
    let ready = open(file_plan(0, data.len() as u64), |_| Ok(Cursor::new(data)));
    assert_eq!(send(ready, Some(1)).len(), 1, "nothing after the failure");
}

#[test]
fn a_text_body_is_one_write_and_an_empty_one_none() {
    let ready = open(serve::text(400, "bad request: x", false), |_| {
        Ok(Cursor::new(Vec::new()))
    });
    assert_eq!(send(ready, None), [b"bad request: x\n".to_vec()]);
    let head = open(serve::text(400, "bad request: x", true), |_| {
        Ok(Cursor::new(Vec::new()))
    });
    assert!(send(head, None).is_empty());
}
