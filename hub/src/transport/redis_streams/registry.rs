//! [`Registry`] on Redis: a sorted set `{prefix}:subscribers` (subscriber
//! id scored by its expiry, in ms of Redis's own `TIME`, so replicas with
//! skewed clocks agree) and a hash `{prefix}:subscriber` (subscriber id →
//! record). Each operation is one `EVAL`, so the two keys never disagree;
//! registering and listing first drop every entry whose expiry has passed
//! from both.

use super::{bad, Arg, Execute, RedisError, RedisStreams, Reply};
use crate::transport::history::Registry;
use std::time::Duration;

/// Prunes, then adds or refreshes `ARGV[1]` (record `ARGV[2]`, `ARGV[3]` ms).
const REGISTER_SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('HDEL', KEYS[2], gone)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
return 1
";

const UNREGISTER_SCRIPT: &str = r"
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
";

/// Prunes, then returns the records of the rest (flat, oldest expiry first).
const ACTIVE_SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('HDEL', KEYS[2], gone)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local records = {}
for _, key in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local record = redis.call('HGET', KEYS[2], key)
  if record then
    records[#records + 1] = record
  end
end
return records
";

impl<E: Execute> RedisStreams<E> {
    async fn eval(&self, script: &str, argv: Vec<Arg>) -> Result<Vec<Reply>, RedisError> {
        let mut args = vec![
            Arg::from(script),
            Arg::Int(2),
            Arg::from(self.subscribers.as_str()),
            Arg::from(self.records.as_str()),
        ];
        args.extend(argv);
        self.run("EVAL", &args).await
    }
}

impl<E: Execute> Registry for RedisStreams<E> {
    type Error = RedisError;

    async fn register(&self, key: &str, record: &[u8], ttl: Duration) -> Result<(), RedisError> {
        let ttl = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        let argv = vec![Arg::from(key), Arg::Bytes(record.to_vec()), Arg::Int(ttl)];
        match self.eval(REGISTER_SCRIPT, argv).await?.as_slice() {
            [Reply::Int(1)] => Ok(()),
            other => Err(bad("EVAL", other)),
        }
    }

    async fn unregister(&self, key: &str) -> Result<(), RedisError> {
        match self
            .eval(UNREGISTER_SCRIPT, vec![Arg::from(key)])
            .await?
            .as_slice()
        {
            [Reply::Int(1)] => Ok(()),
            other => Err(bad("EVAL", other)),
        }
    }

    async fn active(&self) -> Result<Vec<Vec<u8>>, RedisError> {
        self.eval(ACTIVE_SCRIPT, Vec::new())
            .await?
            .into_iter()
            .map(|reply| match reply {
                Reply::Bytes(record) => Ok(record),
                other => Err(bad("EVAL", &[other])),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::Canned;
    use super::*;
    use crate::transport::history::memory::ready;

    #[test]
    fn register_is_one_eval_on_the_two_hash_tagged_keys_with_the_ttl_in_ms() {
        let registry = Canned::new(vec![Ok(vec![Reply::Int(1)])]);
        ready(registry.register("urn:uuid:1", b"{}", Duration::from_millis(1500))).unwrap();
        let calls = registry.redis.calls.borrow();
        let (command, args) = &calls[0];
        assert_eq!(command, "EVAL");
        assert_eq!(args[0], Arg::from(REGISTER_SCRIPT));
        assert_eq!(
            args[1..],
            [
                Arg::Int(2),
                Arg::from("{hub}:subscribers"),
                Arg::from("{hub}:subscriber"),
                Arg::from("urn:uuid:1"),
                Arg::from("{}"),
                Arg::Int(1500),
            ]
        );
    }

    #[test]
    fn active_returns_the_records_and_refuses_other_replies() {
        let registry = Canned::new(vec![
            Ok(vec![
                Reply::Bytes(b"a".to_vec()),
                Reply::Bytes(b"b".to_vec()),
            ]),
            Ok(vec![]),
            Ok(vec![Reply::Int(3)]),
            Err("connection refused".into()),
        ]);
        assert_eq!(
            ready(registry.active()).unwrap(),
            [b"a".to_vec(), b"b".to_vec()]
        );
        assert!(ready(registry.active()).unwrap().is_empty());
        assert!(ready(registry.active()).is_err());
        let error = ready(registry.unregister("x")).unwrap_err().to_string();
        assert!(error.contains("connection refused"), "{error}");
    }
}
