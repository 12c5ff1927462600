//! Bounded chunked reading of a byte range: the body is never held whole.

use std::io::{self, Read, Seek, SeekFrom};

/// Size of one body write.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// Yields `len` bytes from `offset` in chunks of at most [`CHUNK_SIZE`].
pub struct Chunks<R> {
    inner: R,
    remaining: u64,
    buf: Vec<u8>,
}

impl<R: Read + Seek> Chunks<R> {
    /// Seeks to `offset`; reads at most `len` bytes from there.
    pub fn new(mut inner: R, offset: u64, len: u64) -> io::Result<Self> {
        if offset > 0 {
            inner.seek(SeekFrom::Start(offset))?;
        }
        let cap = usize::try_from(len).map_or(CHUNK_SIZE, |l| l.min(CHUNK_SIZE));
        Ok(Chunks {
            inner,
            remaining: len,
            buf: vec![0; cap],
        })
    }

    /// The next chunk, `None` when done. A file that shrank under us is an
    /// `UnexpectedEof` error (the response must not be silently short).
    pub fn next_chunk(&mut self) -> io::Result<Option<&[u8]>> {
        if self.remaining == 0 {
            return Ok(None);
        }
        let want =
            usize::try_from(self.remaining).map_or(self.buf.len(), |r| r.min(self.buf.len()));
        let n = loop {
            match self.inner.read(&mut self.buf[..want]) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.remaining -= n as u64;
        Ok(Some(&self.buf[..n]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 251) as u8).collect()
    }

    fn collect(mut c: Chunks<Cursor<Vec<u8>>>) -> (Vec<u8>, Vec<usize>) {
        let (mut all, mut sizes) = (Vec::new(), Vec::new());
        while let Some(chunk) = c.next_chunk().unwrap() {
            sizes.push(chunk.len());
            all.extend_from_slice(chunk);
        }
        (all, sizes)
    }

    #[test]
    fn whole_file_streams_in_chunks_of_at_most_64_kib() {
        let d = data(200_000);
        let (all, sizes) = collect(Chunks::new(Cursor::new(d.clone()), 0, d.len() as u64).unwrap());
        assert_eq!(all, d);
        assert_eq!(sizes, vec![65536, 65536, 65536, 200_000 - 3 * 65536]);
    }

    #[test]
    fn range_streams_exactly_the_requested_bytes() {
        let d = data(150_000);
        let (all, _) = collect(Chunks::new(Cursor::new(d.clone()), 70_000, 70_001).unwrap());
        assert_eq!(all, &d[70_000..140_001]);
    }

    #[test]
    fn buffer_is_no_larger_than_the_range() {
        let c = Chunks::new(Cursor::new(data(10)), 2, 3).unwrap();
        assert_eq!(c.buf.len(), 3);
    }

    #[test]
    fn file_shorter_than_promised_is_an_error() {
        let mut c = Chunks::new(Cursor::new(data(10)), 0, 20).unwrap();
        assert_eq!(c.next_chunk().unwrap().unwrap().len(), 10);
        assert_eq!(
            c.next_chunk().unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
    }
}
