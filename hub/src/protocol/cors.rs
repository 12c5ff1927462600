//! CORS as the reference hub configures it (rs/cors with credentials):
//! configured origins get `Access-Control-Allow-Origin: <origin>` and
//! `Access-Control-Allow-Credentials: true`, so the `mercureAuthorization`
//! cookie works cross-origin; preflights allow GET, POST and HEAD and the
//! `authorization`, `cache-control` and `last-event-id` headers and answer
//! 204. Other origins get no CORS headers (the browser then refuses).

/// Headers the hub accepts cross-origin, beyond the CORS-safelisted ones.
const ALLOWED_HEADERS: [&str; 7] = [
    "authorization",
    "cache-control",
    "last-event-id",
    "accept",
    "content-type",
    "origin",
    "x-requested-with",
];
const ALLOWED_METHODS: [&str; 3] = ["GET", "POST", "HEAD"];

pub type Header = (&'static str, String);

/// Headers for an actual (non-preflight) request from `origin`.
pub fn response_headers(origin: Option<&str>, allowed: impl Fn(&str) -> bool) -> Vec<Header> {
    let mut headers = vec![("vary", "Origin".to_owned())];
    if let Some(origin) = origin.filter(|o| allowed(o)) {
        headers.push(("access-control-allow-origin", origin.to_owned()));
        headers.push(("access-control-allow-credentials", "true".to_owned()));
    }
    headers
}

/// Headers for a preflight (`OPTIONS` with `Access-Control-Request-Method`).
pub fn preflight_headers(
    origin: Option<&str>,
    method: &str,
    request_headers: &str,
    allowed: impl Fn(&str) -> bool,
) -> Vec<Header> {
    let mut headers = vec![(
        "vary",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers".to_owned(),
    )];
    let Some(origin) = origin.filter(|o| allowed(o)) else {
        return headers;
    };
    if !ALLOWED_METHODS.contains(&method.to_ascii_uppercase().as_str()) {
        return headers;
    }
    let asked: Vec<String> = request_headers
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if !asked.iter().all(|h| ALLOWED_HEADERS.contains(&h.as_str())) {
        return headers;
    }
    headers.push(("access-control-allow-origin", origin.to_owned()));
    headers.push(("access-control-allow-credentials", "true".to_owned()));
    headers.push(("access-control-allow-methods", method.to_ascii_uppercase()));
    if !asked.is_empty() {
        headers.push(("access-control-allow-headers", asked.join(", ")));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(origin: &str) -> bool {
        origin == "https://app.example"
    }

    fn get<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn allowed_origin_is_echoed_with_credentials() {
        let headers = response_headers(Some("https://app.example"), app);
        assert_eq!(
            get(&headers, "access-control-allow-origin"),
            Some("https://app.example")
        );
        assert_eq!(
            get(&headers, "access-control-allow-credentials"),
            Some("true")
        );
        assert_eq!(get(&headers, "vary"), Some("Origin"));
    }

    #[test]
    fn other_or_missing_origins_get_no_cors_headers() {
        for origin in [Some("https://evil.example"), None] {
            let headers = response_headers(origin, app);
            assert_eq!(get(&headers, "access-control-allow-origin"), None);
            let pre = preflight_headers(origin, "GET", "", app);
            assert_eq!(get(&pre, "access-control-allow-origin"), None);
        }
    }

    #[test]
    fn preflight_allows_the_hub_methods_and_headers() {
        let pre = preflight_headers(
            Some("https://app.example"),
            "POST",
            "Authorization, Last-Event-ID",
            app,
        );
        assert_eq!(get(&pre, "access-control-allow-methods"), Some("POST"));
        assert_eq!(
            get(&pre, "access-control-allow-headers"),
            Some("authorization, last-event-id")
        );
        assert_eq!(get(&pre, "access-control-allow-credentials"), Some("true"));
        let delete = preflight_headers(Some("https://app.example"), "DELETE", "", app);
        assert_eq!(get(&delete, "access-control-allow-origin"), None);
        let odd = preflight_headers(Some("https://app.example"), "GET", "x-custom", app);
        assert_eq!(get(&odd, "access-control-allow-origin"), None);
    }
}
