use super::*;
use serde_json::json;

const KEY: &[u8] = b"!ChangeThisMercureHubJWTSecretKey!";
const NOW: f64 = 1_700_000_000.0;

fn part(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[test]
fn valid_token_yields_its_mercure_claims() {
    let token = sign(
        &json!({"mercure": {"publish": ["*"], "subscribe": ["/a/{x}"], "payload": {"user": 1}}}),
        KEY,
    );
    let claims = verify(&token, KEY, NOW).unwrap();
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
    let claims = verify(&token, KEY, NOW).unwrap();
    assert_eq!(claims.subscribe, Some(vec!["*".to_owned()]));
    assert_eq!(claims.publish, None);
    let empty = verify(&sign(&json!({}), KEY), KEY, NOW).unwrap();
    assert_eq!(empty, Claims::default());
}

#[test]
fn token_from_the_reference_hub_tests_verifies() {
    // authorization_test.go at v0.24.2, HS256 with the key "!ChangeMe!".
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJtZXJjdXJlIjp7InB1Ymxpc2giOlsiZm9vIiwiYmFyIl0sInN1YnNjcmliZSI6WyJmb28iLCJiYXoiXX19.e7USPnr2YHHqLYSu9-jEVsynuTXGtAQUDAZuzoR8lxQ";
    let claims = verify(token, b"!ChangeMe!", NOW).unwrap();
    assert_eq!(
        claims.publish,
        Some(vec!["foo".to_owned(), "bar".to_owned()])
    );
    assert_eq!(
        claims.subscribe,
        Some(vec!["foo".to_owned(), "baz".to_owned()])
    );
    assert_eq!(verify(token, KEY, NOW), Err(TokenError::Signature));
}

#[test]
fn expired_and_not_yet_valid_tokens_are_refused() {
    let expired = sign(
        &json!({"exp": NOW - 1.0, "mercure": {"publish": ["*"]}}),
        KEY,
    );
    assert_eq!(verify(&expired, KEY, NOW), Err(TokenError::Expired));
    let at_exp = sign(&json!({"exp": NOW}), KEY);
    assert_eq!(verify(&at_exp, KEY, NOW), Err(TokenError::Expired));
    let later = sign(&json!({"exp": NOW + 60.0}), KEY);
    assert_eq!(
        verify(&later, KEY, NOW).unwrap().expires_at,
        Some(NOW + 60.0)
    );
    let early = sign(&json!({"nbf": NOW + 1.0}), KEY);
    assert_eq!(verify(&early, KEY, NOW), Err(TokenError::NotYetValid));
    assert!(verify(&sign(&json!({"nbf": NOW}), KEY), KEY, NOW).is_ok());
}

#[test]
fn wrong_key_and_tampered_tokens_are_refused() {
    let token = sign(&json!({"mercure": {"publish": ["/a"]}}), KEY);
    assert_eq!(
        verify(&token, b"another key", NOW),
        Err(TokenError::Signature)
    );
    let (signed, _) = token.rsplit_once('.').unwrap();
    let (header, _) = signed.split_once('.').unwrap();
    let forged = format!("{header}.{}", part(&json!({"mercure": {"publish": ["*"]}})));
    let signature = token.rsplit_once('.').unwrap().1;
    assert_eq!(
        verify(&format!("{forged}.{signature}"), KEY, NOW),
        Err(TokenError::Signature)
    );
    let mut flipped = token.clone().into_bytes();
    let last = flipped.len() - 2;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    assert!(verify(std::str::from_utf8(&flipped).unwrap(), KEY, NOW).is_err());
}

#[test]
fn alg_none_and_other_algorithms_are_refused() {
    let claims = part(&json!({"mercure": {"publish": ["*"]}}));
    let none = format!("{}.{claims}.", part(&json!({"alg": "none", "typ": "JWT"})));
    assert_eq!(
        verify(&none, KEY, NOW),
        Err(TokenError::Algorithm("none".into()))
    );
    for alg in ["HS384", "HS512", "RS256", "ES256", "hs256"] {
        let token = format!("{}.{claims}.c2ln", part(&json!({"alg": alg})));
        assert_eq!(
            verify(&token, KEY, NOW),
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
        assert!(verify(token, KEY, NOW).is_err(), "{token:?}");
    }
    let not_claims = format!(
        "{}.{}.sig",
        part(&json!({"alg": "HS256"})),
        URL_SAFE_NO_PAD.encode("[1]")
    );
    assert!(verify(&not_claims, KEY, NOW).is_err());
    let wrong_types = sign(&json!({"mercure": {"publish": "*"}}), KEY);
    assert!(matches!(
        verify(&wrong_types, KEY, NOW),
        Err(TokenError::Claims(_))
    ));
}

#[test]
fn too_many_claim_selectors_are_refused() {
    let many: Vec<String> = (0..=MAX_CLAIM_SELECTORS).map(|i| i.to_string()).collect();
    let token = sign(&json!({"mercure": {"subscribe": many}}), KEY);
    assert_eq!(verify(&token, KEY, NOW), Err(TokenError::TooManySelectors));
}
