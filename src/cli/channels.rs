//! `chanwiz channels list|show|rm`: the channels stored on the backend.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::Subcommand;

use super::backend::{BackendArgs, call, emit};
use super::{exit, fail};
use crate::paths::Paths;
use crate::sanitize::{clean, clean_multiline};

#[derive(Debug, Subcommand)]
pub enum ChannelsCommand {
    /// List the channels on the backend.
    List {
        /// Only channels whose name contains this text.
        #[arg(long)]
        name: Option<String>,
        /// Print a JSON array of the API's channel summaries ({"id", "name", "version", "updated", "integration_url", …}).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Show one channel (secrets are never returned by the backend).
    Show {
        /// The channel's name or id.
        channel: String,
        /// Print the API's channel object ({"id", "version", "document", "integration_url", "has_app_secret", …}).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Write every channel of the backend into DIR, one document each
    /// (NAME.json, secrets removed): `chanwiz plan DIR` right after shows
    /// no change.
    Pull {
        /// The folder to write into (made if missing; files of the same
        /// names are replaced, others left alone).
        dir: std::path::PathBuf,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Delete a channel. Asks for confirmation unless --yes.
    Rm {
        /// The channel's name or id.
        channel: String,
        /// Do not ask (required when standard input is not a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
}

pub fn run(cmd: &ChannelsCommand, paths: &Paths) -> ExitCode {
    match cmd {
        ChannelsCommand::List { name, json, backend } => list(name.as_deref(), *json, backend, paths),
        ChannelsCommand::Show { channel, json, backend } => show(channel, *json, backend, paths),
        ChannelsCommand::Rm { channel, yes, backend } => rm(channel, *yes, backend, paths),
        ChannelsCommand::Pull { dir, backend } => pull(dir, backend, paths),
    }
}

fn pull(dir: &std::path::Path, backend: &BackendArgs, paths: &Paths) -> ExitCode {
    let docs = match backend.client(paths).and_then(|c| call(crate::client::sync::pull(&c))) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        return fail(exit::UNREADABLE, &format!("{}: {e}", dir.display()));
    }
    for (file, doc) in &docs {
        let mut bytes = serde_json::to_vec_pretty(doc).expect("a document serialises");
        bytes.push(b'\n');
        if let Err(e) = crate::fsutil::atomic_write(&dir.join(file), &bytes) {
            return fail(exit::UNREADABLE, &format!("{}: {e}", dir.join(file).display()));
        }
    }
    eprintln!("{} channel(s) written to {} (secrets removed)", docs.len(), dir.display());
    ExitCode::SUCCESS
}

fn list(name: Option<&str>, json: bool, backend: &BackendArgs, paths: &Paths) -> ExitCode {
    let rows = match backend.client(paths).and_then(|c| call(c.all_channels(name))) {
        Ok(rows) => rows,
        Err(code) => return code,
    };
    if json {
        let text = serde_json::to_string_pretty(&rows).expect("rows serialise");
        emit(&clean_multiline(&text));
        return ExitCode::SUCCESS;
    }
    if rows.is_empty() {
        emit("no channels");
        return ExitCode::SUCCESS;
    }
    use super::table::{Align, Table, local_time};
    let mut table = Table::new(&[
        ("ID", Align::Left),
        ("NAME", Align::Left),
        ("VERSION", Align::Right),
        ("UPDATED", Align::Left),
        ("INTEGRATION URL", Align::Left),
    ])
    .cap(1, 64);
    for r in &rows {
        table.row(vec![
            clean(&r.id).into_owned(),
            clean(&r.name).into_owned(),
            r.version.to_string(),
            local_time(r.updated),
            clean(&r.integration_url).into_owned(),
        ]);
    }
    let text = table.render();
    emit(&text);
    ExitCode::SUCCESS
}

fn show(key: &str, json: bool, backend: &BackendArgs, paths: &Paths) -> ExitCode {
    let ch = match backend.client(paths).and_then(|c| call(c.find_channel(key))) {
        Ok(ch) => ch,
        Err(code) => return code,
    };
    // The backend never returns the APP Secret; drop it anyway should one appear.
    let mut ch = ch;
    ch.document = ch.document.without_secrets();
    if json {
        emit(&clean_multiline(&serde_json::to_string_pretty(&ch).expect("serialises")));
        return ExitCode::SUCCESS;
    }
    let yes_no = |b: bool| if b { "stored (never shown)" } else { "not stored" };
    let lines = [
        format!("id:              {}", clean(&ch.id)),
        format!("name:            {}", clean(&ch.document.basic.channel_name)),
        format!("type:            {}", ch.document.channel_type.as_str()),
        format!("version:         {}", ch.version),
        format!("created:         {}", ch.created.to_rfc3339()),
        format!("updated:         {}", ch.updated.to_rfc3339()),
        format!("integration URL: {}", clean(&ch.integration_url)),
        format!("APP Secret:      {}", yes_no(ch.has_app_secret)),
        format!("bot token:       {}", yes_no(ch.has_bot_token)),
        clean_multiline(&serde_json::to_string_pretty(&ch.document).expect("serialises")).into_owned(),
    ];
    emit(&lines.join("\n"));
    ExitCode::SUCCESS
}

fn rm(key: &str, yes: bool, backend: &BackendArgs, paths: &Paths) -> ExitCode {
    let interactive = std::io::stdin().is_terminal();
    if !yes && !interactive {
        return fail(
            exit::REFUSED,
            "refusing to delete without confirmation: standard input is not a terminal; pass --yes to delete",
        );
    }
    let client = match backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let ch = match call(client.find_channel(key)) {
        Ok(ch) => ch,
        Err(code) => return code,
    };
    let label = format!("{} ({})", clean(&ch.document.basic.channel_name), clean(&ch.id));
    if !yes {
        eprint!("Delete channel {label} on {}? This cannot be undone. [y/N] ", client.backend());
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer).is_err()
            || !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
        {
            eprintln!("not deleted");
            return ExitCode::from(exit::REFUSED);
        }
    }
    match call(client.delete_channel(&ch.id)) {
        Err(code) => code,
        Ok(()) => {
            emit(&format!("deleted channel {label}"));
            ExitCode::SUCCESS
        }
    }
}
