//! The embedded runner's own rules over real HTTP: routing precedence, every
//! `spin-*` header, client `spin-*` headers dropped, environment and `files`
//! reaching the guest, prefixed component output, `--max-instances` 503s,
//! CLI errors (unknown/unsupported manifest keys, missing wasm, port in use)
//! and SIGTERM.
//!
//! The guest is `e2e/echo-component` (it answers JSON describing the request
//! it saw); these tests build it and the runner themselves, so they do not
//! depend on the app's own components. Skipped when `SPIN_SSE_BASE_URL`
//! points the suite at another server.

use super::support::{self, Response, TempApp};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Builds the release runner and the echo component once; `None` (reason
/// printed) when the suite targets an external server.
fn prepared(test: &str) -> Option<PathBuf> {
    if support::is_external() {
        support::skip(
            test,
            "needs the embedded runner itself, but SPIN_SSE_BASE_URL is set",
        );
        return None;
    }
    Some(support::fixture_wasm("echo-component"))
}

/// A TOML string literal.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// An app of echo components: each `(id, routes, extra)` gets its triggers,
/// `ECHO_NAME=<id>` in its environment and `extra` TOML lines in its table.
fn echo_app(label: &str, wasm: &Path, components: &[(&str, &[&str], &str)]) -> TempApp {
    let app = TempApp::new(label);
    let mut m = String::from("spin_manifest_version = 2\n[application]\nname = \"rules\"\n");
    for (id, routes, _) in components {
        for r in *routes {
            m.push_str(&format!(
                "[[trigger.http]]\nroute = {}\ncomponent = {}\n",
                q(r),
                q(id)
            ));
        }
    }
    for (id, _, extra) in components {
        m.push_str(&format!(
            "[component.{id}]\nsource = {}\n{extra}\n",
            q(&wasm.to_string_lossy())
        ));
        if !extra.contains("environment") {
            m.push_str(&format!("environment = {{ ECHO_NAME = {} }}\n", q(id)));
        }
    }
    app.write("spin.toml", m);
    app
}

fn json(r: &Response) -> Value {
    assert_eq!(r.status(), 200, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.text()))
}

/// Every value of header `name` the guest saw.
fn seen(v: &Value, name: &str) -> Vec<String> {
    v["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h[0] == name)
        .map(|h| h[1].as_str().unwrap().to_string())
        .collect()
}

/// A runner process with flags of the test's choice.
pub(super) mod process;

/// Routing, headers, environment, files, output.
mod http_rules;

/// CLI errors, instance limit, SIGTERM.
mod process_rules;
