//! Apps of the `e2e/redis-component` fixture (variables and outbound Redis):
//! a temp app routing `/...` to the fixture as component `redis`, with the
//! test's `[variables]` and component keys, served by a private runner;
//! JSON requests to it.

use super::runner::{self, failing_up_with, Runner, RunnerOptions};
use super::temp_app::TempApp;
use super::Client;
use serde_json::Value;

/// What goes into the manifest besides the fixture's trigger and source.
#[derive(Debug, Default, Clone)]
pub struct FixtureManifest<'a> {
    /// Lines of the `[variables]` table, e.g. `host = { default = "h" }`.
    pub variables: &'a [&'a str],
    /// Extra lines of `[component.redis]`, e.g. `allowed_outbound_hosts = [...]`.
    pub component: &'a [&'a str],
}

/// The fixture app in a temp dir and the runner serving it.
pub struct FixtureApp {
    pub runner: Runner,
    /// Held, never read: the app's directory lives as long as its runner.
    _app: TempApp,
}

impl FixtureApp {
    /// Writes the app and starts a runner on it; `None` (reason printed)
    /// when the suite targets an external server.
    pub fn start(
        test: &str,
        manifest: &FixtureManifest<'_>,
        options: RunnerOptions,
    ) -> Option<FixtureApp> {
        let app = write(test, manifest)?;
        let runner = runner::start_with(&app.dir().join("spin.toml"), &options);
        Some(FixtureApp { runner, _app: app })
    }

    pub fn client(&self) -> Client {
        self.runner.client()
    }

    /// `GET path` answered 200 with JSON.
    pub fn get(&self, path: &str) -> Value {
        get_json(&self.client(), path)
    }

    /// `POST /redis` with `{"address"?, "calls"}`.
    pub fn redis(&self, body: &Value) -> Value {
        post_json(&self.client(), "/redis", body)
    }
}

/// Writes the app (`None`, reason printed, when the suite is external).
pub fn write(test: &str, manifest: &FixtureManifest<'_>) -> Option<TempApp> {
    if super::is_external() {
        super::skip(
            test,
            "needs the embedded runner itself, but SPIN_SSE_BASE_URL is set",
        );
        return None;
    }
    let wasm = super::fixture_wasm("redis-component");
    let mut m = String::from(
        "spin_manifest_version = 2\n[application]\nname = \"redis-fixture\"\n\n[variables]\n",
    );
    for line in manifest.variables {
        m.push_str(&format!("{line}\n"));
    }
    m.push_str(&format!(
        "\n[[trigger.http]]\nroute = \"/...\"\ncomponent = \"redis\"\n\n[component.redis]\nsource = {}\n",
        serde_json::to_string(&wasm.to_string_lossy()).unwrap()
    ));
    for line in manifest.component {
        m.push_str(&format!("{line}\n"));
    }
    let app = TempApp::new(test);
    app.write("spin.toml", m);
    Some(app)
}

/// `up` on the fixture app is expected to fail: its one `Error:` line.
pub fn failing_start(
    test: &str,
    manifest: &FixtureManifest<'_>,
    options: &RunnerOptions,
) -> Option<String> {
    let app = write(test, manifest)?;
    Some(failing_up_with(&app.dir().join("spin.toml"), &[], options))
}

/// `GET path`, expecting 200 and JSON.
pub fn get_json(client: &Client, path: &str) -> Value {
    let resp = client.get(path);
    assert_eq!(resp.status(), 200, "GET {path}: {}", resp.text());
    serde_json::from_slice(&resp.body)
        .unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {}", resp.text()))
}

/// `POST path` with a JSON body, expecting 200 and JSON.
pub fn post_json(client: &Client, path: &str, body: &Value) -> Value {
    let body = body.to_string();
    let raw = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        client.host,
        body.len()
    );
    let resp = client
        .send_raw("POST", raw.as_bytes())
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    assert_eq!(resp.status(), 200, "POST {path} {body}: {}", resp.text());
    serde_json::from_slice(&resp.body)
        .unwrap_or_else(|e| panic!("POST {path}: not JSON ({e}): {}", resp.text()))
}
