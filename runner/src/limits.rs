//! What one request and one connection may use: the runner's limits against
//! faulty guests and hostile clients, their defaults, and the one-line
//! reasons given when a guest hits one.
//!
//! Pure settings (no I/O): `up` fills them from the command line
//! ([`crate::cli::flags`]), the handler, the server and the instance state
//! read them.

use anyhow::{bail, Result};
use std::fmt;
use std::time::Duration;

/// Per-request and per-connection limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest linear memory one instance may grow to, in bytes
    /// (`--max-instance-memory`). A guest that asks for more traps.
    pub max_instance_memory: u64,
    /// Wasm execution time one request may use (host calls and waiting
    /// excluded); `None`: unlimited, like Spin.
    pub max_request_cpu: Option<Duration>,
    /// A response whose client accepts no byte for this long is ended and
    /// its instance stopped (nginx's `send_timeout`).
    pub send_timeout: Duration,
    /// Time a client has to send its request head (slowloris).
    pub header_read_timeout: Duration,
    /// Largest request head, in bytes; past it the client gets 431. Also
    /// bounds hyper's per-connection read and write buffers.
    pub max_header_bytes: usize,
    /// Most header fields in one request; past it the client gets 431.
    pub max_headers: usize,
    /// Largest request body a component may read, in bytes; a larger
    /// declared `content-length` gets 413 before any instance starts.
    pub max_request_body: u64,
}

/// hyper's smallest accepted buffer size.
pub const MIN_HEADER_BYTES: usize = 8192;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_instance_memory: 64 << 20,
            max_request_cpu: None,
            send_timeout: Duration::from_secs(60),
            header_read_timeout: Duration::from_secs(30),
            max_header_bytes: 8 << 10,
            max_headers: 100,
            max_request_body: 10 << 20,
        }
    }
}

impl Limits {
    /// Checks the settings; errors name the flag to change.
    pub fn validate(&self) -> Result<()> {
        if self.max_instance_memory < 64 << 10 {
            bail!("--max-instance-memory must be at least 65536 (one wasm page)");
        }
        if self.max_request_cpu.is_some_and(|d| d.is_zero()) {
            bail!("--max-request-cpu-ms must be at least 1");
        }
        if self.send_timeout.is_zero() {
            bail!("--send-timeout-ms must be at least 1");
        }
        if self.header_read_timeout.is_zero() {
            bail!("--header-timeout-ms must be at least 1");
        }
        if self.max_header_bytes < MIN_HEADER_BYTES {
            bail!("--max-header-bytes must be at least {MIN_HEADER_BYTES}");
        }
        if self.max_headers == 0 {
            bail!("--max-headers must be at least 1");
        }
        Ok(())
    }
}

/// A limit a guest ran into; the trap's error, turned into the 500's
/// one-line reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// It asked for more linear memory than `--max-instance-memory`.
    Memory {
        /// Bytes it asked for.
        desired: u64,
        /// The limit.
        limit: u64,
    },
    /// It ran longer than `--max-request-cpu-ms`.
    Cpu {
        /// The limit.
        limit: Duration,
    },
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exceeded::Memory { desired, limit } => write!(
                f,
                "memory limit exceeded: the instance asked for {desired} bytes of linear memory, the limit is {limit} (--max-instance-memory)"
            ),
            Exceeded::Cpu { limit } => write!(
                f,
                "CPU time limit exceeded: the instance ran wasm for more than {} ms (--max-request-cpu-ms)",
                limit.as_millis()
            ),
        }
    }
}

impl std::error::Error for Exceeded {}

/// Memory limiter of one store: growth past the limit traps with
/// [`Exceeded::Memory`] instead of failing quietly inside the guest.
#[derive(Debug, Clone, Copy)]
pub struct MemoryLimit {
    limit: u64,
}

impl MemoryLimit {
    /// At most `limit` bytes per linear memory.
    pub fn new(limit: u64) -> Self {
        MemoryLimit { limit }
    }
}

impl wasmtime::ResourceLimiter for MemoryLimit {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let desired = desired as u64;
        if desired > self.limit {
            return Err(wasmtime::Error::new(Exceeded::Memory {
                desired,
                limit: self.limit,
            }));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Table sizes are bounded by the pool's slots.
        Ok(true)
    }
}

/// The limit behind a guest failure, if a limit caused it.
pub fn exceeded(error: &wasmtime::Error) -> Option<Exceeded> {
    error
        .chain()
        .find_map(|e| e.downcast_ref::<Exceeded>())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_cpu_is_unlimited_like_spin() {
        let l = Limits::default();
        l.validate().unwrap();
        assert_eq!(l.max_request_cpu, None);
        assert_eq!(l.send_timeout, Duration::from_secs(60));
    }

    #[test]
    fn each_bad_setting_names_its_flag() {
        type Spoil = fn(&mut Limits);
        let cases: [(Spoil, &str); 6] = [
            (|l| l.max_instance_memory = 4096, "--max-instance-memory"),
            (
                |l| l.max_request_cpu = Some(Duration::ZERO),
                "--max-request-cpu-ms",
            ),
            (|l| l.send_timeout = Duration::ZERO, "--send-timeout-ms"),
            (
                |l| l.header_read_timeout = Duration::ZERO,
                "--header-timeout-ms",
            ),
            (|l| l.max_header_bytes = 100, "--max-header-bytes"),
            (|l| l.max_headers = 0, "--max-headers"),
        ];
        for (spoil, flag) in cases {
            let mut l = Limits::default();
            spoil(&mut l);
            let e = l.validate().unwrap_err().to_string();
            assert!(e.contains(flag), "{e}");
        }
    }

    #[test]
    fn memory_growth_past_the_limit_is_an_error_naming_it() {
        use wasmtime::ResourceLimiter;
        let mut m = MemoryLimit::new(1 << 20);
        assert!(m.memory_growing(0, 1 << 20, None).unwrap());
        let e = m.memory_growing(1 << 20, 2 << 20, None).unwrap_err();
        assert_eq!(
            exceeded(&e),
            Some(Exceeded::Memory {
                desired: 2 << 20,
                limit: 1 << 20
            })
        );
    }

    #[test]
    fn reasons_are_one_line_and_found_through_context() {
        let mem = Exceeded::Memory {
            desired: 1 << 30,
            limit: 64 << 20,
        };
        let cpu = Exceeded::Cpu {
            limit: Duration::from_millis(250),
        };
        for e in [mem, cpu] {
            let line = e.to_string();
            assert!(!line.contains('\n'), "{line}");
            let wrapped = wasmtime::Error::new(e).context("wasm trap: backtrace ...");
            assert_eq!(exceeded(&wrapped), Some(e));
        }
        assert!(cpu.to_string().contains("250 ms"));
        assert_eq!(exceeded(&wasmtime::format_err!("unreachable")), None);
    }
}
