//! Submitting a draft: create the channel (or update the one the draft
//! edits). Shared by `chanwiz submit` and the wizard. This layer talks to the
//! backend only: it never writes the draft store. The caller, which owns the
//! draft, does the writes in this order:
//!
//! 1. [`Draft::ensure_idempotency_key`] mints the create's key (once per
//!    intended create), and the caller saves the draft: a retry after a lost
//!    answer or a crash reuses the saved key, so one channel, ever;
//! 2. [`send`] creates or updates;
//! 3. [`record`] writes the outcome into the draft (channel id and version,
//!    the key forgotten), and the caller saves it again: submitting it again
//!    then updates that channel.
//!
//! An update sends `If-Match` with the draft's version; a 412 comes back as
//! [`ClientError::Stale`] with the channel as it now is, and nothing is
//! overwritten. A 412 whose current document is exactly the draft means an
//! earlier update landed but its answer was lost: that counts as done.

use super::{Client, ClientError};
use crate::api::Channel;
use crate::drafts::Draft;

/// What a submit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    Created(Channel),
    Updated(Channel),
}

impl Submitted {
    pub fn channel(&self) -> &Channel {
        match self {
            Submitted::Created(c) | Submitted::Updated(c) => c,
        }
    }
}

/// Create or update the channel of `draft`. A create needs the draft's
/// Idempotency-Key, minted and saved beforehand
/// ([`Draft::ensure_idempotency_key`]). The document must already pass
/// local validation; its APP Secret, if any, is sent.
pub async fn send(client: &Client, draft: &Draft) -> Result<Submitted, ClientError> {
    let stored = draft.document.normalized().without_secrets();
    if let Some(id) = &draft.meta.channel_id {
        let Some(version) = draft.meta.channel_version else {
            return Err(ClientError::Config(format!(
                "draft {} edits channel {} but does not record which version it is based on: open the channel again to edit it",
                draft.meta.id,
                crate::sanitize::clean(id)
            )));
        };
        let ch = match client.update_channel(id, version, &draft.document).await {
            Ok(ch) => ch,
            // A new APP Secret cannot be compared with the stored one: it is sent again.
            Err(ClientError::Stale { current: Some(c), .. }) if c.document == stored => {
                if draft.document.channel_info.app_secret.is_some() {
                    client.update_channel(id, c.version, &draft.document).await?
                } else {
                    *c
                }
            }
            Err(e) => return Err(e),
        };
        return Ok(Submitted::Updated(ch));
    }
    let Some(key) = &draft.meta.idempotency_key else {
        return Err(ClientError::Config(format!(
            "draft {} has no Idempotency-Key for its create: mint one and save the draft before sending it, so a retry cannot make a second channel",
            draft.meta.id
        )));
    };
    let mut ch = match client.create_channel(&draft.document, key).await {
        Ok(ch) => ch,
        // A 422 without field errors: the backend holds a different request
        // under this key (a create sent before, from an older draft).
        Err(ClientError::Invalid { backend, message, errors }) if errors.is_empty() => {
            return Err(ClientError::ReplayMismatch { backend, draft: draft.meta.id.clone(), message });
        }
        Err(e) => return Err(e),
    };
    // A replayed key answers with the first create: if the draft was edited
    // since, bring the channel up to date with it.
    if ch.document != stored {
        ch = client.update_channel(&ch.id, ch.version, &draft.document).await?;
    }
    Ok(Submitted::Created(ch))
}

/// Write what [`send`] did into a draft that is kept: the channel's id,
/// version and document as confirmed (the base of the next edit), the
/// create's key forgotten and the APP Secret dropped (the backend holds it):
/// the next submit updates that channel.
pub fn record(draft: &mut Draft, submitted: &Submitted) {
    let ch = submitted.channel();
    draft.confirmed(&ch.id, ch.version, &ch.document);
}
