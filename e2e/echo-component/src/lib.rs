//! Test fixture component (placeholder until it lands).
