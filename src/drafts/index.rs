//! The drafts index: one small file (`index.jsonl` beside the drafts) with
//! what a list shows of each draft (id, name, step, times, error count), so
//! that listing drafts never reads and validates every draft file. It is
//! JSON Lines, newest draft first, after a header line: the first screenful
//! of a list is read from its first lines ([`DraftStore::first_rows`]),
//! however many drafts there are.
//!
//! It is a cache, never the truth: every save and remove through the store
//! updates it (atomically), and [`DraftStore::rows`] checks it against the
//! directory (each file's modification time and size): a file that is not
//! in the index, differs from what the index saw, or was written too close
//! to the index to tell (within [`RACY_SECS`]) is read again; an entry
//! whose file is gone is dropped. A missing or unreadable index is rebuilt
//! from the files.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Draft, DraftError, DraftMeta, DraftStore, Problem};
use crate::fsutil::atomic_write;
use crate::model::{ChannelDocument, Mode};

pub const INDEX_FILE: &str = "index.jsonl";
const VERSION: u32 = 2;
/// A draft file modified this close to the index's own write may have
/// changed within the same timestamp tick: it is read again.
const RACY_SECS: u64 = 2;
/// The largest index read (a few hundred bytes a draft): past it, rebuilt.
const INDEX_FILE_MAX: u64 = 256 * 1024 * 1024;

/// One draft as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub id: String,
    /// The channel name (empty while unnamed).
    pub name: String,
    /// The wizard step last shown (1–4).
    pub step: u8,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// Set when the draft edits an existing channel.
    pub channel_id: Option<String>,
    /// How many rules the draft breaks (0: valid), the catalogue's aside.
    pub errors: usize,
    /// What the draft names from the catalogue, to check once one is known.
    pub refs: crate::model::Refs,
}

impl Row {
    /// The row of a draft, validated as `chanwiz submit` would (an edit of a
    /// stored channel may leave the APP Secret out).
    pub fn of(d: &Draft) -> Self {
        Self::of_parts(&d.meta, &d.document)
    }

    fn of_parts(meta: &DraftMeta, document: &ChannelDocument) -> Self {
        let mode = if meta.channel_id.is_some() { Mode::Update } else { Mode::Create };
        Self {
            id: meta.id.clone(),
            name: document.basic.channel_name.clone(),
            step: meta.step,
            created: meta.created,
            updated: meta.updated,
            channel_id: meta.channel_id.clone(),
            errors: crate::model::validate(document, mode).len(),
            refs: crate::model::Refs::of(document),
        }
    }
}

/// A row and the state of its file when the row was made.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Entry {
    row: Row,
    /// Modification time, nanoseconds since the epoch.
    mtime: u64,
    len: u64,
}

/// The index's first line.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    version: u32,
    drafts: usize,
}

fn nanos(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

fn stamp(meta: &fs::Metadata) -> (u64, u64) {
    (meta.modified().map_or(0, nanos), meta.len())
}

/// Newest first, then by id.
fn sort(rows: &mut [Row]) {
    rows.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
}

impl DraftStore {
    pub(super) fn index_file(&self) -> PathBuf {
        self.dir.join(INDEX_FILE)
    }

    /// The index's entries and when it was written; `None` when it is
    /// missing or unreadable.
    fn read_index(&self) -> Option<(Vec<Entry>, u64)> {
        let file = self.index_file();
        let bytes = super::read_regular(&file, INDEX_FILE_MAX).ok()?;
        let written = fs::metadata(&file).ok()?.modified().map_or(0, nanos);
        let parsed = (|| -> Result<Vec<Entry>, String> {
            let mut lines = bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty());
            let header: Header = serde_json::from_slice(lines.next().ok_or("empty")?).map_err(|e| e.to_string())?;
            if header.version != VERSION {
                return Err(format!("version {}", header.version));
            }
            let entries: Vec<Entry> =
                lines.map(|l| serde_json::from_slice(l).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
            if entries.len() != header.drafts {
                return Err(format!("{} entries where the header says {}", entries.len(), header.drafts));
            }
            Ok(entries)
        })();
        match parsed {
            Ok(entries) => Some((entries, written)),
            Err(e) => {
                tracing::warn!(file = %file.display(), error = %e, "drafts index unreadable; rebuilt");
                None
            }
        }
    }

    /// The first `n` rows of the index as it was last written (newest
    /// first), without looking at the draft files: enough to draw the first
    /// screenful at once. `None` when there is no readable index.
    pub fn first_rows(&self, n: usize) -> Option<Vec<Row>> {
        use std::io::{BufRead, Read};
        let reader = std::io::BufReader::new(super::open_regular(&self.index_file()).ok()?.take(INDEX_FILE_MAX));
        let mut lines = reader.split(b'\n');
        let header: Header = serde_json::from_slice(&lines.next()?.ok()?).ok()?;
        if header.version != VERSION {
            return None;
        }
        let mut rows = Vec::with_capacity(n.min(header.drafts));
        for line in lines.take(n) {
            let entry: Entry = serde_json::from_slice(&line.ok()?).ok()?;
            rows.push(entry.row);
        }
        Some(rows)
    }

    fn write_index(&self, mut entries: Vec<Entry>) {
        entries.sort_by(|a, b| b.row.updated.cmp(&a.row.updated).then_with(|| a.row.id.cmp(&b.row.id)));
        let header = Header { version: VERSION, drafts: entries.len() };
        let mut bytes = serde_json::to_vec(&header).expect("the index serialises");
        bytes.push(b'\n');
        for e in &entries {
            bytes.extend(serde_json::to_vec(e).expect("the index serialises"));
            bytes.push(b'\n');
        }
        if let Err(e) = atomic_write(&self.index_file(), &bytes) {
            // only a cache: the next listing reads the files
            tracing::warn!(dir = %self.dir.display(), error = %e, "drafts index not written");
        }
    }

    /// The entry of a draft just written to `file` (its stored form).
    pub(super) fn entry_of(&self, meta: &DraftMeta, stored: &ChannelDocument, file: &Path) -> Option<Entry> {
        let (mtime, len) = stamp(&fs::metadata(file).ok()?);
        Some(Entry { row: Row::of_parts(meta, stored), mtime, len })
    }

    /// Put `entries` in the index (replacing those of the same ids) and drop
    /// the ids in `removed`. A missing index is left missing: the next
    /// listing builds it whole.
    pub(super) fn update_index(&self, entries: Vec<Entry>, removed: &[&str]) {
        let Some((mut all, _)) = self.read_index() else { return };
        let ids: std::collections::HashSet<&str> =
            entries.iter().map(|e| e.row.id.as_str()).chain(removed.iter().copied()).collect();
        all.retain(|e| !ids.contains(e.row.id.as_str()));
        all.extend(entries);
        self.write_index(all);
    }

    /// Every draft's row, most recently updated first, from the index as far
    /// as it is still true; files it does not know (or that changed since)
    /// are read, and the index is brought up to date. Unreadable files are
    /// moved aside and reported, as by [`DraftStore::list`].
    pub fn rows(&self) -> Result<(Vec<Row>, Vec<Problem>), DraftError> {
        let index = self.read_index();
        let rebuild = index.is_none();
        let (old, written) = index.unwrap_or_default();
        let mut known: HashMap<String, Entry> = old.into_iter().map(|e| (e.row.id.clone(), e)).collect();
        let racy_after = written.saturating_sub(Duration::from_secs(RACY_SECS).as_nanos() as u64);
        let mut entries = Vec::with_capacity(known.len());
        let mut problems = Vec::new();
        let mut changed = rebuild;
        for (id, entry) in self.draft_files()? {
            let Ok(meta) = entry.metadata() else { continue };
            let (mtime, len) = stamp(&meta);
            match known.remove(&id) {
                Some(e) if e.mtime == mtime && e.len == len && mtime < racy_after => entries.push(e),
                _ => {
                    changed = true;
                    match self.load(&id) {
                        Ok(d) => entries.push(Entry { row: Row::of(&d), mtime, len }),
                        Err(DraftError::NotFound(_)) => {} // removed meanwhile
                        Err(e) => problems.push(Problem(e)),
                    }
                }
            }
        }
        changed |= !known.is_empty();
        let mut rows: Vec<Row> = entries.iter().map(|e| e.row.clone()).collect();
        if changed {
            self.write_index(entries);
        }
        sort(&mut rows);
        Ok((rows, problems))
    }
}
