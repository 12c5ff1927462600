//! Wasmtime and the component instances it runs.
//!
//! [`config`] builds the engine (pooling allocator sized for many idle
//! instances); [`loader`] compiles and pre-links every routed component once
//! and makes each instance's fresh store; [`instances`] holds the
//! `--max-instances` slots and the `/metrics` counters; [`trim`] hands freed
//! heap back to the kernel once a burst of instances has ended.

pub mod config;
pub mod instances;
pub mod loader;
pub mod trim;
