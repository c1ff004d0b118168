//! `chanwiz tenant add | list | rotate-token | rm` as the built binary, on
//! the database of a running `chanwiz serve` (real HTTP on loopback, a real
//! SQLite file): what they print, what they refuse, and that a rotated or
//! removed tenant's old token is refused at once.

#![cfg(feature = "server")]

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use reqwest::StatusCode;
use support::serve::Server;

const EXAMPLE: &str = include_str!("../assets/examples/telegram-channel.json");

fn db(server: &Server) -> PathBuf {
    server.dir.path().join("server.db")
}

/// `chanwiz tenant ARGS --db DB`, standard input not a terminal.
fn tenant(db: &Path, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_chanwiz"))
        .arg("tenant")
        .args(args)
        .arg("--db")
        .arg(db)
        .env("CHANWIZ_HOME", home.path())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// The token a successful `add` or `rotate-token` printed: its only line.
fn printed_token(out: &Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    lines[0].strip_prefix("token: cwt_").map(|t| format!("cwt_{t}")).unwrap_or_else(|| panic!("{stdout}"))
}

async fn status_with(server: &Server, token: &str) -> StatusCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
        .get(format!("{}/api/v1/channels", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn create_channel(server: &Server) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/channels", server.url))
        .bearer_auth(&server.token)
        .header("Idempotency-Key", "tenants-1")
        .header("Content-Type", "application/json")
        .body(EXAMPLE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[test]
fn tenant_add_refuses_a_missing_database_unless_told_to_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/x.db");
    let out = tenant(&missing, &["add", "acme"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("does not exist") && err.contains("--create") && err.contains("x.db"), "{err}");
    assert!(out.stdout.is_empty());
    assert!(!dir.path().join("no").exists(), "a folder was made for a refused database");

    let token = printed_token(&tenant(&missing, &["add", "acme", "--create"]));
    assert!(missing.is_file());
    // the file exists now: a second tenant needs no --create
    let second = printed_token(&tenant(&missing, &["add", "beta"]));
    assert_ne!(token, second);
    // the other commands never make a database either
    let other = dir.path().join("other.db");
    for args in [&["list"][..], &["rotate-token", "acme"], &["rm", "acme", "--yes"]] {
        let out = tenant(&other, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains("does not exist"), "{args:?}: {}", text(&out.stderr));
        assert!(!other.exists(), "{args:?} made a database");
    }
}

#[tokio::test]
async fn tenant_list_shows_each_tenant_with_its_channels_and_tokens() {
    let server = Server::start(&[]);
    create_channel(&server).await;
    printed_token(&tenant(&db(&server), &["add", "acme"]));
    let out = tenant(&db(&server), &["list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let rows: Vec<Vec<&str>> = stdout.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows[0], ["NAME", "CHANNELS", "TOKENS", "CREATED"], "{stdout}");
    assert_eq!(rows.len(), 3, "{stdout}");
    assert_eq!(&rows[1][..3], ["acme", "0", "1"], "{stdout}");
    assert_eq!(&rows[2][..4], ["demo", "(demo)", "1", "1"], "{stdout}");
    assert!(rows[1][3].starts_with("20"), "{stdout}");
    // no token, nor its hash, is ever listed
    assert!(!stdout.contains("cwt_") && !stdout.contains(&server.token), "{stdout}");
}

#[tokio::test]
async fn a_rotated_token_replaces_the_old_one_at_once() {
    let server = Server::start(&[]);
    let old = printed_token(&tenant(&db(&server), &["add", "acme"]));
    assert_eq!(status_with(&server, &old).await, StatusCode::OK);

    let out = tenant(&db(&server), &["rotate-token", "acme"]);
    let new = printed_token(&out);
    assert_ne!(new, old);
    assert!(text(&out.stderr).contains("old ones no longer work"), "{}", text(&out.stderr));
    // the running server refuses the old token on its next request
    assert_eq!(status_with(&server, &old).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status_with(&server, &new).await, StatusCode::OK);
    // other tenants keep theirs
    assert_eq!(status_with(&server, &server.token).await, StatusCode::OK);

    let out = tenant(&db(&server), &["rotate-token", "nobody"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no tenant named 'nobody'"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

/// `chanwiz tenant rm NAME --db DB` on a pseudo-terminal (through
/// `script`), answering `answer` to its question.
fn rm_on_a_terminal(db: &Path, name: &str, answer: &str) -> (Option<i32>, String) {
    let command = format!(
        "{} tenant rm {name} --db {}",
        support::tmux::sh_quote(env!("CARGO_BIN_EXE_chanwiz")),
        support::tmux::sh_quote(db.to_str().unwrap())
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("CHANWIZ_HOME", db.parent().unwrap().join("cli-home"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    child.stdin.take().unwrap().write_all(format!("{answer}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code(), text(&out.stdout))
}

fn channels_of(db: &Path, tenant: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT count(*) FROM channels c JOIN tenants t ON t.id = c.tenant_id WHERE t.name = ?1",
        [tenant],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test]
async fn tenant_rm_asks_first_and_removes_the_tenant_its_token_and_its_channels() {
    let server = Server::start(&[]);
    create_channel(&server).await;
    let acme = printed_token(&tenant(&db(&server), &["add", "acme"]));

    // no terminal and no --yes: refused, nothing removed
    let out = tenant(&db(&server), &["rm", "demo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a terminal") && text(&out.stderr).contains("--yes"));
    assert_eq!(status_with(&server, &server.token).await, StatusCode::OK);

    // on a terminal: asked, naming what goes; "n" keeps it
    let (code, screen) = rm_on_a_terminal(&db(&server), "demo", "n");
    assert_eq!(code, Some(1), "{screen}");
    assert!(screen.contains("Remove tenant 'demo' with its 1 channel(s)") && screen.contains("[y/N]"), "{screen}");
    assert!(screen.contains("not removed"), "{screen}");
    assert_eq!(channels_of(&db(&server), "demo"), 1);

    // "y" removes it: its token stops at once, its channels are gone
    let (code, screen) = rm_on_a_terminal(&db(&server), "demo", "y");
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("removed tenant 'demo' and its 1 channel(s)"), "{screen}");
    assert_eq!(status_with(&server, &server.token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(channels_of(&db(&server), "demo"), 0);
    let conn = rusqlite::Connection::open(db(&server)).unwrap();
    let left: i64 = conn.query_row("SELECT count(*) FROM channels", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0);

    // --yes needs no terminal; the other tenant was untouched until now
    assert_eq!(status_with(&server, &acme).await, StatusCode::OK);
    let out = tenant(&db(&server), &["rm", "acme", "--yes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(status_with(&server, &acme).await, StatusCode::UNAUTHORIZED);
    let listed = tenant(&db(&server), &["list"]);
    // no tenant left: nothing listed, and standard error says so
    assert_eq!(text(&listed.stdout), "", "{}", text(&listed.stdout));
    assert!(text(&listed.stderr).contains("no tenant yet"), "{}", text(&listed.stderr));

    let out = tenant(&db(&server), &["rm", "acme", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no tenant named 'acme'"));
}
