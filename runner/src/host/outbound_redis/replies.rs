//! Redis replies → `execute` results, as Spin 4.0.2 converts them (pure):
//! nested arrays and sets are flattened in order; `OK` and simple strings are
//! `status`; doubles and big numbers are their decimal text; booleans are
//! 0/1; maps, attributes, verbatim strings and push messages are refused
//! with Spin's type error. Replies are capped at Spin's 128 MiB of host
//! memory.

use crate::host::bindings::v2::redis::RedisResult;
use redis::{ErrorKind, FromRedisValue, RedisError, Value};

/// Spin's cap on bytes a host call may buffer (`MAX_HOST_BUFFERED_BYTES`).
pub const MAX_REPLY_BYTES: usize = 128 << 20;

/// A flattened reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flattened(pub Vec<RedisResult>);

impl FromRedisValue for Flattened {
    fn from_redis_value(value: &Value) -> redis::RedisResult<Flattened> {
        Self::from_owned_redis_value(value.clone())
    }

    /// Moves the reply's strings instead of copying them (the path
    /// `query_async` takes).
    fn from_owned_redis_value(value: Value) -> redis::RedisResult<Flattened> {
        let mut out = Vec::new();
        append(&mut out, value)?;
        Ok(Flattened(out))
    }
}

fn refused(what: &str) -> RedisError {
    RedisError::from((
        ErrorKind::TypeError,
        "Could not convert Redis response",
        what.to_string(),
    ))
}

fn append(out: &mut Vec<RedisResult>, value: Value) -> redis::RedisResult<()> {
    out.push(match value {
        Value::Nil => RedisResult::Nil,
        Value::Int(v) => RedisResult::Int64(v),
        Value::BulkString(b) => RedisResult::Binary(b),
        Value::SimpleString(s) => RedisResult::Status(s),
        Value::Okay => RedisResult::Status("OK".into()),
        Value::Double(v) => RedisResult::Binary(v.to_string().into_bytes()),
        Value::Boolean(v) => RedisResult::Int64(i64::from(v)),
        Value::BigNumber(v) => RedisResult::Binary(v.to_string().into_bytes()),
        Value::Array(items) | Value::Set(items) => {
            out.reserve(items.len());
            return items.into_iter().try_for_each(|v| append(out, v));
        }
        Value::Map(_) => return Err(refused("Redis Map type is not supported")),
        Value::Attribute { .. } => return Err(refused("Redis Attribute type is not supported")),
        Value::VerbatimString { .. } => {
            return Err(refused(
                "Redis string with format attribute is not supported",
            ))
        }
        Value::Push { .. } => return Err(refused("Redis Pub/Sub types are not supported")),
        Value::ServerError(e) => {
            return Err(RedisError::from((
                ErrorKind::ResponseError,
                "Server error",
                format!("{e:?}"),
            )))
        }
    });
    Ok(())
}

/// Host bytes a result list holds, counted as Spin counts them.
pub fn held_bytes(results: &[RedisResult]) -> usize {
    let each = std::mem::size_of::<RedisResult>();
    std::mem::size_of::<Vec<RedisResult>>()
        + results
            .iter()
            .map(|r| {
                each + match r {
                    RedisResult::Binary(b) => b.len(),
                    RedisResult::Status(s) => s.len(),
                    RedisResult::Nil | RedisResult::Int64(_) => 0,
                }
            })
            .sum::<usize>()
}

/// Spin's error text for a reply over [`MAX_REPLY_BYTES`].
pub fn too_large() -> String {
    format!("query result exceeds limit of {MAX_REPLY_BYTES} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(v: Value) -> redis::RedisResult<Vec<RedisResult>> {
        let borrowed = Flattened::from_redis_value(&v).map(|f| f.0);
        let owned = Flattened::from_owned_redis_value(v).map(|f| f.0);
        assert_eq!(
            format!("{borrowed:?}"),
            format!("{owned:?}"),
            "both conversions agree"
        );
        owned
    }

    #[test]
    fn nested_arrays_flatten_in_order() {
        let v = Value::Array(vec![
            Value::BulkString(b"stream".to_vec()),
            Value::Array(vec![
                Value::Array(vec![Value::BulkString(b"1-0".to_vec()), Value::Int(7)]),
                Value::Nil,
            ]),
            Value::Set(vec![Value::Okay]),
        ]);
        assert_eq!(
            flat(v).unwrap(),
            [
                RedisResult::Binary(b"stream".to_vec()),
                RedisResult::Binary(b"1-0".to_vec()),
                RedisResult::Int64(7),
                RedisResult::Nil,
                RedisResult::Status("OK".into()),
            ]
        );
    }

    #[test]
    fn scalars_convert_like_spin() {
        assert_eq!(
            flat(Value::Double(1.5)).unwrap(),
            [RedisResult::Binary(b"1.5".to_vec())]
        );
        assert_eq!(flat(Value::Boolean(true)).unwrap(), [RedisResult::Int64(1)]);
        assert_eq!(
            flat(Value::SimpleString("PONG".into())).unwrap(),
            [RedisResult::Status("PONG".into())]
        );
    }

    #[test]
    fn maps_attributes_and_push_are_refused() {
        for (v, why) in [
            (Value::Map(vec![]), "Map type"),
            (
                Value::Attribute {
                    data: Box::new(Value::Nil),
                    attributes: vec![],
                },
                "Attribute type",
            ),
            (
                Value::Push {
                    kind: redis::PushKind::Message,
                    data: vec![],
                },
                "Pub/Sub",
            ),
        ] {
            let e = flat(v).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::TypeError);
            assert!(e.to_string().contains(why), "{e}");
        }
    }

    #[test]
    fn held_bytes_count_payloads() {
        let small = held_bytes(&[RedisResult::Nil]);
        let big = held_bytes(&[RedisResult::Binary(vec![0; 1000])]);
        assert_eq!(big - small, 1000);
        assert!(too_large().contains("134217728"));
    }
}
