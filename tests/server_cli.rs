//! `chanwiz serve` and `chanwiz tenant add` as the built binary: what they
//! print, a tenant added while the server runs, a second demo start, TLS,
//! plain HTTP refused off loopback, and no secret in the log afterwards.

#![cfg(feature = "server")]

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use chanwiz::api::{Catalogue, Integration, Page};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::server::{APP_SECRET, client, example, named};

struct Served {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    lines: Vec<String>,
}

impl Served {
    fn value(&self, prefix: &str) -> String {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {:?}", self.lines))
            .to_string()
    }

    /// SIGTERM, then wait: the server stops cleanly and flushes its log.
    fn stop(mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
    }
}

fn chanwiz(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chanwiz"));
    c.env("CHANWIZ_HOME", home).env("CHANWIZ_LOG", "trace").env_remove("CHANWIZ_BACKEND").env_remove("CHANWIZ_TOKEN");
    c
}

/// Start `chanwiz serve ARGS` and read its first `n` stdout lines.
fn serve(home: &Path, args: &[&str], n: usize) -> Served {
    let mut child =
        chanwiz(home).arg("serve").args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..n {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let out = child.wait_with_output().unwrap();
            panic!("serve stopped: {}", String::from_utf8_lossy(&out.stderr));
        }
        lines.push(line.trim_end().to_string());
    }
    Served { child, _stdout: stdout, lines }
}

#[tokio::test]
async fn serve_prints_its_address_and_token_and_tenants_can_be_added_while_it_runs() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("srv.db");
    let db_arg = db.to_str().unwrap();
    let served = serve(home.path(), &["--addr", "127.0.0.1:0", "--db", db_arg, "--demo"], 2);
    assert!(served.lines[0].starts_with("listening: http://127.0.0.1:"), "{:?}", served.lines);
    assert!(served.lines[1].starts_with("token: cwt_"), "{:?}", served.lines);
    let url = served.value("listening: ");
    let token = served.value("token: ");
    let http = client();

    // the demo token works; make a channel with every kind of secret
    let r = http
        .post(format!("{url}/api/v1/channels"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "cli-1")
        .json(&example())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let ch: Value = r.json().await.unwrap();
    let id = ch["id"].as_str().unwrap();
    let bot_token = "7012345678:AALogNeverSeesThisToken_0123456789abcd";
    let r = http
        .put(format!("{url}/api/v1/channels/{id}/integration"))
        .bearer_auth(&token)
        .json(&json!({ "bot_token": bot_token }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let integration: Integration = http
        .get(format!("{url}/api/v1/channels/{id}/integration"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = http
        .post(format!("{url}/apiaccess/telegram/message/{id}"))
        .header("X-Telegram-Bot-Api-Secret-Token", &integration.webhook_secret)
        .json(&json!({ "update_id": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // refused requests carrying secrets too
    let mut dup = example();
    dup.channel_info.base_url = "http://192.0.2.10:28090".into();
    let r = http
        .post(format!("{url}/api/v1/channels"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "cli-2")
        .json(&dup)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = http
        .post(format!("{url}/apiaccess/telegram/message/{id}"))
        .header("X-Telegram-Bot-Api-Secret-Token", format!("{}-wrong", integration.webhook_secret))
        .json(&json!({ "update_id": 6 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // a tenant added while the server runs can use the server at once
    let out = chanwiz(home.path()).args(["tenant", "add", "acme", "--db", db_arg]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let acme = stdout.trim().strip_prefix("token: ").unwrap().to_string();
    let page: Page<Value> =
        http.get(format!("{url}/api/v1/channels")).bearer_auth(&acme).send().await.unwrap().json().await.unwrap();
    assert_eq!(page.total, 0);
    let r = http.get(format!("{url}/api/v1/channels/{id}")).bearer_auth(&acme).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // the same name twice is refused
    let out = chanwiz(home.path()).args(["tenant", "add", "acme", "--db", db_arg]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    served.stop();

    // a second start on the same database: same catalogue and channels, a new token
    let again = serve(home.path(), &["--addr", "127.0.0.1:0", "--db", db_arg, "--demo"], 2);
    let (url2, token2) = (again.value("listening: "), again.value("token: "));
    assert_ne!(token2, token);
    let r = http.get(format!("{url2}/api/v1/catalogue")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let cat: Catalogue =
        http.get(format!("{url2}/api/v1/catalogue")).bearer_auth(&token2).send().await.unwrap().json().await.unwrap();
    assert_eq!((cat.ous.len(), cat.certificates.len(), cat.channels.len()), (2, 2, 1));
    let r = http.get(format!("{url2}/api/v1/channels")).bearer_auth(&acme).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    again.stop();

    // the log saw the requests, and none of the secrets
    let log = std::fs::read_to_string(home.path().join("data/chanwiz.log")).unwrap();
    assert!(log.contains("/api/v1/channels") && log.contains("status=403"), "{log}");
    for secret in [APP_SECRET, bot_token, &integration.webhook_secret, &token, &token2, &acme] {
        assert!(!log.contains(secret), "secret in the log");
    }
    // the database is private to its owner
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn plain_http_off_loopback_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("s.db");
    let out =
        chanwiz(home.path()).args(["serve", "--addr", "0.0.0.0:0", "--db", db.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("loopback") && err.contains("--tls-self-signed"), "{err}");
    assert!(out.stdout.is_empty());
}

/// Every duration flag reads the one grammar (`1h`, `1m30s`, `90000ms`, `7d`);
/// a value the flag cannot take is refused naming the flag and its bound.
#[test]
fn duration_flags_share_one_grammar_and_name_their_bound() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("s.db");
    let serve = |args: &[&str]| {
        chanwiz(home.path())
            .args(["serve", "--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    };
    let out = serve(&["--header-timeout", "1h"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--header-timeout") && err.contains("at most 10 s"), "{err}");
    let out = serve(&["--export-retention", "0.5"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("'0.5' is outside 1s to 365d"), "{err}");
    let out = serve(&["--first-request-timeout", "soon"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("--first-request-timeout") && err.contains("1m30s"), "{err}");
    // each spelling is taken: the server starts (and is stopped)
    let mut child = chanwiz(home.path())
        .args(["serve", "--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()])
        .args(["--export-retention", "90000ms", "--request-timeout", "1m30s", "--body-timeout", "1h"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.starts_with("listening:"), "{first}");
}

#[tokio::test]
async fn a_self_signed_server_is_reached_by_a_client_that_trusts_its_certificate() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("tls.db");
    let served =
        serve(home.path(), &["--addr", "127.0.0.1:0", "--db", db.to_str().unwrap(), "--demo", "--tls-self-signed"], 3);
    let url = served.value("listening: ");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let cert_path = served.value("certificate: ");
    assert_eq!(Path::new(&cert_path), home.path().join("tls.db.cert.pem"));
    let pem = std::fs::read(&cert_path).unwrap();

    let _ = rustls::crypto::ring::default_provider().install_default();
    let trusting =
        reqwest::Client::builder().tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()]).build().unwrap();
    let token = served.value("token: ");
    let r = trusting.get(format!("{url}/api/v1/channels")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = trusting
        .post(format!("{url}/api/v1/channels"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "tls-1")
        .json(&named("Over_Tls"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // a client that does not trust it cannot connect
    let stranger = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(rcgen_other_cert().as_bytes()).unwrap()])
        .build()
        .unwrap();
    assert!(stranger.get(format!("{url}/api/v1/health")).send().await.is_err());
    served.stop();
}

fn rcgen_other_cert() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap().self_signed(&key).unwrap().pem()
}

#[tokio::test]
async fn given_certificate_files_serve_https_and_bad_ones_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap().self_signed(&key).unwrap();
    let (cert_file, key_file) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    let config = |tls| chanwiz::server::ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: dir.path().join("s.db"),
        demo: false,
        seed_channels: 0,
        tls,
        telegram_api: None,
    };
    let running = chanwiz::server::spawn(config(chanwiz::server::TlsMode::Files {
        cert: cert_file.clone(),
        key: key_file.clone(),
    }))
    .await
    .unwrap();
    assert!(running.url.starts_with("https://"));
    assert_eq!(running.demo_token, None);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(cert.pem().as_bytes()).unwrap()])
        .build()
        .unwrap();
    let r = http.get(format!("{}/api/v1/health", running.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    running.shutdown().await.unwrap();

    // a key file that holds no key: a clear error naming the files, no server
    let err = chanwiz::server::spawn(config(chanwiz::server::TlsMode::Files {
        cert: cert_file.clone(),
        key: cert_file.clone(),
    }))
    .await
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("c.pem"), "{err}");
}

/// A TLS listener on loopback presenting a self-signed certificate for
/// `cn` nothing trusts; it answers one handshake. Its address and the DER.
fn untrusted_tls_listener(cn: &str) -> (String, Vec<u8>, std::thread::JoinHandle<()>) {
    use std::sync::Arc;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["gw.example".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, cn);
    let cert = params.self_signed(&key).unwrap();
    let der = cert.der().to_vec();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()))
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("https://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        while conn.is_handshaking() {
            if conn.complete_io(&mut sock).is_err() {
                return;
            }
        }
        let _ = conn.complete_io(&mut sock);
    });
    (addr, der, handle)
}

#[test]
fn certs_fetch_takes_the_untrusted_chain_and_writes_pem_and_der() {
    let home = tempfile::tempdir().unwrap();
    let (addr, der, server) = untrusted_tls_listener("Fabric Gateway");
    let base = home.path().join("mycertfile");
    let out = chanwiz(home.path())
        .args(["certs", "fetch", &addr, "-o", base.to_str().unwrap(), "--timeout", "20"])
        .output()
        .unwrap();
    server.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    use sha2::Digest;
    let fingerprint: Vec<String> = sha2::Sha256::digest(&der).iter().map(|b| format!("{b:02X}")).collect();
    assert!(stdout.contains("certificate 1 of 1"), "{stdout}");
    assert!(stdout.contains("subject:  CN=Fabric Gateway"), "{stdout}");
    assert!(stdout.contains("issuer:   CN=Fabric Gateway"), "{stdout}");
    assert!(stdout.contains("valid:    "), "{stdout}");
    assert!(stdout.contains(&format!("SHA-256:  {}", fingerprint.join(":"))), "{stdout}");
    assert_eq!(std::fs::read(home.path().join("mycertfile.cer")).unwrap(), der);
    let pem = std::fs::read_to_string(home.path().join("mycertfile.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"), "{pem}");
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    assert_eq!(block.contents, der);

    // nothing listening: refused as unreachable (3), no file written
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_addr = format!("https://{}", dead.local_addr().unwrap());
    drop(dead);
    let out = chanwiz(home.path()).args(["certs", "fetch", &dead_addr, "-o", "never"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!home.path().join("never.pem").exists());
    // plain http is refused
    let out = chanwiz(home.path()).args(["certs", "fetch", "http://127.0.0.1:1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must start with https://"));
}
