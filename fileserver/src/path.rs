//! Request path → safe path under the mount. Pure: no I/O.
//!
//! The raw path (as sent in the request line or in `spin-path-info`) is split
//! on `/` and every segment is percent-decoded exactly once. Anything that could
//! name a file outside the mount, or that normalises differently on another
//! platform, is refused: `..` (raw or encoded) is a 400, as are backslashes,
//! encoded slashes, NUL and other control characters, malformed escapes and
//! non-UTF-8 bytes (including overlong UTF-8). Dot segments (`.`, `.git`,
//! `.env`, ...), empty interior segments (`a//b`) and over-long names are
//! simply not found (404).

use std::fmt;

/// Longest raw path accepted, in bytes.
pub const MAX_PATH_LEN: usize = 2048;
/// Longest decoded segment, in bytes (common file-system name limit).
pub const MAX_SEGMENT_LEN: usize = 255;
/// Deepest directory nesting served.
pub const MAX_DEPTH: usize = 32;

/// Why a path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// The request is malformed or hostile: answer 400 with this reason.
    BadRequest(&'static str),
    /// The path can never name a served file: answer 404.
    NotFound(&'static str),
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::BadRequest(r) | PathError::NotFound(r) => f.write_str(r),
        }
    }
}

/// A validated path relative to the mount: plain, decoded, non-hidden names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafePath {
    segments: Vec<String>,
    trailing_slash: bool,
}

impl SafePath {
    /// The mount itself (`/`).
    pub fn root() -> Self {
        SafePath {
            segments: Vec::new(),
            trailing_slash: true,
        }
    }

    /// Decoded names from the mount downwards; empty for the root.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// Whether the request path ended in `/` (the root without it is `""`).
    pub fn trailing_slash(&self) -> bool {
        self.trailing_slash
    }

    /// Last name, if any.
    pub fn file_name(&self) -> Option<&str> {
        self.segments.last().map(String::as_str)
    }

    /// `self/name` (used for `index.html`); `name` must be a plain name.
    pub fn child(&self, name: &str) -> SafePath {
        let mut segments = self.segments.clone();
        segments.push(name.to_owned());
        SafePath {
            segments,
            trailing_slash: false,
        }
    }

    /// The same file name with `suffix` appended (`a.css` → `a.css.br`).
    pub fn with_suffix(&self, suffix: &str) -> Option<SafePath> {
        let mut segments = self.segments.clone();
        segments.last_mut()?.push_str(suffix);
        Some(SafePath {
            segments,
            trailing_slash: false,
        })
    }

    /// `a/b/c`, relative to the mount.
    pub fn relative(&self) -> String {
        self.segments.join("/")
    }
}

/// Validates a raw request path (no query string) into a [`SafePath`].
pub fn resolve(raw: &str) -> Result<SafePath, PathError> {
    if raw.len() > MAX_PATH_LEN {
        return Err(PathError::BadRequest("path too long"));
    }
    if raw.is_empty() {
        // Spin gives an empty path info for `/prefix` under `/prefix/...`.
        return Ok(SafePath {
            segments: Vec::new(),
            trailing_slash: false,
        });
    }
    let Some(body) = raw.strip_prefix('/') else {
        return Err(PathError::BadRequest("path must start with '/'"));
    };
    if raw.contains('\\') {
        return Err(PathError::BadRequest("backslash in path"));
    }
    if body.is_empty() {
        return Ok(SafePath::root());
    }
    let (body, trailing_slash) = match body.strip_suffix('/') {
        Some(b) => (b, true),
        None => (body, false),
    };
    let mut segments = Vec::new();
    for raw_segment in body.split('/') {
        segments.push(decode_segment(raw_segment)?);
    }
    if segments.len() > MAX_DEPTH {
        return Err(PathError::NotFound("path too deep"));
    }
    Ok(SafePath {
        segments,
        trailing_slash,
    })
}

/// Validates a path from configuration (`FALLBACK_PATH`, `CUSTOM_404_PATH`):
/// same rules, leading `/` optional, must name a file (no trailing `/`).
pub fn resolve_config(value: &str) -> Result<SafePath, PathError> {
    let value = value.trim();
    let path = if value.starts_with('/') {
        resolve(value)?
    } else {
        resolve(&format!("/{value}"))?
    };
    if path.segments.is_empty() || path.trailing_slash {
        return Err(PathError::BadRequest("must name a file"));
    }
    Ok(path)
}

fn decode_segment(raw: &str) -> Result<String, PathError> {
    if raw.is_empty() {
        return Err(PathError::NotFound("empty path segment"));
    }
    let bytes = percent_decode(raw).ok_or(PathError::BadRequest("malformed percent-encoding"))?;
    let name =
        String::from_utf8(bytes).map_err(|_| PathError::BadRequest("path is not valid UTF-8"))?;
    if name.contains('/') {
        return Err(PathError::BadRequest("encoded slash in path"));
    }
    if name.contains('\\') {
        return Err(PathError::BadRequest("backslash in path"));
    }
    if name.contains('\0') {
        return Err(PathError::BadRequest("NUL byte in path"));
    }
    if name.chars().any(char::is_control) {
        return Err(PathError::BadRequest("control character in path"));
    }
    if name == ".." {
        return Err(PathError::BadRequest("parent-directory segment in path"));
    }
    if name.starts_with('.') {
        return Err(PathError::NotFound("hidden or dot segment"));
    }
    if name.len() > MAX_SEGMENT_LEN {
        return Err(PathError::NotFound("path segment too long"));
    }
    Ok(name)
}

/// Decodes `%XX` escapes once; `None` on a truncated or non-hex escape.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex(*bytes.get(i + 1)?)?;
            let lo = hex(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    //! Path resolution: plain paths and a battery of hostile ones.

    use super::*;

    #[derive(Debug)]
    enum Expect {
        Bad,
        NotFound,
        Ok(&'static [&'static str]),
    }

    fn check(input: &str, expect: &Expect) {
        let got = resolve(input);
        let ok = match (expect, &got) {
            (Expect::Bad, Err(PathError::BadRequest(_))) => true,
            (Expect::NotFound, Err(PathError::NotFound(_))) => true,
            (Expect::Ok(want), Ok(p)) => p.segments() == *want,
            _ => false,
        };
        assert!(ok, "{input:?}: expected {expect:?}, got {got:?}");
        if let Ok(p) = got {
            for s in p.segments() {
                assert!(!s.is_empty() && !s.starts_with('.'), "{input:?} → {s:?}");
                assert!(!s.contains(['/', '\\', '\0']), "{input:?} → {s:?}");
            }
        }
    }

    #[test]
    fn plain_paths_resolve_to_decoded_segments() {
        check("/index.html", &Expect::Ok(&["index.html"]));
        check("/css/site.css", &Expect::Ok(&["css", "site.css"]));
        check("/a%20b.txt", &Expect::Ok(&["a b.txt"]));
        check("/caf%C3%A9.txt", &Expect::Ok(&["café.txt"]));
        check("/docs/", &Expect::Ok(&["docs"]));
        check("/", &Expect::Ok(&[]));
        check("", &Expect::Ok(&[]));
        check("/file.with.dots.js", &Expect::Ok(&["file.with.dots.js"]));
    }

    #[test]
    fn trailing_slash_is_remembered_and_root_forms_differ() {
        assert!(resolve("/docs/").unwrap().trailing_slash());
        assert!(!resolve("/docs").unwrap().trailing_slash());
        assert!(resolve("/").unwrap().trailing_slash());
        assert!(!resolve("").unwrap().trailing_slash());
    }

    #[test]
    fn hostile_paths_are_refused_or_stay_inside_the_mount() {
        use Expect::*;
        let long_path = format!("/{}", "a/".repeat(1100));
        let long_name = format!("/{}", "b".repeat(256));
        let deep = "/d".repeat(33);
        let battery: &[(&str, Expect)] = &[
            // raw parent segments
            ("/..", Bad),
            ("/../", Bad),
            ("/../etc/passwd", Bad),
            ("/a/../../etc/passwd", Bad),
            ("/a/..", Bad),
            ("/static/../..", Bad),
            // percent-encoded dots
            ("/%2e%2e/etc/passwd", Bad),
            ("/%2E%2E/etc/passwd", Bad),
            ("/.%2e/secret", Bad),
            ("/%2e./secret", Bad),
            ("/a/%2e%2e", Bad),
            // encoded slashes and backslashes
            ("/..%2fetc%2fpasswd", Bad),
            ("/%2e%2e%2f%2e%2e%2fetc", Bad),
            ("/a%2fb", Bad),
            ("/a%2Fb", Bad),
            ("/..%5c..%5cwindows", Bad),
            ("/a%5cb", Bad),
            // raw backslashes and mixed separators
            ("/..\\..\\windows\\win.ini", Bad),
            ("/a\\b", Bad),
            ("/a/..\\b", Bad),
            ("\\..\\etc", Bad),
            // NUL and control characters
            ("/index.html%00.png", Bad),
            ("/%00", Bad),
            ("/a\0b", Bad),
            ("/a%0d%0aSet-Cookie:x", Bad),
            ("/tab%09name", Bad),
            ("/del%7f", Bad),
            // malformed escapes
            ("/%", Bad),
            ("/%2", Bad),
            ("/%zz", Bad),
            ("/%%32%65", Bad),
            // overlong / invalid UTF-8 spellings of '.' and '/'
            ("/%c0%ae%c0%ae/etc/passwd", Bad),
            ("/%e0%80%ae%e0%80%ae/x", Bad),
            ("/%c0%af", Bad),
            ("/%ff", Bad),
            // not absolute
            ("index.html", Bad),
            ("etc/passwd", Bad),
            // overlong paths
            (&long_path, Bad),
            (&long_name, NotFound),
            (&deep, NotFound),
            // dot segments and hidden files
            ("/.", NotFound),
            ("/./index.html", NotFound),
            ("/%2e/index.html", NotFound),
            ("/.git/config", NotFound),
            ("/.env", NotFound),
            ("/%2eenv", NotFound),
            ("/a/.hidden/b", NotFound),
            ("/.well-known/x", NotFound),
            ("/...", NotFound),
            // empty interior segments (would otherwise alias other URLs)
            ("//etc/passwd", NotFound),
            ("/a//b", NotFound),
            ("///", NotFound),
            // double-encoded: decoded once, the result is a literal (harmless) name
            ("/%252e%252e/etc/passwd", Ok(&["%2e%2e", "etc", "passwd"])),
            ("/%252e%252e%252fetc", Ok(&["%2e%2e%2fetc"])),
            ("/a%255cb", Ok(&["a%5cb"])),
            ("/%2500", Ok(&["%00"])),
            // look-alikes that are ordinary names on the server
            ("/%ef%bc%8e%ef%bc%8e/x", Ok(&["．．", "x"])),
            // `.. ` starts with a dot: hidden, never a parent reference
            ("/..%20", NotFound),
        ];
        assert!(battery.len() >= 40, "battery has {} paths", battery.len());
        for (input, expect) in battery {
            check(input, expect);
        }
    }

    #[test]
    fn config_paths_accept_missing_leading_slash_and_must_name_a_file() {
        assert_eq!(
            resolve_config("index.html").unwrap().relative(),
            "index.html"
        );
        assert_eq!(
            resolve_config("/errors/404.html").unwrap().relative(),
            "errors/404.html"
        );
        assert!(resolve_config("../secret").is_err());
        assert!(resolve_config("/").is_err());
        assert!(resolve_config("dir/").is_err());
    }

    #[test]
    fn sidecar_and_child_paths_extend_the_last_name() {
        let p = resolve("/css/site.css").unwrap();
        assert_eq!(p.with_suffix(".br").unwrap().relative(), "css/site.css.br");
        assert_eq!(SafePath::root().with_suffix(".gz"), None);
        assert_eq!(
            resolve("/docs/").unwrap().child("index.html").relative(),
            "docs/index.html"
        );
    }
}
