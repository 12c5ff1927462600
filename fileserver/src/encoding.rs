//! `Accept-Encoding` negotiation over the precompressed sidecars. Pure.
//!
//! Only codings with a sidecar on disk compete (`br` → `file.br`, `gzip` →
//! `file.gz`); nothing is compressed per request. Quality values follow
//! RFC 9110 §12.5.3: an explicit entry wins over `*`, `q=0` means "not
//! acceptable", identity is acceptable unless excluded (when not listed it
//! ranks below every acceptable coding), and on a tie the smaller
//! representation is preferred (br, then gzip, then identity).
//! Malformed elements are ignored; an absent header means identity.

/// A content coding this server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The `Content-Encoding` token, none for identity.
    pub fn token(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Brotli => Some("br"),
        }
    }

    /// File-name suffix of the sidecar holding this coding.
    pub fn sidecar_suffix(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some(".gz"),
            Encoding::Brotli => Some(".br"),
        }
    }
}

/// Weights (in thousandths) a client gave each coding we know.
#[derive(Debug, Default, PartialEq, Eq)]
struct Weights {
    br: Option<u16>,
    gzip: Option<u16>,
    identity: Option<u16>,
    any: Option<u16>,
}

/// Picks the coding to send given the (comma-joined) `Accept-Encoding`
/// value and which sidecars exist.
pub fn negotiate(accept_encoding: Option<&str>, have_br: bool, have_gzip: bool) -> Encoding {
    let Some(header) = accept_encoding else {
        return Encoding::Identity;
    };
    let w = parse(header);
    let br = if have_br {
        w.br.or(w.any).unwrap_or(0)
    } else {
        0
    };
    let gzip = if have_gzip {
        w.gzip.or(w.any).unwrap_or(0)
    } else {
        0
    };
    // Unlisted identity stays acceptable but loses to any acceptable coding.
    let identity = w.identity.or(w.any).unwrap_or(1);
    // Order encodes the tie-break: first with the highest weight wins.
    let candidates = [
        (Encoding::Brotli, br),
        (Encoding::Gzip, gzip),
        (Encoding::Identity, identity),
    ];
    let mut best = (Encoding::Identity, 0);
    for (enc, q) in candidates {
        if q > best.1 {
            best = (enc, q);
        }
    }
    // Nothing acceptable: identity anyway (RFC 9110 allows it, 406 helps nobody).
    best.0
}

fn parse(header: &str) -> Weights {
    let mut w = Weights::default();
    for element in header.split(',') {
        let mut parts = element.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if coding.is_empty() {
            continue;
        }
        let mut q = Some(1000);
        for param in parts {
            let Some((name, value)) = param.split_once('=') else {
                q = None;
                break;
            };
            if name.trim().eq_ignore_ascii_case("q") {
                q = parse_q(value.trim());
            }
        }
        let Some(q) = q else { continue };
        let slot = match coding.as_str() {
            "br" => &mut w.br,
            "gzip" | "x-gzip" => &mut w.gzip,
            "identity" => &mut w.identity,
            "*" => &mut w.any,
            _ => continue,
        };
        // A coding listed twice keeps its most favourable weight.
        *slot = Some(slot.map_or(q, |old| old.max(q)));
    }
    w
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in thousandths.
fn parse_q(s: &str) -> Option<u16> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Encoding::*;

    #[test]
    fn absent_header_means_identity() {
        assert_eq!(negotiate(None, true, true), Identity);
    }

    #[test]
    fn empty_header_means_identity_only() {
        assert_eq!(negotiate(Some(""), true, true), Identity);
    }

    #[test]
    fn brotli_preferred_over_gzip_at_equal_weight() {
        assert_eq!(negotiate(Some("gzip, deflate, br"), true, true), Brotli);
        assert_eq!(negotiate(Some("br, gzip"), true, true), Brotli);
    }

    #[test]
    fn higher_q_wins_over_preference() {
        assert_eq!(negotiate(Some("br;q=0.5, gzip;q=0.8"), true, true), Gzip);
        assert_eq!(
            negotiate(Some("gzip;q=0.2, identity"), true, true),
            Identity
        );
    }

    #[test]
    fn q_zero_excludes_a_coding() {
        assert_eq!(negotiate(Some("br;q=0, gzip"), true, true), Gzip);
        assert_eq!(
            negotiate(Some("br;q=0.000, gzip;q=0"), true, true),
            Identity
        );
    }

    #[test]
    fn only_existing_sidecars_compete() {
        assert_eq!(negotiate(Some("br, gzip"), false, true), Gzip);
        assert_eq!(negotiate(Some("br"), false, true), Identity);
        assert_eq!(negotiate(Some("br, gzip"), false, false), Identity);
    }

    #[test]
    fn wildcard_covers_unlisted_codings_but_not_listed_ones() {
        assert_eq!(negotiate(Some("*"), true, true), Brotli);
        assert_eq!(negotiate(Some("br;q=0, *"), true, true), Gzip);
        assert_eq!(negotiate(Some("*;q=0"), true, true), Identity);
    }

    #[test]
    fn identity_excluded_picks_any_acceptable_sidecar() {
        assert_eq!(
            negotiate(Some("identity;q=0, gzip;q=0.1"), true, true),
            Gzip
        );
        assert_eq!(negotiate(Some("*;q=0, br;q=0.3"), true, true), Brotli);
    }

    #[test]
    fn nothing_acceptable_falls_back_to_identity() {
        assert_eq!(negotiate(Some("identity;q=0"), false, false), Identity);
        assert_eq!(negotiate(Some("identity;q=0, br"), false, true), Identity);
    }

    #[test]
    fn tokens_and_parameters_are_case_insensitive_and_x_gzip_aliases_gzip() {
        assert_eq!(negotiate(Some("BR;Q=1"), true, true), Brotli);
        assert_eq!(negotiate(Some("x-gzip"), true, true), Gzip);
        assert_eq!(negotiate(Some(" GZip ; q=0.9 "), false, true), Gzip);
    }

    #[test]
    fn malformed_elements_are_ignored() {
        assert_eq!(negotiate(Some("br;q=abc, gzip"), true, true), Gzip);
        assert_eq!(negotiate(Some("br;q=1.5, gzip;q=0.5"), true, true), Gzip);
        assert_eq!(negotiate(Some("br;q=0.1234, gzip;q=0.5"), true, true), Gzip);
        assert_eq!(negotiate(Some("br;q, gzip"), true, true), Gzip);
        assert_eq!(negotiate(Some(",,;q=1, br"), true, true), Brotli);
        assert_eq!(negotiate(Some("zstd, compress"), true, true), Identity);
    }

    #[test]
    fn deflate_and_other_unsupported_codings_get_identity() {
        assert_eq!(negotiate(Some("deflate"), true, true), Identity);
        assert_eq!(negotiate(Some("deflate, gzip;q=0.5"), true, true), Gzip);
    }

    #[test]
    fn q_values_parse_per_rfc_grammar() {
        assert_eq!(parse_q("0"), Some(0));
        assert_eq!(parse_q("0."), Some(0));
        assert_eq!(parse_q("0.5"), Some(500));
        assert_eq!(parse_q("0.123"), Some(123));
        assert_eq!(parse_q("1"), Some(1000));
        assert_eq!(parse_q("1.000"), Some(1000));
        assert_eq!(parse_q("1.001"), None);
        assert_eq!(parse_q("-0.5"), None);
        assert_eq!(parse_q(".5"), None);
        assert_eq!(parse_q(""), None);
    }

    #[test]
    fn repeated_coding_keeps_its_best_weight() {
        assert_eq!(
            negotiate(Some("br;q=0, br;q=0.9, gzip;q=0.5"), true, true),
            Brotli
        );
    }
}
