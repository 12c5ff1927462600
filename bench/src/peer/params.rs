//! The `/sse` request contract shared with the component: query parameters
//! `interval`, `count`, `heartbeat`, `lastEventId` and the `Last-Event-ID`
//! header, validated into a [`StreamPlan`] or a one-line 4xx reason.

use std::time::Duration;

/// Defaults taken from the component's environment contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    pub interval_ms: u64,
    pub retry_ms: u64,
    pub heartbeat_ms: u64,
    pub messages: Vec<String>,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            interval_ms: 1000,
            retry_ms: 3000,
            heartbeat_ms: 15_000,
            messages: [
                "Hello from Spin!",
                "Streaming with SSE",
                "WebAssembly is neat",
                "Goodbye for now",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// What to stream for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPlan {
    pub interval: Duration,
    pub heartbeat: Duration,
    /// First id to send (1-based).
    pub first_id: u64,
    /// Final id.
    pub last_id: u64,
}

/// The outcome of validating a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Stream(StreamPlan),
    /// Last-Event-ID was the final id: nothing left, answer 204.
    NothingLeft,
    /// 400 with this one-line reason.
    BadRequest(String),
}

fn ranged(name: &str, raw: &str, lo: u64, hi: u64) -> Result<u64, String> {
    match raw.parse::<u64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(format!(
            "{name} must be an integer in {lo}..={hi}, got `{raw}`"
        )),
    }
}

/// Validates the query string and the `Last-Event-ID` header.
pub fn plan(query: Option<&str>, last_event_id_header: Option<&str>, d: &Defaults) -> Plan {
    match try_plan(query, last_event_id_header, d) {
        Ok(p) => p,
        Err(why) => Plan::BadRequest(why),
    }
}

fn try_plan(query: Option<&str>, header: Option<&str>, d: &Defaults) -> Result<Plan, String> {
    let mut interval = d.interval_ms;
    let mut count = d.messages.len() as u64;
    let mut heartbeat = d.heartbeat_ms;
    let mut query_last = None;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "interval" => interval = ranged("interval", v, 0, 60_000)?,
            "count" => count = ranged("count", v, 1, 1_000_000)?,
            "heartbeat" => heartbeat = ranged("heartbeat", v, 100, 600_000)?,
            "lastEventId" => query_last = Some(v.to_string()),
            _ => {}
        }
    }
    let last = header.map(str::to_string).or(query_last);
    let first_id = match last.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(raw) => {
            let k = ranged("Last-Event-ID", raw, 0, count)?;
            if k == count {
                return Ok(Plan::NothingLeft);
            }
            k + 1
        }
    };
    Ok(Plan::Stream(StreamPlan {
        interval: Duration::from_millis(interval),
        heartbeat: Duration::from_millis(heartbeat),
        first_id,
        last_id: count,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str, h: Option<&str>) -> Plan {
        plan(Some(q), h, &Defaults::default())
    }

    #[test]
    fn defaults_stream_the_four_messages_at_one_second() {
        let Plan::Stream(s) = plan(None, None, &Defaults::default()) else {
            panic!()
        };
        assert_eq!((s.first_id, s.last_id), (1, 4));
        assert_eq!(s.interval, Duration::from_millis(1000));
    }

    #[test]
    fn resume_continues_after_last_event_id() {
        let Plan::Stream(s) = p("count=10&lastEventId=3", None) else {
            panic!()
        };
        assert_eq!(s.first_id, 4);
    }

    #[test]
    fn header_wins_over_query() {
        let Plan::Stream(s) = p("count=10&lastEventId=3", Some("5")) else {
            panic!()
        };
        assert_eq!(s.first_id, 6);
    }

    #[test]
    fn resume_after_last_id_answers_204() {
        assert_eq!(p("count=10", Some("10")), Plan::NothingLeft);
    }

    #[test]
    fn out_of_range_or_malformed_values_are_400() {
        for q in [
            "interval=60001",
            "count=0",
            "count=1000001",
            "heartbeat=99",
            "interval=x",
            "lastEventId=-1",
        ] {
            assert!(matches!(p(q, None), Plan::BadRequest(_)), "{q}");
        }
        assert!(matches!(p("count=4", Some("5")), Plan::BadRequest(_)));
        let Plan::BadRequest(why) = p("count=abc", None) else {
            panic!()
        };
        assert!(!why.contains('\n'));
    }
}
