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
        None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout()),
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
        let mut bytes = Vec::new();
        clap_mangen::Man::new(cmd.clone()).render(&mut bytes)?;
        crate::fsutil::atomic_write(&dir.join(format!("{name}.1")), &bytes)?;
        eprintln!("{}", dir.join(format!("{name}.1")).display());
    }
    Ok(())
}
