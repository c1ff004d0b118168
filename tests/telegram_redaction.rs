//! A run where everything fails — wrong token, unreachable API, refusals,
//! rate limits, a proxy echoing the request path — and not one error text,
//! Debug output or log line (ours and our dependencies', at TRACE level)
//! contains the bot token or the webhook secret.
#![cfg(feature = "server")]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chanwiz::integration::Session;
use chanwiz::telegram::{
    ApiConfig, BotApi, BotToken, RetryPolicy, Sleeper, TelegramError, WebhookOptions, WebhookParams, WebhookSecret,
    plan,
};
use support::telegram_standin::{TelegramStandIn, token};

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn quick(config: ApiConfig) -> ApiConfig {
    config.with_retry(RetryPolicy {
        max_attempts: 2,
        max_wait: Duration::from_secs(60),
        sleeper: Sleeper::new(|_| async {}),
    })
}

/// A server that echoes the request path back, as careless proxies do.
async fn echo_server() -> String {
    let app = axum::Router::new().fallback(|req: Request| async move {
        let path = req.uri().path().to_owned();
        if path.ends_with("/getMe") {
            (StatusCode::NOT_FOUND, format!("<html>Cannot POST {path}</html>")).into_response()
        } else {
            (
                StatusCode::BAD_REQUEST,
                axum::Json(serde_json::json!({
                    "ok": false, "error_code": 400, "description": format!("Bad Request: no such path {path}")
                })),
            )
                .into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    format!("http://{addr}")
}

fn keep(shown: &mut Vec<String>, e: &TelegramError) {
    shown.push(e.to_string());
    shown.push(format!("{e:?}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_error_debug_output_or_log_line_contains_the_token() {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = Capture(logs.clone());
    tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .try_init()
        .expect("this test binary installs the only subscriber");

    let s = TelegramStandIn::start().await;
    let known = token(4_242_424_242);
    s.add_bot(&known, "shop_bot", "Shop");
    let human = token(4_343_434_343);
    s.add_bot(&human, "alice", "Alice");
    let unknown = token(4_444_444_444);
    let secret = WebhookSecret::new("Secret_value-that-must-not-leak-42");
    let secrets = [&known, &human, &unknown].map(|t| t.split_once(':').unwrap().1.to_owned());

    let mut shown: Vec<String> = Vec::new();

    // wrong token, with whitespace around it as pasted
    let cfg = quick(ApiConfig::new(&s.base_url).unwrap());
    let bad = BotToken::parse(&format!("\t{unknown}  ")).unwrap();
    let e = Session::open(&cfg, &bad).await.unwrap_err();
    assert!(e.to_string().contains("Telegram does not know this token"));
    keep(&mut shown, &e);
    let options = WebhookOptions { public_address: Some("https://93.184.216.34".into()), ..Default::default() };
    let p = plan("https://10.0.0.9:28090/apiaccess/telegram/message/c", &secret, Some(&bad), &options, None).unwrap();
    shown.push(format!("{p:?}"));
    let e = BotApi::new(cfg.clone(), bad.clone()).unwrap().set_webhook(&p.params).await.unwrap_err();
    keep(&mut shown, &e);

    // not a bot
    let e = Session::open(&cfg, &BotToken::parse(&human).unwrap()).await.unwrap_err();
    keep(&mut shown, &e);

    // refusals from Telegram
    let api = BotApi::new(cfg.clone(), BotToken::parse(&known).unwrap()).unwrap();
    shown.push(format!("{api:?}"));
    for (url, sec) in [
        ("https://93.184.216.34:28090/x", secret.clone()),
        ("http://93.184.216.34/x", secret.clone()),
        ("https://10.0.0.1/x", secret.clone()),
        ("https://93.184.216.34/x", WebhookSecret::new(known.clone())),
    ] {
        let mut p = WebhookParams::new(url);
        p.secret_token = Some(sec);
        p.certificate_pem = url.contains("10.0.0.1").then(|| b"-----BEGIN CERTIFICATE-----".to_vec());
        shown.push(format!("{p:?}"));
        let e = api.set_webhook(&p).await.unwrap_err();
        keep(&mut shown, &e);
    }
    // the bot token as the secret, caught before Telegram
    let problems = plan(
        "https://93.184.216.34/x",
        &WebhookSecret::new(known.clone()),
        Some(&BotToken::parse(&known).unwrap()),
        &WebhookOptions::default(),
        None,
    )
    .unwrap_err();
    shown.push(chanwiz::telegram::checks::describe(&problems));
    shown.push(format!("{problems:?}"));
    // rate limited beyond the allowed attempts
    s.force_429(5, 2);
    let e = api.get_webhook_info().await.unwrap_err();
    keep(&mut shown, &e);

    // unreachable: a closed loopback port
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let closed = quick(ApiConfig::new(&format!("http://127.0.0.1:{port}")).unwrap());
    let e = Session::open(&closed, &BotToken::parse(&known).unwrap()).await.unwrap_err();
    assert!(e.to_string().contains("cannot reach"), "{e}");
    keep(&mut shown, &e);
    shown.push(format!("{closed:?}"));

    // a proxy echoing the request path (with the token) in its answers
    let echo = quick(ApiConfig::new(&echo_server().await).unwrap());
    let echo_api = BotApi::new(echo, BotToken::parse(&known).unwrap()).unwrap();
    let e = echo_api.get_me().await.unwrap_err();
    assert!(e.to_string().contains("Cannot POST /bot<redacted>/getMe"), "{e}");
    keep(&mut shown, &e);
    let e = echo_api.get_webhook_info().await.unwrap_err();
    assert!(e.to_string().contains("no such path /bot<redacted>/getWebhookInfo"), "{e}");
    keep(&mut shown, &e);

    drop(s);
    let log = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    // the capture really holds the run (so the search below means something)
    for expected in ["setWebhook", "Unauthorized", "Bot API refused", "Bot API unreachable", "Too Many Requests"] {
        assert!(log.contains(expected), "log lacks {expected}:\n{log}");
    }
    assert_eq!(shown.len(), 31);
    for text in shown.iter().chain(std::iter::once(&log)) {
        for t in &secrets {
            assert!(!text.contains(t.as_str()), "a token leaked into: {text}");
        }
        assert!(!text.contains(secret.expose()), "the webhook secret leaked into: {text}");
    }
}

/// A proxy page that echoes the path after markup of growing length, so
/// that the cut of the answer for an error message falls, at some request,
/// inside the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_of_an_echoed_page_never_keeps_a_piece_of_the_token() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().fallback(move |req: Request| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        async move {
            let path = req.uri().path().to_owned();
            let padding = "x".repeat(n * 6);
            (StatusCode::BAD_GATEWAY, format!("<html><p>{padding}</p><p>upstream failed for {path}</p></html>"))
                .into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let t = token(424242);
    let secret_part = t.split(':').nth(1).unwrap().to_string();
    let api =
        BotApi::new(quick(ApiConfig::new(&format!("http://{addr}")).unwrap()), BotToken::parse(&t).unwrap()).unwrap();
    for _ in 0..20 {
        let err = api.get_me().await.unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            // no run of 6 characters of the token's secret part survives
            for start in 0..secret_part.len() - 6 {
                let piece = &secret_part[start..start + 6];
                assert!(!shown.contains(piece), "a piece of the token ({piece}) is in: {shown}");
            }
        }
    }
}
