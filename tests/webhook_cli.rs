//! `chanwiz webhook set|info|delete` as a user runs them, against the real
//! backend (`chanwiz serve` in-process, HTTPS, temporary SQLite) and the
//! local Bot API stand-in, both over loopback.
#![cfg(feature = "server")]

mod support;

use support::telegram_standin::token;
use support::webhook::*;

const BOT: &str = "AICCCustomize_TWbot";

async fn env_with_bot(id: u64) -> (Env, String) {
    let env = Env::start().await;
    let t = token(id);
    env.standin.add_bot(&t, BOT, "AICC Support");
    (env, t)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_token_to_a_delivered_update() {
    let (env, t) = env_with_bot(5001).await;
    let before = env.integration().await;
    assert!(!before.has_bot_token);

    let out = env.set(&t, &[]).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    // the integration URL stays in the scrollback, and each step is shown
    assert!(out.stdout.contains(&before.integration_url), "{}", out.stdout);
    assert!(out.stdout.contains("@AICCCustomize_TWbot (AICC Support)"), "{}", out.stdout);
    assert!(out.stdout.contains("Webhook was set"), "{}", out.stdout);
    assert!(out.stdout.contains("getWebhookInfo confirms"), "{}", out.stdout);

    // Telegram received exactly the channel's secret, URL, update types
    // and the self-signed identity certificate as a multipart file.
    let sets = env.standin.requests_for("setWebhook");
    assert_eq!(sets.len(), 1);
    let set = &sets[0];
    assert_eq!(set.arg("url").unwrap(), env.registered_url());
    assert_eq!(set.secret_token().unwrap(), before.webhook_secret);
    assert_eq!(set.allowed_updates().unwrap(), chanwiz::telegram::checks::DEFAULT_ALLOWED_UPDATES);
    assert_eq!(set.flag("drop_pending_updates"), Some(false));
    assert_eq!(set.encoding, "multipart");
    let pem = set.certificate.clone().expect("the self-signed certificate is uploaded");
    assert_eq!(String::from_utf8(pem.clone()).unwrap(), before.identity_certificate_pem.clone().unwrap());
    let (_, block) = x509_parser::pem::parse_x509_pem(&pem).unwrap();
    let cert = block.parse_x509().unwrap();
    assert!(cert.subject().to_string().contains("AICC System Identity"));
    assert!(env.standin.webhook(&t).has_custom_certificate);

    // only then the backend got the token (write-only)
    let after = env.integration().await;
    assert!(after.has_bot_token);
    assert_eq!(after.webhook_secret, before.webhook_secret);

    // Telegram delivers an update with the secret it was given: accepted.
    let recorded_secret = set.secret_token().unwrap();
    assert_eq!(env.deliver(Some(&recorded_secret), &update(900_001, "hello agent")).await, 200);
    let received = env.client.received_updates(&env.channel_id).await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].update_id, Some(900_001));
    assert_eq!(received[0].body["message"]["text"], "hello agent");
    // A wrong secret (or none) is refused and nothing is stored.
    assert_eq!(env.deliver(Some("WrongSecret_0123456789abcdefghijklmnop"), &update(900_002, "forged")).await, 403);
    assert_eq!(env.deliver(None, &update(900_003, "forged")).await, 403);
    assert_eq!(env.client.received_updates(&env.channel_id).await.unwrap().len(), 1);

    // info agrees, with no token given: the backend asks Telegram itself,
    // and tells what it refused
    let out = env.run(&["info", "--channel", &env.channel_id], None).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains(&format!("Webhook: {}", env.registered_url())), "{}", out.stdout);
    assert!(out.stdout.contains("Status: ok: the webhook works"), "{}", out.stdout);
    assert!(out.stdout.contains("Pending updates: 0"), "{}", out.stdout);
    assert!(out.stdout.contains("Public webhook address: https://93.184.216.34:8443"), "{}", out.stdout);
    assert!(out.stdout.contains("refused 1 delivery(ies) with a wrong secret token"), "{}", out.stdout);
    assert!(out.stdout.contains("refused 1 delivery(ies) without a secret token"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_reach_telegram() {
    let (env, t) = env_with_bot(5002).await;
    env.standin.set_pending(&t, 12);
    let out = env.set(&t, &["--drop-pending", "--allowed-updates", "message,callback_query", "--json"]).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    let done: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(done["ok"], true);
    assert_eq!(done["channel"]["name"], env.channel_name.as_str());
    assert!(done["bot"]["username"].as_str().is_some_and(|u| u.ends_with("bot")), "{done}");
    assert_eq!(done["webhook_url"], env.registered_url().as_str());
    assert!(done["steps"].as_array().is_some_and(|s| s.len() >= 3), "{done}");
    assert!(!out.stdout.contains(t.split(':').nth(1).unwrap()), "the token is printed");
    let set = &env.standin.requests_for("setWebhook")[0];
    assert_eq!(set.flag("drop_pending_updates"), Some(true));
    assert_eq!(set.allowed_updates().unwrap(), ["message", "callback_query"]);
    assert_eq!(env.standin.webhook(&t).pending_update_count, 0);

    // an unknown update type is caught before Telegram is called
    let before = env.standin.requests().len();
    let out = env.set(&t, &["--allowed-updates", "mesage"]).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("mesage"), "{}", out.stderr);
    assert_eq!(env.standin.requests().len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_checks_exit_1_without_calling_telegram() {
    let (env, t) = env_with_bot(5003).await;
    // The example's BaseUrl is https://192.0.2.10:28090: reserved address, AICC's frontend port.
    let out = env.run(&["set", "--channel", &env.channel_name], Some(&t)).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("Telegram was not called"), "{}", out.stderr);
    assert!(out.stderr.contains("192.0.2.10"), "{}", out.stderr);
    assert!(out.stderr.contains("28090"), "{}", out.stderr);
    assert!(out.stderr.contains("public webhook address"), "{}", out.stderr);
    // the fix names the flag, not the wizard's field
    assert!(out.stderr.contains("with `--public-url https://PUBLIC-IPv4:8443`"), "{}", out.stderr);
    assert!(!out.stderr.contains("set a public webhook address"), "{}", out.stderr);

    for public in [
        "http://93.184.216.34:8443",
        "https://93.184.216.34:9443",
        "https://10.0.0.1:443",
        "https://[2a00:1450::1]:443",
    ] {
        let out = env.run(&["set", "--channel", &env.channel_name, "--public-url", public], Some(&t)).await;
        assert_eq!(out.code, Some(1), "{public}: {}", out.all());
        assert!(out.stderr.contains("Telegram was not called"), "{public}: {}", out.stderr);
    }
    assert!(env.standin.requests().is_empty(), "{:?}", env.standin.requests());
    assert!(!env.integration().await.has_bot_token);
}

/// Telegram's refusals reach the user word for word, beside our reading.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_refusals_are_shown_verbatim_with_their_explanation() {
    let (env, t) = env_with_bot(5004).await;

    // 401: a token Telegram does not know.
    let unknown = token(5999);
    let out = env.set(&unknown, &[]).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("Telegram does not know this token: copy it again from @BotFather"), "{}", out.stderr);
    assert!(out.stderr.contains("(verbatim): \"Unauthorized\""), "{}", out.stderr);

    // A host name that resolves to a reserved address: only Telegram can tell.
    env.standin.add_dns("hook.example.net", "10.0.0.1".parse().unwrap());
    let out = env
        .run(&["set", "--channel", &env.channel_name, "--public-url", "https://hook.example.net:8443"], Some(&t))
        .await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stderr.contains("(verbatim): \"Bad Request: bad webhook: IP address 10.0.0.1 is reserved\""),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("What it means: Telegram cannot reach private or reserved addresses"),
        "{}",
        out.stderr
    );

    // The other documented texts, answered by the stand-in as Telegram would.
    let cases = [
        (
            "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
            "ports 443, 80, 88 or 8443",
        ),
        ("Bad Request: bad webhook: An HTTPS URL must be provided for webhook", "only over HTTPS"),
        ("Bad Request: secret token contains unallowed characters", "it is not the bot token"),
    ];
    for (text, explanation) in cases {
        env.standin.fail_next("setWebhook", 400, text);
        let out = env.set(&t, &[]).await;
        assert_eq!(out.code, Some(1), "{text}: {}", out.all());
        assert!(out.stderr.contains(&format!("(verbatim): \"{text}\"")), "{text}: {}", out.stderr);
        assert!(out.stderr.contains(explanation), "{text}: {}", out.stderr);
    }
    // none of these left a token in the backend
    assert!(!env.integration().await.has_bot_token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_requests_is_waited_out_and_retried() {
    let (env, t) = env_with_bot(5005).await;
    // "retry after 0": the retry without a real second's wait (the waits
    // themselves are tested with an injected sleeper in telegram_client.rs)
    env.standin.force_429(1, 0);
    let out = env.set(&t, &[]).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    let statuses: Vec<_> = env.standin.requests().iter().map(|r| (r.method.clone(), r.status)).collect();
    assert_eq!(statuses[0], ("getMe".to_string(), 429));
    assert_eq!(statuses[1], ("getMe".to_string(), 200));
    assert!(env.integration().await.has_bot_token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_pointing_elsewhere_is_replaced_only_with_yes() {
    let (env, t) = env_with_bot(5006).await;
    let other = "https://198.41.0.4/other-tool/hook";
    env.standin.set_existing_webhook(&t, other, 0);

    // no terminal to ask on: refused, nothing changed
    let out = env.set(&t, &[]).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains(other), "{}", out.stderr);
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    assert!(out.stdout.contains("points elsewhere"), "{}", out.stdout);
    assert!(env.standin.requests_for("setWebhook").is_empty());
    assert_eq!(env.standin.webhook(&t).url, other);
    assert!(!env.integration().await.has_bot_token);

    let out = env.set(&t, &["--yes"]).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains(&format!("It replaced the webhook that pointed to {other}")), "{}", out.stdout);
    assert_eq!(env.standin.webhook(&t).url, env.registered_url());

    // registering again (our own webhook) needs no confirmation
    let out = env.set(&t, &[]).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("already points to this channel"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_and_delete() {
    let (env, t) = env_with_bot(5007).await;
    let out = env.run(&["info", "--channel", &env.channel_name], None).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stdout.contains("Bot token stored in the backend: no"), "{}", out.stdout);
    assert!(out.stderr.contains("no bot token is stored"), "{}", out.all());
    // the CLI names its own command, never the wizard's button
    assert!(out.stdout.contains("`chanwiz webhook set --bot-token-file FILE`"), "{}", out.stdout);
    assert!(!out.all().contains("Register"), "{}", out.all());

    assert_eq!(env.set(&t, &[]).await.code, Some(0));
    // an old delivery error, before the registration: resolved, so no problem
    env.standin.set_delivery_error("Wrong response from the webhook: 403 Forbidden");
    let out = env.run(&["info", "--channel", &env.channel_name], None).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("Status: ok"), "{}", out.stdout);
    assert!(out.stdout.contains("resolved"), "{}", out.stdout);
    // a 403 now, while the backend refused nothing: something in front of it
    env.standin.set_delivery_error_now("Wrong response from the webhook: 403 Forbidden");
    let out = env.run(&["info", "--channel", &env.channel_name], None).await;
    // a problem reported is exit 1, though the webhook points here
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("deliveries fail"), "{}", out.stderr);
    assert!(out.stdout.contains("\"Wrong response from the webhook: 403 Forbidden\""), "{}", out.stdout);
    assert!(out.stdout.contains("Status: problem"), "{}", out.stdout);
    assert!(out.stdout.contains("firewall") && out.stdout.contains("no refused delivery"), "{}", out.stdout);
    // the same 403 while the backend refused a wrong secret: a secret mismatch
    assert_eq!(env.deliver(Some("Old_secret_0123456789abcdefghijklmnopqr"), &update(1, "x")).await, 403);
    let out = env.run(&["info", "--channel", &env.channel_name], None).await;
    assert!(out.stdout.contains("Secret mismatch"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("Secret mismatch, run `chanwiz webhook set` again: the webhook was set with another secret"),
        "{}",
        out.stdout
    );
    assert!(!out.all().contains("Register"), "{}", out.all());
    assert!(!out.stdout.contains("firewall"), "{}", out.stdout);
    assert!(!out.all().contains(t.split(':').nth(1).unwrap()), "the token is printed");
    // the same as JSON, the channel named positionally
    let out = env.run(&["info", &env.channel_name, "--json"], None).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    let info: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(info["channel"]["name"], env.channel_name.as_str());
    assert_eq!(info["points_here"], true);
    assert_eq!(info["diagnosis"]["verdict"], "failing");
    assert!(
        info["diagnosis"]["details"][0]
            .as_str()
            .unwrap()
            .starts_with("Secret mismatch, run `chanwiz webhook set` again"),
        "{info}"
    );
    assert!(info["state"]["webhook"]["last_error_message"].as_str().unwrap().contains("403 Forbidden"), "{info}");
    assert!(!out.stdout.contains(t.split(':').nth(1).unwrap()), "the token is printed");

    // in a pipe, delete refuses without --yes, saying so
    let out = env.run(&["delete", &env.channel_name, "--drop-pending"], Some(&t)).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("not a terminal") && out.stderr.contains("--yes"), "{}", out.stderr);
    assert!(!env.standin.webhook(&t).url.is_empty(), "deleted without a yes");
    let out = env.run(&["delete", &env.channel_name, "--drop-pending", "-y", "--json"], Some(&t)).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    let done: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(done["ok"], true);
    assert!(done["removed"].as_str().is_some_and(|u| u.contains("/apiaccess/telegram/message/")), "{done}");
    assert!(done["steps"].as_array().is_some_and(|s| !s.is_empty()), "{done}");
    assert!(!out.stdout.contains(t.split(':').nth(1).unwrap()), "the token is printed");
    env.standin.set_existing_webhook(&t, done["removed"].as_str().unwrap(), 0);
    let out = env.run(&["delete", "--channel", &env.channel_name, "--drop-pending", "--yes"], Some(&t)).await;
    assert!(out.stderr.contains("`--channel NAME` is deprecated"), "{}", out.stderr);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("Webhook was deleted"), "{}", out.stdout);
    assert!(env.standin.webhook(&t).url.is_empty());
    assert_eq!(env.standin.requests_for("deleteWebhook")[0].flag("drop_pending_updates"), Some(true));

    // someone else's webhook is not deleted without --yes
    let other = "https://198.41.0.4/other-tool/hook";
    env.standin.set_existing_webhook(&t, other, 0);
    let out = env.run(&["delete", "--channel", &env.channel_name], Some(&t)).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert_eq!(env.standin.webhook(&t).url, other);
    let out = env.run(&["delete", "--channel", &env.channel_name, "--yes"], Some(&t)).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(env.standin.webhook(&t).url.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_comes_from_a_file_or_the_environment_only() {
    let (env, t) = env_with_bot(5008).await;
    let out = env.run(&["set", "--channel", &env.channel_name, "--public-url", PUBLIC], None).await;
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("CHANWIZ_BOT_TOKEN") && out.stderr.contains("--bot-token-file"), "{}", out.stderr);
    assert!(env.standin.requests().is_empty());

    let file = env.dir.path().join("bot-token");
    std::fs::write(&file, format!("  {t}\n")).unwrap();
    let out = env
        .run(
            &["set", "--channel", &env.channel_name, "--public-url", PUBLIC, "--token-file", file.to_str().unwrap()],
            None,
        )
        .await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(env.standin.requests_for("getMe")[0].token, t);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_certificate_file_replaces_the_identity_certificate() {
    let (env, t) = env_with_bot(5009).await;
    // the backend's own self-signed certificate, as a proxy might present it
    let file = env.ca_cert.to_str().unwrap().to_string();
    let out = env.set(&t, &["--endpoint-cert", &file]).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    let set = &env.standin.requests_for("setWebhook")[0];
    assert_eq!(set.certificate.as_deref(), Some(std::fs::read(&env.ca_cert).unwrap().as_slice()));

    let before = env.standin.requests().len();
    let out = env.set(&t, &["--endpoint-cert", "/nonexistent/cert.pem"]).await;
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("/nonexistent/cert.pem"), "{}", out.stderr);
    assert_eq!(env.standin.requests().len(), before);

    let junk = env.dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let out = env.set(&t, &["--endpoint-cert", junk.to_str().unwrap()]).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("Telegram was not called"), "{}", out.stderr);
    assert_eq!(env.standin.requests().len(), before);
}
