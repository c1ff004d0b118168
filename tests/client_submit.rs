//! `chanwiz submit` against the real backend over loopback HTTP: creates that
//! survive lost answers and crashes without making a second channel, updates
//! guarded by the channel version, and the messages a user sees.

mod support;

use chanwiz::client::ClientError;
use support::cli::*;

fn channels_named(server: &Server, name: &str) -> Vec<chanwiz::api::ChannelSummary> {
    let all = block_on(server.client().all_channels(Some(name))).unwrap();
    all.into_iter().filter(|c| c.name == name).collect()
}

#[test]
fn a_create_whose_answer_was_lost_is_retried_and_makes_one_channel() {
    let server = Server::start(&[]);
    let proxy = Proxy::start(server.port(), 1);
    let cli = Cli::new(&proxy.url, &server.token);
    let draft = cli.example_draft("Lost_Answer");

    let out = cli.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(proxy.lost(), 1, "the proxy must have lost the first answer");

    // Both attempts carried the same key, and the backend made one channel.
    let keys = proxy.idempotency_keys();
    assert!(keys.len() >= 2, "the create was not retried: {keys:?}");
    assert!(keys.iter().all(|k| k == &keys[0]), "{keys:?}");
    let found = channels_named(&server, "Lost_Answer");
    assert_eq!(found.len(), 1, "{found:?}");

    // What the user is told: the channel id and its integration URL.
    let ch = &found[0];
    assert!(out.stdout.contains(&ch.id), "{}", out.stdout);
    assert!(out.stdout.contains(&ch.integration_url), "{}", out.stdout);
    assert!(ch.integration_url.ends_with(&format!("/apiaccess/telegram/message/{}", ch.id)));

    // The draft now points at the channel: a second submit updates it.
    let back = cli.store().load(&draft.meta.id).unwrap();
    assert_eq!(back.meta.channel_id.as_deref(), Some(ch.id.as_str()));
    assert_eq!(back.meta.channel_version, Some(1));
    assert_eq!(back.meta.idempotency_key, None);
}

#[test]
fn a_crash_after_sending_is_recovered_by_submitting_again_with_the_saved_key() {
    let server = Server::start(&[]);
    // Every answer is lost: the client gives up as a crashed client would.
    let proxy = Proxy::start(server.port(), usize::MAX);
    let cli = Cli::new(&proxy.url, &server.token);
    let draft = cli.example_draft("Crash_Recovery");

    let out = cli.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert!(out.stderr.contains("unreachable"), "{}", out.stderr);
    // The backend did make the channel; the client never heard of it.
    assert_eq!(channels_named(&server, "Crash_Recovery").len(), 1);
    let kept = cli.store().load(&draft.meta.id).unwrap();
    let key = kept.meta.idempotency_key.clone().expect("the key was saved before sending");
    assert_eq!(kept.meta.channel_id, None);
    assert!(proxy.idempotency_keys().iter().all(|k| k == &key));

    // Submitting again, straight to the backend, reuses the key: still one channel.
    let direct = Cli { home: cli.home, backend: Some(server.url.clone()), token: Some(server.token.clone()) };
    let out = direct.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let found = channels_named(&server, "Crash_Recovery");
    assert_eq!(found.len(), 1, "{found:?}");
    let back = direct.store().load(&draft.meta.id).unwrap();
    assert_eq!(back.meta.channel_id.as_deref(), Some(found[0].id.as_str()));

    // A third submit updates the same channel (version 2) instead of creating.
    let out = direct.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("updated"), "{}", out.stdout);
    let found = channels_named(&server, "Crash_Recovery");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].version, 2);
    assert_eq!(direct.store().load(&draft.meta.id).unwrap().meta.channel_version, Some(2));
}

#[test]
fn a_stale_update_is_merged_per_field_and_a_conflict_in_a_pipe_changes_nothing() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let draft = cli.example_draft("Stale_Edit");
    assert_eq!(cli.run(&["submit", &draft.meta.id, "--keep-draft"]).code, Some(0));
    let id = cli.store().load(&draft.meta.id).unwrap().meta.channel_id.unwrap();

    // Someone else changes the channel on the server (version 2).
    let client = server.client();
    let current = block_on(client.get_channel(&id)).unwrap();
    let mut theirs = current.document.clone();
    theirs.basic.non_working_time_notification = "Changed by a colleague.".into();
    let v2 = block_on(client.update_channel(&id, 1, &theirs)).unwrap();
    assert_eq!(v2.version, 2);

    // Our draft, still based on version 1, replaces the APP Key.
    let mut mine = cli.store().load(&draft.meta.id).unwrap();
    mine.document.channel_info.app_key = "ak-rotated-2026".into();
    cli.store().save(&mut mine).unwrap();

    // --diff shows the merge a submit would make, and sends nothing.
    let out = cli.run(&["submit", &draft.meta.id, "--diff"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("the backend holds version 2, the draft is based on version 1"), "{}", out.stdout);
    assert!(out.stdout.contains("APP Key: aicc-telegram-app-7f3a → ak-rotated-2026"), "{}", out.stdout);
    assert!(out.stdout.contains("Non-Working Time Notification: theirs kept"), "{}", out.stdout);
    assert_eq!(block_on(client.get_channel(&id)).unwrap().version, 2);

    // The submit merges: my key kept, their notification taken.
    let out = cli.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stderr.contains("changed on the server (now version 2"), "{}", out.stderr);
    assert!(out.stderr.contains("yours kept:   APP Key"), "{}", out.stderr);
    assert!(out.stderr.contains("theirs taken: Non-Working Time Notification"), "{}", out.stderr);
    let now = block_on(client.get_channel(&id)).unwrap();
    assert_eq!(now.version, 3);
    assert_eq!(now.document.channel_info.app_key, "ak-rotated-2026");
    assert_eq!(now.document.basic.non_working_time_notification, "Changed by a colleague.");

    // Both change the OU: in a pipe there is no one to ask; nothing changes.
    let mut theirs = now.document.clone();
    theirs.basic.ou = "ou-1".into();
    block_on(client.update_channel(&id, 3, &theirs)).unwrap();
    let mut mine = cli.store().load(&draft.meta.id).unwrap();
    mine.document.basic.ou = "ou-3".into();
    cli.store().save(&mut mine).unwrap();
    let before = std::fs::read(cli.drafts_dir().join(format!("{}.json", draft.meta.id))).unwrap();
    let out = cli.run(&["submit", &draft.meta.id]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("both changed: OU Configuration"), "{}", out.stderr);
    assert!(out.stderr.contains("mine   ou-3") && out.stderr.contains("theirs ou-1"), "{}", out.stderr);
    assert!(out.stderr.contains("no terminal to ask: the draft is unchanged"), "{}", out.stderr);
    assert_eq!(std::fs::read(cli.drafts_dir().join(format!("{}.json", draft.meta.id))).unwrap(), before);
    assert_eq!(block_on(client.get_channel(&id)).unwrap().version, 4);

    // The library hands the current channel to its caller (the wizard).
    match block_on(client.update_channel(&id, 1, &mine.document)) {
        Err(ClientError::Stale { current: Some(c), based_on: 1, .. }) => assert_eq!(c.version, 4),
        other => panic!("expected a 412 with the current channel, got {other:?}"),
    }
}

#[test]
fn a_confirmed_submit_removes_the_draft_unless_keep_draft_and_diff_sends_nothing() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let draft = cli.example_draft("Once_Only");
    let out = cli.run(&["submit", &draft.meta.id, "--diff"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("create channel Once_Only"), "{}", out.stdout);
    assert!(out.stdout.contains("+ APP Secret: set (never shown)"), "{}", out.stdout);
    assert!(out.stdout.contains("+ Keyword for Transfer to Agent: agent, human, operator"), "{}", out.stdout);
    assert!(!out.all().contains("Example-Secret"), "{}", out.all());
    assert!(channels_named(&server, "Once_Only").is_empty(), "--diff sent something");

    let out = cli.run(&["submit", &draft.meta.id]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stderr.contains(&format!("draft {} is removed", draft.meta.id)), "{}", out.stderr);
    assert!(matches!(cli.store().load(&draft.meta.id), Err(chanwiz::drafts::DraftError::NotFound(_))));
    assert_eq!(channels_named(&server, "Once_Only").len(), 1);
}

#[test]
fn rules_the_backend_checks_come_back_as_path_message_lines() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let mut doc = chanwiz::model::parse_document(EXAMPLE).unwrap();
    doc.basic.ou = "ou-missing".into();
    doc.robot.intelligent_robot.chatbot_access_code = "bot-missing".into();
    let file = cli.home.path().join("doc.json");
    std::fs::write(&file, serde_json::to_string(&doc).unwrap()).unwrap();

    let out = cli.run(&["submit", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("(422)"), "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("basic.ou: ") && l.contains("ou-missing")), "{}", out.stderr);
    assert!(lines.iter().any(|l| l.starts_with("robot.intelligent_robot.chatbot_access_code: ")), "{}", out.stderr);
    assert!(block_on(server.client().all_channels(None)).unwrap().is_empty());

    // A document whose name is taken says how to update that channel.
    let taken = cli.home.path().join("ok.json");
    std::fs::write(&taken, EXAMPLE).unwrap();
    assert_eq!(cli.run(&["submit", taken.to_str().unwrap()]).code, Some(0));
    let out = cli.run(&["submit", taken.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("channel Telegram_Support already exists"), "{}", out.stderr);
    assert!(out.stderr.contains("--update") && out.stderr.contains("chanwiz apply"), "{}", out.stderr);
    let mut doc = chanwiz::model::parse_document(EXAMPLE).unwrap();
    doc.channel_info.app_secret = None;
    doc.basic.non_working_time_notification = "Updated from a file.".into();
    std::fs::write(&taken, serde_json::to_string(&doc).unwrap()).unwrap();
    let out = cli.run(&["submit", taken.to_str().unwrap(), "--update"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("updated channel") && out.stdout.contains("version 2"), "{}", out.stdout);
    let all = block_on(server.client().all_channels(None)).unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
}

#[test]
fn a_refused_token_and_an_unknown_channel_say_so() {
    let server = Server::start(&[]);
    let wrong = "wrong-token-0123456789abcdef";
    let cli = Cli::new(&server.url, wrong);
    let draft = cli.example_draft("Refused_Token");
    let out = cli.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("the token was refused (401): check --token / CHANWIZ_TOKEN"), "{}", out.stderr);
    assert!(!out.all().contains(wrong));
    assert!(!cli.log().contains(wrong));

    let cli = Cli::new(&server.url, &server.token);
    let out = cli.run(&["channels", "show", "No_Such_Channel"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("No_Such_Channel"), "{}", out.stderr);
    assert!(out.stderr.contains("was not found (404)"), "{}", out.stderr);
}

#[test]
fn an_unreachable_backend_exits_3_and_leaves_the_draft_as_it_was() {
    let cli = Cli::new(&dead_backend(), "some-token-value");
    let draft = cli.example_draft("Offline_Draft");
    let out = cli.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert!(out.stderr.contains("is unreachable"), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("draft {} is kept", draft.meta.id)), "{}", out.stderr);
    let back = cli.store().load(&draft.meta.id).unwrap();
    assert_eq!(back.document, draft.document);
    assert_eq!(back.meta.channel_id, None);
    assert_eq!(back.meta.channel_version, None);
    // The key that would be reused is there (saved before sending).
    assert!(back.meta.idempotency_key.is_some());
}

#[test]
fn plain_http_to_another_host_is_refused_before_anything_is_sent() {
    let cli = Cli::new("http://192.0.2.7:8787", "some-token-value");
    let out = cli.run(&["channels", "list"]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("plain http:// is allowed only to this machine"), "{}", out.stderr);
}

#[test]
fn an_update_whose_answer_was_lost_is_recognised_on_the_next_submit() {
    let server = Server::start(&[]);
    let direct = Cli::new(&server.url, &server.token);
    let draft = direct.example_draft("Lost_Update");
    assert_eq!(direct.run(&["submit", &draft.meta.id, "--keep-draft"]).code, Some(0));
    let mut d = direct.store().load(&draft.meta.id).unwrap();
    d.document.basic.non_working_time_notification = "Back at nine.".into();
    // The edit keeps the stored APP Secret (a new one would be sent again,
    // as it cannot be compared with the stored one).
    d.meta.remember_secrets = false;
    d.document.channel_info.app_secret = None;
    direct.store().save(&mut d).unwrap();

    // The update reaches the backend but its answer is lost; updates are not
    // retried blindly, so the user is told the backend could not be reached.
    let proxy = Proxy::start(server.port(), 1);
    let via_proxy = Cli { home: direct.home, backend: Some(proxy.url.clone()), token: Some(server.token.clone()) };
    let out = via_proxy.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert_eq!(proxy.lost(), 1);
    let id = d.meta.channel_id.clone().unwrap();
    assert_eq!(block_on(server.client().get_channel(&id)).unwrap().version, 2);

    // Submitting again finds the server already holding exactly this draft.
    let out = via_proxy.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let ch = block_on(server.client().get_channel(&id)).unwrap();
    assert_eq!(ch.version, 2, "no second update was made");
    assert_eq!(ch.document.basic.non_working_time_notification, "Back at nine.");
    assert_eq!(via_proxy.store().load(&draft.meta.id).unwrap().meta.channel_version, Some(2));
}

#[test]
fn a_draft_whose_channel_was_deleted_says_so_and_can_be_created_anew() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let draft = cli.example_draft("Deleted_Meanwhile");
    assert_eq!(cli.run(&["submit", &draft.meta.id, "--keep-draft"]).code, Some(0));
    let old = cli.store().load(&draft.meta.id).unwrap().meta.channel_id.unwrap();
    block_on(server.client().delete_channel(&old)).unwrap();

    let out = cli.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("(404)") && out.stderr.contains("--as-new"), "{}", out.stderr);

    let out = cli.run(&["submit", &draft.meta.id, "--as-new", "--keep-draft"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let now = cli.store().load(&draft.meta.id).unwrap().meta;
    let new = now.channel_id.unwrap();
    assert_ne!(new, old);
    assert_eq!(now.channel_version, Some(1));
    assert_eq!(channels_named(&server, "Deleted_Meanwhile").len(), 1);
}

#[test]
fn a_draft_changed_after_an_unconfirmed_create_is_not_created_twice() {
    let server = Server::start(&[]);
    let proxy = Proxy::start(server.port(), usize::MAX);
    let cli = Cli::new(&proxy.url, &server.token);
    let draft = cli.example_draft("Changed_After_Crash");
    assert_eq!(cli.run(&["submit", &draft.meta.id, "--keep-draft"]).code, Some(3));
    assert_eq!(channels_named(&server, "Changed_After_Crash").len(), 1);

    // The draft is edited before the user submits again.
    let mut d = cli.store().load(&draft.meta.id).unwrap();
    d.document.basic.non_working_time_notification = "Edited after the crash.".into();
    cli.store().save(&mut d).unwrap();
    let direct = Cli { home: cli.home, backend: Some(server.url.clone()), token: Some(server.token.clone()) };
    let out = direct.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("was submitted before"), "{}", out.stderr);
    assert!(out.stderr.contains("--as-new"), "{}", out.stderr);
    assert_eq!(block_on(server.client().all_channels(None)).unwrap().len(), 1, "no second channel");
    // The key stays, so putting the draft back as it was sent still works.
    let kept = direct.store().load(&draft.meta.id).unwrap();
    assert!(kept.meta.idempotency_key.is_some());
    assert_eq!(kept.meta.channel_id, None);
}

#[test]
fn the_library_sends_only_what_the_caller_saved_and_never_writes_the_store() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let mut draft = cli.example_draft("Library_Send");
    let file = cli.drafts_dir().join(format!("{}.json", draft.meta.id));
    let before = std::fs::read(&file).unwrap();
    let client = server.client();

    // A create without its key is refused before anything is sent.
    let e = block_on(chanwiz::client::submit::send(&client, &draft)).unwrap_err();
    assert!(matches!(e, ClientError::Config(_)), "{e:?}");
    assert!(e.to_string().contains("Idempotency-Key"), "{e}");
    assert!(channels_named(&server, "Library_Send").is_empty());

    // The key is minted once per intended create.
    assert!(draft.ensure_idempotency_key());
    let key = draft.meta.idempotency_key.clone().unwrap();
    assert!(!draft.ensure_idempotency_key());
    assert_eq!(draft.meta.idempotency_key.as_deref(), Some(key.as_str()));

    // Sent twice with the same key (a retry after a lost answer): one channel.
    let first = block_on(chanwiz::client::submit::send(&client, &draft)).unwrap();
    let again = block_on(chanwiz::client::submit::send(&client, &draft)).unwrap();
    assert_eq!(first.channel().id, again.channel().id);
    assert_eq!(channels_named(&server, "Library_Send").len(), 1);
    assert_eq!(std::fs::read(&file).unwrap(), before, "the client layer wrote the draft file");

    // Recording the outcome is the caller's, in memory.
    chanwiz::client::submit::record(&mut draft, &first);
    assert_eq!(draft.meta.channel_id.as_deref(), Some(first.channel().id.as_str()));
    assert_eq!(draft.meta.channel_version, Some(1));
    assert_eq!(draft.meta.idempotency_key, None);
    assert!(!draft.ensure_idempotency_key(), "a draft that edits a channel needs no key");
    let updated = block_on(chanwiz::client::submit::send(&client, &draft)).unwrap();
    assert!(matches!(updated, chanwiz::client::Submitted::Updated(_)), "{updated:?}");
}

/// The lines of a diff that name a change.
fn change_lines(stdout: &str) -> Vec<&str> {
    stdout.lines().filter_map(|l| l.trim_start().strip_prefix("~ ")).collect()
}

#[test]
fn a_file_of_an_existing_channel_is_diffed_against_it_and_an_unchanged_update_sends_nothing() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    // created from a file with null for the fields it leaves out
    let file = cli.home.path().join("doc.json");
    std::fs::write(&file, support::EXAMPLE_WITH_NULLS).unwrap();
    let f = file.to_str().unwrap();
    let out = cli.run(&["submit", f]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("created channel") && out.stdout.contains("version 1"), "{}", out.stdout);
    let version = || channels_named(&server, "Telegram_Support")[0].version;

    // the same file, as plan sees it: nothing changes
    let plan = cli.run(&["plan", f]);
    assert!(plan.stdout.contains("unchanged  Telegram_Support"), "{}", plan.all());
    for args in [&["submit", f, "--diff"][..], &["submit", f, "--diff", "--update"][..], &["submit", f, "--update"][..]]
    {
        let out = cli.run(args);
        assert_eq!(out.code, Some(0), "{args:?}: {}", out.all());
        assert!(!out.stdout.contains("create channel"), "{args:?}: {}", out.stdout);
        assert!(
            out.stdout.contains("nothing to submit: the file changes no field of channel Telegram_Support"),
            "{args:?}: {}",
            out.stdout
        );
        assert!(out.all().contains("nothing was sent"), "{args:?}: {}", out.all());
        assert!(!out.all().contains(support::APP_SECRET), "{}", out.all());
        assert_eq!(version(), 1, "{args:?} made a new version");
    }
    let out = cli.run(&["submit", f, "--update", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.all()));
    assert_eq!((v["action"].as_str(), v["version"].as_u64()), (Some("unchanged"), Some(1)), "{v}");

    // one field changed: the diff lists it (and the file's APP Secret, sent
    // with the update), the update makes version 2 with that change
    let mut doc: serde_json::Value = serde_json::from_str(support::EXAMPLE_WITH_NULLS).unwrap();
    doc["basic"]["non_working_time_notification"] = "Back at eight.".into();
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = cli.run(&["submit", f, "--diff"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("update channel Telegram_Support"), "{}", out.stdout);
    assert_eq!(
        change_lines(&out.stdout),
        ["APP Secret: replaced", "Non-Working Time Notification: (empty) → Back at eight."],
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("--update"), "without --update the submit is refused: {}", out.stderr);
    assert_eq!(version(), 1, "--diff sent something");
    let out = cli.run(&["submit", f, "--update"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("updated channel") && out.stdout.contains("version 2"), "{}", out.stdout);
    let id = channels_named(&server, "Telegram_Support")[0].id.clone();
    let ch = block_on(server.client().get_channel(&id)).unwrap();
    assert_eq!((ch.version, ch.document.basic.non_working_time_notification.as_str()), (2, "Back at eight."));

    // a backend that does not answer cannot say whether the channel exists:
    // the diff is a create, and says so
    let offline = Cli::new(&dead_backend(), &server.token);
    let out = offline.run(&["submit", f, "--diff"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.starts_with("create channel Telegram_Support"), "{}", out.stdout);
    assert!(out.stderr.contains("whether channel Telegram_Support exists is not known"), "{}", out.stderr);
}
