//! Renders [`Results`] as the markdown of `BENCHMARKS.md` (a pure function;
//! the hub fan-out section comes in rendered, from [`crate::fanout`]).

use std::fmt::Write;

use super::goals::{self, Status};
use super::meta::portable_line;
use super::model::{Results, PEER, RUNNER, RUNNER_P3};

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".into(), |v| format!("{v:.digits$}"))
}

/// `v` rounded, with thousands separators: `1,234,567`.
pub fn int(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// `a / b` as "1.23×", or "-" when either side is missing, or for the peer itself.
fn times(server: &str, a: Option<f64>, b: Option<f64>) -> String {
    if server == PEER {
        return "1×".into();
    }
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "-".into(),
    }
}

/// Where the document's links point, relative to the document itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Links {
    /// The repository root: "" for a report at the root, "../" one folder down.
    pub root: String,
    /// The plots' folder, from the root (`docs`).
    pub plots: String,
}

impl Links {
    /// Links for a report written to `out` with its plots in `plots`, both
    /// relative to the repository root.
    pub fn for_report(out: &std::path::Path, plots: &std::path::Path) -> Links {
        let depth = out.parent().map_or(0, |p| {
            p.components()
                .filter(|c| matches!(c, std::path::Component::Normal(_)))
                .count()
        });
        Links {
            root: "../".repeat(depth),
            plots: plots.to_string_lossy().trim_end_matches('/').to_string(),
        }
    }
}

/// The whole document; `raw` names the results file it is rendered from,
/// `hub` is the "Hub fan-out" section. Absolute paths in the recorded
/// command lines (results from before they were written portably) are
/// shortened as [`portable_line`] does.
pub fn render(r: &Results, raw: &str, links: &Links, hub: &str) -> String {
    let mut o = String::new();
    let w = &mut o;
    let command = portable_line(&r.command, &[]);
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Generated {} by `{}` at commit `{}` in {:.0} s{}.\n",
        r.generated_utc,
        command,
        r.commit,
        r.duration_s,
        if r.quick {
            " — **quick mode: short holds and small ladder, a smoke run, not the reference figures**"
        } else {
            ""
        }
    );
    for n in &r.notes {
        let _ = writeln!(w, "> {n}\n");
    }
    let _ = writeln!(w, "Contents: machine and servers, the goals met and missed, the concurrency ladder, throughput, connection rate, static files, the disconnect storm, the hub fan-out, how to read these figures. The analysis (why the runner misses what it misses, and what was changed): [bench/FINDINGS.md]({}bench/FINDINGS.md).\n", links.root);
    let _ = writeln!(w, "## Reproduce\n\n```sh\nbash bench/run.sh            # builds everything, then runs every scenario (<20 min; spin and spin-p3 when `spin` is on PATH)\nbash bench/run.sh --quick    # smoke run, about 2 minutes\n```\n");
    let _ = writeln!(w, "`bench/run.sh` builds the runner, the components and the kit in release mode and runs `{command}`.\n");
    let _ = writeln!(w, "Every figure below comes from the raw results in [{raw}]({raw}), written by the same run, but for the hub fan-out section, rendered from its own raw results; `spin-sse-bench drive --render-only {raw}` renders this page and the plots from them again.\n");
    machine(w, r);
    servers(w, r);
    goals_table(w, r, links);
    ladder(w, r, links);
    throughput(w, r);
    connrate(w, r);
    statics(w, r);
    storm(w, r);
    let _ = writeln!(w, "{}", hub.trim_end());
    let _ = writeln!(w);
    let _ = writeln!(w, "## How to read these figures\n");
    let _ = writeln!(w, "- The load generator runs on the same 2 cores as the server under test; its own CPU use is shown where it matters. Every target is a loopback address.");
    let _ = writeln!(w, "- \"RSS\" is `VmRSS` of the server process from `/proc/<pid>/status`, sampled every 200 ms; CPU is utime+stime from `/proc/<pid>/stat` over the measurement window, in % of one core. Under `spin up` (`spin`, `spin-p3`) the process sampled is the one that serves, its `spin trigger http` child, not the `spin up` parent.");
    let _ = writeln!(w, "- KiB/stream = (peak RSS with all streams open − RSS of the idle, freshly started server) ÷ established streams. \"RSS after\" is read a few seconds after the streams of that step ended, on the same server process (the ladder does not restart it between steps).");
    let _ = writeln!(w, "- First-event latency is measured from the start of the TCP connect to the first complete event: \"ramp\" over the step's own streams while they arrive at the ramp rate; \"probes\" over short `count=1` streams opened at 100/s while the step's streams are held (more samples spread over time, so one pause of the machine weighs less; the latency goal uses them when present).");
    let _ = writeln!(w, "- Anomalies = id gaps + duplicates + reordering + events that do not follow the stream contract.");
    let _ = writeln!(w, "- Command lines are shown from the repository root; `$CARGO_TARGET_DIR` and `~` stand for those directories, and `…/` for any other directory of the machine the run was on.");
    o
}

fn machine(w: &mut String, r: &Results) {
    let m = &r.machine;
    let _ = writeln!(w, "## Machine\n\n| | |\n|---|---|");
    let _ = writeln!(w, "| CPU | {} × {} |", m.cores, m.cpu_model);
    let _ = writeln!(
        w,
        "| memory | {:.1} GiB |",
        m.mem_total_kib as f64 / 1024.0 / 1024.0
    );
    let _ = writeln!(w, "| kernel | {} |", m.kernel);
    let _ = writeln!(w, "| fd limit per process | {} |", m.fd_limit);
    for (k, v) in &r.versions {
        let _ = writeln!(w, "| {k} | {v} |");
    }
    let _ = writeln!(w);
}

fn servers(w: &mut String, r: &Results) {
    let _ = writeln!(w, "## Servers\n");
    for (name, cmd) in &r.servers {
        let _ = writeln!(w, "- **{name}**: `{}`", portable_line(cmd, &[]));
    }
    for s in &r.skipped {
        let _ = writeln!(
            w,
            "- **{}**: not measured — {}",
            s.server,
            portable_line(&s.reason, &[])
        );
    }
    let _ = writeln!(w);
}

fn goals_table(w: &mut String, r: &Results, links: &Links) {
    let _ = writeln!(w, "## Goals\n\n| goal | status | measured |\n|---|---|---|");
    let verdicts = goals::check(r);
    for v in &verdicts {
        let _ = writeln!(w, "| {} | {} | {} |", v.goal, v.status.label(), v.measured);
    }
    let count = |status| verdicts.iter().filter(|v| v.status == status).count();
    let _ = writeln!(
        w,
        "\nIn this run: {} goal(s) met, {} **missed**, {} not measured.\n",
        count(Status::Met),
        count(Status::Missed),
        count(Status::NotMeasured)
    );
    let _ = writeln!(
        w,
        "Why, and the runner and component changes measured to close two of the gaps: [bench/FINDINGS.md]({}bench/FINDINGS.md).\n",
        links.root
    );
    let _ = writeln!(
        w,
        "The event hub's goals are judged on its own runs: [Hub fan-out](#hub-fan-out).\n"
    );
}

fn ladder(w: &mut String, r: &Results, links: &Links) {
    let _ = writeln!(
        w,
        "## Concurrency ladder\n\n`/sse?interval=1000&count=1000000`, streams opened at {} /s, held {} s once all are scheduled, then closed by the client.\n",
        int(r.ramp_rate),
        r.hold_s
    );
    let _ = writeln!(w, "| server | streams | established | RSS idle MiB | RSS open MiB (anon / shmem) | KiB/stream | RSS after MiB | CPU % | events/s | first event p50 / p99 ms (ramp) | probes: p50 / p99 ms (n) | anomalies | errors | stream ends | KiB/stream vs peer | p99 vs peer |");
    let _ = writeln!(
        w,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
    );
    for l in &r.ladder {
        let peer = r
            .ladder
            .iter()
            .find(|p| p.server == PEER && p.streams == l.streams);
        let open = format!(
            "{} ({} / {})",
            mib(l.rss_open_kib),
            mib(l.anon_open_kib),
            mib(l.shmem_open_kib)
        );
        let _ = writeln!(
            w,
            "| {} | {} | {} ({:.1}%) | {} | {} | {} | {} | {:.0} | {} | {} / {} | {} / {} ({}) | {} | {} | {} | {} | {} |",
            l.server,
            int(l.streams as f64),
            int(l.established as f64),
            100.0 * l.established as f64 / l.streams.max(1) as f64,
            mib(l.rss_idle_kib),
            open,
            opt(l.kib_per_stream, 1),
            mib(l.rss_after_kib),
            l.cpu_pct,
            int(l.events_per_s),
            opt(l.first_event_p50_ms, 2),
            opt(l.first_event_p99_ms, 2),
            opt(l.probe_p50_ms, 2),
            opt(l.probe_p99_ms, 2),
            l.probes,
            l.anomalies,
            l.errors,
            l.ends,
            times(&l.server, l.kib_per_stream, peer.and_then(|p| p.kib_per_stream)),
            times(&l.server, l.first_event_p99_ms, peer.and_then(|p| p.first_event_p99_ms)),
        );
    }
    let plots = format!("{}{}", links.root, links.plots);
    let _ = writeln!(w, "\n![RSS against open streams]({plots}/bench-rss.svg)\n\n![first-event latency against open streams]({plots}/bench-first-event.svg)\n");
}

fn throughput(w: &mut String, r: &Results) {
    let one_stream = match r.one_stream_runs {
        0 | 1 => "one run".to_owned(),
        n => format!("the median of {n} runs (anomalies and errors over all of them)"),
    };
    let _ = writeln!(w, "## Throughput\n\n`/sse?interval=0&count=1000000`: events as fast as the server writes them, for a fixed time (one stream ends at the 1,000,000 events, in about 0.1 s: {one_stream}).\n");
    let _ = writeln!(w, "| server | streams | events/s | MB/s | server CPU % | events | anomalies | errors | events/s vs peer |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for t in &r.throughput {
        let peer = r
            .throughput
            .iter()
            .find(|p| p.server == PEER && p.streams == t.streams);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {:.1} | {:.0} | {} | {} | {} | {} |",
            t.server,
            t.streams,
            int(t.events_per_s),
            t.mb_per_s,
            t.cpu_pct,
            int(t.events as f64),
            t.anomalies,
            t.errors,
            times(
                &t.server,
                Some(t.events_per_s),
                peer.map(|p| p.events_per_s)
            ),
        );
    }
    let _ = writeln!(w);
}

fn connrate(w: &mut String, r: &Results) {
    let _ = writeln!(w, "## Connection rate\n\n`/sse?interval=0&count=1`: each worker opens a new connection, reads the one event to the end of the response, closes, repeats; a stream started before the end of the run may finish within 5 s.\n");
    let _ = writeln!(w, "| server | workers | streams | streams/s | p50 ms | p99 ms | status codes | errors | stream ends | server CPU % | streams/s vs peer |\n|---|---:|---:|---:|---:|---:|---|---:|---|---:|---:|");
    for c in &r.connrate {
        let peer = r.connrate.iter().find(|p| p.server == PEER);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.0} | {} |",
            c.server,
            c.concurrency,
            int(c.streams as f64),
            int(c.streams_per_s),
            opt(c.p50_ms, 2),
            opt(c.p99_ms, 2),
            c.statuses,
            c.errors,
            c.ends,
            c.cpu_pct,
            times(
                &c.server,
                Some(c.streams_per_s),
                peer.map(|p| p.streams_per_s)
            ),
        );
    }
    let _ = writeln!(w);
}

fn statics(w: &mut String, r: &Results) {
    let _ = writeln!(
        w,
        "## Static files\n\nKeep-alive GETs, one request at a time per connection.\n"
    );
    let _ = writeln!(w, "| server | case | connections | requests/s | MB/s | p50 ms | p99 ms | status codes | errors | server CPU % | requests/s vs peer |\n|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|");
    for s in &r.statics {
        let peer = r
            .statics
            .iter()
            .find(|p| p.server == PEER && p.case == s.case);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {:.1} | {} | {} | {} | {} | {:.0} | {} |",
            s.server,
            s.case,
            s.connections,
            int(s.requests_per_s),
            s.mb_per_s,
            opt(s.p50_ms, 2),
            opt(s.p99_ms, 2),
            s.statuses,
            s.errors,
            s.cpu_pct,
            times(
                &s.server,
                Some(s.requests_per_s),
                peer.map(|p| p.requests_per_s)
            ),
        );
    }
    let _ = writeln!(w);
    abi_statics(w, r);
}

/// The WASI 0.3 build's static requests/s next to the WASI 0.2 build's.
fn abi_statics(w: &mut String, r: &Results) {
    let of = |server: &str, case: &str| {
        r.statics
            .iter()
            .find(|s| s.server == server && s.case == case)
            .map(|s| s.requests_per_s)
    };
    let mut lines = Vec::new();
    for s in r.statics.iter().filter(|s| s.server == RUNNER_P3) {
        if let Some(p2) = of(RUNNER, &s.case) {
            lines.push(format!(
                "- {}: {} req/s on WASI 0.3, {} on WASI 0.2 ({})",
                s.case,
                int(s.requests_per_s),
                int(p2),
                times(RUNNER_P3, Some(s.requests_per_s), Some(p2))
            ));
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(
            w,
            "WASI 0.3 build (`runner-p3`) against the WASI 0.2 build (`runner`):\n"
        );
        let _ = writeln!(w, "{}\n", lines.join("\n"));
    }
}

fn storm(w: &mut String, r: &Results) {
    let _ = writeln!(w, "## Disconnect storm\n\nClients open `/sse?interval=100&count=1000000` on a freshly started server and each drops its connection after 20 events (about 2 s, mid-stream). Times are from the moment the last client process exited.\n");
    let _ = writeln!(w, "| server | clients | dropped mid-stream | RSS idle MiB | RSS peak MiB | RSS after MiB | s to 0 instances | s to RSS ≤ idle+10% | instances started / finished |\n|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for s in &r.storm {
        let inst = match (s.instances_started, s.instances_finished) {
            (Some(a), Some(b)) => format!("{a} / {b}"),
            _ => "-".into(),
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            s.server,
            s.clients,
            s.dropped,
            mib(s.rss_idle_kib),
            mib(s.rss_peak_kib),
            mib(s.rss_after_kib),
            s.s_to_zero_instances
                .map_or("n/a".into(), |v| format!("{v:.2}")),
            s.s_to_rss_back
                .map_or("not within the wait".into(), |v| format!("{v:.2}")),
            inst
        );
    }
    let _ = writeln!(w);
}

#[cfg(test)]
mod tests;
