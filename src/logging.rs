//! Logs go to a file in the data directory, never to the terminal (which may
//! be drawing the wizard). `CHANWIZ_LOG` sets the filter (default `info`).
//! The file is size-capped and rotated: `chanwiz.log` grows to about
//! [`LOG_FILE_BYTES`], then becomes `chanwiz.log.1` (the older ones move up
//! to `.2`, `.3`); at most [`LOG_FILES_KEPT`] old files are kept, so the log
//! never takes more than about 16 MB.

use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Mutex;

use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate, compression::Compression};

use crate::paths::Paths;

/// Size at which the log file is rotated (a line is never split).
pub const LOG_FILE_BYTES: usize = 4 * 1024 * 1024;
/// Rotated files kept beside the current one.
pub const LOG_FILES_KEPT: usize = 3;

/// The logging worker's guard: dropping it writes out the lines still queued.
static GUARD: Mutex<Option<tracing_appender::non_blocking::WorkerGuard>> = Mutex::new(None);

/// Write out every line still queued for the log file (at exit: a guard in
/// a static is never dropped, and a command that logs and exits at once
/// would otherwise lose its last lines). Logging goes on afterwards only to
/// nowhere, so call it last.
pub fn flush() {
    let guard = GUARD.lock().unwrap_or_else(|p| p.into_inner()).take();
    drop(guard);
}

/// A log file at `path` rotated at `max_bytes`, keeping `keep` old files,
/// every file readable by its owner only.
pub fn rotating_file(path: &Path, max_bytes: usize, keep: usize) -> FileRotate<AppendCount> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).create(true).append(true).mode(0o600);
    FileRotate::new(
        path,
        AppendCount::new(keep),
        ContentLimit::BytesSurpassed(max_bytes.max(1)),
        Compression::None,
        Some(options),
    )
}

/// Send tracing output to `chanwiz.log` in the data directory. Quietly does
/// nothing when the file cannot be opened: logging must never stop the work.
pub fn init_file(paths: &Paths) {
    if GUARD.lock().unwrap_or_else(|p| p.into_inner()).is_some() || crate::fsutil::private_dir(&paths.data).is_err() {
        return;
    }
    let path = paths.log_file();
    if std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&path).is_err() {
        return;
    }
    let file = rotating_file(&path, LOG_FILE_BYTES, LOG_FILES_KEPT);
    // The default queue holds 128,000 lines, all touched up front (~4 MB of
    // memory): a wizard on a small SSH host logs a handful. Beyond this many
    // waiting lines, logging waits rather than dropping.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(1024)
        .lossy(false)
        .finish(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHANWIZ_LOG").unwrap_or_else(|_| "info".into());
    if tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).try_init().is_ok() {
        *GUARD.lock().unwrap_or_else(|p| p.into_inner()) = Some(guard);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_log_is_rotated_at_its_size_and_old_files_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chanwiz.log");
        let mut log = rotating_file(&path, 1000, 2);
        // one write per line, as the logging worker does
        for i in 0..100 {
            log.write_all(format!("line {i:04} {}\n", "x".repeat(90)).as_bytes()).unwrap();
        }
        log.flush().unwrap();
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["chanwiz.log", "chanwiz.log.1", "chanwiz.log.2"]);
        for name in &names {
            let meta = std::fs::metadata(dir.path().join(name)).unwrap();
            assert!(meta.len() <= 1000 + 100, "{name}: {} bytes", meta.len());
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{name}");
        }
        // the newest lines are kept, whole
        let newest = std::fs::read_to_string(dir.path().join("chanwiz.log.1")).unwrap()
            + &std::fs::read_to_string(&path).unwrap();
        assert!(newest.ends_with(&format!("line 0099 {}\n", "x".repeat(90))), "{newest}");
        assert!(newest.lines().all(|l| l.starts_with("line ") && l.len() == 100), "{newest}");
    }
}
