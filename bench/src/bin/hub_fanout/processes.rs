//! What the benchmark starts and asks, on the shared process harness
//! (`sse_testkit::redis`, `sse_testkit::runner`): runner processes serving
//! the hub on the private Redis, the hub's live instances from their
//! `/metrics`, how many `XREAD`s Redis served, and the order Redis appended
//! the updates in.

use sse_testkit::redis::RedisServer;
use sse_testkit::runner::{self, Runner, RunnerOptions};
use std::net::SocketAddr;
use std::path::Path;

/// A runner serving the hub of `manifest` on `redis`, publishers signing
/// with `key`, subscribers anonymous; its output is read and kept.
pub fn start_runner(
    runner: &Path,
    manifest: &Path,
    key: &str,
    redis: &RedisServer,
    max_instances: usize,
) -> Result<Runner, String> {
    let env = [
        ("REDIS_HOST", format!("127.0.0.1:{}", redis.port())),
        ("PUBLISHER_JWT_KEY", key.to_owned()),
        ("HUB_ANONYMOUS", "true".to_owned()),
    ];
    let options = RunnerOptions {
        env: env
            .into_iter()
            .map(|(k, v)| (format!("SPIN_VARIABLE_{k}"), v))
            .collect(),
        cwd: None,
        flags: vec!["--max-instances".into(), max_instances.to_string()],
    };
    Runner::start(runner, manifest, &options)
}

/// The hub component's live instances on the runner whose `/metrics` is
/// at `metrics` (`None` if it cannot be read).
pub fn hub_instances(metrics: SocketAddr) -> Option<u64> {
    let json = runner::metrics(metrics).ok()?;
    json["components"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == "hub")?["instances_active"]
        .as_u64()
}

/// The order Redis appended the updates in (seq → rank), from `XRANGE`.
pub struct StreamOrder(std::collections::HashMap<u64, u64>);

impl StreamOrder {
    pub fn rank(&self, seq: u64) -> Option<u64> {
        self.0.get(&seq).copied()
    }
}

pub fn stream_order(redis: &RedisServer) -> StreamOrder {
    // Each stored update ends with its SSE frame, whose one `data:` line
    // is `seq publish-time` (see `publish`).
    let text = redis.cmd(&["XRANGE", "{mercure}:updates", "-", "+"]);
    let seqs = text.lines().filter_map(|line| {
        line.strip_prefix("data: ")?
            .split(' ')
            .next()?
            .parse::<u64>()
            .ok()
    });
    StreamOrder(
        seqs.enumerate()
            .map(|(rank, seq)| (seq, rank as u64))
            .collect(),
    )
}

/// How many `XREAD`s Redis has served (`INFO commandstats`), 0 before the first.
pub fn xread_calls(redis: &RedisServer) -> u64 {
    redis
        .info("commandstats", "cmdstat_xread")
        .and_then(|stats| {
            stats
                .split(',')
                .find_map(|kv| kv.strip_prefix("calls="))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
