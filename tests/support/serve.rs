//! `chanwiz serve` as a child process on a temporary SQLite file, loopback
//! only: started with `--demo`, its printed address and token read back.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;

/// `chanwiz serve` running on a temporary database.
pub struct Server {
    child: Child,
    pub url: String,
    pub token: String,
    pub certificate: Option<PathBuf>,
    pub dir: tempfile::TempDir,
    /// Why the server serves read-only (its `read-only:` line), if it does.
    pub read_only: Option<String>,
}

impl Server {
    pub fn start(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, extra)
    }

    /// Start on the database in `dir` (again: a restarted server keeps its data).
    pub fn start_in(dir: tempfile::TempDir, extra: &[&str]) -> Self {
        Self::start_with(dir, extra, None)
    }

    /// Start again on the database in `dir`, where `token` was issued
    /// before: a server that starts read-only issues no new one.
    pub fn restart_in(dir: tempfile::TempDir, token: &str) -> Self {
        Self::start_with(dir, &[], Some(token.to_string()))
    }

    fn start_with(dir: tempfile::TempDir, extra: &[&str], token: Option<String>) -> Self {
        let db = dir.path().join("server.db");
        let mut child = Command::new(env!("CARGO_BIN_EXE_chanwiz"))
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(&db)
            .arg("--demo")
            .args(extra)
            .env("CHANWIZ_HOME", dir.path().join("server-home"))
            .env_remove("CHANWIZ_BACKEND")
            .env_remove("CHANWIZ_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("chanwiz serve starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut url, mut certificate, mut read_only) = (None, None, None);
        let mut token = token;
        while url.is_none() || token.is_none() || (extra.contains(&"--tls-self-signed") && certificate.is_none()) {
            let line = match lines.next() {
                Some(Ok(l)) => l,
                other => {
                    let _ = child.kill();
                    panic!("chanwiz serve ended before it printed its address and token: {other:?}");
                }
            };
            if let Some(v) = line.strip_prefix("listening:") {
                url = Some(v.trim().to_string());
            } else if let Some(v) = line.strip_prefix("token:") {
                token = Some(v.trim().to_string());
            } else if let Some(v) = line.strip_prefix("certificate:") {
                certificate = Some(PathBuf::from(v.trim()));
            } else if let Some(v) = line.strip_prefix("read-only:") {
                read_only = Some(v.trim().to_string());
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        thread::spawn(move || for _ in lines {});
        Server { child, url: url.unwrap(), token: token.unwrap(), certificate, dir, read_only }
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.url.rsplit(':').next().unwrap().trim_end_matches('/').parse().unwrap()
    }

    /// Stop the server and keep its database directory.
    pub fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `chanwiz serve` as a user starts it in their own home (`CHANWIZ_HOME`),
/// with `args` and no `--db`: it serves the local backend's file.
pub struct HomeServer {
    child: Child,
    pub url: String,
    /// What it printed on standard error before listening (and just after).
    pub stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl HomeServer {
    pub fn start(home: &std::path::Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chanwiz"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("CHANWIZ_HOME", home)
            .env_remove("CHANWIZ_BACKEND")
            .env_remove("CHANWIZ_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chanwiz serve starts");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (err, sink) = (child.stderr.take().unwrap(), stderr.clone());
        thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(v) = line.strip_prefix("listening:") {
                        break v.trim().to_string();
                    }
                }
                other => {
                    let _ = child.kill();
                    panic!("chanwiz serve ended before it printed its address: {other:?} {}", stderr.lock().unwrap());
                }
            }
        };
        thread::spawn(move || for _ in lines {});
        HomeServer { child, url, stderr }
    }
}

impl Drop for HomeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
