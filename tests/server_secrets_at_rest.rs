//! Secrets at rest: `chanwiz serve` keeps the APP Secret, the bot token and
//! the webhook secrets sealed in its SQLite file under a key file beside it.
//! The built binary on a temporary database, real HTTP on loopback; the
//! database files are searched byte for byte.

#![cfg(feature = "server")]

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};

const EXAMPLE: &str = include_str!("../assets/examples/telegram-channel.json");
const EXAMPLE_SECRET: &str = "Example-Secret-Replace-Me-0123456789";
const BOT_TOKEN: &str = "7012345678:AAH-atRestBotTokenValue_0123456789abcd";
const NEXT_SECRET: &str = "Staged_Next_Secret_0123456789abcdefghijkl";

/// `chanwiz serve --demo` on `dir/server.db`; stopped with SIGTERM.
struct Served {
    child: Child,
    url: String,
    token: String,
}

fn db_of(dir: &Path) -> PathBuf {
    dir.join("server.db")
}

fn serve(dir: &Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chanwiz"))
        .args(["serve", "--addr", "127.0.0.1:0", "--demo", "--db"])
        .arg(db_of(dir))
        .env("CHANWIZ_HOME", dir.join("home"))
        .env_remove("CHANWIZ_SERVER_KEY_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap().strip_prefix("listening: ").unwrap().to_string();
    let token = lines.next().unwrap().unwrap().strip_prefix("token: ").unwrap().to_string();
    std::thread::spawn(move || for _ in lines {});
    Served { child, url, token }
}

impl Served {
    fn stop(mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        assert!(self.child.wait().unwrap().success());
    }

    fn http(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::new().request(method, format!("{}{path}", self.url)).bearer_auth(&self.token)
    }

    async fn integration(&self, id: &str) -> Value {
        let r = self.http(reqwest::Method::GET, &format!("/api/v1/channels/{id}/integration")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn deliver(&self, id: &str, secret: &str) -> StatusCode {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::new()
            .post(format!("{}/apiaccess/telegram/message/{id}", self.url))
            .header("X-Telegram-Bot-Api-Secret-Token", secret)
            .json(&json!({ "update_id": 1 }))
            .send()
            .await
            .unwrap()
            .status()
    }
}

/// Every byte of the database and its WAL and shared-memory files.
fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db_of(dir).into_os_string();
        name.push(suffix);
        if let Ok(bytes) = std::fs::read(PathBuf::from(name)) {
            all.extend(bytes);
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A channel with every kind of secret: APP Secret, bot token, webhook
/// secret and a staged next secret. Its id and webhook secret.
async fn channel_with_every_secret(s: &Served) -> (String, String) {
    let r = s
        .http(reqwest::Method::POST, "/api/v1/channels")
        .header("Idempotency-Key", "at-rest")
        .header("Content-Type", "application/json")
        .body(EXAMPLE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/channels/{id}/integration");
    let r = s.http(reqwest::Method::PUT, &path).json(&json!({ "bot_token": BOT_TOKEN })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = s
        .http(reqwest::Method::PUT, &format!("{path}/next-secret"))
        .json(&json!({ "webhook_secret": NEXT_SECRET }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let secret = s.integration(&id).await["webhook_secret"].as_str().unwrap().to_string();
    (id, secret)
}

#[tokio::test]
async fn the_database_files_alone_reveal_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path());
    let (id, webhook_secret) = channel_with_every_secret(&s).await;
    assert_eq!(s.deliver(&id, &webhook_secret).await, StatusCode::OK);
    assert_eq!(s.deliver(&id, NEXT_SECRET).await, StatusCode::OK);
    s.stop();

    let bytes = database_bytes(dir.path());
    assert!(contains(&bytes, &id), "the search reads the files");
    for secret in [EXAMPLE_SECRET, BOT_TOKEN, webhook_secret.as_str(), NEXT_SECRET] {
        assert!(!contains(&bytes, secret), "a secret is in the database files in clear");
    }
    use std::os::unix::fs::PermissionsExt;
    let key = dir.path().join("server.db.key");
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);

    // a restart opens them with the same key file
    let s = serve(dir.path());
    assert_eq!(s.integration(&id).await["webhook_secret"], webhook_secret.as_str());
    assert_eq!(s.deliver(&id, &webhook_secret).await, StatusCode::OK);
    s.stop();

    // without its key the server refuses to start (and makes no new key)
    std::fs::rename(&key, dir.path().join("elsewhere.key")).unwrap();
    let out = serve_refused(dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sealed with a key") && err.contains("server.db.key") && err.contains("--key-file"), "{err}");
    assert!(!key.exists());
    // --key-file names it
    let out = rekey(dir.path(), &["--key-file", dir.path().join("elsewhere.key").to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn secrets_of_an_older_database_are_sealed_in_place_and_a_rekey_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path());
    let (id, _) = channel_with_every_secret(&s).await;
    s.stop();
    // as a database written before sealing: secrets in clear
    let legacy = "Legacy_Clear_Webhook_Secret_0123456789abcd";
    {
        let conn = rusqlite::Connection::open(db_of(dir.path())).unwrap();
        conn.execute(
            "UPDATE channels SET app_secret = 'Legacy-Clear-App-Secret-0123', webhook_secret = ?1 WHERE id = ?2",
            [legacy, &id],
        )
        .unwrap();
    }
    let s = serve(dir.path());
    assert_eq!(s.integration(&id).await["webhook_secret"], legacy);
    s.stop();
    let bytes = database_bytes(dir.path());
    assert!(!contains(&bytes, legacy) && !contains(&bytes, "Legacy-Clear-App-Secret"), "left in clear");

    // a new key: the old key file's content is gone, every secret still opens
    let key = dir.path().join("server.db.key");
    let before = std::fs::read(&key).unwrap();
    let out = rekey(dir.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("rekeyed: 4 stored secret(s)"), "{said}");
    assert_ne!(std::fs::read(&key).unwrap(), before);
    let s = serve(dir.path());
    assert_eq!(s.integration(&id).await["webhook_secret"], legacy);
    assert_eq!(s.deliver(&id, legacy).await, StatusCode::OK);
    assert_eq!(s.deliver(&id, NEXT_SECRET).await, StatusCode::OK);
    s.stop();
}

#[tokio::test]
async fn a_stored_secret_that_cannot_be_opened_matches_no_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path());
    let (id, _) = channel_with_every_secret(&s).await;
    // changed behind the server's back: sealed under a key it does not have
    let conn = rusqlite::Connection::open(db_of(dir.path())).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    conn.execute(
        "UPDATE channels SET webhook_secret = 'cw1:00000000:AAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE id = ?1",
        [&id],
    )
    .unwrap();
    drop(conn);
    for guess in ["-unknown-channel-placeholder-secret-", "cw1:00000000:AAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""] {
        assert_eq!(s.deliver(&id, guess).await, StatusCode::FORBIDDEN, "{guess:?}");
    }
    let r = s.http(reqwest::Method::GET, &format!("/api/v1/channels/{id}/integration")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = r.text().await.unwrap();
    assert!(!body.contains("cw1:"), "{body}");
    s.stop();
}

/// `chanwiz serve` on `dir/server.db`, expected to refuse to start: how it ended.
fn serve_refused(dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chanwiz"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db_of(dir))
        .env("CHANWIZ_HOME", dir.join("home"))
        .env_remove("CHANWIZ_SERVER_KEY_FILE")
        .output()
        .unwrap()
}

/// `chanwiz serve rekey --db <dir>/server.db ARGS`.
fn rekey(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chanwiz"))
        .args(["serve", "rekey", "--db"])
        .arg(db_of(dir))
        .args(args)
        .env("CHANWIZ_HOME", dir.join("home"))
        .env_remove("CHANWIZ_SERVER_KEY_FILE")
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_rekey_is_refused_while_a_server_runs_and_a_replaced_key_is_recovered_with_from_key() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path());
    let (id, webhook_secret) = channel_with_every_secret(&s).await;
    let key = dir.path().join("server.db.key");
    let before = std::fs::read(&key).unwrap();

    // a server runs on the database: the rekey is refused, naming it, and changes nothing
    let out = rekey(dir.path(), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("running on") && err.contains(&s.child.id().to_string()), "{err}");
    assert!(err.contains("stop it first"), "{err}");
    assert_eq!(std::fs::read(&key).unwrap(), before, "the key file was replaced");
    // the running server still reads and matches every secret
    assert_eq!(s.integration(&id).await["webhook_secret"], webhook_secret.as_str());
    assert_eq!(s.deliver(&id, &webhook_secret).await, StatusCode::OK);
    s.stop();

    // the key file replaced by another (a restore gone wrong): the start is
    // refused, naming the way back
    std::fs::rename(&key, dir.path().join("previous.key")).unwrap();
    std::fs::write(&key, "VwTP2Rc8KK4901vvK6btKUj1J3dE4uHQlZy26yAmmKM=\n").unwrap();
    let out = serve_refused(dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("chanwiz serve rekey --from-key"), "{err}");
    // the previous key given back: every secret sealed with the current key
    let out = rekey(dir.path(), &["--from-key", dir.path().join("previous.key").to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(dir.path().join("previous.key")).unwrap();
    let s = serve(dir.path());
    assert_eq!(s.integration(&id).await["webhook_secret"], webhook_secret.as_str());
    assert_eq!(s.deliver(&id, &webhook_secret).await, StatusCode::OK);
    s.stop();
}
