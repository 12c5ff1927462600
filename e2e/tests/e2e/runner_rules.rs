//! The embedded runner's own rules over HTTP (filled in by the runner's author).
