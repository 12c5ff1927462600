//! Benchmark kit (placeholder until it lands).
