//! `Accept-Encoding`: the chosen coding is one the client accepts (q > 0,
//! directly or through `*`) and one the server has a sidecar for, never a
//! coding the header refuses with `q=0`; identity when nothing else fits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spin_sse_fuzz::text_fields;
use static_fileserver::encoding::{negotiate, Encoding};

struct Input<'a> {
    header: Option<&'a str>,
    have_br: bool,
    have_gzip: bool,
}

// Fields (split at 0xFF): the sidecars there are (`br`, `gz`, both,
// none), then each `Accept-Encoding` value (none: no header).
fuzz_target!(|data: &[u8]| {
    let fields = text_fields(data);
    let have = fields.first().copied().unwrap_or("");
    let joined = (fields.len() > 1).then(|| fields[1..].join(", "));
    let input = Input {
        header: joined.as_deref(),
        have_br: have.contains("br"),
        have_gzip: have.contains("gz"),
    };
    let chosen = negotiate(input.header, input.have_br, input.have_gzip);
    match chosen {
        Encoding::Brotli => assert!(input.have_br),
        Encoding::Gzip => assert!(input.have_gzip),
        Encoding::Identity => {}
    }
    let Some(header) = input.header else {
        assert_eq!(chosen, Encoding::Identity);
        return;
    };
    if let Some(token) = chosen.token() {
        let lower = header.to_ascii_lowercase();
        assert!(
            lower.contains(token) || lower.contains('*'),
            "{chosen:?} from {header:?}"
        );
    }
    // Listing only refused codings never picks one of them.
    let refused = format!("{header}, br;q=0, gzip;q=0, x-gzip;q=0, *;q=0");
    if !header.to_ascii_lowercase().contains("br") && !header.to_ascii_lowercase().contains("gzip")
    {
        assert_eq!(
            negotiate(Some(&refused), input.have_br, input.have_gzip),
            Encoding::Identity
        );
    }
    // The same header twice chooses the same.
    let twice = format!("{header},{header}");
    assert_eq!(
        negotiate(Some(&twice), input.have_br, input.have_gzip),
        chosen
    );
});
