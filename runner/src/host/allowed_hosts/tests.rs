//! Entries and matches as Spin parses them.

use super::*;

fn allowed(entry: &str, url: &str) -> bool {
    let e = AllowedHost::parse(entry).unwrap_or_else(|e| panic!("{entry}: {e}"));
    e.allows(&OutboundUrl::parse(url, "redis").unwrap())
}

#[test]
fn exact_host_and_port() {
    assert!(allowed("redis://127.0.0.1:6380", "redis://127.0.0.1:6380"));
    assert!(!allowed("redis://127.0.0.1:6380", "redis://127.0.0.1:6381"));
    assert!(!allowed("redis://127.0.0.1:6380", "redis://127.0.0.2:6380"));
    assert!(allowed(
        "redis://cache.example",
        "redis://cache.example:6379/0"
    ));
}

#[test]
fn no_port_means_the_well_known_one() {
    assert!(allowed("redis://localhost", "redis://localhost"));
    assert!(allowed("redis://localhost", "redis://localhost:6379"));
    assert!(!allowed("redis://localhost", "redis://localhost:6380"));
    let e = AllowedHost::parse("rediss://x").unwrap_err();
    assert!(e.contains("does not have a known default port"), "{e}");
}

#[test]
fn scheme_must_match() {
    assert!(!allowed("rediss://h:1", "redis://h:1"));
    assert!(allowed("rediss://h:1", "rediss://h:1"));
    assert!(allowed(
        "rediss://127.0.0.1:1",
        "rediss://127.0.0.1:1/#insecure"
    ));
    assert!(allowed("*://h:1", "rediss://h:1"));
}

#[test]
fn wildcards() {
    assert!(allowed("redis://*:6379", "redis://anything:6379"));
    assert!(allowed("redis://h:*", "redis://h:1"));
    assert!(allowed(
        "redis://*.example.com:1",
        "redis://a.b.example.com:1"
    ));
    assert!(!allowed("redis://*.example.com:1", "redis://example.com:1"));
    assert!(!allowed("redis://*.example.com:1", "redis://10.0.0.1:1"));
}

#[test]
fn port_ranges_exclude_their_end() {
    assert!(allowed("redis://h:6000..6002", "redis://h:6001"));
    assert!(!allowed("redis://h:6000..6002", "redis://h:6002"));
}

#[test]
fn ip_addresses_and_networks() {
    assert!(allowed("redis://10.0.0.0/8:*", "redis://10.1.2.3:5"));
    assert!(!allowed("redis://10.0.0.0/8:*", "redis://11.1.2.3:5"));
    assert!(allowed("redis://[::1]:7", "redis://[::1]:7"));
    assert!(!allowed("redis://10.0.0.0/8:*", "redis://ten.example:5"));
}

#[test]
fn guest_urls_without_scheme_get_the_default() {
    assert!(allowed("redis://h:7", "h:7"));
    let u = OutboundUrl::parse("h:7", "redis").unwrap();
    assert_eq!(u.destination(), "redis://h:7");
}

#[test]
fn user_info_is_ignored_and_never_shown() {
    let u = OutboundUrl::parse("redis://user:p@ss#w?rd@h:7", "redis").unwrap();
    assert_eq!(u.destination(), "redis://h:7");
    assert!(allowed("redis://h:7", "redis://:secret@h:7"));
}

#[test]
fn bad_entries_say_why() {
    for (entry, want) in [
        ("h:7", "does not contain a scheme"),
        ("*", "not an allowed outbound host format"),
        ("redis://h:7/path", "has a path"),
        ("redis://h:x", "is not a number"),
        ("redis://h:1..x", "contains non-number"),
        ("redis://a*b:1", "wildcards are allowed only as subdomains"),
        ("redis://*.a.*:1", "only as prefixes"),
        ("redis://{a,b}:1", "host lists"),
        ("re-dis://h:1", "only alphabetic"),
        ("redis://h:{1,2}", "port lists"),
    ] {
        let e = AllowedHost::parse(entry).unwrap_err();
        assert!(e.contains(want), "{entry}: {e}");
    }
}

#[test]
fn self_matches_no_redis_address() {
    assert!(!allowed("redis://self:6379", "redis://localhost:6379"));
}

fn vars(secret: bool) -> AppVariables {
    let declared = [crate::app::variables::Variable {
        name: "host".into(),
        default: Some("127.0.0.1:7000".into()),
        secret,
    }];
    AppVariables::resolve(&declared, &[], |_| Ok(None)).unwrap()
}

fn entries(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn templates_resolve_before_parsing() {
    let hosts = for_component(&entries(&["redis://{{ host }}"]), "k", &vars(false)).unwrap();
    let url = OutboundUrl::parse("redis://127.0.0.1:7000", "redis").unwrap();
    assert!(allows(&hosts, &url));
}

#[test]
fn only_redis_schemes_are_honoured() {
    for entry in ["https://example.com", "*://*:*", "postgres://db"] {
        let e = for_component(
            &entries(&[entry]),
            "component.c.allowed_outbound_hosts",
            &vars(false),
        )
        .unwrap_err();
        assert!(
            e.contains("`component.c.allowed_outbound_hosts[0]` is not supported"),
            "{e}"
        );
    }
}

#[test]
fn errors_name_the_entry_and_hide_secret_values() {
    let e = for_component(&entries(&["redis://{{ nope }}"]), "k", &vars(false)).unwrap_err();
    assert!(e.contains("`k[0]` refers to variable `nope`"), "{e}");
    let e = for_component(&entries(&["{{ host }}"]), "k", &vars(false)).unwrap_err();
    assert!(e.contains("resolves to \"127.0.0.1:7000\""), "{e}");
    let e = for_component(&entries(&["{{ host }}"]), "k", &vars(true)).unwrap_err();
    assert!(!e.contains("127.0.0.1"), "{e}");
    let e = for_component(&entries(&["insecure:allow-all"]), "k", &vars(false)).unwrap_err();
    assert!(e.contains("insecure:allow-all"), "{e}");
}
