//! The `up` flags that set [`Limits`] (flattened into
//! [`crate::cli::UpArgs`]), with one-line errors naming the flag.

use crate::limits::{Limits, MIN_HEADER_BYTES};
use clap::Args;
use std::time::Duration;

/// Limits against faulty guests and hostile clients.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct LimitArgs {
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
}

impl LimitArgs {
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        limits: LimitArgs,
    }

    fn parse(args: &[&str]) -> Result<Limits, String> {
        let argv = std::iter::once("t").chain(args.iter().copied());
        Cli::try_parse_from(argv)
            .map(|c| c.limits.limits())
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
}
