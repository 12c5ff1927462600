//! spin-sse-e2e: end-to-end and headless-browser tests of spin-sse.
//!
//! This crate has no library code. Everything is in the integration-test
//! binary `tests/e2e.rs`, whose module list is the table of contents.
//!
//! Layout:
//! - `tests/e2e.rs`: the test binary (table of contents).
//! - `tests/e2e/support.rs` + `support/`: fixture (build once, runner
//!   processes, temp apps), headless Chromium over the DevTools pipe; the
//!   raw HTTP client and the timestamped SSE reader come from `sse-testkit`.
//! - `tests/e2e/sse.rs`, `sse_runner.rs`: the SSE component's contract.
//! - `tests/e2e/fileserver.rs`, `fileserver_mounts.rs`, `fileserver_paths.rs`:
//!   the file server's contract and the hostile-path battery.
//! - `tests/e2e/browser.rs`: the page in Chromium; screenshots to `target/e2e/`.
//! - `tests/e2e/runner_rules.rs` + `runner_rules/`: the embedded runner's rules.
