//! The Bot API client against the local Telegram stand-in, over real HTTP
//! on 127.0.0.1.
#![cfg(feature = "server")]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chanwiz::telegram::{
    ApiConfig, BotApi, BotToken, FailureKind, RetryPolicy, Sleeper, TelegramError, WebhookParams, WebhookSecret,
};
use support::telegram_standin::{TelegramStandIn, token};

const SECRET: &str = "Wh_secret-0123456789abcdefghijklmnop";

/// A sleeper that records each wait and returns at once.
fn recording_sleeper() -> (Sleeper, Arc<Mutex<Vec<Duration>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let w = waits.clone();
    let sleeper = Sleeper::new(move |d| {
        w.lock().unwrap().push(d);
        async {}
    });
    (sleeper, waits)
}

fn api(standin: &TelegramStandIn, tok: &str) -> (BotApi, Arc<Mutex<Vec<Duration>>>) {
    let (sleeper, waits) = recording_sleeper();
    let config = ApiConfig::new(&standin.base_url).unwrap().with_retry(RetryPolicy {
        max_attempts: 3,
        max_wait: Duration::from_secs(60),
        sleeper,
    });
    (BotApi::new(config, BotToken::parse(tok).unwrap()).unwrap(), waits)
}

fn api_failure(e: TelegramError) -> chanwiz::telegram::ApiFailure {
    match e {
        TelegramError::Api(f) => f,
        other => panic!("expected Telegram's refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn get_me_returns_the_bots_username_and_name() {
    let s = TelegramStandIn::start().await;
    let t = token(5_123_456_789);
    s.add_bot(&t, "AICCCustomize_TWbot", "AICC Support");
    let (api, _) = api(&s, &format!("  {t}\n"));
    let bot = api.get_me().await.unwrap();
    assert_eq!(bot.handle(), "@AICCCustomize_TWbot");
    assert_eq!(bot.name, "AICC Support");
    assert_eq!(bot.id, 5_123_456_789);
    // the trimmed token is what went to Telegram
    assert_eq!(s.requests_for("getMe")[0].token, t);
}

#[tokio::test]
async fn get_me_refuses_a_username_without_bot_and_a_non_bot() {
    let s = TelegramStandIn::start().await;
    let human = token(111);
    s.add_bot(&human, "alice_support", "Alice");
    let (api1, _) = api(&s, &human);
    match api1.get_me().await {
        Err(TelegramError::NotABot(sentence)) => {
            assert!(sentence.contains("@alice_support"), "{sentence}");
            assert!(sentence.contains("ends in \"bot\""), "{sentence}");
        }
        other => panic!("{other:?}"),
    }
    let user = token(222);
    s.add_account(&user, "impostorbot", "Not a bot", false);
    let (api2, _) = api(&s, &user);
    let e = api2.get_me().await.unwrap_err();
    assert!(matches!(&e, TelegramError::NotABot(m) if m.contains("not a bot")), "{e}");
}

#[tokio::test]
async fn an_unknown_token_gets_telegrams_401_and_our_explanation() {
    let s = TelegramStandIn::start().await;
    let (api, _) = api(&s, &token(333));
    let f = api_failure(api.get_me().await.unwrap_err());
    assert_eq!(f.status, 401);
    assert_eq!(f.error_code, Some(401));
    assert_eq!(f.telegram, "Unauthorized");
    assert_eq!(f.kind, FailureKind::Unauthorized);
    assert!(f.explanation.starts_with("Telegram does not know this token: copy it again from @BotFather"));
    let shown = TelegramError::Api(f).to_string();
    assert!(shown.contains("\"Unauthorized\""), "{shown}");
}

#[tokio::test]
async fn each_setwebhook_refusal_is_shown_verbatim_with_our_explanation() {
    let s = TelegramStandIn::start().await;
    let t = token(444);
    s.add_bot(&t, "shop_bot", "Shop");
    let (api, _) = api(&s, &t);
    let with_secret = |url: &str, secret: &str| {
        let mut p = WebhookParams::new(url);
        p.secret_token = Some(WebhookSecret::new(secret));
        p
    };
    let cases = [
        (
            with_secret("https://93.184.216.34:28090/apiaccess/telegram/message/c1", SECRET),
            "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
            FailureKind::Port,
            "public webhook address",
        ),
        (
            with_secret("http://93.184.216.34/apiaccess/telegram/message/c1", SECRET),
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
            FailureKind::Https,
            "only over HTTPS",
        ),
        (
            with_secret("https://10.0.0.1/apiaccess/telegram/message/c1", SECRET),
            "Bad Request: bad webhook: IP address 10.0.0.1 is reserved",
            FailureKind::ReservedIp,
            "cannot reach private or reserved addresses",
        ),
        (
            with_secret("https://192.168.7.9:8443/apiaccess/telegram/message/c1", SECRET),
            "Bad Request: bad webhook: IP address 192.168.7.9 is reserved",
            FailureKind::ReservedIp,
            "cannot reach private or reserved addresses",
        ),
        (
            // the classic mistake: the bot token passed as the secret
            with_secret("https://93.184.216.34/apiaccess/telegram/message/c1", &t),
            "Bad Request: secret token contains unallowed characters",
            FailureKind::SecretCharacters,
            "it is not the bot token",
        ),
        (
            with_secret("https://93.184.216.34/apiaccess/telegram/message/c1", &"a".repeat(257)),
            "Bad Request: secret token is too long",
            FailureKind::SecretTooLong,
            "at most 256",
        ),
    ];
    for (params, telegram, kind, ours) in cases {
        let f = api_failure(api.set_webhook(&params).await.unwrap_err());
        assert_eq!(f.status, 400, "{telegram}");
        assert_eq!(f.telegram, telegram);
        assert_eq!(f.kind, kind, "{telegram}");
        assert!(f.explanation.contains(ours), "{}", f.explanation);
        let shown = TelegramError::Api(f).to_string();
        assert!(shown.contains(telegram), "{shown}");
    }
    assert!(s.webhook(&t).url.is_empty(), "nothing was set");
}

#[tokio::test]
async fn too_many_requests_waits_retry_after_then_succeeds() {
    let s = TelegramStandIn::start().await;
    let t = token(555);
    s.add_bot(&t, "shop_bot", "Shop");
    s.force_429(2, 7);
    let (api, waits) = api(&s, &t);
    let bot = api.get_me().await.unwrap();
    assert_eq!(bot.username, "shop_bot");
    assert_eq!(*waits.lock().unwrap(), vec![Duration::from_secs(7); 2]);
    let statuses: Vec<_> = s.requests_for("getMe").iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![429, 429, 200]);
}

#[tokio::test]
async fn too_many_requests_gives_up_after_the_allowed_attempts() {
    let s = TelegramStandIn::start().await;
    let t = token(556);
    s.add_bot(&t, "shop_bot", "Shop");
    s.force_429(10, 3);
    let (api, waits) = api(&s, &t);
    let f = api_failure(api.get_webhook_info().await.unwrap_err());
    assert_eq!(f.kind, FailureKind::TooManyRequests);
    assert_eq!(f.telegram, "Too Many Requests: retry after 3");
    assert_eq!(f.retry_after, Some(3));
    assert!(f.explanation.contains("try again in 3 seconds"), "{}", f.explanation);
    assert!(f.explanation.contains("3 attempts"), "{}", f.explanation);
    assert_eq!(waits.lock().unwrap().len(), 2);
    assert_eq!(s.requests().len(), 3);
}

#[tokio::test]
async fn a_wait_longer_than_allowed_is_reported_not_waited() {
    let s = TelegramStandIn::start().await;
    let t = token(557);
    s.add_bot(&t, "shop_bot", "Shop");
    s.force_429(1, 3600);
    let (api, waits) = api(&s, &t);
    let f = api_failure(api.get_me().await.unwrap_err());
    assert_eq!(f.retry_after, Some(3600));
    assert!(f.explanation.contains("in 3600 seconds"), "{}", f.explanation);
    assert!(waits.lock().unwrap().is_empty());
    assert_eq!(s.requests().len(), 1);
}

#[tokio::test]
async fn set_webhook_sends_every_parameter() {
    let s = TelegramStandIn::start().await;
    let t = token(666);
    s.add_bot(&t, "shop_bot", "Shop");
    let (api, _) = api(&s, &t);
    let mut p = WebhookParams::new("https://93.184.216.34:8443/apiaccess/telegram/message/c1");
    p.secret_token = Some(WebhookSecret::new(SECRET));
    p.drop_pending_updates = true;
    p.max_connections = Some(10);
    assert_eq!(api.set_webhook(&p).await.unwrap(), "Webhook was set");
    assert_eq!(api.set_webhook(&p).await.unwrap(), "Webhook is already set");

    let r = &s.requests_for("setWebhook")[0];
    assert_eq!(r.encoding, "json");
    assert_eq!(r.arg("url").unwrap(), "https://93.184.216.34:8443/apiaccess/telegram/message/c1");
    assert_eq!(r.secret_token().unwrap(), SECRET);
    assert_eq!(r.allowed_updates().unwrap(), chanwiz::telegram::checks::DEFAULT_ALLOWED_UPDATES);
    assert_eq!(r.flag("drop_pending_updates"), Some(true));
    assert_eq!(r.arg("max_connections").unwrap(), "10");
    assert!(r.certificate.is_none());

    let info = api.get_webhook_info().await.unwrap();
    assert_eq!(info.url, "https://93.184.216.34:8443/apiaccess/telegram/message/c1");
    assert_eq!(info.max_connections, Some(10));
    assert_eq!(info.ip_address.as_deref(), Some("93.184.216.34"));
    assert_eq!(info.allowed_updates.unwrap(), chanwiz::telegram::checks::DEFAULT_ALLOWED_UPDATES);
    assert!(!info.has_custom_certificate);
}

#[tokio::test]
async fn a_certificate_is_uploaded_as_a_multipart_file() {
    let s = TelegramStandIn::start().await;
    let t = token(667);
    s.add_bot(&t, "shop_bot", "Shop");
    let (api, _) = api(&s, &t);
    let pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".to_vec();
    let mut p = WebhookParams::new("https://93.184.216.34/apiaccess/telegram/message/c1");
    p.secret_token = Some(WebhookSecret::new(SECRET));
    p.certificate_pem = Some(pem.clone());
    assert_eq!(api.set_webhook(&p).await.unwrap(), "Webhook was set");
    let r = &s.requests_for("setWebhook")[0];
    assert_eq!(r.encoding, "multipart");
    assert_eq!(r.certificate.as_deref(), Some(pem.as_slice()));
    assert_eq!(r.arg("url").unwrap(), "https://93.184.216.34/apiaccess/telegram/message/c1");
    assert_eq!(r.secret_token().unwrap(), SECRET);
    assert_eq!(r.allowed_updates().unwrap(), chanwiz::telegram::checks::DEFAULT_ALLOWED_UPDATES);
    assert_eq!(r.flag("drop_pending_updates"), Some(false));
    assert!(api.get_webhook_info().await.unwrap().has_custom_certificate);
}

#[tokio::test]
async fn delete_webhook_reports_whether_one_was_set() {
    let s = TelegramStandIn::start().await;
    let t = token(777);
    s.add_bot(&t, "shop_bot", "Shop");
    s.set_existing_webhook(&t, "https://93.184.216.34/old", 12);
    let (api, _) = api(&s, &t);
    assert_eq!(api.delete_webhook(true).await.unwrap(), "Webhook was deleted");
    assert_eq!(api.delete_webhook(false).await.unwrap(), "Webhook is already deleted");
    let r = &s.requests_for("deleteWebhook")[0];
    assert_eq!(r.flag("drop_pending_updates"), Some(true));
    let info = api.get_webhook_info().await.unwrap();
    assert!(!info.is_set());
    assert_eq!(info.pending_update_count, 0);
}

#[tokio::test]
async fn an_unreachable_api_is_reported_as_such() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = ApiConfig::new(&format!("http://127.0.0.1:{port}")).unwrap();
    let api = BotApi::new(config, BotToken::parse(&token(888)).unwrap()).unwrap();
    match api.get_me().await.unwrap_err() {
        TelegramError::Unreachable { base, detail, timeout } => {
            assert_eq!(base, format!("http://127.0.0.1:{port}"));
            assert!(detail.to_lowercase().contains("refused"), "{detail}");
            assert!(!timeout);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_answer_that_is_not_the_bot_api_is_named() {
    use axum::http::StatusCode;
    let app = axum::Router::new().fallback(|| async {
        (StatusCode::BAD_GATEWAY, [("content-type", "text/html")], "<html><h1>502 Bad Gateway</h1></html>")
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let config = ApiConfig::new(&format!("http://{addr}")).unwrap();
    let api = BotApi::new(config, BotToken::parse(&token(999)).unwrap()).unwrap();
    match api.get_me().await.unwrap_err() {
        TelegramError::BadResponse { status, method, detail, .. } => {
            assert_eq!(status, 502);
            assert_eq!(method, "getMe");
            assert!(detail.contains("502 Bad Gateway"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}
