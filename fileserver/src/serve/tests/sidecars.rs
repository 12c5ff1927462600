//! Precompressed sidecars through the serving core: negotiation, `Vary`,
//! ETags per coding, ranges and direct requests for sidecars, staleness.

use super::*;

#[test]
fn brotli_sidecar_served_with_encoding_vary_and_own_etag() {
    let d = site();
    let p = get(&d, "/app.js", &[("accept-encoding", "gzip, deflate, br")]);
    assert_eq!(p.status, 200);
    assert_eq!(p.header("content-encoding"), Some("br"));
    assert_eq!(p.header("vary"), Some("Accept-Encoding"));
    assert_eq!(
        p.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(p.header("content-length"), Some("100"));
    assert_eq!(file_body(&p), ("app.js.br".into(), 0, 100));
    let identity = get(&d, "/app.js", &[]);
    assert_ne!(p.header("etag"), identity.header("etag"));
}

#[test]
fn gzip_sidecar_when_brotli_refused() {
    let p = get(&site(), "/app.js", &[("accept-encoding", "br;q=0, gzip")]);
    assert_eq!(p.header("content-encoding"), Some("gzip"));
    assert_eq!(file_body(&p).0, "app.js.gz");
}

#[test]
fn identity_response_still_varies_when_sidecars_exist() {
    let p = get(&site(), "/app.js", &[]);
    assert_eq!(
        (p.header("content-encoding"), p.header("vary")),
        (None, Some("Accept-Encoding"))
    );
    assert_eq!(file_body(&p), ("app.js".into(), 0, 1000));
}

#[test]
fn range_request_is_never_compressed() {
    let p = get(
        &site(),
        "/app.js",
        &[("accept-encoding", "br"), ("range", "bytes=0-9")],
    );
    assert_eq!(p.status, 206);
    assert_eq!(p.header("content-encoding"), None);
    assert_eq!(file_body(&p), ("app.js".into(), 0, 10));
}

#[test]
fn sidecar_requested_directly_is_served_as_is() {
    let p = get(&site(), "/app.js.gz", &[("accept-encoding", "gzip, br")]);
    assert_eq!(p.header("content-type"), Some("application/gzip"));
    assert_eq!(
        (p.header("content-encoding"), p.header("vary")),
        (None, None)
    );
    assert_eq!(file_body(&p), ("app.js.gz".into(), 0, 200));
}

#[test]
fn stale_sidecar_is_ignored() {
    let d = site();
    put(&d, "app.js", &[b'y'; 1000], T0 + 3600);
    let p = get(&d, "/app.js", &[("accept-encoding", "br, gzip")]);
    assert_eq!(
        (p.header("content-encoding"), file_body(&p).0),
        (None, "app.js".into())
    );
}

#[test]
fn sidecar_copied_seconds_before_its_file_is_still_used() {
    // `spin up` copies mounts: mtimes become copy times, in any order.
    let d = site();
    put(&d, "app.js", &[b'x'; 1000], T0 + 5);
    let p = get(&d, "/app.js", &[("accept-encoding", "br")]);
    assert_eq!(p.header("content-encoding"), Some("br"));
}

#[test]
fn conditional_304_for_compressed_variant_uses_its_etag() {
    let d = site();
    let ae = ("accept-encoding", "br");
    let tag = get(&d, "/app.js", &[ae]).header("etag").unwrap().to_owned();
    let p = get(&d, "/app.js", &[ae, ("if-none-match", &tag)]);
    assert_eq!((p.status, p.header("vary")), (304, Some("Accept-Encoding")));
    assert_eq!(get(&d, "/app.js", &[("if-none-match", &tag)]).status, 200);
}
