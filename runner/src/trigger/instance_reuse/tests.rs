use super::*;

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
