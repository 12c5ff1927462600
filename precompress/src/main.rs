//! `precompress DIR`: writes `.br` / `.gz` sidecars for the text assets
//! under DIR (see the library docs). Prints one line per sidecar written and
//! a summary; on failure prints `Error: ...` and exits non-zero.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match args.as_slice() {
        [flag] if flag == "-h" || flag == "--help" => {
            println!("usage: precompress DIR   (writes .br/.gz sidecars for text assets in DIR)");
            return ExitCode::SUCCESS;
        }
        [dir] => dir,
        _ => {
            eprintln!("Error: expected exactly one argument, the directory to precompress (e.g. `precompress static`)");
            return ExitCode::from(2);
        }
    };
    match precompress::sidecars::run(Path::new(dir)) {
        Ok(report) => {
            for (path, from, to) in &report.written {
                println!(
                    "precompress: wrote {} ({from} -> {to} bytes)",
                    path.display()
                );
            }
            for path in &report.removed {
                println!("precompress: removed {}", path.display());
            }
            println!(
                "precompress: {} written, {} unchanged, {} not smaller, {} removed",
                report.written.len(),
                report.unchanged,
                report.no_gain,
                report.removed.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}
