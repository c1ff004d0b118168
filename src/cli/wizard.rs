use std::process::ExitCode;

use clap::Args;

use super::{exit, fail};
use crate::drafts::DraftStore;
use crate::paths::Paths;
use crate::tui::app::{self, Options};

/// Options of the wizard (`chanwiz` with no command).
#[derive(Debug, Args)]
pub struct WizardArgs {
    /// Start without any backend: everything but Submit works.
    #[arg(long, global = false)]
    pub offline: bool,
    /// Capture the mouse (off by default: it breaks text selection).
    #[arg(long)]
    pub mouse: bool,
}

pub fn run(args: &WizardArgs, paths: &Paths) -> ExitCode {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return fail(exit::UNREADABLE, "the wizard needs a terminal; see `chanwiz --help` for the commands");
    }
    let store = match DraftStore::open(&paths.drafts()) {
        Ok(s) => s,
        Err(e) => return fail(exit::UNREADABLE, &e.to_string()),
    };
    let opts = Options { mouse: args.mouse, backend: None, backend_url: None, offline: args.offline };
    match app::run(store, opts) {
        Ok(outcome) => {
            if let Some(url) = outcome.integration_url {
                println!("integration URL (url used to send message to agent): {url}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(exit::UNREADABLE, &format!("terminal: {e}")),
    }
}
