//! Static file server component for Spin (`wasm32-wasip2`), built for WASI
//! 0.2 with spin-sdk 5.2 (feature `p2`, the default) or WASI 0.3 with
//! spin-sdk 7 (feature `p3`) from the same serving code.
//!
//! Serves the files Spin mounts at `/` (spin.toml `files`): percent-decoded,
//! traversal-proof paths; `index.html` for directories and a 301 to `dir/`;
//! strong ETag + Last-Modified with `If-None-Match` / `If-Modified-Since`;
//! single `Range` requests; precompressed `.br`/`.gz` sidecars chosen by
//! `Accept-Encoding`; `FALLBACK_PATH` / `CUSTOM_404_PATH`; bodies streamed in
//! 64 KiB chunks. Everything but the adapter is pure and tested natively.
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
//! - [`transfer`]: what both adapters do: plan, open the file before the
//!   status is sent, send the body in chunks
//! - `p2` (WASI 0.2, `#[http_component]`) and `p3` (WASI 0.3,
//!   `wasi:http/handler@0.3.0`): the adapters, compiled for `wasm32` only
//!   (their export symbols cannot link into a native cdylib)

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
pub mod transfer;

#[cfg(all(target_arch = "wasm32", feature = "p2"))]
mod p2;

// spin-sdk 7's export macro names the crate `spin_sdk`.
#[cfg(all(target_arch = "wasm32", feature = "p3"))]
extern crate spin_sdk_p3 as spin_sdk;
#[cfg(all(target_arch = "wasm32", feature = "p3"))]
mod p3;

#[cfg(all(target_arch = "wasm32", feature = "p2", feature = "p3"))]
compile_error!("build static-fileserver with one of the features p2 (default) or p3");
