//! The local backend: the reference backend embedded in this process, used
//! by every command that talks to a backend (and the wizard) when none is
//! configured. It is started on loopback on a runtime thread of its own,
//! once per process, on the same SQLite file in the data directory
//! ([`db_file`]); several processes may run it at once on that file (WAL, a
//! busy timeout, export tasks locked by their server).
//!
//! Its credential is stable: the demo tenant (seeded once, with the demo
//! catalogue) and a token labelled `local` made once and kept in
//! `<db>.token` (mode 0600, beside the database). Every process reads the
//! same token, so none ever rotates a token another one holds; `chanwiz
//! serve --demo` rotates only the demo token, never this one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::client::{Client, ClientError};
use crate::paths::Paths;
use crate::tui::backend::{Backend, Lazy, Remote};

/// The catalogue of the local backend is cached under this key (its port
/// changes from run to run; its catalogue does not).
pub const CACHE_KEY: &str = "embedded";

/// The local backend's database file.
pub fn db_file(paths: &Paths) -> PathBuf {
    paths.data.join("backend.sqlite3")
}

/// The file holding the local backend's token.
pub fn token_file(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".token");
    db.with_file_name(name)
}

/// The local backend's URL and token in this process.
#[cfg(feature = "server")]
#[derive(Clone)]
struct Running {
    url: String,
    token: String,
}

#[cfg(feature = "server")]
static RUNNING: std::sync::Mutex<Option<Running>> = std::sync::Mutex::new(None);

/// The Bot API the local backend asks (`--telegram-api` of the command that
/// starts it); unset: `CHANWIZ_TELEGRAM_API`, else Telegram's.
static TELEGRAM_API: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// The local backend, when this process starts it, asks the Bot API at
/// `base` (the address the command itself uses).
pub fn use_telegram_api(base: &str) {
    *TELEGRAM_API.lock().unwrap_or_else(|p| p.into_inner()) = Some(base.to_owned());
}

/// Start the local backend (once per process; blocking) and return its URL
/// and token.
#[cfg(feature = "server")]
fn start(paths: &Paths) -> Result<Running, String> {
    let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(r) = running.as_ref() {
        return Ok(r.clone());
    }
    let db = db_file(paths);
    let token = local_token(&db).map_err(|e| format!("{}: {e}", db.display()))?;
    let (tx, rx) = std::sync::mpsc::channel::<Result<String, String>>();
    let config = crate::server::ServerConfig {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        db,
        demo: false,
        seed_channels: 0,
        tls: crate::server::TlsMode::Off,
        // the same Bot API as the wizard and the commands use
        telegram_api: TELEGRAM_API
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .or_else(crate::telegram::api_base_from_env),
    };
    std::thread::Builder::new()
        .name("local-backend".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(format!("cannot start the async runtime: {e}")));
                    return;
                }
            };
            rt.block_on(async move {
                match crate::server::spawn(config).await {
                    Ok(server) => {
                        let _ = tx.send(Ok(server.url.clone()));
                        // serves until the process ends
                        let _ = server.wait().await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                    }
                }
            });
        })
        .map_err(|e| format!("cannot start the local backend: {e}"))?;
    let url = rx.recv().map_err(|_| "the local backend stopped while starting".to_string())??;
    let r = Running { url, token };
    *running = Some(r.clone());
    Ok(r)
}

/// The local tenant's token: the one in [`token_file`] while the database
/// knows it; else (first run, or a new database) a new token of the demo
/// tenant, written to the file. The write lock of the database is held
/// while the file is made, so two processes starting at once agree on one
/// token.
#[cfg(feature = "server")]
fn local_token(db: &Path) -> Result<String, String> {
    use crate::server::{auth, db as sdb, seed};
    use rusqlite::OptionalExtension;
    sdb::create_parent(db).map_err(|e| e.to_string())?;
    // One process at a time opens (and on a fresh file creates) the database
    // here: SQLite answers "database is locked" to a second process switching
    // a brand-new file to WAL, whatever the busy timeout.
    let guard = {
        use std::os::unix::fs::OpenOptionsExt;
        let path = sdb::beside(db, ".lock");
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        file.lock().map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
        file
    };
    let mut conn = sdb::open(db).map_err(|e| e.to_string())?;
    let file = token_file(db);
    let known = |conn: &rusqlite::Connection| -> Result<Option<String>, String> {
        let Ok(text) = std::fs::read_to_string(&file) else { return Ok(None) };
        let token = text.trim().to_string();
        if token.is_empty() {
            return Ok(None);
        }
        let found: Option<i64> = conn
            .query_row("SELECT tenant_id FROM tokens WHERE hash = ?1", [auth::hash_token(&token)], |r| r.get(0))
            .optional()
            .map_err(|e| e.to_string())?;
        Ok(found.map(|_| token))
    };
    if let Some(token) = known(&conn)? {
        return Ok(token);
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| e.to_string())?;
    if let Some(token) = known(&tx)? {
        return Ok(token);
    }
    let tenant = seed::demo_tenant(&tx).map_err(|e| e.to_string())?;
    let token = auth::issue_token(&tx, tenant, "local").map_err(|e| e.to_string())?;
    crate::fsutil::atomic_write(&file, format!("{token}\n").as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    tx.commit().map_err(|e| e.to_string())?;
    drop(guard);
    Ok(token)
}

/// A client of the local backend, started for this command.
#[cfg(feature = "server")]
pub fn client(paths: &Paths) -> Result<Client, ClientError> {
    let unreachable = |detail: String| ClientError::Unreachable {
        backend: format!("local backend ({})", db_file(paths).display()),
        detail,
    };
    let r = start(paths).map_err(unreachable)?;
    let flags = crate::client::Flags { backend: Some(r.url), token: Some(r.token), ca_cert: None };
    // only the retry delay comes from the environment
    let env = |k: &str| (k == crate::client::config::ENV_RETRY_DELAY_MS).then(|| std::env::var(k).ok()).flatten();
    let settings = crate::client::config::resolve(&flags, &env, None)?;
    Client::new(&settings)
}

#[cfg(not(feature = "server"))]
pub fn client(_: &Paths) -> Result<Client, ClientError> {
    Err(ClientError::Config(
        "no backend is set: pass --backend URL, set CHANWIZ_BACKEND, or run `chanwiz config set --backend URL`".into(),
    ))
}

/// The local backend for the wizard, started on its first request (the
/// first frame never waits for it), and what the status line calls it
/// until it listens.
#[cfg(feature = "server")]
pub fn backend(paths: &Paths) -> (Option<Arc<dyn Backend>>, Option<String>) {
    let paths = paths.clone();
    let lazy = Lazy::new(move || async move {
        let cache = paths.cache.clone();
        let client = tokio::task::spawn_blocking(move || client(&paths))
            .await
            .map_err(|e| format!("local backend: {e}"))?
            .map_err(|e| e.to_string())?;
        let url = client.backend().to_string();
        Ok((Remote::with_cache_key(client, &cache, CACHE_KEY), url))
    });
    (Some(Arc::new(lazy)), Some("embedded (starting)".to_string()))
}

#[cfg(not(feature = "server"))]
pub fn backend(_: &Paths) -> (Option<Arc<dyn Backend>>, Option<String>) {
    (None, None)
}
