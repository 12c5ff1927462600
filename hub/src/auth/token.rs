//! JWS compact tokens (JWT) as the Mercure hub checks them: HS256 (shared
//! secret, compared in constant time), RS256 (PEM public key, or a JWKS key)
//! or ES256 (a JWKS key); the algorithm is the key's, never the token's
//! choice, so `alg: none` and any other algorithm are refused. `exp` and `nbf` are enforced when present,
//! and the `mercure` claim (or its `https://mercure.rocks/` fallback) read.

use crate::protocol::selector::MAX_SELECTOR_BYTES;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use p256::ecdsa::{Signature as EcSignature, VerifyingKey as EcKey};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::RsaPublicKey;
use serde::Deserialize;
use sha2::Sha256;
use std::fmt;

/// Most selectors in `mercure.publish` or `mercure.subscribe` (each at
/// most [`MAX_SELECTOR_BYTES`], as in a request).
pub const MAX_CLAIM_SELECTORS: usize = 1000;

/// A key that checks signatures; its algorithm is the only one accepted.
#[derive(Debug, Clone)]
pub enum Key {
    /// HMAC-SHA-256 with a shared secret.
    Hs256(Vec<u8>),
    /// RSASSA-PKCS1-v1_5 with SHA-256, with the publisher's public key.
    Rs256(VerifyingKey<Sha256>),
    /// ECDSA on P-256 with SHA-256 (signatures are `r || s`, 64 bytes).
    Es256(EcKey),
}

impl Key {
    /// The key for `algorithm` (`HS256` or `RS256`) from its text: the
    /// secret, or a PEM `PUBLIC KEY`.
    pub fn new(algorithm: &str, text: &str) -> Result<Self, String> {
        match algorithm {
            "HS256" => Ok(Self::Hs256(text.as_bytes().to_vec())),
            "RS256" => RsaPublicKey::from_public_key_pem(text.trim())
                .map(|key| Self::Rs256(VerifyingKey::new(key)))
                .map_err(|error| format!("not a PEM RSA public key ({error})")),
            other => Err(format!(
                "unsupported algorithm {other:?}: use HS256 or RS256"
            )),
        }
    }

    /// The JWS `alg` this key verifies.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Self::Hs256(_) => "HS256",
            Self::Rs256(_) => "RS256",
            Self::Es256(_) => "ES256",
        }
    }

    fn verify(&self, signed: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Hs256(secret) => mac(secret, signed).verify_slice(signature).is_ok(),
            Self::Rs256(key) => {
                Signature::try_from(signature).is_ok_and(|s| key.verify(signed, &s).is_ok())
            }
            Self::Es256(key) => {
                EcSignature::from_slice(signature).is_ok_and(|s| key.verify(signed, &s).is_ok())
            }
        }
    }
}

/// What a valid token grants.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Claims {
    /// `mercure.publish`: `None` when absent (publishing refused).
    pub publish: Option<Vec<String>>,
    /// `mercure.subscribe`: selectors of the private updates it may read.
    pub subscribe: Option<Vec<String>>,
    /// `mercure.payload`, kept as JSON.
    pub payload: Option<serde_json::Value>,
    /// `exp` in seconds since the epoch, when present.
    pub expires_at: Option<f64>,
}

/// Why a token was refused (logged; clients only see 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    Malformed(&'static str),
    Algorithm(String),
    Signature,
    Expired,
    NotYetValid,
    Claims(String),
    TooManySelectors,
    /// A selector in a `mercure` claim longer than a request's selectors
    /// may be ([`MAX_SELECTOR_BYTES`]): matching it would cost every update.
    SelectorTooLong(usize),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(what) => write!(f, "malformed token: {what}"),
            Self::Algorithm(alg) => write!(f, "token algorithm {alg:?} is not the hub's"),
            Self::Signature => write!(f, "token signature does not verify"),
            Self::Expired => write!(f, "token has expired"),
            Self::NotYetValid => write!(f, "token is not valid yet (nbf)"),
            Self::Claims(error) => write!(f, "token claims are invalid: {error}"),
            Self::TooManySelectors => write!(
                f,
                "token has more than {MAX_CLAIM_SELECTORS} selectors in a mercure claim"
            ),
            Self::SelectorTooLong(len) => write!(
                f,
                "token has a {len}-byte selector in a mercure claim, at most {MAX_SELECTOR_BYTES}"
            ),
        }
    }
}

/// The token header's fields that choose the key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Header {
    pub alg: String,
    /// The key id, used to pick a key from a JWKS.
    #[serde(default)]
    pub kid: Option<String>,
}

/// The header of `token`, read before its signature is checked (to choose
/// the key; nothing in it is trusted).
pub fn header(token: &str) -> Result<Header, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed("expected three dot-separated parts"));
    };
    serde_json::from_slice(&decode(header)?)
        .map_err(|_| TokenError::Malformed("header is not a JSON object with \"alg\""))
}

#[derive(Deserialize, Default)]
struct MercureClaim {
    publish: Option<Vec<String>>,
    subscribe: Option<Vec<String>>,
    payload: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Payload {
    exp: Option<f64>,
    nbf: Option<f64>,
    #[serde(default)]
    mercure: Option<MercureClaim>,
    #[serde(rename = "https://mercure.rocks/")]
    namespaced: Option<MercureClaim>,
}

/// Checks `token` against `key` at `now` (seconds since the epoch) and
/// returns its claims.
pub fn verify(token: &str, key: &Key, now: f64) -> Result<Claims, TokenError> {
    let header = header(token)?;
    let mut parts = token.split('.').skip(1);
    let (Some(payload), Some(signature)) = (parts.next(), parts.next()) else {
        return Err(TokenError::Malformed("expected three dot-separated parts"));
    };
    if header.alg != key.algorithm() {
        return Err(TokenError::Algorithm(header.alg));
    }
    let signature = decode(signature)?;
    let signed = &token[..header_and_payload_len(token)];
    if !key.verify(signed.as_bytes(), &signature) {
        return Err(TokenError::Signature);
    }
    let payload: Payload = serde_json::from_slice(&decode(payload)?)
        .map_err(|error| TokenError::Claims(error.to_string()))?;
    if payload.exp.is_some_and(|exp| now >= exp) {
        return Err(TokenError::Expired);
    }
    if payload.nbf.is_some_and(|nbf| now < nbf) {
        return Err(TokenError::NotYetValid);
    }
    let mercure = payload.namespaced.or(payload.mercure).unwrap_or_default();
    let too_many =
        |list: &Option<Vec<String>>| list.as_ref().is_some_and(|l| l.len() > MAX_CLAIM_SELECTORS);
    if too_many(&mercure.publish) || too_many(&mercure.subscribe) {
        return Err(TokenError::TooManySelectors);
    }
    let longest = [&mercure.publish, &mercure.subscribe]
        .into_iter()
        .flatten()
        .flatten()
        .map(String::len)
        .max();
    if let Some(len) = longest.filter(|&len| len > MAX_SELECTOR_BYTES) {
        return Err(TokenError::SelectorTooLong(len));
    }
    Ok(Claims {
        publish: mercure.publish,
        subscribe: mercure.subscribe,
        payload: mercure.payload,
        expires_at: payload.exp,
    })
}

/// Signs `claims` (a JSON object) with HS256: the token a publisher or
/// subscriber presents. Used by `mercure-token` and the tests.
pub fn sign(claims: &serde_json::Value, secret: &[u8]) -> String {
    let header = serde_json::json!({"alg": "HS256", "typ": "JWT"});
    sign_with(&header, claims, |signed| {
        mac(secret, signed).finalize().into_bytes().to_vec()
    })
}

/// A compact JWS of `header` and `claims`, its signature made by `signer`
/// from the signed bytes (tests sign RS256 and ES256 tokens with it).
pub fn sign_with(
    header: &serde_json::Value,
    claims: &serde_json::Value,
    signer: impl FnOnce(&[u8]) -> Vec<u8>,
) -> String {
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signed = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(signer(signed.as_bytes()));
    format!("{signed}.{signature}")
}

fn mac(secret: &[u8], message: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac
}

fn header_and_payload_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(token.len())
}

fn decode(part: &str) -> Result<Vec<u8>, TokenError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed("a part is not unpadded base64url"))
}

#[cfg(test)]
mod tests;
