//! The bytes a client receives, frame by frame, with the time each frame is
//! written: the pure modules (params → schedule → frames) driven by a fake
//! clock, exactly as the component drives them with the monotonic clock.
//! Run with `--nocapture` to print the transcripts used in the README.

use spin_sse::config::Settings;
use spin_sse::frames::Frames;
use spin_sse::params::StreamParams;
use spin_sse::schedule::{self, Start, Step};
use std::time::Duration;

/// `t=<ms>` before each frame; the clock jumps to each wait's deadline.
fn transcript(query: &str, last_event_id: Option<&str>) -> String {
    let settings = Settings::default();
    let headers: Vec<Vec<u8>> = last_event_id
        .map(|id| id.as_bytes().to_vec())
        .into_iter()
        .collect();
    let params = StreamParams::parse(&settings, query, &headers).expect("valid request");
    let frames = Frames::new(&settings).expect("valid settings");
    let Start::Stream(mut schedule) = schedule::start(&params) else {
        return "204 No Content\n".to_owned();
    };
    let mut out = String::new();
    let mut now = Duration::ZERO;
    loop {
        let frame = match schedule.step(now) {
            Step::Done => return out,
            Step::WaitUntil(until) => {
                now = until;
                continue;
            }
            Step::Event { id, opens_stream } => frames.event(id, opens_stream),
            Step::KeepAlive => frames.keep_alive(),
        };
        out.push_str(&format!("[t={}ms]\n", now.as_millis()));
        out.push_str(&String::from_utf8(frame).expect("frames are UTF-8"));
    }
}

#[test]
fn default_stream_is_the_four_seed_messages_one_second_apart() {
    let text = transcript("", None);
    println!("GET /sse\n{text}");
    assert_eq!(
        text,
        concat!(
            "[t=0ms]\n",
            "retry: 3000\n",
            "id: 1\n",
            "event: message\n",
            "data: {\"message\":\"Look, Ma'! I'm streaming!\"}\n",
            "\n",
            "[t=1000ms]\n",
            "id: 2\n",
            "event: message\n",
            "data: {\"message\":\"It only took two lines of code!\"}\n",
            "\n",
            "[t=2000ms]\n",
            "id: 3\n",
            "event: message\n",
            "data: {\"message\":\"All you have to do is set a header and chunk the response!\"}\n",
            "\n",
            "[t=3000ms]\n",
            "id: 4\n",
            "event: message\n",
            "data: {\"message\":\"Bye now!\"}\n",
            "\n",
        )
    );
}

#[test]
fn resumed_stream_starts_after_last_event_id_with_retry_first() {
    let text = transcript("", Some("2"));
    println!("GET /sse with Last-Event-ID: 2\n{text}");
    assert!(text.starts_with("[t=0ms]\nretry: 3000\nid: 3\n"), "{text}");
    assert!(text.contains("[t=1000ms]\nid: 4\n"), "{text}");
    assert!(!text.contains("id: 2\n"), "{text}");
}

#[test]
fn resume_after_final_id_answers_204() {
    assert_eq!(transcript("", Some("4")), "204 No Content\n");
}

#[test]
fn slow_stream_gets_keep_alives_and_cycles_messages() {
    let text = transcript("count=6&interval=20000&heartbeat=15000", Some("4"));
    println!("GET /sse?count=6&interval=20000&heartbeat=15000 with Last-Event-ID: 4\n{text}");
    assert_eq!(
        text,
        concat!(
            "[t=0ms]\n",
            "retry: 3000\n",
            "id: 5\n",
            "event: message\n",
            "data: {\"message\":\"Look, Ma'! I'm streaming!\"}\n",
            "\n",
            "[t=15000ms]\n",
            ": keep-alive\n",
            "\n",
            "[t=20000ms]\n",
            "id: 6\n",
            "event: message\n",
            "data: {\"message\":\"It only took two lines of code!\"}\n",
            "\n",
        )
    );
}
