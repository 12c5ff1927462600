//! The goals, checked against a run's [`Results`] for the runner.

use super::model::{LadderRow, Results, PEER, RUNNER, RUNNER_P3};

/// Where one goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Met,
    Missed,
    NotMeasured,
}

impl Status {
    /// Label for the report.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Missed => "**missed**",
            Status::NotMeasured => "not measured",
        }
    }
}

/// One goal's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub goal: &'static str,
    pub status: Status,
    pub measured: String,
}

fn verdict(goal: &'static str, status: Status, measured: String) -> Verdict {
    Verdict {
        goal,
        status,
        measured,
    }
}

fn ok(b: bool) -> Status {
    if b {
        Status::Met
    } else {
        Status::Missed
    }
}

/// Checks every goal.
pub fn check(r: &Results) -> Vec<Verdict> {
    vec![
        concurrency(r),
        per_stream(r),
        rss_back(r),
        throughput(r),
        first_event_ramp(r),
        first_event_probes(r),
        p3_per_stream(r),
        p3_one_stream_throughput(r),
    ]
}

/// Issue 16: an open stream on a shared WASI 0.3 instance.
fn p3_per_stream(r: &Results) -> Verdict {
    const GOAL: &str = "≤24 KiB RSS per open stream at 5,000 streams, WASI 0.3 build";
    let step = r
        .ladder
        .iter()
        .find(|l| l.server == RUNNER_P3 && l.streams == 5000);
    match step.and_then(|l| l.kib_per_stream.map(|k| (l, k))) {
        Some((l, k)) => verdict(
            GOAL,
            ok(k <= 24.0 && l.established >= 5000),
            format!("{k:.1} KiB ({} of 5,000 established)", l.established),
        ),
        None => verdict(
            GOAL,
            Status::NotMeasured,
            "no runner-p3 step at 5,000".into(),
        ),
    }
}

/// Issue 16: one stream's events/s on the WASI 0.3 build against the peer.
fn p3_one_stream_throughput(r: &Results) -> Verdict {
    const GOAL: &str = "one-stream events/s ≥0.8× the native peer, WASI 0.3 build";
    let one = |server: &str| {
        r.throughput
            .iter()
            .find(|t| t.server == server && t.streams == 1)
            .map(|t| t.events_per_s)
    };
    match (one(RUNNER_P3), one(PEER)) {
        (Some(p3), Some(peer)) => {
            let ratio = p3 / peer.max(f64::MIN_POSITIVE);
            verdict(GOAL, ok(ratio >= 0.8), format!("{ratio:.2}× the peer"))
        }
        _ => verdict(
            GOAL,
            Status::NotMeasured,
            "no runner-p3/peer one-stream pair".into(),
        ),
    }
}

fn concurrency(r: &Results) -> Verdict {
    const GOAL: &str = "≥15,000 concurrent open streams in the runner";
    let best = r
        .ladder
        .iter()
        .filter(|l| l.server == RUNNER)
        .max_by_key(|l| l.streams);
    match best {
        Some(l) if l.streams >= 15_000 => verdict(
            GOAL,
            ok(l.established >= 15_000),
            format!(
                "{} of {} established (max {} open at once)",
                l.established, l.streams, l.max_open
            ),
        ),
        Some(l) => verdict(
            GOAL,
            Status::NotMeasured,
            format!(
                "largest step run: {} streams ({} established)",
                l.streams, l.established
            ),
        ),
        None => verdict(GOAL, Status::NotMeasured, "no ladder run".into()),
    }
}

fn per_stream(r: &Results) -> Verdict {
    const GOAL: &str = "≤64 KB RSS per open stream";
    let rows: Vec<_> = r
        .ladder
        .iter()
        .filter(|l| l.server == RUNNER && l.streams >= 1000)
        .filter_map(|l| l.kib_per_stream.map(|k| (l.streams, k)))
        .collect();
    if rows.is_empty() {
        return verdict(
            GOAL,
            Status::NotMeasured,
            "no runner step with ≥1,000 streams".into(),
        );
    }
    let worst = rows
        .iter()
        .copied()
        .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
    let all = rows
        .iter()
        .map(|(n, k)| format!("{k:.1} KiB at {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    verdict(GOAL, ok(worst.1 <= 64.0), all)
}

fn rss_back(r: &Results) -> Verdict {
    const GOAL: &str = "RSS back within 10% of idle after streams end";
    let mut parts = Vec::new();
    let mut all_ok = true;
    for s in r.storm.iter().filter(|s| s.server == RUNNER) {
        let ratio = s.rss_after_kib as f64 / s.rss_idle_kib.max(1) as f64;
        all_ok &= ratio <= 1.10;
        parts.push(format!(
            "storm: {:.1} → {:.1} MiB ({:+.0}%)",
            s.rss_idle_kib as f64 / 1024.0,
            s.rss_after_kib as f64 / 1024.0,
            (ratio - 1.0) * 100.0
        ));
    }
    for l in r.ladder.iter().filter(|l| l.server == RUNNER) {
        let ratio = l.rss_after_kib as f64 / l.rss_idle_kib.max(1) as f64;
        all_ok &= ratio <= 1.10;
        parts.push(format!(
            "after {}: {:+.0}%",
            l.streams,
            (ratio - 1.0) * 100.0
        ));
    }
    if parts.is_empty() {
        return verdict(GOAL, Status::NotMeasured, "no storm or ladder run".into());
    }
    verdict(GOAL, ok(all_ok), parts.join("; "))
}

fn throughput(r: &Results) -> Verdict {
    const GOAL: &str = "aggregate events/s within 2× of the native peer";
    let mut parts = Vec::new();
    let mut all_ok = true;
    for t in r.throughput.iter().filter(|t| t.server == RUNNER) {
        let Some(p) = r
            .throughput
            .iter()
            .find(|p| p.server == PEER && p.streams == t.streams)
        else {
            continue;
        };
        let ratio = t.events_per_s / p.events_per_s.max(f64::MIN_POSITIVE);
        all_ok &= ratio >= 0.5;
        parts.push(format!("{} stream(s): {:.2}× the peer", t.streams, ratio));
    }
    if parts.is_empty() {
        return verdict(
            GOAL,
            Status::NotMeasured,
            "no runner/peer throughput pair".into(),
        );
    }
    verdict(GOAL, ok(all_ok), parts.join(", "))
}

/// The latency goal at the runner's 1,000-stream step, judged on the p99
/// and sample count that `pick` takes from it; `none` says why a step has
/// no p99, and whether that is a miss.
fn first_event_goal(
    r: &Results,
    goal: &'static str,
    pick: impl Fn(&LadderRow) -> (Option<f64>, usize),
    samples: &str,
    none: (Status, &str),
) -> Verdict {
    let step = r
        .ladder
        .iter()
        .find(|l| l.server == RUNNER && l.streams == 1000);
    let Some(step) = step else {
        let why = "no runner step at 1,000 streams";
        return verdict(goal, Status::NotMeasured, why.into());
    };
    match pick(step) {
        (Some(p99), n) => verdict(
            goal,
            ok(p99 <= 5.0),
            format!("p99 {p99:.2} ms over {n} {samples}"),
        ),
        (None, _) => verdict(goal, none.0, none.1.into()),
    }
}

/// The latency goal for the step's own streams, arriving at the ramp rate.
fn first_event_ramp(r: &Results) -> Verdict {
    first_event_goal(
        r,
        "first-event p99 ≤5 ms at 1,000 streams: the ramp (1,000 new streams at 1,000/s)",
        |l| (l.first_event_p99_ms, l.established),
        "streams",
        (Status::Missed, "no stream got a first event"),
    )
}

/// The latency goal for probe streams opened while 1,000 streams are open.
fn first_event_probes(r: &Results) -> Verdict {
    first_event_goal(
        r,
        "first-event p99 ≤5 ms at 1,000 streams: probes (new streams while 1,000 are open)",
        |l| (l.probe_p99_ms, l.probes),
        "probe streams",
        (Status::NotMeasured, "no probe streams in this run"),
    )
}

#[cfg(test)]
mod tests;
