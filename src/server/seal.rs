//! Secrets at rest: the APP Secret, the bot token and the webhook secrets
//! (current and staged) are stored sealed with ChaCha20-Poly1305 (ring's
//! AEAD), never in clear, so the database file alone reveals none of them.
//!
//! The key is 32 random bytes, base64, in a key file: `<db>.key` beside the
//! database (made on first start, mode 0600), or the file `--key-file` /
//! `CHANWIZ_SERVER_KEY_FILE` names. A sealed value is
//! `cw1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`; the key id is the
//! first 8 hex digits of the key's SHA-256, and the additional data binds
//! the value to its channel and column, so a sealed value copied to another
//! row does not open.
//!
//! On start, values still in clear (databases written before sealing, rows
//! added behind the server's back) and values sealed with another known key
//! are sealed again with the current key, in place; `secure_delete` makes
//! SQLite overwrite what they replace. `chanwiz serve rekey` seals every
//! value with a new key: the new key is written to `<key>.new` first, the
//! database re-sealed in one transaction, then the files renamed; a start
//! after a crash at any point finds every key it needs among `<key>`,
//! `<key>.new` and `<key>.old`.

use std::path::{Path, PathBuf};

use base64::Engine;
use rand::Rng;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

const PREFIX: &str = "cw1:";
/// The sealed columns of `channels`.
pub const COLUMNS: [&str; 5] =
    ["app_secret", "bot_token", "webhook_secret", "next_webhook_secret", "previous_bot_token"];

/// One key and its id.
struct Key {
    id: String,
    key: LessSafeKey,
}

impl Key {
    fn from_bytes(bytes: &[u8; 32]) -> Self {
        let id = hex::encode(&Sha256::digest(bytes)[..4]);
        let key = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, bytes).expect("a 32-byte key"));
        Self { id, key }
    }
}

/// The current key (sealing) and any others still found (opening only).
pub struct KeyRing {
    current: Key,
    others: Vec<Key>,
    /// Where the current key is kept.
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("key file {path}: {detail}")]
    KeyFile { path: String, detail: String },
    #[error(
        "the secrets in {db} are sealed with a key that is not at {key}: restore that key file, or pass --key-file with the right one"
    )]
    MissingKey { db: String, key: String },
    #[error(
        "a stored secret of channel {channel} ({column}) cannot be opened with the key files at hand: if the key file was replaced, run `chanwiz serve rekey --from-key PREVIOUS_KEY_FILE` (with the server stopped) to seal it with the current key"
    )]
    CannotOpen { channel: String, column: String },
    #[error(
        "a server is running on {db}{}: stop it first (a rekey under a running server would leave it sealing with a key that is gone); nothing was changed",
        if pids.is_empty() { String::new() } else { format!(" (process {})", pids.join(", ")) }
    )]
    Serving { db: String, pids: Vec<String> },
    #[error("lock file {path}: {detail}")]
    Lock { path: String, detail: String },
    #[error("`chanwiz serve rekey` is running on {db}: start the server once it has finished")]
    Rekeying { db: String },
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
}

/// The default key file of a database: `<db>.key`.
pub fn default_key_path(db: &Path) -> PathBuf {
    super::db::beside(db, ".key")
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    super::db::beside(path, suffix)
}

fn read_key(path: &Path) -> Result<Option<Key>, SealError> {
    let bad = |detail: String| SealError::KeyFile { path: path.display().to_string(), detail };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(e.to_string())),
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| bad("is not a key: it must hold 32 bytes as base64".into()))?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| bad("is not a key: it must hold 32 bytes as base64".into()))?;
    Ok(Some(Key::from_bytes(&bytes)))
}

fn new_key_text() -> ([u8; 32], String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let text = format!("{}\n", base64::engine::general_purpose::STANDARD.encode(bytes));
    (bytes, text)
}

fn write_key(path: &Path, text: &str) -> Result<(), SealError> {
    crate::fsutil::atomic_write(path, text.as_bytes())
        .map_err(|e| SealError::KeyFile { path: path.display().to_string(), detail: e.to_string() })
}

/// Whether the database holds any sealed value.
fn has_sealed(conn: &Connection) -> rusqlite::Result<bool> {
    let any = COLUMNS.iter().map(|c| format!("{c} LIKE 'cw1:%'")).collect::<Vec<_>>().join(" OR ");
    conn.query_row(&format!("SELECT EXISTS (SELECT 1 FROM channels WHERE {any})"), [], |r| r.get(0))
}

impl KeyRing {
    /// The keys for the database `db`: the key file at `key_file` (default
    /// `<db>.key`) and its leftovers from an interrupted rekey. Without a
    /// key file, a new key is made, unless the database already holds
    /// sealed values (then its key is missing: refused).
    pub fn load(conn: &Connection, db: &Path, key_file: Option<&Path>) -> Result<Self, SealError> {
        let path = key_file.map(Path::to_path_buf).unwrap_or_else(|| default_key_path(db));
        // a rekey stopped between its two renames: its new key is the key
        let new = sibling(&path, ".new");
        if !path.exists() && new.exists() {
            std::fs::rename(&new, &path)
                .map_err(|e| SealError::KeyFile { path: path.display().to_string(), detail: e.to_string() })?;
        }
        let current = match read_key(&path)? {
            Some(k) => k,
            None if key_file.is_some() => {
                return Err(SealError::KeyFile { path: path.display().to_string(), detail: "does not exist".into() });
            }
            None if has_sealed(conn)? => {
                return Err(SealError::MissingKey { db: db.display().to_string(), key: path.display().to_string() });
            }
            None => {
                // made once: a process starting at the same moment on the
                // same database uses the key the first one made
                let (bytes, text) = new_key_text();
                let made = crate::fsutil::create_new_atomic(&path, text.as_bytes())
                    .map_err(|e| SealError::KeyFile { path: path.display().to_string(), detail: e.to_string() })?;
                if made {
                    Key::from_bytes(&bytes)
                } else {
                    read_key(&path)?.ok_or_else(|| SealError::KeyFile {
                        path: path.display().to_string(),
                        detail: "vanished while it was being read".into(),
                    })?
                }
            }
        };
        let mut others = Vec::new();
        for leftover in [sibling(&path, ".new"), sibling(&path, ".old")] {
            if let Some(k) = read_key(&leftover)?
                && k.id != current.id
            {
                others.push(k);
            }
        }
        Ok(Self { current, others, path })
    }

    /// Seal `plain` for `channel`'s `column`.
    pub fn seal(&self, channel: &str, column: &str, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut data = plain.as_bytes().to_vec();
        self.current
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(channel, column).as_bytes()),
                &mut data,
            )
            .expect("sealing a short value");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        format!("{PREFIX}{}:{}", self.current.id, base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out))
    }

    /// Open a stored value of `channel`'s `column`. A value without the
    /// sealed prefix is taken as written before sealing (clear) until the
    /// next start seals it.
    pub fn open(&self, channel: &str, column: &str, stored: &str) -> Result<String, SealError> {
        let cannot = || SealError::CannotOpen { channel: channel.to_string(), column: column.to_string() };
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let (id, b64) = rest.split_once(':').ok_or_else(cannot)?;
        let key = std::iter::once(&self.current).chain(&self.others).find(|k| k.id == id).ok_or_else(cannot)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b64).map_err(|_| cannot())?;
        if bytes.len() < NONCE_LEN {
            return Err(cannot());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let mut data = sealed.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| cannot())?;
        let plain = key
            .key
            .open_in_place(nonce, Aad::from(aad(channel, column).as_bytes()), &mut data)
            .map_err(|_| cannot())?;
        String::from_utf8(plain.to_vec()).map_err(|_| cannot())
    }

    fn is_current(&self, stored: &str) -> bool {
        stored.strip_prefix(PREFIX).and_then(|r| r.split_once(':')).is_some_and(|(id, _)| id == self.current.id)
    }

    /// Seal, in one transaction, every value not sealed with the current
    /// key (in clear, or under another key); how many were sealed.
    pub fn seal_all(&self, conn: &mut Connection) -> Result<usize, SealError> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut done = 0;
        for column in COLUMNS {
            let rows: Vec<(String, String)> = {
                let mut st = tx.prepare(&format!(
                    "SELECT id, {column} FROM channels WHERE {column} IS NOT NULL AND {column} NOT LIKE ?1"
                ))?;
                st.query_map([format!("{PREFIX}{}:%", self.current.id)], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()?
            };
            let mut update = tx.prepare(&format!("UPDATE channels SET {column} = ?2 WHERE id = ?1"))?;
            for (id, stored) in rows {
                if self.is_current(&stored) {
                    continue;
                }
                let plain = self.open(&id, column, &stored)?;
                update.execute(params![id, self.seal(&id, column, &plain)])?;
                done += 1;
            }
        }
        tx.commit()?;
        if done > 0 {
            // into the database file now: the pages the clear values were on
            // are overwritten there, and the log holding them emptied
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(done)
    }
}

/// Held by every server on a database for as long as it serves it: a
/// shared `flock` on `<db>.serving` (the local backend runs one server per
/// wizard process, all on the same file). `serve rekey` takes it
/// exclusively, so a rekey never runs under a server that would go on
/// sealing with the replaced key, and no server starts during a rekey.
pub struct ServingLock(#[allow(dead_code)] std::fs::File);

impl ServingLock {
    fn file(db: &Path) -> Result<std::fs::File, SealError> {
        let path = super::db::beside(db, ".serving");
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            // a lock needs no write: on a read-only filesystem the file made
            // by an earlier start is locked as it is
            .or_else(|e| match e.raw_os_error() {
                Some(libc::EROFS) => std::fs::File::open(&path),
                _ => Err(e),
            })
            .map_err(|e| lock_error(db, e))
    }

    /// The lock a server holds while it serves `db`.
    pub fn serve(db: &Path) -> Result<Self, SealError> {
        let file = Self::file(db)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(Self(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(SealError::Rekeying { db: db.display().to_string() }),
            Err(std::fs::TryLockError::Error(e)) => Err(lock_error(db, e)),
        }
    }

    /// The lock a rekey holds: refused while any server serves `db`.
    fn rekey(db: &Path) -> Result<Self, SealError> {
        let file = Self::file(db)?;
        match file.try_lock() {
            Ok(()) => Ok(Self(file)),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(SealError::Serving { db: db.display().to_string(), pids: holders(&file) })
            }
            Err(std::fs::TryLockError::Error(e)) => Err(lock_error(db, e)),
        }
    }
}

fn lock_error(db: &Path, e: std::io::Error) -> SealError {
    SealError::Lock { path: super::db::beside(db, ".serving").display().to_string(), detail: e.to_string() }
}

/// The processes holding a `flock` on `file`, from `/proc/locks` (Linux;
/// none known elsewhere).
fn holders(file: &std::fs::File) -> Vec<String> {
    use std::os::unix::fs::MetadataExt;
    let Ok(inode) = file.metadata().map(|m| m.ino().to_string()) else { return Vec::new() };
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    let mut pids: Vec<String> = locks
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // "1: FLOCK  ADVISORY  READ 1234 fd:01:5678 0 EOF"
            let (kind, pid, dev) = (f.get(1)?, f.get(4)?, f.get(5)?);
            (*kind == "FLOCK" && dev.rsplit(':').next() == Some(inode.as_str())).then(|| pid.to_string())
        })
        .collect();
    pids.sort();
    pids.dedup();
    pids
}

/// `channel:<id>:<column>`: what a sealed value is bound to.
fn aad(channel: &str, column: &str) -> String {
    format!("channel:{channel}:{column}")
}

/// Seal every value of the database with a new key and make it the key
/// file's. Run with no server on the database. Returns how many values were
/// sealed again.
/// `from_key` is a previous key file: values still sealed with it (a key
/// file replaced by another) are opened with it and sealed again.
pub fn rekey(db: &Path, key_file: Option<&Path>, from_key: Option<&Path>) -> Result<usize, SealError> {
    if !db.is_file() {
        return Err(SealError::KeyFile {
            path: db.display().to_string(),
            detail: "the database does not exist".into(),
        });
    }
    let _alone = ServingLock::rekey(db)?;
    let mut conn = super::db::open(db)?;
    let mut old = KeyRing::load(&conn, db, key_file)?;
    if let Some(from) = from_key {
        let key = read_key(from)?
            .ok_or_else(|| SealError::KeyFile { path: from.display().to_string(), detail: "does not exist".into() })?;
        old.others.push(key);
    }
    // first everything under the current key, so no leftover key is needed
    old.seal_all(&mut conn)?;
    let (bytes, text) = new_key_text();
    let new_path = sibling(&old.path, ".new");
    write_key(&new_path, &text)?;
    let mut others = old.others;
    others.push(old.current);
    let ring = KeyRing { current: Key::from_bytes(&bytes), others, path: old.path.clone() };
    let n = ring.seal_all(&mut conn)?;
    // the database opens with the new key only now: swap the files
    let old_path = sibling(&ring.path, ".old");
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |e: std::io::Error| SealError::KeyFile { path: p, detail: e.to_string() }
    };
    std::fs::rename(&ring.path, &old_path).map_err(io(&ring.path))?;
    std::fs::rename(&new_path, &ring.path).map_err(io(&new_path))?;
    std::fs::remove_file(&old_path).map_err(io(&old_path))?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (tempfile::TempDir, PathBuf, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let conn = super::super::db::open(&path).unwrap();
        conn.execute("INSERT INTO tenants (id, name, created) VALUES (1, 't', 'x')", []).unwrap();
        (dir, path, conn)
    }

    #[test]
    fn a_sealed_value_opens_only_for_its_channel_and_column() {
        let (_dir, path, conn) = db();
        let ring = KeyRing::load(&conn, &path, None).unwrap();
        let sealed = ring.seal("c1", "app_secret", "Top-Secret");
        assert!(sealed.starts_with("cw1:") && !sealed.contains("Top-Secret"));
        assert_ne!(sealed, ring.seal("c1", "app_secret", "Top-Secret"), "a nonce per seal");
        assert_eq!(ring.open("c1", "app_secret", &sealed).unwrap(), "Top-Secret");
        assert!(ring.open("c2", "app_secret", &sealed).is_err());
        assert!(ring.open("c1", "bot_token", &sealed).is_err());
        assert_eq!(ring.open("c1", "app_secret", "legacy-clear").unwrap(), "legacy-clear");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(default_key_path(&path)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn clear_values_are_sealed_in_place_and_a_rekey_keeps_them_readable() {
        let (_dir, path, mut conn) = db();
        conn.execute(
            "INSERT INTO channels (id, tenant_id, name, channel_type, version, created, updated, document, app_secret, webhook_secret) \
             VALUES ('c1', 1, 'n', 'telegram', 1, 'x', 'x', '{}', 'clear-app-secret', 'clear-webhook-secret')",
            [],
        )
        .unwrap();
        let ring = KeyRing::load(&conn, &path, None).unwrap();
        assert_eq!(ring.seal_all(&mut conn).unwrap(), 2);
        assert_eq!(ring.seal_all(&mut conn).unwrap(), 0);
        let stored: String = conn.query_row("SELECT webhook_secret FROM channels", [], |r| r.get(0)).unwrap();
        assert_eq!(ring.open("c1", "webhook_secret", &stored).unwrap(), "clear-webhook-secret");
        drop(conn);

        let key_before = std::fs::read_to_string(default_key_path(&path)).unwrap();
        assert_eq!(rekey(&path, None, None).unwrap(), 2);
        assert_ne!(std::fs::read_to_string(default_key_path(&path)).unwrap(), key_before);
        let conn = super::super::db::open(&path).unwrap();
        let ring = KeyRing::load(&conn, &path, None).unwrap();
        let stored: String = conn.query_row("SELECT app_secret FROM channels", [], |r| r.get(0)).unwrap();
        assert_eq!(ring.open("c1", "app_secret", &stored).unwrap(), "clear-app-secret");
        assert!(!sibling(&ring.path, ".new").exists() && !sibling(&ring.path, ".old").exists());

        // without its key the database is refused, not given a new key
        std::fs::remove_file(default_key_path(&path)).unwrap();
        let err = KeyRing::load(&conn, &path, None).err().unwrap().to_string();
        assert!(err.contains("sealed with a key") && err.contains("s.db.key"), "{err}");
        assert!(!default_key_path(&path).exists());
    }

    #[test]
    fn no_server_starts_during_a_rekey_and_servers_share_the_database() {
        let (_dir, path, _conn) = db();
        let a = ServingLock::serve(&path).unwrap();
        let _b = ServingLock::serve(&path).unwrap(); // the local backend: one server per wizard
        assert!(matches!(ServingLock::rekey(&path), Err(SealError::Serving { .. })));
        drop((a, _b));
        let r = ServingLock::rekey(&path).unwrap();
        assert!(matches!(ServingLock::serve(&path), Err(SealError::Rekeying { .. })));
        drop(r);
        ServingLock::serve(&path).unwrap();
    }
}
