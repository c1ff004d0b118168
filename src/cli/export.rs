//! `chanwiz export [--channel NAME|ID]... [-o DIR]`: run an export task on
//! the backend, show its progress and download the zip; `export list` and
//! `export download ID` for the tasks already there.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::backend::{BackendArgs, block_on, emit, report};
use super::fail;
use crate::api::{ExportRequest, ExportStatus, ExportTask};
use crate::client::{Client, ClientError};
use crate::paths::Paths;
use crate::sanitize::clean;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub action: Option<ExportAction>,
    /// The channels to export (name or id). Default: all channels.
    #[arg(value_name = "CHANNEL")]
    pub channels: Vec<String>,
    /// Old spelling of CHANNEL (`--channel NAME`, repeated): still taken.
    #[arg(long = "channel", value_name = "CHANNEL", hide = true)]
    pub channel_flag: Vec<String>,
    /// The folder to write the zip into.
    #[arg(short = 'o', long = "output", value_name = "DIR", default_value = ".")]
    pub output: PathBuf,
    /// Print {"task", "records", "path", "files": [{"name", "records"}]}.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub backend: BackendArgs,
}

#[derive(Debug, Subcommand)]
pub enum ExportAction {
    /// The tenant's export tasks, newest first: id, status, records, files, created.
    List {
        /// Print the tasks as a JSON array (the API's export task objects).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Download a successful export task's zip and list the CSV files in it.
    Download {
        /// The export task's id (`chanwiz export list` shows them).
        id: String,
        /// The folder to write the zip into (an existing file is never replaced).
        #[arg(short = 'o', long = "output", value_name = "DIR", default_value = ".")]
        output: PathBuf,
        /// Print `{"path": …, "files": [{"name": …, "records": N}]}`.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
}

pub fn run(args: &ExportArgs, paths: &Paths) -> ExitCode {
    match &args.action {
        Some(ExportAction::List { json, backend }) => return list(backend, paths, *json),
        Some(ExportAction::Download { id, output, json, backend }) => {
            return download(backend, paths, id, output, *json);
        }
        None => {}
    }
    let client = match args.backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Ctrl-C drops the export future, which removes a partial download.
    let interruptible = async {
        tokio::select! {
            r = export(&client, args) => Some(r),
            _ = tokio::signal::ctrl_c() => None,
        }
    };
    match block_on(interruptible) {
        Err(code) => code,
        Ok(None) => {
            eprintln!();
            fail(INTERRUPTED, "export interrupted: no file was written (the task may still finish on the backend)")
        }
        Ok(Some(Err(e))) => report(&e),
        Ok(Some(Ok((task, path)))) if args.json => {
            let files = match crate::client::archive::export_files(&path) {
                Ok(f) => f,
                Err(e) => return fail(super::exit::UNREADABLE, &e),
            };
            let files: Vec<serde_json::Value> =
                files.iter().map(|f| serde_json::json!({ "name": f.name, "records": f.records })).collect();
            let value = serde_json::json!({ "task": task.id, "records": task.total, "path": path, "files": files });
            emit(&serde_json::to_string_pretty(&value).expect("json"));
            ExitCode::SUCCESS
        }
        Ok(Some(Ok((_, path)))) => {
            emit(&path.display().to_string());
            ExitCode::SUCCESS
        }
    }
}

fn list(backend: &BackendArgs, paths: &Paths, json: bool) -> ExitCode {
    let client = match backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let tasks = match block_on(client.list_exports()) {
        Err(code) => return code,
        Ok(Err(e)) => return report(&e),
        Ok(Ok(t)) => t,
    };
    if json {
        emit(&serde_json::to_string_pretty(&tasks).expect("tasks serialise"));
        return ExitCode::SUCCESS;
    }
    if tasks.is_empty() {
        eprintln!("no export task yet: `chanwiz export` starts one");
    }
    for t in &tasks {
        let size = t.size.map(|b| format!("{:.1} KB", b as f64 / 1024.0)).unwrap_or_else(|| "-".into());
        emit(&format!(
            "{}  {:<8} {:>7}/{:<7} records  {:>3} file(s)  {:>10}  {}",
            clean(&t.id),
            t.status.as_str(),
            t.done,
            t.total,
            t.files,
            size,
            t.created.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    ExitCode::SUCCESS
}

fn download(backend: &BackendArgs, paths: &Paths, id: &str, output: &std::path::Path, json: bool) -> ExitCode {
    let client = match backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let path = match block_on(client.download_export(id, output)) {
        Err(code) => return code,
        Ok(Err(e)) => return report(&e),
        Ok(Ok(p)) => p,
    };
    let files = match crate::client::archive::export_files(&path) {
        Ok(f) => f,
        Err(e) => return fail(super::exit::UNREADABLE, &e),
    };
    if json {
        let files: Vec<serde_json::Value> =
            files.iter().map(|f| serde_json::json!({ "name": f.name, "records": f.records })).collect();
        emit(&serde_json::to_string_pretty(&serde_json::json!({ "path": path, "files": files })).expect("json"));
    } else {
        emit(&path.display().to_string());
        for f in &files {
            eprintln!("  {}: {} record(s)", f.name, f.records);
        }
    }
    ExitCode::SUCCESS
}

/// The shell's code for a process ended by Ctrl-C.
const INTERRUPTED: u8 = 130;

/// The ids of the channels named (by name or id), each once.
async fn channel_ids(client: &Client, keys: &[String]) -> Result<Vec<String>, ClientError> {
    let mut ids: Vec<String> = Vec::with_capacity(keys.len());
    for key in keys {
        let ch = client.find_channel(key).await?;
        if !ids.contains(&ch.id) {
            ids.push(ch.id);
        }
    }
    Ok(ids)
}

async fn export(client: &Client, args: &ExportArgs) -> Result<(ExportTask, PathBuf), ClientError> {
    let mut names = args.channels.clone();
    if !args.channel_flag.is_empty() {
        eprintln!("chanwiz: `--channel NAME` is deprecated: name the channels after `export` (chanwiz export NAME…)");
        names.extend(args.channel_flag.iter().cloned());
    }
    let channel_ids = channel_ids(client, &names).await?;
    let task = client.create_export(&ExportRequest { channel_ids }).await?;
    let mut progress = Progress::new(std::io::stderr().is_terminal());
    let task = client.wait_export(task, |t| progress.show(t)).await?;
    progress.finish();
    eprintln!("export {}: {} record(s) in {} file(s); downloading", clean(&task.id), task.total, task.files);
    let path = client.download_export(&task.id, &args.output).await?;
    Ok((task, path))
}

/// A bar redrawn in place on a terminal; plain lines (at each tenth and each
/// change of status) otherwise.
struct Progress {
    tty: bool,
    last_status: Option<ExportStatus>,
    last_tenth: Option<u64>,
    drawn: bool,
}

impl Progress {
    fn new(tty: bool) -> Self {
        Self { tty, last_status: None, last_tenth: None, drawn: false }
    }

    fn show(&mut self, t: &ExportTask) {
        let status = match t.status {
            ExportStatus::Success => "success",
            other => other.as_str(),
        };
        let pct = (t.done.min(t.total) * 100).checked_div(t.total).unwrap_or(if t.status == ExportStatus::Success {
            100
        } else {
            0
        });
        let mut err = std::io::stderr().lock();
        if self.tty {
            const WIDTH: u64 = 30;
            let filled = (pct * WIDTH / 100) as usize;
            let bar = format!("{}{}", "#".repeat(filled), "-".repeat(WIDTH as usize - filled));
            let _ = write!(err, "\r\x1b[2Kexport [{bar}] {pct:>3}%  {}/{} records  {status}", t.done, t.total);
            let _ = err.flush();
            self.drawn = true;
        } else {
            let tenth = pct / 10;
            if self.last_status != Some(t.status) || self.last_tenth != Some(tenth) {
                let _ = writeln!(err, "export {}: {status}, {}/{} records ({pct}%)", clean(&t.id), t.done, t.total);
            }
            self.last_tenth = Some(tenth);
        }
        self.last_status = Some(t.status);
    }

    fn finish(&mut self) {
        if self.tty && self.drawn {
            eprintln!();
        }
    }
}
