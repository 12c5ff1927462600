//! The allow rule for outbound HTTP requests.

use super::*;
use crate::host::allowed_hosts::AllowedHost;

fn rules(entries: &[&str]) -> OutboundRules {
    OutboundRules {
        component: "hub".into(),
        allowed: entries
            .iter()
            .map(|e| AllowedHost::parse(e).unwrap())
            .collect(),
    }
}

fn uri(text: &str) -> http::Uri {
    text.parse().unwrap()
}

#[test]
fn an_allowed_origin_may_be_requested_on_any_path() {
    let r = rules(&["redis://127.0.0.1:6379", "http://127.0.0.1:8080"]);
    assert_eq!(check(&r, &uri("http://127.0.0.1:8080/jwks.json")), Ok(()));
    assert_eq!(check(&r, &uri("http://127.0.0.1:8080/")), Ok(()));
}

#[test]
fn other_hosts_ports_and_schemes_are_refused_with_the_entry_to_add() {
    let r = rules(&["http://127.0.0.1:8080"]);
    for (url, dest) in [
        ("http://127.0.0.1:8081/jwks", "http://127.0.0.1:8081"),
        ("https://127.0.0.1:8080/jwks", "https://127.0.0.1:8080"),
        ("http://localhost:8080/jwks", "http://localhost:8080"),
        ("https://idp.example/jwks", "https://idp.example"),
    ] {
        assert_eq!(
            check(&r, &uri(url)),
            Err(Refusal::NotAllowed(dest.into())),
            "{url}"
        );
    }
    assert_eq!(
        Refusal::NotAllowed("https://idp.example".into()).line("hub"),
        "[hub] outbound HTTP request to https://idp.example refused: to allow it, add \"https://idp.example\" to `component.hub.allowed_outbound_hosts` in the manifest"
    );
}

#[test]
fn redis_entries_allow_no_http() {
    let r = rules(&["redis://127.0.0.1:6379"]);
    assert!(check(&r, &uri("http://127.0.0.1:6379/")).is_err());
    assert!(check(&rules(&[]), &uri("https://example.com/")).is_err());
}

#[test]
fn self_requests_are_refused() {
    let r = rules(&["http://self", "https://*.example.com"]);
    assert_eq!(check(&r, &uri("/path")), Err(Refusal::SelfRequest));
    assert_eq!(
        check(&r, &uri("http://self.alt/x")),
        Err(Refusal::SelfRequest)
    );
}
