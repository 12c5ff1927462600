//! What the fuzz targets share: an independent `text/event-stream` reader
//! written from the WHATWG algorithm (the oracle of the encoders' round
//! trips), the one-line check for error reasons, and a work-ratio check for
//! the parsers that must stay linear.

use std::time::Duration;

/// The runner's application model (`spin.toml`, variables, routes):
/// `app.rs` and `app/` are links to the runner's own sources, compiled
/// here because the runner crate links wasmtime, which would take the fuzz
/// build from seconds to most of an hour. Their `crate::app` paths resolve
/// because this is a crate root too.
#[cfg(not(test))]
pub mod app;
#[cfg(not(test))]
pub mod trigger;

/// Splits a fuzz input into fields at `0xFF`, a byte no UTF-8 text holds,
/// so seeds are plain text (`printf 'a\xffb'`) and a field may hold any
/// character, CR and LF included.
pub fn fields(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == 0xff).collect()
}

/// The fields of [`fields`] that are UTF-8, as text.
pub fn text_fields(data: &[u8]) -> Vec<&str> {
    fields(data)
        .into_iter()
        .filter_map(|f| std::str::from_utf8(f).ok())
        .collect()
}

/// One event a browser would dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatched {
    /// The `event` field, `message` when none (or an empty one) was given.
    pub event_type: String,
    pub data: String,
    /// The last event id in force when it was dispatched.
    pub last_event_id: String,
}

/// Everything a reader takes from a stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Read {
    pub events: Vec<Dispatched>,
    /// The last `retry` field made only of ASCII digits.
    pub retry: Option<String>,
    /// Comment lines without the `:` (and one leading space removed).
    pub comments: Vec<String>,
    /// The last event id after the stream (set at each blank line).
    pub last_event_id: String,
    /// Text after the last line break (a line not yet complete).
    pub pending: String,
    /// Field lines seen after the last blank line (not dispatched yet).
    pub open_fields: usize,
}

/// Reads `stream` as the WHATWG "event stream interpretation" does: lines
/// end at CRLF, CR or LF; a blank line dispatches; `:` starts a comment;
/// one space after the colon is removed; `id` with a NUL is ignored.
pub fn read_event_stream(stream: &str) -> Read {
    let stream = stream.strip_prefix('\u{feff}').unwrap_or(stream);
    let mut read = Read::default();
    let (mut data, mut event_type, mut id_buffer) = (String::new(), String::new(), String::new());
    let mut rest = stream;
    loop {
        let Some(end) = rest.find(['\r', '\n']) else {
            read.pending = rest.to_owned();
            break;
        };
        let line = &rest[..end];
        let after = &rest[end..];
        rest = after.strip_prefix("\r\n").unwrap_or_else(|| &after[1..]);
        if line.is_empty() {
            read.last_event_id = id_buffer.clone();
            read.open_fields = 0;
            if data.is_empty() {
                event_type.clear();
                continue;
            }
            if data.ends_with('\n') {
                data.pop();
            }
            let kind = if event_type.is_empty() {
                "message".to_owned()
            } else {
                std::mem::take(&mut event_type)
            };
            read.events.push(Dispatched {
                event_type: kind,
                data: std::mem::take(&mut data),
                last_event_id: id_buffer.clone(),
            });
            event_type.clear();
            continue;
        }
        if let Some(comment) = line.strip_prefix(':') {
            read.comments
                .push(comment.strip_prefix(' ').unwrap_or(comment).to_owned());
            continue;
        }
        read.open_fields += 1;
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => event_type = value.to_owned(),
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "id" if !value.contains('\0') => id_buffer = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                read.retry = Some(value.to_owned());
            }
            _ => {}
        }
    }
    read
}

/// `text` with every CRLF and lone CR turned into LF, as a reader sees it.
pub fn normalise_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Panics unless `reason` fits on one line (a status line's reason or a
/// log line): no CR, LF or NUL.
pub fn assert_one_line(reason: &str) {
    assert!(
        !reason.contains(['\r', '\n', '\0']),
        "reason is not one line: {reason:?}"
    );
}

/// Runs `work(n)` for sizes `n` and `2n` (best of three each) and panics
/// when doubling the input costs more than `factor` times as much: the
/// bound for parsers that must be linear. Time is the thread's CPU time,
/// so a busy machine does not stretch it; below `floor` it is noise and
/// nothing is asserted.
pub fn assert_linear(n: usize, factor: u32, floor: Duration, mut work: impl FnMut(usize)) {
    let mut best = |size: usize| {
        (0..3)
            .map(|_| {
                let start = thread_cpu_time();
                work(size);
                thread_cpu_time().saturating_sub(start)
            })
            .min()
            .unwrap_or_default()
    };
    let (small, large) = (best(n), best(2 * n));
    if large > floor {
        assert!(
            large <= small.max(floor / 2) * factor,
            "input of {} units took {large:?} of CPU, {n} units took {small:?}: not linear",
            2 * n
        );
    }
}

/// CPU time this thread has used (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to write.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_examples() {
        let read = read_event_stream("data: YHOO\ndata: +2\ndata: 10\n\n");
        assert_eq!(read.events[0].data, "YHOO\n+2\n10");
        let read = read_event_stream(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n");
        let data: Vec<_> = read.events.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(data, ["first event", "second event", " third event"]);
        assert_eq!(read.events[0].last_event_id, "1");
        assert_eq!(read.events[1].last_event_id, "");
        let read = read_event_stream("data\n\ndata\ndata\n\ndata:");
        let data: Vec<_> = read.events.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(data, ["", "\n"]);
        assert_eq!(read.pending, "data:");
    }

    #[test]
    fn event_type_resets_after_each_dispatch() {
        let read = read_event_stream("event: a\r\ndata: 1\r\rdata: 2\r\n\r\n");
        assert_eq!(read.events[0].event_type, "a");
        assert_eq!(read.events[1].event_type, "message");
    }
}
