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

/// Pages of the channel list cached on disk, one file per backend, so that
/// the Channels screen shows what it saw last while the backend is
/// unreachable (marked cached, with the age). At most [`PAGES_KEPT`] pages
/// are kept, the most recently fetched.
#[derive(Debug, Clone)]
pub struct ChannelPageCache {
    file: PathBuf,
    backend: String,
}

/// Everything cached of one backend: its catalogue and the channel pages
/// seen last.
#[derive(Debug, Clone)]
pub struct Caches {
    pub catalogue: CatalogueCache,
    pub pages: ChannelPageCache,
}

impl Caches {
    pub fn new(dir: &Path, backend: &str) -> Self {
        Self { catalogue: CatalogueCache::new(dir, backend), pages: ChannelPageCache::new(dir, backend) }
    }
}

/// Pages a [`ChannelPageCache`] keeps.
pub const PAGES_KEPT: usize = 20;

#[derive(Serialize, Deserialize, Default)]
struct PagesFile {
    backend: String,
    pages: Vec<CachedPage>,
}

#[derive(Serialize, Deserialize, Clone)]
struct CachedPage {
    key: String,
    fetched: DateTime<Utc>,
    page: crate::api::Page<crate::api::ChannelSummary>,
}

fn page_key(q: &crate::api::ChannelQuery) -> String {
    format!(
        "{}|{}|{}|{}",
        q.sort.unwrap_or_default().as_str(),
        q.name.as_deref().unwrap_or(""),
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(0)
    )
}

impl ChannelPageCache {
    pub fn new(dir: &Path, backend: &str) -> Self {
        let digest = Sha256::digest(backend.as_bytes());
        let file = dir.join(format!("channels-{}.json", &hex::encode(digest)[..16]));
        Self { file, backend: backend.to_string() }
    }

    fn read(&self) -> PagesFile {
        std::fs::read(&self.file)
            .ok()
            .and_then(|b| serde_json::from_slice::<PagesFile>(&b).ok())
            .filter(|f| f.backend == self.backend)
            .unwrap_or_else(|| PagesFile { backend: self.backend.clone(), pages: Vec::new() })
    }

    /// The page `query` asked for when it was last fetched, and when.
    pub fn load(
        &self,
        query: &crate::api::ChannelQuery,
    ) -> Option<(crate::api::Page<crate::api::ChannelSummary>, DateTime<Utc>)> {
        let key = page_key(query);
        self.read().pages.into_iter().find(|p| p.key == key).map(|p| (p.page, p.fetched))
    }

    /// Keep `page` as the answer to `query` (atomic write; the oldest pages
    /// beyond [`PAGES_KEPT`] are dropped).
    pub fn store(
        &self,
        query: &crate::api::ChannelQuery,
        page: &crate::api::Page<crate::api::ChannelSummary>,
        fetched: DateTime<Utc>,
    ) -> std::io::Result<()> {
        if let Some(dir) = self.file.parent() {
            private_dir(dir)?;
        }
        let key = page_key(query);
        let mut file = self.read();
        file.pages.retain(|p| p.key != key);
        file.pages.insert(0, CachedPage { key, fetched, page: page.clone() });
        file.pages.truncate(PAGES_KEPT);
        atomic_write(&self.file, &serde_json::to_vec(&file).expect("pages serialise"))
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
    fn channel_pages_come_back_for_their_query_and_backend_and_only_the_newest_are_kept() {
        use crate::api::{ChannelQuery, ChannelSummary, Page};
        let dir = tempfile::tempdir().unwrap();
        let cache = ChannelPageCache::new(dir.path(), "embedded");
        let q = |page| ChannelQuery { page: Some(page), per_page: Some(100), ..Default::default() };
        let row = ChannelSummary { id: "c1".into(), name: "Sales".into(), ..Default::default() };
        let page = Page { items: vec![row], page: 1, per_page: 100, total: 1 };
        assert!(cache.load(&q(1)).is_none());
        let when = Utc::now() - chrono::TimeDelta::minutes(3);
        cache.store(&q(1), &page, when).unwrap();
        assert_eq!(cache.load(&q(1)), Some((page.clone(), when)));
        assert!(cache.load(&q(2)).is_none(), "another page");
        assert!(ChannelPageCache::new(dir.path(), "https://10.0.0.9:8443").load(&q(1)).is_none());
        for n in 2..=(PAGES_KEPT as u32 + 1) {
            cache.store(&q(n), &page, Utc::now()).unwrap();
        }
        assert!(cache.load(&q(1)).is_none(), "the oldest page went");
        assert!(cache.load(&q(2)).is_some());
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
