//! A stream's response body on WASI 0.3, written straight to the WASI
//! `stream<u8>` the host reads: one write in flight at a time, so a client
//! that stops reading holds back its stream's task (and then fills only its
//! own bounded queue), with no channel or forwarding task in between.

use crate::transport::fanout::stream::{self, Gone};
use spin_sdk_p3::wasip3::wit_bindgen::StreamWriter;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

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
}

/// `Gone` when the host dropped its end of the body.
impl stream::Body for Body {
    fn is_idle(&self) -> bool {
        self.in_flight.is_none()
    }

    fn start(&mut self, bytes: Vec<u8>) -> Result<(), Gone> {
        let mut writer = self.writer.take().ok_or(Gone)?;
        self.in_flight = Some(Box::pin(async move {
            let unwritten = writer.write_all(bytes).await;
            (writer, unwritten.is_empty())
        }));
        Ok(())
    }

    fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool, Gone>> {
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
}
