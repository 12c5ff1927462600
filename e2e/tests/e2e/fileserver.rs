//! The static file server's contract over real HTTP: `/` serves the repo's
//! `static/` (index, content types with charset, nosniff, ETag and
//! Last-Modified with 304s, Range 206/416, Accept-Ranges, precompressed
//! sidecars). What needs a manifest of its own is in `fileserver_mounts`.

use std::io::Read;

use super::support::{self, static_file, Request, Response};

fn get(target: &str, headers: &[(&str, &str)]) -> Response {
    support::client().get_with(target, headers)
}

fn content_type(resp: &Response) -> String {
    resp.header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase()
        .replace(' ', "")
}

#[test]
fn index_html_is_served_at_root() {
    let resp = get("/", &[]);
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.body, static_file("index.html"));
    assert_eq!(content_type(&resp), "text/html;charset=utf-8");
}

#[test]
fn content_types_follow_the_extension_with_charset_for_text() {
    for (path, want) in [
        ("/index.html", "text/html;charset=utf-8"),
        ("/app.js", "javascript;charset=utf-8"),
        ("/style.css", "text/css;charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
    ] {
        let resp = get(path, &[]);
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(
            resp.body,
            static_file(&path[1..]),
            "{path}: body is the file"
        );
        let ct = content_type(&resp);
        assert!(
            ct.contains(want),
            "{path}: content-type {ct:?}, want {want:?}"
        );
    }
}

#[test]
fn responses_say_nosniff() {
    for path in ["/", "/app.js", "/no-such-file.txt"] {
        let resp = get(path, &[]);
        assert_eq!(
            resp.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
}

#[test]
fn client_sent_path_info_cannot_pick_the_file() {
    // Spin appends its own spin-path-info after a client's; the runner drops
    // the client's. Either way the file comes from the request path.
    for sent in ["/index.html", "/../spin.toml", "/style.css"] {
        let resp = get("/app.js", &[("spin-path-info", sent)]);
        assert_eq!(resp.status(), 200, "spin-path-info: {sent}");
        assert_eq!(resp.body, static_file("app.js"), "spin-path-info: {sent}");
    }
}

#[test]
fn missing_file_is_404_not_5xx() {
    let resp = get("/no-such-file.txt", &[]);
    assert_eq!(resp.status(), 404);
}

#[test]
fn etag_is_strong_and_quoted_with_last_modified() {
    let resp = get("/app.js", &[]);
    let etag = resp.header("etag").expect("ETag");
    assert!(!etag.starts_with("W/"), "strong ETag: {etag}");
    assert!(
        etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
        "quoted: {etag}"
    );
    assert!(
        resp.header("last-modified").unwrap_or("").ends_with(" GMT"),
        "Last-Modified"
    );
    assert_eq!(
        get("/app.js", &[]).header("etag"),
        Some(etag),
        "stable across requests"
    );
}

#[test]
fn if_none_match_gives_304_without_body() {
    let etag = get("/style.css", &[])
        .header("etag")
        .expect("ETag")
        .to_string();
    let weak = format!("W/{etag}");
    let list = format!("\"other\", {etag}");
    for inm in [etag.as_str(), list.as_str(), "*", weak.as_str()] {
        let resp = get("/style.css", &[("If-None-Match", inm)]);
        assert_eq!(resp.status(), 304, "If-None-Match: {inm}");
        assert!(resp.body.is_empty());
        assert_eq!(
            resp.header("etag"),
            Some(etag.as_str()),
            "304 repeats the ETag"
        );
    }
    let resp = get("/style.css", &[("If-None-Match", "\"not-it\"")]);
    assert_eq!(resp.status(), 200);
}

#[test]
fn if_modified_since_gives_304_unless_older() {
    let full = get("/style.css", &[]);
    let lm = full
        .header("last-modified")
        .expect("Last-Modified")
        .to_string();
    let resp = get("/style.css", &[("If-Modified-Since", &lm)]);
    assert_eq!(resp.status(), 304, "If-Modified-Since: {lm}");
    assert!(resp.body.is_empty());
    let old = get(
        "/style.css",
        &[("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")],
    );
    assert_eq!(old.status(), 200);
    // If-None-Match takes precedence (RFC 9110 13.2.2): a mismatch means 200.
    let both = get(
        "/style.css",
        &[("If-None-Match", "\"not-it\""), ("If-Modified-Since", &lm)],
    );
    assert_eq!(both.status(), 200);
}

#[test]
fn full_responses_advertise_accept_ranges() {
    assert_eq!(get("/app.js", &[]).header("accept-ranges"), Some("bytes"));
}

#[test]
fn single_range_gives_206_with_content_range() {
    let file = static_file("app.js");
    let len = file.len();
    for (range, start, end) in [
        ("bytes=0-9", 0, 9),
        ("bytes=10-", 10, len - 1),
        ("bytes=-5", len - 5, len - 1),
        (&*format!("bytes=5-{}", len + 100), 5, len - 1),
    ] {
        let resp = get(
            "/app.js",
            &[("Range", range), ("Accept-Encoding", "identity")],
        );
        assert_eq!(resp.status(), 206, "Range: {range}");
        assert_eq!(
            resp.header("content-range"),
            Some(format!("bytes {start}-{end}/{len}").as_str()),
            "Range: {range}"
        );
        assert_eq!(resp.body, &file[start..=end], "Range: {range}");
    }
}

#[test]
fn unsatisfiable_range_gives_416_with_length() {
    let len = static_file("app.js").len();
    let resp = get("/app.js", &[("Range", &format!("bytes={len}-"))]);
    assert_eq!(resp.status(), 416);
    assert_eq!(
        resp.header("content-range"),
        Some(format!("bytes */{len}").as_str())
    );
}

#[test]
fn malformed_range_is_ignored_or_refused_never_5xx() {
    for range in [
        "bytes=abc",
        "bytes=9-2",
        "items=0-1",
        "bytes=",
        "bytes=0-1,3-4",
        "bytes=--1",
    ] {
        let status = get("/app.js", &[("Range", range)]).status();
        assert!(
            [200, 206, 416].contains(&status),
            "Range: {range} → {status}"
        );
    }
}

#[test]
fn head_has_the_get_headers_and_no_body() {
    let getr = get("/style.css", &[]);
    let head = support::client().send(Request::new("HEAD", "/style.css"));
    assert_eq!(head.status(), 200);
    assert!(head.body.is_empty());
    for h in ["content-type", "etag", "last-modified", "accept-ranges"] {
        assert_eq!(head.header(h), getr.header(h), "HEAD vs GET: {h}");
    }
}

#[test]
fn other_methods_get_405_with_allow() {
    for method in ["POST", "PUT", "DELETE"] {
        let resp = support::client()
            .send(Request::new(method, "/index.html").header("Content-Length", "0"));
        assert_eq!(resp.status(), 405, "{method}");
        let allow = resp.header("allow").unwrap_or("").to_ascii_uppercase();
        assert!(
            allow.contains("GET") && allow.contains("HEAD"),
            "{method}: Allow {allow:?}"
        );
    }
}

/// Text assets of `static/` and which sidecars the build step wrote for
/// them (the app is built first: on a clean clone there are none before).
fn assets_with_sidecars() -> Vec<(String, bool, bool)> {
    support::target();
    ["index.html", "app.js", "style.css", "favicon.svg"]
        .iter()
        .map(|f| {
            let dir = support::repo_root().join("static");
            (
                f.to_string(),
                dir.join(format!("{f}.br")).exists(),
                dir.join(format!("{f}.gz")).exists(),
            )
        })
        .collect()
}

#[test]
fn precompressed_sidecars_are_served_with_content_encoding_and_vary() {
    let assets = assets_with_sidecars();
    assert!(
        assets.iter().any(|a| a.1) && assets.iter().any(|a| a.2),
        "the static component's build step should write .br and .gz sidecars into static/: {assets:?}"
    );
    for (file, has_br, has_gz) in assets {
        let path = format!("/{file}");
        let br = get(&path, &[("Accept-Encoding", "gzip, br")]);
        if has_br {
            assert_eq!(
                br.header("content-encoding"),
                Some("br"),
                "{path} with br allowed"
            );
            assert_eq!(
                br.body,
                static_file(&format!("{file}.br")),
                "{path}: the .br sidecar"
            );
            let vary = br.header("vary").unwrap_or("").to_ascii_lowercase();
            assert!(vary.contains("accept-encoding"), "{path}: Vary {vary:?}");
        }
        let gz = get(&path, &[("Accept-Encoding", "gzip")]);
        if has_gz {
            assert_eq!(
                gz.header("content-encoding"),
                Some("gzip"),
                "{path} with gzip allowed"
            );
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&gz.body[..])
                .read_to_end(&mut plain)
                .unwrap();
            assert_eq!(
                plain,
                static_file(&file),
                "{path}: gzip body decodes to the file"
            );
            let vary = gz.header("vary").unwrap_or("").to_ascii_lowercase();
            assert!(vary.contains("accept-encoding"), "{path}: Vary {vary:?}");
        }
        for ae in [None, Some("identity"), Some("br;q=0, gzip;q=0")] {
            let headers: Vec<(&str, &str)> = ae.iter().map(|v| ("Accept-Encoding", *v)).collect();
            let plain = get(&path, &headers);
            assert_eq!(
                plain.header("content-encoding"),
                None,
                "{path} with Accept-Encoding {ae:?}"
            );
            assert_eq!(
                plain.body,
                static_file(&file),
                "{path} with Accept-Encoding {ae:?}"
            );
        }
    }
}

#[test]
fn range_responses_are_never_compressed() {
    let file = static_file("app.js");
    let resp = get(
        "/app.js",
        &[("Range", "bytes=0-99"), ("Accept-Encoding", "br, gzip")],
    );
    assert_eq!(resp.status(), 206);
    assert_eq!(resp.header("content-encoding"), None);
    assert_eq!(resp.body, &file[..100]);
}
