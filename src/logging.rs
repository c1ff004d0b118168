//! Logs go to a file in the data directory, never to the terminal (which may
//! be drawing the wizard). `CHANWIZ_LOG` sets the filter (default `info`).

use std::os::unix::fs::OpenOptionsExt;
use std::sync::OnceLock;

use crate::paths::Paths;

static GUARD: OnceLock<tracing_appender::non_blocking::WorkerGuard> = OnceLock::new();

/// Send tracing output to `chanwiz.log` in the data directory. Quietly does
/// nothing when the file cannot be opened: logging must never stop the work.
pub fn init_file(paths: &Paths) {
    if GUARD.get().is_some() || crate::fsutil::private_dir(&paths.data).is_err() {
        return;
    }
    let file = match std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(paths.log_file()) {
        Ok(f) => f,
        Err(_) => return,
    };
    // The default queue holds 128,000 lines, all touched up front (~4 MB of
    // memory): a wizard on a small SSH host logs a handful. Beyond this many
    // waiting lines, logging waits rather than dropping.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(1024)
        .lossy(false)
        .finish(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHANWIZ_LOG").unwrap_or_else(|_| "info".into());
    if tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).try_init().is_ok() {
        let _ = GUARD.set(guard);
    }
}
