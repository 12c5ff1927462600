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
mod tests;
