//! File-server path resolution, alone and inside the whole decision: an
//! accepted path has only plain names (no `.`/`..`, hidden, empty, slash,
//! backslash, NUL or control characters; bounded length and depth) and
//! re-encoding it resolves to the same path; `serve::plan` over a fake tree
//! only ever looks up such paths, serves only files of the tree within
//! their length, and writes no header value with CR, LF or NUL (for a
//! request an HTTP server would pass on).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spin_sse_fuzz::fields;
use static_fileserver::config::Config;
use static_fileserver::fs::{FileSystem, Kind, Meta};
use static_fileserver::path::{self, SafePath, MAX_DEPTH, MAX_SEGMENT_LEN};
use static_fileserver::request::RequestParts;
use static_fileserver::serve::{self, Body};
use std::cell::RefCell;
use std::time::{Duration, UNIX_EPOCH};

struct Request {
    method: String,
    path_with_query: String,
    headers: Vec<(String, Vec<u8>)>,
    fallback: Option<String>,
    custom_404: Option<String>,
}

/// Fields (split at 0xFF): method, path and query, `FALLBACK_PATH`,
/// `CUSTOM_404_PATH` (empty: unset), then `name: value` headers (the value
/// any bytes).
fn request(data: &[u8]) -> Request {
    let fields = fields(data);
    let text = |i: usize| {
        fields
            .get(i)
            .map(|f| String::from_utf8_lossy(f).into_owned())
    };
    let setting = |i: usize| text(i).filter(|s| !s.is_empty());
    let headers = fields
        .iter()
        .skip(4)
        .filter_map(|f| {
            let at = f.iter().position(|&b| b == b':')?;
            let value = f[at + 1..].strip_prefix(b" ").unwrap_or(&f[at + 1..]);
            Some((
                String::from_utf8_lossy(&f[..at]).into_owned(),
                value.to_vec(),
            ))
        })
        .collect();
    Request {
        method: text(0).unwrap_or_default(),
        path_with_query: text(1).unwrap_or_default(),
        headers,
        fallback: setting(2),
        custom_404: setting(3),
    }
}

/// The tree: plain files and directories, and hidden ones that must never
/// be looked up.
const TREE: [(&str, Kind, u64); 9] = [
    ("", Kind::Dir, 0),
    ("index.html", Kind::File, 120),
    ("a.css", Kind::File, 1000),
    ("a.css.br", Kind::File, 300),
    ("a.css.gz", Kind::File, 400),
    ("dir", Kind::Dir, 0),
    ("dir/index.html", Kind::File, 0),
    ("404.html", Kind::File, 9),
    ("dir/b c.txt", Kind::File, 70_000),
];

struct FakeFs {
    looked_up: RefCell<Vec<SafePath>>,
}

impl FileSystem for FakeFs {
    fn stat(&self, path: &SafePath) -> Option<Meta> {
        self.looked_up.borrow_mut().push(path.clone());
        let relative = path.relative();
        TREE.iter()
            .find(|(p, _, _)| *p == relative)
            .map(|&(_, kind, len)| Meta {
                kind,
                len,
                modified: Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            })
    }
}

fn assert_plain(path: &SafePath) {
    assert!(path.segments().len() <= MAX_DEPTH);
    for name in path.segments() {
        assert!(
            !name.is_empty() && name.len() <= MAX_SEGMENT_LEN,
            "{path:?}"
        );
        assert!(!name.starts_with('.'), "dot segment in {path:?}");
        assert!(!name.contains(['/', '\\', '\0']), "separator in {path:?}");
        assert!(!name.chars().any(char::is_control), "control in {path:?}");
    }
}

fn encode(path: &SafePath) -> String {
    let mut out = String::new();
    for name in path.segments() {
        out.push('/');
        for byte in name.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(char::from(byte))
                }
                _ => out.push_str(&format!("%{byte:02X}")),
            }
        }
    }
    if path.trailing_slash() || path.segments().is_empty() {
        out.push('/');
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let request = request(data);
    let raw = request.path_with_query.as_str();
    if let Ok(resolved) = path::resolve(raw) {
        assert_plain(&resolved);
        if !raw.is_empty() {
            let again = path::resolve(&encode(&resolved));
            // The re-encoded path may be longer than the limit; else it is the same.
            if let Ok(again) = again {
                assert_eq!(again, resolved, "re-encoded {raw:?}");
            }
        }
    }
    for value in [&request.fallback, &request.custom_404]
        .into_iter()
        .flatten()
    {
        if let Ok(resolved) = path::resolve_config(value) {
            assert_plain(&resolved);
            assert!(!resolved.segments().is_empty() && !resolved.trailing_slash());
        }
    }

    let config = Config::from_lookup(|name| match name {
        "FALLBACK_PATH" => request.fallback.clone(),
        "CUSTOM_404_PATH" => request.custom_404.clone(),
        _ => None,
    })
    .0;
    // What reaches the component went through the HTTP server's parser: a
    // valid request target and valid header values (no CR, LF or NUL).
    // (a fragment is dropped there).
    let target = match http::uri::PathAndQuery::try_from(raw) {
        Ok(target) => target.as_str().to_owned(),
        Err(_) if raw.is_empty() => String::new(),
        Err(_) => return,
    };
    let headers = request.headers.iter().filter(|(name, value)| {
        http::HeaderName::try_from(name.as_str()).is_ok()
            && http::HeaderValue::from_bytes(value).is_ok()
    });
    let parts = RequestParts::new(request.method.as_str(), target, headers.cloned());
    let fs = FakeFs {
        looked_up: RefCell::new(Vec::new()),
    };
    let plan = serve::plan(&parts, &fs, &config);
    for path in fs.looked_up.borrow().iter() {
        assert_plain(path);
    }
    assert!((200..600).contains(&plan.status), "status {}", plan.status);
    for (name, value) in &plan.headers {
        assert!(
            !value.contains(['\r', '\n', '\0']),
            "header {name}: {value:?}"
        );
    }
    if let Body::File { path, offset, len } = &plan.body {
        assert_plain(path);
        let relative = path.relative();
        let Some((_, kind, size)) = TREE.iter().find(|(p, _, _)| *p == relative) else {
            panic!("serves {relative:?}, not in the tree");
        };
        assert_eq!(*kind, Kind::File);
        assert!(offset.checked_add(*len).is_some_and(|end| end <= *size));
        assert!(matches!(plan.status, 200 | 206 | 404));
    }
});
