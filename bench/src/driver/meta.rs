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

/// `path` as the report shows it: under one of `prefixes` (absolute
/// directory, what to show instead: "" for a path relative to it) with that
/// prefix replaced; any other absolute path as `…/` and its last two
/// components (`…/app-p3/spin.p3.toml`), so no directory of the machine it
/// ran on (a home, a scratch or target directory) is written; a relative
/// path as it is.
pub fn portable_path(path: &str, prefixes: &[(String, String)]) -> String {
    if !path.starts_with('/') {
        return path.to_owned();
    }
    for (dir, shown) in prefixes {
        let dir = dir.trim_end_matches('/');
        let Some(rest) = path.strip_prefix(dir) else {
            continue;
        };
        match (rest.strip_prefix('/'), shown.as_str()) {
            (Some(rest), "") if !rest.is_empty() => return rest.to_owned(),
            (Some(rest), shown) => return format!("{shown}/{rest}"),
            (None, "") if rest.is_empty() => return ".".to_owned(),
            (None, shown) if rest.is_empty() => return shown.to_owned(),
            _ => {}
        }
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.len() {
        0 => path.to_owned(),
        n => format!("…/{}", parts[n.saturating_sub(2)..].join("/")),
    }
}

/// `line` with every space-separated word that is an absolute path made
/// [`portable_path`] (a command line as [`shell_line`] writes it, or a
/// sentence).
pub fn portable_line(line: &str, prefixes: &[(String, String)]) -> String {
    line.split(' ')
        .map(|word| portable_path(word, prefixes))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The directories a run's command lines are shown relative to: the
/// current one (the repository root, shown relative), `$CARGO_TARGET_DIR`
/// when it is set and the home directory (`~`); longest first.
pub fn path_prefixes() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut add = |dir: Option<std::path::PathBuf>, shown: &str| {
        if let Some(dir) = dir.filter(|d| d.is_absolute()) {
            out.push((dir.to_string_lossy().into_owned(), shown.to_owned()));
        }
    };
    add(std::env::current_dir().ok(), "");
    add(
        std::env::var_os("CARGO_TARGET_DIR").map(Into::into),
        "$CARGO_TARGET_DIR",
    );
    add(std::env::var_os("HOME").map(Into::into), "~");
    out.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.len()));
    out
}

/// [`command_line`], with a program found on PATH (`spin`, `wasmtime`)
/// written as its bare name, after the `NAME=value` settings the command
/// was given.
pub fn command_line_on_path(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    let name = program.file_name().unwrap_or_default();
    let found = super::server::on_path(&name.to_string_lossy());
    let line = if program.is_absolute() && found.as_deref() == Some(program) {
        shell_line(std::iter::once(name).chain(cmd.get_args()))
    } else {
        command_line(cmd)
    };
    let settings: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_string_lossy(), v?.to_string_lossy())))
        .collect();
    if settings.is_empty() {
        line
    } else {
        format!("{} {line}", shell_line(settings))
    }
}

fn capture(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The short commit of `HEAD`, marked when the code that makes the figures
/// (components, runner, benchmark, manifests) has uncommitted changes; the
/// results the benchmarks write (`BENCHMARKS.*`, `bench/hub-fanout/`) do not
/// count.
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
            "hub",
            "runner",
            "bench/src",
            "bench/Cargo.toml",
            "bench/run.sh",
            "bench/hub-fanout.sh",
            "testkit",
            "static",
            "spin.toml",
            "spin.p3.toml",
            "Cargo.toml",
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
    fn paths_of_the_machine_are_not_shown() {
        let prefixes = [
            (
                "/work/wt-bench-target".to_owned(),
                "$CARGO_TARGET_DIR".to_owned(),
            ),
            ("/work/wt-bench".to_owned(), String::new()),
            ("/root".to_owned(), "~".to_owned()),
        ];
        let p = |path| portable_path(path, &prefixes);
        assert_eq!(
            p("/work/wt-bench-target/release/spin-sse-runner"),
            "$CARGO_TARGET_DIR/release/spin-sse-runner"
        );
        assert_eq!(
            p("/work/wt-bench/target/bench/app/spin.toml"),
            "target/bench/app/spin.toml"
        );
        assert_eq!(p("/work/wt-bench"), ".");
        assert_eq!(p("/work/wt-benchmark/x"), "…/wt-benchmark/x");
        assert_eq!(p("/x"), "…/x");
        assert_eq!(p("/root/.cargo/bin/spin"), "~/.cargo/bin/spin");
        assert_eq!(
            p("/tmp/bp/work/app-p3/spin.p3.toml"),
            "…/app-p3/spin.p3.toml"
        );
        assert_eq!(p("target/bench/app"), "target/bench/app");
        assert_eq!(
            portable_line("/work/wt/contract/target/release/spin-sse-bench peer --static-dir target/bench/app/static", &[]),
            "…/release/spin-sse-bench peer --static-dir target/bench/app/static"
        );
    }

    #[test]
    fn lock_version_reads_the_line_after_the_name() {
        let lock = "[[package]]\nname = \"wasmtime\"\nversion = \"48.0.8\"\n\n[[package]]\nname = \"wasmtime-wasi\"\nversion = \"48.0.8\"\n";
        assert_eq!(lock_version(lock, "wasmtime").as_deref(), Some("48.0.8"));
        assert_eq!(lock_version(lock, "tokio"), None);
    }
}
