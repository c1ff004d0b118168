//! The `chanwiz` command line: clap definitions and thin handlers that call
//! the layers below.

mod backend;
mod catalogue;
mod certs;
mod channels;
mod config;
mod docs;
mod drafts;
mod duration;
mod embedded;
mod export;
mod plan;
mod prompt;
mod schedule;
#[cfg(feature = "server")]
mod serve;
mod submit;
mod table;
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

/// Shown under every `--help`.
const EXIT_CODES: &str = "Exit codes: 0 done; 1 refused (invalid input; the backend or Telegram said no; \
a problem `webhook info` reports; no message arrived for `webhook test`); \
2 unreadable input or a wrong command line; 3 the backend could not be reached; \
4 changes pending (`plan --detailed-exitcode`); 130 interrupted.";

#[derive(Debug, Parser)]
#[command(
    name = "chanwiz",
    version,
    about = "Set up a Telegram customer-service channel from the terminal",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub wizard: wizard::WizardArgs,
    /// Open this draft in the wizard (its id, or a unique prefix of at least
    /// 4 characters).
    #[arg(value_name = "DRAFT")]
    pub draft: Option<String>,
    /// What follows a word that is neither a command nor a draft.
    #[arg(hide = true)]
    pub rest: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the wizard on a new draft, or on a channel document from a file
    /// (`--from FILE`, a partial one is fine) at its first field with an error.
    New(wizard::NewArgs),
    /// Check a channel document against every rule that needs no server.
    Validate(validate::ValidateArgs),
    /// The week of work time and what customers get at a moment (an
    /// agent, the non-working-time notification, offline messages).
    Schedule(schedule::ScheduleArgs),
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
    /// Compare a folder of channel documents with the backend: create,
    /// update (field by field), unchanged, only on the backend.
    Plan(plan::PlanArgs),
    /// Bring the backend in line with a folder of channel documents.
    Apply(plan::ApplyArgs),
    /// Show the tenant's catalogue (cached copy when the backend is unreachable).
    Catalogue(catalogue::CatalogueArgs),
    /// Fetch a server's certificate, import, list or remove the tenant's certificates.
    #[command(subcommand)]
    Certs(certs::CertsCommand),
    /// The backend URL, token and CA certificate kept in config.json.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Register, inspect, delete, rotate or test a channel's Telegram webhook.
    #[command(subcommand)]
    Webhook(webhook::WebhookCommand),
    /// Run the reference backend (configuration API and Telegram delivery).
    #[cfg(feature = "server")]
    Serve(serve::ServeArgs),
    /// Manage the reference backend's tenants.
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Tenant(serve::TenantCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(docs::CompletionsArgs),
    /// Print the man page (or write one page per command with -o DIR).
    Man(docs::ManArgs),
}

impl Command {
    /// The command's name as typed (for messages), and its backend flags
    /// when it talks to a backend.
    fn parts(&mut self) -> (&'static str, Option<&mut backend::BackendArgs>) {
        use channels::ChannelsCommand as Ch;
        use export::ExportAction as Ex;
        match self {
            Command::New(a) => ("new", Some(&mut a.wizard.backend)),
            Command::Validate(_) => ("validate", None),
            Command::Schedule(_) => ("schedule", None),
            Command::Drafts(_) => ("drafts", None),
            Command::Schema => ("schema", None),
            Command::Submit(a) => ("submit", Some(&mut a.backend)),
            Command::Channels(Ch::List { backend, .. }) => ("channels list", Some(backend)),
            Command::Channels(Ch::Show { backend, .. }) => ("channels show", Some(backend)),
            Command::Channels(Ch::Rm { backend, .. }) => ("channels rm", Some(backend)),
            Command::Channels(Ch::Pull { backend, .. }) => ("channels pull", Some(backend)),
            Command::Plan(a) => ("plan", Some(&mut a.backend)),
            Command::Apply(a) => ("apply", Some(&mut a.backend)),
            Command::Export(a) => match &mut a.action {
                Some(Ex::List { backend, .. }) => ("export list", Some(backend)),
                Some(Ex::Download { backend, .. }) => ("export download", Some(backend)),
                None => ("export", Some(&mut a.backend)),
            },
            Command::Catalogue(a) => ("catalogue", Some(&mut a.backend)),
            Command::Certs(c) => c.backend_mut(),
            Command::Config(_) => ("config", None),
            Command::Webhook(w) => ("webhook", Some(w.flags_mut().1)),
            #[cfg(feature = "server")]
            Command::Serve(_) => ("serve", None),
            #[cfg(feature = "server")]
            Command::Tenant(_) => ("tenant", None),
            Command::Completions(_) => ("completions", None),
            Command::Man(_) => ("man", None),
        }
    }
}

/// The options given before the command (`chanwiz --backend URL channels
/// list`) apply to it as if given after it (clap's `global` cannot be used:
/// the same flags are the wizard's own when there is no command). An option
/// the command has no use for is refused, never silently dropped.
fn absorb_globals(cli: &mut Cli) -> Result<(), String> {
    let top = &cli.wizard;
    let Some(cmd) = cli.command.as_mut() else {
        // `chanwiz chanels list`: a mistyped command, not a draft
        return match (&cli.draft, cli.rest.is_empty()) {
            (Some(word), false) => Err(unknown_word(word)),
            _ => Ok(()),
        };
    };
    if cli.draft.is_some() {
        return Err("a draft to open and a command cannot both be given".into());
    }
    if let Command::New(a) = cmd {
        // `chanwiz --accessible new` is `chanwiz new --accessible`
        let sub = &mut a.wizard;
        sub.accessible |= top.accessible;
        sub.mouse |= top.mouse;
        sub.ascii |= top.ascii;
        sub.keep_draft |= top.keep_draft;
        merge("--telegram-api", &top.telegram_api, &mut sub.telegram_api)?;
    }
    if top.accessible && !matches!(cmd, Command::New(_)) {
        return Err("--accessible is an option of the wizard (`chanwiz` or `chanwiz new`)".into());
    }
    if (top.mouse || top.ascii) && !matches!(cmd, Command::New(_)) {
        let flag = if top.mouse { "--mouse" } else { "--ascii" };
        return Err(format!("{flag} is an option of the wizard (`chanwiz` with no command)"));
    }
    if top.keep_draft && !matches!(cmd, Command::New(_)) {
        return Err("--keep-draft before a command is the wizard's: give it after `submit`".into());
    }
    let telegram = top.telegram_api.clone();
    let g = &top.backend;
    let given: Vec<&str> = [
        (g.backend.is_some(), "--backend"),
        (g.token.is_some(), "--token"),
        (g.ca_cert.is_some(), "--ca-cert"),
        (g.offline, "--offline"),
    ]
    .into_iter()
    .filter_map(|(set, flag)| set.then_some(flag))
    .collect();
    let name = cmd.parts().0;
    if telegram.is_some() {
        match cmd {
            Command::New(_) => {}
            Command::Webhook(w) => merge("--telegram-api", &telegram, w.flags_mut().0)?,
            #[cfg(feature = "server")]
            Command::Serve(a) => merge("--telegram-api", &telegram, &mut a.telegram_api)?,
            _ => {
                return Err(format!("`chanwiz {name}` does not talk to Telegram: --telegram-api does not apply to it"));
            }
        }
    }
    let (name, target) = cmd.parts();
    let Some(b) = target else {
        return match given.first() {
            Some(flag) => Err(format!("`chanwiz {name}` does not talk to a backend: {flag} does not apply to it")),
            None => Ok(()),
        };
    };
    b.command = name;
    merge("--backend", &g.backend, &mut b.backend)?;
    merge("--token", &g.token, &mut b.token)?;
    merge("--ca-cert", &g.ca_cert, &mut b.ca_cert)?;
    b.offline |= g.offline;
    if b.offline && b.backend.is_some() {
        return Err("--offline and --backend cannot be used together".into());
    }
    Ok(())
}

/// The refusal of a word that is neither a command nor a draft, with the
/// command it was likely meant to be.
pub(crate) fn unknown_word(word: &str) -> String {
    let word = crate::sanitize::clean(word);
    let names: Vec<String> = command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    let near = names
        .iter()
        .filter(|n| distance(n, &word) <= 2 || n.starts_with(word.as_ref()))
        .min_by_key(|n| distance(n, &word));
    match near {
        Some(n) => format!("no draft or command named '{word}' (did you mean `chanwiz {n}`?); see `chanwiz --help`"),
        None => format!("no draft or command named '{word}'; see `chanwiz --help` and `chanwiz drafts list`"),
    }
}

/// Levenshtein distance (short words only).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(row[j]).min(cur) };
            prev = cur;
        }
    }
    row[b.len()]
}

/// Take the value given before the command unless the one after it differs.
fn merge<T: Clone + PartialEq>(flag: &str, top: &Option<T>, sub: &mut Option<T>) -> Result<(), String> {
    match (top, sub.as_ref()) {
        (Some(t), Some(s)) if t != s => {
            Err(format!("{flag} is given twice, before and after the command, with different values"))
        }
        (Some(t), _) => {
            *sub = Some(t.clone());
            Ok(())
        }
        (None, _) => Ok(()),
    }
}

/// The command line's definition, every command's help ending with the exit
/// codes (what `main` parses, and what completions and man pages describe).
pub fn command() -> clap::Command {
    fn with_codes(cmd: clap::Command) -> clap::Command {
        cmd.after_help(EXIT_CODES).mut_subcommands(with_codes)
    }
    with_codes(<Cli as clap::CommandFactory>::command())
}

/// A reader that went away (`chanwiz completions bash | head -1`) ends the
/// command quietly with 0, as ripgrep does: printing panics on EPIPE
/// (`println!`, and libraries that `expect` their writes), so the panic hook
/// asks whether standard output is a pipe nobody reads, and if so exits
/// before any message. One place for every command.
fn quiet_on_closed_pipe() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if stdout_reader_gone() {
            std::process::exit(0);
        }
        previous(info)
    }));
}

/// Standard output is a pipe or socket whose reading end is closed.
fn stdout_reader_gone() -> bool {
    let mut fd = libc::pollfd { fd: libc::STDOUT_FILENO, events: libc::POLLOUT, revents: 0 };
    // SAFETY: one valid pollfd, no wait
    let n = unsafe { libc::poll(&mut fd, 1, 0) };
    n == 1 && fd.revents & libc::POLLERR != 0
}

pub fn main() -> ExitCode {
    use clap::FromArgMatches;
    quiet_on_closed_pipe();
    let mut cli = match Cli::from_arg_matches(&command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Err(message) = absorb_globals(&mut cli) {
        return fail(exit::UNREADABLE, &message);
    }
    match cli.command {
        Some(Command::New(args)) => {
            let start = wizard::Start::New(args.from.clone());
            with_paths(|paths| wizard::run(&args.wizard, &start, paths))
        }
        Some(Command::Validate(args)) => validate::run(&args, Paths::from_env().ok().as_ref()),
        Some(Command::Schedule(args)) => with_paths(|paths| schedule::run(&args, paths)),
        Some(Command::Drafts(cmd)) => with_paths(|paths| drafts::run(&cmd, paths)),
        Some(Command::Submit(args)) => with_paths(|paths| submit::run(&args, paths)),
        Some(Command::Channels(cmd)) => with_paths(|paths| channels::run(&cmd, paths)),
        Some(Command::Export(args)) => with_paths(|paths| export::run(&args, paths)),
        Some(Command::Plan(args)) => with_paths(|paths| plan::run_plan(&args, paths)),
        Some(Command::Apply(args)) => with_paths(|paths| plan::run_apply(&args, paths)),
        Some(Command::Catalogue(args)) => with_paths(|paths| catalogue::run(&args, paths)),
        Some(Command::Certs(cmd)) => with_paths(|paths| certs::run(&cmd, paths)),
        Some(Command::Config(cmd)) => with_paths(|paths| config::run(&cmd, paths)),
        Some(Command::Webhook(cmd)) => with_paths(|paths| webhook::run(&cmd, paths)),
        #[cfg(feature = "server")]
        Some(Command::Serve(args)) => with_paths(|paths| serve::run_serve(&args, paths)),
        #[cfg(feature = "server")]
        Some(Command::Tenant(cmd)) => with_paths(|paths| serve::run_tenant(&cmd, paths)),
        Some(Command::Completions(args)) => docs::completions(&args),
        Some(Command::Man(args)) => docs::man(&args),
        Some(Command::Schema) => {
            println!("{}", crate::schema::schema_json());
            ExitCode::SUCCESS
        }
        None => {
            let start = match cli.draft {
                Some(d) => wizard::Start::Draft(d),
                None => wizard::Start::Home,
            };
            with_paths(|paths| wizard::run(&cli.wizard, &start, paths))
        }
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
/// A write that failed because the reader of standard output went away is
/// no failure of the command: it ends quietly with 0 (see
/// [`quiet_on_closed_pipe`]).
pub(crate) fn fail(code: u8, message: &str) -> ExitCode {
    if message.contains("Broken pipe") && stdout_reader_gone() {
        return ExitCode::SUCCESS;
    }
    eprintln!("chanwiz: {}", crate::sanitize::clean_multiline(message));
    ExitCode::from(code)
}
