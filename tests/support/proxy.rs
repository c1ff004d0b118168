//! A loopback HTTP proxy in front of a real backend that can lose answers:
//! each request is forwarded whole on a connection of its own, and for the
//! first `drop` requests matching a prefix of the request line the
//! backend's answer is read (so the backend has done the work) and the
//! client's connection is closed without it — a lost answer.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

pub struct Proxy {
    pub url: String,
    /// Answers lost so far.
    pub dropped: Arc<AtomicUsize>,
    /// Requests that matched the prefix (lost or not).
    pub matched: Arc<AtomicUsize>,
    /// Every request's head, in order.
    heads: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    /// Forward to the backend on loopback port `port`, losing the answers of
    /// the first `lose` requests.
    pub fn start(port: u16, lose: usize) -> Self {
        Self::losing(&format!("http://127.0.0.1:{port}"), "", lose)
    }

    /// Forward to `upstream` (`http://127.0.0.1:PORT`); lose the answers of
    /// the first `drop` requests whose request line starts with `prefix`.
    pub fn losing(upstream: &str, prefix: &str, drop: usize) -> Self {
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let dropped = Arc::new(AtomicUsize::new(0));
        let matched = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (d, m, h, prefix) = (dropped.clone(), matched.clone(), heads.clone(), prefix.to_string());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, prefix, d, m, h) = (upstream.clone(), prefix.clone(), d.clone(), m.clone(), h.clone());
                thread::spawn(move || {
                    let _ = serve(client, &upstream, &prefix, drop, &d, &m, &h);
                });
            }
        });
        Self { url, dropped, matched, heads }
    }

    /// How many answers were lost.
    pub fn lost(&self) -> usize {
        self.dropped.load(Ordering::SeqCst)
    }

    /// Every `Idempotency-Key` header value that went through, in order.
    pub fn idempotency_keys(&self) -> Vec<String> {
        let heads = self.heads.lock().unwrap();
        let mut keys = Vec::new();
        for head in heads.iter() {
            for line in head.lines() {
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

/// One request, then the connection closes.
fn serve(
    client: TcpStream,
    upstream: &str,
    prefix: &str,
    drop: usize,
    dropped: &AtomicUsize,
    matched: &AtomicUsize,
    heads: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut length = 0usize;
    let mut first = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if first.is_empty() {
            first = line.clone();
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("connection:") {
            continue;
        }
        if line == "\r\n" {
            head.extend_from_slice(b"connection: close\r\n\r\n");
            break;
        }
        head.extend_from_slice(line.as_bytes());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    heads.lock().unwrap().push(String::from_utf8_lossy(&head).into_owned());
    let mut up = TcpStream::connect(upstream)?;
    up.write_all(&head)?;
    up.write_all(&body)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    let lose = first.starts_with(prefix) && {
        matched.fetch_add(1, Ordering::SeqCst);
        dropped.load(Ordering::SeqCst) < drop
    };
    let mut client = client;
    if lose {
        dropped.fetch_add(1, Ordering::SeqCst);
        // the backend did the work; the answer never arrives
        return client.shutdown(std::net::Shutdown::Both);
    }
    client.write_all(&answer)?;
    client.shutdown(std::net::Shutdown::Both)
}
