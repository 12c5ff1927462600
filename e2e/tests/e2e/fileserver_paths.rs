//! The hostile-path battery, sent raw over TCP so no client normalises it:
//! traversal (raw, percent-encoded, double-encoded, overlong UTF-8, mixed
//! separators), hidden files, NUL, absurd lengths. Against the temp app
//! (a secret file sits next to the mount) and against the repo's app (the
//! repo itself sits next to `static/`): nothing outside the mount or
//! hidden comes back, no 5xx, no panic in the runner's log.

use super::fileserver_mounts::{mounts, HIDDEN, SECRET};
use super::support::{self, Client, Runner};

/// Request targets, as raw bytes. `T` is replaced by the traversal target
/// (`secret.txt` next to the temp mount, `spin.toml` next to `static/`).
const BATTERY: &[&str] = &[
    "/../T",
    "/../../T",
    "/../../../../../../T",
    "/./../T",
    "/sub/../../T",
    "/index.html/../../T",
    "//../T",
    "///../T",
    "/..//T",
    "/....//T",
    "/..;/T",
    "/..%2fT",
    "/..%2FT",
    "/%2e%2e/T",
    "/%2E%2E/T",
    "/%2e%2e%2fT",
    "/.%2e/T",
    "/%2e./T",
    "/%2f..%2fT",
    "/%2f%2e%2e%2fT",
    "/sub%2f..%2f..%2fT",
    "/sub/..%2f..%2fT",
    "/%252e%252e/T",
    "/%252e%252e%252fT",
    "/..%252fT",
    "/..\\T",
    "/..%5cT",
    "/..%5CT",
    "/%2e%2e%5cT",
    "/%5c..%5cT",
    "/..%255cT",
    "/%c0%ae%c0%ae/T",
    "/%c0%ae%c0%ae%c0%afT",
    "/..%c0%afT",
    "/%e0%80%ae%e0%80%ae/T",
    "/%ef%bc%8e%ef%bc%8e/T",
    "/%uff0e%uff0e/T",
    "/..%00/T",
    "/%00/../T",
    "/T",
    "/.env",
    "/.git/config",
    "/%2eenv",
    "/%2egit/config",
    "/.git%2fconfig",
    "/./.env",
    "/sub/..%2f.env",
    "/sub/.hidden",
    "/sub/%2ehidden",
    "/hello.txt%00",
    "/hello.txt%00.html",
    "/%00",
    "/%",
    "/%ZZ",
    "/hello.txt%",
    "/etc/passwd",
    "/../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/proc/self/environ",
    "/%2e%2e/%2e%2e/%2e%2e/proc/self/environ",
    "/C:%5cWindows%5cwin.ini",
    "/?../T",
    "/assets/../T",
    "/assets/..%2fT",
    "/spa/../T",
    "/spa/%2e%2e/T",
];

/// Texts that must never appear in a response body.
fn forbidden_markers() -> Vec<&'static str> {
    vec![
        SECRET,
        HIDDEN,
        "spin_manifest_version",   // spin.toml next to static/
        "[workspace]",             // Cargo.toml
        "repositoryformatversion", // .git/config
        "root:x:0:0",              // /etc/passwd
        "PATH=/",                  // /proc/self/environ
    ]
}

/// Runs the battery with traversal target `t`; returns the findings.
fn run_battery(client: &Client, t: &str, allowed_bodies: &[Vec<u8>]) -> Vec<String> {
    let mut findings = Vec::new();
    let long = format!("/{}", "a/".repeat(4000));
    let mut targets: Vec<Vec<u8>> = BATTERY
        .iter()
        .map(|p| p.replace('T', t).into_bytes())
        .collect();
    targets.push(long.into_bytes());
    targets.push(format!("/hello.txt\0.html/../{t}").into_bytes());
    targets.push(format!("http://{}/../{t}", client.host).into_bytes());
    for target in &targets {
        let shown = String::from_utf8_lossy(target)
            .chars()
            .take(80)
            .collect::<String>();
        let mut raw = b"GET ".to_vec();
        raw.extend_from_slice(target);
        raw.extend_from_slice(
            format!(
                " HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                client.host
            )
            .as_bytes(),
        );
        let resp = match client.send_raw("GET", &raw) {
            Ok(r) => r,
            // A request line with raw control bytes may be cut off without an answer.
            Err(_) if target.iter().any(|b| *b < 0x21) => continue,
            Err(e) => {
                findings.push(format!("{shown:?}: no response ({e})"));
                continue;
            }
        };
        let body = String::from_utf8_lossy(&resp.body);
        if resp.status() >= 500 {
            findings.push(format!("{shown:?}: {} (5xx)", resp.status()));
        }
        for marker in forbidden_markers() {
            if body.contains(marker) {
                findings.push(format!("{shown:?}: body leaks {marker:?}"));
            }
        }
        if resp.status() == 200 && !allowed_bodies.contains(&resp.body) {
            findings.push(format!(
                "{shown:?}: 200 with a body that is no file of the mount"
            ));
        }
    }
    findings
}

fn assert_no_panic(runner: &Runner) {
    let panics: Vec<String> = runner
        .stderr
        .snapshot()
        .into_iter()
        .filter(|l| l.contains("panicked") || l.contains("wasm trap"))
        .collect();
    assert!(
        panics.is_empty(),
        "runner stderr shows panics:\n{}",
        panics.join("\n")
    );
}

#[test]
fn hostile_paths_never_leak_the_secret_next_to_the_mount() {
    let Some((app, runner)) = mounts() else {
        support::skip(
            "hostile_paths_never_leak_the_secret_next_to_the_mount",
            &format!(
                "its temp app needs the embedded runner, but {} is set",
                support::BASE_URL_VAR
            ),
        );
        return;
    };
    assert!(BATTERY.len() >= 40);
    let public = app.dir().join("public");
    let allowed: Vec<Vec<u8>> = [
        "index.html",
        "hello.txt",
        "a b.txt",
        "sub/index.html",
        "404.html",
    ]
    .iter()
    .map(|f| std::fs::read(public.join(f)).unwrap())
    .collect();
    let findings = run_battery(&runner.client(), "secret.txt", &allowed);
    assert!(
        findings.is_empty(),
        "{} findings:\n{}",
        findings.len(),
        findings.join("\n")
    );
    assert_no_panic(runner);
    // Still serving.
    assert_eq!(runner.client().get("/hello.txt").status(), 200);
}

#[test]
fn hostile_paths_never_leak_the_repo_next_to_static() {
    let client = support::client();
    let allowed: Vec<Vec<u8>> = ["index.html", "app.js", "style.css", "favicon.svg"]
        .iter()
        .map(|f| support::static_file(f))
        .collect();
    let findings = run_battery(&client, "spin.toml", &allowed);
    assert!(
        findings.is_empty(),
        "{} findings:\n{}",
        findings.len(),
        findings.join("\n")
    );
    if let support::Target::Runner(runner) = support::target() {
        assert_no_panic(runner);
    }
}
