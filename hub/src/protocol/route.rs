//! Which of the hub's routes a request is for, from its path, for both
//! ABIs: the hub itself, its health check, the subscriptions API, or none
//! (`404` with [`NOT_FOUND`]); and the query after the path.

use crate::subscriptions::{self, Route, RouteError};

/// The answer for a path that is none of the hub's routes (and for the
/// subscriptions API while it is off).
pub const NOT_FOUND: &str = "not found: the hub is at /.well-known/mercure";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubRoute {
    /// `…/.well-known/mercure`: subscribe, publish, CORS preflight.
    Hub,
    /// `…/.well-known/mercure/healthz`.
    Health,
    /// Under `…/.well-known/mercure/subscriptions`, as
    /// [`subscriptions::route`] reads it.
    Subscriptions(Result<Route, RouteError>),
}

/// The route of `path_with_query` (`None`: not the hub's) and its query
/// (empty without `?`). A trailing `/` is ignored.
pub fn classify(path_with_query: &str) -> (Option<HubRoute>, &str) {
    let (path, query) = path_with_query
        .split_once('?')
        .unwrap_or((path_with_query, ""));
    let trimmed = path.trim_end_matches('/');
    let route = if let Some(api) = subscriptions::route(path) {
        Some(HubRoute::Subscriptions(api))
    } else if trimmed.ends_with("/.well-known/mercure/healthz") {
        Some(HubRoute::Health)
    } else if trimmed.ends_with("/.well-known/mercure") {
        Some(HubRoute::Hub)
    } else {
        None
    };
    (route, query)
}

#[cfg(test)]
mod tests {
    //! Each route, its query, and what is not the hub's.

    use super::*;

    #[test]
    fn the_hub_its_health_check_and_the_api_are_told_apart() {
        let hub = Some(HubRoute::Hub);
        assert_eq!(classify("/.well-known/mercure"), (hub.clone(), ""));
        assert_eq!(
            classify("/.well-known/mercure/?topic=a"),
            (hub.clone(), "topic=a")
        );
        assert_eq!(classify("/app/.well-known/mercure?x"), (hub, "x"));
        let health = Some(HubRoute::Health);
        assert_eq!(
            classify("/.well-known/mercure/healthz"),
            (health.clone(), "")
        );
        assert_eq!(
            classify("/.well-known/mercure/healthz/?a=b"),
            (health, "a=b")
        );
        assert_eq!(
            classify("/.well-known/mercure/subscriptions?lastEventID=x"),
            (
                Some(HubRoute::Subscriptions(Ok(Route::All))),
                "lastEventID=x"
            )
        );
        assert_eq!(
            classify("/.well-known/mercure/subscriptions/a%2Fb"),
            (
                Some(HubRoute::Subscriptions(Ok(Route::Topic("a/b".into())))),
                ""
            )
        );
        assert_eq!(
            classify("/.well-known/mercure/subscriptions/a/b/c").0,
            Some(HubRoute::Subscriptions(Err(RouteError::NotFound)))
        );
    }

    #[test]
    fn other_paths_are_not_the_hubs() {
        for path in [
            "/",
            "/sse",
            "/.well-known/mercurex",
            "/.well-known/mercure/other",
            "?/.well-known/mercure",
        ] {
            assert_eq!(classify(path).0, None, "{path}");
        }
    }
}
