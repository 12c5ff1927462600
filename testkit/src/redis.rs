//! A private `redis-server` for tests and benchmarks (Debian's package,
//! never a system or shared one): a free port on 127.0.0.1, its own temp
//! dir, no persistence (`--save ""`, `--appendonly no`; or, with
//! [`RedisOptions::append_only`], an append-only file fsynced on every
//! write, so a restart in the same dir keeps every acknowledged write),
//! `maxclients`
//! [`MAX_CLIENTS`] (or the caller's) with the open-file limit raised to
//! match (where the hard limit is lower, Redis takes that limit minus 32:
//! 19968 under a hard limit of 20000), run under the
//! [`watchdog`](crate::watchdog) so it stops with its starter even when that
//! fails. [`shared`] is one lazily started instance for tests that do not
//! stop or restart it. [`RedisServer::start_tls`] serves TLS only
//! (`rediss://`), with a throwaway self-signed certificate. Commands and
//! `INFO` go through `redis-cli`.

use crate::watchdog::{self, Watched};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Client connections asked for by default (`--maxclients`).
pub const MAX_CLIENTS: u64 = 20_000;

/// How long the server may take to answer PING after it was started.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A running private Redis (stopped on drop).
pub struct RedisServer {
    port: u16,
    dir: ScratchDir,
    options: RedisOptions,
    process: Option<Watched>,
}

/// How to start a [`RedisServer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedisOptions {
    /// `--maxclients` (the open-file limit is raised to match).
    pub max_clients: u64,
    /// Serve TLS only, with a self-signed certificate for 127.0.0.1.
    pub tls: bool,
    /// `--appendonly yes --appendfsync always`: every write is on disk
    /// before Redis answers it, and [`RedisServer::restart`] reloads it.
    pub append_only: bool,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            max_clients: MAX_CLIENTS,
            tls: false,
            append_only: false,
        }
    }
}

/// The instance shared by tests that neither stop nor restart it.
pub fn shared() -> &'static RedisServer {
    static SHARED: OnceLock<RedisServer> = OnceLock::new();
    SHARED.get_or_init(RedisServer::start)
}

impl RedisServer {
    /// Starts a server on a free loopback port and waits until it answers.
    /// Panics with the reason (and the server's log) when it cannot start.
    pub fn start() -> RedisServer {
        RedisServer::start_with(RedisOptions::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`RedisServer::start`], but the port speaks TLS only, with a
    /// self-signed certificate for 127.0.0.1 (clients skip verification).
    pub fn start_tls() -> RedisServer {
        let options = RedisOptions {
            tls: true,
            ..RedisOptions::default()
        };
        RedisServer::start_with(options).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts a server with `options`; the error says why it could not
    /// (with the server's log).
    pub fn start_with(options: RedisOptions) -> Result<RedisServer, String> {
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = free_port();
            let mut server = RedisServer {
                port,
                dir: ScratchDir::new(&format!("redis-{port}"))?,
                options,
                process: None,
            };
            if options.tls {
                server.make_certificate()?;
            }
            match server.launch() {
                Ok(()) => return Ok(server),
                // Another process may have taken the port meanwhile: retry.
                Err(e) => last_error = e,
            }
        }
        Err(format!("cannot start redis-server: {last_error}"))
    }

    /// `redis://127.0.0.1:PORT` (`rediss://` for a TLS server).
    pub fn url(&self) -> String {
        let scheme = if self.options.tls { "rediss" } else { "redis" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's pid (for `/proc`), while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref()?.program_pid()
    }

    /// Runs one command through `redis-cli -p PORT` and returns its stdout,
    /// trimmed. Panics when `redis-cli` cannot run or fails.
    pub fn cmd(&self, args: &[&str]) -> String {
        let out = self
            .cli()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run redis-cli (install redis-tools): {e}"));
        assert!(
            out.status.success(),
            "redis-cli {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// `field` of `INFO section` (e.g. `clients`, `connected_clients`), or
    /// `None` when the server does not report it. Panics when `redis-cli`
    /// cannot run or fails.
    pub fn info(&self, section: &str, field: &str) -> Option<String> {
        info_field(&self.cmd(&["INFO", section]), field)
    }

    /// Clients connected now, not counting the connection that asks.
    pub fn connected_clients(&self) -> u64 {
        let n: u64 = self
            .info("clients", "connected_clients")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("INFO clients has no connected_clients"));
        n.saturating_sub(1)
    }

    /// `maxclients` as the server applied it (see the module docs).
    pub fn max_clients(&self) -> u64 {
        let reply = self.cmd(&["CONFIG", "GET", "maxclients"]);
        reply
            .lines()
            .nth(1)
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("CONFIG GET maxclients: {reply}"))
    }

    /// Kills the server (SIGTERM, then SIGKILL); its data is gone.
    pub fn stop(&mut self) {
        if let Some(mut p) = self.process.take() {
            p.stop();
        }
    }

    /// Kills the server with SIGKILL, as a crash would: only what it had
    /// written to disk survives ([`RedisOptions::append_only`]).
    pub fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            let _ = p.signal("KILL");
            p.stop();
        }
    }

    /// Stops the server (if it runs) and starts it again on the same port
    /// and dir: empty, unless it saved (`CONFIG SET save` and a graceful
    /// stop) or is [`RedisOptions::append_only`].
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match self.launch() {
                Ok(()) => return,
                Err(e) if Instant::now() >= deadline => {
                    panic!("cannot restart redis-server on port {}: {e}", self.port)
                }
                // The old socket may linger for a moment.
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// `redis-cli` pointed at this server.
    fn cli(&self) -> Command {
        let mut cli = Command::new("redis-cli");
        cli.args(["-h", "127.0.0.1", "-p", &self.port.to_string()]);
        if self.options.tls {
            cli.args(["--tls", "--insecure"]);
        }
        cli
    }

    fn make_certificate(&self) -> Result<(), String> {
        let dir = self.dir.dir();
        let out = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args(["-subj", "/CN=127.0.0.1", "-keyout"])
            .arg(dir.join("key.pem"))
            .arg("-out")
            .arg(dir.join("cert.pem"))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run openssl for a test certificate: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "openssl req failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    }

    fn launch(&mut self) -> Result<(), String> {
        let log = self.dir.dir().join("redis.log");
        let port = self.port.to_string();
        let mut cmd = watchdog::command("redis-server");
        if self.options.tls {
            let dir = self.dir.dir();
            cmd.args([
                "--port",
                "0",
                "--tls-port",
                &port,
                "--tls-auth-clients",
                "no",
            ])
            .arg("--tls-cert-file")
            .arg(dir.join("cert.pem"))
            .arg("--tls-key-file")
            .arg(dir.join("key.pem"))
            .arg("--tls-ca-cert-file")
            .arg(dir.join("cert.pem"));
        } else {
            cmd.args(["--port", &port]);
        }
        cmd.args(["--bind", "127.0.0.1", "--protected-mode", "yes"])
            .arg("--dir")
            .arg(self.dir.dir())
            .args(["--save", "", "--daemonize", "no"])
            .args(if self.options.append_only {
                ["--appendonly", "yes", "--appendfsync", "always"].as_slice()
            } else {
                ["--appendonly", "no"].as_slice()
            })
            .args(["--maxclients", &self.options.max_clients.to_string()])
            .arg("--logfile")
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut process = Watched::spawn(cmd, Some(self.options.max_clients + 64))
            .map_err(|e| format!("cannot run redis-server (scripts/setup installs it): {e}"))?;
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if process.has_exited() {
                break;
            }
            if self.answers_as_this_server() {
                self.process = Some(process);
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        process.stop();
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        Err(format!(
            "port {} did not answer PING; log:\n{log}",
            self.port
        ))
    }

    /// True once the server on the port answers and is this one: its
    /// `dir` is this server's private directory. (Another test's server
    /// may hold the port when two picked the same free port; then this
    /// one exits and the retry takes another port.)
    fn answers_as_this_server(&self) -> bool {
        let ours =
            std::fs::canonicalize(self.dir.dir()).unwrap_or_else(|_| self.dir.dir().to_path_buf());
        self.cli()
            .args(["CONFIG", "GET", "dir"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .is_ok_and(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .any(|l| std::path::Path::new(l.trim()) == ours)
            })
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `field`'s value in the text of an `INFO` reply.
pub fn info_field(info: &str, field: &str) -> Option<String> {
    info.lines().find_map(|l| {
        let (name, value) = l.trim().split_once(':')?;
        (name == field).then(|| value.to_owned())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// A server's directory, `<temp>/sse-testkit/<name>-<pid>`, removed on
/// drop; directories of processes that are gone (a shared server is never
/// dropped) are removed when the next one is made.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(name: &str) -> Result<ScratchDir, String> {
        let base = std::env::temp_dir().join("sse-testkit");
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let file_name = entry.file_name();
            let owner = file_name.to_string_lossy();
            let pid = owner.rsplit('-').next().unwrap_or_default();
            if !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = base.join(format!("{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(ScratchDir(dir))
    }

    fn dir(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_server_answers_and_keeps_no_data_across_restart() {
        let mut r = RedisServer::start();
        assert_eq!(r.url(), format!("redis://127.0.0.1:{}", r.port()));
        assert_eq!(r.cmd(&["SET", "k", "v"]), "OK");
        assert_eq!(r.cmd(&["GET", "k"]), "v");
        assert_eq!(r.cmd(&["CONFIG", "GET", "save"]), "save");
        assert!(r.max_clients() >= 19_000, "maxclients {}", r.max_clients());
        assert_eq!(r.connected_clients(), 0);
        r.restart();
        assert_eq!(r.cmd(&["GET", "k"]), "");
        r.stop();
        assert!(!r.answers_as_this_server(), "stopped server still answers");
    }

    #[test]
    fn an_append_only_server_keeps_its_writes_across_a_crash() {
        let mut r = RedisServer::start_with(RedisOptions {
            append_only: true,
            ..RedisOptions::default()
        })
        .unwrap();
        assert_eq!(r.cmd(&["SET", "k", "v"]), "OK");
        let port = r.port();
        r.kill();
        assert!(r.pid().is_none());
        r.restart();
        assert_eq!(r.port(), port);
        assert_eq!(r.cmd(&["GET", "k"]), "v");
    }

    #[test]
    fn tls_server_answers_over_tls_only() {
        let r = RedisServer::start_tls();
        assert!(r.url().starts_with("rediss://127.0.0.1:"), "{}", r.url());
        assert_eq!(r.cmd(&["PING"]), "PONG");
        let plain = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &r.port().to_string(), "PING"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_ne!(String::from_utf8_lossy(&plain.stdout).trim(), "PONG");
    }

    #[test]
    fn info_fields_are_read_by_name() {
        let info = "# Clients\r\nconnected_clients:3\r\ncluster_connections:0\r\n";
        assert_eq!(info_field(info, "connected_clients").as_deref(), Some("3"));
        assert_eq!(info_field(info, "connected"), None);
        let r = RedisServer::start_with(RedisOptions {
            max_clients: 100,
            ..RedisOptions::default()
        })
        .unwrap();
        assert_eq!(r.max_clients(), 100);
        let calls = r
            .info("commandstats", "cmdstat_config|get")
            .unwrap_or_default();
        // `CONFIG GET dir` (is it this server?) and `maxclients`.
        assert!(calls.starts_with("calls=2,"), "{calls}");
    }

    #[test]
    fn shared_server_is_started_once() {
        assert_eq!(shared().port(), shared().port());
        assert_eq!(shared().cmd(&["PING"]), "PONG");
    }
}
