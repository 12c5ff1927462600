//! Bounded request bodies: a component reads at most `--max-request-body`
//! bytes of a request.
//!
//! A declared `content-length` above the bound is refused with 413 before
//! any instance starts ([`declared_too_large`]); a body that turns out
//! longer (chunked) fails with `HTTP-request-body-size` at the first byte
//! past the bound ([`Bounded`]), so the guest sees a stream error instead of
//! the runner buffering without end.

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll};
use wasmtime_wasi_http::Error;

/// `Some(length)` when the request declares a body longer than `max`.
pub fn declared_too_large(headers: &HeaderMap, max: u64) -> Option<u64> {
    let declared = headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse::<u64>()
        .ok()?;
    (declared > max).then_some(declared)
}

/// A request body cut off with an error past `max` bytes.
pub struct Bounded<B> {
    inner: B,
    left: u64,
    max: u64,
}

impl<B> Bounded<B> {
    /// At most `max` bytes of `inner`.
    pub fn new(inner: B, max: u64) -> Self {
        Bounded {
            inner,
            left: max,
            max,
        }
    }
}

impl<B> Body for Bounded<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Error>,
{
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let frame = match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => return Poll::Pending,
        };
        if let Some(data) = frame.data_ref() {
            let len = data.len() as u64;
            if len > self.left {
                self.left = 0;
                return Poll::Ready(Some(Err(Error::HttpRequestBodySize(Some(self.max)))));
            }
            self.left -= len;
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Full};

    #[test]
    fn only_a_declared_length_over_the_bound_is_refused() {
        let mut h = HeaderMap::new();
        assert_eq!(declared_too_large(&h, 10), None, "no length");
        h.insert(CONTENT_LENGTH, "10".parse().unwrap());
        assert_eq!(declared_too_large(&h, 10), None);
        h.insert(CONTENT_LENGTH, "11".parse().unwrap());
        assert_eq!(declared_too_large(&h, 10), Some(11));
    }

    fn body(bytes: &'static [u8]) -> Full<Bytes> {
        Full::new(Bytes::from_static(bytes))
    }

    #[tokio::test]
    async fn a_body_within_the_bound_passes_whole() {
        let got = Bounded::new(body(b"0123456789"), 10)
            .collect()
            .await
            .unwrap();
        assert_eq!(got.to_bytes(), &b"0123456789"[..]);
    }

    #[tokio::test]
    async fn a_longer_body_fails_with_the_size_error() {
        let e = Bounded::new(body(b"0123456789x"), 10)
            .collect()
            .await
            .expect_err("too long");
        assert!(matches!(e, Error::HttpRequestBodySize(Some(10))), "{e:?}");
    }
}
