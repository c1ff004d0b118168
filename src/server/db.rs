//! The server's SQLite database: schema, connection setup and the small
//! queries several rooms share. WAL and a busy timeout let `chanwiz tenant
//! add` write while a server runs on the same file. Handlers reach the
//! connection through [`Db::call`], which runs on the blocking pool.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::errors::{ApiErr, ApiResult};
use crate::api::Channel;
use crate::model::ChannelDocument;

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 8;

const SCHEMA: &str = r#"
CREATE TABLE tenants (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    demo    INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL
);
CREATE TABLE tokens (
    hash      TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    label     TEXT NOT NULL,
    created   TEXT NOT NULL
);
CREATE TABLE ous (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id        TEXT NOT NULL,
    name      TEXT NOT NULL,
    parent    TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE skill_queues (
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    -- '*' for every channel type, else a comma-separated list ('telegram,whatsapp')
    channel_types TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE certificates (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id        TEXT NOT NULL,
    name      TEXT NOT NULL,
    role      TEXT NOT NULL,
    subject   TEXT NOT NULL,
    not_after TEXT NOT NULL,
    der       BLOB NOT NULL,
    created   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE chatbots (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id        TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE assistants (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id        TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE channels (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    channel_type   TEXT NOT NULL,
    version        INTEGER NOT NULL,
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL,
    -- the normalized document without its secrets
    document       TEXT NOT NULL,
    app_secret     TEXT,
    bot_token      TEXT,
    webhook_secret TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE TABLE idempotency (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE TABLE updates (
    seq        INTEGER PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    update_id  INTEGER,
    received   TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX updates_by_channel ON updates (channel_id, seq);
-- Telegram re-sends an update whose answer it did not get: keep it once.
CREATE UNIQUE INDEX updates_once ON updates (channel_id, update_id) WHERE update_id IS NOT NULL;
CREATE TABLE exports (
    id        TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status    TEXT NOT NULL,
    done      INTEGER NOT NULL DEFAULT 0,
    total     INTEGER NOT NULL,
    files     INTEGER NOT NULL DEFAULT 0,
    created   TEXT NOT NULL,
    finished  TEXT,
    error     TEXT,
    -- 1: every channel of the tenant; 0: the ids in export_items
    all_channels INTEGER NOT NULL
);
CREATE TABLE export_items (
    task_id    TEXT NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL,
    PRIMARY KEY (task_id, channel_id)
);
"#;

/// Version 2: a webhook secret staged by a rotation, accepted beside the
/// current one until it is committed, dropped or expires.
const MIGRATE_2: &str = r#"
ALTER TABLE channels ADD COLUMN next_webhook_secret TEXT;
ALTER TABLE channels ADD COLUMN next_webhook_secret_until TEXT;
"#;

/// Version 3: an idempotency row keeps only what a replay needs (the
/// request's hash, the status, the channel's id), and its expiry is indexed
/// for the periodic sweep.
/// Safe to run again on a file that has it already.
fn migrate_3(conn: &Connection) -> rusqlite::Result<()> {
    let has_column: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('idempotency') WHERE name = 'channel_id'",
        [],
        |r| r.get(0),
    )?;
    if !has_column {
        conn.execute_batch("ALTER TABLE idempotency ADD COLUMN channel_id TEXT;")?;
    }
    conn.execute_batch(
        "UPDATE idempotency SET channel_id = json_extract(body, '$.id'), body = '' WHERE channel_id IS NULL; \
         CREATE INDEX IF NOT EXISTS idempotency_by_created ON idempotency (created);",
    )
}

/// Version 4: each tenant's channel count, kept by triggers, so a list
/// page does not count the whole table. Safe to run again.
const MIGRATE_4: &str = r#"
CREATE TABLE IF NOT EXISTS channel_counts (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    n         INTEGER NOT NULL
);
INSERT OR REPLACE INTO channel_counts (tenant_id, n) SELECT tenant_id, count(*) FROM channels GROUP BY tenant_id;
CREATE TRIGGER IF NOT EXISTS channels_counted_in AFTER INSERT ON channels BEGIN
    INSERT INTO channel_counts (tenant_id, n) VALUES (NEW.tenant_id, 1)
        ON CONFLICT (tenant_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS channels_counted_out AFTER DELETE ON channels BEGIN
    UPDATE channel_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id;
END;
"#;

/// Version 5: channel lists sorted by last update (`sort=updated`) read an
/// index instead of sorting the tenant's channels.
const MIGRATE_5: &str = "CREATE INDEX IF NOT EXISTS channels_tenant_updated ON channels (tenant_id, updated DESC, id);";

/// Version 6: the Channel Integration page remembers. The public webhook
/// address (not a secret); the bot bound to the channel (its id, the part of
/// the token before `:`, and its username: one bot, one channel); the bot a
/// rotation moved away from, with its old token (sealed), until its webhook
/// is deleted; when the token was last stored and a delivery last accepted;
/// the last `getWebhookInfo` answer with its time and verdict; and the
/// refused deliveries, per channel and (for unknown channel ids, which name
/// no tenant) for the whole backend.
/// Safe to run again on a file that has it already.
fn migrate_6(conn: &Connection) -> rusqlite::Result<()> {
    for (column, kind) in [
        ("public_address", "TEXT"),
        ("bot_id", "INTEGER"),
        ("bot_username", "TEXT"),
        ("previous_bot_token", "TEXT"),
        ("previous_bot_id", "INTEGER"),
        ("previous_bot_username", "TEXT"),
        ("registered", "TEXT"),
        ("last_delivery", "TEXT"),
        ("webhook_info", "TEXT"),
        ("webhook_checked", "TEXT"),
        ("webhook_status", "TEXT"),
    ] {
        add_channel_column(conn, column, kind)?;
    }
    conn.execute_batch(MIGRATE_6)
}

const MIGRATE_6: &str = r#"
CREATE INDEX IF NOT EXISTS channels_by_bot ON channels (tenant_id, bot_id) WHERE bot_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS delivery_refusals (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    reason     TEXT NOT NULL,
    count      INTEGER NOT NULL,
    last       TEXT NOT NULL,
    PRIMARY KEY (channel_id, reason)
);
CREATE TABLE IF NOT EXISTS unknown_channel_deliveries (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    count INTEGER NOT NULL,
    last  TEXT NOT NULL
);
"#;

/// Add `column` to the channels table unless it is there (a migration run
/// again on a file that has it changes nothing).
fn add_channel_column(conn: &Connection, column: &str, kind: &str) -> rusqlite::Result<()> {
    let has: bool =
        conn.query_row("SELECT count(*) > 0 FROM pragma_table_info('channels') WHERE name = ?1", [column], |r| {
            r.get(0)
        })?;
    if !has {
        conn.execute_batch(&format!("ALTER TABLE channels ADD COLUMN {column} {kind};"))?;
    }
    Ok(())
}

/// Version 7: the live delivery test. How many deliveries were accepted
/// for the channel, and a sample of the latest one only (sender's first
/// name, shortened text, times: [`crate::api::DeliverySample`] as JSON).
/// Safe to run again on a file that has it already.
fn migrate_7(conn: &Connection) -> rusqlite::Result<()> {
    for (column, kind) in [("delivery_count", "INTEGER NOT NULL DEFAULT 0"), ("delivery_sample", "TEXT")] {
        add_channel_column(conn, column, kind)?;
    }
    Ok(())
}

/// Version 8: stored updates are bounded in bytes, per channel and per
/// tenant. Each update keeps its size (the bytes Telegram sent); triggers
/// keep each channel's and each tenant's total, so a delivery reads two
/// numbers instead of summing rows. Safe to run again.
fn migrate_8(conn: &Connection) -> rusqlite::Result<()> {
    let has = |table: &str, column: &str| -> rusqlite::Result<bool> {
        conn.query_row(
            &format!("SELECT count(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"),
            [column],
            |r| r.get(0),
        )
    };
    if !has("updates", "size")? {
        conn.execute_batch("ALTER TABLE updates ADD COLUMN size INTEGER NOT NULL DEFAULT 0;")?;
    }
    add_channel_column(conn, "updates_bytes", "INTEGER NOT NULL DEFAULT 0")?;
    if !has("tenants", "updates_bytes")? {
        conn.execute_batch("ALTER TABLE tenants ADD COLUMN updates_bytes INTEGER NOT NULL DEFAULT 0;")?;
    }
    conn.execute_batch(MIGRATE_8)
}

const MIGRATE_8: &str = r#"
UPDATE updates SET size = length(CAST(body AS BLOB)) WHERE size = 0;
UPDATE channels SET updates_bytes = (SELECT coalesce(sum(size), 0) FROM updates WHERE channel_id = channels.id);
UPDATE tenants SET updates_bytes = (SELECT coalesce(sum(updates_bytes), 0) FROM channels WHERE tenant_id = tenants.id);
CREATE TRIGGER IF NOT EXISTS updates_bytes_in AFTER INSERT ON updates BEGIN
    UPDATE channels SET updates_bytes = updates_bytes + NEW.size WHERE id = NEW.channel_id;
    UPDATE tenants SET updates_bytes = updates_bytes + NEW.size
        WHERE id = (SELECT tenant_id FROM channels WHERE id = NEW.channel_id);
END;
CREATE TRIGGER IF NOT EXISTS updates_bytes_out AFTER DELETE ON updates BEGIN
    UPDATE channels SET updates_bytes = updates_bytes - OLD.size WHERE id = OLD.channel_id;
    UPDATE tenants SET updates_bytes = updates_bytes - OLD.size
        WHERE id = (SELECT tenant_id FROM channels WHERE id = OLD.channel_id);
END;
-- a deleted channel's updates go with it (their triggers no longer find it)
CREATE TRIGGER IF NOT EXISTS channel_updates_bytes_out BEFORE DELETE ON channels BEGIN
    UPDATE tenants SET updates_bytes = updates_bytes - OLD.updates_bytes WHERE id = OLD.tenant_id;
END;
"#;

/// Create the folder of the database file (it holds secrets): mode 0700
/// for folders made here; an existing folder is left as it is.
pub fn create_parent(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => std::fs::DirBuilder::new().recursive(true).mode(0o700).create(parent),
        None => Ok(()),
    }
}

/// Pages written to the WAL before it is checkpointed into the database.
const WAL_CHECKPOINT_PAGES: i64 = 256;
/// The size the WAL is cut back to after a checkpoint.
const WAL_LIMIT_BYTES: i64 = 1024 * 1024;
/// The most the WAL holds between checkpoints, with one large transaction
/// over the checkpoint size (4 KiB pages): what the tests check.
pub const WAL_BOUND_BYTES: u64 = 2 * 1024 * 1024;

/// Open (creating if needed) the database file, set it up for concurrent
/// use and bring its schema up to date.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    restrict_mode(path);
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: each commit is synced to disk before it is answered, so a
    // confirmed write survives a power loss or an OS crash too, not only a
    // crash of the process (NORMAL under WAL may lose the last commits
    // then). Group commit (Db::write) makes that one sync per batch.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // what a write replaces (a secret sealed again, a deleted channel) is
    // overwritten, not left in free pages
    conn.pragma_update(None, "secure_delete", "ON")?;
    // the WAL is checkpointed every WAL_CHECKPOINT_PAGES pages and cut back
    // to WAL_LIMIT_BYTES after, so it stays near a megabyte beside any
    // database (a reader holding an old snapshot can delay that, never
    // lose data)
    conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)?;
    conn.pragma_update(None, "journal_size_limit", WAL_LIMIT_BYTES)?;
    migrate(&conn)?;
    Ok(conn)
}

/// The database holds secrets: readable by its owner only.
fn restrict_mode(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version >= SCHEMA_VERSION {
        return Ok(());
    }
    // Two processes may open a new file at once: the write lock decides.
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let result = (|| {
        if version < 1 {
            conn.execute_batch(SCHEMA)?;
        }
        if version < 2 {
            conn.execute_batch(MIGRATE_2)?;
        }
        if version < 3 {
            migrate_3(conn)?;
        }
        if version < 4 {
            conn.execute_batch(MIGRATE_4)?;
        }
        if version < 5 {
            conn.execute_batch(MIGRATE_5)?;
        }
        if version < 6 {
            migrate_6(conn)?;
        }
        if version < 7 {
            migrate_7(conn)?;
        }
        if version < 8 {
            migrate_8(conn)?;
        }
        if version < SCHEMA_VERSION {
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Read connections of a running server, beside its one writer.
pub const READERS: usize = 4;

/// Readers one tenant may hold at once.
pub const TENANT_READERS: usize = READERS / 2;

/// The connections of a running server: one writer, through which every
/// write goes one at a time, and a pool of [`READERS`] read-only connections
/// that read alongside it (WAL: readers never wait for the writer, nor it
/// for them).
#[derive(Clone)]
pub struct Db {
    writer: Arc<Mutex<Connection>>,
    /// Writes waiting for the next group commit ([`Db::write`]).
    pending: Arc<Mutex<Pending>>,
    readers: Arc<Readers>,
    path: PathBuf,
    /// Why every write is refused ([`Db::read_only`]).
    read_only: Option<Arc<str>>,
}

/// What a job of a group commit does once the commit is done (or failed:
/// the commit's error).
type Finish = Box<dyn FnOnce(Option<&rusqlite::Error>) + Send>;
/// One write of a group commit: run inside the batch's transaction (or told
/// the transaction could not begin), in a savepoint of its own.
type Job = Box<dyn FnOnce(Result<&rusqlite::Transaction<'_>, &rusqlite::Error>) -> Finish + Send>;

#[derive(Default)]
struct Pending {
    jobs: Vec<Job>,
    /// A committer is running: it will take these jobs too.
    committing: bool,
}

/// Held by the running committer: when a job panics, the next write starts
/// another committer (the panicked batch's jobs answer an internal error).
struct Committer(Arc<Mutex<Pending>>);

impl Drop for Committer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).committing = false;
        }
    }
}

/// Writes committed together at most: bounds how long the first waits.
const BATCH_MAX: usize = 64;

/// An error of the batch's transaction as each of its jobs answers it.
fn batch_error(e: &rusqlite::Error) -> ApiErr {
    match e {
        rusqlite::Error::SqliteFailure(f, m) => ApiErr::from(rusqlite::Error::SqliteFailure(*f, m.clone())),
        other => ApiErr::internal(format!("database: {other}")),
    }
}

/// Run `jobs` in one immediate transaction, each in a savepoint (a job that
/// fails leaves no trace, and the others are still committed), then commit
/// once and tell each job how the commit went.
fn run_batch(conn: &mut Connection, jobs: Vec<Job>) {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate);
    match tx {
        Err(e) => {
            for job in jobs {
                job(Err(&e))(Some(&e));
            }
        }
        Ok(tx) => {
            let finishes: Vec<Finish> = jobs.into_iter().map(|job| job(Ok(&tx))).collect();
            match tx.commit() {
                Ok(()) => finishes.into_iter().for_each(|f| f(None)),
                Err(e) => finishes.into_iter().for_each(|f| f(Some(&e))),
            }
        }
    }
}

struct Readers {
    idle: Mutex<Vec<Connection>>,
    free: tokio::sync::Semaphore,
    /// Each tenant's share of the readers, while it has reads running or
    /// waiting (FIFO, as tokio's semaphores are).
    shares: Mutex<HashMap<i64, Arc<tokio::sync::Semaphore>>>,
}

impl Readers {
    fn share(self: &Arc<Self>, tenant: i64) -> Share {
        let semaphore = self
            .shares
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(tenant)
            .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(TENANT_READERS)))
            .clone();
        Share { readers: self.clone(), tenant, semaphore: Some(semaphore) }
    }
}

/// A tenant's share of the readers, taken for one read; forgotten with the
/// tenant's last read.
struct Share {
    readers: Arc<Readers>,
    tenant: i64,
    semaphore: Option<Arc<tokio::sync::Semaphore>>,
}

impl Share {
    async fn acquire(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.semaphore.as_ref()?.acquire().await.ok()
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        drop(self.semaphore.take());
        let mut shares = self.readers.shares.lock().unwrap_or_else(|p| p.into_inner());
        if shares.get(&self.tenant).is_some_and(|s| Arc::strong_count(s) == 1) {
            shares.remove(&self.tenant);
        }
    }
}

/// A reader taken from the pool; back in it when dropped (also when the
/// work panicked).
struct Lease {
    conn: Option<Connection>,
    readers: Arc<Readers>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.readers.idle.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
        }
    }
}

/// A read-only connection to a database [`open`] has set up.
fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    reader(Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

/// A read-only connection to a database that cannot be written now (its
/// disk full, its filesystem read-only). When even its write-ahead index
/// cannot be set up and no write-ahead log is left beside it, the file is
/// read as it is (`immutable`: exact, since no commit waits in a log).
pub fn open_unwritable(path: &Path) -> rusqlite::Result<Connection> {
    let usable = open_reader(path).and_then(|conn| {
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(conn)
    });
    match usable {
        Ok(conn) => Ok(conn),
        Err(_) if !beside(path, "-wal").exists() => {
            let mut uri =
                url::Url::from_file_path(path).map_err(|()| rusqlite::Error::InvalidPath(path.to_path_buf()))?;
            uri.set_query(Some("immutable=1"));
            reader(Connection::open_with_flags(
                uri.as_str(),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | rusqlite::OpenFlags::SQLITE_OPEN_URI,
            )?)
        }
        Err(e) => Err(e),
    }
}

fn reader(conn: Connection) -> rusqlite::Result<Connection> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "query_only", "ON")?;
    Ok(conn)
}

impl Db {
    /// The writer made by [`open`] and [`READERS`] readers on the same file.
    pub fn new(conn: Connection, path: &Path) -> rusqlite::Result<Self> {
        Self::with(conn, open_reader, path, None)
    }

    /// The database at `path`, which cannot be written now (`why`, e.g.
    /// "its disk is full"): reads are served, every write is refused with
    /// 507 saying why, without touching the file.
    pub fn read_only(path: &Path, why: &str) -> rusqlite::Result<Self> {
        Self::with(open_unwritable(path)?, open_unwritable, path, Some(why.into()))
    }

    fn with(
        writer: Connection,
        reader: fn(&Path) -> rusqlite::Result<Connection>,
        path: &Path,
        read_only: Option<Arc<str>>,
    ) -> rusqlite::Result<Self> {
        let readers = (0..READERS).map(|_| reader(path)).collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Self {
            writer: Arc::new(Mutex::new(writer)),
            pending: Arc::new(Mutex::new(Pending::default())),
            readers: Arc::new(Readers {
                idle: Mutex::new(readers),
                free: tokio::sync::Semaphore::new(READERS),
                shares: Mutex::default(),
            }),
            path: path.to_path_buf(),
            read_only,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why every write is refused, when the database cannot be written.
    pub fn read_only_reason(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    fn refuse_writes(&self) -> ApiResult<()> {
        match &self.read_only {
            Some(why) => Err(ApiErr::read_only(why)),
            None => Ok(()),
        }
    }

    /// Run `f` with the writer on the blocking pool. Calls are serialised,
    /// which makes check-then-write sequences atomic within this server;
    /// transactions keep them atomic against other processes.
    pub async fn call<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> ApiResult<T> + Send + 'static,
    {
        self.refuse_writes()?;
        let conn = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| ApiErr::internal(format!("database task: {e}")))?
    }

    /// Run `f` in a write transaction, committed together with the writes
    /// that arrived while the writer was busy (group commit: one commit, and
    /// one WAL write of the pages they share, for many creates). `f` runs in
    /// a savepoint of its own: when it fails, its changes are undone and the
    /// others still commit. Its value is answered only once the commit is
    /// done, so a confirmed write is as durable as one committed alone.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> ApiResult<T> + Send + 'static,
    {
        self.refuse_writes()?;
        let (answer, answered) = tokio::sync::oneshot::channel::<ApiResult<T>>();
        let job: Job = Box::new(move |tx| -> Finish {
            let tx = match tx {
                Ok(tx) => tx,
                Err(e) => {
                    let _ = answer.send(Err(batch_error(e)));
                    return Box::new(|_| {});
                }
            };
            let result = match tx.execute_batch("SAVEPOINT job") {
                Err(e) => Err(ApiErr::from(e)),
                Ok(()) => {
                    let result = f(tx);
                    let end = if result.is_ok() { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
                    match tx.execute_batch(end) {
                        Ok(()) => result,
                        Err(e) => Err(ApiErr::from(e)),
                    }
                }
            };
            Box::new(move |commit: Option<&rusqlite::Error>| {
                let _ = answer.send(match commit {
                    None => result,
                    Some(e) => Err(batch_error(e)),
                });
            })
        });
        let start_committer = {
            let mut queue = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            queue.jobs.push(job);
            !std::mem::replace(&mut queue.committing, true)
        };
        // One committer at a time takes every job waiting, batch after
        // batch, until none is left; a write arriving meanwhile only queues.
        if start_committer {
            let (writer, pending) = (self.writer.clone(), self.pending.clone());
            tokio::task::spawn_blocking(move || {
                let _unwinding = Committer(pending.clone());
                let mut conn = writer.lock().unwrap_or_else(|p| p.into_inner());
                loop {
                    let jobs: Vec<Job> = {
                        let mut queue = pending.lock().unwrap_or_else(|p| p.into_inner());
                        if queue.jobs.is_empty() {
                            queue.committing = false;
                            return;
                        }
                        let n = queue.jobs.len().min(BATCH_MAX);
                        queue.jobs.drain(..n).collect()
                    };
                    run_batch(&mut conn, jobs);
                }
            });
        }
        answered.await.map_err(|_| ApiErr::internal("a write of a group commit was dropped"))?
    }

    /// [`Db::read`] for `tenant`: one tenant holds at most
    /// [`TENANT_READERS`] of the readers at once, so its slow queries leave
    /// the others' reads a reader.
    pub async fn read_as<T, F>(&self, tenant: i64, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> ApiResult<T> + Send + 'static,
    {
        let share = self.readers.share(tenant);
        let _held = share.acquire().await;
        self.read(f).await
    }

    /// Run `f` with a read-only connection on the blocking pool, waiting
    /// (without holding a thread) for one to be free. A write through it
    /// fails.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> ApiResult<T> + Send + 'static,
    {
        let permit =
            self.readers.free.acquire().await.map_err(|e| ApiErr::internal(format!("database readers: {e}")))?;
        let readers = self.readers.clone();
        let result = tokio::task::spawn_blocking(move || {
            let conn = readers.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let lease = Lease { conn, readers };
            match &lease.conn {
                Some(conn) => f(conn),
                None => Err(ApiErr::internal("no free database reader")),
            }
        })
        .await
        .map_err(|e| ApiErr::internal(format!("database task: {e}")));
        drop(permit);
        result?
    }
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_ts(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// A file beside the database: `<db file name><suffix>`.
pub fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    db.with_file_name(name)
}

/// The integration URL of a channel: `{base_url}/apiaccess/telegram/message/{id}`.
pub fn integration_url(base_url: &str, id: &str) -> String {
    let path = crate::api::routes::TELEGRAM_DELIVERY.replace("{channel_id}", id);
    format!("{}{path}", base_url.trim_end_matches('/'))
}

/// A stored channel with what the API never returns.
pub struct StoredChannel {
    pub channel: Channel,
    pub app_secret: Option<String>,
    pub webhook_secret: String,
}

pub const CHANNEL_COLUMNS: &str =
    "id, version, created, updated, document, app_secret IS NOT NULL, bot_token IS NOT NULL";

/// Map a row selected with [`CHANNEL_COLUMNS`].
pub fn channel_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Channel> {
    let id: String = row.get(0)?;
    let version: i64 = row.get(1)?;
    let document_text: String = row.get(4)?;
    let document: ChannelDocument = serde_json::from_str(&document_text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(Channel {
        integration_url: integration_url(&document.channel_info.base_url, &id),
        id,
        version: u64::try_from(version).unwrap_or(0),
        created: parse_ts(&row.get::<_, String>(2)?),
        updated: parse_ts(&row.get::<_, String>(3)?),
        has_app_secret: row.get(5)?,
        has_bot_token: row.get(6)?,
        document,
    })
}

/// A channel of the tenant, or `None`.
pub fn get_channel(conn: &Connection, tenant: i64, id: &str) -> rusqlite::Result<Option<StoredChannel>> {
    conn.prepare_cached(&format!(
        "SELECT {CHANNEL_COLUMNS}, app_secret, webhook_secret FROM channels WHERE tenant_id = ?1 AND id = ?2"
    ))?
    .query_row(params![tenant, id], |row| {
        Ok(StoredChannel { channel: channel_from_row(row)?, app_secret: row.get(7)?, webhook_secret: row.get(8)? })
    })
    .optional()
}

/// Run `f` inside an immediate transaction (the write lock is taken first,
/// so a check-then-insert cannot interleave with another writer).
pub fn write_tx<T>(conn: &mut Connection, f: impl FnOnce(&rusqlite::Transaction<'_>) -> ApiResult<T>) -> ApiResult<T> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let value = f(&tx)?;
    tx.commit()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_write_ahead_log_stays_within_its_bound_however_much_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db");
        let conn = open(&path).unwrap();
        conn.execute_batch("CREATE TABLE scratch (b BLOB)").unwrap();
        let blob = vec![7u8; 8 * 1024];
        // about 5 MB written, one commit at a time, as a busy server does
        for _ in 0..600 {
            conn.execute("INSERT INTO scratch (b) VALUES (?1)", [&blob]).unwrap();
        }
        let wal = std::fs::metadata(beside(&path, "-wal")).map(|m| m.len()).unwrap_or(0);
        assert!(wal <= WAL_BOUND_BYTES, "the WAL is {wal} bytes, over its bound of {WAL_BOUND_BYTES}");
    }

    #[test]
    fn a_version_2_database_keeps_only_the_channel_id_of_its_idempotency_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute_batch(MIGRATE_2).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute("INSERT INTO tenants (id, name, created) VALUES (1, 't', 'x')", []).unwrap();
            conn.execute(
                "INSERT INTO idempotency (tenant_id, key, request_hash, status, body, created) \
                 VALUES (1, 'k', 'h', 201, '{\"id\":\"abc\",\"document\":{\"basic\":{}}}', 'x')",
                [],
            )
            .unwrap();
        }
        let conn = open(&path).unwrap();
        let row: (String, String) =
            conn.query_row("SELECT body, channel_id FROM idempotency", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!(row, (String::new(), "abc".to_string()));
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let plan: String =
            conn.query_row("EXPLAIN QUERY PLAN DELETE FROM idempotency WHERE created < 'y'", [], |r| r.get(3)).unwrap();
        assert!(plan.contains("idempotency_by_created"), "{plan}");
    }

    #[test]
    fn the_sweep_forgets_only_keys_past_their_hours() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("s.db")).unwrap();
        conn.execute("INSERT INTO tenants (id, name, created) VALUES (1, 't', 'x')", []).unwrap();
        let old = ts(now() - chrono::Duration::hours(crate::server::channels::IDEMPOTENCY_HOURS + 1));
        for (key, created) in [("old", old), ("new", ts(now()))] {
            conn.execute(
                "INSERT INTO idempotency (tenant_id, key, request_hash, status, body, channel_id, created) \
                 VALUES (1, ?1, 'h', 201, '', 'c', ?2)",
                params![key, created],
            )
            .unwrap();
        }
        assert_eq!(crate::server::channels::sweep_idempotency(&conn).unwrap(), 1);
        let left: String = conn.query_row("SELECT key FROM idempotency", [], |r| r.get(0)).unwrap();
        assert_eq!(left, "new");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn writes_committed_together_keep_only_those_that_succeeded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let db = Db::new(open(&path).unwrap(), &path).unwrap();
        let writes = (0..40).map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(move |tx| {
                    tx.execute("INSERT INTO tenants (name, created) VALUES (?1, 'x')", [format!("t{i}")])?;
                    if i % 3 == 0 { Err(ApiErr::conflict("refused after its insert")) } else { Ok(i) }
                })
                .await
            })
        });
        let mut answered = Vec::new();
        for w in writes.collect::<Vec<_>>() {
            answered.push(w.await.unwrap().is_ok());
        }
        assert_eq!(answered, (0..40).map(|i| i % 3 != 0).collect::<Vec<_>>());
        let names: Vec<String> = db
            .read(|c| {
                let mut st = c.prepare("SELECT name FROM tenants ORDER BY CAST(substr(name, 2) AS INTEGER)")?;
                Ok(st.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?)
            })
            .await
            .unwrap();
        assert_eq!(names, (0..40).filter(|i| i % 3 != 0).map(|i| format!("t{i}")).collect::<Vec<_>>());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_tenant_holding_slow_reads_leaves_readers_for_another() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.db");
        let db = Db::new(open(&path).unwrap(), &path).unwrap();
        // tenant 1 sends 16 slow reads at once: each holds its reader until released
        let (release, held) = std::sync::mpsc::channel::<()>();
        let held = Arc::new(Mutex::new(held));
        let (started, mut running) = tokio::sync::mpsc::unbounded_channel::<()>();
        let slow: Vec<_> = (0..16)
            .map(|_| {
                let (db, held, started) = (db.clone(), held.clone(), started.clone());
                tokio::spawn(async move {
                    db.read_as(1, move |_| {
                        let _ = started.send(());
                        let _ = held.lock().unwrap().recv();
                        Ok(())
                    })
                    .await
                })
            })
            .collect();
        running.recv().await.unwrap();
        // tenant 2's read is answered while tenant 1's are still running
        let quick = tokio::time::timeout(
            Duration::from_secs(10),
            db.read_as(2, |c| Ok(c.query_row("SELECT count(*) FROM tenants", [], |r| r.get::<_, i64>(0))?)),
        )
        .await;
        // tenant 1 holds its share meanwhile, and no more
        tokio::time::timeout(Duration::from_secs(10), running.recv()).await.unwrap().unwrap();
        let mut at_once = 2;
        while running.try_recv().is_ok() {
            at_once += 1;
        }
        for _ in 0..16 {
            release.send(()).unwrap();
        }
        for s in slow {
            s.await.unwrap().unwrap();
        }
        assert_eq!(quick.expect("tenant 2 waited for tenant 1's reads").unwrap(), 0);
        assert_eq!(at_once, TENANT_READERS, "tenant 1 ran {at_once} reads at once");
    }

    #[tokio::test]
    async fn readers_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let db = Db::new(open(&path).unwrap(), &path).unwrap();
        let err = db.read(|c| Ok(c.execute("INSERT INTO tenants (name, created) VALUES ('x', 'y')", [])?)).await;
        assert!(err.is_err());
        let n = db.read(|c| Ok(c.query_row("SELECT count(*) FROM tenants", [], |r| r.get::<_, i64>(0))?)).await;
        assert_eq!(n.unwrap(), 0);
    }
}

#[cfg(test)]
mod count_tests {
    use super::*;

    #[test]
    fn the_channel_count_follows_inserts_deletes_and_tenant_removal() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("c.db")).unwrap();
        conn.execute_batch("INSERT INTO tenants (id, name, created) VALUES (1, 'a', 'x'), (2, 'b', 'x');").unwrap();
        let insert = |id: &str, t: i64| {
            conn.execute(
                "INSERT INTO channels (id, tenant_id, name, channel_type, version, created, updated, document, webhook_secret) \
                 VALUES (?1, ?2, ?1, 'telegram', 1, 'x', 'x', '{}', 's')",
                params![id, t],
            )
            .unwrap();
        };
        for id in ["c1", "c2", "c3"] {
            insert(id, 1);
        }
        insert("d1", 2);
        conn.execute("DELETE FROM channels WHERE id = 'c2'", []).unwrap();
        let count = |t: i64| -> i64 {
            conn.query_row("SELECT coalesce((SELECT n FROM channel_counts WHERE tenant_id = ?1), 0)", [t], |r| r.get(0))
                .unwrap()
        };
        assert_eq!((count(1), count(2)), (2, 1));
        conn.execute("DELETE FROM tenants WHERE id = 1", []).unwrap();
        assert_eq!((count(1), count(2)), (0, 1));
        // a second run of the migration recounts rather than doubles
        conn.execute_batch(MIGRATE_4).unwrap();
        assert_eq!(count(2), 1);
    }

    #[test]
    fn stored_update_bytes_follow_inserts_deletes_and_channel_removal_and_are_recounted_by_the_migration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u.db");
        let conn = open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO tenants (id, name, created) VALUES (1, 'a', 'x'); \
             INSERT INTO channels (id, tenant_id, name, channel_type, version, created, updated, document, webhook_secret) \
             VALUES ('c1', 1, 'c1', 'telegram', 1, 'x', 'x', '{}', 's'), ('c2', 1, 'c2', 'telegram', 1, 'x', 'x', '{}', 's'); \
             INSERT INTO updates (channel_id, update_id, received, body, size) VALUES \
             ('c1', 1, 'x', '{}', 100), ('c1', 2, 'x', '{}', 20), ('c2', 3, 'x', '{}', 5);",
        )
        .unwrap();
        let bytes = |conn: &Connection| -> (i64, i64, i64) {
            conn.query_row(
                "SELECT (SELECT updates_bytes FROM tenants WHERE id = 1), \
                 coalesce((SELECT updates_bytes FROM channels WHERE id = 'c1'), 0), \
                 (SELECT updates_bytes FROM channels WHERE id = 'c2')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
        };
        assert_eq!(bytes(&conn), (125, 120, 5));
        conn.execute("DELETE FROM updates WHERE update_id = 1", []).unwrap();
        assert_eq!(bytes(&conn), (25, 20, 5));
        conn.execute("DELETE FROM channels WHERE id = 'c1'", []).unwrap();
        assert_eq!(bytes(&conn), (5, 0, 5));
        // a file of version 7 (no sizes kept) gets them counted
        conn.execute_batch(
            "UPDATE tenants SET updates_bytes = 0; UPDATE channels SET updates_bytes = 0; UPDATE updates SET size = 0; \
             PRAGMA user_version = 7;",
        )
        .unwrap();
        drop(conn);
        let conn = open(&path).unwrap();
        assert_eq!(bytes(&conn), (2, 0, 2), "the sizes of a version 7 file are those of its bodies");
    }
}
