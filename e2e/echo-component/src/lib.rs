//! Test fixture for the runner's end-to-end rules tests: a Spin HTTP component
//! that answers `200 application/json` describing the request it received.
//!
//! Body: `{"component": <ECHO_NAME env or null>, "method", "uri", "path",
//! "query", "headers": [[name, value], ...] (in the order received, repeats
//! kept), "env": {name: value}}`. Optional query parameters:
//! - `file=<guest path>` adds `"file": {"path", "content"}` or
//!   `{"path", "error"}` (shows what `files` mounts made visible);
//! - `dir=<guest path>` adds `"dir": {"path", "entries": [sorted names]}` or
//!   `{"path", "error"}`;
//! - `sleep_ms=<n>` (at most 60000) waits before answering (holds the
//!   instance, for max-instances tests);
//! - `say=<text>` prints `<text>` on stdout and `<text> (stderr)` on stderr.
//!
//! Layout: everything is in this file: [`describe`] builds the JSON; the
//! wasm-only `p2` module (WASI 0.2) holds the `#[http_component]` entry point,
//! which only does I/O.

/// Longest `sleep_ms` honoured, so a test typo cannot hang a run.
pub const MAX_SLEEP_MS: u64 = 60_000;

/// One query parameter's value (first occurrence), percent-decoded.
pub fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k) == key).then(|| percent_decode(v))
    })
}

/// Decodes `%XX` escapes and `+` as space; malformed escapes stay as they are.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// What the request looked like from inside the component.
pub struct Seen<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Full URI as the host passed it.
    pub uri: &'a str,
    /// Path part.
    pub path: &'a str,
    /// Query part (without `?`).
    pub query: &'a str,
    /// Headers in order, repeats kept; non-UTF-8 values lossily converted.
    pub headers: Vec<(String, String)>,
    /// The component's environment.
    pub env: Vec<(String, String)>,
}

/// Builds the JSON body; `read_file` and `list_dir` are injected so this is
/// testable natively.
pub fn describe(
    seen: &Seen<'_>,
    read_file: impl Fn(&str) -> Result<String, String>,
    list_dir: impl Fn(&str) -> Result<Vec<String>, String>,
) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let env: Map<String, Value> = seen
        .env
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let component = seen
        .env
        .iter()
        .find(|(k, _)| k == "ECHO_NAME")
        .map(|(_, v)| Value::String(v.clone()))
        .unwrap_or(Value::Null);
    let headers: Vec<Value> = seen.headers.iter().map(|(k, v)| json!([k, v])).collect();
    let mut body = json!({
        "component": component,
        "method": seen.method,
        "uri": seen.uri,
        "path": seen.path,
        "query": seen.query,
        "headers": headers,
        "env": env,
    });
    if let Some(path) = query_param(seen.query, "file") {
        body["file"] = match read_file(&path) {
            Ok(content) => json!({ "path": path, "content": content }),
            Err(error) => json!({ "path": path, "error": error }),
        };
    }
    if let Some(path) = query_param(seen.query, "dir") {
        body["dir"] = match list_dir(&path) {
            Ok(mut entries) => {
                entries.sort();
                json!({ "path": path, "entries": entries })
            }
            Err(error) => json!({ "path": path, "error": error }),
        };
    }
    body
}

/// `sleep_ms` from the query, capped at [`MAX_SLEEP_MS`]; absent or bad → 0.
pub fn sleep_ms(query: &str) -> u64 {
    query_param(query, "sleep_ms")
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(0, |ms| ms.min(MAX_SLEEP_MS))
}

/// The Spin/WASI entry point (wasm only: natively the crate is just the
/// pure helpers above, so `cargo test` can run them).
#[cfg(target_arch = "wasm32")]
mod p2 {
    use super::{describe, query_param, sleep_ms, Seen};
    use spin_sdk::http::{IntoResponse, Request, Response};

    #[spin_sdk::http_component]
    fn handle(req: Request) -> anyhow::Result<impl IntoResponse> {
        let headers = req
            .headers()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let method = req.method().to_string();
        let seen = Seen {
            method: &method,
            uri: req.uri(),
            path: req.path(),
            query: req.query(),
            headers,
            env: std::env::vars().collect(),
        };
        if let Some(text) = query_param(seen.query, "say") {
            println!("{text}");
            eprintln!("{text} (stderr)");
        }
        let wait = sleep_ms(seen.query);
        if wait > 0 {
            std::thread::sleep(std::time::Duration::from_millis(wait));
        }
        let body = describe(
            &seen,
            |p| std::fs::read_to_string(p).map_err(|e| e.to_string()),
            |p| {
                std::fs::read_dir(p)
                    .map_err(|e| e.to_string())?
                    .map(|e| {
                        e.map(|e| e.file_name().to_string_lossy().into_owned())
                            .map_err(|e| e.to_string())
                    })
                    .collect()
            },
        );
        Ok(Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(body.to_string())
            .build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(query: &str) -> Seen<'_> {
        Seen {
            method: "GET",
            uri: "http://h/x",
            path: "/x",
            query,
            headers: vec![("a".into(), "1".into()), ("a".into(), "2".into())],
            env: vec![("ECHO_NAME".into(), "one".into()), ("K".into(), "v".into())],
        }
    }

    #[test]
    fn describe_keeps_repeated_headers_in_order() {
        let v = describe(&seen(""), |_| Err("no".into()), |_| Err("no".into()));
        assert_eq!(v["headers"], serde_json::json!([["a", "1"], ["a", "2"]]));
        assert_eq!(v["component"], "one");
        assert_eq!(v["env"]["K"], "v");
        assert!(v.get("file").is_none());
    }

    #[test]
    fn describe_reads_requested_file_and_dir() {
        let v = describe(
            &seen("file=%2Fa.txt&dir=/d"),
            |p| Ok(format!("content of {p}")),
            |_| Ok(vec!["b".into(), "a".into()]),
        );
        assert_eq!(v["file"]["content"], "content of /a.txt");
        assert_eq!(v["dir"]["entries"], serde_json::json!(["a", "b"]));
    }

    #[test]
    fn describe_reports_file_errors() {
        let v = describe(
            &seen("file=/nope"),
            |_| Err("not found".into()),
            |_| Ok(vec![]),
        );
        assert_eq!(v["file"]["error"], "not found");
    }

    #[test]
    fn sleep_is_capped_and_defaults_to_zero() {
        assert_eq!(sleep_ms("sleep_ms=99999999"), MAX_SLEEP_MS);
        assert_eq!(sleep_ms("sleep_ms=abc"), 0);
        assert_eq!(sleep_ms(""), 0);
        assert_eq!(sleep_ms("a=1&sleep_ms=250"), 250);
    }

    #[test]
    fn percent_decode_handles_escapes_plus_and_junk() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%2F"), "/");
    }
}
