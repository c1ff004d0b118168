use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::backend::BackendArgs;
use super::{exit, fail};
use crate::drafts::DraftStore;
use crate::paths::Paths;
use crate::tui::app;
use crate::tui::backend::{Backend, Remote};

/// Options of the wizard (`chanwiz` with no command).
#[derive(Debug, Args)]
pub struct WizardArgs {
    /// Capture the mouse (off by default: it breaks text selection).
    #[arg(long)]
    pub mouse: bool,
    /// Keep a draft after the backend confirmed its submit (it then edits
    /// the channel); by default it is removed.
    #[arg(long)]
    pub keep_draft: bool,
    /// Bot API base URL (a local Bot API server, tests). Default:
    /// $CHANWIZ_TELEGRAM_API, then https://api.telegram.org.
    #[arg(long, value_name = "URL")]
    pub telegram_api: Option<String>,
    #[command(flatten)]
    pub backend: BackendArgs,
}

pub fn run(args: &WizardArgs, paths: &Paths) -> ExitCode {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return fail(exit::UNREADABLE, "the wizard needs a terminal; see `chanwiz --help` for the commands");
    }
    let store = match DraftStore::open(&paths.drafts()) {
        Ok(s) => Arc::new(s),
        Err(e) => return fail(exit::UNREADABLE, &e.to_string()),
    };
    // A configured backend must be usable: say why not before drawing.
    let configured = match args.backend.offline {
        true => false,
        false => match args.backend.configured(paths) {
            Ok(c) => c,
            Err(e) => return super::backend::report(&e),
        },
    };
    let remote = if !configured {
        None
    } else {
        match args.backend.connect(paths) {
            Ok(client) => Some(client),
            Err(e) => return super::backend::report(&e),
        }
    };
    let offline = args.backend.offline;
    // offline: the catalogue and channel pages cached by an earlier online
    // run (of the backend used by default: the local one when none is set)
    let offline_catalogue = if offline { args.backend.caches(paths).ok() } else { None };
    let paths2 = paths.clone();
    let telegram = crate::telegram::ApiConfig::resolve(args.telegram_api.as_deref()).map_err(|e| e.to_string());
    if let Ok(api) = &telegram {
        // the local backend, when it starts, asks the same Bot API
        super::embedded::use_telegram_api(api.base_url());
    }
    // the tenant's time zone: config.json's tz, else TZ, else UTC
    let file = crate::client::config::FileConfig::load(paths).ok().flatten();
    let tz = crate::client::config::time_zone(None, file.as_ref(), std::env::var("TZ").ok().as_deref())
        .map_or(chrono_tz::UTC, |(z, _)| z);
    let result = app::run(
        store,
        args.mouse,
        args.keep_draft,
        telegram,
        offline_catalogue,
        tz,
        move || -> (Option<Arc<dyn Backend>>, Option<String>) {
            if let Some(client) = remote {
                let url = client.backend().to_string();
                return (Some(Arc::new(Remote::new(client, &paths2.cache))), Some(url));
            }
            if offline {
                return (None, None);
            }
            super::embedded::backend(&paths2)
        },
    );
    match result {
        Ok(outcome) => {
            if let Some(url) = outcome.integration_url {
                println!("integration URL (url used to send message to agent): {}", crate::sanitize::clean(&url));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(exit::UNREADABLE, &format!("terminal: {e}")),
    }
}
