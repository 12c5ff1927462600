//! Shared fixture: the app under test and how to reach it.
//!
//! - [`target`]: the app every read-only test talks to. With
//!   `SPIN_SSE_BASE_URL` set (e.g. `http://127.0.0.1:3000` from `spin up`)
//!   that server; otherwise the embedded runner serving the repo's
//!   [`manifest`] (`spin.toml`, or `SPIN_SSE_MANIFEST=spin.p3.toml` for the
//!   WASI 0.3 builds), built once per test run and started once, shared.
//! - [`own_runner`]: a private runner for tests that need the runner itself
//!   (their own manifest, metrics, stderr); `None`, with a printed reason,
//!   when the suite points at an external server.
//! - [`runner`]: the runner process (ephemeral port, captured output, killed
//!   on drop), [`redis`]: private `redis-server`s, both from the process
//!   harness of the shared `sse-testkit` crate (which also keeps every child
//!   under a watchdog, so none outlives the test binary); [`temp_app`]:
//!   throwaway app directories with a manifest; [`redis_app`]: apps of the
//!   Redis and variables fixture component; [`fixture_wasm`]: a fixture
//!   component built once.
//! - [`http`]: raw HTTP/1.1 client; [`sse_stream`]: timestamped SSE reader
//!   (both from the shared `sse-testkit` crate, which tests them);
//!   [`webdriver`]: headless Chromium through chromedriver (fantoccini);
//!   [`contrast`]: WCAG text contrast measured in it.

pub mod contrast;
pub mod hub;
pub mod hub_page;
pub mod jwks_server;
pub mod redis_app;
pub mod runner;
pub mod temp_app;
pub mod webdriver;
pub use sse_testkit::client as http;
pub use sse_testkit::redis;
pub use sse_testkit::timed as sse_stream;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

pub use http::{Client, Request, Response};
pub use runner::{Runner, RunnerOptions};
pub use sse_stream::{ids, messages, Block, SseReader};
pub use temp_app::TempApp;

/// The environment variable that points the suite at an external server.
pub const BASE_URL_VAR: &str = "SPIN_SSE_BASE_URL";

/// The environment variable that picks the repo's manifest under test (a
/// file name in the repo root; default `spin.toml`).
pub const MANIFEST_VAR: &str = "SPIN_SSE_MANIFEST";

/// The four messages of the default stream, in order.
pub const SEED_MESSAGES: [&str; 4] = [
    "Look, Ma'! I'm streaming!",
    "It only took two lines of code!",
    "All you have to do is set a header and chunk the response!",
    "Bye now!",
];

/// The workspace root (where `spin.toml` lives).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e/ has a parent")
}

/// The repo's manifest under test: `SPIN_SSE_MANIFEST` or `spin.toml`.
pub fn manifest() -> PathBuf {
    let name = std::env::var(MANIFEST_VAR).unwrap_or_default();
    let name = if name.is_empty() { "spin.toml" } else { &name };
    let path = repo_root().join(name);
    assert!(
        !name.contains('/') && path.is_file(),
        "{MANIFEST_VAR}={name}: give the file name of a manifest in {} (spin.toml or spin.p3.toml)",
        repo_root().display()
    );
    path
}

/// The manifest under test, parsed.
fn manifest_table() -> toml::Table {
    let path = manifest();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse()
        .unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()))
}

/// A setting of `[component.<component>.environment]` in the manifest
/// under test.
pub fn manifest_env(component: &str, name: &str) -> String {
    let manifest = manifest_table();
    let value = &manifest["component"][component]["environment"][name];
    value
        .as_str()
        .unwrap_or_else(|| panic!("{name} of component {component} is a string: {value:?}"))
        .to_owned()
}

/// Whether the manifest under test serves `/sse` as a WASI 0.3 build
/// (`source` in the `component-p3` profile's directory), whose instances
/// serve many requests, rather than one instance per request.
pub fn sse_is_p3() -> bool {
    component_wasm("spin_sse")
        .parent()
        .is_some_and(|dir| dir.ends_with("component-p3"))
}

/// Whether the manifest under test serves the event hub as its WASI 0.3
/// build (`source` in the `hub-p3` profile's directory).
pub fn hub_is_p3() -> bool {
    component_wasm("mercure_hub")
        .parent()
        .is_some_and(|dir| dir.ends_with("hub-p3"))
}

/// `target/` of the workspace (the manifest's `source` paths point into it).
pub fn target_dir() -> PathBuf {
    repo_root().join("target")
}

/// The runner binary, built by [`ensure_built`].
pub fn runner_bin() -> PathBuf {
    target_dir().join("release/spin-sse-runner")
}

/// The `.wasm` of a component crate as the [`manifest`] under test serves
/// it (its WASI 0.2 or WASI 0.3 build), built by [`ensure_built`]; for a
/// fixture the manifest does not name (built by [`fixture_wasm`]), its
/// WASI 0.2 build.
pub fn component_wasm(crate_name: &str) -> PathBuf {
    let file = format!("{crate_name}.wasm");
    let table = manifest_table();
    let sources = table["component"]
        .as_table()
        .into_iter()
        .flat_map(|components| components.values())
        .filter_map(|component| component.get("source")?.as_str());
    match sources
        .into_iter()
        .find(|source| Path::new(source).file_name() == Some(file.as_ref()))
    {
        Some(source) => repo_root().join(source),
        None => target_dir().join("wasm32-wasip2/component").join(file),
    }
}

/// Builds the release runner and the fixture component `package` (e.g.
/// `echo-component`) once per test run; the fixture's `.wasm`. Panics with
/// cargo's output when a build fails.
pub fn fixture_wasm(package: &str) -> PathBuf {
    fixture_build(package, Abi::Wasi02)
}

/// [`fixture_wasm`] for the WASI 0.3 build of `package` (its feature `p3`,
/// profile `component-p3`).
pub fn fixture_wasm_p3(package: &str) -> PathBuf {
    fixture_build(package, Abi::Wasi03)
}

/// Which `wasi:http` a fixture is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Abi {
    Wasi02,
    Wasi03,
}

fn fixture_build(package: &str, abi: Abi) -> PathBuf {
    type Built = Vec<((String, Abi), Result<PathBuf, String>)>;
    static BUILT: Mutex<Built> = Mutex::new(Vec::new());
    let key = (package.to_string(), abi);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|(k, _)| *k == key) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let profile = match abi {
            Abi::Wasi02 => "component",
            Abi::Wasi03 => "component-p3",
        };
        let mut build = Command::new(&cargo);
        build.args(["build", "--target", "wasm32-wasip2", "--profile", profile]);
        build.args(["-p", package]);
        if abi == Abi::Wasi03 {
            build.args(["--no-default-features", "--features", "p3"]);
        }
        let crate_name = package.replace('-', "_");
        let result =
            run(Command::new(&cargo).args(["build", "--release", "-p", "spin-sse-runner"]))
                .and_then(|()| run(&mut build))
                .map(|()| target_dir().join(format!("wasm32-wasip2/{profile}/{crate_name}.wasm")));
        built.push((key.clone(), result));
    }
    match &built.iter().find(|(k, _)| *k == key).expect("just built").1 {
        Ok(wasm) => wasm.clone(),
        Err(e) => panic!("building fixture {package} ({abi:?}) failed:\n{e}"),
    }
}

/// Builds the release runner, then the [`manifest`]'s components (and the
/// precompressed sidecars) through `spin-sse-runner build`, once per test
/// run.
pub fn ensure_built() {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(e) = BUILT.get_or_init(build_all) {
        panic!("building the app failed (every runner test needs it):\n{e}");
    }
}

fn build_all() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(&cargo).args(["build", "--release", "-p", "spin-sse-runner"]))?;
    run(Command::new(runner_bin())
        .arg("build")
        .arg("--file")
        .arg(manifest()))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    eprintln!("e2e: running {shown}");
    let out = cmd
        .current_dir(repo_root())
        .output()
        .map_err(|e| format!("{shown}: cannot start: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!(
        "{shown} failed ({}):\n{}",
        out.status,
        tail.join("\n")
    ))
}

/// The app under test for tests that only need HTTP.
pub enum Target {
    /// The embedded runner serving the repo's [`manifest`], shared by all tests.
    Runner(Runner),
    /// An external server from `SPIN_SSE_BASE_URL`.
    External(Client),
}

impl Target {
    pub fn client(&self) -> Client {
        match self {
            Target::Runner(r) => r.client(),
            Target::External(c) => c.clone(),
        }
    }
}

/// The shared app: external when `SPIN_SSE_BASE_URL` is set, else the runner.
pub fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| match external_base() {
        Some(client) => Target::External(client),
        None => {
            ensure_built();
            Target::Runner(runner::start(&manifest()))
        }
    })
}

/// A client for the shared app.
pub fn client() -> Client {
    target().client()
}

/// Parses `SPIN_SSE_BASE_URL` (`http://host:port`, path `/` or none).
fn external_base() -> Option<Client> {
    let url = std::env::var(BASE_URL_VAR).ok().filter(|u| !u.is_empty())?;
    let rest = url.strip_prefix("http://").unwrap_or_else(|| {
        panic!("{BASE_URL_VAR}={url}: only http:// URLs are supported");
    });
    let host = rest.trim_end_matches('/');
    assert!(
        !host.contains('/'),
        "{BASE_URL_VAR}={url}: give the origin only (the app is mounted at /)"
    );
    let addr = std::net::ToSocketAddrs::to_socket_addrs(host)
        .unwrap_or_else(|e| panic!("{BASE_URL_VAR}={url}: cannot resolve {host}: {e}"))
        .next()
        .unwrap_or_else(|| panic!("{BASE_URL_VAR}={url}: {host} resolves to nothing"));
    Some(Client {
        addr,
        host: host.to_string(),
    })
}

/// Whether the suite runs against an external server.
pub fn is_external() -> bool {
    external_base().is_some()
}

/// Prints why a test does nothing.
pub fn skip(test: &str, reason: &str) {
    eprintln!("e2e: SKIPPED {test}: {reason}");
}

/// A private runner for `manifest`, or `None` (reason printed) when the
/// suite targets an external server, which cannot be given a manifest.
pub fn own_runner(test: &str, manifest: &Path) -> Option<Runner> {
    if is_external() {
        skip(
            test,
            &format!("needs the embedded runner itself, but {BASE_URL_VAR} is set"),
        );
        return None;
    }
    ensure_built();
    Some(runner::start(manifest))
}

/// Reads a file of the repo's `static/` directory (what `/` serves).
pub fn static_file(rel: &str) -> Vec<u8> {
    let path = repo_root().join("static").join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
