//! What every command that talks to the backend shares: the connection
//! flags, a small tokio runtime and the printing of client errors.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::client::{Client, ClientError, Flags, config};
use crate::paths::Paths;
use crate::sanitize::clean;

#[derive(Clone, Default, Args)]
pub struct BackendArgs {
    /// Backend URL, e.g. https://10.1.2.3:8443 (plain http:// only to this
    /// machine). Default: $CHANWIZ_BACKEND, then config.json.
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,
    /// Tenant admin token. Default: $CHANWIZ_TOKEN, then config.json (prefer
    /// those: a flag is visible to other users in the process list).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// PEM or DER file of a private CA that signed the backend's certificate.
    /// Default: $CHANWIZ_CA_CERT, then config.json.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Do not contact the backend: what can be answered from the cache of
    /// the last online run is (its age shown); the rest is refused.
    #[arg(long, conflicts_with = "backend")]
    pub offline: bool,
    /// The command these flags belong to (for messages).
    #[arg(skip)]
    pub command: &'static str,
}

impl std::fmt::Debug for BackendArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.flags().fmt(f)
    }
}

impl BackendArgs {
    pub fn flags(&self) -> Flags {
        Flags { backend: self.backend.clone(), token: self.token.clone(), ca_cert: self.ca_cert.clone() }
    }

    /// A client for the resolved settings (flag > environment > file); the
    /// local backend, started for this command, when no backend is set.
    pub fn connect(&self, paths: &Paths) -> Result<Client, ClientError> {
        if self.offline {
            return Err(ClientError::Offline(format!("chanwiz {}", self.command).trim_end().to_string()));
        }
        if !self.configured(paths)? {
            return super::embedded::client(paths);
        }
        let settings = config::from_env(&self.flags(), paths)?;
        Client::new(&settings)
    }

    /// Whether a backend is set (flag, environment or config file). A config
    /// file that cannot be read is an error, not "none": falling back to the
    /// local backend would hide it.
    pub fn configured(&self, paths: &Paths) -> Result<bool, ClientError> {
        let set = |v: Option<String>| v.is_some_and(|b| !b.trim().is_empty());
        Ok(set(self.backend.clone())
            || set(std::env::var(config::ENV_BACKEND).ok())
            || set(crate::client::FileConfig::load(paths)?.and_then(|f| f.backend)))
    }

    /// The backend these flags set (flag, environment or config file), if
    /// any: shown while `--offline` leaves it unasked.
    pub fn configured_url(&self, paths: &Paths) -> Result<Option<String>, ClientError> {
        if !self.configured(paths)? {
            return Ok(None);
        }
        self.cache_key(paths).map(Some)
    }

    /// What the caches of the backend these flags lead to are named by: the
    /// local backend's key when none is set, else its URL.
    fn cache_key(&self, paths: &Paths) -> Result<String, ClientError> {
        if !self.configured(paths)? {
            return Ok(super::embedded::CACHE_KEY.to_string());
        }
        let file = crate::client::FileConfig::load(paths)?;
        let (url, _) = config::resolve_backend(&self.flags(), &|k| std::env::var(k).ok(), file.as_ref())?;
        Ok(url.as_str().trim_end_matches('/').to_string())
    }

    /// The catalogue cache of the backend these flags lead to.
    pub fn catalogue_cache(&self, paths: &Paths) -> Result<crate::client::CatalogueCache, ClientError> {
        Ok(crate::client::CatalogueCache::new(&paths.cache, &self.cache_key(paths)?))
    }

    /// Everything cached of the backend these flags lead to.
    pub fn caches(&self, paths: &Paths) -> Result<crate::client::cache::Caches, ClientError> {
        Ok(crate::client::cache::Caches::new(&paths.cache, &self.cache_key(paths)?))
    }
}

/// Run `future` to completion on a single-threaded runtime.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, ExitCode> {
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => Ok(rt.block_on(future)),
        Err(e) => Err(super::fail(super::exit::UNREADABLE, &format!("cannot start the async runtime: {e}"))),
    }
}

/// Run `call` on a single-threaded runtime; a client error is printed and
/// becomes the exit code.
pub fn call<T, F: std::future::Future<Output = Result<T, ClientError>>>(call: F) -> Result<T, ExitCode> {
    match block_on(call)? {
        Ok(v) => Ok(v),
        Err(e) => Err(report(&e)),
    }
}

impl BackendArgs {
    /// [`BackendArgs::connect`], printing the error.
    pub fn client(&self, paths: &Paths) -> Result<Client, ExitCode> {
        self.connect(paths).map_err(|e| report(&e))
    }
}

/// Print a client error (422: one `path: message` line per broken rule) and
/// return its exit code.
pub fn report(err: &ClientError) -> ExitCode {
    let code = super::fail(super::exit::of(err.kind()), &err.to_string());
    if let ClientError::Invalid { errors, message, .. } = err {
        // a rule the headline has said already is not said again
        for e in errors.iter().filter(|e| e.message != *message) {
            eprintln!("{}: {}", clean(&e.path), clean(&e.message));
        }
    }
    code
}

/// Write `text` and a newline to standard output. A closed pipe (`| head`)
/// ends the output quietly instead of panicking.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.write_all(b"\n")).and_then(|()| out.flush());
}
