//! The live delivery test, over real HTTPS against a real SQLite file, with
//! the Bot API stand-in delivering updates to the registered webhook as
//! Telegram does: `chanwiz webhook test` shows the message that arrived and
//! exits 0, or after its timeout says what went wrong and exits 1; the
//! backend's route answers the latest delivery and waits a bounded time for
//! the next one.
#![cfg(feature = "server")]

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use chanwiz::api::IntegrationUpdate;
use support::telegram_standin::token;
use support::webhook::*;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

const BOT: &str = "AICCLive_TWbot";

/// A channel whose webhook is registered for the bot `token(id)`.
async fn registered(id: u64) -> (Env, String) {
    let env = Env::start().await;
    let t = token(id);
    env.standin.add_bot(&t, BOT, "AICC Live");
    let set = env.set(&t, &[]).await;
    assert_eq!(set.code, Some(0), "{}", set.stderr);
    (env, t)
}

/// Every line of `stream`, sent on as it comes and gathered.
fn lines_of(
    stream: impl AsyncRead + Unpin + Send + 'static,
) -> (tokio::sync::mpsc::UnboundedReceiver<String>, tokio::task::JoinHandle<String>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let all = tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        let mut text = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            text.push_str(&line);
            text.push('\n');
            let _ = tx.send(line);
        }
        text
    });
    (rx, all)
}

/// `chanwiz webhook test ARGS`, running.
struct Running {
    child: tokio::process::Child,
    stdout: (tokio::sync::mpsc::UnboundedReceiver<String>, tokio::task::JoinHandle<String>),
    stderr: (tokio::sync::mpsc::UnboundedReceiver<String>, tokio::task::JoinHandle<String>),
}

impl Running {
    fn start(env: &Env, args: &[&str]) -> Running {
        let mut all = vec!["test"];
        all.extend_from_slice(args);
        let mut child = env.command(&all, None).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let stdout = lines_of(child.stdout.take().unwrap());
        let stderr = lines_of(child.stderr.take().unwrap());
        Running { child, stdout, stderr }
    }

    /// Wait until it asks for a message (on stdout, or stderr with --json).
    async fn prompt(&mut self, json: bool) -> String {
        let rx = if json { &mut self.stderr.0 } else { &mut self.stdout.0 };
        tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = rx.recv().await {
                if line.contains("Send any message") {
                    return line;
                }
            }
            panic!("the command ended without asking for a message");
        })
        .await
        .expect("the prompt within a minute")
    }

    /// Its exit code, stdout and stderr.
    async fn finish(mut self) -> (Option<i32>, String, String) {
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await.unwrap().unwrap();
        (status.code(), self.stdout.1.await.unwrap(), self.stderr.1.await.unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_to_the_bot_shows_with_its_sender_and_the_test_exits_0() {
    let (env, t) = registered(8101).await;
    let mut run = Running::start(&env, &[&env.channel_name, "--timeout", "60"]);
    let prompt = run.prompt(false).await;
    assert!(prompt.contains(&format!("@{BOT}")), "the prompt names the bot: {prompt}");
    let started = Instant::now();
    assert_eq!(env.telegram_delivers(&t, &message_now(501, "Ann", "hello")).await, 200);
    let (code, stdout, stderr) = run.finish().await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("✓ Ann: hello — reached the channel within "), "{stdout}");
    assert!(stdout.contains("whole seconds"), "the time's precision is said: {stdout}");
    assert!(started.elapsed() < Duration::from_secs(30), "it answered as the message came, not at the timeout");

    // an update before the test does not count: the next test waits for a new one
    let (code, stdout, _) = {
        let mut run = Running::start(&env, &[&env.channel_id, "--timeout", "60", "--json"]);
        run.prompt(true).await;
        assert_eq!(env.telegram_delivers(&t, &message_now(502, "Bob", "second\u{1b}[2J line")).await, 200);
        run.finish().await
    };
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["channel"]["id"], env.channel_id.as_str());
    assert_eq!(v["bot"], format!("@{BOT}"));
    assert_eq!(v["delivery"]["from"], "Bob");
    assert_eq!(v["delivery"]["text"], "second line", "control sequences are gone: {v}");
    assert_eq!(v["delivery"]["update_id"], 502);
    assert!(v["delivery"]["within_seconds"].as_f64().unwrap() < 30.0);
    assert!(v["diagnosis"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_nothing_arrives_the_test_exits_1_and_says_what_telegram_reports() {
    let (env, _t) = registered(8102).await;
    let started = Instant::now();
    let out = env.run(&["test", &env.channel_name, "--timeout", "300ms"], None).await;
    assert_eq!(out.code, Some(1), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("✗ Nothing reached the channel within 0.3 s."), "{}", out.stdout);
    assert!(
        out.stdout.contains("Webhook: registered and confirmed by Telegram, no delivery yet"),
        "Telegram's view is shown: {}",
        out.stdout
    );
    assert!(out.stdout.contains("most likely no message was sent"), "{}", out.stdout);
    assert!(out.stderr.contains("no message reached the channel within 0.3 s"), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_refused_during_the_test_is_explained_with_telegrams_error() {
    let (env, t) = registered(8103).await;
    // the backend's secret changes behind Telegram's back: deliveries are refused
    let other = "Z".repeat(40);
    let update = IntegrationUpdate { webhook_secret: Some(other.clone()), ..Default::default() };
    env.client.put_integration(&env.channel_id, &update).await.unwrap();
    let mut run = Running::start(&env, &[&env.channel_name, "--timeout", "2s", "--json"]);
    run.prompt(true).await;
    assert_eq!(env.telegram_delivers(&t, &message_now(601, "Ann", "hello")).await, 403);
    let (code, stdout, stderr) = run.finish().await;
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(v["delivery"].is_null());
    assert_eq!(v["refused_during"], serde_json::json!([{ "reason": "secret_wrong", "count": 1 }]));
    assert_eq!(v["diagnosis"]["verdict"], "failing");
    assert!(v["diagnosis"]["headline"].as_str().unwrap().contains("403 Forbidden"), "{v}");
    let lines = v["lines"].to_string();
    assert!(lines.contains("refused 1 delivery(ies) with a wrong secret token"), "{lines}");
    assert!(lines.contains("Secret mismatch, run `chanwiz webhook set` again"), "what to do is said: {lines}");
    assert!(!stdout.contains(&other) && !stderr.contains(&other), "the secret is never printed");

    // the next test says at once that deliveries were failing when last looked at
    let out = env.run(&["test", &env.channel_name, "--timeout", "100ms"], None).await;
    assert_eq!(out.code, Some(1));
    let first = out.stdout.lines().nth(1).unwrap_or_default();
    assert!(first.starts_with("warning: the backend last saw: deliveries fail"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_registered_bot_the_test_refuses_at_once() {
    let env = Env::start().await;
    let out = env.run(&["test", &env.channel_name, "--timeout", "60"], None).await;
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("no bot token is stored"), "{}", out.stderr);
    assert!(!out.stdout.contains("Send any message"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backend_answers_the_latest_delivery_and_waits_for_the_next_one() {
    let (env, t) = registered(8104).await;
    let first = env.client.latest_delivery(&env.channel_id, None, Duration::ZERO).await.unwrap();
    assert_eq!((first.count, first.latest.clone()), (0, None));

    // a waiting request answers as soon as the delivery is accepted
    let client = env.client.clone();
    let id = env.channel_id.clone();
    let waiting = tokio::spawn(async move {
        let started = Instant::now();
        (client.latest_delivery(&id, Some(0), Duration::from_secs(20)).await.unwrap(), started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(env.telegram_delivers(&t, &message_now(701, "Ann", &"x".repeat(1000))).await, 200);
    let (answer, took) = waiting.await.unwrap();
    assert!(took < Duration::from_secs(15), "answered on the delivery, not at the end of the wait: {took:?}");
    assert_eq!(answer.count, 1);
    let sample = answer.latest.unwrap();
    assert_eq!(sample.from.as_deref(), Some("Ann"));
    assert_eq!(sample.text.as_ref().unwrap().chars().count(), 200, "the text kept is shortened");

    // only the latest is kept
    assert_eq!(env.telegram_delivers(&t, &message_now(702, "Cy", "later")).await, 200);
    let now = env.client.latest_delivery(&env.channel_id, None, Duration::ZERO).await.unwrap();
    assert_eq!((now.count, now.latest.unwrap().text.as_deref()), (2, Some("later")));

    // many waiting requests hold no database connection: other requests are
    // answered meanwhile, and one delivery wakes them all
    let waiters: Vec<_> = (0..8)
        .map(|_| {
            let (client, id) = (env.client.clone(), env.channel_id.clone());
            tokio::spawn(async move { client.latest_delivery(&id, Some(2), Duration::from_secs(20)).await.unwrap() })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    env.client.get_channel(&env.channel_id).await.unwrap();
    env.client.list_channels(&Default::default()).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "other requests wait for nothing: {:?}", started.elapsed());
    assert_eq!(env.telegram_delivers(&t, &message_now(703, "Dee", "for all")).await, 200);
    let started = Instant::now();
    for w in waiters {
        let answer = w.await.unwrap();
        assert_eq!((answer.count, answer.latest.unwrap().text.as_deref()), (3, Some("for all")));
    }
    assert!(started.elapsed() < Duration::from_secs(15), "woken by the delivery, not by their wait's end");

    // a wait with nothing new answers the count without a delivery
    let none = env.client.latest_delivery(&env.channel_id, Some(3), Duration::from_secs(1)).await.unwrap();
    assert_eq!((none.count, none.latest), (3, None));

    // a longer wait than the route allows is refused; so is another tenant's channel
    let raw = support::telegram_standin::https_trusting(&env.ca_cert)
        .get(format!("{}/api/v1/channels/{}/deliveries/latest?after=0&wait=26", env.server.url, env.channel_id))
        .bearer_auth(&env.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    let missing = env.client.latest_delivery("0123456789abcdef", None, Duration::ZERO).await;
    assert!(missing.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_update_is_answered_200_but_neither_counted_nor_the_sample() {
    let (env, t) = registered(8107).await;
    assert_eq!(env.telegram_delivers(&t, &message_now(901, "Ann", "first")).await, 200);
    assert_eq!(env.telegram_delivers(&t, &message_now(902, "Bo", "second")).await, 200);
    // Telegram retries update 901 (its answer was lost): accepted, so it stops
    let replay = message_now(901, "Ann", "first");
    assert_eq!(env.telegram_delivers(&t, &replay).await, 200);
    let now = env.client.latest_delivery(&env.channel_id, None, Duration::ZERO).await.unwrap();
    assert_eq!(now.count, 2, "a replay counted as a delivery");
    assert_eq!(now.latest.unwrap().from.as_deref(), Some("Bo"), "a replay replaced the live sample");

    // an update nested past serde's depth: a documented 400, not a 422
    let deep = format!("{{\"update_id\": 903, \"x\": {}1{}}}", "[".repeat(200), "]".repeat(200));
    let secret = env.integration().await.webhook_secret;
    assert_eq!(env.deliver_raw(&env.channel_id, Some(&secret), deep.into_bytes()).await, 400);
}
