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
mod tests;
