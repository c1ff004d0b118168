//! Channels as code: a folder (or one file) of channel documents, matched to
//! the backend's channels by `basic.channel_name`, planned and applied as
//! `terraform plan/apply` do, and pulled back into such a folder.
//!
//! - [`load`] reads the documents (every `*.json` of a folder, in name
//!   order), refusing two files of one channel name.
//! - [`plan`] compares them with the backend: `create`, `update` (with the
//!   field-by-field diff), `unchanged`, and `only on the backend`;
//!   [`plan_one`] does it for one document (`chanwiz submit FILE`).
//! - [`apply`] carries a plan out: each create with an Idempotency-Key
//!   derived from the document (a retried apply never makes a second
//!   channel), each update with `If-Match` of the version planned, so a
//!   channel changed since the plan stops the apply with the diff; before
//!   anything is written every planned version is checked again, so such a
//!   change stops it before it changed anything. Channels only on the
//!   backend are deleted only when pruning.
//! - The APP Secret: an update keeps the stored one unless the caller asks
//!   to replace it; a create needs one (from the file, or supplied by the
//!   caller from `--secrets FILE`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Client, ClientError, Result};
use crate::api::{Channel, ChannelSummary};
use crate::model::diff::{Change, changes};
use crate::model::{ChannelDocument, parse_document};

/// A channel document read from a file.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: PathBuf,
    pub document: ChannelDocument,
}

/// What applying would do to one channel.
#[derive(Debug, Clone)]
pub enum Item {
    Create { source: Source },
    Update { source: Source, current: Box<Channel>, changes: Vec<Change> },
    Unchanged { source: Source, current: Box<Channel> },
    OnlyOnBackend { channel: ChannelSummary },
}

impl Item {
    /// The channel's name.
    pub fn name(&self) -> &str {
        match self {
            Item::Create { source } | Item::Update { source, .. } | Item::Unchanged { source, .. } => {
                &source.document.basic.channel_name
            }
            Item::OnlyOnBackend { channel } => &channel.name,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// In the files' order, then the channels only on the backend by name.
    pub items: Vec<Item>,
}

impl Plan {
    /// Whether applying (with `prune`) would change anything.
    pub fn has_changes(&self, prune: bool) -> bool {
        self.items.iter().any(|i| match i {
            Item::Create { .. } | Item::Update { .. } => true,
            Item::OnlyOnBackend { .. } => prune,
            Item::Unchanged { .. } => false,
        })
    }

    /// How many of each: (create, update, unchanged, only on the backend).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, 0);
        for i in &self.items {
            match i {
                Item::Create { .. } => c.0 += 1,
                Item::Update { .. } => c.1 += 1,
                Item::Unchanged { .. } => c.2 += 1,
                Item::OnlyOnBackend { .. } => c.3 += 1,
            }
        }
        c
    }
}

/// Why documents could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{} and {} both describe channel '{name}': one file per channel", first.display(), second.display())]
    Duplicate { name: String, first: PathBuf, second: PathBuf },
    #[error("{}: no channel documents (*.json) in it", path.display())]
    Empty { path: PathBuf },
}

/// The channel documents at `path`: one file, or every `*.json` file of a
/// folder (not its subfolders), in name order.
pub fn load(path: &Path) -> std::result::Result<Vec<Source>, LoadError> {
    let io = |source| LoadError::Io { path: path.to_path_buf(), source };
    let files = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(LoadError::Empty { path: path.to_path_buf() });
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut out: Vec<Source> = Vec::new();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| LoadError::Io { path: file.clone(), source })?;
        let document =
            parse_document(&text).map_err(|e| LoadError::Invalid { path: file.clone(), message: e.to_string() })?;
        let name = document.normalized().basic.channel_name;
        if name.is_empty() {
            return Err(LoadError::Invalid {
                path: file,
                message: "basic.channel_name is empty: it names the channel".into(),
            });
        }
        if let Some(first) = seen.insert(name.clone(), file.clone()) {
            return Err(LoadError::Duplicate { name, first, second: file });
        }
        out.push(Source { file, document });
    }
    Ok(out)
}

/// Requests in flight at once when reading many channels (each is one
/// small GET; a few at a time hide the round trips of a slow link).
const IN_FLIGHT: usize = 8;

/// The channels of these ids, read a few at a time, in the ids' order.
async fn read_all(client: &Client, ids: Vec<String>) -> Result<Vec<Channel>> {
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, id) in ids.into_iter().enumerate() {
        let (client, limit) = (client.clone(), limit.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("the semaphore is never closed");
            (i, client.get_channel(&id).await)
        });
    }
    let mut out: Vec<Option<Channel>> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.expect("a channel read does not panic");
        if out.len() <= i {
            out.resize(i + 1, None);
        }
        out[i] = Some(result?);
    }
    Ok(out.into_iter().flatten().collect())
}

/// Compare `sources` with the backend's channels.
pub async fn plan(client: &Client, sources: &[Source]) -> Result<Plan> {
    let summaries = client.all_channels(None).await?;
    let by_name: BTreeMap<&str, &ChannelSummary> = summaries.iter().map(|s| (s.name.as_str(), s)).collect();
    let wanted: Vec<String> = sources
        .iter()
        .filter_map(|s| by_name.get(s.document.normalized().basic.channel_name.as_str()).map(|c| c.id.clone()))
        .collect();
    let mut read: HashMap<String, Channel> =
        read_all(client, wanted).await?.into_iter().map(|c| (c.id.clone(), c)).collect();
    let mut items = Vec::new();
    let mut matched = std::collections::HashSet::new();
    for source in sources {
        let name = source.document.normalized().basic.channel_name;
        match by_name.get(name.as_str()) {
            None => items.push(Item::Create { source: source.clone() }),
            Some(summary) => {
                matched.insert(summary.id.clone());
                let Some(current) = read.remove(&summary.id) else { continue };
                // an update keeps the stored APP Secret unless asked (see `apply`)
                items.push(compare(source.clone(), current, Secret::Kept));
            }
        }
    }
    let mut only: Vec<&ChannelSummary> = summaries.iter().filter(|s| !matched.contains(&s.id)).collect();
    only.sort_by(|a, b| a.name.cmp(&b.name));
    items.extend(only.into_iter().map(|c| Item::OnlyOnBackend { channel: c.clone() }));
    Ok(Plan { items })
}

/// How a document's APP Secret counts when it is compared with the stored
/// channel. No one can compare it (the backend never returns the stored
/// one), so it is never "the same"; what differs is when it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// Not sent: the update keeps the stored one (`plan`, `apply`).
    Kept,
    /// Sent along with an update that changes a field, and then shown as
    /// replaced; alone it makes no update (`submit FILE --update`: a secret
    /// a file kept since its create is no edit).
    WithChanges,
    /// Sent, and a change by itself (given for this submit:
    /// `--app-secret-stdin`).
    Replaced,
}

/// `source` compared with `current`, the stored channel of its name, as
/// `plan` compares them: [`Item::Update`] with the fields it changes, or
/// [`Item::Unchanged`].
pub fn compare(source: Source, current: Channel, secret: Secret) -> Item {
    let fields = changes(&current.document, &source.document.without_secrets());
    let holds_secret = source.document.normalized().channel_info.app_secret.is_some();
    let changes = match secret {
        Secret::Kept => fields,
        Secret::WithChanges if fields.is_empty() => fields,
        Secret::WithChanges | Secret::Replaced if holds_secret => changes(&current.document, &source.document),
        Secret::WithChanges | Secret::Replaced => fields,
    };
    let current = Box::new(current);
    if changes.is_empty() { Item::Unchanged { source, current } } else { Item::Update { source, current, changes } }
}

/// [`plan`] of one document: [`Item::Create`] when the backend has no
/// channel of its name, else that channel read and [`compare`]d.
pub async fn plan_one(client: &Client, source: Source, secret: Secret) -> Result<Item> {
    let name = source.document.normalized().basic.channel_name;
    let found = client.all_channels(Some(&name)).await?.into_iter().find(|c| c.name == name);
    match found {
        None => Ok(Item::Create { source }),
        Some(summary) => Ok(compare(source, client.get_channel(&summary.id).await?, secret)),
    }
}

/// How [`apply`] treats secrets and channels only on the backend.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Delete the channels only on the backend.
    pub prune: bool,
    /// Send the APP Secret of the files (or `secrets`) on updates too.
    pub replace_secrets: bool,
    /// APP Secrets by channel name, for files that do not hold one.
    pub secrets: HashMap<String, String>,
}

/// What [`apply`] did to one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Created { name: String, id: String, version: u64 },
    Updated { name: String, id: String, version: u64 },
    Deleted { name: String, id: String },
}

/// Why an apply stopped.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A channel changed on the backend since the plan: nothing further was
    /// written (`done` says what was, before it was noticed).
    #[error("channel '{name}' changed on the backend since the plan (version {planned} → {now})")]
    Moved { name: String, planned: u64, now: u64, diff: Vec<Change>, done: Vec<Done> },
    #[error(
        "channel '{name}': a create needs an APP Secret: put it in the file, give --secrets FILE or set CHANWIZ_APP_SECRET_{name}"
    )]
    NoSecret { name: String },
    #[error("channel '{name}': {source}")]
    Client { name: String, source: ClientError, done: Vec<Done> },
}

/// The Idempotency-Key of a planned create: the same document always gets
/// the same key, so an apply retried after a lost answer or a crash makes
/// the channel once.
pub fn create_key(document: &ChannelDocument) -> String {
    let stored = serde_json::to_vec(&document.normalized().without_secrets()).expect("a document serialises");
    let digest = Sha256::digest(&stored);
    format!("apply-{}", &hex::encode(digest)[..32])
}

/// Carry out `plan`. Before writing anything, every channel the plan
/// updates, keeps or deletes is read again: one that moved since stops the
/// apply with its diff and nothing changed.
pub async fn apply(client: &Client, plan: &Plan, opts: &ApplyOptions) -> std::result::Result<Vec<Done>, ApplyError> {
    let wrap = |name: &str, done: &[Done]| {
        let (name, done) = (name.to_string(), done.to_vec());
        move |source| ApplyError::Client { name, source, done }
    };
    // secrets first: a create without one is refused before anything is sent
    for item in &plan.items {
        if let Item::Create { source } = item {
            let name = source.document.normalized().basic.channel_name;
            if source.document.normalized().channel_info.app_secret.is_none() && !opts.secrets.contains_key(&name) {
                return Err(ApplyError::NoSecret { name });
            }
        }
    }
    let checked: Vec<(&Item, String, u64)> = plan
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Update { current, .. } | Item::Unchanged { current, .. } => {
                Some((item, current.id.clone(), current.version))
            }
            Item::OnlyOnBackend { channel } if opts.prune => Some((item, channel.id.clone(), channel.version)),
            _ => None,
        })
        .collect();
    let ids = checked.iter().map(|(_, id, _)| id.clone()).collect();
    let now_all = read_all(client, ids).await.map_err(wrap("(reading the planned channels)", &[]))?;
    for ((item, _, planned), now) in checked.iter().zip(now_all) {
        let (name, planned) = (item.name(), *planned);
        if now.version != planned {
            let diff = match item {
                Item::Update { source, .. } | Item::Unchanged { source, .. } => {
                    changes(&now.document, &source.document.without_secrets())
                }
                _ => Vec::new(),
            };
            return Err(ApplyError::Moved { name: name.to_string(), planned, now: now.version, diff, done: vec![] });
        }
    }
    let mut done = Vec::new();
    for item in &plan.items {
        match item {
            Item::Create { source } => {
                let name = source.document.normalized().basic.channel_name;
                let mut doc = source.document.clone();
                if doc.normalized().channel_info.app_secret.is_none() {
                    doc.channel_info.app_secret = opts.secrets.get(&name).cloned();
                }
                let ch = client.create_channel(&doc, &create_key(&doc)).await.map_err(wrap(&name, &done))?;
                done.push(Done::Created { name, id: ch.id, version: ch.version });
            }
            Item::Update { source, current, .. } => {
                let name = item.name().to_string();
                let mut doc = source.document.clone();
                if opts.replace_secrets {
                    if doc.normalized().channel_info.app_secret.is_none() {
                        doc.channel_info.app_secret = opts.secrets.get(&name).cloned();
                    }
                } else {
                    doc.channel_info.app_secret = None;
                }
                match client.update_channel(&current.id, current.version, &doc).await {
                    Ok(ch) => done.push(Done::Updated { name, id: ch.id, version: ch.version }),
                    Err(ClientError::Stale { current: Some(now), .. }) => {
                        let diff = changes(&now.document, &source.document.without_secrets());
                        return Err(ApplyError::Moved { name, planned: current.version, now: now.version, diff, done });
                    }
                    Err(e) => return Err(wrap(&name, &done)(e)),
                }
            }
            Item::OnlyOnBackend { channel } if opts.prune => {
                client.delete_channel(&channel.id).await.map_err(wrap(&channel.name, &done))?;
                done.push(Done::Deleted { name: channel.name.clone(), id: channel.id.clone() });
            }
            Item::OnlyOnBackend { .. } | Item::Unchanged { .. } => {}
        }
    }
    Ok(done)
}

/// The file name a channel is pulled into: its name (letters, digits and
/// `_` only, by the rules) plus `.json`.
pub fn file_name(channel_name: &str) -> String {
    let safe: String =
        channel_name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    format!("{safe}.json")
}

/// Every channel of the backend as it would be pulled: (file name,
/// document without secrets).
pub async fn pull(client: &Client) -> Result<Vec<(String, ChannelDocument)>> {
    let ids = client.all_channels(None).await?.into_iter().map(|s| s.id).collect();
    Ok(read_all(client, ids)
        .await?
        .into_iter()
        .map(|ch| (file_name(&ch.document.basic.channel_name), ch.document.without_secrets()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_create_key_follows_the_stored_document_only() {
        let mut a = ChannelDocument::default();
        a.basic.channel_name = "A".into();
        let mut b = a.clone();
        b.channel_info.app_secret = Some("never in the key".into());
        b.basic.channel_name = " A ".into();
        assert_eq!(create_key(&a), create_key(&b));
        b.basic.ou = "ou-2".into();
        assert_ne!(create_key(&a), create_key(&b));
    }

    #[test]
    fn a_folder_with_two_files_of_one_channel_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let doc = r#"{"basic":{"channel_name":"Same"}}"#;
        std::fs::write(dir.path().join("a.json"), doc).unwrap();
        std::fs::write(dir.path().join("b.json"), doc).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a document").unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(matches!(err, LoadError::Duplicate { ref name, .. } if name == "Same"), "{err}");
        std::fs::remove_file(dir.path().join("b.json")).unwrap();
        assert_eq!(load(dir.path()).unwrap().len(), 1);
        assert!(matches!(load(&dir.path().join("missing")), Err(LoadError::Io { .. })));
        assert_eq!(file_name("Telegram_Support"), "Telegram_Support.json");
        assert_eq!(file_name("../x"), "___x.json");
    }

    #[test]
    fn a_secret_counts_as_a_change_only_as_its_use_says() {
        let mut stored = ChannelDocument::default();
        stored.basic.channel_name = "Kept".into();
        let current = Channel {
            id: "c1".into(),
            version: 1,
            created: chrono::Utc::now(),
            updated: chrono::Utc::now(),
            integration_url: String::new(),
            has_app_secret: true,
            has_bot_token: false,
            document: stored.clone(),
        };
        let mut same = stored.clone();
        same.channel_info.app_secret = Some("s3cr3t".into());
        let mut edited = same.clone();
        edited.basic.ou = "ou-2".into();
        let item = |doc: &ChannelDocument, secret| {
            compare(Source { file: "f.json".into(), document: doc.clone() }, current.clone(), secret)
        };
        let paths = |i: Item| match i {
            Item::Update { changes, .. } => changes.into_iter().map(|c| c.path).collect::<Vec<_>>(),
            Item::Unchanged { .. } => Vec::new(),
            other => panic!("{other:?}"),
        };
        // no field changed: only a secret given for this submit is a change
        assert_eq!(paths(item(&same, Secret::Kept)), Vec::<String>::new());
        assert_eq!(paths(item(&same, Secret::WithChanges)), Vec::<String>::new());
        assert_eq!(paths(item(&same, Secret::Replaced)), ["channel_info.app_secret"]);
        // a field changed: the secret goes along unless kept
        assert_eq!(paths(item(&edited, Secret::Kept)), ["basic.ou"]);
        assert_eq!(paths(item(&edited, Secret::WithChanges)), ["channel_info.app_secret", "basic.ou"]);
        assert_eq!(paths(item(&edited, Secret::Replaced)), ["channel_info.app_secret", "basic.ou"]);
        // no secret held: the fields alone
        assert_eq!(paths(item(&stored, Secret::Replaced)), Vec::<String>::new());
    }
}
