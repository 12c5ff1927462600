//! Running the load generator as child processes of this binary (to spread
//! sockets over several fd tables and source addresses) and merging them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::getload::GetSummary;
use crate::load::record::RawRun;
use crate::load::summary::Summary;

/// One SSE load, split over `processes`.
#[derive(Debug, Clone)]
pub struct SseLoad {
    pub url: String,
    pub streams: usize,
    pub rate: f64,
    pub hold_s: f64,
    pub processes: usize,
    pub drop_after_events: Option<u64>,
    pub concurrency: Option<usize>,
}

/// Source-address range for load process `k`: 32 addresses in 127.0.<k+1>.x.
pub fn sources_for(k: usize) -> String {
    let b = (k % 250) + 1;
    format!("127.0.{b}.2-127.0.{b}.33")
}

/// Splits `total` into `parts` near-equal shares.
pub fn split(total: usize, parts: usize) -> Vec<usize> {
    let parts = parts.max(1);
    (0..parts)
        .map(|k| total / parts + usize::from(k < total % parts))
        .collect()
}

/// Runs the load and merges the processes' results.
pub fn run_sse(exe: &Path, work: &Path, load: &SseLoad) -> Result<Summary, String> {
    let shares: Vec<usize> = split(load.streams, load.processes)
        .into_iter()
        .filter(|n| *n > 0)
        .collect();
    let procs = shares.len();
    let max_duration = load.hold_s + load.streams as f64 / load.rate.max(1.0) + 60.0;
    let mut children = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    for (k, n) in shares.iter().enumerate() {
        let raw = work.join(format!("raw-{k}.json"));
        let _ = std::fs::remove_file(&raw);
        let mut cmd = Command::new(exe);
        cmd.arg("load")
            .args(["--url", &load.url])
            .args(["--streams", &n.to_string()])
            .args(["--rate", &(load.rate / procs as f64).to_string()])
            .args(["--hold", &load.hold_s.to_string()])
            .args(["--max-duration", &max_duration.to_string()])
            .args(["--sources", &sources_for(k)])
            .arg("--raw-out")
            .arg(&raw)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(d) = load.drop_after_events {
            cmd.args(["--drop-after-events", &d.to_string()]);
        }
        if let Some(c) = load.concurrency {
            cmd.args(["--concurrency", &(c / procs).max(1).to_string()]);
        }
        children.push(
            cmd.spawn()
                .map_err(|e| format!("cannot start load process: {e}"))?,
        );
        files.push(raw);
    }
    for mut c in children {
        let status = c.wait().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("load process failed: {status}"));
        }
    }
    let mut runs = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        runs.push(
            serde_json::from_str::<RawRun>(&text).map_err(|e| format!("{}: {e}", f.display()))?,
        );
    }
    Ok(Summary::from_runs(&runs))
}

/// Runs one `get` load process.
pub fn run_get(
    exe: &Path,
    work: &Path,
    url: &str,
    connections: usize,
    duration_s: f64,
    if_none_match: bool,
) -> Result<GetSummary, String> {
    let out = work.join("get.json");
    let _ = std::fs::remove_file(&out);
    let mut cmd = Command::new(exe);
    cmd.arg("get")
        .args(["--url", url])
        .args(["--connections", &connections.to_string()])
        .args(["--duration", &duration_s.to_string()])
        .args(["--json", &out.to_string_lossy()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if if_none_match {
        cmd.args(["--if-none-match", "auto"]);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start get process: {e}"))?;
    if !status.success() {
        return Err(format!("get process failed: {status}"));
    }
    let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_and_differ_by_at_most_one() {
        let s = split(15_001, 2);
        assert_eq!(s, vec![7_501, 7_500]);
        assert_eq!(split(3, 5).iter().sum::<usize>(), 3);
        assert_eq!(split(10, 0), vec![10]);
    }

    #[test]
    fn each_process_gets_its_own_source_range() {
        assert_eq!(sources_for(0), "127.0.1.2-127.0.1.33");
        assert_ne!(sources_for(0), sources_for(1));
        assert!(crate::target::parse_sources(&sources_for(3)).unwrap().len() == 32);
    }
}
