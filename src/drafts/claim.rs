//! One writer per draft across processes. A wizard (full-screen or
//! accessible) that opens a draft claims it: an exclusive `flock` on
//! `<id>.lock` beside the draft, with the claiming process id written in
//! it, held until the wizard leaves the draft. Every save and removal
//! checks the claim, so a second chanwiz can neither open the draft nor
//! overwrite or delete it: it is told which process has it, and nothing is
//! changed. The lock dies with its process (a crash or `kill -9` leaves no
//! stale claim); a lock file left behind is reused by the next claimer.
//!
//! The standard library's `File::try_lock` is used: no crate is needed.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::Mutex;

use super::{DraftError, DraftStore};

/// The claims this process holds, by draft id.
#[derive(Default)]
pub(super) struct Claims {
    held: Mutex<HashMap<String, fs::File>>,
}

impl DraftStore {
    fn lock_file(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.lock"))
    }

    /// Claim the draft `id` for this process (again: nothing happens).
    /// [`DraftError::InUse`] when another process holds it.
    pub fn claim(&self, id: &str) -> Result<(), DraftError> {
        if !super::is_id(id) {
            return Err(DraftError::NotFound(id.to_string()));
        }
        let mut held = self.claims.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.contains_key(id) {
            return Ok(());
        }
        let path = self.lock_file(id);
        loop {
            // held open read-only: a file open for writing would stop the
            // filesystem from being remounted read-only under us
            let file = match fs::File::open(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    fs::OpenOptions::new()
                        .write(true)
                        .create(true)
                        .truncate(false)
                        .mode(0o600)
                        .open(&path)
                        .map_err(|e| self.io(e))?;
                    continue;
                }
                other => other.map_err(|e| self.io(e))?,
            };
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let pid = fs::read_to_string(&path).ok().and_then(|s| s.trim().parse().ok());
                    return Err(DraftError::InUse { id: id.to_string(), pid });
                }
                Err(fs::TryLockError::Error(e)) => return Err(self.io(e)),
            }
            // its last holder may have removed the file between our open
            // and our lock: then the lock is on a file nobody else finds
            let same = match (fs::metadata(&path), file.metadata()) {
                (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                _ => false,
            };
            if !same {
                continue;
            }
            // the process id is only for the message: a full disk must not
            // stop the claim
            let _ = fs::write(&path, std::process::id().to_string());
            held.insert(id.to_string(), file);
            return Ok(());
        }
    }

    /// Load the draft `id` to edit it, claimed for this process until
    /// released: [`DraftError::InUse`] while another process has it open.
    /// A claim the disk cannot record (read-only, full) does not stop the
    /// opening: the draft is shown, and its saves say why they fail.
    pub fn open_for_edit(&self, id: &str) -> Result<super::Draft, DraftError> {
        match self.claim(id) {
            Ok(()) | Err(DraftError::Io { .. }) => {}
            Err(e) => return Err(e),
        }
        self.load(id).inspect_err(|_| self.release(id))
    }

    /// Save `draft` for the wizard editing it: the claim is taken (if it
    /// was not) and kept, so a new draft is claimed from its first save. A
    /// claim the disk cannot record leaves the save to say why it fails.
    pub fn save_held(&self, draft: &mut super::Draft) -> Result<(), DraftError> {
        match self.claim(&draft.meta.id) {
            Ok(()) | Err(DraftError::Io { .. }) => self.save(draft),
            Err(e) => Err(e),
        }
    }

    /// Whether this process holds the claim on `id`.
    pub fn holds(&self, id: &str) -> bool {
        self.claims.held.lock().unwrap_or_else(|e| e.into_inner()).contains_key(id)
    }

    /// Give the claim on `id` up (if held).
    pub fn release(&self, id: &str) {
        // the table stays locked until the file is unlocked: a claim of this
        // store meanwhile (another thread: the save worker deleting the
        // draft) would otherwise find the lock file still locked by us and
        // take its own draft for another process's
        let mut held = self.claims.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(file) = held.remove(id) {
            // removed while still locked, so no one can lock it meanwhile
            let _ = fs::remove_file(self.lock_file(id));
            drop(file);
        }
        drop(held);
    }

    /// Give up every claim but the one on `keep`: the wizard left them.
    pub fn release_all_but(&self, keep: Option<&str>) {
        let ids: Vec<String> = {
            let held = self.claims.held.lock().unwrap_or_else(|e| e.into_inner());
            if held.is_empty() || (held.len() == 1 && keep.is_some_and(|k| held.contains_key(k))) {
                return;
            }
            held.keys().filter(|id| Some(id.as_str()) != keep).cloned().collect()
        };
        for id in ids {
            self.release(&id);
        }
    }

    /// Run `f` with `id` claimed: held on if it was held, given up after
    /// otherwise (a one-off save or removal by the CLI).
    pub(super) fn claimed<T>(&self, id: &str, f: impl FnOnce() -> Result<T, DraftError>) -> Result<T, DraftError> {
        if self.holds(id) {
            return f();
        }
        self.claim(id)?;
        let out = f();
        self.release(id);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChannelDocument;

    #[test]
    fn a_claim_shuts_out_other_openers_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (DraftStore::open(dir.path()).unwrap(), DraftStore::open(dir.path()).unwrap());
        let mut d = a.create(ChannelDocument::default(), false).unwrap();
        a.claim(&d.meta.id).unwrap();
        a.claim(&d.meta.id).unwrap(); // again: fine
        // another opener (a file description of its own, as another process)
        match b.claim(&d.meta.id) {
            Err(DraftError::InUse { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("{other:?}"),
        }
        assert!(matches!(b.save(&mut d.clone()), Err(DraftError::InUse { .. })));
        assert!(matches!(b.remove(&d.meta.id), Err(DraftError::InUse { .. })));
        a.save(&mut d).unwrap();
        a.release_all_but(None);
        assert!(!a.lock_file(&d.meta.id).exists(), "no lock file left behind");
        b.claim(&d.meta.id).unwrap();
        b.save(&mut d).unwrap();
        b.release(&d.meta.id);

        // a new draft is claimed from its first save by the wizard typing it
        let mut fresh = super::super::Draft::new(ChannelDocument::default());
        a.save_held(&mut fresh).unwrap();
        assert!(matches!(b.open_for_edit(&fresh.meta.id), Err(DraftError::InUse { .. })));
        drop(a);
        b.open_for_edit(&fresh.meta.id).unwrap();
    }
}
