//! The backend's side of the webhook, over real HTTP against a real SQLite
//! file and the Bot API stand-in: the state it asks Telegram for with the
//! token it holds (cached, refreshed on request), the refused deliveries it
//! records, one bot per channel (409, then a move), and the old bot's
//! webhook deleted after a switch to another bot.
#![cfg(feature = "server")]

mod support;

use chanwiz::api::{IntegrationUpdate, PreviousBotOutcome, RefusalReason, WebhookStatus};
use chanwiz::client::ClientError;
use support::telegram_standin::token;
use support::webhook::*;

const BOT: &str = "AICCCustomize_TWbot";

fn info_calls(env: &Env, t: &str) -> usize {
    env.standin.requests_for("getWebhookInfo").iter().filter(|r| r.token == t).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backend_answers_the_webhook_state_with_the_token_it_holds_cached_and_refreshed() {
    let env = Env::start().await;
    // no token: nothing to ask
    let state = env.client.webhook_state(&env.channel_id, true).await.unwrap();
    assert!(!state.has_bot_token && state.webhook.is_none() && state.status.is_none());

    let t = token(8001);
    env.standin.add_bot(&t, BOT, "AICC Support");
    assert_eq!(env.set(&t, &[]).await.code, Some(0));
    let calls = info_calls(&env, &t);

    let state = env.client.webhook_state(&env.channel_id, false).await.unwrap();
    assert!(state.has_bot_token && state.points_here, "{state:?}");
    assert_eq!(state.status, Some(WebhookStatus::Ok));
    assert_eq!(state.webhook.as_ref().unwrap().url, env.registered_url());
    assert_eq!(state.bot.as_ref().and_then(|b| b.username.as_deref()), Some(BOT));
    assert_eq!(state.public_address.as_deref(), Some(PUBLIC));
    assert!(state.registered.is_some() && state.fetched.is_some() && state.age_seconds.is_some());
    assert_eq!(info_calls(&env, &t), calls + 1, "the first look asks Telegram");

    // the cache answers, with its age, until a refresh is asked for
    let again = env.client.webhook_state(&env.channel_id, false).await.unwrap();
    assert_eq!(info_calls(&env, &t), calls + 1, "the cached state is answered");
    assert_eq!(again.fetched, state.fetched);
    env.client.webhook_state(&env.channel_id, true).await.unwrap();
    assert_eq!(info_calls(&env, &t), calls + 2, "refresh=true asks again");

    // the channel list carries the verdict
    let page = env.client.list_channels(&Default::default()).await.unwrap();
    let row = page.items.iter().find(|c| c.id == env.channel_id).unwrap();
    assert_eq!(row.webhook.as_ref().map(|w| w.status), Some(WebhookStatus::Ok));
    assert_eq!(row.bot.as_ref().map(|b| b.id), Some(8001));

    // a delivery error newer than the registration: failing, until a
    // delivery is accepted after it
    env.standin.set_delivery_error_now("Wrong response from the webhook: 403 Forbidden");
    let state = env.client.webhook_state(&env.channel_id, true).await.unwrap();
    assert_eq!(state.status, Some(WebhookStatus::Failing));
    assert_eq!(
        state.webhook.unwrap().last_error_message.as_deref(),
        Some("Wrong response from the webhook: 403 Forbidden")
    );

    // Telegram gone: the cached answer stands, with why
    env.standin.fail_next("getWebhookInfo", 500, "Internal Server Error");
    let state = env.client.webhook_state(&env.channel_id, true).await.unwrap();
    assert!(state.error.as_deref().is_some_and(|e| e.contains("Internal Server Error")), "{state:?}");
    assert!(state.webhook.is_some());
    // the token never travels in an answer or an error
    let text = format!("{state:?}");
    assert!(!text.contains(t.split(':').nth(1).unwrap()), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_deliveries_are_recorded_by_reason_unknown_channels_for_the_whole_backend() {
    let env = Env::start().await;
    let secret = env.integration().await.webhook_secret;
    assert_eq!(env.deliver(Some("Wrong_secret_0123456789abcdefghijklmn"), &update(1, "a")).await, 403);
    assert_eq!(env.deliver(Some("Wrong_secret_0123456789abcdefghijklmn"), &update(2, "b")).await, 403);
    assert_eq!(env.deliver(None, &update(3, "c")).await, 403);
    let big = serde_json::to_vec(&update(4, &"x".repeat(70 * 1024))).unwrap();
    let code = env.deliver_raw(&env.channel_id, Some(&secret), big).await;
    assert!(matches!(code, 413 | 0), "{code}");
    let unknown = serde_json::to_vec(&update(5, "d")).unwrap();
    assert_eq!(env.deliver_raw("no-such-channel", Some(&secret), unknown).await, 403);
    assert_eq!(env.deliver(Some(&secret), &update(6, "ok")).await, 200);

    let state = env.client.webhook_state(&env.channel_id, false).await.unwrap();
    assert_eq!(state.refused(RefusalReason::SecretWrong), 2);
    assert_eq!(state.refused(RefusalReason::SecretMissing), 1);
    assert_eq!(state.refused(RefusalReason::TooLarge), 1);
    assert_eq!(state.refused(RefusalReason::UnknownChannel), 0, "an unknown channel is not this channel's");
    assert_eq!(state.unknown_channel.as_ref().map(|u| u.count), Some(1));
    assert!(state.last_delivery.is_some());
    // another channel has none of this one's refusals
    let other = env.second_channel("Other_Support").await;
    let state = env.client.webhook_state(&other, false).await.unwrap();
    assert!(state.refusals.is_empty());
    assert_eq!(state.unknown_channel.map(|u| u.count), Some(1), "the backend's count, seen from any channel");
}

/// Forged deliveries (no credential needed) cost no synced database write
/// each: they are counted in memory and written at most once a second, so a
/// flood of them barely grows the write-ahead log; the webhook state counts
/// every one refused. An address past 20 refusals a second (bursts of 50)
/// is answered 429 without any database work until it slows down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_forged_deliveries_is_counted_without_a_write_each_and_then_throttled() {
    let env = Env::start().await;
    let wal = env.dir.path().join("server.db-wal");
    let size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let before = size();
    let (mut refused, mut throttled) = (0, 0);
    for i in 0..300 {
        match env.deliver(Some("Wrong_secret_0123456789abcdefghijklmn"), &update(i, "forged")).await {
            403 => refused += 1,
            429 => throttled += 1,
            other => panic!("a forged delivery answered {other}"),
        }
    }
    assert!(refused >= 50 && throttled > 0, "{refused} refused, {throttled} throttled");
    let grown = size().saturating_sub(before);
    // one commit writes at least one 4 KiB page: a commit each would be > 200 KiB
    assert!(grown < 50 * 4096, "forged deliveries grew the WAL by {grown} bytes: a write each");
    let state = env.client.webhook_state(&env.channel_id, false).await.unwrap();
    assert_eq!(state.refused(RefusalReason::SecretWrong), refused, "every refusal is counted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bot_one_channel_the_second_binding_is_refused_naming_the_first_then_moved() {
    let env = Env::start().await;
    let t = token(8101);
    env.standin.add_bot(&t, BOT, "AICC Support");
    assert_eq!(env.set(&t, &[]).await.code, Some(0));
    let second = env.second_channel("Second_Support").await;

    // the backend refuses it
    let put = IntegrationUpdate { bot_token: Some(t.clone()), ..Default::default() };
    match env.client.put_integration(&second, &put).await {
        Err(ClientError::BotInUse { channel, message, .. }) => {
            assert_eq!(channel.id, env.channel_id);
            assert_eq!(channel.name, env.channel_name);
            assert!(message.contains("Webhook_Support"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // so does the CLI, before Telegram is changed
    let sets = env.standin.requests_for("setWebhook").len();
    let out = env.run(&["set", "--channel", &second, "--public-url", PUBLIC], Some(&t)).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("already bound to channel Webhook_Support"), "{}", out.all());
    assert!(out.stderr.contains("--yes"), "{}", out.all());
    assert_eq!(env.standin.requests_for("setWebhook").len(), sets, "Telegram was not changed");
    assert!(env.integration().await.has_bot_token);

    // with -y it moves: the first channel's token is cleared
    let out = env.run(&["set", "--channel", &second, "--public-url", PUBLIC, "-y"], Some(&t)).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("moved from channel Webhook_Support"), "{}", out.stdout);
    assert!(!env.integration().await.has_bot_token);
    assert!(env.client.integration(&second).await.unwrap().has_bot_token);
    assert_eq!(env.standin.webhook(&t).url, format!("{PUBLIC}/apiaccess/telegram/message/{second}"));
    let bound = env.client.channels_of_bot(8101).await.unwrap();
    assert_eq!(bound.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [second.as_str()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_to_another_bot_asks_then_deletes_the_old_bots_webhook_with_the_old_token() {
    let env = Env::start().await;
    let (old, new) = (token(8201), token(8202));
    env.standin.add_bot(&old, "old_support_bot", "Old");
    env.standin.add_bot(&new, "new_support_bot", "New");
    assert_eq!(env.set(&old, &[]).await.code, Some(0));

    // without a yes: says which bots, changes nothing
    let out = env.run(&["rotate", "--channel", &env.channel_name], Some(&new)).await;
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("@old_support_bot → @new_support_bot"), "{}", out.all());
    assert!(env.standin.requests_for("setWebhook").iter().all(|r| r.token == old));
    assert!(env.standin.requests_for("deleteWebhook").is_empty());

    // with --yes (the stored public address is used again)
    let out = env.run(&["rotate", "--channel", &env.channel_name, "--yes"], Some(&new)).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("@old_support_bot's webhook was deleted"), "{}", out.stdout);
    assert_eq!(env.standin.webhook(&new).url, env.registered_url());
    let deletes = env.standin.requests_for("deleteWebhook");
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].token, old, "deleted with the old token the backend held");
    assert!(env.standin.webhook(&old).url.is_empty());
    // the old token is forgotten: nothing left to release
    let again = env.client.release_previous_bot(&env.channel_id).await.unwrap();
    assert_eq!(again.outcome, PreviousBotOutcome::NoPreviousBot);
    let state = env.client.webhook_state(&env.channel_id, true).await.unwrap();
    assert_eq!(state.bot.and_then(|b| b.username).as_deref(), Some("new_support_bot"));
    assert!(!env.logs().contains(old.split(':').nth(1).unwrap()), "the old token is in a log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_address_is_stored_checked_and_cleared() {
    let env = Env::start().await;
    let put = |p: &str| IntegrationUpdate { public_address: Some(p.into()), ..Default::default() };
    env.client.put_integration(&env.channel_id, &put("https://93.184.216.34:443/")).await.unwrap();
    assert_eq!(env.integration().await.public_address.as_deref(), Some("https://93.184.216.34:443"));
    match env.client.put_integration(&env.channel_id, &put("https://10.0.0.1:8443")).await {
        Err(ClientError::Invalid { errors, .. }) => {
            assert_eq!(errors[0].path, "public_address");
            assert!(errors[0].message.contains("private"), "{}", errors[0].message);
        }
        other => panic!("{other:?}"),
    }
    env.client.put_integration(&env.channel_id, &put("")).await.unwrap();
    assert_eq!(env.integration().await.public_address, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_refreshes_waits_its_turn_at_the_limiter_and_is_answered_in_full() {
    let env = Env::start().await;
    let t = token(8301);
    env.standin.add_bot(&t, BOT, "AICC Support");
    assert_eq!(env.set(&t, &[]).await.code, Some(0));
    let before = info_calls(&env, &t);
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (client, id) = (env.client.clone(), env.channel_id.clone());
        burst.spawn(async move { client.webhook_state(&id, true).await });
    }
    for answer in burst.join_all().await {
        let state = answer.unwrap();
        assert!(state.error.is_none(), "{state:?}");
        assert_eq!(state.status, Some(WebhookStatus::Ok));
    }
    assert_eq!(info_calls(&env, &t), before + 6, "each refresh asked Telegram once, none was dropped");
}
