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

/// Poll (a real-time wait, as the pane's) until `ok`.
fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !ok() {
        assert!(start.elapsed() < support::tmux::DEADLINE, "waited for {what}");
        std::thread::sleep(support::tmux::POLL);
    }
}

/// From the home screen: the channel `name` selected, its page opened.
fn open_page(pane: &Pane, name: &str) {
    for _ in 0..6 {
        if support::tmux::focused_row(&pane.screen()).is_some_and(|r| r.contains(name)) {
            break;
        }
        pane.keys(&["Down"]);
        std::thread::sleep(support::tmux::POLL);
    }
    pane.wait_until(&format!("{name} selected"), |s| support::tmux::focused_row(s).is_some_and(|r| r.contains(name)));
    pane.keys(&["i"]);
    pane.wait_for(&["Channel", "Integration", name]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn status_needs_no_token_the_backend_asks_telegram_with_the_one_it_holds() {
    let env = Env::start().await;
    let t = token(7101);
    env.standin.add_bot(&t, BOT, "AICC Support");
    assert_eq!(env.set(&t, &[]).await.code, Some(0));
    // a message came through since: the webhook is known to work
    let secret = env.integration().await.webhook_secret;
    assert_eq!(env.deliver(Some(&secret), &update(910_101, "hello")).await, 200);
    let calls = || env.standin.requests_for("getWebhookInfo").iter().filter(|r| r.token == t).count();

    let pane = wizard(&env, "status");
    tokio::task::block_in_place(|| {
        open_page(&pane, "Webhook_Support");
        // the page opens on the backend's state, the stored address prefilled
        let screen = pane.wait_for(&["✓", "webhook", "works", "@AICCCustomize_TWbot"]);
        assert!(screen.contains("https://93.184.216.34:8443"), "{screen}");
        assert!(!screen.contains("✗"), "a channel whose webhook works opens on red:\n{screen}");
        // y says what the copy did: this tmux (set-clipboard external, its
        // default) drops an application's OSC 52, and the setting is named
        pane.keys(&["y"]);
        pane.wait_for(&["OSC", "52", "set-clipboard", "tmux.conf"]);
        let before = calls();
        // Status, with the token field empty
        pane.keys(&["Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab"]);
        pane.wait_for(&["backend", "asks", "Telegram", "now"]);
        pane.keys(&["Enter"]);
        wait_until("the backend asking Telegram again", || calls() > before);
        let screen = pane.wait_for(&["✓", "works"]);
        assert!(screen.contains("from @BotFather"), "a token was needed:\n{screen}");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_wrong_secret_delivery_is_diagnosed_as_a_secret_mismatch_not_a_firewall() {
    let env = Env::start().await;
    let t = token(7201);
    env.standin.add_bot(&t, BOT, "AICC Support");
    assert_eq!(env.set(&t, &[]).await.code, Some(0));
    // Telegram delivers with another secret (set by another tool): refused
    assert_eq!(env.deliver(Some("Another_tools_secret_0123456789abcdefgh"), &update(1, "x")).await, 403);
    env.standin.set_delivery_error_now("Wrong response from the webhook: 403 Forbidden");

    let pane = wizard(&env, "mismatch");
    tokio::task::block_in_place(|| {
        open_page(&pane, "Webhook_Support");
        let screen = pane.wait_for(&["✗", "deliveries", "fail", "Secret", "mismatch", "Register", "again"]);
        assert!(screen.contains("another secret"), "{screen}");
        assert!(!screen.contains("firewall"), "{screen}");
        assert!(!screen.contains("✓"), "a green tick beside a failing delivery:\n{screen}");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_second_channel_is_refused_the_first_channels_bot_then_moves_it_with_yes() {
    let env = Env::start().await;
    let t = token(7301);
    env.standin.add_bot(&t, BOT, "AICC Support");
    assert_eq!(env.set(&t, &[]).await.code, Some(0));
    let second = env.second_channel("Second_Support").await;

    let pane = wizard(&env, "move");
    tokio::task::block_in_place(|| {
        pane.wait_for(&["Second_Support"]);
        open_page(&pane, "Second_Support");
        pane.keys(&["Tab"]);
        pane.type_text(&t);
        pane.keys(&["Tab"]);
        pane.type_text(PUBLIC);
        pane.wait_for(&["✓", "webhook", "URL", "93.184.216.34:8443"]);
        pane.keys(&["Tab", "Tab", "Tab"]);
        pane.wait_focus("[ Register ]");
        pane.keys(&["Enter"]);
        pane.wait_for(&["Move", "bot", "Webhook_Support", "cleared"]);
    });
    assert!(env.standin.requests_for("setWebhook").iter().all(|r| !r.arg("url").unwrap().contains(&second)));
    assert!(env.integration().await.has_bot_token, "nothing changed before the yes");
    tokio::task::block_in_place(|| {
        pane.keys(&["y"]);
        pane.wait_for(&["registered", "moved"]);
    });
    assert!(!env.integration().await.has_bot_token, "the first channel's token is cleared");
    assert!(env.client.integration(&second).await.unwrap().has_bot_token);
    assert_eq!(env.standin.webhook(&t).url, format!("{PUBLIC}/apiaccess/telegram/message/{second}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn rotating_to_another_bot_says_which_asks_and_deletes_the_old_bots_webhook() {
    let env = Env::start().await;
    let (old, new) = (token(7401), token(7402));
    env.standin.add_bot(&old, "old_support_bot", "Old");
    env.standin.add_bot(&new, "new_support_bot", "New");
    assert_eq!(env.set(&old, &[]).await.code, Some(0));

    let pane = wizard(&env, "rotate");
    tokio::task::block_in_place(|| {
        open_page(&pane, "Webhook_Support");
        // set by the CLI, nothing delivered yet: registered, not "works"
        let screen = pane.wait_for(&["registered and confirmed by Telegram, no delivery yet"]);
        assert!(!screen.contains("works"), "{screen}");
        pane.keys(&["Tab"]);
        pane.type_text(&new);
        pane.keys(&["Tab", "Tab", "Tab", "Tab", "Tab"]);
        pane.wait_for(&["fresh", "webhook", "secret"]);
        pane.keys(&["Enter"]);
        pane.wait_for(&["another", "bot", "@old_support_bot", "→", "@new_support_bot"]);
    });
    assert!(env.standin.requests_for("setWebhook").iter().all(|r| r.token == old), "nothing set before the yes");
    tokio::task::block_in_place(|| {
        pane.keys(&["y"]);
        pane.wait_for(&["rotated", "@new_support_bot"]);
        wait_until("the old bot's webhook deleted", || !env.standin.requests_for("deleteWebhook").is_empty());
    });
    let deletes = env.standin.requests_for("deleteWebhook");
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].token, old, "deleted with the old token the backend held");
    assert!(env.standin.webhook(&old).url.is_empty());
    assert_eq!(env.standin.webhook(&new).url, env.registered_url());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn after_register_t_waits_for_a_message_to_the_bot_and_shows_it_as_it_arrives() {
    let env = Env::start().await;
    let t = token(7005);
    env.standin.add_bot(&t, BOT, "AICC Support");
    let pane = wizard(&env, "delivery");
    tokio::task::block_in_place(|| {
        register(&pane, &t);
        pane.wait_for(&["registered", "t tests delivery"]);
        pane.keys(&["t"]);
        pane.wait_for(&["Send any message to @AICCCustomize_TWbot now", "Esc stop waiting"]);
    });
    // Telegram delivers what a customer sent, with the secret it was given
    assert_eq!(env.telegram_delivers(&t, &message_now(920_001, "Ann", "hello from a customer")).await, 200);
    tokio::task::block_in_place(|| {
        let screen = pane.wait_for(&["✓ Ann: hello from a customer", "reached the channel within"]);
        assert!(!screen.contains("Esc stop waiting"), "the wait is over:\n{screen}");
        // a second test waits again; Esc stops it and stays on the page
        pane.keys(&["t"]);
        pane.wait_for(&["Waiting", "Esc stop waiting"]);
        pane.keys(&["Escape"]);
        pane.wait_for(&["delivery test stopped", "Channel Integration"]);
        pane.keys(&["q"]);
        pane.wait_exit();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn when_no_message_comes_the_page_says_what_telegram_and_the_backend_report() {
    let env = Env::start().await;
    let t = token(7006);
    env.standin.add_bot(&t, BOT, "AICC Support");
    let mut pane = Pane::new("no-delivery");
    pane.backend = Some((env.server.url.clone(), env.admin_token.clone()));
    pane.env.push(("CHANWIZ_CA_CERT".into(), env.ca_cert.to_string_lossy().into_owned()));
    pane.env.push(("CHANWIZ_TELEGRAM_API".into(), env.standin.base_url.clone()));
    // the wait is short here: nothing is sent
    pane.env.push(("CHANWIZ_DELIVERY_TIMEOUT_MS".into(), "700".into()));
    tokio::task::block_in_place(|| {
        pane.start(&[]);
        pane.wait_for(&["Channels", "Webhook_Support", "online"]);
        register(&pane, &t);
        pane.wait_for(&["registered", "t tests delivery"]);
        pane.keys(&["t"]);
        let screen = pane.wait_for(&["Nothing reached the channel within 0.7 s", "most likely no"]);
        assert!(screen.contains("registered and confirmed by Telegram"), "Telegram's view is shown:\n{screen}");
        assert!(!screen.contains("works"), "nothing was delivered, yet it works:\n{screen}");
        pane.keys(&["q"]);
        pane.wait_exit();
    });
}

/// At 80×24 Register's whole report is on the page: the page scrolls, the
/// newest report and its warning are in view, what does not fit is behind
/// a mark that names the key (PgUp) and counts the warnings it hides, and
/// PgUp brings every line into view; until Telegram delivered a message the
/// page says registered, never "works".
#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn registers_report_is_never_cut_and_works_is_said_only_after_a_delivery() {
    let env = Env::start().await;
    let t = token(7101);
    env.standin.add_bot(&t, BOT, "AICC Support");
    let pane = wizard(&env, "register-log");
    let (first, rest) = tokio::task::block_in_place(|| {
        // an address the endpoint certificate is not for: Register warns
        pane.keys(&["i"]);
        pane.wait_for(&["Channel", "Integration", "Webhook_Support"]);
        pane.keys(&["Tab"]);
        pane.type_text(&t);
        pane.keys(&["Tab"]);
        pane.type_text("https://1.2.3.4:8443");
        pane.wait_for(&["webhook", "URL", "1.2.3.4:8443"]);
        pane.keys(&["Tab", "Tab", "Tab"]);
        pane.wait_focus("[ Register ]");
        pane.keys(&["Enter"]);
        pane.wait_for(&["registered", "@AICCCustomize_TWbot"]);
        let first = pane.wait_for(&["no delivery yet"]);
        let mut seen = vec![first.clone()];
        for _ in 0..6 {
            if !seen.last().unwrap().contains("above · PgUp") {
                break;
            }
            pane.keys(&["PageUp"]);
            std::thread::sleep(support::tmux::POLL * 4);
            seen.push(pane.screen());
        }
        (first, seen)
    });
    let all = rest.join("\n");
    assert!(!all.contains("the webhook works"), "works before any delivery:\n{all}");
    // the newest report is in view, its warning first of all
    assert!(first.contains("Telegram will refuse the"), "the warning is hidden:\n{first}");
    assert!(first.contains("lines above · PgUp"), "{first}");
    // every line of the report was on a screen, the last one included
    assert!(all.contains("(t tests delivery)") && all.contains("getWebhookInfo confirms"), "{all}");
    // a delivery, then Status: now it works
    let secret = env.integration().await.webhook_secret;
    assert_eq!(env.deliver(Some(&secret), &update(920_001, "hello")).await, 200);
    tokio::task::block_in_place(|| {
        pane.keys(&["Tab", "Tab"]);
        pane.wait_focus("[ Status ]");
        pane.keys(&["Enter"]);
        pane.wait_for(&["the webhook works"]);
    });
}
