//! What the wizard needs of a configuration backend, and its two kinds: a
//! remote one through [`crate::client::Client`], and (feature `server`) the
//! reference backend embedded in this process on loopback, started in the
//! background so that the first frame never waits for it.

use std::pin::Pin;

use tokio::sync::mpsc::UnboundedSender;

use super::state::Link;
use super::update::{Action, SubmitError};
use crate::api::Channel;
use crate::client::cache::CatalogueCache;
use crate::client::{Client, ClientError};
use crate::drafts::Draft;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Backend: Send + Sync {
    /// Check the link, then send `LinkChanged`, `CatalogueLoaded` (live, or
    /// the cached one when unreachable) and `ChannelsLoaded`.
    fn refresh(&self, tx: UnboundedSender<Action>) -> BoxFuture<'_, ()>;
    /// Fetch a channel to edit.
    fn channel<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Channel, String>>;
    /// Create or update the draft's channel ([`crate::client::submit::send`]).
    /// A create needs the draft's Idempotency-Key, minted and saved by the
    /// caller before the request leaves; nothing is written here.
    fn submit(&self, draft: Draft) -> BoxFuture<'_, Result<Channel, SubmitError>>;
    /// The HTTP client, for the Channel Integration page's calls.
    fn client(&self) -> BoxFuture<'_, Result<Client, String>>;
}

/// A backend reached through the HTTP client.
pub struct Remote {
    client: Client,
    cache: CatalogueCache,
}

impl Remote {
    /// The catalogue is cached per backend URL.
    pub fn new(client: Client, cache_dir: &std::path::Path) -> Self {
        let cache = CatalogueCache::new(cache_dir, client.backend());
        Self { client, cache }
    }

    /// The catalogue is cached under `cache_key` (the embedded backend's
    /// port changes from run to run; its catalogue does not).
    pub fn with_cache_key(client: Client, cache_dir: &std::path::Path, cache_key: &str) -> Self {
        Self { client, cache: CatalogueCache::new(cache_dir, cache_key) }
    }
}

fn submit_error(e: ClientError) -> SubmitError {
    match e {
        ClientError::Invalid { errors, .. } => SubmitError::Invalid(errors),
        ClientError::Stale { ref current, .. } => {
            let current = current.clone();
            SubmitError::Stale { message: e.to_string(), current }
        }
        e if e.is_unreachable() => SubmitError::Unreachable(e.to_string()),
        e => SubmitError::Other(e.to_string()),
    }
}

impl Backend for Remote {
    fn refresh(&self, tx: UnboundedSender<Action>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let link = match self.client.health().await {
                Ok(_) => Link::Online,
                Err(e) => Link::Unreachable(short(&e)),
            };
            let online = link == Link::Online;
            let _ = tx.send(Action::LinkChanged(link));
            let fetch = if online { self.client.refresh_catalogue(&self.cache).await.ok() } else { None };
            match fetch {
                Some(f) => {
                    let _ = tx.send(Action::CatalogueLoaded { catalogue: f.catalogue, fetched: f.fetched });
                }
                None => {
                    if let Some(cached) = self.cache.load() {
                        let _ =
                            tx.send(Action::CatalogueLoaded { catalogue: cached.catalogue, fetched: cached.fetched });
                    }
                }
            }
            if online && let Ok(channels) = self.client.all_channels(None).await {
                let _ = tx.send(Action::ChannelsLoaded(channels));
            }
        })
    }

    fn channel<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Channel, String>> {
        Box::pin(async move { self.client.get_channel(id).await.map_err(|e| e.to_string()) })
    }

    fn submit(&self, draft: Draft) -> BoxFuture<'_, Result<Channel, SubmitError>> {
        Box::pin(async move {
            crate::client::submit::send(&self.client, &draft).await.map(|s| s.channel().clone()).map_err(submit_error)
        })
    }

    fn client(&self) -> BoxFuture<'_, Result<Client, String>> {
        Box::pin(async move { Ok(self.client.clone()) })
    }
}

/// The status line has one line: the reason, without the advice.
fn short(e: &ClientError) -> String {
    match e {
        ClientError::Unreachable { detail, .. } => detail.clone(),
        ClientError::Timeout { secs, .. } => format!("no answer in {secs} s"),
        ClientError::Unauthorized { .. } => "token refused (401)".into(),
        ClientError::Tls { .. } => "TLS certificate not trusted".into(),
        other => other.to_string(),
    }
}

/// The reference backend in this process (`cargo run --release` with no
/// backend configured), started on the first refresh.
#[cfg(feature = "server")]
pub struct Embedded {
    db: std::path::PathBuf,
    cache_dir: std::path::PathBuf,
    inner: tokio::sync::OnceCell<Result<(Remote, crate::server::RunningServer), String>>,
}

#[cfg(feature = "server")]
impl Embedded {
    pub fn new(db: std::path::PathBuf, cache_dir: std::path::PathBuf) -> Self {
        Self { db, cache_dir, inner: tokio::sync::OnceCell::new() }
    }

    async fn remote(&self) -> Result<&Remote, String> {
        let started = self
            .inner
            .get_or_init(|| async {
                let config = crate::server::ServerConfig {
                    addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                    db: self.db.clone(),
                    demo: true,
                    seed_channels: 0,
                    tls: crate::server::TlsMode::Off,
                };
                let server = crate::server::spawn(config).await.map_err(|e| format!("embedded backend: {e}"))?;
                let token = server.demo_token.clone().ok_or("embedded backend: no demo token")?;
                let flags =
                    crate::client::Flags { backend: Some(server.url.clone()), token: Some(token), ca_cert: None };
                let settings = crate::client::config::resolve(&flags, &|_| None, None).map_err(|e| e.to_string())?;
                let client = Client::new(&settings).map_err(|e| e.to_string())?;
                Ok((Remote::with_cache_key(client, &self.cache_dir, "embedded"), server))
            })
            .await;
        started.as_ref().map(|(r, _)| r).map_err(Clone::clone)
    }

    /// The URL the embedded backend listens on, once started.
    pub fn url(&self) -> Option<String> {
        self.inner.get().and_then(|r| r.as_ref().ok()).map(|(_, s)| s.url.clone())
    }
}

#[cfg(feature = "server")]
impl Backend for Embedded {
    fn refresh(&self, tx: UnboundedSender<Action>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            match self.remote().await {
                Ok(r) => {
                    if let Some(url) = self.url() {
                        let _ = tx.send(Action::BackendUrl(url));
                    }
                    r.refresh(tx).await
                }
                Err(e) => {
                    let _ = tx.send(Action::LinkChanged(Link::Unreachable(e)));
                }
            }
        })
    }

    fn channel<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Channel, String>> {
        Box::pin(async move { self.remote().await?.channel(id).await })
    }

    fn submit(&self, draft: Draft) -> BoxFuture<'_, Result<Channel, SubmitError>> {
        Box::pin(async move {
            match self.remote().await {
                Ok(r) => r.submit(draft).await,
                Err(e) => Err(SubmitError::Unreachable(e)),
            }
        })
    }

    fn client(&self) -> BoxFuture<'_, Result<Client, String>> {
        Box::pin(async move { Ok(self.remote().await?.client.clone()) })
    }
}
