//! The runner's `spin-*` request headers (`headers.rs` is a link to the
//! runner's own file, see [`crate::app`]).

pub mod headers;
