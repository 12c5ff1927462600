use super::super::model::{StormRow, ThroughputRow};
use super::*;

fn ladder(server: &str, streams: usize, established: usize, kib: f64, p99: f64) -> LadderRow {
    LadderRow {
        server: server.into(),
        streams,
        established,
        kib_per_stream: Some(kib),
        first_event_p99_ms: Some(p99),
        probe_p99_ms: Some(p99),
        probes: 100,
        rss_idle_kib: 100_000,
        rss_after_kib: 105_000,
        ..Default::default()
    }
}

#[test]
fn all_goals_met_when_figures_are_inside_the_bounds() {
    let r = Results {
        ladder: vec![
            ladder(RUNNER, 1000, 1000, 40.0, 3.0),
            ladder(RUNNER, 15_000, 15_000, 50.0, 9.0),
            ladder(RUNNER_P3, 5000, 5000, 23.9, 2.0),
        ],
        throughput: vec![
            ThroughputRow {
                server: RUNNER.into(),
                streams: 1,
                events_per_s: 60.0,
                ..Default::default()
            },
            ThroughputRow {
                server: RUNNER_P3.into(),
                streams: 1,
                events_per_s: 80.0,
                ..Default::default()
            },
            ThroughputRow {
                server: PEER.into(),
                streams: 1,
                events_per_s: 100.0,
                ..Default::default()
            },
        ],
        storm: vec![StormRow {
            server: RUNNER.into(),
            rss_idle_kib: 100,
            rss_after_kib: 109,
            ..Default::default()
        }],
        ..Default::default()
    };
    let v = check(&r);
    assert!(v.iter().all(|v| v.status == Status::Met), "{v:#?}");
}

#[test]
fn each_bound_is_enforced() {
    let r = Results {
        ladder: vec![
            ladder(RUNNER, 1000, 1000, 70.0, 5.5),
            ladder(RUNNER, 15_000, 14_000, 10.0, 1.0),
            ladder(RUNNER_P3, 5000, 5000, 24.1, 1.0),
        ],
        throughput: vec![
            ThroughputRow {
                server: RUNNER.into(),
                streams: 100,
                events_per_s: 40.0,
                ..Default::default()
            },
            ThroughputRow {
                server: RUNNER_P3.into(),
                streams: 1,
                events_per_s: 79.0,
                ..Default::default()
            },
            ThroughputRow {
                server: PEER.into(),
                streams: 1,
                events_per_s: 100.0,
                ..Default::default()
            },
            ThroughputRow {
                server: PEER.into(),
                streams: 100,
                events_per_s: 100.0,
                ..Default::default()
            },
        ],
        storm: vec![StormRow {
            server: RUNNER.into(),
            rss_idle_kib: 100,
            rss_after_kib: 111,
            ..Default::default()
        }],
        ..Default::default()
    };
    let v = check(&r);
    assert!(v.iter().all(|v| v.status == Status::Missed), "{v:#?}");
    assert!(
        v[1].measured.contains("70.0 KiB at 1000"),
        "{}",
        v[1].measured
    );
}

#[test]
fn a_p3_step_with_streams_missing_is_not_met() {
    let r = Results {
        ladder: vec![ladder(RUNNER_P3, 5000, 4990, 10.0, 1.0)],
        ..Default::default()
    };
    let v = p3_per_stream(&r);
    assert_eq!(v.status, Status::Missed);
    assert_eq!(v.measured, "10.0 KiB (4990 of 5,000 established)");
}

#[test]
fn missing_runs_are_not_measured_rather_than_met() {
    let r = Results {
        ladder: vec![ladder(PEER, 15_000, 15_000, 1.0, 1.0)],
        ..Default::default()
    };
    assert!(check(&r).iter().all(|v| v.status == Status::NotMeasured));
}

#[test]
fn ramp_and_probes_get_a_verdict_each() {
    let mut l = ladder(RUNNER, 1000, 1000, 10.0, 12.0);
    l.probe_p99_ms = Some(2.0);
    l.probes = 2600;
    let r = Results {
        ladder: vec![l],
        ..Default::default()
    };
    let ramp = first_event_ramp(&r);
    assert_eq!(ramp.status, Status::Missed);
    assert_eq!(ramp.measured, "p99 12.00 ms over 1000 streams");
    let probes = first_event_probes(&r);
    assert_eq!(probes.status, Status::Met);
    assert_eq!(probes.measured, "p99 2.00 ms over 2600 probe streams");
}

#[test]
fn a_run_without_probes_does_not_measure_them() {
    let mut l = ladder(RUNNER, 1000, 1000, 10.0, 1.0);
    l.probe_p99_ms = None;
    let r = Results {
        ladder: vec![l],
        ..Default::default()
    };
    assert_eq!(first_event_ramp(&r).status, Status::Met);
    assert_eq!(first_event_probes(&r).status, Status::NotMeasured);
}
