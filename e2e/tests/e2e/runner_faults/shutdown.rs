//! SIGTERM with 10,000 open streams: exit 0 within 5 s, every stream ended
//! with its final chunk.

use super::{fixture, send_get, start};
use std::io::Read;
use std::time::{Duration, Instant};

const STREAMS: usize = 10_000;

#[test]
fn sigterm_with_ten_thousand_open_streams_exits_0_within_5_s_ending_each() {
    let Some(app) =
        fixture("sigterm_with_ten_thousand_open_streams_exits_0_within_5_s_ending_each")
    else {
        return;
    };
    // 10,050 pool slots stay under the default vm.max_map_count (65,530).
    let mut runner = start(&app, &["--max-instances", "10050"]);
    let streams: Vec<_> = (0..STREAMS)
        .map(|_| send_get(runner.addr, "/sse?interval=60000"))
        .collect();
    assert!(
        runner
            .wait_metric("instances_active", STREAMS as u64, Duration::from_secs(120))
            .is_some(),
        "not all streams opened: {}",
        runner.metric("instances_active")
    );
    let signalled = Instant::now();
    runner.terminate();
    let status = runner
        .wait_exit(Duration::from_secs(5))
        .expect("no exit within 5 s of SIGTERM");
    let took = signalled.elapsed();
    assert_eq!(status.code(), Some(0), "{status}");
    eprintln!("e2e: {STREAMS} streams, exit {took:?} after SIGTERM");
    let mut unended = 0;
    for mut s in streams {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got);
        if !got.ends_with(b"0\r\n\r\n") {
            unended += 1;
        }
    }
    assert_eq!(unended, 0, "streams without their final chunk");
}
