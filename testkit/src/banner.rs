//! The addresses a server announces on stdout when it is ready: `Serving
//! http://ADDR` (the runner, the benchmark's peer, `spin up`) or `Serving
//! HTTP on http://ADDR/` (`wasmtime serve`), and the runner's `Metrics
//! http://ADDR/metrics`.

use std::net::SocketAddr;

/// The address in a serving line, as printed.
pub fn serving(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("Serving ")?;
    let url = rest.strip_prefix("HTTP on ").unwrap_or(rest);
    let addr = url.strip_prefix("http://")?.trim_end_matches('/');
    (!addr.is_empty() && !addr.contains([' ', '/'])).then_some(addr)
}

/// The address in the runner's metrics line, as printed.
pub fn metrics(line: &str) -> Option<&str> {
    let addr = line
        .trim()
        .strip_prefix("Metrics http://")?
        .strip_suffix("/metrics")?;
    (!addr.is_empty()).then_some(addr)
}

/// [`serving`] as a socket address.
pub fn serving_addr(line: &str) -> Option<SocketAddr> {
    serving(line)?.parse().ok()
}

/// [`metrics`] as a socket address.
pub fn metrics_addr(line: &str) -> Option<SocketAddr> {
    metrics(line)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serving_lines_of_runner_spin_and_wasmtime_parse() {
        assert_eq!(
            serving("Serving http://127.0.0.1:41234"),
            Some("127.0.0.1:41234")
        );
        assert_eq!(
            serving("Serving HTTP on http://127.0.0.1:8080/"),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            serving_addr("Serving http://127.0.0.1:3000"),
            Some("127.0.0.1:3000".parse().unwrap())
        );
        assert_eq!(serving("[sse] Serving nothing"), None);
        assert_eq!(serving("Available Routes:"), None);
        assert_eq!(serving("  sse: http://127.0.0.1:1/sse"), None);
    }

    #[test]
    fn metrics_line_parses() {
        assert_eq!(
            metrics("Metrics http://127.0.0.1:9/metrics"),
            Some("127.0.0.1:9")
        );
        assert_eq!(
            metrics_addr("Metrics http://127.0.0.1:9/metrics"),
            Some("127.0.0.1:9".parse().unwrap())
        );
        assert_eq!(metrics("Metrics http://127.0.0.1:9/"), None);
    }
}
