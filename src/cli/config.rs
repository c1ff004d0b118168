//! `chanwiz config set|show`: the backend settings kept in config.json
//! (mode 0600: it holds the token).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::backend::report;
use super::{exit, fail};
use crate::client::config::{self, ENV_BACKEND, ENV_CA_CERT, ENV_TOKEN, FileConfig};
use crate::client::{ClientError, Token};
use crate::paths::Paths;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Store the backend URL, token and/or CA certificate in config.json.
    Set {
        /// Backend URL, e.g. https://10.1.2.3:8443.
        #[arg(long, value_name = "URL")]
        backend: Option<String>,
        /// Read the token from standard input (first line).
        #[arg(long)]
        token_stdin: bool,
        /// PEM or DER file of the private CA of the backend's certificate.
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
        /// Forget the stored token.
        #[arg(long, conflicts_with = "token_stdin")]
        clear_token: bool,
    },
    /// Show the settings in effect and where each comes from (never the token).
    Show,
}

pub fn run(cmd: &ConfigCommand, paths: &Paths) -> ExitCode {
    match run_in(cmd, paths) {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

fn run_in(cmd: &ConfigCommand, paths: &Paths) -> Result<ExitCode, ClientError> {
    match cmd {
        ConfigCommand::Set { backend, token_stdin, ca_cert, clear_token } => {
            if backend.is_none() && !token_stdin && ca_cert.is_none() && !clear_token {
                return Ok(fail(
                    exit::UNREADABLE,
                    "nothing to set: give --backend, --token-stdin, --ca-cert or --clear-token",
                ));
            }
            let mut file = FileConfig::load(paths)?.unwrap_or_default();
            if let Some(b) = backend {
                let url = config::parse_backend(b)
                    .map_err(|m| ClientError::Config(format!("--backend {}: {m}", b.trim())))?;
                file.backend = Some(url.as_str().trim_end_matches('/').to_string());
            }
            if let Some(path) = ca_cert {
                config::read_ca_cert(path)?;
                let abs = std::path::absolute(path).map_err(|source| ClientError::Io { path: path.clone(), source })?;
                file.ca_cert = Some(abs);
            }
            if *token_stdin {
                let line = super::prompt::secret("Tenant admin token (not shown)")
                    .map_err(|source| ClientError::Io { path: "standard input".into(), source })?
                    .ok_or_else(|| ClientError::Config("no token given; nothing was saved".into()))?;
                file.token = Some(Token::new(&line)?.expose().to_string());
            }
            if *clear_token {
                file.token = None;
            }
            let written = file.save(paths)?;
            println!("saved {}", written.display());
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Show => {
            let file = FileConfig::load(paths)?;
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
            let f = file.clone().unwrap_or_default();
            println!(
                "config file: {}{}",
                config::config_file(paths).display(),
                if file.is_none() { " (none)" } else { "" }
            );
            let embedded = env(ENV_BACKEND).is_none() && f.backend.is_none();
            let backend = env(ENV_BACKEND)
                .map(|v| format!("{v} (from {ENV_BACKEND})"))
                .or(f.backend.map(|v| format!("{v} (from config.json)")));
            let backend =
                backend.unwrap_or_else(|| format!("embedded ({})", super::embedded::db_file(paths).display()));
            println!("backend:     {}", crate::sanitize::clean(&backend));
            let token = if embedded {
                let file = super::embedded::token_file(&super::embedded::db_file(paths));
                format!("the local backend's, in {} (not shown)", file.display())
            } else if env(ENV_TOKEN).is_some() {
                format!("set (from {ENV_TOKEN}; not shown)")
            } else if f.token.is_some() {
                "set (from config.json; not shown)".into()
            } else {
                "not set".into()
            };
            println!("token:       {token}");
            let ca = env(ENV_CA_CERT)
                .map(|v| format!("{v} (from {ENV_CA_CERT})"))
                .or(f.ca_cert.map(|p| format!("{} (from config.json)", p.display())));
            println!("CA cert:     {}", crate::sanitize::clean(&ca.unwrap_or_else(|| "none (public CAs only)".into())));
            Ok(ExitCode::SUCCESS)
        }
    }
}
