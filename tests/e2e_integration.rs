//! The Channel Integration page of the wizard, driven in a real pty (tmux)
//! against the real backend (HTTPS, temporary SQLite) and the local Bot API
//! stand-in: a bot token typed on the page registers the channel's webhook,
//! and Telegram's deliveries with that secret reach the channel.
#![cfg(feature = "server")]

mod support;

use support::telegram_standin::token;
use support::tmux::Pane;
use support::webhook::*;

const BOT: &str = "AICCCustomize_TWbot";

/// The wizard on the channel list, with the backend and the stand-in set.
fn wizard(env: &Env, name: &str) -> Pane {
    let mut pane = Pane::new(name);
    pane.backend = Some((env.server.url.clone(), env.admin_token.clone()));
    pane.env.push(("CHANWIZ_CA_CERT".into(), env.ca_cert.to_string_lossy().into_owned()));
    pane.env.push(("CHANWIZ_TELEGRAM_API".into(), env.standin.base_url.clone()));
    pane.env.push(("CHANWIZ_LOG".into(), "debug".into()));
    pane.start(&[]);
    pane.wait_for(&["Channels", "Webhook_Support", "online"]);
    pane
}

/// From the home screen: open the channel's integration page, type the
/// token and the public address, and press Register.
fn register(pane: &Pane, bot_token: &str) {
    pane.keys(&["i"]);
    pane.wait_for(&["Channel", "Integration", "Webhook_Support"]);
    pane.keys(&["Tab"]);
    pane.type_text(bot_token);
    pane.keys(&["Tab"]);
    pane.type_text(PUBLIC);
    pane.wait_for(&["✓", "webhook", "URL", "93.184.216.34:8443"]);
    pane.keys(&["Tab", "Tab", "Tab"]);
    pane.wait_focus("[ Register ]");
    pane.keys(&["Enter"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_token_typed_on_the_integration_page_registers_the_webhook_and_updates_reach_the_channel() {
    let env = Env::start().await;
    let t = token(7001);
    env.standin.add_bot(&t, BOT, "AICC Support");
    let before = env.integration().await;
    assert!(!before.has_bot_token);

    let pane = wizard(&env, "register");
    let screens = tokio::task::block_in_place(|| {
        register(&pane, &t);
        let done = pane.wait_for(&["registered", "@AICCCustomize_TWbot"]);
        vec![done, pane.screen()]
    });

    // Telegram got the channel's URL (through the public address) and secret
    let sets = env.standin.requests_for("setWebhook");
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].arg("url").unwrap(), env.registered_url());
    let secret = sets[0].secret_token().unwrap();
    assert_eq!(secret, before.webhook_secret);
    // only then the backend got the token
    assert!(env.integration().await.has_bot_token);

    // Telegram delivers with that secret: accepted; a wrong one is refused
    assert_eq!(env.deliver(Some(&secret), &update(910_001, "hello from the wizard")).await, 200);
    let received = env.client.received_updates(&env.channel_id).await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body["message"]["text"], "hello from the wizard");
    assert_eq!(env.deliver(Some("Wrong_secret_0123456789abcdefghijklmn"), &update(910_002, "forged")).await, 403);

    // the token was never drawn, nor logged
    let secret_part = t.split(':').nth(1).unwrap();
    for screen in &screens {
        assert!(!screen.contains(secret_part), "the token is on the screen:\n{screen}");
        assert!(!screen.contains(&secret), "the webhook secret is on the screen:\n{screen}");
    }
    let logs = all_text_under(pane.home());
    assert!(!logs.contains(secret_part) && !logs.contains(&secret), "a secret is in the wizard's files");

    // the page keeps the URL in the scrollback on exit
    tokio::task::block_in_place(|| {
        // back to the channel list: the backend knows the webhook works
        // (the page asked it after registering)
        pane.keys(&["Escape"]);
        pane.wait_for(&["Channels", "working"]);
        pane.keys(&["q"]);
        pane.wait_exit();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_webhook_pointing_elsewhere_is_replaced_only_after_yes() {
    let env = Env::start().await;
    let t = token(7002);
    env.standin.add_bot(&t, BOT, "AICC Support");
    env.standin.set_existing_webhook(&t, "https://93.184.216.34:443/someone-else", 3);

    let pane = wizard(&env, "replace");
    tokio::task::block_in_place(|| {
        register(&pane, &t);
        pane.wait_for(&["Replace", "someone-else"]);
        pane.keys(&["n"]);
        pane.wait_for(&["kept", "nothing", "changed"]);
    });
    assert!(env.standin.requests_for("setWebhook").is_empty(), "nothing was set without a yes");
    assert_eq!(env.standin.webhook(&t).url, "https://93.184.216.34:443/someone-else");
    assert!(!env.integration().await.has_bot_token);

    tokio::task::block_in_place(|| {
        pane.keys(&["Enter"]);
        pane.wait_for(&["Replace", "someone-else"]);
        pane.keys(&["y"]);
        pane.wait_for(&["registered"]);
    });
    assert_eq!(env.standin.webhook(&t).url, env.registered_url());
    assert!(env.integration().await.has_bot_token);
}
