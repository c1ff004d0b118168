//! The backend's side of the integration: a staged next webhook secret
//! (accepted beside the current one, committed, dropped), the identity
//! certificate's PEM, and a version-1 database upgraded in place.
#![cfg(feature = "server")]

mod support;

use chanwiz::api::IntegrationUpdate;
use chanwiz::client::ClientError;
use support::webhook::*;

const NEXT: &str = "Next_secret-0123456789abcdefghijklmnopqrstuvwxyz";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_secret_is_accepted_beside_the_current_one_until_committed_or_dropped() {
    let env = Env::start().await;
    let current = env.integration().await.webhook_secret;
    assert!(!env.integration().await.rotation_pending);

    env.client.stage_next_secret(&env.channel_id, NEXT).await.unwrap();
    let i = env.integration().await;
    assert!(i.rotation_pending);
    assert_eq!(i.webhook_secret, current, "staging does not change the current secret");
    assert_eq!(env.deliver(Some(&current), &update(1, "a")).await, 200);
    assert_eq!(env.deliver(Some(NEXT), &update(2, "b")).await, 200);
    assert_eq!(env.deliver(Some("Other_secret-0123456789abcdefghijklmnop"), &update(3, "c")).await, 403);

    // dropped: only the current one again
    env.client.drop_next_secret(&env.channel_id).await.unwrap();
    env.client.drop_next_secret(&env.channel_id).await.unwrap();
    assert!(!env.integration().await.rotation_pending);
    assert_eq!(env.deliver(Some(NEXT), &update(4, "d")).await, 403);
    assert_eq!(env.deliver(Some(&current), &update(5, "e")).await, 200);

    // committed: the staged secret becomes the only one
    env.client.stage_next_secret(&env.channel_id, NEXT).await.unwrap();
    let commit = IntegrationUpdate { webhook_secret: Some(NEXT.into()), ..Default::default() };
    env.client.put_integration(&env.channel_id, &commit).await.unwrap();
    let i = env.integration().await;
    assert_eq!(i.webhook_secret, NEXT);
    assert!(!i.rotation_pending);
    assert_eq!(env.deliver(Some(&current), &update(6, "f")).await, 403);
    assert_eq!(env.deliver(Some(NEXT), &update(7, "g")).await, 200);
    let ids: Vec<_> = env.client.received_updates(&env.channel_id).await.unwrap().iter().map(|u| u.update_id).collect();
    assert_eq!(ids, [Some(7), Some(5), Some(2), Some(1)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_staged_secret_or_channel_is_refused() {
    let env = Env::start().await;
    match env.client.stage_next_secret(&env.channel_id, "short").await {
        Err(ClientError::Invalid { errors, .. }) => {
            assert_eq!(errors[0].path, "webhook_secret");
            assert!(errors[0].message.contains("32–256"), "{}", errors[0].message);
        }
        other => panic!("expected 422, got {other:?}"),
    }
    match env.client.stage_next_secret(&env.channel_id, "has:colon-0123456789abcdefghijklmnopq").await {
        Err(ClientError::Invalid { errors, .. }) => assert_eq!(errors[0].path, "webhook_secret"),
        other => panic!("expected 422, got {other:?}"),
    }
    let missing = env.client.stage_next_secret("0000aaaa", NEXT).await.unwrap_err();
    assert!(matches!(missing, ClientError::NotFound { .. }), "{missing:?}");
    let missing = env.client.drop_next_secret("0000aaaa").await.unwrap_err();
    assert!(matches!(missing, ClientError::NotFound { .. }), "{missing:?}");
    assert!(!env.integration().await.rotation_pending);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_integration_answer_carries_the_identity_certificate_pem() {
    let env = Env::start().await;
    let i = env.integration().await;
    let pem = i.identity_certificate_pem.expect("the example names cert-id-1");
    assert!(chanwiz::telegram::is_self_signed(pem.as_bytes()).unwrap());
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    assert!(block.parse_x509().unwrap().subject().to_string().contains("AICC System Identity"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_database_is_upgraded_and_keeps_its_channels() {
    let env = Env::start().await;
    let current = env.integration().await.webhook_secret;
    let db = env.dir.path().join("server.db");
    env.server.handle().shutdown();
    {
        // back to the version-1 schema, as `main` wrote it
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "ALTER TABLE channels DROP COLUMN next_webhook_secret; \
             ALTER TABLE channels DROP COLUMN next_webhook_secret_until; \
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let server = chanwiz::server::spawn(chanwiz::server::ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: db.clone(),
        demo: false,
        seed_channels: 0,
        tls: chanwiz::server::TlsMode::SelfSigned,
        telegram_api: None,
    })
    .await
    .unwrap();
    let client = client_for(&server.url, &env.admin_token, &env.ca_cert);
    assert_eq!(client.integration(&env.channel_id).await.unwrap().webhook_secret, current);
    client.stage_next_secret(&env.channel_id, NEXT).await.unwrap();
    assert!(client.integration(&env.channel_id).await.unwrap().rotation_pending);
    let version: i64 =
        rusqlite::Connection::open(&db).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, chanwiz::server::db::SCHEMA_VERSION);
}

/// `/updates` answers each stored update exactly as Telegram sent it
/// (nested values, text in any script, numbers), newest first, and an
/// update without an id as well: the stored bytes are passed through, not
/// rebuilt (see the server bench for its memory).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn received_updates_come_back_exactly_as_delivered() {
    let env = Env::start().await;
    let secret = env.integration().await.webhook_secret;
    let nested = serde_json::json!({
        "update_id": 41,
        "message": {"text": "你好 👋🏽 \"quoted\" \\ back", "entities": [[1, [2, [3]]], {"a": null}], "n": 1.5e3}
    });
    let bare = serde_json::json!({"message": {"text": "no id"}});
    assert_eq!(env.deliver(Some(&secret), &nested).await, 200);
    assert_eq!(env.deliver(Some(&secret), &bare).await, 200);
    let got = env.client.received_updates(&env.channel_id).await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].update_id, &got[0].body), (None, &bare));
    assert_eq!((got[1].update_id, &got[1].body), (Some(41), &nested));
}
