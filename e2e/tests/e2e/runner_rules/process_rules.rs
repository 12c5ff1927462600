//! Rules of the runner process: manifest and startup errors are one
//! `Error:` line and a non-zero exit; `--max-instances` answers 503 with
//! `Retry-After`; SIGTERM ends open requests and exits 0.

use super::process::{self, failing_up};
use super::{echo_app, json, prepared};
use crate::e2e::support::{Request, TempApp};
use std::time::{Duration, Instant};

#[test]
fn unsupported_manifest_key_is_named_with_spin_up_hint() {
    let Some(wasm) = prepared("unsupported_manifest_key_is_named_with_spin_up_hint") else {
        return;
    };
    let app = echo_app(
        "kv",
        &wasm,
        &[("echo", &["/..."], "key_value_stores = [\"default\"]")],
    );
    let err = failing_up(&app.dir().join("spin.toml"), &[]);
    assert!(
        err.contains("`component.echo.key_value_stores` is not supported"),
        "{err}"
    );
    assert!(err.contains("spin up"), "{err}");
}

#[test]
fn unknown_manifest_key_is_named() {
    let Some(wasm) = prepared("unknown_manifest_key_is_named") else {
        return;
    };
    let app = echo_app(
        "typo",
        &wasm,
        &[("echo", &["/..."], "enviroment = { A = \"1\" }")],
    );
    let err = failing_up(&app.dir().join("spin.toml"), &[]);
    assert!(
        err.contains("unknown key `component.echo.enviroment`"),
        "{err}"
    );
}

#[test]
fn outbound_hosts_and_url_sources_are_refused() {
    let Some(wasm) = prepared("outbound_hosts_and_url_sources_are_refused") else {
        return;
    };
    let app = echo_app(
        "outbound",
        &wasm,
        &[(
            "echo",
            &["/..."],
            "allowed_outbound_hosts = [\"postgres://db.example.com\"]",
        )],
    );
    let err = failing_up(&app.dir().join("spin.toml"), &[]);
    assert!(
        err.contains("`component.echo.allowed_outbound_hosts[0]` is not supported"),
        "{err}"
    );
    let app = TempApp::new("urlsource");
    app.write(
        "spin.toml",
        "spin_manifest_version = 2\n[application]\nname = \"x\"\n[[trigger.http]]\nroute = \"/\"\ncomponent = \"c\"\n[component.c]\nsource = { url = \"https://example.com/c.wasm\", digest = \"sha256:00\" }\n",
    );
    let err = failing_up(&app.dir().join("spin.toml"), &[]);
    assert!(
        err.contains("`component.c.source` is not supported"),
        "{err}"
    );
}

#[test]
fn duplicate_routes_are_refused() {
    let Some(wasm) = prepared("duplicate_routes_are_refused") else {
        return;
    };
    let app = echo_app("dup", &wasm, &[("a", &["/x"], ""), ("b", &["/x/"], "")]);
    let err = failing_up(&app.dir().join("spin.toml"), &[]);
    assert!(err.contains("duplicate route"), "{err}");
}

#[test]
fn missing_wasm_says_how_to_build_it() {
    let Some(_) = prepared("missing_wasm_says_how_to_build_it") else {
        return;
    };
    let app = TempApp::new("nowasm");
    app.write(
        "spin.toml",
        "spin_manifest_version = 2\n[application]\nname = \"x\"\n[[trigger.http]]\nroute = \"/\"\ncomponent = \"c\"\n[component.c]\nsource = \"target/missing.wasm\"\n",
    );
    let err = failing_up(&app.dir().join("spin.toml"), &[]);
    assert!(
        err.contains("missing.wasm") && err.contains("not found"),
        "{err}"
    );
    assert!(
        err.contains("--build") && err.contains("spin build"),
        "{err}"
    );
}

#[test]
fn missing_manifest_and_bad_toml_are_one_line_errors() {
    let Some(_) = prepared("missing_manifest_and_bad_toml_are_one_line_errors") else {
        return;
    };
    let app = TempApp::new("badtoml");
    let err = failing_up(&app.dir().join("nope.toml"), &[]);
    assert!(err.contains("cannot read manifest"), "{err}");
    app.write("spin.toml", "spin_manifest_version = 2\n[application\n");
    let err = failing_up(&app.dir().join("spin.toml"), &[]);
    assert!(err.contains("not valid TOML"), "{err}");
}

#[test]
fn port_in_use_is_one_error_line() {
    let Some(wasm) = prepared("port_in_use_is_one_error_line") else {
        return;
    };
    let app = echo_app("port", &wasm, &[("echo", &["/..."], "")]);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = failing_up(&app.dir().join("spin.toml"), &["--listen", &addr]);
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    assert!(err.to_lowercase().contains("in use"), "{err}");
}

#[test]
fn past_max_instances_answers_503_with_retry_after() {
    let Some(wasm) = prepared("past_max_instances_answers_503_with_retry_after") else {
        return;
    };
    let app = echo_app("limit", &wasm, &[("echo", &["/..."], "")]);
    let runner = process::start(&app.dir().join("spin.toml"), &["--max-instances", "1"]);
    let c = runner.client();
    // Hold the only instance: the echo sleeps before answering.
    let held = c.clone();
    let slow = std::thread::spawn(move || held.get("/?sleep_ms=3000"));
    assert!(
        runner
            .wait_metric("instances_active", 1, Duration::from_secs(10))
            .is_some(),
        "the slow request never started"
    );
    let r = c.get("/busy");
    assert_eq!(r.status(), 503, "{}", r.text());
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.text().lines().count(), 1, "{}", r.text());
    assert_eq!(runner.metric("requests_rejected"), 1);
    assert_eq!(slow.join().unwrap().status(), 200);
    assert!(runner
        .wait_metric("instances_active", 0, Duration::from_secs(5))
        .is_some());
    assert_eq!(json(&c.get("/after"))["path"], "/after");
    assert_eq!(runner.metric("instances_started"), 2);
    assert!(runner
        .wait_metric("instances_finished", 2, Duration::from_secs(5))
        .is_some());
}

#[test]
fn sigterm_ends_open_requests_and_exits_zero() {
    let Some(wasm) = prepared("sigterm_ends_open_requests_and_exits_zero") else {
        return;
    };
    let app = echo_app("sigterm", &wasm, &[("echo", &["/..."], "")]);
    let mut runner = process::start(&app.dir().join("spin.toml"), &[]);
    let c = runner.client();
    let slow = std::thread::spawn(move || {
        let started = Instant::now();
        let outcome =
            std::panic::catch_unwind(|| c.send(Request::get("/?sleep_ms=60000")).status());
        (started.elapsed(), outcome.ok())
    });
    assert!(runner
        .wait_metric("instances_active", 1, Duration::from_secs(10))
        .is_some());
    runner.terminate();
    let status = runner
        .wait_exit(Duration::from_secs(10))
        .expect("runner did not exit within 10 s of SIGTERM");
    assert_eq!(status.code(), Some(0), "{status}");
    let (took, outcome) = slow.join().unwrap();
    assert!(
        took < Duration::from_secs(15),
        "open request was not ended: {took:?}"
    );
    // Either an answer saying the server is going away, or a closed connection.
    assert!(matches!(outcome, None | Some(503)), "{outcome:?}");
}
