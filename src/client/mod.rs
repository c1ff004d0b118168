//! The configuration API client (reqwest over rustls, tokio). One [`Client`]
//! is cheap to clone and `Send + Sync`: the CLI calls it from a small runtime,
//! the wizard from its own tokio tasks.
//!
//! Safety rules kept here:
//! - TLS is always verified: the public web PKI roots plus, optionally, one
//!   private CA (`--ca-cert`); there is no way to turn verification off.
//! - Plain `http://` only to a loopback host (see [`config::parse_backend`]).
//! - Redirects are not followed (the token must not travel elsewhere).
//! - The token never appears in an error, a log line or `Debug` output.
//! - Reads and creates (with their Idempotency-Key) are retried with backoff
//!   after transient failures; updates and deletes are sent once.
//!
//! For the wizard (`crate::tui::backend::Backend`): `refresh` is
//! [`Client::health`] + [`Client::refresh_catalogue`] (live or cached, with
//! its fetch time) + [`Client::all_channels`]; `channel` is
//! [`Client::get_channel`]; `submit` is [`submit::send`], whose
//! [`ClientError::Invalid`] / [`ClientError::Stale`] /
//! [`ClientError::is_unreachable`] map onto its `SubmitError`.

pub mod archive;
pub mod cache;
pub mod certs;
pub mod config;
pub mod error;
pub mod import;
pub mod retry;
pub mod submit;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, CONTENT_TYPE, IF_MATCH, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::{
    Catalogue, Certificate, CertificateUpload, Channel, ChannelQuery, ChannelSummary, ExportRequest, ExportStatus,
    ExportTask, Health, IDEMPOTENCY_KEY, Integration, IntegrationUpdate, NextSecret, Page, PreviousBot, ReceivedUpdate,
    WebhookState, routes,
};
use crate::model::ChannelDocument;

pub use crate::model::changed_fields;
pub use cache::{CachedCatalogue, CatalogueCache, describe_age};
pub use config::{FileConfig, Flags, Settings, Token};
pub use error::ClientError;
pub use retry::Backoff;
pub use submit::Submitted;

pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// Timeouts and retries.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Time to establish a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time for one whole request and its answer (downloads: per chunk).
    pub timeout: Duration,
    pub backoff: Backoff,
}

impl Default for Options {
    fn default() -> Self {
        Self { connect_timeout: Duration::from_secs(10), timeout: Duration::from_secs(30), backoff: Backoff::default() }
    }
}

#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    label: String,
    token: Token,
    options: Options,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("backend", &self.inner.label).finish_non_exhaustive()
    }
}

/// What a send may do again after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    Yes,
    No,
}

/// One request to send.
struct Req<'a> {
    method: Method,
    url: Url,
    body: Option<Vec<u8>>,
    extra: Vec<(&'static str, String)>,
    retry: Retry,
    /// What was asked for, for a 404 message.
    what: &'a str,
    /// The version an update is based on, for a 412 message.
    based_on: Option<u64>,
}

impl<'a> Req<'a> {
    fn new(method: Method, url: Url, retry: Retry, what: &'a str) -> Self {
        Self { method, url, body: None, extra: Vec::new(), retry, what, based_on: None }
    }

    fn json<T: Serialize>(mut self, value: &T) -> Self {
        self.body = Some(serde_json::to_vec(value).expect("wire types serialise"));
        self
    }

    fn header(mut self, name: &'static str, value: String) -> Self {
        self.extra.push((name, value));
        self
    }
}

/// A catalogue, live or from the cache.
#[derive(Debug)]
pub struct CatalogueFetch {
    pub catalogue: Catalogue,
    pub fetched: DateTime<Utc>,
    /// Set when the backend was unreachable and the cached copy stands in.
    pub offline: Option<ClientError>,
}

impl CatalogueFetch {
    pub fn age(&self) -> chrono::TimeDelta {
        (Utc::now() - self.fetched).max(chrono::TimeDelta::zero())
    }
}

impl Client {
    /// A client with the default timeouts and the settings' backoff.
    pub fn new(settings: &Settings) -> Result<Self> {
        Self::with_options(settings, Options { backoff: settings.backoff, ..Options::default() })
    }

    pub fn with_options(settings: &Settings, options: Options) -> Result<Self> {
        let roots = match &settings.ca_cert {
            Some(path) => config::read_ca_cert(path)?,
            None => Vec::new(),
        };
        let http = crate::http::client(&crate::http::Setup {
            extra_roots: &roots,
            connect_timeout: Some(options.connect_timeout),
            read_timeout: Some(options.timeout),
            timeout: None,
        })
        .map_err(|e| match (e, &settings.ca_cert) {
            (crate::http::SetupError::BadRoot { detail, .. }, Some(path)) => {
                ClientError::Config(format!("{} cannot be used as a CA certificate: {detail}", path.display()))
            }
            (e, _) => ClientError::Config(e.to_string()),
        })?;
        let label = settings.backend.as_str().trim_end_matches('/').to_string();
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base: settings.backend.clone(),
                label,
                token: settings.token.clone(),
                options,
            }),
        })
    }

    /// The backend URL as shown in messages.
    pub fn backend(&self) -> &str {
        &self.inner.label
    }

    /// The catalogue cache of this backend under `cache_dir`.
    pub fn catalogue_cache(&self, cache_dir: &Path) -> CatalogueCache {
        CatalogueCache::new(cache_dir, &self.inner.label)
    }

    fn redact(&self, text: &str) -> String {
        error::redact(text, self.inner.token.expose())
    }

    /// The URL of a route template, `{id}`-like segments replaced (and
    /// percent-encoded) by `id`.
    fn url(&self, template: &str, id: Option<&str>) -> Url {
        let mut url = self.inner.base.clone();
        {
            let mut segs = url.path_segments_mut().expect("an http(s) URL has a path");
            segs.pop_if_empty();
            for seg in template.split('/').filter(|s| !s.is_empty()) {
                if seg.starts_with('{') {
                    segs.push(id.unwrap_or_default());
                } else {
                    segs.push(seg);
                }
            }
        }
        url
    }

    fn transport_error(&self, e: &reqwest::Error) -> ClientError {
        let backend = self.inner.label.clone();
        if e.is_timeout() {
            return ClientError::Timeout { backend, secs: self.inner.options.timeout.as_secs() };
        }
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
        let mut innermost = String::new();
        while let Some(c) = cause {
            let tls = c.downcast_ref::<rustls::Error>().or_else(|| {
                c.downcast_ref::<std::io::Error>()
                    .and_then(|io| io.get_ref())
                    .and_then(|i| i.downcast_ref::<rustls::Error>())
            });
            // rustls errors may arrive boxed where a downcast cannot see them:
            // their texts are recognised too.
            let text = c.to_string();
            let tls_text = ["invalid peer certificate", "peer is incompatible", "received fatal alert", "handshake"]
                .iter()
                .any(|m| text.to_ascii_lowercase().contains(m));
            if tls.is_some() || tls_text {
                let detail = tls.map_or(text, |t| t.to_string());
                return ClientError::Tls { backend, detail: error::tidy(&detail, &|s| self.redact(s)) };
            }
            if let Some(io) = c.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::TimedOut
            {
                return ClientError::Timeout { backend, secs: self.inner.options.connect_timeout.as_secs() };
            }
            innermost = c.to_string();
            cause = c.source();
        }
        let detail = error::tidy(&innermost, &|s| self.redact(s));
        ClientError::Unreachable { backend, detail: if detail.is_empty() { "no connection".into() } else { detail } }
    }

    /// Send a request (again, after transient failures, when `retry`) and
    /// return the successful answer's body.
    async fn send(&self, req: Req<'_>) -> Result<Vec<u8>> {
        let Req { method, url, body, extra, retry, what, based_on } = req;
        let backoff = if retry == Retry::Yes { self.inner.options.backoff } else { Backoff::none() };
        let mut attempt = 0;
        loop {
            let mut rb = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .timeout(self.inner.options.timeout)
                .bearer_auth(self.inner.token.expose())
                .header(ACCEPT, "application/json");
            if let Some(b) = &body {
                rb = rb.header(CONTENT_TYPE, "application/json").body(b.clone());
            }
            for (k, v) in &extra {
                rb = rb.header(*k, v.as_str());
            }
            let outcome = match rb.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    match resp.bytes().await {
                        Ok(bytes) if status.is_success() => {
                            tracing::debug!(%method, path = url.path(), status = status.as_u16(), "backend answered");
                            return Ok(bytes.to_vec());
                        }
                        Ok(bytes) => {
                            let ra = retry::parse_retry_after(headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()));
                            let err = ClientError::from_status(
                                &self.inner.label,
                                status.as_u16(),
                                &bytes,
                                what,
                                based_on,
                                &|s| self.redact(s),
                            );
                            (err, ra)
                        }
                        Err(e) => (self.transport_error(&e), None),
                    }
                }
                Err(e) => (self.transport_error(&e), None),
            };
            let (err, retry_after) = outcome;
            attempt += 1;
            match backoff.delay(attempt, retry_after) {
                Some(wait) if err.is_transient() => {
                    tracing::info!(%method, path = url.path(), attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying");
                    tokio::time::sleep(wait).await;
                }
                _ => {
                    tracing::info!(%method, path = url.path(), error = %err, "request failed");
                    return Err(err);
                }
            }
        }
    }

    fn decode<T: DeserializeOwned>(&self, body: &[u8], what: &str) -> Result<T> {
        serde_json::from_slice(body).map_err(|e| ClientError::Protocol {
            backend: self.inner.label.clone(),
            detail: format!(
                "{what} is not what the API promises (line {} column {}: {:?})",
                e.line(),
                e.column(),
                e.classify()
            ),
        })
    }

    async fn get<T: DeserializeOwned>(&self, template: &str, id: Option<&str>, what: &str) -> Result<T> {
        let body = self.send(Req::new(Method::GET, self.url(template, id), Retry::Yes, what)).await?;
        self.decode(&body, what)
    }

    /// `GET /api/v1/health` — whether the backend answers, and its version.
    pub async fn health(&self) -> Result<Health> {
        self.get(routes::HEALTH, None, "the health check").await
    }

    /// `GET /api/v1/catalogue`, straight from the backend.
    pub async fn catalogue(&self) -> Result<Catalogue> {
        self.get(routes::CATALOGUE, None, "the catalogue").await
    }

    /// Fetch the catalogue and cache it; when the backend is unreachable,
    /// fall back to the cached copy (with its fetch time and the reason).
    pub async fn refresh_catalogue(&self, cache: &CatalogueCache) -> Result<CatalogueFetch> {
        match self.catalogue().await {
            Ok(catalogue) => {
                let fetched = Utc::now();
                if let Err(e) = cache.store(&catalogue, fetched) {
                    tracing::warn!(file = %cache.file().display(), error = %e, "catalogue cache not written");
                }
                Ok(CatalogueFetch { catalogue, fetched, offline: None })
            }
            Err(e) if e.is_unreachable() || matches!(e, ClientError::Server { .. }) => match cache.load() {
                Some(c) => Ok(CatalogueFetch { catalogue: c.catalogue, fetched: c.fetched, offline: Some(e) }),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// One page of `GET /api/v1/channels`.
    pub async fn list_channels(&self, query: &ChannelQuery) -> Result<Page<ChannelSummary>> {
        let mut url = self.url(routes::CHANNELS, None);
        {
            let mut q = url.query_pairs_mut();
            if let Some(n) = &query.name {
                q.append_pair("name", n);
            }
            if let Some(p) = query.page {
                q.append_pair("page", &p.to_string());
            }
            if let Some(p) = query.per_page {
                q.append_pair("per_page", &p.to_string());
            }
            if let Some(s) = query.sort {
                q.append_pair("sort", s.as_str());
            }
            if let Some(b) = query.bot_id {
                q.append_pair("bot_id", &b.to_string());
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let body = self.send(Req::new(Method::GET, url, Retry::Yes, "the channel list")).await?;
        self.decode(&body, "the channel list")
    }

    /// Every channel (all pages), optionally those whose name contains `name`.
    pub async fn all_channels(&self, name: Option<&str>) -> Result<Vec<ChannelSummary>> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let p = self
                .list_channels(&ChannelQuery {
                    name: name.map(str::to_string),
                    page: Some(page),
                    per_page: Some(500),
                    ..Default::default()
                })
                .await?;
            let n = p.items.len();
            all.extend(p.items);
            if n == 0 || all.len() as u64 >= p.total {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// `GET /api/v1/channels/{id}`.
    pub async fn get_channel(&self, id: &str) -> Result<Channel> {
        self.get(routes::CHANNEL, Some(id), &format!("channel '{}'", crate::sanitize::clean(id))).await
    }

    /// A channel by its exact name or its id.
    pub async fn find_channel(&self, key: &str) -> Result<Channel> {
        if crate::model::validate::check_channel_name(key).is_ok() {
            let rows = self.all_channels(Some(key)).await?;
            if let Some(row) = rows.iter().find(|r| r.name == key) {
                return self.get_channel(&row.id).await;
            }
        }
        match self.get_channel(key).await {
            Err(ClientError::NotFound { backend, .. }) => Err(ClientError::NotFound {
                backend,
                what: format!("a channel with the name or id '{}'", crate::sanitize::clean(key)),
            }),
            other => other,
        }
    }

    /// `POST /api/v1/channels` with `Idempotency-Key: key`. Retried with the
    /// same key after transient failures: the backend makes one channel.
    pub async fn create_channel(&self, document: &ChannelDocument, key: &str) -> Result<Channel> {
        let req = Req::new(Method::POST, self.url(routes::CHANNELS, None), Retry::Yes, "the channel route")
            .json(document)
            .header(IDEMPOTENCY_KEY, key.to_string());
        let body = self.send(req).await?;
        self.decode(&body, "the created channel")
    }

    /// `PUT /api/v1/channels/{id}` with `If-Match: "<version>"`. Sent once: a
    /// 412 ([`ClientError::Stale`]) carries the channel as it now is.
    pub async fn update_channel(&self, id: &str, version: u64, document: &ChannelDocument) -> Result<Channel> {
        let what = format!("channel '{}'", crate::sanitize::clean(id));
        let mut req = Req::new(Method::PUT, self.url(routes::CHANNEL, Some(id)), Retry::No, &what)
            .json(document)
            .header(IF_MATCH.as_str(), format!("\"{version}\""));
        req.based_on = Some(version);
        let body = self.send(req).await?;
        self.decode(&body, "the updated channel")
    }

    /// `DELETE /api/v1/channels/{id}` (sent once).
    pub async fn delete_channel(&self, id: &str) -> Result<()> {
        let what = format!("channel '{}'", crate::sanitize::clean(id));
        self.send(Req::new(Method::DELETE, self.url(routes::CHANNEL, Some(id)), Retry::No, &what)).await?;
        Ok(())
    }

    /// `GET /api/v1/channels/{id}/integration` (holds the webhook secret:
    /// never print it).
    pub async fn integration(&self, id: &str) -> Result<Integration> {
        self.get(routes::CHANNEL_INTEGRATION, Some(id), &format!("channel '{}'", crate::sanitize::clean(id))).await
    }

    /// `PUT /api/v1/channels/{id}/integration` (a PUT of the same values is
    /// harmless, so it is retried).
    pub async fn put_integration(&self, id: &str, update: &IntegrationUpdate) -> Result<()> {
        let what = format!("channel '{}'", crate::sanitize::clean(id));
        self.send(
            Req::new(Method::PUT, self.url(routes::CHANNEL_INTEGRATION, Some(id)), Retry::Yes, &what).json(update),
        )
        .await?;
        Ok(())
    }

    /// `PUT /api/v1/channels/{id}/integration/next-secret`: stage a rotation's
    /// webhook secret (accepted beside the current one until committed by
    /// [`Client::put_integration`], dropped, or expired). Idempotent, so retried.
    pub async fn stage_next_secret(&self, id: &str, secret: &str) -> Result<()> {
        let what = format!("channel '{}'", crate::sanitize::clean(id));
        let body = NextSecret { webhook_secret: secret.to_string() };
        self.send(
            Req::new(Method::PUT, self.url(routes::CHANNEL_NEXT_SECRET, Some(id)), Retry::Yes, &what).json(&body),
        )
        .await?;
        Ok(())
    }

    /// `DELETE /api/v1/channels/{id}/integration/next-secret`: drop a staged
    /// secret (idempotent, so retried).
    pub async fn drop_next_secret(&self, id: &str) -> Result<()> {
        let what = format!("channel '{}'", crate::sanitize::clean(id));
        self.send(Req::new(Method::DELETE, self.url(routes::CHANNEL_NEXT_SECRET, Some(id)), Retry::Yes, &what)).await?;
        Ok(())
    }

    /// `GET /api/v1/channels/{id}/webhook[?refresh=true]`: the webhook as the
    /// backend asks Telegram for it with the token it holds (cached; `refresh`
    /// asks again), with the backend's record of refused deliveries.
    pub async fn webhook_state(&self, id: &str, refresh: bool) -> Result<WebhookState> {
        let what = format!("channel '{}'", crate::sanitize::clean(id));
        let mut url = self.url(routes::CHANNEL_WEBHOOK, Some(id));
        if refresh {
            url.query_pairs_mut().append_pair("refresh", "true");
        }
        let body = self.send(Req::new(Method::GET, url, Retry::Yes, &what)).await?;
        self.decode(&body, &what)
    }

    /// `GET /api/v1/channels/{id}/deliveries/latest`: the deliveries the
    /// backend accepted for the channel (a count) and the latest one. With
    /// `after`, the backend waits up to `wait` for the count to pass it
    /// (capped so the answer comes well within this client's read timeout).
    pub async fn latest_delivery(
        &self,
        id: &str,
        after: Option<u64>,
        wait: Duration,
    ) -> Result<crate::api::LatestDelivery> {
        let what = format!("channel '{}'", crate::sanitize::clean(id));
        let mut url = self.url(routes::CHANNEL_LATEST_DELIVERY, Some(id));
        if let Some(after) = after {
            let room = self.inner.options.timeout.saturating_sub(Duration::from_secs(5));
            let secs = wait.min(room).as_secs().min(u64::from(crate::api::DELIVERY_WAIT_MAX_SECS));
            url.query_pairs_mut().append_pair("after", &after.to_string()).append_pair("wait", &secs.to_string());
        }
        let body = self.send(Req::new(Method::GET, url, Retry::Yes, &what)).await?;
        self.decode(&body, &what)
    }

    /// `DELETE /api/v1/channels/{id}/integration/previous-bot`: the bot a
    /// rotation moved away from has its webhook deleted by the backend, with
    /// the old token it held (sent once: it calls Telegram).
    pub async fn release_previous_bot(&self, id: &str) -> Result<PreviousBot> {
        let what = format!("channel '{}'", crate::sanitize::clean(id));
        let body = self
            .send(Req::new(Method::DELETE, self.url(routes::CHANNEL_PREVIOUS_BOT, Some(id)), Retry::No, &what))
            .await?;
        self.decode(&body, &what)
    }

    /// The channels bound to the bot `bot_id` (one at most, by the backend's
    /// rule; a list in case an older backend let two through).
    pub async fn channels_of_bot(&self, bot_id: i64) -> Result<Vec<ChannelSummary>> {
        let query = ChannelQuery { bot_id: Some(bot_id), per_page: Some(10), ..Default::default() };
        let items = self.list_channels(&query).await?.items;
        // a backend that ignores the filter answers other channels too
        Ok(items.into_iter().filter(|c| c.bot.as_ref().is_some_and(|b| b.id == bot_id)).collect())
    }

    /// `GET /api/v1/channels/{id}/updates`: Telegram updates received.
    pub async fn received_updates(&self, id: &str) -> Result<Vec<ReceivedUpdate>> {
        self.get(routes::CHANNEL_UPDATES, Some(id), &format!("channel '{}'", crate::sanitize::clean(id))).await
    }

    /// `GET /api/v1/certificates`: each with the channels using it.
    pub async fn list_certificates(&self) -> Result<Vec<Certificate>> {
        self.get(routes::CERTIFICATES, None, "the certificate route").await
    }

    /// `DELETE /api/v1/certificates/{id}` (refused, 409, while a channel uses it).
    pub async fn delete_certificate(&self, id: &str) -> Result<()> {
        let what = format!("certificate '{}'", crate::sanitize::clean(id));
        self.send(Req::new(Method::DELETE, self.url(routes::CERTIFICATE, Some(id)), Retry::No, &what)).await?;
        Ok(())
    }

    /// `POST /api/v1/certificates` (sent once).
    pub async fn upload_certificate(&self, upload: &CertificateUpload) -> Result<Certificate> {
        let body = self
            .send(
                Req::new(Method::POST, self.url(routes::CERTIFICATES, None), Retry::No, "the certificate route")
                    .json(upload),
            )
            .await?;
        self.decode(&body, "the uploaded certificate")
    }

    /// `POST /api/v1/exports`: start an export task (sent once).
    pub async fn create_export(&self, request: &ExportRequest) -> Result<ExportTask> {
        let body = self
            .send(Req::new(Method::POST, self.url(routes::EXPORTS, None), Retry::No, "the export route").json(request))
            .await?;
        self.decode(&body, "the export task")
    }

    /// `GET /api/v1/exports`: the tenant's export tasks, newest first.
    pub async fn list_exports(&self) -> Result<Vec<ExportTask>> {
        self.get(routes::EXPORTS, None, "the export route").await
    }

    /// `GET /api/v1/exports/{id}`.
    pub async fn export_status(&self, id: &str) -> Result<ExportTask> {
        self.get(routes::EXPORT, Some(id), &format!("export task '{}'", crate::sanitize::clean(id))).await
    }

    /// Poll an export task until it succeeds or fails, calling `progress`
    /// with every status seen. A failed task is an error with its reason.
    pub async fn wait_export(&self, mut task: ExportTask, mut progress: impl FnMut(&ExportTask)) -> Result<ExportTask> {
        /// A task whose progress stands still this long is given up on.
        const STALL: Duration = Duration::from_secs(600);
        let mut wait = Duration::from_millis(100);
        let mut last = (task.status, task.done);
        let mut since = tokio::time::Instant::now();
        loop {
            if (task.status, task.done) != last {
                last = (task.status, task.done);
                since = tokio::time::Instant::now();
            } else if since.elapsed() > STALL {
                return Err(ClientError::ExportFailed {
                    backend: self.inner.label.clone(),
                    id: crate::sanitize::clean(&task.id).into_owned(),
                    reason: format!("it made no progress for {} minutes", STALL.as_secs() / 60),
                });
            }
            progress(&task);
            match task.status {
                ExportStatus::Success => return Ok(task),
                ExportStatus::Failed => {
                    let reason = task
                        .error
                        .as_deref()
                        .map(|e| error::tidy(e, &|s| self.redact(s)))
                        .unwrap_or_else(|| "no reason given".into());
                    return Err(ClientError::ExportFailed {
                        backend: self.inner.label.clone(),
                        id: crate::sanitize::clean(&task.id).into_owned(),
                        reason,
                    });
                }
                ExportStatus::Expired => {
                    return Err(ClientError::ExportFailed {
                        backend: self.inner.label.clone(),
                        id: crate::sanitize::clean(&task.id).into_owned(),
                        reason: "it expired: its file was deleted after the retention time".into(),
                    });
                }
                ExportStatus::Pending | ExportStatus::Running => {}
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(1));
            task = self.export_status(&task.id).await?;
        }
    }

    /// `GET /api/v1/exports/{id}/download` into a new file in `dir`
    /// (`chanwiz-export-<id>.zip`, or `-2`, `-3`... when taken). The file
    /// appears complete or not at all.
    pub async fn download_export(&self, id: &str, dir: &Path) -> Result<PathBuf> {
        let what = format!("export task '{}'", crate::sanitize::clean(id));
        let url = self.url(routes::EXPORT_DOWNLOAD, Some(id));
        let backoff = self.inner.options.backoff;
        let mut attempt = 0;
        loop {
            let result = self.download_once(url.clone(), dir, &what).await;
            match result {
                Err(e) if e.is_transient() => {
                    attempt += 1;
                    match backoff.delay(attempt, None) {
                        Some(wait) => tokio::time::sleep(wait).await,
                        None => return Err(e),
                    }
                }
                other => return other.and_then(|tmp| finish_download(&tmp, dir, id)),
            }
        }
    }

    async fn download_once(&self, url: Url, dir: &Path, what: &str) -> Result<tempfile_path::TempPath> {
        use tokio::io::AsyncWriteExt;
        let resp = self
            .inner
            .http
            .get(url)
            .bearer_auth(self.inner.token.expose())
            .send()
            .await
            .map_err(|e| self.transport_error(&e))?;
        let status = resp.status();
        if !status.is_success() {
            let body = resp.bytes().await.unwrap_or_default();
            return Err(ClientError::from_status(&self.inner.label, status.as_u16(), &body, what, None, &|s| {
                self.redact(s)
            }));
        }
        tokio::fs::create_dir_all(dir).await.map_err(|source| ClientError::Io { path: dir.to_path_buf(), source })?;
        let tmp = tempfile_path::TempPath::new(dir);
        let io = |source| ClientError::Io { path: tmp.path().to_path_buf(), source };
        let mut file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(tmp.path()).await.map_err(io)?;
        let mut resp = resp;
        let mut first = true;
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport_error(&e))? {
            if first && !chunk.starts_with(b"PK") {
                return Err(ClientError::Protocol {
                    backend: self.inner.label.clone(),
                    detail: "the export download is not a zip file".into(),
                });
            }
            first = false;
            file.write_all(&chunk).await.map_err(io)?;
        }
        if first {
            return Err(ClientError::Protocol {
                backend: self.inner.label.clone(),
                detail: "the export download was empty".into(),
            });
        }
        file.sync_all().await.map_err(io)?;
        Ok(tmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_send<T: Send>(_: &T) {}

    /// The wizard runs these calls in `tokio::spawn`ed tasks: the client and
    /// every future it returns must be `Send` (and the client `Sync` + cheap
    /// to clone).
    #[test]
    fn the_client_can_be_used_from_spawned_tasks() {
        fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}
        send_sync_clone::<Client>();
        let settings = config::resolve(
            &Flags { backend: Some("http://127.0.0.1:9".into()), token: Some("t0ken-for-test".into()), ca_cert: None },
            &|_| None,
            None,
        )
        .unwrap();
        let c = Client::new(&settings).unwrap();
        let doc = ChannelDocument::default();
        let dir = std::path::PathBuf::from("/nonexistent");
        is_send(&c.health());
        is_send(&c.catalogue());
        is_send(&c.refresh_catalogue(&c.catalogue_cache(&dir)));
        is_send(&c.all_channels(None));
        is_send(&c.find_channel("x"));
        is_send(&c.create_channel(&doc, "k"));
        is_send(&c.update_channel("x", 1, &doc));
        is_send(&c.delete_channel("x"));
        is_send(&c.integration("x"));
        is_send(&c.put_integration("x", &IntegrationUpdate::default()));
        is_send(&c.download_export("x", &dir));
        is_send(&c.wait_export(
            ExportTask {
                id: "x".into(),
                status: ExportStatus::Pending,
                done: 0,
                total: 0,
                files: 0,
                created: Utc::now(),
                finished: None,
                error: None,
                size: None,
            },
            |_| {},
        ));
        assert!(!format!("{c:?}").contains("t0ken-for-test"));
    }

    #[test]
    fn ids_are_one_percent_encoded_path_segment() {
        let settings = config::resolve(
            &Flags { backend: Some("https://10.0.0.1:8443/base/".into()), token: Some("t".into()), ca_cert: None },
            &|_| None,
            None,
        )
        .unwrap();
        let c = Client::new(&settings).unwrap();
        assert_eq!(
            c.url(routes::CHANNEL, Some("a/../b?c")).as_str(),
            "https://10.0.0.1:8443/base/api/v1/channels/a%2F..%2Fb%3Fc"
        );
        assert_eq!(c.url(routes::EXPORT_DOWNLOAD, Some("t1")).path(), "/base/api/v1/exports/t1/download");
        assert_eq!(c.backend(), "https://10.0.0.1:8443/base");
    }
}

/// Move a finished download to its final, unused name.
fn finish_download(tmp: &tempfile_path::TempPath, dir: &Path, id: &str) -> Result<PathBuf> {
    let safe: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).take(64).collect();
    for n in 1..=10_000 {
        let name = if n == 1 { format!("chanwiz-export-{safe}.zip") } else { format!("chanwiz-export-{safe}-{n}.zip") };
        let target = dir.join(name);
        // hard_link fails when the name is taken: no existing file is replaced.
        match std::fs::hard_link(tmp.path(), &target) {
            Ok(()) => return Ok(target),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => {
                return Err(ClientError::Io { path: target, source });
            }
        }
    }
    let path = dir.join(format!("chanwiz-export-{safe}.zip"));
    Err(ClientError::Io {
        path,
        source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, "every file name for this export is taken"),
    })
}

mod tempfile_path {
    use std::path::{Path, PathBuf};

    /// A temporary file beside the download target, removed when dropped.
    pub struct TempPath(PathBuf);

    impl TempPath {
        pub fn new(dir: &Path) -> Self {
            Self(dir.join(format!("{}export-{}.zip", crate::fsutil::TEMP_PREFIX, uuid::Uuid::new_v4().simple())))
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}
