//! Hands freed heap memory back to the kernel after instances end.
//!
//! glibc keeps freed chunks in its arenas, so after thousands of streams end
//! the process would stay at its peak RSS. Once a second, when instances
//! finished since the last trim and none finished during the last second
//! (a burst is over), `malloc_trim(0)` runs on a blocking thread and returns
//! every free page.

use crate::engine::instances::Instances;
use std::sync::Arc;
use std::time::Duration;

/// How often the finished-instance counter is checked.
pub const PERIOD: Duration = Duration::from_secs(1);

/// True when a trim is due: instances finished since the last trim, and the
/// count did not move during the last period.
pub fn due(trimmed_at: u64, previous: u64, now: u64) -> bool {
    now == previous && now != trimmed_at
}

/// Starts the trimming task on the current runtime.
pub fn spawn(instances: Arc<Instances>) {
    tokio::spawn(async move {
        let mut trimmed_at = instances.snapshot().finished;
        let mut previous = trimmed_at;
        let mut tick = tokio::time::interval(PERIOD);
        loop {
            tick.tick().await;
            let now = instances.snapshot().finished;
            if due(trimmed_at, previous, now) {
                trimmed_at = now;
                let _ = tokio::task::spawn_blocking(release_free_heap).await;
            }
            previous = now;
        }
    });
}

/// Returns the allocator's free pages to the kernel (glibc's `malloc_trim`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_heap() {
    // SAFETY: malloc_trim takes no pointers and only releases free pages.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators return memory on their own terms: nothing to do.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_heap() {}

#[cfg(test)]
mod tests {
    use super::due;

    #[test]
    fn trims_once_after_a_burst_settles() {
        assert!(!due(0, 0, 0), "nothing finished yet");
        assert!(!due(0, 5, 9), "still finishing");
        assert!(due(0, 9, 9), "burst over");
        assert!(!due(9, 9, 9), "already trimmed");
    }
}
