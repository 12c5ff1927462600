//! Authorization: the JWS tokens, the keys that check them (configured, or
//! from a JWKS kept in Redis), and who may publish or receive what.

pub mod authorize;
pub mod jwks;
pub mod jwks_cache;
pub mod keys;
pub mod token;
