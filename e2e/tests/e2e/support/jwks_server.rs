//! A JWKS server on loopback for the hub's JWKS tests: serves the JWK Set
//! it is given (replaceable, for key rotation) at `/jwks.json` with
//! `Cache-Control: max-age=300`, and counts the requests it answered.
//! Also keys generated per run (RSA 2048, P-256), their JWKs, and tokens
//! signed with them through the hub's own `token::sign_with`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::{Signature, SigningKey};
use rsa::pkcs1v15::SigningKey as RsaSigningKey;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::traits::PublicKeyParts as _;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The server (runs until the test process ends).
pub struct JwksServer {
    pub addr: SocketAddr,
    document: Arc<Mutex<Value>>,
    hits: Arc<AtomicUsize>,
}

impl JwksServer {
    /// Serves `{"keys": keys}` on a free loopback port.
    pub fn start(keys: Vec<Value>) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the JWKS server");
        let server = JwksServer {
            addr: listener.local_addr().unwrap(),
            document: Arc::new(Mutex::new(json!({ "keys": keys }))),
            hits: Arc::default(),
        };
        let (document, hits) = (server.document.clone(), server.hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let body = document.lock().unwrap().to_string();
                hits.fetch_add(1, Ordering::SeqCst);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: public, max-age=300\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        server
    }

    /// `http://127.0.0.1:<port>`: the origin for `allowed_outbound_hosts`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn url(&self) -> String {
        format!("{}/jwks.json", self.origin())
    }

    /// Requests answered so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Serves these keys from now on (a key rotation).
    pub fn set_keys(&self, keys: Vec<Value>) {
        *self.document.lock().unwrap() = json!({ "keys": keys });
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A key pair and its `kid`.
pub enum TestKey {
    Rsa(Box<RsaPrivateKey>, String),
    Ec(SigningKey, String),
}

impl TestKey {
    pub fn rsa(kid: &str) -> TestKey {
        let key = RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA key");
        TestKey::Rsa(Box::new(key), kid.to_owned())
    }

    pub fn ec(kid: &str) -> TestKey {
        TestKey::Ec(SigningKey::random(&mut rand_core::OsRng), kid.to_owned())
    }

    /// The public JWK.
    pub fn jwk(&self) -> Value {
        match self {
            TestKey::Rsa(key, kid) => json!({"kty": "RSA", "kid": kid, "use": "sig",
                "alg": "RS256", "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be())}),
            TestKey::Ec(key, kid) => {
                let point = key.verifying_key().to_encoded_point(false);
                json!({"kty": "EC", "kid": kid, "crv": "P-256", "use": "sig",
                    "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())})
            }
        }
    }

    /// A token for `claims` signed with this key, its header naming `kid`.
    pub fn token_as(&self, kid: &str, claims: &Value) -> String {
        match self {
            TestKey::Rsa(key, _) => {
                let signer = RsaSigningKey::<Sha256>::new((**key).clone());
                let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
                mercure_hub::auth::token::sign_with(&header, claims, |m| signer.sign(m).to_vec())
            }
            TestKey::Ec(key, _) => {
                let header = json!({"alg": "ES256", "typ": "JWT", "kid": kid});
                mercure_hub::auth::token::sign_with(&header, claims, |m| {
                    let signature: Signature = key.sign(m);
                    signature.to_bytes().to_vec()
                })
            }
        }
    }

    /// A token signed with this key under its own `kid`.
    pub fn token(&self, claims: &Value) -> String {
        let kid = match self {
            TestKey::Rsa(_, kid) | TestKey::Ec(_, kid) => kid,
        };
        self.token_as(kid, claims)
    }
}
