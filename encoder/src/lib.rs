//! Server-Sent Events wire encoding (placeholder until the encoder lands).
