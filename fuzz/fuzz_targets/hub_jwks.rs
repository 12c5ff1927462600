//! JWK Sets: a document the hub accepts has at least one key, each for
//! RS256 (at least 2048 bits) or ES256, and parsing it twice gives the same
//! keys; a refused one has a one-line reason. Choosing a key for a token
//! header (arbitrary `alg` and `kid`, path and URL characters included)
//! only ever returns a key of the token's algorithm, the one with its
//! `kid` when it has one, or the only key of that algorithm when not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mercure_hub::auth::jwks;
use mercure_hub::auth::token::{Header, Key};
use spin_sse_fuzz::{assert_one_line, fields};

fn bits(key: &Key) -> Option<usize> {
    match key {
        Key::Rs256(key) => {
            use rsa::traits::PublicKeyParts;
            Some(key.as_ref().n().bits())
        }
        _ => None,
    }
}

// Fields (split at 0xFF): the document, a token's `alg`, its `kid`
// (absent: none; `#n`: the kid of the document's key n).
fuzz_target!(|data: &[u8]| {
    let fields = fields(data);
    let document = fields[0];
    let text = |i: usize| {
        fields
            .get(i)
            .map(|f| String::from_utf8_lossy(f).into_owned())
    };
    let set = match jwks::parse(document) {
        Ok(set) => set,
        Err(error) => {
            assert_one_line(&error.to_string());
            return;
        }
    };
    let keys = set.keys();
    assert!(!keys.is_empty());
    for jwk in keys {
        assert!(matches!(jwk.key.algorithm(), "RS256" | "ES256"));
        if let Some(bits) = bits(&jwk.key) {
            assert!(bits >= jwks::MIN_RSA_BITS);
        }
    }
    let again = jwks::parse(document).expect("parses twice");
    let kids = |s: &jwks::Jwks| s.keys().iter().map(|k| k.kid.clone()).collect::<Vec<_>>();
    assert_eq!(kids(&again), kids(&set));

    let alg = text(1).unwrap_or_else(|| "RS256".to_owned());
    let kid = match text(2) {
        Some(kid) => match kid.strip_prefix('#').and_then(|n| n.parse::<usize>().ok()) {
            Some(i) => keys[i % keys.len()].kid.clone(),
            None => Some(kid),
        },
        None => None,
    };
    let header = Header {
        alg: alg.clone(),
        kid: kid.clone(),
    };
    match set.choose(&header) {
        Ok(key) => {
            assert_eq!(key.algorithm(), alg);
            let chosen = keys
                .iter()
                .find(|k| std::ptr::eq(&k.key, key))
                .expect("the key is one of the set's");
            match &kid {
                Some(kid) => assert_eq!(chosen.kid.as_ref(), Some(kid)),
                None => {
                    let of_alg = keys.iter().filter(|k| k.key.algorithm() == alg).count();
                    assert_eq!(of_alg, 1);
                }
            }
        }
        Err(choice) => {
            assert_one_line(&choice.to_string());
            if let Some(kid) = &kid {
                let usable = keys
                    .iter()
                    .any(|k| k.kid.as_ref() == Some(kid) && k.key.algorithm() == alg);
                assert!(!usable, "a key with kid {kid:?} for {alg} was not chosen");
            }
        }
    }
});
