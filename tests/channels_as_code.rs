//! Channels as code: `chanwiz plan DIR`, `chanwiz apply DIR` and `chanwiz
//! channels pull DIR` against the real backend, as terraform's plan/apply.

mod support;

use support::cli::*;

fn write(dir: &std::path::Path, file: &str, doc: &chanwiz::model::ChannelDocument) {
    std::fs::write(dir.join(file), serde_json::to_string_pretty(doc).unwrap()).unwrap();
}

fn example(name: &str) -> chanwiz::model::ChannelDocument {
    let mut d = chanwiz::model::parse_document(EXAMPLE).unwrap();
    d.basic.channel_name = name.into();
    d.channel_info.app_secret = None;
    d
}

#[test]
fn plan_apply_plan_shows_no_change_and_the_backend_matches_the_folder() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    // a channel made elsewhere, only on the backend
    let other = cli.home.path().join("other.json");
    std::fs::write(&other, EXAMPLE.replace("Telegram_Support", "Made_Elsewhere")).unwrap();
    assert_eq!(cli.run(&["submit", other.to_str().unwrap()]).code, Some(0));

    let dir = cli.home.path().join("channels");
    std::fs::create_dir(&dir).unwrap();
    write(&dir, "sales.json", &example("Sales_TG"));
    write(&dir, "support.json", &example("Support_TG"));

    let out = cli.run(&["plan", dir.to_str().unwrap(), "--detailed-exitcode"]);
    assert_eq!(out.code, Some(4), "changes are pending: {}", out.all());
    assert!(out.stdout.contains("create     Sales_TG"), "{}", out.stdout);
    assert!(out.stdout.contains("only on the backend  Made_Elsewhere"), "{}", out.stdout);
    assert!(
        out.stdout.contains("Plan: 2 to create, 0 to update, 0 unchanged, 1 only on the backend."),
        "{}",
        out.stdout
    );

    // a create needs an APP Secret: refused before anything is sent
    let out = cli.run(&["apply", dir.to_str().unwrap(), "--yes"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("needs an APP Secret") && out.stderr.contains("nothing was changed"), "{}", out.stderr);
    // without --yes in a pipe: refused with one line saying so
    // secrets from a file (Sales_TG) and from the environment (Support_TG)
    let secrets = cli.home.path().join("secrets.json");
    std::fs::write(&secrets, r#"{"Sales_TG": "Sk-sales-0001"}"#).unwrap();
    let out = cli.run(&["apply", dir.to_str().unwrap(), "--secrets", secrets.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("pass --yes"), "{}", out.stderr);
    let names = |cli: &Cli| {
        let mut v: Vec<String> =
            block_on(server.client().all_channels(None)).unwrap().into_iter().map(|c| c.name).collect();
        v.sort();
        let _ = cli;
        v
    };
    assert_eq!(names(&cli), vec!["Made_Elsewhere"]);

    let out = cli.run(&["apply", dir.to_str().unwrap(), "--yes", "--secrets", secrets.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "Support_TG has no secret yet: {}", out.all());
    assert!(out.stderr.contains("channel 'Support_TG': a create needs an APP Secret"), "{}", out.stderr);
    let out = Out::from(
        cli.command(&["apply", dir.to_str().unwrap(), "--yes", "--secrets", secrets.to_str().unwrap()])
            .env("CHANWIZ_APP_SECRET_Support_TG", "Sk-support-0002")
            .output()
            .unwrap(),
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("created  Sales_TG") && out.stdout.contains("created  Support_TG"), "{}", out.stdout);
    assert!(!out.all().contains("Sk-sales"), "a secret was printed: {}", out.all());
    assert_eq!(names(&cli), vec!["Made_Elsewhere", "Sales_TG", "Support_TG"]);

    // plan right after: no change (the folder's channels), exit 0
    let out = cli.run(&["plan", dir.to_str().unwrap(), "--detailed-exitcode"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(
        out.stdout.contains("Plan: 0 to create, 0 to update, 2 unchanged, 1 only on the backend."),
        "{}",
        out.stdout
    );
    // applying again changes nothing (a retried create is never a second channel)
    let out = cli.run(&["apply", dir.to_str().unwrap(), "--yes"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("Nothing to do."), "{}", out.stdout);

    // an edit of a file is an update, field by field, the secret kept
    let mut sales = example("Sales_TG");
    sales.channel_info.app_key = "ak-rotated-2026".into();
    write(&dir, "sales.json", &sales);
    let out = cli.run(&["plan", dir.to_str().unwrap(), "--json"]);
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(plan["update"], 1);
    let item = plan["items"].as_array().unwrap().iter().find(|i| i["action"] == "update").unwrap();
    assert_eq!(item["changes"][0]["label"], "APP Key");
    assert_eq!(item["changes"][0]["new"], "ak-rotated-2026");
    let out = cli.run(&["apply", dir.to_str().unwrap(), "--yes", "--prune"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(
        out.stdout.contains("updated  Sales_TG") && out.stdout.contains("deleted  Made_Elsewhere"),
        "{}",
        out.stdout
    );
    assert_eq!(names(&cli), vec!["Sales_TG", "Support_TG"]);
    let out = cli.run(&["plan", dir.to_str().unwrap(), "--detailed-exitcode", "--prune"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
}

#[test]
fn a_change_made_between_plan_and_apply_stops_the_apply_with_the_diff_and_changes_nothing() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let dir = cli.home.path().join("channels");
    std::fs::create_dir(&dir).unwrap();
    let file = cli.home.path().join("one.json");
    std::fs::write(&file, EXAMPLE.replace("Telegram_Support", "Sales_TG")).unwrap();
    assert_eq!(cli.run(&["submit", file.to_str().unwrap()]).code, Some(0));
    let mut mine = example("Sales_TG");
    mine.basic.skill_queue = "sq-2".into();
    mine.basic.session_transfer_no_agent_reply.target_skill_queue = "sq-1".into();
    write(&dir, "sales.json", &mine);
    let saved = cli.home.path().join("plan.json");
    let out = cli.run(&["plan", dir.to_str().unwrap(), "--out", saved.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("update     Sales_TG"), "{}", out.stdout);

    // a colleague changes the channel meanwhile (version 2)
    let client = server.client();
    let row = block_on(client.all_channels(Some("Sales_TG"))).unwrap().remove(0);
    let mut theirs = block_on(client.get_channel(&row.id)).unwrap().document;
    theirs.basic.non_working_time_notification = "Changed by a colleague.".into();
    block_on(client.update_channel(&row.id, 1, &theirs)).unwrap();

    let out = cli.run(&["apply", dir.to_str().unwrap(), "--plan", saved.to_str().unwrap(), "--yes"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stderr.contains("'Sales_TG' changed on the backend since the plan (version 1 → version 2)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Non-Working Time Notification: Changed by a colleague."), "the diff: {}", out.stderr);
    assert!(out.stderr.contains("nothing was changed"), "{}", out.stderr);
    let now = block_on(client.get_channel(&row.id)).unwrap();
    assert_eq!(now.version, 2);
    assert_eq!(now.document.basic.skill_queue, "sq-1", "the apply changed something");

    // a plan file from another backend, or not a plan, is refused
    std::fs::write(&saved, "{}").unwrap();
    let out = cli.run(&["apply", dir.to_str().unwrap(), "--plan", saved.to_str().unwrap(), "--yes"]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("not a plan written by `chanwiz plan --out`"), "{}", out.stderr);
}

#[test]
fn pull_then_plan_shows_no_change_for_a_thousand_channels() {
    let server = Server::start(&["--seed-channels", "1000"]);
    let cli = Cli::new(&server.url, &server.token);
    let dir = cli.home.path().join("pulled");
    let out = cli.run(&["channels", "pull", dir.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stderr.contains("1000 channel(s) written"), "{}", out.stderr);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1000);
    let some = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    assert!(!std::fs::read_to_string(&some).unwrap().contains("app_secret"), "a secret was pulled");
    let out = cli.run(&["plan", dir.to_str().unwrap(), "--detailed-exitcode"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(
        out.stdout.contains("Plan: 0 to create, 0 to update, 1000 unchanged, 0 only on the backend."),
        "{}",
        out.stdout
    );
    // bad input: an empty folder, a broken file, two files of one channel
    let empty = cli.home.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = cli.run(&["plan", empty.to_str().unwrap()]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("no channel documents (*.json)"), "{}", out.stderr);
    std::fs::copy(&some, dir.join("zz-copy.json")).unwrap();
    let out = cli.run(&["plan", dir.to_str().unwrap()]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("both describe channel"), "{}", out.stderr);
}

/// `apply --json` gives each channel's version, the created ones too.
#[test]
fn apply_json_gives_the_version_of_created_channels() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let dir = cli.home.path().join("channels");
    std::fs::create_dir(&dir).unwrap();
    write(&dir, "new.json", &example("New_TG"));
    let out = Out::from(
        cli.command(&["apply", dir.to_str().unwrap(), "--yes", "--json"])
            .env("CHANWIZ_APP_SECRET_New_TG", "Sk-new-0001")
            .output()
            .unwrap(),
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let done = v["done"].as_array().or_else(|| v.as_array()).unwrap_or_else(|| panic!("{v}"));
    let created = done.iter().find(|d| d["action"] == "created").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(created["version"], 1, "{v}");
}
