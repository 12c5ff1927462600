//! Static files for the peer: a directory read into memory at start, served
//! with a strong ETag and `304 Not Modified` on a matching `If-None-Match`;
//! media types and the `If-None-Match` rules are the file server's own.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::Path;

use axum::body::Bytes;
use axum::http::HeaderValue;

/// One file held in memory.
#[derive(Debug, Clone)]
pub struct File {
    pub body: Bytes,
    pub etag: String,
    pub content_type: HeaderValue,
}

/// URL path (`/index.html`) to file.
#[derive(Debug, Clone, Default)]
pub struct Files {
    map: HashMap<String, File>,
}

/// A strong ETag derived from the content.
pub fn etag_of(body: &[u8]) -> String {
    let mut h = DefaultHasher::new();
    h.write(body);
    format!("\"{:016x}-{:x}\"", h.finish(), body.len())
}

impl Files {
    /// Reads every regular file under `dir` (recursively) into memory.
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let mut files = Files::default();
        files.walk(dir, "")?;
        Ok(files)
    }

    fn walk(&mut self, dir: &Path, prefix: &str) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let url = format!("{prefix}/{name}");
            let ty = entry.file_type()?;
            if ty.is_dir() {
                self.walk(&entry.path(), &url)?;
            } else if ty.is_file() {
                self.insert(&url, std::fs::read(entry.path())?);
            }
        }
        Ok(())
    }

    /// Adds a file at URL path `url`.
    pub fn insert(&mut self, url: &str, body: Vec<u8>) {
        let file = File {
            etag: etag_of(&body),
            content_type: HeaderValue::from_str(&static_fileserver::content_type::for_name(url))
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            body: Bytes::from(body),
        };
        self.map.insert(url.to_string(), file);
    }

    /// The file for a request path (`/` means `/index.html`).
    pub fn get(&self, path: &str) -> Option<&File> {
        let path = if path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        self.map.get(&path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_changes_with_content_and_is_quoted() {
        let a = etag_of(b"hello");
        assert!(a.starts_with('"') && a.ends_with('"'));
        assert_ne!(a, etag_of(b"hellp"));
        assert_eq!(a, etag_of(b"hello"));
    }

    #[test]
    fn root_maps_to_index_html() {
        let mut f = Files::default();
        f.insert("/index.html", b"<p>hi</p>".to_vec());
        assert_eq!(f.get("/").unwrap().content_type, "text/html; charset=utf-8");
        assert!(f.get("/missing.js").is_none());
    }
}
