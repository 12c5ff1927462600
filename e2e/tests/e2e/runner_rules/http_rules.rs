//! Rules a request shows: which component wins a route, the `spin-*`
//! headers it sees, environment and `files`, its prefixed output.

use super::process;
use super::{echo_app, json, prepared, seen};
use crate::e2e::support::Request;
use std::time::Duration;

#[test]
fn routing_precedence_matches_spin() {
    let Some(wasm) = prepared("routing_precedence_matches_spin") else {
        return;
    };
    let app = echo_app(
        "routing",
        &wasm,
        &[
            ("catch-all", &["/..."], ""),
            (
                "echo",
                &[
                    "/one/...",
                    "/one",
                    "/one/two/...",
                    "/",
                    "/users/:id",
                    "/trail/",
                ],
                "",
            ),
        ],
    );
    let runner = process::start(&app.dir().join("spin.toml"), &[]);
    let c = runner.client();
    let cases = [
        ("/one", "echo", "/one"),
        ("/one/", "echo", "/one"),
        ("/one/x", "echo", "/one/..."),
        ("/one/two", "echo", "/one/two/..."),
        ("/one/two/three/four", "echo", "/one/two/..."),
        ("/", "echo", "/"),
        ("/onex", "catch-all", "/..."),
        ("/zzz/y", "catch-all", "/..."),
        ("/users/7", "echo", "/users/:id"),
        ("/users/7/x", "catch-all", "/..."),
        ("/trail", "echo", "/trail/"),
    ];
    for (path, component, route) in cases {
        let v = json(&c.get(path));
        assert_eq!(v["component"], component, "{path}");
        assert_eq!(seen(&v, "spin-raw-component-route"), [route], "{path}");
    }
    let v = json(&c.get("/users/42"));
    assert_eq!(seen(&v, "spin-path-match-id"), ["42"]);
}

#[test]
fn every_spin_header_has_spins_value() {
    let Some(wasm) = prepared("every_spin_header_has_spins_value") else {
        return;
    };
    let app = echo_app("headers", &wasm, &[("echo", &["/api/...", "/exact"], "")]);
    let runner = process::start(&app.dir().join("spin.toml"), &[]);
    let c = runner.client();
    let host = runner.addr.to_string();
    let v = json(&c.get("/api/items/9?sort=asc&x=%20"));
    assert_eq!(
        seen(&v, "spin-full-url"),
        [format!("http://{host}/api/items/9?sort=asc&x=%20")]
    );
    assert_eq!(seen(&v, "spin-path-info"), ["/items/9"]);
    assert_eq!(seen(&v, "spin-matched-route"), ["/api/..."]);
    assert_eq!(seen(&v, "spin-base-path"), ["/"]);
    assert_eq!(seen(&v, "spin-raw-component-route"), ["/api/..."]);
    assert_eq!(seen(&v, "spin-component-route"), ["/api"]);
    let client_addr = seen(&v, "spin-client-addr");
    assert_eq!(client_addr.len(), 1);
    let client_addr: std::net::SocketAddr = client_addr[0].parse().unwrap();
    assert_eq!(client_addr.ip().to_string(), "127.0.0.1");
    assert_ne!(client_addr.port(), runner.addr.port());
    assert_eq!(
        v["uri"],
        format!("http://{host}/api/items/9?sort=asc&x=%20")
    );
    assert_eq!(v["method"], "GET");

    let v = json(&c.get("/exact/"));
    assert_eq!(seen(&v, "spin-path-info"), [""]);
    assert_eq!(seen(&v, "spin-matched-route"), ["/exact"]);
    assert_eq!(seen(&v, "spin-component-route"), ["/exact"]);
    assert_eq!(seen(&v, "spin-full-url"), [format!("http://{host}/exact/")]);
}

#[test]
fn client_sent_spin_headers_are_dropped() {
    let Some(wasm) = prepared("client_sent_spin_headers_are_dropped") else {
        return;
    };
    let app = echo_app("forged", &wasm, &[("echo", &["/..."], "")]);
    let runner = process::start(&app.dir().join("spin.toml"), &[]);
    let req = Request::get("/a")
        .header("Spin-Full-Url", "http://evil.example/")
        .header("spin-client-addr", "6.6.6.6:6")
        .header("spin-made-up", "1")
        .header("spinach", "kept");
    let v = json(&runner.client().send(req));
    assert_eq!(
        seen(&v, "spin-full-url"),
        [format!("http://{}/a", runner.addr)]
    );
    assert_eq!(seen(&v, "spin-client-addr").len(), 1);
    assert_ne!(seen(&v, "spin-client-addr")[0], "6.6.6.6:6");
    assert!(seen(&v, "spin-made-up").is_empty());
    assert_eq!(seen(&v, "spinach"), ["kept"]);
}

#[test]
fn environment_and_files_reach_the_guest() {
    let Some(wasm) = prepared("environment_and_files_reach_the_guest") else {
        return;
    };
    let extra = r#"environment = { ECHO_NAME = "echo", GREETING = "hello, world" }
files = [{ source = "assets", destination = "/data" }, "notes/*.txt", { source = "single.txt", destination = "/renamed.txt" }]
exclude_files = ["notes/private.txt"]"#;
    let app = echo_app("files", &wasm, &[("echo", &["/..."], extra)]);
    app.write("assets/a.txt", "alpha");
    app.write("assets/sub/b.txt", "beta");
    app.write("notes/n1.txt", "note one");
    app.write("notes/private.txt", "secret");
    app.write("notes/skip.md", "not matched");
    app.write("single.txt", "single");
    let runner = process::start(&app.dir().join("spin.toml"), &[]);
    let c = runner.client();
    let v = json(&c.get("/?file=/data/a.txt"));
    assert_eq!(v["env"]["GREETING"], "hello, world");
    assert_eq!(v["env"]["ECHO_NAME"], "echo");
    assert_eq!(v["file"]["content"], "alpha");
    assert_eq!(
        json(&c.get("/?file=/data/sub/b.txt"))["file"]["content"],
        "beta"
    );
    assert_eq!(
        json(&c.get("/?file=/renamed.txt"))["file"]["content"],
        "single"
    );
    assert_eq!(
        json(&c.get("/?dir=/notes"))["dir"]["entries"],
        serde_json::json!(["n1.txt"])
    );
    assert_eq!(
        json(&c.get("/?dir=/"))["dir"]["entries"],
        serde_json::json!(["data", "notes", "renamed.txt"])
    );
    // Nothing outside the mounts: the manifest itself is not visible.
    assert!(json(&c.get("/?file=/spin.toml"))["file"]["error"].is_string());
    assert!(json(&c.get("/?file=/../spin.toml"))["file"]["error"].is_string());
}

#[test]
fn component_output_is_prefixed_with_its_id() {
    let Some(wasm) = prepared("component_output_is_prefixed_with_its_id") else {
        return;
    };
    let app = echo_app("stdio", &wasm, &[("talker", &["/..."], "")]);
    let runner = process::start(&app.dir().join("spin.toml"), &[]);
    assert_eq!(runner.client().get("/?say=marker-41").status(), 200);
    let out = runner
        .stdout
        .next_matching(Duration::from_secs(5), |l| l.contains("marker-41"));
    assert_eq!(out.as_deref(), Some("[talker] marker-41"));
    let err = runner
        .stderr
        .next_matching(Duration::from_secs(5), |l| l.contains("marker-41"));
    assert_eq!(err.as_deref(), Some("[talker] marker-41 (stderr)"));
}

#[test]
fn unrouted_paths_404_and_health_answers() {
    let Some(wasm) = prepared("unrouted_paths_404_and_health_answers") else {
        return;
    };
    let app = echo_app("notfound", &wasm, &[("echo", &["/only"], "")]);
    let runner = process::start(&app.dir().join("spin.toml"), &[]);
    let c = runner.client();
    let r = c.get("/other");
    assert_eq!((r.status(), r.body.len()), (404, 0));
    let r = c.get("/.well-known/spin/health");
    assert_eq!((r.status(), r.text().as_str()), (200, "OK"));
    assert_eq!(c.get("/only").status(), 200);
}

#[test]
fn request_without_host_is_400_not_5xx() {
    let Some(wasm) = prepared("request_without_host_is_400_not_5xx") else {
        return;
    };
    let app = echo_app("nohost", &wasm, &[("echo", &["/..."], "")]);
    let runner = process::start(&app.dir().join("spin.toml"), &[]);
    let r = runner
        .client()
        .send_raw("GET", b"GET /x HTTP/1.0\r\n\r\n")
        .unwrap();
    assert_eq!(r.status(), 400, "{}", r.text());
    assert_eq!(r.text().lines().count(), 1, "{}", r.text());
}

#[test]
fn routes_are_printed_like_spin() {
    let Some(wasm) = prepared("routes_are_printed_like_spin") else {
        return;
    };
    let app = echo_app(
        "banner",
        &wasm,
        &[("echo", &["/sse", "/..."], "description = \"an echo\"")],
    );
    let runner = process::start(&app.dir().join("spin.toml"), &[]);
    let base = format!("http://{}", runner.addr);
    let banner = runner.stdout.snapshot();
    assert_eq!(
        banner[..7],
        [
            format!("Serving {base}"),
            "Available Routes:".to_string(),
            format!("  echo: {base}/sse"),
            "    an echo".to_string(),
            format!("  echo: {base} (wildcard)"),
            "    an echo".to_string(),
            format!("Metrics http://{}/metrics", runner.metrics_addr),
        ]
    );
}
