use super::super::model::{LadderRow, ThroughputRow, RUNNER};
use super::*;

const HUB: &str = "## Hub fan-out\n\nthe hub section\n";

fn sample() -> Results {
    Results {
        generated_utc: "2026-01-01 00:00 UTC".into(),
        command: "spin-sse-bench drive".into(),
        commit: "abc123".into(),
        ladder: vec![
            LadderRow {
                server: RUNNER.into(),
                streams: 1000,
                established: 1000,
                kib_per_stream: Some(80.0),
                first_event_p99_ms: Some(4.0),
                rss_idle_kib: 10240,
                ..Default::default()
            },
            LadderRow {
                server: PEER.into(),
                streams: 1000,
                established: 1000,
                kib_per_stream: Some(20.0),
                first_event_p99_ms: Some(1.0),
                ..Default::default()
            },
        ],
        throughput: vec![
            ThroughputRow {
                server: RUNNER.into(),
                streams: 1,
                events_per_s: 25_000.0,
                ..Default::default()
            },
            ThroughputRow {
                server: PEER.into(),
                streams: 1,
                events_per_s: 100_000.0,
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

#[test]
fn report_has_every_section_and_the_command() {
    let md = render(
        &sample(),
        "BENCHMARKS.json",
        &Links::for_report("BENCHMARKS.md".as_ref(), "docs".as_ref()),
        HUB,
    );
    for h in [
        "## Reproduce",
        "## Machine",
        "## Goals",
        "## Concurrency ladder",
        "## Throughput",
        "## Connection rate",
        "## Static files",
        "## Disconnect storm",
        "## Hub fan-out\n\nthe hub section\n\n## How to read these figures",
    ] {
        assert!(md.contains(h), "missing {h}");
    }
    assert!(md.contains("`spin-sse-bench drive`"));
    assert!(md.contains("--render-only BENCHMARKS.json"));
    assert!(md.contains("docs/bench-rss.svg"));
    assert!(md.contains("(bench/FINDINGS.md)"));
}

#[test]
fn a_report_in_a_folder_links_back_to_the_root() {
    let links = Links::for_report("bench/B.md".as_ref(), "docs/b".as_ref());
    let md = render(&sample(), "B.json", &links, HUB);
    assert!(md.contains("(../docs/b/bench-rss.svg)"));
    assert!(md.contains("(../bench/FINDINGS.md)"));
}

#[test]
fn no_directory_of_the_machine_is_shown_and_skips_are_said() {
    let mut r = sample();
    r.command = "spin-sse-bench drive --out /tmp/bp/B.md".into();
    r.servers = vec![(
        "peer".into(),
        "/work/wt/target/release/spin-sse-bench peer --static-dir target/bench/app/static".into(),
    )];
    r.skipped = vec![super::super::model::Skipped {
        server: "spin-p3".into(),
        reason: "`spin` is not on PATH on this machine".into(),
    }];
    let md = render(
        &r,
        "BENCHMARKS.json",
        &Links::for_report("BENCHMARKS.md".as_ref(), "docs".as_ref()),
        HUB,
    );
    assert!(!md.contains("/work/") && !md.contains("/tmp/"), "{md}");
    assert!(md.contains("`…/release/spin-sse-bench peer --static-dir target/bench/app/static`"));
    assert!(md.contains("- **spin-p3**: not measured — `spin` is not on PATH on this machine"));
}

#[test]
fn ratios_to_the_peer_are_computed_per_row() {
    let md = render(
        &sample(),
        "BENCHMARKS.json",
        &Links::for_report("BENCHMARKS.md".as_ref(), "docs".as_ref()),
        HUB,
    );
    assert!(
        md.contains("| 4.00× | 4.00× |"),
        "KiB/stream and p99 ratios: {md}"
    );
    assert!(md.contains("| 25,000 |"), "{md}");
    assert!(md.contains("| 0.25× |"), "throughput ratio: {md}");
}

#[test]
fn goals_show_missed_and_quick_mode_is_flagged() {
    let mut r = sample();
    r.quick = true;
    let md = render(
        &r,
        "BENCHMARKS.json",
        &Links::for_report("BENCHMARKS.md".as_ref(), "docs".as_ref()),
        HUB,
    );
    assert!(
        md.contains("| ≤64 KB RSS per open stream | **missed** | 80.0 KiB at 1000 |"),
        "{md}"
    );
    assert!(md.contains("quick mode"));
    assert!(md.contains("goal(s) met, 2 **missed**,"), "{md}");
}

#[test]
fn thousands_get_separators() {
    assert_eq!(int(15000.0), "15,000");
    assert_eq!(int(999.4), "999");
    assert_eq!(int(1234567.0), "1,234,567");
}
