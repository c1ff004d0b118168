//! Helpers shared by the integration tests (`mod support;`), one copy of
//! each fixture:
//! - this module: the example document and its APP Secret, a backend client
//!   with a short retry delay, a command's output, file searches;
//! - [`cli`]: the CLI run as a user runs it, a proxy that loses answers;
//! - [`serve`]: `chanwiz serve` as a child process;
//! - [`server`]: the reference backend in this process, with a raw HTTP client;
//! - [`webhook`]: the backend over HTTPS plus the Bot API stand-in;
//! - [`telegram_standin`]: the local Bot API stand-in;
//! - [`tmux`]: the wizard in a real terminal.
#![allow(dead_code)]

pub mod cli;
pub mod proxy;
pub mod raw;
pub mod serve;
#[cfg(feature = "server")]
pub mod server;
pub mod telegram_standin;
pub mod tmux;
pub mod tui;
#[cfg(feature = "server")]
pub mod webhook;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use chanwiz::client::{Backoff, Client, Flags, Options, config};
use chanwiz::model::ChannelDocument;

/// The complete valid example document (`assets/examples/telegram-channel.json`).
pub const EXAMPLE: &str = include_str!("../../assets/examples/telegram-channel.json");
/// The APP Secret of the example document.
pub const APP_SECRET: &str = "Example-Secret-Replace-Me-0123456789";

/// What the CLI and the wizard are given as `CHANWIZ_RETRY_DELAY_MS` in
/// tests: retries happen as in real use, without waiting real seconds.
pub const RETRY_DELAY_MS: &str = "1";

/// The example document.
pub fn example() -> ChannelDocument {
    chanwiz::model::parse_document(EXAMPLE).unwrap()
}

/// The example document under another channel name.
pub fn named(name: &str) -> ChannelDocument {
    let mut d = example();
    d.basic.channel_name = name.to_string();
    d
}

/// A backoff as in real use, but waiting milliseconds.
pub fn quick_backoff() -> Backoff {
    Backoff { first: Duration::from_millis(1), ..Backoff::default() }
}

/// A configuration client for the backend at `url` (trusting `ca_cert`),
/// retrying with `backoff`.
pub fn backend_client(url: &str, token: &str, ca_cert: Option<&Path>, backoff: Backoff) -> Client {
    let settings = config::resolve(
        &Flags { backend: Some(url.into()), token: Some(token.into()), ca_cert: ca_cert.map(Path::to_path_buf) },
        &|_| None,
        None,
    )
    .unwrap();
    Client::with_options(&settings, Options { backoff, ..Default::default() }).unwrap()
}

/// Run an async block on a fresh runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// A finished command: its exit code and its output as text.
#[derive(Debug)]
pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Out {
    fn from(o: Output) -> Self {
        Out {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Out {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Every file under `dir`, as text (lossy), for secret searches.
pub fn all_text_under(dir: &Path) -> String {
    let mut out = String::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.push_str(&all_text_under(&p));
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push_str(&String::from_utf8_lossy(&bytes));
            out.push('\n');
        }
    }
    out
}

/// A document with `null` for every field (sections kept as objects), as
/// a client that sends every key would: it means the empty document.
pub const EVERY_FIELD_NULL: &str = include_str!("every-field-null.json");
/// The example with `null` for each field it may leave out (defaults, and
/// the fields of a setting it turns off): a valid document.
pub const EXAMPLE_WITH_NULLS: &str = include_str!("example-with-nulls.json");

/// The same JSON without its `null` entries (at any depth of objects).
pub fn without_nulls(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect()
        }
        other => other.clone(),
    }
}

/// For each key of `doc` (every field and section, at every depth of
/// objects): its dotted path, `doc` with `null` there, and `doc` without it.
pub fn each_key_null(doc: &serde_json::Value) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    use serde_json::Value;
    fn walk(doc: &Value, value: &Value, at: &mut Vec<String>, out: &mut Vec<(String, Value, Value)>) {
        let Some(map) = value.as_object() else { return };
        for (k, v) in map {
            at.push(k.clone());
            let (last, up) = at.split_last().unwrap();
            let (mut nulled, mut absent) = (doc.clone(), doc.clone());
            up.iter().fold(&mut nulled, |d, k| &mut d[k.as_str()])[last.as_str()] = Value::Null;
            up.iter().fold(&mut absent, |d, k| &mut d[k.as_str()]).as_object_mut().unwrap().remove(last);
            out.push((at.join("."), nulled, absent));
            walk(doc, v, at, out);
            at.pop();
        }
    }
    let mut out = Vec::new();
    walk(doc, doc, &mut Vec::new(), &mut out);
    out
}
