//! `allowed_outbound_hosts` entries, parsed and matched as Spin 4.0.2's
//! outbound-networking config does (pure): `<scheme>://<host>[:<port>]` with
//! `*` for any scheme, host or port, `*.domain` for any subdomain, IP
//! addresses and CIDR ranges, port ranges `a..b` (end excluded), and the
//! scheme's well-known port when none is given (`redis` → 6379). A guest's
//! address is parsed as a URL (a bare `host:port` gets the default scheme)
//! and allowed when any entry matches its scheme, host and port. Entries may
//! hold `{{ variable }}` templates, resolved at start-up. This runner
//! honours only `redis://` and `rediss://` entries (outbound HTTP and
//! sockets stay denied), so any other scheme is a start-up error.

#[cfg(test)]
mod tests;

use crate::app::variables::{AppVariables, Template};
use std::net::IpAddr;
use url::Host;

/// Schemes this runner can connect to.
pub const HONOURED_SCHEMES: [&str; 2] = ["redis", "rediss"];

/// A component's `allowed_outbound_hosts` (manifest key `key`), templates
/// resolved with `vars`. Errors name the entry; a resolved value is shown
/// only when no secret variable went into it.
pub fn for_component(
    entries: &[String],
    key: &str,
    vars: &AppVariables,
) -> Result<Vec<AllowedHost>, String> {
    if let [only] = entries {
        if only == "insecure:allow-all" {
            return Err(format!("`{key}`: 'insecure:allow-all' is not allowed - use '*://*:*' instead if you really want to allow all outbound traffic"));
        }
    }
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("{key}[{i}]");
        let template = Template::parse(entry).map_err(|e| format!("`{at}`: {e}"))?;
        vars.check(&template, &at)?;
        let resolved = vars.render(&template);
        let host = AllowedHost::parse(&resolved).map_err(|e| {
            if template.variables().next().is_none() {
                format!("`{at}` = {entry:?} is not valid: {e}")
            } else if vars.uses_secret(&template) {
                format!("`{at}` = {entry:?} is not valid once its variables are filled in (the value uses a secret, so it is not shown)")
            } else {
                format!("`{at}` = {entry:?} resolves to {resolved:?}, which is not valid: {e}")
            }
        })?;
        if !host.scheme().is_some_and(|s| HONOURED_SCHEMES.contains(&s)) {
            return Err(format!("`{at}` is not supported by spin-sse-runner (only redis:// and rediss:// entries are honoured; outbound HTTP and sockets stay denied, found {entry:?}); run this app with `spin up` instead"));
        }
        out.push(host);
    }
    Ok(out)
}

/// One parsed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    scheme: Option<String>,
    host: HostPattern,
    ports: Ports,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Subdomain(String),
    ToSelf,
    Literal(Host),
    Network(IpAddr, u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ports {
    Any,
    One(u16),
    Range(u16, u16),
}

/// A guest's destination, as far as the check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundUrl {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl OutboundUrl {
    /// Parses `url`; without a `scheme://` (or without a host) it is read
    /// again as `default_scheme://url`. User info is ignored.
    pub fn parse(url: &str, default_scheme: &str) -> Result<OutboundUrl, String> {
        let parsed = match url::Url::parse(&encode_userinfo(url)) {
            Ok(u) if u.has_host() => u,
            first => {
                match url::Url::parse(&encode_userinfo(&format!("{default_scheme}://{url}"))) {
                    Ok(u) => u,
                    Err(e) => return Err(first.err().unwrap_or(e).to_string()),
                }
            }
        };
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("{url:?} does not have a host component"))?;
        Ok(OutboundUrl {
            scheme: parsed.scheme().to_string(),
            host: host.to_string(),
            port: parsed.port(),
        })
    }

    /// `scheme://host[:port]`, without user info (so no password is shown).
    pub fn destination(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{p}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// Percent-encodes the user info of `scheme://user:pass@host`, so that
/// characters such as `#` or `/` in a password do not break URL parsing.
fn encode_userinfo(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find('/').map_or(url.len(), |i| start + i);
    let Some(at) = url[start..end].rfind('@').map(|i| start + i) else {
        return url.to_string();
    };
    let encoded: String =
        url::form_urlencoded::byte_serialize(&url.as_bytes()[start..at]).collect();
    format!("{}{encoded}{}", &url[..start], &url[at..])
}

impl AllowedHost {
    /// Parses one entry; errors are Spin's reasons.
    pub fn parse(entry: &str) -> Result<AllowedHost, String> {
        let text = entry.trim();
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(match text {
                "*" | ":" | "" | "?" => format!("{text:?} is not an allowed outbound host format: hosts must be in the form <scheme>://<host>[:<port>], with '*' wildcards allowed for each"),
                _ => format!("{text:?} does not contain a scheme (e.g., 'redis://' or '*://')"),
            });
        };
        let (host, port) = rest.rsplit_once(':').unwrap_or((rest, ""));
        let port = match port.split_once('/') {
            Some((_, path)) if !path.is_empty() => {
                return Err(format!("{text:?} has a path but is not allowed to"))
            }
            Some((port, _)) => port,
            None => port,
        };
        let ports = parse_ports(port, scheme)
            .map_err(|e| format!("invalid allowed host port {port:?}: {e}"))?;
        let scheme = parse_scheme(scheme)
            .map_err(|e| format!("invalid allowed host scheme {scheme:?}: {e}"))?;
        let host = parse_host(host).map_err(|e| format!("invalid allowed host {host:?}: {e}"))?;
        Ok(AllowedHost {
            scheme,
            host,
            ports,
        })
    }

    /// The scheme this entry is for; `None` for `*`.
    pub fn scheme(&self) -> Option<&str> {
        self.scheme.as_deref()
    }

    /// Whether this entry allows `url`.
    pub fn allows(&self, url: &OutboundUrl) -> bool {
        self.scheme.as_ref().is_none_or(|s| *s == url.scheme)
            && host_allows(&self.host, &url.host)
            && match self.ports {
                Ports::Any => true,
                _ => url
                    .port
                    .or_else(|| well_known_port(&url.scheme))
                    .is_some_and(|p| match self.ports {
                        Ports::One(one) => p == one,
                        Ports::Range(start, end) => (start..end).contains(&p),
                        Ports::Any => true,
                    }),
            }
    }
}

/// Whether any of `entries` allows `url`.
pub fn allows(entries: &[AllowedHost], url: &OutboundUrl) -> bool {
    entries.iter().any(|e| e.allows(url))
}

fn parse_scheme(scheme: &str) -> Result<Option<String>, String> {
    if scheme == "*" {
        Ok(None)
    } else if scheme.starts_with('{') {
        Err("scheme lists are not supported".into())
    } else if scheme.is_empty() || !scheme.chars().all(char::is_alphabetic) {
        Err("only alphabetic characters are allowed".into())
    } else {
        Ok(Some(scheme.to_string()))
    }
}

fn parse_host(host: &str) -> Result<HostPattern, String> {
    let host = host.trim();
    match host {
        "*" => return Ok(HostPattern::Any),
        "self" | "self.alt" => return Ok(HostPattern::ToSelf),
        _ if host.starts_with('{') => return Err("host lists are not yet supported".into()),
        _ => {}
    }
    if let Some(net) = parse_network(host) {
        return Ok(net);
    }
    let host = host.trim_end_matches('/');
    if host.contains('/') {
        return Err("must not include a path".into());
    }
    if let Some(domain) = host.strip_prefix("*.") {
        if domain.contains('*') {
            return Err("wildcards are allowed only as prefixes".into());
        }
        return Ok(HostPattern::Subdomain(format!(".{domain}")));
    }
    if host.contains('*') {
        return Err("wildcards are allowed only as subdomains".into());
    }
    Host::parse(host)
        .map(HostPattern::Literal)
        .map_err(|e| e.to_string())
}

/// An IP address (one address) or `ip/prefix` (host bits ignored).
fn parse_network(host: &str) -> Option<HostPattern> {
    let (ip, prefix) = match host.split_once('/') {
        Some((ip, prefix)) => (ip.parse::<IpAddr>().ok()?, Some(prefix.parse::<u8>().ok()?)),
        None => (host.parse::<IpAddr>().ok()?, None),
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(max);
    (prefix <= max).then_some(HostPattern::Network(ip, prefix))
}

fn host_allows(pattern: &HostPattern, host: &str) -> bool {
    let Ok(host) = Host::parse(host) else {
        return false;
    };
    match (pattern, host) {
        (HostPattern::Any, _) => true,
        (HostPattern::Subdomain(suffix), Host::Domain(d)) => d.ends_with(suffix.as_str()),
        (HostPattern::Literal(literal), host) => host == *literal,
        (HostPattern::Network(net, prefix), Host::Ipv4(ip)) => in_network(*net, *prefix, ip.into()),
        (HostPattern::Network(net, prefix), Host::Ipv6(ip)) => in_network(*net, *prefix, ip.into()),
        _ => false,
    }
}

fn in_network(net: IpAddr, prefix: u8, ip: IpAddr) -> bool {
    let (net, ip, bits) = match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => (u32::from(n) as u128, u32::from(i) as u128, 32),
        (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
        _ => return false,
    };
    let shift = bits - u32::from(prefix);
    shift >= bits || (net >> shift) == (ip >> shift)
}

fn parse_ports(port: &str, scheme: &str) -> Result<Ports, String> {
    if port.is_empty() {
        return well_known_port(scheme).map(Ports::One).ok_or_else(|| {
            format!("no port was provided and the scheme {scheme:?} does not have a known default port number")
        });
    }
    if port == "*" {
        return Ok(Ports::Any);
    }
    if port.starts_with('{') {
        return Err("port lists are not yet supported".into());
    }
    let number = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("port range {port:?} contains non-number"))
    };
    match port.split_once("..") {
        Some((start, end)) => Ok(Ports::Range(number(start)?, number(end)?)),
        None => port
            .parse()
            .map(Ports::One)
            .map_err(|_| format!("port {port:?} is not a number")),
    }
}

fn well_known_port(scheme: &str) -> Option<u16> {
    match scheme {
        "postgres" => Some(5432),
        "mysql" => Some(3306),
        "redis" => Some(6379),
        "mqtt" => Some(1883),
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}
