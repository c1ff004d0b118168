//! No output, log or error of a failing `chanwiz webhook` run contains the
//! bot token or a webhook secret, whatever failed: Telegram refusing (even
//! echoing the token), Telegram or the backend unreachable, the checks, the
//! backend refusing after Telegram accepted, a confirmation refused.
#![cfg(feature = "server")]

mod support;

use support::telegram_standin::token;
use support::webhook::*;

/// `text` must contain none of `secrets` (nor the part of a token after ':').
fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{what} contains a secret ({} characters):\n{text}", s.len());
        if let Some((_, part)) = s.split_once(':') {
            assert!(!text.contains(part), "{what} contains a token's secret part:\n{text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_runs_never_show_the_token_or_the_secrets() {
    let env = Env::start().await;
    let t = token(8001);
    env.standin.add_bot(&t, "AICCCustomize_TWbot", "AICC Support");
    let secret = env.integration().await.webhook_secret;
    let unknown = token(8999);
    let refused_by_backend = "8002:AAHdqTcvCH1vGWJxfSeofSAs0K5PALD.x12";
    env.standin.add_bot(refused_by_backend, "AICCCustomize_TWbot", "AICC Support");
    let name = env.channel_name.clone();
    let mut outputs = Vec::new();
    let mut expect_failure = |label: &str, out: Out| {
        assert_ne!(out.code, Some(0), "{label} should fail: {}", out.all());
        outputs.push((label.to_string(), out.all()));
    };

    expect_failure("unknown token", env.set(&unknown, &[]).await);
    expect_failure("checks", env.run(&["set", "--channel", &name], Some(&t)).await);
    // Telegram echoing the token and the secret back in its error text
    env.standin.fail_next("setWebhook", 400, &format!("Bad Request: bad webhook: {t} {secret} rejected"));
    expect_failure("echoed", env.set(&t, &[]).await);
    env.standin.fail_next("getMe", 502, &format!("Bad Gateway for /bot{t}/getMe"));
    expect_failure("5xx", env.set(&t, &[]).await);
    env.standin.fail_next("setWebhook", 400, "Bad Request: secret token contains unallowed characters");
    expect_failure("secret refused", env.set(&t, &[]).await);
    // Telegram unreachable (the URL carries the token)
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let args = ["set", "--channel", &name, "--public-url", PUBLIC, "--telegram-api", &dead];
    expect_failure("telegram unreachable", env.run(&args, Some(&t)).await);
    // backend refuses the token after Telegram accepted: rolled back
    expect_failure("backend refuses", env.set(refused_by_backend, &[]).await);
    // ... and the same during a rotation
    assert_eq!(env.set(&t, &[]).await.code, Some(0));
    env.standin.set_existing_webhook(refused_by_backend, &env.registered_url(), 0);
    let args = ["rotate", "--channel", &name, "--public-url", PUBLIC];
    expect_failure("rotation rolled back", env.run(&args, Some(refused_by_backend)).await);
    env.standin.fail_next("setWebhook", 429, "Too Many Requests: retry after 3600");
    expect_failure("rotation refused", env.run(&args, Some(&t)).await);
    // confirmation refused
    env.standin.set_existing_webhook(&t, "https://198.41.0.4/other", 0);
    expect_failure("elsewhere", env.set(&t, &[]).await);
    // a token from a file, backend unreachable
    let file = env.dir.path().join("token");
    std::fs::write(&file, &t).unwrap();
    let mut cmd = env.command(&["info", "--channel", &name, "--token-file", file.to_str().unwrap()], None);
    cmd.env("CHANWIZ_BACKEND", &dead);
    let o = cmd.output().await.unwrap();
    expect_failure("backend unreachable", Out::from(o));

    // every staged secret Telegram was sent
    let sent: Vec<String> = env.standin.requests().iter().filter_map(|r| r.secret_token()).collect();
    assert!(sent.len() >= 3, "{sent:?}");
    let mut secrets: Vec<&str> = vec![&t, refused_by_backend, &unknown, &secret];
    secrets.extend(sent.iter().map(String::as_str));
    for (label, text) in &outputs {
        assert!(!text.trim().is_empty(), "{label}: nothing said");
        assert_clean(label, text, &secrets);
    }
    let logs = env.logs();
    assert!(logs.contains("Bot API refused"), "the log file was written: {logs}");
    assert_clean("log files", &logs, &secrets);
    // the refusal is still explained, with the secret and token cut out
    let echoed = &outputs.iter().find(|(l, _)| l == "echoed").unwrap().1;
    assert!(echoed.contains("<redacted>"), "{echoed}");
}
