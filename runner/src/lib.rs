//! Embedded runner (placeholder until it lands).
