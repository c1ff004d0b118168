//! The CLI run as a user runs it (its own home, the backend in its
//! environment, a short retry delay), the real backend as a child process
//! (`chanwiz serve`, see [`super::serve`]), and a loopback TCP proxy that can
//! lose the backend's answers. Used by the `client_*` tests.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;

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

/// A loopback TCP proxy in front of the backend. The first `lose` connections
/// carry their request to the backend, wait until the backend answers (so the
/// request has been carried out), then close without passing the answer on:
/// the client sees a connection that broke before any answer.
pub struct Proxy {
    pub url: String,
    state: Arc<Mutex<ProxyState>>,
}

struct ProxyState {
    lose: usize,
    lost: usize,
    requests: Vec<Arc<Mutex<Vec<u8>>>>,
}

impl Proxy {
    pub fn start(upstream_port: u16, lose: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let state = Arc::new(Mutex::new(ProxyState { lose, lost: 0, requests: Vec::new() }));
        let st = state.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(client) = conn else { continue };
                let Ok(upstream) = TcpStream::connect(("127.0.0.1", upstream_port)) else { continue };
                let seen = Arc::new(Mutex::new(Vec::new()));
                let lose_this = {
                    let mut s = st.lock().unwrap();
                    s.requests.push(seen.clone());
                    let l = s.lost < s.lose;
                    if l {
                        s.lost += 1;
                    }
                    l
                };
                let (c2, u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                thread::spawn(move || pump(c2, u2, Some(seen)));
                thread::spawn(move || {
                    if lose_this {
                        let mut up = upstream;
                        let mut buf = [0u8; 4096];
                        // The first byte of the answer means the backend is done.
                        let _ = up.read(&mut buf);
                        let _ = client.shutdown(Shutdown::Both);
                        let _ = up.shutdown(Shutdown::Both);
                    } else {
                        pump(upstream, client, None);
                    }
                });
            }
        });
        Proxy { url, state }
    }

    /// How many connections lost their answer.
    pub fn lost(&self) -> usize {
        self.state.lock().unwrap().lost
    }

    /// Every `Idempotency-Key` header value that went through, in order.
    pub fn idempotency_keys(&self) -> Vec<String> {
        let s = self.state.lock().unwrap();
        let mut keys = Vec::new();
        for r in &s.requests {
            let bytes = r.lock().unwrap();
            for line in String::from_utf8_lossy(&bytes).lines() {
                if let Some((name, value)) = line.split_once(':')
                    && name.trim().eq_ignore_ascii_case("idempotency-key")
                {
                    keys.push(value.trim().to_string());
                }
            }
        }
        keys
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, seen: Option<Arc<Mutex<Vec<u8>>>>) {
    let mut buf = [0u8; 16384];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if let Some(s) = &seen {
                    s.lock().unwrap().extend_from_slice(&buf[..n]);
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// A loopback address where nothing listens.
pub fn dead_backend() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}
