//! The benchmark driver: prepares a copy of the app (with a 1 MiB static
//! file), starts each server fresh for each scenario group, runs the
//! scenarios while sampling the server, and writes `BENCHMARKS.md` (with the
//! hub fan-out section rendered from `bench/hub-fanout/*.json`), the SVG
//! plots and a JSON copy of the results.

pub mod app;
pub mod goals;
pub mod loadproc;
pub mod meta;
pub mod model;
pub mod plot;
pub mod report;
pub mod sampler;
pub mod scenarios;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use model::{Results, Skipped, PEER, RUNNER, RUNNER_P3, SPIN, SPIN_P3};
use sampler::Sampler;
use scenarios::Ctx;
use server::Server;

use crate::procfs;
use meta::{git_commit, utc_now, versions};

/// Options of `drive`.
#[derive(clap::Args, Debug, Clone)]
pub struct DriveArgs {
    /// Smoke run: ladder 100 and 1,000 with 5 s holds, short scenarios.
    #[arg(long)]
    pub quick: bool,
    /// The runner binary (default: <cargo target dir>/release/spin-sse-runner).
    #[arg(long)]
    pub runner: Option<PathBuf>,
    /// Cargo's target directory, where built components are found
    /// (default: $CARGO_TARGET_DIR or `target`).
    #[arg(long)]
    pub target_dir: Option<PathBuf>,
    /// The app manifest (its components must be built).
    #[arg(long, default_value = "spin.toml")]
    pub manifest: PathBuf,
    /// The WASI 0.3 build of the same app, served as `runner-p3` (and by
    /// `spin up` as `spin-p3`).
    #[arg(long, default_value = "spin.p3.toml")]
    pub manifest_p3: PathBuf,
    /// `--max-instances` for the runner.
    #[arg(long, default_value_t = 20_000)]
    pub max_instances: u32,
    /// Markdown report to write.
    #[arg(long, default_value = "BENCHMARKS.md")]
    pub out: PathBuf,
    /// Directory for the SVG plots.
    #[arg(long, default_value = "docs")]
    pub docs: PathBuf,
    /// Scratch directory (logs, raw results, the app copy).
    #[arg(long, default_value = "target/bench")]
    pub work: PathBuf,
    /// Comma-separated ladder steps (overrides the mode's default).
    #[arg(long)]
    pub ladder: Option<String>,
    /// Seconds to hold each ladder step (overrides the mode's default).
    #[arg(long)]
    pub hold: Option<f64>,
    /// Comma-separated servers to run: peer, runner, runner-p3, spin,
    /// spin-p3 (`spin up` with each manifest, when `spin` is on PATH),
    /// wasmtime (`wasmtime serve` of the SSE component, when on PATH).
    #[arg(long, default_value = "peer,runner,runner-p3,spin,spin-p3,wasmtime")]
    pub servers: String,
    /// Comma-separated scenarios: ladder, throughput, connrate, static, storm.
    #[arg(long, default_value = "ladder,throughput,connrate,static,storm")]
    pub scenarios: String,
    /// A note to print at the top of the report (repeatable).
    #[arg(long)]
    pub note: Vec<String>,
    /// Run nothing: re-render the report and plots from a saved results
    /// file, e.g. the committed BENCHMARKS.json (adding any `--note`), and
    /// the hub fan-out section from --hub-fanout.
    #[arg(long)]
    pub render_only: Option<PathBuf>,
    /// The raw results of `hub_fanout --json` the report's "Hub fan-out"
    /// section is rendered from (every *.json in it).
    #[arg(long, default_value = "bench/hub-fanout")]
    pub hub_fanout: PathBuf,
}

fn ctx(a: &DriveArgs, exe: PathBuf) -> Result<Ctx, String> {
    let ladder = match &a.ladder {
        Some(s) => s
            .split(',')
            .map(|v| {
                v.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("--ladder: `{v}` is not a number"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        None if a.quick => vec![100, 1000],
        None => vec![100, 1000, 5000, 10_000, 15_000],
    };
    let q = a.quick;
    Ok(Ctx {
        exe,
        work: a.work.clone(),
        ladder,
        hold_s: a.hold.unwrap_or(if q { 5.0 } else { 30.0 }),
        ramp_rate: 1000.0,
        throughput_s: if q { 3.0 } else { 10.0 },
        connrate_s: if q { 3.0 } else { 10.0 },
        static_s: if q { 2.0 } else { 8.0 },
        storm_clients: 1000,
        storm_wait_s: if q { 10.0 } else { 20.0 },
        per_process: 8000,
    })
}

/// Runs everything and writes the report.
pub fn run(a: DriveArgs) -> Result<(), String> {
    if let Some(saved) = &a.render_only {
        let text = std::fs::read_to_string(saved)
            .map_err(|e| format!("cannot read {}: {e}", saved.display()))?;
        let mut r: Results = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a results file: {e}", saved.display()))?;
        r.notes.extend(a.note.iter().cloned());
        return write_outputs(&a, &r);
    }
    let started = Instant::now();
    let exe = std::env::current_exe().map_err(|e| format!("cannot find own binary: {e}"))?;
    let c = ctx(&a, exe.clone())?;
    std::fs::create_dir_all(&c.work)
        .map_err(|e| format!("cannot create {}: {e}", c.work.display()))?;
    procfs::raise_fd_limit();
    let want = |list: &str, x: &str| list.split(',').any(|s| s.trim() == x);
    let target_dir = a
        .target_dir
        .clone()
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("target"));
    let runner = a
        .runner
        .clone()
        .unwrap_or_else(|| target_dir.join("release/spin-sse-runner"));
    let app = app::prepare(&a.manifest, &target_dir, &c.work.join("app"))?;
    // The WASI 0.3 copy, served by runner-p3 and spin-p3.
    let app_p3 = if want(&a.servers, RUNNER_P3) || want(&a.servers, SPIN_P3) {
        Some(app::prepare(
            &a.manifest_p3,
            &target_dir,
            &c.work.join("app-p3"),
        ))
    } else {
        None
    };
    let paths = meta::path_prefixes();
    let portable = |line: &str| meta::portable_line(line, &paths);
    let mut r = Results {
        generated_utc: utc_now(),
        commit: git_commit(),
        command: portable(&meta::shell_line(
            std::iter::once("spin-sse-bench".to_string()).chain(std::env::args().skip(1)),
        )),
        quick: a.quick,
        machine: procfs::machine(),
        versions: versions(&runner),
        notes: a.note.clone(),
        hold_s: c.hold_s,
        ramp_rate: c.ramp_rate,
        one_stream_runs: scenarios::ONE_STREAM_RUNS,
        ..Default::default()
    };
    let max_map = std::fs::read_to_string("/proc/sys/vm/max_map_count").unwrap_or_default();
    r.versions
        .push(("vm.max_map_count".into(), max_map.trim().to_string()));

    let mut kinds: Vec<(String, Command, bool)> = Vec::new();
    if want(&a.servers, PEER) {
        let mut cmd = Command::new(&exe);
        cmd.args([
            "peer",
            "--listen",
            "127.0.0.1:0",
            "--threads",
            "2",
            "--static-dir",
        ])
        .arg(app.static_dir.clone())
        .args(&app.peer_flags);
        kinds.push((PEER.into(), cmd, false));
    }
    let p2 = Ok(app.clone());
    let p3 = app_p3.unwrap_or_else(|| Err("not prepared".into()));
    for (name, served) in [(RUNNER, &p2), (RUNNER_P3, &p3)] {
        if !want(&a.servers, name) {
            continue;
        }
        let cmd = if runner.is_file() {
            served
                .as_ref()
                .map(|served| runner_command(&runner, &served.manifest, a.max_instances))
                .map_err(Clone::clone)
        } else {
            Err(format!("{} not found (build it first)", runner.display()))
        };
        match cmd {
            Ok(cmd) => kinds.push((name.into(), cmd, true)),
            Err(reason) => r.skipped.push(Skipped {
                server: name.into(),
                reason: portable(&reason),
            }),
        }
    }
    // `spin up` with each manifest, and `wasmtime serve` of the SSE
    // component, when the program is on PATH.
    for (name, program, served) in [
        (SPIN, "spin", &p2),
        (SPIN_P3, "spin", &p3),
        ("wasmtime", "wasmtime", &p2),
    ] {
        if !want(&a.servers, name) {
            continue;
        }
        let cmd = served
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|served| external(program, served, a.max_instances));
        match cmd {
            Ok(cmd) => kinds.push((name.to_string(), cmd, false)),
            Err(reason) => r.skipped.push(Skipped {
                server: name.into(),
                reason: portable(&reason),
            }),
        }
    }

    for (name, cmd, metrics) in &kinds {
        r.servers
            .push((name.clone(), portable(&meta::command_line_on_path(cmd))));
        let sse_only = name == "wasmtime";
        let start = |tag: &str| -> Result<(Server, Sampler, u64), String> {
            let mut cmd2 = Command::new(cmd.get_program());
            cmd2.args(cmd.get_args()).envs(
                cmd.get_envs()
                    .filter_map(|(key, value)| Some((key, value?))),
            );
            let log = c.work.join(format!("{name}-{tag}.log"));
            let srv = Server::start(name, cmd2, &log, *metrics, Duration::from_secs(60))?;
            // Under `spin up`, the `spin trigger http` child.
            let sampler = Sampler::start(srv.serving_pid, Duration::from_millis(200));
            let idle = sampler.settle_rss(Duration::from_secs(2));
            Ok((srv, sampler, idle))
        };
        let stop = |srv: Server| {
            let how = srv.stop(Duration::from_secs(15));
            eprintln!("[bench] {name} stopped: {how}");
        };
        let mut failed = Vec::new();
        if want(&a.scenarios, "ladder") {
            match start("ladder") {
                Ok((srv, sampler, idle)) => {
                    // Steps whose descriptors the server cannot hold would
                    // end it (Spin's accept loop stops on EMFILE).
                    let per_stream = server::descriptors_per_stream(name);
                    let fd_limit = procfs::fd_limit().0;
                    let (steps, left_out) =
                        server::steps_within(&c.ladder, per_stream, fd_limit, 500);
                    if !left_out.is_empty() {
                        r.notes.push(format!(
                            "{name}: ladder steps {} not run: at {per_stream} file descriptors per stream they need more than this run's limit of {fd_limit}",
                            left_out.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "),
                        ));
                    }
                    let within = Ctx {
                        ladder: steps,
                        ..c.clone()
                    };
                    r.ladder
                        .extend(scenarios::ladder(&within, &srv, &sampler, idle));
                    stop(srv);
                }
                Err(e) => failed.push(e),
            }
        }
        let mid = ["throughput", "connrate", "static"]
            .iter()
            .any(|s| want(&a.scenarios, s));
        if mid {
            match start("throughput") {
                Ok((srv, sampler, _)) => {
                    if want(&a.scenarios, "throughput") {
                        r.throughput
                            .extend(scenarios::throughput(&c, &srv, &sampler));
                    }
                    if want(&a.scenarios, "connrate") {
                        r.connrate.extend(scenarios::connrate(&c, &srv, &sampler));
                    }
                    if want(&a.scenarios, "static") && !sse_only {
                        r.statics.extend(scenarios::statics(&c, &srv, &sampler));
                    }
                    stop(srv);
                }
                Err(e) => failed.push(e),
            }
        }
        if want(&a.scenarios, "storm") {
            match start("storm") {
                Ok((srv, sampler, idle)) => {
                    r.storm.extend(scenarios::storm(&c, &srv, &sampler, idle));
                    stop(srv);
                }
                Err(e) => failed.push(e),
            }
        }
        for e in failed {
            eprintln!("[bench] {name}: {e}");
            r.notes
                .push(format!("{name} failed to start for a scenario group: {e}"));
        }
    }
    r.duration_s = started.elapsed().as_secs_f64();
    write_outputs(&a, &r)
}

/// The raw results beside the report: `BENCHMARKS.md` → `BENCHMARKS.json`.
pub fn results_path(report: &Path) -> PathBuf {
    report.with_extension("json")
}

/// Writes the plots, the raw results (beside the report) and the report.
fn write_outputs(a: &DriveArgs, r: &Results) -> Result<(), String> {
    let write = |p: &Path, text: &str| {
        std::fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))
    };
    std::fs::create_dir_all(&a.docs)
        .map_err(|e| format!("cannot create {}: {e}", a.docs.display()))?;
    let rss = plot::line_chart(
        "Server RSS with all streams open",
        "open streams (log)",
        "RSS (MiB)",
        &plot::rss_series(r),
    )?;
    write(&a.docs.join("bench-rss.svg"), &rss)?;
    let lat = plot::line_chart(
        "Time to first event",
        "open streams (log)",
        "ms",
        &plot::latency_series(r),
    )?;
    write(&a.docs.join("bench-first-event.svg"), &lat)?;
    write(
        &results_path(&a.out),
        &serde_json::to_string_pretty(r).map_err(|e| e.to_string())?,
    )?;
    let raw = results_path(&a.out);
    let raw_name = raw
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let links = report::Links::for_report(&a.out, &a.docs);
    let hub = crate::fanout::section(&a.hub_fanout, &links.root)?;
    write(&a.out, &report::render(r, &raw_name, &links, &hub))?;
    eprintln!("[bench] wrote {} in {:.0} s", a.out.display(), r.duration_s);
    Ok(())
}

/// `spin-sse-runner up` on a prepared manifest, with metrics.
fn runner_command(runner: &Path, manifest: &Path, max_instances: u32) -> Command {
    let options = sse_testkit::runner::RunnerOptions {
        flags: vec!["--max-instances".into(), max_instances.to_string()],
        ..Default::default()
    };
    sse_testkit::runner::up_command(runner, manifest, &options)
}

/// The command for `spin up` / `wasmtime serve`, or why it cannot run.
fn external(name: &str, app: &app::App, max_instances: u32) -> Result<Command, String> {
    let bin =
        server::on_path(name).ok_or_else(|| format!("`{name}` is not on PATH on this machine"))?;
    let port = server::free_port().ok_or("no free port")?;
    let mut cmd = Command::new(bin);
    if name == "spin" {
        server::spin_up_args(&mut cmd, &app.manifest, port);
        server::spin_many_streams_env(&mut cmd, max_instances);
    } else {
        let wasm = app
            .sse_wasm
            .clone()
            .ok_or("no SSE component in the manifest")?;
        cmd.args(["serve", "-Scli", "--addr", &format!("127.0.0.1:{port}")])
            .arg(wasm);
    }
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_results_sit_beside_the_report() {
        assert_eq!(
            results_path(Path::new("BENCHMARKS.md")),
            Path::new("BENCHMARKS.json")
        );
    }

    #[test]
    fn quick_mode_shrinks_the_ladder_and_holds() {
        let mut a = DriveArgs {
            quick: true,
            runner: None,
            target_dir: None,
            manifest: "m".into(),
            manifest_p3: "m3".into(),
            max_instances: 1,
            out: "o".into(),
            docs: "d".into(),
            work: "w".into(),
            ladder: None,
            hold: None,
            servers: String::new(),
            scenarios: String::new(),
            note: vec![],
            render_only: None,
            hub_fanout: "h".into(),
        };
        let q = ctx(&a, "x".into()).unwrap();
        assert_eq!(q.ladder, vec![100, 1000]);
        assert_eq!(q.hold_s, 5.0);
        a.quick = false;
        let full = ctx(&a, "x".into()).unwrap();
        assert_eq!(full.ladder, vec![100, 1000, 5000, 10_000, 15_000]);
        assert!(full.hold_s >= 30.0);
        a.ladder = Some("10,x".into());
        assert!(ctx(&a, "x".into()).is_err());
    }
}
