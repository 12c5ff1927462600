//! Which files are worth precompressing.

use std::path::{Path, PathBuf};

/// Extensions (lower-case) of text assets that compress well. Must stay a
/// subset of what the server treats as compressible (text types and wasm).
pub const TEXT_EXTENSIONS: &[&str] = &[
    "html",
    "htm",
    "css",
    "js",
    "mjs",
    "cjs",
    "json",
    "map",
    "svg",
    "txt",
    "xml",
    "webmanifest",
    "md",
    "csv",
    "wasm",
];

/// Sidecar suffixes this tool writes.
pub const SIDECAR_EXTENSIONS: &[&str] = &["br", "gz"];

/// Whether `path` is a text asset that should get sidecars.
pub fn wants_sidecars(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| TEXT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// If `path` is a sidecar (`x.css.br`), the file it belongs to (`x.css`).
pub fn source_of_sidecar(path: &Path) -> Option<PathBuf> {
    let ext = path.extension()?.to_str()?;
    let source = path.with_extension("");
    // Only sidecars of text assets are ours; `archive.tar.gz` is content.
    (SIDECAR_EXTENSIONS.contains(&ext) && wants_sidecars(&source)).then_some(source)
}

/// Hidden names (`.git`, `.env`) are never served, so never processed.
pub fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_assets_want_sidecars_and_binaries_do_not() {
        for f in [
            "index.html",
            "a/site.CSS",
            "app.js",
            "logo.svg",
            "site.webmanifest",
            "x.wasm",
        ] {
            assert!(wants_sidecars(Path::new(f)), "{f}");
        }
        for f in [
            "photo.png",
            "font.woff2",
            "app.js.br",
            "app.js.gz",
            "README",
            "archive.zip",
        ] {
            assert!(!wants_sidecars(Path::new(f)), "{f}");
        }
    }

    #[test]
    fn sidecars_map_back_to_their_text_source_only() {
        assert_eq!(
            source_of_sidecar(Path::new("a/app.js.br")),
            Some("a/app.js".into())
        );
        assert_eq!(
            source_of_sidecar(Path::new("index.html.gz")),
            Some("index.html".into())
        );
        assert_eq!(source_of_sidecar(Path::new("backup.tar.gz")), None);
        assert_eq!(source_of_sidecar(Path::new("app.js")), None);
    }
}
