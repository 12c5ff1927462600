//! The Redis Streams history against a private `redis-server` (Debian's
//! package), through a minimal RESP client that flattens replies the way
//! Spin's `execute` does. Skipped, with a printed reason, when
//! `redis-server` is not installed (fails instead when `CI` is set).

use mercure_hub::auth::authorize::Subscription;
use mercure_hub::protocol::selector;
use mercure_hub::protocol::update::Update;
use mercure_hub::transport::history::{self, History, Position};
use mercure_hub::transport::redis_streams::{Arg, Execute, RedisStreams, Reply};
use std::cell::RefCell;
use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::pin::pin;
use std::process::{Child, Command, Stdio};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server() -> Option<Server> {
    let binary = "/usr/bin/redis-server";
    if !std::path::Path::new(binary).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "redis-server is not installed"
        );
        eprintln!("SKIPPED: {binary} is not installed");
        return None;
    }
    // Two tests may pick the same free port: the second server then fails
    // to bind while the first answers. Only a server whose `dir` is ours
    // counts; otherwise try another port.
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(binary)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
            ])
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let ours = std::fs::canonicalize(dir.path()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            if server_dir(port).is_some_and(|d| std::path::Path::new(&d) == ours) {
                return Some(Server {
                    child,
                    port,
                    _dir: dir,
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("redis-server did not start on a port of its own in 5 tries");
}

/// The `dir` of the Redis server on `port` (`CONFIG GET dir`), if one answers.
fn server_dir(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream
        .write_all(b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$3\r\ndir\r\n")
        .ok()?;
    let mut reader = BufReader::new(stream);
    let mut lines = Vec::new();
    for _ in 0..5 {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        lines.push(line.trim_end().to_owned());
    }
    // *2, $3, dir, $N, <path>
    (lines[0] == "*2" && lines[2] == "dir").then(|| lines[4].clone())
}

struct Resp(RefCell<BufReader<TcpStream>>);

impl Resp {
    fn connect(port: u16) -> Self {
        Self(RefCell::new(BufReader::new(
            TcpStream::connect(("127.0.0.1", port)).unwrap(),
        )))
    }
}

fn read_value(reader: &mut BufReader<TcpStream>, out: &mut Vec<Reply>) -> Result<(), String> {
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    let (kind, rest) = line.trim_end().split_at(1);
    match kind {
        "+" => out.push(Reply::Status(rest.to_owned())),
        "-" => return Err(rest.to_owned()),
        ":" => out.push(Reply::Int(rest.parse().unwrap())),
        "$" if rest == "-1" => out.push(Reply::Nil),
        "$" => {
            let mut bytes = vec![0; rest.parse::<usize>().unwrap() + 2];
            reader.read_exact(&mut bytes).map_err(|e| e.to_string())?;
            bytes.truncate(bytes.len() - 2);
            out.push(Reply::Bytes(bytes));
        }
        "*" if rest == "-1" => out.push(Reply::Nil),
        "*" => {
            for _ in 0..rest.parse::<usize>().unwrap() {
                read_value(reader, out)?;
            }
        }
        other => return Err(format!("unexpected RESP type {other:?}")),
    }
    Ok(())
}

impl Execute for Resp {
    async fn execute(&self, command: &str, args: &[Arg]) -> Result<Vec<Reply>, String> {
        let mut request =
            format!("*{}\r\n${}\r\n{command}\r\n", args.len() + 1, command.len()).into_bytes();
        for arg in args {
            let bytes = match arg {
                Arg::Int(n) => n.to_string().into_bytes(),
                Arg::Bytes(b) => b.clone(),
            };
            request.extend(format!("${}\r\n", bytes.len()).as_bytes());
            request.extend(bytes);
            request.extend(b"\r\n");
        }
        let mut reader = self.0.borrow_mut();
        reader
            .get_mut()
            .write_all(&request)
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        read_value(&mut reader, &mut out)?;
        Ok(out)
    }
}

/// The answer of a call on [`Resp`] (synchronous, so ready at once).
fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a call on the blocking RESP client was not ready"),
    }
}

fn update(id: &str, topic: &str) -> Update {
    Update {
        id: id.into(),
        topics: vec![topic.into()],
        data: format!("data of {id}"),
        event_type: String::new(),
        retry: 0,
        private: false,
    }
}

fn ids(entries: &[history::Entry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e.update.as_ref().unwrap().id.clone())
        .collect()
}

#[test]
fn appended_updates_are_read_in_order_and_ids_resolve() {
    let Some(server) = server() else { return };
    let redis = RedisStreams::new(Resp::connect(server.port), "t1", 1000);
    ready(redis.ping()).unwrap();
    let first = ready(redis.append(&update("a", "/x"))).unwrap();
    ready(redis.append(&update("urn:uuid:b", "/y"))).unwrap();
    ready(redis.append(&update("c", "/x"))).unwrap();
    let all = ready(redis.read_after(&Position::start(), Duration::from_millis(100), 10)).unwrap();
    assert_eq!(ids(&all), ["a", "urn:uuid:b", "c"]);
    assert_eq!(all[0].position, first);
    let after_b = ready(redis.resolve("urn:uuid:b")).unwrap().unwrap();
    assert_eq!(
        ids(&ready(redis.read_after(&after_b, Duration::from_millis(100), 10)).unwrap()),
        ["c"]
    );
    assert_eq!(ready(redis.resolve("nope")).unwrap(), None);
    assert_eq!(ids(&ready(redis.latest(2)).unwrap()), ["c", "urn:uuid:b"]);
}

#[test]
fn blocking_read_times_out_empty_then_sees_a_later_append() {
    let Some(server) = server() else { return };
    let reader = RedisStreams::new(Resp::connect(server.port), "t2", 1000);
    let writer = RedisStreams::new(Resp::connect(server.port), "t2", 1000);
    let began = Instant::now();
    assert!(
        ready(reader.read_after(&Position::start(), Duration::from_millis(200), 10))
            .unwrap()
            .is_empty()
    );
    assert!(
        began.elapsed() >= Duration::from_millis(150),
        "XREAD BLOCK waited"
    );
    let port = server.port;
    let publisher = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        let writer2 = RedisStreams::new(Resp::connect(port), "t2", 1000);
        ready(writer2.append(&update("late", "/x"))).unwrap();
    });
    let read = ready(reader.read_after(&Position::start(), Duration::from_secs(10), 10)).unwrap();
    publisher.join().unwrap();
    assert_eq!(ids(&read), ["late"]);
    drop(writer);
}

#[test]
fn history_is_bounded_and_the_index_never_outlives_the_stream() {
    let Some(server) = server() else { return };
    let redis = RedisStreams::new(Resp::connect(server.port), "t3", 5);
    for n in 0..300 {
        ready(redis.append(&update(&format!("id-{n}"), "/x"))).unwrap();
    }
    let raw = Resp::connect(server.port);
    let len = |key: &str, command: &str| match ready(raw.execute(command, &[Arg::from(key)]))
        .unwrap()[..]
    {
        [Reply::Int(n)] => n,
        ref other => panic!("{other:?}"),
    };
    let stream_len = len("{t3}:updates", "XLEN");
    assert!(
        (5..=300).contains(&stream_len) && stream_len < 300,
        "approximate trim: {stream_len}"
    );
    assert_eq!(len("{t3}:ids", "HLEN"), 5);
    assert_eq!(len("{t3}:order", "LLEN"), 5);
    for n in 295..300 {
        let position = ready(redis.resolve(&format!("id-{n}")))
            .unwrap()
            .expect("newest ids resolve");
        let next = ready(redis.read_after(&position, Duration::from_millis(10), 1)).unwrap();
        assert_eq!(next.len(), usize::from(n != 299));
    }
    assert_eq!(ready(redis.resolve("id-0")).unwrap(), None);
}

#[test]
fn a_republished_id_resolves_to_its_newest_update() {
    let Some(server) = server() else { return };
    let redis = RedisStreams::new(Resp::connect(server.port), "t4", 2);
    ready(redis.append(&update("same", "/x"))).unwrap();
    let newer = ready(redis.append(&update("same", "/x"))).unwrap();
    ready(redis.append(&update("other", "/x"))).unwrap();
    // The first "same" left the index; its removal must not drop the newer one.
    assert_eq!(ready(redis.resolve("same")).unwrap(), Some(newer));
}

#[test]
fn subscriber_start_on_redis_replays_after_a_known_id() {
    let Some(server) = server() else { return };
    let redis = RedisStreams::new(Resp::connect(server.port), "t5", 100);
    for id in ["1", "2", "3"] {
        ready(redis.append(&update(id, "/x"))).unwrap();
    }
    let topics = selector::compile_all(["/x"]).unwrap();
    let anyone = Subscription::authorize(topics, None, None, true, 0.0).unwrap();
    let start = ready(history::start(&redis, Some("2"), &anyone)).unwrap();
    assert_eq!(start.last_event_id.as_deref(), Some("2"));
    assert_eq!(
        ids(&ready(redis.read_after(&start.after, Duration::from_millis(10), 10)).unwrap()),
        ["3"]
    );
    let live = ready(history::start(&redis, None, &anyone)).unwrap();
    assert!(
        ready(redis.read_after(&live.after, Duration::from_millis(10), 10))
            .unwrap()
            .is_empty()
    );
}
