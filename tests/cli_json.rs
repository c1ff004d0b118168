//! `--json` on the commands that print data: one stable shape each (the
//! README documents them), parsed here as a script would.

mod support;

use serde_json::Value;
use support::cli::*;

fn json(out: &Out) -> Value {
    assert_eq!(out.code, Some(0), "{}", out.all());
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out.stdout))
}

#[test]
fn submit_and_its_diff_print_json() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let draft = cli.example_draft("Json_Submit");
    let diff = json(&cli.run(&["submit", &draft.meta.id, "--diff", "--json"]));
    assert_eq!(diff["action"], "create");
    assert_eq!(diff["name"], "Json_Submit");
    let secret = diff["changes"].as_array().unwrap().iter().find(|c| c["path"] == "channel_info.app_secret").unwrap();
    assert_eq!(secret["new"], "replaced");
    assert!(!diff.to_string().contains(APP_SECRET));

    let done = json(&cli.run(&["submit", &draft.meta.id, "--json", "--keep-draft"]));
    assert_eq!(done["action"], "created");
    assert_eq!(done["name"], "Json_Submit");
    assert_eq!(done["version"], 1);
    let id = done["id"].as_str().unwrap();
    assert!(done["integration_url"].as_str().unwrap().ends_with(&format!("/apiaccess/telegram/message/{id}")));
    assert_eq!(done["draft"]["id"], draft.meta.id.as_str());
    assert_eq!(done["draft"]["kept"], true);

    let mut d = cli.store().load(&draft.meta.id).unwrap();
    d.document.channel_info.app_key = "ak-rotated-2026".into();
    cli.store().save(&mut d).unwrap();
    let diff = json(&cli.run(&["submit", &draft.meta.id, "--diff", "--json"]));
    assert_eq!(diff["action"], "update");
    assert_eq!(diff["version"], 1);
    let key = diff["changes"].as_array().unwrap().iter().find(|c| c["label"] == "APP Key").unwrap();
    assert_eq!((key["old"].as_str(), key["new"].as_str()), (Some("aicc-telegram-app-7f3a"), Some("ak-rotated-2026")));
    let done = json(&cli.run(&["submit", &draft.meta.id, "--json"]));
    assert_eq!((done["action"].as_str(), done["version"].as_u64()), (Some("updated"), Some(2)));
    assert_eq!(done["draft"]["kept"], false);
}

#[test]
fn config_show_and_tenants_print_json() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let shown = json(&cli.run(&["config", "show", "--json"]));
    assert_eq!(shown["backend"]["value"], server.url.as_str());
    assert_eq!(shown["backend"]["origin"], "CHANWIZ_BACKEND");
    assert_eq!(shown["token"]["set"], true);
    assert_eq!(shown["token"]["origin"], "CHANWIZ_TOKEN");
    assert!(!shown.to_string().contains(&server.token), "the token was printed");
    assert!(shown["ca_cert"].is_null());

    let db = cli.home.path().join("tenants.db");
    let added = json(&cli.run(&["tenant", "add", "acme", "--db", db.to_str().unwrap(), "--create", "--json"]));
    assert_eq!(added["tenant"], "acme");
    let token = added["token"].as_str().unwrap().to_string();
    assert!(token.len() >= 32);
    let listed = json(&cli.run(&["tenant", "list", "--db", db.to_str().unwrap(), "--json"]));
    let acme = listed.as_array().unwrap().iter().find(|t| t["name"] == "acme").unwrap();
    assert_eq!(
        (acme["channels"].as_i64(), acme["tokens"].as_i64(), acme["demo"].as_bool()),
        (Some(0), Some(1), Some(false))
    );
    let rotated = json(&cli.run(&["tenant", "rotate-token", "acme", "--db", db.to_str().unwrap(), "--json"]));
    assert_ne!(rotated["token"].as_str().unwrap(), token);
}
