//! The serving decision: request parts + file metadata + settings → a
//! response [`Plan`] (status, headers, where the body bytes come from).
//! No I/O besides [`FileSystem::stat`]; the adapter executes the plan.
//!
//! Order of evaluation: method (405) → path (400/404) → directory handling
//! (301 to `dir/`, `index.html`) → fallback / custom 404 → representation
//! (sidecar by `Accept-Encoding`, identity when a range is asked) →
//! `If-None-Match` / `If-Modified-Since` (304) → `Range` (206/416) → 200.

use crate::conditional::{self, etag, http_date};
use crate::config::Config;
use crate::content_type;
use crate::encoding::{self, Encoding};
use crate::fs::{FileSystem, Kind, Meta};
use crate::path::{self, PathError, SafePath};
use crate::range;
use crate::request::RequestParts;
use std::time::Duration;

/// Where the response body comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Empty,
    Text(String),
    /// `len` bytes of the file at `path`, starting at `offset`.
    File {
        path: SafePath,
        offset: u64,
        len: u64,
    },
}

/// A response to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

impl Plan {
    /// First value of a header (names are lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The headers as WASI `fields` take them: owned names, byte values.
    pub fn header_entries(&self) -> Vec<(String, Vec<u8>)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone().into_bytes()))
            .collect()
    }
}

const NOSNIFF: (&str, &str) = ("x-content-type-options", "nosniff");

/// A sidecar this much older than its file is stale (the file was edited
/// after the build step). Not zero: `spin up` copies the mounted files
/// (mtime = copy time, in no particular order), so within a few seconds
/// the order of mtimes means nothing. A wrong call only costs compression.
const STALE_AFTER: Duration = Duration::from_secs(60);

/// Decides the response to `req`.
pub fn plan(req: &RequestParts, fs: &impl FileSystem, cfg: &Config) -> Plan {
    let head = match req.method.as_str() {
        "GET" => false,
        "HEAD" => true,
        _ => {
            let mut p = text(405, "method not allowed: use GET or HEAD", false);
            p.headers.push(("allow", "GET, HEAD".into()));
            return p;
        }
    };
    let path = match path::resolve(req.lookup_path()) {
        Ok(p) => p,
        Err(PathError::BadRequest(reason)) => {
            return text(400, &format!("bad request: {reason}"), head)
        }
        Err(PathError::NotFound(_)) => return not_found(req, fs, cfg, head, false),
    };
    match fs.stat(&path) {
        Some(Meta {
            kind: Kind::Dir, ..
        }) if !path.trailing_slash() => {
            let location = req.slash_redirect_location();
            let mut p = text(301, &format!("moved to {location}"), head);
            p.headers.push(("location", location));
            p
        }
        Some(Meta {
            kind: Kind::Dir, ..
        }) => {
            let index = path.child("index.html");
            match fs.stat(&index).filter(is_file) {
                Some(m) => serve_file(req, fs, cfg, &index, m, head),
                None => not_found(req, fs, cfg, head, true),
            }
        }
        Some(m) if !path.trailing_slash() => serve_file(req, fs, cfg, &path, m, head),
        _ => not_found(req, fs, cfg, head, true),
    }
}

fn is_file(m: &Meta) -> bool {
    m.kind == Kind::File
}

/// Unknown path: SPA fallback (if allowed), else custom 404 page, else text.
fn not_found(
    req: &RequestParts,
    fs: &impl FileSystem,
    cfg: &Config,
    head: bool,
    allow_fallback: bool,
) -> Plan {
    if allow_fallback {
        if let Some(fb) = &cfg.fallback {
            if let Some(m) = fs.stat(fb).filter(is_file) {
                return serve_file(req, fs, cfg, fb, m, head);
            }
        }
    }
    if let Some(page) = &cfg.custom_404 {
        if let Some(m) = fs.stat(page).filter(is_file) {
            let rep = Representation::choose(req, fs, page, m, false);
            let mut p = Plan {
                status: 404,
                headers: vec![("content-type", rep.content_type.clone()), tuple(NOSNIFF)],
                body: Body::Empty,
            };
            rep.finish(&mut p, head);
            return p;
        }
    }
    text(404, "not found", head)
}

/// The bytes chosen to represent a file: identity or one of its sidecars.
struct Representation {
    content_type: String,
    encoding: Encoding,
    path: SafePath,
    len: u64,
    /// Sidecars exist, so the choice depends on `Accept-Encoding`.
    vary: bool,
}

impl Representation {
    fn choose(
        req: &RequestParts,
        fs: &impl FileSystem,
        path: &SafePath,
        meta: Meta,
        identity_only: bool,
    ) -> Self {
        let content_type = content_type::for_name(path.file_name().unwrap_or(""));
        let mut rep = Representation {
            encoding: Encoding::Identity,
            path: path.clone(),
            len: meta.len,
            vary: false,
            content_type,
        };
        if meta.len == 0 || !content_type::is_compressible(&rep.content_type) {
            return rep;
        }
        let sidecar = |enc: Encoding| {
            let p = path.with_suffix(enc.sidecar_suffix()?)?;
            let m = fs.stat(&p).filter(is_file)?;
            // Useless (not smaller) or stale sidecars are ignored.
            let stale = match (m.modified, meta.modified) {
                (Some(side), Some(file)) => side + STALE_AFTER < file,
                _ => false,
            };
            (!stale && m.len < meta.len).then_some((p, m.len))
        };
        let br = sidecar(Encoding::Brotli);
        let gz = sidecar(Encoding::Gzip);
        rep.vary = br.is_some() || gz.is_some();
        if identity_only || !rep.vary {
            return rep;
        }
        let accept = req.joined("accept-encoding");
        rep.encoding = encoding::negotiate(accept.as_deref(), br.is_some(), gz.is_some());
        if let Some((p, len)) = match rep.encoding {
            Encoding::Brotli => br,
            Encoding::Gzip => gz,
            Encoding::Identity => None,
        } {
            rep.path = p;
            rep.len = len;
        }
        rep
    }

    /// Adds coding headers, `Content-Length` and the whole-body source.
    fn finish(self, plan: &mut Plan, head: bool) {
        if let Some(token) = self.encoding.token() {
            plan.headers.push(("content-encoding", token.into()));
        }
        if self.vary {
            plan.headers.push(("vary", "Accept-Encoding".into()));
        }
        plan.headers.push(("content-length", self.len.to_string()));
        if !head {
            plan.body = Body::File {
                path: self.path,
                offset: 0,
                len: self.len,
            };
        }
    }
}

fn serve_file(
    req: &RequestParts,
    fs: &impl FileSystem,
    cfg: &Config,
    path: &SafePath,
    meta: Meta,
    head: bool,
) -> Plan {
    let identity_tag = etag(meta.len, meta.modified, Encoding::Identity);
    // A single byte range, on GET only, if If-Range (when sent) still holds.
    let range = (!head && meta.len > 0)
        .then(|| req.single("range").and_then(range::parse))
        .flatten()
        .filter(|_| match req.joined("if-range") {
            Some(v) => conditional::if_range_holds(&v, &identity_tag, meta.modified),
            None => true,
        });
    // Never compress a range: ranges always address the identity bytes.
    let rep = Representation::choose(req, fs, path, meta, range.is_some());
    let tag = match rep.encoding {
        Encoding::Identity => identity_tag,
        enc => etag(meta.len, meta.modified, enc),
    };
    let mut headers = vec![("etag", tag.clone())];
    if let Some(m) = meta.modified {
        headers.push(("last-modified", http_date(m)));
    }
    if let Some(cc) = &cfg.cache_control {
        headers.push(("cache-control", cc.clone()));
    }
    if let Some(link) = &cfg.link {
        headers.push(("link", link.clone()));
    }
    let not_modified = match req.joined("if-none-match") {
        Some(inm) => conditional::none_match(&inm, &tag),
        None => match (req.single("if-modified-since"), meta.modified) {
            (Some(ims), Some(m)) => conditional::not_modified_since(ims, m),
            _ => false,
        },
    };
    if not_modified {
        if rep.vary {
            headers.push(("vary", "Accept-Encoding".into()));
        }
        return Plan {
            status: 304,
            headers,
            body: Body::Empty,
        };
    }
    headers.push(("accept-ranges", "bytes".into()));
    let Some(spec) = range else {
        headers.push(("content-type", rep.content_type.clone()));
        headers.push(tuple(NOSNIFF));
        let mut p = Plan {
            status: 200,
            headers,
            body: Body::Empty,
        };
        rep.finish(&mut p, head);
        return p;
    };
    let Some((start, end)) = range::resolve(spec, meta.len) else {
        let mut p = text(416, "range not satisfiable", head);
        p.headers.extend(headers);
        p.headers
            .push(("content-range", format!("bytes */{}", meta.len)));
        return p;
    };
    let len = end - start + 1;
    headers.extend([
        ("content-type", rep.content_type.clone()),
        tuple(NOSNIFF),
        ("content-range", format!("bytes {start}-{end}/{}", meta.len)),
        ("content-length", len.to_string()),
    ]);
    if rep.vary {
        headers.push(("vary", "Accept-Encoding".into()));
    }
    Plan {
        status: 206,
        headers,
        body: Body::File {
            path: rep.path,
            offset: start,
            len,
        },
    }
}

fn tuple((k, v): (&'static str, &str)) -> (&'static str, String) {
    (k, v.to_owned())
}

/// A one-line `text/plain` response (no body for HEAD, same length).
pub fn text(status: u16, message: &str, head: bool) -> Plan {
    let body = format!("{message}\n");
    Plan {
        status,
        headers: vec![
            ("content-type", "text/plain; charset=utf-8".into()),
            tuple(NOSNIFF),
            ("content-length", body.len().to_string()),
        ],
        body: if head { Body::Empty } else { Body::Text(body) },
    }
}

#[cfg(test)]
mod tests;
