//! `chanwiz completions SHELL` and `chanwiz man`: generated from the clap
//! definitions themselves (clap_complete, clap_mangen), so they never
//! disagree with what the command line accepts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{command, exit, fail};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for, e.g. `source <(chanwiz completions bash)`.
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (chanwiz.1, chanwiz-submit.1,
    /// chanwiz-channels-list.1…) into this directory instead of printing
    /// the main page on standard output.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
}

pub fn completions(args: &CompletionsArgs) -> ExitCode {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
        Shell::Elvish => S::Elvish,
    };
    let mut cmd = command();
    clap_complete::generate(shell, &mut cmd, "chanwiz", &mut std::io::stdout());
    ExitCode::SUCCESS
}

pub fn man(args: &ManArgs) -> ExitCode {
    let cmd = command();
    let result = match &args.output {
        None => page(&cmd, true).and_then(|bytes| std::io::Write::write_all(&mut std::io::stdout(), &bytes)),
        Some(dir) => write_pages(cmd, dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(exit::UNREADABLE, &format!("man pages not written: {e}")),
    }
}

/// One page for the command and one for each subcommand, named as man(1)
/// names them (`chanwiz-channels-list.1`).
fn write_pages(cmd: clap::Command, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cmd;
    cmd.build();
    let mut queue = vec![(String::from("chanwiz"), cmd)];
    while let Some((name, cmd)) = queue.pop() {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            queue.push((format!("{name}-{}", sub.get_name()), sub.clone().name(format!("{name}-{}", sub.get_name()))));
        }
        let bytes = page(&cmd, name == "chanwiz")?;
        crate::fsutil::atomic_write(&dir.join(format!("{name}.1")), &bytes)?;
        eprintln!("{}", dir.join(format!("{name}.1")).display());
    }
    Ok(())
}

/// One command's page; the main page (`main`) also gets ENVIRONMENT, FILES
/// and EXIT STATUS, and its synopsis leaves out the hidden catch-all
/// argument (clap_mangen lists hidden positionals there).
fn page(cmd: &clap::Command, main: bool) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut bytes)?;
    if !main {
        return Ok(bytes);
    }
    let text = String::from_utf8_lossy(&bytes).replace(" [\\fIREST\\fR]", "");
    let extra = extra_sections();
    let text = match text.find(".SH VERSION") {
        Some(at) => format!("{}{extra}{}", &text[..at], &text[at..]),
        None => format!("{text}{extra}"),
    };
    Ok(text.into_bytes())
}

/// The variables chanwiz reads, as the main page's ENVIRONMENT lists them.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    ("CHANWIZ_BACKEND", "The configuration API's URL (else the configured one, else the local backend)."),
    ("CHANWIZ_TOKEN", "The tenant token sent to that backend."),
    ("CHANWIZ_CA_CERT", "A PEM file of the CA to trust for the backend's TLS certificate."),
    ("CHANWIZ_HOME", "One directory for everything (DIR/data, DIR/config, DIR/cache) instead of the per-user ones."),
    ("CHANWIZ_BOT_TOKEN", "The bot token for `webhook set` and `webhook rotate` (or --bot-token-file)."),
    ("CHANWIZ_APP_SECRET_<NAME>", "The APP Secret of channel NAME for `apply`."),
    ("CHANWIZ_TELEGRAM_API", "The Bot API's address (default https://api.telegram.org)."),
    ("CHANWIZ_SERVER_KEY_FILE", "`serve`: the key file that seals stored secrets."),
    ("CHANWIZ_LOG", "The log filter of chanwiz.log (default info); -v writes it to standard error."),
    ("CHANWIZ_ASCII", "1: draw with ASCII only (as --ascii)."),
    ("CHANWIZ_DELIVERY_TIMEOUT_MS", "How long the delivery test waits for a message."),
    ("CHANWIZ_RETRY_DELAY_MS", "The first wait before a request is sent again."),
    ("NO_COLOR", "Set: no colours."),
    ("EDITOR, VISUAL", "The external editor of message fields (Ctrl-X)."),
];

/// The files chanwiz keeps, as the main page's FILES lists them (Linux
/// paths; CHANWIZ_HOME moves them all).
pub const FILES: &[(&str, &str)] = &[
    ("~/.local/share/chanwiz/drafts/", "The drafts, one JSON file each, and index.jsonl (a cache of their list)."),
    ("~/.local/share/chanwiz/chanwiz.log", "The log, rotated at 4 MB (chanwiz.log.1 … .3)."),
    (
        "~/.local/share/chanwiz/backend.sqlite3",
        "The local backend's database (and .token, its tenant token; .exports/).",
    ),
    ("~/.config/chanwiz/config.json", "`config set`: the backend's URL and token file."),
    ("~/.cache/chanwiz/", "The cached catalogue and channel pages, for offline work."),
];

/// The exit codes, as `--help` and the main page's EXIT STATUS give them.
pub const EXIT_STATUS: &[(u8, &str)] = &[
    (0, "Done (`webhook info`: the webhook points here and nothing fails)."),
    (
        exit::REFUSED,
        "Refused: invalid input; the backend or Telegram said no; a problem reported by `webhook info`; no message arrived for `webhook test`.",
    ),
    (exit::UNREADABLE, "Unreadable input or a wrong command line."),
    (exit::UNREACHABLE, "The backend could not be reached."),
    (4, "Changes pending (`plan --detailed-exitcode`)."),
    (130, "Interrupted."),
];

/// `text` as roff prints it literally (backslashes, leading dots and
/// quotes, hyphens that are not to be hyphenation points).
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') { format!("\\&{escaped}") } else { escaped }
}

/// The sections clap knows nothing of, in roff.
fn extra_sections() -> String {
    let mut out = String::new();
    let mut section = |title: &str, items: Vec<(String, &str)>| {
        out.push_str(&format!(".SH {title}\n"));
        for (term, text) in items {
            out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff_text(&term), roff_text(text)));
        }
    };
    section("ENVIRONMENT", ENVIRONMENT.iter().map(|(k, v)| (k.to_string(), *v)).collect());
    section("FILES", FILES.iter().map(|(k, v)| (k.to_string(), *v)).collect());
    section("EXIT STATUS", EXIT_STATUS.iter().map(|(k, v)| (k.to_string(), *v)).collect());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variable the code reads is on the page.
    #[test]
    fn every_chanwiz_variable_read_is_documented() {
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for (at, _) in text.match_indices("\"CHANWIZ_") {
                    let name: String =
                        text[at + 1..].chars().take_while(|c| c.is_ascii_uppercase() || *c == '_').collect();
                    let documented = ENVIRONMENT.iter().any(|(k, _)| k.split(", ").any(|k| k.starts_with(&name)));
                    if !documented && !missing.contains(&name) {
                        missing.push(name);
                    }
                }
            }
        }
        assert!(missing.is_empty(), "not in the man page's ENVIRONMENT: {missing:?}");
    }

    /// `--help`'s line of exit codes and the page's EXIT STATUS agree.
    #[test]
    fn the_exit_codes_of_help_and_of_the_page_are_the_same() {
        for (code, _) in EXIT_STATUS {
            assert!(super::super::EXIT_CODES.contains(&format!("{code} ")), "--help lacks exit code {code}");
        }
    }
}
