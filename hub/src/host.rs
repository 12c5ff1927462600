//! Host services the handlers need: wall and monotonic clocks, random
//! bytes (WASI 0.2 or 0.3, by the build's ABI) and the log line (stderr,
//! shown by Spin).

use std::time::Duration;

#[cfg(feature = "p2")]
use wasi::{clocks::monotonic_clock, clocks::wall_clock, random::random};

#[cfg(all(feature = "p3", not(feature = "p2")))]
use spin_sdk_p3::wasip3::{
    clocks::monotonic_clock, clocks::system_clock as wall_clock, random::random,
};

/// Wall-clock seconds since the epoch (token `exp`/`nbf`).
pub fn now() -> f64 {
    let time = wall_clock::now();
    time.seconds as f64 + f64::from(time.nanoseconds) / 1e9
}

pub fn monotonic() -> Duration {
    Duration::from_nanos(monotonic_clock::now())
}

pub fn random_bytes() -> [u8; 16] {
    let bytes = random::get_random_bytes(16);
    let mut out = [0; 16];
    for (slot, byte) in out.iter_mut().zip(bytes) {
        *slot = byte;
    }
    out
}

pub fn log(line: &str) {
    eprintln!("{line}");
}
