//! Command line (no I/O): the commands `up` and `build` and their help, on
//! clap derive; every flag of both is in [`flags`]. Every parse failure
//! becomes one line naming the flag and the fix.

pub mod flags;

pub use flags::{BuildArgs, UpArgs, DEFAULT_LISTEN};

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Parser, Subcommand};

/// The whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "spin-sse-runner",
    version,
    about = "spin-sse-runner: serve a Spin app's HTTP components (spin.toml) on wasmtime + wasi-http",
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Serve the app
    Up(Box<UpArgs>),
    /// Run each component's build command only (like `spin build`)
    Build(BuildArgs),
}

/// The outcome of parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Run this command.
    Run(Command),
    /// Print this text (help or version) and exit successfully.
    Print(String),
}

/// Parses `args` (without the program name). Errors are one line.
pub fn parse(args: &[String]) -> Result<Parsed, String> {
    let argv = std::iter::once("spin-sse-runner").chain(args.iter().map(String::as_str));
    match Cli::try_parse_from(argv) {
        Ok(cli) => Ok(Parsed::Run(cli.command)),
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                Ok(Parsed::Print(e.render().to_string()))
            }
            _ => Err(one_line_error(&e, args)),
        },
    }
}

/// Today's wording for clap's error kinds; anything else in clap's words.
fn one_line_error(e: &clap::Error, args: &[String]) -> String {
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.split_whitespace().next().unwrap_or(s).to_string(),
        _ => String::new(),
    };
    let sub = args.first().map(String::as_str).unwrap_or_default();
    match e.kind() {
        ErrorKind::InvalidSubcommand => {
            format!("unknown command `{sub}`: use `up` or `build` (see --help)")
        }
        ErrorKind::UnknownArgument if matches!(sub, "up" | "build") => {
            format!("unknown option `{arg}` for `{sub}` (see --help)")
        }
        ErrorKind::UnknownArgument => {
            format!("unknown option `{arg}`: give a command first, `up` or `build` (see --help)")
        }
        ErrorKind::InvalidValue if is_missing_value(e) => format!("{arg} needs a value"),
        ErrorKind::ValueValidation => match std::error::Error::source(e) {
            Some(reason) => reason.to_string(),
            None => clap_words(e),
        },
        _ => clap_words(e),
    }
}

fn is_missing_value(e: &clap::Error) -> bool {
    matches!(e.get(ContextKind::InvalidValue), Some(ContextValue::String(v)) if v.is_empty())
}

/// clap's own message, without its `error:` prefix, usage and tips.
fn clap_words(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    format!("{first} (see --help)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn p(args: &[&str]) -> Result<Parsed, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn up(args: &[&str]) -> UpArgs {
        match p(args).unwrap() {
            Parsed::Run(Command::Up(u)) => *u,
            other => panic!("{other:?}"),
        }
    }

    fn printed(args: &[&str]) -> String {
        match p(args).unwrap() {
            Parsed::Print(text) => text,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn up_defaults() {
        let u = up(&["up"]);
        assert_eq!(u.file, PathBuf::from("spin.toml"));
        assert_eq!(u.listen.to_string(), "127.0.0.1:3000");
        assert!(!u.build);
        assert_eq!((u.max_instances, u.metrics_listen), (None, None));
    }

    #[test]
    fn up_with_every_flag() {
        let u = up(&[
            "up",
            "--file",
            "x.toml",
            "--listen",
            "127.0.0.1:0",
            "--build",
            "--max-instances",
            "5",
            "--metrics-listen=127.0.0.1:9",
        ]);
        assert_eq!(u.file, PathBuf::from("x.toml"));
        assert_eq!(u.listen.port(), 0);
        assert!(u.build);
        assert_eq!(u.max_instances, Some(5));
        assert_eq!(u.metrics_listen.unwrap().port(), 9);
    }

    #[test]
    fn a_directory_means_its_spin_toml() {
        let dir = std::env::temp_dir();
        assert_eq!(
            up(&["up", "-f", dir.to_str().unwrap()]).file,
            dir.join("spin.toml")
        );
    }

    #[test]
    fn localhost_names_resolve() {
        assert_eq!(
            up(&["up", "--listen", "localhost:3001"]).listen.port(),
            3001
        );
    }

    #[test]
    fn build_takes_a_file() {
        assert_eq!(
            p(&["build", "-f", "a/spin.toml"]).unwrap(),
            Parsed::Run(Command::Build(BuildArgs {
                file: "a/spin.toml".into()
            }))
        );
    }

    #[test]
    fn bad_input_is_a_one_line_error() {
        for (args, needle) in [
            (
                &["up", "--listen", "nope"][..],
                "--listen: `nope` is not an address",
            ),
            (&["up", "--max-instances", "0"][..], "at least 1"),
            (&["up", "--max-instances", "x"][..], "at least 1"),
            (&["up", "--bogus"][..], "unknown option `--bogus` for `up`"),
            (
                &["build", "--listen", "1.2.3.4:5"][..],
                "unknown option `--listen` for `build`",
            ),
            (&["serve"][..], "unknown command `serve`"),
            (&["up", "--file"][..], "--file needs a value"),
            (&["up", "--build=yes"][..], "--build"),
        ] {
            let e = p(args).unwrap_err();
            assert!(e.contains(needle) && !e.contains('\n'), "{args:?}: {e}");
        }
    }

    #[test]
    fn help_and_version_are_printed() {
        for args in [&[][..], &["--help"], &["help"], &["-h"]] {
            let text = printed(args);
            assert!(text.contains("Usage: spin-sse-runner"), "{args:?}: {text}");
            assert!(text.contains("up") && text.contains("build"), "{text}");
        }
        let up_help = printed(&["up", "-h"]);
        for flag in [
            "--file",
            "--listen",
            "--build",
            "--max-instances",
            "--metrics-listen",
        ] {
            assert!(up_help.contains(flag), "{up_help}");
        }
        assert_eq!(
            printed(&["-V"]),
            format!("spin-sse-runner {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}
