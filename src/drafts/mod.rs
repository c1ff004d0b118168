//! The local draft store: one JSON file per draft, written atomically, so
//! that a crash or a dropped SSH session never leaves a half-written draft.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod claim;
mod index;

pub use index::{INDEX_FILE, Row};

use crate::fsutil::{TEMP_PREFIX, atomic_write, private_dir};
use crate::model::{ChannelDocument, DocumentError, parse::check_version};

/// What a draft knows besides its document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftMeta {
    pub id: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// The wizard step last shown (1–4).
    #[serde(default = "first_step")]
    pub step: u8,
    /// Dotted path of the field last focused.
    #[serde(default)]
    pub field: Option<String>,
    /// Where the caret stood in that field's text: the characters (code
    /// points) before it, a message's line breaks counted as one each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caret: Option<usize>,
    /// Set when the draft edits an existing channel.
    #[serde(default)]
    pub channel_id: Option<String>,
    /// The channel version the edit is based on.
    #[serde(default)]
    pub channel_version: Option<u64>,
    /// Keep the APP Secret in the file (off by default).
    #[serde(default)]
    pub remember_secrets: bool,
    /// The Idempotency-Key of the create this draft was submitted with,
    /// saved before the request is sent so that a retry after a crash or a
    /// lost answer reuses it and never makes a second channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// The channel as the backend had it at `channel_version` (no secrets):
    /// what an edit is compared with before it is sent, and the common
    /// ancestor of the three-way merge when the channel changed meanwhile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<ChannelDocument>,
}

fn first_step() -> u8 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub meta: DraftMeta,
    pub document: ChannelDocument,
}

impl Draft {
    /// A new draft (not yet saved) holding `document`.
    pub fn new(document: ChannelDocument) -> Self {
        let now = Utc::now();
        let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        Self {
            meta: DraftMeta {
                id,
                created: now,
                updated: now,
                step: 1,
                field: None,
                caret: None,
                channel_id: None,
                channel_version: None,
                remember_secrets: false,
                idempotency_key: None,
                base: None,
            },
            document,
        }
    }

    /// A draft that edits `channel` (at its current version).
    pub fn editing(id: &str, version: u64, document: &ChannelDocument) -> Self {
        let mut draft = Draft::new(document.without_secrets());
        draft.meta.channel_id = Some(id.to_string());
        draft.meta.channel_version = Some(version);
        draft.meta.base = Some(document.normalized().without_secrets());
        draft
    }

    /// The backend confirmed a submit of this draft as `version` of channel
    /// `id` holding `document`: the draft (if it is kept) now edits that
    /// version, the create's key forgotten and the APP Secret dropped (the
    /// backend holds it) unless the draft remembers secrets.
    pub fn confirmed(&mut self, id: &str, version: u64, document: &ChannelDocument) {
        self.meta.channel_id = Some(id.to_string());
        self.meta.channel_version = Some(version);
        self.meta.idempotency_key = None;
        self.meta.base = Some(document.normalized().without_secrets());
        if !self.meta.remember_secrets {
            self.document.channel_info.app_secret = None;
        }
    }

    /// The channel's name as the edit started from it (the draft's own name
    /// when it has no base).
    pub fn base_name(&self) -> &str {
        self.meta.base.as_ref().map_or(&self.document.basic.channel_name, |b| &b.basic.channel_name)
    }

    /// Give the draft an Idempotency-Key for its create, unless it already
    /// holds one (a create sent before whose answer never came) or edits a
    /// channel (an update needs none). Returns whether a key was minted: the
    /// caller must then save the draft before the create is sent, so every
    /// retry, even after a crash, reuses the key and one channel is made.
    pub fn ensure_idempotency_key(&mut self) -> bool {
        if self.meta.channel_id.is_some() || self.meta.idempotency_key.is_some() {
            return false;
        }
        self.meta.idempotency_key = Some(uuid::Uuid::new_v4().to_string());
        true
    }
}

/// The draft's document as a file a user can keep or import (`chanwiz
/// drafts import FILE`): pretty JSON; the APP Secret only when the draft
/// remembers secrets, as in the draft's own file.
pub fn document_bytes(draft: &Draft) -> Vec<u8> {
    let document = if draft.meta.remember_secrets { draft.document.clone() } else { draft.document.without_secrets() };
    let mut bytes = serde_json::to_vec_pretty(&document).expect("a document always serialises");
    bytes.push(b'\n');
    bytes
}

/// The file's layout on disk.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftFile {
    draft: DraftMeta,
    document: ChannelDocument,
}

#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("no draft '{0}': `chanwiz drafts list` shows the ids (a unique prefix of 4 or more characters will do)")]
    NotFound(String),
    #[error("'{0}' matches several drafts: give more of the id")]
    Ambiguous(String),
    #[error("draft {id} was written by a newer chanwiz ({source}); it is left untouched")]
    TooNew { id: String, source: DocumentError },
    #[error("draft file {} is unreadable ({reason}); moved aside to {}", file.display(), moved_to.display())]
    Corrupt { file: PathBuf, moved_to: PathBuf, reason: String },
    #[error("draft file {} is skipped: {reason}; it is left as it is", file.display())]
    Skipped { file: PathBuf, reason: String },
    #[error("draft {id} is open in another chanwiz{}; quit it there first", pid.map(|p| format!(" (process {p})")).unwrap_or_default())]
    InUse { id: String, pid: Option<u32> },
    #[error("draft store {}: {source}", dir.display())]
    Io { dir: PathBuf, source: io::Error },
}

impl DraftError {
    /// A draft that is not there is a refusal; one that cannot be read, or
    /// the store itself, is unreadable.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        use crate::error_kind::ErrorKind;
        match self {
            DraftError::NotFound(_) | DraftError::Ambiguous(_) | DraftError::InUse { .. } => ErrorKind::Refused,
            DraftError::Io { .. }
            | DraftError::Corrupt { .. }
            | DraftError::TooNew { .. }
            | DraftError::Skipped { .. } => ErrorKind::Unreadable,
        }
    }
}

/// A draft file that could not be loaded, and what was done about it.
#[derive(Debug)]
pub struct Problem(pub DraftError);

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Every draft that loaded, and a message for every file that did not.
#[derive(Debug, Default)]
pub struct Listing {
    pub drafts: Vec<Draft>,
    pub problems: Vec<Problem>,
}

/// How old a leftover temporary file must be before it is cleaned up: a
/// younger one may be another process's save in progress.
const STALE_TEMP_SECS: u64 = 600;

/// The largest draft file read: a draft of every field at its longest is a
/// few kilobytes; anything far larger is not one of ours.
pub const DRAFT_FILE_MAX: u64 = 4 * 1024 * 1024;

/// Why a file of the drafts folder is not read.
#[derive(Debug)]
pub(crate) enum Unread {
    Missing,
    /// Not a regular file (a FIFO, a device, a socket, a directory, a link
    /// to one of them): never opened for reading.
    Skip(String),
    Io(io::Error),
}

/// The bytes of the regular file `path` holds, at most `max` of them. A
/// FIFO or a device is never read: the file is opened without blocking
/// (`O_NONBLOCK`, so a FIFO without a writer does not wait) and checked on
/// the open handle before a byte is read.
pub(crate) fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, Unread> {
    use std::io::Read;
    let file = open_regular(path)?;
    let meta = file.metadata().map_err(Unread::Io)?;
    if meta.len() > max {
        return Err(Unread::Skip(format!("it is {} bytes long: a draft file is at most {max}", meta.len())));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(Unread::Io)?;
    if bytes.len() as u64 > max {
        return Err(Unread::Skip(format!("it grew past {max} bytes while read: a draft file is at most {max}")));
    }
    Ok(bytes)
}

/// `path` opened for reading without blocking, if it is a regular file.
pub(crate) fn open_regular(path: &Path) -> Result<fs::File, Unread> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file = match fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Unread::Missing),
        Err(e) => return Err(Unread::Io(e)),
    };
    let meta = file.metadata().map_err(Unread::Io)?;
    let t = meta.file_type();
    if !t.is_file() {
        let what = if t.is_fifo() {
            "a FIFO"
        } else if t.is_char_device() || t.is_block_device() {
            "a device"
        } else if t.is_socket() {
            "a socket"
        } else if t.is_dir() {
            "a directory"
        } else {
            "not a file"
        };
        return Err(Unread::Skip(format!("it is {what}, not a regular file")));
    }
    Ok(file)
}

pub struct DraftStore {
    dir: PathBuf,
    claims: claim::Claims,
}

impl Drop for DraftStore {
    /// The claims end with the store: their lock files go too.
    fn drop(&mut self) {
        self.release_all_but(None);
    }
}

impl DraftStore {
    /// Open (creating, mode 0700) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, DraftError> {
        private_dir(dir).map_err(|source| DraftError::Io { dir: dir.to_path_buf(), source })?;
        Ok(Self { dir: dir.to_path_buf(), claims: claim::Claims::default() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn io(&self, source: io::Error) -> DraftError {
        DraftError::Io { dir: self.dir.clone(), source }
    }

    fn file_of(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Save `draft` atomically, stamping its `updated` time, and update the
    /// index. The APP Secret is written only when the draft remembers secrets.
    /// Refused ([`DraftError::InUse`]) while another process has the draft
    /// open: one writer per draft.
    pub fn save(&self, draft: &mut Draft) -> Result<(), DraftError> {
        let id = draft.meta.id.clone();
        let entry = self.claimed(&id, || self.write_file(draft))?;
        self.update_index(entry.into_iter().collect(), &[]);
        Ok(())
    }

    /// Write the draft's file; the index entry of what was written.
    fn write_file(&self, draft: &mut Draft) -> Result<Option<index::Entry>, DraftError> {
        if !is_id(&draft.meta.id) {
            return Err(DraftError::NotFound(draft.meta.id.clone()));
        }
        draft.meta.updated = Utc::now();
        let document =
            if draft.meta.remember_secrets { draft.document.clone() } else { draft.document.without_secrets() };
        let file = DraftFile { draft: draft.meta.clone(), document };
        let mut bytes = serde_json::to_vec_pretty(&file).expect("a draft always serialises");
        bytes.push(b'\n');
        let path = self.file_of(&draft.meta.id);
        atomic_write(&path, &bytes).map_err(|e| self.io(e))?;
        Ok(self.entry_of(&file.draft, &file.document, &path))
    }

    /// Store `document` as a new draft.
    pub fn create(&self, document: ChannelDocument, remember_secrets: bool) -> Result<Draft, DraftError> {
        let mut draft = Draft::new(document);
        draft.meta.remember_secrets = remember_secrets;
        self.save(&mut draft)?;
        Ok(draft)
    }

    /// Store each document as a new draft, updating the index once at the
    /// end. The drafts made, and the error that stopped the rest (if any).
    pub fn create_all(
        &self,
        documents: impl IntoIterator<Item = ChannelDocument>,
        remember_secrets: bool,
    ) -> (Vec<Draft>, Result<(), DraftError>) {
        let (mut made, mut entries) = (Vec::new(), Vec::new());
        let mut result = Ok(());
        for document in documents {
            let mut draft = Draft::new(document);
            draft.meta.remember_secrets = remember_secrets;
            match self.write_file(&mut draft) {
                Ok(entry) => {
                    entries.extend(entry);
                    made.push(draft);
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.update_index(entries, &[]);
        (made, result)
    }

    /// Load one draft by its id. A corrupt file is moved aside.
    pub fn load(&self, id: &str) -> Result<Draft, DraftError> {
        if !is_id(id) {
            return Err(DraftError::NotFound(id.to_string()));
        }
        let file = self.file_of(id);
        match read_regular(&file, DRAFT_FILE_MAX) {
            Err(Unread::Missing) => Err(DraftError::NotFound(id.to_string())),
            Err(Unread::Skip(reason)) => Err(DraftError::Skipped { file, reason }),
            Err(Unread::Io(e)) => Err(self.move_aside(&file, e.to_string())),
            Ok(bytes) => self.decode(id, &file, &bytes),
        }
    }

    fn decode(&self, id: &str, file: &Path, bytes: &[u8]) -> Result<Draft, DraftError> {
        let value: serde_json::Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => return Err(self.move_aside(file, e.to_string())),
        };
        if let Some(doc) = value.get("document")
            && let Err(source @ DocumentError::TooNew { .. }) = check_version(doc)
        {
            return Err(DraftError::TooNew { id: id.to_string(), source });
        }
        match serde_json::from_value::<DraftFile>(value) {
            Ok(f) if f.draft.id == id => Ok(Draft { meta: f.draft, document: f.document }),
            Ok(f) => Err(self.move_aside(file, format!("it holds draft id '{}'", f.draft.id))),
            Err(e) => Err(self.move_aside(file, e.to_string())),
        }
    }

    /// Rename an unreadable draft file to `<name>.corrupt-<timestamp>` so that
    /// it no longer gets in the way but nothing is lost.
    fn move_aside(&self, file: &Path, reason: String) -> DraftError {
        let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let mut to = PathBuf::from(format!("{}.corrupt-{stamp}", file.display()));
        let mut n = 1;
        while to.exists() {
            to = PathBuf::from(format!("{}.corrupt-{stamp}-{n}", file.display()));
            n += 1;
        }
        match fs::rename(file, &to) {
            Ok(()) => {
                tracing::warn!(file = %file.display(), to = %to.display(), %reason, "draft moved aside");
                DraftError::Corrupt { file: file.to_path_buf(), moved_to: to, reason }
            }
            Err(e) => self.io(io::Error::new(
                e.kind(),
                format!("{} is unreadable ({reason}) and could not be moved aside: {e}", file.display()),
            )),
        }
    }

    /// Every draft, most recently updated first. Unreadable files are moved
    /// aside and reported; they never keep the others from loading.
    pub fn list(&self) -> Result<Listing, DraftError> {
        let mut listing = Listing::default();
        listing.problems = self.visit(|d| listing.drafts.push(d))?;
        listing.drafts.sort_by(|a, b| b.meta.updated.cmp(&a.meta.updated).then_with(|| a.meta.id.cmp(&b.meta.id)));
        Ok(listing)
    }

    /// The draft files of the store (id and directory entry), in directory
    /// order; leftover temporary files older than a save can take are
    /// removed on the way.
    pub(super) fn draft_files(&self) -> Result<Vec<(String, fs::DirEntry)>, DraftError> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| self.io(e))? {
            let Ok(entry) = entry else { continue };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(TEMP_PREFIX) {
                remove_if_stale(&entry.path());
                continue;
            }
            if let Some(id) = name.strip_suffix(".json").filter(|id| is_id(id)) {
                out.push((id.to_string(), entry));
            }
        }
        Ok(out)
    }

    /// Load every draft in turn and hand it to `f`, one at a time (a caller
    /// that keeps only a summary never holds them all). Returns what could
    /// not be loaded; unreadable files are moved aside.
    pub fn visit(&self, mut f: impl FnMut(Draft)) -> Result<Vec<Problem>, DraftError> {
        let mut problems = Vec::new();
        for (id, _) in self.draft_files()? {
            match self.load(&id) {
                Ok(d) => f(d),
                Err(DraftError::NotFound(_)) => {} // removed meanwhile
                Err(e) => problems.push(Problem(e)),
            }
        }
        Ok(problems)
    }

    /// The id of the one draft whose id is or starts with `key` (at least 4
    /// characters of it).
    pub fn resolve(&self, key: &str) -> Result<String, DraftError> {
        if is_id(key) && self.file_of(key).exists() {
            return Ok(key.to_string());
        }
        if key.len() < 4 || !key.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(DraftError::NotFound(key.to_string()));
        }
        let mut found = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| self.io(e))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".json")
                && is_id(id)
                && id.starts_with(key)
            {
                found.push(id.to_string());
            }
        }
        match found.len() {
            0 => Err(DraftError::NotFound(key.to_string())),
            1 => Ok(found.remove(0)),
            _ => Err(DraftError::Ambiguous(key.to_string())),
        }
    }

    /// Refused ([`DraftError::InUse`]) while another process has the draft
    /// open.
    pub fn remove(&self, id: &str) -> Result<(), DraftError> {
        if !is_id(id) {
            return Err(DraftError::NotFound(id.to_string()));
        }
        self.claimed(id, || self.remove_file(id))
    }

    fn remove_file(&self, id: &str) -> Result<(), DraftError> {
        match fs::remove_file(self.file_of(id)) {
            Ok(()) => {
                self.update_index(Vec::new(), &[id]);
                fs::File::open(&self.dir).and_then(|d| d.sync_all()).map_err(|e| self.io(e))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(DraftError::NotFound(id.to_string())),
            Err(e) => Err(self.io(e)),
        }
    }
}

/// Draft ids are 12 lowercase hex digits: nothing that could name another file.
pub fn is_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn remove_if_stale(path: &Path) {
    let stale = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > STALE_TEMP_SECS);
    if stale {
        let _ = fs::remove_file(path);
    }
}
