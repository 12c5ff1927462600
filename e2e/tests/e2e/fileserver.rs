//! The static file server's contract over real HTTP: `/` serves the repo's
//! `static/` (index, content types with charset, nosniff, ETag and
//! Last-Modified with 304s, Range 206/416, Accept-Ranges, precompressed
//! sidecars), and a temp app of the test's own adds what the repo's
//! manifest cannot show: sub-route mounts, `/dir` → 301, custom 404 and
//! fallback from `environment`, hidden files, big files across chunks.

use std::io::Read;
use std::sync::OnceLock;

use super::support::temp_app::Component;
use super::support::{self, static_file, Client, Request, Response, Runner, TempApp};

fn get_with(client: &Client, target: &str, headers: &[(&str, &str)]) -> Response {
    let mut req = Request::get(target);
    for (n, v) in headers {
        req = req.header(n, v);
    }
    client.send(req)
}

fn get(target: &str, headers: &[(&str, &str)]) -> Response {
    get_with(&support::client(), target, headers)
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

/// Text assets of `static/` and which sidecars the build step wrote for them.
fn assets_with_sidecars() -> Vec<(String, bool, bool)> {
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

/// Bytes of the big test file: not repetitive at any chunk size.
fn big_file() -> Vec<u8> {
    (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

pub const SECRET: &str = "TOP-SECRET-outside-the-mount";
pub const HIDDEN: &str = "HIDDEN-SECRET-dotfile";

/// A temp app: `public/` mounted at `/...` (custom 404), at `/assets/...`
/// (plain), at `/spa/...` (fallback); `secret.txt` next to `public/`.
/// Shared by this module and the hostile-path battery.
pub fn mounts() -> Option<&'static (TempApp, Runner)> {
    static APP: OnceLock<Option<(TempApp, Runner)>> = OnceLock::new();
    APP.get_or_init(|| {
        let mut app = TempApp::new("mounts");
        app.write("secret.txt", SECRET);
        app.write(
            "public/index.html",
            "<!doctype html><title>temp index</title>\n",
        );
        app.write("public/hello.txt", "Hello from the temp mount.\n");
        app.write("public/a b.txt", "space in the name\n");
        app.write(
            "public/sub/index.html",
            "<!doctype html><title>sub index</title>\n",
        );
        app.write(
            "public/404.html",
            "<!doctype html><title>custom 404</title>\n",
        );
        app.write("public/big.bin", big_file());
        app.write("public/.env", HIDDEN);
        app.write("public/.git/config", HIDDEN);
        app.write("public/sub/.hidden", HIDDEN);
        app.component(
            Component::static_files("/...", "public").env("CUSTOM_404_PATH", "/404.html"),
        );
        app.component(Component::static_files("/assets/...", "public").named("assets"));
        app.component(
            Component::static_files("/spa/...", "public")
                .named("spa")
                .env("FALLBACK_PATH", "/index.html"),
        );
        let runner = support::own_runner("fileserver temp-app tests", &app.manifest())?;
        Some((app, runner))
    })
    .as_ref()
}

fn mounts_client(test: &str) -> Option<Client> {
    let m = mounts();
    if m.is_none() {
        support::skip(test, "the temp app needs the embedded runner");
    }
    m.map(|(_, r)| r.client())
}

#[test]
fn files_under_a_sub_route_are_found_by_path_info() {
    let Some(c) = mounts_client("files_under_a_sub_route_are_found_by_path_info") else {
        return;
    };
    let resp = get_with(&c, "/assets/hello.txt", &[]);
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text(), "Hello from the temp mount.\n");
    // A client-sent spin-path-info must not pick the file.
    let resp = get_with(&c, "/assets/hello.txt", &[("spin-path-info", "/.env")]);
    assert_eq!(resp.text(), "Hello from the temp mount.\n");
}

#[test]
fn percent_encoded_names_are_decoded_once() {
    let Some(c) = mounts_client("percent_encoded_names_are_decoded_once") else {
        return;
    };
    let resp = get_with(&c, "/a%20b.txt", &[]);
    assert_eq!(
        (resp.status(), resp.text().as_str()),
        (200, "space in the name\n")
    );
    assert_ne!(
        get_with(&c, "/a%2520b.txt", &[]).status(),
        200,
        "decoded twice"
    );
}

#[test]
fn directory_without_slash_redirects_and_with_slash_serves_its_index() {
    let Some(c) =
        mounts_client("directory_without_slash_redirects_and_with_slash_serves_its_index")
    else {
        return;
    };
    for (from, to) in [("/sub", "/sub/"), ("/assets/sub", "/assets/sub/")] {
        let resp = get_with(&c, from, &[]);
        assert_eq!(resp.status(), 301, "GET {from}");
        assert_eq!(resp.header("location"), Some(to), "GET {from}");
    }
    let resp = get_with(&c, "/sub/", &[]);
    assert_eq!(resp.status(), 200);
    assert!(resp.text().contains("sub index"));
}

#[test]
fn custom_404_page_keeps_status_404() {
    let Some(c) = mounts_client("custom_404_page_keeps_status_404") else {
        return;
    };
    let resp = get_with(&c, "/nowhere.txt", &[]);
    assert_eq!(resp.status(), 404);
    assert!(resp.text().contains("custom 404"), "body: {}", resp.text());
    assert!(content_type(&resp).starts_with("text/html"));
    // Without CUSTOM_404_PATH the 404 is plain.
    let plain = get_with(&c, "/assets/nowhere.txt", &[]);
    assert_eq!(plain.status(), 404);
    assert!(!plain.text().contains("custom 404"));
}

#[test]
fn fallback_path_serves_the_app_shell_for_unknown_paths() {
    let Some(c) = mounts_client("fallback_path_serves_the_app_shell_for_unknown_paths") else {
        return;
    };
    let resp = get_with(&c, "/spa/some/client/route", &[]);
    assert_eq!(resp.status(), 200);
    assert!(resp.text().contains("temp index"), "body: {}", resp.text());
    assert_eq!(
        get_with(&c, "/spa/hello.txt", &[]).text(),
        "Hello from the temp mount.\n"
    );
}

#[test]
fn hidden_files_are_404() {
    let Some(c) = mounts_client("hidden_files_are_404") else {
        return;
    };
    for path in ["/.env", "/.git/config", "/sub/.hidden", "/assets/.env"] {
        let resp = get_with(&c, path, &[]);
        assert_eq!(resp.status(), 404, "{path}");
        assert!(!resp.text().contains(HIDDEN), "{path} leaked");
    }
}

#[test]
fn big_files_stream_whole_and_ranges_cross_chunks() {
    let Some(c) = mounts_client("big_files_stream_whole_and_ranges_cross_chunks") else {
        return;
    };
    let file = big_file();
    let resp = get_with(&c, "/big.bin", &[]);
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.body.len(), file.len());
    assert!(resp.body == file, "big.bin body differs from the file");
    let resp = get_with(&c, "/big.bin", &[("Range", "bytes=65530-131080")]);
    assert_eq!(resp.status(), 206);
    assert!(
        resp.body == file[65530..=131080],
        "range across 64 KiB boundaries"
    );
}
