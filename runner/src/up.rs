//! `up`: read the manifest, optionally build, compile and link the
//! components, bind, print the routes like Spin, serve until SIGINT/SIGTERM.

use crate::app::build::build_all;
use crate::app::manifest::App;
use crate::cli::UpArgs;
use crate::engine::config::EngineConfig;
use crate::engine::instances::Instances;
use crate::engine::loader::LoadedApp;
use crate::trigger::handler::Handler;
use crate::trigger::server;
use anyhow::{Context, Result};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Runs `up` to completion (returns after a graceful shutdown).
pub async fn up(args: UpArgs) -> Result<()> {
    let app = App::load(&args.file)?;
    if args.build {
        build_all(&app)?;
    }
    let guard = args.limits();
    guard.validate()?;
    let mut limits = EngineConfig::default();
    if let Some(n) = args.max_instances {
        limits = limits.with_max_instances(n);
    }
    limits.max_memory_bytes = guard.max_instance_memory;
    let engine = limits.build()?;
    crate::host::cpu::start_ticker(&engine);
    let loaded = tokio::task::block_in_place(|| LoadedApp::load(app, &engine, &limits))?;
    let listener = bind(args.listen, "--listen").await?;
    let metrics = match args.metrics_listen {
        Some(addr) => Some(bind(addr, "--metrics-listen").await?),
        None => None,
    };
    let base = format!("http://{}", listener.local_addr()?);
    let mut banner = format!("Serving {base}\nAvailable Routes:\n");
    for route in loaded.router.routes() {
        banner.push_str(&format!("  {}: {base}{route}\n", route.component()));
        if let Some(d) = loaded
            .app
            .component(route.component())
            .and_then(|c| c.description.as_deref())
        {
            if !d.is_empty() {
                banner.push_str(&format!("    {d}\n"));
            }
        }
    }
    if let Some(m) = &metrics {
        banner.push_str(&format!("Metrics http://{}/metrics\n", m.local_addr()?));
    }
    if let Some(w) = read_max_map_count().and_then(|n| limits.map_count_warning(n)) {
        eprintln!("{w}");
    }
    let mut out = std::io::stdout().lock();
    out.write_all(banner.as_bytes())?;
    out.flush()?;
    drop(out);

    let instances = Instances::new(limits.max_instances);
    crate::engine::trim::spawn(instances.clone());
    let (stop_tx, stop_rx) = watch::channel(false);
    let handler = Arc::new(Handler::new(
        loaded,
        instances.clone(),
        guard.clone(),
        args.reuse(),
        stop_rx,
    ));
    server::serve(
        handler,
        instances,
        &guard,
        listener,
        metrics,
        stop_tx,
        shutdown_signal(),
    )
    .await;
    Ok(())
}

async fn bind(addr: SocketAddr, flag: &str) -> Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(" (another server is using it; stop it or pass another address with {flag})")
        } else {
            String::new()
        };
        anyhow::anyhow!("cannot listen on {addr}: {e}{hint}")
    })
}

/// The kernel's `vm.max_map_count`, where readable (Linux).
fn read_max_map_count() -> Option<u64> {
    std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
    eprintln!("Shutting down: no new connections; ending open requests and streams");
}

/// `build`: only run the build commands.
pub fn build(file: &std::path::Path) -> Result<()> {
    let app = App::load(file)?;
    build_all(&app).context("build failed")
}
