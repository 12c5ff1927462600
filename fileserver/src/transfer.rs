//! What both adapters (WASI 0.2 and WASI 0.3) do with a request, given
//! its parts: read the settings, [`serve::plan`] against the mount, open
//! the file before the status line is committed (a file that vanished
//! since `stat` becomes a clean 404 rather than a broken 200), then send
//! the body through the adapter's [`BodySink`]: the text, or the file in
//! [`CHUNK_SIZE`] pieces, stopping at the first failed write or read
//! (logged on stderr).

use crate::config::Config;
use crate::fs::DirFs;
use crate::path::SafePath;
use crate::request::RequestParts;
use crate::serve::{self, Body, Plan};
use crate::stream::{Chunks, CHUNK_SIZE};
use std::fs::File;
use std::io::{Read, Seek};

/// Where Spin mounts the component's `files`.
pub const MOUNT: &str = "/";

/// An adapter's response body.
// Implemented for one concrete, single-threaded type per adapter, so the
// future needs no `Send` bound.
#[allow(async_fn_in_trait)]
pub trait BodySink {
    /// Writes `bytes`; `Err` says why it failed, for the log.
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), String>;
}

/// A plan whose file, if it has one, is open: ready to send.
pub struct Ready<R = File> {
    pub plan: Plan,
    chunks: Option<Chunks<R>>,
}

/// The answer to `parts` from the files under [`MOUNT`], with the
/// component's environment settings (warnings logged).
pub fn prepare(parts: &RequestParts) -> Ready {
    let (cfg, warnings) = Config::from_env();
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let fs = DirFs::new(MOUNT);
    open(serve::plan(parts, &fs, &cfg), |path| fs.open(path))
}

/// Opens `plan`'s file with `open_file`; a 404 plan if that fails.
pub fn open<R: Read + Seek>(
    plan: Plan,
    open_file: impl FnOnce(&SafePath) -> std::io::Result<R>,
) -> Ready<R> {
    let Body::File { path, offset, len } = &plan.body else {
        return Ready { plan, chunks: None };
    };
    match open_file(path).and_then(|f| Chunks::new(f, *offset, *len)) {
        Ok(chunks) => Ready {
            plan,
            chunks: Some(chunks),
        },
        Err(e) => {
            eprintln!("cannot open {}: {e}", path.relative());
            Ready {
                plan: serve::text(404, "not found", false),
                chunks: None,
            }
        }
    }
}

impl<R: Read + Seek> Ready<R> {
    /// Sends the body; the adapter ends the response afterwards.
    pub async fn send_body(self, sink: &mut impl BodySink) {
        if let Body::Text(t) = self.plan.body {
            if let Err(e) = sink.send(t.into_bytes()).await {
                eprintln!("error sending body: {e}");
            }
            return;
        }
        let Some(mut chunks) = self.chunks else {
            return;
        };
        let mut sent = 0usize;
        loop {
            match chunks.next_chunk() {
                Ok(Some(chunk)) => {
                    sent += chunk.len();
                    if let Err(e) = sink.send(chunk.to_vec()).await {
                        eprintln!("client went away after {sent} bytes: {e}");
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    eprintln!("read error after {sent} bytes (chunks of {CHUNK_SIZE}): {e}");
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
}
