//! Outbound Redis through the runner against a real `redis-server`: every
//! call of `fermyon:spin/redis`, reply flattening and refused reply types, a
//! refused address (Spin's error plus one stderr line), `rediss://` over
//! TLS, the per-instance
//! connection limit, a blocking `XREAD BLOCK 2000` that holds only its own
//! instance, and 10,000 short requests that leave no connection open.

use super::support::redis::{shared, RedisServer};
use super::support::redis_app::{post_json, FixtureApp, FixtureManifest};
use super::support::RunnerOptions;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The fixture allowed to reach `redis` only.
fn app_for(test: &str, redis: &RedisServer) -> Option<FixtureApp> {
    let allowed = format!("allowed_outbound_hosts = [\"{}\"]", redis.url());
    let address = format!("variables = {{ redis_address = \"{}\" }}", redis.url());
    let component = [allowed.as_str(), address.as_str()];
    let manifest = FixtureManifest {
        variables: &[],
        component: &component,
    };
    FixtureApp::start(test, &manifest, RunnerOptions::default())
}

/// Runs `calls` on one connection; their outcomes.
fn run(f: &FixtureApp, calls: Value) -> Vec<Value> {
    let got = f.redis(&json!({ "calls": calls }));
    got["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {got}"))
        .clone()
}

/// Waits until `pred` holds (polling), or panics with `what`.
fn eventually(what: &str, timeout: Duration, mut pred: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !pred() {
        assert!(Instant::now() < deadline, "{what} within {timeout:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_call_works_against_the_real_server() {
    let redis = shared();
    let Some(f) = app_for("redis-calls", redis) else {
        return;
    };
    let got = run(
        &f,
        json!([
            { "op": "set", "key": "calls:s", "value": "v1" },
            { "op": "get", "key": "calls:s" },
            { "op": "get", "key": "calls:missing" },
            { "op": "incr", "key": "calls:n" },
            { "op": "incr", "key": "calls:n" },
            { "op": "sadd", "key": "calls:set", "values": ["b", "a", "b"] },
            { "op": "smembers", "key": "calls:set" },
            { "op": "srem", "key": "calls:set", "values": ["a", "zz"] },
            { "op": "smembers", "key": "calls:set" },
            { "op": "del", "keys": ["calls:s", "calls:n", "calls:none"] },
            { "op": "get", "key": "calls:s" },
        ]),
    );
    assert_eq!(
        got,
        [
            json!({ "ok": null }),
            json!({ "ok": "v1" }),
            json!({ "ok": null }),
            json!({ "ok": 1 }),
            json!({ "ok": 2 }),
            json!({ "ok": 2 }),
            json!({ "ok": ["a", "b"] }),
            json!({ "ok": 1 }),
            json!({ "ok": ["b"] }),
            json!({ "ok": 2 }),
            json!({ "ok": null }),
        ]
    );
    assert_eq!(redis.cmd(&["SMEMBERS", "calls:set"]), "b");
}

#[test]
fn rediss_connects_over_tls() {
    let redis = RedisServer::start_tls();
    let Some(f) = app_for("redis-tls", &redis) else {
        return;
    };
    // The test certificate is self-signed: `#insecure` skips verification.
    let address = format!("{}/#insecure", redis.url());
    let got = f.redis(&json!({ "address": address, "calls": [
        { "op": "set", "key": "tls:k", "value": "over tls" },
        { "op": "get", "key": "tls:k" },
    ] }));
    assert_eq!(
        got["results"],
        json!([{ "ok": null }, { "ok": "over tls" }]),
        "{got}"
    );
    assert_eq!(redis.cmd(&["GET", "tls:k"]), "over tls");
    // Without it the self-signed certificate is rejected.
    let got = f.redis(&json!({ "address": redis.url(), "calls": [] }));
    assert_eq!(got["open"]["error"], "other", "{got}");
}

#[test]
fn wrong_types_get_spins_errors() {
    let redis = shared();
    let Some(f) = app_for("redis-types", redis) else {
        return;
    };
    redis.cmd(&["SET", "types:str", "x"]);
    let got = run(
        &f,
        json!([
            { "op": "incr", "key": "types:str" },
            { "op": "sadd", "key": "types:str", "values": ["a"] },
        ]),
    );
    assert_eq!(got[0]["error"], "other", "{got:?}");
    assert!(
        got[0]["message"]
            .as_str()
            .unwrap()
            .contains("not an integer"),
        "{got:?}"
    );
    assert!(
        got[1]["error"] == "type-error" || got[1]["error"] == "other",
        "{got:?}"
    );
    assert!(
        got[1].to_string().contains("WRONGTYPE") || got[1]["error"] == "type-error",
        "{got:?}"
    );
}

#[test]
fn publish_reaches_a_subscriber() {
    let redis = shared();
    let Some(f) = app_for("redis-publish", redis) else {
        return;
    };
    let mut sub = Command::new("redis-cli")
        .args(["-p", &redis.port().to_string(), "SUBSCRIBE", "publish:chan"])
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .expect("redis-cli SUBSCRIBE");
    let (tx, rx) = std::sync::mpsc::channel();
    let out = sub.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    eventually(
        "the subscriber is registered",
        Duration::from_secs(10),
        || {
            redis
                .cmd(&["PUBSUB", "NUMSUB", "publish:chan"])
                .ends_with('1')
        },
    );
    let got = run(
        &f,
        json!([{ "op": "publish", "channel": "publish:chan", "value": "hi there" }]),
    );
    assert_eq!(got, [json!({ "ok": null })]);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l == "hi there") && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push(line);
        }
    }
    let _ = sub.kill();
    let _ = sub.wait();
    assert!(
        seen.iter().any(|l| l == "hi there"),
        "subscriber saw {seen:?}"
    );
}

#[test]
fn execute_flattens_nested_replies_in_order() {
    let redis = shared();
    let Some(f) = app_for("redis-execute", redis) else {
        return;
    };
    let got = run(
        &f,
        json!([
            { "op": "execute", "command": "DEL", "args": ["exec:stream"] },
            { "op": "execute", "command": "XADD", "args": ["exec:stream", "1-1", "f", "v"] },
            { "op": "execute", "command": "XRANGE", "args": ["exec:stream", "-", "+"] },
            { "op": "execute", "command": "SET", "args": ["exec:k", "v"] },
            { "op": "execute", "command": "EXPIRE", "args": ["exec:k", 100] },
            { "op": "execute", "command": "GET", "args": ["exec:none"] },
            { "op": "execute", "command": "NOSUCHCOMMAND", "args": [] },
        ]),
    );
    assert_eq!(got[1], json!({ "ok": [{ "binary": "1-1" }] }));
    assert_eq!(
        got[2],
        json!({ "ok": [{ "binary": "1-1" }, { "binary": "f" }, { "binary": "v" }] })
    );
    assert_eq!(got[3], json!({ "ok": [{ "status": "OK" }] }));
    assert_eq!(got[4], json!({ "ok": [{ "int64": 1 }] }));
    assert_eq!(got[5], json!({ "ok": [{ "nil": null }] }));
    assert_eq!(got[6]["error"], "other", "{got:?}");
}

#[test]
fn map_replies_are_refused_like_spin() {
    let redis = shared();
    let Some(f) = app_for("redis-map", redis) else {
        return;
    };
    redis.cmd(&["HSET", "map:h", "f", "v"]);
    // RESP3 makes HGETALL answer a map.
    let address = format!("{}/?protocol=resp3", redis.url());
    let got = f.redis(&json!({ "address": address, "calls": [
        { "op": "execute", "command": "HGETALL", "args": ["map:h"] },
    ] }));
    let outcome = &got["results"][0];
    assert_eq!(outcome["error"], "other", "{got}");
    assert!(
        outcome["message"]
            .as_str()
            .unwrap()
            .contains("Map type is not supported"),
        "{got}"
    );
}

#[test]
fn refused_address_gets_spins_error_and_one_stderr_line() {
    let redis = shared();
    let Some(f) = app_for("redis-refused", redis) else {
        return;
    };
    let got = f.redis(&json!({ "address": "redis://127.0.0.1:1", "calls": [] }));
    assert_eq!(got["open"]["error"], "invalid-address", "{got}");
    let line = f
        .runner
        .stderr
        .wait_for(Duration::from_secs(5), |l| l.contains("refused"))
        .expect("a refusal line on stderr");
    assert!(line.starts_with("[redis] "), "{line}");
    assert!(line.contains("redis://127.0.0.1:1"), "{line}");
    assert!(
        line.contains("`component.redis.allowed_outbound_hosts`"),
        "{line}"
    );
    let refusals = f
        .runner
        .stderr
        .snapshot()
        .iter()
        .filter(|l| l.contains("refused"))
        .count();
    assert_eq!(refusals, 1);
    let got = f.redis(&json!({ "address": "not a url", "calls": [] }));
    assert_eq!(got["open"]["error"], "invalid-address", "{got}");
}

#[test]
fn an_instance_holds_at_most_1024_connections_and_closes_them_at_the_end() {
    let redis = RedisServer::start();
    let Some(f) = app_for("redis-limit", &redis) else {
        return;
    };
    let baseline = redis.connected_clients();
    let got = run(&f, json!([{ "op": "open", "count": 1100 }]));
    assert_eq!(got[0]["opened"], 1023, "{got:?}");
    assert_eq!(got[0]["error"]["error"], "too-many-connections", "{got:?}");
    eventually(
        "connections closed after the instance",
        Duration::from_secs(10),
        || redis.connected_clients() == baseline,
    );
}

#[test]
fn blocking_xread_holds_only_its_own_instance() {
    let redis = shared();
    let Some(f) = app_for("redis-xread", redis) else {
        return;
    };
    let client = f.client();
    let blocked = std::thread::spawn(move || {
        let start = Instant::now();
        let got = post_json(
            &client,
            "/redis",
            &json!({ "calls": [{ "op": "execute", "command": "XREAD",
                "args": ["BLOCK", 2000, "STREAMS", "xread:never", "$"] }] }),
        );
        (got, start.elapsed(), Instant::now())
    });
    std::thread::sleep(Duration::from_millis(200));
    let mut slowest = Duration::ZERO;
    for i in 0..50 {
        let t = Instant::now();
        let got = run(&f, json!([{ "op": "incr", "key": "xread:meanwhile" }]));
        assert!(got[0]["ok"].is_i64(), "request {i}: {got:?}");
        slowest = slowest.max(t.elapsed());
    }
    let meanwhile_done = Instant::now();
    let (got, waited, blocked_done) = blocked.join().unwrap();
    assert_eq!(
        got["results"][0],
        json!({ "ok": [{ "nil": null }] }),
        "{got}"
    );
    assert!(
        waited >= Duration::from_millis(1900),
        "XREAD BLOCK 2000 returned after {waited:?}"
    );
    assert!(
        meanwhile_done < blocked_done,
        "the 50 requests waited for the blocked one"
    );
    assert!(
        slowest < Duration::from_secs(1),
        "slowest request meanwhile: {slowest:?}"
    );
}

#[test]
fn ten_thousand_short_requests_leave_no_connection_open() {
    let redis = RedisServer::start();
    let Some(f) = app_for("redis-10k", &redis) else {
        return;
    };
    let baseline = redis.connected_clients();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let client = f.client();
            std::thread::spawn(move || {
                for i in 0..1250 {
                    let got = post_json(
                        &client,
                        "/redis",
                        &json!({ "calls": [{ "op": "get", "key": "10k" }] }),
                    );
                    assert_eq!(
                        got["results"][0],
                        json!({ "ok": null }),
                        "thread {t} request {i}"
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    eventually(
        "connected_clients back at baseline",
        Duration::from_secs(10),
        || redis.connected_clients() == baseline,
    );
    eventually(
        "all 10,000 instances finished",
        Duration::from_secs(10),
        || f.runner.metric("instances_finished") == 10_000,
    );
}
