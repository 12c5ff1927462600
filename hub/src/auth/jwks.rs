//! JSON Web Key Sets (RFC 7517) as the hub reads them for
//! `publisher_jwks_url` / `subscriber_jwks_url`, and the choice of the key
//! that checks a token (pure).
//!
//! A document is `{"keys": [...]}`. Usable keys are RSA (`n`, `e`, at least
//! 2048 bits) for RS256 and EC P-256 (`crv`, `x`, `y`) for ES256; a key whose
//! `use` is not `sig`, whose `key_ops` lack `verify`, whose `alg` is another
//! algorithm, or whose `kty`/`crv` the hub does not verify with is skipped.
//! A document that is not such JSON, a usable-looking key with bad
//! material, or a document without any usable key is rejected with a reason.
//!
//! The key is chosen by the token header's `kid`; without one, the only
//! usable key of the token's algorithm. The algorithm is the key's: a token
//! whose `alg` is not its key's is refused.

use crate::auth::token::{Header, Key};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs1v15::VerifyingKey;
use rsa::{BigUint, RsaPublicKey};
use serde::Deserialize;
use std::fmt;

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// The usable keys of one document, in its order.
#[derive(Debug, Clone)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

/// One usable key.
#[derive(Debug, Clone)]
pub struct Jwk {
    pub kid: Option<String>,
    pub key: Key,
}

/// Why a document was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksError(pub String);

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JWKS: {}", self.0)
    }
}

/// Why no key checks a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// No key has the token's `kid` (a rotation may have added it).
    UnknownKid(String),
    /// The key with the token's `kid` is for another algorithm.
    WrongAlgorithm { kid: String, key: &'static str },
    /// No `kid`, and not exactly one key for the token's algorithm.
    NoKid { alg: String, keys: usize },
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownKid(kid) => write!(f, "no JWKS key has the token's kid {kid:?}"),
            Self::WrongAlgorithm { kid, key } => {
                write!(f, "the token's alg is not {key}, the algorithm of JWKS key {kid:?}")
            }
            Self::NoKid { alg, keys } => write!(
                f,
                "the token has no kid and the JWKS has {keys} keys for its alg {alg:?} (needs exactly one)"
            ),
        }
    }
}

#[derive(Deserialize)]
struct Document {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawKey {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    key_ops: Option<Vec<String>>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

/// Parses a JWKS document; see the module docs for what is skipped and
/// what rejected.
pub fn parse(document: &[u8]) -> Result<Jwks, JwksError> {
    let document: Document = serde_json::from_slice(document)
        .map_err(|e| JwksError(format!("not a JSON object with a \"keys\" array ({e})")))?;
    let mut keys = Vec::new();
    for (i, value) in document.keys.into_iter().enumerate() {
        let raw: RawKey = serde_json::from_value(value)
            .map_err(|e| JwksError(format!("keys[{i}] is not a JWK ({e})")))?;
        if let Some(key) = usable(&raw).map_err(|e| JwksError(format!("keys[{i}]: {e}")))? {
            keys.push(Jwk { kid: raw.kid, key });
        }
    }
    if keys.is_empty() {
        return Err(JwksError(
            "no key usable for RS256 or ES256 signature verification".into(),
        ));
    }
    Ok(Jwks { keys })
}

/// The key `raw` describes, `None` when it is not for verifying RS256 or
/// ES256 signatures.
fn usable(raw: &RawKey) -> Result<Option<Key>, String> {
    let for_signatures = raw.usage.as_deref().is_none_or(|u| u == "sig")
        && raw
            .key_ops
            .as_ref()
            .is_none_or(|ops| ops.iter().any(|op| op == "verify"));
    if !for_signatures {
        return Ok(None);
    }
    let alg_is = |alg: &str| raw.alg.as_deref().is_none_or(|a| a == alg);
    match raw.kty.as_str() {
        "RSA" if alg_is("RS256") => rsa_key(raw).map(Some),
        "EC" if alg_is("ES256") && raw.crv.as_deref() == Some("P-256") => ec_key(raw).map(Some),
        _ => Ok(None),
    }
}

fn member(value: &Option<String>, name: &str) -> Result<Vec<u8>, String> {
    let text = value
        .as_deref()
        .ok_or_else(|| format!("\"{name}\" is missing"))?;
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| format!("\"{name}\" is not unpadded base64url"))
}

fn rsa_key(raw: &RawKey) -> Result<Key, String> {
    let n = BigUint::from_bytes_be(&member(&raw.n, "n")?);
    let e = BigUint::from_bytes_be(&member(&raw.e, "e")?);
    if n.bits() < MIN_RSA_BITS {
        return Err(format!(
            "RSA key has {} bits, fewer than {MIN_RSA_BITS}",
            n.bits()
        ));
    }
    RsaPublicKey::new(n, e)
        .map(|key| Key::Rs256(VerifyingKey::new(key)))
        .map_err(|e| format!("not an RSA public key ({e})"))
}

fn ec_key(raw: &RawKey) -> Result<Key, String> {
    let (x, y) = (member(&raw.x, "x")?, member(&raw.y, "y")?);
    if x.len() != 32 || y.len() != 32 {
        return Err("P-256 \"x\" and \"y\" must be 32 bytes each".into());
    }
    let mut point = Vec::with_capacity(65);
    point.push(4);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
        .map(Key::Es256)
        .map_err(|_| "the point (x, y) is not on P-256".into())
}

impl Jwks {
    /// The usable keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The key that checks a token with this `header`.
    pub fn choose(&self, header: &Header) -> Result<&Key, Choice> {
        let alg = header.alg.as_str();
        let Some(kid) = header.kid.as_deref() else {
            let mut of_alg = self.keys.iter().filter(|k| k.key.algorithm() == alg);
            return match (of_alg.next(), of_alg.count()) {
                (Some(only), 0) => Ok(&only.key),
                (first, rest) => Err(Choice::NoKid {
                    alg: alg.to_owned(),
                    keys: usize::from(first.is_some()) + rest,
                }),
            };
        };
        let mut named = self
            .keys
            .iter()
            .filter(|k| k.kid.as_deref() == Some(kid))
            .peekable();
        let Some(first) = named.peek().map(|k| k.key.algorithm()) else {
            return Err(Choice::UnknownKid(kid.to_owned()));
        };
        named
            .find(|k| k.key.algorithm() == alg)
            .map(|k| &k.key)
            .ok_or_else(|| Choice::WrongAlgorithm {
                kid: kid.to_owned(),
                key: first,
            })
    }
}

#[cfg(test)]
pub(crate) mod tests;
