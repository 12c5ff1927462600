//! `/sse` query parameters and `Last-Event-ID`: an accepted request's values
//! are within their bounds (the last id within `0..=count`), a refused one
//! has a one-line reason, and the query splitter yields exactly the pairs
//! the string holds, decoding only `%XX` and `+`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spin_sse::config::{self, Settings};
use spin_sse::params::StreamParams;
use spin_sse::query;
use spin_sse_fuzz::{assert_one_line, fields};

struct Request {
    query: String,
    last_event_id: Vec<Vec<u8>>,
    env: Vec<(usize, String)>,
}

// Fields (split at 0xFF): the query string, then `Last-Event-ID` header
// values (any bytes) and settings (`env:SSE_INTERVAL_MS=…` and so on).
fuzz_target!(|data: &[u8]| {
    let fields = fields(data);
    let Ok(query) = std::str::from_utf8(fields[0]) else {
        return;
    };
    let mut request = Request {
        query: query.to_owned(),
        last_event_id: Vec::new(),
        env: Vec::new(),
    };
    for field in &fields[1..] {
        let setting = field
            .strip_prefix(b"env:")
            .and_then(|f| std::str::from_utf8(f).ok());
        match setting.and_then(|s| s.split_once('=')) {
            Some((name, value)) => match config::ENV_NAMES.iter().position(|n| *n == name) {
                Some(which) => request.env.push((which, value.to_owned())),
                None => return,
            },
            None => request.last_event_id.push(field.to_vec()),
        }
    }
    let pairs: Vec<(String, String)> = query::pairs(&request.query).collect();
    let pieces: Vec<&str> = request.query.split('&').filter(|p| !p.is_empty()).collect();
    assert_eq!(pairs.len(), pieces.len());
    for ((name, value), piece) in pairs.iter().zip(&pieces) {
        if !piece.contains(['%', '+']) {
            let (raw_name, raw_value) = piece.split_once('=').unwrap_or((piece, ""));
            assert_eq!((name.as_str(), value.as_str()), (raw_name, raw_value));
        }
    }

    let env: Vec<(&str, &str)> = request
        .env
        .iter()
        .map(|(which, value)| (config::ENV_NAMES[*which], value.as_str()))
        .collect();
    let settings = match Settings::from_vars(|name| {
        env.iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    }) {
        Ok(settings) => {
            assert!(config::INTERVAL_MS.contains(&settings.interval_ms));
            assert!(config::RETRY_MS.contains(&settings.retry_ms));
            assert!(config::HEARTBEAT_MS.contains(&settings.heartbeat_ms));
            assert!(!settings.messages.is_empty());
            settings
        }
        Err(error) => {
            assert_one_line(&error.to_string());
            Settings::default()
        }
    };

    match StreamParams::parse(&settings, &request.query, &request.last_event_id) {
        Ok(params) => {
            assert!(config::INTERVAL_MS.contains(&params.interval_ms));
            assert!(config::HEARTBEAT_MS.contains(&params.heartbeat_ms));
            assert!(config::COUNT.contains(&params.count));
            if let Some(last) = params.last_event_id {
                assert!(last <= params.count);
            }
            assert!(request.last_event_id.len() <= 1, "two headers accepted");
        }
        Err(error) => assert_one_line(&error.to_string()),
    }
});
