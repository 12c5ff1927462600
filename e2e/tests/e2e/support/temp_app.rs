//! Throwaway app directories: a `spin.toml` of the test's own plus the
//! files it serves, under `target/e2e/apps/`, removed on drop.
//!
//! The manifest points `source` at the repo's built `.wasm` files by
//! absolute path; everything else (routes, `files`, `environment`) is the
//! test's choice.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// A temp directory holding an app.
pub struct TempApp {
    dir: PathBuf,
    manifest: String,
}

/// One `[component.x]` with its trigger route.
pub struct Component<'a> {
    pub name: &'a str,
    pub route: &'a str,
    /// `target/wasm32-wasip2/component/<crate_name>.wasm`
    pub crate_name: &'a str,
    /// `files = [{ source, destination }]` entries, relative to the app dir.
    pub files: Vec<(&'a str, &'a str)>,
    pub env: Vec<(&'a str, &'a str)>,
}

impl<'a> Component<'a> {
    /// The file server mounted at `route`, serving `source` at `/`.
    pub fn static_files(route: &'a str, source: &'a str) -> Self {
        Component {
            name: "static",
            route,
            crate_name: "static_fileserver",
            files: vec![(source, "/")],
            env: Vec::new(),
        }
    }

    /// The SSE component at `route`.
    pub fn sse(route: &'a str) -> Self {
        Component {
            name: "sse",
            route,
            crate_name: "spin_sse",
            files: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Renames the component (for several in one manifest).
    pub fn named(mut self, name: &'a str) -> Self {
        self.name = name;
        self
    }

    pub fn env(mut self, key: &'a str, value: &'a str) -> Self {
        self.env.push((key, value));
        self
    }
}

/// Removes app dirs left by earlier test runs (the shared ones are never
/// dropped); dirs of this process start with its pid.
fn remove_earlier_runs(apps: &Path) {
    let mine = format!("{}-", std::process::id());
    for entry in std::fs::read_dir(apps).into_iter().flatten().flatten() {
        if !entry.file_name().to_string_lossy().starts_with(&mine) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A TOML basic string (JSON string escapes are valid TOML).
fn toml_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

impl TempApp {
    /// A fresh, empty app directory.
    pub fn new(label: &str) -> TempApp {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let apps = super::target_dir().join("e2e/apps");
        static SWEEP: Once = Once::new();
        SWEEP.call_once(|| remove_earlier_runs(&apps));
        let dir = apps.join(format!("{}-{n}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp app dir");
        TempApp {
            dir,
            manifest: String::from(
                "spin_manifest_version = 2\n\n[application]\nname = \"e2e-temp\"\n",
            ),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes a file (parents created) relative to the app dir.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).expect("create parent dirs");
        std::fs::write(&path, contents).expect("write temp file");
        path
    }

    /// Adds a component and its route to the manifest.
    pub fn component(&mut self, c: Component<'_>) -> &mut Self {
        let wasm = super::component_wasm(c.crate_name);
        self.component_from(c, &wasm)
    }

    /// [`TempApp::component`] with the `.wasm` at `wasm` (e.g. a WASI 0.3
    /// build) instead of the one `crate_name` names.
    pub fn component_from(&mut self, c: Component<'_>, wasm: &Path) -> &mut Self {
        let mut m = format!(
            "\n[[trigger.http]]\nroute = {}\ncomponent = {}\n\n[component.{}]\nsource = {}\n",
            toml_str(c.route),
            toml_str(c.name),
            c.name,
            toml_str(&wasm.to_string_lossy())
        );
        if !c.files.is_empty() {
            let files: Vec<String> = c
                .files
                .iter()
                .map(|(s, d)| {
                    format!(
                        "{{ source = {}, destination = {} }}",
                        toml_str(s),
                        toml_str(d)
                    )
                })
                .collect();
            m.push_str(&format!("files = [{}]\n", files.join(", ")));
        }
        if !c.env.is_empty() {
            let env: Vec<String> = c
                .env
                .iter()
                .map(|(k, v)| format!("{k} = {}", toml_str(v)))
                .collect();
            m.push_str(&format!("environment = {{ {} }}\n", env.join(", ")));
        }
        self.manifest.push_str(&m);
        self
    }

    /// Writes `spin.toml` and returns its path.
    pub fn manifest(&self) -> PathBuf {
        self.write("spin.toml", &self.manifest)
    }
}

impl Drop for TempApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
