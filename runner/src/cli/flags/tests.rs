use super::*;
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    up: UpArgs,
}

fn parse(args: &[&str]) -> Result<Limits, String> {
    let argv = std::iter::once("t").chain(args.iter().copied());
    Cli::try_parse_from(argv)
        .map(|c| c.up.limits())
        .map_err(|e| e.to_string())
}

#[test]
fn no_flags_give_the_defaults() {
    assert_eq!(parse(&[]).unwrap(), Limits::default());
}

#[test]
fn every_flag_lands_in_its_limit() {
    let l = parse(&[
        "--max-instance-memory=1048576",
        "--max-request-cpu-ms=250",
        "--send-timeout-ms=1500",
        "--header-timeout-ms=700",
        "--max-header-bytes=9000",
        "--max-headers=20",
        "--max-request-body=1024",
    ])
    .unwrap();
    assert_eq!(
        l,
        Limits {
            max_instance_memory: 1 << 20,
            max_request_cpu: Some(Duration::from_millis(250)),
            send_timeout: Duration::from_millis(1500),
            header_read_timeout: Duration::from_millis(700),
            max_header_bytes: 9000,
            max_headers: 20,
            max_request_body: 1024,
        }
    );
    l.validate().unwrap();
}

#[test]
fn bad_values_name_the_flag() {
    for (arg, flag) in [
        ("--max-instance-memory=100", "--max-instance-memory"),
        ("--send-timeout-ms=0", "--send-timeout-ms"),
        ("--max-request-cpu-ms=x", "--max-request-cpu-ms"),
        ("--max-header-bytes=1000", "--max-header-bytes"),
        ("--max-headers=-1", "--max-headers"),
    ] {
        let e = parse(&[arg]).unwrap_err();
        assert!(e.contains(flag), "{arg}: {e}");
    }
}

const FLAG: &str = "--idle-instance-timeout";

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
