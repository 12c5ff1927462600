use super::*;

const FLAG: &str = "--idle-instance-timeout";

#[test]
fn defaults_are_spins() {
    let plan = ReuseConfig::default().plan();
    assert_eq!(
        plan,
        InstancePlan {
            max_reuse: 128,
            max_concurrent: 16,
            request_timeout: Duration::MAX,
            idle_timeout: Duration::from_secs(1),
        }
    );
}

#[test]
fn durations_take_spins_suffixes_and_plain_seconds() {
    let d = |s| parse_duration(s, FLAG).unwrap();
    assert_eq!(d("2"), Range::Value(Duration::from_secs(2)));
    assert_eq!(d("2s"), Range::Value(Duration::from_secs(2)));
    assert_eq!(d("250ms"), Range::Value(Duration::from_millis(250)));
    assert_eq!(d("7us"), Range::Value(Duration::from_micros(7)));
    assert_eq!(d("7μs"), Range::Value(Duration::from_micros(7)));
    assert_eq!(d("9ns"), Range::Value(Duration::from_nanos(9)));
    assert_eq!(
        d("1..8s"),
        Range::Bounds(Duration::from_secs(1), Duration::from_secs(8))
    );
}

#[test]
fn bad_values_name_the_flag_and_the_form() {
    for bad in ["", "s", "1.5s", "-1", "ten", "1m", "5..5", "8..1", "1.."] {
        let e = parse_duration(bad, FLAG).unwrap_err();
        assert!(e.starts_with(FLAG), "{bad:?}: {e}");
    }
    for bad in ["0", "", "x", "-3", "4..4", "1..0", "0..3"] {
        let e = parse_count(bad, "--max-instance-reuse-count").unwrap_err();
        assert!(
            e.starts_with("--max-instance-reuse-count: "),
            "{bad:?}: {e}"
        );
    }
}

#[test]
fn counts_are_values_or_half_open_ranges() {
    let f = "--max-instance-concurrent-reuse-count";
    assert_eq!(parse_count("16", f), Ok(Range::Value(16)));
    assert_eq!(parse_count("4..16", f), Ok(Range::Bounds(4, 16)));
}

#[test]
fn each_instance_draws_inside_the_range() {
    let config = ReuseConfig {
        max_reuse: Range::Bounds(2, 5),
        max_concurrent: Range::Bounds(1, 3),
        request_timeout: Some(Range::Bounds(
            Duration::from_millis(10),
            Duration::from_millis(20),
        )),
        idle_timeout: Range::Bounds(Duration::from_secs(1), Duration::from_secs(2)),
    };
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..500 {
        let p = config.plan();
        assert!((2..5).contains(&p.max_reuse));
        assert!((1..3).contains(&p.max_concurrent));
        assert!(p.request_timeout >= Duration::from_millis(10));
        assert!(p.request_timeout < Duration::from_millis(20));
        assert!(
            p.idle_timeout >= Duration::from_secs(1) && p.idle_timeout < Duration::from_secs(2)
        );
        seen.insert(p.max_reuse);
    }
    assert_eq!(seen.len(), 3, "every value of 2..5 is drawn: {seen:?}");
}
