//! `chanwiz webhook rotate`: a new bot token with a fresh webhook secret,
//! and its failure paths, which must leave Telegram and the backend as they
//! were (deliveries keep working with the current secret).
#![cfg(feature = "server")]

mod support;

use support::telegram_standin::{renewed, token};
use support::webhook::*;

const BOT: &str = "AICCCustomize_TWbot";

/// A channel connected with token A; token B (the same bot after /revoke:
/// its webhook already points to the channel) known to Telegram.
async fn connected(a_id: u64, b: &str) -> (Env, String) {
    let env = Env::start().await;
    let a = token(a_id);
    env.standin.add_bot(&a, BOT, "AICC Support");
    assert_eq!(env.set(&a, &[]).await.code, Some(0));
    env.standin.add_bot(b, BOT, "AICC Support");
    env.standin.set_existing_webhook(b, &env.registered_url(), 0);
    let current = env.integration().await.webhook_secret;
    assert_eq!(env.deliver(Some(&current), &update(1, "before")).await, 200);
    (env, current)
}

fn rotate_args(env: &Env) -> Vec<String> {
    ["rotate", "--channel", &env.channel_name, "--public-url", PUBLIC].iter().map(|s| s.to_string()).collect()
}

async fn rotate(env: &Env, new_token: &str) -> Out {
    let args = rotate_args(env);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.run(&args, Some(new_token)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_switches_token_and_secret_together() {
    let b = renewed(6101);
    let (env, old_secret) = connected(6101, &b).await;
    let out = rotate(&env, &b).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("Rotated"), "{}", out.stdout);

    let set = env.standin.requests_for("setWebhook").into_iter().rfind(|r| r.token == b).unwrap();
    let new_secret = set.secret_token().unwrap();
    assert_ne!(new_secret, old_secret);
    assert_eq!(set.arg("url").unwrap(), env.registered_url());
    let integration = env.integration().await;
    assert_eq!(integration.webhook_secret, new_secret, "the backend committed the secret Telegram has");
    assert!(!integration.rotation_pending);
    assert!(integration.has_bot_token);
    assert_eq!(env.standin.webhook(&b).secret_token.as_deref(), Some(new_secret.as_str()));

    // Telegram's deliveries now carry the new secret; the old one is refused.
    assert_eq!(env.deliver(Some(&new_secret), &update(2, "after")).await, 200);
    assert_eq!(env.deliver(Some(&old_secret), &update(3, "old")).await, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_refusing_leaves_everything_as_it_was() {
    let b = renewed(6201);
    let (env, old_secret) = connected(6201, &b).await;
    let hook_before = env.standin.webhook(&b);
    let text = "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443";
    env.standin.fail_next("setWebhook", 400, text);
    let out = rotate(&env, &b).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains(&format!("(verbatim): \"{text}\"")), "{}", out.stderr);
    assert!(out.stdout.contains("the staged secret was dropped"), "{}", out.stdout);

    let refused = env.standin.requests_for("setWebhook").into_iter().rfind(|r| r.token == b).unwrap();
    let staged = refused.secret_token().unwrap();
    let integration = env.integration().await;
    assert_eq!(integration.webhook_secret, old_secret);
    assert!(!integration.rotation_pending, "the staged secret is dropped");
    assert_eq!(env.standin.webhook(&b).url, hook_before.url);
    assert_eq!(env.standin.webhook(&b).secret_token, hook_before.secret_token);
    // deliveries with the current secret still work, the staged one never will
    assert_eq!(env.deliver(Some(&old_secret), &update(4, "still")).await, 200);
    assert_eq!(env.deliver(Some(&staged), &update(5, "staged")).await, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_refusing_after_telegram_accepted_is_rolled_back() {
    // Telegram accepts this token, the backend refuses to store it ('.').
    let b = "6301:AAHdqTcvCH1vGWJxfSeofSAs0K5PALD.x12";
    let (env, old_secret) = connected(6301, b).await;
    let out = rotate(&env, b).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("bot_token"), "the backend's refusal is named: {}", out.stderr);
    assert!(out.stderr.contains("nothing is left changed"), "{}", out.stderr);
    assert!(out.stdout.contains("undoing the change"), "{}", out.stdout);

    let sets: Vec<_> = env.standin.requests_for("setWebhook").into_iter().filter(|r| r.token == b).collect();
    assert_eq!(sets.len(), 2, "the new webhook, then the old one back");
    let staged = sets[0].secret_token().unwrap();
    assert_ne!(staged, old_secret);
    assert_eq!(sets[1].secret_token().unwrap(), old_secret);
    assert_eq!(env.standin.webhook(b).url, env.registered_url());
    assert_eq!(env.standin.webhook(b).secret_token.as_deref(), Some(old_secret.as_str()));

    let integration = env.integration().await;
    assert_eq!(integration.webhook_secret, old_secret);
    assert!(!integration.rotation_pending);
    assert_eq!(env.deliver(Some(&old_secret), &update(6, "still")).await, 200);
    assert_eq!(env.deliver(Some(&staged), &update(7, "staged")).await, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_refused_by_the_backend_removes_the_webhook_it_set() {
    let env = Env::start().await;
    let t = "6401:AAHdqTcvCH1vGWJxfSeofSAs0K5PALD.x12";
    env.standin.add_bot(t, BOT, "AICC Support");
    let out = env.set(t, &[]).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("nothing is left changed"), "{}", out.stderr);
    assert_eq!(env.standin.requests_for("setWebhook").len(), 1);
    assert_eq!(env.standin.requests_for("deleteWebhook").len(), 1);
    assert!(env.standin.webhook(t).url.is_empty());
    assert!(!env.integration().await.has_bot_token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_whose_confirmation_fails_is_rolled_back() {
    let b = renewed(6501);
    let (env, old_secret) = connected(6501, &b).await;
    // Telegram takes the new webhook, then the call confirming it fails
    env.standin.fail_confirmation(500, "Internal Server Error");
    let out = rotate(&env, &b).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("nothing is left changed"), "{}", out.stderr);
    // Telegram sends the current secret again, which the backend accepts
    assert_eq!(env.standin.webhook(&b).secret_token.as_deref(), Some(old_secret.as_str()));
    assert_eq!(env.integration().await.webhook_secret, old_secret);
    assert_eq!(env.deliver(Some(&old_secret), &update(8, "still delivered")).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connect_whose_confirmation_fails_is_rolled_back() {
    let env = Env::start().await;
    let t = token(6601);
    env.standin.add_bot(&t, BOT, "AICC Support");
    env.standin.fail_confirmation(500, "Internal Server Error");
    let out = env.set(&t, &[]).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("nothing is left changed"), "{}", out.stderr);
    assert!(env.standin.webhook(&t).url.is_empty(), "the webhook it set was removed");
    assert!(!env.integration().await.has_bot_token);
}
