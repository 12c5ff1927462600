//! Brotli and gzip encoders, streaming a reader into a writer.

use std::io::{self, Read, Write};

/// A sidecar coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Brotli,
    Gzip,
}

impl Codec {
    pub const ALL: [Codec; 2] = [Codec::Brotli, Codec::Gzip];

    /// File-name suffix of the sidecar.
    pub fn suffix(self) -> &'static str {
        match self {
            Codec::Brotli => "br",
            Codec::Gzip => "gz",
        }
    }

    /// Compresses all of `input` into `output` at the highest level (this
    /// runs once per build, not per request). Gzip output carries no
    /// timestamp or name, so it is reproducible.
    pub fn compress(self, input: &mut impl Read, output: impl Write) -> io::Result<()> {
        match self {
            Codec::Brotli => {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: 11,
                    lgwin: 22,
                    ..Default::default()
                };
                brotli::BrotliCompress(input, &mut { output }, &params).map(|_| ())
            }
            Codec::Gzip => {
                let mut enc = flate2::write::GzEncoder::new(output, flate2::Compression::best());
                io::copy(input, &mut enc)?;
                enc.finish()?.flush()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        "<p>hello, compressible world</p>\n"
            .repeat(200)
            .into_bytes()
    }

    #[test]
    fn brotli_round_trips_and_shrinks_text() {
        let mut out = Vec::new();
        Codec::Brotli
            .compress(&mut sample().as_slice(), &mut out)
            .unwrap();
        assert!(out.len() < sample().len() / 10);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut out.as_slice(), &mut back).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn gzip_round_trips_and_is_reproducible() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        Codec::Gzip
            .compress(&mut sample().as_slice(), &mut a)
            .unwrap();
        Codec::Gzip
            .compress(&mut sample().as_slice(), &mut b)
            .unwrap();
        assert_eq!(a, b);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(a.as_slice())
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, sample());
    }
}
