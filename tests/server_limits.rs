//! `chanwiz serve` under slow, idle, numerous and greedy clients, and input
//! made to blow up its answers: real sockets on loopback against the built
//! binary on a temporary SQLite file, with small limits set by its flags.

#![cfg(feature = "server")]

mod support;

use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::serve::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const EXAMPLE: &str = include_str!("../assets/examples/telegram-channel.json");

/// Longest any one wait in these tests may take before it counts as "never"
/// (a guard against hanging, not a measurement).
const NEVER: Duration = Duration::from_secs(30);

fn addr(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_string()
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // a new connection for every request: the tests count connections
    reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap()
}

/// Read until the server closes the connection (or resets it); what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(NEVER, stream.read(&mut buf)).await {
            Err(_) => panic!("the server never closed the connection; it sent: {}", String::from_utf8_lossy(&got)),
            Ok(Ok(0)) | Ok(Err(_)) => return got,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

fn health_request() -> &'static [u8] {
    b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
}

#[tokio::test]
async fn a_client_sending_its_headers_slowly_is_cut_off() {
    let server = Server::start(&["--header-timeout", "500ms"]);
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    stream.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.unwrap();
    // one byte every 50 ms, never ending the header: 20 s of it at most
    let mut cut_off = false;
    for _ in 0..400 {
        if stream.write_all(b"y").await.is_err() {
            cut_off = true;
            break;
        }
        let mut buf = [0u8; 1024];
        match tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buf)).await {
            Err(_) => {}
            Ok(Ok(0) | Err(_)) => {
                cut_off = true;
                break;
            }
            Ok(Ok(n)) => {
                let text = String::from_utf8_lossy(&buf[..n]).to_string();
                assert!(!text.contains(" 200 "), "answered a request whose header never ended: {text}");
            }
        }
    }
    assert!(cut_off, "a header sent one byte at a time was waited for without end");
    // the server still serves others
    let r = http().get(format!("{}/api/v1/health", server.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn idle_connections_are_closed() {
    let server = Server::start(&["--header-timeout", "300ms"]);
    // a connection that never sends anything
    let mut silent = TcpStream::connect(addr(&server)).await.unwrap();
    assert_eq!(read_until_closed(&mut silent).await, b"");

    // a kept-alive connection after its answer
    let mut kept = TcpStream::connect(addr(&server)).await.unwrap();
    kept.write_all(health_request()).await.unwrap();
    let answer = String::from_utf8(read_until_closed(&mut kept).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(!answer.to_ascii_lowercase().contains("connection: close"), "the answer itself closed: {answer}");
}

/// A connection sending a create whose body is still arriving: it has a
/// request in flight, so it is never the idle one closed to make room.
async fn busy(server: &Server, i: usize) -> TcpStream {
    let mut busy = TcpStream::connect(addr(server)).await.unwrap();
    let head = format!(
        "POST /api/v1/channels HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n\
         Idempotency-Key: busy-{i}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{",
        server.token
    );
    busy.write_all(head.as_bytes()).await.unwrap();
    busy
}

#[tokio::test]
async fn connections_beyond_the_cap_are_refused_with_503_until_one_frees() {
    let server = Server::start(&["--max-connections", "50", "--max-connections-per-address", "200"]);
    // fifty clients each sending a create whose body is still arriving:
    // none is idle, so none can be closed to make room
    let mut idle = Vec::new();
    for i in 0..50 {
        idle.push(busy(&server, i).await);
    }
    // the 51st: a clear refusal, not a hang
    let r = http().get(format!("{}/api/v1/health", server.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(r.headers()["connection"], "close");
    let body: Value = r.json().await.unwrap();
    let message = body["error"].as_str().unwrap();
    assert!(message.contains("too many open connections") && message.contains("50"), "{message}");

    // one idle client leaves: health answers a new client again
    drop(idle.pop());
    let mut answered = None;
    for _ in 0..200 {
        let r = http().get(format!("{}/api/v1/health", server.url)).send().await.unwrap();
        if r.status() == StatusCode::OK {
            answered = Some(r.status());
            break;
        }
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(answered, Some(StatusCode::OK));
}

/// Read one small answer (head and body arrive together).
async fn read_answer(stream: &mut TcpStream) -> String {
    let mut buf = [0u8; 4096];
    let n = tokio::time::timeout(NEVER, stream.read(&mut buf)).await.unwrap().unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Every slot taken by clients from many addresses, each asked once and now
/// idle: a new client is served, and the connection idle the longest is the
/// one closed to make room for it.
#[tokio::test]
async fn at_the_cap_the_idlest_connection_is_closed_to_make_room() {
    let server = Server::start(&["--max-connections", "8"]);
    let mut idle = Vec::new();
    for i in 0..8u8 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("127.0.0.{}:0", i + 2).parse().unwrap()).unwrap();
        let mut s = socket.connect(addr(&server).parse().unwrap()).await.unwrap();
        s.write_all(health_request()).await.unwrap();
        assert!(read_answer(&mut s).await.starts_with("HTTP/1.1 200"));
        idle.push(s);
    }
    // idle long enough to be closed to make room
    tokio::time::sleep(chanwiz::server::limits::MIN_IDLE * 2).await;
    // the first of them asks again: it is not the idlest any more
    let mut asked_again = idle.remove(0);
    asked_again.write_all(health_request()).await.unwrap();
    assert!(read_answer(&mut asked_again).await.starts_with("HTTP/1.1 200"));
    // a new client (one connection, kept alive) is served, three times
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let r = client.get(format!("{}/api/v1/health", server.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "a new client was refused while every connection was idle");
    }
    // the idlest was closed for it; the one that asked again and the next idlest are still served
    assert!(read_until_closed(&mut idle[0]).await.is_empty());
    asked_again.write_all(health_request()).await.unwrap();
    assert!(read_answer(&mut asked_again).await.starts_with("HTTP/1.1 200"));
    let mut next = idle.remove(1);
    next.write_all(health_request()).await.unwrap();
    assert!(read_answer(&mut next).await.starts_with("HTTP/1.1 200"), "a connection not the idlest was closed");
}

/// One address holding hundreds of sockets (idle, or sending nothing)
/// cannot lock out anyone else: it gets a few dozen connections, a few
/// more are told why, the rest are closed; the health route answers every
/// probe from another address meanwhile. The attacker is bound to
/// 127.0.0.2, the probe comes from 127.0.0.1.
#[tokio::test]
async fn one_address_holding_hundreds_of_sockets_does_not_lock_out_another() {
    let server = Server::start(&["--max-connections", "256"]);
    let attacker: std::net::SocketAddr = "127.0.0.2:0".parse().unwrap();
    let mut held = Vec::new();
    for _ in 0..300 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(attacker).unwrap();
        match socket.connect(addr(&server).parse().unwrap()).await {
            Ok(s) => held.push(s),
            Err(e) => panic!("connect: {e}"),
        }
    }
    let mut ok = 0;
    for _ in 0..20 {
        let r = http().get(format!("{}/api/v1/health", server.url)).send().await;
        ok += usize::from(r.is_ok_and(|r| r.status() == StatusCode::OK));
    }
    assert_eq!(ok, 20, "health probes from another address were refused while one address held 300 sockets");
    // a held one over its address's share learns why
    let last = held.last_mut().unwrap();
    let _ = last.write_all(health_request()).await;
    let answer = String::from_utf8(read_until_closed(last).await).unwrap();
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 503"), "{answer}");
}

/// A new connection that sends nothing is closed within a couple of
/// seconds (the first-request timeout), long before the idle timeout.
#[tokio::test]
async fn a_new_connection_that_sends_nothing_is_cut_within_the_first_request_timeout() {
    let server = Server::start(&["--first-request-timeout", "300ms", "--header-timeout", "10s"]);
    let mut silent = TcpStream::connect(addr(&server)).await.unwrap();
    let start = std::time::Instant::now();
    assert_eq!(read_until_closed(&mut silent).await, b"");
    assert!(start.elapsed() < Duration::from_secs(9), "kept for the idle timeout, not the first-request one");
}

#[tokio::test]
async fn connections_beyond_the_refusal_slots_are_closed_unanswered() {
    let server = Server::start(&["--max-connections", "2", "--max-connections-per-address", "200"]);
    // the two served are busy (so neither can be closed to make room)
    let mut held = vec![busy(&server, 0).await, busy(&server, 1).await];
    for _ in 0..chanwiz::server::limits::REFUSAL_SLOTS {
        held.push(TcpStream::connect(addr(&server)).await.unwrap());
    }
    // a full request, yet no answer: the file descriptors stay bounded
    let mut extra = TcpStream::connect(addr(&server)).await.unwrap();
    let _ = extra.write_all(health_request()).await;
    assert_eq!(String::from_utf8_lossy(&read_until_closed(&mut extra).await), "");
    // one of the held ones over the cap still gets its clear refusal
    let last = held.last_mut().unwrap();
    last.write_all(health_request()).await.unwrap();
    let answer = String::from_utf8(read_until_closed(last).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_gets_408_and_the_connection_closes() {
    let server = Server::start(&["--body-timeout", "300ms"]);
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    let head = format!(
        "POST /api/v1/channels HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nIdempotency-Key: slow-body\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"basic\":",
        server.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = String::from_utf8(read_until_closed(&mut stream).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(answer.contains("did not arrive in time"), "{answer}");
}

#[tokio::test]
async fn a_request_not_answered_by_its_deadline_gets_408_and_the_connection_closes() {
    // the body would have 30 s; the whole request only 300 ms
    let server = Server::start(&["--request-timeout", "300ms"]);
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    let head = format!(
        "PUT /api/v1/channels/0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Authorization: Bearer {}\r\nIf-Match: \"1\"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{",
        server.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = String::from_utf8(read_until_closed(&mut stream).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(answer.contains("application/json") && answer.contains("was not answered within 0.3 s"), "{answer}");
}

#[tokio::test]
async fn the_tls_handshake_is_bounded() {
    let server = Server::start(&["--tls-self-signed", "--tls-handshake-timeout", "300ms"]);
    let addr = server.url.trim_start_matches("https://").to_string();
    let mut silent = TcpStream::connect(addr).await.unwrap();
    assert_eq!(read_until_closed(&mut silent).await, b"");
}

#[test]
fn an_idle_connection_after_the_tls_handshake_is_closed() {
    use std::io::Read;
    let server = Server::start(&["--tls-self-signed", "--header-timeout", "300ms"]);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let pem = std::fs::read(server.certificate.as_ref().unwrap()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in <rustls_pki_types::CertificateDer as rustls_pki_types::pem::PemObject>::pem_slice_iter(&pem) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let mut socket = std::net::TcpStream::connect(server.url.trim_start_matches("https://")).unwrap();
    socket.set_read_timeout(Some(NEVER)).unwrap();
    while tls.is_handshaking() {
        tls.complete_io(&mut socket).unwrap();
    }
    // the handshake is done; the client says nothing more
    let mut stream = rustls::Stream::new(&mut tls, &mut socket);
    let mut buf = [0u8; 512];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Ok(n) => panic!("the server sent {n} bytes to a client that asked nothing"),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
            panic!("the server never closed an idle TLS connection")
        }
        // closed without close_notify, or reset: closed all the same
        Err(_) => {}
    }
}

#[tokio::test]
async fn a_burst_beyond_the_tenant_rate_gets_429_with_retry_after() {
    let server = Server::start(&["--rate-limit", "1", "--rate-burst", "5"]);
    let http = http();
    let list = |token: &str| http.get(format!("{}/api/v1/channels", server.url)).bearer_auth(token.to_string());
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..20 {
        let r = list(&server.token).send().await.unwrap();
        statuses.push(r.status());
        if r.status() == StatusCode::TOO_MANY_REQUESTS && refused.is_none() {
            let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            let body: Value = r.json().await.unwrap();
            refused = Some((wait, body));
        }
    }
    assert!(statuses[..5].iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    let (wait, body) = refused.unwrap_or_else(|| panic!("no 429 in {statuses:?}"));
    assert!(wait >= 1, "{wait}");
    assert!(body["error"].as_str().unwrap().contains("Too many requests"), "{body}");

    // another tenant has its own allowance; health needs none
    let out = Command::new(env!("CARGO_BIN_EXE_chanwiz"))
        .args(["tenant", "add", "other", "--db"])
        .arg(server.dir.path().join("server.db"))
        .env("CHANWIZ_HOME", server.dir.path().join("home"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let other = String::from_utf8(out.stdout).unwrap().trim().strip_prefix("token: ").unwrap().to_string();
    assert_eq!(list(&other).send().await.unwrap().status(), StatusCode::OK);
    let r = http.get(format!("{}/api/v1/health", server.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// POST a create with this body (already JSON text).
async fn create_raw(server: &Server, body: String) -> (StatusCode, String) {
    let r = http()
        .post(format!("{}/api/v1/channels", server.url))
        .bearer_auth(&server.token)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_create_breaking_340000_rules_answers_100_of_them_in_at_most_64_kib() {
    let server = Server::start(&[]);
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["basic"]["transfer_keywords"] = json!(vec![""; 340_000]);
    let text = doc.to_string();
    assert!(text.len() < 1024 * 1024, "{}", text.len());
    let (status, body) = create_raw(&server, text).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.len() <= 64 * 1024, "{} bytes", body.len());
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["errors"].as_array().unwrap().len(), 100);
    // every empty keyword, and the one rule of at most 20 keywords
    let more = body["more"].as_u64().unwrap();
    assert_eq!(more, 340_001 - 100);
    let total = (more + 100).to_string();
    assert!(body["error"].as_str().unwrap().contains(&total), "{body}");
    // the client still reads it as the 422 it is
    let parsed: chanwiz::api::ApiError = serde_json::from_value(body).unwrap();
    assert_eq!((parsed.errors.len(), parsed.more), (100, Some(more)));
}

#[tokio::test]
async fn an_unknown_huge_key_is_echoed_only_as_a_short_clean_excerpt() {
    let server = Server::start(&[]);
    let key = format!("\u{1b}]0;owned\u{7}{}", "k".repeat(1_000_000));
    let (status, body) = create_raw(&server, json!({ key: 1 }).to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.len() <= 4 * 1024, "{} bytes: the key was echoed", body.len());
    // the terminal sequence (ESC ] ... BEL) is dropped whole
    assert!(!body.contains("\\u001b") && !body.contains("owned"), "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    let path = body["errors"][0]["path"].as_str().unwrap();
    assert!(path.starts_with("kkkk") && path.ends_with('…') && path.len() <= 210, "{path}");
}

/// `chanwiz serve --demo` with `CHANWIZ_LOG` unset (the default level),
/// stopped with SIGTERM so its log is flushed; its address, token and home.
struct Logged {
    child: std::process::Child,
    url: String,
    token: String,
    home: tempfile::TempDir,
}

impl Logged {
    fn start() -> Self {
        use std::io::BufRead;
        let home = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_chanwiz"))
            .args(["serve", "--addr", "127.0.0.1:0", "--demo", "--db"])
            .arg(home.path().join("server.db"))
            .env("CHANWIZ_HOME", home.path())
            .env_remove("CHANWIZ_LOG")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let url = lines.next().unwrap().unwrap().strip_prefix("listening: ").unwrap().to_string();
        let token = lines.next().unwrap().unwrap().strip_prefix("token: ").unwrap().to_string();
        std::thread::spawn(move || for _ in lines {});
        Logged { child, url, token, home }
    }

    /// Stop cleanly and return the log.
    fn stop(mut self) -> String {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        assert!(self.child.wait().unwrap().success());
        std::fs::read_to_string(self.home.path().join("data/chanwiz.log")).unwrap()
    }
}

#[tokio::test]
async fn health_checks_and_successful_reads_are_not_logged_at_the_default_level() {
    let server = Logged::start();
    let http = http();
    for _ in 0..5 {
        assert_eq!(http.get(format!("{}/api/v1/health", server.url)).send().await.unwrap().status(), StatusCode::OK);
    }
    let r = http.get(format!("{}/api/v1/catalogue", server.url)).bearer_auth(&server.token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = http.get(format!("{}/api/v1/channels", server.url)).bearer_auth("cwt_wrong").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http
        .post(format!("{}/api/v1/channels", server.url))
        .bearer_auth(&server.token)
        .header("Idempotency-Key", "logged-1")
        .header("Content-Type", "application/json")
        .body(EXAMPLE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let log = server.stop();
    let requests: Vec<&str> = log.lines().filter(|l| l.contains(" request")).collect();
    assert!(requests.iter().any(|l| l.contains("status=401")), "{log}");
    assert!(requests.iter().any(|l| l.contains("POST") && l.contains("status=201")), "{log}");
    assert!(!log.contains("/api/v1/health"), "{log}");
    assert!(!log.contains("/api/v1/catalogue"), "{log}");
}

/// As the tenant of `server`: `method path` with `body`; status and JSON.
async fn call(server: &Server, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = http().request(method, format!("{}{path}", server.url)).bearer_auth(&server.token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Deliver `body` to channel `id` as Telegram does, with its webhook secret.
async fn deliver(server: &Server, id: &str, body: String) -> StatusCode {
    let (_, integration) =
        call(server, reqwest::Method::GET, &format!("/api/v1/channels/{id}/integration"), None).await;
    let secret = integration["webhook_secret"].as_str().unwrap().to_string();
    http()
        .post(format!("{}/apiaccess/telegram/message/{id}", server.url))
        .header("X-Telegram-Bot-Api-Secret-Token", secret)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

/// The update ids a channel keeps, asked_again first, and the bytes of its answer.
async fn kept(server: &Server, id: &str) -> (Vec<i64>, String) {
    let r = http()
        .get(format!("{}/api/v1/channels/{id}/updates?limit=1000", server.url))
        .bearer_auth(&server.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    (v.as_array().unwrap().iter().map(|u| u["update_id"].as_i64().unwrap()).collect(), text)
}

#[tokio::test]
async fn stored_updates_are_bounded_per_channel_and_per_tenant_and_kept_as_sent() {
    let server = Server::start(&["--updates-bytes-per-channel", "256KiB", "--updates-bytes-per-tenant", "400KiB"]);
    let (_, a) = support::raw::create(&server, &support::raw::named("Updates_A"), "quota-a").await;
    let (_, b) = support::raw::create(&server, &support::raw::named("Updates_B"), "quota-b").await;
    let (a, b) = (a["id"].as_str().unwrap().to_string(), b["id"].as_str().unwrap().to_string());
    let big = |update_id: i64| format!("{{\"update_id\": {update_id}, \"pad\": \"{}\"}}", "x".repeat(60 * 1024));
    // ten updates of 60 KiB: the channel keeps the asked_again four (240 KiB of its 256)
    for n in 1..=10 {
        assert_eq!(deliver(&server, &a, big(n)).await, StatusCode::OK);
    }
    assert_eq!(kept(&server, &a).await.0, [10, 9, 8, 7]);
    // kept as sent, byte for byte (spacing, escapes and key order too)
    let odd = r#"{ "update_id" : 11,"message":{"text":"caf\u00e9 ☕", "b":1 ,"a":2}}"#;
    assert_eq!(deliver(&server, &a, odd.to_string()).await, StatusCode::OK);
    let (ids, text) = kept(&server, &a).await;
    assert_eq!(ids, [11, 10, 9, 8, 7]);
    assert!(text.contains(odd), "the stored update is not what Telegram sent: {}", &text[..200]);
    // the other channel's deliveries push the tenant past 400 KiB: its oldest updates go, whichever channel
    for n in 21..=24 {
        assert_eq!(deliver(&server, &b, big(n)).await, StatusCode::OK);
    }
    assert_eq!(kept(&server, &b).await.0, [24, 23, 22, 21]);
    let (ids, _) = kept(&server, &a).await;
    assert_eq!(ids, [11, 10, 9], "channel A should keep only its asked_again within the tenant's 400 KiB");
    // every delivery was still counted
    let (_, latest) =
        call(&server, reqwest::Method::GET, &format!("/api/v1/channels/{a}/deliveries/latest"), None).await;
    assert_eq!(latest["count"], 11, "{latest}");
}

fn certificate_pem(name: &str) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["gw.example".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    params.self_signed(&key).unwrap().pem()
}

#[tokio::test]
async fn a_tenant_at_its_certificate_quota_is_refused_naming_the_limit() {
    // the demo tenant holds two certificates
    let server = Server::start(&["--certificates-per-tenant", "3"]);
    let upload = |name: &'static str| {
        let server = &server;
        async move {
            let body = json!({"name": name, "role": "trust", "pem": certificate_pem(name)});
            call(server, reqwest::Method::POST, "/api/v1/certificates", Some(body)).await
        }
    };
    let (status, third) = upload("Third").await;
    assert_eq!(status, StatusCode::CREATED, "{third}");
    let (status, refused) = upload("Fourth").await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let message = refused["error"].as_str().unwrap();
    assert!(message.contains("3 certificates") && message.contains("--certificates-per-tenant"), "{message}");
    let (_, list) = call(&server, reqwest::Method::GET, "/api/v1/certificates", None).await;
    assert_eq!(list.as_array().unwrap().len(), 3, "the refused upload was stored");
    // one deleted makes room
    let id = third["id"].as_str().unwrap();
    let (status, _) = call(&server, reqwest::Method::DELETE, &format!("/api/v1/certificates/{id}"), None).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(upload("Fourth").await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn a_tenant_keeping_its_quota_of_finished_exports_is_refused_naming_the_limit() {
    let server = Server::start(&["--exports-kept-per-tenant", "2"]);
    support::raw::create(&server, &support::raw::named("Exported"), "quota-export").await;
    let export = || call(&server, reqwest::Method::POST, "/api/v1/exports", Some(json!({"channel_ids": []})));
    for _ in 0..2 {
        let (status, task) = export().await;
        assert_eq!(status, StatusCode::ACCEPTED, "{task}");
        let id = task["id"].as_str().unwrap().to_string();
        for _ in 0..400 {
            let (_, t) = call(&server, reqwest::Method::GET, &format!("/api/v1/exports/{id}"), None).await;
            if t["status"] == "success" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    let (status, refused) = export().await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let message = refused["error"].as_str().unwrap();
    assert!(
        message.contains("2 finished exports")
            && message.contains("--exports-kept-per-tenant")
            && message.contains("expires"),
        "{message}"
    );
    let (_, tasks) = call(&server, reqwest::Method::GET, "/api/v1/exports", None).await;
    assert_eq!(tasks.as_array().unwrap().len(), 2, "the refused export was started");
}

/// An address whose deliveries keep being refused is answered 429 only
/// after a delay (a second by default), so each of its connections costs
/// the server at most a request or two a second however fast it sends.
#[tokio::test]
async fn forged_deliveries_past_the_throttle_wait_for_their_429() {
    let server = Server::start(&["--refused-delivery-delay", "400ms"]);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let forger = reqwest::Client::new();
    let forge = || {
        forger
            .post(format!("{}/apiaccess/telegram/message/0123456789abcdef0123456789abcdef", server.url))
            .header("X-Telegram-Bot-Api-Secret-Token", "Forged_secret_0123456789abcdefghijk")
            .header("Content-Type", "application/json")
            .body(r#"{"update_id": 1}"#)
            .send()
    };
    let mut first_429 = None;
    for _ in 0..200 {
        let asked = std::time::Instant::now();
        let r = forge().await.unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            first_429 = Some((asked.elapsed(), r.headers()["retry-after"].to_str().unwrap().to_string()));
            break;
        }
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let (took, retry_after) = first_429.expect("no 429 after 200 forged deliveries");
    assert!(took >= Duration::from_millis(400), "the 429 came after {took:?}, not held back");
    assert_eq!(retry_after, "1");
    // another address is not held back meanwhile
    let r = http().get(format!("{}/api/v1/health", server.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// A channel's stored updates come a page at a time: an answer longer than a
/// page holds every update asked for once, newest first, as one JSON array.
#[tokio::test]
async fn a_long_updates_answer_holds_every_update_once_newest_first() {
    let server = Server::start(&[]);
    let (_, ch) = support::raw::create(&server, &support::raw::named("Paged"), "paged").await;
    let id = ch["id"].as_str().unwrap().to_string();
    for n in 1..=130 {
        let body = format!(r#"{{"update_id": {n}, "message": {{"text": "n° {n}"}}}}"#);
        assert_eq!(deliver(&server, &id, body).await, StatusCode::OK);
    }
    let (ids, _) = kept(&server, &id).await;
    assert_eq!(ids, (1..=130).rev().collect::<Vec<i64>>());
    for limit in [1, 50, 51, 100, 129] {
        let got: Value = http()
            .get(format!("{}/api/v1/channels/{id}/updates?limit={limit}", server.url))
            .bearer_auth(&server.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let got: Vec<i64> = got.as_array().unwrap().iter().map(|u| u["update_id"].as_i64().unwrap()).collect();
        assert_eq!(got, (131 - limit..=130).rev().collect::<Vec<i64>>(), "limit={limit}");
    }
    let (status, _) = call(&server, reqwest::Method::GET, "/api/v1/channels/nope/updates", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
