//! Merging [`RawRun`]s from one or more load processes into a [`Summary`]
//! (JSON-serialisable) and rendering it as a human-readable table.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::record::{RawRun, TimelineSample};
use crate::stats::{rate, Percentiles};

/// Aggregated results of a load run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Summary {
    pub url: String,
    pub processes: usize,
    pub streams_requested: usize,
    /// Streams that got an SSE 200 and at least one event.
    pub established: usize,
    pub share_established: f64,
    pub statuses: BTreeMap<String, usize>,
    pub ends: BTreeMap<String, usize>,
    pub errors: usize,
    pub connect: Option<Percentiles>,
    pub headers: Option<Percentiles>,
    pub first_event: Option<Percentiles>,
    pub events: u64,
    pub bytes: u64,
    pub gaps: u64,
    pub duplicates: u64,
    pub reordered: u64,
    pub bad_events: u64,
    /// Gaps + duplicates + reordering + bad events.
    pub anomalies: u64,
    pub max_open: u64,
    /// Events/s and bytes/s in the steady window (all streams scheduled).
    pub window_s: f64,
    pub window_events_per_s: f64,
    pub window_bytes_per_s: f64,
    /// Events/s and bytes/s from the first stream start to the last stream end.
    pub overall_s: f64,
    pub overall_events_per_s: f64,
    pub overall_bytes_per_s: f64,
    /// Streams that ended `completed`, per second of the overall span.
    pub completed_per_s: f64,
    pub loadgen_cpu_s: f64,
    pub wall_s: f64,
    /// Merged timeline (open streams and counters summed across processes).
    pub timeline: Vec<TimelineSample>,
}

impl Summary {
    /// Merges the runs of several processes that ran side by side.
    pub fn from_runs(runs: &[RawRun]) -> Self {
        let mut s = Summary {
            url: runs.first().map(|r| r.url.clone()).unwrap_or_default(),
            processes: runs.len(),
            ..Default::default()
        };
        let (mut connect, mut headers, mut first) = (Vec::new(), Vec::new(), Vec::new());
        let (mut span_start, mut span_end) = (u64::MAX, 0u64);
        let mut completed = 0usize;
        for run in runs {
            s.streams_requested += run.streams;
            s.loadgen_cpu_s += run.cpu_s;
            s.wall_s = s.wall_s.max(run.wall_s);
            s.window_s = s.window_s.max(run.window_s);
            s.window_events_per_s += rate(run.window_events as f64, run.window_s);
            s.window_bytes_per_s += rate(run.window_bytes as f64, run.window_s);
            for r in &run.records {
                *s.ends.entry(r.end.name()).or_default() += 1;
                if let Some(code) = r.status {
                    *s.statuses.entry(code.to_string()).or_default() += 1;
                }
                if r.end.is_error() {
                    s.errors += 1;
                }
                if r.end == super::record::EndKind::Completed {
                    completed += 1;
                }
                if r.established() {
                    s.established += 1;
                }
                connect.extend(r.connect_us);
                headers.extend(r.headers_us);
                first.extend(r.first_event_us);
                s.events += r.events;
                s.bytes += r.bytes;
                s.gaps += r.gaps;
                s.duplicates += r.duplicates;
                s.reordered += r.reordered;
                s.bad_events += r.bad_events;
                if r.connect_us.is_some() {
                    span_start = span_start.min(r.start_us);
                    span_end = span_end.max(r.start_us + r.end_us);
                }
            }
        }
        s.anomalies = s.gaps + s.duplicates + s.reordered + s.bad_events;
        s.share_established = if s.streams_requested > 0 {
            s.established as f64 / s.streams_requested as f64
        } else {
            0.0
        };
        s.connect = Percentiles::from_micros(&connect);
        s.headers = Percentiles::from_micros(&headers);
        s.first_event = Percentiles::from_micros(&first);
        if span_end > span_start {
            s.overall_s = (span_end - span_start) as f64 / 1e6;
        }
        s.overall_events_per_s = rate(s.events as f64, s.overall_s);
        s.overall_bytes_per_s = rate(s.bytes as f64, s.overall_s);
        s.completed_per_s = rate(completed as f64, s.overall_s);
        s.timeline = merge_timelines(runs);
        s.max_open = s.timeline.iter().map(|t| t.open).max().unwrap_or(0);
        s
    }

    /// A plain-text table for people.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let fmt_p = |p: &Option<Percentiles>| match p {
            Some(p) => format!(
                "p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  (n={})",
                p.p50_ms, p.p90_ms, p.p99_ms, p.max_ms, p.count
            ),
            None => "-".to_string(),
        };
        let rows: Vec<(&str, String)> = vec![
            ("target", self.url.clone()),
            ("processes", self.processes.to_string()),
            ("streams requested", self.streams_requested.to_string()),
            (
                "established",
                format!(
                    "{} ({:.1}%)",
                    self.established,
                    self.share_established * 100.0
                ),
            ),
            ("max open at once", self.max_open.to_string()),
            ("status codes", kv(&self.statuses)),
            ("stream ends", kv(&self.ends)),
            ("errors", self.errors.to_string()),
            ("connect", fmt_p(&self.connect)),
            ("time to headers", fmt_p(&self.headers)),
            ("time to first event", fmt_p(&self.first_event)),
            ("events", self.events.to_string()),
            ("bytes", self.bytes.to_string()),
            (
                "anomalies",
                format!(
                    "{} (gaps {}, duplicates {}, reordered {}, bad {})",
                    self.anomalies, self.gaps, self.duplicates, self.reordered, self.bad_events
                ),
            ),
            (
                "steady window",
                format!(
                    "{:.1} s: {:.0} events/s, {:.2} MB/s",
                    self.window_s,
                    self.window_events_per_s,
                    self.window_bytes_per_s / 1e6
                ),
            ),
            (
                "overall",
                format!(
                    "{:.1} s: {:.0} events/s, {:.2} MB/s, {:.0} completed streams/s",
                    self.overall_s,
                    self.overall_events_per_s,
                    self.overall_bytes_per_s / 1e6,
                    self.completed_per_s
                ),
            ),
            (
                "load generator CPU",
                format!("{:.1} s over {:.1} s wall", self.loadgen_cpu_s, self.wall_s),
            ),
        ];
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, v) in rows {
            let _ = writeln!(out, "{k:<width$}  {v}");
        }
        out
    }
}

fn kv(map: &BTreeMap<String, usize>) -> String {
    if map.is_empty() {
        return "-".into();
    }
    map.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sums timelines sample by sample (processes sample at the same period).
fn merge_timelines(runs: &[RawRun]) -> Vec<TimelineSample> {
    let len = runs.iter().map(|r| r.timeline.len()).max().unwrap_or(0);
    (0..len)
        .map(|i| {
            let mut m = TimelineSample::default();
            for r in runs {
                // A process that finished early keeps its last counters.
                if let Some(t) = r.timeline.get(i).or(r.timeline.last()) {
                    m.t_s = m.t_s.max(t.t_s);
                    if r.timeline.get(i).is_some() {
                        m.open += t.open;
                    }
                    m.events += t.events;
                    m.bytes += t.bytes;
                }
            }
            m
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::record::{ConnRecord, EndKind};
    use super::*;

    fn rec(start_us: u64, first_us: u64, end: EndKind, events: u64) -> ConnRecord {
        let mut r = ConnRecord::new(start_us);
        r.connect_us = Some(100);
        r.headers_us = Some(first_us / 2);
        r.first_event_us = Some(first_us);
        r.status = Some(200);
        r.is_sse = true;
        r.events = events;
        r.bytes = events * 10;
        r.end = end;
        r.end_us = 1_000_000;
        r
    }

    fn run(records: Vec<ConnRecord>, open: &[u64]) -> RawRun {
        RawRun {
            url: "http://127.0.0.1:1/sse".into(),
            streams: records.len(),
            timeline: open
                .iter()
                .enumerate()
                .map(|(i, &o)| TimelineSample {
                    t_s: i as f64,
                    open: o,
                    events: i as u64,
                    bytes: 0,
                })
                .collect(),
            records,
            window_s: 2.0,
            window_events: 10,
            window_bytes: 100,
            wall_s: 3.0,
            cpu_s: 0.5,
        }
    }

    #[test]
    fn two_processes_merge_into_one_summary() {
        let a = run(
            vec![
                rec(0, 2000, EndKind::ClientDeadline, 5),
                rec(0, 4000, EndKind::Reset, 1),
            ],
            &[1, 2, 2],
        );
        let b = run(vec![rec(500_000, 6000, EndKind::Completed, 4)], &[1, 1]);
        let s = Summary::from_runs(&[a, b]);
        assert_eq!(s.processes, 2);
        assert_eq!(s.streams_requested, 3);
        assert_eq!(s.established, 3);
        assert_eq!(s.errors, 1);
        assert_eq!(s.events, 10);
        assert_eq!(s.max_open, 3, "open counts add up per sample");
        assert_eq!(s.ends["reset"], 1);
        assert_eq!(s.statuses["200"], 3);
        assert_eq!(s.first_event.unwrap().p50_ms, 4.0);
        assert_eq!(s.window_events_per_s, 10.0, "5/s from each process");
        assert!((s.overall_s - 1.5).abs() < 1e-9, "span 0 .. 1.5 s");
        assert!((s.loadgen_cpu_s - 1.0).abs() < 1e-9);
    }

    #[test]
    fn anomalies_add_up_and_show_in_the_table() {
        let mut r = rec(0, 1000, EndKind::Completed, 3);
        r.gaps = 2;
        r.duplicates = 1;
        let s = Summary::from_runs(&[run(vec![r], &[1])]);
        assert_eq!(s.anomalies, 3);
        let table = s.to_table();
        assert!(table.contains("anomalies"), "{table}");
        assert!(table.contains("3 (gaps 2, duplicates 1"), "{table}");
        assert!(table.contains(" 1 (100.0%)"), "{table}");
    }

    #[test]
    fn empty_run_has_zero_share_and_no_percentiles() {
        let s = Summary::from_runs(&[]);
        assert_eq!(s.share_established, 0.0);
        assert!(s.first_event.is_none());
    }
}
