//! `Range: bytes=`: a parsed range is well formed (`first <= last`), prints
//! back to a header that parses to the same range, and resolves within the
//! representation (`start <= end < len`) or not at all; an unsatisfiable
//! range is one that starts past the end (or an empty suffix).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spin_sse_fuzz::text_fields;
use static_fileserver::range::{self, Spec};

// Fields (split at 0xFF): the `Range` value, the file's length.
fuzz_target!(|data: &[u8]| {
    let fields = text_fields(data);
    let Some(header) = fields.first() else {
        return;
    };
    let len = fields
        .get(1)
        .and_then(|l| l.parse().ok())
        .unwrap_or(10_000u64);
    let Some(spec) = range::parse(header) else {
        return;
    };
    let printed = match spec {
        Spec::From(first) => format!("bytes={first}-"),
        Spec::FromTo(first, last) => {
            assert!(first <= last, "{header:?} parsed to {spec:?}");
            format!("bytes={first}-{last}")
        }
        Spec::Suffix(n) => format!("bytes=-{n}"),
    };
    assert_eq!(range::parse(&printed), Some(spec));
    match range::resolve(spec, len) {
        Some((start, end)) => {
            assert!(
                start <= end && end < len,
                "{spec:?} in {len}: {start}..={end}"
            );
            match spec {
                Spec::From(first) | Spec::FromTo(first, _) => assert_eq!(start, first),
                Spec::Suffix(n) => assert_eq!(end - start + 1, n.min(len)),
            }
            if let Spec::FromTo(_, last) = spec {
                assert_eq!(end, last.min(len - 1));
            }
        }
        None => {
            let satisfiable = len > 0
                && match spec {
                    Spec::From(first) | Spec::FromTo(first, _) => first < len,
                    Spec::Suffix(n) => n > 0,
                };
            assert!(!satisfiable, "{spec:?} in {len} refused");
        }
    }
});
