//! SSE component (placeholder until it lands).
