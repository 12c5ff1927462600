//! Test fixture for the runner's variables and outbound Redis: a Spin HTTP
//! component that does what each request asks and answers JSON.
//!
//! - `GET /variables/<name>`: `spin_sdk::variables::get` →
//!   `{"ok": value}` or `{"error": "invalid-name"|"undefined"|…, "message"}`;
//! - `GET /config/<name>`: `wasi:config/store` `get` → `{"ok": value|null}`;
//!   `GET /config`: `get-all` → `{"ok": [[name, value], …]}`;
//! - `POST /redis` with `{"address"?, "calls": [call, …]}`: opens one
//!   connection (`address`, else the component variable `redis_address`)
//!   and runs the calls in order on it, answering `{"results": [outcome, …]}`
//!   (an `open` failure answers `{"open": error}`). A call is
//!   `{"op": "publish"|"get"|"set"|"incr"|"del"|"sadd"|"smembers"|"srem"|"execute", …}`
//!   with `key`, `keys`, `value`, `values`, `channel`, `command`, `args`
//!   (strings, or integers for `int64` parameters) as the op needs;
//!   `{"op": "open", "count": n}` opens n more connections and reports how
//!   many succeeded and the first error.
//!
//! Layout: [`calls`] turns the JSON into typed calls and outcomes back into
//! JSON (pure, tested natively); the wasm-only `p2` module (WASI 0.2) does I/O.

pub mod calls;

/// The Spin entry point (wasm only; natively the crate is just [`calls`]).
#[cfg(target_arch = "wasm32")]
mod p2 {
    use super::calls::{self, Call, Outcome};
    use serde_json::{json, Value};
    use spin_sdk::http::{IntoResponse, Request, Response};
    use spin_sdk::redis::{Connection, Error as RedisError, RedisParameter};
    use spin_sdk::variables;
    use spin_sdk::wit::wasi::config::store;

    fn answer(status: u16, body: Value) -> Response {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(body.to_string())
            .build()
    }

    #[spin_sdk::http_component]
    fn handle(req: Request) -> anyhow::Result<impl IntoResponse> {
        let path = req.path().to_string();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        Ok(
            match (req.method().to_string().as_str(), segments.as_slice()) {
                ("GET", ["variables", name]) => answer(200, variable(name)),
                ("GET", ["config", name]) => answer(200, config(name)),
                ("GET", ["config"]) => answer(200, config_all()),
                ("POST", ["redis"]) => match calls::parse_request(req.body()) {
                    Ok((address, list)) => answer(200, redis(address, &list)),
                    Err(e) => answer(400, json!({ "bad_request": e })),
                },
                _ => answer(404, json!({ "not_found": path })),
            },
        )
    }

    fn variable(name: &str) -> Value {
        match variables::get(name) {
            Ok(v) => json!({ "ok": v }),
            Err(variables::Error::InvalidName(m)) => calls::error("invalid-name", &m),
            Err(variables::Error::Undefined(m)) => calls::error("undefined", &m),
            Err(variables::Error::Provider(m)) => calls::error("provider", &m),
            Err(variables::Error::Other(m)) => calls::error("other", &m),
        }
    }

    fn config_error(e: store::Error) -> Value {
        match e {
            store::Error::Upstream(m) => calls::error("upstream", &m),
            store::Error::Io(m) => calls::error("io", &m),
        }
    }

    fn config(name: &str) -> Value {
        match store::get(name) {
            Ok(v) => json!({ "ok": v }),
            Err(e) => config_error(e),
        }
    }

    fn config_all() -> Value {
        match store::get_all() {
            Ok(v) => json!({ "ok": v }),
            Err(e) => config_error(e),
        }
    }

    fn redis_error(e: RedisError) -> Outcome {
        match e {
            RedisError::InvalidAddress => Outcome::Error("invalid-address", String::new()),
            RedisError::TooManyConnections => Outcome::Error("too-many-connections", String::new()),
            RedisError::TypeError => Outcome::Error("type-error", String::new()),
            RedisError::Other(m) => Outcome::Error("other", m),
        }
    }

    fn redis(address: Option<String>, list: &[Call]) -> Value {
        let address = match address
            .map(Ok)
            .unwrap_or_else(|| variables::get("redis_address"))
        {
            Ok(a) => a,
            Err(e) => return json!({ "open": calls::error("no-address", &e.to_string()) }),
        };
        let conn = match Connection::open(&address) {
            Ok(c) => c,
            Err(e) => return json!({ "open": redis_error(e).to_json() }),
        };
        let mut extra = Vec::new();
        let results: Vec<Value> = list
            .iter()
            .map(|call| run(&conn, &address, call, &mut extra).to_json())
            .collect();
        json!({ "results": results })
    }

    fn reply(r: spin_sdk::redis::RedisResult) -> calls::Reply {
        use spin_sdk::redis::RedisResult as R;
        match r {
            R::Nil => calls::Reply::Nil,
            R::Status(s) => calls::Reply::Status(s),
            R::Int64(i) => calls::Reply::Int(i),
            R::Binary(b) => calls::Reply::Bytes(b),
        }
    }

    fn run(conn: &Connection, address: &str, call: &Call, extra: &mut Vec<Connection>) -> Outcome {
        let r = match call {
            Call::Publish { channel, value } => {
                conn.publish(channel, value).map(|()| Outcome::Done)
            }
            Call::Get { key } => conn.get(key).map(Outcome::Bytes),
            Call::Set { key, value } => conn.set(key, value).map(|()| Outcome::Done),
            Call::Incr { key } => conn.incr(key).map(Outcome::Int),
            Call::Del { keys } => conn.del(keys).map(|n| Outcome::Int(n.into())),
            Call::Sadd { key, values } => conn.sadd(key, values).map(|n| Outcome::Int(n.into())),
            Call::Smembers { key } => conn.smembers(key).map(Outcome::Strings),
            Call::Srem { key, values } => conn.srem(key, values).map(|n| Outcome::Int(n.into())),
            Call::Execute { command, args } => {
                let params: Vec<RedisParameter> = args
                    .iter()
                    .map(|a| match a {
                        calls::Arg::Int(i) => RedisParameter::Int64(*i),
                        calls::Arg::Bytes(b) => RedisParameter::Binary(b.clone()),
                    })
                    .collect();
                conn.execute(command, &params)
                    .map(|rs| Outcome::Results(rs.into_iter().map(reply).collect()))
            }
            Call::Open { count } => {
                let mut opened = 0;
                for _ in 0..*count {
                    match Connection::open(address) {
                        Ok(c) => {
                            extra.push(c);
                            opened += 1;
                        }
                        Err(e) => return Outcome::Opened(opened, Some(Box::new(redis_error(e)))),
                    }
                }
                Ok(Outcome::Opened(opened, None))
            }
        };
        r.unwrap_or_else(redis_error)
    }
}
