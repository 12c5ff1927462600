//! The parts of an HTTP request the server looks at, and header lookups.
//!
//! Which path to serve: the **last** `spin-path-info` value (Spin appends its
//! own after any a client sent, so the last one is Spin's), else the request
//! path (e.g. under `wasmtime serve`). Redirects keep the route prefix: under
//! Spin the request URI is the original one, so `/assets/dir` (route
//! `/assets/...`, path info `/dir`) redirects to `/assets/dir/`; if the URI
//! does not end with the path info, `spin-component-route` + path info is used.

/// Method, request target and headers (names lower-cased).
#[derive(Debug, Clone)]
pub struct RequestParts {
    pub method: String,
    path_with_query: String,
    headers: Vec<(String, String)>,
}

impl RequestParts {
    /// Header values that are not UTF-8 are dropped.
    pub fn new(
        method: impl Into<String>,
        path_with_query: impl Into<String>,
        headers: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> Self {
        let headers = headers
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), String::from_utf8(v).ok()?)))
            .collect();
        RequestParts {
            method: method.into(),
            path_with_query: path_with_query.into(),
            headers,
        }
    }

    /// The request path without its query string.
    pub fn url_path(&self) -> &str {
        let p = self.path_with_query.as_str();
        p.split_once('?').map_or(p, |(path, _)| path)
    }

    /// The query string (without `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.path_with_query.split_once('?').map(|(_, q)| q)
    }

    /// The path to look up under the mount.
    pub fn lookup_path(&self) -> &str {
        self.last("spin-path-info")
            .unwrap_or_else(|| self.url_path())
    }

    /// Last value of a header.
    pub fn last(&self, name: &str) -> Option<&str> {
        self.values(name).last()
    }

    /// The value of a header that must occur once; `None` if absent or repeated.
    pub fn single(&self, name: &str) -> Option<&str> {
        let mut it = self.values(name);
        let first = it.next()?;
        it.next().is_none().then_some(first)
    }

    /// All values of a list-valued header joined with `, `.
    pub fn joined(&self, name: &str) -> Option<String> {
        let vals: Vec<&str> = self.values(name).collect();
        (!vals.is_empty()).then(|| vals.join(", "))
    }

    fn values<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `Location` for the slash redirect of a directory requested without it.
    pub fn slash_redirect_location(&self) -> String {
        let url_path = self.url_path();
        let info = self.lookup_path();
        let mut loc = if url_path.ends_with(info) && url_path.starts_with('/') {
            url_path.to_owned()
        } else {
            let route = self.last("spin-component-route").unwrap_or("");
            format!("{}{}", route.trim_end_matches('/'), info)
        };
        loc.push('/');
        // Never emit `//host/...`, which a browser would read as another origin.
        let trimmed = loc.trim_start_matches('/');
        let mut loc = format!("/{trimmed}");
        if let Some(q) = self.query() {
            loc.push('?');
            loc.push_str(q);
        }
        loc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(path: &str, headers: &[(&str, &str)]) -> RequestParts {
        RequestParts::new(
            "GET",
            path,
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())),
        )
    }

    #[test]
    fn path_comes_from_last_spin_path_info_so_clients_cannot_steer_it() {
        let r = req(
            "/assets/a.css",
            &[
                ("spin-path-info", "/secret.txt"),
                ("Spin-Path-Info", "/a.css"),
            ],
        );
        assert_eq!(r.lookup_path(), "/a.css");
    }

    #[test]
    fn path_falls_back_to_request_path_without_query() {
        let r = req("/a%20b.txt?v=3", &[]);
        assert_eq!(r.lookup_path(), "/a%20b.txt");
        assert_eq!(r.query(), Some("v=3"));
    }

    #[test]
    fn empty_path_info_is_used_as_is() {
        let r = req("/assets", &[("spin-path-info", "")]);
        assert_eq!(r.lookup_path(), "");
        assert_eq!(r.slash_redirect_location(), "/assets/");
    }

    #[test]
    fn redirect_keeps_route_prefix_and_query() {
        let r = req("/assets/docs?x=1", &[("spin-path-info", "/docs")]);
        assert_eq!(r.slash_redirect_location(), "/assets/docs/?x=1");
        let r = req("/docs", &[]);
        assert_eq!(r.slash_redirect_location(), "/docs/");
    }

    #[test]
    fn redirect_uses_component_route_when_uri_disagrees_with_path_info() {
        let r = req(
            "/elsewhere",
            &[
                ("spin-path-info", "/docs"),
                ("spin-component-route", "/assets"),
            ],
        );
        assert_eq!(r.slash_redirect_location(), "/assets/docs/");
    }

    #[test]
    fn redirect_never_starts_with_two_slashes() {
        let r = req("//evil.example/x", &[]);
        assert_eq!(r.slash_redirect_location(), "/evil.example/x/");
    }

    #[test]
    fn single_rejects_repeated_headers_and_joined_merges_lists() {
        let r = req(
            "/",
            &[
                ("range", "bytes=0-1"),
                ("Range", "bytes=2-3"),
                ("accept-encoding", "br"),
                ("Accept-Encoding", "gzip"),
            ],
        );
        assert_eq!(r.single("range"), None);
        assert_eq!(r.joined("accept-encoding").as_deref(), Some("br, gzip"));
        assert_eq!(r.single("if-none-match"), None);
    }

    #[test]
    fn non_utf8_header_values_are_dropped() {
        let r = RequestParts::new("GET", "/", vec![("x".to_string(), vec![0xff, 0xfe])]);
        assert_eq!(r.last("x"), None);
    }
}
