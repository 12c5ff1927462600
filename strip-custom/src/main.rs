//! `strip-custom FILE.wasm…`: rewrites each file in place without its custom
//! sections and prints the sizes before and after.

use std::process::ExitCode;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!(
            "usage: strip-custom FILE.wasm… (rewrites each file without its custom sections)"
        );
        return ExitCode::from(2);
    }
    for file in &files {
        let result = std::fs::read(file)
            .map_err(|e| e.to_string())
            .and_then(|wasm| {
                let stripped = strip_custom::strip(&wasm).map_err(|e| e.to_string())?;
                // A new file, renamed over the old one: cargo hard-links its
                // output to the copy in deps/, which must stay as built.
                let tmp = format!("{file}.strip-custom.tmp");
                std::fs::write(&tmp, &stripped).map_err(|e| e.to_string())?;
                std::fs::rename(&tmp, file).map_err(|e| e.to_string())?;
                Ok((wasm.len(), stripped.len()))
            });
        match result {
            Ok((before, after)) => println!("strip-custom: {file}: {before} -> {after} bytes"),
            Err(e) => {
                eprintln!("Error: {file}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
