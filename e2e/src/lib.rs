//! spin-sse-e2e: end-to-end and headless-browser tests of spin-sse.
//!
//! This crate has no library code. Everything is in the integration-test
//! binary `tests/e2e.rs`, whose module list is the table of contents.
//!
//! Layout:
//! - `tests/e2e.rs`: the test binary (table of contents).
//! - `tests/e2e/support.rs` (+ `support/`): fixture, HTTP client, SSE reader, Chromium driver.
//! - `tests/e2e/sse.rs`, `fileserver.rs`, `browser.rs`, `runner_rules.rs`: the tests.
