//! A scratch copy of the app for benchmarking: the manifest unchanged, the
//! built component files it names, its static directories, plus a generated
//! 1 MiB file in the first static directory (the runner only serves files
//! from inside the manifest's directory, so the copy keeps the layout).

use std::path::{Path, PathBuf};

use super::scenarios::BIG_FILE;

/// The prepared copy.
#[derive(Debug, Clone)]
pub struct App {
    pub manifest: PathBuf,
    /// Static directory served at `/` (also given to the peer).
    pub static_dir: PathBuf,
    /// The SSE component's wasm, if the manifest names one.
    pub sse_wasm: Option<PathBuf>,
    /// Flags that give the peer the component's environment.
    pub peer_flags: Vec<String>,
}

fn quoted_after<'a>(line: &'a str, key: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find(key) {
        rest = &rest[i + key.len()..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// `source = "x.wasm"` values of the manifest.
pub fn wasm_sources(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .filter(|l| l.trim_start().starts_with("source"))
        .flat_map(|l| quoted_after(l, "source = \""))
        .filter(|s| s.ends_with(".wasm"))
        .map(str::to_string)
        .collect()
}

/// `source` values inside `files = [...]` lines.
pub fn file_sources(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .filter(|l| l.trim_start().starts_with("files"))
        .flat_map(|l| quoted_after(l, "source = \""))
        .map(str::to_string)
        .collect()
}

/// `peer --env NAME=VALUE` flags that give the peer the SSE component's
/// `environment` in the manifest (`[component.sse.environment]`), so both
/// read the same settings and send the same bytes.
pub fn peer_flags_from_manifest(manifest: &str) -> Result<Vec<String>, String> {
    let table: toml::Table = manifest.parse().map_err(|e| format!("manifest: {e}"))?;
    let env = table
        .get("component")
        .and_then(|c| c.get("sse"))
        .and_then(|c| c.get("environment"))
        .and_then(|e| e.as_table());
    let mut flags = Vec::new();
    let Some(env) = env else { return Ok(flags) };
    for (name, value) in env {
        let value = value
            .as_str()
            .ok_or_else(|| format!("manifest: component.sse.environment.{name} is not a string"))?;
        flags.push("--env".to_string());
        flags.push(format!("{name}={value}"));
    }
    Ok(flags)
}

/// Deterministic, incompressible bytes (xorshift64).
pub fn pseudo_random(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            copy_tree(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(())
    } else {
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::copy(from, to).map(|_| ())
    }
}

/// Builds the copy under `dest` (replacing it). Sources under `target/` are
/// read from `target_dir` (Cargo's target directory) instead.
pub fn prepare(manifest: &Path, target_dir: &Path, dest: &Path) -> Result<App, String> {
    let text = std::fs::read_to_string(manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let root = manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let _ = std::fs::remove_dir_all(dest);
    std::fs::create_dir_all(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    // The manifest's own name, so a command line tells the builds apart.
    let out_manifest = dest.join(manifest.file_name().unwrap_or("spin.toml".as_ref()));
    std::fs::write(&out_manifest, &text).map_err(|e| e.to_string())?;
    let mut sse_wasm = None;
    for src in wasm_sources(&text) {
        let from = match src.strip_prefix("target/") {
            Some(rest) => target_dir.join(rest),
            None => root.join(&src),
        };
        if !from.is_file() {
            return Err(format!(
                "{} is not built: run `bash bench/run.sh` or the build commands in spin.toml",
                from.display()
            ));
        }
        copy_tree(&from, &dest.join(&src))
            .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
        if sse_wasm.is_none() && src.contains("spin_sse") {
            sse_wasm = Some(dest.join(&src));
        }
    }
    let mut static_dir = None;
    for src in file_sources(&text) {
        let from = root.join(&src);
        if from.exists() {
            copy_tree(&from, &dest.join(&src))
                .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
            if from.is_dir() && static_dir.is_none() {
                static_dir = Some(dest.join(&src));
            }
        }
    }
    let static_dir = static_dir.unwrap_or_else(|| dest.join("static"));
    std::fs::create_dir_all(&static_dir).map_err(|e| e.to_string())?;
    std::fs::write(static_dir.join(BIG_FILE), pseudo_random(1 << 20)).map_err(|e| e.to_string())?;
    let peer_flags = peer_flags_from_manifest(&text)?;
    Ok(App {
        manifest: out_manifest,
        static_dir,
        sse_wasm,
        peer_flags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
[component.sse]
source = "target/wasm32-wasip2/component/spin_sse.wasm"
[component.static]
source = "target/wasm32-wasip2/component/static_fileserver.wasm"
files = [{ source = "static", destination = "/" }, { source = "extra", destination = "/x" }]
"#;

    #[test]
    fn wasm_and_file_sources_are_found() {
        assert_eq!(
            wasm_sources(MANIFEST),
            vec![
                "target/wasm32-wasip2/component/spin_sse.wasm",
                "target/wasm32-wasip2/component/static_fileserver.wasm"
            ]
        );
        assert_eq!(file_sources(MANIFEST), vec!["static", "extra"]);
    }

    #[test]
    fn sse_environment_becomes_peer_flags() {
        let m =
            "[component.sse.environment]\nSSE_INTERVAL_MS = \"500\"\nSSE_MESSAGES = '[\"a\"]'\n";
        assert_eq!(
            peer_flags_from_manifest(m).unwrap(),
            vec![
                "--env",
                "SSE_INTERVAL_MS=500",
                "--env",
                "SSE_MESSAGES=[\"a\"]"
            ]
        );
        assert!(peer_flags_from_manifest("[component.static]\n")
            .unwrap()
            .is_empty());
        assert!(peer_flags_from_manifest("not toml [").is_err());
    }

    #[test]
    fn pseudo_random_is_deterministic_and_not_constant() {
        let a = pseudo_random(4096);
        assert_eq!(a, pseudo_random(4096));
        let distinct: std::collections::HashSet<u8> = a.iter().copied().collect();
        assert!(distinct.len() > 200);
    }
}
