use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::backend::BackendArgs;
use super::{exit, fail};
use crate::drafts::{Draft, DraftError, DraftStore};
use crate::paths::Paths;
use crate::tui::app;
use crate::tui::backend::{Backend, Remote};

/// Options of the wizard (`chanwiz` with no command).
#[derive(Debug, Clone, Default, Args)]
pub struct WizardArgs {
    /// Plain line prompts, one field at a time: no full-screen drawing, no
    /// colour, no cursor addressing (screen readers, serial consoles). Also
    /// chosen by ACCESSIBLE=1 or TERM=dumb.
    #[arg(long)]
    pub accessible: bool,
    /// Capture the mouse (off by default: it breaks text selection).
    #[arg(long)]
    pub mouse: bool,
    /// Keep a draft after the backend confirmed its submit (it then edits
    /// the channel); by default it is removed.
    #[arg(long)]
    pub keep_draft: bool,
    /// Draw with ASCII only (▸ ✗ ✓ ● as > x + *): for a terminal without
    /// UTF-8, e.g. PuTTY with a legacy character set. Chosen by itself when
    /// LC_ALL, LC_CTYPE or LANG names another charset; also CHANWIZ_ASCII=1.
    #[arg(long)]
    pub ascii: bool,
    /// Bot API base URL (a local Bot API server, tests). Default:
    /// $CHANWIZ_TELEGRAM_API, then https://api.telegram.org.
    #[arg(long, value_name = "URL")]
    pub telegram_api: Option<String>,
    #[command(flatten)]
    pub backend: BackendArgs,
}

/// `chanwiz new`: the wizard on a new draft, or on a document from a file.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// A channel document (JSON) to start from; a partial one is fine
    /// (missing fields take their defaults). The wizard opens on its first
    /// field with an error, or on Review.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub wizard: WizardArgs,
}

/// What the wizard opens on.
pub enum Start {
    /// The home screen (the accessible mode: the list of drafts).
    Home,
    /// A draft given by id or prefix (`chanwiz DRAFT_ID`).
    Draft(String),
    /// `chanwiz new [--from FILE]`.
    New(Option<PathBuf>),
}

/// The accessible mode is asked for: `--accessible`, `ACCESSIBLE` set (not
/// empty), or `TERM=dumb` — unless `ACCESSIBLE=0` (or false, no) says no.
fn accessible(args: &WizardArgs) -> bool {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let said = env("ACCESSIBLE").map(|v| !matches!(v.to_ascii_lowercase().as_str(), "0" | "false" | "no"));
    args.accessible || said.unwrap_or_else(|| env("TERM").as_deref() == Some("dumb"))
}

/// The draft to open, made or loaded.
fn start_draft(start: &Start, store: &DraftStore) -> Result<Option<(Draft, bool)>, String> {
    match start {
        Start::Home => Ok(None),
        Start::New(None) => Ok(Some((Draft::new(Default::default()), false))),
        Start::New(Some(path)) => {
            let shown = format!("--from {}", path.display());
            let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
            let doc = crate::model::parse_document(&text).map_err(|e| format!("{shown}: {e}"))?;
            Ok(Some((crate::tui::start::draft_from(doc), false)))
        }
        Start::Draft(key) => match store.resolve(key).and_then(|id| store.open_for_edit(&id)) {
            Ok(d) => Ok(Some((d, true))),
            Err(DraftError::NotFound(_)) => Err(super::unknown_word(key)),
            Err(e) => Err(e.to_string()),
        },
    }
}

pub fn run(args: &WizardArgs, start: &Start, paths: &Paths) -> ExitCode {
    use std::io::IsTerminal;
    let store = match DraftStore::open(&paths.drafts()) {
        Ok(s) => Arc::new(s),
        Err(e) => return fail(exit::UNREADABLE, &e.to_string()),
    };
    let start = match start_draft(start, &store) {
        Ok(s) => s,
        Err(e) => return fail(exit::UNREADABLE, &e),
    };
    let accessible = accessible(args);
    if !accessible && (!std::io::stdout().is_terminal() || !std::io::stdin().is_terminal()) {
        return fail(
            exit::UNREADABLE,
            "the wizard needs a terminal (or --accessible for plain lines); see `chanwiz --help` for the commands",
        );
    }

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
    // offline, the backend set is still named (not asked)
    let offline_url = if offline { args.backend.configured_url(paths).ok().flatten() } else { None };
    // offline: the catalogue and channel pages cached by an earlier online
    // run (of the backend used by default: the local one when none is set)
    let offline_catalogue = if offline { args.backend.caches(paths).ok() } else { None };
    let paths2 = paths.clone();
    let telegram = crate::telegram::ApiConfig::resolve(args.telegram_api.as_deref()).map_err(|e| e.to_string());
    if let Ok(api) = &telegram {
        // the local backend, when it starts, asks the same Bot API
        super::embedded::use_telegram_api(api.base_url());
    }
    let make_backend = move || -> (Option<Arc<dyn Backend>>, Option<String>) {
        if let Some(client) = remote {
            let url = client.backend().to_string();
            return (Some(Arc::new(Remote::new(client, &paths2.cache))), Some(url));
        }
        if offline {
            return (None, offline_url);
        }
        super::embedded::backend(&paths2)
    };
    let ascii = args.ascii
        || std::env::var("CHANWIZ_ASCII").is_ok_and(|v| v == "1")
        || !crate::tui::text::locale_is_utf8(|k| std::env::var(k).ok());
    // the tenant's time zone: config.json's tz, else TZ, else UTC
    let file = crate::client::config::FileConfig::load(paths).ok().flatten();
    let tz = crate::client::config::time_zone(None, file.as_ref(), std::env::var("TZ").ok().as_deref())
        .map_or_else(|_| crate::model::schedule::Zone::utc(), |(z, _)| z);
    let result = if accessible {
        let opts = crate::tui::accessible::Options { keep_draft: args.keep_draft, telegram, offline_catalogue };
        crate::tui::accessible::run(store, start, opts, make_backend)
    } else {
        app::run(store, args.mouse, ascii, args.keep_draft, telegram, offline_catalogue, start, tz, make_backend)
    };
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
