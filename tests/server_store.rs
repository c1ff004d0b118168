//! The store of `chanwiz serve`: reads and refusals do not wait for the
//! write lock, idempotency rows keep only what a replay needs, expired keys
//! are not replayed. Real HTTP on loopback against the built binary, its
//! SQLite file opened beside it as another process would.

#![cfg(feature = "server")]

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::raw::{create, get_json, http, named};
use support::serve::Server;

const EXAMPLE_SECRET: &str = "Example-Secret-Replace-Me-0123456789";

fn open_db(s: &Server) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(s.dir.path().join("server.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    conn
}

#[tokio::test]
async fn reads_replays_and_refused_creates_are_answered_while_another_process_holds_the_write_lock() {
    let s = Server::start(&[]);
    let (status, first) = create(&s, &named("Before_Lock"), "before-lock").await;
    assert_eq!(status, StatusCode::CREATED);

    let other = open_db(&s);
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    // a read
    let r = http().get(format!("{}/api/v1/channels", s.url)).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // a create breaking rules is refused from what it reads (no write needed)
    let mut bad = named("Bad_One");
    bad["basic"]["ou"] = json!("ou-9");
    let (status, body) = create(&s, &bad, "bad-under-lock").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // a replay needs no write either
    let (status, again) = create(&s, &named("Before_Lock"), "before-lock").await;
    assert_eq!((status, &again), (StatusCode::CREATED, &first));
    other.execute_batch("ROLLBACK").unwrap();

    let (status, _) = create(&s, &named("After_Lock"), "after-lock").await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn an_idempotency_row_keeps_only_the_key_the_hash_and_the_channel_id() {
    let s = Server::start(&[]);
    let (_, ch) = create(&s, &named("Slim_Row"), "slim").await;
    let row: (String, String, String) = open_db(&s)
        .query_row("SELECT body, channel_id, request_hash FROM idempotency WHERE key = 'slim'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((row.0.as_str(), row.1.as_str()), ("", ch["id"].as_str().unwrap()));
    assert_eq!(row.2.len(), 64, "a SHA-256 in hex: {}", row.2);
    assert!(!row.2.contains(EXAMPLE_SECRET));

    // the replay answers the channel as it is now
    let url = format!("{}/api/v1/channels/{}", s.url, ch["id"].as_str().unwrap());
    let mut doc = ch["document"].clone();
    doc["basic"]["ou"] = json!("ou-1");
    let r = http().put(&url).bearer_auth(&s.token).header("If-Match", "\"1\"").json(&doc).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = http()
        .post(format!("{}/api/v1/channels", s.url))
        .bearer_auth(&s.token)
        .header("Idempotency-Key", "slim")
        .json(&named("Slim_Row"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let again: Value = r.json().await.unwrap();
    assert_eq!((again["version"].clone(), again["document"]["basic"]["ou"].clone()), (json!(2), json!("ou-1")));
}

#[tokio::test]
async fn a_key_past_its_24_hours_is_not_replayed_even_before_the_sweep() {
    let s = Server::start(&[]);
    let (status, _) = create(&s, &named("Old_Key"), "old-key").await;
    assert_eq!(status, StatusCode::CREATED);
    let day_ago =
        (chrono::Utc::now() - chrono::Duration::hours(25)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let n = open_db(&s).execute("UPDATE idempotency SET created = ?1 WHERE key = 'old-key'", [day_ago]).unwrap();
    assert_eq!(n, 1);
    // the same key with another document: a new create, not a 422
    let (status, body) = create(&s, &named("New_Under_Old_Key"), "old-key").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, again) = create(&s, &named("New_Under_Old_Key"), "old-key").await;
    assert_eq!((status, again["id"].clone()), (StatusCode::CREATED, body["id"].clone()));
}

#[tokio::test]
async fn an_export_file_past_its_24_hours_is_removed_and_its_download_answers_410() {
    let s = Server::start(&[]);
    create(&s, &named("Exported"), "exported").await;
    let task: Value = http()
        .post(format!("{}/api/v1/exports", s.url))
        .bearer_auth(&s.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap().to_string();
    let mut done = false;
    for _ in 0..600 {
        let t: Value = get_json(&s, &format!("/api/v1/exports/{id}")).await;
        if t["status"] == "success" {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(done, "the export never finished");
    let download =
        |s: &Server| http().get(format!("{}/api/v1/exports/{id}/download", s.url)).bearer_auth(s.token.clone()).send();
    assert_eq!(download(&s).await.unwrap().status(), StatusCode::OK);
    let dir = s.stop();
    let zip = dir.path().join(format!("server.db.exports/{id}.zip"));
    let touched = std::process::Command::new("touch").args(["-m", "-d", "2 days ago"]).arg(&zip).status().unwrap();
    assert!(touched.success());

    let s = Server::start_in(dir, &[]);
    assert!(!s.dir.path().join(format!("server.db.exports/{id}.zip")).exists());
    let r = download(&s).await.unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("no longer on the server"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_create_confirmed_to_concurrent_clients_is_there_after_a_kill_9() {
    let s = Server::start(&["--rate-limit", "0"]);
    let mut creates = tokio::task::JoinSet::new();
    for i in 0..48 {
        let (url, token) = (s.url.clone(), s.token.clone());
        creates.spawn(async move {
            let r = http()
                .post(format!("{url}/api/v1/channels"))
                .bearer_auth(token)
                .header("Idempotency-Key", format!("kill-{i}"))
                .json(&named(&format!("Killed_{i:02}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
            r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
        });
    }
    let ids = creates.join_all().await;
    // SIGKILL: nothing is flushed or closed on the way out
    let s = Server::start_in(s.stop(), &[]);
    for id in &ids {
        let r = http().get(format!("{}/api/v1/channels/{id}", s.url)).bearer_auth(&s.token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "channel {id} was confirmed, then lost");
    }
    let page: Value = get_json(&s, "/api/v1/channels?per_page=500").await;
    assert_eq!(page["total"], 48, "{page}");
}

#[tokio::test]
async fn a_create_answers_the_channel_exactly_as_a_read_of_it_gives_it() {
    let s = Server::start(&[]);
    let mut doc = named("  Answered  ");
    doc["basic"]["transfer_keywords"] = json!([" agent ", "human"]);
    let (status, created) = create(&s, &doc, "answered").await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let r = http().get(format!("{}/api/v1/channels/{id}", s.url)).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.headers()["etag"], "\"1\"");
    let read: Value = r.json().await.unwrap();
    assert_eq!(created, read);
    assert_eq!(read["document"]["basic"]["channel_name"], "Answered");
    assert!(read["document"]["channel_info"].get("app_secret").is_none(), "{read}");
    assert_eq!((read["has_app_secret"].as_bool(), read["has_bot_token"].as_bool()), (Some(true), Some(false)));
}
