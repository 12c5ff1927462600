//! `--render`: the Markdown table of several runs side by side, from their
//! raw JSON (`--json`), one column per run (server, manifest, subscribers,
//! arrival, fault) in the order given. Runs written before a field existed
//! read as: server `runner`, no fault, hub instances, commit, date and
//! machine unknown; CPU per million deliveries is derived. Pure but for
//! reading the files; tested below.

use serde_json::Value;
use spin_sse_bench::driver::report::int;
use std::fmt::Write;
use std::path::PathBuf;

/// Reads every file and renders them (the error names the file).
pub fn render_files(paths: &[PathBuf]) -> Result<String, String> {
    let runs = paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))
        })
        .collect::<Result<Vec<Value>, String>>()?;
    Ok(render(&runs))
}

fn num(run: &Value, key: &str) -> Option<f64> {
    match &run[key] {
        Value::Number(n) => n.as_f64(),
        // `redis_connected_clients` is kept as Redis printed it.
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn text<'a>(run: &'a Value, key: &str) -> Option<&'a str> {
    run[key].as_str()
}

/// `v` with one decimal, "unknown" when missing.
fn one(v: Option<f64>) -> String {
    v.map_or("unknown".into(), |v| format!("{v:.1}"))
}

fn whole(v: Option<f64>) -> String {
    v.map_or("unknown".into(), int)
}

/// "p2" for `spin.toml`, "p3" for `spin.p3.toml`, else the manifest.
fn build(manifest: &str) -> &str {
    match manifest {
        "spin.toml" => "p2",
        "spin.p3.toml" => "p3",
        other => other,
    }
}

fn column(run: &Value, same_load: bool) -> String {
    let server = text(run, "server").unwrap_or("runner");
    let manifest = build(text(run, "manifest").unwrap_or("?"));
    let subscribers = whole(num(run, "subscribers"));
    let arrival = match num(run, "connect_rate") {
        Some(rate) if rate > 0.0 => format!("at {}/s", int(rate)),
        _ => "at once".into(),
    };
    let mut label = format!("{server} {manifest}, {subscribers} {arrival}");
    if !same_load {
        let _ = write!(label, ", {} updates/s", whole(num(run, "rate")));
    }
    if let Some(fault) = text(run, "fault") {
        let _ = write!(label, ", {fault}");
    }
    label
}

fn window(run: &Value) -> Option<f64> {
    Some(num(run, "publish_seconds")? + num(run, "drain_seconds")?)
}

fn per_second(run: &Value, key: &str) -> String {
    whole(num(run, key).zip(window(run)).map(|(n, w)| n / w))
}

fn hub_instances(run: &Value) -> String {
    match (num(run, "hub_instances"), num(run, "connected")) {
        (Some(n), Some(open)) => {
            let each = format!("{:.1}", open / n.max(1.0));
            format!("{} ({})", int(n), each.trim_end_matches(".0"))
        }
        _ => "unknown".into(),
    }
}

fn cpu_per_million(run: &Value) -> String {
    let derived = || Some(num(run, "runners_cpu_s")? / (num(run, "deliveries")? / 1e6));
    one(num(run, "runners_cpu_s_per_million_deliveries").or_else(derived))
}

fn live_again(run: &Value) -> String {
    if text(run, "fault").is_none() {
        return "–".into();
    }
    match (num(run, "live_again_s"), num(run, "not_live_again")) {
        (Some(s), _) => format!("{s:.1} s"),
        (None, Some(never)) if never > 0.0 => format!("never ({} subscribers)", int(never)),
        _ => "unknown".into(),
    }
}

/// The table of `runs`, and where they ran below it.
pub fn render(runs: &[Value]) -> String {
    let load = |run: &Value| (num(run, "rate"), num(run, "seconds"));
    let same_load = runs.windows(2).all(|w| load(&w[0]) == load(&w[1]));
    let corner = match runs.first().map(load) {
        Some((Some(rate), Some(seconds))) if same_load => {
            format!("{} updates/s for {} s", int(rate), int(seconds))
        }
        _ => "run".into(),
    };
    let faults = runs.iter().any(|r| text(r, "fault").is_some());
    type Row = (&'static str, fn(&Value) -> String);
    let mut rows: Vec<Row> = vec![
        ("hub instances (subscribers each)", hub_instances),
        ("publishes acknowledged", |r| {
            format!(
                "{}, {}/s",
                whole(num(r, "acknowledged")),
                one(num(r, "acknowledged_per_s"))
            )
        }),
        ("deliveries/s", |r| per_second(r, "deliveries")),
        ("lost / duplicated / reordered", |r| {
            let n = |key| whole(num(r, key));
            format!("{} / {} / {}", n("lost"), n("duplicated"), n("reordered"))
        }),
        ("streams resumed", |r| whole(num(r, "resumed"))),
        ("latency p50 / p99 / max, ms", |r| {
            let ms = |key| whole(num(r, key));
            format!(
                "{} / {} / {}",
                ms("latency_p50_ms"),
                ms("latency_p99_ms"),
                ms("latency_max_ms")
            )
        }),
        ("RSS per subscriber", |r| {
            format!("{} KiB", one(num(r, "rss_per_subscriber_kib")))
        }),
        ("Redis `connected_clients`", |r| {
            whole(num(r, "redis_connected_clients"))
        }),
        ("`XREAD`s/s", |r| per_second(r, "xreads")),
        ("CPU: Redis / servers, s", |r| {
            format!(
                "{} / {}",
                one(num(r, "redis_cpu_s")),
                one(num(r, "runners_cpu_s"))
            )
        }),
        ("server CPU-seconds per million deliveries", cpu_per_million),
    ];
    if faults {
        rows.push(("time until every subscriber is live again", live_again));
        rows.push(("publishes refused / unanswered", |r| {
            if text(r, "fault").is_none() {
                return "–".into();
            }
            format!(
                "{} / {}",
                whole(num(r, "refused")),
                whole(num(r, "unanswered"))
            )
        }));
    }
    rows.push(("commit, date", |r| {
        format!(
            "{}, {}",
            text(r, "commit").unwrap_or("unknown"),
            text(r, "date").unwrap_or("unknown")
        )
    }));
    let mut out = String::new();
    let header: Vec<String> = runs.iter().map(|r| column(r, same_load)).collect();
    let _ = writeln!(out, "| {corner} | {} |", header.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(runs.len()));
    for (name, cell) in rows {
        let cells: Vec<String> = runs.iter().map(cell).collect();
        let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
    }
    let mut machines: Vec<String> = runs.iter().filter_map(machine).collect();
    machines.dedup();
    for m in machines {
        let _ = writeln!(out, "\nRan on {m}.");
    }
    out
}

/// "CPU model, N cores, M GiB" of a run, if it says.
fn machine(run: &Value) -> Option<String> {
    let m = &run["machine"];
    let model = m["cpu_model"].as_str()?;
    let cores = m["cores"].as_u64()?;
    let gib = m["mem_total_kib"].as_f64()? / (1024.0 * 1024.0);
    Some(format!("{model}, {cores} cores, {gib:.1} GiB"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An old run (no server, fault or metadata) and a Spin run with a fault.
    const FIXTURE: &str = r#"[
      {"acknowledged": 3000, "acknowledged_per_s": 99.63, "connect_rate": 0,
       "connected": 1000, "deliveries": 3000000, "drain_seconds": 2.12,
       "duplicated": 0, "hub_instances": 1000, "latency_max_ms": 385.29,
       "latency_p50_ms": 127.34, "latency_p99_ms": 239.99, "lost": 0,
       "manifest": "spin.toml", "publish_seconds": 30.11, "rate": 100,
       "redis_connected_clients": "1001", "redis_cpu_s": 10.69,
       "reordered": 0, "resumed": 0, "rss_per_subscriber_kib": 155.72,
       "runners_cpu_s": 41.5, "seconds": 30, "subscribers": 1000,
       "xreads": 942853},
      {"server": "spin", "fault": "redis-restart", "commit": "abc1234",
       "date": "2026-12-07 05:00 UTC",
       "machine": {"cpu_model": "Test CPU", "cores": 2, "mem_total_kib": 8388608},
       "acknowledged": 2950, "acknowledged_per_s": 98.0, "refused": 48,
       "unanswered": 2, "connect_rate": 200, "connected": 1000,
       "deliveries": 2950000, "drain_seconds": 2.0, "duplicated": 0,
       "hub_instances": null, "latency_max_ms": 1500.0, "latency_p50_ms": 30.0,
       "latency_p99_ms": 900.4, "lost": 0, "manifest": "spin.p3.toml",
       "publish_seconds": 30.0, "rate": 100, "redis_connected_clients": 9,
       "redis_cpu_s": 1.04, "reordered": 0, "resumed": 1000,
       "rss_per_subscriber_kib": 29.5, "runners_cpu_s": 44.9,
       "runners_cpu_s_per_million_deliveries": 15.22, "seconds": 30,
       "subscribers": 1000, "xreads": 678, "live_again_s": 2.34,
       "not_live_again": 0}
    ]"#;

    fn fixture() -> Vec<Value> {
        serde_json::from_str(FIXTURE).unwrap()
    }

    #[test]
    fn runs_are_columns_and_measures_rows() {
        let table = render(&fixture());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "| 100 updates/s for 30 s | runner p2, 1,000 at once | spin p3, 1,000 at 200/s, redis-restart |"
        );
        assert_eq!(lines[1], "|---|---:|---:|");
        let row = |name: &str| {
            *lines
                .iter()
                .find(|l| l.starts_with(&format!("| {name} |")))
                .unwrap_or_else(|| panic!("no row {name}:\n{table}"))
        };
        assert_eq!(
            row("hub instances (subscribers each)"),
            "| hub instances (subscribers each) | 1,000 (1) | unknown |"
        );
        assert_eq!(
            row("publishes acknowledged"),
            "| publishes acknowledged | 3,000, 99.6/s | 2,950, 98.0/s |"
        );
        assert_eq!(row("deliveries/s"), "| deliveries/s | 93,081 | 92,188 |");
        assert_eq!(
            row("latency p50 / p99 / max, ms"),
            "| latency p50 / p99 / max, ms | 127 / 240 / 385 | 30 / 900 / 1,500 |"
        );
        assert_eq!(
            row("Redis `connected_clients`"),
            "| Redis `connected_clients` | 1,001 | 9 |"
        );
        assert_eq!(row("`XREAD`s/s"), "| `XREAD`s/s | 29,254 | 21 |");
        // Derived for the old run (41.5 s / 3 million), as written for the new.
        assert_eq!(
            row("server CPU-seconds per million deliveries"),
            "| server CPU-seconds per million deliveries | 13.8 | 15.2 |"
        );
        assert_eq!(
            row("time until every subscriber is live again"),
            "| time until every subscriber is live again | – | 2.3 s |"
        );
        assert_eq!(
            row("publishes refused / unanswered"),
            "| publishes refused / unanswered | – | 48 / 2 |"
        );
        assert_eq!(
            row("commit, date"),
            "| commit, date | unknown, unknown | abc1234, 2026-12-07 05:00 UTC |"
        );
        assert!(
            table.ends_with("\nRan on Test CPU, 2 cores, 8.0 GiB.\n"),
            "{table}"
        );
    }

    #[test]
    fn without_faults_there_are_no_fault_rows_and_loads_may_differ() {
        let mut runs = fixture();
        runs.truncate(1);
        runs.push(runs[0].clone());
        runs[1]["rate"] = 50.into();
        let table = render(&runs);
        assert!(!table.contains("live again"), "{table}");
        assert!(table.starts_with("| run | runner p2, 1,000 at once, 100 updates/s |"));
        assert_eq!(table.lines().count(), 2 + 12);
    }

    #[test]
    fn a_subscriber_that_never_came_back_is_said() {
        let run = serde_json::json!({"fault": "kill-runner", "not_live_again": 3});
        assert_eq!(live_again(&run), "never (3 subscribers)");
    }
}
