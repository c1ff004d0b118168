//! Submitting a draft: create the channel (or update the one the draft
//! edits) and record the outcome in the draft. Shared by `chanwiz submit` and
//! the wizard.
//!
//! - Before a create is sent, its Idempotency-Key is saved in the draft, so a
//!   retry after a lost answer or a crash reuses it: one channel, ever.
//! - After a create, the draft records the channel's id and version (and
//!   forgets the key): submitting it again updates that channel.
//! - An update sends `If-Match` with the draft's version; a 412 comes back
//!   as [`ClientError::Stale`] with the channel as it now is, and nothing is
//!   overwritten. A 412 whose current document is exactly the draft means an
//!   earlier update landed but its answer was lost: that counts as done.

use super::{Client, ClientError};
use crate::api::Channel;
use crate::drafts::{Draft, DraftStore};

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

/// Create or update the channel of `draft`, saving the draft in `store`
/// before a create is sent and after either succeeds. The draft's document
/// must already pass local validation; its APP Secret, if any, is sent but
/// stays out of the draft file unless the draft remembers secrets.
pub async fn submit_draft(client: &Client, store: &DraftStore, draft: &mut Draft) -> Result<Submitted, ClientError> {
    let stored = draft.document.normalized().without_secrets();
    if let Some(id) = draft.meta.channel_id.clone() {
        let Some(version) = draft.meta.channel_version else {
            return Err(ClientError::Config(format!(
                "draft {} edits channel {} but does not record which version it is based on: open the channel again to edit it",
                draft.meta.id,
                crate::sanitize::clean(&id)
            )));
        };
        let ch = match client.update_channel(&id, version, &draft.document).await {
            Ok(ch) => ch,
            // A new APP Secret cannot be compared with the stored one: it is sent again.
            Err(ClientError::Stale { current: Some(c), .. }) if c.document == stored => {
                if draft.document.channel_info.app_secret.is_some() {
                    client.update_channel(&id, c.version, &draft.document).await?
                } else {
                    *c
                }
            }
            Err(e) => return Err(e),
        };
        draft.meta.channel_version = Some(ch.version);
        store.save(draft)?;
        return Ok(Submitted::Updated(ch));
    }
    let replay = draft.meta.idempotency_key.is_some();
    let key = match &draft.meta.idempotency_key {
        Some(k) => k.clone(),
        None => {
            let k = uuid::Uuid::new_v4().to_string();
            draft.meta.idempotency_key = Some(k.clone());
            store.save(draft)?;
            k
        }
    };
    let mut ch = match client.create_channel(&draft.document, &key).await {
        Ok(ch) => ch,
        // A 422 without field errors on a replayed key: the backend holds a
        // different request under this key.
        Err(ClientError::Invalid { backend, message, errors }) if replay && errors.is_empty() => {
            return Err(ClientError::ReplayMismatch { backend, draft: draft.meta.id.clone(), message });
        }
        Err(e) => return Err(e),
    };
    // A replayed key answers with the first create: if the draft was edited
    // since, bring the channel up to date with it.
    if replay && ch.document != stored {
        ch = client.update_channel(&ch.id, ch.version, &draft.document).await?;
    }
    draft.meta.channel_id = Some(ch.id.clone());
    draft.meta.channel_version = Some(ch.version);
    draft.meta.idempotency_key = None;
    store.save(draft)?;
    Ok(Submitted::Created(ch))
}

/// Create or update the channel of `draft` without touching the draft store
/// (the wizard owns its draft and saves it itself). A create needs the
/// draft's Idempotency-Key, minted and saved by the caller before this is
/// called, so that every retry after a lost answer reuses it.
pub async fn send(client: &Client, draft: &Draft) -> Result<Submitted, ClientError> {
    let stored = draft.document.normalized().without_secrets();
    if let Some(id) = draft.meta.channel_id.clone() {
        let Some(version) = draft.meta.channel_version else {
            return Err(ClientError::Config(format!(
                "draft {} edits channel {} but does not record which version it is based on: open the channel again to edit it",
                draft.meta.id,
                crate::sanitize::clean(&id)
            )));
        };
        let ch = match client.update_channel(&id, version, &draft.document).await {
            Ok(ch) => ch,
            Err(ClientError::Stale { current: Some(c), .. }) if c.document == stored => {
                if draft.document.channel_info.app_secret.is_some() {
                    client.update_channel(&id, c.version, &draft.document).await?
                } else {
                    *c
                }
            }
            Err(e) => return Err(e),
        };
        return Ok(Submitted::Updated(ch));
    }
    let Some(key) = draft.meta.idempotency_key.clone() else {
        return Err(ClientError::Config(format!(
            "draft {} has no Idempotency-Key: it must be saved with one before it is sent",
            draft.meta.id
        )));
    };
    let mut ch = match client.create_channel(&draft.document, &key).await {
        Ok(ch) => ch,
        Err(ClientError::Invalid { backend, message, errors }) if errors.is_empty() => {
            return Err(ClientError::ReplayMismatch { backend, draft: draft.meta.id.clone(), message });
        }
        Err(e) => return Err(e),
    };
    // a replayed key answers with the first create: bring it up to date
    if ch.document != stored {
        ch = client.update_channel(&ch.id, ch.version, &draft.document).await?;
    }
    Ok(Submitted::Created(ch))
}
