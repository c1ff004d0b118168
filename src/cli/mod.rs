//! The `chanwiz` command line: clap definitions and thin handlers that call
//! the layers below.

mod backend;
mod catalogue;
mod channels;
mod config;
mod drafts;
mod embedded;
mod export;
mod prompt;
#[cfg(feature = "server")]
mod serve;
mod submit;
mod validate;
mod webhook;
mod wizard;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::paths::Paths;

/// Exit codes shared by every command.
pub mod exit {
    /// The input was refused (invalid document, unknown draft, server said no).
    pub const REFUSED: u8 = 1;
    /// The input could not be read or parsed, or the command line was wrong.
    pub const UNREADABLE: u8 = 2;
    /// The backend could not be reached.
    pub const UNREACHABLE: u8 = 3;

    /// The exit code of a kind of library error: the one place where error
    /// kinds become exit codes.
    pub fn of(kind: crate::error_kind::ErrorKind) -> u8 {
        use crate::error_kind::ErrorKind;
        match kind {
            ErrorKind::Refused => REFUSED,
            ErrorKind::Unreadable => UNREADABLE,
            ErrorKind::Unreachable => UNREACHABLE,
        }
    }
}

#[derive(Debug, Parser)]
#[command(name = "chanwiz", version, about = "Set up a Telegram customer-service channel from the terminal", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub wizard: wizard::WizardArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a channel document against every rule that needs no server.
    Validate(validate::ValidateArgs),
    /// Work with local drafts.
    #[command(subcommand)]
    Drafts(drafts::DraftsCommand),
    /// Print the JSON Schema of the channel document.
    Schema,
    /// Create (or, for a draft that edits one, update) a channel on the backend.
    Submit(submit::SubmitArgs),
    /// The channels stored on the backend.
    #[command(subcommand)]
    Channels(channels::ChannelsCommand),
    /// Export channels to a zip of CSV files.
    Export(export::ExportArgs),
    /// Show the tenant's catalogue (cached copy when the backend is unreachable).
    Catalogue(catalogue::CatalogueArgs),
    /// The backend URL, token and CA certificate kept in config.json.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Register, inspect, delete or rotate a channel's Telegram webhook.
    #[command(subcommand)]
    Webhook(webhook::WebhookCommand),
    /// Run the reference backend (configuration API and Telegram delivery).
    #[cfg(feature = "server")]
    Serve(serve::ServeArgs),
    /// Manage the reference backend's tenants.
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Tenant(serve::TenantCommand),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Validate(args)) => validate::run(&args),
        Some(Command::Drafts(cmd)) => with_paths(|paths| drafts::run(&cmd, paths)),
        Some(Command::Submit(args)) => with_paths(|paths| submit::run(&args, paths)),
        Some(Command::Channels(cmd)) => with_paths(|paths| channels::run(&cmd, paths)),
        Some(Command::Export(args)) => with_paths(|paths| export::run(&args, paths)),
        Some(Command::Catalogue(args)) => with_paths(|paths| catalogue::run(&args, paths)),
        Some(Command::Config(cmd)) => with_paths(|paths| config::run(&cmd, paths)),
        Some(Command::Webhook(cmd)) => with_paths(|paths| webhook::run(&cmd, paths)),
        #[cfg(feature = "server")]
        Some(Command::Serve(args)) => with_paths(|paths| serve::run_serve(&args, paths)),
        #[cfg(feature = "server")]
        Some(Command::Tenant(cmd)) => with_paths(|paths| serve::run_tenant(&cmd, paths)),
        Some(Command::Schema) => {
            println!("{}", crate::schema::schema_json());
            ExitCode::SUCCESS
        }
        None => with_paths(|paths| wizard::run(&cli.wizard, paths)),
    }
}

fn with_paths(f: impl FnOnce(&Paths) -> ExitCode) -> ExitCode {
    match Paths::from_env() {
        Ok(paths) => {
            crate::logging::init_file(&paths);
            let code = f(&paths);
            crate::logging::flush();
            code
        }
        Err(e) => fail(exit::UNREADABLE, &e.to_string()),
    }
}

/// Print `chanwiz: <message>` on stderr and return `code`.
pub(crate) fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("chanwiz: {}", crate::sanitize::clean_multiline(message));
    ExitCode::from(code)
}
