//! What one load-generator process records: one [`ConnRecord`] per stream,
//! a sampled [`TimelineSample`] series, and the [`RawRun`] that bundles them
//! so that runs from several processes can be merged.

use serde::{Deserialize, Serialize};

/// How a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndKind {
    /// The server ended the response cleanly (final chunk, length reached, or close-delimited EOF).
    Completed,
    /// The run's deadline came while the stream was open; the client closed it.
    ClientDeadline,
    /// The client dropped the stream on purpose (disconnect storm).
    ClientDrop,
    /// Never started: the run's deadline came before its scheduled start.
    NotStarted,
    ConnectRefused,
    ConnectTimeout,
    /// No local address/port available (ephemeral port exhaustion) or fd limit.
    NoLocalResource,
    ConnectOther,
    WriteError,
    /// Connection reset by the server.
    Reset,
    ReadError,
    /// The deadline came before the response head.
    HeadTimeout,
    /// The response violated HTTP/1.1 framing.
    Protocol,
    /// The connection closed inside a framed body.
    Truncated,
}

impl EndKind {
    /// True for ends that count as errors.
    pub fn is_error(self) -> bool {
        !matches!(
            self,
            EndKind::Completed
                | EndKind::ClientDeadline
                | EndKind::ClientDrop
                | EndKind::NotStarted
        )
    }

    /// Stable snake_case name.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// Everything measured for one stream. Times are microseconds from the
/// moment the connection attempt began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnRecord {
    /// Start of the connection attempt, microseconds after the run began.
    pub start_us: u64,
    pub connect_us: Option<u64>,
    pub headers_us: Option<u64>,
    pub first_event_us: Option<u64>,
    /// Time the stream ended, from the start of the attempt.
    pub end_us: u64,
    pub status: Option<u16>,
    /// The response was `text/event-stream`.
    pub is_sse: bool,
    pub events: u64,
    /// Bytes read from the socket (head and framing included).
    pub bytes: u64,
    pub first_id: Option<u64>,
    pub last_id: Option<u64>,
    /// Ids skipped (including a wrong first id).
    pub gaps: u64,
    pub duplicates: u64,
    pub reordered: u64,
    /// Events whose type, id or data did not follow the stream contract.
    pub bad_events: u64,
    pub retry_ms: Option<u64>,
    pub end: EndKind,
}

impl ConnRecord {
    /// A record for a stream starting `start_us` into the run.
    pub fn new(start_us: u64) -> Self {
        Self {
            start_us,
            connect_us: None,
            headers_us: None,
            first_event_us: None,
            end_us: 0,
            status: None,
            is_sse: false,
            events: 0,
            bytes: 0,
            first_id: None,
            last_id: None,
            gaps: 0,
            duplicates: 0,
            reordered: 0,
            bad_events: 0,
            retry_ms: None,
            end: EndKind::NotStarted,
        }
    }

    /// An SSE 200 response that delivered at least one event.
    pub fn established(&self) -> bool {
        self.status == Some(200) && self.is_sse && self.first_event_us.is_some()
    }

    /// Accounts for one event id, given the id the stream should start at.
    pub fn observe_id(&mut self, id: Option<u64>, expected_first: u64) {
        let Some(id) = id else {
            self.bad_events += 1;
            return;
        };
        match self.last_id {
            None => {
                self.first_id = Some(id);
                self.gaps += id.abs_diff(expected_first);
                self.last_id = Some(id);
            }
            Some(prev) if id == prev => self.duplicates += 1,
            Some(prev) if id < prev => self.reordered += 1,
            Some(prev) => {
                self.gaps += id - prev - 1;
                self.last_id = Some(id);
            }
        }
    }
}

/// Process-wide counters sampled over time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct TimelineSample {
    /// Seconds since the run began.
    pub t_s: f64,
    /// Streams with an SSE 200 head that have not ended.
    pub open: u64,
    pub events: u64,
    pub bytes: u64,
}

/// The raw output of one load process, mergeable with others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RawRun {
    pub url: String,
    pub streams: usize,
    pub records: Vec<ConnRecord>,
    pub timeline: Vec<TimelineSample>,
    /// Steady-state window (all streams scheduled, before the deadline).
    pub window_s: f64,
    pub window_events: u64,
    pub window_bytes: u64,
    pub wall_s: f64,
    /// CPU seconds used by this load process.
    pub cpu_s: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_order_have_no_anomalies() {
        let mut r = ConnRecord::new(0);
        for id in 1..=5 {
            r.observe_id(Some(id), 1);
        }
        assert_eq!((r.gaps, r.duplicates, r.reordered), (0, 0, 0));
        assert_eq!((r.first_id, r.last_id), (Some(1), Some(5)));
    }

    #[test]
    fn gaps_duplicates_and_reordering_are_counted() {
        let mut r = ConnRecord::new(0);
        for id in [2, 3, 3, 6, 4, 7] {
            r.observe_id(Some(id), 1);
        }
        assert_eq!(
            r.gaps,
            1 + 2,
            "first id 2 instead of 1, then 4 and 5 missing"
        );
        assert_eq!(r.duplicates, 1);
        assert_eq!(r.reordered, 1);
        assert_eq!(r.last_id, Some(7));
    }

    #[test]
    fn resumed_stream_expects_the_id_after_last_event_id() {
        let mut r = ConnRecord::new(0);
        r.observe_id(Some(11), 11);
        assert_eq!(r.gaps, 0);
        r.observe_id(None, 11);
        assert_eq!(r.bad_events, 1);
    }

    #[test]
    fn end_kind_names_are_snake_case_and_errors_classified() {
        assert_eq!(EndKind::ClientDeadline.name(), "client_deadline");
        assert!(EndKind::Reset.is_error());
        assert!(!EndKind::Completed.is_error());
    }
}
