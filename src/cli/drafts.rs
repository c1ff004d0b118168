use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use super::{exit, fail};
use crate::drafts::{Draft, DraftError, DraftStore};
use crate::model::{FieldError, Mode, validate};
use crate::paths::Paths;
use crate::sanitize::clean;

#[derive(Debug, Subcommand)]
pub enum DraftsCommand {
    /// List local drafts, most recently updated first.
    List {
        /// Print a JSON array of {"id", "channel_name", "step", "created", "updated", "channel_id", "valid", "errors"}.
        #[arg(long)]
        json: bool,
    },
    /// Show one draft (secrets are never shown).
    Show {
        /// Draft id, or a unique prefix of at least 4 characters.
        id: String,
        /// Print {"draft": {…}, "document": {…}, "errors": [{"path", "message"}]} (never a secret).
        #[arg(long)]
        json: bool,
    },
    /// Delete a draft.
    Rm {
        /// Draft id, or a unique prefix of at least 4 characters.
        id: String,
    },
    /// Store a channel document as a new draft, or every record of an export
    /// (its zip, or one of its CSV files) as one draft each.
    Import {
        /// The channel document (JSON), an export zip or one of its CSV files;
        /// `-` reads standard input.
        file: PathBuf,
        /// Keep the document's APP Secret in the draft file.
        #[arg(long)]
        remember_secrets: bool,
    },
    /// Write a draft's document, without any secret.
    Export {
        /// Draft id, or a unique prefix of at least 4 characters.
        id: String,
        /// The file to write the document to (default: standard output).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// The validation mode of a draft: an edit of a stored channel may leave the
/// APP Secret out.
pub(crate) fn draft_errors(d: &Draft) -> Vec<FieldError> {
    validate(&d.document, if d.meta.channel_id.is_some() { Mode::Update } else { Mode::Create })
}

#[derive(Serialize)]
struct ListRow<'a> {
    id: &'a str,
    channel_name: &'a str,
    step: u8,
    created: String,
    updated: String,
    channel_id: Option<&'a str>,
    valid: bool,
    errors: usize,
}

pub fn run(cmd: &DraftsCommand, paths: &Paths) -> ExitCode {
    let store = match DraftStore::open(&paths.drafts()) {
        Ok(s) => s,
        Err(e) => return fail(exit::UNREADABLE, &e.to_string()),
    };
    match run_in(cmd, &store) {
        Ok(code) => code,
        Err(e) => fail(exit::of(e.kind()), &e.to_string()),
    }
}

fn run_in(cmd: &DraftsCommand, store: &DraftStore) -> Result<ExitCode, DraftError> {
    match cmd {
        DraftsCommand::List { json } => {
            let (listing, problems) = store.rows()?;
            for p in &problems {
                eprintln!("chanwiz: {}", clean(&p.to_string()));
            }
            let rows: Vec<ListRow> = listing
                .iter()
                .map(|r| ListRow {
                    id: &r.id,
                    channel_name: &r.name,
                    step: r.step,
                    created: r.created.to_rfc3339(),
                    updated: r.updated.to_rfc3339(),
                    channel_id: r.channel_id.as_deref(),
                    valid: r.errors == 0,
                    errors: r.errors,
                })
                .collect();
            if *json {
                let value = crate::sanitize::clean_json(serde_json::to_value(&rows).expect("rows serialise"));
                println!("{}", serde_json::to_string_pretty(&value).expect("rows serialise"));
            } else if rows.is_empty() {
                println!("no drafts");
            } else {
                use super::table::{Align::Left, Table, local_time};
                let mut table = Table::new(&[
                    ("ID", Left),
                    ("CHANNEL NAME", Left),
                    ("STEP", Left),
                    ("UPDATED", Left),
                    ("STATUS", Left),
                ])
                .cap(1, 40);
                for (r, row) in rows.iter().zip(&listing) {
                    let name = if r.channel_name.is_empty() { "(unnamed)".into() } else { clean(r.channel_name) };
                    let status = match r.errors {
                        0 => "valid".to_string(),
                        1 => "1 error".to_string(),
                        n => format!("{n} errors"),
                    };
                    table.row(vec![
                        clean(r.id).into_owned(),
                        name.into_owned(),
                        format!("{}/4", r.step),
                        local_time(row.updated),
                        status,
                    ]);
                }
                println!("{}", table.render());
            }
            Ok(ExitCode::SUCCESS)
        }
        DraftsCommand::Show { id, json } => {
            let draft = store.load(&store.resolve(id)?)?;
            let errors = draft_errors(&draft);
            let document = draft.document.without_secrets();
            if *json {
                let value = crate::sanitize::clean_json(
                    serde_json::json!({ "draft": draft.meta, "document": document, "errors": errors }),
                );
                println!("{}", serde_json::to_string_pretty(&value).expect("serialises"));
            } else {
                let m = &draft.meta;
                println!("draft:    {}", m.id);
                println!("created:  {}", m.created.to_rfc3339());
                println!("updated:  {}", m.updated.to_rfc3339());
                println!(
                    "step:     {}/4{}",
                    m.step,
                    m.field.as_deref().map(|f| format!(" at {}", clean(f))).unwrap_or_default()
                );
                if let Some(ch) = &m.channel_id {
                    println!(
                        "edits:    channel {} (version {})",
                        clean(ch),
                        m.channel_version.map_or("?".into(), |v| v.to_string())
                    );
                }
                let secret = if draft.document.channel_info.app_secret.is_some() {
                    "remembered (not shown)"
                } else {
                    "not stored"
                };
                println!("secret:   {secret}");
                if errors.is_empty() {
                    println!("status:   valid");
                } else {
                    println!("status:   {} error(s)", errors.len());
                    for e in &errors {
                        println!("  {}", clean(&e.to_string()));
                    }
                }
                println!(
                    "{}",
                    crate::sanitize::clean_multiline(&serde_json::to_string_pretty(&document).expect("serialises"))
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        DraftsCommand::Rm { id } => {
            let id = store.resolve(id)?;
            store.remove(&id)?;
            println!("removed draft {id}");
            Ok(ExitCode::SUCCESS)
        }
        DraftsCommand::Import { file, remember_secrets } => {
            let bytes = match read_bytes(file) {
                Ok(b) => b,
                Err(e) => return Ok(fail(exit::UNREADABLE, &format!("cannot read {}: {e}", file.display()))),
            };
            if crate::client::import::is_zip(&bytes) || !bytes.trim_ascii_start().starts_with(b"{") {
                return Ok(import_export(store, file, &bytes));
            }
            let doc = match std::str::from_utf8(&bytes)
                .map_err(|e| e.to_string())
                .and_then(|text| crate::model::parse_document(text).map_err(|e| e.to_string()))
            {
                Ok(d) => d,
                Err(e) => return Ok(fail(exit::UNREADABLE, &format!("{}: {e}", file.display()))),
            };
            let had_secret = doc.channel_info.app_secret.is_some();
            let draft = store.create(doc, *remember_secrets)?;
            // what was stored (a secret not remembered is not there), as `drafts list` counts it
            let n = draft_errors(&store.load(&draft.meta.id)?).len();
            println!("{}", draft.meta.id);
            let status = if n == 0 {
                "valid".to_string()
            } else {
                format!("{n} error(s): `chanwiz drafts show {}` lists them", draft.meta.id)
            };
            eprintln!("imported as draft {} ({status})", draft.meta.id);
            if had_secret && !remember_secrets {
                eprintln!("note: the APP Secret was not stored (pass --remember-secrets to keep it in the draft file)");
            }
            Ok(ExitCode::SUCCESS)
        }
        DraftsCommand::Export { id, output } => {
            let draft = store.load(&store.resolve(id)?)?;
            let mut text = serde_json::to_string_pretty(&draft.document.without_secrets()).expect("serialises");
            text.push('\n');
            match output {
                Some(path) => {
                    if let Err(e) = crate::fsutil::atomic_write(path, text.as_bytes()) {
                        return Ok(fail(exit::UNREADABLE, &format!("cannot write {}: {e}", path.display())));
                    }
                    eprintln!("wrote {}", path.display());
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A file's bytes, or standard input's for `-`, refused past the most an
/// import reads (never read whole blindly).
fn read_bytes(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use crate::client::import::read_limited;
    if path.as_os_str() == "-" {
        read_limited(std::io::stdin().lock())
    } else {
        read_limited(std::fs::File::open(path).map_err(|e| e.to_string())?)
    }
}

/// Drafts from an export zip or CSV file: the ids on standard output, the
/// records refused and the summary on standard error.
fn import_export(store: &DraftStore, file: &std::path::Path, bytes: &[u8]) -> ExitCode {
    let label = file.display().to_string();
    let import = crate::client::import::import_export(store, &label, bytes);
    let mut out = std::io::stdout().lock();
    for d in &import.made {
        let _ = std::io::Write::write_all(&mut out, format!("{}\n", d.meta.id).as_bytes());
    }
    for r in &import.refused {
        eprintln!("chanwiz: {r}");
    }
    if import.stopped.is_none() {
        eprintln!("{}", import.summary(&label));
    }
    match import.stopped {
        Some(e) => fail(exit::UNREADABLE, &e),
        None if !import.refused.is_empty() => ExitCode::from(exit::REFUSED),
        None => ExitCode::SUCCESS,
    }
}
