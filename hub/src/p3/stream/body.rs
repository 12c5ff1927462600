//! A stream's response body on WASI 0.3, written straight to the WASI
//! `stream<u8>` the host reads: one write in flight at a time, so a client
//! that stops reading holds back its stream's task (and then fills only its
//! own bounded queue), with no channel or forwarding task in between.

use spin_sdk_p3::wasip3::wit_bindgen::StreamWriter;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll};

/// The client went away: the host dropped its end of the body.
#[derive(Debug)]
pub struct Gone;

type Write = Pin<Box<dyn Future<Output = (StreamWriter<u8>, bool)>>>;

/// The body writer, idle or with one write in flight.
pub struct Body {
    writer: Option<StreamWriter<u8>>,
    in_flight: Option<Write>,
}

impl Body {
    pub fn new(writer: StreamWriter<u8>) -> Self {
        Self {
            writer: Some(writer),
            in_flight: None,
        }
    }

    /// Whether no write is in flight.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_none()
    }

    /// Starts writing `bytes` (a write in flight must have finished).
    pub fn start(&mut self, bytes: Vec<u8>) -> Result<(), Gone> {
        let mut writer = self.writer.take().ok_or(Gone)?;
        self.in_flight = Some(Box::pin(async move {
            let unwritten = writer.write_all(bytes).await;
            (writer, unwritten.is_empty())
        }));
        Ok(())
    }

    /// Drives the write in flight: `Ready(Ok(true))` when it has just
    /// finished, `Ready(Ok(false))` when there is none, `Pending` while the
    /// client has not taken it all.
    pub fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool, Gone>> {
        let Some(write) = self.in_flight.as_mut() else {
            return Poll::Ready(Ok(false));
        };
        let (writer, all) = match write.as_mut().poll(cx) {
            Poll::Ready(done) => done,
            Poll::Pending => return Poll::Pending,
        };
        self.in_flight = None;
        if !all {
            return Poll::Ready(Err(Gone));
        }
        self.writer = Some(writer);
        Poll::Ready(Ok(true))
    }

    /// Writes `bytes` and waits until the client has taken them.
    pub async fn send(&mut self, bytes: Vec<u8>) -> Result<(), Gone> {
        poll_fn(|cx| self.poll_write(cx)).await?;
        self.start(bytes)?;
        poll_fn(|cx| self.poll_write(cx)).await.map(drop)
    }
}
