//! What the wizard needs of a configuration backend. The runtime talks to
//! it from background tasks and hears back through actions.

use tokio::sync::mpsc::UnboundedSender;

use super::update::{Action, SubmitError};
use crate::api::Channel;
use crate::drafts::Draft;

pub trait Backend: Send + Sync {
    /// Check the link, then send `LinkChanged`, `CatalogueLoaded` (live, or
    /// the cached one when offline) and `ChannelsLoaded`.
    fn refresh(&self, tx: UnboundedSender<Action>) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + '_>>;
    /// Fetch a channel to edit.
    fn channel<'a>(
        &'a self,
        id: &'a str,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<Channel, String>> + Send + 'a>>;
    /// Create or update the draft's channel.
    fn submit(&self, draft: Draft)
    -> std::pin::Pin<Box<dyn Future<Output = Result<Channel, SubmitError>> + Send + '_>>;
}
