//! What the wizard needs of a configuration backend, and the one kind it
//! knows: a backend reached through [`crate::client::Client`]. The CLI
//! builds it (for a remote URL, or for the reference backend it starts in
//! this process); the wizard never starts a server itself.

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::msg::{Action, SubmitError};
use super::state::Link;
use crate::api::{Channel, ChannelQuery, ChannelSummary, Page};
use crate::client::cache::{CatalogueCache, ChannelPageCache};
use crate::client::{Client, ClientError};
use crate::drafts::Draft;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How many of the backend's channels the home screen lists (the most
/// recently updated; the Channels screen has them all).
pub const HOME_CHANNELS: u32 = 20;

/// Why a request to the backend failed, with what it says about the link.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// No answer (down, refused, timed out, TLS).
    Unreachable,
    /// 401: the tenant token is refused.
    Unauthorized,
    /// The backend answered, and said no.
    Refused,
}

impl Failure {
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self { kind: FailureKind::Unreachable, message: message.into() }
    }

    pub fn of_client(e: &ClientError) -> Self {
        let kind = match e {
            ClientError::Unauthorized { .. } => FailureKind::Unauthorized,
            e if e.is_unreachable() => FailureKind::Unreachable,
            _ => FailureKind::Refused,
        };
        Self { kind, message: e.to_string() }
    }

    pub fn of_integration(e: &crate::integration::IntegrationError) -> Self {
        match e {
            crate::integration::IntegrationError::Backend(c) => Self::of_client(c),
            other => Self { kind: FailureKind::Refused, message: other.to_string() },
        }
    }

    /// The status line after this failure.
    pub fn link(&self) -> Link {
        match self.kind {
            FailureKind::Unreachable => Link::Unreachable(self.message.clone()),
            FailureKind::Unauthorized => Link::TokenRefused,
            FailureKind::Refused => Link::Online,
        }
    }
}

pub trait Backend: Send + Sync {
    /// Check the link, then send `LinkChanged`, `CatalogueLoaded` (live, or
    /// the cached one when unreachable) and `ChannelsLoaded`.
    fn refresh(&self, tx: UnboundedSender<Action>) -> BoxFuture<'_, ()>;
    /// Fetch a channel to edit.
    fn channel<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Channel, Failure>>;
    /// Create or update the draft's channel. A create carries the draft's
    /// Idempotency-Key, which the wizard saved before asking.
    fn submit(&self, draft: Draft) -> BoxFuture<'_, Result<Channel, SubmitError>>;
    /// The HTTP client, for the Channel Integration page's calls.
    fn client(&self) -> BoxFuture<'_, Result<Client, Failure>>;
    /// A page of the channel list, live (and kept), or, when the backend does
    /// not answer, the page as it was last fetched and when.
    fn channel_page(&self, query: ChannelQuery) -> BoxFuture<'_, Result<PageAnswer, Failure>>;
}

/// A page of channels, and when it was fetched if it comes from the cache.
pub type PageAnswer = (Page<ChannelSummary>, Option<chrono::DateTime<chrono::Utc>>);

/// A backend reached through the HTTP client.
pub struct Remote {
    client: Client,
    cache: CatalogueCache,
    pages: ChannelPageCache,
}

impl Remote {
    /// The catalogue is cached per backend URL.
    pub fn new(client: Client, cache_dir: &std::path::Path) -> Self {
        let cache = CatalogueCache::new(cache_dir, client.backend());
        let pages = ChannelPageCache::new(cache_dir, client.backend());
        Self { client, cache, pages }
    }

    /// The catalogue is cached under `cache_key` (the embedded backend's
    /// port changes from run to run; its catalogue does not).
    pub fn with_cache_key(client: Client, cache_dir: &std::path::Path, cache_key: &str) -> Self {
        Self {
            client,
            cache: CatalogueCache::new(cache_dir, cache_key),
            pages: ChannelPageCache::new(cache_dir, cache_key),
        }
    }

    pub fn http(&self) -> &Client {
        &self.client
    }
}

fn submit_error(e: ClientError) -> SubmitError {
    match e {
        ClientError::Invalid { errors, .. } => SubmitError::Invalid(errors),
        ClientError::Stale { ref current, .. } => {
            let current = current.clone();
            SubmitError::Stale { message: e.to_string(), current }
        }
        ClientError::Unauthorized { .. } => SubmitError::Unauthorized(e.to_string()),
        e if e.is_unreachable() => SubmitError::Unreachable(e.to_string()),
        e => SubmitError::Other(e.to_string()),
    }
}

impl Backend for Remote {
    fn refresh(&self, tx: UnboundedSender<Action>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let link = match self.client.health().await {
                Ok(_) => Link::Online,
                Err(e) => short(&e),
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
            if online {
                // home shows the most recently updated few; the Channels
                // screen pages through the rest
                let query = crate::api::ChannelQuery {
                    per_page: Some(HOME_CHANNELS),
                    sort: Some(crate::api::ChannelSort::Updated),
                    ..Default::default()
                };
                match self.client.list_channels(&query).await {
                    Ok(page) => {
                        let _ = tx.send(Action::ChannelsLoaded { items: page.items, total: page.total });
                    }
                    Err(e) => {
                        let _ = tx.send(Action::LinkChanged(Failure::of_client(&e).link()));
                    }
                }
            }
        })
    }

    fn channel<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Channel, Failure>> {
        Box::pin(async move { self.client.get_channel(id).await.map_err(|e| Failure::of_client(&e)) })
    }

    fn submit(&self, draft: Draft) -> BoxFuture<'_, Result<Channel, SubmitError>> {
        Box::pin(async move {
            crate::client::submit::send(&self.client, &draft).await.map(|s| s.channel().clone()).map_err(submit_error)
        })
    }

    fn client(&self) -> BoxFuture<'_, Result<Client, Failure>> {
        Box::pin(async move { Ok(self.client.clone()) })
    }

    fn channel_page(&self, query: ChannelQuery) -> BoxFuture<'_, Result<PageAnswer, Failure>> {
        Box::pin(async move {
            match self.client.list_channels(&query).await {
                Ok(page) => {
                    if let Err(e) = self.pages.store(&query, &page, chrono::Utc::now()) {
                        tracing::warn!(error = %e, "channel pages not cached");
                    }
                    Ok((page, None))
                }
                Err(e) => {
                    let failure = Failure::of_client(&e);
                    match (failure.kind, self.pages.load(&query)) {
                        (FailureKind::Unreachable, Some((page, fetched))) => Ok((page, Some(fetched))),
                        _ => Err(failure),
                    }
                }
            }
        })
    }
}

/// The status line has one line: the reason, without the advice.
fn short(e: &ClientError) -> Link {
    match e {
        ClientError::Unreachable { detail, .. } => Link::Unreachable(detail.clone()),
        ClientError::Timeout { secs, .. } => Link::Unreachable(format!("no answer in {secs} s")),
        ClientError::Unauthorized { .. } => Link::TokenRefused,
        ClientError::Tls { .. } => Link::Unreachable("TLS certificate not trusted".into()),
        other => Link::Unreachable(other.to_string()),
    }
}

/// A backend started lazily on first use (the reference backend embedded
/// in this process): `start` runs once, on the wizard's runtime, so that
/// the first frame never waits for it.
pub struct Lazy<F> {
    start: std::sync::Mutex<Option<F>>,
    inner: tokio::sync::OnceCell<Result<(Arc<Remote>, String), String>>,
}

impl<F, Fut> Lazy<F>
where
    F: FnOnce() -> Fut + Send,
    Fut: Future<Output = Result<(Remote, String), String>> + Send,
{
    /// `start` gives the backend and the URL it listens on.
    pub fn new(start: F) -> Self {
        Self { start: std::sync::Mutex::new(Some(start)), inner: tokio::sync::OnceCell::new() }
    }

    async fn remote(&self) -> Result<&(Arc<Remote>, String), String> {
        self.inner
            .get_or_init(|| async {
                let start = self.start.lock().ok().and_then(|mut s| s.take());
                match start {
                    Some(f) => f().await.map(|(r, url)| (Arc::new(r), url)),
                    None => Err("the embedded backend could not be started".into()),
                }
            })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl<F, Fut> Backend for Lazy<F>
where
    F: FnOnce() -> Fut + Send,
    Fut: Future<Output = Result<(Remote, String), String>> + Send,
{
    fn refresh(&self, tx: UnboundedSender<Action>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            match self.remote().await {
                Ok((r, url)) => {
                    let _ = tx.send(Action::BackendUrl(url.clone()));
                    r.refresh(tx).await
                }
                Err(e) => {
                    let _ = tx.send(Action::LinkChanged(Link::Unreachable(e)));
                }
            }
        })
    }

    fn channel<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Channel, Failure>> {
        Box::pin(async move {
            match self.remote().await {
                Ok((r, _)) => r.channel(id).await,
                Err(e) => Err(Failure::unreachable(e)),
            }
        })
    }

    fn submit(&self, draft: Draft) -> BoxFuture<'_, Result<Channel, SubmitError>> {
        Box::pin(async move {
            match self.remote().await {
                Ok((r, _)) => r.submit(draft).await,
                Err(e) => Err(SubmitError::Unreachable(e)),
            }
        })
    }

    fn client(&self) -> BoxFuture<'_, Result<Client, Failure>> {
        Box::pin(async move {
            match self.remote().await {
                Ok((r, _)) => Ok(r.client.clone()),
                Err(e) => Err(Failure::unreachable(e)),
            }
        })
    }

    fn channel_page(&self, query: ChannelQuery) -> BoxFuture<'_, Result<PageAnswer, Failure>> {
        Box::pin(async move {
            match self.remote().await {
                Ok((r, _)) => r.channel_page(query).await,
                Err(e) => Err(Failure::unreachable(e)),
            }
        })
    }
}
