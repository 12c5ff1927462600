//! The serving core against a temporary directory (real `DirFs`).

use super::*;
use crate::fs::DirFs;
use std::fs::{self, File};
use std::time::{Duration, UNIX_EPOCH};
use tempfile::TempDir;

mod sidecars;

const T0: u64 = 1_700_000_000;

fn put(dir: &TempDir, rel: &str, body: &[u8], mtime: u64) {
    let p = dir.path().join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, body).unwrap();
    let f = File::options().write(true).open(&p).unwrap();
    f.set_modified(UNIX_EPOCH + Duration::from_secs(mtime))
        .unwrap();
}

fn site() -> TempDir {
    let d = tempfile::tempdir().unwrap();
    put(&d, "index.html", b"<h1>home</h1>", T0);
    put(&d, "app.js", &[b'x'; 1000], T0);
    put(&d, "app.js.br", &[b'b'; 100], T0 + 1);
    put(&d, "app.js.gz", &[b'g'; 200], T0 + 1);
    put(&d, "data.bin", &(0..=255u8).collect::<Vec<_>>(), T0);
    put(&d, "a b.txt", b"spaced", T0);
    put(&d, "docs/index.html", b"docs", T0);
    put(&d, "empty/keep.txt", b"k", T0);
    put(&d, ".env", b"SECRET=1", T0);
    put(&d, ".git/config", b"[core]", T0);
    put(&d, "404.html", b"<p>missing</p>", T0);
    put(&d, "zero.txt", b"", T0);
    d
}

fn get(dir: &TempDir, path: &str, headers: &[(&str, &str)]) -> Plan {
    call(dir, "GET", path, headers, &Config::default())
}

fn call(dir: &TempDir, method: &str, path: &str, headers: &[(&str, &str)], cfg: &Config) -> Plan {
    let req = RequestParts::new(
        method,
        path,
        headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())),
    );
    plan(&req, &DirFs::new(dir.path()), cfg)
}

fn file_body(p: &Plan) -> (String, u64, u64) {
    match &p.body {
        Body::File { path, offset, len } => (path.relative(), *offset, *len),
        other => panic!("expected a file body, got {other:?}"),
    }
}

#[test]
fn file_is_served_with_type_validators_and_safety_headers() {
    let d = site();
    let p = get(&d, "/index.html", &[]);
    assert_eq!(p.status, 200);
    assert_eq!(p.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(p.header("content-length"), Some("13"));
    assert_eq!(p.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(p.header("accept-ranges"), Some("bytes"));
    assert_eq!(p.header("cache-control"), Some("max-age=60"));
    assert_eq!(
        p.header("last-modified"),
        Some("Tue, 14 Nov 2023 22:13:20 GMT")
    );
    assert!(p.header("etag").unwrap().starts_with('"'));
    assert_eq!(p.header("vary"), None);
    assert_eq!(file_body(&p), ("index.html".into(), 0, 13));
}

#[test]
fn percent_encoded_name_is_found() {
    let p = get(&site(), "/a%20b.txt", &[]);
    assert_eq!((p.status, file_body(&p).0), (200, "a b.txt".into()));
}

#[test]
fn root_and_directories_serve_index_html() {
    let d = site();
    assert_eq!(file_body(&get(&d, "/", &[])).0, "index.html");
    assert_eq!(file_body(&get(&d, "/docs/", &[])).0, "docs/index.html");
}

#[test]
fn directory_without_slash_redirects_301_keeping_route_prefix() {
    let d = site();
    let p = get(&d, "/docs", &[]);
    assert_eq!((p.status, p.header("location")), (301, Some("/docs/")));
    let p = get(&d, "/assets/docs?x=1", &[("spin-path-info", "/docs")]);
    assert_eq!(
        (p.status, p.header("location")),
        (301, Some("/assets/docs/?x=1"))
    );
    let p = get(&d, "/assets", &[("spin-path-info", "")]);
    assert_eq!((p.status, p.header("location")), (301, Some("/assets/")));
}

#[test]
fn directory_without_index_is_404() {
    assert_eq!(get(&site(), "/empty/", &[]).status, 404);
}

#[test]
fn file_with_trailing_slash_is_404() {
    assert_eq!(get(&site(), "/index.html/", &[]).status, 404);
}

#[test]
fn missing_file_is_plain_404() {
    let p = get(&site(), "/nope.css", &[]);
    assert_eq!(p.status, 404);
    assert_eq!(p.body, Body::Text("not found\n".into()));
}

#[test]
fn hidden_files_and_dot_dirs_are_404_even_if_present() {
    let d = site();
    for path in ["/.env", "/.git/config", "/%2eenv", "/./index.html"] {
        assert_eq!(get(&d, path, &[]).status, 404, "{path}");
    }
}

#[test]
fn traversal_and_encoded_separators_are_400() {
    let d = site();
    for path in [
        "/../etc/passwd",
        "/%2e%2e/x",
        "/a%2fb",
        "/a\\b",
        "/x%00.html",
    ] {
        let p = get(&d, path, &[]);
        assert_eq!(p.status, 400, "{path}");
        assert!(
            matches!(&p.body, Body::Text(t) if t.starts_with("bad request: ") && t.lines().count() == 1)
        );
    }
}

#[test]
fn last_spin_path_info_wins_over_client_sent_one() {
    let p = get(
        &site(),
        "/data.bin",
        &[("spin-path-info", "/.env"), ("spin-path-info", "/data.bin")],
    );
    assert_eq!((p.status, file_body(&p).0), (200, "data.bin".into()));
}

#[test]
fn other_methods_get_405_with_allow() {
    for m in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        let p = call(&site(), m, "/index.html", &[], &Config::default());
        assert_eq!(
            (p.status, p.header("allow")),
            (405, Some("GET, HEAD")),
            "{m}"
        );
    }
}

#[test]
fn head_has_get_headers_and_no_body() {
    let d = site();
    let p = call(&d, "HEAD", "/index.html", &[], &Config::default());
    assert_eq!((p.status, p.header("content-length")), (200, Some("13")));
    assert_eq!(p.body, Body::Empty);
    let p = call(&d, "HEAD", "/nope", &[], &Config::default());
    assert_eq!((p.status, p.body), (404, Body::Empty));
}

#[test]
fn if_none_match_with_current_etag_gives_304_without_body() {
    let d = site();
    let tag = get(&d, "/index.html", &[])
        .header("etag")
        .unwrap()
        .to_owned();
    let p = get(
        &d,
        "/index.html",
        &[("if-none-match", &format!("\"zzz\", W/{tag}"))],
    );
    assert_eq!((p.status, &p.body), (304, &Body::Empty));
    assert_eq!(p.header("etag"), Some(tag.as_str()));
    assert_eq!(p.header("content-length"), None);
    assert_eq!(
        get(&d, "/index.html", &[("if-none-match", "*")]).status,
        304
    );
    assert_eq!(
        get(&d, "/index.html", &[("if-none-match", "\"old\"")]).status,
        200
    );
}

#[test]
fn if_modified_since_gives_304_unless_if_none_match_present() {
    let d = site();
    let lm = "Tue, 14 Nov 2023 22:13:20 GMT";
    assert_eq!(
        get(&d, "/index.html", &[("if-modified-since", lm)]).status,
        304
    );
    let earlier = "Tue, 14 Nov 2023 22:13:19 GMT";
    assert_eq!(
        get(&d, "/index.html", &[("if-modified-since", earlier)]).status,
        200
    );
    let both = [("if-modified-since", lm), ("if-none-match", "\"old\"")];
    assert_eq!(get(&d, "/index.html", &both).status, 200);
}

#[test]
fn etag_changes_when_the_file_changes() {
    let d = site();
    let before = get(&d, "/index.html", &[])
        .header("etag")
        .unwrap()
        .to_owned();
    put(&d, "index.html", b"<h1>home!</h1>", T0 + 5);
    let after = get(&d, "/index.html", &[])
        .header("etag")
        .unwrap()
        .to_owned();
    assert_ne!(before, after);
    assert_eq!(
        get(&d, "/index.html", &[("if-none-match", &before)]).status,
        200
    );
}

#[test]
fn range_gives_206_with_content_range() {
    let p = get(&site(), "/data.bin", &[("range", "bytes=10-19")]);
    assert_eq!(p.status, 206);
    assert_eq!(p.header("content-range"), Some("bytes 10-19/256"));
    assert_eq!(p.header("content-length"), Some("10"));
    assert_eq!(file_body(&p), ("data.bin".into(), 10, 10));
}

#[test]
fn suffix_and_open_ranges_resolve() {
    let d = site();
    assert_eq!(
        get(&d, "/data.bin", &[("range", "bytes=-6")]).header("content-range"),
        Some("bytes 250-255/256")
    );
    assert_eq!(
        get(&d, "/data.bin", &[("range", "bytes=200-")]).header("content-range"),
        Some("bytes 200-255/256")
    );
}

#[test]
fn unsatisfiable_range_gives_416_with_star_content_range() {
    let p = get(&site(), "/data.bin", &[("range", "bytes=256-")]);
    assert_eq!(p.status, 416);
    assert_eq!(p.header("content-range"), Some("bytes */256"));
}

#[test]
fn malformed_or_multiple_ranges_serve_full_200() {
    let d = site();
    for r in ["bytes=abc", "bytes=5-1", "lines=1-2", "bytes=0-1,4-5"] {
        let p = get(&d, "/data.bin", &[("range", r)]);
        assert_eq!(
            (p.status, file_body(&p)),
            (200, ("data.bin".into(), 0, 256)),
            "{r}"
        );
    }
}

#[test]
fn range_on_empty_file_is_ignored() {
    assert_eq!(
        get(&site(), "/zero.txt", &[("range", "bytes=0-")]).status,
        200
    );
}

#[test]
fn if_range_mismatch_serves_full_200() {
    let d = site();
    let p = get(
        &d,
        "/data.bin",
        &[("range", "bytes=0-1"), ("if-range", "\"stale\"")],
    );
    assert_eq!(p.status, 200);
    let tag = get(&d, "/data.bin", &[]).header("etag").unwrap().to_owned();
    let p = get(
        &d,
        "/data.bin",
        &[("range", "bytes=0-1"), ("if-range", &tag)],
    );
    assert_eq!(p.status, 206);
}

#[test]
fn fallback_path_serves_200_for_unknown_paths_only() {
    let d = site();
    let cfg = Config {
        fallback: Some(crate::path::resolve_config("index.html").unwrap()),
        ..Config::default()
    };
    let p = call(&d, "GET", "/app/route/42", &[], &cfg);
    assert_eq!((p.status, file_body(&p).0), (200, "index.html".into()));
    assert_eq!(p.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(call(&d, "GET", "/.env", &[], &cfg).status, 404);
    assert_eq!(call(&d, "GET", "/../x", &[], &cfg).status, 400);
}

#[test]
fn custom_404_page_keeps_status_404() {
    let d = site();
    let cfg = Config {
        custom_404: Some(crate::path::resolve_config("404.html").unwrap()),
        ..Config::default()
    };
    let p = call(&d, "GET", "/missing", &[], &cfg);
    assert_eq!(p.status, 404);
    assert_eq!(p.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(file_body(&p), ("404.html".into(), 0, 14));
    assert_eq!(call(&d, "GET", "/.env", &[], &cfg).status, 404);
}

#[test]
fn missing_fallback_files_degrade_to_plain_404() {
    let cfg = Config {
        fallback: Some(crate::path::resolve_config("nope.html").unwrap()),
        custom_404: Some(crate::path::resolve_config("nope404.html").unwrap()),
        ..Config::default()
    };
    let p = call(&site(), "GET", "/missing", &[], &cfg);
    assert_eq!((p.status, p.body), (404, Body::Text("not found\n".into())));
}

#[test]
fn cache_control_follows_config() {
    let cfg = Config {
        cache_control: None,
        ..Config::default()
    };
    assert_eq!(
        call(&site(), "GET", "/index.html", &[], &cfg).header("cache-control"),
        None
    );
}

#[test]
fn link_from_config_is_on_file_answers_and_304s_only() {
    let link = r#"</.well-known/mercure>; rel="mercure""#;
    let cfg = Config {
        link: Some(link.to_owned()),
        ..Config::default()
    };
    let file = call(&site(), "GET", "/index.html", &[], &cfg);
    assert_eq!((file.status, file.header("link")), (200, Some(link)));
    let etag = file.header("etag").unwrap().to_owned();
    let again = call(
        &site(),
        "GET",
        "/index.html",
        &[("if-none-match", &etag)],
        &cfg,
    );
    assert_eq!((again.status, again.header("link")), (304, Some(link)));
    let missing = call(&site(), "GET", "/missing", &[], &cfg);
    assert_eq!((missing.status, missing.header("link")), (404, None));
    let default = get(&site(), "/index.html", &[]);
    assert_eq!(default.header("link"), None);
}

#[test]
fn generated_hostile_requests_never_panic_or_5xx() {
    // Deterministic pseudo-random paths and header values from a hostile alphabet.
    let alphabet: Vec<char> = "/.%2eEfF5c0a\\\"',W-=bq;*é\0 ".chars().collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    let d = site();
    for _ in 0..3000 {
        let mut gen = |max: usize| -> String {
            (0..next(max))
                .map(|_| alphabet[next(alphabet.len())])
                .collect()
        };
        let path = format!("/{}", gen(24));
        let headers = [
            ("range", format!("bytes={}", gen(10))),
            ("if-none-match", gen(12)),
            ("accept-encoding", gen(12)),
            ("if-range", gen(8)),
            ("spin-path-info", path.clone()),
        ];
        let hs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let p = get(&d, "/", &hs);
        assert!(
            [200, 206, 301, 304, 400, 404, 416].contains(&p.status),
            "{path:?} {headers:?} → {}",
            p.status
        );
    }
}
