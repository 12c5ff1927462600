//! Host services the request flow needs, as a trait ([`Host`]: wall and
//! monotonic clocks, random bytes) so the flow is tested natively with a
//! fake; `Wasi` is it on WASI 0.2 or 0.3, by the build's ABI. The log
//! line goes to stderr (shown by Spin).

use std::time::Duration;

/// Clocks and randomness.
pub trait Host {
    /// Wall-clock seconds since the epoch (token `exp`/`nbf`).
    fn now(&self) -> f64;
    fn monotonic(&self) -> Duration;
    fn random_bytes(&self) -> [u8; 16];
}

pub fn log(line: &str) {
    eprintln!("{line}");
}

/// The component's host, through the WASI interfaces of its ABI.
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Copy)]
pub struct Wasi;

#[cfg(target_arch = "wasm32")]
mod wasi_host {
    #[cfg(feature = "p2")]
    use wasi::{clocks::monotonic_clock, clocks::wall_clock, random::random};

    #[cfg(all(feature = "p3", not(feature = "p2")))]
    use spin_sdk_p3::wasip3::{
        clocks::monotonic_clock, clocks::system_clock as wall_clock, random::random,
    };

    use super::{Host, Wasi};
    use std::time::Duration;

    impl Host for Wasi {
        fn now(&self) -> f64 {
            let time = wall_clock::now();
            time.seconds as f64 + f64::from(time.nanoseconds) / 1e9
        }

        fn monotonic(&self) -> Duration {
            Duration::from_nanos(monotonic_clock::now())
        }

        fn random_bytes(&self) -> [u8; 16] {
            let bytes = random::get_random_bytes(16);
            let mut out = [0; 16];
            for (slot, byte) in out.iter_mut().zip(bytes) {
                *slot = byte;
            }
            out
        }
    }
}
