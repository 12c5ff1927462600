//! The send timeout: a connection whose client accepts no byte for the
//! configured time fails, like nginx's `send_timeout`.
//!
//! [`SendTimeout`] wraps the connection's socket. A write that cannot make
//! progress (the client stopped reading, its receive window and our send
//! buffer are full) starts a timer; any byte written stops it. When it
//! fires, the pending write fails with `TimedOut`: hyper closes the
//! connection and drops the response body, which stops the instance
//! (see [`crate::trigger::body`]). Reads pass through untouched.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// A socket whose writes time out when no byte goes out for `timeout`.
pub struct SendTimeout<T> {
    io: T,
    timeout: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> SendTimeout<T> {
    /// Wraps `io`.
    pub fn new(io: T, timeout: Duration) -> Self {
        SendTimeout {
            io,
            timeout,
            stalled: None,
        }
    }

    /// Passes a finished write through (and stops the timer); on `Pending`
    /// starts or checks the timer.
    fn watch<R>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if polled.is_ready() {
            self.stalled = None;
            return polled;
        }
        let timeout = self.timeout;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "send timeout: the client accepted no byte for {} ms",
                    timeout.as_millis()
                ),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for SendTimeout<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for SendTimeout<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write(cx, buf);
        self.watch(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.io).poll_flush(cx);
        self.watch(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test(start_paused = true)]
    async fn a_reader_that_reads_keeps_the_connection() {
        let (ours, mut theirs) = tokio::io::duplex(64);
        let mut io = SendTimeout::new(ours, Duration::from_secs(60));
        let reader = tokio::spawn(async move {
            let mut sink = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut theirs, &mut sink)
                .await
                .map(|_| sink.len())
        });
        io.write_all(&[7u8; 10_000]).await.unwrap();
        drop(io);
        assert_eq!(reader.await.unwrap().unwrap(), 10_000);
    }

    #[tokio::test(start_paused = true)]
    async fn a_reader_that_stops_times_the_write_out() {
        let (ours, _theirs) = tokio::io::duplex(64);
        let mut io = SendTimeout::new(ours, Duration::from_secs(60));
        let start = tokio::time::Instant::now();
        let e = io.write_all(&[7u8; 10_000]).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(e.to_string().contains("60000 ms"), "{e}");
        assert_eq!(start.elapsed(), Duration::from_secs(60));
    }
}
