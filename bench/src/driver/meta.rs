//! Facts about the run for the report header: commit, time, tool and crate
//! versions, and command lines as a shell would take them.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// `words` as one POSIX shell command line: a word with anything but
/// letters, digits and `-_./:=@,+%` is put in single quotes (a `'` inside
/// becomes `'\''`), so the line can be pasted as it is.
pub fn shell_line<S: AsRef<OsStr>>(words: impl IntoIterator<Item = S>) -> String {
    let quote = |word: S| {
        let word = word.as_ref().to_string_lossy().into_owned();
        let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c);
        if !word.is_empty() && word.chars().all(plain) {
            word
        } else {
            format!("'{}'", word.replace('\'', "'\\''"))
        }
    };
    words.into_iter().map(quote).collect::<Vec<_>>().join(" ")
}

/// `cmd` (program and arguments) as a shell command line.
pub fn command_line(cmd: &Command) -> String {
    shell_line(std::iter::once(cmd.get_program()).chain(cmd.get_args()))
}

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
            "testkit",
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
    fn command_lines_quote_what_the_shell_would_split_or_expand() {
        let words = [
            "peer",
            "--env",
            r#"SSE_MESSAGES=["Look, Ma'! I'm streaming!"]"#,
            "127.0.0.1:0",
            "",
        ];
        assert_eq!(
            shell_line(words),
            r#"peer --env 'SSE_MESSAGES=["Look, Ma'\''! I'\''m streaming!"]' 127.0.0.1:0 ''"#
        );
    }

    #[test]
    fn lock_version_reads_the_line_after_the_name() {
        let lock = "[[package]]\nname = \"wasmtime\"\nversion = \"48.0.8\"\n\n[[package]]\nname = \"wasmtime-wasi\"\nversion = \"48.0.8\"\n";
        assert_eq!(lock_version(lock, "wasmtime").as_deref(), Some("48.0.8"));
        assert_eq!(lock_version(lock, "tokio"), None);
    }
}
