//! `chanwiz serve` and `chanwiz tenant add`: thin wrappers around
//! `crate::server`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{exit, fail};
use crate::paths::Paths;
use crate::server::{self, ServeError, ServerConfig, TlsMode};

pub const DEFAULT_ADDR: &str = "127.0.0.1:8787";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one. Plain HTTP only on loopback.
    #[arg(long, default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,
    /// The SQLite database file (default: the local backend's,
    /// backend.sqlite3 in chanwiz's data directory).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Seed a demo tenant with a catalogue (once) and print a fresh token for it.
    #[arg(long)]
    pub demo: bool,
    /// Add N valid channels to the demo tenant (needs --demo).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed_channels: usize,
    /// PEM certificate chain for HTTPS (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key", conflicts_with = "tls_self_signed")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS (with --tls-cert).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a self-signed certificate written beside the database as <db>.cert.pem.
    #[arg(long)]
    pub tls_self_signed: bool,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant and print its admin token (works while a server runs on the file).
    Add {
        /// 1–64 letters, digits, '_', '-' or '.'.
        name: String,
        /// The server's database file (default: the local backend's, backend.sqlite3 in chanwiz's data directory).
        #[arg(long)]
        db: Option<PathBuf>,
    },
}

/// The local backend's file: what the CLI and the wizard use when no
/// backend is set, so that `serve` exposes what was made locally.
fn default_db(paths: &Paths) -> PathBuf {
    super::embedded::db_file(paths)
}

pub fn run_serve(args: &ServeArgs, paths: &Paths) -> ExitCode {
    let tls = match (&args.tls_cert, &args.tls_key, args.tls_self_signed) {
        (Some(cert), Some(key), _) => TlsMode::Files { cert: cert.clone(), key: key.clone() },
        (_, _, true) => TlsMode::SelfSigned,
        _ => TlsMode::Off,
    };
    let db = args.db.clone().unwrap_or_else(|| default_db(paths));
    let config =
        ServerConfig { addr: args.addr, db: db.clone(), demo: args.demo, seed_channels: args.seed_channels, tls };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            return fail(exit::REFUSED, &format!("cannot start the async runtime: {e}"));
        }
    };
    runtime.block_on(async move {
        let running = match server::spawn(config).await {
            Ok(r) => r,
            Err(e @ (ServeError::PlainNotLoopback(_) | ServeError::SeedWithoutDemo | ServeError::Tls(_))) => {
                return fail(exit::UNREADABLE, &e.to_string());
            }
            Err(e) => return fail(exit::REFUSED, &e.to_string()),
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening: {}", running.url);
        if let Some(token) = &running.demo_token {
            let _ = writeln!(out, "token: {token}");
        }
        if let Some(cert) = &running.cert_pem {
            let _ = writeln!(out, "certificate: {}", cert.display());
        }
        let _ = out.flush();
        drop(out);
        let local = super::embedded::token_file(&db);
        if local.exists() {
            eprintln!("chanwiz: the local backend's tenant token is in {}", local.display());
        }
        if !args.demo && matches!(server::auth::tenant_count(&db), Ok(0)) {
            eprintln!(
                "chanwiz: no tenant yet: create one with `chanwiz tenant add NAME --db {}` (it prints the tenant's token)",
                db.display()
            );
        }
        let handle = running.handle();
        tokio::spawn(async move {
            stop_signal().await;
            handle.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
        });
        match running.wait().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(exit::REFUSED, &format!("the server stopped: {e}")),
        }
    })
}

async fn stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
    }
}

pub fn run_tenant(cmd: &TenantCommand, paths: &Paths) -> ExitCode {
    match cmd {
        TenantCommand::Add { name, db } => {
            let db = db.clone().unwrap_or_else(|| default_db(paths));
            if let Err(e) = server::db::create_parent(&db) {
                return fail(exit::UNREADABLE, &format!("cannot create the folder of {}: {e}", db.display()));
            }
            match server::auth::add_tenant(&db, name) {
                Ok(token) => {
                    println!("token: {token}");
                    eprintln!(
                        "chanwiz: tenant '{name}' created; keep this token now: it is stored hashed and cannot be shown again."
                    );
                    ExitCode::SUCCESS
                }
                Err(e @ server::auth::TenantError::BadName(_)) => fail(exit::UNREADABLE, &e.to_string()),
                Err(e) => fail(exit::REFUSED, &e.to_string()),
            }
        }
    }
}
