//! Static file server component for Spin (WASI 0.2, `wasm32-wasip2`).
//!
//! Serves the files Spin mounts at `/` (spin.toml `files`): percent-decoded,
//! traversal-proof paths; `index.html` for directories and a 301 to `dir/`;
//! strong ETag + Last-Modified with `If-None-Match` / `If-Modified-Since`;
//! single `Range` requests; precompressed `.br`/`.gz` sidecars chosen by
//! `Accept-Encoding`; `FALLBACK_PATH` / `CUSTOM_404_PATH`; bodies streamed in
//! 64 KiB chunks. Everything but the transport is pure and tested natively.
//!
//! Layout:
//! - [`path`]: request path → safe path under the mount (security rules)
//! - [`request`]: request parts, header lookups, which path, redirect target
//! - [`encoding`]: `Accept-Encoding` negotiation with q-values
//! - [`conditional`]: ETag / Last-Modified, `If-None-Match`, `If-Modified-Since`, `If-Range`
//! - [`range`]: `Range: bytes=` parsing and resolution
//! - [`content_type`]: media types and charset
//! - [`config`]: environment settings (`CACHE_CONTROL`, `FALLBACK_PATH`, `CUSTOM_404_PATH`)
//! - [`fs`]: file-system metadata trait and the directory implementation
//! - [`serve`]: the decision, request → response plan
//! - [`stream`]: chunked reading of a byte range
//! - `component`: the Spin/WASI transport (`#[http_component]`), compiled
//!   for `wasm32` only (its export symbol cannot link into a native cdylib)

pub mod conditional;
pub mod config;
pub mod content_type;
pub mod encoding;
pub mod fs;
pub mod path;
pub mod range;
pub mod request;
pub mod serve;
pub mod stream;

#[cfg(target_arch = "wasm32")]
mod component;
