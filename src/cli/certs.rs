//! `chanwiz certs fetch|import|list|rm`: the certificates a channel's Trust
//! and Identity certificate fields choose from.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Subcommand, ValueEnum};

use super::backend::{BackendArgs, call, emit, report};
use crate::api::CertRole;
use crate::client::certs;
use crate::paths::Paths;
use crate::sanitize::{clean, clean_multiline};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// The API Fabric's certificate the channel trusts.
    Trust,
    /// This system's identity certificate.
    Identity,
}

impl From<RoleArg> for CertRole {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Trust => CertRole::Trust,
            RoleArg::Identity => CertRole::Identity,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CertsCommand {
    /// Take the certificate chain a server presents (without trusting it),
    /// print each certificate and write the server's own as FILE.pem and
    /// FILE.cer (DER), as the two openssl commands of the setup guide do.
    Fetch {
        /// The server, https://IP:PORT (e.g. the API Fabric's https://10.1.2.3:28090).
        url: String,
        /// Where to write: FILE.pem and FILE.cer (default: mycertfile).
        #[arg(short = 'o', long = "output", value_name = "FILE", default_value = "mycertfile")]
        output: PathBuf,
        /// How long to wait for the connection and each answer (`10`, `30s`, `2m`; 1s to 5m).
        #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
        timeout: Duration,
    },
    /// Upload a certificate file (PEM or DER) to the backend.
    Import {
        /// The certificate file (.pem, .cer, .crt, .der).
        file: PathBuf,
        /// What it is for: trust (Trust certificate) or identity (Identity certificate).
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Its name in the catalogue (default: the file's name without extension).
        #[arg(long)]
        name: Option<String>,
        /// Print the API's certificate object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// List the uploaded certificates: role, subject, expiry and the channels using each.
    List {
        /// Print a JSON array ({"id", "name", "role", "subject", "not_after", "expired", "used_by"}).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Remove an uploaded certificate (refused while a channel uses it).
    Rm {
        /// The certificate's id (see `chanwiz certs list`).
        id: String,
        #[command(flatten)]
        backend: BackendArgs,
    },
}

impl CertsCommand {
    pub fn backend_mut(&mut self) -> (&'static str, Option<&mut BackendArgs>) {
        match self {
            CertsCommand::Fetch { .. } => ("certs fetch", None),
            CertsCommand::Import { backend, .. } => ("certs import", Some(backend)),
            CertsCommand::List { backend, .. } => ("certs list", Some(backend)),
            CertsCommand::Rm { backend, .. } => ("certs rm", Some(backend)),
        }
    }
}

pub fn run(cmd: &CertsCommand, paths: &Paths) -> ExitCode {
    match cmd {
        CertsCommand::Fetch { url, output, timeout } => fetch(url, output, *timeout),
        CertsCommand::Import { file, role, name, json, backend } => {
            let cert = match backend
                .client(paths)
                .and_then(|c| call(certs::import_file(&c, file, (*role).into(), name.as_deref())))
            {
                Ok(c) => c,
                Err(code) => return code,
            };
            if *json {
                emit(&clean_multiline(&serde_json::to_string_pretty(&cert).expect("serialises")));
            } else {
                emit(&format!(
                    "imported {} certificate {} ({}): {}, expires {}",
                    cert.role.as_str(),
                    clean(&cert.id),
                    clean(&cert.name),
                    clean(&cert.subject),
                    clean(&cert.not_after)
                ));
            }
            ExitCode::SUCCESS
        }
        CertsCommand::List { json, backend } => list(*json, backend, paths),
        CertsCommand::Rm { id, backend } => match backend.client(paths).and_then(|c| call(c.delete_certificate(id))) {
            Ok(()) => {
                emit(&format!("removed certificate {}", clean(id)));
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
    }
}

/// From a second to five minutes ([`super::duration`]).
fn parse_timeout(text: &str) -> Result<Duration, String> {
    super::duration::parse(text, Duration::from_secs(1), Duration::from_secs(300))
}

fn fetch(url: &str, output: &std::path::Path, timeout: Duration) -> ExitCode {
    let chain = match certs::fetch_chain(url, timeout) {
        Ok(c) => c,
        Err(e) => return report(&e),
    };
    let mut text = String::new();
    for (i, c) in chain.iter().enumerate() {
        let which = if i == 0 { "the server's own".to_string() } else { format!("chain {i}") };
        text.push_str(&format!("certificate {} of {} ({which}):\n{}\n\n", i + 1, chain.len(), c.describe()));
    }
    match certs::write_fetched(&chain[0], output) {
        Ok((pem, der)) => {
            text.push_str(&format!(
                "wrote {} (PEM) and {} (DER); not verified: compare the SHA-256 with the server's administrator, then `chanwiz certs import {} --role trust`",
                pem.display(),
                der.display(),
                der.display()
            ));
            emit(&text);
            ExitCode::SUCCESS
        }
        Err(e) => {
            emit(text.trim_end());
            report(&e)
        }
    }
}

fn list(json: bool, backend: &BackendArgs, paths: &Paths) -> ExitCode {
    let rows = match backend.client(paths).and_then(|c| call(c.list_certificates())) {
        Ok(rows) => rows,
        Err(code) => return code,
    };
    if json {
        emit(&clean_multiline(&serde_json::to_string_pretty(&rows).expect("rows serialise")));
        return ExitCode::SUCCESS;
    }
    if rows.is_empty() {
        emit("no certificates: add one with `chanwiz certs import FILE --role trust|identity`");
        return ExitCode::SUCCESS;
    }
    use super::table::{Align::Left, Table};
    let mut table = Table::new(&[
        ("ID", Left),
        ("NAME", Left),
        ("ROLE", Left),
        ("EXPIRES", Left),
        ("SUBJECT", Left),
        ("USED BY", Left),
    ])
    .cap(1, 40)
    .cap(4, 40);
    let now = chrono::Utc::now();
    for r in &rows {
        let expires = match chrono::DateTime::parse_from_rfc3339(&r.not_after) {
            Ok(t) => {
                let t = t.with_timezone(&chrono::Utc);
                let mark = if r.expired {
                    " EXPIRED"
                } else if certs::expiry_warning(&r.id, t, now).is_some() {
                    " SOON"
                } else {
                    ""
                };
                format!("{}{mark}", t.format("%Y-%m-%d"))
            }
            Err(_) => clean(&r.not_after).into_owned(),
        };
        let used = if r.used_by.is_empty() {
            "-".to_string()
        } else {
            r.used_by.iter().map(|n| clean(n).into_owned()).collect::<Vec<_>>().join(", ")
        };
        table.row(vec![
            clean(&r.id).into_owned(),
            clean(&r.name).into_owned(),
            r.role.as_str().to_owned(),
            expires,
            clean(&r.subject).into_owned(),
            used,
        ]);
    }
    let text = table.render();
    emit(&text);
    ExitCode::SUCCESS
}
