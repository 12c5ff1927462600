//! The fixture's request and answer JSON (pure): typed calls from the
//! `POST /redis` body, outcomes back to JSON.

use serde_json::{json, Value};

/// One Redis call a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Publish { channel: String, value: Vec<u8> },
    Get { key: String },
    Set { key: String, value: Vec<u8> },
    Incr { key: String },
    Del { keys: Vec<String> },
    Sadd { key: String, values: Vec<String> },
    Smembers { key: String },
    Srem { key: String, values: Vec<String> },
    Execute { command: String, args: Vec<Arg> },
    Open { count: u32 },
}

/// An `execute` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Int(i64),
    Bytes(Vec<u8>),
}

/// One value of an `execute` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Nil,
    Status(String),
    Int(i64),
    Bytes(Vec<u8>),
}

/// What a call gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Int(i64),
    Bytes(Option<Vec<u8>>),
    Strings(Vec<String>),
    Results(Vec<Reply>),
    /// Connections opened, and the error that stopped the rest.
    Opened(u32, Option<Box<Outcome>>),
    /// Error case name and message.
    Error(&'static str, String),
}

/// `{"error": name, "message": message}`.
pub fn error(name: &str, message: &str) -> Value {
    json!({ "error": name, "message": message })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Outcome {
    /// The answer JSON for this outcome.
    pub fn to_json(&self) -> Value {
        match self {
            Outcome::Done => json!({ "ok": null }),
            Outcome::Int(n) => json!({ "ok": n }),
            Outcome::Bytes(b) => json!({ "ok": b.as_deref().map(text) }),
            Outcome::Strings(s) => {
                let mut s = s.clone();
                s.sort();
                json!({ "ok": s })
            }
            Outcome::Results(rs) => json!({
                "ok": rs.iter().map(|r| match r {
                    Reply::Nil => json!({ "nil": null }),
                    Reply::Status(s) => json!({ "status": s }),
                    Reply::Int(i) => json!({ "int64": i }),
                    Reply::Bytes(b) => json!({ "binary": text(b) }),
                }).collect::<Vec<_>>()
            }),
            Outcome::Opened(n, err) => json!({
                "opened": n,
                "error": err.as_ref().map(|e| e.to_json()),
            }),
            Outcome::Error(name, message) => error(name, message),
        }
    }
}

/// `{"address"?: string, "calls": [call, …]}` → the address and the calls.
pub fn parse_request(body: &[u8]) -> Result<(Option<String>, Vec<Call>), String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
    let address = match v.get("address") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("`address` must be a string".into()),
    };
    let calls = v
        .get("calls")
        .and_then(Value::as_array)
        .ok_or("`calls` must be a list")?
        .iter()
        .map(parse_call)
        .collect::<Result<_, _>>()?;
    Ok((address, calls))
}

fn parse_call(v: &Value) -> Result<Call, String> {
    let s = |k: &str| -> Result<String, String> {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("call {v}: `{k}` must be a string"))
    };
    let list = |k: &str| -> Result<Vec<String>, String> {
        v.get(k)
            .and_then(Value::as_array)
            .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect())
            .ok_or_else(|| format!("call {v}: `{k}` must be a list of strings"))
    };
    Ok(match s("op")?.as_str() {
        "publish" => Call::Publish {
            channel: s("channel")?,
            value: s("value")?.into_bytes(),
        },
        "get" => Call::Get { key: s("key")? },
        "set" => Call::Set {
            key: s("key")?,
            value: s("value")?.into_bytes(),
        },
        "incr" => Call::Incr { key: s("key")? },
        "del" => Call::Del {
            keys: list("keys")?,
        },
        "sadd" => Call::Sadd {
            key: s("key")?,
            values: list("values")?,
        },
        "smembers" => Call::Smembers { key: s("key")? },
        "srem" => Call::Srem {
            key: s("key")?,
            values: list("values")?,
        },
        "execute" => Call::Execute {
            command: s("command")?,
            args: v
                .get("args")
                .and_then(Value::as_array)
                .map(|a| a.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|a| match a {
                    Value::String(t) => Ok(Arg::Bytes(t.clone().into_bytes())),
                    Value::Number(n) => n.as_i64().map(Arg::Int).ok_or("integer args only"),
                    _ => Err("args are strings or integers"),
                })
                .collect::<Result<_, _>>()?,
        },
        "open" => Call::Open {
            count: v
                .get("count")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .ok_or("`count` must be a whole number")?,
        },
        other => return Err(format!("unknown op {other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_parse_with_their_arguments() {
        let body = br#"{"address":"redis://h:1","calls":[
            {"op":"set","key":"k","value":"v"},
            {"op":"execute","command":"XREAD","args":["BLOCK",2000,"STREAMS","s","$"]},
            {"op":"open","count":3}]}"#;
        let (address, calls) = parse_request(body).unwrap();
        assert_eq!(address.as_deref(), Some("redis://h:1"));
        assert_eq!(
            calls,
            [
                Call::Set {
                    key: "k".into(),
                    value: b"v".to_vec()
                },
                Call::Execute {
                    command: "XREAD".into(),
                    args: vec![
                        Arg::Bytes(b"BLOCK".to_vec()),
                        Arg::Int(2000),
                        Arg::Bytes(b"STREAMS".to_vec()),
                        Arg::Bytes(b"s".to_vec()),
                        Arg::Bytes(b"$".to_vec()),
                    ]
                },
                Call::Open { count: 3 }
            ]
        );
    }

    #[test]
    fn bad_requests_say_why() {
        assert!(parse_request(b"nope").unwrap_err().contains("not JSON"));
        assert!(parse_request(br#"{"calls":[{"op":"fly"}]}"#)
            .unwrap_err()
            .contains("unknown op"));
        assert!(parse_request(br#"{"calls":[{"op":"get"}]}"#)
            .unwrap_err()
            .contains("`key`"));
    }

    #[test]
    fn outcomes_render_as_json() {
        assert_eq!(Outcome::Bytes(None).to_json(), json!({ "ok": null }));
        assert_eq!(
            Outcome::Strings(vec!["b".into(), "a".into()]).to_json(),
            json!({ "ok": ["a", "b"] })
        );
        assert_eq!(
            Outcome::Results(vec![Reply::Nil, Reply::Int(2)]).to_json(),
            json!({ "ok": [{ "nil": null }, { "int64": 2 }] })
        );
        assert_eq!(
            Outcome::Error("type-error", String::new()).to_json()["error"],
            "type-error"
        );
    }
}
