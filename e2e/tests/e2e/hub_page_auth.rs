//! The hub page's subscriber token, in headless Chromium: a private update
//! reaches only the page whose token matches (sent as a header, read with
//! fetch), a cookie-authorised subscription (the `mercureAuthorization`
//! cookie the page sets) and one with the `authorization` query parameter
//! receive it too, and a refused subscription shows the hub's reason.

use serde_json::json;

use super::support::hub::{shared, topic, Hub};
use super::support::hub_page::{
    self, assert_no_exceptions, ids, set_token, subscribe, wait_for_updates,
};
use super::support::webdriver::{browser_or_skip, Browser};

/// A page on `hub` subscribed to `t`, with `token` sent as `auth` (no
/// token: `None`).
fn page_on(test: &str, hub: &Hub, t: &str, token: Option<(&str, &str)>) -> Option<Browser> {
    let mut b = browser_or_skip(test, 960, 640)?;
    b.navigate(&hub_page::url(hub, "")).unwrap();
    if let Some((token, auth)) = token {
        set_token(&mut b, token, auth);
    }
    subscribe(&mut b, &[t], "", "");
    Some(b)
}

/// A subscriber token that may receive private updates of `t`.
fn token_for(hub: &Hub, t: &str) -> String {
    hub.subscriber_token(json!({"mercure": {"subscribe": [t]}}))
}

#[test]
fn private_update_reaches_only_the_page_with_a_matching_token() {
    let test = "private_update_reaches_only_the_page_with_a_matching_token";
    let hub = shared();
    let t = topic("private");
    let token = token_for(hub, &t);
    let other = token_for(hub, "https://example.com/someone-else");
    let Some(mut allowed) = page_on(test, hub, &t, Some((&token, "header"))) else {
        return;
    };
    let mut anonymous = page_on(test, hub, &t, None).expect("a browser");
    let mut mismatched = page_on(test, hub, &t, Some((&other, "header"))).expect("a browser");
    hub.publish(&[("topic", &t), ("id", "secret"), ("private", "on")]);
    hub.publish(&[("topic", &t), ("id", "public")]);
    wait_for_updates(&mut allowed, 2);
    wait_for_updates(&mut anonymous, 1);
    wait_for_updates(&mut mismatched, 1);
    assert_eq!(ids(&mut allowed), ["secret", "public"]);
    assert_eq!(
        ids(&mut anonymous),
        ["public"],
        "no token: no private update"
    );
    assert_eq!(
        ids(&mut mismatched),
        ["public"],
        "a token for another topic"
    );
    let request = hub_page::text(&mut allowed, "#request");
    assert!(
        request.contains("with Authorization: Bearer …"),
        "{request:?}"
    );
    assert!(
        !request.contains(&token),
        "the token is masked: {request:?}"
    );
    for b in [&mut allowed, &mut anonymous, &mut mismatched] {
        assert_no_exceptions(b);
    }
}

#[test]
fn cookie_authorised_subscription_receives_private_updates() {
    let test = "cookie_authorised_subscription_receives_private_updates";
    let hub = shared();
    let t = topic("cookie");
    let token = token_for(hub, &t);
    let Some(mut b) = page_on(test, hub, &t, Some((&token, "cookie"))) else {
        return;
    };
    let request = hub_page::text(&mut b, "#request");
    assert!(
        request.contains("with the cookie mercureAuthorization"),
        "{request:?}"
    );
    assert!(
        !request.contains("authorization="),
        "no token in the URL: {request:?}"
    );
    hub.publish(&[("topic", &t), ("id", "by-cookie"), ("private", "on")]);
    wait_for_updates(&mut b, 1);
    assert_eq!(ids(&mut b), ["by-cookie"]);

    // The cookie is scoped to the hub's path, so the page's document.cookie
    // cannot show it: that the private update arrived over EventSource
    // (which sends no header) with no token in the URL is the proof. Back
    // to no token, the page clears the cookie: private updates stop.
    b.type_into("#token", "").unwrap();
    subscribe(&mut b, &[&t], "", "");
    hub.publish(&[("topic", &t), ("id", "hidden"), ("private", "on")]);
    hub.publish(&[("topic", &t), ("id", "seen")]);
    wait_for_updates(&mut b, 2);
    assert_eq!(ids(&mut b), ["by-cookie", "seen"]);
    assert_no_exceptions(&mut b);
}

#[test]
fn query_parameter_token_receives_private_updates() {
    let test = "query_parameter_token_receives_private_updates";
    let hub = shared();
    let t = topic("query");
    let token = token_for(hub, &t);
    let Some(mut b) = page_on(test, hub, &t, Some((&token, "query"))) else {
        return;
    };
    let request = hub_page::text(&mut b, "#request");
    assert!(request.contains("authorization=…"), "masked: {request:?}");
    hub.publish(&[("topic", &t), ("id", "by-query"), ("private", "on")]);
    wait_for_updates(&mut b, 1);
    assert_eq!(ids(&mut b), ["by-query"]);
    assert_no_exceptions(&mut b);
}

#[test]
fn refused_subscription_shows_the_hub_reason() {
    let test = "refused_subscription_shows_the_hub_reason";
    let hub = shared();
    let Some(mut b) = browser_or_skip(test, 960, 640) else {
        return;
    };
    b.navigate(&hub_page::url(hub, "")).unwrap();
    for auth in ["header", "cookie"] {
        set_token(&mut b, "not-a-jwt", auth);
        b.type_into("#topics", &topic("refused")).unwrap();
        b.click("#subscribe-button").unwrap();
        let said = hub_page::wait_for_state(&mut b, "status", "closed");
        assert!(
            said.contains("401") && said.contains("unauthorized"),
            "{auth}: the hub's status and reason are shown: {said:?}"
        );
    }
    assert_no_exceptions(&mut b);
}
