//! Media types from file extensions. Pure.
//!
//! Uses `mime_guess` with a few modern corrections (`.mjs`, `.map`), adds
//! `charset=utf-8` to textual types, and says which types are worth a
//! precompressed sidecar (the others are never looked up).

/// `Content-Type` value for a file name.
pub fn for_name(name: &str) -> String {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let essence = match ext.as_deref() {
        Some("mjs" | "cjs") => "text/javascript",
        Some("map") => "application/json",
        Some(e) => mime_guess::from_ext(e)
            .first_raw()
            .unwrap_or("application/octet-stream"),
        None => "application/octet-stream",
    };
    if is_textual(essence) {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    }
}

/// Text a browser decodes with a charset: `text/*`, JSON, XML, JavaScript, SVG.
fn is_textual(essence: &str) -> bool {
    essence.starts_with("text/")
        || essence.ends_with("+json")
        || essence.ends_with("+xml")
        || matches!(
            essence,
            "application/json" | "application/javascript" | "application/xml"
        )
}

/// Whether a `.br`/`.gz` sidecar may exist for this type (text and wasm).
/// Already-compressed types (images, fonts, archives) never are.
pub fn is_compressible(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    is_textual(essence) || essence == "application/wasm"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_types_carry_utf8_charset() {
        assert_eq!(for_name("index.html"), "text/html; charset=utf-8");
        assert_eq!(for_name("site.css"), "text/css; charset=utf-8");
        assert_eq!(for_name("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(for_name("mod.mjs"), "text/javascript; charset=utf-8");
        assert_eq!(for_name("data.json"), "application/json; charset=utf-8");
        assert_eq!(for_name("logo.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(
            for_name("site.webmanifest"),
            "application/manifest+json; charset=utf-8"
        );
        assert_eq!(for_name("notes.txt"), "text/plain; charset=utf-8");
    }

    #[test]
    fn binary_types_have_no_charset() {
        assert_eq!(for_name("photo.png"), "image/png");
        assert_eq!(for_name("font.woff2"), "font/woff2");
        assert_eq!(for_name("app.wasm"), "application/wasm");
    }

    #[test]
    fn extension_match_is_case_insensitive() {
        assert_eq!(for_name("PAGE.HTML"), "text/html; charset=utf-8");
    }

    #[test]
    fn unknown_or_missing_extension_is_octet_stream() {
        assert_eq!(for_name("README"), "application/octet-stream");
        assert_eq!(for_name("blob.qqqzz"), "application/octet-stream");
    }

    #[test]
    fn sidecar_files_keep_their_own_type() {
        assert_eq!(for_name("app.js.gz"), "application/gzip");
        assert!(!is_compressible(&for_name("app.js.gz")));
        assert!(!is_compressible(&for_name("app.js.br")));
    }

    #[test]
    fn only_text_and_wasm_are_compressible() {
        assert!(is_compressible(&for_name("a.html")));
        assert!(is_compressible(&for_name("a.svg")));
        assert!(is_compressible(&for_name("a.wasm")));
        assert!(!is_compressible(&for_name("a.png")));
        assert!(!is_compressible(&for_name("a.woff2")));
    }
}
