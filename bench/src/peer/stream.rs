//! The event stream body for one [`StreamPlan`]: the first event (with the
//! `retry` field) at once, then one event per interval until the last id,
//! with `: keep-alive` comments when the interval is longer than the
//! heartbeat. Frames come from `sse-encoder`; each message's JSON payload is
//! serialised once, as the component does.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::stream::{self, Stream};
use sse_encoder::Event;
use tokio::time::Instant;

use super::params::StreamPlan;

/// `{"message":"..."}` for each message.
pub fn payloads(messages: &[String]) -> Vec<String> {
    messages
        .iter()
        .map(|m| serde_json::json!({ "message": m }).to_string())
        .collect()
}

/// Frame for event `id` (1-based), cycling through `payloads`; the first
/// frame of a stream carries `retry`.
pub fn event_frame(id: u64, payloads: &[String], retry: Option<Duration>) -> Bytes {
    let data = &payloads[((id - 1) % payloads.len() as u64) as usize];
    let mut ev = Event::new();
    if let Some(r) = retry {
        ev = ev.retry(r);
    }
    Bytes::from(
        ev.id(&id.to_string())
            .event("message")
            .data(data)
            .into_bytes(),
    )
}

struct State {
    /// Next id to send; `None` once the last one went out.
    next: Option<u64>,
    first: bool,
    due: Instant,
    plan: StreamPlan,
    payloads: Arc<Vec<String>>,
    retry: Duration,
}

/// The body stream; it ends after the final id.
pub fn body(
    plan: StreamPlan,
    payloads: Arc<Vec<String>>,
    retry_ms: u64,
) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Send {
    let state = State {
        next: Some(plan.first_id),
        first: true,
        due: Instant::now(),
        plan,
        payloads,
        retry: Duration::from_millis(retry_ms),
    };
    stream::unfold(state, |mut s| async move {
        let id = s.next?;
        let now = Instant::now();
        if s.due > now {
            let beat = now + s.plan.heartbeat;
            if beat < s.due {
                tokio::time::sleep_until(beat).await;
                return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), s));
            }
            tokio::time::sleep_until(s.due).await;
        }
        s.due += s.plan.interval;
        s.next = (id < s.plan.last_id).then_some(id + 1);
        let retry = std::mem::take(&mut s.first).then_some(s.retry);
        let frame = event_frame(id, &s.payloads, retry);
        Some((Ok(frame), s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn msgs() -> Arc<Vec<String>> {
        Arc::new(payloads(&["a".into(), "b\"q".into()]))
    }

    #[test]
    fn event_frames_cycle_messages_with_json_data() {
        let retry = Some(Duration::from_millis(3000));
        assert_eq!(
            &event_frame(1, &msgs(), retry)[..],
            b"retry: 3000\nid: 1\nevent: message\ndata: {\"message\":\"a\"}\n\n"
        );
        assert_eq!(
            &event_frame(4, &msgs(), None)[..],
            b"id: 4\nevent: message\ndata: {\"message\":\"b\\\"q\"}\n\n"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn stream_sends_first_id_with_retry_then_one_per_interval_then_ends() {
        let plan = StreamPlan {
            interval: Duration::from_millis(1000),
            heartbeat: Duration::from_millis(15_000),
            first_id: 3,
            last_id: 5,
        };
        let started = Instant::now();
        let frames: Vec<Bytes> = body(plan, msgs(), 3000).map(|r| r.unwrap()).collect().await;
        assert!(frames[0].starts_with(b"retry: 3000\nid: 3\n"));
        assert!(frames[1].starts_with(b"id: 4\n"));
        assert!(frames[2].starts_with(b"id: 5\n"));
        assert_eq!(frames.len(), 3);
        assert_eq!(
            started.elapsed(),
            Duration::from_millis(2000),
            "first at once, then one per interval"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn long_intervals_get_keep_alive_comments() {
        let plan = StreamPlan {
            interval: Duration::from_millis(2500),
            heartbeat: Duration::from_millis(1000),
            first_id: 1,
            last_id: 2,
        };
        let frames: Vec<Bytes> = body(plan, msgs(), 3000).map(|r| r.unwrap()).collect().await;
        let beats = frames
            .iter()
            .filter(|f| &f[..] == b": keep-alive\n\n")
            .count();
        assert_eq!(beats, 2);
        assert!(frames.last().unwrap().starts_with(b"id: 2\n"));
    }
}
