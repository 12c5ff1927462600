//! Facts about the run for the report header: commit, time, tool and crate
//! versions.

use std::path::Path;
use std::process::Command;

fn capture(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn git_commit() -> String {
    let head =
        capture("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = capture(
        "git",
        &[
            "status",
            "--porcelain",
            "--",
            "src",
            "encoder",
            "fileserver",
            "runner",
            "bench",
            "spin.toml",
            "Cargo.lock",
        ],
    )
    .is_some_and(|s| !s.is_empty());
    if dirty {
        format!("{head} (+ uncommitted changes)")
    } else {
        head
    }
}

pub fn utc_now() -> String {
    capture("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(|| "unknown time".into())
}

/// Version of `name` from Cargo.lock text.
pub fn lock_version(lock: &str, name: &str) -> Option<String> {
    let key = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == key {
            return lines
                .next()?
                .trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')
                .map(str::to_string);
        }
    }
    None
}

pub fn versions(runner: &Path) -> Vec<(String, String)> {
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let mut v = vec![(
        "rustc".to_string(),
        capture("rustc", &["-V"]).unwrap_or_else(|| "unknown".into()),
    )];
    if let Some(rv) = capture(&runner.to_string_lossy(), &["--version"]) {
        v.push(("runner".into(), rv));
    }
    for krate in [
        "wasmtime",
        "wasmtime-wasi-http",
        "spin-sdk",
        "axum",
        "hyper",
        "tokio",
    ] {
        if let Some(ver) = lock_version(&lock, krate) {
            v.push((krate.to_string(), ver));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_version_reads_the_line_after_the_name() {
        let lock = "[[package]]\nname = \"wasmtime\"\nversion = \"48.0.8\"\n\n[[package]]\nname = \"wasmtime-wasi\"\nversion = \"48.0.8\"\n";
        assert_eq!(lock_version(lock, "wasmtime").as_deref(), Some("48.0.8"));
        assert_eq!(lock_version(lock, "tokio"), None);
    }
}
