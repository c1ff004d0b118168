//! `chanwiz::integration` as the wizard's Integration page drives it: the
//! step events, the confirmation before replacing a webhook, and a rotation
//! whose backend disappears after Telegram accepted (real server, real
//! stand-in, loopback).
#![cfg(feature = "server")]

mod support;

use std::time::Duration;

use chanwiz::integration::{self, Event, IntegrationError, Options, Replace};
use chanwiz::telegram::{ApiConfig, BotToken, RetryPolicy, Sleeper};
use support::telegram_standin::{renewed, token};
use support::webhook::*;

fn api(env: &Env) -> ApiConfig {
    ApiConfig::new(&env.standin.base_url).unwrap().with_retry(RetryPolicy {
        max_attempts: 3,
        max_wait: Duration::from_secs(60),
        sleeper: Sleeper::new(|_| async {}),
    })
}

fn public() -> Options {
    Options { public_address: Some(PUBLIC.into()), ..Default::default() }
}

fn kind(e: &Event) -> &'static str {
    match e {
        Event::Checked { .. } => "checked",
        Event::Bot { .. } => "bot",
        Event::Before { .. } => "before",
        Event::Replacing { .. } => "replacing",
        Event::SecretStaged => "staged",
        Event::WebhookSet { .. } => "set",
        Event::Confirmed { .. } => "confirmed",
        Event::Stored => "stored",
        Event::Deleted { .. } => "deleted",
        Event::RollingBack { .. } => "rolling back",
        Event::RolledBack { .. } => "rolled back",
        Event::Moved { .. } => "moved",
        Event::PreviousBot(_) => "previous bot",
        Event::Warning(_) => "warning",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_step_is_reported_and_replacing_asks_first() {
    let env = Env::start().await;
    let t = token(7001);
    env.standin.add_bot(&t, "AICCCustomize_TWbot", "AICC Support");
    let other = "https://198.41.0.4/other-tool/hook";
    env.standin.set_existing_webhook(&t, other, 0);
    let bt = BotToken::parse(&t).unwrap();
    let info = integration::prepare(&env.client, &env.channel_name).await.unwrap();
    assert_eq!(info.channel_id, env.channel_id);
    assert!(info.endpoint_certificate_pem.is_some());

    let mut events = Vec::new();
    let err = integration::connect(&env.client, &api(&env), &info, &bt, &public(), &mut |e| events.push(e))
        .await
        .unwrap_err();
    let IntegrationError::NeedsConfirmation { bot, current } = err else { panic!("{err:?}") };
    assert_eq!(bot.username, "AICCCustomize_TWbot");
    assert_eq!(current, other);
    assert_eq!(events.iter().map(kind).collect::<Vec<_>>(), ["checked", "bot", "before"]);
    assert!(env.standin.requests_for("setWebhook").is_empty());

    // The UI asked; the webhook changed meanwhile: the answer no longer holds.
    env.standin.set_existing_webhook(&t, "https://198.41.0.5/third/hook", 0);
    let only = Options { replace: Replace::Only(current.clone()), ..public() };
    let err = integration::connect(&env.client, &api(&env), &info, &bt, &only, &mut |_| {}).await.unwrap_err();
    assert!(
        matches!(err, IntegrationError::NeedsConfirmation { ref current, .. } if current == "https://198.41.0.5/third/hook"),
        "{err:?}"
    );
    assert!(env.standin.requests_for("setWebhook").is_empty());

    let only = Options { replace: Replace::Only("https://198.41.0.5/third/hook".into()), ..public() };
    let mut events = Vec::new();
    let report =
        integration::connect(&env.client, &api(&env), &info, &bt, &only, &mut |e| events.push(e)).await.unwrap();
    let kinds: Vec<_> = events.iter().map(kind).filter(|k| *k != "warning").collect();
    assert_eq!(kinds, ["checked", "bot", "before", "replacing", "set", "confirmed", "stored"]);
    assert_eq!(report.replaced.as_deref(), Some("https://198.41.0.5/third/hook"));
    assert_eq!(report.webhook_url, env.registered_url());
    assert!(report.certificate_uploaded);

    let status = integration::status(&api(&env), &info, &bt, &public()).await.unwrap();
    assert!(status.matches_expected && status.points_to_channel);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_whose_backend_vanishes_is_undone_and_its_staged_secret_lapses() {
    let env = Env::start().await;
    let a = token(7101);
    let b = renewed(7101);
    env.standin.add_bot(&a, "AICCCustomize_TWbot", "AICC Support");
    env.standin.add_bot(&b, "AICCCustomize_TWbot", "AICC Support");
    let info = integration::prepare(&env.client, &env.channel_id).await.unwrap();
    let ba = BotToken::parse(&a).unwrap();
    integration::connect(&env.client, &api(&env), &info, &ba, &public(), &mut |_| {}).await.unwrap();
    env.standin.set_existing_webhook(&b, &env.registered_url(), 0);
    let old = env.integration().await.webhook_secret;

    // The backend stops right after Telegram confirmed the new webhook.
    let handle = env.server.handle();
    let bb = BotToken::parse(&b).unwrap();
    let mut events = Vec::new();
    let err = integration::rotate(&env.client, &api(&env), &info, &bb, &public(), &mut |e| {
        if matches!(e, Event::Confirmed { .. }) {
            handle.shutdown();
        }
        events.push(e);
    })
    .await
    .unwrap_err();
    assert!(matches!(err, IntegrationError::RolledBack { .. }), "{err:?}");
    assert_eq!(err.kind(), chanwiz::error_kind::ErrorKind::Unreachable, "the backend was unreachable: {err}");
    let text = err.to_string();
    assert!(text.contains("lapses by itself"), "{text}");
    let kinds: Vec<_> = events.iter().map(kind).filter(|k| *k != "warning").collect();
    assert_eq!(
        kinds,
        ["checked", "bot", "before", "staged", "set", "confirmed", "rolling back", "rolled back", "rolled back"]
    );

    // Telegram is back on the current secret.
    let sets: Vec<_> = env.standin.requests_for("setWebhook").into_iter().filter(|r| r.token == b).collect();
    let staged = sets[0].secret_token().unwrap();
    assert_eq!(env.standin.webhook(&b).secret_token.as_deref(), Some(old.as_str()));

    // The backend comes back on the same database: still the current
    // secret; the staged one is accepted only until it lapses.
    let db = env.dir.path().join("server.db");
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
    let now = client.integration(&env.channel_id).await.unwrap();
    assert_eq!(now.webhook_secret, old);
    assert!(now.rotation_pending);
    let deliver = |secret: String| {
        let url = format!("{}/apiaccess/telegram/message/{}", server.url, env.channel_id);
        let ca = env.ca_cert.clone();
        async move { deliver_to(&url, &ca, &secret).await }
    };
    assert_eq!(deliver(old.clone()).await, 200);
    assert_eq!(deliver(staged.clone()).await, 200);
    // ten minutes later (moved in the database, not waited for)
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE channels SET next_webhook_secret_until = '2000-01-01T00:00:00.000000Z' WHERE id = ?1",
        [&env.channel_id],
    )
    .unwrap();
    assert_eq!(deliver(staged).await, 403);
    assert_eq!(deliver(old).await, 200);
    assert!(!client.integration(&env.channel_id).await.unwrap().rotation_pending);
}

async fn deliver_to(url: &str, ca: &std::path::Path, secret: &str) -> u16 {
    let pem = std::fs::read(ca).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in <rustls_pki_types::CertificateDer as rustls_pki_types::pem::PemObject>::pem_slice_iter(&pem) {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let http = reqwest::Client::builder().tls_backend_preconfigured(tls).build().unwrap();
    http.post(url)
        .header("X-Telegram-Bot-Api-Secret-Token", secret)
        .json(&update(77, "hi"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn the_steps_can_run_in_spawned_tasks() {
    fn is_send<T: Send>(_: &T) {}
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let env = Env::start().await;
        let info = integration::prepare(&env.client, &env.channel_id).await.unwrap();
        let bt = BotToken::parse(&token(7201)).unwrap();
        let api = api(&env);
        let options = public();
        let mut p = |_e: Event| {};
        is_send(&integration::connect(&env.client, &api, &info, &bt, &options, &mut p));
        let mut p = |_e: Event| {};
        is_send(&integration::rotate(&env.client, &api, &info, &bt, &options, &mut p));
        let mut p = |_e: Event| {};
        is_send(&integration::disconnect(&api, &info, &bt, &options, &mut p));
        is_send(&integration::status(&api, &info, &bt, &options));
        is_send(&integration::prepare(&env.client, "x"));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_operation_asks_telegram_once_who_the_bot_is_and_where_its_webhook_points() {
    let env = Env::start().await;
    let a = token(7301);
    let b = renewed(7301);
    env.standin.add_bot(&a, "AICCCustomize_TWbot", "AICC Support");
    env.standin.add_bot(&b, "AICCCustomize_TWbot", "AICC Support");
    let info = integration::prepare(&env.client, &env.channel_id).await.unwrap();
    let methods = |t: &str| -> Vec<String> {
        env.standin.requests().into_iter().filter(|r| r.token == t).map(|r| r.method).collect()
    };

    integration::connect(&env.client, &api(&env), &info, &BotToken::parse(&a).unwrap(), &public(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(methods(&a), ["getMe", "getWebhookInfo", "setWebhook", "getWebhookInfo"]);

    let before = env.standin.requests().len();
    let status = integration::status(&api(&env), &info, &BotToken::parse(&a).unwrap(), &public()).await.unwrap();
    assert!(status.points_to_channel);
    let asked: Vec<_> = env.standin.requests()[before..].iter().map(|r| r.method.clone()).collect();
    assert_eq!(asked, ["getMe", "getWebhookInfo"]);

    env.standin.set_existing_webhook(&b, &env.registered_url(), 0);
    integration::rotate(&env.client, &api(&env), &info, &BotToken::parse(&b).unwrap(), &public(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(methods(&b), ["getMe", "getWebhookInfo", "setWebhook", "getWebhookInfo"]);

    let before = env.standin.requests().len();
    integration::disconnect(&api(&env), &info, &BotToken::parse(&b).unwrap(), &public(), &mut |_| {}).await.unwrap();
    let asked: Vec<_> = env.standin.requests()[before..].iter().map(|r| r.method.clone()).collect();
    assert_eq!(asked, ["getMe", "getWebhookInfo", "deleteWebhook", "getWebhookInfo"]);
}
