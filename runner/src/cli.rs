//! Command-line parsing (no I/O): `up` and `build`, their flags, and help.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

/// Default address for `up`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

/// Usage text for `--help`.
pub const USAGE: &str = "\
spin-sse-runner: serve a Spin app's HTTP components (spin.toml) on wasmtime + wasi-http

Usage:
  spin-sse-runner up [--file spin.toml] [--listen 127.0.0.1:3000] [--build]
                     [--max-instances N] [--metrics-listen ADDR]
  spin-sse-runner build [--file spin.toml]

Options:
  -f, --file PATH          manifest, or a directory holding spin.toml (default: spin.toml)
      --listen ADDR        address to serve on (default: 127.0.0.1:3000; port 0 picks one)
      --build              run each component's build command first (like `spin build`)
      --max-instances N    concurrent component instances; past it requests get 503 (default: 20000)
      --metrics-listen ADDR  also serve GET http://ADDR/metrics (instance counters as JSON)
  -h, --help               show this help
  -V, --version            show the version
";

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve the app.
    Up(UpArgs),
    /// Run the build commands only.
    Build {
        /// Manifest path.
        file: PathBuf,
    },
    /// Print [`USAGE`].
    Help,
    /// Print the version.
    Version,
}

/// Options of `up`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpArgs {
    /// Manifest path.
    pub file: PathBuf,
    /// Address to serve on.
    pub listen: SocketAddr,
    /// Run build commands first.
    pub build: bool,
    /// Instance limit; `None` keeps the engine default.
    pub max_instances: Option<u32>,
    /// Where to serve `/metrics`.
    pub metrics_listen: Option<SocketAddr>,
}

/// Parses `args` (without the program name). Errors are one line.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut it = args.iter();
    let sub = match it.next().map(String::as_str) {
        None | Some("-h") | Some("--help") | Some("help") => return Ok(Command::Help),
        Some("-V") | Some("--version") => return Ok(Command::Version),
        Some(s) => s.to_string(),
    };
    let mut file = PathBuf::from("spin.toml");
    let mut listen = None;
    let mut build = false;
    let mut max_instances = None;
    let mut metrics_listen = None;
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match (sub.as_str(), flag) {
            (_, "-h" | "--help") => return Ok(Command::Help),
            (_, "-f" | "--file") => file = resolve_manifest(PathBuf::from(value("--file")?)),
            ("up", "--listen") => listen = Some(address(&value("--listen")?, "--listen")?),
            ("up", "--build") if inline.is_none() => build = true,
            ("up", "--max-instances") => {
                let v = value("--max-instances")?;
                match v.parse::<u32>() {
                    Ok(n) if n > 0 => max_instances = Some(n),
                    _ => {
                        return Err(format!(
                            "--max-instances: `{v}` is not a whole number of at least 1"
                        ))
                    }
                }
            }
            ("up", "--metrics-listen") => {
                metrics_listen = Some(address(&value("--metrics-listen")?, "--metrics-listen")?)
            }
            ("up" | "build", _) => {
                return Err(format!("unknown option `{arg}` for `{sub}` (see --help)"))
            }
            _ => {
                return Err(format!(
                    "unknown command `{sub}`: use `up` or `build` (see --help)"
                ))
            }
        }
    }
    match sub.as_str() {
        "up" => Ok(Command::Up(UpArgs {
            file,
            listen: match listen {
                Some(l) => l,
                None => DEFAULT_LISTEN.parse().expect("default address parses"),
            },
            build,
            max_instances,
            metrics_listen,
        })),
        "build" => Ok(Command::Build { file }),
        _ => Err(format!(
            "unknown command `{sub}`: use `up` or `build` (see --help)"
        )),
    }
}

/// A directory means its `spin.toml` (as Spin's `--file`).
fn resolve_manifest(path: PathBuf) -> PathBuf {
    if path.is_dir() {
        path.join("spin.toml")
    } else {
        path
    }
}

/// `ip:port`, or `host:port` resolved (first address).
fn address(s: &str, flag: &str) -> Result<SocketAddr, String> {
    if let Ok(a) = s.parse() {
        return Ok(a);
    }
    s.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| format!("{flag}: `{s}` is not an address like 127.0.0.1:3000"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn up(args: &[&str]) -> UpArgs {
        match p(args).unwrap() {
            Command::Up(u) => u,
            other => panic!("{other:?}"),
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
            Command::Build {
                file: "a/spin.toml".into()
            }
        );
    }

    #[test]
    fn bad_input_is_a_one_line_error() {
        for (args, needle) in [
            (&["up", "--listen", "nope"][..], "not an address"),
            (&["up", "--max-instances", "0"][..], "at least 1"),
            (&["up", "--max-instances", "x"][..], "at least 1"),
            (&["up", "--bogus"][..], "unknown option `--bogus`"),
            (&["build", "--listen", "1.2.3.4:5"][..], "unknown option"),
            (&["serve"][..], "unknown command `serve`"),
            (&["up", "--file"][..], "needs a value"),
        ] {
            let e = p(args).unwrap_err();
            assert!(e.contains(needle) && !e.contains('\n'), "{args:?}: {e}");
        }
    }

    #[test]
    fn help_and_version() {
        assert_eq!(p(&[]).unwrap(), Command::Help);
        assert_eq!(p(&["--help"]).unwrap(), Command::Help);
        assert_eq!(p(&["up", "-h"]).unwrap(), Command::Help);
        assert_eq!(p(&["-V"]).unwrap(), Command::Version);
    }
}
