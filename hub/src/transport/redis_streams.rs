//! [`History`] on Redis Streams. Keys (one hash tag, so a cluster keeps
//! them on one node): `{prefix}:updates` (the stream: one field `s` per
//! entry, the [`Stored`] update; entries an earlier version wrote hold the
//! update's JSON in a field `u` and are still read), `{prefix}:ids` (hash:
//! update id → entry id) and `{prefix}:order` (list: `entry-id update-id`,
//! oldest first); with the subscriptions API on, `{prefix}:subscribers`
//! (sorted set: subscriber id scored by its expiry, Redis time in ms) and
//! `{prefix}:subscriber` (hash: subscriber id → its record), the
//! [`crate::transport::history::Registry`] (see `registry`).
//!
//! Publishing is one `EVAL`: `XADD … MAXLEN ~ N` plus the index update and
//! its trim to the newest N ids, so an acknowledged update is always
//! resolvable and the index never points outside the stream (approximate
//! trimming keeps at least N entries). Reading is
//! `XREAD COUNT n BLOCK ms STREAMS key position`; the blocking wait is the
//! subscriber's heartbeat timer.
//!
//! The host flattens nested replies (Spin's `execute`), so an entry is
//! always the triple `entry-id, field, value`; that is why entries have
//! exactly one field.

use crate::protocol::update::{Stored, Update};
use crate::transport::history::{Entry, History, Position};
use std::fmt;
use std::time::Duration;

/// A command argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Int(i64),
    Bytes(Vec<u8>),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Self::Bytes(text.as_bytes().to_vec())
    }
}

/// One value of a (flattened) reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Nil,
    Status(String),
    Int(i64),
    Bytes(Vec<u8>),
}

/// `From` conversions between [`Arg`]/[`Reply`] and a Spin Redis
/// binding's `RedisParameter`/`RedisResult` (named at the call site):
/// WASI 0.2 and WASI 0.3 generate the same shapes as two sets of types.
#[cfg(target_arch = "wasm32")]
macro_rules! spin_redis_values {
    ($parameter:ident, $result:ident) => {
        impl From<&Arg> for $parameter {
            fn from(arg: &Arg) -> Self {
                match arg {
                    Arg::Int(n) => $parameter::Int64(*n),
                    Arg::Bytes(b) => $parameter::Binary(b.clone()),
                }
            }
        }

        impl From<$result> for Reply {
            fn from(result: $result) -> Self {
                match result {
                    $result::Nil => Reply::Nil,
                    $result::Status(s) => Reply::Status(s),
                    $result::Int64(n) => Reply::Int(n),
                    $result::Binary(b) => Reply::Bytes(b),
                }
            }
        }
    };
}
#[cfg(target_arch = "wasm32")]
pub(crate) use spin_redis_values;

/// Runs one Redis command (the host's `execute`).
#[allow(async_fn_in_trait)]
pub trait Execute {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String>;
}

/// A Redis failure, or a reply this hub cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisError {
    Command {
        command: &'static str,
        error: String,
    },
    Reply {
        command: &'static str,
        reply: String,
    },
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Command { command, error } => write!(f, "Redis {command} failed: {error}"),
            Self::Reply { command, reply } => {
                write!(f, "unexpected Redis {command} reply: {reply}")
            }
        }
    }
}

/// The reason given for a request that needed Redis and could not have it.
pub fn unavailable(error: &impl fmt::Display) -> String {
    format!("Redis unavailable: {error}")
}

/// Appends and indexes atomically; see the module docs.
const APPEND_SCRIPT: &str = r"
local entry = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 's', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], entry)
redis.call('RPUSH', KEYS[3], entry .. ' ' .. ARGV[2])
local excess = redis.call('LLEN', KEYS[3]) - tonumber(ARGV[1])
for _ = 1, excess do
  local old = redis.call('LPOP', KEYS[3])
  local space = string.find(old, ' ', 1, true)
  local old_entry, old_id = string.sub(old, 1, space - 1), string.sub(old, space + 1)
  if redis.call('HGET', KEYS[2], old_id) == old_entry then
    redis.call('HDEL', KEYS[2], old_id)
  end
end
return entry
";

/// The hub's history in Redis.
pub struct RedisStreams<E> {
    redis: E,
    stream: String,
    ids: String,
    order: String,
    subscribers: String,
    records: String,
    max_len: u64,
}

impl<E: Execute> RedisStreams<E> {
    /// Keys under `prefix`, history bounded to `max_len` updates.
    pub fn new(redis: E, prefix: &str, max_len: u64) -> Self {
        Self {
            redis,
            stream: format!("{{{prefix}}}:updates"),
            ids: format!("{{{prefix}}}:ids"),
            order: format!("{{{prefix}}}:order"),
            subscribers: format!("{{{prefix}}}:subscribers"),
            records: format!("{{{prefix}}}:subscriber"),
            max_len,
        }
    }

    /// `PING`: whether Redis answers.
    pub async fn ping(&self) -> Result<(), RedisError> {
        self.run("PING", &[]).await.map(drop)
    }

    async fn run(&self, command: &'static str, args: &[Arg]) -> Result<Vec<Reply>, RedisError> {
        self.redis
            .execute(command, args)
            .await
            .map_err(|error| RedisError::Command { command, error })
    }
}

fn bad(command: &'static str, reply: &[Reply]) -> RedisError {
    let mut text = format!("{reply:?}");
    text.truncate(200);
    RedisError::Reply {
        command,
        reply: text,
    }
}

/// Entries from a flattened `entry-id, field, value` sequence.
fn entries(command: &'static str, flat: Vec<Reply>) -> Result<Vec<Entry>, RedisError> {
    if flat.len() % 3 != 0 {
        return Err(bad(command, &flat));
    }
    let mut entries = Vec::with_capacity(flat.len() / 3);
    let mut replies = flat.into_iter();
    while let (Some(id), Some(field), Some(value)) =
        (replies.next(), replies.next(), replies.next())
    {
        let update = match (&field, value) {
            (Reply::Bytes(f), Reply::Bytes(value)) if f == b"s" => Stored::decode(value),
            (Reply::Bytes(f), Reply::Bytes(json)) if f == b"u" => {
                Update::from_json(&json).map(|u| u.stored())
            }
            (_, value) => return Err(bad(command, &[id, field, value])),
        };
        let Reply::Bytes(id) = id else {
            return Err(bad(command, &[id, field]));
        };
        let position = match String::from_utf8(id) {
            Ok(id) => Position(id),
            Err(e) => Position(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        };
        entries.push(Entry { position, update });
    }
    Ok(entries)
}

impl<E: Execute> History for RedisStreams<E> {
    type Error = RedisError;

    async fn append(&self, update: &Update) -> Result<Position, RedisError> {
        let args = [
            Arg::from(APPEND_SCRIPT),
            Arg::Int(3),
            Arg::from(self.stream.as_str()),
            Arg::from(self.ids.as_str()),
            Arg::from(self.order.as_str()),
            Arg::Int(i64::try_from(self.max_len).unwrap_or(i64::MAX)),
            Arg::from(update.id.as_str()),
            Arg::Bytes(update.stored().encode()),
        ];
        match self.run("EVAL", &args).await?.as_slice() {
            [Reply::Bytes(id)] => Ok(Position(String::from_utf8_lossy(id).into_owned())),
            [Reply::Status(id)] => Ok(Position(id.clone())),
            other => Err(bad("EVAL", other)),
        }
    }

    async fn read_after(
        &self,
        after: &Position,
        block: Duration,
        count: usize,
    ) -> Result<Vec<Entry>, RedisError> {
        let millis = i64::try_from(block.as_millis()).unwrap_or(i64::MAX).max(1);
        let args = [
            Arg::from("COUNT"),
            Arg::Int(i64::try_from(count).unwrap_or(i64::MAX)),
            Arg::from("BLOCK"),
            Arg::Int(millis),
            Arg::from("STREAMS"),
            Arg::from(self.stream.as_str()),
            Arg::from(after.0.as_str()),
        ];
        let mut reply = self.run("XREAD", &args).await?;
        match reply.as_slice() {
            [] | [Reply::Nil] => Ok(Vec::new()),
            [Reply::Bytes(stream), ..] if *stream == self.stream.as_bytes() => {
                reply.remove(0);
                entries("XREAD", reply)
            }
            other => Err(bad("XREAD", other)),
        }
    }

    async fn resolve(&self, id: &str) -> Result<Option<Position>, RedisError> {
        match self
            .run("HGET", &[Arg::from(self.ids.as_str()), Arg::from(id)])
            .await?
            .as_slice()
        {
            [] | [Reply::Nil] => Ok(None),
            [Reply::Bytes(entry)] => {
                Ok(Some(Position(String::from_utf8_lossy(entry).into_owned())))
            }
            other => Err(bad("HGET", other)),
        }
    }

    async fn latest(&self, count: usize) -> Result<Vec<Entry>, RedisError> {
        let args = [
            Arg::from(self.stream.as_str()),
            Arg::from("+"),
            Arg::from("-"),
            Arg::from("COUNT"),
            Arg::Int(i64::try_from(count).unwrap_or(i64::MAX)),
        ];
        entries("XREVRANGE", self.run("XREVRANGE", &args).await?)
    }
}

mod registry;
#[cfg(test)]
mod tests;
