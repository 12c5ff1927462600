//! `spin-sse-runner` binary: parses the command line, runs it, and turns any
//! failure into one `Error: ...` line on stderr and exit status 1.

use spin_sse_runner::cli::{self, Command, Parsed};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match cli::parse(&args) {
        Err(e) => Err(anyhow::anyhow!(e)),
        Ok(Parsed::Print(text)) => {
            print!("{text}");
            Ok(())
        }
        Ok(Parsed::Run(Command::Build(build))) => spin_sse_runner::up::build(&build.file),
        Ok(Parsed::Run(Command::Up(up))) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(spin_sse_runner::up::up(*up))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let msg = format!("{e:#}");
            eprintln!(
                "Error: {}",
                msg.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            ExitCode::FAILURE
        }
    }
}
