//! The documentation stays true to the repository: README.md and every
//! docs/**/*.md page are read and
//! - every relative link and image resolves to a file or folder of the
//!   repository, and every `#anchor` to a heading of its page (GitHub's
//!   slug rules);
//! - every `scripts/<name>` they mention exists;
//! - every flag given to `spin-sse-runner` or `scripts/up` on a line is one
//!   the runner's own `--help` lists (its clap definition, through
//!   `cli::parse`, not a copy), or one `scripts/up` handles itself;
//! - docs/runner.md's flag table names only real flags, and every flag of
//!   `up` and `build` is in it.
//!
//! A failure names the file, the line and the link or flag.

use spin_sse_runner::cli::{parse, Parsed};
use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("runner/ has a parent")
        .to_path_buf()
}

/// README.md and docs/**/*.md, as paths relative to the repository root.
fn doc_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "md") {
                out.push(path);
            }
        }
    }
    let root = root();
    let mut files = vec![root.join("README.md")];
    walk(&root.join("docs"), &mut files);
    files
        .into_iter()
        .map(|p| {
            p.strip_prefix(&root)
                .expect("inside the repo")
                .to_path_buf()
        })
        .collect()
}

/// One line of a Markdown file: its number (from 1), its text, and
/// whether it sits inside a fenced code block.
struct Line {
    number: usize,
    text: String,
    in_code: bool,
}

fn lines(text: &str) -> Vec<Line> {
    let mut fence: Option<String> = None;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        let is_fence = marker.len() >= 3
            && (marker.chars().all(|c| c == '`') || marker.chars().all(|c| c == '~'));
        match &fence {
            Some(open) if is_fence && marker.starts_with(open.as_str()) => {
                out.push(Line {
                    number: i + 1,
                    text: line.to_string(),
                    in_code: true,
                });
                fence = None;
                continue;
            }
            None if is_fence => {
                out.push(Line {
                    number: i + 1,
                    text: line.to_string(),
                    in_code: true,
                });
                fence = Some(marker);
                continue;
            }
            _ => {}
        }
        out.push(Line {
            number: i + 1,
            text: line.to_string(),
            in_code: fence.is_some(),
        });
    }
    out
}

/// `text` with the contents of inline code spans blanked out.
fn without_code_spans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&c| c == '`').count();
        // The closing run of the same length, if any.
        let mut j = i + run;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let r = chars[j..].iter().take_while(|&&c| c == '`').count();
                if r == run {
                    close = Some(j);
                    break;
                }
                j += r;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                out.extend(std::iter::repeat_n(' ', j + run - i));
                i = j + run;
            }
            None => {
                out.extend(std::iter::repeat_n('`', run));
                i += run;
            }
        }
    }
    out
}

/// The targets of the inline links and images on a line (outside code).
fn link_targets(text: &str) -> Vec<String> {
    let text = without_code_spans(text);
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else { break };
        let target = after[..end].trim();
        // `[text](path "title")` and `[text](<path>)`.
        let target = target.split_whitespace().next().unwrap_or("");
        let target = target.trim_start_matches('<').trim_end_matches('>');
        out.push(target.to_string());
        rest = &after[end..];
    }
    // Reference definitions: `[name]: target`.
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        if let Some(at) = trimmed.find("]: ") {
            if let Some(target) = trimmed[at + 3..].split_whitespace().next() {
                out.push(target.to_string());
            }
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, punctuation dropped (letters,
/// digits, `-`, `_` and spaces kept), spaces to `-`; repeats get `-1`, `-2`.
fn slug(heading: &str) -> String {
    // Link text stays, the link target goes.
    let mut text = String::new();
    let mut rest = heading;
    while let Some(at) = rest.find("](") {
        text.push_str(&rest[..at]);
        match rest[at..].find(')') {
            Some(end) => rest = &rest[at + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    text.push_str(rest);
    text.trim()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .flat_map(char::to_lowercase)
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = BTreeSet::new();
    for line in lines(text) {
        if line.in_code {
            continue;
        }
        let t = line.text.trim_start();
        let level = t.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&level) || !t[level..].starts_with(' ') {
            continue;
        }
        let heading = t[level..].trim().trim_end_matches('#').trim();
        let base = slug(heading);
        let n = seen.entry(base.clone()).or_insert(0);
        let anchor = if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        *n += 1;
        out.insert(anchor);
    }
    out
}

/// Where a relative link points, or why it does not resolve.
fn check_link(root: &Path, file: &Path, target: &str) -> Result<(), String> {
    if target.is_empty() {
        return Err("empty link target".into());
    }
    if target.contains("://") || target.starts_with("mailto:") {
        return Ok(());
    }
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    let path = path.split('?').next().unwrap_or("");
    let resolved = if path.is_empty() {
        root.join(file)
    } else if let Some(abs) = path.strip_prefix('/') {
        root.join(abs)
    } else {
        root.join(file)
            .parent()
            .expect("a file has a folder")
            .join(path)
    };
    let canonical = resolved.canonicalize().map_err(|_| {
        format!(
            "{target}: no such file or folder ({})",
            display(root, &resolved)
        )
    })?;
    let canonical_root = root.canonicalize().expect("the repo root exists");
    if !canonical.starts_with(&canonical_root) {
        return Err(format!("{target}: points outside the repository"));
    }
    if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
        if canonical.extension().is_some_and(|x| x == "md") {
            let text = fs::read_to_string(&canonical).expect("a Markdown file reads");
            let known = anchors(&text);
            if !known.contains(anchor) {
                return Err(format!(
                    "{target}: no heading with anchor #{anchor} in {} (anchors: {})",
                    display(root, &canonical),
                    known.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    Ok(())
}

fn display(root: &Path, path: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Every `--flag` in a help text.
fn flags_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("--") {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '-') {
            continue;
        }
        let name: String = text[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            out.insert(format!("--{name}"));
        }
    }
    out
}

/// The runner's help for `args` (e.g. `["up", "--help"]`), from its clap definition.
fn help(args: &[&str]) -> String {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    match parse(&args) {
        Ok(Parsed::Print(text)) => text,
        other => panic!("spin-sse-runner {args:?} did not print help: {other:?}"),
    }
}

/// The flags scripts/up handles itself (the patterns of its `case`s).
fn script_up_flags(root: &Path) -> BTreeSet<String> {
    let text = fs::read_to_string(root.join("scripts/up")).expect("scripts/up reads");
    text.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("--"))
        .filter_map(|l| {
            let name: String = l[2..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let next = l[2 + name.len()..].chars().next();
            (!name.is_empty() && matches!(next, Some(')' | '=' | '|'))).then(|| format!("--{name}"))
        })
        .collect()
}

/// The flags given on a line to each `spin-sse-runner` or `scripts/up`
/// it invokes: (program, subcommand, flags), up to the end of the command
/// (a closing backtick, a comment, `;`, `|` or `&`). An invocation starts a
/// command: the program's word (after a path such as `target/release/`)
/// comes first on the line, in a code span, after `$`, `(`, `&&`, `;`, `|`
/// or environment assignments; `-p spin-sse-runner` is not one.
fn invocations(text: &str) -> Vec<(&'static str, String, Vec<String>)> {
    let mut out = Vec::new();
    for program in ["spin-sse-runner", "scripts/up"] {
        for (at, _) in text.match_indices(program) {
            let rest = &text[at + program.len()..];
            if rest
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '/')
            {
                continue; // another name (e.g. spin-sse-runner-foo)
            }
            let word_start = text[..at]
                .char_indices()
                .rev()
                .find(|&(_, c)| c.is_whitespace() || c == '`' || c == '(')
                .map(|(i, c)| i + c.len_utf8())
                .unwrap_or(0);
            let path = &text[word_start..at];
            if !(path.is_empty() || path.ends_with('/')) {
                continue;
            }
            let before = text[..word_start].trim_end();
            let starts_command = before.is_empty()
                || before.ends_with(['`', '$', '(', '&', ';', '|'])
                || before
                    .split_whitespace()
                    .last()
                    .is_some_and(|w| w.contains('=') && !w.starts_with('-'));
            if !starts_command {
                continue;
            }
            let end = rest.find(['`', '#', ';', '|', '&']).unwrap_or(rest.len());
            let command = &rest[..end];
            let subcommand = command.split_whitespace().next().unwrap_or("").to_string();
            out.push((program, subcommand, flags_in(command).into_iter().collect()));
        }
    }
    out
}

#[test]
fn the_docs_links_scripts_and_runner_flags_are_real() {
    let root = root();
    let up = flags_in(&help(&["up", "--help"]));
    let build = flags_in(&help(&["build", "--help"]));
    let top = flags_in(&help(&["--help"]));
    let script_up = script_up_flags(&root);
    assert!(
        up.contains("--listen") && build.contains("--file"),
        "the runner's help lists no flags: {up:?} {build:?}"
    );
    assert!(
        script_up.contains("--redis-url") && script_up.contains("--p3"),
        "scripts/up's own flags not found: {script_up:?}"
    );

    let mut errors = Vec::new();
    let files = doc_files();
    assert!(files.len() > 5, "found too few doc pages: {files:?}");
    for file in &files {
        let text = fs::read_to_string(root.join(file)).expect("a doc page reads");
        let all = lines(&text);
        // Shell continuation lines are one command.
        let mut joined: Vec<(usize, String, bool)> = Vec::new();
        let mut pending: Option<(usize, String, bool)> = None;
        for line in &all {
            let (number, mut acc, in_code) =
                pending
                    .take()
                    .unwrap_or((line.number, String::new(), line.in_code));
            acc.push_str(line.text.trim_end_matches('\\'));
            if line.in_code && line.text.ends_with('\\') {
                acc.push(' ');
                pending = Some((number, acc, in_code));
            } else {
                joined.push((number, acc, in_code));
            }
        }
        if let Some(p) = pending {
            joined.push(p);
        }

        for (number, text, in_code) in &joined {
            let at = format!("{}:{number}", file.display());
            if !in_code {
                for target in link_targets(text) {
                    if let Err(e) = check_link(&root, file, &target) {
                        errors.push(format!("{at}: broken link {e}"));
                    }
                }
            }
            for (i, _) in text.match_indices("scripts/") {
                if text[..i].chars().next_back().is_some_and(|c| {
                    c.is_alphanumeric() || c == '/' || c == '.' || c == '-' || c == '_'
                }) {
                    continue;
                }
                let name: String = text[i + 8..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                if !name.is_empty() && !root.join("scripts").join(&name).is_file() {
                    errors.push(format!("{at}: scripts/{name} does not exist"));
                }
            }
            for (program, subcommand, flags) in invocations(text) {
                let known: BTreeSet<String> = match (program, subcommand.as_str()) {
                    ("scripts/up", _) => up.union(&script_up).cloned().collect(),
                    (_, "up") => up.clone(),
                    (_, "build") => build.clone(),
                    _ => top.union(&up).chain(build.iter()).cloned().collect(),
                };
                for flag in flags {
                    if !known.contains(&flag) {
                        errors.push(format!(
                            "{at}: {flag} is not a flag of `{program}{}` (not in the runner's --help{})",
                            if program == "spin-sse-runner" && !subcommand.is_empty() { format!(" {subcommand}") } else { String::new() },
                            if program == "scripts/up" { " nor handled by scripts/up" } else { "" }
                        ));
                    }
                }
            }
        }
    }

    // docs/runner.md: the flag table names real flags, and every flag of
    // `up` and `build` is in it.
    let runner_md = Path::new("docs/runner.md");
    let text = fs::read_to_string(root.join(runner_md)).expect("docs/runner.md reads");
    let all_flags: BTreeSet<String> = up
        .union(&build)
        .filter(|f| *f != "--help" && *f != "--version")
        .cloned()
        .collect();
    let mut in_table = BTreeSet::new();
    for line in lines(&text) {
        let Some(cell) = line
            .text
            .strip_prefix("| `")
            .and_then(|r| r.split('|').next())
        else {
            continue;
        };
        for flag in flags_in(cell) {
            if !all_flags.contains(&flag) {
                errors.push(format!(
                    "{}:{}: {flag} in the flag table is not a flag of the runner's up or build",
                    runner_md.display(),
                    line.number
                ));
            }
            in_table.insert(flag);
        }
    }
    for flag in all_flags.difference(&in_table) {
        errors.push(format!(
            "{}: the runner's flag {flag} is missing from the flag table",
            runner_md.display()
        ));
    }

    assert!(
        errors.is_empty(),
        "the docs disagree with the repository:\n{}",
        errors.join("\n")
    );
}

#[test]
fn slugs_follow_github() {
    assert_eq!(slug("`/sse` configuration"), "sse-configuration");
    assert_eq!(
        slug("WASI 0.2 and WASI 0.3 builds"),
        "wasi-02-and-wasi-03-builds"
    );
    assert_eq!(
        slug("Production: several replicas behind one URL"),
        "production-several-replicas-behind-one-url"
    );
    assert_eq!(slug("The page at `/`"), "the-page-at-");
    assert_eq!(
        slug("Reusing the encoder (`sse-encoder`)"),
        "reusing-the-encoder-sse-encoder"
    );
    let a = anchors("# A\n## Size\n```\n# not a heading\n```\n## Size\n");
    assert_eq!(a.into_iter().collect::<Vec<_>>(), ["a", "size", "size-1"]);
}

#[test]
fn links_and_invocations_are_found() {
    assert_eq!(
        link_targets("see [a](x.md#b) and ![p](img.png \"t\"), not `[c](d)`"),
        ["x.md#b", "img.png"]
    );
    let found =
        invocations("$ target/release/spin-sse-runner up --build -f x --listen 1:2 # --not-this");
    assert_eq!(
        found,
        [(
            "spin-sse-runner",
            "up".to_string(),
            vec!["--build".to_string(), "--listen".to_string()]
        )]
    );
    assert!(
        invocations("cargo build --release -p spin-sse-runner --bin spin-sse-runner").is_empty()
    );
    assert_eq!(invocations("FOO=1 scripts/up --spin").len(), 1);
    let found = invocations("`scripts/up --p3` or `spin-sse-runner build`");
    assert_eq!(found.len(), 2);
    assert_eq!(
        found[1],
        ("scripts/up", "--p3".to_string(), vec!["--p3".to_string()])
    );
}
