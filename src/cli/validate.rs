use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{exit, fail};
use crate::model::{FieldError, Mode, parse_document, validate, warnings};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The channel document (JSON); `-` reads standard input.
    pub file: PathBuf,
    /// Print errors as a JSON array of {"path","message"} (warnings go to
    /// standard error, or into the array under --strict).
    #[arg(long)]
    pub json: bool,
    /// Check it as an update of a stored channel (the APP Secret may be absent).
    #[arg(long)]
    pub update: bool,
    /// Treat the timer warnings (settings that pass their rules but do not
    /// work together) as errors: exit 1 when there is one.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &ValidateArgs, paths: Option<&crate::paths::Paths>) -> ExitCode {
    let doc = match load_document(&args.file) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let mut errors = validate(&doc, if args.update { Mode::Update } else { Mode::Create });
    let mut warned = warnings(&doc);
    // a chosen certificate about to expire, as the last catalogue fetched
    // from the configured backend lists it (the backend is not contacted)
    let cached =
        paths.and_then(|p| super::backend::BackendArgs::default().catalogue_cache(p).ok()).and_then(|c| c.load());
    if let Some(cached) = cached {
        warned.extend(crate::model::certificate_warnings(&doc, &cached.catalogue, chrono::Utc::now()));
    }
    if args.strict {
        // an error of the first field, naming the second
        errors.extend(warned.iter().map(|w| {
            FieldError::new(&w.fields[0], format!("{} (with {}; an error under --strict)", w.message, w.fields[1]))
        }));
    } else {
        // standard error: the output stays the errors alone
        for w in &warned {
            eprintln!("warning: {}", crate::sanitize::clean(&w.to_string()));
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&errors).expect("errors serialise"));
    } else if errors.is_empty() && warned.is_empty() {
        println!("valid");
    } else if errors.is_empty() {
        let n = warned.len();
        println!("valid, with {n} warning{} (--strict makes them errors)", if n == 1 { "" } else { "s" });
    } else {
        for e in &errors {
            println!("{}", crate::sanitize::clean(&e.to_string()));
        }
    }
    if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(exit::REFUSED) }
}

/// The channel document in `path` (`-`: standard input); a file that
/// cannot be read or parsed is reported (line, column, key) and gives exit 2.
pub(crate) fn load_document(path: &std::path::Path) -> Result<crate::model::ChannelDocument, ExitCode> {
    let text = read_input(path).map_err(|e| fail(exit::UNREADABLE, &format!("cannot read {}: {e}", path.display())))?;
    parse_document(&text).map_err(|e| fail(exit::UNREADABLE, &format!("{}: {e}", path.display())))
}

/// A file's text, or standard input for `-`.
pub(crate) fn read_input(path: &std::path::Path) -> std::io::Result<String> {
    if path.as_os_str() == "-" { std::io::read_to_string(std::io::stdin()) } else { std::fs::read_to_string(path) }
}
