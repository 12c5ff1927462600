//! The event hub's fan-out figures (`hub_fanout`'s raw JSON, `--json`) as
//! Markdown: the table of several runs side by side, one column per run
//! (server, manifest, subscribers, arrival, fault), which `hub_fanout
//! --render` prints and the benchmark page's "Hub fan-out" section holds.
//! Runs written before a field existed read as: server `runner`, no fault,
//! hub instances, commit, date and machine unknown; CPU per million
//! deliveries is derived. Pure but for reading the files; tested below.

use crate::driver::report::int;
use serde_json::Value;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Reads one run's raw JSON (the error names the file).
pub fn read_run(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))
}

/// Reads every file and renders them in the order given.
pub fn render_files(paths: &[PathBuf]) -> Result<String, String> {
    let runs = paths
        .iter()
        .map(|path| read_run(path))
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
    let server_args: Vec<&str> = run["server_args"]
        .as_array()
        .map_or_else(Vec::new, |a| a.iter().filter_map(Value::as_str).collect());
    if !server_args.is_empty() {
        let _ = write!(label, ", `{}`", server_args.join(" "));
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

/// The `*.json` files directly in `dir`, by name (none when `dir` is missing).
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs in page order: by subscribers, at once before paced, then by
/// build (p2 before p3), server and fault, so each size's WASI 0.2 and 0.3
/// runs stand side by side; the file names break ties.
pub fn page_order(runs: &mut [(String, Value)]) {
    let key = |(name, run): &(String, Value)| {
        (
            num(run, "subscribers").map_or(i64::MAX, |n| n as i64),
            num(run, "connect_rate").is_some_and(|r| r > 0.0),
            build(text(run, "manifest").unwrap_or("")).to_owned(),
            text(run, "server").unwrap_or("runner").to_owned(),
            text(run, "fault").unwrap_or("").to_owned(),
            name.clone(),
        )
    };
    runs.sort_by_key(key);
}

/// Where a hub goal stands for one run, or for all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct HubVerdict {
    pub goal: &'static str,
    /// The run(s) judged: a column label, or "every run".
    pub runs: String,
    pub met: bool,
    pub measured: String,
}

/// The hub's goals (issues 9, 16 and 25): nothing lost, duplicated or
/// reordered in any run, those with a fault included; then, over runs
/// without a fault, p99 ≤100 ms at 1,000 subscribers × 100 updates/s, the
/// WASI 0.3 hub's 10,000 subscribers arriving at once on ≤100 instances,
/// and at 10,000 × 100/s every publish acknowledged and p99 ≤1 s. Runs at
/// other sizes and rates count only for the first.
pub fn goals(runs: &[Value]) -> Vec<HubVerdict> {
    let plain: Vec<&Value> = runs.iter().filter(|r| text(r, "fault").is_none()).collect();
    let mut out = Vec::new();
    if plain.is_empty() {
        return out;
    }
    let exact = |r: &Value| {
        ["lost", "duplicated", "reordered"]
            .iter()
            .all(|k| num(r, k) == Some(0.0))
    };
    let wrong: Vec<String> = runs
        .iter()
        .filter(|r| !exact(r))
        .map(|r| {
            let n = |k| whole(num(r, k));
            format!(
                "{}: {} / {} / {}",
                column(r, true),
                n("lost"),
                n("duplicated"),
                n("reordered")
            )
        })
        .collect();
    out.push(HubVerdict {
        goal: "0 updates lost, duplicated or reordered",
        runs: match runs.len() - plain.len() {
            0 => format!("every run ({})", runs.len()),
            faults => format!("every run ({}, {faults} with a fault)", runs.len()),
        },
        met: wrong.is_empty(),
        measured: if wrong.is_empty() {
            "0 / 0 / 0 in every run".into()
        } else {
            format!("lost / duplicated / reordered: {}", wrong.join("; "))
        },
    });
    let at = |subscribers: f64| {
        plain.iter().filter(move |r| {
            num(r, "subscribers") == Some(subscribers) && num(r, "rate") == Some(100.0)
        })
    };
    let p99 = |r: &Value| num(r, "latency_p99_ms");
    for r in at(1000.0) {
        out.push(HubVerdict {
            goal: "latency p99 ≤100 ms at 1,000 subscribers × 100 updates/s",
            runs: column(r, true),
            met: p99(r).is_some_and(|ms| ms <= 100.0),
            measured: format!("{} ms", whole(p99(r))),
        });
    }
    for r in at(10_000.0).filter(|r| {
        num(r, "connect_rate") == Some(0.0) && text(r, "manifest") == Some("spin.p3.toml")
    }) {
        let (instances, about) = match num(r, "hub_instances") {
            Some(n) => (Some(n), String::new()),
            // Spin has no /metrics: two Redis connections per instance.
            None => match num(r, "redis_connected_clients") {
                Some(clients) => (
                    Some(((clients - 1.0) / 2.0).round()),
                    format!(" (about: Redis clients {} / 2)", whole(Some(clients))),
                ),
                None => (None, String::new()),
            },
        };
        out.push(HubVerdict {
            goal: "10,000 subscribers at once on ≤100 hub instances (WASI 0.3)",
            runs: column(r, true),
            met: instances.is_some_and(|n| n <= 100.0),
            measured: format!("{} instances{about}", whole(instances)),
        });
    }
    for r in at(10_000.0) {
        let due = num(r, "rate").zip(num(r, "seconds")).map(|(r, s)| r * s);
        let acknowledged = num(r, "acknowledged");
        out.push(HubVerdict {
            goal: "every publish acknowledged at 10,000 subscribers × 100 updates/s",
            runs: column(r, true),
            met: matches!((acknowledged, due), (Some(a), Some(d)) if a >= d),
            measured: format!(
                "{} of {}, {}/s",
                whole(acknowledged),
                whole(due),
                one(num(r, "acknowledged_per_s"))
            ),
        });
        out.push(HubVerdict {
            goal: "latency p99 ≤1 s at 10,000 subscribers × 100 updates/s",
            runs: column(r, true),
            met: p99(r).is_some_and(|ms| ms <= 1000.0),
            measured: format!("{} ms", whole(p99(r))),
        });
    }
    out
}

/// The benchmark page's "Hub fan-out" section, from every `*.json` in
/// `dir` (a path from the repository root); `root` leads from the page to
/// the repository root ("" or "../"). A missing or empty `dir` is said.
pub fn section(dir: &Path, root: &str) -> Result<String, String> {
    let shown = dir.to_string_lossy().trim_end_matches('/').to_string();
    let mut runs = Vec::new();
    for path in json_files(dir) {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        runs.push((name, read_run(&path)?));
    }
    page_order(&mut runs);
    let mut w = String::new();
    let _ = writeln!(w, "## Hub fan-out\n");
    let _ = writeln!(
        w,
        "The event hub ([docs/hub.md]({root}docs/hub.md)) under many subscribers, measured by `hub_fanout`, a benchmark of its own that `bench/run.sh` does not run (a private Redis, two hub servers, N subscribers, 100 updates/s for 30 s; its commands: [docs/hub-fanout.md]({root}docs/hub-fanout.md)). This section is rendered from the raw results committed in [{shown}/]({root}{shown}/) each time this page is (`--render-only` too); `hub_fanout --render FILES…` prints the same table.\n"
    );
    if runs.is_empty() {
        let _ = writeln!(w, "No results in `{shown}/` when this page was rendered.\n");
        return Ok(w);
    }
    let files: Vec<String> = runs
        .iter()
        .map(|(name, run)| {
            format!(
                "[{name}]({root}{shown}/{name}) ({})",
                text(run, "commit").map_or_else(
                    || "commit and date not recorded".to_owned(),
                    |c| format!(
                        "commit {c}, {}",
                        text(run, "date").unwrap_or("date not recorded")
                    )
                )
            )
        })
        .collect();
    let _ = writeln!(
        w,
        "Files, one column each, left to right: {}. Where a file records no commit, date or machine (it predates those fields), the table says \"unknown\".\n",
        files.join(", ")
    );
    let runs: Vec<Value> = runs.into_iter().map(|(_, run)| run).collect();
    let verdicts = goals(&runs);
    if !verdicts.is_empty() {
        let _ = writeln!(
            w,
            "### Hub goals\n\n| goal | run | status | measured |\n|---|---|---|---|"
        );
        for v in &verdicts {
            let status = if v.met { "met" } else { "**missed**" };
            let _ = writeln!(w, "| {} | {} | {status} | {} |", v.goal, v.runs, v.measured);
        }
        let missed = verdicts.iter().filter(|v| !v.met).count();
        let _ = writeln!(
            w,
            "\n{missed} of {} hub goal verdicts missed. Why, and what was changed: [bench/FINDINGS.md]({root}bench/FINDINGS.md), sections 7 to 9.\n",
            verdicts.len()
        );
    }
    let _ = writeln!(w, "### Hub fan-out runs\n");
    let _ = writeln!(w, "{}", render(&runs));
    Ok(w)
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

    #[test]
    fn goals_are_judged_per_run_without_a_fault() {
        let mut runs = fixture();
        let mut big = runs[0].clone();
        big["subscribers"] = 10_000.into();
        big["acknowledged"] = 1018.into();
        big["latency_p99_ms"] = 4785.0.into();
        runs.push(big);
        let v = goals(&runs);
        let summary: Vec<(&str, bool)> = v.iter().map(|v| (v.goal, v.met)).collect();
        assert_eq!(
            summary,
            [
                ("0 updates lost, duplicated or reordered", true),
                (
                    "latency p99 ≤100 ms at 1,000 subscribers × 100 updates/s",
                    false
                ),
                (
                    "every publish acknowledged at 10,000 subscribers × 100 updates/s",
                    false
                ),
                (
                    "latency p99 ≤1 s at 10,000 subscribers × 100 updates/s",
                    false
                ),
            ]
        );
        // The run with a fault counts for the first goal only.
        assert_eq!(v[0].runs, "every run (3, 1 with a fault)");
        assert_eq!(v[1].runs, "runner p2, 1,000 at once");
        assert_eq!(v[1].measured, "240 ms");
        assert_eq!(v[2].measured, "1,018 of 3,000, 99.6/s");
    }

    #[test]
    fn a_lost_update_in_a_fault_run_misses_the_first_goal() {
        let mut runs = fixture();
        runs[1]["lost"] = 3.into();
        let v = goals(&runs);
        assert!(!v[0].met);
        assert!(v[0].measured.contains(": 3 / 0 / 0"), "{}", v[0].measured);
    }

    #[test]
    fn a_wasi03_burst_of_10000_is_judged_on_its_instances() {
        let burst = |instances: Value, clients: u64| {
            let mut run = fixture()[0].clone();
            run["manifest"] = "spin.p3.toml".into();
            run["subscribers"] = 10_000.into();
            run["connect_rate"] = 0.into();
            run["hub_instances"] = instances;
            run["redis_connected_clients"] = clients.to_string().into();
            run
        };
        let mut paced = burst(80.into(), 161);
        paced["connect_rate"] = 500.into();
        let v = goals(&[burst(823.into(), 1647), burst(Value::Null, 161), paced]);
        let judged: Vec<(bool, &str)> = v
            .iter()
            .filter(|v| v.goal.contains("≤100 hub instances"))
            .map(|v| (v.met, v.measured.as_str()))
            .collect();
        assert_eq!(
            judged,
            [
                (false, "823 instances"),
                (true, "80 instances (about: Redis clients 161 / 2)")
            ]
        );
    }

    #[test]
    fn the_committed_runs_make_a_section() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("hub-fanout");
        let md = section(&dir, "").unwrap();
        assert!(md.starts_with("## Hub fan-out\n"), "{md}");
        assert!(md.contains("### Hub goals"), "{md}");
        let files = json_files(&dir);
        assert!(!files.is_empty());
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy();
            assert!(
                md.contains(&format!("[{name}]({}/{name})", dir.display())),
                "{name}"
            );
        }
        let empty = section(&dir.join("none"), "").unwrap();
        assert!(empty.contains("No results in"), "{empty}");
    }

    #[test]
    fn paced_runs_follow_burst_runs_of_the_same_size() {
        let run = |subs: u64, rate: u64, manifest: &str| serde_json::json!({"subscribers": subs, "connect_rate": rate, "manifest": manifest});
        let mut runs = vec![
            ("d".to_owned(), run(10_000, 0, "spin.toml")),
            ("c".to_owned(), run(1000, 200, "spin.toml")),
            ("b".to_owned(), run(1000, 0, "spin.p3.toml")),
            ("a".to_owned(), run(1000, 0, "spin.toml")),
        ];
        page_order(&mut runs);
        let names: Vec<&str> = runs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
    }
}
