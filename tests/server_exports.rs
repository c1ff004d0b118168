//! Export tasks over real HTTP: a zip of CSV files of at most 2,000 records,
//! every record once, no secret anywhere, formulas neutralised; the
//! 100,000-record limit refused before any work.

#![cfg(feature = "server")]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use chanwiz::api::{Catalogue, ExportStatus, ExportTask, Integration};
use reqwest::StatusCode;
use serde_json::json;
use support::server::*;

async fn wait_done(s: &Srv, id: &str) -> ExportTask {
    for _ in 0..1200 {
        let task: ExportTask = s.get(&format!("/api/v1/exports/{id}")).send().await.unwrap().json().await.unwrap();
        assert!(task.done <= task.total, "{task:?}");
        if matches!(task.status, ExportStatus::Success | ExportStatus::Failed) {
            return task;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("export {id} did not finish");
}

/// The CSV files of a zip: name → rows (header first).
fn read_zip(bytes: &[u8]) -> BTreeMap<String, Vec<csv::StringRecord>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        let mut rows = vec![];
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        for r in reader.records() {
            rows.push(r.unwrap());
        }
        files.insert(f.name().unwrap().to_string(), rows);
    }
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_4501_channels_is_three_csv_files_without_secrets() {
    let s = start(4_500).await;
    // one channel made through the API, with a bot token and a formula-like text
    let mut doc = named("Formula_Channel");
    doc.basic.non_working_time_notification = "=HYPERLINK(\"http://x\")\nsecond line".into();
    doc.basic.session_end_no_customer_reply.end_message = "@bye".into();
    let ch = s.create(&doc).await;
    let bot_token = "7012345678:AAExportedNeverTokenValue_0123456789ab";
    let r = s
        .put(&format!("/api/v1/channels/{}/integration", ch.id))
        .json(&json!({ "bot_token": bot_token }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let integration: Integration =
        s.get(&format!("/api/v1/channels/{}/integration", ch.id)).send().await.unwrap().json().await.unwrap();

    let r = s.post("/api/v1/exports").json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let task: ExportTask = r.json().await.unwrap();
    assert_eq!((task.total, task.files), (4_501, 3));
    let task = wait_done(&s, &task.id).await;
    assert_eq!(task.status, ExportStatus::Success, "{task:?}");
    assert_eq!((task.done, task.total, task.files), (4_501, 4_501, 3));
    assert!(task.finished.is_some());

    let r = s.get(&format!("/api/v1/exports/{}/download", task.id)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let bytes = r.bytes().await.unwrap();
    let files = read_zip(&bytes);
    assert_eq!(files.keys().collect::<Vec<_>>(), ["channels-001.csv", "channels-002.csv", "channels-003.csv"]);
    let sizes: Vec<usize> = files.values().map(|rows| rows.len() - 1).collect();
    assert_eq!(sizes, [2000, 2000, 501]);

    // every record exactly once
    let catalogue: Catalogue = s.get("/api/v1/catalogue").send().await.unwrap().json().await.unwrap();
    let want: BTreeMap<String, String> = catalogue.channels.iter().map(|c| (c.id.clone(), c.name.clone())).collect();
    assert_eq!(want.len(), 4_501);
    let mut seen = BTreeMap::new();
    for rows in files.values() {
        let header = &rows[0];
        assert_eq!(&header[0], "id");
        assert_eq!(header, &files["channels-001.csv"][0]);
        assert!(header.iter().all(|h| !h.starts_with("channel_info")), "{header:?}");
        assert!(header.iter().any(|h| h == "basic.last_agent_mode.retention_hours"));
        for row in &rows[1..] {
            assert_eq!(row.len(), header.len());
            assert!(seen.insert(row[0].to_string(), row[1].to_string()).is_none(), "{} twice", &row[0]);
        }
    }
    assert_eq!(seen, want);

    // the API-made channel: formulas neutralised, lists joined, settings present
    let header = files["channels-001.csv"][0].clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = files.values().flat_map(|rows| rows[1..].iter()).find(|r| r[0] == *ch.id).unwrap();
    assert_eq!(&row[col("basic.non_working_time_notification")], "'=HYPERLINK(\"http://x\")\nsecond line");
    assert_eq!(&row[col("basic.session_end_no_customer_reply.end_message")], "'@bye");
    assert_eq!(&row[col("basic.transfer_keywords")], "agent;human;operator");
    assert_eq!(&row[col("basic.work_time.workday")], "08:30-12:00;13:00-18:00");
    assert_eq!(&row[col("basic.last_agent_mode.retention_hours")], "24");
    assert_eq!(&row[col("robot.intelligent_robot.chatbot_access_code")], "bot-1");
    assert_eq!(&row[col("channel_type")], "telegram");

    // no key, secret, URL or certificate in any file
    let mut all_text = String::new();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
    for i in 0..zip.len() {
        zip.by_index(i).unwrap().read_to_string(&mut all_text).unwrap();
    }
    for secret in [
        APP_SECRET,
        "aicc-telegram-app-7f3a",
        "192.0.2.10",
        "cert-trust-1",
        "cert-id-1",
        bot_token,
        &integration.webhook_secret,
    ] {
        assert!(!all_text.contains(secret), "{secret} exported");
    }
}

#[tokio::test]
async fn a_selection_is_exported_alone_and_unknown_ids_are_refused() {
    let s = start(0).await;
    let a = s.create(&named("Pick_A")).await;
    let b = s.create(&named("Pick_B")).await;
    s.create(&named("Left_Out")).await;
    let other = s.add_tenant("other");
    let theirs = s.create_as(&other, &named("Theirs"), "t").await;
    assert_eq!(theirs.status(), StatusCode::UNPROCESSABLE_ENTITY); // their catalogue is empty

    let (status, body) = status_json(
        s.post("/api/v1/exports")
            .json(&json!({ "channel_ids": [a.id, "00000000000000000000000000000000"] }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // the ids are sorted: the unknown one, all zeros, always comes first
    assert_eq!(error_paths(&body), ["channel_ids[0]"]);

    let task: ExportTask = s
        .post("/api/v1/exports")
        .json(&json!({ "channel_ids": [b.id, a.id, a.id] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task = wait_done(&s, &task.id).await;
    assert_eq!((task.status, task.done, task.files), (ExportStatus::Success, 2, 1));
    let bytes = s.get(&format!("/api/v1/exports/{}/download", task.id)).send().await.unwrap().bytes().await.unwrap();
    let ids: BTreeSet<String> = read_zip(&bytes)["channels-001.csv"][1..].iter().map(|r| r[0].to_string()).collect();
    assert_eq!(ids, [a.id.clone(), b.id.clone()].into());

    // another tenant sees neither the task nor its file
    let r = s.http.get(s.u(&format!("/api/v1/exports/{}/download", task.id))).bearer_auth(&other).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let list: Vec<ExportTask> =
        s.http.get(s.u("/api/v1/exports")).bearer_auth(&other).send().await.unwrap().json().await.unwrap();
    assert!(list.is_empty());
    let list: Vec<ExportTask> = s.get("/api/v1/exports").send().await.unwrap().json().await.unwrap();
    assert_eq!(list.len(), 1);
    // a tenant without channels has nothing to export
    let (status, _) =
        status_json(s.http.post(s.u("/api/v1/exports")).bearer_auth(&other).json(&json!({})).send().await.unwrap())
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn more_than_100000_records_are_refused_before_any_work() {
    let s = start(0).await;
    // 100,001 minimal rows straight into the database (the export refuses on
    // the count, so the documents' contents do not matter here)
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100001) \
         INSERT INTO channels (id, tenant_id, name, channel_type, version, created, updated, document, webhook_secret) \
         SELECT lower(hex(randomblob(16))), (SELECT id FROM tenants WHERE name = 'demo'), 'Bulk_' || i, 'telegram', 1, \
                '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '{}', lower(hex(randomblob(24))) FROM n",
        [],
    )
    .unwrap();
    drop(conn);
    let (status, body) = status_json(s.post("/api/v1/exports").json(&json!({})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"].as_str().unwrap().contains("100001") && body["error"].as_str().unwrap().contains("100000"),
        "{body}"
    );
    let list: Vec<ExportTask> = s.get("/api/v1/exports").send().await.unwrap().json().await.unwrap();
    assert!(list.is_empty(), "a refused export must not leave a task: {list:?}");
    assert_eq!(std::fs::read_dir(chanwiz::server::exports_dir(&s.db)).unwrap().count(), 0);
}

#[tokio::test]
async fn an_unfinished_export_cannot_be_downloaded_and_a_restart_marks_it_failed() {
    let s = start(0).await;
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    conn.execute(
        "INSERT INTO exports (id, tenant_id, status, done, total, files, created, all_channels) \
         VALUES ('abc123', (SELECT id FROM tenants WHERE name = 'demo'), 'running', 10, 20, 1, '2026-01-01T00:00:00Z', 1)",
        [],
    )
    .unwrap();
    drop(conn);
    let part = chanwiz::server::exports_dir(&s.db).join("abc123.zip.part");
    std::fs::write(&part, b"half a zip").unwrap();
    // the task's server holds its lock while the task runs (here: this test)
    let lock = std::fs::File::create(chanwiz::server::exports_dir(&s.db).join("abc123.lock")).unwrap();
    lock.try_lock().unwrap();
    let (status, body) = status_json(s.get("/api/v1/exports/abc123/download").send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // while it runs, the tenant cannot start another task
    let (status, body) =
        status_json(s.post("/api/v1/exports").json(&serde_json::json!({})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"].as_str().unwrap().contains("abc123 of this tenant is still running"), "{body}");
    let task: ExportTask = s.get("/api/v1/exports/abc123").send().await.unwrap().json().await.unwrap();
    assert_eq!((task.status, task.done, task.total), (ExportStatus::Running, 10, 20));

    // the server stops mid-task; when it starts again the task is failed, not running forever
    let Srv { running, db, dir, http, .. } = s;
    running.shutdown().await.unwrap();
    drop(lock);
    let again = chanwiz::server::spawn(chanwiz::server::ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: db.clone(),
        demo: true,
        seed_channels: 0,
        tls: chanwiz::server::TlsMode::Off,
        telegram_api: None,
    })
    .await
    .unwrap();
    let token = again.demo_token.clone().unwrap();
    let task: ExportTask = http
        .get(format!("{}/api/v1/exports/abc123", again.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(task.status, ExportStatus::Failed);
    assert!(task.error.unwrap().contains("stopped"));
    assert!(!part.exists(), "the half-written file is removed");
    let r = http.get(format!("{}/api/v1/exports/abc123/download", again.url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_with_no_channels_is_refused_saying_so() {
    let s = start(0).await;
    let (status, body) = status_json(s.post("/api/v1/exports").json(&json!({})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "There are no channels to export in this tenant.");
    let list: Vec<ExportTask> = s.get("/api/v1/exports").send().await.unwrap().json().await.unwrap();
    assert!(list.is_empty(), "no task is left behind");
}

/// The files open in a spreadsheet with Chinese intact: each CSV starts with
/// the UTF-8 byte order mark (Excel reads UTF-8 only with it), and each zip
/// entry carries the time of the export, not 1980.
#[tokio::test]
async fn export_files_open_in_spreadsheets_with_chinese_intact_and_carry_their_time() {
    let s = start(0).await;
    let mut doc = named("Chinese_Notice");
    doc.basic.non_working_time_notification = "客服人员正在休息，工作日 08:30–18:00 回复 🙂".into();
    s.create(&doc).await;
    let task: ExportTask = s.post("/api/v1/exports").json(&json!({})).send().await.unwrap().json().await.unwrap();
    let task = wait_done(&s, &task.id).await;
    let bytes = s.get(&format!("/api/v1/exports/{}/download", task.id)).send().await.unwrap().bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut entry = zip.by_index(0).unwrap();
    let year = entry.last_modified().map(|t| t.year());
    assert!(year.is_some_and(|y| y >= 2026), "the entry is dated {year:?}");
    let mut text = Vec::new();
    entry.read_to_end(&mut text).unwrap();
    assert!(text.starts_with(b"\xEF\xBB\xBFid,"), "no byte order mark: {:?}", &text[..8]);
    assert!(String::from_utf8(text).unwrap().contains("客服人员正在休息，工作日 08:30–18:00 回复 🙂"));
}
