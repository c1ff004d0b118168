//! The reference backend (`chanwiz serve`): the configuration API of
//! `crate::api` over axum and SQLite, plus Telegram's delivery endpoint.
//! [`spawn`] starts it in-process (the CLI, the tests and the wizard use it).

pub mod auth;
pub mod catalogue;
pub mod channels;
pub mod db;
pub mod deliveries;
pub mod delivery;
pub mod errors;
pub mod exports;
pub mod limits;
pub mod seal;
pub mod seed;
pub mod tls;
pub mod webhook;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::api::{Health, IDEMPOTENCY_KEY, routes};
use errors::ApiErr;
pub use limits::Limits;

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
    /// Requests per tenant.
    pub rate: limits::RateLimit,
    pub limits: std::sync::Arc<Limits>,
    /// Seals and opens the stored secrets.
    pub keys: std::sync::Arc<seal::KeyRing>,
    /// The Bot API, for the webhook state the backend answers itself.
    pub telegram: webhook::Telegram,
    /// Wakes the requests waiting for a delivery (the live delivery test).
    pub deliveries: deliveries::Deliveries,
    /// Refused deliveries not yet written.
    pub refusals: webhook::Refusals,
    /// Addresses whose deliveries keep being refused.
    pub refusal_throttle: std::sync::Arc<limits::RefusalThrottle>,
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
        route("delete", routes::CERTIFICATE, on(M::DELETE, catalogue::delete_certificate)),
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
        route("delete", routes::CHANNEL_PREVIOUS_BOT, on(M::DELETE, webhook::release_previous_bot)),
        route("get", routes::CHANNEL_WEBHOOK, on(M::GET, webhook::get_webhook)),
        route("get", routes::CHANNEL_LATEST_DELIVERY, on(M::GET, deliveries::latest)),
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
    let limits = state.limits.clone();
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::timeout::RequestBodyDeadlineLayer::new(limits.body_timeout))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// What is refused before a handler runs: a connection over the cap, a
/// declared body over the limit (before any of it is read, so no `100
/// Continue`), a header that must come once given twice. And the bare 408
/// of the request deadline made a JSON answer.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(over) = req.extensions().get::<limits::OverCapacity>() {
        let message = match over {
            limits::OverCapacity::Server => format!(
                "The server has too many open connections (at most {}): try again in a moment.",
                state.limits.max_connections
            ),
            limits::OverCapacity::Address => format!(
                "Your address has too many open connections to the server (at most {} from one address): close some, then try again.",
                state.limits.max_per_address
            ),
        };
        let mut e = ApiErr::new(StatusCode::SERVICE_UNAVAILABLE, message);
        e.retry_after = Some(1);
        let mut response = e.into_response();
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let limit = if req.uri().path().starts_with("/apiaccess/") { DELIVERY_LIMIT } else { BODY_LIMIT };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        if let Some(channel) = req.uri().path().strip_prefix("/apiaccess/telegram/message/") {
            webhook::record_refusal(&state, channel.to_owned(), crate::api::RefusalReason::TooLarge);
        }
        return errors::too_large(limit).into_response();
    }
    for name in [header::AUTHORIZATION, header::HeaderName::from_static(IDEMPOTENCY_KEY)] {
        let n = req.headers().get_all(&name).iter().count();
        if n > 1 {
            return ApiErr::bad_request(format!(
                "The request has {n} {} headers: send exactly one.",
                if name == header::AUTHORIZATION { "Authorization" } else { "Idempotency-Key" }
            ))
            .into_response();
        }
    }
    let response = next.run(req).await;
    if response.status() == StatusCode::REQUEST_TIMEOUT && !response.headers().contains_key(header::CONTENT_TYPE) {
        return ApiErr::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "The request was not answered within {} s and was stopped: if it was a create, retry it with the same Idempotency-Key.",
                state.limits.request_timeout.as_secs_f64()
            ),
        )
        .into_response();
    }
    response
}

async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> axum::Json<Health> {
    axum::Json(Health {
        ok: true,
        version: env!("CARGO_PKG_VERSION").to_string(),
        read_only: state.db.read_only_reason().map(str::to_owned),
    })
}

async fn not_found() -> ApiErr {
    ApiErr::not_found("There is no such address in this API.")
}

async fn method_not_allowed() -> ApiErr {
    ApiErr::new(StatusCode::METHOD_NOT_ALLOWED, "This address does not take that method.")
}

/// One log line per request: method, path, status, time. Never headers,
/// query or body (they carry tokens and secrets). Health checks and reads
/// that succeed are logged at debug level only; writes and refusals at info,
/// server failures at warn.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status();
    let (path, code, ms) = (errors::shorten(&path), status.as_u16(), started.elapsed().as_millis() as u64);
    let quiet = path == routes::HEALTH || (matches!(method, Method::GET | Method::HEAD) && status.is_success());
    if quiet {
        tracing::debug!(%method, %path, status = code, ms, "request");
    } else if status.is_server_error() {
        tracing::warn!(%method, %path, status = code, ms, "request");
    } else {
        tracing::info!(%method, %path, status = code, ms, "request");
    }
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
    /// The Bot API the backend asks for the webhook state (`--telegram-api`
    /// / `CHANWIZ_TELEGRAM_API`); `None`: Telegram's.
    pub telegram_api: Option<String>,
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
    BadLimit(String),
    #[error("--telegram-api: {0}")]
    TelegramApi(String),
    #[error("{0}")]
    Seal(#[from] seal::SealError),
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
    /// Why it serves read-only (its disk full or its filesystem read-only
    /// at start): reads are answered, every write is refused with 507.
    pub read_only: Option<String>,
    handle: axum_server::Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The periodic idempotency sweep, stopped with the server.
    _sweeper: AbortOnDrop,
    _flusher: AbortOnDrop,
    /// Held while the server serves its database: no rekey meanwhile.
    _serving: seal::ServingLock,
}

/// How often Idempotency-Keys past their 24 hours are removed.
pub const IDEMPOTENCY_SWEEP: Duration = Duration::from_secs(600);

struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Remove expired Idempotency-Keys and export files past
/// [`exports::EXPORT_KEEP`] now and every [`IDEMPOTENCY_SWEEP`], off the
/// request path.
fn sweep(db: db::Db, exports_dir: PathBuf, retention: Duration) -> AbortOnDrop {
    let task = tokio::spawn(async move {
        let mut every = tokio::time::interval(IDEMPOTENCY_SWEEP);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match db.call(|conn| Ok(channels::sweep_idempotency(conn)?)).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(keys = n, "expired idempotency keys removed"),
                Err(e) => tracing::warn!("idempotency sweep failed: {}", e.body.error),
            }
            let dir = exports_dir.clone();
            match db.call(move |conn| Ok(exports::expire(conn, &dir, retention)?)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(tasks = n, "export tasks past their retention expired, their files deleted"),
                Err(e) => tracing::warn!("export retention sweep failed: {}", e.body.error),
            }
            let dir = exports_dir.clone();
            let removed = tokio::task::spawn_blocking(move || exports::remove_old_files(&dir, retention));
            if let Ok(n @ 1..) = removed.await {
                tracing::info!(files = n, "leftover export files past the retention removed");
            }
        }
    });
    AbortOnDrop(task.abort_handle())
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

/// HTTP/1.1 only, with the header (and idle) timeout; accept errors logged.
fn configure<A>(
    server: axum_server::Server<SocketAddr, A>,
    handle: &axum_server::Handle<SocketAddr>,
    limits: &Limits,
) -> axum_server::Server<SocketAddr, A> {
    let mut server = server
        .handle(handle.clone())
        .http1_only()
        .first_request_timeout(limits.first_request_timeout.min(limits.header_timeout))
        .accept_error_handler(|addr, e| match addr {
            // the listener itself (out of file descriptors, ...)
            None => tracing::warn!("accepting a connection failed: {e}"),
            // one connection: over the cap, a failed or slow TLS handshake
            Some(_) => tracing::debug!("connection closed: {e}"),
        });
    server.http_builder().http1().header_read_timeout(limits.header_timeout);
    server
}

/// Where export files of the database `db` are kept.
pub fn exports_dir(db: &Path) -> PathBuf {
    db::beside(db, ".exports")
}

/// Open the database for writing, seed what the config asks, load the key
/// and seal what is still in clear.
fn open_store(
    path: &Path,
    demo: bool,
    seed_channels: usize,
    key_file: Option<&Path>,
) -> Result<(db::Db, Option<String>, seal::KeyRing), ServeError> {
    let dberr = |source| ServeError::Db { path: path.display().to_string(), source };
    let mut conn = db::open(path).map_err(dberr)?;
    exports::fail_interrupted(&conn, &exports_dir(path)).map_err(dberr)?;
    let mut token = None;
    if demo {
        let (tenant, t) = seed::demo(&mut conn).map_err(dberr)?;
        token = Some(t);
        if seed_channels > 0 {
            seed::channels(&mut conn, tenant, seed_channels).map_err(dberr)?;
        }
    }
    // secrets still in clear (an older database, seeded rows) are sealed now
    let keys = seal::KeyRing::load(&conn, path, key_file)?;
    let sealed = keys.seal_all(&mut conn)?;
    if sealed > 0 {
        tracing::info!(values = sealed, "stored secrets sealed with the current key");
    }
    channels::backfill_bot_ids(&conn, &keys).map_err(dberr)?;
    Ok((db::Db::new(conn, path).map_err(dberr)?, token, keys))
}

/// Why the database at `path` cannot be written now, when its filesystem
/// is read-only or full (then a server that failed to open it for writing
/// serves it read-only); `None` for any other failure.
fn unwritable(path: &Path) -> Option<String> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let fs = rustix::fs::statvfs(dir).ok()?;
    if fs.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY) {
        Some(format!(
            "its file system is read-only ({}): remount it read-write, then restart chanwiz serve",
            path.display()
        ))
    } else if fs.f_bavail == 0 || fs.f_favail == 0 {
        Some(format!("its disk is full ({}): free space on it, then restart chanwiz serve", path.display()))
    } else {
        None
    }
}

/// [`spawn_with`] the default [`Limits`] and the key file beside the
/// database.
pub async fn spawn(config: ServerConfig) -> Result<RunningServer, ServeError> {
    spawn_with(config, Limits::default(), None).await
}

/// Open the database, seed what the config asks, bind, and serve in the
/// background with these timeouts and limits. Returns once the socket
/// listens. `key_file` holds the key sealing the stored secrets (default:
/// `<db>.key`, made on first start).
pub async fn spawn_with(
    config: ServerConfig,
    limits: Limits,
    key_file: Option<PathBuf>,
) -> Result<RunningServer, ServeError> {
    limits.check().map_err(ServeError::BadLimit)?;
    let telegram = std::sync::Arc::new(
        webhook::BotApiLimit::new(config.telegram_api.as_deref()).map_err(ServeError::TelegramApi)?,
    );
    if config.tls == TlsMode::Off && !config.addr.ip().is_loopback() {
        return Err(ServeError::PlainNotLoopback(config.addr));
    }
    if config.seed_channels > 0 && !config.demo {
        return Err(ServeError::SeedWithoutDemo);
    }
    db::create_parent(&config.db)?;
    // held until the server has stopped serving the database
    let (db, demo_token, keys, serving) = {
        let path = config.db.clone();
        let (demo, seed_channels) = (config.demo, config.seed_channels);
        tokio::task::spawn_blocking(
            move || -> Result<(db::Db, Option<String>, seal::KeyRing, seal::ServingLock), ServeError> {
                let serving = seal::ServingLock::serve(&path)?;
                let opened = match open_store(&path, demo, seed_channels, key_file.as_deref()) {
                    Err(e) => match unwritable(&path) {
                        // reads are served; writes are refused saying why
                        Some(why) => {
                            tracing::warn!("serving read-only: {why} ({e})");
                            let db = db::Db::read_only(&path, &why)
                                .map_err(|source| ServeError::Db { path: path.display().to_string(), source })?;
                            let conn = db::open_unwritable(&path)
                                .map_err(|source| ServeError::Db { path: path.display().to_string(), source })?;
                            let keys = seal::KeyRing::load(&conn, &path, key_file.as_deref())?;
                            (db, None, keys)
                        }
                        None => return Err(e),
                    },
                    Ok(opened) => opened,
                };
                Ok((opened.0, opened.1, opened.2, serving))
            },
        )
        .await
        .map_err(std::io::Error::other)??
    };
    let read_only = db.read_only_reason().map(str::to_owned);
    let exports_dir = exports_dir(&config.db);
    match crate::fsutil::private_dir(&exports_dir) {
        Err(e) if read_only.is_none() => return Err(e.into()),
        _ => {}
    }
    exports::remove_partial_files(&exports_dir);
    exports::remove_old_files(&exports_dir, limits.export_retention);
    let sweeper = sweep(db.clone(), exports_dir.clone(), limits.export_retention);
    let state = AppState {
        db,
        exports_dir,
        rate: limits::RateLimit::new(&limits),
        limits: std::sync::Arc::new(limits.clone()),
        keys: std::sync::Arc::new(keys),
        telegram,
        deliveries: deliveries::Deliveries::default(),
        refusals: webhook::Refusals::default(),
        refusal_throttle: std::sync::Arc::default(),
    };
    let flusher = {
        let state = state.clone();
        let task = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(1));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                webhook::flush_refusals(&state).await;
            }
        });
        AbortOnDrop(task.abort_handle())
    };

    let listener = TcpListener::bind(config.addr).map_err(|source| ServeError::Bind { addr: config.addr, source })?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let (app, tracking) =
        limits::CapMakeService::new(router(state).into_make_service(), limits.max_connections, limits.max_per_address);
    let handle = axum_server::Handle::new();
    let (scheme, cert_pem, task) = match &config.tls {
        TlsMode::Off => {
            let server = configure(axum_server::from_tcp(listener)?.acceptor(tracking), &handle, &limits);
            ("http", None, tokio::spawn(server.serve(app)))
        }
        mode => {
            let (rustls_config, cert_pem) = tls::server_config(mode, &config.db, addr).await?;
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(rustls_config)
                .handshake_timeout(limits.tls_handshake_timeout)
                .acceptor(tracking);
            let server = configure(axum_server::from_tcp(listener)?.acceptor(acceptor), &handle, &limits);
            ("https", cert_pem, tokio::spawn(server.serve(app)))
        }
    };
    let url = format!("{scheme}://{addr}");
    tracing::info!(%url, "server listening");
    Ok(RunningServer {
        addr,
        url,
        demo_token,
        cert_pem,
        read_only,
        handle,
        task,
        _sweeper: sweeper,
        _flusher: flusher,
        _serving: serving,
    })
}
