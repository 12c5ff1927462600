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
