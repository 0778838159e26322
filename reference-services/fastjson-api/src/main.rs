use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use fastjson_api::{run, App, Config};
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

fn main() -> ExitCode {
    let cfg = Config::parse();
    let workers = match cfg.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the runtime: {e}")),
    };
    let result = rt.block_on(async {
        let app = App::new(cfg.clone())?;
        let listener = TcpListener::bind((cfg.bind.as_str(), cfg.port))
            .await
            .map_err(|e| format!("cannot listen on {}:{}: {e}", cfg.bind, cfg.port))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        // Before the start line: whoever reads it may signal at once, and an uninstalled SIGTERM kills.
        let shutdown = shutdown_signal().map_err(|e| format!("cannot install signal handlers: {e}"))?;
        // Unchanged for plain HTTP, so scripts that read the start line keep working.
        match app.scheme() {
            "https" => println!("fastjson-api listening on {addr} with TLS (h2 and http/1.1 by ALPN)"),
            _ => println!("fastjson-api listening on {addr}"),
        }
        run(app, listener, shutdown).await;
        Ok::<(), String>(())
    });
    // Tasks still parked (idle pooled upstream connections) must not hold the exit up.
    rt.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn fail(message: String) -> ExitCode {
    eprintln!("fastjson-api: {message}");
    ExitCode::from(2)
}

/// Resolves on the first SIGTERM or SIGINT. Installed before serving so an early signal is not lost.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}
