//! `chanwiz serve` and `chanwiz tenant add`: thin wrappers around
//! `crate::server`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::{exit, fail};
use crate::paths::Paths;
use crate::server::{self, Limits, ServeError, ServerConfig, TlsMode};

pub const DEFAULT_ADDR: &str = "127.0.0.1:8787";

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub action: Option<ServeAction>,
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
    /// Time a client has to send a request's headers; also how long an idle connection stays open (at most 10s).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
    /// Time a client has to send a request's whole body, from its headers.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub body_timeout: Duration,
    /// Time from a request's headers to its answer; later it is answered 408.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Time a client has to complete the TLS handshake.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub tls_handshake_timeout: Duration,
    /// Time a new connection has to send its first request's headers (one that sends nothing is cut then).
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub first_request_timeout: Duration,
    /// Connections served at once; a few more are answered 503, the rest closed (keep it below `ulimit -n`).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_connections)]
    pub max_connections: usize,
    /// Connections served at once from one client address (one address cannot lock out the others).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_per_address)]
    pub max_connections_per_address: usize,
    /// Requests a second per tenant, beyond the burst answered 429 with Retry-After; 0: no limit.
    #[arg(long, value_name = "N", default_value_t = Limits::default().rate_per_second)]
    pub rate_limit: u32,
    /// Requests a tenant may make at once before the rate limit applies.
    #[arg(long, value_name = "N", default_value_t = Limits::default().rate_burst)]
    pub rate_burst: u32,
    /// How long a finished export's zip is kept; then it is deleted and its
    /// task marked expired (e.g. 30m, 24h, 7d).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_retention)]
    pub export_retention: Duration,
    /// Bytes of stored updates a channel keeps, the oldest dropped first (e.g. 512KiB, 8MiB, 1GiB).
    #[arg(long, value_name = "SIZE", default_value = "8MiB", value_parser = parse_size)]
    pub updates_bytes_per_channel: u64,
    /// Bytes of stored updates a tenant keeps, all its channels together, the oldest dropped first.
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_size)]
    pub updates_bytes_per_tenant: u64,
    /// Certificates a tenant may hold; an upload beyond is refused (409).
    #[arg(long, value_name = "N", default_value_t = Limits::default().certificates_per_tenant)]
    pub certificates_per_tenant: u32,
    /// Finished exports a tenant may keep within the retention; a new export beyond is refused (409).
    #[arg(long, value_name = "N", default_value_t = Limits::default().exports_kept_per_tenant)]
    pub exports_kept_per_tenant: u32,
    /// How long an address whose deliveries keep being refused (forged) waits for its 429.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub refused_delivery_delay: Duration,
    /// Bot API address the backend asks for a channel's webhook state with the bot token it holds
    /// (default: https://api.telegram.org; http:// only for a loopback stand-in).
    #[arg(long, value_name = "URL", env = "CHANWIZ_TELEGRAM_API")]
    pub telegram_api: Option<String>,
    /// The key sealing the stored secrets (default: <db>.key beside the database, made on first start).
    #[arg(long, value_name = "FILE", env = "CHANWIZ_SERVER_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ServeAction {
    /// Seal every stored secret with a new key and replace the key file (stop the server first).
    Rekey {
        /// The server's database file (default: the local backend's, backend.sqlite3 in chanwiz's data directory).
        #[arg(long)]
        db: Option<PathBuf>,
        /// The key file (default: <db>.key beside the database).
        #[arg(long, value_name = "FILE", env = "CHANWIZ_SERVER_KEY_FILE")]
        key_file: Option<PathBuf>,
        /// A previous key file: secrets still sealed with it are sealed again with the new key (after a key file was replaced).
        #[arg(long, value_name = "FILE")]
        from_key: Option<PathBuf>,
    },
}

impl ServeArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            request_timeout: self.request_timeout,
            tls_handshake_timeout: self.tls_handshake_timeout,
            first_request_timeout: self.first_request_timeout,
            max_connections: self.max_connections,
            max_per_address: self.max_connections_per_address,
            rate_per_second: self.rate_limit,
            rate_burst: self.rate_burst,
            export_retention: self.export_retention,
            update_bytes_per_channel: self.updates_bytes_per_channel,
            update_bytes_per_tenant: self.updates_bytes_per_tenant,
            certificates_per_tenant: self.certificates_per_tenant,
            exports_kept_per_tenant: self.exports_kept_per_tenant,
            refused_delivery_delay: self.refused_delivery_delay,
        }
    }
}

/// A size: bytes, or a number with `KiB`, `MiB` or `GiB` (`K`, `M`, `G`
/// and `KB`, `MB`, `GB` mean the same: powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("'{text}' is not a size: give bytes, or a number with KiB, MiB or GiB (e.g. 8MiB)")),
    };
    let n: u64 =
        number.parse().map_err(|_| format!("'{text}' is not a size: it starts with a whole number (e.g. 8MiB)"))?;
    n.checked_mul(1 << shift).ok_or_else(|| format!("'{text}' is too large"))
}

/// A retention, from a second to 365 days ([`super::duration`]).
fn parse_retention(text: &str) -> Result<Duration, String> {
    super::duration::parse(text, Duration::from_secs(1), 365 * super::duration::DAY)
}

/// A timeout or delay of at most a day ([`super::duration`]).
fn parse_duration(text: &str) -> Result<Duration, String> {
    super::duration::parse(text, Duration::ZERO, super::duration::DAY)
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
        /// Make the database file if it does not exist yet (without it, a missing file is refused).
        #[arg(long)]
        create: bool,
        /// Print {"tenant": NAME, "token": TOKEN} as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the tenants: name, channels, tokens, when created.
    List {
        /// The server's database file (default: the local backend's, backend.sqlite3 in chanwiz's data directory).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Print a JSON array of {"name", "demo", "channels", "tokens", "created"}.
        #[arg(long)]
        json: bool,
    },
    /// Replace the tenant's admin token and print the new one (the old one stops working at once).
    RotateToken {
        name: String,
        /// The server's database file (default: the local backend's, backend.sqlite3 in chanwiz's data directory).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Print {"tenant": NAME, "token": TOKEN} as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a tenant with its tokens, catalogue, channels and exports. Asks first unless --yes.
    Rm {
        name: String,
        /// The server's database file (default: the local backend's, backend.sqlite3 in chanwiz's data directory).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Remove without asking (needed when standard input is not a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// The local backend's file: what the CLI and the wizard use when no
/// backend is set, so that `serve` exposes what was made locally.
fn default_db(paths: &Paths) -> PathBuf {
    super::embedded::db_file(paths)
}

pub fn run_serve(args: &ServeArgs, paths: &Paths) -> ExitCode {
    if let Some(ServeAction::Rekey { db, key_file, from_key }) = &args.action {
        let db = db.clone().unwrap_or_else(|| default_db(paths));
        return match server::seal::rekey(&db, key_file.as_deref(), from_key.as_deref()) {
            Ok(n) => {
                println!("rekeyed: {n} stored secret(s) sealed with the new key");
                ExitCode::SUCCESS
            }
            Err(e) => fail(exit::REFUSED, &e.to_string()),
        };
    }
    let tls = match (&args.tls_cert, &args.tls_key, args.tls_self_signed) {
        (Some(cert), Some(key), _) => TlsMode::Files { cert: cert.clone(), key: key.clone() },
        (_, _, true) => TlsMode::SelfSigned,
        _ => TlsMode::Off,
    };
    let db = args.db.clone().unwrap_or_else(|| default_db(paths));
    let config = ServerConfig {
        addr: args.addr,
        db: db.clone(),
        demo: args.demo,
        seed_channels: args.seed_channels,
        tls,
        telegram_api: args.telegram_api.clone(),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            return fail(exit::REFUSED, &format!("cannot start the async runtime: {e}"));
        }
    };
    runtime.block_on(async move {
        let running = match server::spawn_with(config, args.limits(), args.key_file.clone()).await {
            Ok(r) => r,
            Err(
                e @ (ServeError::PlainNotLoopback(_)
                | ServeError::SeedWithoutDemo
                | ServeError::Tls(_)
                | ServeError::BadLimit(_)
                | ServeError::Seal(_)),
            ) => {
                return fail(exit::UNREADABLE, &e.to_string());
            }
            Err(e) => return fail(exit::REFUSED, &e.to_string()),
        };
        let mut out = std::io::stdout().lock();
        if let Some(why) = &running.read_only {
            let _ = writeln!(out, "read-only: {why}: reads are served, every write is refused (507)");
        }
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

/// A new admin token, the one time it is shown (standard output only).
fn print_token(tenant: &str, token: &str, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "tenant": tenant, "token": token }));
    } else {
        println!("token: {token}");
    }
}

pub fn run_tenant(cmd: &TenantCommand, paths: &Paths) -> ExitCode {
    use server::auth::{self, TenantError};
    let db_of = |db: &Option<PathBuf>| db.clone().unwrap_or_else(|| default_db(paths));
    let failed = |e: TenantError| match e {
        TenantError::BadName(_) | TenantError::NoDatabase(_) => fail(exit::UNREADABLE, &e.to_string()),
        e => fail(exit::REFUSED, &e.to_string()),
    };
    match cmd {
        TenantCommand::Add { name, db, create, json } => {
            let db = db_of(db);
            if *create && let Err(e) = server::db::create_parent(&db) {
                return fail(exit::UNREADABLE, &format!("cannot create the folder of {}: {e}", db.display()));
            }
            match auth::add_tenant_in(&db, name, *create) {
                Ok(token) => {
                    print_token(name, &token, *json);
                    eprintln!(
                        "chanwiz: tenant '{name}' created; keep this token now: it is stored hashed and cannot be shown again."
                    );
                    ExitCode::SUCCESS
                }
                Err(TenantError::NoDatabase(path)) => fail(
                    exit::UNREADABLE,
                    &format!("database {path} does not exist: check --db, or pass --create to make a new one"),
                ),
                Err(e) => failed(e),
            }
        }
        TenantCommand::List { db, json } => match auth::list_tenants(&db_of(db)) {
            Err(e) => failed(e),
            Ok(tenants) if *json => {
                let rows: Vec<serde_json::Value> = tenants
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "name": t.name, "demo": t.demo, "channels": t.channels, "tokens": t.tokens, "created": t.created,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows).expect("serialises"));
                ExitCode::SUCCESS
            }
            Ok(tenants) => {
                use super::table::{Align, Table, local_time};
                let mut table = Table::new(&[
                    ("NAME", Align::Left),
                    ("CHANNELS", Align::Right),
                    ("TOKENS", Align::Right),
                    ("CREATED", Align::Left),
                ]);
                for t in &tenants {
                    let name = crate::sanitize::clean(&t.name);
                    let name = if t.demo { format!("{name} (demo)") } else { name.into_owned() };
                    let created = chrono::DateTime::parse_from_rfc3339(&t.created)
                        .map(|c| local_time(c.with_timezone(&chrono::Utc)))
                        .unwrap_or_else(|_| crate::sanitize::clean(&t.created).into_owned());
                    table.row(vec![name, t.channels.to_string(), t.tokens.to_string(), created]);
                }
                if !tenants.is_empty() {
                    let _ = writeln!(std::io::stdout().lock(), "{}", table.render());
                }
                if tenants.is_empty() {
                    eprintln!("chanwiz: no tenant yet: create one with `chanwiz tenant add NAME`");
                }
                ExitCode::SUCCESS
            }
        },
        TenantCommand::RotateToken { name, db, json } => match auth::rotate_token(&db_of(db), name) {
            Ok(token) => {
                print_token(name, &token, *json);
                eprintln!(
                    "chanwiz: tenant '{name}' has a new token and its old ones no longer work; keep this one now: it cannot be shown again."
                );
                ExitCode::SUCCESS
            }
            Err(e) => failed(e),
        },
        TenantCommand::Rm { name, db, yes } => {
            use std::io::{BufRead, IsTerminal};
            let db = db_of(db);
            if !yes && !std::io::stdin().is_terminal() {
                return fail(
                    exit::REFUSED,
                    "refusing to remove a tenant without confirmation: standard input is not a terminal; pass --yes to remove it",
                );
            }
            let channels = match auth::tenant_channels(&db, name) {
                Ok(n) => n,
                Err(e) => return failed(e),
            };
            if !yes {
                eprint!(
                    "Remove tenant '{name}' with its {channels} channel(s), catalogue, tokens and exports from {}? This cannot be undone. [y/N] ",
                    db.display()
                );
                let _ = std::io::stderr().flush();
                let mut answer = String::new();
                if std::io::stdin().lock().read_line(&mut answer).is_err()
                    || !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
                {
                    eprintln!("not removed");
                    return ExitCode::from(exit::REFUSED);
                }
            }
            match auth::remove_tenant(&db, name) {
                Ok(n) => {
                    println!("removed tenant '{name}' and its {n} channel(s)");
                    ExitCode::SUCCESS
                }
                Err(e) => failed(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_are_read_in_powers_of_1024_and_nonsense_is_refused_naming_the_form() {
        assert_eq!(super::parse_size("4096"), Ok(4096));
        assert_eq!(super::parse_size("512KiB"), Ok(512 * 1024));
        assert_eq!(super::parse_size("8 MiB"), Ok(8 << 20));
        assert_eq!(super::parse_size("1g"), Ok(1 << 30));
        assert!(super::parse_size("eight").unwrap_err().contains("8MiB"));
        assert!(super::parse_size("8TiB").unwrap_err().contains("KiB, MiB or GiB"));
        assert!(super::parse_size("99999999999999999GiB").unwrap_err().contains("too large"));
    }
}
