//! Every flag of `up` and `build` (clap derive), with Spin's names,
//! defaults and value syntax where Spin has the flag, and the value parsers,
//! whose one-line errors name the flag. The settings they fill are plain
//! types where they are used: [`Limits`], [`ReuseConfig`] and the engine's
//! instance count.

use crate::limits::{Limits, MIN_HEADER_BYTES};
use crate::trigger::instance_reuse::{Range, ReuseConfig};
use clap::Args;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

/// Default address for `up`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

/// Options of `up`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct UpArgs {
    /// manifest, or a directory holding spin.toml
    #[arg(short = 'f', long = "file", value_name = "PATH", default_value = "spin.toml", value_parser = manifest_path)]
    pub file: PathBuf,
    /// address to serve on (port 0 picks one)
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN, value_parser = listen_address)]
    pub listen: SocketAddr,
    /// run each component's build command first (like `spin build`)
    #[arg(long)]
    pub build: bool,
    /// concurrent component instances; past it requests get 503 [default: 20000]
    #[arg(long, value_name = "N", value_parser = instance_count)]
    pub max_instances: Option<u32>,
    /// also serve GET http://ADDR/metrics (instance counters as JSON)
    #[arg(long, value_name = "ADDR", value_parser = metrics_address)]
    pub metrics_listen: Option<SocketAddr>,
    /// largest linear memory of one instance, in bytes; a guest that asks for more traps and its request gets 500 [default: 67108864 (64 MiB)]
    #[arg(long, value_name = "BYTES", value_parser = memory_bytes)]
    pub max_instance_memory: Option<u64>,
    /// wasm execution time one request may use, in ms; past it the guest is stopped (500, or the stream ends) [default: unlimited]
    #[arg(long, value_name = "MS", value_parser = millis("--max-request-cpu-ms"))]
    pub max_request_cpu_ms: Option<Duration>,
    /// end a response (and stop its instance) whose client accepts no byte for this long, in ms [default: 60000]
    #[arg(long, value_name = "MS", value_parser = millis("--send-timeout-ms"))]
    pub send_timeout_ms: Option<Duration>,
    /// close a connection that has not sent a complete request head within this time, in ms [default: 30000]
    #[arg(long, value_name = "MS", value_parser = millis("--header-timeout-ms"))]
    pub header_timeout_ms: Option<Duration>,
    /// largest request head, in bytes (431 past it); also bounds hyper's per-connection buffers [default: 8192]
    #[arg(long, value_name = "BYTES", value_parser = header_bytes)]
    pub max_header_bytes: Option<usize>,
    /// most header fields in one request (431 past it) [default: 100]
    #[arg(long, value_name = "N", value_parser = count("--max-headers"))]
    pub max_headers: Option<usize>,
    /// largest request body a component may read, in bytes (413 for a larger content-length) [default: 10485760 (10 MiB)]
    #[arg(long, value_name = "BYTES", value_parser = count("--max-request-body"))]
    pub max_request_body: Option<usize>,
    /// requests one WASI 0.3 instance takes before it is retired (N or A..B) [default: 128]
    #[arg(long, value_name = "N", value_parser = reuse_count)]
    pub max_instance_reuse_count: Option<Range<usize>>,
    /// requests one WASI 0.3 instance takes while they await their response (N or A..B) [default: 16]
    #[arg(long, value_name = "N", value_parser = concurrent_reuse_count)]
    pub max_instance_concurrent_reuse_count: Option<Range<usize>>,
    /// time a WASI 0.3 request has to produce its response (e.g. 30s, 500ms; or A..B) [default: none]
    #[arg(long, value_name = "TIME", value_parser = request_timeout)]
    pub request_timeout: Option<Range<Duration>>,
    /// idle time after which a WASI 0.3 instance is dropped (e.g. 1s; or A..B) [default: 1s]
    #[arg(long, value_name = "TIME", value_parser = idle_instance_timeout)]
    pub idle_instance_timeout: Option<Range<Duration>>,
}

impl UpArgs {
    /// The defaults of [`Limits`] with the given flags applied.
    pub fn limits(&self) -> Limits {
        let d = Limits::default();
        Limits {
            max_instance_memory: self.max_instance_memory.unwrap_or(d.max_instance_memory),
            max_request_cpu: self.max_request_cpu_ms.or(d.max_request_cpu),
            send_timeout: self.send_timeout_ms.unwrap_or(d.send_timeout),
            header_read_timeout: self.header_timeout_ms.unwrap_or(d.header_read_timeout),
            max_header_bytes: self.max_header_bytes.unwrap_or(d.max_header_bytes),
            max_headers: self.max_headers.unwrap_or(d.max_headers),
            max_request_body: self
                .max_request_body
                .map_or(d.max_request_body, |n| n as u64),
        }
    }

    /// The instance-reuse settings, Spin's defaults where not given.
    pub fn reuse(&self) -> ReuseConfig {
        let d = ReuseConfig::default();
        ReuseConfig {
            max_reuse: self.max_instance_reuse_count.unwrap_or(d.max_reuse),
            max_concurrent: self
                .max_instance_concurrent_reuse_count
                .unwrap_or(d.max_concurrent),
            request_timeout: self.request_timeout.or(d.request_timeout),
            idle_timeout: self.idle_instance_timeout.unwrap_or(d.idle_timeout),
        }
    }
}

/// Options of `build`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct BuildArgs {
    /// manifest, or a directory holding spin.toml
    #[arg(short = 'f', long = "file", value_name = "PATH", default_value = "spin.toml", value_parser = manifest_path)]
    pub file: PathBuf,
}

/// A directory means its `spin.toml` (as Spin's `--file`).
fn manifest_path(s: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(s);
    Ok(if path.is_dir() {
        path.join("spin.toml")
    } else {
        path
    })
}

fn instance_count(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "--max-instances: `{s}` is not a whole number of at least 1"
        )),
    }
}

fn listen_address(s: &str) -> Result<SocketAddr, String> {
    address(s, "--listen")
}

fn metrics_address(s: &str) -> Result<SocketAddr, String> {
    address(s, "--metrics-listen")
}

/// `ip:port`, or `host:port` resolved (first address).
fn address(s: &str, flag: &str) -> Result<SocketAddr, String> {
    if let Ok(a) = s.parse() {
        return Ok(a);
    }
    s.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| format!("{flag}: `{s}` is not an address like 127.0.0.1:3000"))
}

fn whole(s: &str, flag: &str, min: u64) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(format!(
            "{flag}: `{s}` is not a whole number of at least {min}"
        )),
    }
}

fn millis(flag: &'static str) -> impl Fn(&str) -> Result<Duration, String> + Clone {
    move |s| whole(s, flag, 1).map(Duration::from_millis)
}

fn count(flag: &'static str) -> impl Fn(&str) -> Result<usize, String> + Clone {
    move |s| whole(s, flag, 1).and_then(|n| usize::try_from(n).map_err(|e| format!("{flag}: {e}")))
}

fn memory_bytes(s: &str) -> Result<u64, String> {
    whole(s, "--max-instance-memory", 64 << 10)
}

fn header_bytes(s: &str) -> Result<usize, String> {
    whole(s, "--max-header-bytes", MIN_HEADER_BYTES as u64).map(|n| n as usize)
}

fn reuse_count(s: &str) -> Result<Range<usize>, String> {
    parse_count(s, "--max-instance-reuse-count")
}

fn concurrent_reuse_count(s: &str) -> Result<Range<usize>, String> {
    parse_count(s, "--max-instance-concurrent-reuse-count")
}

fn request_timeout(s: &str) -> Result<Range<Duration>, String> {
    parse_duration(s, "--request-timeout")
}

fn idle_instance_timeout(s: &str) -> Result<Range<Duration>, String> {
    parse_duration(s, "--idle-instance-timeout")
}

/// Parses a count or count range for `flag`; counts are at least 1.
pub fn parse_count(s: &str, flag: &str) -> Result<Range<usize>, String> {
    let one = |v: &str| match v.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "{flag}: `{s}` is not a whole number of at least 1 or a range like 4..16"
        )),
    };
    parse_range(s, flag, one)
}

/// Parses a duration or duration range for `flag`.
pub fn parse_duration(s: &str, flag: &str) -> Result<Range<Duration>, String> {
    let one = |v: &str| {
        duration(v).ok_or_else(|| {
            format!("{flag}: `{s}` is not a duration like 1s, 500ms, 20us or 10ns (plain numbers are seconds), or a range like 1..8s")
        })
    };
    parse_range(s, flag, one)
}

fn parse_range<T: PartialOrd>(
    s: &str,
    flag: &str,
    one: impl Fn(&str) -> Result<T, String>,
) -> Result<Range<T>, String> {
    let Some((start, end)) = s.split_once("..") else {
        return one(s).map(Range::Value);
    };
    let (a, b) = (one(start)?, one(end)?);
    if a < b {
        Ok(Range::Bounds(a, b))
    } else {
        Err(format!(
            "{flag}: the range `{s}` is empty; its start must be below its end"
        ))
    }
}

fn duration(s: &str) -> Option<Duration> {
    type Unit = fn(u64) -> Duration;
    let units: [(&str, Unit); 5] = [
        ("ms", Duration::from_millis),
        ("us", Duration::from_micros),
        ("μs", Duration::from_micros),
        ("ns", Duration::from_nanos),
        ("s", Duration::from_secs),
    ];
    let (digits, unit): (&str, Unit) = units
        .iter()
        .find_map(|(suffix, f)| s.strip_suffix(suffix).map(|d| (d, *f)))
        .unwrap_or((s, Duration::from_secs));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(unit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        up: UpArgs,
    }

    fn parse(args: &[&str]) -> Result<Limits, String> {
        let argv = std::iter::once("t").chain(args.iter().copied());
        Cli::try_parse_from(argv)
            .map(|c| c.up.limits())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn no_flags_give_the_defaults() {
        assert_eq!(parse(&[]).unwrap(), Limits::default());
    }

    #[test]
    fn every_flag_lands_in_its_limit() {
        let l = parse(&[
            "--max-instance-memory=1048576",
            "--max-request-cpu-ms=250",
            "--send-timeout-ms=1500",
            "--header-timeout-ms=700",
            "--max-header-bytes=9000",
            "--max-headers=20",
            "--max-request-body=1024",
        ])
        .unwrap();
        assert_eq!(
            l,
            Limits {
                max_instance_memory: 1 << 20,
                max_request_cpu: Some(Duration::from_millis(250)),
                send_timeout: Duration::from_millis(1500),
                header_read_timeout: Duration::from_millis(700),
                max_header_bytes: 9000,
                max_headers: 20,
                max_request_body: 1024,
            }
        );
        l.validate().unwrap();
    }

    #[test]
    fn bad_values_name_the_flag() {
        for (arg, flag) in [
            ("--max-instance-memory=100", "--max-instance-memory"),
            ("--send-timeout-ms=0", "--send-timeout-ms"),
            ("--max-request-cpu-ms=x", "--max-request-cpu-ms"),
            ("--max-header-bytes=1000", "--max-header-bytes"),
            ("--max-headers=-1", "--max-headers"),
        ] {
            let e = parse(&[arg]).unwrap_err();
            assert!(e.contains(flag), "{arg}: {e}");
        }
    }

    const FLAG: &str = "--idle-instance-timeout";

    #[test]
    fn durations_take_spins_suffixes_and_plain_seconds() {
        let d = |s| parse_duration(s, FLAG).unwrap();
        assert_eq!(d("2"), Range::Value(Duration::from_secs(2)));
        assert_eq!(d("2s"), Range::Value(Duration::from_secs(2)));
        assert_eq!(d("250ms"), Range::Value(Duration::from_millis(250)));
        assert_eq!(d("7us"), Range::Value(Duration::from_micros(7)));
        assert_eq!(d("7μs"), Range::Value(Duration::from_micros(7)));
        assert_eq!(d("9ns"), Range::Value(Duration::from_nanos(9)));
        assert_eq!(
            d("1..8s"),
            Range::Bounds(Duration::from_secs(1), Duration::from_secs(8))
        );
    }

    #[test]
    fn bad_values_name_the_flag_and_the_form() {
        for bad in ["", "s", "1.5s", "-1", "ten", "1m", "5..5", "8..1", "1.."] {
            let e = parse_duration(bad, FLAG).unwrap_err();
            assert!(e.starts_with(FLAG), "{bad:?}: {e}");
        }
        for bad in ["0", "", "x", "-3", "4..4", "1..0", "0..3"] {
            let e = parse_count(bad, "--max-instance-reuse-count").unwrap_err();
            assert!(
                e.starts_with("--max-instance-reuse-count: "),
                "{bad:?}: {e}"
            );
        }
    }

    #[test]
    fn counts_are_values_or_half_open_ranges() {
        let f = "--max-instance-concurrent-reuse-count";
        assert_eq!(parse_count("16", f), Ok(Range::Value(16)));
        assert_eq!(parse_count("4..16", f), Ok(Range::Bounds(4, 16)));
    }
}
