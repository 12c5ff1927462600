//! Each JWKS shape, each rejection, and the choice of a token's key; the
//! keys are generated here (`fixtures` is shared with `jwks_cache`).

use super::*;
use crate::auth::token::{self, TokenError};
use serde_json::json;

/// Keys made once per test run, and JWKs and tokens made from them.
pub(crate) mod fixtures {
    use crate::auth::token;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use p256::ecdsa::{Signature, SigningKey};
    use rsa::pkcs1v15::SigningKey as RsaSigningKey;
    use rsa::signature::{SignatureEncoding as _, Signer as _};
    use rsa::traits::PublicKeyParts as _;
    use rsa::RsaPrivateKey;
    use serde_json::{json, Value};
    use sha2::Sha256;
    use std::sync::OnceLock;

    pub fn rsa_key(n: usize) -> &'static RsaPrivateKey {
        static KEYS: OnceLock<[RsaPrivateKey; 2]> = OnceLock::new();
        &KEYS.get_or_init(|| {
            let make = || RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
            [make(), make()]
        })[n]
    }

    pub fn ec_key(n: usize) -> &'static SigningKey {
        static KEYS: OnceLock<[SigningKey; 2]> = OnceLock::new();
        &KEYS.get_or_init(|| {
            let make = || SigningKey::random(&mut rand_core::OsRng);
            [make(), make()]
        })[n]
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn rsa_jwk(n: usize, kid: &str) -> Value {
        let public = rsa_key(n).to_public_key();
        json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
               "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be())})
    }

    pub fn ec_jwk(n: usize, kid: &str) -> Value {
        let point = ec_key(n).verifying_key().to_encoded_point(false);
        json!({"kty": "EC", "kid": kid, "crv": "P-256",
               "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())})
    }

    pub fn document(keys: &[Value]) -> Vec<u8> {
        json!({ "keys": keys }).to_string().into_bytes()
    }

    fn header(alg: &str, kid: Option<&str>) -> Value {
        match kid {
            Some(kid) => json!({"alg": alg, "typ": "JWT", "kid": kid}),
            None => json!({"alg": alg, "typ": "JWT"}),
        }
    }

    pub fn rs256(n: usize, kid: Option<&str>, claims: &Value) -> String {
        let signer = RsaSigningKey::<Sha256>::new(rsa_key(n).clone());
        token::sign_with(&header("RS256", kid), claims, |m| signer.sign(m).to_vec())
    }

    pub fn es256(n: usize, kid: Option<&str>, claims: &Value) -> String {
        token::sign_with(&header("ES256", kid), claims, |m| {
            let signature: Signature = ec_key(n).sign(m);
            signature.to_bytes().to_vec()
        })
    }
}

use fixtures::*;

fn claims() -> serde_json::Value {
    json!({"mercure": {"publish": ["*"]}})
}

fn choose<'a>(set: &'a Jwks, token: &str) -> Result<&'a Key, Choice> {
    set.choose(&token::header(token).unwrap())
}

#[test]
fn rsa_and_ec_keys_are_read_with_their_kids() {
    let set = parse(&document(&[rsa_jwk(0, "r"), ec_jwk(0, "e")])).unwrap();
    let kinds: Vec<_> = set
        .keys()
        .iter()
        .map(|k| (k.kid.as_deref(), k.key.algorithm()))
        .collect();
    assert_eq!(kinds, [(Some("r"), "RS256"), (Some("e"), "ES256")]);
}

#[test]
fn keys_not_for_rs256_or_es256_signatures_are_skipped() {
    let mut encryption = rsa_jwk(0, "enc");
    encryption["use"] = json!("enc");
    let mut wrap_only = ec_jwk(0, "wrap");
    wrap_only["key_ops"] = json!(["wrapKey"]);
    let mut rs512 = rsa_jwk(0, "rs512");
    rs512["alg"] = json!("RS512");
    let mut p384 = ec_jwk(0, "p384");
    p384["crv"] = json!("P-384");
    let hmac = json!({"kty": "oct", "kid": "h", "k": "c2VjcmV0"});
    let okp = json!({"kty": "OKP", "crv": "Ed25519", "x": "AA"});
    let mut verify = ec_jwk(1, "ok");
    verify["key_ops"] = json!(["verify"]);
    let set = parse(&document(&[
        encryption, wrap_only, rs512, p384, hmac, okp, verify,
    ]))
    .unwrap();
    let kids: Vec<_> = set.keys().iter().map(|k| k.kid.as_deref()).collect();
    assert_eq!(kids, [Some("ok")]);
}

#[test]
fn malformed_documents_are_rejected_with_a_reason() {
    let mut short_x = ec_jwk(0, "e");
    short_x["x"] = json!("AAAA");
    let mut off_curve = ec_jwk(0, "e");
    off_curve["y"] = off_curve["x"].clone();
    let mut padded = rsa_jwk(0, "r");
    padded["n"] = json!(format!("{}=", padded["n"].as_str().unwrap()));
    let mut no_e = rsa_jwk(0, "r");
    no_e.as_object_mut().unwrap().remove("e");
    let small = json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"});
    let cases: [(Vec<u8>, &str); 10] = [
        (
            b"not json".to_vec(),
            "not a JSON object with a \"keys\" array",
        ),
        (b"{}".to_vec(), "not a JSON object with a \"keys\" array"),
        (br#"{"keys": {}}"#.to_vec(), "not a JSON object"),
        (br#"{"keys": [42]}"#.to_vec(), "keys[0] is not a JWK"),
        (br#"{"keys": []}"#.to_vec(), "no key usable"),
        (
            document(&[short_x]),
            "keys[0]: P-256 \"x\" and \"y\" must be 32 bytes",
        ),
        (
            document(&[off_curve]),
            "keys[0]: the point (x, y) is not on P-256",
        ),
        (
            document(&[ec_jwk(0, "ok"), padded]),
            "keys[1]: \"n\" is not unpadded base64url",
        ),
        (document(&[no_e]), "keys[0]: \"e\" is missing"),
        (
            document(&[small]),
            "keys[0]: RSA key has 17 bits, fewer than 2048",
        ),
    ];
    for (bytes, reason) in cases {
        let error = parse(&bytes).unwrap_err().to_string();
        assert!(error.starts_with("invalid JWKS: "), "{error}");
        assert!(error.contains(reason), "{error} lacks {reason}");
    }
}

#[test]
fn the_kid_chooses_the_key_and_its_signature_verifies() {
    let set = parse(&document(&[
        rsa_jwk(0, "r0"),
        rsa_jwk(1, "r1"),
        ec_jwk(0, "e0"),
        ec_jwk(1, "e1"),
    ]))
    .unwrap();
    for token in [
        rs256(1, Some("r1"), &claims()),
        es256(1, Some("e1"), &claims()),
        rs256(0, Some("r0"), &claims()),
        es256(0, Some("e0"), &claims()),
    ] {
        let key = choose(&set, &token).unwrap();
        let granted = token::verify(&token, key, 0.0).unwrap();
        assert_eq!(granted.publish, Some(vec!["*".to_owned()]));
    }
    let swapped = es256(0, Some("e1"), &claims());
    let key = choose(&set, &swapped).unwrap();
    assert_eq!(
        token::verify(&swapped, key, 0.0),
        Err(TokenError::Signature)
    );
}

#[test]
fn without_a_kid_the_only_key_of_the_tokens_algorithm_is_used() {
    let one_each = parse(&document(&[rsa_jwk(0, "r"), ec_jwk(0, "e")])).unwrap();
    let token = es256(0, None, &claims());
    let key = choose(&one_each, &token).unwrap();
    assert!(token::verify(&token, key, 0.0).is_ok());
    let two_ec = parse(&document(&[
        ec_jwk(0, "a"),
        ec_jwk(1, "b"),
        rsa_jwk(0, "r"),
    ]))
    .unwrap();
    assert_eq!(
        choose(&two_ec, &token).unwrap_err(),
        Choice::NoKid {
            alg: "ES256".into(),
            keys: 2
        }
    );
    let ec_only = parse(&document(&[ec_jwk(0, "a")])).unwrap();
    let rsa_token = rs256(0, None, &claims());
    assert_eq!(
        choose(&ec_only, &rsa_token).unwrap_err().to_string(),
        "the token has no kid and the JWKS has 0 keys for its alg \"RS256\" (needs exactly one)"
    );
}

#[test]
fn the_algorithm_is_the_keys_not_the_tokens() {
    let set = parse(&document(&[rsa_jwk(0, "r"), ec_jwk(0, "e")])).unwrap();
    let as_es256 = es256(0, Some("r"), &claims());
    assert_eq!(
        choose(&set, &as_es256).unwrap_err(),
        Choice::WrongAlgorithm {
            kid: "r".into(),
            key: "RS256"
        }
    );
    // An HS256 token signed with the RSA key's public modulus as secret
    // (the classic confusion) names no key of its algorithm.
    let confused = token::sign(&claims(), b"n");
    assert!(matches!(
        choose(&set, &confused),
        Err(Choice::NoKid { keys: 0, .. })
    ));
    let header = token::Header {
        alg: "none".into(),
        kid: Some("e".into()),
    };
    assert!(matches!(
        set.choose(&header),
        Err(Choice::WrongAlgorithm { .. })
    ));
}

#[test]
fn an_unknown_kid_is_its_own_answer() {
    let set = parse(&document(&[ec_jwk(0, "old")])).unwrap();
    let token = es256(1, Some("new"), &claims());
    assert_eq!(
        choose(&set, &token).unwrap_err(),
        Choice::UnknownKid("new".into())
    );
}
