//! A component's `files`, assembled as Spin's `spin up` does: copied into a
//! private directory that the guest sees read-only at `/`.
//!
//! - `"path/file"` / `"path/dir"`: copied to the same relative path (a
//!   directory with everything below it);
//! - `"glob/*.txt"`: every matching file, at its path relative to the app dir;
//! - `{ source = "dir", destination = "/d" }`: the directory's contents at `/d`;
//! - `{ source = "file", destination = "/f.txt" }`: the file at `/f.txt`;
//! - `exclude_files` globs (relative to the app dir) skip matching files.
//!
//! Sources must stay inside the app dir. Files are copied once at startup,
//! so later edits need a restart (like `spin up`).

use crate::app::manifest::{App, ComponentDef, FilesMount};
use anyhow::{bail, Context, Result};
use std::path::{Component, Path, PathBuf};
use tempfile::TempDir;

/// A component's assembled files; removed when dropped.
#[derive(Debug)]
pub struct StagedFiles {
    dir: TempDir,
    /// Number of files copied.
    pub count: usize,
}

impl StagedFiles {
    /// Host directory to preopen at guest `/`.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// Copies `component`'s files; `None` when it has no `files`.
pub fn stage(app: &App, component: &ComponentDef) -> Result<Option<StagedFiles>> {
    if component.files.is_empty() {
        return Ok(None);
    }
    let dir = tempfile::Builder::new()
        .prefix(&format!("spin-sse-runner-{}-", component.id))
        .tempdir()
        .context("cannot create a directory for component files")?;
    let root = app
        .dir
        .canonicalize()
        .with_context(|| format!("cannot open app dir {}", app.dir.display()))?;
    let exclude = component
        .exclude_files
        .iter()
        .map(|p| {
            glob::Pattern::new(p)
                .with_context(|| format!("`exclude_files` pattern {p:?} is invalid"))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut copier = Copier {
        root: &root,
        dest: dir.path(),
        exclude: &exclude,
        count: 0,
    };
    for mount in &component.files {
        copier
            .mount(mount)
            .with_context(|| format!("component `{}` files", component.id))?;
    }
    let count = copier.count;
    Ok(Some(StagedFiles { dir, count }))
}

struct Copier<'a> {
    root: &'a Path,
    dest: &'a Path,
    exclude: &'a [glob::Pattern],
    count: usize,
}

impl Copier<'_> {
    fn mount(&mut self, mount: &FilesMount) -> Result<()> {
        match mount {
            FilesMount::Pattern(p) => {
                if p == "." || p == ".." || p.ends_with("/.") || p.ends_with("/..") {
                    bail!("file pattern {p:?} cannot end in `.` or `..`; use `{{ source, destination }}` or a `dir/**/*` glob");
                }
                let host = self.root.join(p);
                if host.exists() {
                    let rel = self.inside(&host, p)?;
                    self.copy_tree_or_file(&host, &self.dest.join(&rel))
                } else if p.contains(['*', '?', '[']) {
                    self.copy_glob(p)
                } else {
                    bail!("{p:?} does not exist and is not a glob pattern")
                }
            }
            FilesMount::Placement {
                source,
                destination,
            } => {
                let host = self.root.join(source);
                if !host.exists() {
                    bail!("`source = {source:?}` does not exist");
                }
                self.inside(&host, source)?;
                let guest = guest_relative(destination)?;
                self.copy_tree_or_file(&host, &self.dest.join(guest))
            }
        }
    }

    /// `host` relative to the app dir; errors if it escapes.
    fn inside(&self, host: &Path, shown: &str) -> Result<PathBuf> {
        let real = host
            .canonicalize()
            .with_context(|| format!("cannot open {shown:?}"))?;
        match real.strip_prefix(self.root) {
            Ok(rel) => Ok(rel.to_path_buf()),
            Err(_) => bail!("{shown:?} is outside the application directory"),
        }
    }

    fn excluded(&self, host: &Path) -> bool {
        let rel = host.strip_prefix(self.root).unwrap_or(host);
        self.exclude.iter().any(|p| p.matches_path(rel))
    }

    fn copy_tree_or_file(&mut self, host: &Path, dest: &Path) -> Result<()> {
        if host.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(host)
                .with_context(|| format!("cannot list {}", host.display()))?
                .collect::<std::io::Result<_>>()?;
            entries.sort_by_key(|e| e.file_name());
            std::fs::create_dir_all(dest)?;
            for e in entries {
                self.copy_tree_or_file(&e.path(), &dest.join(e.file_name()))?;
            }
            Ok(())
        } else {
            self.copy_file(host, dest)
        }
    }

    fn copy_file(&mut self, host: &Path, dest: &Path) -> Result<()> {
        if self.excluded(host) || !host.is_file() {
            return Ok(());
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(host, dest).with_context(|| format!("cannot copy {}", host.display()))?;
        self.count += 1;
        Ok(())
    }

    fn copy_glob(&mut self, pattern: &str) -> Result<()> {
        let full = self.root.join(pattern);
        let full = full
            .to_str()
            .with_context(|| format!("pattern {pattern:?} is not UTF-8"))?;
        let paths =
            glob::glob(full).with_context(|| format!("glob pattern {pattern:?} is invalid"))?;
        for path in paths {
            let path = path?;
            if !path.is_file() {
                continue;
            }
            let rel = self.inside(&path, &path.display().to_string())?;
            self.copy_file(&path, &self.dest.join(rel))?;
        }
        Ok(())
    }
}

/// A guest destination as a path below the staging root; `..` is refused.
fn guest_relative(destination: &str) -> Result<PathBuf> {
    let mut out = PathBuf::new();
    for c in Path::new(destination).components() {
        match c {
            Component::RootDir | Component::CurDir => {}
            Component::Normal(p) => out.push(p),
            _ => bail!("`destination = {destination:?}` must not contain `..`"),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    //! Staging tests on a temporary app directory.

    use super::*;
    use crate::app::manifest::parse;

    fn app_with(files: &str, exclude: &str) -> (TempDir, App) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for (path, body) in [
            ("static/index.html", "<h1>hi</h1>"),
            ("static/css/site.css", "body{}"),
            ("assets/a.txt", "a"),
            ("assets/b.txt", "b"),
            ("assets/c.md", "c"),
            ("secret.txt", "no"),
        ] {
            std::fs::create_dir_all(d.join(path).parent().unwrap()).unwrap();
            std::fs::write(d.join(path), body).unwrap();
        }
        let text = format!(
        "spin_manifest_version = 2\n[application]\nname = \"t\"\n[[trigger.http]]\nroute = \"/...\"\ncomponent = \"c\"\n[component.c]\nsource = \"c.wasm\"\nfiles = {files}\nexclude_files = {exclude}\n"
    );
        let app = parse(&text, d.to_path_buf()).unwrap();
        (dir, app)
    }

    fn staged(files: &str, exclude: &str) -> Result<(TempDir, StagedFiles)> {
        let (dir, app) = app_with(files, exclude);
        let s = stage(&app, &app.components[0])?.expect("files were staged");
        Ok((dir, s))
    }

    fn read(s: &StagedFiles, guest: &str) -> Option<String> {
        std::fs::read_to_string(s.root().join(guest.trim_start_matches('/'))).ok()
    }

    #[test]
    fn directory_placement_lands_at_destination() {
        let (_d, s) = staged(r#"[{ source = "static", destination = "/" }]"#, "[]").unwrap();
        assert_eq!(read(&s, "/index.html").as_deref(), Some("<h1>hi</h1>"));
        assert_eq!(read(&s, "/css/site.css").as_deref(), Some("body{}"));
        assert_eq!(s.count, 2);
    }

    #[test]
    fn directory_placement_under_a_subpath() {
        let (_d, s) = staged(r#"[{ source = "static", destination = "/web" }]"#, "[]").unwrap();
        assert_eq!(read(&s, "/web/index.html").as_deref(), Some("<h1>hi</h1>"));
    }

    #[test]
    fn file_placement_is_renamed() {
        let (_d, s) = staged(
            r#"[{ source = "assets/a.txt", destination = "/x/y.txt" }]"#,
            "[]",
        )
        .unwrap();
        assert_eq!(read(&s, "/x/y.txt").as_deref(), Some("a"));
    }

    #[test]
    fn glob_keeps_relative_paths() {
        let (_d, s) = staged(r#"["assets/*.txt"]"#, "[]").unwrap();
        assert_eq!(read(&s, "/assets/a.txt").as_deref(), Some("a"));
        assert_eq!(read(&s, "/assets/b.txt").as_deref(), Some("b"));
        assert_eq!(read(&s, "/assets/c.md"), None);
    }

    #[test]
    fn plain_directory_pattern_copies_the_tree() {
        let (_d, s) = staged(r#"["static"]"#, "[]").unwrap();
        assert_eq!(read(&s, "/static/css/site.css").as_deref(), Some("body{}"));
    }

    #[test]
    fn exclude_files_skips_matches() {
        let (_d, s) = staged(
            r#"["assets/*.txt", "secret.txt"]"#,
            r#"["assets/b.txt", "secret.txt"]"#,
        )
        .unwrap();
        assert_eq!(read(&s, "/assets/a.txt").as_deref(), Some("a"));
        assert_eq!(read(&s, "/assets/b.txt"), None);
        assert_eq!(read(&s, "/secret.txt"), None);
    }

    #[test]
    fn missing_source_is_an_error() {
        let e = staged(r#"[{ source = "nope", destination = "/" }]"#, "[]").unwrap_err();
        assert!(format!("{e:#}").contains("does not exist"), "{e:#}");
        let e = staged(r#"["nope.txt"]"#, "[]").unwrap_err();
        assert!(format!("{e:#}").contains("not a glob"), "{e:#}");
    }

    #[test]
    fn sources_outside_the_app_dir_are_refused() {
        let e = staged(r#"[{ source = "..", destination = "/" }]"#, "[]").unwrap_err();
        assert!(
            format!("{e:#}").contains("outside the application directory"),
            "{e:#}"
        );
        let e = staged(r#"[".."]"#, "[]").unwrap_err();
        assert!(format!("{e:#}").contains("cannot end in"), "{e:#}");
    }

    #[test]
    fn destination_with_parent_dir_is_refused() {
        let e = staged(r#"[{ source = "static", destination = "/../x" }]"#, "[]").unwrap_err();
        assert!(format!("{e:#}").contains("must not contain `..`"), "{e:#}");
    }

    #[test]
    fn no_files_means_nothing_staged() {
        let (_d, app) = app_with("[]", "[]");
        assert!(stage(&app, &app.components[0]).unwrap().is_none());
    }
}
