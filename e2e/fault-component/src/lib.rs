//! Test fixture for the runner's fault tests: a Spin HTTP component that
//! misbehaves on purpose. The last path segment picks the fault:
//!
//! - `/loop`: computes forever before it answers;
//! - `/loop-after-headers`: sends `200` and one line, then computes forever;
//! - `/alloc`: allocates (and touches) 1 MiB after 1 MiB without end;
//! - `/print?mib=N`: prints `N` MiB (at most [`MAX_PRINT_MIB`]) of 1 KiB
//!   lines on stdout, then answers `200 printed <lines> lines`;
//! - `/body`: reads the whole request body, answers `200 read <n> bytes`,
//!   or `400 body error: …` when the host cut it off;
//! - `/ticks`: sends `200`, then `tick <n>` every [`TICK_MS`] ms until a
//!   write fails, then prints `ticks: client gone after <n>` on stderr;
//! - `/trap`: traps (a panic, with `panic = "abort"`) before answering;
//! - anything else: `200 ok` at once (a well-behaved neighbour).
//!
//! [`Fault::from_path`] and [`print_lines`] are plain functions, tested
//! natively, and so is what a fault does ([`alloc_forever`], [`print_mib`],
//! [`spin_forever`]); the wasm-only `p2` (WASI 0.2, the default feature)
//! and `p3` (WASI 0.3, feature `p3`) modules do the I/O.

/// Largest `mib` honoured by `/print`, so a typo cannot fill a disk.
pub const MAX_PRINT_MIB: usize = 64;

/// Milliseconds between `/ticks` lines.
pub const TICK_MS: u64 = 20;

/// Bytes per printed line, newline included.
pub const LINE_BYTES: usize = 1024;

/// What a request asks the fixture to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Compute forever before answering.
    Loop,
    /// Answer 200, send one line, then compute forever.
    LoopAfterHeaders,
    /// Allocate without end.
    Alloc,
    /// Print this many MiB on stdout.
    Print(usize),
    /// Read the request body.
    Body,
    /// Stream a tick every [`TICK_MS`] ms until the client is gone.
    Ticks,
    /// Trap before answering.
    Trap,
    /// Answer `200 ok`.
    Ok,
}

impl Fault {
    /// The fault named by `path`'s last segment (query `mib` for `/print`).
    pub fn from_path(path_with_query: &str) -> Fault {
        let (path, query) = path_with_query
            .split_once('?')
            .unwrap_or((path_with_query, ""));
        match path.rsplit('/').next().unwrap_or_default() {
            "loop" => Fault::Loop,
            "loop-after-headers" => Fault::LoopAfterHeaders,
            "alloc" => Fault::Alloc,
            "body" => Fault::Body,
            "ticks" => Fault::Ticks,
            "trap" => Fault::Trap,
            "print" => {
                let mib = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("mib="))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1);
                Fault::Print(usize::min(mib, MAX_PRINT_MIB))
            }
            _ => Fault::Ok,
        }
    }
}

/// Lines `/print` writes for `mib` MiB.
pub fn print_lines(mib: usize) -> usize {
    mib * (1 << 20) / LINE_BYTES
}

/// `/alloc`: allocates (and touches) 1 MiB after 1 MiB without end.
pub fn alloc_forever() -> ! {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![1u8; 1 << 20]);
        std::hint::black_box(&hoard);
    }
}

/// `/print`: prints [`print_lines`]`(mib)` lines of [`LINE_BYTES`] on
/// stdout; how many it printed.
pub fn print_mib(mib: usize) -> usize {
    let line = "p".repeat(LINE_BYTES - 1);
    let lines = print_lines(mib);
    for _ in 0..lines {
        println!("{line}");
    }
    lines
}

/// Spins without end in a way the optimiser cannot remove.
pub fn spin_forever() -> ! {
    let mut x: u64 = 1;
    loop {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
}

/// The WASI 0.2 entry point (spin-sdk 5.2; wasm only).
#[cfg(all(target_arch = "wasm32", feature = "p2"))]
mod p2;

// spin-sdk 7's macros name the crate `spin_sdk`.
#[cfg(all(target_arch = "wasm32", feature = "p3"))]
extern crate spin_sdk_p3 as spin_sdk;

/// The WASI 0.3 entry point (spin-sdk 7; wasm only).
#[cfg(all(target_arch = "wasm32", feature = "p3"))]
mod p3;

#[cfg(all(target_arch = "wasm32", feature = "p2", feature = "p3"))]
compile_error!("build fault-component with one of the features p2 (default) or p3");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_segment_picks_the_fault() {
        assert_eq!(Fault::from_path("/fault/loop"), Fault::Loop);
        assert_eq!(
            Fault::from_path("/fault/loop-after-headers"),
            Fault::LoopAfterHeaders
        );
        assert_eq!(Fault::from_path("/fault/alloc?x=1"), Fault::Alloc);
        assert_eq!(Fault::from_path("/fault/body"), Fault::Body);
        assert_eq!(Fault::from_path("/fault/ticks"), Fault::Ticks);
        assert_eq!(Fault::from_path("/fault/trap"), Fault::Trap);
        assert_eq!(Fault::from_path("/fault/"), Fault::Ok);
        assert_eq!(Fault::from_path("/fault/other"), Fault::Ok);
    }

    #[test]
    fn print_size_defaults_to_one_and_is_capped() {
        assert_eq!(Fault::from_path("/fault/print"), Fault::Print(1));
        assert_eq!(Fault::from_path("/fault/print?mib=8"), Fault::Print(8));
        assert_eq!(
            Fault::from_path("/fault/print?mib=100000"),
            Fault::Print(MAX_PRINT_MIB)
        );
        assert_eq!(print_lines(1), 1024);
    }
}
