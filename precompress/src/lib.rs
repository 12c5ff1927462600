//! Precompression of static text assets into `.br` / `.gz` sidecars, run by
//! the static component's build step (`cargo run --release -p precompress --
//! static`). The file server then serves a sidecar when `Accept-Encoding`
//! allows, with no compression work per request.
//!
//! Layout:
//! - [`select`]: which files get sidecars (text extensions, no hidden paths)
//! - [`codec`]: brotli and gzip encoders, streaming file → file
//! - [`sidecars`]: the directory walk: write, skip unchanged, drop useless
//!   or orphaned sidecars

pub mod codec;
pub mod select;
pub mod sidecars;
