use super::*;
use serde_json::json;

const KEY: &[u8] = b"!ChangeThisMercureHubJWTSecretKey!";
const NOW: f64 = 1_700_000_000.0;

fn key() -> Key {
    Key::Hs256(KEY.to_vec())
}

fn part(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[test]
fn valid_token_yields_its_mercure_claims() {
    let token = sign(
        &json!({"mercure": {"publish": ["*"], "subscribe": ["/a/{x}"], "payload": {"user": 1}}}),
        KEY,
    );
    let claims = verify(&token, &key(), NOW).unwrap();
    assert_eq!(claims.publish, Some(vec!["*".to_owned()]));
    assert_eq!(claims.subscribe, Some(vec!["/a/{x}".to_owned()]));
    assert_eq!(claims.payload, Some(json!({"user": 1})));
    assert_eq!(claims.expires_at, None);
}

#[test]
fn namespaced_claim_is_the_fallback_and_absent_claims_grant_nothing() {
    let token = sign(
        &json!({"https://mercure.rocks/": {"subscribe": ["*"]}}),
        KEY,
    );
    let claims = verify(&token, &key(), NOW).unwrap();
    assert_eq!(claims.subscribe, Some(vec!["*".to_owned()]));
    assert_eq!(claims.publish, None);
    let empty = verify(&sign(&json!({}), KEY), &key(), NOW).unwrap();
    assert_eq!(empty, Claims::default());
}

#[test]
fn token_from_the_reference_hub_tests_verifies() {
    // authorization_test.go at v0.24.2, HS256 with the key "!ChangeMe!".
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJtZXJjdXJlIjp7InB1Ymxpc2giOlsiZm9vIiwiYmFyIl0sInN1YnNjcmliZSI6WyJmb28iLCJiYXoiXX19.e7USPnr2YHHqLYSu9-jEVsynuTXGtAQUDAZuzoR8lxQ";
    let claims = verify(token, &Key::Hs256(b"!ChangeMe!".to_vec()), NOW).unwrap();
    assert_eq!(
        claims.publish,
        Some(vec!["foo".to_owned(), "bar".to_owned()])
    );
    assert_eq!(
        claims.subscribe,
        Some(vec!["foo".to_owned(), "baz".to_owned()])
    );
    assert_eq!(verify(token, &key(), NOW), Err(TokenError::Signature));
}

#[test]
fn expired_and_not_yet_valid_tokens_are_refused() {
    let expired = sign(
        &json!({"exp": NOW - 1.0, "mercure": {"publish": ["*"]}}),
        KEY,
    );
    assert_eq!(verify(&expired, &key(), NOW), Err(TokenError::Expired));
    let at_exp = sign(&json!({"exp": NOW}), KEY);
    assert_eq!(verify(&at_exp, &key(), NOW), Err(TokenError::Expired));
    let later = sign(&json!({"exp": NOW + 60.0}), KEY);
    assert_eq!(
        verify(&later, &key(), NOW).unwrap().expires_at,
        Some(NOW + 60.0)
    );
    let early = sign(&json!({"nbf": NOW + 1.0}), KEY);
    assert_eq!(verify(&early, &key(), NOW), Err(TokenError::NotYetValid));
    assert!(verify(&sign(&json!({"nbf": NOW}), KEY), &key(), NOW).is_ok());
}

#[test]
fn wrong_key_and_tampered_tokens_are_refused() {
    let token = sign(&json!({"mercure": {"publish": ["/a"]}}), KEY);
    assert_eq!(
        verify(&token, &Key::Hs256(b"another key".to_vec()), NOW),
        Err(TokenError::Signature)
    );
    let (signed, _) = token.rsplit_once('.').unwrap();
    let (header, _) = signed.split_once('.').unwrap();
    let forged = format!("{header}.{}", part(&json!({"mercure": {"publish": ["*"]}})));
    let signature = token.rsplit_once('.').unwrap().1;
    assert_eq!(
        verify(&format!("{forged}.{signature}"), &key(), NOW),
        Err(TokenError::Signature)
    );
    let mut flipped = token.clone().into_bytes();
    let last = flipped.len() - 2;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    assert!(verify(std::str::from_utf8(&flipped).unwrap(), &key(), NOW).is_err());
}

#[test]
fn alg_none_and_other_algorithms_are_refused() {
    let claims = part(&json!({"mercure": {"publish": ["*"]}}));
    let none = format!("{}.{claims}.", part(&json!({"alg": "none", "typ": "JWT"})));
    assert_eq!(
        verify(&none, &key(), NOW),
        Err(TokenError::Algorithm("none".into()))
    );
    for alg in ["HS384", "HS512", "RS256", "ES256", "hs256"] {
        let token = format!("{}.{claims}.c2ln", part(&json!({"alg": alg})));
        assert_eq!(
            verify(&token, &key(), NOW),
            Err(TokenError::Algorithm(alg.into()))
        );
    }
}

#[test]
fn malformed_tokens_are_refused_without_panicking() {
    for token in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!.!!.!!",
        "eyJhbGciOiJIUzI1NiJ9.e30=.sig",
        "e30.e30.c2ln",
        "bnVsbA.e30.c2ln",
    ] {
        assert!(verify(token, &key(), NOW).is_err(), "{token:?}");
    }
    let not_claims = format!(
        "{}.{}.sig",
        part(&json!({"alg": "HS256"})),
        URL_SAFE_NO_PAD.encode("[1]")
    );
    assert!(verify(&not_claims, &key(), NOW).is_err());
    let wrong_types = sign(&json!({"mercure": {"publish": "*"}}), KEY);
    assert!(matches!(
        verify(&wrong_types, &key(), NOW),
        Err(TokenError::Claims(_))
    ));
}

#[test]
fn too_many_claim_selectors_are_refused() {
    let many: Vec<String> = (0..=MAX_CLAIM_SELECTORS).map(|i| i.to_string()).collect();
    let token = sign(&json!({"mercure": {"subscribe": many}}), KEY);
    assert_eq!(
        verify(&token, &key(), NOW),
        Err(TokenError::TooManySelectors)
    );
}

#[test]
fn claim_selectors_longer_than_a_request_may_send_are_refused() {
    // `{a}` repeated: a selector whose every match visits all its states.
    let slow = "{a}".repeat(MAX_SELECTOR_BYTES / 3 + 1);
    for claim in ["subscribe", "publish"] {
        let token = sign(&json!({"mercure": {claim: ["*", slow]}}), KEY);
        assert_eq!(
            verify(&token, &key(), NOW),
            Err(TokenError::SelectorTooLong(slow.len()))
        );
    }
    let longest = "{a}".repeat(MAX_SELECTOR_BYTES / 3);
    let token = sign(&json!({"mercure": {"subscribe": [longest]}}), KEY);
    assert!(verify(&token, &key(), NOW).is_ok());
}

/// The RS256 public key and token of the reference hub's
/// authorization_test.go at v0.24.2.
const RSA_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIGeMA0GCSqGSIb3DQEBAQUAA4GMADCBiAKBgHVwuJsFmzsFnOkGj+OgAp4lTNqR
CF0RZSmjY+ECWOJ3sSEzQ8qtkJe61uSjr/PKmqvBxxex0YtUL7waSS4jvq3ws8Bm
WIxK2GqoAVjLjK8HzThSPQpgv2AjiEXD6iAERHeySLGjYAUgfMrVJ01J5fNSL+O+
bCd7nPuNAyYHCOOHAgMBAAE=
-----END PUBLIC KEY-----
";
const RS256_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJtZXJjdXJlIjp7InB1Ymxpc2giOlsiZm9vIiwiYmFyIl0sInN1YnNjcmliZSI6WyJmb28iLCJiYXoiXX19.B-ZBdmCbtDaP27wB_DvF9xIetQm88M2Q1d-LP2DZoEHrz6lYDuHkgXzSDnFdbLCZ653e0r_VOaKxe2Pc6R4F0ok2vksC6P5gHhqIUcQuTSlzNFyTrg4tyy4mMkcm1h85te9gkV4LR6TABfZpFPqqIS4t7fpCMxvtAkyf_RR5Fq4";

#[test]
fn rs256_token_verifies_with_the_public_key() {
    let key = Key::new("RS256", RSA_PUBLIC_KEY).unwrap();
    let claims = verify(RS256_TOKEN, &key, NOW).unwrap();
    assert_eq!(
        claims.publish,
        Some(vec!["foo".to_owned(), "bar".to_owned()])
    );
}

#[test]
fn rs256_key_refuses_hs256_tampered_and_foreign_tokens() {
    let rsa = Key::new("RS256", RSA_PUBLIC_KEY).unwrap();
    // The classic confusion attack: HS256 signed with the public key text.
    let confused = sign(
        &json!({"mercure": {"publish": ["*"]}}),
        RSA_PUBLIC_KEY.as_bytes(),
    );
    assert_eq!(
        verify(&confused, &rsa, NOW),
        Err(TokenError::Algorithm("HS256".into()))
    );
    let (signed, signature) = RS256_TOKEN.rsplit_once('.').unwrap();
    let (header, _) = signed.split_once('.').unwrap();
    let forged = format!(
        "{header}.{}.{signature}",
        part(&json!({"mercure": {"publish": ["*"]}}))
    );
    assert_eq!(verify(&forged, &rsa, NOW), Err(TokenError::Signature));
    assert_eq!(
        verify(&format!("{signed}.AAAA"), &rsa, NOW),
        Err(TokenError::Signature)
    );
    assert_eq!(
        verify(RS256_TOKEN, &key(), NOW),
        Err(TokenError::Algorithm("RS256".into()))
    );
}

#[test]
fn key_texts_are_checked() {
    assert!(Key::new("RS256", "not a key").unwrap_err().contains("PEM"));
    assert!(Key::new("ES256", "x")
        .unwrap_err()
        .contains("HS256 or RS256"));
    assert!(matches!(Key::new("HS256", "s"), Ok(Key::Hs256(k)) if k == b"s"));
}
