//! Crash-safe file writes: a reader sees the old file or the new one, never
//! a mixture, whatever moment the writer is killed at.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Prefix of the temporary files [`atomic_write`] leaves behind when killed.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Create `dir` (and its missing parents) private to the user: mode 0700.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let perms = fs::metadata(dir)?.permissions();
    if perms.mode() & 0o777 != 0o700 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Replace `path` with `bytes` atomically: write a temporary file beside it
/// (mode 0600), fsync it, rename it over `path`, fsync the directory.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    with_temp(path, bytes, |tmp, dir| {
        fs::rename(tmp, path)?;
        File::open(dir)?.sync_all()
    })
}

/// Write `bytes` to a new private temporary file beside `path` (fsynced),
/// hand it to `finish` with the directory, and remove what is left of it.
fn with_temp<T>(path: &Path, bytes: &[u8], finish: impl FnOnce(&Path, &Path) -> io::Result<T>) -> io::Result<T> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let tmp = dir.join(format!("{TEMP_PREFIX}{}-{}", name.to_string_lossy(), uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        finish(&tmp, dir)
    })();
    // gone after a rename; a leftover after a hard link or a failure
    let _ = fs::remove_file(&tmp);
    result
}

/// Create `path` holding `bytes`, whole or not at all, unless it exists:
/// true when this call made it, false when it was there (never replaced —
/// two processes racing to create it agree on one file).
pub fn create_new_atomic(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    with_temp(path, bytes, |tmp, dir| {
        // a hard link is refused when the name is taken: nothing is replaced
        let made = match fs::hard_link(tmp, path) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
            Err(e) => return Err(e),
        };
        File::open(dir)?.sync_all()?;
        Ok(made)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_whole_files_with_private_modes() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        private_dir(&dir).unwrap();
        assert_eq!(fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        let file = dir.join("x.json");
        atomic_write(&file, b"first").unwrap();
        atomic_write(&file, b"second").unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"second");
        assert_eq!(fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        // nothing else is left in the directory
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
    }

    #[test]
    fn create_new_never_replaces() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("k");
        assert!(create_new_atomic(&file, b"first").unwrap());
        assert!(!create_new_atomic(&file, b"second").unwrap());
        assert_eq!(fs::read(&file).unwrap(), b"first");
        assert_eq!(fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1, "no temporary file left");
    }
}
