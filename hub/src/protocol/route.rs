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
mod tests;
