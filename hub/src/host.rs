//! Host services the handler needs: wall and monotonic clocks, random
//! bytes (WASI) and the log line (stderr, shown by Spin).

use std::time::Duration;

/// Wall-clock seconds since the epoch (token `exp`/`nbf`).
pub fn now() -> f64 {
    let time = wasi::clocks::wall_clock::now();
    time.seconds as f64 + f64::from(time.nanoseconds) / 1e9
}

pub fn monotonic() -> Duration {
    Duration::from_nanos(wasi::clocks::monotonic_clock::now())
}

pub fn random_bytes() -> [u8; 16] {
    let bytes = wasi::random::random::get_random_bytes(16);
    let mut out = [0; 16];
    for (slot, byte) in out.iter_mut().zip(bytes) {
        *slot = byte;
    }
    out
}

pub fn log(line: &str) {
    eprintln!("{line}");
}
