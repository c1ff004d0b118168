//! The catalogue (OUs, skill queues, certificates, chatbots, assistants,
//! channel names) cached on disk, one file per backend, so that the wizard can
//! offer choices while the backend is unreachable. The cache knows when it
//! was fetched.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::Catalogue;
use crate::fsutil::{atomic_write, private_dir};

#[derive(Serialize, Deserialize)]
struct CacheFile {
    backend: String,
    fetched: DateTime<Utc>,
    catalogue: Catalogue,
}

/// A catalogue and when it was fetched from the backend.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedCatalogue {
    pub catalogue: Catalogue,
    pub fetched: DateTime<Utc>,
}

impl CachedCatalogue {
    /// Time since the fetch (zero if the clock went back).
    pub fn age(&self) -> chrono::TimeDelta {
        (Utc::now() - self.fetched).max(chrono::TimeDelta::zero())
    }
}

/// The cache of one backend's catalogue.
#[derive(Debug, Clone)]
pub struct CatalogueCache {
    file: PathBuf,
    backend: String,
}

impl CatalogueCache {
    /// The cache for `backend` in the cache directory `dir`.
    pub fn new(dir: &Path, backend: &str) -> Self {
        let digest = Sha256::digest(backend.as_bytes());
        let file = dir.join(format!("catalogue-{}.json", &hex::encode(digest)[..16]));
        Self { file, backend: backend.to_string() }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The cached catalogue, if there is a readable one for this backend.
    pub fn load(&self) -> Option<CachedCatalogue> {
        let bytes = std::fs::read(&self.file).ok()?;
        match serde_json::from_slice::<CacheFile>(&bytes) {
            Ok(f) if f.backend == self.backend => Some(CachedCatalogue { catalogue: f.catalogue, fetched: f.fetched }),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(file = %self.file.display(), error = %e, "catalogue cache unreadable; ignored");
                None
            }
        }
    }

    /// Store `catalogue` as fetched at `fetched` (atomic write).
    pub fn store(&self, catalogue: &Catalogue, fetched: DateTime<Utc>) -> std::io::Result<()> {
        if let Some(dir) = self.file.parent() {
            private_dir(dir)?;
        }
        let file = CacheFile { backend: self.backend.clone(), fetched, catalogue: catalogue.clone() };
        let bytes = serde_json::to_vec(&file).expect("catalogue serialises");
        atomic_write(&self.file, &bytes)
    }
}

/// An age in words: "just now", "5 minutes", "3 hours", "2 days".
pub fn describe_age(age: chrono::TimeDelta) -> String {
    let s = age.num_seconds().max(0);
    let (n, unit) = match s {
        0..60 => return "just now".into(),
        60..3600 => (s / 60, "minute"),
        3600..86400 => (s / 3600, "hour"),
        _ => (s / 86400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Ou;

    #[test]
    fn a_stored_catalogue_comes_back_with_its_fetch_time_for_its_backend_only() {
        let dir = tempfile::tempdir().unwrap();
        let a = CatalogueCache::new(dir.path(), "https://10.0.0.1:8443/");
        let b = CatalogueCache::new(dir.path(), "https://10.0.0.2:8443/");
        assert_eq!(a.load(), None);
        let cat = Catalogue {
            ous: vec![Ou { id: "ou1".into(), name: "Sales".into(), parent: None }],
            ..Catalogue::default()
        };
        let fetched = Utc::now() - chrono::TimeDelta::hours(3);
        a.store(&cat, fetched).unwrap();
        let got = a.load().unwrap();
        assert_eq!(got.catalogue, cat);
        assert_eq!(got.fetched, fetched);
        assert_eq!(got.age().num_hours(), 3);
        assert_eq!(b.load(), None);
        std::fs::write(a.file(), b"{broken").unwrap();
        assert_eq!(a.load(), None);
    }

    #[test]
    fn ages_read_naturally() {
        let d = chrono::TimeDelta::seconds;
        assert_eq!(describe_age(d(5)), "just now");
        assert_eq!(describe_age(d(60)), "1 minute ago");
        assert_eq!(describe_age(d(3 * 3600 + 5)), "3 hours ago");
        assert_eq!(describe_age(d(2 * 86400)), "2 days ago");
        assert_eq!(describe_age(d(-50)), "just now");
    }
}
