//! Target URLs: parsing `http://host:port/path?query` and the loopback-only rule.
//!
//! The kit only ever sends traffic to this machine. A target whose host is not
//! an IP literal in 127.0.0.0/8, `::1` or `localhost` is refused before any
//! socket is opened; so is a source address outside loopback.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// A parsed `http://` URL pointing at a loopback address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Socket address to connect to (always loopback).
    pub addr: SocketAddr,
    /// Path and query, starting with `/`.
    pub path: String,
    /// Value for the `Host` header.
    pub host_header: String,
}

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// Not of the form `http://host:port/...`.
    Malformed(String),
    /// Host is not a loopback address.
    NotLoopback(String),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::Malformed(why) => write!(f, "malformed target URL: {why}"),
            TargetError::NotLoopback(host) => write!(
                f,
                "refusing target host `{host}`: only loopback (127.0.0.0/8, ::1, localhost) may be loaded"
            ),
        }
    }
}

impl std::error::Error for TargetError {}

/// True for 127.0.0.0/8 and ::1 (and IPv4-mapped 127/8).
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Parses `http://host[:port][/path]`, refusing anything that is not loopback.
pub fn parse_target(url: &str) -> Result<Target, TargetError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| TargetError::Malformed(format!("`{url}` must start with http://")))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(TargetError::Malformed(format!("`{url}` has no host")));
    }
    let (host, port) = split_host_port(authority)?;
    let ip = resolve_loopback(host)?;
    Ok(Target {
        addr: SocketAddr::new(ip, port),
        path: path.to_string(),
        host_header: authority.to_string(),
    })
}

fn split_host_port(authority: &str) -> Result<(&str, u16), TargetError> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let end = v6
            .find(']')
            .ok_or_else(|| TargetError::Malformed(format!("unclosed `[` in `{authority}`")))?;
        let after = &v6[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => {
                return Err(TargetError::Malformed(format!(
                    "junk after `]` in `{authority}`"
                )))
            }
        };
        (&v6[..end], port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => 80,
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| TargetError::Malformed(format!("bad port `{p}`")))?,
    };
    Ok((host, port))
}

fn resolve_loopback(host: &str) -> Result<IpAddr, TargetError> {
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    let ip: IpAddr = host
        .parse()
        .map_err(|_| TargetError::NotLoopback(host.to_string()))?;
    if is_loopback(ip) {
        Ok(ip)
    } else {
        Err(TargetError::NotLoopback(host.to_string()))
    }
}

/// Parses a source-address list: `127.0.0.1`, `127.0.0.1-127.0.0.8` or a
/// comma-separated mix. Every address must be loopback.
pub fn parse_sources(spec: &str) -> Result<Vec<IpAddr>, TargetError> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if let Some((a, b)) = part.split_once('-') {
            let a: Ipv4Addr = a
                .parse()
                .map_err(|_| TargetError::Malformed(format!("bad source address `{a}`")))?;
            let b: Ipv4Addr = b
                .parse()
                .map_err(|_| TargetError::Malformed(format!("bad source address `{b}`")))?;
            let (lo, hi) = (u32::from(a), u32::from(b));
            if hi < lo || hi - lo > 65_535 {
                return Err(TargetError::Malformed(format!("bad source range `{part}`")));
            }
            for n in lo..=hi {
                out.push(IpAddr::V4(Ipv4Addr::from(n)));
            }
        } else {
            out.push(
                part.parse()
                    .map_err(|_| TargetError::Malformed(format!("bad source address `{part}`")))?,
            );
        }
    }
    if let Some(bad) = out.iter().find(|ip| !is_loopback(**ip)) {
        return Err(TargetError::NotLoopback(bad.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_loopback_v4_anywhere_in_127_slash_8() {
        let t = parse_target("http://127.3.2.1:8080/sse?count=1").unwrap();
        assert_eq!(t.addr, "127.3.2.1:8080".parse().unwrap());
        assert_eq!(t.path, "/sse?count=1");
        assert_eq!(t.host_header, "127.3.2.1:8080");
    }

    #[test]
    fn accepts_ipv6_loopback_and_localhost() {
        assert_eq!(
            parse_target("http://[::1]:3000/").unwrap().addr,
            "[::1]:3000".parse().unwrap()
        );
        let t = parse_target("http://localhost:3000").unwrap();
        assert_eq!(t.addr, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(t.path, "/");
    }

    #[test]
    fn refuses_private_public_and_named_hosts() {
        for url in [
            "http://10.0.0.1:80/sse",
            "http://192.168.1.2/",
            "http://8.8.8.8:53/",
            "http://example.com/sse",
            "http://[2001:db8::1]:80/",
            "http://0.0.0.0:3000/",
        ] {
            assert!(
                matches!(parse_target(url), Err(TargetError::NotLoopback(_))),
                "{url} must be refused"
            );
        }
    }

    #[test]
    fn refusal_message_names_the_rule() {
        let msg = parse_target("http://10.1.1.1/").unwrap_err().to_string();
        assert!(msg.contains("only loopback"), "{msg}");
    }

    #[test]
    fn rejects_non_http_and_bad_ports() {
        assert!(matches!(
            parse_target("https://127.0.0.1/"),
            Err(TargetError::Malformed(_))
        ));
        assert!(matches!(
            parse_target("http://127.0.0.1:99999/"),
            Err(TargetError::Malformed(_))
        ));
        assert!(matches!(
            parse_target("http:///x"),
            Err(TargetError::Malformed(_))
        ));
    }

    #[test]
    fn source_ranges_expand_and_must_be_loopback() {
        let ips = parse_sources("127.0.0.1-127.0.0.3,127.0.1.1").unwrap();
        assert_eq!(ips.len(), 4);
        assert_eq!(ips[2], "127.0.0.3".parse::<IpAddr>().unwrap());
        assert!(matches!(
            parse_sources("127.0.0.1,10.0.0.1"),
            Err(TargetError::NotLoopback(_))
        ));
        assert!(matches!(
            parse_sources("127.0.0.9-127.0.0.1"),
            Err(TargetError::Malformed(_))
        ));
    }
}
