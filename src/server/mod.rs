//! The reference backend (`chanwiz serve`): the configuration API of
//! `crate::api` over axum and SQLite, plus Telegram's delivery endpoint.
//! [`spawn`] starts it in-process (the CLI, the tests and the wizard use it).

pub mod auth;
pub mod catalogue;
pub mod channels;
pub mod db;
pub mod delivery;
pub mod errors;
pub mod exports;
pub mod seed;
pub mod tls;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::api::{Health, routes};
use errors::ApiErr;

/// Largest request body accepted (413 above it).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Largest Telegram update accepted: updates are small (a message is at most
/// 4,096 characters), and up to [`channels::UPDATES_KEPT`] are kept a channel.
pub const DELIVERY_LIMIT: usize = 64 * 1024;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: db::Db,
    /// Where finished export files are kept.
    pub exports_dir: PathBuf,
}

/// One route: method, path template, handler.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub handler: MethodRouter<AppState>,
}

fn route(method: &'static str, path: &'static str, handler: MethodRouter<AppState>) -> Route {
    Route { method, path, handler }
}

/// Every route the server answers: the router is built from this table and
/// the OpenAPI test compares it with `assets/openapi.yaml`.
pub fn route_table() -> Vec<Route> {
    use MethodFilter as M;
    vec![
        route("get", routes::HEALTH, on(M::GET, health)),
        route("get", routes::CATALOGUE, on(M::GET, catalogue::get_catalogue)),
        route("get", routes::OUS, on(M::GET, catalogue::list_ous)),
        route("get", routes::SKILL_QUEUES, on(M::GET, catalogue::list_skill_queues)),
        route("get", routes::CERTIFICATES, on(M::GET, catalogue::list_certificates)),
        route("post", routes::CERTIFICATES, on(M::POST, catalogue::upload_certificate)),
        route("get", routes::CHATBOTS, on(M::GET, catalogue::list_chatbots)),
        route("get", routes::ASSISTANTS, on(M::GET, catalogue::list_assistants)),
        route("get", routes::CHANNELS, on(M::GET, channels::list)),
        route("post", routes::CHANNELS, on(M::POST, channels::create)),
        route("get", routes::CHANNEL, on(M::GET, channels::read)),
        route("put", routes::CHANNEL, on(M::PUT, channels::update)),
        route("delete", routes::CHANNEL, on(M::DELETE, channels::delete)),
        route("get", routes::CHANNEL_INTEGRATION, on(M::GET, channels::get_integration)),
        route("put", routes::CHANNEL_INTEGRATION, on(M::PUT, channels::put_integration)),
        route("put", routes::CHANNEL_NEXT_SECRET, on(M::PUT, channels::put_next_secret)),
        route("delete", routes::CHANNEL_NEXT_SECRET, on(M::DELETE, channels::delete_next_secret)),
        route("get", routes::CHANNEL_UPDATES, on(M::GET, channels::list_updates)),
        route("get", routes::EXPORTS, on(M::GET, exports::list)),
        route("post", routes::EXPORTS, on(M::POST, exports::create)),
        route("get", routes::EXPORT, on(M::GET, exports::status)),
        route("get", routes::EXPORT_DOWNLOAD, on(M::GET, exports::download)),
        route(
            "post",
            routes::TELEGRAM_DELIVERY,
            on(M::POST, delivery::receive).layer(DefaultBodyLimit::max(DELIVERY_LIMIT)),
        ),
    ]
}

/// `(method, path)` of every route, e.g. `("get", "/api/v1/health")`.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    route_table().into_iter().map(|r| (r.method, r.path)).collect()
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for r in route_table() {
        router = router.route(r.path, r.handler);
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn health() -> axum::Json<Health> {
    axum::Json(Health { ok: true, version: env!("CARGO_PKG_VERSION").to_string() })
}

async fn not_found() -> ApiErr {
    ApiErr::not_found("There is no such address in this API.")
}

async fn method_not_allowed() -> ApiErr {
    ApiErr::new(StatusCode::METHOD_NOT_ALLOWED, "This address does not take that method.")
}

/// One log line per request: method, path, status, time. Never headers,
/// query or body (they carry tokens and secrets).
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    tracing::info!(%method, path = %errors::shorten(&path), status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    response
}

/// How the server speaks on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain HTTP: loopback addresses only.
    Off,
    /// A certificate chain and its key, PEM files.
    Files { cert: PathBuf, key: PathBuf },
    /// Generate (or reuse) a certificate for the listen address, written
    /// beside the database as `<db>.cert.pem` for clients to trust.
    SelfSigned,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    pub db: PathBuf,
    /// Seed the demo tenant and its catalogue; print its token.
    pub demo: bool,
    /// Add this many valid channels to the demo tenant.
    pub seed_channels: usize,
    pub tls: TlsMode,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "refusing to serve plain HTTP on {0}, which is not a loopback address: tokens and secrets would cross the network in clear. Use --tls-cert FILE --tls-key FILE, or --tls-self-signed, or listen on 127.0.0.1"
    )]
    PlainNotLoopback(SocketAddr),
    #[error("--seed-channels needs --demo (the channels are added to the demo tenant)")]
    SeedWithoutDemo,
    #[error("database {path}: {source}")]
    Db { path: String, source: rusqlite::Error },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A server running in this process.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// `http://` or `https://` + the bound address.
    pub url: String,
    /// The demo tenant's token (with `demo`).
    pub demo_token: Option<String>,
    /// The self-signed certificate clients should trust (with `SelfSigned`).
    pub cert_pem: Option<PathBuf>,
    handle: axum_server::Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stop accepting, let requests in flight finish (up to 5 s), and wait.
    pub async fn shutdown(self) -> std::io::Result<()> {
        self.handle.graceful_shutdown(Some(Duration::from_secs(5)));
        self.task.await.map_err(std::io::Error::other)?
    }

    /// Wait until the server stops on its own (it only does on an error).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }

    pub fn handle(&self) -> axum_server::Handle<SocketAddr> {
        self.handle.clone()
    }
}

/// Where export files of the database `db` are kept.
pub fn exports_dir(db: &Path) -> PathBuf {
    db::beside(db, ".exports")
}

/// Open the database, seed what the config asks, bind, and serve in the
/// background. Returns once the socket listens.
pub async fn spawn(config: ServerConfig) -> Result<RunningServer, ServeError> {
    if config.tls == TlsMode::Off && !config.addr.ip().is_loopback() {
        return Err(ServeError::PlainNotLoopback(config.addr));
    }
    if config.seed_channels > 0 && !config.demo {
        return Err(ServeError::SeedWithoutDemo);
    }
    let dberr = |source| ServeError::Db { path: config.db.display().to_string(), source };
    db::create_parent(&config.db)?;
    let (db, demo_token) = {
        let path = config.db.clone();
        let (demo, seed_channels) = (config.demo, config.seed_channels);
        tokio::task::spawn_blocking(move || -> Result<(db::Db, Option<String>), rusqlite::Error> {
            let mut conn = db::open(&path)?;
            exports::fail_interrupted(&conn, &exports_dir(&path))?;
            let mut token = None;
            if demo {
                let (tenant, t) = seed::demo(&mut conn)?;
                token = Some(t);
                if seed_channels > 0 {
                    seed::channels(&mut conn, tenant, seed_channels)?;
                }
            }
            Ok((db::Db::new(conn, &path), token))
        })
        .await
        .map_err(std::io::Error::other)?
        .map_err(dberr)?
    };
    let exports_dir = exports_dir(&config.db);
    crate::fsutil::private_dir(&exports_dir)?;
    exports::remove_partial_files(&exports_dir);
    let state = AppState { db, exports_dir };

    let listener = TcpListener::bind(config.addr).map_err(|source| ServeError::Bind { addr: config.addr, source })?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let app = router(state).into_make_service();
    let handle = axum_server::Handle::new();
    let (scheme, cert_pem, task) = match &config.tls {
        TlsMode::Off => {
            let server = axum_server::from_tcp(listener)?.handle(handle.clone());
            ("http", None, tokio::spawn(server.serve(app)))
        }
        mode => {
            let (rustls_config, cert_pem) = tls::server_config(mode, &config.db, addr).await?;
            let server = axum_server::from_tcp_rustls(listener, rustls_config)?.handle(handle.clone());
            ("https", cert_pem, tokio::spawn(server.serve(app)))
        }
    };
    let url = format!("{scheme}://{addr}");
    tracing::info!(%url, "server listening");
    Ok(RunningServer { addr, url, demo_token, cert_pem, handle, task })
}
