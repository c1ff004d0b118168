//! Export tasks: the Basic and Robot configuration of a tenant's channels
//! (plus id, name and type; never a key, secret, URL or certificate) as a
//! `.zip` of CSV files of at most [`EXPORT_FILE_RECORDS`] records each.
//!
//! The CSV format (columns, cells, formula neutralising) is
//! [`crate::api::export_csv`], which also reads it back.
//!
//! A task runs on the blocking pool with its own database connection. It
//! reads channels a page at a time and writes each page's rows straight into
//! the zip, which is a temporary file until it is complete: memory stays flat
//! whatever the number of records.

use std::io::Write;
use std::path::{Path, PathBuf};

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension, params};

use super::AppState;
use super::auth::Tenant;
use super::db;
use super::errors::{ApiErr, ApiJson, ApiResult, Id, IdKind, shorten};
use crate::api::export_csv;
use crate::api::{EXPORT_FILE_RECORDS, EXPORT_MAX_RECORDS, ExportRequest, ExportStatus, ExportTask};
use crate::model::{ChannelDocument, FieldError};

/// Channels read per database round.
const PAGE: i64 = 500;
/// Tasks listed by `GET /api/v1/exports`, newest first.
const LIST_MAX: i64 = 100;

/// The header row of every CSV file.
pub fn header() -> Vec<&'static str> {
    export_csv::header()
}

pub use crate::api::export_csv::neutralise;

fn task_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExportTask> {
    let status: String = r.get(1)?;
    Ok(ExportTask {
        id: r.get(0)?,
        status: match status.as_str() {
            "pending" => ExportStatus::Pending,
            "running" => ExportStatus::Running,
            "success" => ExportStatus::Success,
            "expired" => ExportStatus::Expired,
            _ => ExportStatus::Failed,
        },
        done: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        total: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
        files: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
        created: db::parse_ts(&r.get::<_, String>(5)?),
        finished: r.get::<_, Option<String>>(6)?.map(|t| db::parse_ts(&t)),
        error: r.get(7)?,
        size: None,
    })
}

const TASK_COLUMNS: &str = "id, status, done, total, files, created, finished, error";

fn get_task(conn: &Connection, tenant: i64, id: &str) -> rusqlite::Result<Option<ExportTask>> {
    conn.query_row(
        &format!("SELECT {TASK_COLUMNS} FROM exports WHERE tenant_id = ?1 AND id = ?2"),
        params![tenant, id],
        task_from_row,
    )
    .optional()
}

/// The lock a task's server holds while the task runs: several servers may
/// run on one database file (the CLI's and the wizard's embedded backends),
/// and only a task whose lock is free belongs to a server that is gone.
fn lock_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.lock"))
}

/// Create and take the lock of a new task (before its row exists).
fn take_lock(dir: &Path, id: &str) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file =
        std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(lock_path(dir, id))?;
    file.try_lock().map_err(std::io::Error::from)?;
    Ok(file)
}

/// Whether no running server holds the task's lock; while `Some`, the lock
/// is held here.
fn orphan_lock(dir: &Path, id: &str) -> Option<Option<std::fs::File>> {
    match std::fs::OpenOptions::new().write(true).open(lock_path(dir, id)) {
        Ok(file) => file.try_lock().is_ok().then_some(Some(file)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(None),
        Err(_) => None,
    }
}

/// Tasks whose server stopped before they finished can never finish: mark
/// them failed and remove their partial files. Tasks another server on the
/// same file is running are left alone.
pub fn fail_interrupted(conn: &Connection, dir: &Path) -> rusqlite::Result<()> {
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM exports WHERE status IN ('pending', 'running')")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        let Some(_held) = orphan_lock(dir, &id) else { continue };
        // its owner may have finished meanwhile: only an unfinished task is failed
        conn.execute(
            "UPDATE exports SET status = 'failed', finished = ?2, \
             error = 'The server stopped before the export finished: start a new export.' \
             WHERE id = ?1 AND status IN ('pending', 'running')",
            params![id, db::ts(db::now())],
        )?;
        let _ = std::fs::remove_file(dir.join(format!("{id}.zip.part")));
        let _ = std::fs::remove_file(lock_path(dir, &id));
    }
    Ok(())
}

/// Files of tasks a stopped server left half-written (never those of a task
/// a running server holds).
pub fn remove_partial_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".zip.part")
            && orphan_lock(dir, id).is_some()
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// How long a finished export file is kept by default (`serve
/// --export-retention`); after it the file is deleted, the task is marked
/// expired and a download answers 410.
pub const EXPORT_KEEP: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Mark expired the successful tasks finished more than `keep` ago and
/// delete their files; how many.
pub fn expire(conn: &rusqlite::Connection, dir: &Path, keep: std::time::Duration) -> rusqlite::Result<usize> {
    let keep = chrono::TimeDelta::from_std(keep).unwrap_or(chrono::TimeDelta::MAX);
    let before = db::ts(db::now().checked_sub_signed(keep).unwrap_or_default());
    let ids: Vec<String> = conn
        .prepare_cached("SELECT id FROM exports WHERE status = 'success' AND finished < ?1")?
        .query_map([&before], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        let _ = std::fs::remove_file(zip_path(dir, id));
        conn.execute("UPDATE exports SET status = 'expired' WHERE id = ?1 AND status = 'success'", [id])?;
    }
    Ok(ids.len())
}

/// Remove export files last written more than `keep` ago; how many went.
pub fn remove_old_files(dir: &Path, keep: std::time::Duration) -> usize {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > keep);
        if old && entry.file_name().to_string_lossy().ends_with(".zip") && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

fn files_for(records: u64) -> u32 {
    u32::try_from(records.div_ceil(EXPORT_FILE_RECORDS as u64)).unwrap_or(u32::MAX)
}

fn too_many(n: u64) -> ApiErr {
    ApiErr::invalid_field(
        "channel_ids",
        format!(
            "This export would hold {n} channel records: at most {EXPORT_MAX_RECORDS} are allowed per export task; export fewer channels at a time."
        ),
    )
}

/// `POST /api/v1/exports`: 202 with the task; the work runs in the background.
pub async fn create(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    ApiJson(req): ApiJson<ExportRequest>,
) -> ApiResult<(StatusCode, Json<ExportTask>)> {
    let mut ids = req.channel_ids;
    ids.sort();
    ids.dedup();
    if ids.len() > EXPORT_MAX_RECORDS {
        return Err(too_many(ids.len() as u64));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let dir = state.exports_dir.clone();
    let (most, retention) = (state.limits.exports_kept_per_tenant, state.limits.export_retention);
    let (task, lock) = state
        .db
        .call(move |conn| {
            fail_interrupted(conn, &dir)?;
            let lock = take_lock(&dir, &id).map_err(|e| ApiErr::internal(format!("export lock: {e}")))?;
            let task = db::write_tx(conn, |tx| {
                // one task at a time per tenant: each holds a thread and a file
                let running: Option<String> = tx
                    .query_row(
                        "SELECT id FROM exports WHERE tenant_id = ?1 AND status IN ('pending', 'running') LIMIT 1",
                        [t],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(other) = running {
                    return Err(ApiErr::conflict(format!(
                        "Export task {other} of this tenant is still running: wait until it ends, then start another."
                    )));
                }
                let (kept, oldest): (i64, Option<String>) = tx.query_row(
                    "SELECT count(*), min(finished) FROM exports WHERE tenant_id = ?1 AND status = 'success'",
                    [t],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                if kept >= i64::from(most) {
                    let keep = chrono::TimeDelta::from_std(retention).unwrap_or(chrono::TimeDelta::MAX);
                    let expires = oldest
                        .map(|f| db::parse_ts(&f).checked_add_signed(keep).unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC))
                        .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
                        .unwrap_or_default();
                    return Err(ApiErr::conflict(format!(
                        "This tenant keeps {kept} finished exports, the most it may (chanwiz serve --exports-kept-per-tenant {most}): download what you need; the oldest expires at {expires}, then start this export again."
                    )));
                }
                let all = ids.is_empty();
                let total: i64 = if all {
                    tx.query_row("SELECT count(*) FROM channels WHERE tenant_id = ?1", [t], |r| r.get(0))?
                } else {
                    let mut known = tx.prepare_cached("SELECT 1 FROM channels WHERE tenant_id = ?1 AND id = ?2")?;
                    let unknown: Vec<FieldError> = ids
                        .iter()
                        .enumerate()
                        .filter_map(|(i, c)| match known.exists(params![t, c]) {
                            Ok(true) => None,
                            Ok(false) => Some(Ok(FieldError::new(
                                format!("channel_ids[{i}]"),
                                format!("There is no channel '{}' in this tenant.", shorten(c)),
                            ))),
                            Err(e) => Some(Err(e)),
                        })
                        .take(20)
                        .collect::<Result<_, _>>()?;
                    if !unknown.is_empty() {
                        return Err(ApiErr::invalid(unknown));
                    }
                    ids.len() as i64
                };
                let total = u64::try_from(total).unwrap_or(0);
                if total > EXPORT_MAX_RECORDS as u64 {
                    return Err(too_many(total));
                }
                if total == 0 {
                    return Err(ApiErr::invalid_field("channel_ids", "There are no channels to export in this tenant."));
                }
                tx.execute(
                    "INSERT INTO exports (id, tenant_id, status, total, files, created, all_channels) VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6)",
                    params![id, t, total as i64, files_for(total), db::ts(db::now()), all],
                )?;
                if !all {
                    let mut add = tx.prepare_cached("INSERT INTO export_items (task_id, channel_id) VALUES (?1, ?2)")?;
                    for c in &ids {
                        add.execute(params![id, c])?;
                    }
                }
                get_task(tx, t, &id)?.ok_or_else(|| ApiErr::internal("new export task not found"))
            });
            match task {
                Ok(task) => Ok((task, lock)),
                Err(e) => {
                    drop(lock);
                    let _ = std::fs::remove_file(lock_path(&dir, &id));
                    Err(e)
                }
            }
        })
        .await?;
    let (db_path, dir, id) = (state.db.path().to_path_buf(), state.exports_dir.clone(), task.id.clone());
    tracing::info!(task = %id, total = task.total, "export started");
    tokio::task::spawn_blocking(move || {
        run(&db_path, &dir, &id, t);
        // the task's row is final: the lock is no longer needed
        drop(lock);
        let _ = std::fs::remove_file(lock_path(&dir, &id));
    });
    Ok((StatusCode::ACCEPTED, Json(task)))
}

pub async fn list(State(state): State<AppState>, Tenant(t): Tenant) -> ApiResult<Json<Vec<ExportTask>>> {
    let dir = state.exports_dir.clone();
    state
        .db
        .read_as(t, move |conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {TASK_COLUMNS} FROM exports WHERE tenant_id = ?1 ORDER BY created DESC, rowid DESC LIMIT ?2"
            ))?;
            let mut tasks = st.query_map(params![t, LIST_MAX], task_from_row)?.collect::<Result<Vec<_>, _>>()?;
            for task in tasks.iter_mut().filter(|t| t.status == ExportStatus::Success) {
                task.size = std::fs::metadata(zip_path(&dir, &task.id)).ok().map(|m| m.len());
            }
            Ok(Json(tasks))
        })
        .await
}

fn export_not_found(id: &str) -> ApiErr {
    ApiErr::not_found(format!("There is no export task '{}' in this tenant.", shorten(id)))
}

/// An export task id from the path.
pub enum TaskKind {}

impl IdKind for TaskKind {
    fn not_found(id: &str) -> ApiErr {
        export_not_found(id)
    }
}

pub async fn status(State(state): State<AppState>, Tenant(t): Tenant, id: Id<TaskKind>) -> ApiResult<Json<ExportTask>> {
    let id = id.into_inner();
    state.db.read_as(t, move |conn| get_task(conn, t, &id)?.map(Json).ok_or_else(|| export_not_found(&id))).await
}

fn zip_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.zip"))
}

/// `GET /api/v1/exports/{id}/download`: the zip, streamed from its file;
/// 409 until the task succeeded.
pub async fn download(State(state): State<AppState>, Tenant(t): Tenant, id: Id<TaskKind>) -> ApiResult<Response> {
    let id = id.into_inner();
    let id2 = id.clone();
    let task = state.db.read_as(t, move |conn| get_task(conn, t, &id2)?.ok_or_else(|| export_not_found(&id2))).await?;
    match task.status {
        ExportStatus::Success => {}
        ExportStatus::Expired => {
            return Err(ApiErr::new(
                StatusCode::GONE,
                "This export expired: its file was deleted after the retention time; start a new export.",
            ));
        }
        ExportStatus::Failed => {
            return Err(ApiErr::conflict("This export failed: there is nothing to download; start a new export."));
        }
        _ => {
            return Err(ApiErr::conflict("This export has not finished yet: download it when its status is success."));
        }
    }
    let file = tokio::fs::File::open(zip_path(&state.exports_dir, &id)).await.map_err(|_| {
        ApiErr::new(StatusCode::GONE, "The file of this export is no longer on the server: start a new export.")
    })?;
    let len = file.metadata().await.map(|m| m.len()).ok();
    let mut response = Body::from_stream(tokio_util::io::ReaderStream::new(file)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"chanwiz-export-{id}.zip\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(len) = len.and_then(|l| HeaderValue::from_str(&l.to_string()).ok()) {
        headers.insert(header::CONTENT_LENGTH, len);
    }
    Ok(response)
}

/// What a failed task says: a full disk (ENOSPC, SQLITE_FULL) in so many words.
fn failure_text(e: &str) -> String {
    if e.contains("os error 28") || e.contains("database or disk is full") {
        "The export failed: the backend's disk is full. Free space on it and export again.".into()
    } else {
        format!("The export failed: {e}")
    }
}

/// Run one task to its end, recording success or failure.
fn run(db_path: &Path, dir: &Path, id: &str, tenant: i64) {
    let part = dir.join(format!("{id}.zip.part"));
    let result = db::open(db_path).map_err(|e| format!("database: {e}")).and_then(|conn| {
        let outcome = write_zip(&conn, &part, id, tenant);
        let finish = match &outcome {
            Ok((done, files)) => std::fs::rename(&part, zip_path(dir, id)).map_err(|e| format!("cannot keep the file: {e}")).and_then(|_| {
                conn.execute(
                    "UPDATE exports SET status = 'success', done = ?2, total = ?2, files = ?3, finished = ?4 WHERE id = ?1",
                    params![id, *done as i64, files, db::ts(db::now())],
                )
                .map(drop)
                .map_err(|e| format!("database: {e}"))
            }),
            Err(e) => Err(e.clone()),
        };
        if let Err(e) = &finish {
            let _ = conn.execute(
                "UPDATE exports SET status = 'failed', error = ?2, finished = ?3 WHERE id = ?1",
                params![id, failure_text(e), db::ts(db::now())],
            );
        }
        finish
    });
    match result {
        Ok(()) => tracing::info!(task = %id, "export finished"),
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            tracing::error!(task = %id, "export failed: {e}");
        }
    }
}

type ExportRow = (i64, String, String, String, String);

fn export_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExportRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

/// Each CSV file starts with it: spreadsheet programs (Excel) read a CSV as
/// UTF-8, Chinese intact, only then. `drafts import` skips it.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// `t` as a zip entry's time (local, to the second; 1980 if out of range).
fn zip_time(t: chrono::DateTime<chrono::Utc>) -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let t = t.with_timezone(&chrono::Local);
    let part = |n: u32| u8::try_from(n).unwrap_or(0);
    u16::try_from(t.year())
        .ok()
        .and_then(|y| {
            zip::DateTime::from_date_and_time(
                y,
                part(t.month()),
                part(t.day()),
                part(t.hour()),
                part(t.minute()),
                part(t.second()),
            )
            .ok()
        })
        .unwrap_or_default()
}

fn csv_buffer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::with_capacity(1 << 16))
}

/// Move the rows buffered so far into the zip entry being written.
fn drain<W: Write + std::io::Seek>(csv: &mut csv::Writer<Vec<u8>>, zip: &mut zip::ZipWriter<W>) -> Result<(), String> {
    let bytes = std::mem::replace(csv, csv_buffer()).into_inner().map_err(|e| format!("cannot write the file: {e}"))?;
    zip.write_all(&bytes).map_err(|e| format!("cannot write the file: {e}"))
}

/// Write the zip; returns the records and files written.
fn write_zip(conn: &Connection, part: &Path, id: &str, tenant: i64) -> Result<(u64, u32), String> {
    let (all, total, created): (bool, i64, String) = conn
        .query_row("SELECT all_channels, total, created FROM exports WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(|e| format!("database: {e}"))?;
    conn.execute("UPDATE exports SET status = 'running' WHERE id = ?1", [id]).map_err(|e| format!("database: {e}"))?;
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(part)
    }
    .map_err(|e| format!("cannot write the file: {e}"))?;
    let mut zip = zip::ZipWriter::new(file);
    // each entry dated when the export was asked for, in the server's
    // time zone (zip times have none), not 1980
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip_time(db::parse_ts(&created)));
    let cols = export_csv::columns();
    let head = header();
    let mut csv = csv_buffer();
    let io = |e: std::io::Error| format!("cannot write the file: {e}");
    let zerr = |e: zip::result::ZipError| format!("cannot write the file: {e}");
    let sql = if all {
        "SELECT seq, id, name, channel_type, document FROM channels WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
    } else {
        "SELECT c.seq, c.id, c.name, c.channel_type, c.document FROM export_items e \
         JOIN channels c ON c.id = e.channel_id AND c.tenant_id = ?1 \
         WHERE e.task_id = ?4 AND c.seq > ?2 ORDER BY c.seq LIMIT ?3"
    };
    let mut st = conn.prepare(sql).map_err(|e| format!("database: {e}"))?;
    // the first file exists even when there is nothing to export
    zip.start_file("channels-001.csv", options).map_err(zerr)?;
    zip.write_all(UTF8_BOM).map_err(io)?;
    csv.write_record(&head).map_err(|e| e.to_string())?;
    let (mut done, mut files, mut in_file, mut last) = (0u64, 1u32, 0usize, 0i64);
    // channels added after the task was counted are not read
    while done < total as u64 {
        let page: Vec<ExportRow> = if all {
            st.query_map(params![tenant, last, PAGE], export_row).and_then(|rows| rows.collect())
        } else {
            st.query_map(params![tenant, last, PAGE, id], export_row).and_then(|rows| rows.collect())
        }
        .map_err(|e| format!("database: {e}"))?;
        let Some(&(seq, ..)) = page.last() else { break };
        last = seq;
        for (_, cid, name, kind, text) in page {
            if done >= total as u64 {
                break;
            }
            if in_file == EXPORT_FILE_RECORDS {
                files += 1;
                in_file = 0;
                zip.start_file(format!("channels-{files:03}.csv"), options).map_err(zerr)?;
                zip.write_all(UTF8_BOM).map_err(io)?;
                csv.write_record(&head).map_err(|e| e.to_string())?;
            }
            let doc: ChannelDocument =
                serde_json::from_str(&text).map_err(|e| format!("channel {cid} is unreadable: {e}"))?;
            let row = [cid, name, kind].into_iter().chain(cols.iter().map(|c| (c.get)(&doc))).map(neutralise);
            csv.write_record(row).map_err(|e| e.to_string())?;
            in_file += 1;
            done += 1;
            if in_file == EXPORT_FILE_RECORDS {
                drain(&mut csv, &mut zip)?;
            }
        }
        drain(&mut csv, &mut zip)?;
        conn.execute("UPDATE exports SET done = ?2 WHERE id = ?1", params![id, done as i64])
            .map_err(|e| format!("database: {e}"))?;
    }
    drain(&mut csv, &mut zip)?;
    let file = zip.finish().map_err(zerr)?;
    file.sync_all().map_err(io)?;
    Ok((done, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for (cell, want) in
            [("=1+2", "'=1+2"), ("+x", "'+x"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx")]
        {
            assert_eq!(neutralise(cell.into()), want);
        }
        for cell in ["", "agent", "24", "a=b", "08:30-12:00"] {
            assert_eq!(neutralise(cell.into()), cell);
        }
    }

    #[test]
    fn a_finished_export_past_its_retention_expires_and_its_file_goes() {
        let dir = tempfile::tempdir().unwrap();
        let conn = db::open(&dir.path().join("s.db")).unwrap();
        let t = super::super::auth::insert_tenant(&conn, "t", false).unwrap();
        let exports = dir.path().join("exports");
        std::fs::create_dir(&exports).unwrap();
        let ago = |h: i64| db::ts(db::now() - chrono::TimeDelta::hours(h));
        for (id, finished) in [("old", ago(25)), ("new", ago(1))] {
            conn.execute(
                "INSERT INTO exports (id, tenant_id, status, total, created, finished, all_channels) \
                 VALUES (?1, ?2, 'success', 1, ?3, ?3, 1)",
                params![id, t, finished],
            )
            .unwrap();
            std::fs::write(zip_path(&exports, id), b"PK").unwrap();
        }
        assert_eq!(expire(&conn, &exports, EXPORT_KEEP).unwrap(), 1);
        let status = |id: &str| -> String {
            conn.query_row("SELECT status FROM exports WHERE id = ?1", [id], |r| r.get(0)).unwrap()
        };
        assert_eq!((status("old").as_str(), status("new").as_str()), ("expired", "success"));
        assert!(!zip_path(&exports, "old").exists() && zip_path(&exports, "new").exists());
        // a shorter retention takes the other one too
        assert_eq!(expire(&conn, &exports, std::time::Duration::from_secs(60)).unwrap(), 1);
        assert_eq!(status("new"), "expired");
    }

    #[test]
    fn only_tasks_whose_server_is_gone_are_failed() {
        let dir = tempfile::tempdir().unwrap();
        let conn = db::open(&dir.path().join("s.db")).unwrap();
        let t = super::super::auth::insert_tenant(&conn, "t", false).unwrap();
        let exports = dir.path().join("exports");
        std::fs::create_dir(&exports).unwrap();
        for id in ["alive", "gone", "old"] {
            conn.execute(
                "INSERT INTO exports (id, tenant_id, status, total, created, all_channels) VALUES (?1, ?2, 'running', 1, ?3, 1)",
                params![id, t, db::ts(db::now())],
            )
            .unwrap();
            std::fs::write(exports.join(format!("{id}.zip.part")), b"half").unwrap();
        }
        // "alive" is held by a running server; "gone"'s server died (its lock
        // file is free); "old" was started before tasks had locks
        let held = take_lock(&exports, "alive").unwrap();
        drop(take_lock(&exports, "gone").unwrap());
        fail_interrupted(&conn, &exports).unwrap();
        remove_partial_files(&exports);
        let status = |id: &str| -> String {
            conn.query_row("SELECT status FROM exports WHERE id = ?1", [id], |r| r.get(0)).unwrap()
        };
        assert_eq!(status("alive"), "running");
        assert!(exports.join("alive.zip.part").exists());
        for id in ["gone", "old"] {
            assert_eq!(status(id), "failed", "{id}");
            assert!(!exports.join(format!("{id}.zip.part")).exists(), "{id}");
        }
        drop(held);
        fail_interrupted(&conn, &exports).unwrap();
        assert_eq!(status("alive"), "failed");
    }

    #[test]
    fn the_header_has_no_page_one_field() {
        let h = header();
        assert!(h.iter().all(|c| !c.starts_with("channel_info")), "{h:?}");
        assert_eq!(&h[..3], ["id", "name", "channel_type"]);
        assert!(h.contains(&"basic.last_agent_mode.retention_hours"));
        assert!(h.contains(&"robot.robot_assistant.assistant_access_code"));
    }
}
