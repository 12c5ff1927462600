//! Clients that vanish, stop reading, never finish their head, send too
//! much, or arrive when the runner is out of file descriptors.

use super::{fixture, rss_kib, send_get, start, stderr_lines};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// Sets an option of `level`/`name` on `s` to `value`.
fn set_opt<T>(s: &TcpStream, level: i32, name: i32, value: T) {
    // SAFETY: `value` is a plain C struct/int matching the option's type,
    // and the pointer is valid for its size during the call.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            level,
            name,
            &value as *const T as *const libc::c_void,
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt: {}", std::io::Error::last_os_error());
}

/// Closing `s` will send a reset instead of a FIN (an abrupt end).
fn reset_on_close(s: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    set_opt(s, libc::SOL_SOCKET, libc::SO_LINGER, linger);
}

/// Whether the server closed `s` (EOF or reset) within `wait`, after any
/// bytes it sent; otherwise what the last read saw.
fn closed_by_server(mut s: &TcpStream, wait: Duration) -> Result<(), String> {
    let deadline = Instant::now() + wait;
    let mut buf = [0u8; 16384];
    let mut got = 0usize;
    let mut tail = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!("still open after {wait:?}"));
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                got += n;
                tail = buf[n.saturating_sub(24)..n].to_vec();
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let tail = String::from_utf8_lossy(&tail);
                return Err(format!("{:?} after {got} bytes ending {tail:?}", e.kind()));
            }
        }
    }
}

/// Asserts that the server closed every one of `streams` within `wait`.
fn assert_all_closed(streams: &[TcpStream], wait: Duration) {
    let open: Vec<String> = streams
        .iter()
        .filter_map(|s| closed_by_server(s, wait).err())
        .collect();
    assert!(
        open.is_empty(),
        "{} of {} connections not closed by the server: {:?}",
        open.len(),
        streams.len(),
        &open[..open.len().min(5)]
    );
}

#[test]
fn a_thousand_vanishing_clients_leave_no_instance_at_once() {
    let Some(app) = fixture("a_thousand_vanishing_clients_leave_no_instance_at_once") else {
        return;
    };
    let runner = start(&app, &[]);
    let streams: Vec<TcpStream> = (0..1000)
        .map(|_| send_get(runner.addr, "/sse?interval=60000"))
        .collect();
    assert!(
        runner
            .wait_metric("instances_active", 1000, Duration::from_secs(60))
            .is_some(),
        "streams did not open"
    );
    // Half go with a reset, half with a FIN; none of them ever reads.
    for s in streams.iter().step_by(2) {
        reset_on_close(s);
    }
    let closed = Instant::now();
    drop(streams);
    let gone = runner.wait_metric("instances_active", 0, Duration::from_secs(5));
    let took = gone.map(|_| closed.elapsed());
    eprintln!("e2e: 1000 clients left; 0 instances after {took:?}");
    let took = took.expect("instances still active 5 s after their clients left");
    // Measured 73-99 ms here (issue #10 asks for 200 ms); the bound leaves
    // room for a loaded 2-core machine and is still 60 times shorter than
    // the interval, after which a guest would notice on its own.
    assert!(
        took <= Duration::from_secs(1),
        "0 instances only after {took:?} (interval 60000: the guests never wrote)"
    );
    let m = runner.metric("instances_finished");
    assert_eq!(m, 1000);
}

#[test]
fn clients_that_stop_reading_stay_bounded_and_are_cut_by_the_send_timeout() {
    let Some(app) =
        fixture("clients_that_stop_reading_stay_bounded_and_are_cut_by_the_send_timeout")
    else {
        return;
    };
    /// Bound on the runner's RSS growth per stalled stream (an open idle
    /// stream costs about 70 KiB, the buffers about 50 more; before
    /// issue #10 each stalled stream held about 670 KB).
    const MAX_KIB_PER_STALLED_STREAM: u64 = 160;
    const CLIENTS: u64 = 500;
    let runner = start(&app, &["--send-timeout-ms", "3000"]);
    let pid = runner.pid();
    assert_eq!(runner.client().get("/fault/ok").status(), 200);
    let before = rss_kib(pid);
    // Never read. (No smaller SO_RCVBUF: set after connect, with window
    // scaling already agreed, it can shrink the window to zero for good.)
    let stalled: Vec<TcpStream> = (0..CLIENTS)
        .map(|_| send_get(runner.addr, "/sse?interval=0&count=1000000"))
        .collect();
    let opened = Instant::now();
    assert!(
        runner
            .wait_metric("instances_active", CLIENTS, Duration::from_secs(30))
            .is_some(),
        "stalled streams did not open"
    );
    // Let every stream fill its buffers, well before the send timeout.
    std::thread::sleep(Duration::from_millis(1500).saturating_sub(opened.elapsed()));
    let during = rss_kib(pid);
    let per_stream = during.saturating_sub(before) / CLIENTS;
    eprintln!(
        "e2e: RSS {before} KiB -> {during} KiB with {CLIENTS} stalled streams ({per_stream} KiB each)"
    );
    assert!(
        per_stream <= MAX_KIB_PER_STALLED_STREAM,
        "{per_stream} KiB per stalled stream"
    );
    // The timer starts once the kernel refuses writes: first each socket's
    // send buffer fills (autotuned up to `tcp_wmem`'s 4 MiB here, about
    // 2 GiB for 500 streams), which takes about 20 s on an idle 2-core box.
    let cut = runner.wait_metric("instances_active", 0, Duration::from_secs(120));
    assert!(
        cut.is_some(),
        "send timeout did not end the stalled streams"
    );
    eprintln!(
        "e2e: stalled streams ended {:?} after they opened",
        opened.elapsed()
    );
    assert_all_closed(&stalled, Duration::from_secs(30));
}

#[test]
fn slowloris_connections_are_cut_by_the_header_timeout_while_others_are_served() {
    let Some(app) =
        fixture("slowloris_connections_are_cut_by_the_header_timeout_while_others_are_served")
    else {
        return;
    };
    let runner = start(&app, &["--header-timeout-ms", "1000"]);
    let opened = Instant::now();
    let slow: Vec<TcpStream> = (0..1000)
        .map(|_| {
            let mut s = TcpStream::connect(runner.addr).unwrap();
            s.write_all(b"GET /fault/ok HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
                .unwrap();
            s
        })
        .collect();
    let client = runner.client();
    for i in 0..10 {
        let t = Instant::now();
        assert_eq!(client.get("/fault/ok").status(), 200);
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "request {i}: {:?}",
            t.elapsed()
        );
    }
    assert_all_closed(&slow, Duration::from_secs(10));
    eprintln!(
        "e2e: 1000 slow heads cut, {:?} after opening",
        opened.elapsed()
    );
    assert_eq!(
        runner.metric("instances_started"),
        10,
        "no slow head reached a guest"
    );
}

#[test]
fn oversized_heads_get_431_and_oversized_bodies_413_or_a_cut_stream() {
    let Some(app) = fixture("oversized_heads_get_431_and_oversized_bodies_413_or_a_cut_stream")
    else {
        return;
    };
    let runner = start(&app, &["--max-request-body", "1024"]);
    let client = runner.client();
    let big = format!(
        "GET /fault/ok HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(20 << 10)
    );
    let r = client.send_raw("GET", big.as_bytes()).unwrap();
    assert_eq!(r.status(), 431, "20 KiB header");
    let many: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
    let raw = format!("GET /fault/ok HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    assert_eq!(
        client.send_raw("GET", raw.as_bytes()).unwrap().status(),
        431,
        "150 headers"
    );

    let post = |len: usize, body: &str| {
        format!("POST /fault/body HTTP/1.1\r\nHost: x\r\ncontent-length: {len}\r\n\r\n{body}")
    };
    let r = client.send_raw("POST", post(2048, "").as_bytes()).unwrap();
    assert_eq!(r.status(), 413, "{}", r.text());
    assert_eq!(r.text().lines().count(), 1, "{}", r.text());
    let ok = "x".repeat(1000);
    let r = client.send_raw("POST", post(1000, &ok).as_bytes()).unwrap();
    assert_eq!(r.text(), "read 1000 bytes\n");
    // A chunked body gives no length up front: the guest's read fails at
    // the bound instead.
    let chunk = "y".repeat(2048);
    let raw = format!(
        "POST /fault/body HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    let r = client.send_raw("POST", raw.as_bytes()).unwrap();
    assert_eq!(r.status(), 400, "{}", r.text());
    assert!(r.text().starts_with("body error"), "{}", r.text());
    assert_eq!(
        runner.metric("instances_started"),
        2,
        "only bodies within the bound ran"
    );
}

/// Open file descriptors of process `pid`.
fn open_fds(pid: u32) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count() as u64
}

/// CPU time (user + system) of process `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    // utime and stime are fields 14 and 15 of stat(5); 0-based 11, 12 here.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn running_out_of_file_descriptors_backs_off_and_recovers() {
    let Some(app) = fixture("running_out_of_file_descriptors_backs_off_and_recovers") else {
        return;
    };
    let runner = start(&app, &["--header-timeout-ms", "60000"]);
    let pid = runner.pid();
    assert_eq!(runner.client().get("/fault/ok").status(), 200);
    let limit = open_fds(pid) + 10;
    let rl = libc::rlimit {
        rlim_cur: limit,
        rlim_max: limit,
    };
    // SAFETY: prlimit reads `rl` and writes nothing (old limit pointer null).
    let rc = unsafe {
        libc::prlimit(
            pid as libc::pid_t,
            libc::RLIMIT_NOFILE,
            &rl,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0, "prlimit: {}", std::io::Error::last_os_error());
    let idle: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(runner.addr).unwrap())
        .collect();
    let cpu_before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(2));
    let busy = cpu_ticks(pid) - cpu_before;
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    assert!(
        busy < per_second / 2,
        "the accept loop burnt {busy} ticks in 2 s out of descriptors"
    );
    let mut runner = runner;
    assert!(!runner.has_exited(), "runner exited");
    drop(idle);
    let started = Instant::now();
    let ok = loop {
        let attempt = runner
            .client()
            .send_raw("GET", b"GET /fault/ok HTTP/1.1\r\nHost: x\r\n\r\n")
            .map(|r| r.status());
        if attempt.as_ref().is_ok_and(|s| *s == 200) || started.elapsed() > Duration::from_secs(10)
        {
            break attempt;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        ok.ok(),
        Some(200),
        "no recovery after descriptors came back"
    );
    // The episode is over once accepts succeed for a second without failing.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(runner.client().get("/fault/ok").status(), 200);
    let lines = stderr_lines(&runner, Duration::from_millis(200));
    let failed: Vec<_> = lines
        .iter()
        .filter(|l| l.contains("accept failed"))
        .collect();
    assert_eq!(failed.len(), 1, "one line per episode: {lines:?}");
    assert!(failed[0].contains("open files"), "{}", failed[0]);
    let recovered = lines
        .iter()
        .filter(|l| l.contains("accepting connections again"))
        .count();
    assert_eq!(recovered, 1, "{lines:?}");
}
