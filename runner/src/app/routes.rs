//! HTTP route table with Spin's matching rules (pure; no I/O).
//!
//! Routes are written as in `spin.toml`: `/exact`, `/prefix/...` (trailing
//! wildcard; `/prefix/*` is the same), `/` and `/...`, and `:name` segments
//! (captured). A missing leading `/` is added and one trailing `/` is dropped,
//! so `/foo/` is the route `/foo`. An exact route matches its path with or
//! without a trailing slash; a wildcard `/p/...` matches `/p`, `/p/` and
//! everything below. When several routes match, the most specific wins,
//! compared segment by segment from the left: an exact segment beats a
//! `:name` capture, which beats the wildcard; if one route's segments are a
//! prefix of the other's, the shorter (exact `/one` over `/one/...`) wins.
//! So exact beats wildcard and the longest wildcard prefix wins, whatever
//! the manifest order.
//!
//! Differences from Spin: two routes that normalise to the same pattern are
//! an error at startup (Spin logs them and lets the last one win), and only
//! the pattern forms above are accepted.

use std::cmp::Ordering;
use std::fmt;

/// One route segment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Exact(String),
    Param(String),
}

/// A parsed route bound to a component.
#[derive(Debug, Clone)]
pub struct Route {
    raw: String,
    based: String,
    component: String,
    segments: Vec<Segment>,
    wildcard: bool,
}

impl Route {
    /// Parses `raw` (as written in the manifest) for `component`.
    pub fn parse(raw: &str, component: &str) -> Result<Route, String> {
        let absolute = if raw.starts_with('/') {
            raw.to_string()
        } else {
            format!("/{raw}")
        };
        let based = absolute.strip_suffix('/').unwrap_or(&absolute).to_string();
        let (prefix, wildcard) = match based
            .strip_suffix("/...")
            .or_else(|| based.strip_suffix("/*"))
        {
            Some(prefix) => (prefix, true),
            None if based == "/..." || based == "/*" => ("", true),
            None => (based.as_str(), false),
        };
        let mut segments = Vec::new();
        for part in prefix.split('/').skip(1) {
            if part.is_empty()
                || part.contains('*')
                || part.contains("...")
                || part.chars().skip(1).any(|c| c == ':')
            {
                return Err(format!(
                    "route `{raw}` for component `{component}` uses a pattern spin-sse-runner does not support (use `/exact`, `/prefix/...` or `:name` segments, or run with `spin up`)"
                ));
            }
            segments.push(match part.strip_prefix(':') {
                Some("") => {
                    return Err(format!(
                        "route `{raw}` for component `{component}` has an unnamed `:` segment"
                    ))
                }
                Some(name) => Segment::Param(name.to_string()),
                None => Segment::Exact(part.to_string()),
            });
        }
        Ok(Route {
            raw: raw.to_string(),
            based,
            component: component.to_string(),
            segments,
            wildcard,
        })
    }

    /// The route as written in the manifest (`spin-raw-component-route`).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The normalised route (`spin-matched-route`): leading `/` added, one
    /// trailing `/` removed, so `/` becomes the empty string as in Spin.
    pub fn based(&self) -> &str {
        &self.based
    }

    /// The raw route without a trailing `/...` (`spin-component-route`).
    pub fn raw_or_prefix(&self) -> &str {
        self.raw.strip_suffix("/...").unwrap_or(&self.raw)
    }

    /// Component id this route serves.
    pub fn component(&self) -> &str {
        &self.component
    }

    /// Specificity ranks per position: exact 0, capture 1, wildcard 2.
    fn ranks(&self) -> impl Iterator<Item = u8> + '_ {
        let segs = self.segments.iter().map(|s| match s {
            Segment::Exact(_) => 0,
            Segment::Param(_) => 1,
        });
        segs.chain(self.wildcard.then_some(2))
    }

    /// Orders routes so the more specific compares `Less`.
    fn specificity(&self, other: &Route) -> Ordering {
        for (a, b) in self.ranks().zip(other.ranks()) {
            if a != b {
                return a.cmp(&b);
            }
        }
        self.ranks().count().cmp(&other.ranks().count())
    }

    /// Same pattern, ignoring capture names.
    fn same_pattern(&self, other: &Route) -> bool {
        self.wildcard == other.wildcard
            && self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|pair| match pair {
                    (Segment::Exact(a), Segment::Exact(b)) => a == b,
                    (Segment::Param(_), Segment::Param(_)) => true,
                    _ => false,
                })
    }

    /// Matches `path` (the request's raw, still percent-encoded path):
    /// returns the path info and the captures.
    fn matches<'p>(&self, path: &'p str) -> Option<(&'p str, Vec<(String, &'p str)>)> {
        if !path.starts_with('/') {
            return None;
        }
        let mut pos = 0; // index of the `/` before the next segment
        let mut captures = Vec::new();
        for seg in &self.segments {
            if path.as_bytes().get(pos) != Some(&b'/') {
                return None;
            }
            let start = pos + 1;
            let end = path[start..].find('/').map_or(path.len(), |i| start + i);
            let part = &path[start..end];
            match seg {
                Segment::Exact(s) if s == part => {}
                Segment::Param(name) if !part.is_empty() => captures.push((name.clone(), part)),
                _ => return None,
            }
            pos = end;
        }
        let rest = &path[pos..];
        if self.wildcard {
            (rest.is_empty() || rest.starts_with('/')).then_some((rest, captures))
        } else {
            (rest.is_empty() || rest == "/").then_some(("", captures))
        }
    }
}

impl fmt::Display for Route {
    /// As Spin prints it after the base URL: `/sse`, `/static (wildcard)`;
    /// the root routes print as `` and ` (wildcard)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.wildcard {
            let prefix = self
                .based
                .strip_suffix("/...")
                .or_else(|| self.based.strip_suffix("/*"));
            write!(f, "{} (wildcard)", prefix.unwrap_or(""))
        } else {
            f.write_str(&self.based)
        }
    }
}

/// A successful match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<'r> {
    /// The route that won.
    pub route: &'r Route,
    /// Path below a wildcard's prefix (`spin-path-info`); empty for exact routes.
    pub path_info: String,
    /// `:name` captures in route order.
    pub captures: Vec<(String, String)>,
}

impl PartialEq for Route {
    fn eq(&self, other: &Route) -> bool {
        self.raw == other.raw && self.component == other.component
    }
}
impl Eq for Route {}

/// The route table, in manifest order.
#[derive(Debug, Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    /// Builds the table from `(route, component)` pairs; a bad pattern or two
    /// routes with the same pattern are errors.
    pub fn build<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Router, String> {
        let mut routes: Vec<Route> = Vec::new();
        for (raw, component) in entries {
            let route = Route::parse(raw, component)?;
            if let Some(prev) = routes.iter().find(|r| r.same_pattern(&route)) {
                return Err(format!(
                    "duplicate route: `{}` (component `{}`) and `{}` (component `{}`) match the same requests; give each component its own route",
                    prev.raw, prev.component, route.raw, route.component
                ));
            }
            routes.push(route);
        }
        Ok(Router { routes })
    }

    /// Routes in manifest order.
    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter()
    }

    /// The most specific route matching `path`, if any.
    pub fn route(&self, path: &str) -> Option<RouteMatch<'_>> {
        let mut best: Option<&Route> = None;
        for route in &self.routes {
            let better = best.is_none_or(|b| route.specificity(b) == Ordering::Less);
            if better && route.matches(path).is_some() {
                best = Some(route);
            }
        }
        let route = best?;
        let (info, caps) = route.matches(path)?;
        Some(RouteMatch {
            route,
            path_info: info.to_string(),
            captures: caps.into_iter().map(|(k, v)| (k, v.to_string())).collect(),
        })
    }
}

#[cfg(test)]
mod tests;
