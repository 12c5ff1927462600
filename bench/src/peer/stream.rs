//! The event stream body for one [`StreamPlan`]: a `retry` frame, then event
//! n every interval until the last id, with `: keep-alive` comments when the
//! interval is longer than the heartbeat. Frames come from `sse-encoder`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::stream::{self, Stream};
use sse_encoder::Event;
use tokio::time::Instant;

use super::params::StreamPlan;

/// Frame for event `id` (1-based), cycling through `messages`.
pub fn event_frame(id: u64, messages: &[String]) -> Bytes {
    let msg = &messages[((id - 1) % messages.len() as u64) as usize];
    let data = serde_json::json!({ "message": msg }).to_string();
    Bytes::from(
        Event::new()
            .id(&id.to_string())
            .event("message")
            .data(&data)
            .into_bytes(),
    )
}

/// The `retry:` frame sent at stream start.
pub fn retry_frame(retry_ms: u64) -> Bytes {
    Bytes::from(
        Event::new()
            .retry(Duration::from_millis(retry_ms))
            .into_bytes(),
    )
}

enum Next {
    Retry,
    Event(u64),
    Done,
}

struct State {
    next: Next,
    due: Instant,
    plan: StreamPlan,
    messages: Arc<Vec<String>>,
    retry_ms: u64,
}

/// The body stream; it ends after the final id.
pub fn body(
    plan: StreamPlan,
    messages: Arc<Vec<String>>,
    retry_ms: u64,
) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Send {
    let state = State {
        next: Next::Retry,
        due: Instant::now(),
        plan,
        messages,
        retry_ms,
    };
    stream::unfold(state, |mut s| async move {
        let frame = match s.next {
            Next::Done => return None,
            Next::Retry => {
                s.next = Next::Event(s.plan.first_id);
                retry_frame(s.retry_ms)
            }
            Next::Event(id) => {
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
                s.next = if id >= s.plan.last_id {
                    Next::Done
                } else {
                    Next::Event(id + 1)
                };
                event_frame(id, &s.messages)
            }
        };
        Some((Ok(frame), s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn msgs() -> Arc<Vec<String>> {
        Arc::new(vec!["a".into(), "b\"q".into()])
    }

    #[test]
    fn event_frames_cycle_messages_with_json_data() {
        assert_eq!(
            &event_frame(1, &msgs())[..],
            b"id: 1\nevent: message\ndata: {\"message\":\"a\"}\n\n"
        );
        assert_eq!(
            &event_frame(4, &msgs())[..],
            b"id: 4\nevent: message\ndata: {\"message\":\"b\\\"q\"}\n\n"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn stream_sends_retry_then_ids_first_to_last_then_ends() {
        let plan = StreamPlan {
            interval: Duration::from_millis(1000),
            heartbeat: Duration::from_millis(15_000),
            first_id: 3,
            last_id: 5,
        };
        let started = Instant::now();
        let frames: Vec<Bytes> = body(plan, msgs(), 3000).map(|r| r.unwrap()).collect().await;
        assert_eq!(&frames[0][..], b"retry: 3000\n\n");
        assert!(frames[1].starts_with(b"id: 3\n"));
        assert!(frames[3].starts_with(b"id: 5\n"));
        assert_eq!(frames.len(), 4);
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
