//! Conditional headers: an arbitrary `If-None-Match`, `If-Modified-Since`
//! or `If-Range` never panics; our own ETag always matches itself (plain,
//! weak, in a list with others, and `*`), never a tag of another coding or
//! size, and `If-Range` holds for the strong tag or the exact date only.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spin_sse_fuzz::text_fields;
use static_fileserver::conditional::{
    etag, http_date, if_range_holds, none_match, not_modified_since,
};
use static_fileserver::encoding::Encoding;
use std::time::{Duration, UNIX_EPOCH};

struct Input<'a> {
    header: &'a str,
    len: u64,
    secs: u32,
    nanos: u32,
    coding: u8,
}

// Fields (split at 0xFF): the header value, then the file's length,
// modification time (seconds, nanoseconds) and coding (0, 1, 2), as
// decimal numbers.
fuzz_target!(|data: &[u8]| {
    let fields = text_fields(data);
    let number = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let input = Input {
        header: fields.first().copied().unwrap_or(""),
        len: number(1),
        secs: number(2) as u32,
        nanos: number(3) as u32,
        coding: number(4) as u8,
    };
    let modified = UNIX_EPOCH + Duration::new(u64::from(input.secs), input.nanos % 1_000_000_000);
    let codings = [Encoding::Identity, Encoding::Gzip, Encoding::Brotli];
    let coding = codings[usize::from(input.coding) % 3];
    let tag = etag(input.len, Some(modified), coding);
    assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() >= 3);

    // Arbitrary headers: only the answers matter, they must not panic.
    let matched = none_match(input.header, &tag);
    let _ = not_modified_since(input.header, modified);
    let holds = if_range_holds(input.header, &tag, Some(modified));
    if holds {
        assert!(
            !input.header.trim().starts_with("W/"),
            "a weak tag holds If-Range"
        );
    }
    if matched && input.header.trim() != "*" {
        assert!(
            input.header.contains(&tag[1..tag.len() - 1]),
            "{:?} matched {tag}",
            input.header
        );
    }

    // Our own tag and date.
    assert!(none_match(&tag, &tag));
    assert!(none_match(&format!("W/{tag}"), &tag));
    assert!(none_match("*", &tag));
    assert!(none_match(&format!("\"x\", {tag} ,W/\"y\""), &tag));
    assert!(if_range_holds(&tag, &tag, Some(modified)));
    assert!(!if_range_holds(&format!("W/{tag}"), &tag, Some(modified)));
    for other in codings.into_iter().filter(|c| *c != coding) {
        assert!(!none_match(&etag(input.len, Some(modified), other), &tag));
    }
    assert!(!none_match(
        &etag(input.len ^ 1, Some(modified), coding),
        &tag
    ));
    let date = http_date(modified);
    assert!(not_modified_since(&date, modified));
    assert!(if_range_holds(&date, &tag, Some(modified)));
    let later = modified + Duration::from_secs(1);
    assert!(!not_modified_since(&date, later));
    assert!(!if_range_holds(&date, &tag, Some(later)));
});
