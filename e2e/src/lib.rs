//! End-to-end tests (placeholder until they land).
