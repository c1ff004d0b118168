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
        /// The tenant's time zone for `chanwiz schedule` and the week view
        /// (an IANA name, e.g. Europe/Berlin; default: TZ, else UTC).
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
    },
    /// Show the settings in effect and where each comes from (never the token).
    Show {
        /// Print {"config_file", "backend", "token", "ca_cert", "tz"} as JSON, each
        /// setting as {"value", "origin"} (the token's value never: only
        /// whether it is set).
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: &ConfigCommand, paths: &Paths) -> ExitCode {
    match run_in(cmd, paths) {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

fn run_in(cmd: &ConfigCommand, paths: &Paths) -> Result<ExitCode, ClientError> {
    match cmd {
        ConfigCommand::Set { backend, token_stdin, ca_cert, clear_token, tz } => {
            if backend.is_none() && !token_stdin && ca_cert.is_none() && !clear_token && tz.is_none() {
                return Ok(fail(
                    exit::UNREADABLE,
                    "nothing to set: give --backend, --token-stdin, --ca-cert, --clear-token or --tz",
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
            if let Some(zone) = tz {
                match crate::client::config::parse_zone(zone) {
                    Ok(z) => file.tz = Some(z.name().to_string()),
                    Err(e) => return Ok(fail(exit::UNREADABLE, &format!("--tz: {e}"))),
                }
            }
            let written = file.save(paths)?;
            println!("saved {}", written.display());
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Show { json } => {
            let file = FileConfig::load(paths)?;
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
            let f = file.clone().unwrap_or_default();
            let config_file = config::config_file(paths);
            let embedded = env(ENV_BACKEND).is_none() && f.backend.is_none();
            // (value, origin) of each setting
            let db = super::embedded::db_file(paths);
            let backend: (String, String) = env(ENV_BACKEND)
                .map(|v| (v, ENV_BACKEND.to_string()))
                .or(f.backend.map(|v| (v, "config.json".into())))
                .unwrap_or_else(|| (db.display().to_string(), "embedded".into()));
            let token: (bool, String) = if embedded {
                (true, format!("embedded ({})", super::embedded::token_file(&db).display()))
            } else if env(ENV_TOKEN).is_some() {
                (true, ENV_TOKEN.into())
            } else if f.token.is_some() {
                (true, "config.json".into())
            } else {
                (false, "none".into())
            };
            let zone = config::time_zone(None, file.as_ref(), std::env::var("TZ").ok().as_deref()).unwrap_or((
                crate::model::schedule::Zone::utc(),
                "default (config.json's tz is not a time zone)".into(),
            ));
            let ca: Option<(String, String)> = env(ENV_CA_CERT)
                .map(|v| (v, ENV_CA_CERT.to_string()))
                .or(f.ca_cert.map(|p| (p.display().to_string(), "config.json".into())));
            if *json {
                let value = serde_json::json!({
                    "config_file": { "path": config_file, "exists": file.is_some() },
                    "backend": { "value": backend.0, "origin": backend.1 },
                    "token": { "set": token.0, "origin": token.1 },
                    "ca_cert": ca.as_ref().map(|(v, o)| serde_json::json!({ "value": v, "origin": o })),
                    "tz": { "value": zone.0.name(), "origin": zone.1 },
                });
                println!(
                    "{}",
                    crate::sanitize::clean_multiline(&serde_json::to_string_pretty(&value).expect("serialises"))
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!("config file: {}{}", config_file.display(), if file.is_none() { " (none)" } else { "" });
            let backend_text = if backend.1 == "embedded" {
                format!("embedded ({})", backend.0)
            } else {
                format!("{} (from {})", backend.0, backend.1)
            };
            println!("backend:     {}", crate::sanitize::clean(&backend_text));
            let token_text = match (token.0, embedded) {
                (true, true) => {
                    format!("the local backend's, in {} (not shown)", super::embedded::token_file(&db).display())
                }
                (true, false) => format!("set (from {}; not shown)", token.1),
                (false, _) => "not set".into(),
            };
            println!("token:       {token_text}");
            let ca_text = ca.map_or("none (public CAs only)".to_string(), |(v, o)| format!("{v} (from {o})"));
            println!("CA cert:     {}", crate::sanitize::clean(&ca_text));
            println!("time zone:   {} (from {})", zone.0.name(), zone.1);
            Ok(ExitCode::SUCCESS)
        }
    }
}
