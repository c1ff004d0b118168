//! The CLI run as a user runs it (its own home, the backend in its
//! environment, a short retry delay), the real backend as a child process
//! (`chanwiz serve`, see [`super::serve`]), and the proxy that loses the
//! backend's answers ([`super::proxy`]). Used by the `client_*` tests.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[allow(unused_imports)]
pub use super::proxy::Proxy;
pub use super::serve::Server;
#[allow(unused_imports)]
pub use super::{APP_SECRET, EXAMPLE, Out, all_text_under, block_on};

impl Server {
    /// A configuration client for this server (short retry delay).
    pub fn client(&self) -> chanwiz::client::Client {
        client_for(&self.url, &self.token)
    }
}

/// A configuration client for the backend at `url` (short retry delay).
pub fn client_for(url: &str, token: &str) -> chanwiz::client::Client {
    super::backend_client(url, token, None, super::quick_backoff())
}

/// The CLI as a user runs it, with its own home directory.
pub struct Cli {
    pub home: tempfile::TempDir,
    pub backend: Option<String>,
    pub token: Option<String>,
}

impl Cli {
    pub fn new(backend: &str, token: &str) -> Self {
        Cli { home: tempfile::tempdir().unwrap(), backend: Some(backend.into()), token: Some(token.into()) }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_chanwiz"));
        c.args(args)
            .env("CHANWIZ_HOME", self.home.path())
            .env("CHANWIZ_LOG", "debug")
            .env_remove("CHANWIZ_BACKEND")
            .env_remove("CHANWIZ_TOKEN")
            .env_remove("CHANWIZ_CA_CERT")
            .env("CHANWIZ_RETRY_DELAY_MS", super::RETRY_DELAY_MS)
            .stdin(Stdio::null());
        if let Some(b) = &self.backend {
            c.env("CHANWIZ_BACKEND", b);
        }
        if let Some(t) = &self.token {
            c.env("CHANWIZ_TOKEN", t);
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Out {
        Out::from(self.command(args).output().unwrap())
    }

    /// Run with `stdin` fed to standard input.
    pub fn run_with_input(&self, args: &[&str], stdin: &str) -> Out {
        let mut child =
            self.command(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        Out::from(child.wait_with_output().unwrap())
    }

    pub fn drafts_dir(&self) -> PathBuf {
        self.home.path().join("data/drafts")
    }

    pub fn store(&self) -> chanwiz::drafts::DraftStore {
        chanwiz::drafts::DraftStore::open(&self.drafts_dir()).unwrap()
    }

    /// The example document stored as a draft (APP Secret remembered).
    pub fn example_draft(&self, name: &str) -> chanwiz::drafts::Draft {
        let mut doc = chanwiz::model::parse_document(EXAMPLE).unwrap();
        doc.basic.channel_name = name.into();
        self.store().create(doc, true).unwrap()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home.path().join("data/chanwiz.log")).unwrap_or_default()
    }
}

/// A loopback address where nothing listens.
pub fn dead_backend() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}
