//! The stop signal: a `watch` flag that `up` flips to `true` on SIGINT or
//! SIGTERM. The server's accept loops and connections, and every running
//! instance (WASI 0.2 and 0.3), wait on it with [`stopped`].

use tokio::sync::watch;

/// Completes once the stop flag is `true` (or its sender is gone).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
