//! Where chanwiz keeps its files. `CHANWIZ_HOME` replaces the per-user
//! directories with one root (for tests and for several profiles).

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Drafts and the embedded backend's database.
    pub data: PathBuf,
    /// config.toml-like settings (backend URL, token file).
    pub config: PathBuf,
    /// The cached catalogue and other things that may be thrown away.
    pub cache: PathBuf,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot find a home directory for chanwiz's files: set CHANWIZ_HOME to a directory")]
pub struct NoHome;

impl Paths {
    /// From `CHANWIZ_HOME` when set, else the platform's user directories.
    pub fn from_env() -> Result<Self, NoHome> {
        match std::env::var_os("CHANWIZ_HOME").filter(|v| !v.is_empty()) {
            Some(root) => Ok(Self::under(Path::new(&root))),
            None => {
                let dirs = directories::ProjectDirs::from("", "", "chanwiz").ok_or(NoHome)?;
                Ok(Self {
                    data: dirs.data_dir().to_path_buf(),
                    config: dirs.config_dir().to_path_buf(),
                    cache: dirs.cache_dir().to_path_buf(),
                })
            }
        }
    }

    /// Everything below one root directory.
    pub fn under(root: &Path) -> Self {
        Self { data: root.join("data"), config: root.join("config"), cache: root.join("cache") }
    }

    pub fn drafts(&self) -> PathBuf {
        self.data.join("drafts")
    }

    pub fn log_file(&self) -> PathBuf {
        self.data.join("chanwiz.log")
    }
}
