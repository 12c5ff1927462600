//! JWS tokens. Any string: a token the hub accepts has three parts, the
//! hub's algorithm in its header and an HMAC that recomputes over its
//! first two parts, no other key (another secret, the RS256 key) accepts
//! it, and its `exp` is in the future. Built claims: signed with the key,
//! they verify to exactly what was signed unless `exp`/`nbf`, the selector
//! count or a selector's length refuse them (with that reason); the same
//! token under another `alg` (`none`, `nOnE`, `HS512`, `RS256`, ...) or
//! with a changed signature is refused.
#![no_main]

use arbitrary::Arbitrary;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use mercure_hub::auth::token::{self, Key, TokenError, MAX_CLAIM_SELECTORS};
use mercure_hub::protocol::selector::MAX_SELECTOR_BYTES;
use serde_json::{json, Value};
use sha2::Sha256;
use spin_sse_fuzz::assert_one_line;

const SECRET: &[u8] = b"!ChangeThisMercureHubJWTSecretKey!";
/// The reference hub's RS256 test key (authorization_test.go, v0.24.2).
const RSA_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIGeMA0GCSqGSIb3DQEBAQUAA4GMADCBiAKBgHVwuJsFmzsFnOkGj+OgAp4lTNqR
CF0RZSmjY+ECWOJ3sSEzQ8qtkJe61uSjr/PKmqvBxxex0YtUL7waSS4jvq3ws8Bm
WIxK2GqoAVjLjK8HzThSPQpgv2AjiEXD6iAERHeySLGjYAUgfMrVJ01J5fNSL+O+
bCd7nPuNAyYHCOOHAgMBAAE=
-----END PUBLIC KEY-----
";
const NOW: f64 = 1_700_000_000.0;

#[derive(Arbitrary, Debug)]
struct Built {
    publish: Option<Vec<String>>,
    subscribe: Option<Vec<String>>,
    payload: Option<String>,
    namespaced: bool,
    exp: Option<i16>,
    nbf: Option<i16>,
    long_selector: Option<u16>,
    alg: u8,
    flip: Option<u8>,
}

const ALGS: [&str; 8] = [
    "HS256", "none", "nOnE", "HS512", "RS256", "ES256", "hs256", "",
];

// An input starting with `!` describes claims to sign (the rest read by
// `arbitrary`); any other input is a token as a client sends it.
fuzz_target!(|data: &[u8]| {
    let hs = Key::Hs256(SECRET.to_vec());
    let rs = Key::new("RS256", RSA_PUBLIC_KEY).expect("the test key parses");
    if let Some(rest) = data.strip_prefix(b"!") {
        if let Ok(built) = Built::arbitrary_take_rest(arbitrary::Unstructured::new(rest)) {
            built_token(built, &hs, &rs);
        }
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = token::header(text);
    let result = token::verify(text, &hs, NOW);
    match &result {
        Ok(claims) => {
            let parts: Vec<&str> = text.split('.').collect();
            assert_eq!(parts.len(), 3);
            assert_eq!(token::header(text).unwrap().alg, "HS256");
            let signed = &text[..text.rfind('.').unwrap()];
            let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
            assert_eq!(signature, hmac_sha256(SECRET, signed.as_bytes()));
            assert!(claims.expires_at.is_none_or(|exp| NOW < exp));
        }
        Err(error) => assert_one_line(&error.to_string()),
    }
    let other = Key::Hs256(b"another secret".to_vec());
    assert!(token::verify(text, &other, NOW).is_err() || result.is_err());
    assert!(
        token::verify(text, &rs, NOW).is_err(),
        "RS256 accepted {text:?}"
    );
});

fn built_token(built: Built, hs: &Key, rs: &Key) {
    let mut mercure = serde_json::Map::new();
    let publish = built.publish.clone();
    let mut subscribe = built.subscribe.clone();
    if let Some(extra) = built.long_selector {
        let len = usize::from(extra % 4096);
        subscribe
            .get_or_insert_with(Vec::new)
            .push("{a}".repeat(len / 3 + 1)[..len].to_owned());
    }
    if let Some(list) = &publish {
        mercure.insert("publish".into(), json!(list));
    }
    if let Some(list) = &subscribe {
        mercure.insert("subscribe".into(), json!(list));
    }
    if let Some(payload) = &built.payload {
        mercure.insert("payload".into(), json!(payload));
    }
    let mut claims = serde_json::Map::new();
    let claim_name = if built.namespaced {
        "https://mercure.rocks/"
    } else {
        "mercure"
    };
    claims.insert(claim_name.into(), Value::Object(mercure));
    let exp = built.exp.map(|d| NOW + f64::from(d));
    let nbf = built.nbf.map(|d| NOW + f64::from(d));
    if let Some(exp) = exp {
        claims.insert("exp".into(), json!(exp));
    }
    if let Some(nbf) = nbf {
        claims.insert("nbf".into(), json!(nbf));
    }
    let claims = Value::Object(claims);
    let alg = ALGS[usize::from(built.alg) % ALGS.len()];
    let mut text = token::sign_with(&json!({"alg": alg, "typ": "JWT"}), &claims, |signed| {
        hmac_sha256(SECRET, signed)
    });
    if let Some(at) = built.flip {
        // Change one character of the signature (to another base64url one).
        let start = text.rfind('.').unwrap() + 1;
        let index = start + usize::from(at) % (text.len() - start);
        let old = text.as_bytes()[index];
        let new = if old == b'A' { 'B' } else { 'A' };
        text.replace_range(index..=index, &new.to_string());
    }
    let result = token::verify(&text, hs, NOW);
    assert!(
        token::verify(&text, rs, NOW).is_err(),
        "RS256 key accepted an HMAC token"
    );

    let too_many =
        |l: &Option<Vec<String>>| l.as_ref().is_some_and(|l| l.len() > MAX_CLAIM_SELECTORS);
    let too_long =
        |l: &Option<Vec<String>>| l.iter().flatten().any(|s| s.len() > MAX_SELECTOR_BYTES);
    if alg != "HS256" {
        assert_eq!(result, Err(TokenError::Algorithm(alg.to_owned())));
        return;
    }
    let flipped = built.flip.is_some()
        && text
            != token::sign_with(&json!({"alg": alg, "typ": "JWT"}), &claims, |s| {
                hmac_sha256(SECRET, s)
            });
    if flipped {
        assert!(
            matches!(
                result,
                Err(TokenError::Signature | TokenError::Malformed(_))
            ),
            "{result:?}"
        );
        return;
    }
    match result {
        Ok(got) => {
            assert!(exp.is_none_or(|exp| NOW < exp) && nbf.is_none_or(|nbf| NOW >= nbf));
            assert!(!too_many(&publish) && !too_many(&subscribe));
            assert!(!too_long(&publish) && !too_long(&subscribe));
            assert_eq!(got.publish, publish);
            assert_eq!(got.subscribe, subscribe);
            assert_eq!(got.payload, built.payload.map(Value::String));
            assert_eq!(got.expires_at, exp);
        }
        Err(TokenError::Expired) => assert!(exp.is_some_and(|exp| NOW >= exp)),
        Err(TokenError::NotYetValid) => assert!(nbf.is_some_and(|nbf| NOW < nbf)),
        Err(TokenError::TooManySelectors) => assert!(too_many(&publish) || too_many(&subscribe)),
        Err(TokenError::SelectorTooLong(len)) => {
            assert!(len > MAX_SELECTOR_BYTES && (too_long(&publish) || too_long(&subscribe)))
        }
        Err(other) => panic!("a well-formed token refused: {other:?}"),
    }
}

/// HMAC-SHA-256 of `message` under `key` (RustCrypto's, as a reference).
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}
