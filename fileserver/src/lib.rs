//! Static file server component (placeholder until it lands).
