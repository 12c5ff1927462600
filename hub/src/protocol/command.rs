//! A request, read once into what it asks ([`Command`]): the route from
//! its path, then what its method asks of that route.

use crate::protocol::route::HubRoute;
use crate::subscriptions::{Route, RouteError};

/// The hub's methods; any other is [`Method::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Options,
    Other,
}

impl Method {
    /// The method named `name` (as sent: upper case).
    pub fn from_name(name: &str) -> Self {
        match name {
            "GET" => Self::Get,
            "HEAD" => Self::Head,
            "POST" => Self::Post,
            "OPTIONS" => Self::Options,
            _ => Self::Other,
        }
    }
}

/// A request as an adapter reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// The path and query, as sent.
    pub path_with_query: String,
    /// Every header, names lower-case, in order.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The methods the hub's own route answers.
pub const HUB_METHODS: &str = "GET, HEAD, POST, OPTIONS";

/// What a request on one of the hub's routes asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `GET` (a stream) or `HEAD` (its headers alone) on the hub.
    Subscribe { head: bool },
    /// `POST` on the hub.
    Publish,
    /// `OPTIONS` with `Access-Control-Request-Method`.
    Preflight,
    /// `GET` or `HEAD` on the health route.
    Health,
    /// `GET` on the subscriptions API.
    Subscriptions(Route),
    /// A method the route does not answer (`405`).
    MethodNotAllowed {
        allow: &'static str,
        reason: &'static str,
    },
    /// A path under the subscriptions API that is not one of its routes,
    /// or the API while it is off (`404`).
    NotFound(&'static str),
    /// A path segment that does not unescape (`400`).
    BadPath(String),
}

impl Command {
    /// What `method` asks of `route` (with the subscriptions API on or
    /// off; `preflight`: the request has `Access-Control-Request-Method`).
    pub fn parse(method: Method, route: HubRoute, api_on: bool, preflight: bool) -> Self {
        match route {
            HubRoute::Subscriptions(_) if !api_on => {
                Self::NotFound(crate::protocol::route::NOT_FOUND)
            }
            HubRoute::Subscriptions(route) if method != Method::Options => {
                subscriptions(method, route)
            }
            HubRoute::Health => match method {
                Method::Get | Method::Head => Self::Health,
                _ => Self::MethodNotAllowed {
                    allow: "GET, HEAD",
                    reason: "method not allowed: the health route answers GET and HEAD",
                },
            },
            // The hub; a preflight for the API is answered as the hub's.
            HubRoute::Hub | HubRoute::Subscriptions(_) => match method {
                Method::Get => Self::Subscribe { head: false },
                Method::Head => Self::Subscribe { head: true },
                Method::Post => Self::Publish,
                Method::Options if preflight => Self::Preflight,
                _ => Self::MethodNotAllowed {
                    allow: HUB_METHODS,
                    reason: "method not allowed: the hub answers GET, HEAD, POST and OPTIONS",
                },
            },
        }
    }
}

fn subscriptions(method: Method, route: Result<Route, RouteError>) -> Command {
    if method != Method::Get {
        return Command::MethodNotAllowed {
            allow: "GET",
            reason: "method not allowed: the subscriptions API answers GET",
        };
    }
    match route {
        Ok(route) => Command::Subscriptions(route),
        Err(RouteError::NotFound) => Command::NotFound(
            "not found: use /subscriptions, /subscriptions/{topic} or /subscriptions/{topic}/{subscriber}",
        ),
        Err(RouteError::BadEscape(what)) => {
            Command::BadPath(format!("the {what} in the path is not validly percent-encoded"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(route: Result<Route, RouteError>) -> HubRoute {
        HubRoute::Subscriptions(route)
    }

    #[test]
    fn the_hub_route_subscribes_publishes_and_answers_preflights() {
        let parse = |method, preflight| Command::parse(method, HubRoute::Hub, false, preflight);
        assert_eq!(
            parse(Method::Get, false),
            Command::Subscribe { head: false }
        );
        assert_eq!(
            parse(Method::Head, false),
            Command::Subscribe { head: true }
        );
        assert_eq!(parse(Method::Post, false), Command::Publish);
        assert_eq!(parse(Method::Options, true), Command::Preflight);
        for (method, preflight) in [(Method::Options, false), (Method::Other, true)] {
            let refused = parse(method, preflight);
            assert!(
                matches!(
                    refused,
                    Command::MethodNotAllowed {
                        allow: HUB_METHODS,
                        ..
                    }
                ),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn the_health_route_answers_get_and_head_only() {
        let parse = |method| Command::parse(method, HubRoute::Health, true, true);
        assert_eq!(parse(Method::Get), Command::Health);
        assert_eq!(parse(Method::Head), Command::Health);
        for method in [Method::Post, Method::Options] {
            let refused = parse(method);
            assert!(
                matches!(
                    refused,
                    Command::MethodNotAllowed {
                        allow: "GET, HEAD",
                        ..
                    }
                ),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn the_subscriptions_api_is_not_found_while_off() {
        let refused = Command::parse(Method::Get, api(Ok(Route::All)), false, false);
        assert_eq!(
            refused,
            Command::NotFound(crate::protocol::route::NOT_FOUND)
        );
    }

    #[test]
    fn the_subscriptions_api_checks_the_method_before_the_path() {
        let parse = |method, route| Command::parse(method, api(route), true, true);
        assert_eq!(
            parse(Method::Get, Ok(Route::All)),
            Command::Subscriptions(Route::All)
        );
        assert!(matches!(
            parse(Method::Post, Err(RouteError::NotFound)),
            Command::MethodNotAllowed { allow: "GET", .. }
        ));
        assert!(matches!(
            parse(Method::Get, Err(RouteError::NotFound)),
            Command::NotFound(reason) if reason.starts_with("not found: use /subscriptions")
        ));
        assert_eq!(
            parse(Method::Get, Err(RouteError::BadEscape("topic"))),
            Command::BadPath("the topic in the path is not validly percent-encoded".into())
        );
        // A preflight for the API is the hub's.
        assert_eq!(parse(Method::Options, Ok(Route::All)), Command::Preflight);
    }
}
