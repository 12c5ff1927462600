//! One test per routing rule (mirrors Spin 4's `spin-http-routes` behaviour).

use super::*;

fn router(entries: &[(&str, &str)]) -> Router {
    Router::build(entries.iter().map(|(route, comp)| (*route, *comp))).unwrap()
}

fn winner(r: &Router, path: &str) -> Option<String> {
    r.route(path).map(|m| m.route.component().to_string())
}

#[test]
fn exact_route_matches_only_its_path() {
    let r = router(&[("/foo", "foo")]);
    assert_eq!(winner(&r, "/foo").as_deref(), Some("foo"));
    assert_eq!(winner(&r, "/foo/bar"), None);
    assert_eq!(winner(&r, "/foobar"), None);
    assert_eq!(winner(&r, "/"), None);
}

#[test]
fn exact_route_accepts_one_trailing_slash() {
    let r = router(&[("/foo", "foo")]);
    assert_eq!(winner(&r, "/foo/").as_deref(), Some("foo"));
    assert_eq!(winner(&r, "/foo//"), None);
}

#[test]
fn route_written_with_trailing_slash_is_the_same_route() {
    let r = router(&[("/foo/", "foo")]);
    assert_eq!(winner(&r, "/foo").as_deref(), Some("foo"));
    assert_eq!(r.route("/foo").unwrap().route.based(), "/foo");
    assert_eq!(r.route("/foo").unwrap().route.raw(), "/foo/");
}

#[test]
fn missing_leading_slash_is_added() {
    let r = router(&[("foo", "foo")]);
    assert_eq!(winner(&r, "/foo").as_deref(), Some("foo"));
}

#[test]
fn root_wildcard_matches_everything() {
    let r = router(&[("/...", "all")]);
    for path in ["/", "/foo/bar", "/abc/", "/this/should/be/captured"] {
        assert_eq!(winner(&r, path).as_deref(), Some("all"), "{path}");
    }
}

#[test]
fn root_exact_route_matches_only_root() {
    let r = router(&[("/", "root")]);
    assert_eq!(winner(&r, "/").as_deref(), Some("root"));
    assert_eq!(winner(&r, "/x"), None);
    assert_eq!(r.route("/").unwrap().route.based(), "");
}

#[test]
fn exact_beats_wildcard_in_any_order() {
    for entries in [
        [("/one", "exact"), ("/...", "wild")],
        [("/...", "wild"), ("/one", "exact")],
    ] {
        let r = router(&entries);
        assert_eq!(winner(&r, "/one").as_deref(), Some("exact"));
        assert_eq!(winner(&r, "/two").as_deref(), Some("wild"));
    }
}

#[test]
fn exact_beats_wildcard_with_the_same_prefix() {
    let r = router(&[("/one/...", "wild"), ("/one", "exact")]);
    assert_eq!(winner(&r, "/one").as_deref(), Some("exact"));
    assert_eq!(winner(&r, "/one/").as_deref(), Some("exact"));
    assert_eq!(winner(&r, "/one/x").as_deref(), Some("wild"));
}

#[test]
fn longest_wildcard_prefix_wins_in_any_order() {
    let fwd = [
        ("/one/...", "1"),
        ("/one/two/...", "12"),
        ("/one/two/three/...", "123"),
    ];
    let mut rev = fwd;
    rev.reverse();
    for entries in [fwd, rev] {
        let r = router(&entries);
        assert_eq!(winner(&r, "/one/two/three/four").as_deref(), Some("123"));
        assert_eq!(winner(&r, "/one/two/x").as_deref(), Some("12"));
        assert_eq!(winner(&r, "/one/x").as_deref(), Some("1"));
        assert_eq!(winner(&r, "/x"), None);
    }
}

#[test]
fn wildcard_prefix_matches_whole_segments_only() {
    let r = router(&[("/static/...", "s")]);
    assert_eq!(winner(&r, "/staticfoo"), None);
    assert_eq!(winner(&r, "/static").as_deref(), Some("s"));
}

#[test]
fn star_suffix_is_a_wildcard_too() {
    let r = router(&[("/a/*", "a")]);
    let m = r.route("/a/b/c").unwrap();
    assert_eq!(m.route.to_string(), "/a (wildcard)");
    assert_eq!(m.path_info, "/b/c");
}

#[test]
fn path_info_follows_spins_trailing_slash_rules() {
    let r = router(&[("/test/...", "t")]);
    let info = |p: &str| r.route(p).unwrap().path_info;
    assert_eq!(info("/test"), "");
    assert_eq!(info("/test/"), "/");
    assert_eq!(info("/test/hello"), "/hello");
    assert_eq!(info("/test/hello/"), "/hello/");
}

#[test]
fn path_info_under_root_wildcard_is_the_whole_path() {
    let r = router(&[("/...", "all")]);
    assert_eq!(r.route("/1/2/3").unwrap().path_info, "/1/2/3");
    assert_eq!(r.route("/").unwrap().path_info, "/");
}

#[test]
fn exact_route_has_empty_path_info() {
    let r = router(&[("/sse", "sse")]);
    assert_eq!(r.route("/sse").unwrap().path_info, "");
}

#[test]
fn named_segments_are_captured() {
    let r = router(&[("/1/:two/3", "a"), ("/x/:y/...", "b")]);
    let m = r.route("/1/2/3").unwrap();
    assert_eq!(m.captures, [("two".to_string(), "2".to_string())]);
    let m = r.route("/x/yy/z").unwrap();
    assert_eq!(
        (m.captures[0].1.as_str(), m.path_info.as_str()),
        ("yy", "/z")
    );
    assert_eq!(winner(&r, "/1//3"), None);
}

#[test]
fn exact_segment_beats_capture() {
    let r = router(&[("/a/:x", "cap"), ("/a/b", "exact")]);
    assert_eq!(winner(&r, "/a/b").as_deref(), Some("exact"));
    assert_eq!(winner(&r, "/a/c").as_deref(), Some("cap"));
}

#[test]
fn duplicate_routes_are_an_error() {
    for pair in [
        ["/foo", "/foo"],
        ["/foo", "/foo/"],
        ["/...", "/*"],
        ["/a/:x", "/a/:y"],
    ] {
        let e = Router::build([(pair[0], "first"), (pair[1], "second")]).unwrap_err();
        assert!(
            e.contains("duplicate route") && e.contains("first") && e.contains("second"),
            "{e}"
        );
    }
}

#[test]
fn unsupported_patterns_are_errors() {
    for bad in ["/a/*/b", "/a/.../b", "/a/b:c", "/a//b", "/a/:"] {
        assert!(Router::build([(bad, "c")]).is_err(), "{bad}");
    }
}

#[test]
fn routes_keep_manifest_order_and_print_like_spin() {
    let r = router(&[
        ("/sse", "sse"),
        ("/...", "static"),
        ("/", "root"),
        ("/api/...", "api"),
    ]);
    let shown: Vec<String> = r
        .routes()
        .map(|x| format!("{}: {x}", x.component()))
        .collect();
    assert_eq!(
        shown,
        [
            "sse: /sse",
            "static:  (wildcard)",
            "root: ",
            "api: /api (wildcard)"
        ]
    );
}

#[test]
fn component_route_drops_the_wildcard_suffix() {
    let r = router(&[("/api/...", "api"), ("/x", "x")]);
    assert_eq!(r.route("/api/q").unwrap().route.raw_or_prefix(), "/api");
    assert_eq!(r.route("/x").unwrap().route.raw_or_prefix(), "/x");
}

#[test]
fn non_origin_form_paths_match_nothing() {
    let r = router(&[("/...", "all")]);
    assert_eq!(winner(&r, "*"), None);
    assert_eq!(winner(&r, ""), None);
}
